/*
 * check_bbb_merge.c - the merge of a fleet's converted list replies on
 * their text gives, byte for byte, what merging jansson trees gives: the
 * reference below parses each body, joins the lists, cuts the page and
 * dumps the result compact, as the fan-out did before it worked on text.
 * The bodies are the converter's output of the golden XML replies and a
 * few written by hand for the edges (no list, a warning, escapes in a
 * recordID, pages past the end, bodies that are not JSON).
 */
#include <stdlib.h>
#include <string.h>

#include "bbb_merge.h"
#include "testutil.h"
#include "xml2json.h"

/* ---- the reference: the merge on jansson trees ---- */

static int ref_by_start(const void *a, const void *b)
{
	json_t *ra = *(json_t *const *)a, *rb = *(json_t *const *)b;
	json_int_t sa = json_integer_value(json_object_get(ra, "startTime"));
	json_int_t sb = json_integer_value(json_object_get(rb, "startTime"));
	const char *ia = json_string_value(json_object_get(ra, "recordID"));
	const char *ib = json_string_value(json_object_get(rb, "recordID"));

	if (sa != sb)
		return sa < sb ? -1 : 1;
	return strcmp(ia != NULL ? ia : "", ib != NULL ? ib : "");
}

static void ref_cut_page(json_t *body, const char *key, long long offset, long long limit)
{
	json_t *list = json_object_get(body, key);
	size_t n = json_array_size(list), i;
	json_t **items = malloc((n + 1) * sizeof(*items));
	json_t *page = json_array();

	ck_assert_ptr_nonnull(items);
	for (i = 0; i < n; i++)
		items[i] = json_array_get(list, i);
	qsort(items, n, sizeof(*items), ref_by_start);
	for (i = (size_t)offset; i < n && (long long)(i - (size_t)offset) < limit; i++)
		json_array_append(page, items[i]);
	free(items);
	json_object_set_new(body, key, page);
	json_object_set_new(body, "pagination",
			    json_pack("{s:I, s:I, s:I}", "offset", (json_int_t)offset, "limit",
				      (json_int_t)limit, "totalElements", (json_int_t)n));
}

/* The merged body as trees give it, or NULL when no body parses. Caller frees. */
static char *ref_merge(const char *key, long long offset, long long limit,
		       const char *const *bodies, size_t n, const char *const *missing,
		       size_t n_missing)
{
	json_t *merged = NULL, *incomplete = json_array();
	char *text;

	for (size_t i = 0; i < n; i++) {
		json_t *body = json_loads(bodies[i], 0, NULL);

		if (merged == NULL)
			merged = json_deep_copy(body);
		else if (json_is_array(json_object_get(body, key)))
			json_array_extend(json_object_get(merged, key), json_object_get(body, key));
		if (merged != NULL && !json_is_array(json_object_get(merged, key)))
			json_object_set_new(merged, key, json_array());
		json_decref(body);
	}
	for (size_t i = 0; i < n_missing; i++)
		json_array_append_new(incomplete, json_string(missing[i]));
	if (merged == NULL) {
		json_decref(incomplete);
		return NULL;
	}
	if (json_array_size(json_object_get(merged, key)) > 0)
		json_object_del(merged, "warning");
	if (json_object_get(merged, "totalElements") != NULL)
		json_object_set_new(
			merged, "totalElements",
			json_integer((json_int_t)json_array_size(json_object_get(merged, key))));
	if (limit >= 0)
		ref_cut_page(merged, key, offset, limit);
	if (json_array_size(incomplete) > 0)
		json_object_set(merged, "incomplete", incomplete);
	json_decref(incomplete);
	text = json_dumps(merged, JSON_COMPACT);
	json_decref(merged);
	return text;
}

/* ---- the merge on text ---- */

/* The merged body, or NULL with *err set. Caller frees. */
static char *merge(const char *key, long long offset, long long limit, const char *const *bodies,
		   size_t n, const char *const *missing, size_t n_missing, enum gw_err *err)
{
	struct gw_bbb_merge m;
	char *text = NULL;
	size_t len = 0;

	gw_bbb_merge_init(&m, key, offset, limit);
	for (size_t i = 0; i < n; i++)
		gw_bbb_merge_add(&m, bodies[i], strlen(bodies[i]));
	for (size_t i = 0; i < n_missing; i++)
		ck_assert_int_eq(gw_bbb_merge_missing(&m, missing[i]), GW_OK);
	*err = gw_bbb_merge_finish(&m, &text, &len);
	gw_bbb_merge_deinit(&m);
	if (*err == GW_OK)
		ck_assert_uint_eq(len, strlen(text));
	return text;
}

/* Both merges agree (and there is a merged body). */
static void same(const char *key, long long offset, long long limit, const char *const *bodies,
		 size_t n, const char *const *missing, size_t n_missing)
{
	enum gw_err err;
	char *want = ref_merge(key, offset, limit, bodies, n, missing, n_missing);
	char *got = merge(key, offset, limit, bodies, n, missing, n_missing, &err);

	ck_assert_ptr_nonnull(want);
	ck_assert_int_eq(err, GW_OK);
	ck_assert_str_eq(got, want);
	free(want);
	free(got);
}

/* The converted body of tests/data/xml/<name>.xml. Caller frees. */
static char *converted(const char *name, bool hide_passwords, const char *tenant)
{
	char rel[128];
	size_t len;
	char *xml;
	struct gw_bbb_reply r;
	char *body;

	snprintf(rel, sizeof(rel), "xml/%s.xml", name);
	xml = gw_test_read_data(rel, &len);
	ck_assert_int_eq(gw_xml2json_convert_for(xml, len, 0, hide_passwords, tenant, &r), GW_OK);
	free(xml);
	body = gw_bbb_reply_take_body(&r, &len);
	gw_bbb_reply_deinit(&r);
	return body;
}

static const char *const missing2[] = {"bbb2", "bbb\xc3\xa9\"4"};

/* Every order of up to three of the golden replies of one call, with and without servers missing. */
static void golden(const char *key, const char *const *names, size_t n_names,
		   const long long (*pages)[2], size_t n_pages)
{
	char *bodies[8];
	const char *set[3];

	ck_assert_uint_le(n_names, 8);
	for (size_t i = 0; i < n_names; i++)
		bodies[i] = converted(names[i], i % 2 == 1, NULL);
	for (size_t a = 0; a < n_names; a++) {
		for (size_t b = 0; b < n_names; b++) {
			for (size_t c = 0; c < n_names; c++) {
				set[0] = bodies[a];
				set[1] = bodies[b];
				set[2] = bodies[c];
				for (size_t p = 0; p < n_pages; p++) {
					for (size_t k = 1; k <= 3; k++) {
						same(key, pages[p][0], pages[p][1], set, k, NULL,
						     0);
						same(key, pages[p][0], pages[p][1], set, k,
						     missing2, 2);
					}
				}
			}
		}
	}
	for (size_t i = 0; i < n_names; i++)
		free(bodies[i]);
}

START_TEST(test_bbb_merge_golden_meetings_and_hooks)
{
	static const char *const meetings[] = {"get_meetings_empty", "get_meetings_one",
					       "get_meetings_many"};
	static const char *const hooks[] = {"hooks_list_empty", "hooks_list_one",
					    "hooks_list_many"};
	static const long long none[][2] = {{0, -1}};

	golden("meetings", meetings, 3, none, 1);
	golden("hooks", hooks, 3, none, 1);
}
END_TEST

START_TEST(test_bbb_merge_golden_recordings_pages)
{
	static const char *const recordings[] = {"get_recordings_empty", "get_recordings_one",
						 "get_recordings_many", "get_recordings_paginated",
						 "docs_get_recordings"};
	static const long long pages[][2] = {{0, -1}, {0, 0}, {0, 1},   {1, 1},
					     {2, 10}, {5, 2}, {100, 5}, {0, 1000}};

	golden("recordings", recordings, 5, pages, 8);
}
END_TEST

START_TEST(test_bbb_merge_tenant_view)
{
	char *a = converted("get_meetings_many", false, "b~");
	char *b = converted("get_meetings_many", true, "");
	const char *set[] = {a, b, a};

	same("meetings", 0, -1, set, 3, missing2, 1);
	free(a);
	free(b);
}
END_TEST

/*
 * Recordings ordered by startTime, then recordID, decoded where it has
 * escapes (raw, "a\"z" would sort after "a["); an item that is not an
 * object, or a key of another type, counts as 0 or "".
 */
START_TEST(test_bbb_merge_page_order)
{
	static const char *const bodies[] = {
		"{\"recordings\":[{\"recordID\":\"b\",\"startTime\":5},"
		"{\"recordID\":\"a\\\"z\",\"startTime\":5},{\"startTime\":-3},"
		"{\"recordID\":\"a\",\"startTime\":5.5}],\"totalElements\":4,"
		"\"pagination\":{\"offset\":0,\"limit\":4,\"totalElements\":4}}",
		"{\"recordings\":[7,{\"recordID\":\"a[\",\"startTime\":5},"
		"{\"recordID\":\"a\\u0001\",\"startTime\":5},{\"recordID\":\"a\\t\",\"startTime\":"
		"5},"
		"{\"recordID\":\"ab\",\"startTime\":5},{\"recordID\":1,\"startTime\":\"5\"},"
		"{\"recordID\":\"\xc3\xa9\",\"startTime\":9223372036854775807},"
		"{\"recordID\":\"x\",\"startTime\":-9223372036854775808}]}",
	};
	enum gw_err err;
	char *got;

	for (long long off = 0; off < 12; off++) {
		for (long long lim = 0; lim < 12; lim++)
			same("recordings", off, lim, bodies, 2, NULL, 0);
	}
	got = merge("recordings", 0, 2, bodies, 2, NULL, 0, &err);
	ck_assert_int_eq(err, GW_OK);
	ck_assert_str_eq(got, "{\"recordings\":[{\"recordID\":\"x\",\"startTime\":"
			      "-9223372036854775808},{\"startTime\":-3}],\"totalElements\":12,"
			      "\"pagination\":{\"offset\":0,\"limit\":2,\"totalElements\":12}}");
	free(got);
}
END_TEST

/* The first body is the frame: its other members stay, in their places; new ones go last. */
START_TEST(test_bbb_merge_members)
{
	static const char *const no_list[] = {"{\"a\":1,\"warning\":{\"messageKey\":\"k\"}}",
					      "{\"meetings\":[{\"x\":[1,{}]}],\"b\":2}",
					      "{\"meetings\":{\"x\":1}}"};
	static const char *const warned[] = {"{\"meetings\":[],\"warning\":{\"messageKey\":"
					     "\"noMeetings\",\"message\":\"\"},"
					     "\"incomplete\":[\"old\"]}",
					     "{\"meetings\":[]}"};
	static const char *const not_array[] = {"{\"meetings\":\"x\",\"totalElements\":\"7\"}",
						"{\"meetings\":[true,null]}"};
	enum gw_err err;
	char *got;

	same("meetings", 0, -1, no_list, 3, missing2, 2);
	same("meetings", 0, -1, no_list + 2, 1, NULL, 0);
	same("meetings", 0, -1, warned, 2, NULL, 0);
	same("meetings", 0, -1, warned, 2, missing2, 1);
	same("meetings", 0, -1, not_array, 2, NULL, 0);
	same("recordings", 1, 1, no_list, 3, missing2, 2);
	got = merge("meetings", 0, -1, no_list, 3, missing2, 1, &err);
	ck_assert_int_eq(err, GW_OK);
	ck_assert_str_eq(got, "{\"a\":1,\"meetings\":[{\"x\":[1,{}]}],\"incomplete\":[\"bbb2\"]}");
	free(got);
}
END_TEST

/*
 * A body that is not a JSON object is left out, as parsing would leave it
 * out; none left: NOT_FOUND. (The scanner checks what it reads: the
 * body's members and the list's items, not every value of other members.)
 */
START_TEST(test_bbb_merge_bad_bodies_left_out)
{
	static const char *const bad[] = {
		"",
		"\"meetings\"",
		"{\"meetings\":[1,2}",
		"{\"meetings\":[\"a\\\"]}",
		"{\"meetings\":[1 2]}",
		"{\"meetings\":[1],}",
		"{\"meetings\":[1]} x",
		"{\"meetings\":[1],\"a\"}",
		"{\"meetings\":[1]",
		"{\"meetings\":[{\"a\":1]}]}",
	};
	const char *set[3];
	enum gw_err err;
	char *got;

	set[1] = "{\"meetings\":[1,{\"b\":\"\\\\\"}]}";
	for (size_t i = 0; i < GW_ARRAY_SIZE(bad); i++) {
		set[0] = bad[i];
		set[2] = bad[i];
		ck_assert_ptr_null(merge("meetings", 0, -1, set, 1, NULL, 0, &err));
		ck_assert_int_eq(err, GW_E_NOT_FOUND);
		same("meetings", 0, -1, set, 3, NULL, 0);
		same("meetings", 1, 1, set, 3, NULL, 0);
	}
	got = merge("meetings", 0, -1, NULL, 0, missing2, 2, &err);
	ck_assert_ptr_null(got);
	ck_assert_int_eq(err, GW_E_NOT_FOUND);
}
END_TEST

static Suite *bbb_merge_suite(void)
{
	Suite *s = suite_create("bbb_merge");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_bbb_merge_golden_meetings_and_hooks);
	tcase_add_test(tc, test_bbb_merge_golden_recordings_pages);
	tcase_add_test(tc, test_bbb_merge_tenant_view);
	tcase_add_test(tc, test_bbb_merge_page_order);
	tcase_add_test(tc, test_bbb_merge_members);
	tcase_add_test(tc, test_bbb_merge_bad_bodies_left_out);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(bbb_merge_suite)
