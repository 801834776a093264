/*
 * fuzz_xml_merge.c - up to three servers' XML list replies through the
 * fleet's merge (gw_xml_merge_*): every reply is untrusted input.
 *
 * Byte 0 picks the list: 'M' getMeetings, 'R' a page of getRecordings,
 * 'H' hooks/list with each part's hookIDs qualified by its server's name,
 * 'r' getRecordings without a page (any other byte: its value mod 4 in
 * that order). Bytes 1 and 2 pick the page's offset and limit from two
 * tables (value mod 8, so '0'..'7' read as 0..7). The rest is the replies,
 * split at NUL bytes (the third takes the rest). As the fan-out does, a
 * part that is not added is named missing.
 *
 * Checks: no crash, leak or sanitizer report; each part's verdict is what a
 * plain reading of it with libxml2 says (a DOCTYPE, no <response> root or
 * no <returncode>: bad; a returncode other than SUCCESS: failed), never
 * out of memory; finish fails without an added part and leaves out as it
 * was, else its output reads back as XML with root <response> and no
 * DOCTYPE, a declaration exactly when the first added part began with
 * one, its list holding total items (every added part's list items), on
 * a page min(limit, total - offset) of them (0 past the end) in
 * startTime-then-recordID order and BBB's <pagination> last with the
 * clamped offset and limit and the total; one <incomplete> naming each
 * missing part in order, before the <pagination>; every hookID of a
 * qualified merge begins with a server's name and ':'; the same merge
 * without the failed and bad parts gives the same bytes; an out buffer a
 * byte too small gives GW_E_TOO_LARGE and keeps its contents.
 */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "xml2json.h"
#include "xml_merge.h"

#define MAX_BYTES (256u * 1024u)
#define MAX_OUT (64u * 1024u * 1024u)
#define PARTS 3
#define READ_OPTS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

static const long long offsets[] = {0, 1, 2, 3, 5, 10, 1000, -1};
static const long long limits[] = {0, 1, 2, 3, 10, 100, 101, 500};
/* the servers' names: the third needs escaping */
static const char *const names[PARTS] = {"bbb1", "bbb2", "b&<3>"};

struct input {
	const char *list;
	bool page;
	bool qualify;
	long long offset, limit;
	const char *part[PARTS];
	size_t len[PARTS];
	size_t n;
};

/* A part's verdict and items as read here. */
struct seen {
	enum gw_xml_part verdict;
	size_t items;
	bool decl;
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	gw_xml2json_global_init();
	return 0;
}

void fuzz_cleanup(void)
{
	gw_xml2json_global_cleanup();
}

static bool named(xmlNodePtr n, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static xmlNodePtr first(xmlNodePtr parent, const char *name)
{
	for (xmlNodePtr c = parent->children; c != NULL; c = c->next) {
		if (named(c, name))
			return c;
	}
	return NULL;
}

static size_t count(xmlNodePtr parent, const char *name)
{
	size_t n = 0;

	for (xmlNodePtr c = parent != NULL ? parent->children : NULL; c != NULL; c = c->next)
		n += c->type == XML_ELEMENT_NODE && (name == NULL || named(c, name));
	return n;
}

/* Whether element n's text is s. */
static bool text_is(xmlNodePtr n, const char *s)
{
	xmlChar *t = xmlNodeGetContent(n);
	bool is = t != NULL && strcmp((const char *)t, s) == 0;

	xmlFree(t);
	return is;
}

/* The reference: one part read on its own. */
static struct seen read_part(const struct input *in, size_t i)
{
	struct seen s = {.verdict = GW_XML_PART_BAD};
	xmlDocPtr doc = xmlReadMemory(in->part[i], (int)in->len[i], NULL, NULL, READ_OPTS);
	xmlNodePtr root = doc != NULL ? xmlDocGetRootElement(doc) : NULL;

	if (named(root, "response") && doc->intSubset == NULL &&
	    first(root, "returncode") != NULL) {
		s.verdict = text_is(first(root, "returncode"), "SUCCESS") ? GW_XML_PART_ADDED
									  : GW_XML_PART_FAILED;
		if (first(root, in->list) != NULL)
			s.items = count(first(root, in->list), NULL);
		s.decl = in->len[i] >= 5 && memcmp(in->part[i], "<?xml", 5) == 0;
	}
	xmlFreeDoc(doc);
	return s;
}

/*
 * The merge of the parts (only the added ones when only_added) into out,
 * each part not added named missing; *missing gets how many were.
 */
static enum gw_err run(const struct input *in, const struct seen *seen, bool only_added,
		       struct gw_buf *out, size_t *missing)
{
	struct gw_xml_merge *m = gw_xml_merge_new(in->list, in->offset, in->page ? in->limit : -1);
	bool any = false;
	enum gw_err err;

	FUZZ_CHECK(m != NULL);
	*missing = 0;
	for (size_t i = 0; i < in->n; i++) {
		enum gw_xml_part got = GW_XML_PART_BAD;

		if (!only_added || seen[i].verdict == GW_XML_PART_ADDED)
			got = gw_xml_merge_add(m, in->part[i], in->len[i],
					       in->qualify ? names[i] : NULL);
		if (!only_added)
			FUZZ_CHECK(got == seen[i].verdict);
		any = any || got == GW_XML_PART_ADDED;
		FUZZ_CHECK(gw_xml_merge_any(m) == any);
		if (seen[i].verdict != GW_XML_PART_ADDED) {
			FUZZ_CHECK(gw_xml_merge_missing(m, names[i]) == GW_OK);
			(*missing)++;
		}
	}
	err = gw_xml_merge_finish(m, out);
	/* once only */
	FUZZ_CHECK(gw_xml_merge_finish(m, out) == GW_E_INTERNAL);
	gw_xml_merge_free(m);
	return err;
}

/* A recording's keys as the merge reads them: startTime (0 unless a number), recordID. */
static long long start_of(xmlNodePtr item)
{
	xmlNodePtr st = first(item, "startTime");
	xmlChar *s = st != NULL ? xmlNodeGetContent(st) : NULL;
	long long v = 0;
	char *end;

	if (s != NULL) {
		v = strtoll((const char *)s, &end, 10);
		if (end == (char *)s || *end != '\0')
			v = 0;
	}
	xmlFree(s);
	return v;
}

/* a's keys are at most b's. */
static bool in_order(xmlNodePtr a, xmlNodePtr b)
{
	long long sa = start_of(a), sb = start_of(b);
	xmlNodePtr ia = first(a, "recordID"), ib = first(b, "recordID");
	xmlChar *ta, *tb;
	bool ok;

	if (sa != sb)
		return sa < sb;
	if (ia == NULL || ib == NULL)
		return ia == NULL;
	ta = xmlNodeGetContent(ia);
	tb = xmlNodeGetContent(ib);
	ok = ta != NULL && tb != NULL && strcmp((const char *)ta, (const char *)tb) <= 0;
	xmlFree(ta);
	xmlFree(tb);
	return ok;
}

static void check_page(const struct input *in, xmlNodePtr root, xmlNodePtr list, size_t total,
		       const struct gw_buf *out)
{
	long long offset = in->offset > 0 ? in->offset : 0;
	long long limit = in->limit < 1 ? 1 : in->limit > 100 ? 100 : in->limit;
	size_t left = (unsigned long long)offset < total ? total - (size_t)offset : 0;
	size_t shown = left < (size_t)limit ? left : (size_t)limit;
	xmlNodePtr prev = NULL;
	struct gw_buf want;

	FUZZ_CHECK(count(list, NULL) == shown);
	FUZZ_CHECK(count(root, "pagination") == 1);
	FUZZ_CHECK(named(xmlLastElementChild(root), "pagination"));
	gw_buf_init(&want, 1024);
	FUZZ_CHECK(gw_buf_appendf(&want,
				  "<pagination><pageable><offset>%lld</offset><limit>%lld</limit>"
				  "<paged>true</paged><unpaged>false</unpaged></pageable>"
				  "<totalElements>%zu</totalElements><empty>%s</empty>"
				  "</pagination>",
				  offset, limit, total, shown == 0 ? "true" : "false") == GW_OK);
	FUZZ_CHECK(memmem(out->data, out->len, want.data, want.len) != NULL);
	gw_buf_deinit(&want);
	for (xmlNodePtr c = list != NULL ? list->children : NULL; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		FUZZ_CHECK(prev == NULL || in_order(prev, c));
		prev = c;
	}
}

/* Each missing part's name in <incomplete>, in order, before any <pagination>. */
static void check_incomplete(const struct input *in, const struct seen *seen, xmlNodePtr root,
			     size_t missing)
{
	xmlNodePtr inc = first(root, "incomplete");
	xmlNodePtr s;
	size_t i = 0;

	FUZZ_CHECK(count(root, "incomplete") == (missing > 0));
	if (inc == NULL)
		return;
	FUZZ_CHECK(count(inc, NULL) == missing && count(inc, "server") == missing);
	FUZZ_CHECK(!in->page || named(xmlNextElementSibling(inc), "pagination"));
	FUZZ_CHECK(in->page || xmlNextElementSibling(inc) == NULL);
	for (s = xmlFirstElementChild(inc); s != NULL; s = xmlNextElementSibling(s), i++) {
		while (seen[i].verdict == GW_XML_PART_ADDED)
			i++;
		FUZZ_CHECK(text_is(s, names[i]));
	}
}

/* Every hookID of a qualified merge starts with a server's name and ':'. */
static void check_hooks(xmlNodePtr list)
{
	for (xmlNodePtr c = list != NULL ? list->children : NULL; c != NULL; c = c->next) {
		xmlNodePtr id = c->type == XML_ELEMENT_NODE ? first(c, "hookID") : NULL;
		xmlChar *t = id != NULL ? xmlNodeGetContent(id) : NULL;
		bool ok = id == NULL;

		for (size_t i = 0; t != NULL && i < PARTS; i++) {
			size_t n = strlen(names[i]);

			ok = ok || (strncmp((const char *)t, names[i], n) == 0 && t[n] == ':');
		}
		xmlFree(t);
		FUZZ_CHECK(ok);
	}
}

static void check_output(const struct input *in, const struct seen *seen, size_t missing,
			 const struct gw_buf *out)
{
	xmlDocPtr doc = xmlReadMemory(out->data, (int)out->len, NULL, NULL, READ_OPTS);
	xmlNodePtr root = doc != NULL ? xmlDocGetRootElement(doc) : NULL;
	xmlNodePtr list;
	size_t total = 0;
	bool decl = false;
	bool framed = false;

	FUZZ_CHECK(named(root, "response"));
	FUZZ_CHECK(doc->intSubset == NULL);
	for (size_t i = 0; i < in->n; i++) {
		if (seen[i].verdict != GW_XML_PART_ADDED)
			continue;
		total += seen[i].items;
		if (!framed)
			decl = seen[i].decl;
		framed = true;
	}
	FUZZ_CHECK(decl == (out->len >= 5 && memcmp(out->data, "<?xml", 5) == 0));
	list = first(root, in->list);
	if (in->page)
		check_page(in, root, list, total, out);
	else
		FUZZ_CHECK(count(list, NULL) == total);
	check_incomplete(in, seen, root, missing);
	if (in->qualify)
		check_hooks(list);
	xmlFreeDoc(doc);
}

/* Bytes 0..2 and the parts of data. */
static void split(const uint8_t *data, size_t size, struct input *in)
{
	static const char kinds[] = "MRHr";
	const char *k = memchr(kinds, data[0], 4);
	size_t kind = k != NULL ? (size_t)(k - kinds) : data[0] % 4u;
	const char *p = (const char *)data + 3;
	const char *end = (const char *)data + size;

	memset(in, 0, sizeof(*in));
	in->list = kind == 0 ? "meetings" : kind == 2 ? "hooks" : "recordings";
	in->page = kind == 1;
	in->qualify = kind == 2;
	in->offset = offsets[data[1] % 8u];
	in->limit = limits[data[2] % 8u];
	while (in->n < PARTS) {
		const char *nul = in->n + 1 < PARTS ? memchr(p, '\0', (size_t)(end - p)) : NULL;
		const char *e = nul != NULL ? nul : end;

		in->part[in->n] = p;
		in->len[in->n++] = (size_t)(e - p);
		if (nul == NULL)
			break;
		p = nul + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen seen[PARTS];
	struct gw_buf out, again;
	struct input in;
	enum gw_err err;
	size_t missing, missing2;
	bool any = false;

	if (size < 3 || size > MAX_BYTES)
		return 0;
	split(data, size, &in);
	for (size_t i = 0; i < in.n; i++) {
		seen[i] = read_part(&in, i);
		any = any || seen[i].verdict == GW_XML_PART_ADDED;
	}
	gw_buf_init(&out, MAX_OUT);
	FUZZ_CHECK(gw_buf_append_str(&out, "kept") == GW_OK);
	err = run(&in, seen, false, &out, &missing);
	FUZZ_CHECK(memcmp(out.data, "kept", 4) == 0);
	if (!any) {
		FUZZ_CHECK(err == GW_E_INTERNAL && out.len == 4);
		gw_buf_deinit(&out);
		return 0;
	}
	FUZZ_CHECK(err == GW_OK && out.len > 4);
	memmove(out.data, out.data + 4, out.len - 4);
	gw_buf_truncate(&out, out.len - 4);
	check_output(&in, seen, missing, &out);

	/* the failed and bad parts change nothing */
	gw_buf_init(&again, MAX_OUT);
	FUZZ_CHECK(run(&in, seen, true, &again, &missing2) == GW_OK);
	FUZZ_CHECK(missing2 == missing);
	FUZZ_CHECK(again.len == out.len && memcmp(again.data, out.data, out.len) == 0);
	gw_buf_deinit(&again);

	/* a byte short: too large, and out as it was */
	gw_buf_init(&again, out.len + 3);
	FUZZ_CHECK(gw_buf_append_str(&again, "kept") == GW_OK);
	FUZZ_CHECK(run(&in, seen, false, &again, &missing2) == GW_E_TOO_LARGE);
	FUZZ_CHECK(again.len == 4 && memcmp(again.data, "kept", 4) == 0);
	gw_buf_deinit(&again);
	gw_buf_deinit(&out);
	return 0;
}
