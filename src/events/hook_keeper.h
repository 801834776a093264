/*
 * hook_keeper.h - keeps the gateway's own callback registered with
 * bbb-webhooks: at start and every events.hooks_check_s it asks hooks/list
 * whether a global hook with callbackURL = events.callback_url exists, and
 * registers one (hooks/create) when not — bbb-webhooks drops hooks whose
 * callbacks failed. One thread of its own, with an upstream pool of the
 * gateway's group (the breaker is shared); it never touches a request.
 */
#ifndef GW_HOOK_KEEPER_H
#define GW_HOOK_KEEPER_H

#include <stdbool.h>

#include "compiler.h"
#include "buf.h"
#include "err.h"

struct gw_config;
struct gw_upstream_group;
struct gw_hook_keeper;

/*
 * True when the hooks/list reply converted to JSON (xml2json: {"hooks":
 * [{"hookID", "callbackURL", "meetingID"?, ...}]}) holds a global hook
 * whose callbackURL is callback_url exactly.
 */
bool gw_hook_keeper_listed(const char *hooks_json, const char *callback_url);

/*
 * Starts the keeper. config_get(arg) returns a reference to the current
 * configuration (the keeper drops it); with events.callback_url unset a
 * round does nothing. GW_E_NOMEM / GW_E_INTERNAL.
 */
enum gw_err gw_hook_keeper_start(struct gw_upstream_group *group,
				 struct gw_config *(*config_get)(void *arg), void *arg,
				 struct gw_hook_keeper **out) GW_WUR;

/*
 * The callback URL the gateway registers with server's bbb-webhooks:
 * events.callback_url, with "server=<name>" added to its query when the
 * fleet has several servers (the callback then names whose secret signs it).
 */
enum gw_err gw_hook_keeper_callback_url(const struct gw_config *cfg, const char *server,
					struct gw_buf *out) GW_WUR;

/* Asks for a round now (after a reload, or from a test). */
void gw_hook_keeper_kick(struct gw_hook_keeper *k);

/* Rounds done and hooks registered so far (tests, diagnostics). */
void gw_hook_keeper_stats(struct gw_hook_keeper *k, unsigned long *rounds,
			  unsigned long *registered);

/* Stops the thread (a call in progress ends within its timeout) and frees. NULL is fine. */
void gw_hook_keeper_stop(struct gw_hook_keeper *k);

#endif
