/*
 * probe_cache.c - the last readiness probe and the one in flight, behind
 * a mutex. This is shared mutable state outside the three usual places
 * (metrics, upstream pool, config pointer): it has to be, since the point
 * is that concurrent /readyz requests on different event loops see one
 * probe. The lock is held for a few comparisons, never across a BBB call.
 *
 * A probe is named by a ticket, a counter that grows with each probe sent:
 * ending a probe whose ticket is no longer the current one (it was taken
 * for lost after stuck_ms) changes nothing, so a late answer can neither
 * release the probe that replaced it nor overwrite a newer result.
 */
#include "probe_cache.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct gw_probe_cache {
	pthread_mutex_t lock;
	bool known;                  /* a probe has finished at least once */
	struct gw_probe_result last; /* valid when known */
	bool in_flight;
	uint64_t started_ms; /* when the in-flight probe went out */
	uint64_t ticket;     /* of the in-flight (or last sent) probe */
};

struct gw_probe_cache *gw_probe_cache_new(void)
{
	struct gw_probe_cache *pc = calloc(1, sizeof(*pc));

	if (pc == NULL)
		return NULL;
	if (pthread_mutex_init(&pc->lock, NULL) != 0) {
		free(pc);
		return NULL;
	}
	return pc;
}

void gw_probe_cache_free(struct gw_probe_cache *pc)
{
	if (pc == NULL)
		return;
	pthread_mutex_destroy(&pc->lock);
	free(pc);
}

/* Saturating: an injected clock may stand still or (in tests) step back. */
static uint64_t age(uint64_t now_ms, uint64_t then_ms)
{
	return now_ms > then_ms ? now_ms - then_ms : 0;
}

enum gw_probe_verdict gw_probe_cache_begin(struct gw_probe_cache *pc, uint64_t now_ms,
					   unsigned window_ms, unsigned stuck_ms,
					   struct gw_probe_result *last, uint64_t *ticket)
{
	enum gw_probe_verdict v;

	pthread_mutex_lock(&pc->lock);
	if (pc->known && age(now_ms, pc->last.at_ms) < window_ms) {
		v = GW_PROBE_CACHED;
		*last = pc->last;
	} else if (pc->in_flight && age(now_ms, pc->started_ms) < stuck_ms) {
		v = pc->known ? GW_PROBE_STALE : GW_PROBE_UNKNOWN;
		if (pc->known)
			*last = pc->last;
	} else {
		v = GW_PROBE_SEND;
		pc->in_flight = true;
		pc->started_ms = now_ms;
		*ticket = ++pc->ticket;
	}
	pthread_mutex_unlock(&pc->lock);
	return v;
}

void gw_probe_cache_record(struct gw_probe_cache *pc, uint64_t ticket, int status, uint64_t now_ms)
{
	pthread_mutex_lock(&pc->lock);
	if (pc->in_flight && ticket == pc->ticket) {
		pc->in_flight = false;
		pc->known = true;
		pc->last.status = status;
		pc->last.at_ms = now_ms;
	}
	pthread_mutex_unlock(&pc->lock);
}

void gw_probe_cache_abandon(struct gw_probe_cache *pc, uint64_t ticket)
{
	pthread_mutex_lock(&pc->lock);
	if (pc->in_flight && ticket == pc->ticket)
		pc->in_flight = false;
	pthread_mutex_unlock(&pc->lock);
}
