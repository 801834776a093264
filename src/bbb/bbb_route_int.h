/*
 * bbb_route_int.h - what bbb_route.c (routing in this process) shares with
 * bbb_store.c (routing through the store several gateways share,
 * state.redis). Nothing else includes it.
 */
#ifndef GW_BBB_ROUTE_INT_H
#define GW_BBB_ROUTE_INT_H

#include <stdint.h>

#include "fleet.h"
#include "request.h"

#define GW_BBB_NO_SERVER "No enabled, healthy BBB server can take a new meeting"
#define GW_BBB_NO_TAGGED_SERVER "No enabled, healthy BBB server has the meeting's required tag"

/* CLOCK_MONOTONIC milliseconds. */
uint64_t gw_bbb_route_now_ms(void);

/* Unix milliseconds (the shared store's reservations: every gateway's clock). */
int64_t gw_bbb_route_wall_ms(void);

/* x's calls go to s (taken: the exchange holds the reference). */
void gw_bbb_route_set_server(struct gw_exchange *x, struct gw_fleet_server *s);

/* 503 + Retry-After: no server can take the call. */
void gw_bbb_route_no_server(struct gw_exchange *x, const char *detail);

/* A create's placement wishes from its encoded query (meta_server-tag, meta_bbb-meeting-size-hint). */
void gw_bbb_route_want(struct gw_exchange *x, const char *query, struct gw_fleet_want *w);

/* Asks every server for x->bbb.find_id, then then(x) (gw_bbb_route_find without the store). */
void gw_bbb_route_ask_all(struct gw_exchange *x, void (*then)(struct gw_exchange *x));

/*
 * The shared store (bbb_store.c), on x's loop with x->redis set:
 * - place: x->bbb.find_id's create gets the server the store holds for
 *   it, or the one this gateway chose, set there atomically (SET only if
 *   absent); the store unreachable: 503 + Retry-After, nothing placed;
 * - lookup: the store's server for find_id, else (absent, or the store
 *   unreachable) every server is asked;
 * both end with then(x) and find_id cleared.
 * learned: a meeting found by asking is written to the store unless there;
 * forget: a meeting that ended (or a create that made nothing) leaves it.
 */
void gw_bbb_store_place(struct gw_exchange *x, void (*then)(struct gw_exchange *x));
void gw_bbb_store_lookup(struct gw_exchange *x, void (*then)(struct gw_exchange *x));
void gw_bbb_store_learned(struct gw_exchange *x, const char *id, const char *server);
void gw_bbb_store_forget(struct gw_exchange *x, const char *id);

#endif
