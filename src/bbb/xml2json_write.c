/*
 * xml2json_write.c - the JSON text of a conversion: values typed by their
 * element's kind, objects and lists, images, and the regrouping of an
 * object's repeated names.
 *
 * An object's members are written as they come, each one's name and place
 * remembered on a member stack; a repeated name (found by a 64-bit filter
 * on the names, which libxml2 interns, then exactly) makes the object
 * regroup its own bytes when it closes, so the extra memory is bounded by
 * the largest single object, and list items stay where they were written.
 */
#include "xml2json_int.h"

#include <stdlib.h>
#include <string.h>

#include "jsonw.h"

static bool put_string(struct gw_xml2json *c, const char *s, size_t n)
{
	return ok(c, gw_jsonw_string(&c->out, s, n));
}

const struct name_info *gw_xml2json_name_fill(struct gw_xml2json *c, size_t i, const xmlChar *name)
{
	struct name_info *ni = &c->names_seen[i];
	size_t k;

	ni->name = name;
	ni->len = strlen((const char *)name);
	ni->kind = (unsigned char)gw_xml2json_kind_of(name);
	ni->plain = true;
	for (k = 0; k < ni->len; k++) {
		if (name[k] < 0x20 || name[k] > 0x7e || name[k] == '"' || name[k] == '\\')
			ni->plain = false;
	}
	return ni;
}

/* '"name":' - for most names straight into the room there is, with no escaping to look for. */
static bool put_name(struct gw_xml2json *c, const xmlChar *name)
{
	const struct name_info *ni = name_info(c, name);
	struct gw_buf *b = &c->out;
	size_t n = ni->len + 3;
	char *d;

	if (!ni->plain)
		return put_string(c, (const char *)name, ni->len) && put_byte(c, ':');
	if ((n >= b->cap - b->len || n > b->max - b->len) && !ok(c, gw_buf_reserve(b, n)))
		return false;
	d = b->data + b->len;
	d[0] = '"';
	memcpy(d + 1, name, ni->len);
	d[n - 2] = '"';
	d[n - 1] = ':';
	d[n] = '\0';
	b->len += n;
	return true;
}

/* Starts a member of object p: ',' when needed, its name, ':'. */
bool gw_xml2json_member(struct gw_xml2json *c, struct frame *p, const xmlChar *name, bool replace)
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
	if (!put_name(c, name))
		return false;
	m->value = c->out.len;
	return true;
}

bool gw_xml2json_item(struct gw_xml2json *c, struct frame *p)
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

static bool put_group(struct gw_xml2json *c, const struct member *m, size_t n, const struct key *k,
		      size_t glen, size_t base)
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
		good = (written++ == 0 || put_byte(c, ',')) &&
		       put_group(c, m, n, k + g, glen, base);
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

bool gw_xml2json_close_object(struct gw_xml2json *c, struct frame *f)
{
	bool good = true;

	if (f->maybe_dup && c->n_members - f->first_member > 1 && has_dup(c, f))
		good = regroup(c, f);
	c->n_members = f->first_member;
	return good && put_byte(c, '}');
}

/* ---- values ---- */

/* A leaf element's first child arrives: it becomes a container of its kind. */
bool gw_xml2json_become_container(struct gw_xml2json *c, struct frame *f)
{
	gw_buf_truncate(&c->text, f->text_start);
	f->text = false;
	f->out_start = c->out.len + 1;
	f->first_member = c->n_members;
	switch (f->kind) {
	case GW_XML2JSON_K_LIST:
		f->shape = SH_LIST;
		return put_byte(c, '[');
	case GW_XML2JSON_K_MAP:
		f->shape = SH_MAP;
		break;
	case GW_XML2JSON_K_PAGINATION:
		f->shape = SH_PAGINATION;
		break;
	default:
		f->shape = SH_OBJECT;
		break;
	}
	return put_byte(c, '{');
}

/* Keeps an image's attributes until its end shows whether it is a leaf. */
static bool save_attrs(struct gw_xml2json *c, int n, const xmlChar **a)
{
	int i;

	for (i = 0; i < n; i++, a += 5) {
		if (!ok(c, gw_buf_append(&c->attrs, a[0], strlen((const char *)a[0]) + 1)) ||
		    !ok(c, gw_xml2json_attr_value(&c->attrs, a[3], a[4])))
			return false;
	}
	return true;
}

void gw_xml2json_value_start(struct gw_xml2json *c, struct frame *f, bool plain_leaf, int n_attrs,
			     const xmlChar **attrs)
{
	f->role = RO_VALUE;
	f->kind = name_info(c, f->name)->kind;
	f->shape = SH_LEAF;
	f->plain_leaf = plain_leaf;
	f->text = true;
	if (f->kind == GW_XML2JSON_K_IMAGE && !plain_leaf && n_attrs > 0)
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
		if (!skip &&
		    (!put_byte(c, ',') || !put_string(c, p, strlen(p)) || !put_byte(c, ':') ||
		     !put_value(c, GW_BBB_VALUE_STRING, v, strlen(v))))
			return false;
		p = v + strlen(v) + 1;
	}
	return put_byte(c, '}');
}

/*
 * A tenant's meeting ids lose its prefix; the meetingID of a list item
 * tells whether the item is the tenant's.
 */
static void tenant_id(struct gw_xml2json *c, struct frame *f, const char **t, size_t *n)
{
	bool own;

	if (f->name != c->n.meeting_id && f->name != c->n.parent_meeting_id &&
	    f->name != c->n.meeting_id_meta)
		return;
	own = *n >= c->tenant_len && memcmp(*t, c->tenant, c->tenant_len) == 0;
	if (f->name == c->n.meeting_id && f > c->frames && f[-1].tenant_item)
		f[-1].tenant_ok = own;
	if (own) {
		*t += c->tenant_len;
		*n -= c->tenant_len;
	}
}

static bool put_leaf(struct gw_xml2json *c, struct frame *f)
{
	size_t n;
	const char *t = text_of(c, f, &n);

	if (c->tenant != NULL)
		tenant_id(c, f, &t, &n);

	if (f->plain_leaf)
		return put_value(c, GW_BBB_VALUE_STRING, t, n);
	switch (f->kind) {
	case GW_XML2JSON_K_LIST:
		return put(c, "[]", 2);
	case GW_XML2JSON_K_MAP:
	case GW_XML2JSON_K_PAGINATION:
		return put(c, "{}", 2);
	case GW_XML2JSON_K_IMAGE:
		return put_image(c, f, t, n);
	case GW_XML2JSON_K_BOOL:
		return put_value(c, GW_BBB_VALUE_BOOL, t, n);
	case GW_XML2JSON_K_INT:
		return put_value(c, GW_BBB_VALUE_INT, t, n);
	default:
		return put_value(c, GW_BBB_VALUE_STRING, t, n);
	}
}

bool gw_xml2json_end_value(struct gw_xml2json *c, struct frame *f)
{
	switch (f->shape) {
	case SH_LEAF:
		return put_leaf(c, f);
	case SH_LIST:
		return put_byte(c, ']');
	default:
		return gw_xml2json_close_object(c, f);
	}
}
