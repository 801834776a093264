/*
 * gateway.c - wires configuration, upstream and HTTP server together.
 *
 * Shared mutable state here is one pointer: the current configuration,
 * swapped under a mutex on reload. Every request holds its own reference
 * to the snapshot it started with, so a reload never changes a request
 * half-way. The services handed to every request (metrics, rate limits,
 * the /readyz probe cache) guard their own state. The upstream group
 * (breaker, connect count, DNS and TLS cache) is shared by the pools the
 * HTTP server's loops make. Stop order: mark draining, quiesce the
 * listener, wait for in-flight requests (bounded), cancel the BBB calls
 * left (503), then stop the HTTP server and free the group.
 */
#include "gateway.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bbb_calls.h"
#include "bearer.h"
#include "conn_guard.h"
#include "event.h"
#include "gw_limits.h"
#include "fleet.h"
#include "fleet_bus.h"
#include "fleet_poll.h"
#include "hook_keeper.h"
#include "redis.h"
#include "http_server.h"
#include "hub.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "probe_cache.h"
#include "quota.h"
#include "ratelimit.h"
#include "revoke.h"
#include "request.h"
#include "router.h"
#include "routes.h"
#include "slots.h"
#include "str.h"
#include "upstream.h"

struct gw_gateway {
	pthread_mutex_t lock;
	struct gw_config *cfg; /* current snapshot; guarded by lock */
	/*
	 * Written by the main thread only, under lock; stats() reads both under
	 * lock from the event loops (a /metrics scrape). TSan caught the first
	 * request racing the store of http, which happens after the loops
	 * start; and a scrape on a kept-alive connection during stop could read
	 * up after it is freed.
	 */
	struct gw_upstream_group *up;
	struct gw_http_server *http;
	struct gw_services svc; /* metrics, rate limits, probe cache: shared by every request */
	struct gw_hook_keeper *keeper;  /* keeps events.callback_url registered with bbb-webhooks */
	struct gw_fleet_poller *poller; /* polls every BBB server (fleet_poll.h) */
	struct gw_bus *bus;             /* state.redis: events, revocations, states (fleet_bus.h) */
};

/* The event types' names, the metrics' type labels; filled once, before any thread starts. */
static const char *event_type_names[GW_EV__COUNT];

static void stats(void *arg, struct gw_metrics_extra *out)
{
	struct gw_gateway *gw = arg;
	struct gw_conn_guard_stats cs;

	pthread_mutex_lock(&gw->lock);
	out->http_active = gw->http != NULL ? (long long)gw_http_server_active(gw->http) : -1;
	out->conn_open = out->conn_header_timeout = out->conn_displaced = out->conn_refused = -1;
	if (gw->http != NULL) {
		gw_http_server_conn_stats(gw->http, &cs);
		out->conn_open = cs.open;
		out->conn_header_timeout = (long long)cs.timed_out;
		out->conn_displaced = (long long)cs.displaced;
		out->conn_refused = (long long)cs.refused;
	}
	out->upstream_open = -1;
	out->upstream_connects = gw->up != NULL ? (long long)gw_upstream_group_connects(gw->up)
						: -1;
	out->circuit_open = gw->up != NULL ? (gw_upstream_group_breaker_open(gw->up) ? 1 : 0) : -1;
	pthread_mutex_unlock(&gw->lock);
	out->events_received = -1;
	if (gw->svc.hub != NULL) {
		const struct gw_stream_counters *sc = &gw->svc.stream_counts;
		struct gw_hub_stats hs;
		size_t i;

		gw_hub_stats(gw->svc.hub, &hs);
		out->events_received = (long long)hs.published;
		out->events_dropped = (long long)atomic_load(&gw->svc.events_dropped);
		out->callbacks_refused = (long long)atomic_load(&gw->svc.callbacks_refused);
		out->event_types = event_type_names;
		out->n_event_types = GW_EV__COUNT;
		for (i = 0; i < GW_EV__COUNT; i++) {
			out->events_in[i] = (long long)hs.by_type[i];
			out->events_out[i] = (long long)atomic_load(&sc->sent[i]);
		}
		out->streams_open =
			gw->svc.streams != NULL ? (long long)gw_slots_total(gw->svc.streams) : 0;
		out->streams_opened = (long long)atomic_load(&sc->opened);
		for (i = 0; i < GW_STREAM_REFUSED__COUNT; i++)
			out->streams_refused[i] = (long long)atomic_load(&sc->refused[i]);
		for (i = 0; i < GW_STREAM_CLOSED__COUNT; i++)
			out->streams_closed[i] = (long long)atomic_load(&sc->closed[i]);
	}
	out->jwt_cache_hits = out->jwt_cache_misses = -1;
	if (gw->svc.bearer != NULL) {
		unsigned long long hits;
		unsigned long long misses;

		gw_bearer_stats(gw->svc.bearer, &hits, &misses);
		out->jwt_cache_hits = (long long)hits;
		out->jwt_cache_misses = (long long)misses;
	}
}

static struct gw_config *config_get(void *arg)
{
	return gw_gateway_config(arg);
}

/* An exchange's server is a fleet server (bbb_route.c): its access line names it. */
static const char *server_name(const void *server)
{
	return gw_fleet_server_name(server);
}

/*
 * The route table, metrics with one series per route template, the
 * rate-limit table, the /readyz cache.
 */
static enum gw_err services_new(struct gw_gateway *gw)
{
	const char *pats[64];
	const char *calls[GW_BBB_N_CALLS];
	struct timespec now;
	size_t n;
	size_t n_calls;

	/* The handlers' table reaches the HTTP layer through the services, never by include. */
	gw->svc.routes = gw_routes_table();
	n = gw_router_patterns(gw->svc.routes, pats, GW_ARRAY_SIZE(pats));
	/* The BBB call labels come from the bbb layer's table, the same way. */
	n_calls = gw_bbb_call_labels(calls, GW_ARRAY_SIZE(calls));
	gw->svc.metrics = gw_metrics_new(pats, n, calls, n_calls);
	gw->svc.ratelimit = gw_ratelimit_new(GW_RATELIMIT_DEFAULT_CAPACITY);
	gw->svc.probe_cache = gw_probe_cache_new();
	/* sized once, at start: auth.max_revoked and auth.token_cache are restart keys */
	gw->svc.revoke = gw_revoke_new_memory(gw->cfg->auth_max_revoked);
	/*
	 * ids go on from the clock (microseconds): a Last-Event-ID of an earlier
	 * run is older. With state.redis they come from the shared stream.
	 */
	clock_gettime(CLOCK_REALTIME, &now);
	gw->svc.hub = gw_hub_new_after(gw->cfg->events_buffer,
				       gw->cfg->state_redis != NULL
					       ? 0
					       : (uint64_t)now.tv_sec * 1000000u +
							 (uint64_t)now.tv_nsec / 1000u);
	gw->svc.bearer = gw->svc.revoke != NULL
				 ? gw_bearer_new(gw->cfg->auth_token_cache, gw->svc.revoke)
				 : NULL;
	for (size_t i = 0; i < GW_EV__COUNT; i++)
		event_type_names[i] = gw_event_type_name((enum gw_event_type)i);
	gw->svc.streams = gw_slots_new();
	gw->svc.quota = gw_quota_new();
	gw->svc.fleet = gw_fleet_new(gw->cfg->fleet_max_meetings);
	if (gw->svc.fleet != NULL && gw_fleet_sync(gw->svc.fleet, gw->cfg) != GW_OK)
		return GW_E_NOMEM;
	gw->svc.server_name = server_name;
	gw->svc.config_get = config_get;
	gw->svc.config_arg = gw;
	gw->svc.stats = stats;
	gw->svc.stats_arg = gw;
	if (gw->svc.metrics == NULL || gw->svc.ratelimit == NULL || gw->svc.probe_cache == NULL ||
	    gw->svc.bearer == NULL || gw->svc.hub == NULL || gw->svc.streams == NULL ||
	    gw->svc.quota == NULL || gw->svc.fleet == NULL)
		return GW_E_NOMEM;
	return GW_OK;
}

/* After the HTTP server stopped: a request's end may still touch the probe cache. */
static void services_free(struct gw_gateway *gw)
{
	gw_metrics_free(gw->svc.metrics);
	gw_ratelimit_free(gw->svc.ratelimit);
	gw_probe_cache_free(gw->svc.probe_cache);
	gw_bearer_free(gw->svc.bearer);
	gw_revoke_free(gw->svc.revoke);
	gw_hub_free(gw->svc.hub);
	gw_quota_free(gw->svc.quota);
	gw_fleet_free(gw->svc.fleet);
	gw_slots_free(gw->svc.streams);
}

struct gw_config *gw_gateway_config(struct gw_gateway *gw)
{
	struct gw_config *cfg;

	pthread_mutex_lock(&gw->lock);
	cfg = gw_config_ref(gw->cfg);
	pthread_mutex_unlock(&gw->lock);
	return cfg;
}

static unsigned cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 && n < 64 ? (unsigned)n : 2;
}

/* bbb.url may carry user-info for a proxy in front of BBB: the log shows it as "***". */
static void log_listening(const struct gw_http_opts *ho, const struct gw_gateway *gw,
			  const struct gw_config *cfg)
{
	char *bbb = gw_str_url_mask_userinfo(cfg->bbb_url, "***");

	gw_log_notice("listening on %s port %u, BBB at %s%s",
		      ho->address != NULL ? ho->address : "fd", gw_http_server_port(gw->http),
		      bbb != NULL ? bbb : "(out of memory)",
		      cfg->n_servers > 1 ? " and the fleet's other servers" : "");
	free(bbb);
	if (cfg->state_redis != NULL)
		gw_log_notice("state.redis: placements, reservations, live events, token "
			      "revocations and server states are shared through Redis");
}

enum gw_err gw_gateway_start(struct gw_config *cfg, int listen_fd, struct gw_gateway **out)
{
	struct gw_upstream_opts uo = {
		.connect_timeout_ms = cfg->bbb_connect_timeout_ms,
		.max_host_connections = cfg->bbb_max_connections,
		.maxage_conn_s = 60,
		.retry = cfg->bbb_retry,
		.breaker_failures = cfg->breaker_failures,
		.breaker_cooldown_ms = cfg->breaker_cooldown_ms,
		.breaker_max_cooldown_ms = cfg->breaker_max_cooldown_ms,
	};
	struct gw_http_opts ho = {
		.address = cfg->listen_address,
		.port = cfg->listen_port,
		.threads = cfg->threads > 0 ? cfg->threads : cpu_count(),
		.max_connections = cfg->max_connections,
		.per_ip_connections = cfg->per_ip_connections,
		.connection_reserve = cfg->connection_reserve,
		.idle_timeout_s = cfg->idle_timeout_s,
		.header_timeout_s = cfg->header_timeout_s,
		.max_header_bytes = cfg->max_header_bytes,
		.max_body_bytes = cfg->max_body_bytes,
		.max_upload_bytes = cfg->max_upload_bytes,
		.max_form_bytes = cfg->events_max_callback_bytes,
		.max_inflight = cfg->max_inflight,
		.listen_fd = listen_fd,
		.svc = NULL,
		.shared_pool = cfg->bbb_shared_pool,
	};
	struct gw_gateway *gw = calloc(1, sizeof(*gw));
	struct gw_http_server *http = NULL;
	struct gw_redis_addr ra = {0};
	struct gw_redis_opts ro = {0};
	enum gw_err err;

	if (gw == NULL)
		return GW_E_NOMEM;
	pthread_mutex_init(&gw->lock, NULL);
	gw->cfg = gw_config_ref(cfg);
	gw_log_setup(cfg->log_level, cfg->log_format);
	ho.svc = &gw->svc;
	err = services_new(gw);
	/* state.redis (checked at load): a client in each event loop */
	if (err == GW_OK && cfg->state_redis != NULL) {
		err = gw_config_redis_url(cfg->state_redis, &ra);
		ro = (struct gw_redis_opts){.host = ra.host,
					    .port = ra.port,
					    .unix_path = ra.unix_path,
					    .db = ra.db,
					    .password = ra.password};
		ho.redis = &ro;
	}
	if (err == GW_OK && cfg->state_redis != NULL) {
		struct gw_bus_deps bd = {.hub = gw->svc.hub,
					 .revoke = gw->svc.revoke,
					 .auth_epoch = &gw->svc.auth_epoch,
					 .fleet = gw->svc.fleet,
					 .replay = cfg->events_buffer};

		err = gw_bus_start(&ro, &bd, &gw->bus);
		/* serve with the shared revocations and recent events, unless Redis is away */
		if (err == GW_OK && !gw_bus_wait_ready(gw->bus, GW_BUS_START_WAIT_MS))
			gw_log_warn("state.redis: starting without the shared revocations, server "
				    "states and recent events; they follow once Redis answers");
	}
	if (err == GW_OK)
		err = gw_upstream_group_new(&uo, ho.threads, &gw->up);
	if (err == GW_OK)
		err = gw_http_server_start(&ho, gw->up, config_get, gw, &http);
	gw_config_redis_addr_deinit(&ra);
	if (err == GW_OK && gw_hook_keeper_start(gw->up, config_get, gw, &gw->keeper) != GW_OK) {
		gw_http_server_stop(http);
		err = GW_E_NOMEM;
	}
	if (err == GW_OK &&
	    gw_fleet_poller_start(gw->svc.fleet, gw->up, config_get, gw, &gw->poller) != GW_OK) {
		gw_hook_keeper_stop(gw->keeper);
		gw_http_server_stop(http);
		err = GW_E_NOMEM;
	}
	if (err != GW_OK) {
		gw_upstream_group_free(gw->up);
		gw_bus_stop(gw->bus);
		services_free(gw);
		gw_config_unref(gw->cfg);
		pthread_mutex_destroy(&gw->lock);
		free(gw);
		return err;
	}
	/* The event loops already serve requests: publish http under lock (see stats). */
	pthread_mutex_lock(&gw->lock);
	gw->http = http;
	pthread_mutex_unlock(&gw->lock);
	log_listening(&ho, gw, cfg);
	gw_notify_ready();
	gw_notify_status("listening on port %u", gw_http_server_port(gw->http));
	*out = gw;
	return GW_OK;
}

void gw_gateway_check_hooks(struct gw_gateway *gw)
{
	gw_hook_keeper_kick(gw->keeper);
}

unsigned gw_gateway_port(const struct gw_gateway *gw)
{
	return gw_http_server_port(gw->http);
}

void gw_gateway_loop_stats(struct gw_gateway *gw, struct gw_http_loop_stats *out, unsigned *n)
{
	gw_http_server_loop_stats(gw->http, out, n);
}

/* Settings that only take effect at start: a reload that changes one names it. */
static void warn_restart_only(const struct gw_config *a, const struct gw_config *b)
{
	const char *keys[GW_CONFIG_RESTART_KEYS_MAX];
	size_t n = gw_config_restart_changes(a, b, keys, GW_ARRAY_SIZE(keys));

	for (size_t i = 0; i < n && i < GW_ARRAY_SIZE(keys); i++)
		gw_log_warn("reload: %s changed; it takes effect only after a restart", keys[i]);
}

enum gw_err gw_gateway_reload(struct gw_gateway *gw)
{
	struct gw_config *old = gw_gateway_config(gw);
	struct gw_config *fresh = NULL;
	struct gw_buf msg;
	enum gw_err err;

	gw_notify_reloading();
	gw_buf_init(&msg, 64 * 1024);
	err = old->path != NULL ? gw_config_load(old->path, &fresh, &msg) : GW_E_CONFIG;
	if (err != GW_OK) {
		const char *line = gw_buf_str(&msg);

		gw_log_err("reload failed, keeping the running configuration");
		while (*line != '\0') {
			size_t n = strcspn(line, "\n");

			gw_log_err("%.*s", (int)n, line);
			line += n + (line[n] == '\n');
		}
		gw_buf_deinit(&msg);
		gw_config_unref(old);
		gw_metrics_reload(gw->svc.metrics, false);
		gw_notify_ready();
		return err;
	}
	gw_buf_deinit(&msg);
	warn_restart_only(old, fresh);
	pthread_mutex_lock(&gw->lock);
	gw->cfg = fresh; /* the reference from load moves here */
	pthread_mutex_unlock(&gw->lock);
	gw_config_unref(old); /* the gateway's old reference */
	gw_config_unref(old); /* ours from gw_gateway_config */
	gw_log_setup(fresh->log_level, fresh->log_format);
	gw_metrics_reload(gw->svc.metrics, true);
	/* open event streams check their tokens against the new configuration */
	atomic_fetch_add(&gw->svc.auth_epoch, 1);
	gw_hook_keeper_kick(gw->keeper); /* a new callback_url is registered at once */
	if (gw_fleet_sync(gw->svc.fleet, fresh) != GW_OK)
		gw_log_err("reload: the fleet keeps its servers (out of memory)");
	gw_fleet_poller_kick(gw->poller); /* new servers are polled at once */
	/* last: once this is logged, every part runs with the new configuration */
	gw_log_notice("configuration reloaded (%zu tokens)", fresh->n_tokens);
	gw_notify_ready();
	return GW_OK;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

void gw_gateway_stop(struct gw_gateway *gw)
{
	struct gw_config *cfg;
	struct gw_upstream_group *up;
	unsigned waited = 0;

	if (gw == NULL)
		return;
	cfg = gw_gateway_config(gw);
	gw_notify_stopping();
	gw_metrics_set_draining(gw->svc.metrics, true);
	atomic_store(&gw->svc.draining, true);
	gw_http_server_quiesce(gw->http);
	while (gw_http_server_active(gw->http) > 0 && waited < cfg->shutdown_timeout_ms) {
		sleep_ms(10);
		waited += 10;
	}
	if (gw_http_server_active(gw->http) > 0)
		gw_log_warn("shutdown deadline reached with %u requests in flight",
			    gw_http_server_active(gw->http));
	/* Every call left completes with 503, on its loop. */
	gw_http_server_cancel_calls(gw->http);
	/* Give resumed connections a moment to send their 503 before the daemons stop. */
	for (waited = 0; gw_http_server_active(gw->http) > 0 && waited < 500; waited += 10)
		sleep_ms(10);
	/* A scrape may still run on a kept-alive connection: unpublish first (see stats). */
	pthread_mutex_lock(&gw->lock);
	up = gw->up;
	gw->up = NULL;
	pthread_mutex_unlock(&gw->lock);
	gw_http_server_stop(gw->http);
	gw->http = NULL;
	gw_hook_keeper_stop(gw->keeper); /* its pool belongs to the group */
	gw->keeper = NULL;
	gw_fleet_poller_stop(gw->poller); /* so does the poller's */
	gw->poller = NULL;
	gw_upstream_group_free(up);
	gw_bus_stop(gw->bus); /* it publishes into the hub and the fleet */
	services_free(gw);
	gw_config_unref(cfg);
	gw_config_unref(gw->cfg);
	pthread_mutex_destroy(&gw->lock);
	free(gw);
}

static void signal_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
}

void gw_gateway_block_signals(void)
{
	sigset_t set;

	signal_set(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int gw_gateway_run(struct gw_gateway *gw)
{
	sigset_t set;
	int sig;

	signal_set(&set);
	for (;;) {
		sig = sigwaitinfo(&set, NULL);
		if (sig < 0) {
			if (errno == EINTR)
				continue;
			gw_log_err("sigwaitinfo failed");
			break;
		}
		if (sig == SIGHUP) {
			if (gw_gateway_reload(gw) != GW_OK)
				gw_log_warn("still running with the previous configuration");
			continue;
		}
		gw_log_notice("signal %d: draining and stopping", sig);
		break;
	}
	gw_gateway_stop(gw);
	gw_log_notice("stopped");
	return 0;
}
