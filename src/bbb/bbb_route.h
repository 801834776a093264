/*
 * bbb_route.h - which BBB server an exchange's call goes to, with a fleet
 * of several (fleet.h): a create places its meeting, a call that names a
 * meetingID goes to the meeting's server, any other call to the first
 * server that may take calls. Without a fleet (tests) the configuration's
 * first server (bbb.url, bbb.secret) takes every call.
 */
#ifndef GW_BBB_ROUTE_H
#define GW_BBB_ROUTE_H

#include <stdbool.h>

#include "crypto.h"
#include "request.h"

struct gw_bbb_call_def;

/* Where a call goes: borrowed from the exchange's config. */
struct gw_bbb_target {
	const char *name; /* the server's name ("default" for a lone bbb group) */
	const char *url;
	const char *public_url;
	const char *secret;
	enum gw_digest checksum;
};

/*
 * The server x's calls go to (x->bbb.server in x's config, else the
 * config's first). false when x's config no longer has that server.
 */
bool gw_bbb_target_of(const struct gw_exchange *x, struct gw_bbb_target *t);

/*
 * Chooses the server for x's call c with the encoded query (sets
 * x->bbb.server once: chained calls stay on it). false with the problem
 * written when no server can take it (503 + Retry-After).
 */
bool gw_bbb_route(struct gw_exchange *x, const struct gw_bbb_call_def *c, const char *query);

/*
 * The server of meetingID id (BBB's) for x, for what is built without a
 * call (a join URL): as gw_bbb_route for a call naming id.
 */
bool gw_bbb_route_meeting(struct gw_exchange *x, const char *id);

/*
 * After x's call ended with status (the reply's HTTP status as answered):
 * a create that placed a new meeting and made nothing forgets it, an end
 * that succeeded forgets its meeting.
 */
void gw_bbb_route_ended(struct gw_exchange *x, const struct gw_bbb_call_def *c, int status);

#endif
