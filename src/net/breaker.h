/*
 * breaker.h - the circuit breaker in front of a BBB server.
 *
 * Closed: calls go through; N consecutive transport failures (connect
 * errors, timeouts, unreadable replies, HTTP 5xx) open it. Open: calls
 * fail fast until a cool-down ends; then one call goes through as a probe
 * (half-open). The probe's success closes the breaker, its failure opens
 * it again with the cool-down doubled (up to a maximum). A BBB FAILED
 * reply is a successful transport and never counts.
 *
 * Threads: gw_breaker_allow is called by any thread; gw_breaker_record by
 * one thread at a time (the pools share each breaker, a group's or a
 * lane's, and record under its lock, upstream.c). Time is injected (ns).
 */
#ifndef GW_BREAKER_H
#define GW_BREAKER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

enum gw_breaker_state {
	GW_BREAKER_CLOSED = 0,
	GW_BREAKER_OPEN = 1,
};

enum gw_breaker_verdict {
	GW_BREAKER_ALLOW,       /* closed: go */
	GW_BREAKER_ALLOW_PROBE, /* open, cool-down over: this call is the probe */
	GW_BREAKER_REJECT,      /* open: fail fast */
};

enum gw_breaker_outcome {
	GW_BREAKER_SUCCESS,
	GW_BREAKER_FAILURE,
	GW_BREAKER_NEUTRAL, /* neither (cancelled, too large, out of memory) */
};

struct gw_breaker {
	unsigned threshold; /* consecutive failures that open it; 0 = never opens */
	uint64_t base_cooldown_ns;
	uint64_t max_cooldown_ns;
	/* shared */
	atomic_int state;
	atomic_uint_fast64_t open_until_ns;
	atomic_bool probe_in_flight;
	/* recorder only */
	unsigned consecutive;
	uint64_t cooldown_ns;
	atomic_ulong opened; /* times it opened, for metrics and tests */
};

/* Prepares a closed breaker. threshold 0 disables it. */
void gw_breaker_init(struct gw_breaker *b, unsigned threshold, unsigned cooldown_ms,
		     unsigned max_cooldown_ms);

/*
 * May a call go to BBB at now_ns? On REJECT *retry_after_ms (when not NULL)
 * gets the time until the next probe may go (at least 1).
 */
enum gw_breaker_verdict gw_breaker_allow(struct gw_breaker *b, uint64_t now_ns,
					 uint64_t *retry_after_ms);

/* Records the outcome of one attempt; probe says it was the probe call. */
void gw_breaker_record(struct gw_breaker *b, enum gw_breaker_outcome outcome, bool probe,
		       uint64_t now_ns);

/* The current state (open also while a probe is in flight). */
enum gw_breaker_state gw_breaker_state(struct gw_breaker *b);

#endif
