/*
 * share.h - a change a handler made on this gateway, sent to the other
 * gateways through the shared store (state.redis, fleet_bus.h) before the
 * answer: the request waits for the store, and answers 503 with
 * Retry-After when the store did not take it (the change holds on this
 * gateway; repeating the request shares it).
 */
#ifndef GW_SHARE_H
#define GW_SHARE_H

#include "config.h"
#include "request.h"

struct gw_share_revoke {
	const char *jti; /* borrowed from the request */
	long long until;
};

struct gw_share_state {
	const char *name; /* borrowed from the request */
	enum gw_server_state state;
};

/*
 * When x has the store (x->redis), defers x: sends the revocation or the
 * state, then answer(x, arg) writes the response once the store took it.
 * Without the store: answer(x, arg) at once. Exactly one of revoke and
 * state is not NULL (copied).
 */
void gw_share_then(struct gw_exchange *x, const struct gw_share_revoke *revoke,
		   const struct gw_share_state *state,
		   void (*answer)(struct gw_exchange *x, void *arg), void *arg);

#endif
