/*
 * probe_cache.h - the last readiness probe of BBB, shared by every /readyz.
 *
 * /readyz is unauthenticated; if each request called BBB, a flood of them
 * would crowd real calls out of the BBB connections. The cache keeps the
 * last probe's result for a short window and lets one probe be in flight
 * at a time: the caller that gets GW_PROBE_SEND is the probe and must end
 * it with gw_probe_cache_record or gw_probe_cache_abandon; everyone else
 * answers from the last result. An in-flight probe older than stuck_ms is
 * taken to be lost and the next caller probes again, so a probe that was
 * never ended cannot stop readiness from being checked.
 *
 * Threads: every function may be called from any thread (one mutex).
 * Time is injected (monotonic milliseconds), so tests drive the clock.
 */
#ifndef GW_PROBE_CACHE_H
#define GW_PROBE_CACHE_H

#include <stdint.h>

struct gw_probe_cache;

enum gw_probe_verdict {
	GW_PROBE_CACHED,  /* a result younger than the window: answer from it */
	GW_PROBE_SEND,    /* the caller probes BBB now and ends the probe (ticket) */
	GW_PROBE_STALE,   /* a probe is in flight: answer from the older result */
	GW_PROBE_UNKNOWN, /* a probe is in flight and none ever finished: not known yet */
};

struct gw_probe_result {
	int status;     /* 200 = ready; else the HTTP status the probe's call ended with */
	uint64_t at_ms; /* when it was recorded */
};

/* A cache with no result and no probe in flight. NULL on OOM. Free with gw_probe_cache_free. */
struct gw_probe_cache *gw_probe_cache_new(void);

/* Frees pc. NULL is fine. No probe may be ended after this. */
void gw_probe_cache_free(struct gw_probe_cache *pc);

/*
 * What a readiness request at now_ms does. window_ms is how long a result
 * is fresh (0: never, every request probes unless one is in flight);
 * stuck_ms how long an in-flight probe is waited for before another may
 * go. *last is written for CACHED and STALE; *ticket for SEND (pass it to
 * record/abandon).
 */
enum gw_probe_verdict gw_probe_cache_begin(struct gw_probe_cache *pc, uint64_t now_ms,
					   unsigned window_ms, unsigned stuck_ms,
					   struct gw_probe_result *last, uint64_t *ticket);

/*
 * Ends probe ticket with its result (status as in struct gw_probe_result)
 * at now_ms and lets the next probe go. A ticket that was superseded (its
 * probe was taken for lost) changes nothing.
 */
void gw_probe_cache_record(struct gw_probe_cache *pc, uint64_t ticket, int status, uint64_t now_ms);

/* Ends probe ticket without a result (it never reached BBB); the last result stays. */
void gw_probe_cache_abandon(struct gw_probe_cache *pc, uint64_t ticket);

#endif
