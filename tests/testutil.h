/*
 * testutil.h - helpers shared by the Check suites: a main() that runs one
 * suite with TAP output, paths to test data, and the fixtures of the
 * in-memory exchange tests (a config from text, an exchange for a method
 * and path, its JSON body, headers and problem answers).
 */
#ifndef GW_TESTUTIL_H
#define GW_TESTUTIL_H

#include <check.h>
#include <jansson.h>
#include <stddef.h>

#include "auth.h"

struct gw_config;
struct gw_exchange;
struct gw_services;

/* Runs the suite; exit status 0 when every test passed. */
int gw_test_run(Suite *s);

#define GW_TEST_MAIN(suite_fn)                  \
	int main(void)                          \
	{                                       \
		return gw_test_run(suite_fn()); \
	}

/*
 * Reads tests/data/<rel> into a malloc'd NUL-terminated buffer (caller
 * frees); *len gets the size when len is not NULL. Aborts the test on error.
 */
char *gw_test_read_data(const char *rel, size_t *len);

/* Absolute path of tests/data/<rel> in a static buffer. */
const char *gw_test_data_path(const char *rel);

/*
 * A TCP port of 127.0.0.1 that was free a moment ago (bound to port 0,
 * then closed), for a server the test starts.
 */
unsigned gw_test_free_port(void);

/* strdup that fails the test on OOM. Caller frees. */
char *gw_test_strdup(const char *s);

struct gw_exchange;

/* A copy of s in x's arena (for the request fields that live there); fails the test on OOM. */
char *gw_test_xstrdup(struct gw_exchange *x, const char *s);

/*
 * The configuration in libconfig text (named "test.conf" in messages);
 * fails the test with the loader's messages when it does not load.
 * Caller unrefs.
 */
struct gw_config *gw_test_config(const char *text);

/* Services holding only the API's route table (no metrics, rate limits or probe cache). */
const struct gw_services *gw_test_services(void);

/* The request id gw_test_exchange gives every exchange. */
#define GW_TEST_REQUEST_ID "test-request"

/*
 * A new exchange on cfg (borrowed; the exchange takes its own reference)
 * for method (a static string) and raw path (copied; NULL = none), with
 * request id GW_TEST_REQUEST_ID and gw_test_services(). Caller frees with
 * gw_exchange_free.
 */
struct gw_exchange *gw_test_exchange(struct gw_config *cfg, const char *method, const char *path);

/* Gives x a request body json (copied) with Content-Type: application/json. */
void gw_test_set_json_body(struct gw_exchange *x, const char *json);

/* The response body of x parsed as JSON; fails the test when it is not. Caller decrefs. */
json_t *gw_test_json_body(const struct gw_exchange *x);

/* The value of response header name (any case) of x, or NULL. Borrowed. */
const char *gw_test_header(const struct gw_exchange *x, const char *name);

/* The string member key of o, or NULL. Borrowed. */
const char *gw_test_jstr(json_t *o, const char *key);

/*
 * Asserts that x answered with an application/problem+json of status and
 * code, carrying x's request id.
 */
void gw_test_assert_problem(const struct gw_exchange *x, int status, const char *code);

/* The name of a single method bit ("GET"), "OTHER" for anything else. Static. */
const char *gw_test_method_name(unsigned method);

/*
 * Writes pattern with every {param} replaced by value into out (outlen
 * bytes, truncated); returns the number of parameters replaced.
 */
size_t gw_test_fill_pattern(const char *pattern, const char *value, char *out, size_t outlen);

/* The setting of gw_test_api_config, for tests that check against it. */
#define GW_TEST_BBB_URL "http://bbb.test/bigbluebutton/api"
#define GW_TEST_APP_ORIGIN "https://app.example.org" /* in cors.origins */
#define GW_TEST_LMS_ORIGIN "https://lms.example.org"
#define GW_TEST_OTHER_ORIGIN "https://other.example.org"
#define GW_TEST_EVIL_ORIGIN "https://evil.example.net"

/*
 * The configuration of the in-memory API tests: BBB at GW_TEST_BBB_URL
 * (public https://public.test/bigbluebutton/api), cors.origins =
 * [GW_TEST_APP_ORIGIN], cors.max_age_s = 321, no tokens. Caller unrefs.
 */
struct gw_config *gw_test_api_config(void);

/* A checked fixture's start: *cfg = gw_test_api_config(), *x an exchange for GET /. */
void gw_test_api_init(struct gw_config **cfg, struct gw_exchange **x);

/* Its end: frees *x and unrefs *cfg (both may be NULL). */
void gw_test_api_deinit(struct gw_config **cfg, struct gw_exchange **x);

/* Replaces *x (freed) with gw_test_exchange(cfg, method, path). */
void gw_test_restart(struct gw_exchange **x, struct gw_config *cfg, const char *method,
		     const char *path);

/* Sets x's Authorization header to bearer (copied). */
void gw_test_set_auth(struct gw_exchange *x, const char *bearer);

/* Room for "Bearer <token>" as gw_test_add_token writes it. */
#define GW_TEST_BEARER_LEN 96u

/*
 * Mints a fresh token named name with scopes (and one allowed CORS origin
 * when origin is not NULL), adds it to cfg's tokens and writes
 * "Bearer <token>" into bearer. Add tokens before making exchanges on
 * cfg: the token array moves.
 */
void gw_test_add_token(struct gw_config *cfg, const char *name, unsigned scopes, const char *origin,
		       char bearer[GW_TEST_BEARER_LEN]);

/*
 * A JWT's token as the verifier builds it (bearer_claims.c): refs 1 (free
 * with gw_token_unref, or hand the reference to an exchange's req.token),
 * named "lms:<name>", with scopes and claims of issuer "lms": bound to the
 * n meetings (meetings NULL: unbound, any_meeting) with role. Set the other
 * claims (sub, full_name, ...) with gw_test_strdup, userdata and origins
 * with the two helpers below.
 */
struct gw_token *gw_test_jwt_token(const char *name, unsigned scopes, const char *const *meetings,
				   size_t n, enum gw_role role);

/* Adds the userdata claim key = value to a token of gw_test_jwt_token. */
void gw_test_jwt_userdata(struct gw_token *t, const char *key, const char *value);

/* Adds origin to the token's allowed origins (bbb.origins for a JWT). */
void gw_test_token_origin(struct gw_token *t, const char *origin);

#endif
