/*
 * check_xml_tenant_limits.c - the tenant rewrite's limits: an item over
 * its cap, truncated replies, depth, bad set-up, the sink's calls and
 * errors, appending to a buffer, and random garbage.
 */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "gw_limits.h"
#include "testutil.h"
#include "xmltenantfix.h"

/* ---- caps and refusals ---- */

/* Held bytes are capped; once decided an item streams, so only the undecided part counts. */
#define LIST_HEAD "<response><meetings>"
#define LIST_TAIL "</meetings></response>"

/* One meeting of 1,000 attendees, its meetingID first or last; caller frees. */
static char *big_item(bool id_first)
{
	static const char id[] = "<meetingID>lms~a</meetingID>";
	struct gw_buf b;
	int i;

	gw_buf_init(&b, 1u << 20);
	ck_assert_int_eq(gw_buf_append_str(&b, LIST_HEAD "<meeting>"), GW_OK);
	ck_assert_int_eq(gw_buf_append_str(&b, id_first ? id : ""), GW_OK);
	for (i = 0; i < 1000; i++)
		ck_assert_int_eq(gw_buf_append_str(&b, "<attendee><userID>u</userID></attendee>"),
				 GW_OK);
	ck_assert_int_eq(gw_buf_append_str(&b, id_first ? "" : id), GW_OK);
	ck_assert_int_eq(gw_buf_append_str(&b, "</meeting>" LIST_TAIL), GW_OK);
	return gw_buf_take(&b, NULL);
}

/* Held bytes are capped; once decided an item streams, so only the undecided part counts. */
START_TEST(test_xml_tenant_item_over_cap)
{
	char *early = big_item(true);
	char *late = big_item(false);
	/* held until the decision: all of it but "</meeting>" and the prefix */
	size_t late_held = strlen(late) - strlen(LIST_HEAD "</meeting>" LIST_TAIL) - 4;
	enum gw_err err;
	char *got;

	/* the tenant's: decided after 33 bytes ("<meeting><meetingID>a</meetingID>"), then streamed */
	got = rewrite("lms~", early, 33, &err);
	ck_assert_int_eq(err, GW_OK);
	ck_assert_uint_eq(strlen(got), strlen(early) - 4);
	free(got);
	ck_assert_ptr_null(rewrite("lms~", early, 32, &err));
	ck_assert_int_eq(err, GW_E_UPSTREAM_BAD_REPLY);
	/* another tenant's: decided after 37 bytes too, then skipped */
	got = rewrite("gl~", early, 37, &err);
	ck_assert_int_eq(err, GW_OK);
	assert_text("other", got, LIST_HEAD LIST_TAIL);
	free(got);
	ck_assert_ptr_null(rewrite("gl~", early, 36, &err));
	ck_assert_int_eq(err, GW_E_UPSTREAM_BAD_REPLY);
	/* the meetingID last: all of it is held */
	ck_assert_ptr_null(rewrite("lms~", late, late_held - 1, &err));
	ck_assert_int_eq(err, GW_E_UPSTREAM_BAD_REPLY);
	got = rewrite("lms~", late, late_held, &err);
	ck_assert_int_eq(err, GW_OK);
	ck_assert_uint_eq(strlen(got), strlen(late) - 4);
	free(got);
	free(early);
	free(late);
}
END_TEST

START_TEST(test_xml_tenant_truncated)
{
	static const char *const cut[] = {
		"<response",
		"<response><returncode>SUCCESS</returncode>",
		"<response></response><",
		"<response/><!-- x",
		"<response/><!-- x --",
		"<r><x><![CDATA[ x ]]</x></r>",
		"<response/><?pi ?",
		"<response/><!DOCTYPE x",
		"<response/><a b=\">\"",
		"<response/></response",
		"<response><meetings><meeting><meetingID>lms~a</meetingID></meeting>",
		"<response><meetings><meeting>",
		"<response><meetings>\n",
		"<response><meetingID>lm",
		"<response><meetingID><![CDATA[lms~",
	};
	size_t i;

	for (i = 0; i < GW_ARRAY_SIZE(cut); i++)
		expect_err("lms~", cut[i], GW_E_UPSTREAM_BAD_REPLY);
	expect("lms~", "", "");
	expect("lms~", "not xml at all", "not xml at all");
	expect("lms~", "</stray><a/>x", "</stray><a/>x");
}
END_TEST

/* depth elements, one in the other, with middle in the innermost; caller frees. */
static char *nested(unsigned depth, const char *middle)
{
	struct gw_buf b;
	unsigned i;

	gw_buf_init(&b, 64u * 1024u * 1024u);
	for (i = 0; i < depth; i++)
		ck_assert_int_eq(gw_buf_append_str(&b, "<a>"), GW_OK);
	ck_assert_int_eq(gw_buf_append_str(&b, middle), GW_OK);
	for (i = 0; i < depth; i++)
		ck_assert_int_eq(gw_buf_append_str(&b, "</a >"), GW_OK);
	return gw_buf_take(&b, NULL);
}

START_TEST(test_xml_tenant_deep_nesting)
{
	/* at the cap: self-closing elements and other markup open nothing */
	char *ok = nested(GW_XML_MAX_DEPTH, "<b/><!--c--><?p?><![CDATA[<x>]]>t</c>");
	char *deep = nested(GW_XML_MAX_DEPTH + 1, "");
	char *deeper = nested(100000, "");
	enum gw_err err;

	expect("lms~", ok, ok);
	expect_err("lms~", deep, GW_E_UPSTREAM_BAD_REPLY);
	ck_assert_ptr_null(rewrite("lms~", deeper, BIG, &err));
	ck_assert_int_eq(err, GW_E_UPSTREAM_BAD_REPLY);
	free(ok);
	free(deep);
	free(deeper);
}
END_TEST

START_TEST(test_xml_tenant_bad_setup)
{
	struct gw_xml_tenant *t = NULL;

	ck_assert_int_eq(gw_xml_tenant_new("", 10, &t), GW_E_CONFIG);
	ck_assert_int_eq(gw_xml_tenant_new("a b", 10, &t), GW_E_CONFIG);
	ck_assert_int_eq(gw_xml_tenant_new("a<", 10, &t), GW_E_CONFIG);
	ck_assert_int_eq(gw_xml_tenant_new("\xc3\xa9", 10, &t), GW_E_CONFIG);
	ck_assert_int_eq(gw_xml_tenant_new("123456789012345678901234567890123", 10, &t),
			 GW_E_CONFIG);
	ck_assert_int_eq(gw_xml_tenant_new("lms~", 0, &t), GW_E_CONFIG);
	ck_assert_int_eq(gw_xml_tenant_new("lms~", SIZE_MAX, &t), GW_E_CONFIG);
	ck_assert_ptr_null(t);
	ck_assert(gw_xml_tenant_prefix_ok("12345678901234567890123456789012"));
	ck_assert(gw_xml_tenant_prefix_ok("aZ09._~-"));
	t = new_tenant("12345678901234567890123456789012", 1);
	gw_xml_tenant_free(t);
	gw_xml_tenant_free(NULL);
}
END_TEST

/* ---- the sink ---- */

START_TEST(test_xml_tenant_sink_calls)
{
	static const char doc[] = "<response><meetingID>gl~a</meetingID><x>y</x></response>";
	struct gw_xml_tenant *t = new_tenant("lms~", 100);
	struct sink s;

	/* unchanged bytes: one call per chunk */
	sink_init(&s);
	ck_assert_int_eq(gw_xml_tenant_feed(t, doc, 20, collect, &s), GW_OK);
	ck_assert_int_eq(gw_xml_tenant_feed(t, doc + 20, sizeof(doc) - 21, collect, &s), GW_OK);
	ck_assert_int_eq(gw_xml_tenant_feed(t, NULL, 0, collect, &s), GW_OK);
	ck_assert_int_eq(gw_xml_tenant_finish(t, collect, &s), GW_OK);
	ck_assert_uint_eq(s.calls, 2);
	assert_text("calls", gw_buf_str(&s.b), doc);
	ck_assert_int_eq(gw_xml_tenant_feed(t, "x", 1, collect, &s), GW_E_INTERNAL);
	gw_buf_deinit(&s.b);
	gw_xml_tenant_free(t);
	/* a cut-out prefix splits the chunk in two */
	t = new_tenant("gl~", 100);
	sink_init(&s);
	ck_assert_int_eq(gw_xml_tenant_feed(t, doc, sizeof(doc) - 1, collect, &s), GW_OK);
	ck_assert_int_eq(gw_xml_tenant_finish(t, collect, &s), GW_OK);
	ck_assert_uint_eq(s.calls, 2);
	assert_text("cut", gw_buf_str(&s.b),
		    "<response><meetingID>a</meetingID><x>y</x></response>");
	gw_buf_deinit(&s.b);
	gw_xml_tenant_free(t);
}
END_TEST

START_TEST(test_xml_tenant_sink_error_sticks)
{
	static const char doc[] = "<response><meetings><meeting><meetingID>lms~a</meetingID>"
				  "</meeting></meetings></response>";
	unsigned fail;

	for (fail = 1; fail <= 3; fail++) {
		struct gw_xml_tenant *t = new_tenant("lms~", 100);
		struct sink s;
		enum gw_err err = GW_OK;
		size_t i;

		sink_init(&s);
		s.fail_at = fail;
		for (i = 0; i < sizeof(doc) - 1 && err == GW_OK; i++)
			err = gw_xml_tenant_feed(t, doc + i, 1, collect, &s);
		ck_assert_int_eq(err, GW_E_IO);
		ck_assert_uint_eq(s.calls, fail);
		ck_assert_int_eq(gw_xml_tenant_feed(t, "<a/>", 4, collect, &s), GW_E_IO);
		ck_assert_int_eq(gw_xml_tenant_finish(t, collect, &s), GW_E_IO);
		ck_assert_uint_eq(s.calls, fail);
		gw_buf_deinit(&s.b);
		gw_xml_tenant_free(t);
	}
}
END_TEST

/* rewrite appends to what out holds, and leaves it as it was on error (its cap included). */
START_TEST(test_xml_tenant_rewrite_appends)
{
	struct gw_buf out;

	gw_buf_init(&out, 40);
	ck_assert_int_eq(gw_buf_append_str(&out, "head:"), GW_OK);
	ck_assert_int_eq(
		gw_xml_tenant_rewrite("lms~", "<meetingID>lms~a</meetingID>", 28, 10, &out), GW_OK);
	assert_text("appended", gw_buf_str(&out), "head:<meetingID>a</meetingID>");
	ck_assert_int_eq(gw_xml_tenant_rewrite("lms~", "<a>", 3, 10, &out),
			 GW_E_UPSTREAM_BAD_REPLY);
	ck_assert_int_eq(gw_xml_tenant_rewrite("lms~", "<a>0123456789</a>", 17, 10, &out),
			 GW_E_TOO_LARGE);
	ck_assert_int_eq(gw_xml_tenant_rewrite("", "<a/>", 4, 10, &out), GW_E_CONFIG);
	assert_text("unchanged", gw_buf_str(&out), "head:<meetingID>a</meetingID>");
	gw_buf_deinit(&out);
}
END_TEST

/* ---- garbage ---- */

static uint64_t next_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/*
 * Random soup of markup pieces: no crash; whole and in random chunks agree;
 * with no list names and a prefix that never starts, what passes is the
 * input (all of it on success).
 */
START_TEST(test_xml_tenant_garbage)
{
	static const char *const piece[] = {
		"<",    ">",         "/",         "/>",       "</",          "<!--",
		"-->",  "-",         "<![CDATA[", "]]>",      "]",           "<?",
		"?>",   "<!",        "\"",        "'",        " ",           "\n",
		"a",    "meetingID", "x:",        "meetings", "meeting",     "=",
		"lms~", "lm",        "&amp;",     "hooks",    "<meetingID>", "</meetingID>",
		"\0",   "\xff",
	};
	uint64_t x = 0x9e3779b97f4a7c15u;
	char doc[256];
	size_t cuts[8];
	int round;

	for (round = 0; round < 10000; round++) {
		size_t len = 0;
		size_t ncuts;
		size_t cap;
		size_t i;
		bool lists;
		struct sink whole;
		struct sink parts;
		enum gw_err e1;
		enum gw_err e2;

		while (len < 200) {
			const char *p = piece[next_rand(&x) % GW_ARRAY_SIZE(piece)];
			size_t n = p[0] == '\0' ? 1 : strlen(p);

			memcpy(doc + len, p, n);
			len += n;
		}
		ncuts = next_rand(&x) % 8;
		for (i = 0; i < ncuts; i++)
			cuts[i] = next_rand(&x) % (len + 1);
		for (i = 1; i < ncuts; i++) {
			size_t j = i;

			while (j > 0 && cuts[j - 1] > cuts[j]) {
				size_t tmp = cuts[j];

				cuts[j] = cuts[j - 1];
				cuts[j - 1] = tmp;
				j--;
			}
		}
		cap = 1 + next_rand(&x) % 64;
		sink_init(&whole);
		sink_init(&parts);
		e1 = feed_cuts("lms~", doc, len, cap, NULL, 0, &whole);
		e2 = feed_cuts("lms~", doc, len, cap, cuts, ncuts, &parts);
		ck_assert(e1 == GW_OK || e1 == GW_E_UPSTREAM_BAD_REPLY);
		ck_assert_int_eq(e1, e2);
		if (e1 == GW_OK)
			ck_assert(whole.b.len == parts.b.len &&
				  (whole.b.len == 0 ||
				   memcmp(whole.b.data, parts.b.data, whole.b.len) == 0));
		gw_buf_deinit(&parts.b);
		sink_init(&parts);
		lists = memmem(doc, len, "meetings", 8) != NULL ||
			memmem(doc, len, "hooks", 5) != NULL;
		e2 = feed_cuts("Q", doc, len, 8, cuts, ncuts, &parts);
		ck_assert(e2 == GW_OK || e2 == GW_E_UPSTREAM_BAD_REPLY);
		if (!lists) {
			ck_assert(parts.b.len <= len);
			ck_assert(parts.b.len == 0 || memcmp(parts.b.data, doc, parts.b.len) == 0);
			if (e2 == GW_OK)
				ck_assert_uint_eq(parts.b.len, len);
		}
		gw_buf_deinit(&whole.b);
		gw_buf_deinit(&parts.b);
	}
}
END_TEST

static Suite *xml_tenant_limits_suite(void)
{
	Suite *s = suite_create("xml_tenant_limits");
	TCase *limits = tcase_create("limits");

	tcase_add_test(limits, test_xml_tenant_item_over_cap);
	tcase_add_test(limits, test_xml_tenant_truncated);
	tcase_add_test(limits, test_xml_tenant_deep_nesting);
	tcase_add_test(limits, test_xml_tenant_bad_setup);
	tcase_add_test(limits, test_xml_tenant_sink_calls);
	tcase_add_test(limits, test_xml_tenant_sink_error_sticks);
	tcase_add_test(limits, test_xml_tenant_rewrite_appends);
	tcase_add_test(limits, test_xml_tenant_garbage);
	tcase_set_timeout(limits, 300);
	suite_add_tcase(s, limits);
	return s;
}

GW_TEST_MAIN(xml_tenant_limits_suite)
