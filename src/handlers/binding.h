/*
 * binding.h - what a meeting-bound browser token (a JWT with bbb.meetings)
 * may see and do beyond the route-level meeting check the pipeline makes:
 * lists filtered to its meetings, routes that act on every meeting
 * refused, and the bound join values (role cap, fullName, userID,
 * avatarURL, userdata). Static tokens and unbound JWTs pass unchanged.
 */
#ifndef GW_BINDING_H
#define GW_BINDING_H

#include <jansson.h>
#include <stdbool.h>

#include "bbb_reply.h"
#include "request.h"

/*
 * True when the caller may use a route that reaches every meeting (hooks,
 * legacy config, recording changes); else writes 403 meeting_not_allowed.
 */
bool gw_binding_unbound_only(struct gw_exchange *x);

/* True when the caller's token is bound to a set of meetings. */
bool gw_binding_bound(const struct gw_exchange *x);

/*
 * Answers 200 with r's body, keeping in the array `list` only the entries
 * whose `id_field` the token allows (the whole body for unbound tokens).
 * A filtered answer drops totalElements and pagination, which would count
 * what was removed.
 */
void gw_binding_respond_list(struct gw_exchange *x, struct gw_bbb_reply *r, const char *list,
			     const char *id_field);

/*
 * Applies a JWT's join claims to the join body (owned by the caller, changed
 * in place): role defaults to and is capped by bbb.role, a password join
 * needs a MODERATOR token, and bound fullName, userID (sub), avatarURL
 * and userdata entries are filled in or must match. Returns false with the
 * 403 written (role_not_allowed, claim_mismatch).
 */
bool gw_binding_join(struct gw_exchange *x, json_t *body);

#endif
