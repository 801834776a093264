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

enum gw_bbb_routed {
	GW_BBB_ROUTED,        /* x->bbb.server is set (or the config's first takes it) */
	GW_BBB_ROUTE_REFUSED, /* no server can take it: the problem is written (503) */
	GW_BBB_ROUTE_FIND,    /* the meeting is not in the map: x->bbb.find_id, ask every server */
	GW_BBB_ROUTE_FAN,     /* a list: every server is asked and the lists merged */
};

/*
 * Chooses the server for x's call c with the encoded query (sets
 * x->bbb.server once: chained calls stay on it).
 */
enum gw_bbb_routed gw_bbb_route(struct gw_exchange *x, const struct gw_bbb_call_def *c,
				const char *query);

/*
 * On x's loop, with x pending: asks every server for x->bbb.find_id
 * (getMeetingInfo, all at once), maps the meeting to the server that has
 * it (or, when none has, routes x as a call naming no meeting: BBB then
 * answers for the missing meeting), clears find_id and runs then(x) once.
 */
void gw_bbb_route_find(struct gw_exchange *x, void (*then)(struct gw_exchange *x));

/*
 * For what is built without a call (a join URL) into meetingID id (BBB's):
 * runs then(x) once x->bbb.server is the meeting's server — at once when
 * the map knows it, else after gw_bbb_route_find; then writes the
 * response, and the exchange is ended for it when it had to wait. query
 * (copied) is kept in x->bbb.find_query for then.
 */
void gw_bbb_with_meeting_server(struct gw_exchange *x, const char *id, const char *query,
				void (*then)(struct gw_exchange *x));

/*
 * After x's call ended with status (the reply's HTTP status as answered):
 * a create that placed a new meeting and made nothing forgets it, an end
 * that succeeded forgets its meeting.
 */
void gw_bbb_route_ended(struct gw_exchange *x, const struct gw_bbb_call_def *c, int status);

/*
 * With a fleet of several servers: the names of those that take calls
 * (not disabled), in configuration order, into names[0..max) (borrowed
 * from x's config); returns how many. A fleet of one gives 0: its calls
 * go where they always go.
 */
size_t gw_bbb_fleet_servers(const struct gw_exchange *x, const char **names, size_t max);

/* x's next calls go to the server named name. false when the fleet has none. */
bool gw_bbb_use_server(struct gw_exchange *x, const char *name);

/* The name of the server x's calls go to, or NULL when none was chosen. */
const char *gw_bbb_server_name(const struct gw_exchange *x);

/*
 * A hook's id across a fleet: "<server>:<id>" into out (size bytes,
 * truncated to fit). gw_bbb_hook_id_split takes one back apart: the
 * server's name and its own id into the two buffers; false when hook has
 * no ':' or a part is empty or too long.
 */
void gw_bbb_hook_id(const char *server, const char *id, char *out, size_t size);
bool gw_bbb_hook_id_split(const char *hook, size_t len, char *server, size_t server_size, char *id,
			  size_t id_size);

#endif
