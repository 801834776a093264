/*
 * xml2json.c - turns one BBB XML reply into a struct gw_bbb_reply, as the
 * reply arrives.
 *
 * Model: bytes go through three stages that each keep their state between
 * chunks. (1) xml_prescan refuses what libxml2 2.9.14 would spend
 * super-linear time on (attributes past GW_XML_MAX_ATTRIBUTES on one
 * element), a DOCTYPE, and encodings in which it could not see the markup;
 * it hands on only bytes it has cleared. (2) libxml2's push parser reads
 * them with a fixed, safe option set (no entity substitution, no DTD
 * loading, no network) and SAX2 callbacks: an internal or external subset,
 * an entity declaration or a reference to a non-predefined entity stops it,
 * as do depth past GW_XML_MAX_DEPTH, nodes past GW_XML_MAX_NODES (counted as
 * the DOM would have them: elements, attributes with their text, text runs,
 * comments, PIs) and the caller's deadline, read every few hundred
 * elements and at every chunk. (3) The callbacks write compact JSON text
 * straight into one capped buffer; there is no DOM and no jansson tree.
 *
 * A table of known element names decides each JSON shape (list -> array,
 * map -> object of strings, bool/int leaf -> typed scalar, image -> object,
 * pagination -> flat object). Types come from names only, never from
 * content. Any element not in the table is kept: a leaf as its exact text,
 * an element with element children as an object whose repeated names
 * become arrays.
 *
 * Files, each using only the ones after it: this one (the push API: the
 * parser, the pre-scan, chunks, the deadline), xml2json_sax.c (libxml2's
 * callbacks, the element stack and the envelope), xml2json_write.c (the
 * JSON text: values, containers, regrouping), xml2json_kind.c (the name
 * table, attribute text). xml2json_int.h holds their shared state.
 */
#include "xml2json_int.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/dict.h>

/* NOENT, DTDLOAD and HUGE must never be here. */
#define PARSE_OPTS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

/* xmlParseChunk takes an int length; the one-shot wrapper feeds this much at a time. */
#define SLICE (64u * 1024u)

void gw_xml2json_global_init(void)
{
	xmlInitParser();
}

void gw_xml2json_global_cleanup(void)
{
	xmlCleanupParser();
}

static const xmlChar *intern(xmlParserCtxt *ctxt, const char *s)
{
	return xmlDictLookup(ctxt->dict, (const xmlChar *)s, -1);
}

static bool intern_names(xmlParserCtxt *ctxt, struct names *n)
{
	n->response = intern(ctxt, "response");
	n->returncode = intern(ctxt, "returncode");
	n->message_key = intern(ctxt, "messageKey");
	n->message = intern(ctxt, "message");
	n->errors = intern(ctxt, "errors");
	n->error = intern(ctxt, "error");
	n->key = intern(ctxt, "key");
	n->total_elements = intern(ctxt, "totalElements");
	n->pageable = intern(ctxt, "pageable");
	n->offset = intern(ctxt, "offset");
	n->limit = intern(ctxt, "limit");
	n->page_size = intern(ctxt, "pageSize");
	n->warning = intern(ctxt, "warning");
	n->attendee_pw = intern(ctxt, "attendeePW");
	n->moderator_pw = intern(ctxt, "moderatorPW");
	n->meeting_id = intern(ctxt, "meetingID");
	n->parent_meeting_id = intern(ctxt, "parentMeetingID");
	n->meeting_id_meta = intern(ctxt, "meetingId");
	n->meetings = intern(ctxt, "meetings");
	n->recordings = intern(ctxt, "recordings");
	n->hooks = intern(ctxt, "hooks");
	return n->meeting_id != NULL && n->parent_meeting_id != NULL &&
	       n->meeting_id_meta != NULL && n->meetings != NULL && n->recordings != NULL &&
	       n->hooks != NULL && n->attendee_pw != NULL && n->moderator_pw != NULL &&
	       n->response != NULL && n->returncode != NULL && n->message_key != NULL &&
	       n->message != NULL && n->errors != NULL && n->error != NULL && n->key != NULL &&
	       n->total_elements != NULL && n->pageable != NULL && n->offset != NULL &&
	       n->limit != NULL && n->page_size != NULL && n->warning != NULL;
}

enum gw_err gw_xml2json_new(uint64_t deadline_ms, size_t max_reply_bytes, struct gw_xml2json **out)
{
	struct gw_xml2json *c = calloc(1, sizeof(*c));
	/* JSON text is at most about twice the XML ('"' -> \"), plus the envelope's warning */
	size_t max_json = max_reply_bytes < SIZE_MAX / 4 ? 3 * max_reply_bytes + 65536
							 : SIZE_MAX / 2;
	xmlSAXHandler sax;

	if (c == NULL)
		return GW_E_NOMEM;
	gw_xml2json_sax_init(&sax);
	c->ctxt = xmlCreatePushParserCtxt(&sax, c, NULL, 0, NULL);
	if (c->ctxt == NULL || !intern_names(c->ctxt, &c->n)) {
		gw_xml2json_free(c);
		return GW_E_NOMEM;
	}
	xmlCtxtUseOptions(c->ctxt, PARSE_OPTS);
	gw_xml_prescan_init(&c->scan);
	c->deadline_ms = deadline_ms;
	gw_buf_init(&c->out, max_json);
	gw_buf_init(&c->text, max_reply_bytes);
	gw_buf_init(&c->attrs, max_reply_bytes);
	gw_buf_init(&c->tmp, max_json);
	*out = c;
	return GW_OK;
}

void gw_xml2json_free(struct gw_xml2json *c)
{
	if (c == NULL)
		return;
	if (c->ctxt != NULL) {
		if (c->ctxt->myDoc != NULL)
			xmlFreeDoc(c->ctxt->myDoc);
		xmlFreeParserCtxt(c->ctxt);
	}
	gw_buf_deinit(&c->out);
	gw_buf_deinit(&c->text);
	gw_buf_deinit(&c->attrs);
	gw_buf_deinit(&c->tmp);
	free(c->members);
	free(c->error_field[0]);
	free(c->error_field[1]);
	gw_bbb_reply_deinit(&c->r);
	free(c);
}

/* What the parser's state says after a chunk: GW_OK while the reply is still well-formed. */
static enum gw_err parser_state(struct gw_xml2json *c)
{
	if (c->err != GW_OK)
		return c->err;
	if (c->ctxt->wellFormed == 0 || c->ctxt->disableSAX)
		c->err = c->ctxt->errNo == XML_ERR_NO_MEMORY ? GW_E_NOMEM : GW_E_UPSTREAM_BAD_REPLY;
	return c->err;
}

/* xml_prescan hands the bytes it cleared to the parser through this. */
static enum gw_err parse_chunk(void *arg, const char *p, size_t n)
{
	struct gw_xml2json *c = arg;
	size_t k;

	while (n > 0) {
		k = n < SLICE ? n : SLICE;
		xmlParseChunk(c->ctxt, p, (int)k, 0);
		if (parser_state(c) != GW_OK)
			return c->err;
		p += k;
		n -= k;
	}
	return GW_OK;
}

enum gw_err gw_xml2json_feed(struct gw_xml2json *c, const char *p, size_t n)
{
	enum gw_err err;

	if (c->err != GW_OK)
		return c->err;
	if (past(c->deadline_ms))
		return c->err = GW_E_UPSTREAM_TIMEOUT;
	err = gw_xml_prescan_feed(&c->scan, p, n, parse_chunk, c);
	if (err != GW_OK && c->err == GW_OK)
		c->err = err;
	return c->err;
}

enum gw_err gw_xml2json_finish(struct gw_xml2json *c, struct gw_bbb_reply *out)
{
	enum gw_err err;

	if (c->err != GW_OK)
		return c->err;
	err = gw_xml_prescan_finish(&c->scan, parse_chunk, c);
	if (err != GW_OK && c->err == GW_OK)
		c->err = err;
	if (c->err != GW_OK)
		return c->err;
	xmlParseChunk(c->ctxt, NULL, 0, 1);
	if (parser_state(c) != GW_OK)
		return c->err;
	if (!c->done)
		return c->err = GW_E_UPSTREAM_BAD_REPLY;
	if (past(c->deadline_ms))
		return c->err = GW_E_UPSTREAM_TIMEOUT;
	c->r.body = gw_buf_take(&c->out, &c->r.body_len);
	if (c->r.body == NULL)
		return c->err = GW_E_NOMEM;
	*out = c->r;
	memset(&c->r, 0, sizeof(c->r));
	/* the reply has left: the converter is spent */
	c->err = GW_E_INTERNAL;
	return GW_OK;
}

void gw_xml2json_hide_passwords(struct gw_xml2json *c)
{
	c->hide_passwords = true;
}

void gw_xml2json_tenant(struct gw_xml2json *c, const char *prefix)
{
	c->tenant = prefix;
	c->tenant_len = prefix != NULL ? strlen(prefix) : 0;
}

enum gw_err gw_xml2json_convert(const char *xml, size_t len, uint64_t deadline_ms,
				struct gw_bbb_reply *out)
{
	return gw_xml2json_convert_for(xml, len, deadline_ms, false, NULL, out);
}

enum gw_err gw_xml2json_convert_for(const char *xml, size_t len, uint64_t deadline_ms,
				    bool hide_passwords, const char *prefix,
				    struct gw_bbb_reply *out)
{
	struct gw_xml2json *c;
	enum gw_err err;
	size_t off;
	size_t k;

	if (len == 0)
		return GW_E_UPSTREAM_BAD_REPLY;
	if (past(deadline_ms))
		return GW_E_UPSTREAM_TIMEOUT;
	err = gw_xml2json_new(deadline_ms, len, &c);
	if (err != GW_OK)
		return err;
	c->hide_passwords = hide_passwords;
	gw_xml2json_tenant(c, prefix);
	for (off = 0; off < len && err == GW_OK; off += k) {
		k = len - off < SLICE ? len - off : SLICE;
		err = gw_xml2json_feed(c, xml + off, k);
	}
	if (err == GW_OK)
		err = gw_xml2json_finish(c, out);
	gw_xml2json_free(c);
	return err;
}
