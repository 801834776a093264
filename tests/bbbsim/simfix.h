/*
 * simfix.h - what the bbbsim and bbbsim_calls suites share (simfix.c): a
 * simulator started per test with SECRET (checked fixture), a small
 * raw-socket HTTP/1.1 client (so keep-alive and the exact bytes on the
 * wire are under the test's control), targets signed with OpenSSL,
 * independently of both the gateway and the simulator, and checks of
 * BBB's XML replies.
 */
#ifndef GW_TEST_SIMFIX_H
#define GW_TEST_SIMFIX_H

#include <stdbool.h>
#include <stddef.h>

#include "bbbsim.h"

#define SECRET "test-secret-0123"

/* The simulator under test; started by setup, stopped by teardown. */
extern struct bbbsim *sim;

struct resp {
	int status; /* 0 when the connection closed before a status line */
	char *head; /* status line and headers */
	char *body;
	size_t body_len;
};

/* A socket connected to 127.0.0.1:port, with a 20 s receive timeout. */
int cli_connect(unsigned port);

/* Reads exactly one response from fd (no body with head_only); free with resp_free. */
struct resp read_resp(int fd, bool head_only);

/* Writes one request to fd: Host of the simulator, Content-Type ctype when not NULL. */
void send_req(int fd, const char *method, const char *target, const char *ctype, const char *body,
	      size_t body_len, bool keep_alive);

/* One request and its response on fd. */
struct resp request_on(int fd, const char *method, const char *target, const char *ctype,
		       const char *body, bool keep_alive);

/* One request to the simulator on a connection of its own. */
struct resp request(const char *method, const char *target, const char *ctype, const char *body);

struct resp get(const char *target);

void resp_free(struct resp *r);

/* The value of response header name (any case), malloc'd, or NULL. */
char *header(const struct resp *r, const char *name);

/* Lowercase hex of digest alg over s, malloc'd. */
char *hexdigest(const char *alg, const char *s);

/* "/bigbluebutton/api/<call>?<query>&checksum=<H(call+query+secret)>", malloc'd. */
char *signed_with(const char *alg, const char *secret, const char *call, const char *query);

/* signed_with sha1 and SECRET. */
char *signed_target(const char *call, const char *query);

/* GET of signed_target(call_name, query). */
struct resp call(const char *call_name, const char *query);

/* Text of the first <name>…</name> in doc (malloc'd), NULL when absent. */
char *xml_value(const char *doc, const char *name);

/* doc has <name>want</name>. */
void assert_value(const char *doc, const char *name, const char *want);

/* r is BBB's FAILED document with key and message. */
void assert_failed(const struct resp *r, const char *key, const char *message);

bool starts_with(const char *s, const char *prefix);

bool ends_with(const char *s, const char *suffix);

/* A simulator with secret and algorithms (NULL: its defaults); the test fails when it cannot start. */
struct bbbsim *start_with(const char *secret, const char *algorithms);

/* Ignores SIGPIPE and starts sim with SECRET. */
void setup(void);

/* Stops sim. */
void teardown(void);

#endif
