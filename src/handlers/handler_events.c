/*
 * handler_events.c - POST /v1/bbb-events: bbb-webhooks' callbacks. The
 * callback is verified as bbb-webhooks signs it (a checksum over the
 * registered callback URL, the body and BBB's secret, or bearer mode),
 * parsed and normalised (event_norm.h), and published to the hub, from
 * which the event streams read; with state.redis to the shared stream
 * instead, from which every gateway's bus publishes it (fleet_bus.h). It answers at once: bbb-webhooks retries
 * slow callbacks. Nothing of the body is logged.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "event_norm.h"
#include "fleet_bus.h"
#include "gw_limits.h"
#include "handlers.h"
#include "hook_keeper.h"
#include "hub.h"
#include "log.h"
#include "redis.h"
#include "str.h"

/* Events one callback may carry (bbb-webhooks sends one; batches stay small). */
#define MAX_CALLBACK_EVENTS 100u

/*
 * Signed by the server the callback names (?server=, with several) with
 * its secret, over the URL the gateway registered there.
 */
static bool verified(struct gw_exchange *x)
{
	const struct gw_config *cfg = x->req.cfg;
	const char *name = gw_request_query(&x->req, "server");
	const char *secret = cfg->bbb_secret;
	struct gw_buf url;
	bool ok;

	if (cfg->n_servers > 1) {
		secret = NULL;
		for (size_t i = 0; name != NULL && i < cfg->n_servers; i++) {
			if (strcmp(cfg->servers[i].name, name) == 0)
				secret = cfg->servers[i].secret;
		}
		if (secret == NULL)
			return false;
	}
	if (cfg->events_bearer)
		return gw_event_verify_bearer(x->req.authorization, secret);
	gw_buf_init(&url, GW_MAX_URL_BYTES);
	ok = gw_hook_keeper_callback_url(cfg, name, &url) == GW_OK &&
	     gw_event_verify_checksum(gw_buf_str(&url), x->req.body != NULL ? x->req.body : "",
				      x->req.body_len, secret, cfg->hooks_checksum,
				      gw_request_query(&x->req, "checksum"));
	gw_buf_deinit(&url);
	return ok;
}

/* An event on its way to the shared stream (taken from the batch). */
struct outgoing {
	struct gw_hub *hub;
	struct gw_event ev;
};

/*
 * The store took the event: every gateway's bus thread (this one's too)
 * publishes it. Otherwise it is published here only.
 */
static void shared(enum gw_err err, const struct gw_redis_reply *r, void *arg)
{
	struct outgoing *o = arg;

	if (!gw_bus_sent(err, r)) {
		gw_log_debug("events: the shared store did not take an event: published here only");
		if (gw_hub_publish(o->hub, &o->ev, NULL) != GW_OK)
			gw_log_warn("events: an event was dropped");
	}
	gw_event_deinit(&o->ev);
	free(o);
}

/* Publishes ev (taking its strings): into the shared stream with state.redis, else the hub. */
static enum gw_err relay(struct gw_exchange *x, struct gw_hub *hub, struct gw_event *ev)
{
	struct outgoing *o;

	if (x->redis == NULL || !gw_redis_up(x->redis))
		return gw_hub_publish(hub, ev, NULL);
	o = malloc(sizeof(*o));
	if (o == NULL)
		return gw_hub_publish(hub, ev, NULL);
	o->hub = hub;
	o->ev = *ev;
	memset(ev, 0, sizeof(*ev));
	if (gw_bus_send_event(x->redis, x->req.cfg->events_buffer, &o->ev, shared, o) != GW_OK) {
		enum gw_err err = gw_hub_publish(hub, &o->ev, NULL);

		gw_event_deinit(&o->ev);
		free(o);
		return err;
	}
	return GW_OK;
}

void gw_handle_bbb_events(struct gw_exchange *x)
{
	const struct gw_config *cfg = x->req.cfg;
	struct gw_hub *hub = x->req.svc != NULL ? x->req.svc->hub : NULL;
	struct gw_event_batch batch;
	size_t published = 0;
	enum gw_err err;

	if (cfg->events_callback_url == NULL || hub == NULL) {
		gw_response_problem(x, GW_E_NOT_FOUND, "Live events are off (events.callback_url)",
				    NULL);
		return;
	}
	if (!verified(x)) {
		atomic_fetch_add_explicit((atomic_ullong *)&x->req.svc->callbacks_refused, 1,
					  memory_order_relaxed);
		gw_response_header(&x->resp, "WWW-Authenticate", "Bearer realm=\"bbb-gateway\"");
		gw_response_problem(x, GW_E_UNAUTHORIZED,
				    "The callback is not signed with this server's secret", NULL);
		return;
	}
	if (!gw_str_media_type_is(x->req.content_type, "application/x-www-form-urlencoded")) {
		gw_response_problem(x, GW_E_UNSUPPORTED_MEDIA_TYPE,
				    "Callbacks are application/x-www-form-urlencoded", NULL);
		return;
	}
	err = gw_event_parse_callback(x->req.body != NULL ? x->req.body : "", x->req.body_len,
				      MAX_CALLBACK_EVENTS, &batch);
	if (err != GW_OK) {
		gw_response_problem(x, err,
				    err == GW_E_BAD_REQUEST ? "Not a bbb-webhooks callback (a form "
							      "with an `event` array)"
							    : NULL,
				    NULL);
		return;
	}
	for (size_t i = 0; i < batch.n; i++) {
		if (relay(x, hub, &batch.events[i]) == GW_OK)
			published++;
	}
	atomic_fetch_add_explicit((atomic_ullong *)&x->req.svc->events_dropped,
				  batch.n - published + batch.dropped, memory_order_relaxed);
	gw_response_json(x, 200,
			 json_pack("{s:I, s:I}", "received", (json_int_t)published, "dropped",
				   (json_int_t)(batch.n - published + batch.dropped)));
	gw_event_batch_deinit(&batch);
}
