/*
 * bbb_route.c - see bbb_route.h. The meetingID and a create's placement
 * wishes (meta_server-tag, meta_bbb-meeting-size-hint) are read from the
 * call's encoded query, so every handler's call is routed the same way.
 */
#include "bbb_route.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bbb_calls.h"
#include "config.h"
#include "fleet.h"
#include "log.h"
#include "str.h"

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void server_unref(void *s)
{
	gw_fleet_server_unref(s);
}

static void set_server(struct gw_exchange *x, struct gw_fleet_server *s)
{
	if (x->bbb.server_unref != NULL)
		x->bbb.server_unref(x->bbb.server);
	x->bbb.server = s;
	x->bbb.server_unref = s != NULL ? server_unref : NULL;
}

bool gw_bbb_target_of(const struct gw_exchange *x, struct gw_bbb_target *t)
{
	const struct gw_config *cfg = x->req.cfg;
	const struct gw_bbb_server *c = NULL;

	if (x->bbb.server != NULL) {
		c = gw_fleet_server_config(x->bbb.server, cfg);
		if (c == NULL)
			return false;
	} else if (cfg->n_servers > 0) {
		c = &cfg->servers[0];
	}
	if (c != NULL) {
		*t = (struct gw_bbb_target){c->name, c->url, c->public_url, c->secret, c->checksum};
		return true;
	}
	*t = (struct gw_bbb_target){"default", cfg->bbb_url, cfg->bbb_public_url, cfg->bbb_secret,
				    cfg->checksum};
	return cfg->bbb_url != NULL;
}

/* The decoded value of parameter name in an encoded query, in x's arena; NULL when absent. */
static char *query_param(struct gw_exchange *x, const char *query, const char *name)
{
	size_t nlen = strlen(name);
	const char *p = query;

	while (p != NULL && *p != '\0') {
		size_t n = strcspn(p, "&");

		if (n > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
			char *out = gw_arena_alloc(&x->arena, n - nlen);

			if (out == NULL ||
			    gw_str_pct_decode_into(p + nlen + 1, n - nlen - 1, true, out) != GW_OK)
				return NULL;
			return out;
		}
		p += n;
		if (*p == '&')
			p++;
	}
	return NULL;
}

static void no_server(struct gw_exchange *x, const char *detail)
{
	gw_response_header(&x->resp, "Retry-After", "5");
	gw_response_problem(x, GW_E_UNAVAILABLE, detail, NULL);
}

/* The first server that may take calls: enabled or cordoned and healthy, else any not disabled. */
static struct gw_fleet_server *first_usable(struct gw_fleet *f)
{
	struct gw_fleet_view v[64];
	size_t n = gw_fleet_view(f, 0, v, 64), i;

	for (i = 0; i < n && i < 64; i++) {
		if (v[i].state != GW_SERVER_DISABLED && v[i].healthy)
			return gw_fleet_server_named(f, v[i].name);
	}
	for (i = 0; i < n && i < 64; i++) {
		if (v[i].state != GW_SERVER_DISABLED)
			return gw_fleet_server_named(f, v[i].name);
	}
	return gw_fleet_server_at(f, 0);
}

static bool place(struct gw_exchange *x, struct gw_fleet *f, const char *query, const char *id)
{
	const struct gw_config *cfg = x->req.cfg;
	char *tag = query_param(x, query, "meta_" GW_FLEET_TAG_META);
	const char *hint = query_param(x, query, "meta_" GW_FLEET_HINT_META);
	struct gw_fleet_want w = {.seats = cfg->fleet_reservation_seats};
	struct gw_fleet_server *s = NULL;
	uint64_t seats;
	size_t len;

	if (tag != NULL && (len = strlen(tag)) > 0 && tag[len - 1] == '!') {
		tag[len - 1] = '\0';
		w.tag_required = true;
	}
	w.tag = tag != NULL && *tag != '\0' ? tag : NULL;
	if (hint != NULL && gw_str_parse_u64(hint, &seats) == GW_OK)
		w.seats = seats > GW_FLEET_MAX_SEATS ? GW_FLEET_MAX_SEATS : (unsigned)seats;
	switch (gw_fleet_place(f, id, &w, mono_ms(), &s)) {
	case GW_FLEET_NEW:
		x->bbb.placed = id;
		break;
	case GW_FLEET_EXISTING:
		break;
	case GW_FLEET_NO_SERVER:
		no_server(x, w.tag_required ? "No enabled, healthy BBB server has the meeting's "
					      "required tag"
					    : "No enabled, healthy BBB server can take a new "
					      "meeting");
		return false;
	case GW_FLEET_FULL:
		gw_log_warn("fleet: the map of meetings is full");
		no_server(x, "The gateway's map of meetings is full");
		return false;
	}
	set_server(x, s);
	return true;
}

bool gw_bbb_route_meeting(struct gw_exchange *x, const char *id)
{
	struct gw_fleet *f = x->req.svc != NULL ? x->req.svc->fleet : NULL;
	struct gw_fleet_server *s;

	if (f == NULL || x->bbb.server != NULL)
		return true;
	s = id != NULL ? gw_fleet_lookup(f, id) : NULL;
	if (s == NULL)
		s = first_usable(f);
	set_server(x, s);
	return true;
}

bool gw_bbb_route(struct gw_exchange *x, const struct gw_bbb_call_def *c, const char *query)
{
	struct gw_fleet *f = x->req.svc != NULL ? x->req.svc->fleet : NULL;
	const char *id;

	if (f == NULL || x->bbb.server != NULL)
		return true;
	/* getRecordings' meetingID is a filter (a list), not where the call goes */
	id = c != GW_BBB_CALL(getRecordings) ? query_param(x, query, "meetingID") : NULL;
	if (c == GW_BBB_CALL(create) && id != NULL)
		return place(x, f, query, id);
	if (c == GW_BBB_CALL(end))
		x->bbb.placed = id;
	return gw_bbb_route_meeting(x, id);
}

void gw_bbb_route_ended(struct gw_exchange *x, const struct gw_bbb_call_def *c, int status)
{
	struct gw_fleet *f = x->req.svc != NULL ? x->req.svc->fleet : NULL;
	const char *key = x->resp.message_key;

	if (f == NULL || x->bbb.placed == NULL || x->bbb.server == NULL)
		return;
	if (c == GW_BBB_CALL(end)
		    ? status >= 200 && status < 300
		    : status >= 400 && (key == NULL ||
					(strcmp(key, "idNotUnique") != 0 && strcmp(key, "NotUniqueM"
											"eetingI"
											"D") != 0)))
		gw_fleet_forget(f, x->bbb.placed, x->bbb.server);
	x->bbb.placed = NULL;
}
