/*
 * quota.h - the count of each tenant's meetings on BBB, for
 * tenants[].max_meetings: the last count asked of BBB, the creates that
 * succeeded since, and the creates in flight. Shared by every event loop
 * (one lock); tenants are told apart by name, so a reload keeps the
 * counts.
 */
#ifndef GW_QUOTA_H
#define GW_QUOTA_H

#include <stdbool.h>
#include <stdint.h>

struct gw_quota;

/* An empty table. NULL on OOM. */
struct gw_quota *gw_quota_new(void);

/* Frees the table. NULL is fine. */
void gw_quota_free(struct gw_quota *q);

enum gw_quota_verdict {
	GW_QUOTA_OK = 0, /* a create may go: one slot is taken (give it back with gw_quota_done) */
	GW_QUOTA_FULL,   /* the tenant has max meetings, counting creates in flight */
	GW_QUOTA_STALE,  /* no count younger than max_age_ms: ask BBB (gw_quota_set), then again */
	GW_QUOTA_NOMEM,
};

/*
 * Takes a slot for one create of tenant name, which may have max
 * meetings, when the count (set at most max_age_ms before now_ms) plus the
 * creates since and in flight is below max.
 */
enum gw_quota_verdict gw_quota_take(struct gw_quota *q, const char *name, unsigned max,
				    uint64_t now_ms, unsigned max_age_ms);

/* BBB says the tenant has count meetings (asked at now_ms). */
void gw_quota_set(struct gw_quota *q, const char *name, unsigned count, uint64_t now_ms);

/* A create that took a slot is over; created: it made a new meeting. */
void gw_quota_done(struct gw_quota *q, const char *name, bool created);

/* The tenant's last count from BBB and when it was set; false when it has none. */
bool gw_quota_count(struct gw_quota *q, const char *name, unsigned *count, uint64_t *set_ms);

#endif
