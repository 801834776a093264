/*
 * tenant.h - a tenant's rules as the handlers apply them (config.h holds
 * the tenant itself): its meetingIDs namespaced with its prefix towards
 * BBB, and its create policy (deny, overrides, defaults, the
 * maxParticipants cap, the tenant's own metadata key). Used by the JSON
 * API and the BBB-compatible API alike; a request without a tenant passes
 * unchanged.
 */
#ifndef GW_TENANT_H
#define GW_TENANT_H

#include <stdbool.h>

#include "bbb_api.h"
#include "bbb_query.h"
#include "config.h"
#include "request.h"

/* The exchange's tenant (its token's, or the BBB-compatible API's), or NULL. */
const struct gw_tenant *gw_tenant_of(const struct gw_exchange *x);

/*
 * The meetingID BBB knows for the client's id: the tenant's prefix and id
 * (in the exchange's arena), or id itself without a tenant. NULL when the
 * arena is full.
 */
const char *gw_tenant_bbb_id(struct gw_exchange *x, const char *id);

/* Adds meetingID=<the id BBB knows for id> to qb (fails it when out of memory). */
void gw_tenant_query_meeting(struct gw_exchange *x, struct gw_query *qb, const char *id);

/* What becomes of a create parameter the caller sent, under the tenant's policy. */
enum gw_tenant_rule {
	GW_TENANT_KEEP = 0, /* sent as it is */
	GW_TENANT_DENY,     /* refused: 400 param_denied */
	GW_TENANT_DROP,     /* replaced: gw_tenant_create_fill adds the tenant's value */
};

/*
 * The rule for create parameter name (BBB's name; metadata as
 * "meta_<key>", compared without case as BBB lowercases them) with value
 * (its text): denied names and the breakout parameters (isBreakout,
 * parentMeetingID: a parent is named by BBB's internal ID, outside any
 * tenant's namespace); overridden names, the tenant's metadata key and a
 * maxParticipants of 0 or over the cap are dropped. KEEP without a tenant.
 */
enum gw_tenant_rule gw_tenant_create_rule(const struct gw_tenant *t, const char *name,
					  const char *value);

/* True when the caller's parameter name (BBB's name) is kept in the call (see above). */
typedef bool (*gw_tenant_has_fn)(void *arg, const char *name);
/* Adds a parameter; false stops the fill. */
typedef bool (*gw_tenant_add_fn)(void *arg, const char *name, const char *value);

/*
 * Adds what the tenant's policy sets on a create: every override, each
 * default the call has not kept a value of, maxParticipants at the cap
 * when the call kept none, and meta_bbb-gateway-tenant. False when add
 * did.
 */
bool gw_tenant_create_fill(const struct gw_tenant *t, gw_tenant_has_fn has, gw_tenant_add_fn add,
			   void *arg);

/*
 * Starts create call r (as gw_bbb_request: query borrowed, body taken)
 * for the tenant's meeting bbb_id. Without a tenant or a quota it starts
 * at once. Under tenants[].max_meetings it starts when the tenant's count
 * allows it: the count is asked of BBB (getMeetings) when the one held is
 * older than limits.tenant_count_ms; at the quota, a meeting that exists
 * already (getMeetingInfo) is still created, as BBB answers a repeated
 * create; otherwise full(x) writes the answer. r->finish, r->on_failed
 * and r->completed are called as for the create itself; r->state must be
 * NULL.
 */
void gw_tenant_create(struct gw_exchange *x, const struct gw_bbb_req *r, const char *bbb_id,
		      void (*full)(struct gw_exchange *x));

#endif
