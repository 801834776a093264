/*
 * xml2json.c - turns one BBB XML reply into a struct gw_bbb_reply.
 *
 * Model: a linear pre-scan of the raw bytes refuses what libxml2 2.9.14
 * would spend super-linear time on (attributes past GW_XML_MAX_ATTRIBUTES
 * on one element), a DOCTYPE, and encodings in which the pre-scan could not
 * see the markup. libxml2 then parses the reply into a DOM with a fixed,
 * safe option set (no entity substitution, no DTD loading, no network),
 * watching the caller's deadline every few hundred elements. One iterative pass
 * then checks the whole tree before anything is converted: no DOCTYPE, no
 * entity reference, element depth and node count under the caps in
 * limits.h. The conversion walks the checked tree; a table of known element
 * names decides each JSON shape (list -> array, map -> object of strings,
 * bool/int leaf -> typed scalar, image -> object, pagination -> flat
 * object). Types come from names only, never from content. Any element not
 * in the table is kept: a leaf as its exact text, an element with element
 * children as an object whose repeated names become arrays. Text is read
 * from text nodes directly, so nothing is ever expanded. The deadline is
 * checked again every few thousand nodes of the check and the conversion.
 */
#include "xml2json.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "buf.h"
#include "bbb_value.h"
#include "xml_prescan.h"
/* the project's limits.h shadows the system one on -Isrc: bounds come from stdint.h */
#include "gw_limits.h"

/* NOCDATA folds CDATA into text; NOENT, DTDLOAD and HUGE must never be here. */
#define PARSE_OPTS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA)

/* xmlReadMemory takes an int length */
#define MAX_XML_BYTES ((size_t)INT_MAX)
_Static_assert(sizeof(json_int_t) == sizeof(int64_t), "json_int_t is 64 bits");

/* How often the deadline is read: elements while parsing, nodes while walking. */
#define PARSE_CHECK_EVERY 256u
#define WALK_CHECK_EVERY 4096u

enum kind {
	K_PLAIN,      /* leaf -> string, element children -> object */
	K_LIST,       /* array of the converted element children */
	K_MAP,        /* object of strings keyed by child name */
	K_BOOL,       /* "true"/"false" -> bool, "" -> null, else string */
	K_INT,        /* digits (',' grouping allowed) -> int, "" -> null, else string */
	K_IMAGE,      /* text + attributes -> {url, width, height, alt} */
	K_PAGINATION, /* getRecordings paging -> {offset, limit, totalElements} */
};

/* Sorted by name (strcmp order) for the binary search in kind_of. */
static const struct {
	const char *name;
	enum kind kind;
} kinds[] = {
	{"attendees", K_LIST},
	{"breakoutRooms", K_LIST},
	{"createTime", K_INT},
	{"customdata", K_MAP},
	{"data", K_LIST},
	{"deleted", K_BOOL},
	{"duration", K_INT},
	{"empty", K_BOOL},
	{"endTime", K_INT},
	{"freeJoin", K_BOOL},
	{"hasBeenForciblyEnded", K_BOOL},
	{"hasJoinedVoice", K_BOOL},
	{"hasUserJoined", K_BOOL},
	{"hasVideo", K_BOOL},
	{"height", K_INT},
	{"hooks", K_LIST},
	{"image", K_IMAGE},
	{"images", K_LIST},
	{"isBreakout", K_BOOL},
	{"isListeningOnly", K_BOOL},
	{"isPresenter", K_BOOL},
	{"length", K_INT},
	{"limit", K_INT},
	{"listenerCount", K_INT},
	{"maxUsers", K_INT},
	{"meetings", K_LIST},
	{"metadata", K_MAP},
	{"moderatorCount", K_INT},
	{"offset", K_INT},
	{"paged", K_BOOL},
	{"pagination", K_PAGINATION},
	{"participantCount", K_INT},
	{"participants", K_INT},
	{"permanentHook", K_BOOL},
	{"playback", K_LIST},
	{"processingTime", K_INT},
	{"published", K_BOOL},
	{"rawData", K_BOOL},
	{"rawSize", K_INT},
	{"recording", K_BOOL},
	{"recordings", K_LIST},
	{"removed", K_BOOL},
	{"running", K_BOOL},
	{"sequence", K_INT},
	{"size", K_INT},
	{"startTime", K_INT},
	{"totalElements", K_INT},
	{"tracks", K_LIST},
	{"unpaged", K_BOOL},
	{"updated", K_BOOL},
	{"videoCount", K_INT},
	{"voiceParticipantCount", K_INT},
	{"width", K_INT},
};

static enum kind kind_of(const xmlChar *name)
{
	size_t lo = 0;
	size_t hi = GW_ARRAY_SIZE(kinds);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(kinds[mid].name, (const char *)name);

		if (c == 0)
			return kinds[mid].kind;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return K_PLAIN;
}

static bool name_is(const xmlNode *n, const char *name)
{
	return strcmp((const char *)n->name, name) == 0;
}

static const xmlNode *next_el(const xmlNode *n)
{
	while (n != NULL && n->type != XML_ELEMENT_NODE)
		n = n->next;
	return n;
}

/* ---- deadline ---- */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static bool past(uint64_t deadline_ms)
{
	return deadline_ms != 0 && now_ms() >= deadline_ms;
}

/* The walks' state: the deadline, read every WALK_CHECK_EVERY nodes. */
struct walk {
	uint64_t deadline_ms;
	size_t nodes;
};

static enum gw_err tick(struct walk *w)
{
	if (++w->nodes % WALK_CHECK_EVERY == 0 && past(w->deadline_ms))
		return GW_E_UPSTREAM_TIMEOUT;
	return GW_OK;
}

/* ---- tree check ---- */

static enum gw_err check_attrs(const xmlNode *el, size_t *count)
{
	const xmlAttr *a;
	const xmlNode *t;

	for (a = el->properties; a != NULL; a = a->next) {
		for (t = a->children; t != NULL; t = t->next) {
			if (t->type != XML_TEXT_NODE)
				return GW_E_UPSTREAM_BAD_REPLY;
			if (++*count > GW_XML_MAX_NODES)
				return GW_E_UPSTREAM_BAD_REPLY;
		}
		if (++*count > GW_XML_MAX_NODES)
			return GW_E_UPSTREAM_BAD_REPLY;
	}
	return GW_OK;
}

static enum gw_err check_node(const xmlNode *n, unsigned depth, size_t *count)
{
	if (++*count > GW_XML_MAX_NODES)
		return GW_E_UPSTREAM_BAD_REPLY;
	switch (n->type) {
	case XML_ELEMENT_NODE:
		if (depth > GW_XML_MAX_DEPTH)
			return GW_E_UPSTREAM_BAD_REPLY;
		return check_attrs(n, count);
	case XML_TEXT_NODE:
	case XML_CDATA_SECTION_NODE:
	case XML_COMMENT_NODE:
	case XML_PI_NODE:
		return GW_OK;
	default:
		/* entity references, DTD nodes, anything else BBB never sends */
		return GW_E_UPSTREAM_BAD_REPLY;
	}
}

/*
 * Visits every node without recursion, so a deep tree costs no stack; only
 * element children are entered.
 */
static enum gw_err check_tree(const xmlDoc *doc, struct walk *w)
{
	const xmlNode *n = doc->children;
	unsigned depth = 1;
	size_t count = 0;
	enum gw_err err;

	if (doc->intSubset != NULL || doc->extSubset != NULL)
		return GW_E_UPSTREAM_BAD_REPLY;
	while (n != NULL) {
		err = check_node(n, depth, &count);
		if (err == GW_OK)
			err = tick(w);
		if (err != GW_OK)
			return err;
		if (n->type == XML_ELEMENT_NODE && n->children != NULL) {
			n = n->children;
			depth++;
			continue;
		}
		while (n->next == NULL) {
			n = n->parent;
			depth--;
			if (n == NULL || n->type == XML_DOCUMENT_NODE)
				return GW_OK;
		}
		n = n->next;
	}
	return GW_OK;
}

/* ---- scalars ---- */

/* A piece of text: borrowed from the DOM, or joined in buf when split. */
struct text {
	const char *p;
	size_t n;
	struct gw_buf buf;
};

/* Collects the text children of a node list (element or attribute children). */
static enum gw_err text_of(const xmlNode *first, struct text *t)
{
	const xmlNode *c;
	const char *s;
	size_t pieces = 0;
	enum gw_err err = GW_OK;

	t->p = "";
	t->n = 0;
	gw_buf_init(&t->buf, MAX_XML_BYTES);
	for (c = first; c != NULL && err == GW_OK; c = c->next) {
		if (c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE)
			continue;
		s = c->content != NULL ? (const char *)c->content : "";
		if (pieces++ == 0) {
			t->p = s;
			t->n = strlen(s);
			continue;
		}
		/* a comment split the text: join the pieces */
		if (pieces == 2)
			err = gw_buf_append(&t->buf, t->p, t->n);
		if (err == GW_OK)
			err = gw_buf_append_str(&t->buf, s);
		t->p = gw_buf_str(&t->buf);
		t->n = t->buf.len;
	}
	if (err != GW_OK)
		gw_buf_deinit(&t->buf);
	return err == GW_E_TOO_LARGE ? GW_E_UPSTREAM_BAD_REPLY : err;
}

static enum gw_err scalar(enum kind k, const char *s, size_t n, json_t **out)
{
	return gw_bbb_value(k == K_BOOL ? GW_BBB_VALUE_BOOL
			    : k == K_INT ? GW_BBB_VALUE_INT
					 : GW_BBB_VALUE_STRING,
			    s, n, out);
}

/* The typed value of a node list's text (an element's or an attribute's). */
static enum gw_err text_value(enum kind k, const xmlNode *first, json_t **out)
{
	struct text t;
	enum gw_err err = text_of(first, &t);

	if (err != GW_OK)
		return err;
	err = scalar(k, t.p, t.n, out);
	gw_buf_deinit(&t.buf);
	return err;
}

/* ---- containers ---- */

/* Sets obj[key] = v; v is stolen (jansson's *_set_new), also on failure. */
static enum gw_err set_new(json_t *obj, const char *key, json_t *v)
{
	if (v == NULL)
		return GW_E_NOMEM;
	/* fails on OOM or a key that is not UTF-8; libxml2 names are UTF-8 */
	return json_object_set_new(obj, key, v) == 0 ? GW_OK : GW_E_UPSTREAM_BAD_REPLY;
}

static enum gw_err append_new(json_t *arr, json_t *v)
{
	if (v == NULL)
		return GW_E_NOMEM;
	return json_array_append_new(arr, v) == 0 ? GW_OK : GW_E_NOMEM;
}

/*
 * Adds v (stolen) under key. A repeated key turns into an array of all its
 * values; *rep (created on first use) remembers which keys are such arrays,
 * so a value that is itself an array is not mistaken for one.
 */
static enum gw_err add_member(json_t *obj, json_t **rep, const char *key, json_t *v)
{
	json_t *old = json_object_get(obj, key); /* borrowed */
	json_t *arr;
	enum gw_err err;

	if (old == NULL)
		return set_new(obj, key, v);
	if (*rep != NULL && json_object_get(*rep, key) != NULL)
		return append_new(old, v);
	if (*rep == NULL)
		*rep = json_object();
	arr = json_array();
	if (*rep == NULL || arr == NULL) {
		json_decref(arr);
		json_decref(v);
		return GW_E_NOMEM;
	}
	err = append_new(arr, json_incref(old));
	if (err == GW_OK)
		err = append_new(arr, v);
	else
		json_decref(v);
	if (err != GW_OK) {
		json_decref(arr);
		return err;
	}
	err = set_new(obj, key, arr);
	if (err != GW_OK)
		return err;
	return set_new(*rep, key, json_true());
}

static enum gw_err convert(struct walk *w, const xmlNode *el, json_t **out);

/* Starts an empty container; the callers below fill it and drop it on failure. */
static enum gw_err start(json_t *c, json_t **out)
{
	*out = c;
	return c != NULL ? GW_OK : GW_E_NOMEM;
}

static enum gw_err finish(enum gw_err err, json_t **out)
{
	if (err != GW_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return err;
}

static enum gw_err convert_object(struct walk *w, const xmlNode *el, json_t **out)
{
	const xmlNode *c;
	json_t *rep = NULL;
	json_t *v;
	enum gw_err err = start(json_object(), out);

	if (err != GW_OK)
		return err;
	for (c = next_el(el->children); c != NULL; c = next_el(c->next)) {
		err = convert(w, c, &v);
		if (err == GW_OK)
			err = add_member(*out, &rep, (const char *)c->name, v);
		if (err != GW_OK)
			break;
	}
	json_decref(rep);
	return finish(err, out);
}

static enum gw_err convert_list(struct walk *w, const xmlNode *el, json_t **out)
{
	const xmlNode *c;
	json_t *v;
	enum gw_err err = start(json_array(), out);

	if (err != GW_OK)
		return err;
	for (c = next_el(el->children); c != NULL; c = next_el(c->next)) {
		err = convert(w, c, &v);
		if (err == GW_OK)
			err = append_new(*out, v);
		if (err != GW_OK)
			break;
	}
	return finish(err, out);
}

/* Values are untyped strings; a child with element children is converted, not dropped. */
static enum gw_err convert_map(struct walk *w, const xmlNode *el, json_t **out)
{
	const xmlNode *c;
	json_t *v;
	enum gw_err err = start(json_object(), out);

	if (err != GW_OK)
		return err;
	for (c = next_el(el->children); c != NULL; c = next_el(c->next)) {
		if (next_el(c->children) != NULL)
			err = convert(w, c, &v);
		else
			err = text_value(K_PLAIN, c->children, &v);
		if (err == GW_OK)
			err = set_new(*out, (const char *)c->name, v);
		if (err != GW_OK)
			break;
	}
	return finish(err, out);
}

static enum gw_err convert_image(const xmlNode *el, json_t **out)
{
	static const char *const order[] = {"width", "height", "alt"};
	const xmlAttr *a;
	json_t *v;
	size_t i;
	enum gw_err err = start(json_object(), out);

	if (err == GW_OK)
		err = text_value(K_PLAIN, el->children, &v);
	if (err == GW_OK)
		err = set_new(*out, "url", v);
	for (i = 0; i < GW_ARRAY_SIZE(order) && err == GW_OK; i++) {
		a = xmlHasProp(el, (const xmlChar *)order[i]);
		if (a == NULL)
			continue;
		err = text_value(kind_of(a->name), a->children, &v);
		if (err == GW_OK)
			err = set_new(*out, order[i], v);
	}
	/* attributes BBB may add later are kept as strings */
	for (a = el->properties; a != NULL && err == GW_OK; a = a->next) {
		if (json_object_get(*out, (const char *)a->name) != NULL)
			continue;
		err = text_value(K_PLAIN, a->children, &v);
		if (err == GW_OK)
			err = set_new(*out, (const char *)a->name, v);
	}
	return finish(err, out);
}

/*
 * Keeps what a client needs to page; sort, paged/unpaged, first/last,
 * totalPages and empty follow from these three. The page size is <limit>
 * or, in the Spring Pageable form bbb-web serialises, <pageSize>.
 */
static enum gw_err convert_pagination(const xmlNode *el, json_t **out)
{
	const xmlNode *c;
	const xmlNode *p;
	json_t *v;
	enum gw_err err = start(json_object(), out);

	for (c = next_el(el->children); c != NULL; c = next_el(c->next)) {
		if (err != GW_OK)
			break;
		if (name_is(c, "totalElements")) {
			err = text_value(K_INT, c->children, &v);
			if (err == GW_OK)
				err = set_new(*out, "totalElements", v);
			continue;
		}
		if (!name_is(c, "pageable"))
			continue;
		for (p = next_el(c->children); p != NULL; p = next_el(p->next)) {
			const char *key = name_is(p, "pageSize") ? "limit" : (const char *)p->name;

			if (strcmp(key, "offset") != 0 && strcmp(key, "limit") != 0)
				continue;
			err = text_value(K_INT, p->children, &v);
			if (err == GW_OK)
				err = set_new(*out, key, v);
			if (err != GW_OK)
				break;
		}
	}
	return finish(err, out);
}

/* Recursion is bounded by GW_XML_MAX_DEPTH, checked before conversion. */
static enum gw_err convert(struct walk *w, const xmlNode *el, json_t **out)
{
	enum kind k = kind_of(el->name);
	bool leaf = next_el(el->children) == NULL;
	enum gw_err err = tick(w);

	if (err != GW_OK)
		return err;
	switch (k) {
	case K_LIST:
		return convert_list(w, el, out);
	case K_MAP:
		return convert_map(w, el, out);
	case K_PAGINATION:
		return convert_pagination(el, out);
	case K_IMAGE:
		return leaf ? convert_image(el, out) : convert_object(w, el, out);
	default:
		return leaf ? text_value(k, el->children, out) : convert_object(w, el, out);
	}
}

/* ---- envelope ---- */

/* A malloc'd copy of an element's text, NULL when empty. */
static enum gw_err dup_text(const xmlNode *first, char **out)
{
	struct text t;
	enum gw_err err = text_of(first, &t);
	char *s = NULL;

	if (err != GW_OK)
		return err;
	if (t.n > 0) {
		s = malloc(t.n + 1);
		if (s == NULL)
			err = GW_E_NOMEM;
		else
			memcpy(s, t.p, t.n + 1);
	}
	gw_buf_deinit(&t.buf);
	if (err == GW_OK) {
		free(*out);
		*out = s;
	}
	return err;
}

/* One <error> as {"key", "message"}: attributes, or <key>/<message> children. */
static enum gw_err convert_error(const xmlNode *el, json_t **out)
{
	static const char *const fields[] = {"key", "message"};
	const xmlNode *c;
	const xmlNode *src;
	const xmlAttr *a;
	json_t *v;
	size_t i;
	enum gw_err err = start(json_object(), out);

	for (i = 0; i < GW_ARRAY_SIZE(fields) && err == GW_OK; i++) {
		a = xmlHasProp(el, (const xmlChar *)fields[i]);
		src = a != NULL ? a->children : NULL;
		for (c = next_el(el->children); c != NULL; c = next_el(c->next)) {
			if (a == NULL && name_is(c, fields[i]))
				src = c->children;
		}
		err = text_value(K_PLAIN, src, &v);
		if (err == GW_OK)
			err = set_new(*out, fields[i], v);
	}
	return finish(err, out);
}

static enum gw_err convert_errors(const xmlNode *el, json_t **out)
{
	const xmlNode *c;
	json_t *v;
	enum gw_err err = start(json_array(), out);

	for (c = next_el(el->children); c != NULL; c = next_el(c->next)) {
		if (err != GW_OK)
			break;
		if (!name_is(c, "error"))
			continue;
		err = convert_error(c, &v);
		if (err == GW_OK)
			err = append_new(*out, v);
	}
	return finish(err, out);
}

/* Which envelope elements a reply had: each may appear once. */
struct envelope {
	bool returncode;
	bool message_key;
	bool message;
};

/*
 * A second returncode (FAILED then SUCCESS), messageKey or message makes the
 * reply ambiguous; BBB never sends one, so the reply is refused rather than
 * read by whichever came last.
 */
static enum gw_err convert_child(struct walk *w, const xmlNode *c, struct gw_bbb_reply *r,
				 json_t **rep, struct envelope *seen)
{
	struct text t;
	json_t *v;
	enum gw_err err;

	if (name_is(c, "returncode")) {
		if (seen->returncode)
			return GW_E_UPSTREAM_BAD_REPLY;
		err = text_of(c->children, &t);
		if (err != GW_OK)
			return err;
		r->success = t.n == 7 && memcmp(t.p, "SUCCESS", 7) == 0;
		seen->returncode = true;
		gw_buf_deinit(&t.buf);
		return GW_OK;
	}
	if (name_is(c, "messageKey")) {
		if (seen->message_key)
			return GW_E_UPSTREAM_BAD_REPLY;
		seen->message_key = true;
		return dup_text(c->children, &r->message_key);
	}
	if (name_is(c, "message")) {
		if (seen->message)
			return GW_E_UPSTREAM_BAD_REPLY;
		seen->message = true;
		return dup_text(c->children, &r->message);
	}
	if (name_is(c, "errors")) {
		json_decref(r->errors);
		return convert_errors(c, &r->errors);
	}
	err = convert(w, c, &v);
	if (err != GW_OK)
		return err;
	return add_member(r->body, rep, (const char *)c->name, v);
}

static enum gw_err convert_response(struct walk *w, const xmlNode *root,
				    struct gw_bbb_reply *r)
{
	const xmlNode *c;
	json_t *rep = NULL;
	struct envelope seen = {0};
	enum gw_err err = GW_OK;

	if (root == NULL || !name_is(root, "response"))
		return GW_E_UPSTREAM_BAD_REPLY;
	r->body = json_object();
	if (r->body == NULL)
		return GW_E_NOMEM;
	for (c = next_el(root->children); c != NULL; c = next_el(c->next)) {
		err = convert_child(w, c, r, &rep, &seen);
		if (err != GW_OK)
			break;
	}
	json_decref(rep);
	if (err == GW_OK && !seen.returncode)
		err = GW_E_UPSTREAM_BAD_REPLY;
	if (err == GW_OK)
		err = gw_bbb_reply_promote_first_error(r);
	if (err == GW_OK)
		err = gw_bbb_reply_add_warning(r);
	return err;
}

void gw_xml2json_global_init(void)
{
	xmlInitParser();
}

void gw_xml2json_global_cleanup(void)
{
	xmlCleanupParser();
}

/* libxml2's own handler, with the deadline read every PARSE_CHECK_EVERY elements. */
struct parse {
	uint64_t deadline_ms;
	unsigned long elements;
	bool late;
};

static void on_start_element(void *ctx, const xmlChar *localname, const xmlChar *prefix,
			     const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
			     int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
	xmlParserCtxt *ctxt = ctx;
	struct parse *ps = ctxt->_private;

	if (++ps->elements % PARSE_CHECK_EVERY == 0 && past(ps->deadline_ms)) {
		ps->late = true;
		/* no further callbacks: the DOM stays as it is and is dropped */
		xmlStopParser(ctxt);
		return;
	}
	xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces, namespaces,
			      nb_attributes, nb_defaulted, attributes);
}

/* The DOM of the reply, or an error; *doc is written only on success. */
static enum gw_err parse(const char *xml, size_t len, uint64_t deadline_ms, xmlDoc **doc)
{
	struct parse ps = {.deadline_ms = deadline_ms};
	xmlParserCtxt *ctxt = xmlNewParserCtxt();
	enum gw_err err = GW_OK;
	xmlDoc *d;

	if (ctxt == NULL)
		return GW_E_NOMEM;
	/* xmlCtxtReadMemory keeps the handler; only XML_PARSE_SAX1 would replace it */
	ctxt->_private = &ps;
	ctxt->sax->startElementNs = on_start_element;
	d = xmlCtxtReadMemory(ctxt, xml, (int)len, NULL, NULL, PARSE_OPTS);
	if (ps.late)
		err = GW_E_UPSTREAM_TIMEOUT;
	else if (d == NULL)
		err = ctxt->lastError.code == XML_ERR_NO_MEMORY ? GW_E_NOMEM
								 : GW_E_UPSTREAM_BAD_REPLY;
	xmlFreeParserCtxt(ctxt);
	if (err != GW_OK) {
		xmlFreeDoc(d);
		return err;
	}
	*doc = d;
	return GW_OK;
}

enum gw_err gw_xml2json_convert(const char *xml, size_t len, uint64_t deadline_ms,
				struct gw_bbb_reply *out)
{
	struct gw_bbb_reply r = {0};
	struct walk w = {.deadline_ms = deadline_ms};
	xmlDoc *doc;
	enum gw_err err;

	if (len == 0 || len > MAX_XML_BYTES)
		return GW_E_UPSTREAM_BAD_REPLY;
	if (past(deadline_ms))
		return GW_E_UPSTREAM_TIMEOUT;
	err = gw_xml_prescan(xml, len);
	if (err == GW_OK)
		err = parse(xml, len, deadline_ms, &doc);
	if (err != GW_OK)
		return err;
	err = check_tree(doc, &w);
	if (err == GW_OK)
		err = convert_response(&w, xmlDocGetRootElement(doc), &r);
	xmlFreeDoc(doc);
	if (err == GW_OK && past(deadline_ms))
		err = GW_E_UPSTREAM_TIMEOUT;
	if (err != GW_OK) {
		gw_bbb_reply_deinit(&r);
		return err;
	}
	*out = r;
	return GW_OK;
}
