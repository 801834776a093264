/*
 * xmlmergefix.c - the xml_merge suites' shared checks (xmlmergefix.h).
 */
#include "xmlmergefix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "compiler.h"
#include "testutil.h"

/* tests/data/<rel>. Caller frees. */
char *data(const char *rel)
{
	return gw_test_read_data(rel, NULL);
}

struct gw_xml_merge *new_merge(const char *list, long long offset, long long limit)
{
	struct gw_xml_merge *m = gw_xml_merge_new(list, offset, limit);

	ck_assert_ptr_nonnull(m);
	return m;
}

void add(struct gw_xml_merge *m, const char *xml, const char *qualify, enum gw_xml_part want)
{
	ck_assert_int_eq(gw_xml_merge_add(m, xml, strlen(xml), qualify), want);
}

/* m's merged reply (m freed). Caller frees. */
char *finish(struct gw_xml_merge *m)
{
	struct gw_buf out;
	char *text;

	gw_buf_init(&out, OUT_MAX);
	ck_assert_int_eq(gw_xml_merge_finish(m, &out), GW_OK);
	gw_xml_merge_free(m);
	text = gw_buf_take(&out, NULL);
	ck_assert_ptr_nonnull(text);
	return text;
}

/* The merge of n replies, every one added, each hook qualified with qualify. Caller frees. */
char *merge(const char *list, long long offset, long long limit, const char *const *xml, size_t n,
	    const char *qualify)
{
	struct gw_xml_merge *m = new_merge(list, offset, limit);

	for (size_t i = 0; i < n; i++)
		add(m, xml[i], qualify, GW_XML_PART_ADDED);
	return finish(m);
}

/* text read back; its root is <response>. Caller frees with xmlFreeDoc. */
xmlDocPtr reread(const char *text)
{
	xmlDocPtr doc = xmlReadMemory(text, (int)strlen(text), NULL, NULL, READ_OPTS);
	xmlNodePtr root = xmlDocGetRootElement(doc);

	ck_assert_msg(doc != NULL, "not XML: %s", text);
	ck_assert_ptr_nonnull(root);
	ck_assert_str_eq((const char *)root->name, "response");
	return doc;
}

bool is_element(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* parent's first child element called name, or NULL. */
xmlNodePtr elem(xmlNodePtr parent, const char *name)
{
	for (xmlNodePtr c = parent->children; c != NULL; c = c->next) {
		if (is_element(c, name))
			return c;
	}
	return NULL;
}

/* The root's child elements called name. */
size_t count_elems(const char *text, const char *name)
{
	xmlDocPtr doc = reread(text);
	size_t n = 0;

	for (xmlNodePtr c = xmlDocGetRootElement(doc)->children; c != NULL; c = c->next)
		n += is_element(c, name);
	xmlFreeDoc(doc);
	return n;
}

/* The name of the root's last child element. Caller frees. */
char *last_elem(const char *text)
{
	xmlDocPtr doc = reread(text);
	xmlNodePtr last = xmlLastElementChild(xmlDocGetRootElement(doc));
	char *name;

	ck_assert_ptr_nonnull(last);
	name = gw_test_strdup((const char *)last->name);
	xmlFreeDoc(doc);
	return name;
}

/*
 * The text of field in each item of the list element list of text, joined
 * by ','; "-" for an item without it, NULL without a list. Caller frees.
 */
char *items(const char *text, const char *list, const char *field)
{
	xmlDocPtr doc = reread(text);
	xmlNodePtr l = elem(xmlDocGetRootElement(doc), list);
	struct gw_buf b;
	char *joined;

	if (l == NULL) {
		xmlFreeDoc(doc);
		return NULL;
	}
	gw_buf_init(&b, OUT_MAX);
	for (xmlNodePtr c = l->children; c != NULL; c = c->next) {
		xmlNodePtr f = c->type == XML_ELEMENT_NODE ? elem(c, field) : NULL;
		xmlChar *s = f != NULL ? xmlNodeGetContent(f) : NULL;

		ck_assert_msg(c->type == XML_ELEMENT_NODE, "not an item in %s", text);
		ck_assert_int_eq(gw_buf_appendf(&b, "%s%s", b.len > 0 ? "," : "",
						s != NULL ? (const char *)s : "-"),
				 GW_OK);
		xmlFree(s);
	}
	xmlFreeDoc(doc);
	joined = gw_buf_take(&b, NULL);
	ck_assert_ptr_nonnull(joined);
	return joined;
}

void assert_items(const char *text, const char *list, const char *field, const char *want)
{
	char *got = items(text, list, field);

	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, want);
	free(got);
}

/* text ends with tail. */
void assert_ends(const char *text, const char *tail)
{
	size_t n = strlen(text), t = strlen(tail);

	ck_assert_msg(n >= t && strcmp(text + n - t, tail) == 0, "%s does not end with %s", text,
		      tail);
}

/* A getRecordings reply with the recordings "id@start ..." of spec. Caller frees. */
char *recordings_reply(const char *spec)
{
	struct gw_buf b;
	char *xml;

	gw_buf_init(&b, OUT_MAX);
	ck_assert_int_eq(gw_buf_append_str(&b, OK_MEETINGS "<recordings>"), GW_OK);
	while (*spec != '\0') {
		size_t n = strcspn(spec, " ");
		const char *at = memchr(spec, '@', n);

		ck_assert_ptr_nonnull(at);
		ck_assert_int_eq(gw_buf_appendf(&b,
						"<recording><recordID>%.*s</recordID><name>r</name>"
						"<startTime>%.*s</startTime></recording>",
						(int)(at - spec), spec,
						(int)(n - (size_t)(at - spec) - 1), at + 1),
				 GW_OK);
		spec += n;
		spec += strspn(spec, " ");
	}
	ck_assert_int_eq(gw_buf_append_str(&b, "</recordings></response>"), GW_OK);
	xml = gw_buf_take(&b, NULL);
	ck_assert_ptr_nonnull(xml);
	return xml;
}

/* An empty meetings reply, then two with meetings: every meeting, in the order added. */
