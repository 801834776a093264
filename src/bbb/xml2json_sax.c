/*
 * xml2json_sax.c - libxml2's SAX2 callbacks for a conversion: the element
 * stack, the node and depth caps, the deadline, and where each element
 * goes (the envelope, <errors>, or the body by its parent's shape).
 *
 * Whether an element is a leaf is known only at its first child or its
 * end, so its text is collected until then (one text stack for all open
 * elements). The envelope (returncode, messageKey, message, <errors>) may
 * come anywhere in <response>: it goes to the reply struct's fields, never
 * into the body text.
 */
#include "xml2json_int.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/entities.h>
#include <libxml/parserInternals.h>

#include "str.h"

/* How often the deadline is read, in elements. */
#define PARSE_CHECK_EVERY 256u

/* ---- envelope and errors ---- */

/* The value of attribute name (first of that local name) as a malloc'd string, or NULL. */
static bool attr_dup(struct gw_xml2json *c, int n, const xmlChar **a, const char *name, char **out)
{
	struct gw_buf b;
	int i;

	*out = NULL;
	for (i = 0; i < n; i++, a += 5) {
		if (strcmp((const char *)a[0], name) != 0)
			continue;
		gw_buf_init(&b, SIZE_MAX / 2);
		if (!ok(c, gw_xml2json_attr_value(&b, a[3], a[4])))
			return false;
		*out = gw_buf_take(&b, NULL);
		return *out != NULL || ok(c, GW_E_NOMEM);
	}
	return true;
}

static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d != NULL) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static void end_envelope(struct gw_xml2json *c, const struct frame *f)
{
	size_t n;
	const char *t = text_of(c, f, &n);
	char **dst = f->field == F_MESSAGE_KEY ? &c->r.message_key : &c->r.message;

	if (f->field == F_RETURNCODE) {
		c->r.success = n == 7 && memcmp(t, "SUCCESS", 7) == 0;
		return;
	}
	free(*dst);
	*dst = NULL;
	if (n > 0 && !gw_str_utf8_valid(t, n))
		fail(c, GW_E_UPSTREAM_BAD_REPLY);
	else if (n > 0 && (*dst = dup_n(t, n)) == NULL)
		fail(c, GW_E_NOMEM);
}

static void start_error(struct gw_xml2json *c, int n, const xmlChar **a)
{
	static const char *const fields[] = {"key", "message"};
	size_t i;

	for (i = 0; i < 2; i++) {
		free(c->error_field[i]);
		c->error_field[i] = NULL;
		if (!attr_dup(c, n, a, fields[i], &c->error_field[i]))
			return;
		c->error_attr[i] = c->error_field[i] != NULL;
	}
}

static void end_error_field(struct gw_xml2json *c, const struct frame *f)
{
	size_t n;
	const char *t = text_of(c, f, &n);

	free(c->error_field[f->field]);
	c->error_field[f->field] = dup_n(t, n);
	if (c->error_field[f->field] == NULL)
		fail(c, GW_E_NOMEM);
}

/* One <error> as {"key", "message"}: attributes, or the last <key>/<message> children. */
static void end_error(struct gw_xml2json *c)
{
	const char *key = c->error_field[F_KEY] != NULL ? c->error_field[F_KEY] : "";
	const char *msg = c->error_field[F_MSG] != NULL ? c->error_field[F_MSG] : "";
	json_t *e;

	if (!gw_str_utf8_valid(key, strlen(key)) || !gw_str_utf8_valid(msg, strlen(msg))) {
		fail(c, GW_E_UPSTREAM_BAD_REPLY);
		return;
	}
	e = json_pack("{s:s, s:s}", "key", key, "message", msg);
	if (e == NULL || json_array_append_new(c->r.errors, e) != 0)
		fail(c, GW_E_NOMEM);
}

/* </response>: the envelope rules, then the warning member. */
static void end_response(struct gw_xml2json *c, struct frame *f)
{
	if (!c->seen[F_RETURNCODE]) {
		fail(c, GW_E_UPSTREAM_BAD_REPLY);
		return;
	}
	if (!ok(c, gw_bbb_reply_promote_first_error(&c->r)))
		return;
	if (gw_bbb_reply_has_warning(&c->r) && (!gw_xml2json_member(c, f, c->n.warning, true) ||
						!ok(c, gw_bbb_reply_write_warning(&c->r, &c->out))))
		return;
	if (gw_xml2json_close_object(c, f))
		c->done = true;
}

/* ---- callbacks ---- */

/* A child of <response>: the envelope, <errors>, or a body member. */
static void start_in_response(struct gw_xml2json *c, struct frame *p, struct frame *f, int n_attrs,
			      const xmlChar **attrs)
{
	const xmlChar *env[] = {c->n.returncode, c->n.message_key, c->n.message};
	unsigned char i;

	for (i = 0; i < 3; i++) {
		if (f->name != env[i])
			continue;
		/* a second one (FAILED then SUCCESS) would make the reply ambiguous */
		if (c->seen[i]) {
			fail(c, GW_E_UPSTREAM_BAD_REPLY);
			return;
		}
		c->seen[i] = true;
		f->role = RO_ENVELOPE;
		f->field = i;
		f->text = true;
		return;
	}
	if (f->name == c->n.errors) {
		json_decref(c->r.errors);
		c->r.errors = json_array();
		f->role = RO_ERRORS;
		if (c->r.errors == NULL)
			fail(c, GW_E_NOMEM);
		return;
	}
	if (gw_xml2json_member(c, p, f->name, false))
		gw_xml2json_value_start(c, f, false, n_attrs, attrs);
}

static void start_in_value(struct gw_xml2json *c, struct frame *p, struct frame *f, int n_attrs,
			   const xmlChar **attrs)
{
	if (p->shape == SH_LEAF && !gw_xml2json_become_container(c, p))
		return;
	switch (p->shape) {
	case SH_LIST:
		/* <response><meetings><meeting>: a tenant sees its own items only */
		if (c->tenant != NULL && c->depth == 3 &&
		    (p->name == c->n.meetings || p->name == c->n.recordings ||
		     p->name == c->n.hooks)) {
			f->tenant_item = true;
			f->item_start = c->out.len;
		}
		if (gw_xml2json_item(c, p))
			gw_xml2json_value_start(c, f, false, n_attrs, attrs);
		break;
	case SH_MAP:
		if (gw_xml2json_member(c, p, f->name, true))
			gw_xml2json_value_start(c, f, true, n_attrs, attrs);
		break;
	case SH_PAGINATION:
		if (f->name == c->n.pageable) {
			f->role = RO_PAGEABLE;
		} else if (f->name == c->n.total_elements &&
			   gw_xml2json_member(c, p, f->name, true)) {
			f->role = RO_INT;
			f->text = true;
		}
		break;
	default:
		if (gw_xml2json_member(c, p, f->name, false))
			gw_xml2json_value_start(c, f, false, n_attrs, attrs);
		break;
	}
}

/* Where a new element goes, decided by its parent's role. */
static void start_child(struct gw_xml2json *c, struct frame *p, struct frame *f, int n_attrs,
			const xmlChar **attrs)
{
	switch (p->role) {
	case RO_RESPONSE:
		start_in_response(c, p, f, n_attrs, attrs);
		break;
	case RO_VALUE:
		start_in_value(c, p, f, n_attrs, attrs);
		break;
	case RO_PAGEABLE:
		/* the page size is <limit> or, in Spring's Pageable form, <pageSize> */
		if (f->name == c->n.offset || f->name == c->n.limit || f->name == c->n.page_size) {
			const xmlChar *m = f->name == c->n.offset ? c->n.offset : c->n.limit;

			if (gw_xml2json_member(c, p - 1, m, true)) {
				f->role = RO_INT;
				f->text = true;
			}
		}
		break;
	case RO_ERRORS:
		if (f->name == c->n.error) {
			f->role = RO_ERROR;
			start_error(c, n_attrs, attrs);
		}
		break;
	case RO_ERROR:
		if ((f->name == c->n.key && !c->error_attr[F_KEY]) ||
		    (f->name == c->n.message && !c->error_attr[F_MSG])) {
			f->role = RO_ERROR_FIELD;
			f->field = f->name == c->n.key ? F_KEY : F_MSG;
			f->text = true;
		}
		break;
	default:
		break;
	}
}

static void on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
		     int nb_namespaces, const xmlChar **namespaces, int nb_attributes,
		     int nb_defaulted, const xmlChar **attributes)
{
	struct gw_xml2json *c = ctx;
	struct frame *f;

	(void)prefix;
	(void)uri;
	(void)nb_namespaces;
	(void)namespaces;
	(void)nb_defaulted;
	c->in_text = false;
	c->nodes += 1 + 2 * (size_t)nb_attributes;
	if (c->err != GW_OK)
		return;
	if (c->nodes > GW_XML_MAX_NODES || c->depth >= GW_XML_MAX_DEPTH ||
	    (c->depth == 0 && localname != c->n.response)) {
		fail(c, GW_E_UPSTREAM_BAD_REPLY);
		return;
	}
	if (++c->elements % PARSE_CHECK_EVERY == 0 && past(c->deadline_ms)) {
		fail(c, GW_E_UPSTREAM_TIMEOUT);
		return;
	}
	f = &c->frames[c->depth++];
	memset(f, 0, sizeof(*f));
	f->name = localname;
	f->role = RO_SKIP;
	f->attr_start = c->attrs.len;
	if (c->depth == 1) {
		f->role = RO_RESPONSE;
		f->out_start = 1;
		put_byte(c, '{');
		return;
	}
	if (!c->hide_passwords || (localname != c->n.attendee_pw && localname != c->n.moderator_pw))
		start_child(c, f - 1, f, nb_attributes, attributes);
	/* after the parent dropped its own text on becoming a container */
	f->text_start = c->text.len;
}

static void on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
	struct gw_xml2json *c = ctx;
	struct frame *f;

	(void)localname;
	(void)prefix;
	(void)uri;
	c->in_text = false;
	if (c->err != GW_OK || c->depth == 0)
		return;
	f = &c->frames[c->depth - 1];
	switch (f->role) {
	case RO_RESPONSE:
		end_response(c, f);
		break;
	case RO_VALUE:
		if (gw_xml2json_end_value(c, f) && f->tenant_item && !f->tenant_ok) {
			/* another tenant's item: as if it never came */
			gw_buf_truncate(&c->out, f->item_start);
			f[-1].items--;
		}
		break;
	case RO_INT: {
		size_t n;
		const char *t = text_of(c, f, &n);

		put_value(c, GW_BBB_VALUE_INT, t, n);
		break;
	}
	case RO_ENVELOPE:
		end_envelope(c, f);
		break;
	case RO_ERROR:
		end_error(c);
		break;
	case RO_ERROR_FIELD:
		end_error_field(c, f);
		break;
	default:
		break;
	}
	gw_buf_truncate(&c->text, f->text_start);
	gw_buf_truncate(&c->attrs, f->attr_start);
	c->depth--;
}

static void on_text(void *ctx, const xmlChar *ch, int len)
{
	struct gw_xml2json *c = ctx;

	if (!c->in_text) {
		c->in_text = true;
		if (++c->nodes > GW_XML_MAX_NODES)
			fail(c, GW_E_UPSTREAM_BAD_REPLY);
	}
	if (c->err != GW_OK || c->depth == 0 || !c->frames[c->depth - 1].text)
		return;
	ok(c, gw_buf_append(&c->text, ch, (size_t)len));
}

/* Comments and PIs split text, as their DOM nodes did, and count as nodes. */
static void on_other_node(struct gw_xml2json *c)
{
	c->in_text = false;
	if (++c->nodes > GW_XML_MAX_NODES)
		fail(c, GW_E_UPSTREAM_BAD_REPLY);
}

static void on_comment(void *ctx, const xmlChar *value)
{
	(void)value;
	on_other_node(ctx);
}

static void on_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
	(void)target;
	(void)data;
	on_other_node(ctx);
}

/* A DOCTYPE or entity declaration: BBB never sends one (xml_prescan refuses it first). */
static void on_subset(void *ctx, const xmlChar *name, const xmlChar *external_id,
		      const xmlChar *system_id)
{
	(void)name;
	(void)external_id;
	(void)system_id;
	fail(ctx, GW_E_UPSTREAM_BAD_REPLY);
}

static void on_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *public_id,
			   const xmlChar *system_id, xmlChar *content)
{
	(void)name;
	(void)type;
	(void)public_id;
	(void)system_id;
	(void)content;
	fail(ctx, GW_E_UPSTREAM_BAD_REPLY);
}

/* A reference to anything but the five predefined entities: never expanded, refused. */
static void on_reference(void *ctx, const xmlChar *name)
{
	(void)name;
	fail(ctx, GW_E_UPSTREAM_BAD_REPLY);
}

static xmlEntity *on_get_entity(void *ctx, const xmlChar *name)
{
	(void)ctx;
	return xmlGetPredefinedEntity(name);
}

/* Errors are read from the context, never printed. */
static void on_error(void *ctx, xmlError *error)
{
	(void)ctx;
	(void)error;
}

void gw_xml2json_sax_init(xmlSAXHandler *sax)
{
	memset(sax, 0, sizeof(*sax));
	sax->initialized = XML_SAX2_MAGIC;
	sax->startElementNs = on_start;
	sax->endElementNs = on_end;
	sax->characters = on_text;
	sax->ignorableWhitespace = on_text;
	sax->cdataBlock = on_text;
	sax->comment = on_comment;
	sax->processingInstruction = on_pi;
	sax->internalSubset = on_subset;
	sax->externalSubset = on_subset;
	sax->entityDecl = on_entity_decl;
	sax->reference = on_reference;
	sax->getEntity = on_get_entity;
	sax->serror = on_error;
}
