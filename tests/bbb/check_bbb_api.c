/*
 * check_bbb_api.c - BBB's API as data and the generic call path: the typed
 * create/join parameter tables, JSON -> parameter text, metadata names,
 * the messageKey -> error table, signed call URLs (checksums verified here
 * with OpenSSL directly, not with bbb_sign.c), a call that fails
 * (transport errors, HTTP errors never passed on raw, a reply refused
 * while streaming, nothing secret logged) and the readiness probe's cache
 * shared by /readyz requests. What gw_bbb_complete makes of BBB's answers
 * is check_bbb_api_complete.c's; the fixture is bbbapifix.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "bbb_api.h"
#include "bbbapifix.h"
#include "config.h"
#include "handlers.h"
#include "probe_cache.h"
#include "request.h"
#include "testutil.h"

/* lowercase hex of H(call + query + secret), computed with OpenSSL's EVP API. */
static void expect_checksum(const EVP_MD *md, const char *call, const char *query,
			    const char *secret, char *hex)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dl = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int i;

	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(EVP_DigestInit_ex(ctx, md, NULL), 1);
	ck_assert_int_eq(EVP_DigestUpdate(ctx, call, strlen(call)), 1);
	ck_assert_int_eq(EVP_DigestUpdate(ctx, query, strlen(query)), 1);
	ck_assert_int_eq(EVP_DigestUpdate(ctx, secret, strlen(secret)), 1);
	ck_assert_int_eq(EVP_DigestFinal_ex(ctx, d, &dl), 1);
	EVP_MD_CTX_free(ctx);
	for (i = 0; i < dl; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

/* ---- parameter tables ---- */

START_TEST(test_bbb_api_create_param_types)
{
	static const struct {
		const char *name;
		enum gw_param_type type;
	} want[] = {
		{"record", GW_PARAM_BOOL},           {"duration", GW_PARAM_INT},
		{"maxParticipants", GW_PARAM_INT},   {"welcome", GW_PARAM_STRING},
		{"moderatorPW", GW_PARAM_STRING},    {"voiceBridge", GW_PARAM_STRING},
		{"disabledFeatures", GW_PARAM_LIST}, {"groups", GW_PARAM_JSON},
		{"muteOnStart", GW_PARAM_BOOL},      {"meetingLayout", GW_PARAM_STRING},
	};
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct gw_bbb_param *p = gw_bbb_create_param(want[i].name);

		ck_assert_msg(p != NULL, "%s unknown", want[i].name);
		ck_assert_str_eq(p->name, want[i].name);
		ck_assert_msg(p->type == want[i].type, "%s has type %d", want[i].name,
			      (int)p->type);
	}
}
END_TEST

START_TEST(test_bbb_api_create_param_unknown)
{
	ck_assert_ptr_null(gw_bbb_create_param("bogus"));
	ck_assert_ptr_null(gw_bbb_create_param("Record"));
	ck_assert_ptr_null(gw_bbb_create_param("checksum"));
	ck_assert_ptr_null(gw_bbb_create_param(""));
	/* handled apart by the create handler */
	ck_assert_ptr_null(gw_bbb_create_param("name"));
	ck_assert_ptr_null(gw_bbb_create_param("meetingID"));
	ck_assert_ptr_null(gw_bbb_create_param("metadata"));
	/* a join parameter is not a create parameter */
	ck_assert_ptr_null(gw_bbb_create_param("fullName"));
}
END_TEST

START_TEST(test_bbb_api_join_param_types)
{
	static const struct {
		const char *name;
		enum gw_param_type type;
	} want[] = {
		{"userID", GW_PARAM_STRING},
		{"avatarURL", GW_PARAM_STRING},
		{"guest", GW_PARAM_BOOL},
		{"createTime", GW_PARAM_INT},
		{"excludeFromDashboard", GW_PARAM_BOOL},
		{"errorRedirectUrl", GW_PARAM_STRING},
		{"enforceLayout", GW_PARAM_STRING},
		{"redirect", GW_PARAM_BOOL},
	};
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct gw_bbb_param *p = gw_bbb_join_param(want[i].name);

		ck_assert_msg(p != NULL, "%s unknown", want[i].name);
		ck_assert_str_eq(p->name, want[i].name);
		ck_assert_msg(p->type == want[i].type, "%s has type %d", want[i].name,
			      (int)p->type);
	}
	ck_assert_ptr_null(gw_bbb_join_param("fullName"));
	ck_assert_ptr_null(gw_bbb_join_param("bogus"));
	ck_assert_ptr_null(gw_bbb_join_param("record"));
	ck_assert_ptr_null(gw_bbb_join_param("userid"));
}
END_TEST

/* ---- parameter text ---- */

/* Converts the JSON text j with type t; returns the error and the text (or NULL) in *out. */
static enum gw_err text_of(enum gw_param_type t, bool lenient, const char *j, char **out)
{
	json_error_t e;
	json_t *v = json_loads(j, JSON_DECODE_ANY, &e);
	enum gw_err err;

	ck_assert_msg(v != NULL, "bad test JSON %s", j);
	*out = NULL;
	err = gw_bbb_param_text(t, lenient, v, out);
	json_decref(v);
	if (err != GW_OK)
		ck_assert_ptr_null(*out);
	return err;
}

static void assert_text(enum gw_param_type t, bool lenient, const char *j, const char *want)
{
	char *out;

	ck_assert_msg(text_of(t, lenient, j, &out) == GW_OK, "%s rejected", j);
	ck_assert_str_eq(out, want);
	free(out);
}

static void assert_no_text(enum gw_param_type t, bool lenient, const char *j)
{
	char *out;

	ck_assert_msg(text_of(t, lenient, j, &out) == GW_E_BAD_REQUEST, "%s accepted", j);
}

START_TEST(test_bbb_api_param_text_string)
{
	assert_text(GW_PARAM_STRING, false, "\"Bio 101\"", "Bio 101");
	assert_text(GW_PARAM_STRING, false, "\"\"", "");
	assert_text(GW_PARAM_STRING, false, "\"caf\\u00e9\"", "caf\xc3\xa9");
	assert_no_text(GW_PARAM_STRING, false, "42");
	assert_no_text(GW_PARAM_STRING, false, "true");
	assert_no_text(GW_PARAM_STRING, false, "null");
	assert_no_text(GW_PARAM_STRING, false, "[\"a\"]");
	assert_no_text(GW_PARAM_STRING, false, "{}");
}
END_TEST

START_TEST(test_bbb_api_param_text_string_lenient)
{
	assert_text(GW_PARAM_STRING, true, "\"x\"", "x");
	assert_text(GW_PARAM_STRING, true, "42", "42");
	assert_text(GW_PARAM_STRING, true, "-7", "-7");
	assert_text(GW_PARAM_STRING, true, "true", "true");
	assert_text(GW_PARAM_STRING, true, "false", "false");
	assert_no_text(GW_PARAM_STRING, true, "null");
	assert_no_text(GW_PARAM_STRING, true, "[1]");
	assert_no_text(GW_PARAM_STRING, true, "{\"a\":1}");
}
END_TEST

START_TEST(test_bbb_api_param_text_int)
{
	assert_text(GW_PARAM_INT, false, "60", "60");
	assert_text(GW_PARAM_INT, false, "0", "0");
	assert_text(GW_PARAM_INT, false, "9223372036854775807", "9223372036854775807");
	/* a digit string is accepted as it is */
	assert_text(GW_PARAM_INT, false, "\"60\"", "60");
	assert_text(GW_PARAM_INT, false, "\"0042\"", "0042");
	assert_no_text(GW_PARAM_INT, false, "-1");
	assert_no_text(GW_PARAM_INT, false, "\"-1\"");
	assert_no_text(GW_PARAM_INT, false, "\"+1\"");
	assert_no_text(GW_PARAM_INT, false, "\" 1\"");
	assert_no_text(GW_PARAM_INT, false, "\"\"");
	assert_no_text(GW_PARAM_INT, false, "\"12a\"");
	assert_no_text(GW_PARAM_INT, false, "\"18446744073709551616\"");
	assert_no_text(GW_PARAM_INT, false, "1.5");
	assert_no_text(GW_PARAM_INT, false, "true");
	assert_no_text(GW_PARAM_INT, false, "null");
	assert_no_text(GW_PARAM_INT, false, "[1]");
	/* lenient applies to strings only */
	assert_no_text(GW_PARAM_INT, true, "-1");
}
END_TEST

START_TEST(test_bbb_api_param_text_bool)
{
	assert_text(GW_PARAM_BOOL, false, "true", "true");
	assert_text(GW_PARAM_BOOL, false, "false", "false");
	assert_no_text(GW_PARAM_BOOL, false, "\"true\"");
	assert_no_text(GW_PARAM_BOOL, false, "\"yes\"");
	assert_no_text(GW_PARAM_BOOL, false, "1");
	assert_no_text(GW_PARAM_BOOL, false, "0");
	assert_no_text(GW_PARAM_BOOL, false, "null");
	assert_no_text(GW_PARAM_BOOL, true, "\"true\"");
}
END_TEST

START_TEST(test_bbb_api_param_text_list)
{
	assert_text(GW_PARAM_LIST, false, "[\"chat\",\"polls\",\"captions\"]",
		    "chat,polls,captions");
	assert_text(GW_PARAM_LIST, false, "[\"chat\"]", "chat");
	assert_text(GW_PARAM_LIST, false, "[]", "");
	assert_text(GW_PARAM_LIST, false, "\"chat\"", "chat");
	assert_no_text(GW_PARAM_LIST, false, "[\"a,b\"]");
	assert_no_text(GW_PARAM_LIST, false, "[\"a\",\"b,c\"]");
	assert_no_text(GW_PARAM_LIST, false, "[\"a\",1]");
	assert_no_text(GW_PARAM_LIST, false, "[[\"a\"]]");
	assert_no_text(GW_PARAM_LIST, false, "[null]");
	assert_no_text(GW_PARAM_LIST, false, "{\"a\":\"b\"}");
	assert_no_text(GW_PARAM_LIST, false, "5");
	assert_no_text(GW_PARAM_LIST, false, "true");
}
END_TEST

START_TEST(test_bbb_api_param_text_json)
{
	assert_text(GW_PARAM_JSON, false, "[{\"id\":\"g1\",\"roster\":[\"u1\",\"u2\"]}]",
		    "[{\"id\":\"g1\",\"roster\":[\"u1\",\"u2\"]}]");
	assert_text(GW_PARAM_JSON, false, "{ \"a\" : [ 1 , 2 ] }", "{\"a\":[1,2]}");
	assert_text(GW_PARAM_JSON, false, "\"x\"", "\"x\"");
	assert_text(GW_PARAM_JSON, false, "5", "5");
	assert_text(GW_PARAM_JSON, false, "true", "true");
}
END_TEST

START_TEST(test_bbb_api_meta_name_ok)
{
	ck_assert(gw_bbb_meta_name_ok("bbb-origin"));
	ck_assert(gw_bbb_meta_name_ok("bbb-origin-server-name"));
	ck_assert(gw_bbb_meta_name_ok("a"));
	ck_assert(gw_bbb_meta_name_ok("Course42"));
	ck_assert(!gw_bbb_meta_name_ok("a_b"));
	ck_assert(!gw_bbb_meta_name_ok("1a"));
	ck_assert(!gw_bbb_meta_name_ok("-a"));
	ck_assert(!gw_bbb_meta_name_ok(""));
	ck_assert(!gw_bbb_meta_name_ok("\xc3\xa9"));
	ck_assert(!gw_bbb_meta_name_ok("caf\xc3\xa9"));
	ck_assert(!gw_bbb_meta_name_ok("a b"));
	ck_assert(!gw_bbb_meta_name_ok("a.b"));
	ck_assert(!gw_bbb_meta_name_ok("a=b"));
}
END_TEST

START_TEST(test_bbb_api_key_error_table)
{
	ck_assert_int_eq(gw_bbb_key_error("notFound"), GW_E_BBB_NOT_FOUND);
	ck_assert_int_eq(gw_bbb_key_error("invalidMeetingId"), GW_E_BBB_NOT_FOUND);
	ck_assert_int_eq(gw_bbb_key_error("noRecordings"), GW_E_BBB_NOT_FOUND);
	ck_assert_int_eq(gw_bbb_key_error("idNotUnique"), GW_E_BBB_CONFLICT);
	ck_assert_int_eq(gw_bbb_key_error("checksumError"), GW_E_BBB_CHECKSUM);
	ck_assert_int_eq(gw_bbb_key_error("validationError"), GW_E_BBB_INVALID_INPUT);
	ck_assert_int_eq(gw_bbb_key_error("missingParamMeetingID"), GW_E_BBB_INVALID_INPUT);
	ck_assert_int_eq(gw_bbb_key_error("unknownKey"), GW_E_BBB_FAILED);
	ck_assert_int_eq(gw_bbb_key_error("notfound"), GW_E_BBB_FAILED);
	ck_assert_int_eq(gw_bbb_key_error(""), GW_E_BBB_FAILED);
	ck_assert_int_eq(gw_bbb_key_error(NULL), GW_E_BBB_FAILED);
	/* the statuses the contract promises */
	ck_assert_int_eq(gw_err_info(gw_bbb_key_error("notFound"))->status, 404);
	ck_assert_int_eq(gw_err_info(gw_bbb_key_error("idNotUnique"))->status, 409);
	ck_assert_int_eq(gw_err_info(gw_bbb_key_error("checksumError"))->status, 502);
	ck_assert_int_eq(gw_err_info(gw_bbb_key_error("validationError"))->status, 400);
	ck_assert_int_eq(gw_err_info(gw_bbb_key_error("unknownKey"))->status, 502);
}
END_TEST

START_TEST(test_bbb_api_wants_xml)
{
	ck_assert(!gw_bbb_wants_xml(&x->req));
	x->req.accept = gw_test_xstrdup(x, "application/xml");
	ck_assert(gw_bbb_wants_xml(&x->req));
	x->req.accept = gw_test_xstrdup(x, "Application/XML; charset=utf-8");
	ck_assert(gw_bbb_wants_xml(&x->req));
	x->req.accept = gw_test_xstrdup(x, "text/xml");
	ck_assert(gw_bbb_wants_xml(&x->req));
	x->req.accept = gw_test_xstrdup(x, "application/json");
	ck_assert(!gw_bbb_wants_xml(&x->req));
	x->req.accept = gw_test_xstrdup(x, "*/*");
	ck_assert(!gw_bbb_wants_xml(&x->req));
	x->req.accept = gw_test_xstrdup(x, "application/xmlx");
	ck_assert(!gw_bbb_wants_xml(&x->req));
	x->req.accept = gw_test_xstrdup(x, "application/xml, */*;q=0.8");
	ck_assert(gw_bbb_wants_xml(&x->req));
	x->req.accept = gw_test_xstrdup(x, "text/html, text/xml;q=0.9, */*;q=0.8");
	ck_assert(gw_bbb_wants_xml(&x->req));
	x->req.accept = gw_test_xstrdup(x, "application/json, application/xml");
	ck_assert(!gw_bbb_wants_xml(&x->req));
	x->req.accept = gw_test_xstrdup(x, "*/*, application/xml");
	ck_assert(!gw_bbb_wants_xml(&x->req));
}
END_TEST

/* ---- signed requests ---- */

START_TEST(test_bbb_api_request_signed_url)
{
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	char want[512];

	expect_checksum(EVP_sha256(), "getMeetingInfo", "meetingID=abc", SECRET, hex);
	snprintf(want, sizeof(want), "%s/getMeetingInfo?meetingID=abc&checksum=%s", BBB_URL, hex);
	request(GW_BBB_CALL(getMeetingInfo), "meetingID=abc");
	ck_assert_str_eq(x->up.url, want);
	ck_assert_str_eq(x->bbb.name, "getMeetingInfo");
	ck_assert(x->bbb.finish == record_finish);
	ck_assert(!x->bbb.raw_reply);
	ck_assert(!x->up.post);
	ck_assert_int_eq(x->resp.status, 0);
	ck_assert_int_eq(finish_calls, 0);
}
END_TEST

START_TEST(test_bbb_api_request_empty_query)
{
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	char want[512];

	expect_checksum(EVP_sha256(), "getMeetings", "", SECRET, hex);
	snprintf(want, sizeof(want), "%s/getMeetings?checksum=%s", BBB_URL, hex);
	request(GW_BBB_CALL(getMeetings), "");
	ck_assert_str_eq(x->up.url, want);
}
END_TEST

START_TEST(test_bbb_api_request_every_checksum_algorithm)
{
	static const struct {
		enum gw_digest alg;
		size_t hexlen;
	} algs[] = {
		{GW_DIGEST_SHA1, 40},
		{GW_DIGEST_SHA256, 64},
		{GW_DIGEST_SHA384, 96},
		{GW_DIGEST_SHA512, 128},
	};
	const EVP_MD *mds[] = {EVP_sha1(), EVP_sha256(), EVP_sha384(), EVP_sha512()};
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	char want[512];
	const char *q = "meetingID=caf%C3%A9&fullName=Ada+L";

	cfg->checksum = algs[_i].alg;
	if (cfg->n_servers > 0)
		cfg->servers[0].checksum = algs[_i].alg;
	expect_checksum(mds[_i], "join", q, SECRET, hex);
	ck_assert_uint_eq(strlen(hex), algs[_i].hexlen);
	snprintf(want, sizeof(want), "%s/join?%s&checksum=%s", BBB_URL, q, hex);
	request(GW_BBB_CALL(join), q);
	ck_assert_str_eq(x->up.url, want);
}
END_TEST

START_TEST(test_bbb_api_request_accept_xml_sets_raw_reply)
{
	x->req.accept = gw_test_xstrdup(x, "application/xml");
	request(GW_BBB_CALL(getMeetings), "");
	ck_assert_ptr_nonnull(x->up.url);
	ck_assert(x->bbb.raw_reply);
}
END_TEST

START_TEST(test_bbb_api_request_root_unsigned)
{
	request(GW_BBB_CALL(apiRoot), NULL);
	ck_assert_str_eq(x->up.url, BBB_URL);
	ck_assert_ptr_null(strstr(x->up.url, "checksum"));
	ck_assert(x->bbb.finish == record_finish);
	ck_assert_int_eq(x->resp.status, 0);
}
END_TEST

START_TEST(test_bbb_api_request_too_large)
{
	size_t n = GW_MAX_URL_BYTES + 16;
	char *q = malloc(n + 1);
	json_t *p;

	ck_assert_ptr_nonnull(q);
	memcpy(q, "meetingID=", 10);
	memset(q + 10, 'a', n - 10);
	q[n] = '\0';
	request(GW_BBB_CALL(getMeetingInfo), q);
	free(q);
	ck_assert_ptr_null(x->up.url);
	ck_assert_int_ge(x->resp.status, 400);
	ck_assert_int_lt(x->resp.status, 500);
	ck_assert_str_eq(x->resp.content_type, "application/problem+json");
	p = gw_test_json_body(x);
	json_decref(p);
}
END_TEST

START_TEST(test_bbb_api_request_hooks_checksum_overrides_config)
{
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	char want[512];

	cfg->checksum = GW_DIGEST_SHA512;
	if (cfg->n_servers > 0)
		cfg->servers[0].checksum = GW_DIGEST_SHA512;
	cfg->hooks_checksum = GW_DIGEST_SHA1;
	expect_checksum(EVP_sha1(), "hooks/list", "", SECRET, hex);
	ck_assert_uint_eq(strlen(hex), 40);
	snprintf(want, sizeof(want), "%s/hooks/list?checksum=%s", BBB_URL, hex);
	request(GW_BBB_CALL(hooks_list), "");
	ck_assert_str_eq(x->up.url, want);
	ck_assert(x->bbb.pending);
}
END_TEST

START_TEST(test_bbb_api_request_form_signed)
{
	static const char q[] = "configXML=%3Cconfig%2F%3E&meetingID=m1";
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	char want[512];

	cfg->checksum = GW_DIGEST_SHA1;
	if (cfg->n_servers > 0)
		cfg->servers[0].checksum = GW_DIGEST_SHA1;
	cfg->servers[0].checksum = GW_DIGEST_SHA1;
	expect_checksum(EVP_sha1(), "setConfigXML", q, SECRET, hex);
	snprintf(want, sizeof(want), "%s&checksum=%s", q, hex);
	request(GW_BBB_CALL(setConfigXML), q);
	/* the URL carries neither query nor checksum: both are in the form body */
	ck_assert_str_eq(x->up.url, BBB_URL "/setConfigXML");
	ck_assert_str_eq(x->bbb.name, "setConfigXML");
	ck_assert(x->bbb.pending);
	ck_assert(x->up.post);
	ck_assert_str_eq(x->up.content_type, "application/x-www-form-urlencoded");
	ck_assert_str_eq(x->bbb.body, want);
	ck_assert_uint_eq(x->up.body_len, strlen(want));
}
END_TEST

START_TEST(test_bbb_api_set_body_makes_post)
{
	char *body = gw_test_strdup("<modules/>");
	char ctype[] = "application/xml";

	gw_bbb_request(x, &(struct gw_bbb_req){.call = GW_BBB_CALL(insertDocument),
					       .query = "meetingID=m1",
					       .body = body,
					       .body_len = strlen(body),
					       .content_type = ctype,
					       .finish = record_finish});
	ctype[0] = 'X';
	ck_assert(x->up.post);
	ck_assert_ptr_eq(x->bbb.body, body);
	ck_assert_uint_eq(x->up.body_len, strlen("<modules/>"));
	ck_assert_str_eq(x->up.content_type, "application/xml");
	/* a new request starts as a bodyless GET again */
	request(GW_BBB_CALL(getMeetings), "");
	ck_assert(!x->up.post);
	ck_assert_ptr_null(x->bbb.body);
	ck_assert_uint_eq(x->up.body_len, 0);
}
END_TEST

START_TEST(test_bbb_api_request_body_must_fit_the_method)
{
	/* a GET-only call with a body, a POST-only call without: a handler bug, 500 */
	gw_bbb_request(x, &(struct gw_bbb_req){.call = GW_BBB_CALL(getMeetings),
					       .body = gw_test_strdup("<x/>"),
					       .body_len = 4,
					       .content_type = "application/xml",
					       .finish = record_finish});
	ck_assert_ptr_null(x->up.url);
	ck_assert_int_eq(x->resp.status, 500);
	gw_exchange_free(x);
	x = gw_exchange_new(cfg);
	ck_assert_ptr_nonnull(x);
	request(GW_BBB_CALL(insertDocument), "meetingID=m1");
	ck_assert_ptr_null(x->up.url);
	ck_assert_int_eq(x->resp.status, 500);
}
END_TEST

static int state_frees;

static void count_free(void *state)
{
	state_frees++;
	free(state);
}

START_TEST(test_bbb_api_request_takes_state)
{
	void *st = malloc(8);

	state_frees = 0;
	gw_bbb_request(x, &(struct gw_bbb_req){.call = GW_BBB_CALL(getMeetings),
					       .finish = record_finish,
					       .state = st,
					       .state_free = count_free});
	ck_assert_ptr_eq(gw_bbb_state(x), st);
	/* a chained call without state keeps it */
	request(GW_BBB_CALL(getMeetingInfo), "meetingID=m1");
	ck_assert_ptr_eq(gw_bbb_state(x), st);
	ck_assert_int_eq(state_frees, 0);
	gw_exchange_free(x);
	x = NULL;
	ck_assert_int_eq(state_frees, 1);
}
END_TEST

START_TEST(test_bbb_api_join_url)
{
	static const char q[] = "fullName=Ada&meetingID=m1&role=VIEWER";
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	char want[512];
	struct gw_buf url;

	expect_checksum(EVP_sha256(), "join", q, SECRET, hex);
	snprintf(want, sizeof(want), "https://public.test/bigbluebutton/api/join?%s&checksum=%s", q,
		 hex);
	gw_buf_init(&url, GW_MAX_URL_BYTES);
	ck_assert_int_eq(gw_bbb_join_url(x, q, &url), GW_OK);
	ck_assert_str_eq(gw_buf_str(&url), want);
	gw_buf_deinit(&url);
	/* nothing is asked of BBB */
	ck_assert_ptr_null(x->up.url);
}
END_TEST

/* ---- completing calls that failed ---- */

START_TEST(test_bbb_api_complete_transport_errors)
{
	static const struct {
		enum gw_err result;
		int status;
		const char *code;
	} cases[] = {
		{GW_E_UPSTREAM_CONNECT, 502, "upstream_unreachable"},
		{GW_E_UPSTREAM_TIMEOUT, 504, "upstream_timeout"},
		{GW_E_UPSTREAM_TOO_LARGE, 502, "upstream_reply_too_large"},
		{GW_E_UPSTREAM_BAD_REPLY, 502, "upstream_bad_reply"},
		{GW_E_UNAVAILABLE, 503, "unavailable"},
	};
	json_t *p;

	x->up.timeout_ms = 4321;
	complete_with(cases[_i].result, 0, NULL);
	p = assert_problem(cases[_i].status, cases[_i].code);
	if (cases[_i].result == GW_E_UPSTREAM_TIMEOUT)
		ck_assert_ptr_nonnull(strstr(gw_test_jstr(p, "detail"), "4321"));
	if (cases[_i].status == 503)
		ck_assert_ptr_nonnull(gw_test_header(x, "Retry-After"));
	json_decref(p);
	ck_assert_int_eq(finish_calls, 0);
}
END_TEST

START_TEST(test_bbb_api_complete_http_error_is_502)
{
	json_t *p;

	complete_with(GW_OK, 500, "<html>Internal Server Error</html>");
	p = assert_problem(502, "upstream_http_error");
	json_decref(p);
	ck_assert_int_eq(finish_calls, 0);
}
END_TEST

START_TEST(test_bbb_api_complete_http_error_not_passed_raw)
{
	json_t *p;

	x->req.accept = gw_test_xstrdup(x, "application/xml");
	complete_with(GW_OK, 503, "<html>Service Unavailable</html>");
	p = assert_problem(502, "upstream_http_error");
	json_decref(p);
}
END_TEST

START_TEST(test_bbb_api_complete_http_404_is_unsupported_call)
{
	json_t *p;

	complete_with(GW_OK, 404, "<html>Not Found</html>");
	p = assert_problem(501, "bbb_unsupported_call");
	json_decref(p);
	ck_assert_int_eq(finish_calls, 0);
}
END_TEST

START_TEST(test_bbb_api_complete_logs_no_secret_or_query)
{
	char buf[4096];
	size_t n;

	request(GW_BBB_CALL(join), "meetingID=m1&password=pw-3xQ9");
	upstream_done(GW_OK, 200, checksum_xml);
	gw_bbb_complete(x);
	ck_assert_int_eq(x->resp.status, 502);
	upstream_done(GW_E_UPSTREAM_CONNECT, 0, NULL);
	gw_bbb_complete(x);
	rewind(log_file);
	n = fread(buf, 1, sizeof(buf) - 1, log_file);
	buf[n] = '\0';
	ck_assert_msg(strstr(buf, "checksumError") != NULL, "log: %s", buf);
	ck_assert_ptr_null(strstr(buf, SECRET));
	ck_assert_ptr_null(strstr(buf, "pw-3xQ9"));
	ck_assert_ptr_null(strstr(buf, "checksum="));
	ck_assert_ptr_null(strstr(buf, "meetingID=m1"));
}
END_TEST

/*
 * A reply the converter refused while it arrived ended its transfer early:
 * the head is not all on record (no Content-Type), and the answer is that of
 * a reply refused whole: 504 past the deadline, 502 otherwise.
 */
START_TEST(test_bbb_api_complete_refused_while_streaming)
{
	static const struct {
		enum gw_err err;
		int status;
		const char *code;
	} cases[] = {
		{GW_E_UPSTREAM_TIMEOUT, 504, "upstream_timeout"},
		{GW_E_UPSTREAM_BAD_REPLY, 502, "upstream_bad_reply"},
	};
	json_t *p;

	request(GW_BBB_CALL(getMeetingInfo), "meetingID=m1");
	upstream_done(cases[_i].err, 200, NULL);
	free(x->up.reply_content_type);
	x->up.reply_content_type = NULL;
	x->up.sink_failed = true;
	gw_bbb_complete(x);
	p = assert_problem(cases[_i].status, cases[_i].code);
	json_decref(p);
	ck_assert_int_eq(finish_calls, 0);
}
END_TEST

/* ---- the readiness probe's cache: one probe for concurrent /readyz requests ---- */

/* A readiness exchange sharing one probe cache, as the gateway's requests do. */
static struct gw_services probe_svc;

static struct gw_exchange *readyz_with_cache(void)
{
	struct gw_exchange *e = gw_exchange_new(cfg);

	ck_assert_ptr_nonnull(e);
	gw_request_set_id(&e->req, "bbb-api-test");
	e->req.svc = &probe_svc;
	gw_handle_readyz(e);
	return e;
}

static const char *header_of(const struct gw_exchange *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->resp.n_headers; i++) {
		if (strcmp(e->resp.headers[i].name, name) == 0)
			return e->resp.headers[i].value;
	}
	return NULL;
}

START_TEST(test_bbb_api_readyz_answers_from_the_probe_cache)
{
	struct gw_exchange *second;
	struct gw_exchange *during;

	probe_svc.probe_cache = gw_probe_cache_new();
	ck_assert_ptr_nonnull(probe_svc.probe_cache);
	gw_exchange_free(x);
	x = readyz_with_cache();
	ck_assert(x->bbb.pending);
	/* While the probe runs, and with no result yet, nobody else calls BBB. */
	during = readyz_with_cache();
	ck_assert(!during->bbb.pending);
	ck_assert_int_eq(during->resp.status, 503);
	ck_assert_str_eq(header_of(during, "Retry-After"), "1");
	gw_exchange_free(during);
	upstream_done(GW_E_UPSTREAM_CONNECT, 0, NULL);
	gw_bbb_complete(x);
	ck_assert_int_eq(x->resp.status, 503);
	second = readyz_with_cache();
	ck_assert(!second->bbb.pending);
	ck_assert_ptr_null(second->up.url);
	ck_assert_int_eq(second->resp.status, 503);
	ck_assert_str_eq(header_of(second, "Retry-After"), "5");
	ck_assert_ptr_nonnull(strstr(second->resp.body, "HTTP 502 from the gateway's probe"));
	gw_exchange_free(second);
	/* /v1/server needs a token and always asks BBB. */
	second = gw_exchange_new(cfg);
	ck_assert_ptr_nonnull(second);
	second->req.svc = &probe_svc;
	gw_handle_server(second);
	ck_assert(second->bbb.pending);
	gw_exchange_free(second);
	gw_probe_cache_free(probe_svc.probe_cache);
}
END_TEST

START_TEST(test_bbb_api_readyz_probe_that_never_ran_is_released)
{
	struct gw_exchange *next;

	probe_svc.probe_cache = gw_probe_cache_new();
	ck_assert_ptr_nonnull(probe_svc.probe_cache);
	gw_exchange_free(x);
	x = readyz_with_cache();
	ck_assert(x->bbb.pending);
	/* Refused before it went out, or its connection closed: the exchange just ends. */
	gw_exchange_free(x);
	x = NULL;
	next = readyz_with_cache();
	ck_assert(next->bbb.pending);
	ck_assert_int_eq(next->resp.status, 0);
	gw_exchange_free(next);
	gw_probe_cache_free(probe_svc.probe_cache);
}
END_TEST

static Suite *bbb_api_suite(void)
{
	Suite *s = suite_create("bbb_api");
	TCase *t = tcase_create("tables");
	TCase *r = tcase_create("request");
	TCase *c = tcase_create("complete");

	tcase_add_test(t, test_bbb_api_create_param_types);
	tcase_add_test(t, test_bbb_api_create_param_unknown);
	tcase_add_test(t, test_bbb_api_join_param_types);
	tcase_add_test(t, test_bbb_api_param_text_string);
	tcase_add_test(t, test_bbb_api_param_text_string_lenient);
	tcase_add_test(t, test_bbb_api_param_text_int);
	tcase_add_test(t, test_bbb_api_param_text_bool);
	tcase_add_test(t, test_bbb_api_param_text_list);
	tcase_add_test(t, test_bbb_api_param_text_json);
	tcase_add_test(t, test_bbb_api_meta_name_ok);
	tcase_add_test(t, test_bbb_api_key_error_table);
	suite_add_tcase(s, t);

	tcase_add_checked_fixture(r, setup, teardown);
	tcase_add_test(r, test_bbb_api_wants_xml);
	tcase_add_test(r, test_bbb_api_request_signed_url);
	tcase_add_test(r, test_bbb_api_request_empty_query);
	tcase_add_loop_test(r, test_bbb_api_request_every_checksum_algorithm, 0, 4);
	tcase_add_test(r, test_bbb_api_request_accept_xml_sets_raw_reply);
	tcase_add_test(r, test_bbb_api_request_root_unsigned);
	tcase_add_test(r, test_bbb_api_request_too_large);
	tcase_add_test(r, test_bbb_api_request_hooks_checksum_overrides_config);
	tcase_add_test(r, test_bbb_api_request_form_signed);
	tcase_add_test(r, test_bbb_api_set_body_makes_post);
	suite_add_tcase(s, r);

	tcase_add_checked_fixture(c, setup, teardown);
	tcase_add_loop_test(c, test_bbb_api_complete_transport_errors, 0, 5);
	tcase_add_test(c, test_bbb_api_complete_http_error_is_502);
	tcase_add_test(c, test_bbb_api_complete_http_error_not_passed_raw);
	tcase_add_test(c, test_bbb_api_complete_http_404_is_unsupported_call);
	tcase_add_test(c, test_bbb_api_complete_logs_no_secret_or_query);
	tcase_add_loop_test(c, test_bbb_api_complete_refused_while_streaming, 0, 2);
	tcase_add_test(c, test_bbb_api_request_body_must_fit_the_method);
	tcase_add_test(c, test_bbb_api_request_takes_state);
	tcase_add_test(c, test_bbb_api_join_url);
	tcase_add_test(c, test_bbb_api_readyz_answers_from_the_probe_cache);
	tcase_add_test(c, test_bbb_api_readyz_probe_that_never_ran_is_released);
	suite_add_tcase(s, c);
	return s;
}

GW_TEST_MAIN(bbb_api_suite)
