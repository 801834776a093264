/*
 * hubfix.h - what the hub's suites share: a hub and an output buffer per
 * test (checked fixture), events made from readable data, publishing a
 * numbered user-joined of a meeting, subscribing, and reading the next
 * item of a stream with its exact SSE text.
 */
#ifndef GW_TEST_HUBFIX_H
#define GW_TEST_HUBFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "event.h"
#include "hub.h"

#define OUT_MAX 65536u

/* The hub (made by new_hub, freed by teardown) and the output buffer of next(). */
extern struct gw_hub *hub;
extern struct gw_buf out;

/* Checked fixture: no hub yet, an empty out of OUT_MAX bytes. */
void setup(void);
void teardown(void);

/* Makes the fixture's hub with room for capacity events. */
void new_hub(size_t capacity);

/* An event of meeting m with data (copied) and data_pw (copied, NULL = none). */
struct gw_event make(enum gw_event_type type, const char *m, const char *data, const char *data_pw);

/* Publishes make(type, m, data, data_pw); returns its sequence number. */
uint64_t pub_full(enum gw_event_type type, const char *m, const char *data, const char *data_pw);

/* Publishes a user-joined of meeting m whose data names it and a number. */
uint64_t pub(const char *m, int n);

/* A subscriber to meeting m (NULL = all) without a wake callback. */
struct gw_hub_sub *sub_new(const char *m, uint64_t last_id, size_t queue_max);

/* The next item of s, its text left in out. */
enum gw_hub_read next(struct gw_hub_sub *s);

/* The next item of s is the user-joined event seq of meeting m number n. */
void expect(struct gw_hub_sub *s, uint64_t seq, const char *m, int n);

/* s has nothing to read / reads a reset. */
void expect_none(struct gw_hub_sub *s);
void expect_reset(struct gw_hub_sub *s);

/* A gw_hub_filter's allowed: allowed_arg is a NULL-terminated list of meetings. */
bool allow_listed(void *arg, const char *meeting_id);

#endif
