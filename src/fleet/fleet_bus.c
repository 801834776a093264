/*
 * fleet_bus.c - see fleet_bus.h: the senders (one command or script each,
 * on a loop's client) and the bus thread (a blocking client that catches
 * up, then reads the stream).
 */
#include "fleet_bus.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fleet.h"
#include "gw_limits.h"
#include "hub.h"
#include "log.h"
#include "revoke.h"
#include "str.h"

#define STREAM "bgw:bus"
#define REVOKED "bgw:revoked"
#define STATES "bgw:server-states"

/* Entries one XREAD takes, how long it blocks, and the reconnect backoff. */
#define READ_COUNT "128"
#define READ_BLOCK_MS 1000u
#define BACKOFF_FIRST_MS 100u
#define BACKOFF_MAX_MS 5000u

/* The longest stream entry id, "<20 digits>-<20 digits>". */
#define ID_MAX 48u

struct gw_bus {
	struct gw_bus_deps deps;
	struct gw_redis_opts opts; /* strings owned */
	pthread_t thread;
	pthread_mutex_t lock; /* conn, stop's wake-up */
	pthread_cond_t cond;
	struct gw_redis_sync *conn; /* the thread's connection while it has one */
	atomic_bool stop;
	bool have_last;
	bool caught_up;        /* the first catch-up is done; under lock */
	char last[ID_MAX + 1]; /* the last entry applied, or "0-0" */
	atomic_ullong applied;
	atomic_ullong lost;
	atomic_bool up;
};

uint64_t gw_bus_event_id(const char *s, size_t len)
{
	uint64_t ms = 0, seq = 0;
	size_t i = 0;

	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		if (ms > (UINT64_MAX / 4000u - 9u) / 10u)
			return 0;
		ms = ms * 10u + (uint64_t)(s[i] - '0');
	}
	if (i == 0 || i + 1 >= len || s[i] != '-')
		return 0;
	for (i++; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		if (seq < 1000u)
			seq = seq * 10u + (uint64_t)(s[i] - '0');
	}
	return ms * 1000u + (seq > 999u ? 999u : seq);
}

bool gw_bus_sent(enum gw_err err, const struct gw_redis_reply *r)
{
	return err == GW_OK && r != NULL && r->type != GW_REDIS_ERROR;
}

/* ---- senders ---- */

static enum gw_err send_argv(struct gw_redis *r, gw_redis_reply_fn cb, void *arg, int argc,
			     const char **argv, const size_t *lens)
{
	return r != NULL ? gw_redis_command(r, cb, arg, argc, argv, lens) : GW_E_UNAVAILABLE;
}

enum gw_err gw_bus_send_event(struct gw_redis *r, size_t maxlen, const struct gw_event *ev,
			      gw_redis_reply_fn cb, void *arg)
{
	char max[24], ts[24];
	const char *type = gw_event_type_name(ev->type);
	const char *argv[] = {"XADD", STREAM, "MAXLEN", "~",      max, "*",
			      "k",    "ev",   "t",      type,     "m", ev->meeting_id,
			      "ts",   ts,     "d",      ev->data, "p", ev->data_pw};
	size_t lens[GW_ARRAY_SIZE(argv)];
	int argc = ev->data_pw != NULL ? 18 : 16;

	if (type == NULL || ev->data == NULL)
		return GW_E_BAD_REQUEST;
	snprintf(max, sizeof(max), "%zu", maxlen > 0 ? maxlen : 1);
	snprintf(ts, sizeof(ts), "%lld", (long long)ev->time_ms);
	for (int i = 0; i < argc; i++)
		lens[i] = strlen(argv[i]);
	lens[15] = ev->data_len;
	if (ev->data_pw != NULL)
		lens[17] = ev->data_pw_len;
	return send_argv(r, cb, arg, argc, argv, lens);
}

/* Keeps a revocation (the later expiry wins), drops expired ones, and sends it. */
static const char revoke_script[] = "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3]) "
				    "local old = redis.call('ZSCORE', KEYS[1], ARGV[1]) "
				    "if not old or tonumber(old) < tonumber(ARGV[2]) then "
				    "  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1]) end "
				    "redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'k', "
				    "'revoke', 'j', ARGV[1], "
				    "'u', ARGV[2]) "
				    "return 1";

enum gw_err gw_bus_send_revoke(struct gw_redis *r, size_t maxlen, const char *jti, long long until,
			       gw_redis_reply_fn cb, void *arg)
{
	char u[24], now[24], max[24];
	const char *argv[] = {"EVAL", revoke_script, "2", REVOKED, STREAM, jti, u, now, max};

	snprintf(u, sizeof(u), "%lld", until);
	snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
	snprintf(max, sizeof(max), "%zu", maxlen > 0 ? maxlen : 1);
	return send_argv(r, cb, arg, (int)GW_ARRAY_SIZE(argv), argv, NULL);
}

static const char state_script[] = "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) "
				   "redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'k', "
				   "'state', 'n', ARGV[1], "
				   "'s', ARGV[2]) "
				   "return 1";

enum gw_err gw_bus_send_state(struct gw_redis *r, size_t maxlen, const char *name,
			      enum gw_server_state state, gw_redis_reply_fn cb, void *arg)
{
	char max[24];
	const char *st = gw_server_state_name(state);
	const char *argv[] = {"EVAL", state_script, "2", STATES, STREAM, name, st, max};

	if (st == NULL)
		return GW_E_BAD_REQUEST;
	snprintf(max, sizeof(max), "%zu", maxlen > 0 ? maxlen : 1);
	return send_argv(r, cb, arg, (int)GW_ARRAY_SIZE(argv), argv, NULL);
}

/* ---- applying entries ---- */

/* The value of field name in an entry's field list, or NULL. */
static const struct gw_redis_reply *field(const struct gw_redis_reply *fields, const char *name)
{
	if (fields->type != GW_REDIS_ARRAY)
		return NULL;
	for (size_t i = 0; i + 1 < fields->n; i += 2) {
		const struct gw_redis_reply *k = &fields->elem[i];
		const struct gw_redis_reply *v = &fields->elem[i + 1];

		if (gw_redis_reply_str_eq(k, name) && v->type == GW_REDIS_STRING)
			return v;
	}
	return NULL;
}

/* A NUL-terminated copy of a string reply of at most max bytes, or NULL. */
static char *copy_str(const struct gw_redis_reply *v, size_t max)
{
	char *s;

	if (v == NULL || v->len > max)
		return NULL;
	s = malloc(v->len + 1);
	if (s != NULL) {
		memcpy(s, v->str, v->len);
		s[v->len] = '\0';
	}
	return s;
}

static void apply_event(struct gw_bus *b, const struct gw_redis_reply *f, uint64_t id)
{
	const struct gw_redis_reply *t = field(f, "t"), *m = field(f, "m");
	const struct gw_redis_reply *d = field(f, "d"), *p = field(f, "p");
	const struct gw_redis_reply *ts = field(f, "ts");
	struct gw_event ev = {0};
	size_t i;

	if (t == NULL || m == NULL || d == NULL || m->len > GW_EVENT_MAX_MEETING_ID)
		return;
	for (i = 0; i < GW_EV__COUNT; i++) {
		if (gw_redis_reply_str_eq(t, gw_event_type_name((enum gw_event_type)i)))
			break;
	}
	if (i == GW_EV__COUNT)
		return;
	ev.type = (enum gw_event_type)i;
	memcpy(ev.meeting_id, m->str, m->len);
	ev.meeting_id[m->len] = '\0';
	ev.time_ms = ts != NULL ? strtoll(ts->str, NULL, 10) : 0;
	ev.data = copy_str(d, SIZE_MAX - 1);
	ev.data_len = d->len;
	if (p != NULL) {
		ev.data_pw = copy_str(p, SIZE_MAX - 1);
		ev.data_pw_len = p->len;
	}
	if (ev.data == NULL || (p != NULL && ev.data_pw == NULL) ||
	    gw_hub_publish_as(b->deps.hub, &ev, id, NULL) != GW_OK)
		gw_log_warn("bus: an event of the shared stream was not relayed");
	gw_event_deinit(&ev);
}

static bool apply_revoke(struct gw_bus *b, const struct gw_redis_reply *jti,
			 const struct gw_redis_reply *until)
{
	char *j = copy_str(jti, GW_REVOKE_MAX_JTI_LEN);
	long long now = (long long)time(NULL);
	bool added = false;

	if (j != NULL && until != NULL && b->deps.revoke != NULL)
		added = gw_revoke_add(b->deps.revoke, j, strtoll(until->str, NULL, 10), now) ==
			GW_OK;
	free(j);
	return added;
}

static void apply_state(struct gw_bus *b, const struct gw_redis_reply *name,
			const struct gw_redis_reply *state)
{
	enum gw_server_state st;
	char *n = copy_str(name, GW_FLEET_NAME_MAX);

	if (n != NULL && state != NULL && b->deps.fleet != NULL &&
	    gw_server_state_parse(state->str, state->len, &st))
		(void)gw_fleet_set_state(b->deps.fleet, n, st);
	free(n);
}

/* One entry [id, [field, value, ...]]; events only when events_only. */
static void apply_entry(struct gw_bus *b, const struct gw_redis_reply *e, bool events_only)
{
	const struct gw_redis_reply *id, *f, *k;

	if (e->type != GW_REDIS_ARRAY || e->n != 2 || e->elem[0].type != GW_REDIS_STRING ||
	    e->elem[0].len > ID_MAX)
		return;
	id = &e->elem[0];
	f = &e->elem[1];
	memcpy(b->last, id->str, id->len);
	b->last[id->len] = '\0';
	k = field(f, "k");
	if (k == NULL)
		return;
	if (gw_redis_reply_str_eq(k, "ev")) {
		apply_event(b, f, gw_bus_event_id(id->str, id->len));
	} else if (events_only) {
		return;
	} else if (gw_redis_reply_str_eq(k, "revoke")) {
		if (apply_revoke(b, field(f, "j"), field(f, "u")) && b->deps.auth_epoch != NULL)
			atomic_fetch_add(b->deps.auth_epoch, 1);
	} else if (gw_redis_reply_str_eq(k, "state")) {
		apply_state(b, field(f, "n"), field(f, "s"));
	}
	atomic_fetch_add_explicit(&b->applied, 1, memory_order_relaxed);
}

/* ---- the thread ---- */

struct got {
	struct gw_bus *b;
	bool ok;
};

static void got_reply(enum gw_err err, const struct gw_redis_reply *r, void *arg)
{
	struct got *g = arg;

	g->ok = gw_bus_sent(err, r);
}

static void got_revoked(enum gw_err err, const struct gw_redis_reply *r, void *arg)
{
	struct got *g = arg;
	bool any = false;

	g->ok = err == GW_OK && r->type == GW_REDIS_ARRAY;
	for (size_t i = 0; g->ok && i + 1 < r->n; i += 2)
		any |= apply_revoke(g->b, &r->elem[i], &r->elem[i + 1]);
	if (any && g->b->deps.auth_epoch != NULL)
		atomic_fetch_add(g->b->deps.auth_epoch, 1);
}

static void got_states(enum gw_err err, const struct gw_redis_reply *r, void *arg)
{
	struct got *g = arg;

	g->ok = err == GW_OK && r->type == GW_REDIS_ARRAY;
	for (size_t i = 0; g->ok && i + 1 < r->n; i += 2)
		apply_state(g->b, &r->elem[i], &r->elem[i + 1]);
}

/* XREVRANGE's reply, newest first: events applied oldest first. */
static void got_recent(enum gw_err err, const struct gw_redis_reply *r, void *arg)
{
	struct got *g = arg;
	struct gw_bus *b = g->b;

	g->ok = err == GW_OK && r->type == GW_REDIS_ARRAY;
	if (!g->ok)
		return;
	for (size_t i = r->n; i > 0; i--)
		apply_entry(b, &r->elem[i - 1], true);
	if (r->n > 0) {
		const struct gw_redis_reply *oldest = &r->elem[r->n - 1].elem[0];
		uint64_t first = r->elem[r->n - 1].type == GW_REDIS_ARRAY &&
						 r->elem[r->n - 1].n == 2 &&
						 oldest->type == GW_REDIS_STRING
					 ? gw_bus_event_id(oldest->str, oldest->len)
					 : 0;

		/* the stream's older events were never here: resuming from them is a gap */
		if (first > 0)
			gw_hub_raise_floor(b->deps.hub, first - 1);
	}
}

/* XREAD's reply: nil (nothing new) or [[stream, [entries]]]. */
static void got_read(enum gw_err err, const struct gw_redis_reply *r, void *arg)
{
	struct got *g = arg;
	const struct gw_redis_reply *entries;

	g->ok = err == GW_OK && (r->type == GW_REDIS_NIL || r->type == GW_REDIS_ARRAY);
	if (!g->ok || r->type == GW_REDIS_NIL || r->n < 1 || r->elem[0].type != GW_REDIS_ARRAY ||
	    r->elem[0].n != 2)
		return;
	entries = &r->elem[0].elem[1];
	for (size_t i = 0; entries->type == GW_REDIS_ARRAY && i < entries->n; i++)
		apply_entry(g->b, &entries->elem[i], false);
}

static bool run_command(struct gw_bus *b, struct gw_redis_sync *s, unsigned timeout_ms, int argc,
			const char **argv, gw_redis_reply_fn cb)
{
	struct got g = {.b = b};

	return gw_redis_sync_command(s, timeout_ms, argc, argv, NULL, cb, &g) == GW_OK && g.ok;
}

/* What a (re)connected thread reads before the stream: revocations, states, recent events. */
static bool catch_up(struct gw_bus *b, struct gw_redis_sync *s)
{
	char now[24], after[26], count[24];
	const char *trim[] = {"ZREMRANGEBYSCORE", REVOKED, "-inf", now};
	const char *live[] = {"ZRANGEBYSCORE", REVOKED, after, "+inf", "WITHSCORES"};
	const char *states[] = {"HGETALL", STATES};
	const char *recent[] = {"XREVRANGE", STREAM, "+", "-", "COUNT", count};

	snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
	snprintf(after, sizeof(after), "(%s", now);
	snprintf(count, sizeof(count), "%zu", b->deps.replay > 0 ? b->deps.replay : 1);
	if (!run_command(b, s, 0, 4, trim, got_reply) ||
	    !run_command(b, s, 0, 5, live, got_revoked) ||
	    !run_command(b, s, 0, 2, states, got_states))
		return false;
	if (!b->have_last) {
		gw_str_copy(b->last, sizeof(b->last), "0-0");
		if (!run_command(b, s, 0, 6, recent, got_recent))
			return false;
		b->have_last = true;
	}
	return true;
}

/* Reads the stream until the connection fails or the bus stops. */
static void read_stream(struct gw_bus *b, struct gw_redis_sync *s)
{
	char block[16];
	const char *argv[] = {"XREAD", "COUNT",   READ_COUNT, "BLOCK",
			      block,   "STREAMS", STREAM,     NULL};

	snprintf(block, sizeof(block), "%u", READ_BLOCK_MS);
	while (!atomic_load(&b->stop)) {
		argv[7] = b->last;
		if (!run_command(b, s, READ_BLOCK_MS + b->opts.command_timeout_ms, 8, argv,
				 got_read))
			return;
	}
}

/* CLOCK_MONOTONIC now + ms, for the condition variable. */
static struct timespec deadline(unsigned ms)
{
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += ms / 1000u;
	until.tv_nsec += (long)(ms % 1000u) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	return until;
}

/* Sleeps ms, or less when the bus stops. */
static void nap(struct gw_bus *b, unsigned ms)
{
	struct timespec until = deadline(ms);

	pthread_mutex_lock(&b->lock);
	while (!atomic_load(&b->stop) &&
	       pthread_cond_timedwait(&b->cond, &b->lock, &until) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&b->lock);
}

static void *run(void *arg)
{
	struct gw_bus *b = arg;
	unsigned backoff = BACKOFF_FIRST_MS;
	bool told = false;

	while (!atomic_load(&b->stop)) {
		struct gw_redis_sync *s = NULL;

		if (gw_redis_sync_connect(&b->opts, &s) != GW_OK) {
			if (!told)
				gw_log_warn("bus: the shared store (state.redis) is unreachable: "
					    "events, revocations and server states are not shared "
					    "until it is back");
			told = true;
			nap(b, backoff);
			backoff = backoff * 2u > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2u;
			continue;
		}
		pthread_mutex_lock(&b->lock);
		b->conn = s;
		pthread_mutex_unlock(&b->lock);
		if (!atomic_load(&b->stop) && catch_up(b, s)) {
			pthread_mutex_lock(&b->lock);
			b->caught_up = true;
			pthread_cond_broadcast(&b->cond);
			pthread_mutex_unlock(&b->lock);
			if (told)
				gw_log_notice("bus: the shared store is back; reading on after %s",
					      b->last);
			told = false;
			backoff = BACKOFF_FIRST_MS;
			atomic_store(&b->up, true);
			read_stream(b, s);
			atomic_store(&b->up, false);
			if (!atomic_load(&b->stop))
				atomic_fetch_add_explicit(&b->lost, 1, memory_order_relaxed);
		}
		pthread_mutex_lock(&b->lock);
		b->conn = NULL;
		pthread_mutex_unlock(&b->lock);
		gw_redis_sync_free(s);
		if (!atomic_load(&b->stop))
			nap(b, backoff);
	}
	return NULL;
}

static void opts_free(struct gw_redis_opts *o)
{
	free((char *)o->host);
	free((char *)o->unix_path);
	free((char *)o->password);
}

static char *dup_or_null(const char *s, bool *ok)
{
	char *d = s != NULL ? strdup(s) : NULL;

	if (s != NULL && d == NULL)
		*ok = false;
	return d;
}

enum gw_err gw_bus_start(const struct gw_redis_opts *o, const struct gw_bus_deps *d,
			 struct gw_bus **out)
{
	struct gw_bus *b = calloc(1, sizeof(*b));
	pthread_condattr_t ca;
	bool ok = true;

	*out = NULL;
	if (b == NULL)
		return GW_E_NOMEM;
	b->deps = *d;
	b->opts = *o;
	b->opts.host = dup_or_null(o->host, &ok);
	b->opts.unix_path = dup_or_null(o->unix_path, &ok);
	b->opts.password = dup_or_null(o->password, &ok);
	if (b->opts.command_timeout_ms == 0)
		b->opts.command_timeout_ms = GW_DEFAULT_REDIS_COMMAND_TIMEOUT_MS;
	if (!ok) {
		opts_free(&b->opts);
		free(b);
		return GW_E_NOMEM;
	}
	pthread_mutex_init(&b->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&b->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&b->thread, NULL, run, b) != 0) {
		pthread_cond_destroy(&b->cond);
		pthread_mutex_destroy(&b->lock);
		opts_free(&b->opts);
		free(b);
		return GW_E_INTERNAL;
	}
	*out = b;
	return GW_OK;
}

void gw_bus_stop(struct gw_bus *b)
{
	if (b == NULL)
		return;
	pthread_mutex_lock(&b->lock);
	atomic_store(&b->stop, true);
	if (b->conn != NULL)
		gw_redis_sync_interrupt(b->conn);
	pthread_cond_broadcast(&b->cond);
	pthread_mutex_unlock(&b->lock);
	pthread_join(b->thread, NULL);
	pthread_cond_destroy(&b->cond);
	pthread_mutex_destroy(&b->lock);
	opts_free(&b->opts);
	free(b);
}

bool gw_bus_wait_ready(struct gw_bus *b, unsigned timeout_ms)
{
	struct timespec until = deadline(timeout_ms);
	bool ready;

	pthread_mutex_lock(&b->lock);
	while (!b->caught_up && pthread_cond_timedwait(&b->cond, &b->lock, &until) != ETIMEDOUT)
		;
	ready = b->caught_up;
	pthread_mutex_unlock(&b->lock);
	return ready;
}

void gw_bus_stats(struct gw_bus *b, struct gw_bus_stats *out)
{
	out->applied = atomic_load(&b->applied);
	out->lost = atomic_load(&b->lost);
	out->up = atomic_load(&b->up);
}
