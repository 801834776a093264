/*
 * recfix.h - what the bbbsim_records and bbbsim_hooks_api suites share
 * (recfix.c): a simulator seeded from tests/data/bbbsim/recordings.txt,
 * started per test (checked fixture); requests through bbbsim_client.h
 * with checksums computed with OpenSSL, independently of the simulator
 * and the gateway; checks that take a response and free it.
 */
#ifndef GW_TEST_RECFIX_H
#define GW_TEST_RECFIX_H

#include <stdbool.h>
#include <stddef.h>

#include "bbbsim.h"
#include "bbbsim_client.h"

#define SECRET "rec-secret-42"
#define API "/bigbluebutton/api/"
#define FORM "application/x-www-form-urlencoded"

/* The simulator under test; started by setup, stopped by teardown. */
extern struct bbbsim *sim;
extern unsigned other_port; /* when set, requests go to this port instead of sim's */

/* method target to sim (or other_port); the test fails when nothing answers. */
struct bbbsim_resp http(const char *method, const char *target, const char *ctype, const char *body,
			size_t len);

struct bbbsim_resp get(const char *target);

/* Hex digest of call + query + secret; upper: in capitals. malloc'd. */
char *checksum(const char *alg, const char *call, const char *query, bool upper);

/* "/bigbluebutton/api/<call>?<query>&checksum=<hex>", malloc'd. */
char *signed_target(const char *alg, const char *call, const char *query, bool upper);

/* method of the signed target of call and query, with an optional body. */
struct bbbsim_resp call_as(const char *alg, bool upper, const char *method, const char *call,
			   const char *query, const char *ctype, const char *body, size_t len);

/* POST of call, sha1-signed. */
struct bbbsim_resp post(const char *call, const char *query, const char *ctype, const char *body,
			size_t len);

/* GET of call_name, sha1-signed. */
struct bbbsim_resp call(const char *call_name, const char *query);

/* GET of the bbb-webhooks call hooks/<verb>, signed with alg. */
struct bbbsim_resp hook(const char *alg, const char *verb, const char *query);

/* How many times needle occurs in s. */
unsigned count(const char *s, const char *needle);

/* Fails the test unless body holds want. */
#define assert_has(body, want) \
	ck_assert_msg(strstr(body, want) != NULL, "no %s in:\n%s", want, body)

/* Each check takes the response and frees it: status 200 and body want. */
void is(struct bbbsim_resp r, const char *want);

/* The body holds want. */
void has(struct bbbsim_resp r, const char *want);

/* The HTTP status is want. */
void status(struct bbbsim_resp r, int want);

/* r's Content-Type is want (NULL: none); r is not freed. */
void content_type(const struct bbbsim_resp *r, const char *want);

/* A simulator with o, the secret defaulting to SECRET and the recordings to recordings.txt. */
struct bbbsim *start(struct bbbsim_opts o);

/* Stops sim and starts it again with o. */
void restart(struct bbbsim_opts o);

/* Ignores SIGPIPE and starts sim with the defaults. */
void setup(void);

/* Stops sim. */
void teardown(void);

#endif
