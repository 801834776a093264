/*
 * check_xml_merge.c - the fleet's XML list merge (xml_merge.h): the
 * servers' getMeetings, getRecordings and hooks/list replies, real ones
 * from tests/data and the simulator's, joined into one BBB reply. The
 * merged text is read back with libxml2 to check its items, their order
 * and the elements around them; the BBB-written parts (<pagination>,
 * <incomplete>, the declaration) are compared as text.
 */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "compiler.h"
#include "testutil.h"
#include "xml_merge.h"

#define OUT_MAX (4u * 1024u * 1024u)
#define READ_OPTS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

#define OK_MEETINGS "<response><returncode>SUCCESS</returncode>"
#define NO_MEETINGS                                                              \
	"<response><returncode>SUCCESS</returncode><meetings/>"                  \
	"<messageKey>noMeetings</messageKey><message>no meetings were found on " \
	"this server</message></response>"
#define PAGINATION(o, l, t, e)                                                                     \
	"<pagination><pageable><offset>" o "</offset><limit>" l "</limit><paged>true"              \
	"</paged><unpaged>false</unpaged></pageable><totalElements>" t "</totalElements><empty>" e \
	"</empty></pagination></response>"

/* The recordIDs of the simulator's replies (tests/data/bbbsim), by startTime. */
#define SIM_A72_1 "a72c17c66bc6234721b377d1d5a5dc32f199c749-1715179200000"
#define SIM_BE5 "be50234e1c66bebcfce306edca2e3a65c2133730-1715261728123"
#define SIM_64D "64d2edb774ea928c8bf42a99bd453f35c16cb15e-1715262000456"
#define SIM_A72_2 "a72c17c66bc6234721b377d1d5a5dc32f199c749-1715784000000"
/* and of two in tests/data/xml */
#define MANY_D41 "d41e3f7c9b2a8e6d5c4b3a291807f6e5d4c3b2a1-1715262000456"
#define PAGED_3C5 "3c5a8f1d2b7e9a4c6d0f1e2b3a4c5d6e7f8a9b0c-1715262000456"
#define LIST_FIRST OK_MEETINGS "<recordings><recording>"

/* tests/data/<rel>. Caller frees. */
static char *data(const char *rel)
{
	return gw_test_read_data(rel, NULL);
}

static struct gw_xml_merge *new_merge(const char *list, long long offset, long long limit)
{
	struct gw_xml_merge *m = gw_xml_merge_new(list, offset, limit);

	ck_assert_ptr_nonnull(m);
	return m;
}

static void add(struct gw_xml_merge *m, const char *xml, const char *qualify, enum gw_xml_part want)
{
	ck_assert_int_eq(gw_xml_merge_add(m, xml, strlen(xml), qualify), want);
}

/* m's merged reply (m freed). Caller frees. */
static char *finish(struct gw_xml_merge *m)
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
static char *merge(const char *list, long long offset, long long limit, const char *const *xml,
		   size_t n, const char *qualify)
{
	struct gw_xml_merge *m = new_merge(list, offset, limit);

	for (size_t i = 0; i < n; i++)
		add(m, xml[i], qualify, GW_XML_PART_ADDED);
	return finish(m);
}

/* text read back; its root is <response>. Caller frees with xmlFreeDoc. */
static xmlDocPtr reread(const char *text)
{
	xmlDocPtr doc = xmlReadMemory(text, (int)strlen(text), NULL, NULL, READ_OPTS);
	xmlNodePtr root = xmlDocGetRootElement(doc);

	ck_assert_msg(doc != NULL, "not XML: %s", text);
	ck_assert_ptr_nonnull(root);
	ck_assert_str_eq((const char *)root->name, "response");
	return doc;
}

static bool is_element(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* parent's first child element called name, or NULL. */
static xmlNodePtr elem(xmlNodePtr parent, const char *name)
{
	for (xmlNodePtr c = parent->children; c != NULL; c = c->next) {
		if (is_element(c, name))
			return c;
	}
	return NULL;
}

/* The root's child elements called name. */
static size_t count_elems(const char *text, const char *name)
{
	xmlDocPtr doc = reread(text);
	size_t n = 0;

	for (xmlNodePtr c = xmlDocGetRootElement(doc)->children; c != NULL; c = c->next)
		n += is_element(c, name);
	xmlFreeDoc(doc);
	return n;
}

/* The name of the root's last child element. Caller frees. */
static char *last_elem(const char *text)
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
static char *items(const char *text, const char *list, const char *field)
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

static void assert_items(const char *text, const char *list, const char *field, const char *want)
{
	char *got = items(text, list, field);

	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, want);
	free(got);
}

/* text ends with tail. */
static void assert_ends(const char *text, const char *tail)
{
	size_t n = strlen(text), t = strlen(tail);

	ck_assert_msg(n >= t && strcmp(text + n - t, tail) == 0, "%s does not end with %s", text,
		      tail);
}

/* A getRecordings reply with the recordings "id@start ..." of spec. Caller frees. */
static char *recordings_reply(const char *spec)
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
START_TEST(test_xml_merge_meetings_in_add_order)
{
	char *empty = data("xml/get_meetings_empty.xml");
	char *one = data("xml/get_meetings_one.xml");
	char *many = data("xml/get_meetings_many.xml");
	const char *set[] = {empty, one, many};
	char *out = merge("meetings", 0, -1, set, 3, NULL);

	assert_items(out, "meetings", "meetingID", "bio-101,bio-101,chem-202," MANY_D41);
	/* the frame's "no meetings" went with the items; its returncode stays first */
	ck_assert_ptr_null(strstr(out, "noMeetings"));
	ck_assert_ptr_null(strstr(out, "<message>"));
	ck_assert_uint_eq(count_elems(out, "messageKey"), 0);
	ck_assert_ptr_eq(strstr(out, "<returncode>SUCCESS</returncode>\n<meetings>"), out + 11);
	ck_assert_ptr_null(strstr(out, "<pagination>"));
	ck_assert_ptr_null(strstr(out, "<incomplete>"));
	/* an item's text is escaped again as libxml2 writes text */
	ck_assert_ptr_nonnull(strstr(out, "<meetingName>Bio 101 \"Cells\" &amp; more<"));
	free(out);

	/* the empty one last: the same meetings, no "no meetings" */
	set[0] = one;
	set[1] = empty;
	out = merge("meetings", 0, -1, set, 2, NULL);
	assert_items(out, "meetings", "meetingID", "bio-101");
	ck_assert_ptr_null(strstr(out, "noMeetings"));
	free(out);
	free(empty);
	free(one);
	free(many);
}
END_TEST

/* No server has an item: the frame's list stays empty with its messageKey and message. */
START_TEST(test_xml_merge_all_empty_keeps_no_items)
{
	char *empty = data("xml/get_meetings_empty.xml");
	char *rec_empty = data("xml/get_recordings_empty.xml");
	char *hooks_empty = data("xml/hooks_list_empty.xml");
	const char *set[] = {NO_MEETINGS, empty, NO_MEETINGS};
	char *out = merge("meetings", 0, -1, set, 3, NULL);

	ck_assert_str_eq(out, NO_MEETINGS);
	free(out);

	set[0] = empty;
	set[1] = NO_MEETINGS;
	out = merge("meetings", 0, -1, set, 2, NULL);
	ck_assert_str_eq(out, "<response>\n<returncode>SUCCESS</returncode>\n<meetings/>\n"
			      "<messageKey>noMeetings</messageKey>\n"
			      "<message>no meetings were found on this server</message>\n"
			      "</response>");
	free(out);

	set[0] = rec_empty;
	set[1] = rec_empty;
	out = merge("recordings", 0, -1, set, 2, NULL);
	assert_items(out, "recordings", "recordID", "");
	ck_assert_ptr_nonnull(strstr(out, "<messageKey>noRecordings</messageKey>"));
	ck_assert_ptr_nonnull(strstr(out, "<message>There are no recordings for the meeting(s)."));
	free(out);

	set[0] = hooks_empty;
	set[1] = hooks_empty;
	out = merge("hooks", 0, -1, set, 2, "bbb1");
	ck_assert_str_eq(out, "<response><returncode>SUCCESS</returncode><hooks/></response>");
	free(out);
	free(empty);
	free(rec_empty);
	free(hooks_empty);
}
END_TEST

/* FAILED replies and what is not a BBB reply are left out: the merge is as without them. */
START_TEST(test_xml_merge_failed_and_bad_left_out)
{
	static const char *const bad[] = {
		"",
		"not XML at all",
		"{\"returncode\":\"SUCCESS\",\"meetings\":[]}",
		"<response><returncode>SUCCESS</returncode><meetings>",
		"<html><body><returncode>SUCCESS</returncode></body></html>",
		"<response><meetings><meeting/></meetings></response>",
		"<response><returncode>SUCCESS</returncode></response><response/>",
		"<response><returncode>SUCCESS</returncode>&undeclared;</response>",
		"\x01\x02\xff\xfe",
	};
	char *failed = data("xml/checksum_error.xml");
	char *many = data("xml/get_meetings_many.xml");
	char *one = data("xml/get_meetings_one.xml");
	const char *set[] = {many, one};
	char *want = merge("meetings", 0, -1, set, 2, NULL);
	struct gw_xml_merge *m = new_merge("meetings", 0, -1);
	char *out;

	add(m, failed, NULL, GW_XML_PART_FAILED);
	add(m,
	    "<response><returncode>failed</returncode><meetings><meeting/></meetings></response>",
	    NULL, GW_XML_PART_FAILED);
	for (size_t i = 0; i < GW_ARRAY_SIZE(bad); i++) {
		ck_assert_int_eq(gw_xml_merge_add(m, bad[i], strlen(bad[i]), NULL),
				 GW_XML_PART_BAD);
		ck_assert(!gw_xml_merge_any(m));
	}
	add(m, many, NULL, GW_XML_PART_ADDED);
	ck_assert(gw_xml_merge_any(m));
	add(m, failed, NULL, GW_XML_PART_FAILED);
	add(m, bad[3], NULL, GW_XML_PART_BAD);
	add(m, one, NULL, GW_XML_PART_ADDED);
	add(m, bad[1], NULL, GW_XML_PART_BAD);
	out = finish(m);
	ck_assert_str_eq(out, want);
	ck_assert_ptr_null(strstr(out, "checksumError"));
	free(out);
	free(want);
	free(failed);
	free(many);
	free(one);
}
END_TEST

/* A frame without the list element gets one, right after <returncode>, when another has items. */
START_TEST(test_xml_merge_list_made_after_returncode)
{
	const char *frame = "<response><returncode>SUCCESS</returncode><messageKey>noRecordings"
			    "</messageKey><message>none</message></response>";
	char *rec = data("xml/get_recordings_one.xml");
	const char *set[] = {frame, rec, frame};
	char *out = merge("recordings", 0, -1, set, 3, NULL);

	ck_assert(strncmp(out, LIST_FIRST, strlen(LIST_FIRST)) == 0);
	assert_items(out, "recordings", "recordID", SIM_BE5);
	ck_assert_ptr_null(strstr(out, "noRecordings"));
	ck_assert_ptr_null(strstr(out, "<message>"));
	free(out);

	/* no items anywhere: no list is made */
	set[1] = frame;
	out = merge("recordings", 0, -1, set, 3, NULL);
	ck_assert_str_eq(out, frame);
	free(out);

	/* a page: the list and <pagination> */
	set[1] = rec;
	out = merge("recordings", 0, 10, set, 3, NULL);
	ck_assert(strncmp(out, LIST_FIRST, strlen(LIST_FIRST)) == 0);
	assert_ends(out, "</recordings>" PAGINATION("0", "10", "1", "false"));
	free(out);
	free(rec);
}
END_TEST

/* A page of recordings: ordered by startTime, then recordID, across the servers. */
START_TEST(test_xml_merge_page_order)
{
	char *a = recordings_reply("r5@500 r1@100 b@300 x@notanumber");
	char *b = recordings_reply("a@300 r0@-5 c@300");
	char *c = recordings_reply("r1@100 z@");
	const char *set[] = {a, b, c};
	char *out = merge("recordings", 0, 100, set, 3, NULL);

	/* startTime absent or not a number counts as 0; equal keys keep the order added */
	assert_items(out, "recordings", "recordID", "r0,x,z,r1,r1,a,b,c,r5");
	assert_ends(out, PAGINATION("0", "100", "9", "false"));
	free(out);

	/* without a page: the order added, no pagination */
	out = merge("recordings", 0, -1, set, 3, NULL);
	assert_items(out, "recordings", "recordID", "r5,r1,b,x,a,r0,c,r1,z");
	ck_assert_ptr_null(strstr(out, "<pagination>"));
	free(out);
	free(a);
	free(b);
	free(c);
}
END_TEST

/* [offset, offset + limit) of the merged order is kept; past the end the list is empty. */
START_TEST(test_xml_merge_page_window)
{
	char *a = recordings_reply("a@1 c@3 e@5");
	char *b = recordings_reply("b@2 d@4");
	const char *set[] = {a, b};
	char *out = merge("recordings", 1, 2, set, 2, NULL);

	assert_items(out, "recordings", "recordID", "b,c");
	assert_ends(out, PAGINATION("1", "2", "5", "false"));
	free(out);

	out = merge("recordings", 3, 10, set, 2, NULL);
	assert_items(out, "recordings", "recordID", "d,e");
	assert_ends(out, PAGINATION("3", "10", "5", "false"));
	free(out);

	out = merge("recordings", 4, 1, set, 2, NULL);
	assert_items(out, "recordings", "recordID", "e");
	free(out);

	/* offset past the end: the list is there, empty, and so says <empty> */
	out = merge("recordings", 5, 10, set, 2, NULL);
	assert_items(out, "recordings", "recordID", "");
	ck_assert_ptr_nonnull(strstr(out, "<recordings/>"));
	assert_ends(out, PAGINATION("5", "10", "5", "true"));
	free(out);
	out = merge("recordings", 1000000, 10, set, 2, NULL);
	assert_items(out, "recordings", "recordID", "");
	assert_ends(out, PAGINATION("1000000", "10", "5", "true"));
	free(out);

	/* a negative offset is 0 */
	out = merge("recordings", -3, 2, set, 2, NULL);
	assert_items(out, "recordings", "recordID", "a,b");
	assert_ends(out, PAGINATION("0", "2", "5", "false"));
	free(out);
	free(a);
	free(b);
}
END_TEST

/* limit is clamped to 1..100 as BBB clamps it. */
START_TEST(test_xml_merge_page_limit_clamped)
{
	struct gw_buf spec;
	char *a, *b, *got, *out;
	const char *set[2];

	gw_buf_init(&spec, OUT_MAX);
	for (int i = 0; i < 60; i++)
		ck_assert_int_eq(gw_buf_appendf(&spec, "%sr%03d@%d", i > 0 ? " " : "", i, 1000 + i),
				 GW_OK);
	a = recordings_reply(gw_buf_str(&spec));
	gw_buf_reset(&spec);
	for (int i = 60; i < 130; i++)
		ck_assert_int_eq(
			gw_buf_appendf(&spec, "%sr%03d@%d", i > 60 ? " " : "", i, 1000 + i), GW_OK);
	b = recordings_reply(gw_buf_str(&spec));
	gw_buf_deinit(&spec);
	set[0] = b;
	set[1] = a;

	out = merge("recordings", 0, 0, set, 2, NULL);
	assert_items(out, "recordings", "recordID", "r000");
	assert_ends(out, PAGINATION("0", "1", "130", "false"));
	free(out);

	out = merge("recordings", 7, 1, set, 2, NULL);
	assert_items(out, "recordings", "recordID", "r007");
	free(out);

	out = merge("recordings", 0, 500, set, 2, NULL);
	got = items(out, "recordings", "recordID");
	ck_assert_ptr_nonnull(got);
	ck_assert_uint_eq(strlen(got), 100 * 5 - 1);
	ck_assert(strncmp(got, "r000,r001,", 10) == 0);
	assert_ends(got, ",r098,r099");
	assert_ends(out, PAGINATION("0", "100", "130", "false"));
	free(got);
	free(out);

	out = merge("recordings", 120, 100, set, 2, NULL);
	got = items(out, "recordings", "recordID");
	ck_assert_str_eq(got, "r120,r121,r122,r123,r124,r125,r126,r127,r128,r129");
	free(got);
	free(out);
	free(a);
	free(b);
}
END_TEST

/* A page ends with BBB's <pagination>; the servers' own go, wherever they were. */
START_TEST(test_xml_merge_pagination_replaced)
{
	char *paged = data("xml/get_recordings_paginated.xml");
	char *sim_page = data("bbbsim/get_recordings_page.xml");
	const char *moved = "<response><returncode>SUCCESS</returncode><pagination><totalElements>"
			    "99</totalElements></pagination><recordings><recording><recordID>m"
			    "</recordID><startTime>1</startTime></recording></recordings>"
			    "<pagination/></response>";
	const char *set[] = {paged, sim_page, moved};
	char *out = merge("recordings", 1, 3, set, 3, NULL);
	char *last;

	ck_assert_uint_eq(count_elems(out, "pagination"), 1);
	last = last_elem(out);
	ck_assert_str_eq(last, "pagination");
	free(last);
	assert_items(out, "recordings", "recordID", SIM_A72_1 "," SIM_BE5 "," PAGED_3C5);
	assert_ends(out, "</recordings>\n        " PAGINATION("1", "3", "5", "false"));
	ck_assert_ptr_null(strstr(out, "<pageSize>"));
	free(out);

	/* moved as the frame: both of its <pagination> go */
	set[0] = moved;
	set[2] = paged;
	out = merge("recordings", 0, 1, set, 3, NULL);
	ck_assert_uint_eq(count_elems(out, "pagination"), 1);
	ck_assert_str_eq(out, "<response><returncode>SUCCESS</returncode><recordings><recording>"
			      "<recordID>m</recordID><startTime>1</startTime></recording>"
			      "</recordings>" PAGINATION("0", "1", "5", "false"));
	free(out);

	/* not a page: a server's <pagination> is left as it is */
	out = merge("recordings", 0, -1, set, 1, NULL);
	ck_assert_str_eq(out, moved);
	free(out);
	free(paged);
	free(sim_page);
}
END_TEST

/* hooks/list with qualify: each hookID becomes "<server>:<id>", escaped as text. */
START_TEST(test_xml_merge_hooks_qualified)
{
	char *many = data("xml/hooks_list_many.xml");
	char *one = data("xml/hooks_list_one.xml");
	const char *odd = "<response><returncode>SUCCESS</returncode><hooks>"
			  "<hook><hookID>a&amp;b</hookID></hook>"
			  "<hook><hookID><![CDATA[<7>]]></hookID></hook>"
			  "<hook><callbackURL>no id</callbackURL></hook>"
			  "<hook><hookID/></hook></hooks></response>";
	struct gw_xml_merge *m = new_merge("hooks", 0, -1);
	char *out;

	add(m, many, "bbb1", GW_XML_PART_ADDED);
	add(m, one, "bbb2", GW_XML_PART_ADDED);
	add(m, odd, "bbb2", GW_XML_PART_ADDED);
	add(m, one, "x<&\">y", GW_XML_PART_ADDED);
	out = finish(m);
	assert_items(out, "hooks", "hookID",
		     "bbb1:1,bbb1:2,bbb1:3,bbb2:1,bbb2:a&b,bbb2:<7>,-,bbb2:,x<&\">y:1");
	ck_assert_ptr_nonnull(strstr(out, "<hookID>bbb2:a&amp;b</hookID>"));
	ck_assert_ptr_nonnull(strstr(out, "<hookID>bbb2:&lt;7&gt;</hookID>"));
	ck_assert_ptr_nonnull(strstr(out, "<hookID>x&lt;&amp;\"&gt;y:1</hookID>"));
	/* the rest of a hook is as the server wrote it */
	ck_assert_ptr_nonnull(strstr(out, "<![CDATA[https://lms.example.edu/bbb/events?course=7&"));
	free(out);

	/* without qualify the ids stay */
	m = new_merge("hooks", 0, -1);
	add(m, many, NULL, GW_XML_PART_ADDED);
	add(m, odd, NULL, GW_XML_PART_ADDED);
	out = finish(m);
	assert_items(out, "hooks", "hookID", "1,2,3,a&b,<7>,-,");
	free(out);
	free(many);
	free(one);
}
END_TEST

/* Missing servers are named in <incomplete>, escaped, before <pagination>. */
START_TEST(test_xml_merge_incomplete_before_pagination)
{
	char *rec = data("bbbsim/get_recordings_default.xml");
	char *meetings = data("xml/get_meetings_one.xml");
	const char *stale = "<response><returncode>SUCCESS</returncode><meetings/><incomplete>"
			    "<server>old</server></incomplete></response>";
	struct gw_xml_merge *m = new_merge("recordings", 0, 2);
	char *out;
	size_t n;

	ck_assert_int_eq(gw_xml_merge_missing(m, "bbb3"), GW_OK);
	add(m, rec, NULL, GW_XML_PART_ADDED);
	ck_assert_int_eq(gw_xml_merge_missing(m, "a<b&c>\"d'"), GW_OK);
	out = finish(m);
	ck_assert_ptr_nonnull(strstr(out, "</recordings>\n        <incomplete><server>bbb3</server>"
					  "<server>a&lt;b&amp;c&gt;\"d'</server></incomplete>"
					  "<pagination>"));
	assert_ends(out, PAGINATION("0", "2", "4", "false"));
	assert_items(out, "recordings", "recordID", SIM_A72_1 "," SIM_BE5);
	free(out);

	/* no page: <incomplete> is last; the frame's own is replaced */
	m = new_merge("meetings", 0, -1);
	add(m, stale, NULL, GW_XML_PART_ADDED);
	add(m, meetings, NULL, GW_XML_PART_ADDED);
	ck_assert_int_eq(gw_xml_merge_missing(m, "bbb2"), GW_OK);
	out = finish(m);
	ck_assert(strncmp(out, OK_MEETINGS "<meetings><meeting>", strlen(OK_MEETINGS) + 19) == 0);
	assert_ends(out, "</meetings><incomplete><server>bbb2</server></incomplete></response>");
	ck_assert_uint_eq(count_elems(out, "incomplete"), 1);
	ck_assert_ptr_null(strstr(out, "old"));
	assert_items(out, "meetings", "meetingID", "bio-101");
	free(out);

	/* names past the cap are left out; the merge goes on */
	m = new_merge("meetings", 0, -1);
	for (int i = 0; i < 1000; i++)
		ck_assert_int_eq(gw_xml_merge_missing(m, "server-name"), GW_OK);
	add(m, NO_MEETINGS, NULL, GW_XML_PART_ADDED);
	out = finish(m);
	ck_assert_uint_eq(count_elems(out, "incomplete"), 1);
	ck_assert_ptr_nonnull(strstr(out, "<incomplete><server>server-name</server>"));
	/* 4096 bytes of names, each with its NUL: 341 of "server-name" */
	n = 0;
	for (const char *p = strstr(out, "<server>"); p != NULL; p = strstr(p + 1, "<server>"))
		n++;
	ck_assert_uint_eq(n, 4096 / sizeof("server-name"));
	free(out);
	free(rec);
	free(meetings);
}
END_TEST

/* The XML declaration is written when the frame had one, and only then. */
START_TEST(test_xml_merge_declaration_from_frame)
{
	const char *decl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
	const char *latin = "<?xml version='1.0' encoding='ISO-8859-1'?><response><returncode>"
			    "SUCCESS</returncode><meetings><meeting><meetingID>caf\xe9</meetingID>"
			    "</meeting></meetings></response>";
	char *with = malloc(strlen(decl) + sizeof(NO_MEETINGS));
	const char *set[2];
	char *out;

	ck_assert_ptr_nonnull(with);
	memcpy(with, decl, strlen(decl));
	memcpy(with + strlen(decl), NO_MEETINGS, sizeof(NO_MEETINGS));
	set[0] = with;
	set[1] = NO_MEETINGS;
	out = merge("meetings", 0, -1, set, 2, NULL);
	ck_assert_str_eq(out, with);
	free(out);

	set[0] = NO_MEETINGS;
	set[1] = with;
	out = merge("meetings", 0, -1, set, 2, NULL);
	ck_assert_str_eq(out, NO_MEETINGS);
	free(out);

	/* the text is UTF-8 whatever the frame's encoding was */
	set[0] = latin;
	out = merge("meetings", 0, -1, set, 1, NULL);
	ck_assert(strncmp(out, decl, strlen(decl)) == 0);
	assert_items(out, "meetings", "meetingID", "caf\xc3\xa9");
	free(out);
	free(with);
}
END_TEST

/* Items of the other replies keep their namespaces in the frame. */
START_TEST(test_xml_merge_namespaced_items)
{
	const char *frame = "<response xmlns:x=\"urn:frame\"><returncode>SUCCESS</returncode>"
			    "<meetings><x:meeting><meetingID>f</meetingID></x:meeting></meetings>"
			    "</response>";
	const char *other = "<response xmlns:x=\"urn:other\" xmlns=\"urn:default\"><returncode>"
			    "SUCCESS</returncode><meetings><x:meeting x:a=\"1\"><meetingID>o"
			    "</meetingID></x:meeting></meetings></response>";
	const char *set[] = {frame, other};
	char *out = merge("meetings", 0, -1, set, 2, NULL);
	xmlDocPtr doc = reread(out);
	xmlNodePtr list = elem(xmlDocGetRootElement(doc), "meetings");
	xmlNodePtr first = xmlFirstElementChild(list);
	xmlNodePtr second = xmlNextElementSibling(first);

	ck_assert_ptr_nonnull(second);
	ck_assert_str_eq((const char *)first->ns->href, "urn:frame");
	ck_assert_str_eq((const char *)second->ns->href, "urn:other");
	ck_assert_str_eq((const char *)second->properties->ns->href, "urn:other");
	ck_assert_str_eq((const char *)xmlFirstElementChild(second)->ns->href, "urn:default");
	xmlFreeDoc(doc);
	free(out);
}
END_TEST

/* A DOCTYPE is no BBB reply: its entities are never expanded, external ones never read. */
START_TEST(test_xml_merge_doctype_refused)
{
	static const char *const dtd[] = {
		"<!DOCTYPE response [<!ENTITY x \"SECRET\">]><response><returncode>SUCCESS"
		"</returncode><hooks><hook><hookID>&x;</hookID><n>&x;</n></hook></hooks>"
		"</response>",
		"<!DOCTYPE response [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><response>"
		"<returncode>SUCCESS</returncode><hooks><hook><hookID>&x;</hookID><n>&x;</n>"
		"</hook></hooks></response>",
		"<?xml version=\"1.0\"?><!DOCTYPE response SYSTEM \"file:///etc/passwd\">"
		"<response><returncode>SUCCESS</returncode><hooks/></response>",
		"<!DOCTYPE response><response><returncode>SUCCESS</returncode><hooks/></response>",
	};
	char *one = data("xml/hooks_list_one.xml");
	struct gw_xml_merge *m;
	char *out;

	for (size_t i = 0; i < GW_ARRAY_SIZE(dtd); i++) {
		m = new_merge("hooks", 0, -1);
		add(m, dtd[i], "bbb1", GW_XML_PART_BAD);
		ck_assert(!gw_xml_merge_any(m));
		add(m, one, "bbb2", GW_XML_PART_ADDED);
		add(m, dtd[i], "bbb1", GW_XML_PART_BAD);
		out = finish(m);
		ck_assert_ptr_null(strstr(out, "SECRET"));
		ck_assert_ptr_null(strstr(out, "root:"));
		ck_assert_ptr_null(strstr(out, "&x;"));
		assert_items(out, "hooks", "hookID", "bbb2:1");
		free(out);
	}
	free(one);
}
END_TEST

/* finish needs a reply, and runs once. */
START_TEST(test_xml_merge_finish_needs_reply)
{
	struct gw_xml_merge *m = new_merge("meetings", 0, -1);
	struct gw_buf out;

	gw_buf_init(&out, OUT_MAX);
	ck_assert(!gw_xml_merge_any(m));
	ck_assert_int_eq(gw_xml_merge_finish(m, &out), GW_E_INTERNAL);
	ck_assert_uint_eq(out.len, 0);
	gw_xml_merge_free(m);

	m = new_merge("recordings", 0, 10);
	ck_assert_int_eq(gw_xml_merge_missing(m, "bbb1"), GW_OK);
	add(m, "<response><returncode>FAILED</returncode></response>", NULL, GW_XML_PART_FAILED);
	add(m, "nope", NULL, GW_XML_PART_BAD);
	ck_assert_int_eq(gw_xml_merge_finish(m, &out), GW_E_INTERNAL);
	ck_assert_uint_eq(out.len, 0);
	gw_xml_merge_free(m);

	m = new_merge("meetings", 0, -1);
	add(m, NO_MEETINGS, NULL, GW_XML_PART_ADDED);
	ck_assert_int_eq(gw_xml_merge_finish(m, &out), GW_OK);
	ck_assert_str_eq(gw_buf_str(&out), NO_MEETINGS);
	ck_assert_int_eq(gw_xml_merge_finish(m, &out), GW_E_INTERNAL);
	ck_assert_str_eq(gw_buf_str(&out), NO_MEETINGS);
	gw_xml_merge_free(m);
	gw_buf_deinit(&out);

	/* freed unfinished, with items of the frame and of others */
	m = new_merge("meetings", 0, 5);
	add(m, OK_MEETINGS "<meetings><meeting/><meeting/></meetings></response>", NULL,
	    GW_XML_PART_ADDED);
	add(m, OK_MEETINGS "<meetings><meeting/></meetings></response>", NULL, GW_XML_PART_ADDED);
	gw_xml_merge_free(m);
	gw_xml_merge_free(NULL);
}
END_TEST

/* The reply goes after what out holds, within out's limit; past it out is as it was. */
START_TEST(test_xml_merge_finish_within_limit)
{
	char *rec = data("bbbsim/get_recordings_default.xml");
	char *want;
	size_t n;
	struct gw_xml_merge *m;
	struct gw_buf out;

	m = new_merge("recordings", 0, 3);
	add(m, "<?xml version=\"1.0\"?>\n<response><returncode>SUCCESS</returncode></response>",
	    NULL, GW_XML_PART_ADDED);
	add(m, rec, NULL, GW_XML_PART_ADDED);
	want = finish(m);
	n = strlen(want);
	ck_assert(strncmp(want, "<?xml", 5) == 0);

	for (size_t max = 0; max <= n + 4; max += max < 64 || max + 64 > n ? 1 : 97) {
		gw_buf_init(&out, max);
		if (max >= 4)
			ck_assert_int_eq(gw_buf_append_str(&out, "kept"), GW_OK);
		m = new_merge("recordings", 0, 3);
		add(m,
		    "<?xml version=\"1.0\"?>\n<response><returncode>SUCCESS</returncode>"
		    "</response>",
		    NULL, GW_XML_PART_ADDED);
		add(m, rec, NULL, GW_XML_PART_ADDED);
		if (max >= n + 4) {
			ck_assert_int_eq(gw_xml_merge_finish(m, &out), GW_OK);
			ck_assert(strncmp(gw_buf_str(&out), "kept", 4) == 0);
			ck_assert_str_eq(gw_buf_str(&out) + 4, want);
		} else {
			ck_assert_int_eq(gw_xml_merge_finish(m, &out), GW_E_TOO_LARGE);
			ck_assert_str_eq(gw_buf_str(&out), max >= 4 ? "kept" : "");
		}
		gw_xml_merge_free(m);
		gw_buf_deinit(&out);
	}
	free(want);
	free(rec);
}
END_TEST

/* The simulator's replies, as two servers of a fleet give them, paged across both. */
START_TEST(test_xml_merge_simulator_pages)
{
	char *all = data("bbbsim/get_recordings_default.xml");
	char *page = data("bbbsim/get_recordings_page.xml");
	char *chem = data("bbbsim/get_recordings_chem_paged.xml");
	const char *set[] = {page, all, chem};
	char *out = merge("recordings", 0, 100, set, 3, NULL);

	assert_items(out, "recordings", "recordID",
		     SIM_A72_1 "," SIM_A72_1 "," SIM_BE5 "," SIM_BE5 "," SIM_64D "," SIM_64D
			       "," SIM_A72_2 "," SIM_A72_2);
	assert_ends(out, PAGINATION("0", "100", "8", "false"));
	ck_assert_uint_eq(count_elems(out, "pagination"), 1);
	free(out);

	out = merge("recordings", 5, 2, set, 3, NULL);
	assert_items(out, "recordings", "recordID", SIM_64D "," SIM_A72_2);
	assert_items(out, "recordings", "name",
		     "Bio 101 (Room 1),Chem 202 - O'Neil's \"lab\" & <notes>");
	ck_assert_ptr_nonnull(strstr(out, "<name>Chem 202 - O'Neil's \"lab\" &amp; "
					  "&lt;notes&gt;</name>"));
	assert_ends(out, PAGINATION("5", "2", "8", "false"));
	free(out);
	free(all);
	free(page);
	free(chem);
}
END_TEST

static Suite *xml_merge_suite(void)
{
	Suite *s = suite_create("xml_merge");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_xml_merge_meetings_in_add_order);
	tcase_add_test(tc, test_xml_merge_all_empty_keeps_no_items);
	tcase_add_test(tc, test_xml_merge_failed_and_bad_left_out);
	tcase_add_test(tc, test_xml_merge_list_made_after_returncode);
	tcase_add_test(tc, test_xml_merge_page_order);
	tcase_add_test(tc, test_xml_merge_page_window);
	tcase_add_test(tc, test_xml_merge_page_limit_clamped);
	tcase_add_test(tc, test_xml_merge_pagination_replaced);
	tcase_add_test(tc, test_xml_merge_hooks_qualified);
	tcase_add_test(tc, test_xml_merge_incomplete_before_pagination);
	tcase_add_test(tc, test_xml_merge_declaration_from_frame);
	tcase_add_test(tc, test_xml_merge_namespaced_items);
	tcase_add_test(tc, test_xml_merge_doctype_refused);
	tcase_add_test(tc, test_xml_merge_finish_needs_reply);
	tcase_add_test(tc, test_xml_merge_finish_within_limit);
	tcase_add_test(tc, test_xml_merge_simulator_pages);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(xml_merge_suite)
