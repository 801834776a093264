/*
 * check_bbb_api_complete.c - what gw_bbb_complete makes of BBB's answers:
 * SUCCESS to the finish function, FAILED by messageKey (not found, a
 * checksum error naming the setting and not the secret, conflicts, the
 * errors list), bad XML, the raw reply passed on, the probe's reply, the
 * on-failed hook, JSON replies (SUCCESS, FAILED with BBB's long and short
 * keys, an XML fallback, bad envelopes, raw); and handler_admin's /readyz
 * and API root on top of the probe (Accept ignored, BBB's versions).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bbb_api.h"
#include "bbbapifix.h"
#include "config.h"
#include "handlers.h"
#include "request.h"
#include "testutil.h"

/* ---- handler_admin on top of bbb_api: the probe's reply ---- */

START_TEST(test_bbb_api_readyz_ignores_accept_xml)
{
	x->req.accept = gw_test_xstrdup(x, "application/xml");
	gw_handle_readyz(x);
	ck_assert(!x->bbb.raw_reply);
	upstream_done(GW_E_UPSTREAM_CONNECT, 0, NULL);
	gw_bbb_complete(x);
	ck_assert_int_eq(x->resp.status, 503);
	ck_assert_ptr_nonnull(gw_test_header(x, "Retry-After"));
}
END_TEST

START_TEST(test_bbb_api_server_returns_versions)
{
	json_t *j;

	gw_handle_server(x);
	ck_assert_str_eq(x->up.url, BBB_URL);
	ck_assert(!x->bbb.def->probe);
	upstream_done(GW_OK, 200, api_root_xml);
	gw_bbb_complete(x);
	ck_assert_int_eq(x->resp.status, 200);
	j = gw_test_json_body(x);
	ck_assert_str_eq(gw_test_jstr(j, "version"), "2.0");
	ck_assert_str_eq(gw_test_jstr(j, "apiVersion"), "2.0");
	ck_assert_str_eq(gw_test_jstr(j, "bbbVersion"), "3.0.4");
	ck_assert_ptr_null(json_object_get(j, "returncode"));
	json_decref(j);
}
END_TEST

START_TEST(test_bbb_api_readyz_probe)
{
	json_t *j;

	gw_handle_readyz(x);
	ck_assert_str_eq(x->up.url, BBB_URL);
	ck_assert(x->bbb.def->probe);
	ck_assert_int_eq(x->resp.status, 0);
	upstream_done(GW_OK, 200, api_root_xml);
	gw_bbb_complete(x);
	ck_assert_int_eq(x->resp.status, 200);
	j = gw_test_json_body(x);
	ck_assert_str_eq(gw_test_jstr(j, "status"), "ready");
	json_decref(j);
}
END_TEST

/* ---- BBB replies in BBB's own layout ---- */

static const char running_xml[] = "<response>\n"
				  "<returncode>SUCCESS</returncode>\n"
				  "<running>true</running>\n"
				  "</response>";

static const char not_found_xml[] = "<response>\n"
				    "<returncode>FAILED</returncode>\n"
				    "<messageKey>notFound</messageKey>\n"
				    "<message>A meeting with that ID does not exist</message>\n"
				    "</response>";

static const char id_not_unique_xml[] = "<response>\n"
					"<returncode>FAILED</returncode>\n"
					"<messageKey>idNotUnique</messageKey>\n"
					"<message>A meeting already exists with that meeting "
					"ID.</message>\n"
					"</response>";

static const char errors_xml[] = "<response>\n"
				 "<returncode>FAILED</returncode>\n"
				 "<errors>\n"
				 "<error key=\"nonUniqueVoiceBridge\" message=\"The selected voice "
				 "bridge is already "
				 "in use.\"/>\n"
				 "</errors>\n"
				 "</response>";

/* Produces a FAILED reply with messageKey key. */
static char *failed_xml(const char *key)
{
	char *s = malloc(512);

	ck_assert_ptr_nonnull(s);
	snprintf(s, 512,
		 "<response>\n<returncode>FAILED</returncode>\n<messageKey>%s</messageKey>\n"
		 "<message>Message for %s</message>\n</response>",
		 key, key);
	return s;
}

/* ---- BBB's answers ---- */

START_TEST(test_bbb_api_complete_success_calls_finish)
{
	complete_with(GW_OK, 200, running_xml);
	ck_assert_int_eq(finish_calls, 1);
	ck_assert_ptr_nonnull(finish_body);
	ck_assert(json_is_true(json_object_get(finish_body, "running")));
	ck_assert_ptr_null(json_object_get(finish_body, "returncode"));
	ck_assert_int_eq(x->resp.status, 200);
	ck_assert_str_eq(x->resp.body, "{\"finished\":\"yes\"}");
}
END_TEST

START_TEST(test_bbb_api_complete_not_found)
{
	json_t *p;

	complete_with(GW_OK, 200, not_found_xml);
	ck_assert_int_eq(finish_calls, 0);
	p = assert_problem(404, "bbb_not_found");
	ck_assert_str_eq(gw_test_jstr(p, "messageKey"), "notFound");
	ck_assert_str_eq(gw_test_jstr(p, "message"), "A meeting with that ID does not exist");
	ck_assert_str_eq(gw_test_jstr(p, "detail"), "A meeting with that ID does not exist");
	ck_assert_ptr_null(json_object_get(p, "returncode"));
	json_decref(p);
	ck_assert_str_eq(x->resp.message_key, "notFound");
}
END_TEST

START_TEST(test_bbb_api_complete_checksum_error_names_setting_not_secret)
{
	json_t *p;
	const char *detail;

	complete_with(GW_OK, 200, checksum_xml);
	p = assert_problem(502, "bbb_checksum_error");
	detail = gw_test_jstr(p, "detail");
	ck_assert_ptr_nonnull(detail);
	ck_assert_msg(strstr(detail, "bbb.secret") != NULL, "detail: %s", detail);
	ck_assert_str_eq(gw_test_jstr(p, "messageKey"), "checksumError");
	json_decref(p);
	ck_assert_ptr_null(strstr(x->resp.body, SECRET));
	ck_assert_ptr_null(strstr(x->resp.body, "8f2c1e9a7b"));
	ck_assert_int_eq(finish_calls, 0);
}
END_TEST

START_TEST(test_bbb_api_complete_conflict)
{
	json_t *p;

	complete_with(GW_OK, 200, id_not_unique_xml);
	p = assert_problem(409, "bbb_conflict");
	ck_assert_str_eq(gw_test_jstr(p, "messageKey"), "idNotUnique");
	json_decref(p);
}
END_TEST

START_TEST(test_bbb_api_complete_failed_key_mapping)
{
	static const struct {
		const char *key;
		int status;
		const char *code;
	} cases[] = {
		{"validationError", 400, "bbb_rejected_input"},
		{"invalidMeetingId", 404, "bbb_not_found"},
		{"someNewKey", 502, "bbb_failed"},
	};
	char *xml = failed_xml(cases[_i].key);
	json_t *p;

	complete_with(GW_OK, 200, xml);
	free(xml);
	p = assert_problem(cases[_i].status, cases[_i].code);
	ck_assert_str_eq(gw_test_jstr(p, "messageKey"), cases[_i].key);
	json_decref(p);
	ck_assert_str_eq(x->resp.message_key, cases[_i].key);
}
END_TEST

START_TEST(test_bbb_api_complete_errors_list)
{
	json_t *p;
	json_t *errs;

	complete_with(GW_OK, 200, errors_xml);
	p = assert_problem(409, "bbb_conflict");
	errs = json_object_get(p, "errors");
	ck_assert(json_is_array(errs));
	ck_assert_uint_eq(json_array_size(errs), 1);
	ck_assert_str_eq(gw_test_jstr(json_array_get(errs, 0), "key"), "nonUniqueVoiceBridge");
	ck_assert_str_eq(gw_test_jstr(p, "messageKey"), "nonUniqueVoiceBridge");
	json_decref(p);
}
END_TEST

START_TEST(test_bbb_api_complete_bad_xml_502)
{
	static const char *const bad[] = {
		"this is not xml",
		"<response>\n<returncode>SUCCESS</returncode>\n",
		("<!DOCTYPE response [<!ENTITY e \"x\">]>\n<response>\n"
		 "<returncode>SUCCESS</returncode>\n</response>"),
		"",
	};
	json_t *p;

	complete_with(GW_OK, 200, bad[_i]);
	p = assert_problem(502, "upstream_bad_reply");
	json_decref(p);
	ck_assert_int_eq(finish_calls, 0);
}
END_TEST

START_TEST(test_bbb_api_complete_raw_reply_passthrough)
{
	x->req.accept = gw_test_xstrdup(x, "application/xml");
	complete_with(GW_OK, 200, not_found_xml);
	ck_assert_int_eq(finish_calls, 0);
	ck_assert_int_eq(x->resp.status, 200);
	ck_assert_ptr_nonnull(x->resp.content_type);
	ck_assert_msg(strncmp(x->resp.content_type, "application/xml", 15) == 0, "type %s",
		      x->resp.content_type);
	ck_assert_uint_eq(x->resp.body_len, strlen(not_found_xml));
	ck_assert_str_eq(x->resp.body, not_found_xml);
}
END_TEST

START_TEST(test_bbb_api_complete_probe_failures_are_503)
{
	char *xml = failed_xml("someNewKey");
	json_t *p;

	switch (_i) {
	case 0:
		upstream_done(GW_E_UPSTREAM_CONNECT, 0, NULL);
		break;
	case 1:
		upstream_done(GW_E_UPSTREAM_TIMEOUT, 0, NULL);
		break;
	case 2:
		upstream_done(GW_OK, 500, "oops");
		break;
	default:
		upstream_done(GW_OK, 200, xml);
		break;
	}
	free(xml);
	request(GW_BBB_CALL(apiRoot_probe), NULL);
	gw_bbb_complete(x);
	p = assert_problem(503, "unavailable");
	json_decref(p);
	ck_assert_ptr_nonnull(gw_test_header(x, "Retry-After"));
	ck_assert_int_eq(finish_calls, 0);
}
END_TEST

START_TEST(test_bbb_api_complete_probe_success)
{
	request(GW_BBB_CALL(apiRoot_probe), NULL);
	upstream_done(GW_OK, 200, api_root_xml);
	gw_bbb_complete(x);
	ck_assert_int_eq(finish_calls, 1);
	ck_assert_int_eq(x->resp.status, 200);
	ck_assert_ptr_null(gw_test_header(x, "Retry-After"));
}
END_TEST

START_TEST(test_bbb_api_complete_json_reply_success)
{
	/*
	 * expected to pass once json_reply (bbb_api.c) reads "returncode"
	 * before json_decref(root) frees it: rc points into the freed tree,
	 * so strcmp(rc, "SUCCESS") is a use-after-free and SUCCESS replies
	 * come out as 502 bbb_failed
	 */
	static const char reply[] = "{\"response\":{\"returncode\":\"SUCCESS\",\"tracks\":[{"
				    "\"href\":\"https://x.test/t."
				    "vtt\",\"kind\":\"subtitles\",\"lang\":\"en-US\"}]}}";

	request(GW_BBB_CALL(getRecordingTextTracks), "recordID=r1");
	upstream_done(GW_OK, 200, reply);
	gw_bbb_complete(x);
	ck_assert_msg(finish_calls == 1, "status %d: %s", x->resp.status,
		      x->resp.body ? x->resp.body : "");
	ck_assert(json_is_array(json_object_get(finish_body, "tracks")));
	ck_assert_str_eq(gw_test_jstr(json_array_get(json_object_get(finish_body, "tracks"), 0),
				      "lang"),
			 "en-US");
	ck_assert_ptr_null(json_object_get(finish_body, "returncode"));
}
END_TEST

START_TEST(test_bbb_api_complete_json_reply_xml_fallback)
{
	/* an XML error page on a JSON call is still read */
	request(GW_BBB_CALL(getRecordingTextTracks), "recordID=r1");
	upstream_done(GW_OK, 200, checksum_xml);
	gw_bbb_complete(x);
	ck_assert_int_eq(x->resp.status, 502);
	ck_assert_ptr_nonnull(strstr(x->resp.body, "bbb_checksum_error"));
}
END_TEST

START_TEST(test_bbb_api_complete_json_reply_bad)
{
	/* the last four: one envelope per reply, as in XML (FAILED then SUCCESS is no success) */
	static const char *const bad[] = {"{\"response\":{}}",
					  "{\"nope\":1}",
					  "{not json",
					  "{\"response\":{\"returncode\":5}}",
					  "{\"response\":{\"returncode\":\"FAILED\",\"returncode\":"
					  "\"SUCCESS\"}}",
					  "{\"response\":{\"returncode\":\"FAILED\"},\"response\":{"
					  "\"returncode\":\"SUCCESS\"}}",
					  "{\"response\":{\"returncode\":\"FAILED\",\"messageKey\":"
					  "\"a\",\"messageKey\":\"b\"}}",
					  "{\"response\":{\"returncode\":\"SUCCESS\",\"tracks\":[{"
					  "\"lang\":\"a\",\"lang\":\"b\"}]}}"};
	json_t *p;

	request(GW_BBB_CALL(getRecordingTextTracks), "recordID=r1");
	upstream_done(GW_OK, 200, bad[_i]);
	gw_bbb_complete(x);
	p = assert_problem(502, "upstream_bad_reply");
	json_decref(p);
	ck_assert_int_eq(finish_calls, 0);
}
END_TEST

START_TEST(test_bbb_api_complete_json_reply_raw)
{
	static const char reply[] = "{\"response\":{\"returncode\":\"SUCCESS\",\"tracks\":[]}}";

	x->req.accept = gw_test_xstrdup(x, "application/xml");
	request(GW_BBB_CALL(getRecordingTextTracks), "recordID=r1");
	upstream_done(GW_OK, 200, reply);
	gw_bbb_complete(x);
	ck_assert_int_eq(x->resp.status, 200);
	ck_assert_str_eq(x->resp.body, reply);
	ck_assert_msg(strncmp(x->resp.content_type, "application/json", 16) == 0, "type %s",
		      x->resp.content_type);
}
END_TEST

START_TEST(test_bbb_api_complete_json_reply_short_keys)
{
	/* expected to pass under ASan once the json_reply use-after-free is fixed (above) */
	/* bbb-web's text-track errors say "key" and "msg" */
	static const char reply[] = "{\"response\":{\"returncode\":\"FAILED\",\"key\":"
				    "\"paramError\",\"msg\":\"Missing param recordID.\"}}";
	json_t *p;

	request(GW_BBB_CALL(getRecordingTextTracks), "");
	upstream_done(GW_OK, 200, reply);
	gw_bbb_complete(x);
	p = assert_problem(400, "bbb_rejected_input");
	ck_assert_str_eq(gw_test_jstr(p, "messageKey"), "paramError");
	ck_assert_str_eq(gw_test_jstr(p, "message"), "Missing param recordID.");
	json_decref(p);
}
END_TEST

START_TEST(test_bbb_api_complete_json_reply_failed)
{
	/* expected to pass under ASan once the json_reply use-after-free is fixed (above) */
	static const char reply[] = "{\"response\":{\"returncode\":\"FAILED\",\"messageKey\":"
				    "\"noCaptionsFound\",\"message\":\"No captions found for "
				    "r1\"}}";
	json_t *p;

	request(GW_BBB_CALL(getRecordingTextTracks), "recordID=r1");
	upstream_done(GW_OK, 200, reply);
	gw_bbb_complete(x);
	ck_assert_int_eq(finish_calls, 0);
	p = assert_problem(404, "bbb_not_found");
	ck_assert_str_eq(gw_test_jstr(p, "messageKey"), "noCaptionsFound");
	ck_assert_str_eq(gw_test_jstr(p, "message"), "No captions found for r1");
	json_decref(p);
}
END_TEST

static void record_failed(struct gw_exchange *ex, struct gw_bbb_reply *r)
{
	finish_calls += 100;
	gw_response_json(ex, 299,
			 json_pack("{s:s}", "failedKey",
				   r->message_key != NULL ? r->message_key : ""));
}

START_TEST(test_bbb_api_complete_on_failed_hook)
{
	gw_bbb_request(x, &(struct gw_bbb_req){.call = GW_BBB_CALL(getMeetingInfo),
					       .query = "meetingID=m1",
					       .finish = record_finish,
					       .on_failed = record_failed});
	upstream_done(GW_OK, 200, not_found_xml);
	gw_bbb_complete(x);
	ck_assert_int_eq(finish_calls, 100);
	ck_assert_int_eq(x->resp.status, 299);
	ck_assert_str_eq(x->resp.body, "{\"failedKey\":\"notFound\"}");
}
END_TEST

static Suite *bbb_api_complete_suite(void)
{
	Suite *s = suite_create("bbb_api_complete");
	TCase *c = tcase_create("complete");

	tcase_add_checked_fixture(c, setup, teardown);
	tcase_add_test(c, test_bbb_api_complete_success_calls_finish);
	tcase_add_test(c, test_bbb_api_complete_not_found);
	tcase_add_test(c, test_bbb_api_complete_checksum_error_names_setting_not_secret);
	tcase_add_test(c, test_bbb_api_complete_conflict);
	tcase_add_loop_test(c, test_bbb_api_complete_failed_key_mapping, 0, 3);
	tcase_add_test(c, test_bbb_api_complete_errors_list);
	tcase_add_loop_test(c, test_bbb_api_complete_bad_xml_502, 0, 4);
	tcase_add_test(c, test_bbb_api_complete_raw_reply_passthrough);
	tcase_add_loop_test(c, test_bbb_api_complete_probe_failures_are_503, 0, 4);
	tcase_add_test(c, test_bbb_api_complete_probe_success);
	tcase_add_test(c, test_bbb_api_complete_on_failed_hook);
	tcase_add_test(c, test_bbb_api_complete_json_reply_success);
	tcase_add_test(c, test_bbb_api_complete_json_reply_failed);
	tcase_add_test(c, test_bbb_api_complete_json_reply_short_keys);
	tcase_add_test(c, test_bbb_api_complete_json_reply_xml_fallback);
	tcase_add_loop_test(c, test_bbb_api_complete_json_reply_bad, 0, 8);
	tcase_add_test(c, test_bbb_api_complete_json_reply_raw);
	tcase_add_test(c, test_bbb_api_readyz_probe);
	tcase_add_test(c, test_bbb_api_readyz_ignores_accept_xml);
	tcase_add_test(c, test_bbb_api_server_returns_versions);
	suite_add_tcase(s, c);
	return s;
}

GW_TEST_MAIN(bbb_api_complete_suite)
