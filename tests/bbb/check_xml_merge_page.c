/*
 * check_xml_merge_page.c - a page of the fleet's merged getRecordings
 * (xml_merge.h): ordered by startTime then recordID across the servers,
 * [offset, offset + limit) kept with limit clamped to 1..100, and one
 * <pagination> as BBB writes it, the servers' own replaced; on the
 * simulator's replies too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "testutil.h"
#include "xml_merge.h"
#include "xmlmergefix.h"

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

static Suite *xml_merge_page_suite(void)
{
	Suite *s = suite_create("xml_merge_page");
	TCase *tc = tcase_create("page");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_xml_merge_page_order);
	tcase_add_test(tc, test_xml_merge_page_window);
	tcase_add_test(tc, test_xml_merge_page_limit_clamped);
	tcase_add_test(tc, test_xml_merge_pagination_replaced);
	tcase_add_test(tc, test_xml_merge_simulator_pages);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(xml_merge_page_suite)
