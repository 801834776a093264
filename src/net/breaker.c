/*
 * breaker.c - consecutive-failure circuit breaker with a doubling
 * cool-down and a single half-open probe. The state and the probe flag
 * are atomics so that every event loop can fail fast without a lock;
 * counters are touched only under the recorder's lock.
 */
#include "breaker.h"

#include <stddef.h>

void gw_breaker_init(struct gw_breaker *b, unsigned threshold, unsigned cooldown_ms,
		     unsigned max_cooldown_ms)
{
	b->threshold = threshold;
	b->base_cooldown_ns = (uint64_t)(cooldown_ms > 0 ? cooldown_ms : 1) * 1000000u;
	b->max_cooldown_ns =
		(uint64_t)(max_cooldown_ms > cooldown_ms ? max_cooldown_ms : cooldown_ms) *
		1000000u;
	if (b->max_cooldown_ns < b->base_cooldown_ns)
		b->max_cooldown_ns = b->base_cooldown_ns;
	atomic_init(&b->state, GW_BREAKER_CLOSED);
	atomic_init(&b->open_until_ns, 0);
	atomic_init(&b->probe_in_flight, false);
	atomic_init(&b->opened, 0);
	b->consecutive = 0;
	b->cooldown_ns = b->base_cooldown_ns;
}

enum gw_breaker_verdict gw_breaker_allow(struct gw_breaker *b, uint64_t now_ns,
					 uint64_t *retry_after_ms)
{
	uint64_t until;
	bool expected = false;

	if (atomic_load(&b->state) == GW_BREAKER_CLOSED)
		return GW_BREAKER_ALLOW;
	until = atomic_load(&b->open_until_ns);
	if (now_ns >= until && atomic_compare_exchange_strong(&b->probe_in_flight, &expected, true))
		return GW_BREAKER_ALLOW_PROBE;
	if (retry_after_ms != NULL) {
		uint64_t left = until > now_ns ? until - now_ns : b->base_cooldown_ns;

		*retry_after_ms = left / 1000000u > 0 ? left / 1000000u : 1;
	}
	return GW_BREAKER_REJECT;
}

static void open_now(struct gw_breaker *b, uint64_t now_ns)
{
	atomic_store(&b->open_until_ns, now_ns + b->cooldown_ns);
	if (atomic_exchange(&b->state, GW_BREAKER_OPEN) != GW_BREAKER_OPEN)
		atomic_fetch_add(&b->opened, 1);
}

void gw_breaker_record(struct gw_breaker *b, enum gw_breaker_outcome outcome, bool probe,
		       uint64_t now_ns)
{
	if (b->threshold == 0)
		return;
	if (probe) {
		if (outcome == GW_BREAKER_SUCCESS) {
			b->consecutive = 0;
			b->cooldown_ns = b->base_cooldown_ns;
			atomic_store(&b->state, GW_BREAKER_CLOSED);
		} else if (outcome == GW_BREAKER_FAILURE) {
			b->cooldown_ns = b->cooldown_ns * 2 > b->max_cooldown_ns
						 ? b->max_cooldown_ns
						 : b->cooldown_ns * 2;
			open_now(b, now_ns);
		}
		atomic_store(&b->probe_in_flight, false);
		return;
	}
	/* Calls that were in flight when it opened do not change an open breaker. */
	if (atomic_load(&b->state) == GW_BREAKER_OPEN)
		return;
	if (outcome == GW_BREAKER_SUCCESS) {
		b->consecutive = 0;
	} else if (outcome == GW_BREAKER_FAILURE && ++b->consecutive >= b->threshold) {
		b->cooldown_ns = b->base_cooldown_ns;
		open_now(b, now_ns);
	}
}

enum gw_breaker_state gw_breaker_state(struct gw_breaker *b)
{
	return (enum gw_breaker_state)atomic_load(&b->state);
}
