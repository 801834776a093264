/*
 * ratelimit.h - per-key token buckets (one key per client token, or per
 * token and route class), thread-safe, in a fixed-size table.
 *
 * A bucket holds up to `burst` tokens and refills at `rate_per_s`; each
 * request takes one token. Refill is computed lazily from a monotonic
 * clock the caller passes in (gw_ratelimit_now_ns() in the daemon, a fake
 * clock in tests). The table never grows: when a stripe is full, the entry
 * whose bucket is fullest is forgotten (an idle, full bucket costs nothing
 * to forget), so a new key always gets a bucket.
 */
#ifndef GW_RATELIMIT_H
#define GW_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler.h"

/* Longest key kept verbatim; longer keys are told apart by length, prefix and a 64-bit hash. */
#define GW_RATELIMIT_KEY_MAX 95u
/* Ceiling for gw_ratelimit_new's capacity. */
#define GW_RATELIMIT_MAX_CAPACITY (1u << 20)
/* A sensible capacity for the daemon: several keys per configured token. */
#define GW_RATELIMIT_DEFAULT_CAPACITY 16384u

struct gw_ratelimit;

/*
 * Creates a limiter that keeps at most `capacity` buckets (1 ..
 * GW_RATELIMIT_MAX_CAPACITY; a little more may fit, rounded up to whole
 * stripes). Caller frees with gw_ratelimit_free. NULL on a bad capacity or
 * OOM.
 */
struct gw_ratelimit *gw_ratelimit_new(size_t capacity);

/* Frees the limiter. NULL is fine. No other thread may be using it. */
void gw_ratelimit_free(struct gw_ratelimit *rl);

/*
 * Takes one token from the bucket of key (borrowed; any NUL-terminated
 * string) at time now_ns (nanoseconds of a monotonic clock). The bucket is
 * created full on first use. The rate and burst of this call apply: after
 * a reload that changed them, the refill since the previous call is
 * computed with the new rate and the content is capped at the new burst.
 * burst below 1 counts as 1. A rate_per_s that is not a positive finite
 * number means "no limit": returns true without touching the table.
 *
 * Returns true when the request may proceed. Returns false when the
 * bucket is empty; then *retry_after_s (when not NULL) gets the seconds
 * until one token is available (> 0). Thread-safe.
 */
bool gw_ratelimit_take(struct gw_ratelimit *rl, const char *key, double rate_per_s, double burst,
		       uint64_t now_ns, double *retry_after_s);

/* The Retry-After header value for a retry_after_s: whole seconds, rounded up, at least 1. */
unsigned gw_ratelimit_retry_after_header(double retry_after_s);

/* Number of buckets currently kept (takes every stripe lock in turn). For tests and metrics. */
size_t gw_ratelimit_count(struct gw_ratelimit *rl);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t gw_ratelimit_now_ns(void);

#endif
