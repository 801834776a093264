/*
 * check_integration.c - the real gateway (in-process, real sockets)
 * against the BBB simulator: every route, every error status of the
 * contract table, each checksum algorithm, connection reuse and a slow
 * BBB that must not block other requests.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "bbbsim.h"
#include "config.h"
#include "gateway.h"
#include "harness.h"
#include "testutil.h"
#include "upstream.h"
#include "xml2json.h"

START_TEST(test_integration_healthz_and_readyz)
{
	struct reply r;
	struct bbbsim_fault f = {.kind = BBBSIM_FAULT_HTTP_STATUS, .http_status = 500};

	call(&r, "GET", "/healthz", NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(jstr(&r, "status"), "ok");
	ck_assert_str_eq(header(&r, "Content-Type"), "application/json; charset=utf-8");
	ck_assert_str_eq(header(&r, "X-Content-Type-Options"), "nosniff");
	ck_assert_str_eq(header(&r, "Cache-Control"), "no-store");
	reply_free(&r);
	call(&r, "GET", "/readyz", NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	bbbsim_set_fault(sim, "", &f);
	/* The 200 stands for limits.readyz_cache_ms; the probe after it sees BBB fail. */
	usleep((cfg->readyz_cache_ms + 100) * 1000);
	call(&r, "GET", "/readyz", NULL, NULL);
	assert_problem(&r, 503, "unavailable");
	ck_assert_ptr_nonnull(header(&r, "Retry-After"));
	reply_free(&r);
}
END_TEST

START_TEST(test_integration_server_version)
{
	struct reply r;

	call(&r, "GET", "/v1/server", tok_read, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(jstr(&r, "version"), "2.0");
	ck_assert_str_eq(jstr(&r, "apiVersion"), "2.0");
	ck_assert_ptr_nonnull(jstr(&r, "bbbVersion"));
	ck_assert_ptr_null(json_object_get(r.json, "returncode"));
	reply_free(&r);
}
END_TEST

START_TEST(test_integration_create_typed_and_signed)
{
	struct reply r;
	struct bbbsim_request q;
	char *v;

	call(&r, "POST", "/v1/meetings", tok_all,
	     "{\"name\":\"Bio 101\",\"meetingID\":\"bio-101\",\"record\":true,\"duration\":60,"
	     "\"metadata\":{\"bbb-origin\":\"lms\"},\"disabledFeatures\":[\"chat\",\"polls\"],"
	     "\"welcome\":\"Hi & welcome\"}");
	ck_assert_int_eq(r.status, 201);
	ck_assert_str_eq(header(&r, "Location"), "/v1/meetings/bio-101");
	ck_assert_str_eq(jstr(&r, "meetingID"), "bio-101");
	ck_assert(json_is_integer(json_object_get(r.json, "createTime")));
	ck_assert(json_is_boolean(json_object_get(r.json, "hasUserJoined")));
	ck_assert_ptr_null(json_object_get(r.json, "warning"));
	reply_free(&r);
	last_sim_request(&q);
	ck_assert_str_eq(q.call, "create");
	ck_assert_str_eq(q.method, "GET");
	ck_assert(q.checksum_ok);
	ck_assert_str_eq(q.algorithm, "sha256");
	ck_assert_ptr_nonnull(strstr(q.query, "name=Bio+101&meetingID=bio-101&"));
	ck_assert_ptr_nonnull(strstr(q.query, "meta_bbb-origin=lms"));
	ck_assert_ptr_nonnull(strstr(q.query, "disabledFeatures=chat%2Cpolls"));
	ck_assert_ptr_nonnull(strstr(q.query, "welcome=Hi+%26+welcome"));
	v = bbbsim_query_param(q.query, "record");
	ck_assert_str_eq(v, "true");
	free(v);
	bbbsim_request_free(&q);
}
END_TEST

START_TEST(test_integration_raw_bbb_params)
{
	struct reply r;
	struct bbbsim_request q;
	char *v;

	/* "bbb": parameters the gateway does not know, forwarded as they are */
	call(&r, "POST", "/v1/meetings", tok_all,
	     "{\"name\":\"Raw\",\"meetingID\":\"raw-1\",\"record\":true,"
	     "\"bbb\":{\"futureParam\":\"a b\",\"futureCount\":3}}");
	ck_assert_int_eq(r.status, 201);
	reply_free(&r);
	last_sim_request(&q);
	ck_assert_str_eq(q.call, "create");
	ck_assert(q.checksum_ok);
	v = bbbsim_query_param(q.query, "futureParam");
	ck_assert_str_eq(v, "a b");
	free(v);
	v = bbbsim_query_param(q.query, "futureCount");
	ck_assert_str_eq(v, "3");
	free(v);
	ck_assert_ptr_null(bbbsim_query_param(q.query, "bbb"));
	bbbsim_request_free(&q);

	call(&r, "POST", "/v1/meetings/raw-1/join", tok_all,
	     "{\"fullName\":\"Ada\",\"role\":\"VIEWER\",\"bbb\":{\"futureJoin\":true}}");
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(jstr(&r, "url"), "&futureJoin=true&"));
	reply_free(&r);

	/* a member the gateway checks is never a raw parameter */
	call(&r, "POST", "/v1/meetings", tok_all,
	     "{\"name\":\"Raw\",\"meetingID\":\"raw-2\",\"bbb\":{\"record\":\"yes\"}}");
	assert_problem(&r, 400, "bad_request");
	ck_assert_str_eq(jstr(&r, "field"), "bbb.record");
	reply_free(&r);
	call(&r, "POST", "/v1/meetings", tok_all,
	     "{\"name\":\"Raw\",\"meetingID\":\"raw-2\",\"bbb\":{\"meetingID\":\"other\"}}");
	assert_problem(&r, 400, "bad_request");
	ck_assert_str_eq(jstr(&r, "field"), "bbb.meetingID");
	reply_free(&r);
}
END_TEST

START_TEST(test_integration_create_duplicate_and_conflict)
{
	struct reply r;

	create_meeting("dup-1");
	call(&r, "POST", "/v1/meetings", tok_all, "{\"name\":\"Again\",\"meetingID\":\"dup-1\"}");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(
				 json_object_get(json_object_get(r.json, "warning"), "messageKey")),
			 "duplicateWarning");
	reply_free(&r);
	call(&r, "POST", "/v1/meetings", tok_all,
	     "{\"name\":\"Again\",\"meetingID\":\"dup-1\",\"moderatorPW\":\"other-pw\"}");
	assert_problem(&r, 409, "bbb_conflict");
	ck_assert_str_eq(jstr(&r, "messageKey"), "idNotUnique");
	ck_assert_ptr_nonnull(jstr(&r, "message"));
	reply_free(&r);
}
END_TEST

START_TEST(test_integration_create_generates_id)
{
	struct reply r;
	const char *id;

	call(&r, "POST", "/v1/meetings", tok_all, "{\"name\":\"No id\"}");
	ck_assert_int_eq(r.status, 201);
	id = jstr(&r, "meetingID");
	ck_assert_ptr_nonnull(id);
	ck_assert_uint_eq(strlen(id), 36);
	reply_free(&r);
}
END_TEST

START_TEST(test_integration_create_validation)
{
	static const struct {
		const char *body;
		const char *field;
	} cases[] = {
		{"{\"meetingID\":\"x1\"}", "name"},
		{"{\"name\":\"n\",\"record\":\"yes\"}", "record"},
		{"{\"name\":\"n\",\"duration\":-5}", "duration"},
		{"{\"name\":\"n\",\"metadata\":{\"bad_key\":\"v\"}}", "metadata.bad_key"},
		{"{\"name\":\"n\",\"metadata\":{\"k\":1}}", "metadata.k"},
		{"{\"name\":\"n\",\"surprise\":{\"a\":1}}", "surprise"},
	};
	struct reply r;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		call(&r, "POST", "/v1/meetings", tok_all, cases[i].body);
		assert_problem(&r, 400, "bad_request");
		ck_assert_str_eq(jstr(&r, "field"), cases[i].field);
		reply_free(&r);
	}
	ck_assert_uint_eq(bbbsim_request_count(sim), 0);
}
END_TEST

START_TEST(test_integration_list_get_running)
{
	struct reply r;
	json_t *m;

	call(&r, "GET", "/v1/meetings", tok_read, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert(json_is_array(json_object_get(r.json, "meetings")));
	ck_assert_uint_eq(json_array_size(json_object_get(r.json, "meetings")), 0);
	reply_free(&r);
	create_meeting("m-1");
	ck_assert(bbbsim_add_attendee(sim, "m-1", "u1", "Ada O'Brien", true));
	call(&r, "GET", "/v1/meetings", tok_read, NULL);
	ck_assert_uint_eq(json_array_size(json_object_get(r.json, "meetings")), 1);
	reply_free(&r);
	call(&r, "GET", "/v1/meetings/m-1", tok_read, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(jstr(&r, "meetingID"), "m-1");
	ck_assert(json_is_array(json_object_get(r.json, "attendees")));
	m = json_array_get(json_object_get(r.json, "attendees"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(m, "fullName")), "Ada O'Brien");
	ck_assert(json_is_true(json_object_get(m, "isPresenter")) ||
		  json_is_false(json_object_get(m, "isPresenter")));
	ck_assert(json_is_object(json_object_get(r.json, "metadata")));
	ck_assert(json_is_integer(json_object_get(r.json, "participantCount")));
	reply_free(&r);
	call(&r, "GET", "/v1/meetings/m-1/running", tok_read, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert(json_is_boolean(json_object_get(r.json, "running")));
	reply_free(&r);
	call(&r, "GET", "/v1/meetings/nope/running", tok_read, NULL);
	ck_assert(json_is_false(json_object_get(r.json, "running")));
	reply_free(&r);
	call(&r, "GET", "/v1/meetings/nope", tok_read, NULL);
	assert_problem(&r, 404, "bbb_not_found");
	ck_assert_str_eq(jstr(&r, "messageKey"), "notFound");
	reply_free(&r);
}
END_TEST

START_TEST(test_integration_path_param_decoded)
{
	struct reply r;
	struct bbbsim_request q;

	call(&r, "GET", "/v1/meetings/a%2Fb%20c/running", tok_read, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	last_sim_request(&q);
	ck_assert_msg(strncmp(q.query, "meetingID=a%2Fb+c&checksum=", 27) == 0, "query %s",
		      q.query);
	bbbsim_request_free(&q);
	call(&r, "GET", "/v1/meetings/%ZZ", tok_read, NULL);
	assert_problem(&r, 400, "bad_path_parameter");
	reply_free(&r);
}
END_TEST

START_TEST(test_integration_join_url_verifies)
{
	struct reply r;
	const char *url;
	const char *q;
	char target[2048];
	CURL *h;
	long status = 0;
	struct bbbsim_request sr;

	create_meeting("j-1");
	call(&r, "POST", "/v1/meetings/j-1/join", tok_all,
	     "{\"fullName\":\"Ada\",\"role\":\"moderator\",\"userID\":\"u-7\","
	     "\"userdata\":{\"bbb_skip_check_audio\":\"true\"}}");
	ck_assert_int_eq(r.status, 200);
	url = jstr(&r, "url");
	ck_assert_ptr_nonnull(url);
	ck_assert_ptr_eq(strstr(url, "https://bbb.example.org/bigbluebutton/api/join?"), url);
	ck_assert_ptr_nonnull(strstr(url, "role=MODERATOR"));
	ck_assert_ptr_nonnull(strstr(url, "userdata-bbb_skip_check_audio=true"));
	/* The same query, sent to the simulator, must pass its checksum check. */
	q = strchr(url, '?');
	snprintf(target, sizeof(target), "http://127.0.0.1:%u/bigbluebutton/api/join%s",
		 bbbsim_port(sim), q);
	reply_free(&r);
	h = curl_easy_init();
	curl_easy_setopt(h, CURLOPT_URL, target);
	curl_easy_setopt(h, CURLOPT_NOBODY, 0L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	{
		struct gw_buf sink;

		gw_buf_init(&sink, 1 << 20);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
		ck_assert_int_eq(curl_easy_perform(h), CURLE_OK);
		gw_buf_deinit(&sink);
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	ck_assert_int_eq(status, 302);
	last_sim_request(&sr);
	ck_assert_str_eq(sr.call, "join");
	ck_assert(sr.checksum_ok);
	bbbsim_request_free(&sr);
}
END_TEST

START_TEST(test_integration_join_validation)
{
	struct reply r;

	call(&r, "POST", "/v1/meetings/j-2/join", tok_all, "{\"role\":\"VIEWER\"}");
	assert_problem(&r, 400, "bad_request");
	ck_assert_str_eq(jstr(&r, "field"), "fullName");
	reply_free(&r);
	call(&r, "POST", "/v1/meetings/j-2/join", tok_all, "{\"fullName\":\"A\"}");
	assert_problem(&r, 400, "bad_request");
	reply_free(&r);
	call(&r, "POST", "/v1/meetings/j-2/join", tok_all,
	     "{\"fullName\":\"A\",\"role\":\"OWNER\"}");
	assert_problem(&r, 400, "bad_request");
	ck_assert_str_eq(jstr(&r, "field"), "role");
	reply_free(&r);
}
END_TEST

START_TEST(test_integration_end)
{
	struct reply r;

	create_meeting("e-1");
	call(&r, "POST", "/v1/meetings/e-1/end", tok_all, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	call(&r, "GET", "/v1/meetings/e-1", tok_all, NULL);
	assert_problem(&r, 404, "bbb_not_found");
	reply_free(&r);
	call(&r, "POST", "/v1/meetings/e-1/end", tok_all, NULL);
	assert_problem(&r, 404, "bbb_not_found");
	ck_assert_str_eq(jstr(&r, "messageKey"), "notFound");
	reply_free(&r);
}
END_TEST

START_TEST(test_integration_auth_errors)
{
	struct reply r;

	call(&r, "GET", "/v1/meetings", NULL, NULL);
	assert_problem(&r, 401, "unauthorized");
	ck_assert_ptr_nonnull(header(&r, "WWW-Authenticate"));
	ck_assert_ptr_eq(strstr(header(&r, "WWW-Authenticate"), "Bearer"), header(&r, "WWW-"
										      "Authenticat"
										      "e"));
	reply_free(&r);
	call(&r, "GET", "/v1/meetings", "bgw_not-a-real-token", NULL);
	assert_problem(&r, 401, "unauthorized");
	ck_assert_ptr_null(strstr(gw_buf_str(&r.body), "bgw_not-a-real-token"));
	reply_free(&r);
	call(&r, "POST", "/v1/meetings", tok_read, "{\"name\":\"x\"}");
	assert_problem(&r, 403, "forbidden");
	ck_assert_str_eq(jstr(&r, "scope"), "meetings:create");
	ck_assert_ptr_nonnull(strstr(jstr(&r, "detail"), "meetings:create"));
	reply_free(&r);
	ck_assert_uint_eq(bbbsim_request_count(sim), 0);
}
END_TEST

START_TEST(test_integration_routing_and_body_errors)
{
	struct reply r;
	struct req q = {.method = "POST",
			.path = "/v1/meetings",
			.token = NULL,
			.body = "{\"name\":\"x\"}",
			.content_type = "text/plain"};
	char big[8192];

	call(&r, "GET", "/v1/nothing", tok_all, NULL);
	assert_problem(&r, 404, "not_found");
	reply_free(&r);
	call(&r, "DELETE", "/v1/meetings", tok_all, NULL);
	assert_problem(&r, 405, "method_not_allowed");
	ck_assert_ptr_nonnull(strstr(header(&r, "Allow"), "GET"));
	ck_assert_ptr_nonnull(strstr(header(&r, "Allow"), "POST"));
	reply_free(&r);
	q.token = tok_all;
	do_request(&q, &r);
	assert_problem(&r, 415, "unsupported_media_type");
	reply_free(&r);
	call(&r, "POST", "/v1/meetings", tok_all, "{\"name\": ");
	assert_problem(&r, 400, "bad_request");
	reply_free(&r);
	call(&r, "POST", "/v1/meetings", tok_all, "[1,2]");
	assert_problem(&r, 400, "bad_request");
	reply_free(&r);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[0] = '"';
	big[sizeof(big) - 2] = '"';
	call(&r, "POST", "/v1/meetings", tok_all, big);
	assert_problem(&r, 413, "body_too_large");
	reply_free(&r);
	ck_assert_uint_eq(bbbsim_request_count(sim), 0);
}
END_TEST

START_TEST(test_integration_checksum_algorithms)
{
	static const struct {
		enum gw_digest alg;
		const char *name;
		size_t hexlen;
	} algs[] = {
		{GW_DIGEST_SHA1, "sha1", 40},
		{GW_DIGEST_SHA256, "sha256", 64},
		{GW_DIGEST_SHA384, "sha384", 96},
		{GW_DIGEST_SHA512, "sha512", 128},
	};
	struct reply r;
	struct bbbsim_request q;
	size_t i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		char *sum;

		restart_gateway(HARNESS_SECRET, algs[i].alg);
		call(&r, "GET", "/v1/meetings", tok_read, NULL);
		ck_assert_int_eq(r.status, 200);
		reply_free(&r);
		last_sim_request(&q);
		ck_assert(q.checksum_ok);
		ck_assert_str_eq(q.algorithm, algs[i].name);
		sum = bbbsim_query_param(q.query, "checksum");
		ck_assert_uint_eq(strlen(sum), algs[i].hexlen);
		free(sum);
		bbbsim_request_free(&q);
	}
}
END_TEST

START_TEST(test_integration_wrong_secret_is_502)
{
	struct reply r;

	restart_gateway("the-wrong-secret-value", GW_DIGEST_SHA256);
	call(&r, "GET", "/v1/meetings", tok_read, NULL);
	assert_problem(&r, 502, "bbb_checksum_error");
	ck_assert_str_eq(jstr(&r, "messageKey"), "checksumError");
	ck_assert_ptr_nonnull(strstr(jstr(&r, "detail"), "bbb.secret"));
	ck_assert_ptr_null(strstr(gw_buf_str(&r.body), "the-wrong-secret-value"));
	ck_assert_ptr_null(strstr(gw_buf_str(&r.body), HARNESS_SECRET));
	reply_free(&r);
}
END_TEST

START_TEST(test_integration_upstream_faults)
{
	struct bbbsim_fault slow = {.kind = BBBSIM_FAULT_DELAY, .delay_ms = 4500, .count = 1};
	struct bbbsim_fault garbage = {.kind = BBBSIM_FAULT_GARBAGE, .body = "not xml", .count = 1};
	struct bbbsim_fault http = {
		.kind = BBBSIM_FAULT_HTTP_STATUS, .http_status = 500, .count = 1};
	struct bbbsim_fault doctype = {.kind = BBBSIM_FAULT_BODY,
				       .count = 1,
				       .body = "<!DOCTYPE r [<!ENTITY x \"y\">]><response>"
					       "<returncode>SUCCESS</returncode></response>"};
	struct bbbsim_fault close = {.kind = BBBSIM_FAULT_CLOSE};
	struct reply r;

	bbbsim_set_fault(sim, "getMeetings", &slow);
	call(&r, "GET", "/v1/meetings", tok_read, NULL);
	assert_problem(&r, 504, "upstream_timeout");
	reply_free(&r);
	bbbsim_set_fault(sim, "getMeetings", &garbage);
	call(&r, "GET", "/v1/meetings", tok_read, NULL);
	assert_problem(&r, 502, "upstream_bad_reply");
	reply_free(&r);
	bbbsim_set_fault(sim, "getMeetings", &http);
	call(&r, "GET", "/v1/meetings", tok_read, NULL);
	assert_problem(&r, 502, "upstream_http_error");
	reply_free(&r);
	bbbsim_set_fault(sim, "getMeetings", &doctype);
	call(&r, "GET", "/v1/meetings", tok_read, NULL);
	assert_problem(&r, 502, "upstream_bad_reply");
	reply_free(&r);
	/* Until cleared: libcurl retries once by itself on a reused connection. */
	bbbsim_set_fault(sim, "getMeetings", &close);
	call(&r, "GET", "/v1/meetings", tok_read, NULL);
	assert_problem(&r, 502, "upstream_bad_reply");
	reply_free(&r);
	bbbsim_set_fault(sim, "getMeetings", NULL);
	call(&r, "GET", "/v1/meetings", tok_read, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
}
END_TEST

START_TEST(test_integration_bbb_down_is_502)
{
	struct reply r;

	bbbsim_stop(sim);
	sim = NULL;
	call(&r, "GET", "/v1/meetings", tok_read, NULL);
	assert_problem(&r, 502, "upstream_unreachable");
	reply_free(&r);
	call(&r, "GET", "/readyz", NULL, NULL);
	assert_problem(&r, 503, "unavailable");
	reply_free(&r);
}
END_TEST

START_TEST(test_integration_connections_reused)
{
	struct reply r;
	unsigned long before = bbbsim_connections(sim);
	int i;

	for (i = 0; i < 100; i++) {
		call(&r, "GET", "/v1/meetings/x-1/running", tok_read, NULL);
		ck_assert_int_eq(r.status, 200);
		reply_free(&r);
	}
	ck_assert_uint_eq(bbbsim_request_count(sim), 100);
	ck_assert_uint_le(bbbsim_connections(sim) - before, 2);
}
END_TEST

struct slow_arg {
	struct reply r;
	int done_order;
};

static int order_counter;
static pthread_mutex_t order_lock = PTHREAD_MUTEX_INITIALIZER;

static void *slow_call(void *p)
{
	struct slow_arg *a = p;

	call(&a->r, "GET", "/v1/meetings", tok_read, NULL);
	pthread_mutex_lock(&order_lock);
	a->done_order = ++order_counter;
	pthread_mutex_unlock(&order_lock);
	return NULL;
}

static void long_timeout(struct gw_config *c)
{
	c->bbb_timeout_ms = 15000;
}

START_TEST(test_integration_slow_bbb_does_not_block)
{
	struct bbbsim_fault slow = {.kind = BBBSIM_FAULT_DELAY, .delay_ms = 2500};
	struct slow_arg args[6];
	pthread_t th[6];
	struct reply r;
	int fast_order;
	int i;

	harness_tweak = long_timeout; /* the slow calls must not time out */
	restart_gateway(HARNESS_SECRET, GW_DIGEST_SHA256);
	harness_tweak = NULL;
	bbbsim_set_fault(sim, "getMeetings", &slow);
	for (i = 0; i < 6; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, slow_call, &args[i]), 0);
	while (bbbsim_request_count(sim) < 6)
		usleep(10 * 1000);
	/* Both workers may hold suspended requests; fast requests still get through. */
	call(&r, "GET", "/healthz", NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	call(&r, "GET", "/v1/meetings/quick-1/running", tok_read, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	pthread_mutex_lock(&order_lock);
	fast_order = order_counter;
	pthread_mutex_unlock(&order_lock);
	/*
	 * Join before asserting: with CK_FORK=no (the valgrind setup) a failed
	 * assertion leaves the test function, and threads still writing into
	 * args[] on its stack turned one timing failure into a crash.
	 */
	for (i = 0; i < 6; i++)
		pthread_join(th[i], NULL);
	ck_assert_int_eq(fast_order, 0);
	for (i = 0; i < 6; i++) {
		ck_assert_int_eq(args[i].r.status, 200);
		reply_free(&args[i].r);
	}
}
END_TEST

START_TEST(test_integration_raw_xml_escape_hatch)
{
	struct reply r;
	struct req q = {.method = "GET",
			.path = "/v1/meetings",
			.token = tok_read,
			.extra_header = "Accept: application/xml"};

	/* BBB's XML shows the meeting passwords: only for tokens with meetings:passwords */
	do_request(&q, &r);
	assert_problem(&r, 403, "forbidden");
	ck_assert_str_eq(jstr(&r, "scope"), "meetings:passwords");
	reply_free(&r);
	q.token = tok_all;
	do_request(&q, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(header(&r, "Content-Type"), "application/xml"));
	ck_assert_ptr_eq(strstr(gw_buf_str(&r.body), "<response>"), gw_buf_str(&r.body));
	ck_assert_ptr_nonnull(strstr(gw_buf_str(&r.body), "<returncode>SUCCESS</returncode>"));
	reply_free(&r);
}
END_TEST

START_TEST(test_integration_request_id)
{
	struct reply r;
	struct req q = {
		.method = "GET", .path = "/healthz", .extra_header = "X-Request-Id: abc-123"};
	char longid[200];

	do_request(&q, &r);
	ck_assert_str_eq(header(&r, "X-Request-Id"), "abc-123");
	reply_free(&r);
	memset(longid, 'x', sizeof(longid));
	memcpy(longid, "X-Request-Id: ", 14);
	longid[sizeof(longid) - 1] = '\0';
	q.extra_header = longid;
	do_request(&q, &r);
	ck_assert_uint_eq(strlen(header(&r, "X-Request-Id")), 24);
	reply_free(&r);
	q.path = "/nowhere";
	q.extra_header = "X-Request-Id: trace-9";
	do_request(&q, &r);
	ck_assert_str_eq(jstr(&r, "requestId"), "trace-9");
	reply_free(&r);
}
END_TEST

START_TEST(test_integration_cors)
{
	struct reply r;
	struct req q = {.method = "OPTIONS",
			.path = "/v1/meetings",
			.extra_header = "Origin: https://app.example.org",
			.extra_header2 = "Access-Control-Request-Method: POST"};

	do_request(&q, &r);
	ck_assert_int_eq(r.status, 204);
	ck_assert_str_eq(header(&r, "Access-Control-Allow-Origin"), "https://app.example.org");
	ck_assert_ptr_nonnull(strstr(header(&r, "Access-Control-Allow-Headers"), "Authorization"));
	ck_assert_ptr_nonnull(header(&r, "Access-Control-Max-Age"));
	ck_assert_str_eq(header(&r, "Vary"), "Origin");
	reply_free(&r);
	q.extra_header = "Origin: https://app.example.org.evil.com";
	do_request(&q, &r);
	ck_assert_int_eq(r.status, 403);
	ck_assert_ptr_null(header(&r, "Access-Control-Allow-Origin"));
	reply_free(&r);
	q.method = "GET";
	q.token = tok_read;
	q.extra_header = "Origin: https://app.example.org";
	do_request(&q, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(header(&r, "Access-Control-Allow-Origin"), "https://app.example.org");
	reply_free(&r);
}
END_TEST

static Suite *integration_suite(void)
{
	Suite *s = suite_create("integration");
	TCase *tc = tcase_create("gateway");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_integration_healthz_and_readyz);
	tcase_add_test(tc, test_integration_server_version);
	tcase_add_test(tc, test_integration_create_typed_and_signed);
	tcase_add_test(tc, test_integration_raw_bbb_params);
	tcase_add_test(tc, test_integration_create_duplicate_and_conflict);
	tcase_add_test(tc, test_integration_create_generates_id);
	tcase_add_test(tc, test_integration_create_validation);
	tcase_add_test(tc, test_integration_list_get_running);
	tcase_add_test(tc, test_integration_path_param_decoded);
	tcase_add_test(tc, test_integration_join_url_verifies);
	tcase_add_test(tc, test_integration_join_validation);
	tcase_add_test(tc, test_integration_end);
	tcase_add_test(tc, test_integration_auth_errors);
	tcase_add_test(tc, test_integration_routing_and_body_errors);
	tcase_add_test(tc, test_integration_checksum_algorithms);
	tcase_add_test(tc, test_integration_wrong_secret_is_502);
	tcase_add_test(tc, test_integration_upstream_faults);
	tcase_add_test(tc, test_integration_bbb_down_is_502);
	tcase_add_test(tc, test_integration_connections_reused);
	tcase_add_test(tc, test_integration_slow_bbb_does_not_block);
	tcase_add_test(tc, test_integration_raw_xml_escape_hatch);
	tcase_add_test(tc, test_integration_request_id);
	tcase_add_test(tc, test_integration_cors);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(integration_suite)
