/*
 * xml_merge.c - several servers' XML list replies joined into one (see
 * xml_merge.h), on libxml2 trees: the frame's list element is emptied and
 * filled again with the chosen items, the other replies' items copied
 * into the frame's document.
 */
#include "xml_merge.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "bbb_route.h"

/* No network, no DTD, entities left as references; libxml2's own limits kept. */
#define PARSE_OPTS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

/* BBB clamps a page's limit to this. */
#define PAGE_MAX 100

/* The missing servers' names kept, at most. */
#define MISSING_MAX_BYTES 4096u

struct item {
	xmlNodePtr node; /* in docs[doc] */
	size_t doc;
	size_t seq;      /* order added */
	long long start; /* startTime; 0 when absent or not a number */
	xmlChar *id;     /* recordID's text, or NULL */
};

struct gw_xml_merge {
	const char *list;
	bool page;
	long long offset, limit;
	xmlDocPtr *docs;
	size_t n_docs, cap_docs;
	struct item *items;
	size_t n_items, cap_items;
	struct gw_buf missing; /* the names, each ending in '\0' */
	bool decl;             /* the frame began with an XML declaration */
	bool finished;
};

struct gw_xml_merge *gw_xml_merge_new(const char *list, long long offset, long long limit)
{
	struct gw_xml_merge *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->list = list;
	m->page = limit >= 0;
	m->offset = offset > 0 ? offset : 0;
	m->limit = limit < 1 ? 1 : limit > PAGE_MAX ? PAGE_MAX : limit;
	gw_buf_init(&m->missing, MISSING_MAX_BYTES);
	return m;
}

void gw_xml_merge_free(struct gw_xml_merge *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n_items; i++)
		xmlFree(m->items[i].id);
	free(m->items);
	for (size_t i = 0; i < m->n_docs; i++)
		xmlFreeDoc(m->docs[i]);
	free(m->docs);
	gw_buf_deinit(&m->missing);
	free(m);
}

/* Room for one more entry in a vector of size-byte entries. */
static bool grow(void **v, size_t *cap, size_t n, size_t size)
{
	size_t ncap = *cap > 0 ? 2 * *cap : 8;
	void *nv;

	if (n < *cap)
		return true;
	if (ncap > SIZE_MAX / size)
		return false;
	nv = realloc(*v, ncap * size);
	if (nv == NULL)
		return false;
	*v = nv;
	*cap = ncap;
	return true;
}

static bool named(xmlNodePtr n, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* parent's first child element called name, or NULL. */
static xmlNodePtr child(xmlNodePtr parent, const char *name)
{
	for (xmlNodePtr c = parent != NULL ? parent->children : NULL; c != NULL; c = c->next) {
		if (named(c, name))
			return c;
	}
	return NULL;
}

/* Whether element n's text is text (n NULL: false). */
static bool text_is(xmlNodePtr n, const char *text)
{
	xmlChar *s = n != NULL ? xmlNodeGetContent(n) : NULL;
	bool is = s != NULL && strcmp((const char *)s, text) == 0;

	xmlFree(s);
	return is;
}

/* hook's hookID text as "<server>:<text>"; false on OOM. */
static bool qualify_hook(xmlNodePtr hook, const char *server)
{
	xmlNodePtr id = child(hook, "hookID");
	xmlChar *own;
	char *both;
	size_t n;

	if (id == NULL)
		return true;
	own = xmlNodeGetContent(id);
	if (own == NULL)
		return false;
	n = strlen(server) + strlen((const char *)own) + 2;
	both = malloc(n);
	if (both != NULL) {
		gw_bbb_hook_id(server, (const char *)own, both, n);
		xmlNodeSetContent(id, NULL);
		xmlNodeAddContent(id, (const xmlChar *)both); /* text, escaped when written */
	}
	xmlFree(own);
	free(both);
	return both != NULL;
}

/* The ordering keys of a recording item; false on OOM. */
static bool read_keys(struct item *it)
{
	xmlNodePtr start = child(it->node, "startTime");
	xmlNodePtr id = child(it->node, "recordID");
	xmlChar *s;
	char *end;

	if (start != NULL) {
		s = xmlNodeGetContent(start);
		if (s == NULL)
			return false;
		it->start = strtoll((const char *)s, &end, 10);
		if (end == (char *)s || *end != '\0')
			it->start = 0;
		xmlFree(s);
	}
	if (id != NULL && (it->id = xmlNodeGetContent(id)) == NULL)
		return false;
	return true;
}

/* Every item element of list (in doc d) into the merge; false on OOM. */
static bool take_items(struct gw_xml_merge *m, xmlNodePtr list, size_t d, const char *qualify)
{
	for (xmlNodePtr c = list->children; c != NULL; c = c->next) {
		struct item *it;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (qualify != NULL && !qualify_hook(c, qualify))
			return false;
		if (!grow((void **)&m->items, &m->cap_items, m->n_items, sizeof(*m->items)))
			return false;
		it = &m->items[m->n_items];
		*it = (struct item){.node = c, .doc = d, .seq = m->n_items};
		m->n_items++;
		if (m->page && !read_keys(it))
			return false;
	}
	return true;
}

enum gw_xml_part gw_xml_merge_add(struct gw_xml_merge *m, const char *xml, size_t len,
				  const char *qualify)
{
	size_t n_items = m->n_items;
	xmlDocPtr doc;
	xmlNodePtr root, list;

	if (len > INT32_MAX)
		return GW_XML_PART_BAD;
	doc = xmlReadMemory(xml, (int)len, NULL, NULL, PARSE_OPTS);
	root = doc != NULL ? xmlDocGetRootElement(doc) : NULL;
	/*
	 * A DOCTYPE: BBB never sends one, and its entities would be expanded
	 * by xmlNodeGetContent (a hookID) or written as references the merged
	 * reply does not declare.
	 */
	if (!named(root, "response") || doc->intSubset != NULL ||
	    child(root, "returncode") == NULL) {
		xmlFreeDoc(doc);
		return GW_XML_PART_BAD;
	}
	if (!text_is(child(root, "returncode"), "SUCCESS")) {
		xmlFreeDoc(doc);
		return GW_XML_PART_FAILED;
	}
	if (!grow((void **)&m->docs, &m->cap_docs, m->n_docs, sizeof(*m->docs))) {
		xmlFreeDoc(doc);
		return GW_XML_PART_NOMEM;
	}
	m->docs[m->n_docs] = doc;
	if (m->n_docs == 0)
		m->decl = len >= 5 && memcmp(xml, "<?xml", 5) == 0;
	list = child(root, m->list);
	if (list != NULL && !take_items(m, list, m->n_docs, qualify)) {
		while (m->n_items > n_items)
			xmlFree(m->items[--m->n_items].id);
		xmlFreeDoc(doc);
		return GW_XML_PART_NOMEM;
	}
	m->n_docs++;
	return GW_XML_PART_ADDED;
}

enum gw_err gw_xml_merge_missing(struct gw_xml_merge *m, const char *server)
{
	enum gw_err err = gw_buf_append(&m->missing, server, strlen(server) + 1);

	/* names past the limit are left out: the merge itself goes on */
	return err == GW_E_TOO_LARGE ? GW_OK : err;
}

bool gw_xml_merge_any(const struct gw_xml_merge *m)
{
	return m->n_docs > 0;
}

/* ---- the merged reply ---- */

static int by_start(const void *a, const void *b)
{
	const struct item *x = *(const struct item *const *)a;
	const struct item *y = *(const struct item *const *)b;
	int c;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->id != NULL && y->id != NULL) {
		c = strcmp((const char *)x->id, (const char *)y->id);
		if (c != 0)
			return c;
	} else if (x->id != y->id) {
		return x->id == NULL ? -1 : 1;
	}
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Removes and frees root's children called name. */
static void drop(xmlNodePtr root, const char *name)
{
	xmlNodePtr c = root->children;

	while (c != NULL) {
		xmlNodePtr next = c->next;

		if (named(c, name)) {
			xmlUnlinkNode(c);
			xmlFreeNode(c);
		}
		c = next;
	}
}

/* The frame's list element, made after <returncode> when it has none. */
static xmlNodePtr frame_list(struct gw_xml_merge *m, xmlNodePtr root)
{
	xmlNodePtr list = child(root, m->list);
	xmlNodePtr rc;

	if (list != NULL)
		return list;
	list = xmlNewDocNode(m->docs[0], NULL, (const xmlChar *)m->list, NULL);
	if (list == NULL)
		return NULL;
	rc = child(root, "returncode");
	if ((rc != NULL ? xmlAddNextSibling(rc, list) : xmlAddChild(root, list)) == NULL) {
		xmlFreeNode(list);
		return NULL;
	}
	return list;
}

/* Empties the frame's list: its own items are kept aside (in m->items), the rest freed. */
static void empty_list(xmlNodePtr list)
{
	xmlNodePtr c = list->children;

	while (c != NULL) {
		xmlNodePtr next = c->next;

		xmlUnlinkNode(c);
		if (c->type != XML_ELEMENT_NODE)
			xmlFreeNode(c);
		c = next;
	}
}

/* The items in their merged order (a page: sorted), in *order (malloc'd). */
static bool ordered(struct gw_xml_merge *m, struct item ***order)
{
	*order = malloc((m->n_items > 0 ? m->n_items : 1) * sizeof(**order));
	if (*order == NULL)
		return false;
	for (size_t i = 0; i < m->n_items; i++)
		(*order)[i] = &m->items[i];
	if (m->page && m->n_items > 1)
		qsort(*order, m->n_items, sizeof(**order), by_start);
	return true;
}

/* Fills the frame's list with items [from, to) of order; the frame's own left out are freed. */
static bool fill(struct gw_xml_merge *m, xmlNodePtr list, struct item **order, size_t from,
		 size_t to)
{
	bool ok = true;

	for (size_t i = 0; i < m->n_items; i++) {
		struct item *it = order[i];
		xmlNodePtr n = it->node;

		if (i < from || i >= to || !ok) {
			if (it->doc == 0)
				xmlFreeNode(n);
			continue;
		}
		if (it->doc != 0 && (n = xmlDocCopyNode(n, m->docs[0], 1)) == NULL) {
			ok = false;
			continue;
		}
		if (xmlAddChild(list, n) == NULL) {
			xmlFreeNode(n);
			ok = false;
		}
	}
	return ok;
}

/* A new element name under parent with text (NULL: none); false on OOM. */
static bool add_text(xmlNodePtr parent, const char *name, const char *text)
{
	return xmlNewTextChild(parent, NULL, (const xmlChar *)name, (const xmlChar *)text) != NULL;
}

static bool add_pagination(struct gw_xml_merge *m, xmlNodePtr root, size_t shown)
{
	xmlNodePtr p = xmlNewChild(root, NULL, (const xmlChar *)"pagination", NULL);
	xmlNodePtr able = p != NULL ? xmlNewChild(p, NULL, (const xmlChar *)"pageable", NULL)
				    : NULL;
	char off[24], lim[24], total[24];

	snprintf(off, sizeof(off), "%lld", m->offset);
	snprintf(lim, sizeof(lim), "%lld", m->limit);
	snprintf(total, sizeof(total), "%zu", m->n_items);
	return able != NULL && add_text(able, "offset", off) && add_text(able, "limit", lim) &&
	       add_text(able, "paged", "true") && add_text(able, "unpaged", "false") &&
	       add_text(p, "totalElements", total) &&
	       add_text(p, "empty", shown == 0 ? "true" : "false");
}

static bool add_incomplete(struct gw_xml_merge *m, xmlNodePtr root)
{
	xmlNodePtr inc = xmlNewChild(root, NULL, (const xmlChar *)"incomplete", NULL);
	const char *p = gw_buf_str(&m->missing);
	const char *end = p + m->missing.len;

	for (; inc != NULL && p < end; p += strlen(p) + 1) {
		if (!add_text(inc, "server", p))
			return false;
	}
	return inc != NULL;
}

/*
 * Writes the frame's document into out, with its XML declaration when it
 * had one; out unchanged on error.
 */
static enum gw_err dump(struct gw_xml_merge *m, xmlNodePtr root, struct gw_buf *out)
{
	xmlBufferPtr b = xmlBufferCreate();
	size_t start = out->len;
	enum gw_err err = GW_OK;

	if (b == NULL)
		return GW_E_NOMEM;
	if (xmlNodeDump(b, m->docs[0], root, 0, 0) < 0)
		err = GW_E_NOMEM;
	if (err == GW_OK && m->decl)
		err = gw_buf_append_str(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	if (err == GW_OK)
		err = gw_buf_append(out, xmlBufferContent(b), (size_t)xmlBufferLength(b));
	if (err != GW_OK)
		gw_buf_truncate(out, start); /* the declaration without the rest */
	xmlBufferFree(b);
	return err;
}

enum gw_err gw_xml_merge_finish(struct gw_xml_merge *m, struct gw_buf *out)
{
	xmlNodePtr root, list = NULL;
	struct item **order = NULL;
	size_t from = 0, to;
	bool ok;

	if (m->n_docs == 0 || m->finished)
		return GW_E_INTERNAL;
	m->finished = true;
	root = xmlDocGetRootElement(m->docs[0]);
	to = m->n_items;
	if (m->page) {
		from = (unsigned long long)m->offset < m->n_items ? (size_t)m->offset : m->n_items;
		to = m->n_items - from > (size_t)m->limit ? from + (size_t)m->limit : m->n_items;
	}
	/* the frame's own list is emptied first: its items are freed or moved by fill */
	if ((list = child(root, m->list)) != NULL)
		empty_list(list);
	ok = ordered(m, &order);
	if (ok && (m->n_items > 0 || list != NULL))
		ok = (list = frame_list(m, root)) != NULL;
	if (ok)
		ok = fill(m, list, order, from, to);
	else
		for (size_t i = 0; i < m->n_items; i++)
			if (m->items[i].doc == 0)
				xmlFreeNode(m->items[i].node);
	free(order);
	if (ok && m->n_items > 0 &&
	    (text_is(child(root, "messageKey"), "noMeetings") ||
	     text_is(child(root, "messageKey"), "noRecordings"))) {
		drop(root, "messageKey");
		drop(root, "message");
	}
	drop(root, "incomplete");
	if (m->page)
		drop(root, "pagination");
	if (ok && m->missing.len > 0)
		ok = add_incomplete(m, root);
	if (ok && m->page)
		ok = add_pagination(m, root, to - from);
	return ok ? dump(m, root, out) : GW_E_NOMEM;
}
