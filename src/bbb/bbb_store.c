/*
 * bbb_store.c - routing through the store several gateways share
 * (state.redis; see bbb_route_int.h). A meeting's server is the string
 * value of "bgw:meeting:<meetingID>"; a create sets it with one script,
 * atomically, only when it is absent, so two gateways creating one
 * meetingID at once send both creates to one server (the second gets
 * BBB's answer for an existing meeting). Each gateway's map is the
 * store's cache. Keys expire after GW_FLEET_STORE_TTL_S unless a gateway
 * finds the meeting again; an end that succeeded deletes its key.
 *
 * Redis unreachable: a create that the map does not know answers 503 with
 * Retry-After (placing it without the store could split a meeting across
 * two servers); every other call goes on from the map, or by asking every
 * server. The loop's client reconnects by itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bbb_route.h"
#include "bbb_route_int.h"
#include "gw_limits.h"
#include "log.h"
#include "redis.h"

#define KEY_PREFIX "bgw:meeting:"

/* The create's placement: the value there, or ours set when there is none. */
static const char place_script[] = "local v = redis.call('GET', KEYS[1]) "
				   "if v then return v end "
				   "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) "
				   "return ARGV[1]";

/* A command of an exchange waiting for its answer. */
struct wait {
	struct gw_exchange *x;
	void (*then)(struct gw_exchange *x);
	struct gw_fleet_server *chosen; /* place: this gateway's choice */
	struct gw_fleet_want want;
};

static struct gw_fleet *fleet_of(struct gw_exchange *x)
{
	return x->req.svc->fleet;
}

/* "bgw:meeting:<id>" into buf (its length), 0 when too long. */
static size_t key_of(const char *id, char *buf, size_t size)
{
	int n = snprintf(buf, size, KEY_PREFIX "%s", id);

	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

static void finish(struct wait *w)
{
	struct gw_exchange *x = w->x;
	void (*then)(struct gw_exchange * x) = w->then;

	x->bbb.find_id = NULL;
	x->bbb.find_place = false;
	x->bbb.find_stored = false;
	gw_fleet_server_unref(w->chosen);
	free(w);
	then(x);
}

static void store_down(struct gw_exchange *x, enum gw_err err)
{
	gw_log_warn("fleet: the shared store (state.redis) did not answer: %s", gw_err_str(err));
	gw_response_header(&x->resp, "Retry-After", "2");
	gw_response_problem(x, GW_E_UNAVAILABLE,
			    "The gateways' shared state is unreachable: new meetings wait until it "
			    "is back",
			    NULL);
}

static void placed(enum gw_err err, const struct gw_redis_reply *r, void *arg)
{
	struct wait *w = arg;
	struct gw_exchange *x = w->x;
	struct gw_fleet *f = fleet_of(x);
	struct gw_fleet_server *s = NULL;
	char name[GW_FLEET_NAME_MAX + 1];

	if (err == GW_OK &&
	    (r->type != GW_REDIS_STRING || r->len == 0 || r->len > GW_FLEET_NAME_MAX))
		err = GW_E_UPSTREAM_BAD_REPLY;
	if (err != GW_OK) {
		store_down(x, err);
		finish(w);
		return;
	}
	memcpy(name, r->str, r->len);
	name[r->len] = '\0';
	s = gw_fleet_server_named(f, name);
	if (s == NULL) {
		/* another gateway's configuration has a server this one lacks */
		gw_log_warn("fleet: meeting placed on server %s, which this gateway does not have",
			    name);
		gw_bbb_route_no_server(x, "The meeting is on a BBB server this gateway does not "
					  "know");
	} else if (s == w->chosen) {
		if (gw_fleet_place_on(f, x->bbb.find_id, s, &w->want, gw_bbb_route_now_ms()) !=
		    GW_OK)
			gw_log_warn("fleet: the map of meetings is full");
		x->bbb.placed = x->bbb.find_id; /* ours: forgotten if the create makes nothing */
		gw_bbb_route_set_server(x, s);
	} else {
		(void)gw_fleet_learn(f, x->bbb.find_id, s);
		gw_bbb_route_set_server(x, s);
	}
	finish(w);
}

void gw_bbb_store_place(struct gw_exchange *x, void (*then)(struct gw_exchange *x))
{
	struct wait *w = calloc(1, sizeof(*w));
	char key[GW_MAX_PATH_LEN + sizeof(KEY_PREFIX) + 8];
	char ttl[24];
	const char *argv[6];
	size_t lens[6];
	enum gw_err err;

	if (w == NULL) {
		x->bbb.find_place = false;
		x->bbb.find_id = NULL;
		gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
		then(x);
		return;
	}
	w->x = x;
	w->then = then;
	gw_bbb_route_want(x, x->bbb.find_query, &w->want);
	w->chosen = gw_fleet_choose(fleet_of(x), &w->want, gw_bbb_route_now_ms());
	if (w->chosen == NULL) {
		gw_bbb_route_no_server(x, w->want.tag_required ? GW_BBB_NO_TAGGED_SERVER
							       : GW_BBB_NO_SERVER);
		finish(w);
		return;
	}
	snprintf(ttl, sizeof(ttl), "%llu", (unsigned long long)GW_FLEET_STORE_TTL_S * 1000u);
	lens[3] = key_of(x->bbb.find_id, key, sizeof(key));
	argv[0] = "EVAL";
	argv[1] = place_script;
	argv[2] = "1";
	argv[3] = key;
	argv[4] = gw_fleet_server_name(w->chosen);
	argv[5] = ttl;
	for (size_t i = 0; i < 6; i++) {
		if (i != 3)
			lens[i] = strlen(argv[i]);
	}
	err = lens[3] == 0 ? GW_E_INTERNAL : gw_redis_command(x->redis, placed, w, 6, argv, lens);
	if (err != GW_OK) {
		store_down(x, err);
		finish(w);
	}
}

static void looked_up(enum gw_err err, const struct gw_redis_reply *r, void *arg)
{
	struct wait *w = arg;
	struct gw_exchange *x = w->x;
	struct gw_fleet_server *s = NULL;
	char name[GW_FLEET_NAME_MAX + 1];

	if (err == GW_OK && r->type == GW_REDIS_STRING && r->len > 0 &&
	    r->len <= GW_FLEET_NAME_MAX) {
		memcpy(name, r->str, r->len);
		name[r->len] = '\0';
		s = gw_fleet_server_named(fleet_of(x), name);
	}
	if (s == NULL) {
		/* absent, unknown here, or the store unreachable: ask every server */
		void (*then)(struct gw_exchange * x) = w->then;

		free(w);
		gw_bbb_route_ask_all(x, then);
		return;
	}
	(void)gw_fleet_learn(fleet_of(x), x->bbb.find_id, s);
	gw_bbb_route_set_server(x, s);
	finish(w);
}

void gw_bbb_store_lookup(struct gw_exchange *x, void (*then)(struct gw_exchange *x))
{
	struct wait *w = calloc(1, sizeof(*w));
	char key[GW_MAX_PATH_LEN + sizeof(KEY_PREFIX) + 8];
	const char *argv[2] = {"GET", key};
	size_t lens[2] = {3, key_of(x->bbb.find_id, key, sizeof(key))};

	if (w == NULL || lens[1] == 0) {
		free(w);
		gw_bbb_route_ask_all(x, then);
		return;
	}
	w->x = x;
	w->then = then;
	if (gw_redis_command(x->redis, looked_up, w, 2, argv, lens) != GW_OK) {
		free(w);
		gw_bbb_route_ask_all(x, then);
	}
}

/* Fire and forget: nothing waits for these. */
static void ignored(enum gw_err err, const struct gw_redis_reply *r, void *arg)
{
	(void)err;
	(void)r;
	(void)arg;
}

void gw_bbb_store_learned(struct gw_exchange *x, const char *id, const char *server)
{
	char key[GW_MAX_PATH_LEN + sizeof(KEY_PREFIX) + 8];
	char ttl[24];
	const char *argv[6] = {"SET", key, server, "NX", "PX", ttl};
	size_t lens[6];

	if (x->redis == NULL || id == NULL)
		return;
	snprintf(ttl, sizeof(ttl), "%llu", (unsigned long long)GW_FLEET_STORE_TTL_S * 1000u);
	lens[1] = key_of(id, key, sizeof(key));
	for (size_t i = 0; i < 6; i++) {
		if (i != 1)
			lens[i] = strlen(argv[i]);
	}
	/* lost when the store is down: the key comes back with the next look-up */
	if (lens[1] > 0 && gw_redis_command(x->redis, ignored, NULL, 6, argv, lens) != GW_OK)
		gw_log_debug("fleet: the shared store missed meeting %s", id);
}

void gw_bbb_store_forget(struct gw_exchange *x, const char *id)
{
	char key[GW_MAX_PATH_LEN + sizeof(KEY_PREFIX) + 8];
	const char *argv[2] = {"DEL", key};
	size_t lens[2] = {3, 0};

	if (x->redis == NULL || id == NULL)
		return;
	lens[1] = key_of(id, key, sizeof(key));
	/* lost when the store is down: the key expires */
	if (lens[1] > 0 && gw_redis_command(x->redis, ignored, NULL, 2, argv, lens) != GW_OK)
		gw_log_debug("fleet: the shared store kept ended meeting %s", id);
}
