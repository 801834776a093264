/*
 * bbb_route.c - see bbb_route.h. The meetingID and a create's placement
 * wishes (meta_server-tag, meta_bbb-meeting-size-hint) are read from the
 * call's encoded query, so every handler's call is routed the same way.
 */
#include "bbb_route.h"
#include "bbb_route_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bbb_api.h"
#include "bbb_calls.h"
#include "bbb_reply.h"
#include "bbb_sign.h"
#include "config.h"
#include "fleet.h"
#include "gw_limits.h"
#include "log.h"
#include "str.h"
#include "upstream.h"
#include "xml2json.h"

uint64_t gw_bbb_route_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int64_t gw_bbb_route_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + (int64_t)ts.tv_nsec / 1000000;
}

static void server_unref(void *s)
{
	gw_fleet_server_unref(s);
}

void gw_bbb_route_set_server(struct gw_exchange *x, struct gw_fleet_server *s)
{
	if (x->bbb.server_unref != NULL)
		x->bbb.server_unref(x->bbb.server);
	x->bbb.server = s;
	x->bbb.server_unref = s != NULL ? server_unref : NULL;
}

size_t gw_bbb_fleet_servers(const struct gw_exchange *x, const char **names, size_t max)
{
	struct gw_fleet *f = x->req.svc != NULL ? x->req.svc->fleet : NULL;
	const struct gw_config *cfg = x->req.cfg;
	size_t n = 0;

	if (f == NULL || cfg->n_servers <= 1)
		return 0;
	for (size_t i = 0; i < cfg->n_servers && n < max; i++) {
		struct gw_fleet_server *s = gw_fleet_server_named(f, cfg->servers[i].name);

		if (s != NULL && gw_fleet_server_state(f, s) != GW_SERVER_DISABLED)
			names[n++] = cfg->servers[i].name;
		gw_fleet_server_unref(s);
	}
	return n;
}

bool gw_bbb_use_server(struct gw_exchange *x, const char *name)
{
	struct gw_fleet *f = x->req.svc != NULL ? x->req.svc->fleet : NULL;
	struct gw_fleet_server *s = f != NULL ? gw_fleet_server_named(f, name) : NULL;

	if (s == NULL)
		return false;
	gw_bbb_route_set_server(x, s);
	return true;
}

const char *gw_bbb_server_name(const struct gw_exchange *x)
{
	return x->bbb.server != NULL ? gw_fleet_server_name(x->bbb.server) : NULL;
}

void gw_bbb_hook_id(const char *server, const char *id, char *out, size_t size)
{
	snprintf(out, size, "%s:%s", server, id);
}

bool gw_bbb_hook_id_split(const char *hook, size_t len, char *server, size_t server_size, char *id,
			  size_t id_size)
{
	const char *colon = memchr(hook, ':', len);
	size_t a, b;

	if (colon == NULL)
		return false;
	a = (size_t)(colon - hook);
	b = len - a - 1;
	if (a == 0 || b == 0 || a >= server_size || b >= id_size)
		return false;
	memcpy(server, hook, a);
	server[a] = '\0';
	memcpy(id, colon + 1, b);
	id[b] = '\0';
	return true;
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

void gw_bbb_route_no_server(struct gw_exchange *x, const char *detail)
{
	gw_response_retry(x, GW_E_UNAVAILABLE, 5, detail);
}

void gw_bbb_route_want(struct gw_exchange *x, const char *query, struct gw_fleet_want *w)
{
	char *tag = query_param(x, query, "meta_" GW_FLEET_TAG_META);
	const char *hint = query_param(x, query, "meta_" GW_FLEET_HINT_META);
	uint64_t seats;
	size_t len;

	*w = (struct gw_fleet_want){.seats = x->req.cfg->fleet_reservation_seats};
	if (tag != NULL && (len = strlen(tag)) > 0 && tag[len - 1] == '!') {
		tag[len - 1] = '\0';
		w->tag_required = true;
	}
	w->tag = tag != NULL && *tag != '\0' ? tag : NULL;
	if (hint != NULL && gw_str_parse_u64(hint, &seats) == GW_OK)
		w->seats = seats > GW_FLEET_MAX_SEATS ? GW_FLEET_MAX_SEATS : (unsigned)seats;
}

static enum gw_bbb_routed place(struct gw_exchange *x, struct gw_fleet *f, const char *query,
				const char *id)
{
	struct gw_fleet_server *s = NULL;
	struct gw_fleet_want w;

	gw_bbb_route_set_server(x, NULL);

	/* with a shared store, it decides (the map is its cache) */
	if (x->redis != NULL) {
		s = gw_fleet_lookup(f, id);
		if (s != NULL) {
			gw_bbb_route_set_server(x, s);
			return GW_BBB_ROUTED;
		}
		x->bbb.find_id = id;
		x->bbb.find_place = true;
		return GW_BBB_ROUTE_FIND;
	}
	gw_bbb_route_want(x, query, &w);
	switch (gw_fleet_place(f, id, &w, gw_bbb_route_now_ms(), &s)) {
	case GW_FLEET_NEW:
		x->bbb.placed = id;
		break;
	case GW_FLEET_EXISTING:
		break;
	case GW_FLEET_NO_SERVER:
		gw_bbb_route_no_server(x,
				       w.tag_required ? GW_BBB_NO_TAGGED_SERVER : GW_BBB_NO_SERVER);
		return GW_BBB_ROUTE_REFUSED;
	case GW_FLEET_FULL:
		gw_log_warn("fleet: the map of meetings is full");
		gw_bbb_route_no_server(x, "The gateway's map of meetings is full");
		return GW_BBB_ROUTE_REFUSED;
	}
	gw_bbb_route_set_server(x, s);
	return GW_BBB_ROUTED;
}

/* A lone server takes new meetings unless the operator cordoned or disabled it. */
static bool one_takes_meetings(struct gw_exchange *x, struct gw_fleet *f)
{
	struct gw_fleet_server *s = gw_fleet_server_at(f, 0);
	bool ok = s == NULL || gw_fleet_server_state(f, s) == GW_SERVER_ENABLED;

	gw_fleet_server_unref(s);
	if (!ok)
		gw_bbb_route_no_server(x, "The BBB server is cordoned or disabled: it takes no new "
					  "meetings");
	return ok;
}

/* Calls on recordings by recordID: they go to the server that lists the recording. */
static bool is_recording_call(const struct gw_bbb_call_def *c)
{
	return c == GW_BBB_CALL(publishRecordings) || c == GW_BBB_CALL(updateRecordings) ||
	       c == GW_BBB_CALL(deleteRecordings) || c == GW_BBB_CALL(getRecordingTextTracks) ||
	       c == GW_BBB_CALL(putRecordingTextTrack);
}

/* The map's server for id, or FIND when it does not know it. */
static enum gw_bbb_routed route_meeting(struct gw_exchange *x, struct gw_fleet *f, const char *id)
{
	struct gw_fleet_server *s = id != NULL ? gw_fleet_lookup(f, id) : NULL;

	if (s == NULL && id != NULL) {
		x->bbb.find_id = id;
		return GW_BBB_ROUTE_FIND;
	}
	gw_bbb_route_set_server(x, s != NULL ? s : gw_fleet_first_usable(f));
	return GW_BBB_ROUTED;
}

enum gw_bbb_routed gw_bbb_route(struct gw_exchange *x, const struct gw_bbb_call_def *c,
				const char *query)
{
	struct gw_fleet *f = x->req.svc != NULL ? x->req.svc->fleet : NULL;
	const char *id;

	if (f == NULL)
		return GW_BBB_ROUTED;
	/* one server (or none in the fleet: tests) takes every call, the map is not kept */
	if (x->req.cfg->n_servers <= 1)
		return c != GW_BBB_CALL(create) || one_takes_meetings(x, f) ? GW_BBB_ROUTED
									    : GW_BBB_ROUTE_REFUSED;
	/*
	 * Lists come from every server, the gateway's own look-ups included (a
	 * tenant's meeting count), converted and merged, or merged as BBB's XML
	 * for the BBB-compatible API and Accept: application/xml.
	 */
	if (c == GW_BBB_CALL(getMeetings) || c == GW_BBB_CALL(getRecordings) ||
	    c == GW_BBB_CALL(hooks_list))
		return GW_BBB_ROUTE_FAN;
	/* getRecordings' meetingID is a filter (a list), not where the call goes */
	id = c != GW_BBB_CALL(getRecordings) ? query_param(x, query, "meetingID") : NULL;
	/* a create is placed whatever server an earlier look-up of the exchange went to */
	if (c == GW_BBB_CALL(create) && id != NULL)
		return place(x, f, query, id);
	if (c == GW_BBB_CALL(end))
		x->bbb.placed = id;
	/* a chained call stays on the server of the call before it */
	if (x->bbb.server != NULL)
		return GW_BBB_ROUTED;
	if (id == NULL && is_recording_call(c) &&
	    (id = query_param(x, query, "recordID")) != NULL) {
		/* a list of recordIDs goes where the first one is */
		((char *)id)[strcspn(id, ",")] = '\0';
		x->bbb.find_id = id;
		x->bbb.find_record = true;
		return GW_BBB_ROUTE_FIND;
	}
	return route_meeting(x, f, id);
}

/* One server asked for the meeting. */
struct ask {
	struct finder *fd;
	struct gw_fleet_server *srv;
	struct gw_upstream_call call;
	struct gw_buf url;
};

/* The look-up across the servers of one exchange; freed when its last call is done. */
struct finder {
	struct gw_exchange *x;
	struct gw_fleet *f;
	void (*then)(struct gw_exchange *x);
	struct gw_fleet_server *found;
	size_t n, pending;
	struct ask asks[];
};

static void finder_end(struct finder *fd)
{
	struct gw_exchange *x = fd->x;

	if (fd->found != NULL && x->bbb.find_record) {
		gw_bbb_route_set_server(x, gw_fleet_server_ref(fd->found));
	} else if (fd->found != NULL) {
		gw_bbb_store_learned(x, x->bbb.find_id, gw_fleet_server_name(fd->found));
		if (gw_fleet_learn(fd->f, x->bbb.find_id, fd->found) != GW_OK)
			gw_log_warn("fleet: the map of meetings is full");
		gw_bbb_route_set_server(x, gw_fleet_server_ref(fd->found));
	} else {
		gw_bbb_route_set_server(x, gw_fleet_first_usable(fd->f));
	}
	x->bbb.find_id = NULL;
	x->bbb.find_record = false;
	x->bbb.find_stored = false;
	for (size_t i = 0; i < fd->n; i++) {
		gw_upstream_call_deinit(&fd->asks[i].call);
		gw_buf_deinit(&fd->asks[i].url);
		gw_fleet_server_unref(fd->asks[i].srv);
	}
	fd->then(x);
	free(fd);
}

/*
 * Whether BBB's first <returncode> says SUCCESS: in getMeetingInfo's reply
 * the envelope's comes before any element the meeting's data could name
 * so. A look at the text; the call that follows parses the reply.
 */
static bool says_success(const char *xml, size_t len)
{
	static const char open[] = "<returncode>", ok[] = "SUCCESS</returncode>";
	const char *at = memmem(xml, len, open, sizeof(open) - 1);
	size_t rest;

	if (at == NULL)
		return false;
	at += sizeof(open) - 1;
	rest = len - (size_t)(at - xml);
	return rest >= sizeof(ok) - 1 && memcmp(at, ok, sizeof(ok) - 1) == 0;
}

/*
 * Does the reply say the meeting (getMeetingInfo: SUCCESS) or the
 * recording (getRecordings: a recording listed) is there?
 */
static bool has_it(const struct gw_upstream_call *call, bool record)
{
	struct gw_bbb_reply r;
	bool yes;

	if (call->result != GW_OK || call->http_status != 200)
		return false;
	if (!record)
		return says_success(gw_buf_str(&call->reply), call->reply.len);
	if (gw_xml2json_convert(gw_buf_str(&call->reply), call->reply.len,
				gw_upstream_deadline_ms(call), &r) != GW_OK)
		return false;
	yes = r.success && json_array_size(json_object_get(gw_bbb_reply_body_json(&r), "recording"
										       "s")) > 0;
	gw_bbb_reply_deinit(&r);
	return yes;
}

static void asked(struct gw_upstream_call *call, void *arg)
{
	struct ask *a = arg;
	struct finder *fd = a->fd;

	if (fd->found == NULL && has_it(call, fd->x->bbb.find_record))
		fd->found = a->srv;
	if (--fd->pending == 0)
		finder_end(fd);
}

/* Signs getMeetingInfo for the meeting on a's server and sends it; false when it did not go. */
static bool ask(struct finder *fd, struct ask *a, const struct gw_buf *q)
{
	const struct gw_config *cfg = fd->x->req.cfg;
	const struct gw_bbb_server *c = gw_fleet_server_config(a->srv, cfg);

	const struct gw_bbb_call_def *call = fd->x->bbb.find_record ? GW_BBB_CALL(getRecordings)
								    : GW_BBB_CALL(getMeetingInfo);

	if (c == NULL || gw_bbb_signed_url(&a->url, c->url, call->name, gw_buf_str(q), c->checksum,
					   c->secret) != GW_OK)
		return false;
	a->call.url = gw_buf_str(&a->url);
	a->call.lane = gw_fleet_server_lane(a->srv);
	a->call.timeout_ms = cfg->bbb_timeout_ms;
	a->call.idempotent = true;
	a->call.max_reply_bytes = cfg->bbb_max_reply_bytes;
	a->call.done = asked;
	a->call.arg = a;
	fd->pending++;
	if (fd->x->upstream != NULL && gw_upstream_submit(fd->x->upstream, &a->call) == GW_OK)
		return true;
	fd->pending--;
	return false;
}

void gw_bbb_route_find(struct gw_exchange *x, void (*then)(struct gw_exchange *x))
{
	/* the shared store first: it places creates and knows other gateways' meetings */
	if (x->bbb.find_place) {
		gw_bbb_store_place(x, then);
		return;
	}
	if (x->redis != NULL && !x->bbb.find_record && !x->bbb.find_stored) {
		x->bbb.find_stored = true;
		gw_bbb_store_lookup(x, then);
		return;
	}
	gw_bbb_route_ask_all(x, then);
}

void gw_bbb_route_ask_all(struct gw_exchange *x, void (*then)(struct gw_exchange *x))
{
	struct gw_fleet *f = x->req.svc->fleet;
	size_t n = gw_fleet_count(f), i;
	struct finder *fd = calloc(1, sizeof(*fd) + n * sizeof(struct ask));
	struct gw_buf q;

	if (fd == NULL) {
		x->bbb.find_id = NULL;
		gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
		then(x);
		return;
	}
	fd->x = x;
	fd->f = f;
	fd->then = then;
	gw_buf_init(&q, GW_MAX_URL_BYTES);
	/* one more than the calls: nothing ends the look-up before every call is out */
	fd->pending = 1;
	if ((x->bbb.find_record ? gw_bbb_query_add(&q, "recordID", x->bbb.find_id) == GW_OK &&
					  gw_bbb_query_add(&q, "state", "any") == GW_OK
				: gw_bbb_query_add(&q, "meetingID", x->bbb.find_id) == GW_OK)) {
		for (i = 0; i < n; i++) {
			struct ask *a = &fd->asks[fd->n];

			a->srv = gw_fleet_server_at(f, i);
			if (a->srv == NULL)
				break;
			a->fd = fd;
			gw_buf_init(&a->url, GW_MAX_URL_BYTES);
			gw_upstream_call_init(&a->call);
			fd->n++;
			(void)ask(fd, a, &q);
		}
	}
	gw_buf_deinit(&q);
	if (--fd->pending == 0)
		finder_end(fd);
}

/* then, and the end of the exchange that waited for it. */
static void then_and_done(struct gw_exchange *x)
{
	void (*then)(struct gw_exchange * x) = x->bbb.find_then;

	x->bbb.find_then = NULL;
	then(x);
	gw_exchange_done(x);
}

static void start_find(struct gw_exchange *x)
{
	x->start = NULL;
	gw_bbb_route_find(x, then_and_done);
}

void gw_bbb_with_meeting_server(struct gw_exchange *x, const char *id, const char *query,
				void (*then)(struct gw_exchange *x))
{
	struct gw_fleet *f = x->req.svc != NULL ? x->req.svc->fleet : NULL;

	x->bbb.find_query = gw_arena_strdup(&x->arena, query);
	if (x->bbb.find_query == NULL) {
		gw_response_problem(x, gw_arena_error(&x->arena), NULL, NULL);
		return;
	}
	if (f == NULL || x->bbb.server != NULL || x->req.cfg->n_servers <= 1 ||
	    route_meeting(x, f, id) == GW_BBB_ROUTED) {
		then(x);
		return;
	}
	x->bbb.find_then = then;
	gw_exchange_defer(x, start_find);
}

/* A create's failure that still means the meeting exists on the server. */
static bool duplicate(const char *key)
{
	return key != NULL && (strcmp(key, "idNotUnique") == 0 || strcmp(key, "NotUniqueMeetingI"
									      "D") == 0);
}

void gw_bbb_route_ended(struct gw_exchange *x, const struct gw_bbb_call_def *c, int status)
{
	struct gw_fleet *f = x->req.svc != NULL ? x->req.svc->fleet : NULL;
	bool gone;

	if (f == NULL || x->bbb.placed == NULL || x->bbb.server == NULL)
		return;
	gone = c == GW_BBB_CALL(end) ? status >= 200 && status < 300
				     : status >= 400 && !duplicate(x->resp.message_key);
	if (gone) {
		gw_fleet_forget(f, x->bbb.placed, x->bbb.server);
		gw_bbb_store_forget(x, x->bbb.placed);
	}
	x->bbb.placed = NULL;
}
