/*
 * bbb_merge.c - joins the converted list replies of a fleet's servers into
 * one body (see bbb_merge.h), working on their JSON text.
 *
 * Model: each body is read once as it is added, by a scanner that only
 * finds where values begin and end (strings skipped with memchr, brackets
 * counted); nothing is decoded or allocated per value. The first body's
 * top-level members and every body's list items are kept as spans of the
 * bodies' text, and the merged body is written by copying those spans,
 * with new values only where the merge changes them. Only a page of
 * recordings reads inside its items: startTime and recordID, which order
 * the merged list. The bodies come from xml2json, which writes compact
 * text escaped as jansson's compact dump escapes it, so the result is
 * byte for byte what parsing, merging and dumping the trees would give.
 */
#include "bbb_merge.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonw.h"

/* "incomplete" names at most every server; their names are configured, not sent by BBB. */
#define MISSING_MAX_BYTES (64u * 1024u)

struct span {
	const char *p;
	size_t n;
};

struct gw_bbb_merge_member {
	const char *start; /* its name's '"' */
	struct span key;   /* the name, between its quotes */
	struct span value;
};

struct gw_bbb_merge_item {
	struct span text;
	long long start; /* startTime; 0 when absent or not an integer */
	struct span id;  /* recordID's characters; empty when absent or not a string */
	char *id_owned;  /* a recordID written with escapes, decoded (id points into it) */
};

/* ---- the scanner ---- */

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* Just past the string that starts at p (its '"'), or NULL when it does not end. */
static const char *skip_string(const char *p, const char *end)
{
	const char *from = p + 1;

	for (;;) {
		const char *q = memchr(from, '"', (size_t)(end - from));
		const char *b = q;

		if (q == NULL)
			return NULL;
		/* a '"' after an odd run of '\\' is escaped */
		while (b > from && b[-1] == '\\')
			b--;
		if ((q - b) % 2 == 0)
			return q + 1;
		from = q + 1;
	}
}

/* Just past the value that starts at p, or NULL when it is cut short or unbalanced. */
static const char *skip_value(const char *p, const char *end)
{
	static const bool stop[256] = {
		['"'] = true, ['{'] = true, ['['] = true, ['}'] = true, [']'] = true};
	size_t depth = 0;

	if (p < end && *p == '"')
		return skip_string(p, end);
	if (p < end && *p != '{' && *p != '[') {
		const char *s = p;

		while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\t' &&
		       *p != '\n' && *p != '\r')
			p++;
		return p > s ? p : NULL;
	}
	do {
		while (p < end && !stop[(unsigned char)*p])
			p++;
		if (p == end)
			return NULL;
		if (*p == '"') {
			p = skip_string(p, end);
			if (p == NULL)
				return NULL;
			continue;
		}
		if (*p == '{' || *p == '[')
			depth++;
		else if (depth-- == 0)
			return NULL;
		p++;
	} while (depth > 0);
	return p;
}

/* The entries of one object or array, one at a time. */
struct entries {
	const char *p, *end;
	bool object;
	size_t n;
};

/* Starts reading the object (object) or array at p; false when there is none there. */
static bool entries_open(struct entries *e, const char *p, const char *end, bool object)
{
	p = skip_ws(p, end);
	if (p == end || *p != (object ? '{' : '['))
		return false;
	e->p = p + 1;
	e->end = end;
	e->object = object;
	e->n = 0;
	return true;
}

/*
 * The next entry: 1 with its value (and in an object, where it starts and
 * its name), 0 past the last one (e->p just past the closing bracket), -1
 * when the text is not JSON.
 */
static int entries_next(struct entries *e, const char **start, struct span *key, struct span *value)
{
	const char *p = skip_ws(e->p, e->end);
	const char *q;

	if (p == e->end)
		return -1;
	if (*p == (e->object ? '}' : ']')) {
		e->p = p + 1;
		return 0;
	}
	if (e->n > 0) {
		if (*p != ',')
			return -1;
		p = skip_ws(p + 1, e->end);
	}
	*start = p;
	if (e->object) {
		if (p == e->end || *p != '"')
			return -1;
		q = skip_string(p, e->end);
		if (q == NULL)
			return -1;
		*key = (struct span){p + 1, (size_t)(q - p) - 2};
		p = skip_ws(q, e->end);
		if (p == e->end || *p != ':')
			return -1;
		p = skip_ws(p + 1, e->end);
	}
	q = skip_value(p, e->end);
	if (q == NULL)
		return -1;
	*value = (struct span){p, (size_t)(q - p)};
	e->p = q;
	e->n++;
	return 1;
}

/* Whether a name read raw is s (a name with nothing to escape). */
static bool is(struct span key, const char *s)
{
	return key.n == strlen(s) && memcmp(key.p, s, key.n) == 0;
}

/* ---- the keys that order recordings ---- */

/* An integer's value; 0 for anything else (as json_integer_value reads a member). */
static long long int_of(struct span v)
{
	const char *p = v.p;
	const char *end = v.p + v.n;
	bool neg = p < end && *p == '-';
	uint64_t lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	uint64_t x = 0;

	if (neg)
		p++;
	if (p == end)
		return 0;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9' || x > (lim - (uint64_t)(*p - '0')) / 10)
			return 0;
		x = x * 10 + (uint64_t)(*p - '0');
	}
	if (neg)
		return x == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(long long)x;
	return (long long)x;
}

/* A recordID written with escapes, decoded as the parser would (rare in an id). GW_E_NOMEM. */
static enum gw_err decode_id(struct gw_bbb_merge_item *it, struct span v)
{
	json_t *s = json_loadb(v.p, v.n, JSON_DECODE_ANY, NULL);

	free(it->id_owned);
	it->id_owned = NULL;
	if (json_is_string(s)) {
		it->id_owned = strdup(json_string_value(s));
		if (it->id_owned == NULL) {
			json_decref(s);
			return GW_E_NOMEM;
		}
		it->id = (struct span){it->id_owned, strlen(it->id_owned)};
	}
	json_decref(s);
	return GW_OK;
}

/*
 * The item's startTime and recordID, when it is an object. Its names are
 * unique: the rest of it (playback, metadata) is not read once both are
 * found. GW_E_PARSE, GW_E_NOMEM.
 */
static enum gw_err read_keys(struct gw_bbb_merge_item *it)
{
	struct entries e;
	struct span k, v;
	const char *start;
	enum gw_err err = GW_OK;
	unsigned found = 0;
	int r;

	it->start = 0;
	it->id = (struct span){"", 0};
	if (!entries_open(&e, it->text.p, it->text.p + it->text.n, true))
		return GW_OK;
	do {
		r = entries_next(&e, &start, &k, &v);
		if (r <= 0)
			break;
		if (is(k, "startTime")) {
			it->start = int_of(v);
			found |= 1u;
		} else if (is(k, "recordID")) {
			found |= 2u;
			if (v.p[0] != '"')
				continue;
			if (memchr(v.p, '\\', v.n) == NULL)
				it->id = (struct span){v.p + 1, v.n - 2};
			else
				err = decode_id(it, v);
			if (err != GW_OK)
				return err;
		}
	} while (found != 3u);
	return r >= 0 ? GW_OK : GW_E_PARSE;
}

static int by_start(const void *a, const void *b)
{
	const struct gw_bbb_merge_item *x = *(const struct gw_bbb_merge_item *const *)a;
	const struct gw_bbb_merge_item *y = *(const struct gw_bbb_merge_item *const *)b;
	size_t n = x->id.n < y->id.n ? x->id.n : y->id.n;
	int c;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	c = memcmp(x->id.p, y->id.p, n);
	if (c != 0)
		return c;
	return x->id.n < y->id.n ? -1 : x->id.n > y->id.n;
}

/* ---- adding bodies ---- */

void gw_bbb_merge_init(struct gw_bbb_merge *m, const char *key, long long offset, long long limit)
{
	memset(m, 0, sizeof(*m));
	m->key = key;
	m->key_len = strlen(key);
	m->page = limit >= 0;
	m->offset = offset;
	m->limit = limit;
	gw_buf_init(&m->missing, MISSING_MAX_BYTES);
}

/* Room for one more entry in a vector of size-byte entries. GW_E_NOMEM. */
static enum gw_err grow(void **v, size_t *cap, size_t n, size_t size)
{
	size_t ncap = *cap > 0 ? 2 * *cap : 16;
	void *nv;

	if (n < *cap)
		return GW_OK;
	if (ncap > SIZE_MAX / size)
		return GW_E_NOMEM;
	nv = realloc(*v, ncap * size);
	if (nv == NULL)
		return GW_E_NOMEM;
	*v = nv;
	*cap = ncap;
	return GW_OK;
}

/* Keeps the items of list (a value of a body): GW_E_PARSE when it is not JSON. */
static enum gw_err add_items(struct gw_bbb_merge *m, struct span list)
{
	struct entries e;
	struct span k, v;
	const char *start;
	enum gw_err err;
	int r;

	if (!entries_open(&e, list.p, list.p + list.n, false))
		return GW_OK; /* not an array: no items */
	for (;;) {
		r = entries_next(&e, &start, &k, &v);
		if (r <= 0)
			return r == 0 ? GW_OK : GW_E_PARSE;
		err = grow((void **)&m->items, &m->cap_items, m->n_items, sizeof(*m->items));
		if (err != GW_OK)
			return err;
		m->items[m->n_items] = (struct gw_bbb_merge_item){.text = v};
		err = m->page ? read_keys(&m->items[m->n_items]) : GW_OK;
		m->n_items++;
		if (err != GW_OK)
			return err;
	}
}

/* Drops what the body being added kept: back to n_members and n_items. */
static void roll_back(struct gw_bbb_merge *m, size_t n_members, size_t n_items)
{
	while (m->n_items > n_items)
		free(m->items[--m->n_items].id_owned);
	m->n_members = n_members;
}

void gw_bbb_merge_add(struct gw_bbb_merge *m, const char *body, size_t len)
{
	const char *end = body + len;
	size_t n_members = m->n_members;
	size_t n_items = m->n_items;
	struct span list = {NULL, 0};
	struct entries e;
	struct span k, v;
	const char *start;
	enum gw_err err = GW_OK;
	int r;

	if (m->err != GW_OK || !entries_open(&e, body, end, true))
		return;
	for (;;) {
		r = entries_next(&e, &start, &k, &v);
		if (r <= 0)
			break;
		if (is(k, m->key))
			list = v; /* a name given twice keeps its last value */
		if (m->bodies > 0)
			continue;
		err = grow((void **)&m->members, &m->cap_members, m->n_members,
			   sizeof(*m->members));
		if (err != GW_OK)
			break;
		m->members[m->n_members++] = (struct gw_bbb_merge_member){start, k, v};
	}
	if (err == GW_OK && (r < 0 || skip_ws(e.p, end) != end))
		err = GW_E_PARSE;
	if (err == GW_OK && list.p != NULL)
		err = add_items(m, list);
	if (err != GW_OK) {
		roll_back(m, n_members, n_items);
		if (err != GW_E_PARSE)
			m->err = err;
		return;
	}
	m->bodies++;
}

enum gw_err gw_bbb_merge_missing(struct gw_bbb_merge *m, const char *server)
{
	size_t len = m->missing.len;
	enum gw_err err = GW_OK;

	if (m->n_missing > 0)
		err = gw_buf_append_byte(&m->missing, ',');
	if (err == GW_OK)
		err = gw_jsonw_string(&m->missing, server, strlen(server));
	if (err == GW_E_PARSE) {
		/* not UTF-8: jansson had no string for it either */
		gw_buf_truncate(&m->missing, len);
		return GW_OK;
	}
	if (err != GW_OK) {
		gw_buf_truncate(&m->missing, len);
		return err;
	}
	m->n_missing++;
	return GW_OK;
}

bool gw_bbb_merge_any(const struct gw_bbb_merge *m)
{
	return m->bodies > 0;
}

/* ---- the merged body ---- */

static enum gw_err put(struct gw_buf *out, const char *p, size_t n)
{
	return gw_buf_append(out, p, n);
}

/* The merged list, or its page. */
static enum gw_err put_list(struct gw_bbb_merge *m, struct gw_buf *out)
{
	struct gw_bbb_merge_item **order = NULL;
	size_t from = 0;
	size_t to = m->n_items;
	enum gw_err err;

	if (m->page) {
		order = m->n_items > 0 ? malloc(m->n_items * sizeof(*order)) : NULL;
		if (m->n_items > 0 && order == NULL)
			return GW_E_NOMEM;
		for (size_t i = 0; i < m->n_items; i++)
			order[i] = &m->items[i];
		if (order != NULL) /* qsort wants an array, even of none */
			qsort(order, m->n_items, sizeof(*order), by_start);
		from = (size_t)m->offset;
		if (from < m->n_items && m->n_items - from > (unsigned long long)m->limit)
			to = from + (size_t)m->limit;
	}
	err = gw_buf_append_byte(out, '[');
	for (size_t i = from; i < to && err == GW_OK; i++) {
		const struct gw_bbb_merge_item *it = order != NULL ? order[i] : &m->items[i];

		if (i > from)
			err = gw_buf_append_byte(out, ',');
		if (err == GW_OK)
			err = put(out, it->text.p, it->text.n);
	}
	free(order);
	return err == GW_OK ? gw_buf_append_byte(out, ']') : err;
}

/* A page's "pagination", as one server's page reads once converted. */
static enum gw_err put_pagination(const struct gw_bbb_merge *m, struct gw_buf *out)
{
	return gw_buf_appendf(out, "{\"offset\":%lld,\"limit\":%lld,\"totalElements\":%zu}",
			      m->offset, m->limit, m->n_items);
}

static enum gw_err put_missing(const struct gw_bbb_merge *m, struct gw_buf *out)
{
	enum gw_err err = gw_buf_append_byte(out, '[');

	if (err == GW_OK)
		err = put(out, gw_buf_str(&m->missing), m->missing.len);
	return err == GW_OK ? gw_buf_append_byte(out, ']') : err;
}

/* Which members the merge writes itself. */
enum which { W_COPY, W_LIST, W_DROP, W_TOTAL, W_PAGINATION, W_INCOMPLETE };

static enum which which(const struct gw_bbb_merge *m, struct span key)
{
	if (key.n == m->key_len && memcmp(key.p, m->key, key.n) == 0)
		return W_LIST;
	if (is(key, "warning"))
		return m->n_items > 0 ? W_DROP : W_COPY; /* noRecordings: some server has them */
	if (is(key, "totalElements"))
		return W_TOTAL;
	if (is(key, "pagination"))
		return m->page ? W_PAGINATION : W_COPY;
	if (is(key, "incomplete"))
		return m->n_missing > 0 ? W_INCOMPLETE : W_COPY;
	return W_COPY;
}

/* The value of member w (not W_COPY, W_DROP). */
static enum gw_err put_value(struct gw_bbb_merge *m, enum which w, struct gw_buf *out)
{
	switch (w) {
	case W_LIST:
		return put_list(m, out);
	case W_TOTAL:
		return gw_jsonw_int(out, (int64_t)m->n_items);
	case W_PAGINATION:
		return put_pagination(m, out);
	default:
		return put_missing(m, out);
	}
}

/* The first body's members, each copied or rewritten; seen: the members written. */
static enum gw_err put_members(struct gw_bbb_merge *m, struct gw_buf *out, bool *seen)
{
	enum gw_err err = GW_OK;
	size_t written = 0;

	for (size_t i = 0; i < m->n_members && err == GW_OK; i++) {
		const struct gw_bbb_merge_member *mb = &m->members[i];
		enum which w = which(m, mb->key);

		if (w == W_DROP)
			continue;
		if (written++ > 0)
			err = gw_buf_append_byte(out, ',');
		if (err != GW_OK)
			break;
		if (w == W_COPY) {
			err = put(out, mb->start, (size_t)(mb->value.p - mb->start) + mb->value.n);
			continue;
		}
		seen[w] = true;
		err = put(out, mb->start, (size_t)(mb->value.p - mb->start));
		if (err == GW_OK)
			err = put_value(m, w, out);
	}
	return err;
}

/* Appends member w, which the first body did not have. */
static enum gw_err add_member(struct gw_bbb_merge *m, enum which w, const char *name,
			      struct gw_buf *out)
{
	enum gw_err err = GW_OK;

	if (out->len > 1)
		err = gw_buf_append_byte(out, ',');
	if (err == GW_OK)
		err = gw_buf_append_byte(out, '"');
	if (err == GW_OK)
		err = gw_buf_append_str(out, name);
	if (err == GW_OK)
		err = gw_buf_append(out, "\":", 2);
	return err == GW_OK ? put_value(m, w, out) : err;
}

enum gw_err gw_bbb_merge_finish(struct gw_bbb_merge *m, char **out, size_t *len)
{
	bool seen[W_INCOMPLETE + 1] = {false};
	size_t bytes = m->key_len + m->missing.len + 256;
	struct gw_buf b;
	enum gw_err err;
	char *text = NULL;
	size_t n = 0;

	if (m->err != GW_OK)
		return m->err;
	if (m->bodies == 0)
		return GW_E_NOT_FOUND;
	for (size_t i = 0; i < m->n_members; i++)
		bytes += (size_t)(m->members[i].value.p - m->members[i].start) +
			 m->members[i].value.n + 1;
	for (size_t i = 0; i < m->n_items; i++)
		bytes += m->items[i].text.n + 1;
	gw_buf_init(&b, bytes);
	/* a whole list is about the bodies' size: one allocation */
	err = gw_buf_reserve(&b, m->page && bytes > 4096 ? 4096 : bytes);
	if (err == GW_OK)
		err = gw_buf_append_byte(&b, '{');
	if (err == GW_OK)
		err = put_members(m, &b, seen);
	if (err == GW_OK && !seen[W_LIST])
		err = add_member(m, W_LIST, m->key, &b);
	if (err == GW_OK && m->page && !seen[W_PAGINATION])
		err = add_member(m, W_PAGINATION, "pagination", &b);
	if (err == GW_OK && m->n_missing > 0 && !seen[W_INCOMPLETE])
		err = add_member(m, W_INCOMPLETE, "incomplete", &b);
	if (err == GW_OK)
		err = gw_buf_append_byte(&b, '}');
	if (err == GW_OK) {
		text = gw_buf_take(&b, &n);
		if (text == NULL)
			err = GW_E_NOMEM;
	}
	if (err == GW_OK) {
		*out = text;
		*len = n;
	}
	gw_buf_deinit(&b);
	return err;
}

void gw_bbb_merge_deinit(struct gw_bbb_merge *m)
{
	for (size_t i = 0; i < m->n_items; i++)
		free(m->items[i].id_owned);
	free(m->items);
	free(m->members);
	gw_buf_deinit(&m->missing);
	m->items = NULL;
	m->members = NULL;
	m->n_items = 0;
	m->n_members = 0;
}
