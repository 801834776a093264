/*
 * bbbapifix.h - what the bbb_api suites share (bbbapifix.c): a checked
 * fixture with a config (BBB at BBB_URL, signed with SECRET), an exchange
 * and the log in a file the tests read; a finish function that records
 * what it saw; asking for a call, finishing its upstream transfer and
 * completing it; problem responses; and two of BBB's replies.
 */
#ifndef GW_TEST_BBBAPIFIX_H
#define GW_TEST_BBBAPIFIX_H

#include <jansson.h>
#include <stdio.h>

#include "bbb_api.h"
#include "bbb_reply.h"
#include "config.h"
#include "err.h"
#include "request.h"

#define BBB_URL "http://bbb.test/bigbluebutton/api"
#define SECRET "bbb-api-test-secret-8f2c1e9a7b"

/* The fixture's config, exchange (request id "bbb-api-test") and log file. */
extern struct gw_config *cfg;
extern struct gw_exchange *x;
extern FILE *log_file;

/* What the test finish function saw. */
extern int finish_calls;
extern json_t *finish_body;

/* Checked fixture: the config, the exchange, nothing finished, the log into log_file. */
void setup(void);
void teardown(void);

/* The test finish function: counts the call, keeps the body, answers {"finished":"yes"}. */
void record_finish(struct gw_exchange *ex, struct gw_bbb_reply *r);

/* Asserts a problem response with status and code; returns the body (caller decrefs). */
json_t *assert_problem(int status, const char *code);

/* Asks for call c with query q and the test finish function. */
void request(const struct gw_bbb_call_def *c, const char *q);

/* The upstream call finished with result, HTTP status and reply body (NULL: none). */
void upstream_done(enum gw_err result, long http_status, const char *reply);

/* A getMeetingInfo call whose reply then goes through gw_bbb_complete. */
void complete_with(enum gw_err result, long http_status, const char *reply);

/* BBB's replies in its own layout: a checksum error and the API root. */
extern const char checksum_xml[];
extern const char api_root_xml[];

#endif
