/*
 * meetingsfix.h - what the handler_meetings and handler_meetings_ops
 * suites share (meetingsfix.c): a config whose BBB is BBB_URL with
 * SECRET and an exchange per test (checked fixture; the handlers' log
 * goes to a temporary file the tests read), the BBB call a handler asked
 * for with its checksum checked by OpenSSL rather than bbb_sign.c and its
 * query decoded into q, the 400s for bad bodies, and BBB's reply handed
 * back to the handler.
 */
#ifndef GW_TEST_MEETINGSFIX_H
#define GW_TEST_MEETINGSFIX_H

#include <stddef.h>
#include <stdio.h>

#include "config.h"
#include "request.h"

#define BBB_URL "http://bbb.test/bigbluebutton/api"
#define PUBLIC_URL "https://bbb.example.org/bigbluebutton/api"
#define SECRET "meetings-test-secret-5b1d0c77e4"
#define MAX_QP 64

/* The test's config and exchange (setup makes them, teardown frees them). */
extern struct gw_config *cfg;
extern struct gw_exchange *x;
/* The handlers' log lines since setup. */
extern FILE *log_file;

/* A decoded query string. */
struct qp {
	size_t n;
	char *name[MAX_QP];
	char *value[MAX_QP];
};

/* The query of the last call checked (assert_call, verify_signed). */
extern struct qp q;

void setup(void);

void teardown(void);

/* A fresh exchange (same config). */
void restart(void);

/* The exchange's {meetingID} path parameter. */
void set_meeting(const char *id);

/* A JSON request body. */
void set_body(const char *json);

/* The decoded value of parameter name in q, or NULL. Borrowed. */
const char *qget(const char *name);

/*
 * Checks that url is base/call?<query>[&]checksum=<H(call+query+secret)>
 * and decodes the query into q.
 */
void verify_signed(const char *url, const char *base, const char *call);

/* The handler asked for BBB call `call`; its query is decoded into q. */
void assert_call(const char *call);

/* A 400 bad_request naming field (NULL: no "field" member); no BBB call. */
void assert_bad_request(const char *field);

/* Lets the requested call finish with an HTTP 200 reply and builds the response. */
void bbb_replies(const char *xml);

/* bbb_replies with tests/data/<rel>. */
void bbb_replies_file(const char *rel);

/* A create reply for meetingID id (BBB's layout); dup adds duplicateWarning. malloc'd. */
char *create_reply(const char *id, bool dup);

/* Asserts the join answered 200 {"url"} with a signed join URL; the body (decref it). */
json_t *join_ok(void);

#endif
