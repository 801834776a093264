/*
 * normfix.h - what the callback suites share: bbb-webhooks' form body
 * (domain, event, timestamp in its order, the event array encoded as
 * URLSearchParams encodes it), parsing it with a cap of MAX_EVENTS, the
 * lines of a file of tests/data, and a user-joined element.
 */
#ifndef GW_TEST_NORMFIX_H
#define GW_TEST_NORMFIX_H

#include <stddef.h>

#include "event_norm.h"

#define DOMAIN_FIELD "domain=bbb.example.org"
#define TIMESTAMP_FIELD "timestamp=1708381132686"
#define MAX_EVENTS 64u

/*
 * s encoded as URLSearchParams encodes a value
 * (application/x-www-form-urlencoded). Caller frees.
 */
char *form_encode(const char *s);

/*
 * bbb-webhooks' body for the JSON text of an event array: its three fields
 * in its order. Caller frees.
 */
char *callback_body(const char *array);

/* gw_event_parse_callback of body with MAX_EVENTS. */
enum gw_err parse_body(const char *body, struct gw_event_batch *b);

/* Parses the callback carrying array (JSON text); asserts GW_OK. */
void parse_array(const char *array, struct gw_event_batch *b);

/* The callback carrying the one element el (JSON text); asserts GW_OK. */
void parse_one(const char *el, struct gw_event_batch *b);

/* A file of tests/data as lines (newline-terminated, the last one possibly not). */
struct lines {
	char *text; /* malloc'd; the lines point into it */
	char *line[64];
	size_t n;
};

void read_lines(const char *rel, struct lines *l);

/* A user-joined for meeting "m" at time 1 whose user object is user (JSON text). Caller frees. */
char *user_joined(const char *user);

#endif
