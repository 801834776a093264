/*
 * check_integration_events.c - bbb-webhooks' callbacks into the gateway
 * (POST /v1/bbb-events) end to end: signed as bbb-webhooks signs them (the
 * checksum computed here with OpenSSL over callback URL + body + BBB's
 * secret, or bearer mode), refused otherwise, counted in /metrics.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "testutil.h"

#define CALLBACK_URL "http://gateway.test/v1/bbb-events"

static bool bearer_mode;
static unsigned fixed_port; /* 0, or the port the gateway must listen on (callback_url names it) */
static char live_url[128];

static void events_tweak(struct gw_config *c)
{
	c->events_callback_url = strdup(fixed_port != 0 ? live_url : CALLBACK_URL);
	c->events_bearer = bearer_mode;
	if (fixed_port != 0) {
		c->listen_port = fixed_port;
		/* the hook's callback is this gateway on loopback */
		c->fetch_allow = calloc(1, sizeof(char *));
		ck_assert_ptr_nonnull(c->fetch_allow);
		c->fetch_allow[0] = strdup("127.0.0.1");
		c->n_fetch_allow = 1;
	}
}

static void events_setup(void)
{
	fixed_port = 0;
	bearer_mode = false;
	harness_tweak = events_tweak;
	setup();
}

static void bearer_setup(void)
{
	fixed_port = 0;
	bearer_mode = true;
	harness_tweak = events_tweak;
	setup();
}

/* The defaults: no events group (harness_tweak outlives a test case when Check does not fork). */
static void off_setup(void)
{
	harness_tweak = NULL;
	setup();
}

/* Hex SHA-1 of URL + body + secret, as bbb-webhooks computes it. */
static void checksum(const char *url, const char *body, const char *secret, char out[41])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	ck_assert_ptr_nonnull(c);
	ck_assert(EVP_DigestInit_ex(c, EVP_sha1(), NULL) == 1);
	EVP_DigestUpdate(c, url, strlen(url));
	EVP_DigestUpdate(c, body, strlen(body));
	EVP_DigestUpdate(c, secret, strlen(secret));
	ck_assert(EVP_DigestFinal_ex(c, md, &len) == 1);
	EVP_MD_CTX_free(c);
	for (unsigned i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* A form body with one user-joined event, percent-encoded as URLSearchParams does. */
static const char *joined_body(void)
{
	return "domain=bbb.test&event=%5B%7B%22data%22%3A%7B%22type%22%3A%22event%22%2C%22id%22%3A%"
	       "22user-joined%22%2C%22attributes%22%3A%7B%22meeting%22%3A%7B%22internal-meeting-"
	       "id%22%3A%22i-1%22%2C%22external-meeting-id%22%3A%22room-a%22%7D%2C%22user%22%3A%"
	       "7B%22internal-user-id%22%3A%22w_1%22%2C%22external-user-id%22%3A%22u-1%22%2C%22"
	       "name%22%3A%22Ada+L%22%2C%22role%22%3A%22VIEWER%22%2C%22presenter%22%3Afalse%2C%"
	       "22session-token%22%3A%22st-secret-9%22%7D%7D%2C%22event%22%3A%7B%22ts%22%3A17000"
	       "00000000%7D%7D%7D%5D&timestamp=1700000000001";
}

static void post(struct reply *r, const char *query, const char *body, const char *ctype,
		 const char *auth)
{
	char path[256];
	struct req q = {.method = "POST",
			.path = path,
			.body = body,
			.content_type = ctype != NULL ? ctype : "application/x-www-form-urlencoded",
			.extra_header = auth};

	snprintf(path, sizeof(path), "/v1/bbb-events%s", query);
	do_request(&q, r);
}

/* The value of a /metrics sample line, or -1. */
START_TEST(test_events_callback_signed)
{
	char sum[41];
	char query[64];
	struct reply r;

	checksum(CALLBACK_URL, joined_body(), HARNESS_SECRET, sum);
	snprintf(query, sizeof(query), "?checksum=%s", sum);
	post(&r, query, joined_body(), NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "received")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "dropped")), 0);
	reply_free(&r);
	ck_assert_int_eq(harness_metric("bbb_gateway_events_received_total"), 1);

	/* upper-case hex is the same checksum */
	for (char *p = sum; *p != '\0'; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	snprintf(query, sizeof(query), "?checksum=%s", sum);
	post(&r, query, joined_body(), NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	ck_assert_int_eq(harness_metric("bbb_gateway_events_received_total"), 2);
}
END_TEST

START_TEST(test_events_callback_refused)
{
	char sum[41];
	char query[64];
	struct reply r;

	/* another secret, another URL, a changed body, none at all */
	checksum(CALLBACK_URL, joined_body(), "another-secret", sum);
	snprintf(query, sizeof(query), "?checksum=%s", sum);
	post(&r, query, joined_body(), NULL, NULL);
	assert_problem(&r, 401, "unauthorized");
	reply_free(&r);
	checksum("http://gateway.test/other", joined_body(), HARNESS_SECRET, sum);
	snprintf(query, sizeof(query), "?checksum=%s", sum);
	post(&r, query, joined_body(), NULL, NULL);
	assert_problem(&r, 401, "unauthorized");
	reply_free(&r);
	checksum(CALLBACK_URL, joined_body(), HARNESS_SECRET, sum);
	snprintf(query, sizeof(query), "?checksum=%s", sum);
	post(&r, query, "domain=x&event=%5B%5D", NULL, NULL);
	assert_problem(&r, 401, "unauthorized");
	reply_free(&r);
	post(&r, "", joined_body(), NULL, NULL);
	assert_problem(&r, 401, "unauthorized");
	reply_free(&r);
	ck_assert_int_eq(harness_metric("bbb_gateway_event_callbacks_refused_total"), 4);
	ck_assert_int_eq(harness_metric("bbb_gateway_events_received_total"), 0);

	/* signed, but not a callback */
	checksum(CALLBACK_URL, "domain=x", HARNESS_SECRET, sum);
	snprintf(query, sizeof(query), "?checksum=%s", sum);
	post(&r, query, "domain=x", NULL, NULL);
	assert_problem(&r, 400, "bad_request");
	reply_free(&r);
	checksum(CALLBACK_URL, "{}", HARNESS_SECRET, sum);
	snprintf(query, sizeof(query), "?checksum=%s", sum);
	post(&r, query, "{}", "application/json", NULL);
	assert_problem(&r, 415, "unsupported_media_type");
	reply_free(&r);
}
END_TEST

START_TEST(test_events_callback_bearer)
{
	char auth[128];
	struct reply r;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", HARNESS_SECRET);
	post(&r, "", joined_body(), NULL, auth);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	post(&r, "", joined_body(), NULL, "Authorization: Bearer not-the-secret");
	assert_problem(&r, 401, "unauthorized");
	reply_free(&r);
	post(&r, "", joined_body(), NULL, NULL);
	assert_problem(&r, 401, "unauthorized");
	reply_free(&r);
}
END_TEST

START_TEST(test_events_off_by_default)
{
	struct reply r;

	post(&r, "", joined_body(), NULL, NULL);
	assert_problem(&r, 404, "not_found");
	reply_free(&r);
}
END_TEST

/*
 * Waits until bbb-webhooks lists a global hook for live_url, and destroys
 * the others (the first gateway of the test registered its own URL).
 */
static bool live_hook_registered(void)
{
	for (int i = 0; i < 500; i++) {
		if (harness_only_hook(live_url))
			return true;
		usleep(10000);
	}
	return false;
}

/*
 * The simulator posts bbb-webhooks callbacks to the hook the gateway
 * registered itself; the gateway verifies and relays them: the two sides agree on
 * the wire format and the signature.
 */
START_TEST(test_events_from_the_simulator)
{
	struct reply r;
	char path[128];
	unsigned port;

	/* learn a free port, then run the gateway on it with callback_url naming it */
	port = gw_gateway_port(gw);
	gw_gateway_stop(gw);
	gw = NULL;
	gw_config_unref(cfg);
	cfg = NULL;
	fixed_port = port;
	snprintf(live_url, sizeof(live_url), "http://127.0.0.1:%u/v1/bbb-events", port);
	start_gateway(HARNESS_SECRET, GW_DIGEST_SHA256);
	/* the gateway registers its callback with bbb-webhooks by itself */
	ck_assert(live_hook_registered());
	create_meeting("live-1");
	ck_assert(bbbsim_callbacks_wait(sim, 1, 5000));
	ck_assert_uint_eq(bbbsim_callbacks_sent(sim), 1);
	ck_assert_int_eq(harness_metric("bbb_gateway_events_received_total"), 1);
	ck_assert_int_eq(harness_metric("bbb_gateway_event_callbacks_refused_total"), 0);
	call(&r, "POST", "/v1/meetings/live-1/end", tok_all, "{}");
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	ck_assert(bbbsim_callbacks_wait(sim, 2, 5000));
	ck_assert_int_eq(harness_metric("bbb_gateway_events_received_total"), 2);

	/* bbb-webhooks dropped the hook: the next check registers it again */
	call(&r, "GET", "/v1/hooks", tok_all, NULL);
	snprintf(path, sizeof(path), "/v1/hooks/%s",
		 json_string_value(json_object_get(
			 json_array_get(json_object_get(r.json, "hooks"), 0), "hookID")));
	reply_free(&r);
	call(&r, "DELETE", path, tok_all, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	ck_assert_uint_eq(bbbsim_hook_count(sim), 0);
	gw_gateway_check_hooks(gw);
	ck_assert(live_hook_registered());
	create_meeting("live-2");
	ck_assert(bbbsim_callbacks_wait(sim, 3, 5000));
	ck_assert_int_eq(harness_metric("bbb_gateway_events_received_total"), 3);
}
END_TEST

static Suite *integration_events_suite(void)
{
	Suite *s = suite_create("integration_events");
	TCase *tc = tcase_create("callbacks");
	TCase *bearer = tcase_create("bearer");
	TCase *off = tcase_create("off");

	tcase_add_checked_fixture(tc, events_setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_events_callback_signed);
	tcase_add_test(tc, test_events_callback_refused);
	tcase_add_test(tc, test_events_from_the_simulator);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(bearer, bearer_setup, teardown);
	tcase_add_test(bearer, test_events_callback_bearer);
	suite_add_tcase(s, bearer);
	tcase_add_checked_fixture(off, off_setup, teardown);
	tcase_add_test(off, test_events_off_by_default);
	suite_add_tcase(s, off);
	return s;
}

GW_TEST_MAIN(integration_events_suite)
