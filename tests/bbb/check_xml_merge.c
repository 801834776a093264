/*
 * check_xml_merge.c - the fleet's XML list merge (xml_merge.h): the
 * servers' getMeetings, getRecordings and hooks/list replies, real ones
 * from tests/data and the simulator's, joined into one BBB reply. The
 * merged text is read back with libxml2 to check its items, their order
 * and the elements around them; the BBB-written parts (<pagination>,
 * <incomplete>, the declaration) are compared as text. Pages of
 * recordings are in check_xml_merge_page.c.
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
#include "xmlmergefix.h"

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
/* [offset, offset + limit) of the merged order is kept; past the end the list is empty. */
/* limit is clamped to 1..100 as BBB clamps it. */
/* A page ends with BBB's <pagination>; the servers' own go, wherever they were. */
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
static Suite *xml_merge_suite(void)
{
	Suite *s = suite_create("xml_merge");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_xml_merge_meetings_in_add_order);
	tcase_add_test(tc, test_xml_merge_all_empty_keeps_no_items);
	tcase_add_test(tc, test_xml_merge_failed_and_bad_left_out);
	tcase_add_test(tc, test_xml_merge_list_made_after_returncode);
	tcase_add_test(tc, test_xml_merge_hooks_qualified);
	tcase_add_test(tc, test_xml_merge_incomplete_before_pagination);
	tcase_add_test(tc, test_xml_merge_declaration_from_frame);
	tcase_add_test(tc, test_xml_merge_namespaced_items);
	tcase_add_test(tc, test_xml_merge_doctype_refused);
	tcase_add_test(tc, test_xml_merge_finish_needs_reply);
	tcase_add_test(tc, test_xml_merge_finish_within_limit);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(xml_merge_suite)
