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
 * become arrays. Whether an element is a leaf is known only at its first
 * child or its end, so its text is collected until then (one text stack
 * for all open elements). An object's members are written as they come,
 * each one's name and place remembered on a member stack; a repeated name
 * (found by a 64-bit filter on the names, which libxml2 interns, then
 * exactly) makes the object regroup its own bytes when it closes, so the
 * extra memory is bounded by the largest single object, and list items
 * stay where they were written. The envelope (returncode, messageKey,
 * message, <errors>) may come anywhere in <response>: it goes to the
 * struct's fields, never into the body text.
 */
#include "xml2json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/entities.h>
#include <libxml/dict.h>

#include "buf.h"
#include "bbb_value.h"
#include "jsonw.h"
#include "str.h"
#include "xml_prescan.h"
/* the project's limits.h shadows the system one on -Isrc: bounds come from stdint.h */
#include "gw_limits.h"

/* NOENT, DTDLOAD and HUGE must never be here. */
#define PARSE_OPTS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

/* How often the deadline is read, in elements. */
#define PARSE_CHECK_EVERY 256u
/* xmlParseChunk takes an int length; the one-shot wrapper feeds this much at a time. */
#define SLICE (64u * 1024u)

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

/* ---- state ---- */

enum role {
	RO_RESPONSE,    /* <response>: the body object */
	RO_VALUE,       /* an element converted by its kind */
	RO_INT,         /* pagination's numbers: direct text as K_INT */
	RO_ENVELOPE,    /* returncode, messageKey, message: text into the struct */
	RO_ERRORS,      /* <errors>: the errors array */
	RO_ERROR,       /* one <error> */
	RO_ERROR_FIELD, /* <key> or <message> in an <error> */
	RO_PAGEABLE,    /* <pageable> in <pagination>: its numbers go to pagination */
	RO_SKIP,        /* content nothing reads */
};

enum shape {
	SH_LEAF,   /* no element child yet: text collected */
	SH_OBJECT, /* repeated names become arrays */
	SH_LIST,
	SH_MAP,    /* a repeated name keeps its last value */
	SH_PAGINATION,
};

enum { F_RETURNCODE, F_MESSAGE_KEY, F_MESSAGE }; /* RO_ENVELOPE */
enum { F_KEY, F_MSG };                          /* RO_ERROR_FIELD */

struct frame {
	const xmlChar *name; /* interned by libxml2's dictionary */
	unsigned char role;
	unsigned char kind;
	unsigned char shape;
	unsigned char field;
	bool plain_leaf; /* a <metadata> value: as a leaf, a plain string */
	bool text;       /* collects its direct text */
	bool maybe_dup;  /* the name filter saw a name twice */
	uint64_t names;  /* filter of member names */
	size_t text_start;
	size_t attr_start;
	size_t out_start;    /* objects: just past '{' */
	size_t first_member; /* objects: its first entry on the member stack */
	size_t items;        /* members or items written */
};

struct member {
	const xmlChar *name;
	size_t start; /* where its ',' or '"' is in out */
	size_t value; /* where its value starts */
	bool replace; /* replaces earlier values of its name */
};

/* Names the callbacks compare by pointer (the parser's dictionary interns every name). */
struct names {
	const xmlChar *response, *returncode, *message_key, *message, *errors, *error, *key,
		*total_elements, *pageable, *offset, *limit, *page_size, *warning;
};

struct gw_xml2json {
	xmlParserCtxt *ctxt;
	struct gw_xml_prescan scan;
	uint64_t deadline_ms;
	enum gw_err err;
	unsigned long elements;
	size_t nodes;
	bool in_text;
	bool done; /* </response> seen */
	bool seen[3]; /* returncode, messageKey, message */
	unsigned depth;
	struct frame frames[GW_XML_MAX_DEPTH];
	struct gw_buf out;   /* the body's JSON text */
	struct gw_buf text;  /* direct text of open elements, stacked */
	struct gw_buf attrs; /* open images' attributes: name NUL value NUL ... */
	struct gw_buf tmp;   /* regrouping */
	struct member *members;
	size_t n_members;
	size_t cap_members;
	char *error_field[2]; /* the <error> being read: key, message */
	bool error_attr[2];
	struct gw_bbb_reply r;
	struct names n;
	struct {
		const xmlChar *name;
		unsigned char kind;
	} kind_cache[256];
};

/* ---- deadline, failure ---- */

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

/* Records the first error and stops the parser: no callback runs after this. */
static void fail(struct gw_xml2json *c, enum gw_err err)
{
	if (c->err == GW_OK)
		c->err = err == GW_E_TOO_LARGE || err == GW_E_PARSE ? GW_E_UPSTREAM_BAD_REPLY : err;
	xmlStopParser(c->ctxt);
}

static bool ok(struct gw_xml2json *c, enum gw_err err)
{
	if (err != GW_OK)
		fail(c, err);
	return err == GW_OK;
}

static unsigned char kind(struct gw_xml2json *c, const xmlChar *name)
{
	size_t h = (size_t)(((uint64_t)(uintptr_t)name * 0x9e3779b97f4a7c15u) >> 56);

	if (c->kind_cache[h].name != name) {
		/* BBB uses a few dozen names: after the first few elements this is a hit */
		c->kind_cache[h].name = name;
		c->kind_cache[h].kind = (unsigned char)kind_of(name);
	}
	return c->kind_cache[h].kind;
}

/* ---- writing ---- */

/* Most writes are a few bytes into room the buffer already has: no call for those. */
static bool put(struct gw_xml2json *c, const char *s, size_t n)
{
	struct gw_buf *b = &c->out;

	if (b->data != NULL && n < b->cap - b->len && n <= b->max - b->len) {
		memcpy(b->data + b->len, s, n);
		b->len += n;
		b->data[b->len] = '\0';
		return true;
	}
	return ok(c, gw_buf_append(b, s, n));
}

static bool put_byte(struct gw_xml2json *c, char ch)
{
	return put(c, &ch, 1);
}

static bool put_value(struct gw_xml2json *c, enum gw_bbb_value_type t, const char *s, size_t n)
{
	return ok(c, gw_bbb_value_write(t, s, n, &c->out));
}

static bool put_string(struct gw_xml2json *c, const char *s, size_t n)
{
	return ok(c, gw_jsonw_string(&c->out, s, n));
}

/* Starts a member of object p: ',' when needed, its name, ':'. */
static bool member(struct gw_xml2json *c, struct frame *p, const xmlChar *name, bool replace)
{
	uint64_t bit = (uint64_t)1 << (((uint64_t)(uintptr_t)name * 0x9e3779b97f4a7c15u) >> 58);
	struct member *m;

	if (c->n_members == c->cap_members) {
		size_t ncap = c->cap_members ? 2 * c->cap_members : 64;
		struct member *nm = realloc(c->members, ncap * sizeof(*nm));

		if (nm == NULL)
			return ok(c, GW_E_NOMEM);
		c->members = nm;
		c->cap_members = ncap;
	}
	m = &c->members[c->n_members++];
	m->name = name;
	m->start = c->out.len;
	m->replace = replace;
	if (p->names & bit)
		p->maybe_dup = true;
	p->names |= bit;
	if (p->items++ > 0 && !put_byte(c, ','))
		return false;
	if (!put_string(c, (const char *)name, strlen((const char *)name)) || !put_byte(c, ':'))
		return false;
	m->value = c->out.len;
	return true;
}

static bool item(struct gw_xml2json *c, struct frame *p)
{
	return p->items++ == 0 || put_byte(c, ',');
}

/* ---- regrouping repeated names ---- */

struct key {
	uintptr_t name;
	size_t i;
};

static int key_cmp(const void *a, const void *b)
{
	const struct key *x = a;
	const struct key *y = b;

	if (x->name != y->name)
		return x->name < y->name ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Member j's value in tmp (a copy of the object's bytes from base on). */
static void value_span(const struct gw_xml2json *c, const struct member *m, size_t n, size_t j,
		       size_t base, size_t *from, size_t *len)
{
	size_t end = j + 1 < n ? m[j + 1].start : base + c->tmp.len;

	*from = m[j].value - base;
	*len = end - m[j].value;
}

static bool put_group(struct gw_xml2json *c, const struct member *m, size_t n,
		      const struct key *k, size_t glen, size_t base)
{
	const char *t = c->tmp.data;
	size_t first = k[0].i;
	size_t from = m[first].start - base;
	size_t len;
	size_t g;

	/* the member's own prefix, without its ',' */
	if (t[from] == ',')
		from++;
	if (!put(c, t + from, m[first].value - base - from))
		return false;
	if (m[k[glen - 1].i].replace || glen == 1) {
		value_span(c, m, n, k[glen - 1].i, base, &from, &len);
		return put(c, t + from, len);
	}
	for (g = 0; g < glen; g++) {
		value_span(c, m, n, k[g].i, base, &from, &len);
		if (!put_byte(c, g == 0 ? '[' : ',') || !put(c, t + from, len))
			return false;
	}
	return put_byte(c, ']');
}

/*
 * Rewrites object f's members so each name appears once, at its first
 * place: an array of all values, or the last value where it replaces.
 */
static bool regroup(struct gw_xml2json *c, struct frame *f)
{
	struct member *m = c->members + f->first_member;
	size_t n = c->n_members - f->first_member;
	size_t base = f->out_start;
	struct key *k = malloc(n * sizeof(*k));
	size_t *group = malloc(n * sizeof(*group)); /* member -> its group's start in k */
	size_t i;
	size_t j;
	size_t written = 0;
	bool good = k != NULL && group != NULL;

	gw_buf_reset(&c->tmp);
	if (good)
		good = ok(c, gw_buf_append(&c->tmp, c->out.data + base, c->out.len - base));
	else
		fail(c, GW_E_NOMEM);
	for (i = 0; good && i < n; i++) {
		k[i].name = (uintptr_t)m[i].name;
		k[i].i = i;
	}
	if (good)
		qsort(k, n, sizeof(*k), key_cmp);
	for (i = 0; good && i < n; i = j) {
		for (j = i; j < n && k[j].name == k[i].name; j++)
			group[k[j].i] = i;
	}
	if (good)
		gw_buf_truncate(&c->out, base);
	for (i = 0; good && i < n; i++) {
		size_t g = group[i];
		size_t glen = 1;

		if (k[g].i != i)
			continue;
		while (g + glen < n && k[g + glen].name == k[g].name)
			glen++;
		good = (written++ == 0 || put_byte(c, ',')) && put_group(c, m, n, k + g, glen, base);
	}
	free(k);
	free(group);
	return good;
}

/* Whether object f really has a name twice (the filter only says it may). */
static bool has_dup(const struct gw_xml2json *c, const struct frame *f)
{
	const struct member *m = c->members + f->first_member;
	size_t n = c->n_members - f->first_member;
	size_t i;
	size_t j;

	if (n > 64)
		return true; /* regroup sorts; cheaper than comparing every pair */
	for (i = 1; i < n; i++) {
		for (j = 0; j < i; j++) {
			if (m[i].name == m[j].name)
				return true;
		}
	}
	return false;
}

static bool close_object(struct gw_xml2json *c, struct frame *f)
{
	bool good = true;

	if (f->maybe_dup && c->n_members - f->first_member > 1 && has_dup(c, f))
		good = regroup(c, f);
	c->n_members = f->first_member;
	return good && put_byte(c, '}');
}

/* ---- values ---- */

static const char *text_of(const struct gw_xml2json *c, const struct frame *f, size_t *n)
{
	*n = c->text.len - f->text_start;
	return gw_buf_str(&c->text) + f->text_start;
}

/* A leaf element's first child arrives: it becomes a container of its kind. */
static bool become_container(struct gw_xml2json *c, struct frame *f)
{
	gw_buf_truncate(&c->text, f->text_start);
	f->text = false;
	f->out_start = c->out.len + 1;
	f->first_member = c->n_members;
	switch (f->kind) {
	case K_LIST:
		f->shape = SH_LIST;
		return put_byte(c, '[');
	case K_MAP:
		f->shape = SH_MAP;
		break;
	case K_PAGINATION:
		f->shape = SH_PAGINATION;
		break;
	default:
		f->shape = SH_OBJECT;
		break;
	}
	return put_byte(c, '{');
}

/* Keeps an image's attributes until its end shows whether it is a leaf. */
static bool save_attrs(struct gw_xml2json *c, int n, const xmlChar **a);

static void value_start(struct gw_xml2json *c, struct frame *f, bool plain_leaf, int n_attrs,
			const xmlChar **attrs)
{
	f->role = RO_VALUE;
	f->kind = kind(c, f->name);
	f->shape = SH_LEAF;
	f->plain_leaf = plain_leaf;
	f->text = true;
	if (f->kind == K_IMAGE && !plain_leaf && n_attrs > 0)
		save_attrs(c, n_attrs, attrs);
}

/* An attribute of the open image: NULL when absent. */
static const char *attr_get(const struct gw_xml2json *c, const struct frame *f, const char *name,
			    const char *before)
{
	const char *p = gw_buf_str(&c->attrs) + f->attr_start;
	const char *end = gw_buf_str(&c->attrs) + c->attrs.len;

	while (p < end && p != before) {
		const char *v = p + strlen(p) + 1;

		if (strcmp(p, name) == 0)
			return v;
		p = v + strlen(v) + 1;
	}
	return NULL;
}

/* {"url", "width", "height", "alt"} then attributes BBB may add later, as strings. */
static bool put_image(struct gw_xml2json *c, const struct frame *f, const char *t, size_t tn)
{
	static const char *const order[] = {"width", "height", "alt"};
	static const char *const known[] = {"url", "width", "height", "alt"};
	const char *p = gw_buf_str(&c->attrs) + f->attr_start;
	const char *end = gw_buf_str(&c->attrs) + c->attrs.len;
	const char *v;
	size_t i;
	bool skip;

	if (!put(c, "{\"url\":", 7) || !put_value(c, GW_BBB_VALUE_STRING, t, tn))
		return false;
	for (i = 0; i < GW_ARRAY_SIZE(order); i++) {
		v = attr_get(c, f, order[i], NULL);
		if (v == NULL)
			continue;
		if (!put_byte(c, ',') || !put_string(c, order[i], strlen(order[i])) ||
		    !put_byte(c, ':') ||
		    !put_value(c, i < 2 ? GW_BBB_VALUE_INT : GW_BBB_VALUE_STRING, v, strlen(v)))
			return false;
	}
	while (p < end) {
		v = p + strlen(p) + 1;
		skip = attr_get(c, f, p, p) != NULL;
		for (i = 0; i < GW_ARRAY_SIZE(known); i++)
			skip = skip || strcmp(p, known[i]) == 0;
		if (!skip && (!put_byte(c, ',') || !put_string(c, p, strlen(p)) ||
			      !put_byte(c, ':') || !put_value(c, GW_BBB_VALUE_STRING, v, strlen(v))))
			return false;
		p = v + strlen(v) + 1;
	}
	return put_byte(c, '}');
}

static bool put_leaf(struct gw_xml2json *c, const struct frame *f)
{
	size_t n;
	const char *t = text_of(c, f, &n);

	if (f->plain_leaf)
		return put_value(c, GW_BBB_VALUE_STRING, t, n);
	switch (f->kind) {
	case K_LIST:
		return put(c, "[]", 2);
	case K_MAP:
	case K_PAGINATION:
		return put(c, "{}", 2);
	case K_IMAGE:
		return put_image(c, f, t, n);
	case K_BOOL:
		return put_value(c, GW_BBB_VALUE_BOOL, t, n);
	case K_INT:
		return put_value(c, GW_BBB_VALUE_INT, t, n);
	default:
		return put_value(c, GW_BBB_VALUE_STRING, t, n);
	}
}

static bool end_value(struct gw_xml2json *c, struct frame *f)
{
	switch (f->shape) {
	case SH_LEAF:
		return put_leaf(c, f);
	case SH_LIST:
		return put_byte(c, ']');
	default:
		return close_object(c, f);
	}
}

/* ---- attributes ---- */

static void put_utf8(char *o, size_t *k, unsigned long v)
{
	if (v < 0x80) {
		o[(*k)++] = (char)v;
	} else if (v < 0x800) {
		o[(*k)++] = (char)(0xc0 | (v >> 6));
		o[(*k)++] = (char)(0x80 | (v & 0x3f));
	} else if (v < 0x10000) {
		o[(*k)++] = (char)(0xe0 | (v >> 12));
		o[(*k)++] = (char)(0x80 | ((v >> 6) & 0x3f));
		o[(*k)++] = (char)(0x80 | (v & 0x3f));
	} else {
		o[(*k)++] = (char)(0xf0 | (v >> 18));
		o[(*k)++] = (char)(0x80 | ((v >> 12) & 0x3f));
		o[(*k)++] = (char)(0x80 | ((v >> 6) & 0x3f));
		o[(*k)++] = (char)(0x80 | (v & 0x3f));
	}
}

/* A character reference or predefined entity at p (just past '&'): its length, 0 if none. */
static size_t reference(const char *p, const char *end, char *o, size_t *k)
{
	static const struct {
		const char *name;
		char c;
	} predefined[] = {{"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'}, {"quot;", '"'}, {"apos;", '\''}};
	const char *q = p + 1;
	unsigned long v = 0;
	bool hex = false;
	size_t i;

	for (i = 0; i < GW_ARRAY_SIZE(predefined); i++) {
		size_t n = strlen(predefined[i].name);

		if ((size_t)(end - p) >= n && memcmp(p, predefined[i].name, n) == 0) {
			o[(*k)++] = predefined[i].c;
			return n;
		}
	}
	if (p >= end || *p != '#')
		return 0;
	if (q < end && *q == 'x') {
		hex = true;
		q++;
	}
	for (; q < end && *q != ';' && v <= 0x10ffff; q++) {
		int d = *q >= '0' && *q <= '9' ? *q - '0'
			: hex && *q >= 'a' && *q <= 'f' ? *q - 'a' + 10
			: hex && *q >= 'A' && *q <= 'F' ? *q - 'A' + 10 : -1;

		if (d < 0)
			return 0;
		v = v * (hex ? 16u : 10u) + (unsigned long)d;
	}
	if (q >= end || *q != ';' || v == 0 || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	put_utf8(o, k, v);
	return (size_t)(q + 1 - p);
}

/*
 * Appends an attribute value and a NUL to b. Without entity substitution
 * libxml2 hands "&amp;" in a value on as "&#38;", which the DOM's
 * attribute text then decoded: so does this (character references and the
 * five predefined entities).
 */
static enum gw_err attr_value(struct gw_buf *b, const xmlChar *v, const xmlChar *vend)
{
	const char *p = (const char *)v;
	const char *end = (const char *)vend;
	size_t n = (size_t)(end - p);
	char *o;
	size_t k = 0;
	size_t used;
	enum gw_err err;

	if (memchr(p, '&', n) == NULL) {
		err = gw_buf_append(b, p, n);
		return err == GW_OK ? gw_buf_append_byte(b, '\0') : err;
	}
	/* a reference never decodes to more bytes than it takes */
	o = malloc(n + 1);
	if (o == NULL)
		return GW_E_NOMEM;
	while (p < end) {
		used = *p == '&' ? reference(p + 1, end, o, &k) : 0;
		if (used == 0)
			o[k++] = *p++;
		else
			p += used + 1;
	}
	o[k++] = '\0';
	err = gw_buf_append(b, o, k);
	free(o);
	return err;
}

static bool save_attrs(struct gw_xml2json *c, int n, const xmlChar **a)
{
	int i;

	for (i = 0; i < n; i++, a += 5) {
		if (!ok(c, gw_buf_append(&c->attrs, a[0], strlen((const char *)a[0]) + 1)) ||
		    !ok(c, attr_value(&c->attrs, a[3], a[4])))
			return false;
	}
	return true;
}

/* The value of attribute name (first of that local name) as a malloc'd string, or NULL. */
static bool attr_dup(struct gw_xml2json *c, int n, const xmlChar **a, const char *name,
		     char **out)
{
	struct gw_buf b;
	int i;

	*out = NULL;
	for (i = 0; i < n; i++, a += 5) {
		if (strcmp((const char *)a[0], name) != 0)
			continue;
		gw_buf_init(&b, SIZE_MAX / 2);
		if (!ok(c, attr_value(&b, a[3], a[4])))
			return false;
		*out = gw_buf_take(&b, NULL);
		return *out != NULL || ok(c, GW_E_NOMEM);
	}
	return true;
}

/* ---- envelope and errors ---- */

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
	if (gw_bbb_reply_has_warning(&c->r) &&
	    (!member(c, f, c->n.warning, true) ||
	     !ok(c, gw_bbb_reply_write_warning(&c->r, &c->out))))
		return;
	if (close_object(c, f))
		c->done = true;
}

/* ---- SAX callbacks ---- */

/* A child of <response>: the envelope, <errors>, or a body member. */
static void start_in_response(struct gw_xml2json *c, struct frame *p, struct frame *f,
			      int n_attrs, const xmlChar **attrs)
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
	if (member(c, p, f->name, false))
		value_start(c, f, false, n_attrs, attrs);
}

static void start_in_value(struct gw_xml2json *c, struct frame *p, struct frame *f,
			   int n_attrs, const xmlChar **attrs)
{
	if (p->shape == SH_LEAF && !become_container(c, p))
		return;
	switch (p->shape) {
	case SH_LIST:
		if (item(c, p))
			value_start(c, f, false, n_attrs, attrs);
		break;
	case SH_MAP:
		if (member(c, p, f->name, true))
			value_start(c, f, true, n_attrs, attrs);
		break;
	case SH_PAGINATION:
		if (f->name == c->n.pageable) {
			f->role = RO_PAGEABLE;
		} else if (f->name == c->n.total_elements && member(c, p, f->name, true)) {
			f->role = RO_INT;
			f->text = true;
		}
		break;
	default:
		if (member(c, p, f->name, false))
			value_start(c, f, false, n_attrs, attrs);
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
			if (member(c, p - 1, f->name == c->n.offset ? c->n.offset : c->n.limit, true)) {
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

static void on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
		     const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
		     int nb_attributes, int nb_defaulted, const xmlChar **attributes)
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
		end_value(c, f);
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

/* ---- the push API ---- */

void gw_xml2json_global_init(void)
{
	xmlInitParser();
}

void gw_xml2json_global_cleanup(void)
{
	xmlCleanupParser();
}

static void set_handlers(xmlSAXHandler *sax)
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
	return n->response != NULL && n->returncode != NULL && n->message_key != NULL &&
	       n->message != NULL && n->errors != NULL && n->error != NULL && n->key != NULL &&
	       n->total_elements != NULL && n->pageable != NULL && n->offset != NULL &&
	       n->limit != NULL && n->page_size != NULL && n->warning != NULL;
}

enum gw_err gw_xml2json_new(uint64_t deadline_ms, size_t max_reply_bytes, struct gw_xml2json **out)
{
	struct gw_xml2json *c = calloc(1, sizeof(*c));
	/* JSON text is at most about twice the XML ('"' -> \"), plus the envelope's warning */
	size_t max_json = max_reply_bytes < SIZE_MAX / 4 ? 3 * max_reply_bytes + 65536 : SIZE_MAX / 2;
	xmlSAXHandler sax;

	if (c == NULL)
		return GW_E_NOMEM;
	set_handlers(&sax);
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

enum gw_err gw_xml2json_convert(const char *xml, size_t len, uint64_t deadline_ms,
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
	for (off = 0; off < len && err == GW_OK; off += k) {
		k = len - off < SLICE ? len - off : SLICE;
		err = gw_xml2json_feed(c, xml + off, k);
	}
	if (err == GW_OK)
		err = gw_xml2json_finish(c, out);
	gw_xml2json_free(c);
	return err;
}
