/*
 * hooksfix.h - what the simulator's callback suites share: a simulator
 * started per test with SECRET (checked fixture), a receiver (an HTTP
 * server in a thread on 127.0.0.1:0 that records each request and answers
 * with scripted statuses after an optional delay), calls to the
 * simulator's API and hooks, and the callbacks decoded independently of
 * the simulator (form bodies, checksums with OpenSSL, JSON with jansson).
 */
#ifndef GW_TEST_HOOKSFIX_H
#define GW_TEST_HOOKSFIX_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "bbbsim.h"
#include "bbbsim_client.h"

#define SECRET "hook-secret-7"
#define API "/bigbluebutton/api/"
#define MAX_REQS 64
#define WAIT_MS 15000u

/* The simulator under test; started by setup, stopped by teardown. */
extern struct bbbsim *sim;

struct rx_req {
	char *target; /* request-target as received */
	char *method;
	char *ctype;
	char *auth; /* Authorization, or NULL */
	char *body;
};

/* The receiver: its socket, thread and what it recorded, under lock. */
struct rx_state {
	int fd;
	unsigned port;
	pthread_t thread;
	pthread_mutex_t lock;
	bool stop;
	struct rx_req reqs[MAX_REQS];
	size_t n;
	int statuses[8]; /* answers in turn; 200 once they run out */
	size_t nstatuses;
	unsigned delay_ms;
};

extern struct rx_state rx;

/* One callback request, decoded. */
struct cb {
	char *path;      /* the target without its checksum */
	char *domain;    /* form fields, decoded */
	char *event;     /* the JSON text of the one event, brackets stripped */
	long long stamp; /* timestamp field */
	json_t *json;    /* the event parsed */
	const char *id;  /* data.id, borrowed from json */
};

double now_ms(void);

void rx_start(void);

void rx_stop(void);

size_t rx_count(void);

void rx_script(unsigned delay_ms, int s1, int s2);

struct bbbsim_resp get_on(unsigned port, const char *target);

/* GET /bigbluebutton/api/<call>?<query>&checksum=sha1(call + query + SECRET). */
struct bbbsim_resp call_on(unsigned port, const char *call, const char *query);

struct bbbsim_resp call(const char *call_name, const char *query);

/* Calls and expects SUCCESS. */
void ok(const char *call_name, const char *query);

/* Registers http://127.0.0.1:<rx>/<path_query>, percent-encoded, with extra parameters. */
void hook_on(unsigned port, const char *path_query, const char *extra);

void hook(const char *path_query, const char *extra);

/* Text of the first <name>...</name> of doc (malloc'd). */
char *xml_value(const char *doc, const char *name);

unsigned count(const char *s, const char *needle);

void start(const struct bbbsim_opts *o);

void setup(void);

void teardown(void);

/* Waits until n callbacks settled and the receiver saw at least n requests. */
void settle(size_t n);

/* Checks request i's method, headers, field order and signature, and decodes it. */
struct cb cb_get(size_t i, const char *alg, bool bearer);

/* Frees what cb_get made. */
void cb_free(struct cb *c);

/* The event's data.event.ts. */
long long cb_ts(const struct cb *c);

/* The event ids the receiver got at path, in order, joined by spaces, into out. */
void ids_at(const char *path, char *out, size_t n);

#endif
