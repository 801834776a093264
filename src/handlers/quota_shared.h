/*
 * quota_shared.h - tenants[].max_meetings across the gateways that share
 * state.redis. A gateway counts a tenant's meetings on BBB (quota.h) and
 * hands the count to the store with the meetingIDs it listed; what no
 * count shows yet — creates in flight on any gateway, creates that ended
 * after the newest count was asked for — is a sorted set per tenant,
 * bgw:quota:<tenant>, of BBB meetingIDs scored with the store's clock
 * (TIME: the gateways' clocks never meet). The newest count
 * (bgw:quota-count:<tenant>: its count and when it was asked for) drops
 * from the set what it shows and every create that ended before it was
 * asked for (listed, or ended since). A create takes a slot in one
 * script: newest count + the set < max_meetings, then its meetingID goes
 * in as in flight; when it ends it is scored with its end, or leaves when
 * it failed. A create of a meetingID in the set takes no second slot.
 * Every entry leaves after ttl_ms.
 */
#ifndef GW_QUOTA_SHARED_H
#define GW_QUOTA_SHARED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler.h"
#include "err.h"

struct gw_redis;

enum gw_quota_shared {
	GW_QUOTA_SHARED_ADDED, /* a slot: the meetingID is in the set, in flight */
	GW_QUOTA_SHARED_KNOWN, /* the meetingID is in the set already: no slot needed */
	GW_QUOTA_SHARED_FULL,  /* the tenant has max meetings, every gateway's creates counted */
	GW_QUOTA_SHARED_DOWN,  /* the store did not answer (or answered an error) */
};

typedef void (*gw_quota_shared_fn)(enum gw_quota_shared verdict, void *arg);

/*
 * A count of tenant's meetings on BBB, asked for age_ms ago: the n BBB
 * meetingIDs listed. Kept when no newer count is. Nothing waits for it;
 * a take sent after it on the same client runs after it.
 */
void gw_quota_shared_seen(struct gw_redis *r, const char *tenant, const char *const *ids, size_t n,
			  uint64_t age_ms, unsigned ttl_ms);

/*
 * Asks the store for a slot for the create of meetingID id (BBB's) of
 * tenant, which may have max meetings; count is this gateway's own count
 * (used only when the store holds none). On GW_OK cb runs once, later, on
 * the loop's thread; otherwise never (the store is down).
 */
enum gw_err gw_quota_shared_take(struct gw_redis *r, const char *tenant, const char *id,
				 unsigned count, unsigned max, unsigned ttl_ms,
				 gw_quota_shared_fn cb, void *arg) GW_WUR;

/*
 * The create of id that took a slot (ADDED) ended: kept, scored with its
 * end, when it made or found its meeting (made); gone when it failed.
 * Nothing waits for it.
 */
void gw_quota_shared_done(struct gw_redis *r, const char *tenant, const char *id, bool made,
			  unsigned ttl_ms);

#endif
