/*
 * check_handler_recordings.c - the recordings list handler called directly
 * on an exchange: the getRecordings query it builds from the request's
 * query string (decoded here by the simulator's own parser), above all the
 * metadata filters in both spellings, meta.<key> and meta[<key>] (what
 * deepObject serialisers such as openapi-fetch's write), and the 400s for
 * bad filters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bbbsim.h"
#include "config.h"
#include "handlers.h"
#include "request.h"
#include "testutil.h"

static struct gw_config *cfg;
static struct gw_exchange *x;

static const char conf[] = "bbb = { url = \"" GW_TEST_BBB_URL "\"; secret = \"rec-test-secret\"; "
			   "};\n"
			   "tenants = ( { name = \"lms\"; meeting_prefix = \"lms~\"; } );\n";

static void setup(void)
{
	cfg = gw_test_config(conf);
	x = gw_test_exchange(cfg, "GET", "/v1/recordings");
}

static void teardown(void)
{
	gw_exchange_free(x);
	gw_config_unref(cfg);
}

/* Runs the list handler on query string raw (as a client sent it). */
static void list(const char *raw)
{
	gw_exchange_free(x);
	x = gw_test_exchange(cfg, "GET", "/v1/recordings");
	ck_assert_int_eq(gw_request_parse_query(&x->req, raw), GW_OK);
	gw_handle_recordings_list(x);
}

/* The query of the getRecordings call the handler asked for (borrowed). */
static const char *bbb_query(void)
{
	const char *q;

	ck_assert_msg(x->resp.status == 0, "status %d: %s", x->resp.status,
		      x->resp.body != NULL ? x->resp.body : "");
	ck_assert_ptr_nonnull(x->up.url);
	q = strstr(x->up.url, "/getRecordings?");
	ck_assert_msg(q != NULL, "url %s", x->up.url);
	return q + strlen("/getRecordings?");
}

/* Asserts that BBB's parameter name has value (NULL: absent). */
static void assert_param(const char *name, const char *value)
{
	char *v = bbbsim_query_param(bbb_query(), name);

	if (value == NULL)
		ck_assert_msg(v == NULL, "%s=%s sent", name, v);
	else
		ck_assert_msg(v != NULL && strcmp(v, value) == 0, "%s: %s, want %s", name,
			      v != NULL ? v : "(absent)", value);
	free(v);
}

/* A problem of status and code naming field; no BBB call. */
static void assert_refused(int status, const char *code, const char *field)
{
	json_t *p;

	gw_test_assert_problem(x, status, code);
	ck_assert_ptr_null(x->up.url);
	p = gw_test_json_body(x);
	ck_assert_str_eq(gw_test_jstr(p, "field"), field);
	json_decref(p);
}

START_TEST(test_handler_recordings_meta_dotted)
{
	list("meetingID=bio-101&meta.bbb-origin=lms");
	assert_param("meetingID", "bio-101");
	assert_param("meta_bbb-origin", "lms");
}
END_TEST

START_TEST(test_handler_recordings_meta_brackets)
{
	/* as openapi-fetch writes {meta: {"bbb-origin": "lms", course: "Bio 101"}} */
	list("meta[bbb-origin]=lms&meta[course]=Bio%20101");
	assert_param("meta_bbb-origin", "lms");
	assert_param("meta_course", "Bio 101");
	/* the brackets percent-encoded, as URLSearchParams writes them */
	list("meta%5Bbbb-origin%5D=%25lms%25");
	assert_param("meta_bbb-origin", "%lms%");
}
END_TEST

START_TEST(test_handler_recordings_meta_both_spellings)
{
	list("meta.bbb-origin=lms&meta[bbb-context]=Biology&state=any");
	assert_param("meta_bbb-origin", "lms");
	assert_param("meta_bbb-context", "Biology");
	assert_param("state", "any");
}
END_TEST

static const struct {
	const char *query;
	const char *field;
} meta_bad[] = {
	{"meta[bad_key]=x", "meta[bad_key]"},
	{"meta.bad_key=x", "meta.bad_key"},
	{"meta[]=x", "meta[]"},
	{"meta[1st]=x", "meta[1st]"},
	{"meta[a][b]=x", "meta[a][b]"},
	{"meta[a=x", "meta[a"},
	{"meta=x", "meta"},
	/* one key filtered on twice, in either spelling (BBB lower-cases keys) */
	{"meta.origin=a&meta[origin]=b", "meta[origin]"},
	{"meta[Origin]=a&meta.origin=b", "meta.origin"},
	{"meta[origin]=a&meta[origin]=b", "meta[origin]"},
};

START_TEST(test_handler_recordings_meta_bad)
{
	list(meta_bad[_i].query);
	assert_refused(400, "bad_request", meta_bad[_i].field);
}
END_TEST

START_TEST(test_handler_recordings_meta_key_too_long)
{
	char raw[400];

	snprintf(raw, sizeof(raw), "meta[%0250d]=x", 0);
	raw[5] = 'k';
	list(raw);
	gw_test_assert_problem(x, 400, "bad_request");
	ck_assert_ptr_null(x->up.url);
}
END_TEST

START_TEST(test_handler_recordings_meta_tenant_key_denied)
{
	static const char *const spellings[] = {"meta.bbb-gateway-tenant=other",
						"meta[bbb-gateway-tenant]=other",
						"meta[BBB-Gateway-Tenant]=other"};
	size_t i;

	for (i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++) {
		gw_exchange_free(x);
		x = gw_test_exchange(cfg, "GET", "/v1/recordings");
		x->req.tenant = gw_config_tenant(cfg, "lms");
		ck_assert_int_eq(gw_request_parse_query(&x->req, spellings[i]), GW_OK);
		gw_handle_recordings_list(x);
		gw_test_assert_problem(x, 400, "param_denied");
		ck_assert_ptr_null(x->up.url);
	}
	/* any other key passes, next to the tenant's own filter */
	gw_exchange_free(x);
	x = gw_test_exchange(cfg, "GET", "/v1/recordings");
	x->req.tenant = gw_config_tenant(cfg, "lms");
	ck_assert_int_eq(gw_request_parse_query(&x->req, "meta[bbb-origin]=lms"), GW_OK);
	gw_handle_recordings_list(x);
	assert_param("meta_bbb-origin", "lms");
	assert_param("meta_bbb-gateway-tenant", "lms");
}
END_TEST

START_TEST(test_handler_recordings_other_params_unchanged)
{
	list("recordID=r1,r2&limit=5&offset=10");
	assert_param("recordID", "r1,r2");
	assert_param("limit", "5");
	assert_param("offset", "10");
	list("sort=name");
	assert_refused(400, "bad_request", "sort");
	list("offset=1");
	assert_refused(400, "bad_request", "offset");
}
END_TEST

static Suite *handler_recordings_suite(void)
{
	Suite *s = suite_create("handler_recordings");
	TCase *c = tcase_create("list");

	tcase_add_checked_fixture(c, setup, teardown);
	tcase_add_test(c, test_handler_recordings_meta_dotted);
	tcase_add_test(c, test_handler_recordings_meta_brackets);
	tcase_add_test(c, test_handler_recordings_meta_both_spellings);
	tcase_add_loop_test(c, test_handler_recordings_meta_bad, 0,
			    sizeof(meta_bad) / sizeof(meta_bad[0]));
	tcase_add_test(c, test_handler_recordings_meta_key_too_long);
	tcase_add_test(c, test_handler_recordings_meta_tenant_key_denied);
	tcase_add_test(c, test_handler_recordings_other_params_unchanged);
	suite_add_tcase(s, c);
	return s;
}

GW_TEST_MAIN(handler_recordings_suite)
