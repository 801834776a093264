/*
 * check_xml2json_stream.c - the XML -> JSON converter fed in chunks: every
 * split point of golden replies gives the one-shot text, pre-scan refusals
 * hold however the bytes are cut, repeated names at several depths, text
 * identical to jansson's dump, and the JSON cap and the deadline while the
 * reply streams in.
 */
#include <check.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "gw_limits.h"
#include "testutil.h"
#include "xml2json.h"
#include "xml2jsonfix.h"

/* Feeds xml in pieces of `step` bytes after a first piece of `first`; finish's result. */
static enum gw_err convert_chunked(const char *xml, size_t len, size_t first, size_t step,
				   uint64_t deadline_ms, struct gw_bbb_reply *out)
{
	struct gw_xml2json *c;
	enum gw_err err;
	size_t off = first < len ? first : len;

	ck_assert_int_eq(gw_xml2json_new(deadline_ms, len, &c), GW_OK);
	err = gw_xml2json_feed(c, xml, off);
	while (err == GW_OK && off < len) {
		size_t k = len - off < step ? len - off : step;

		err = gw_xml2json_feed(c, xml + off, k);
		off += k;
	}
	if (err == GW_OK)
		err = gw_xml2json_finish(c, out);
	gw_xml2json_free(c);
	return err;
}

static void assert_same_reply(const char *what, struct gw_bbb_reply *got, struct gw_bbb_reply *want)
{
	ck_assert_msg(got->body_len == want->body_len &&
			      memcmp(got->body, want->body, got->body_len) == 0,
		      "%s: body differs\n%s\n%s", what, got->body, want->body);
	ck_assert(got->success == want->success);
	ck_assert(json_equal(got->errors, want->errors) || (got->errors == want->errors));
}

/* Split at every byte into two pieces, and fed a byte at a time: the same text as one piece. */
START_TEST(test_xml2json_chunked_every_split)
{
	static const char *const names[] = {"get_meeting_info_one_attendee", "create_duplicate",
					    "create_errors_list", "get_recordings_paginated",
					    "docs_get_recordings"};
	struct gw_bbb_reply whole;
	struct gw_bbb_reply part;
	char path[256];
	char *xml;
	size_t len;
	size_t i;
	size_t at;

	for (i = 0; i < GW_ARRAY_SIZE(names); i++) {
		snprintf(path, sizeof(path), "xml/%s.xml", names[i]);
		xml = gw_test_read_data(path, &len);
		ck_assert_int_eq(gw_xml2json_convert(xml, len, 0, &whole), GW_OK);
		for (at = 0; at <= len; at++) {
			ck_assert_int_eq(convert_chunked(xml, len, at, len, 0, &part), GW_OK);
			assert_same_reply(names[i], &part, &whole);
			gw_bbb_reply_deinit(&part);
		}
		ck_assert_int_eq(convert_chunked(xml, len, 1, 1, 0, &part), GW_OK);
		assert_same_reply(names[i], &part, &whole);
		gw_bbb_reply_deinit(&part);
		gw_bbb_reply_deinit(&whole);
		free(xml);
	}
}
END_TEST

/* What the pre-scan refuses, it refuses however the bytes are cut. */
START_TEST(test_xml2json_prescan_across_chunks)
{
	static const char *const bad[] = {
		"<!DOCTYPE response><response><returncode>SUCCESS</returncode></response>",
		"<response><returncode>SUCCESS</returncode><!DOCTYPE x></response>",
		"<?xml version=\"1.0\" encoding=\"UTF-7\"?><response><returncode>SUCCESS"
		"</returncode></response>",
		"<response><returncode>SUCCESS</returncode><m>&foo;</m></response>",
		"<response><returncode>SUCCESS</returncode><m>a\0b</m></response>",
		/* libxml2 2.9's push parser ends these comments early: refused whole and in chunks */
		"<response><!-->x--><returncode>SUCCESS</returncode></response>",
		"<response><!--->x--><returncode>SUCCESS</returncode></response>",
	};
	static const char good[] = "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
				   "<response><!-- <!DOCTYPE in a comment --><returncode>SUCCESS"
				   "</returncode><a><![CDATA[<!DOCTYPE x>]]></a></response>";
	struct gw_bbb_reply r;
	struct gw_buf b;
	size_t i;
	size_t len;
	size_t at;
	size_t step;

	for (i = 0; i < GW_ARRAY_SIZE(bad); i++) {
		len = i == 4 ? strlen(bad[i]) + 4 : strlen(bad[i]);
		for (at = 0; at <= len; at++)
			ck_assert_int_eq(convert_chunked(bad[i], len, at, len, 0, &r),
					 GW_E_UPSTREAM_BAD_REPLY);
	}
	for (at = 0; at <= sizeof(good) - 1; at++) {
		ck_assert_int_eq(convert_chunked(good, sizeof(good) - 1, at, 1, 0, &r), GW_OK);
		ck_assert_str_eq(r.body, "{\"a\":\"<!DOCTYPE x>\"}");
		gw_bbb_reply_deinit(&r);
	}
	/* an attribute flood whose tag is cut into small pieces is still counted as one tag */
	for (step = 1; step <= 13; step += 3) {
		struct attr_form f = {" a", "=\"\""};

		attrs_reply(&b, GW_XML_MAX_ATTRIBUTES + 1, &f);
		ck_assert_int_eq(convert_chunked(b.data, b.len, step, step, 0, &r),
				 GW_E_UPSTREAM_BAD_REPLY);
		gw_buf_deinit(&b);
		attrs_reply(&b, GW_XML_MAX_ATTRIBUTES, &f);
		ck_assert_int_eq(convert_chunked(b.data, b.len, step, step, 0, &r), GW_OK);
		gw_bbb_reply_deinit(&r);
		gw_buf_deinit(&b);
	}
}
END_TEST

/* Repeated names become arrays at every depth, in first-appearance order; list items stay apart. */
START_TEST(test_xml2json_repeated_names_at_depths)
{
	struct gw_bbb_reply r;

	convert_ok("<response><returncode>SUCCESS</returncode><x>1</x><y/><x>2</x>"
		   "<a><b><c>1</c><d/><c>2</c><c>3</c></b><b><c>4</c></b><e>z</e></a>"
		   "<meetings><meeting><n>1</n><n>2</n></meeting><meeting><n>3</n></meeting>"
		   "</meetings><metadata><k>1</k><j/><k>2</k></metadata><x>3</x></response>",
		   &r);
	ck_assert_str_eq(r.body, "{\"x\":[\"1\",\"2\",\"3\"],\"y\":\"\",\"a\":{\"b\":[{\"c\":["
				 "\"1\","
				 "\"2\",\"3\"],\"d\":\"\"},{\"c\":\"4\"}],\"e\":\"z\"},"
				 "\"meetings\":"
				 "[{\"n\":[\"1\",\"2\"]},{\"n\":\"3\"}],\"metadata\":{\"k\":\"2\","
				 "\"j\":\"\"}}");
	gw_bbb_reply_deinit(&r);
}
END_TEST

/* Member order and escaping are jansson's compact dump's, byte for byte. */
START_TEST(test_xml2json_text_like_jansson)
{
	struct gw_bbb_reply r;
	json_t *j;
	char *dump;

	convert_ok("<response><returncode>SUCCESS</returncode><messageKey>k</messageKey>"
		   "<s>q\"b\\s/&#9;&#10;&#13;&#x7f;\xc3\xa9\xe2\x80\xa8</s><n>-0</n>"
		   "<running>true</running><createTime>1,000</createTime></response>",
		   &r);
	j = body_of(&r);
	dump = json_dumps(j, JSON_COMPACT);
	ck_assert_str_eq(r.body, dump);
	free(dump);
	gw_bbb_reply_deinit(&r);
}
END_TEST

/* The JSON cap holds while the reply streams in: past it, the feed fails. */
START_TEST(test_xml2json_cap_mid_stream)
{
	struct gw_xml2json *c;
	struct gw_bbb_reply r;
	char chunk[64];
	size_t i;
	enum gw_err err;

	ck_assert_int_eq(gw_xml2json_new(0, 4096, &c), GW_OK);
	err = gw_xml2json_feed(c, "<response><returncode>SUCCESS</returncode><l>", 46);
	for (i = 0; err == GW_OK && i < 100000; i++) {
		snprintf(chunk, sizeof(chunk), "<i>\"\"\"\"\"\"\"\"</i>");
		err = gw_xml2json_feed(c, chunk, strlen(chunk));
	}
	ck_assert_int_eq(err, GW_E_UPSTREAM_BAD_REPLY);
	ck_assert_uint_lt(i, 1000);
	ck_assert_int_eq(gw_xml2json_feed(c, "</l></response>", 15), GW_E_UPSTREAM_BAD_REPLY);
	ck_assert_int_eq(gw_xml2json_finish(c, &r), GW_E_UPSTREAM_BAD_REPLY);
	gw_xml2json_free(c);
}
END_TEST

/* The deadline is read at every chunk: a reply still arriving after it fails. */
START_TEST(test_xml2json_deadline_mid_stream)
{
	struct gw_xml2json *c;
	struct gw_bbb_reply r;
	struct timespec ts;
	uint64_t now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
	ck_assert_int_eq(gw_xml2json_new(now + 50, 1 << 20, &c), GW_OK);
	ck_assert_int_eq(gw_xml2json_feed(c, "<response><returncode>SUCCESS</returncode>", 42),
			 GW_OK);
	ts.tv_sec = 0;
	ts.tv_nsec = 100 * 1000 * 1000;
	nanosleep(&ts, NULL);
	ck_assert_int_eq(gw_xml2json_feed(c, "</response>", 11), GW_E_UPSTREAM_TIMEOUT);
	ck_assert_int_eq(gw_xml2json_finish(c, &r), GW_E_UPSTREAM_TIMEOUT);
	gw_xml2json_free(c);
	/* freed half-way, nothing leaks (checked under ASan/valgrind) */
	ck_assert_int_eq(gw_xml2json_new(0, 1 << 20, &c), GW_OK);
	ck_assert_int_eq(gw_xml2json_feed(c, "<response><returncode>SUCCESS</returncode><a><b>x",
					  49),
			 GW_OK);
	gw_xml2json_free(c);
}
END_TEST

static Suite *xml2json_stream_suite(void)
{
	Suite *s = suite_create("xml2json_stream");
	TCase *stream = tcase(s, "stream");

	tcase_set_timeout(stream, 60);
	tcase_add_test(stream, test_xml2json_chunked_every_split);
	tcase_add_test(stream, test_xml2json_prescan_across_chunks);
	tcase_add_test(stream, test_xml2json_repeated_names_at_depths);
	tcase_add_test(stream, test_xml2json_text_like_jansson);
	tcase_add_test(stream, test_xml2json_cap_mid_stream);
	tcase_add_test(stream, test_xml2json_deadline_mid_stream);
	return s;
}

GW_TEST_MAIN(xml2json_stream_suite)
