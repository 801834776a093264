/*
 * check_integration_api_fetch.c - the URLs BBB would fetch or call, end to
 * end against the BBB simulator: documents and presentations, webhooks'
 * callbacks, and the create parameters and metadata BBB calls back are
 * refused (400 naming the field, BBB never asked) when they point at BBB's
 * own loopback, the metadata service or the LAN, or carry credentials;
 * bbb.fetch_allow lets the operator's own file server through, and
 * nothing else.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "testutil.h"

/*
 * The simulator without recordings or legacy settings (these tests read
 * neither) and the gateway.
 */
static void fetch_setup(void)
{
	harness_sim_opts.recordings_file = NULL;
	harness_sim_opts.legacy_config = false;
	setup();
}

/* A refused URL is a 400 naming the field, and BBB is never asked. */
static void assert_fetch_refused(const char *method, const char *path, const char *body,
				 const char *field)
{
	struct reply r;

	bbbsim_clear_log(sim);
	call(&r, method, path, tok_all, body);
	assert_problem(&r, 400, "bad_request");
	ck_assert_str_eq(jstr(&r, "field"), field);
	reply_free(&r);
	ck_assert_uint_eq(bbbsim_request_count(sim), 0);
}

/* BBB must not be made to fetch its own loopback, the metadata service or the LAN. */
START_TEST(test_integration_api_fetch_internal_refused)
{
	create_meeting("ssrf-1");
	assert_fetch_refused("POST", "/v1/meetings/ssrf-1/documents",
			     "{\"presentations\":[{\"url\":\"https://files.example.org/a.pdf\"},"
			     "{\"url\":\"http://169.254.169.254/latest/meta-data/\"}]}",
			     "presentations[1].url");
	assert_fetch_refused("POST", "/v1/meetings/ssrf-1/documents",
			     "{\"presentations\":[{\"url\":\"http://user:pw@files.example.org/"
			     "a\"}]}",
			     "presentations[0].url");
	assert_fetch_refused("POST", "/v1/meetings",
			     "{\"name\":\"S\",\"meetingID\":\"ssrf-2\","
			     "\"presentations\":[{\"url\":\"http://0x7f.1:22/\"}]}",
			     "presentations[0].url");
	assert_fetch_refused("POST", "/v1/hooks",
			     "{\"callbackURL\":\"http://[::ffff:127.0.0.1]:8080/hook\"}",
			     "callbackURL");
	assert_fetch_refused("POST", "/v1/hooks", "{\"callbackURL\":\"http://LOCALHOST./\"}",
			     "callbackURL");
	ck_assert_uint_eq(bbbsim_hook_count(sim), 0);
	ck_assert_uint_eq(bbbsim_document_count(sim), 0);
}
END_TEST

/* Create parameters and metadata that BBB itself calls or downloads. */
START_TEST(test_integration_api_create_callback_urls_checked)
{
	struct reply r;

	assert_fetch_refused("POST", "/v1/meetings",
			     "{\"name\":\"Ssrf\",\"meetingID\":\"ssrf-3\","
			     "\"meetingEndedURL\":\"http://127.0.0.1:9000/ended\"}",
			     "meetingEndedURL");
	assert_fetch_refused("POST", "/v1/meetings",
			     "{\"name\":\"Ssrf\",\"meetingID\":\"ssrf-4\","
			     "\"preUploadedPresentation\":\"http://10.0.0.5/deck.pdf\"}",
			     "preUploadedPresentation");
	assert_fetch_refused("POST", "/v1/meetings",
			     "{\"name\":\"Ssrf\",\"meetingID\":\"ssrf-5\","
			     "\"metadata\":{\"endCallbackUrl\":\"http://169.254.169.254/x\"}}",
			     "metadata.endCallbackUrl");
	assert_fetch_refused("POST", "/v1/meetings",
			     "{\"name\":\"Ssrf\",\"meetingID\":\"ssrf-6\","
			     "\"metadata\":{\"bbb-recording-ready-url\":\"http://[::1]/r\"}}",
			     "metadata.bbb-recording-ready-url");
	/* Public URLs go through. */
	call(&r, "POST", "/v1/meetings", tok_all,
	     "{\"name\":\"Ssrf\",\"meetingID\":\"ssrf-7\","
	     "\"meetingEndedURL\":\"https://lms.example.org/ended\","
	     "\"metadata\":{\"endCallbackUrl\":\"https://lms.example.org/cb\"}}");
	ck_assert_int_eq(r.status, 201);
	reply_free(&r);
}
END_TEST

static void allow_tweak(struct gw_config *c)
{
	c->fetch_allow = calloc(2, sizeof(char *));
	ck_assert_ptr_nonnull(c->fetch_allow);
	c->fetch_allow[0] = strdup("10.1.2.0/24");
	c->fetch_allow[1] = strdup("files.internal");
	c->n_fetch_allow = 2;
}

static void allow_setup(void)
{
	harness_tweak = allow_tweak;
	fetch_setup();
	harness_tweak = NULL;
}

/* bbb.fetch_allow lets the operator's own file server through, and nothing else. */
START_TEST(test_integration_api_fetch_allowed_by_config)
{
	struct reply r;
	struct bbbsim_document d;

	create_meeting("allow-1");
	call(&r, "POST", "/v1/meetings/allow-1/documents", tok_all,
	     "{\"presentations\":[{\"url\":\"http://10.1.2.7:8080/deck.pdf\"}]}");
	ck_assert_int_eq(r.status, 202);
	reply_free(&r);
	ck_assert_uint_eq(bbbsim_document_count(sim), 1);
	ck_assert(bbbsim_document_get(sim, 0, &d));
	ck_assert_str_eq(d.url, "http://10.1.2.7:8080/deck.pdf");
	bbbsim_document_free(&d);
	call(&r, "POST", "/v1/hooks", tok_all, "{\"callbackURL\":\"http://10.1.2.9/hook\"}");
	ck_assert_int_eq(r.status, 201);
	reply_free(&r);
	assert_fetch_refused("POST", "/v1/meetings/allow-1/documents",
			     "{\"presentations\":[{\"url\":\"http://10.1.3.7/deck.pdf\"}]}",
			     "presentations[0].url");
	assert_fetch_refused("POST", "/v1/hooks", "{\"callbackURL\":\"http://127.0.0.1/\"}",
			     "callbackURL");
}
END_TEST

static Suite *integration_api_fetch_suite(void)
{
	Suite *s = suite_create("integration_api_fetch");
	TCase *tc = tcase_create("fetch");
	TCase *allow = tcase_create("fetch_allow");

	tcase_add_checked_fixture(tc, fetch_setup, teardown);
	tcase_add_checked_fixture(allow, allow_setup, teardown);
	tcase_add_test(allow, test_integration_api_fetch_allowed_by_config);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_integration_api_fetch_internal_refused);
	tcase_add_test(tc, test_integration_api_create_callback_urls_checked);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, allow);
	return s;
}

GW_TEST_MAIN(integration_api_fetch_suite)
