/*
 * handler_servers.c - the fleet as the operator sees and steers it:
 * GET /v1/servers lists every BBB server (state, health, load, meetings,
 * users, the last poll) and PATCH /v1/servers/{name} {"state"} cordons,
 * disables or enables one (fleet.h). Both need servers:admin.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "fleet.h"
#include "gw_limits.h"
#include "handlers.h"
#include "log.h"
#include "metrics.h"
#include "share.h"
#include "str.h"
#include "upstream.h"

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* RFC 3339 UTC with milliseconds, or NULL for 0 (never). */
static json_t *rfc3339(int64_t ms)
{
	char text[40];
	struct tm tm;
	time_t t = (time_t)(ms / 1000);

	if (ms <= 0 || gmtime_r(&t, &tm) == NULL)
		return json_null();
	strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(text + strlen(text), sizeof(text) - strlen(text), ".%03dZ", (int)(ms % 1000));
	return json_string(text);
}

/* The server's URL as a client may see it: never its user-info. */
static json_t *public_url(const struct gw_config *cfg, const char *name)
{
	char *u = NULL;
	json_t *v;

	for (size_t i = 0; i < cfg->n_servers; i++) {
		if (strcmp(cfg->servers[i].name, name) == 0)
			u = gw_str_url_mask_userinfo(cfg->servers[i].url, "");
	}
	v = u != NULL ? json_string(u) : json_null();
	free(u);
	return v;
}

static json_t *server_json(const struct gw_config *cfg, const struct gw_fleet_view *v)
{
	return json_pack("{s:s, s:o, s:s, s:b, s:i, s:i, s:i, s:f, s:o, s:i}", "name", v->name,
			 "url", public_url(cfg, v->name), "state", gw_server_state_name(v->state),
			 "healthy", v->healthy, "meetings", (json_int_t)v->meetings, "users",
			 (json_int_t)v->users, "placed", (json_int_t)v->placed, "load", v->load,
			 "lastPoll", rfc3339(v->last_poll_ms), "failedPolls",
			 (json_int_t)v->failures);
}

static struct gw_fleet *fleet_of(struct gw_exchange *x)
{
	struct gw_fleet *f = x->req.svc != NULL ? x->req.svc->fleet : NULL;

	if (f == NULL)
		gw_response_problem(x, GW_E_UNAVAILABLE, "The gateway keeps no fleet", NULL);
	return f;
}

void gw_handle_servers_list(struct gw_exchange *x)
{
	struct gw_fleet *f = fleet_of(x);
	struct gw_fleet_view *v;
	json_t *list;
	size_t n;

	if (f == NULL)
		return;
	v = calloc(GW_MAX_SERVERS, sizeof(*v));
	list = json_array();
	if (v == NULL || list == NULL) {
		free(v);
		json_decref(list);
		gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
		return;
	}
	n = gw_fleet_view(f, mono_ms(), v, GW_MAX_SERVERS);
	for (size_t i = 0; i < n && i < GW_MAX_SERVERS; i++)
		json_array_append_new(list, server_json(x->req.cfg, &v[i]));
	free(v);
	gw_response_json(x, 200, json_pack("{s:o}", "servers", list));
}

/* The server's view after a PATCH. */
static void patched(struct gw_exchange *x, void *arg)
{
	struct gw_fleet *f = fleet_of(x);
	const char *name = x->req.params[0];
	struct gw_fleet_view *v;
	size_t n, i;

	(void)arg;
	v = calloc(GW_MAX_SERVERS, sizeof(*v));
	n = v != NULL ? gw_fleet_view(f, mono_ms(), v, GW_MAX_SERVERS) : 0;
	for (i = 0; i < n && i < GW_MAX_SERVERS; i++) {
		if (strcmp(v[i].name, name) == 0)
			break;
	}
	if (i < n && i < GW_MAX_SERVERS)
		gw_response_json(x, 200, server_json(x->req.cfg, &v[i]));
	else
		gw_response_problem(x, GW_E_NOT_FOUND, "No BBB server has this name", NULL);
	free(v);
}

void gw_handle_server_patch(struct gw_exchange *x)
{
	struct gw_fleet *f = fleet_of(x);
	const char *name = x->req.params[0];
	json_t *body = NULL;
	const char *state;
	enum gw_server_state st;

	if (f == NULL || gw_request_json_object(x, true, &body) != GW_OK)
		return;
	if (!gw_request_string(x, body, "state", true, &state))
		goto out;
	if (!gw_server_state_parse(state, strlen(state), &st)) {
		gw_response_problem(x, GW_E_BAD_REQUEST,
				    "'state' must be \"enabled\", \"cordoned\" or \"disabled\"",
				    "state");
		goto out;
	}
	if (gw_fleet_set_state(f, name, st) != GW_OK) {
		gw_response_problem(x, GW_E_NOT_FOUND, "No BBB server has this name", NULL);
		goto out;
	}
	gw_log_notice("fleet: server %s set %s by token %s", name, state,
		      x->req.token != NULL ? x->req.token->name : "-");
	/* with state.redis every gateway takes it before the answer */
	gw_share_then(x, NULL, &(struct gw_share_state){.name = name, .state = st}, patched, NULL);
out:
	json_decref(body);
}

/* True while the server named name has its own breaker open; false when it left. */
static bool circuit_open(struct gw_fleet *f, const char *name)
{
	struct gw_fleet_server *s = gw_fleet_server_named(f, name);
	bool open = s != NULL && gw_upstream_lane_breaker_open(gw_fleet_server_lane(s));

	gw_fleet_server_unref(s);
	return open;
}

bool gw_servers_answering(struct gw_fleet *f)
{
	struct gw_fleet_view *v;
	bool answers = false;
	size_t n;

	/* a fleet of one is probed as a lone server is (handler_admin.c) */
	if (f == NULL || gw_fleet_count(f) <= 1)
		return false;
	v = calloc(GW_MAX_SERVERS, sizeof(*v));
	if (v == NULL)
		return false;
	n = gw_fleet_view(f, mono_ms(), v, GW_MAX_SERVERS);
	for (size_t i = 0; i < n && i < GW_MAX_SERVERS && !answers; i++) {
		/* polled: its last poll answered (failures counts the ones since) */
		if (v[i].state != GW_SERVER_DISABLED && v[i].polled && v[i].failures == 0)
			answers = !circuit_open(f, v[i].name);
	}
	free(v);
	return answers;
}

void gw_servers_metrics(struct gw_fleet *f, struct gw_metrics_extra *extra)
{
	/* the names must outlive the render: they are kept in a copy of the view */
	static _Thread_local struct gw_fleet_view v[GW_MAX_SERVERS];
	size_t n = gw_fleet_view(f, mono_ms(), v, GW_MAX_SERVERS), i;

	extra->n_servers = n < GW_MAX_SERVERS ? n : GW_MAX_SERVERS;
	for (i = 0; i < extra->n_servers; i++) {
		struct gw_metrics_server *m = &extra->servers[i];

		m->name = v[i].name;
		m->state = gw_server_state_name(v[i].state);
		m->healthy = v[i].healthy;
		m->meetings = v[i].meetings;
		m->users = v[i].users;
		m->placed = v[i].placed;
		m->failed_polls = v[i].failures;
		m->load = v[i].load;
		m->circuit_open = circuit_open(f, v[i].name);
	}
}
