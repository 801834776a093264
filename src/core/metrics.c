/*
 * metrics.c - counters, gauges and histograms as arrays of relaxed
 * atomics, sized once in gw_metrics_new from fixed label tables (routes,
 * methods, statuses, BBB calls, outcomes). An update finds its slot with a
 * few comparisons and does one or two atomic adds; nothing is allocated or
 * locked after start. Histograms keep one non-cumulative counter per
 * bucket (plus one above the last bound) and the sum in integer
 * nanoseconds, so updates never need a compare-and-swap loop on a double;
 * the render makes buckets cumulative and derives _count from them, so
 * +Inf always equals _count in one scrape even while other threads add.
 */
#include "metrics.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gw_version.h"
#include "server_state.h"

/* Bucket upper bounds in seconds, and the same bounds as label text. */
static const double bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
				0.25,  0.5,    1.0,   2.5,  5.0,   10.0};
static const char *const bound_labels[] = {"0.001", "0.0025", "0.005", "0.01", "0.025",
					   "0.05",  "0.1",    "0.25",  "0.5",  "1",
					   "2.5",   "5",      "10"};
#define N_BOUNDS GW_ARRAY_SIZE(bounds)

static const int statuses[] = {200, 201, 202, 204, 400, 401, 403, 404, 405, 406, 409,
			       413, 414, 415, 417, 429, 431, 500, 502, 503, 504};
#define N_STATUSES (GW_ARRAY_SIZE(statuses) + 1) /* + "other" */

static const char *const methods[] = {"GET",   "HEAD",   "POST",    "PUT",
				      "PATCH", "DELETE", "OPTIONS", "other"};
#define N_METHODS GW_ARRAY_SIZE(methods)

static const char *const outcomes[] = {"ok",        "timeout", "connect",     "bad_reply",
				       "too_large", "http",    "unavailable", "other"};
#define N_OUTCOMES GW_ARRAY_SIZE(outcomes)

struct hist {
	atomic_ullong bucket[N_BOUNDS + 1]; /* non-cumulative; the last is above 10 s */
	atomic_ullong sum_ns;
};

/*
 * The atomics live in calloc'd memory: zero bytes are a valid zero for
 * every lock-free atomic integer on the platforms we build for.
 */
struct gw_metrics {
	size_t n_routes;         /* as given to gw_metrics_new */
	size_t n_slots;          /* distinct templates + 1 (unmatched, the last) */
	size_t *slot_of;         /* [n_routes] route index -> slot */
	char **names;            /* [n_slots] owned copies */
	atomic_ullong *requests; /* [n_slots][N_METHODS][N_STATUSES] */
	struct hist *req_hist;   /* [n_slots] */
	size_t n_calls;          /* BBB call labels + 1 ("other", the last) */
	const char **calls;      /* [n_calls]; the strings are borrowed (static) */
	atomic_ullong *upstream; /* [n_calls][N_OUTCOMES] */
	struct hist *up_hist;    /* [n_calls] */
	atomic_llong inflight;
	atomic_ullong reloads_ok;
	atomic_ullong reloads_failed;
	atomic_int draining;
	struct timespec start;
};

static char *dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

/* The slot of name among names[0..n-1], or n. */
static size_t find_name(char *const *names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(names[i], name) == 0)
			break;
	}
	return i;
}

/* Fills slot_of and names (deduplicated, unmatched last); false on OOM. */
static bool build_slots(struct gw_metrics *m, const char *const *routes, size_t n_routes)
{
	size_t i;
	size_t n = 0;

	for (i = 0; i < n_routes; i++) {
		size_t s = find_name(m->names, n, routes[i]);

		if (s == n) {
			m->names[n] = dup_str(routes[i]);
			if (m->names[n] == NULL)
				return false;
			n++;
		}
		m->slot_of[i] = s;
	}
	m->names[n] = dup_str(GW_METRICS_UNMATCHED);
	if (m->names[n] == NULL)
		return false;
	m->n_slots = n + 1;
	return true;
}

/* The call labels, then "other"; false on OOM. */
static bool build_calls(struct gw_metrics *m, const char *const *calls, size_t n_calls)
{
	size_t i;

	m->n_calls = n_calls + 1;
	m->calls = calloc(m->n_calls, sizeof(*m->calls));
	m->upstream = calloc(m->n_calls * N_OUTCOMES, sizeof(*m->upstream));
	m->up_hist = calloc(m->n_calls, sizeof(*m->up_hist));
	if (m->calls == NULL || m->upstream == NULL || m->up_hist == NULL)
		return false;
	for (i = 0; i < n_calls; i++)
		m->calls[i] = calls[i];
	m->calls[n_calls] = "other";
	return true;
}

struct gw_metrics *gw_metrics_new(const char *const *routes, size_t n_routes,
				  const char *const *calls, size_t n_calls)
{
	struct gw_metrics *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	if (!build_calls(m, calls, n_calls))
		goto fail;
	m->n_routes = n_routes;
	m->slot_of = calloc(n_routes + 1, sizeof(*m->slot_of));
	m->names = calloc(n_routes + 1, sizeof(*m->names));
	if (m->slot_of == NULL || m->names == NULL || !build_slots(m, routes, n_routes))
		goto fail;
	m->requests = calloc(m->n_slots * N_METHODS * N_STATUSES, sizeof(*m->requests));
	m->req_hist = calloc(m->n_slots, sizeof(*m->req_hist));
	if (m->requests == NULL || m->req_hist == NULL)
		goto fail;
	clock_gettime(CLOCK_REALTIME, &m->start);
	return m;
fail:
	gw_metrics_free(m);
	return NULL;
}

void gw_metrics_free(struct gw_metrics *m)
{
	size_t i;

	if (m == NULL)
		return;
	if (m->names != NULL) {
		for (i = 0; i <= m->n_routes; i++)
			free(m->names[i]);
	}
	free(m->names);
	free(m->slot_of);
	free(m->requests);
	free(m->req_hist);
	free(m->calls);
	free(m->upstream);
	free(m->up_hist);
	free(m);
}

static void inc(atomic_ullong *c, unsigned long long v)
{
	atomic_fetch_add_explicit(c, v, memory_order_relaxed);
}

static unsigned long long get(const atomic_ullong *c)
{
	/* atomic_load takes a non-const pointer in C11; the object is not modified. */
	return atomic_load_explicit((atomic_ullong *)c, memory_order_relaxed);
}

static void observe(struct hist *h, double seconds)
{
	size_t b;
	unsigned long long ns;

	if (!(seconds >= 0.0)) /* negative or NaN */
		seconds = 0.0;
	if (seconds > 1e9) /* keeps the conversion below defined */
		seconds = 1e9;
	for (b = 0; b < N_BOUNDS && seconds > bounds[b]; b++)
		;
	ns = (unsigned long long)(seconds * 1e9 + 0.5);
	inc(&h->bucket[b], 1);
	inc(&h->sum_ns, ns);
}

static size_t method_index(const char *method)
{
	size_t i;

	if (method == NULL)
		return N_METHODS - 1;
	for (i = 0; i < N_METHODS - 1; i++) {
		if (strcmp(method, methods[i]) == 0)
			break;
	}
	return i;
}

static size_t status_index(int status)
{
	size_t i;

	for (i = 0; i < N_STATUSES - 1; i++) {
		if (statuses[i] == status)
			break;
	}
	return i;
}

/* Index of name in table[0..n-1], where table[n-1] is "other"; n-1 when absent. */
static size_t table_index(const char *const *table, size_t n, const char *name)
{
	size_t i;

	if (name == NULL)
		return n - 1;
	for (i = 0; i < n - 1; i++) {
		if (strcmp(name, table[i]) == 0)
			break;
	}
	return i;
}

void gw_metrics_request(struct gw_metrics *m, size_t route_index, const char *method, int status,
			double seconds)
{
	size_t slot;

	if (m == NULL)
		return;
	slot = route_index < m->n_routes ? m->slot_of[route_index] : m->n_slots - 1;
	inc(&m->requests[(slot * N_METHODS + method_index(method)) * N_STATUSES +
			 status_index(status)],
	    1);
	observe(&m->req_hist[slot], seconds);
}

void gw_metrics_upstream(struct gw_metrics *m, const char *call, const char *outcome,
			 double seconds)
{
	size_t c;

	if (m == NULL)
		return;
	c = table_index(m->calls, m->n_calls, call);
	inc(&m->upstream[c * N_OUTCOMES + table_index(outcomes, N_OUTCOMES, outcome)], 1);
	observe(&m->up_hist[c], seconds);
}

const char *gw_metrics_outcome(enum gw_err result, long http_status)
{
	switch (result) {
	case GW_OK:
		return http_status >= 200 && http_status <= 299 ? "ok" : "http";
	case GW_E_UPSTREAM_TIMEOUT:
		return "timeout";
	case GW_E_UPSTREAM_CONNECT:
		return "connect";
	case GW_E_UPSTREAM_BAD_REPLY:
		return "bad_reply";
	case GW_E_UPSTREAM_TOO_LARGE:
		return "too_large";
	case GW_E_UPSTREAM_HTTP:
		return "http";
	case GW_E_UNAVAILABLE:
		return "unavailable";
	default:
		return "other";
	}
}

void gw_metrics_inflight_add(struct gw_metrics *m, int delta)
{
	if (m != NULL)
		atomic_fetch_add_explicit(&m->inflight, delta, memory_order_relaxed);
}

void gw_metrics_reload(struct gw_metrics *m, bool ok)
{
	if (m != NULL)
		inc(ok ? &m->reloads_ok : &m->reloads_failed, 1);
}

void gw_metrics_set_draining(struct gw_metrics *m, bool draining)
{
	if (m != NULL)
		atomic_store_explicit(&m->draining, draining ? 1 : 0, memory_order_relaxed);
}

/* ---- rendering ---- */

/* An output with a sticky error: after the first failure every append is skipped. */
struct out {
	struct gw_buf *b;
	enum gw_err err;
};

static void put(struct out *o, const char *s)
{
	if (o->err == GW_OK)
		o->err = gw_buf_append_str(o->b, s);
}

GW_PRINTF(2, 3) static void putf(struct out *o, const char *fmt, ...)
{
	va_list ap;

	if (o->err != GW_OK)
		return;
	va_start(ap, fmt);
	o->err = gw_buf_vappendf(o->b, fmt, ap);
	va_end(ap);
}

/* A label value with \, " and newline escaped as the exposition format requires. */
static void put_label_value(struct out *o, const char *s)
{
	const char *run = s;

	for (; o->err == GW_OK && *s != '\0'; s++) {
		const char *esc = *s == '\\'   ? "\\\\"
				  : *s == '"'  ? "\\\""
				  : *s == '\n' ? "\\n"
					       : NULL;

		if (esc == NULL)
			continue;
		o->err = gw_buf_append(o->b, run, (size_t)(s - run));
		put(o, esc);
		run = s + 1;
	}
	if (o->err == GW_OK)
		o->err = gw_buf_append(o->b, run, (size_t)(s - run));
}

/* name+suffix{k1="v1",k2="v2"}: labels holds n_pairs key/value pairs; values are escaped. */
static void put_series(struct out *o, const char *name, const char *suffix,
		       const char *const *labels, size_t n_pairs)
{
	size_t i;

	put(o, name);
	put(o, suffix);
	if (n_pairs == 0)
		return;
	put(o, "{");
	for (i = 0; i < n_pairs; i++) {
		if (i > 0)
			put(o, ",");
		put(o, labels[2 * i]);
		put(o, "=\"");
		if (o->err == GW_OK)
			put_label_value(o, labels[2 * i + 1]);
		put(o, "\"");
	}
	put(o, "}");
}

static void sample_u(struct out *o, const char *name, const char *suffix, const char *const *labels,
		     size_t n_pairs, unsigned long long v)
{
	put_series(o, name, suffix, labels, n_pairs);
	putf(o, " %llu\n", v);
}

static void header(struct out *o, const char *name, const char *type, const char *help)
{
	putf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One histogram series set (buckets, _sum, _count) for key="value"; left out while empty. */
static void put_hist(struct out *o, const char *name, const char *key, const char *value,
		     const struct hist *h)
{
	unsigned long long counts[N_BOUNDS + 1];
	unsigned long long total = 0;
	unsigned long long ns = get(&h->sum_ns);
	const char *labels[4] = {key, value, "le", NULL};
	size_t b;

	for (b = 0; b <= N_BOUNDS; b++) {
		counts[b] = get(&h->bucket[b]);
		total += counts[b];
	}
	if (total == 0)
		return;
	total = 0;
	for (b = 0; b <= N_BOUNDS; b++) {
		total += counts[b];
		labels[3] = b < N_BOUNDS ? bound_labels[b] : "+Inf";
		sample_u(o, name, "_bucket", labels, 2, total);
	}
	put_series(o, name, "_sum", labels, 1);
	putf(o, " %llu.%09llu\n", ns / 1000000000ULL, ns % 1000000000ULL);
	sample_u(o, name, "_count", labels, 1, total);
}

static void render_process(struct out *o, const struct gw_metrics *m)
{
	const char *version[2] = {"version", GW_VERSION};

	header(o, "bbb_gateway_build_info", "gauge", "Build information; the value is always 1.");
	sample_u(o, "bbb_gateway_build_info", "", version, 1, 1);
	header(o, "process_start_time_seconds", "gauge",
	       "Start time of the process since the Unix epoch in seconds.");
	putf(o, "process_start_time_seconds %lld.%03ld\n", (long long)m->start.tv_sec,
	     m->start.tv_nsec / 1000000L);
	header(o, "bbb_gateway_draining", "gauge",
	       "1 while the gateway drains before stopping, else 0.");
	putf(o, "bbb_gateway_draining %d\n",
	     atomic_load_explicit((atomic_int *)&m->draining, memory_order_relaxed));
}

static const char *const stream_refused[] = {"max_streams", "per_token"};
static const char *const stream_closed[] = {"client", "overflow", "stalled", "revoked", "drain"};

/* The live events' series (see struct gw_metrics_extra). */
static void render_events(struct out *o, const struct gw_metrics_extra *extra)
{
	size_t i;
	size_t n = extra->n_event_types < GW_MAX_EVENT_TYPES ? extra->n_event_types
							     : GW_MAX_EVENT_TYPES;

	header(o, "bbb_gateway_events_received_total", "counter",
	       "BBB events taken from bbb-webhooks' callbacks and relayed to the streams, by "
	       "type.");
	for (i = 0; i < n; i++)
		putf(o, "bbb_gateway_events_received_total{type=\"%s\"} %lld\n",
		     extra->event_types[i], extra->events_in[i]);
	header(o, "bbb_gateway_events_sent_total", "counter",
	       "Events written to event streams (one per stream that got it), by type.");
	for (i = 0; i < n; i++)
		putf(o, "bbb_gateway_events_sent_total{type=\"%s\"} %lld\n", extra->event_types[i],
		     extra->events_out[i]);
	header(o, "bbb_gateway_events_dropped_total", "counter",
	       "BBB events in callbacks that were not relayed: a type the gateway does not "
	       "relay, or no usable meetingID or time.");
	putf(o, "bbb_gateway_events_dropped_total %lld\n", extra->events_dropped);
	header(o, "bbb_gateway_event_callbacks_refused_total", "counter",
	       "bbb-webhooks callbacks refused: not signed with this server's secret.");
	putf(o, "bbb_gateway_event_callbacks_refused_total %lld\n", extra->callbacks_refused);
	header(o, "bbb_gateway_event_streams", "gauge", "Event streams open now.");
	putf(o, "bbb_gateway_event_streams %lld\n", extra->streams_open);
	header(o, "bbb_gateway_event_streams_opened_total", "counter", "Event streams opened.");
	putf(o, "bbb_gateway_event_streams_opened_total %lld\n", extra->streams_opened);
	header(o, "bbb_gateway_event_streams_refused_total", "counter",
	       "Event streams refused with 429: events.max_streams or "
	       "events.max_streams_per_token reached.");
	for (i = 0; i < GW_ARRAY_SIZE(stream_refused); i++)
		putf(o, "bbb_gateway_event_streams_refused_total{reason=\"%s\"} %lld\n",
		     stream_refused[i], extra->streams_refused[i]);
	header(o, "bbb_gateway_event_streams_closed_total", "counter",
	       "Event streams ended: the client left, it fell events.queue behind (overflow), "
	       "took no bytes for three heartbeats (stalled), its token was revoked, or the "
	       "gateway stopped (drain).");
	for (i = 0; i < GW_ARRAY_SIZE(stream_closed); i++)
		putf(o, "bbb_gateway_event_streams_closed_total{reason=\"%s\"} %lld\n",
		     stream_closed[i], extra->streams_closed[i]);
}

static void render_http(struct out *o, const struct gw_metrics *m,
			const struct gw_metrics_extra *extra)
{
	static const char name[] = "bbb_gateway_http_requests_total";
	char status[16];
	const char *labels[6] = {"route", NULL, "method", NULL, "status", status};
	size_t r, k, s;

	if (extra != NULL && extra->http_active >= 0) {
		header(o, "bbb_gateway_http_requests_in_flight", "gauge",
		       "Client requests accepted and not yet completed.");
		putf(o, "bbb_gateway_http_requests_in_flight %lld\n", extra->http_active);
	}
	if (extra != NULL && extra->conn_open >= 0) {
		header(o, "bbb_gateway_http_connections_open", "gauge",
		       "Client connections open now.");
		putf(o, "bbb_gateway_http_connections_open %lld\n", extra->conn_open);
		header(o, "bbb_gateway_http_connections_ended_total", "counter",
		       "Client connections the gateway ended: header deadline passed "
		       "(header_timeout), made room for a new client (displaced), or over the "
		       "per-IP cap with nothing to displace (refused).");
		putf(o,
		     "bbb_gateway_http_connections_ended_total{reason=\"header_timeout\"} %lld\n",
		     extra->conn_header_timeout);
		putf(o, "bbb_gateway_http_connections_ended_total{reason=\"displaced\"} %lld\n",
		     extra->conn_displaced);
		putf(o, "bbb_gateway_http_connections_ended_total{reason=\"refused\"} %lld\n",
		     extra->conn_refused);
	}
	if (extra != NULL && extra->jwt_cache_hits >= 0) {
		header(o, "bbb_gateway_jwt_cache_lookups_total", "counter",
		       "Browser tokens (JWT) presented: found verified in the cache (hit) or "
		       "verified anew (miss).");
		putf(o, "bbb_gateway_jwt_cache_lookups_total{result=\"hit\"} %lld\n",
		     extra->jwt_cache_hits);
		putf(o, "bbb_gateway_jwt_cache_lookups_total{result=\"miss\"} %lld\n",
		     extra->jwt_cache_misses);
	}
	if (extra != NULL && extra->events_received >= 0)
		render_events(o, extra);
	header(o, name, "counter",
	       "Client requests completed, by route template, method and status.");
	for (r = 0; r < m->n_slots; r++) {
		labels[1] = m->names[r];
		for (k = 0; k < N_METHODS; k++) {
			labels[3] = methods[k];
			for (s = 0; s < N_STATUSES; s++) {
				unsigned long long v =
					get(&m->requests[(r * N_METHODS + k) * N_STATUSES + s]);

				if (v == 0)
					continue;
				if (s < N_STATUSES - 1)
					snprintf(status, sizeof(status), "%d", statuses[s]);
				else
					memcpy(status, "other", sizeof("other"));
				sample_u(o, name, "", labels, 3, v);
			}
		}
	}
	header(o, "bbb_gateway_http_request_duration_seconds", "histogram",
	       "Time from request start to completion, by route template.");
	for (r = 0; r < m->n_slots; r++)
		put_hist(o, "bbb_gateway_http_request_duration_seconds", "route", m->names[r],
			 &m->req_hist[r]);
}

static void render_upstream(struct out *o, const struct gw_metrics *m,
			    const struct gw_metrics_extra *extra)
{
	static const char name[] = "bbb_gateway_upstream_requests_total";
	const char *labels[4] = {"call", NULL, "outcome", NULL};
	size_t c, k;

	header(o, "bbb_gateway_upstream_inflight", "gauge",
	       "BBB calls submitted and not yet completed.");
	putf(o, "bbb_gateway_upstream_inflight %lld\n",
	     atomic_load_explicit((atomic_llong *)&m->inflight, memory_order_relaxed));
	if (extra != NULL && extra->upstream_open >= 0) {
		header(o, "bbb_gateway_upstream_connections_open", "gauge",
		       "TCP connections to BBB currently open.");
		putf(o, "bbb_gateway_upstream_connections_open %lld\n", extra->upstream_open);
	}
	if (extra != NULL && extra->upstream_connects >= 0) {
		header(o, "bbb_gateway_upstream_connections_opened_total", "counter",
		       "TCP connections to BBB opened since start.");
		putf(o, "bbb_gateway_upstream_connections_opened_total %lld\n",
		     extra->upstream_connects);
	}
	if (extra != NULL && extra->circuit_open >= 0) {
		header(o, "bbb_gateway_upstream_circuit_open", "gauge",
		       "1 while the circuit breaker in front of BBB is open (calls fail fast).");
		putf(o, "bbb_gateway_upstream_circuit_open %lld\n", extra->circuit_open);
	}
	header(o, name, "counter", "BBB calls completed, by call name and outcome.");
	for (c = 0; c < m->n_calls; c++) {
		labels[1] = m->calls[c];
		for (k = 0; k < N_OUTCOMES; k++) {
			unsigned long long v = get(&m->upstream[c * N_OUTCOMES + k]);

			if (v == 0)
				continue;
			labels[3] = outcomes[k];
			sample_u(o, name, "", labels, 2, v);
		}
	}
	header(o, "bbb_gateway_upstream_duration_seconds", "histogram",
	       "Time from submitting a BBB call to its completion, by call name.");
	for (c = 0; c < m->n_calls; c++)
		put_hist(o, "bbb_gateway_upstream_duration_seconds", "call", m->calls[c],
			 &m->up_hist[c]);
}

static void render_fleet(struct out *o, const struct gw_metrics_extra *extra)
{
#define STATE_NAME(suffix, name) name,
	static const char *const states[] = {GW_SERVER_STATE_LIST(STATE_NAME)};
#undef STATE_NAME
	size_t n = extra->n_servers < GW_MAX_SERVERS ? extra->n_servers : GW_MAX_SERVERS, i, k;

	if (n == 0)
		return;
	header(o, "bbb_gateway_server_state", "gauge",
	       "1 for the state each BBB server is in (enabled, cordoned, disabled).");
	for (i = 0; i < n; i++) {
		for (k = 0; k < GW_ARRAY_SIZE(states); k++)
			putf(o, "bbb_gateway_server_state{server=\"%s\",state=\"%s\"} %d\n",
			     extra->servers[i].name, states[k],
			     strcmp(extra->servers[i].state, states[k]) == 0);
	}
	header(o, "bbb_gateway_server_healthy", "gauge",
	       "1 while the BBB server's polls answer (two failed polls in a row make it 0).");
	for (i = 0; i < n; i++)
		putf(o, "bbb_gateway_server_healthy{server=\"%s\"} %d\n", extra->servers[i].name,
		     extra->servers[i].healthy);
	header(o, "bbb_gateway_server_meetings", "gauge", "Meetings in the server's last poll.");
	for (i = 0; i < n; i++)
		putf(o, "bbb_gateway_server_meetings{server=\"%s\"} %lld\n", extra->servers[i].name,
		     extra->servers[i].meetings);
	header(o, "bbb_gateway_server_users", "gauge", "Participants in the server's last poll.");
	for (i = 0; i < n; i++)
		putf(o, "bbb_gateway_server_users{server=\"%s\"} %lld\n", extra->servers[i].name,
		     extra->servers[i].users);
	header(o, "bbb_gateway_server_placed_meetings", "gauge",
	       "Meetings the gateway's map sends to the server.");
	for (i = 0; i < n; i++)
		putf(o, "bbb_gateway_server_placed_meetings{server=\"%s\"} %lld\n",
		     extra->servers[i].name, extra->servers[i].placed);
	header(o, "bbb_gateway_server_load", "gauge",
	       "The server's load as placement sees it: weight x (users + a weight per meeting + "
	       "seats reserved by recent creates).");
	for (i = 0; i < n; i++)
		putf(o, "bbb_gateway_server_load{server=\"%s\"} %.3f\n", extra->servers[i].name,
		     extra->servers[i].load);
	header(o, "bbb_gateway_server_failed_polls", "gauge",
	       "The server's polls in a row that did not answer.");
	for (i = 0; i < n; i++)
		putf(o, "bbb_gateway_server_failed_polls{server=\"%s\"} %lld\n",
		     extra->servers[i].name, extra->servers[i].failed_polls);
	header(o, "bbb_gateway_server_circuit_open", "gauge",
	       "1 while the server's own circuit breaker is open (its calls fail fast).");
	for (i = 0; i < n; i++)
		putf(o, "bbb_gateway_server_circuit_open{server=\"%s\"} %d\n",
		     extra->servers[i].name, extra->servers[i].circuit_open);
}

enum gw_err gw_metrics_render(const struct gw_metrics *m, const struct gw_metrics_extra *extra,
			      struct gw_buf *out)
{
	struct out o = {.b = out, .err = GW_OK};
	const char *ok[2] = {"result", "ok"};
	const char *failed[2] = {"result", "failed"};

	render_process(&o, m);
	render_http(&o, m, extra);
	render_upstream(&o, m, extra);
	if (extra != NULL)
		render_fleet(&o, extra);
	header(&o, "bbb_gateway_config_reloads_total", "counter",
	       "Configuration reloads (SIGHUP), by result.");
	sample_u(&o, "bbb_gateway_config_reloads_total", "", ok, 1, get(&m->reloads_ok));
	sample_u(&o, "bbb_gateway_config_reloads_total", "", failed, 1, get(&m->reloads_failed));
	return o.err;
}
