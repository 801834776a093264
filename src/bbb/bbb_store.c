/*
 * bbb_store.c - routing through the store several gateways share
 * (state.redis; see bbb_route_int.h). A meeting's server is the string
 * value of "bgw:meeting:<meetingID>"; a create sets it with one script,
 * atomically, only when it is absent, so two gateways creating one
 * meetingID at once send both creates to one server (the second gets
 * BBB's answer for an existing meeting). Each gateway's map is the
 * store's cache. Keys expire after state.placement_ttl_s unless a gateway
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
#define SEATS_PREFIX "bgw:seats:"
#define FRESH_PREFIX "bgw:fresh:"

/*
 * The create's placement, decided in the store so that every gateway's
 * recent creates count: the server already there, else the candidate of
 * least load, its load the gateway's poll figure (ARGV base) plus its
 * weight times what the reservations of all gateways still hold. Per
 * server, "bgw:seats:<server>" is a sorted set of "<seats>:<meetingID>" by
 * the Unix ms of their create, with the running sums of seats and of seats
 * x create time (s) in the hash "bgw:seats:<server>:sum", so that the
 * linearly fading seats are S - (now x S - ST) / decay without walking the
 * set; entries leave it (and the sums) once decay_ms old. A create also
 * counts as a meeting for fresh_ms: "bgw:fresh:<server>", by create time.
 * Each placement costs O(log n) plus the entries that expired.
 * Returns {server, 1 when placed now}.
 * ARGV: ttl_ms now_ms decay_ms fresh_ms meeting_weight seats meetingID,
 * then name base weight for each candidate.
 */
static const char place_script[] =
	"local v = redis.call('GET', KEYS[1]) "
	"if v then return {v, 0} end "
	"local now, decay, fresh = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]) "
	"local mw, nows = tonumber(ARGV[5]), tonumber(ARGV[2]) / 1000 "
	"local function num(x) return string.format('%.17g', x) end "
	"local best, low "
	"for i = 8, #ARGV - 2, 3 do "
	"  local k, f = '" SEATS_PREFIX "' .. ARGV[i], '" FRESH_PREFIX "' .. ARGV[i] "
	"  local h, held = k .. ':sum', 0 "
	"  if decay > 0 then "
	"    local cut = '(' .. num(now - decay) "
	"    local gone = redis.call('ZRANGEBYSCORE', k, '-inf', cut, 'WITHSCORES') "
	"    if #gone > 0 then "
	"      local s, st = 0, 0 "
	"      for j = 1, #gone, 2 do "
	"        local n = tonumber(string.match(gone[j], '^%d+')) "
	"        s, st = s + n, st + n * tonumber(gone[j + 1]) / 1000 "
	"      end "
	"      redis.call('ZREMRANGEBYSCORE', k, '-inf', cut) "
	"      if redis.call('ZCARD', k) == 0 then redis.call('DEL', h) else "
	"        redis.call('HINCRBYFLOAT', h, 's', num(-s)) "
	"        redis.call('HINCRBYFLOAT', h, 'st', num(-st)) end "
	"    end "
	"    local s = tonumber(redis.call('HGET', h, 's') or '0') "
	"    local st = tonumber(redis.call('HGET', h, 'st') or '0') "
	"    if s > 0 then held = math.max(s - (nows * s - st) / (decay / 1000), 0) end "
	"  end "
	"  if fresh > 0 then "
	"    redis.call('ZREMRANGEBYSCORE', f, '-inf', '(' .. num(now - fresh)) "
	"    held = held + mw * redis.call('ZCARD', f) "
	"  end "
	"  local load = tonumber(ARGV[i + 1]) + tonumber(ARGV[i + 2]) * held "
	"  if best == nil or load < low then best, low = ARGV[i], load end "
	"end "
	"redis.call('SET', KEYS[1], best, 'PX', ARGV[1]) "
	"local seats = tonumber(ARGV[6]) "
	"if decay > 0 and seats > 0 then "
	"  local k = '" SEATS_PREFIX "' .. best "
	"  redis.call('ZADD', k, now, ARGV[6] .. ':' .. ARGV[7]) "
	"  redis.call('HINCRBYFLOAT', k .. ':sum', 's', ARGV[6]) "
	"  redis.call('HINCRBYFLOAT', k .. ':sum', 'st', num(seats * nows)) "
	"  redis.call('PEXPIRE', k, decay) "
	"  redis.call('PEXPIRE', k .. ':sum', decay) "
	"end "
	"if fresh > 0 then "
	"  local f = '" FRESH_PREFIX "' .. best "
	"  redis.call('ZADD', f, now, ARGV[7]) "
	"  redis.call('PEXPIRE', f, fresh) "
	"end "
	"return {best, 1}";

/* A command of an exchange waiting for its answer. */
struct wait {
	struct gw_exchange *x;
	void (*then)(struct gw_exchange *x);
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
	free(w);
	then(x);
}

static void store_down(struct gw_exchange *x, enum gw_err err)
{
	gw_log_warn("fleet: the shared store (state.redis) did not answer: %s", gw_err_str(err));
	gw_response_retry(x, GW_E_UNAVAILABLE, 2,
			  "The gateways' shared state is unreachable: new meetings wait until it "
			  "is back");
}

static void placed(enum gw_err err, const struct gw_redis_reply *r, void *arg)
{
	struct wait *w = arg;
	struct gw_exchange *x = w->x;
	struct gw_fleet *f = fleet_of(x);
	struct gw_fleet_server *s = NULL;
	char name[GW_FLEET_NAME_MAX + 1];
	const struct gw_redis_reply *v;

	if (err == GW_OK && (r->type != GW_REDIS_ARRAY || r->n != 2 ||
			     r->elem[0].type != GW_REDIS_STRING || r->elem[0].len == 0 ||
			     r->elem[0].len > GW_FLEET_NAME_MAX || r->elem[1].type != GW_REDIS_INT))
		err = GW_E_UPSTREAM_BAD_REPLY;
	if (err != GW_OK) {
		store_down(x, err);
		finish(w);
		return;
	}
	v = &r->elem[0];
	memcpy(name, v->str, v->len);
	name[v->len] = '\0';
	s = gw_fleet_server_named(f, name);
	if (s == NULL) {
		/* another gateway's configuration has a server this one lacks */
		gw_log_warn("fleet: meeting placed on server %s, which this gateway does not have",
			    name);
		gw_bbb_route_no_server(x, "The meeting is on a BBB server this gateway does not "
					  "know");
	} else if (r->elem[1].integer == 1) {
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

/* Candidate figures as the script reads them: name, base, weight. */
struct cand_text {
	char base[32];
	char weight[32];
};

/* EVAL's fixed arguments before the candidates: EVAL script 1 key + 7 ARGV. */
#define PLACE_FIXED 11

void gw_bbb_store_place(struct gw_exchange *x, void (*then)(struct gw_exchange *x))
{
	struct wait *w = calloc(1, sizeof(*w));
	struct gw_fleet_candidate cand[GW_MAX_SERVERS];
	struct cand_text txt[GW_MAX_SERVERS];
	struct gw_fleet_fading fade;
	char key[GW_MAX_PATH_LEN + sizeof(KEY_PREFIX) + 8];
	char num[6][24];
	const char *argv[PLACE_FIXED + 3 * GW_MAX_SERVERS];
	size_t lens[PLACE_FIXED + 3 * GW_MAX_SERVERS];
	size_t n, argc;
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
	n = gw_fleet_candidates(fleet_of(x), &w->want, cand, GW_MAX_SERVERS);
	if (n == 0) {
		gw_bbb_route_no_server(x, w->want.tag_required ? GW_BBB_NO_TAGGED_SERVER
							       : GW_BBB_NO_SERVER);
		finish(w);
		return;
	}
	gw_fleet_fading(fleet_of(x), &fade);
	snprintf(num[0], sizeof(num[0]), "%llu",
		 (unsigned long long)x->req.cfg->state_placement_ttl_s * 1000u);
	snprintf(num[1], sizeof(num[1]), "%lld", (long long)gw_bbb_route_wall_ms());
	snprintf(num[2], sizeof(num[2]), "%llu", (unsigned long long)fade.decay_ms);
	snprintf(num[3], sizeof(num[3]), "%llu", (unsigned long long)fade.fresh_ms);
	snprintf(num[4], sizeof(num[4]), "%u", fade.meeting_weight);
	snprintf(num[5], sizeof(num[5]), "%u", w->want.seats);
	argv[0] = "EVAL";
	argv[1] = place_script;
	argv[2] = "1";
	argv[3] = key;
	for (size_t i = 0; i < 6; i++)
		argv[4 + i] = num[i];
	argv[10] = x->bbb.find_id;
	argc = PLACE_FIXED;
	for (size_t i = 0; i < n; i++) {
		snprintf(txt[i].base, sizeof(txt[i].base), "%.6f", cand[i].base);
		snprintf(txt[i].weight, sizeof(txt[i].weight), "%.6f", cand[i].weight);
		argv[argc++] = gw_fleet_server_name(cand[i].srv);
		argv[argc++] = txt[i].base;
		argv[argc++] = txt[i].weight;
	}
	for (size_t i = 0; i < argc; i++) {
		if (i != 3)
			lens[i] = strlen(argv[i]);
	}
	lens[3] = key_of(x->bbb.find_id, key, sizeof(key));
	err = lens[3] == 0 ? GW_E_INTERNAL
			   : gw_redis_command(x->redis, placed, w, (int)argc, argv, lens);
	/* the names were copied into the command */
	gw_fleet_candidates_unref(cand, n);
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
	snprintf(ttl, sizeof(ttl), "%llu",
		 (unsigned long long)x->req.cfg->state_placement_ttl_s * 1000u);
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
