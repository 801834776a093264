/*
 * upstream.c - the call API and each call's transfer; the gateway's only
 * libcurl user together with upstream_pool.c (group and pool life, the
 * socket and timer plumbing, the threaded pool's thread) and
 * upstream_probe.c (the blocking health probe).
 *
 * A submitted call runs on one easy handle (struct xfer) added to its
 * pool's multi handle: options set once per handle and once per call, a
 * write callback that enforces the reply cap and feeds the streaming sink,
 * a deadline enforced alongside curl's, and one retry where it is safe.
 * Every attempt's outcome goes to the call's circuit breaker: its lane's
 * (one BBB server's) when it names one, else its group's.
 *
 * A finished call's result is written, its easy handle goes back to a free
 * list (connections stay in the multi's cache), and only then does done()
 * run; after done() the call belongs to the caller again. On free, every
 * queued or running call completes with GW_E_UNAVAILABLE, once.
 *
 * URLs are never logged: they carry the BBB checksum and passwords.
 */
#include "upstream_int.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "crypto.h"
#include "gw_limits.h"
#include "log.h"

#define MAXLIFETIME_CONN_S 300L
#define KEEPIDLE_S 30L
#define KEEPINTVL_S 10L
#define KEEPCNT 3

/* One easy handle and what a transfer on it needs. Pool thread only. */
struct xfer {
	CURL *easy;
	struct curl_slist *headers;    /* this call's own list, or NULL (the pool's GET list) */
	bool configured;               /* set_common ran on easy */
	struct gw_upstream_call *call; /* NULL while idle */
	enum gw_err write_err;         /* why on_write refused data */
	bool sink_failed;              /* ... because the sink refused it */
	bool begun;                    /* the attempt's first body byte was seen */
	size_t received;               /* body bytes of this attempt */
	double deadline;               /* monotonic ms */
	struct xfer *prev;             /* active list only */
	struct xfer *next;             /* active or idle list */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* What an attempt says about BBB's health (a FAILED reply is a healthy transport). */
static enum gw_breaker_outcome outcome_of(enum gw_err result, long status)
{
	switch (result) {
	case GW_OK:
		return status >= 500 ? GW_BREAKER_FAILURE : GW_BREAKER_SUCCESS;
	case GW_E_UPSTREAM_CONNECT:
	case GW_E_UPSTREAM_TIMEOUT:
	case GW_E_UPSTREAM_BAD_REPLY:
		return GW_BREAKER_FAILURE;
	default:
		return GW_BREAKER_NEUTRAL;
	}
}

/* The head is read: the sink may take the body from here on. */
static void begin_body(struct xfer *x)
{
	struct gw_upstream_call *call = x->call;
	const struct gw_upstream_sink *sink = call->sink;
	long status = 0;
	char *ctype = NULL;

	x->begun = true;
	if (sink == NULL || sink->begin == NULL || sink->data == NULL)
		return;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &ctype);
	call->sunk = sink->begin(sink->arg, status, ctype);
}

/*
 * The cap is enforced here because curl 7.88's MAXFILESIZE ignores chunked
 * replies; returning 0 makes curl fail with CURLE_WRITE_ERROR.
 */
static size_t on_write(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	struct gw_upstream_call *call = x->call;
	size_t len = size * n;
	enum gw_err err;

	if (!x->begun)
		begin_body(x);
	if (len > call->reply.max - x->received) {
		err = GW_E_TOO_LARGE;
	} else if (call->sunk) {
		err = call->sink->data(call->sink->arg, p, len);
		x->sink_failed = err != GW_OK;
	} else {
		err = gw_buf_append(&call->reply, p, len);
	}
	if (err != GW_OK) {
		x->write_err = err;
		return 0;
	}
	x->received += len;
	return len;
}

/* Counts connects, and adds what curl 7.88 cannot set: CLOEXEC, TCP_KEEPCNT. */
static curl_socket_t on_opensocket(void *arg, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct gw_upstream *up = arg;
	int cnt = KEEPCNT;
	int fd;

	if (purpose != CURLSOCKTYPE_IPCXN)
		return CURL_SOCKET_BAD;
	fd = socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
	if (fd < 0)
		return CURL_SOCKET_BAD;
	if (addr->socktype == SOCK_STREAM)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
	atomic_fetch_add(&up->group->connects, 1);
	return fd;
}

/* Builds the request headers; NULL on OOM. */
static struct curl_slist *make_headers(const struct gw_upstream_call *call)
{
	struct gw_buf b;
	struct curl_slist *list = NULL;
	struct curl_slist *t;

	gw_buf_init(&b, GW_MAX_URL_BYTES);
	if (gw_buf_appendf(&b, "Accept: %s", call->accept ? call->accept : "application/xml") !=
	    GW_OK)
		goto fail;
	t = curl_slist_append(list, gw_buf_str(&b));
	if (t == NULL)
		goto fail;
	list = t;
	if (call->post) {
		gw_buf_reset(&b);
		/* A bare "Content-Type:" removes curl's form-urlencoded default. */
		if (gw_buf_appendf(&b, "Content-Type:%s%s", call->content_type ? " " : "",
				   call->content_type ? call->content_type : "") != GW_OK)
			goto fail;
		t = curl_slist_append(list, gw_buf_str(&b));
		if (t == NULL)
			goto fail;
		list = t;
		/* curl 7.88 waits for a 100-continue above 1 MiB: a round trip for nothing. */
		t = curl_slist_append(list, "Expect:");
		if (t == NULL)
			goto fail;
		list = t;
	}
	gw_buf_deinit(&b);
	return list;
fail:
	gw_buf_deinit(&b);
	curl_slist_free_all(list);
	return NULL;
}

/* Options that do not depend on the call. */
static void set_common(struct gw_upstream *up, struct xfer *x)
{
	CURL *e = x->easy;

	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	/* The signed URL must reach BBB unchanged, dot segments included. */
	curl_easy_setopt(e, CURLOPT_PATH_AS_IS, 1L);
	/* A pool of HTTP/1.1 connections is predictable and easy to cap. */
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, up->connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPIDLE, KEEPIDLE_S);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPINTVL, KEEPINTVL_S);
	/* Below nginx's 75 s keepalive_timeout, so curl never reuses a dying connection. */
	curl_easy_setopt(e, CURLOPT_MAXAGE_CONN, up->maxage_conn_s);
	curl_easy_setopt(e, CURLOPT_MAXLIFETIME_CONN, MAXLIFETIME_CONN_S);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, on_opensocket);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, up);
	if (up->group->share != NULL)
		curl_easy_setopt(e, CURLOPT_SHARE, up->group->share);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
}

/* Options of this call; left_ms is what remains of its deadline. */
static enum gw_err set_call(struct gw_upstream *up, struct xfer *x, struct gw_upstream_call *call,
			    long left_ms)
{
	CURL *e = x->easy;

	struct curl_slist *headers = up->get_headers;

	/* Most calls are plain GETs: their header list is the pool's, made once. */
	if (call->post || call->accept != NULL || headers == NULL) {
		x->headers = make_headers(call);
		if (x->headers == NULL)
			return GW_E_NOMEM;
		headers = x->headers;
	}
	curl_easy_setopt(e, CURLOPT_URL, call->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, call);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, left_ms);
	/*
	 * No low-speed limit: curl's window also covers the wait for BBB's first
	 * byte, which would cut slow but healthy calls (a large getRecordings)
	 * short of their deadline. The deadline alone bounds every call.
	 */
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)call->reply.max);
	if (call->post) {
		curl_easy_setopt(e, CURLOPT_POST, 1L);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)call->body_len);
		/* Borrowed until done runs; "" because NULL would mean "no body given". */
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, call->body ? call->body : "");
	} else {
		/* The handle may have carried a POST before (see xfer_put). */
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	}
	return GW_OK;
}

/* Takes an idle easy handle (or a new one) and links it into the active list. */
static struct xfer *xfer_get(struct gw_upstream *up)
{
	struct xfer *x = up->idle;

	if (x != NULL) {
		up->idle = x->next;
		up->n_idle--;
	} else {
		x = calloc(1, sizeof(*x));
		if (x == NULL)
			return NULL;
		x->easy = curl_easy_init();
		if (x->easy == NULL) {
			free(x);
			return NULL;
		}
	}
	x->write_err = GW_OK;
	x->sink_failed = false;
	x->begun = false;
	x->received = 0;
	x->prev = NULL;
	x->next = up->active;
	if (up->active != NULL)
		up->active->prev = x;
	up->active = x;
	return x;
}

static void xfer_destroy(struct xfer *x)
{
	curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->headers);
	free(x);
}

void gw_upstream_drop_idle(struct gw_upstream *up)
{
	while (up->idle != NULL) {
		struct xfer *x = up->idle;

		up->idle = x->next;
		xfer_destroy(x);
	}
}

/*
 * Detaches x from its call and parks it. The connection stays in the multi's
 * cache. The options that do not depend on the call stay set (set_common
 * runs once per handle, a reset would cost more than the call's own
 * options); the ones that point into the call's memory are dropped here.
 */
static void xfer_put(struct gw_upstream *up, struct xfer *x, bool in_multi)
{
	if (in_multi)
		curl_multi_remove_handle(up->multi, x->easy);
	if (x->prev != NULL)
		x->prev->next = x->next;
	else
		up->active = x->next;
	if (x->next != NULL)
		x->next->prev = x->prev;
	x->call->priv_easy = NULL;
	x->call = NULL;
	curl_easy_setopt(x->easy, CURLOPT_PRIVATE, NULL);
	curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, NULL);
	curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)-1);
	curl_slist_free_all(x->headers);
	x->headers = NULL;
	if (up->n_idle >= up->max_idle) {
		xfer_destroy(x);
		return;
	}
	x->next = up->idle;
	up->idle = x;
	up->n_idle++;
}

/* The breaker call answers to: its lane's, else its group's. */
static struct gw_upstream_lane *lane_of(struct gw_upstream *up, const struct gw_upstream_call *call)
{
	return call->lane != NULL ? call->lane : &up->group->lane;
}

static void record(struct gw_upstream_lane *lane, enum gw_breaker_outcome outcome, bool probe)
{
	pthread_mutex_lock(&lane->record_lock);
	gw_breaker_record(&lane->breaker, outcome, probe, now_ns());
	pthread_mutex_unlock(&lane->record_lock);
}

/* The last touch of a call: after done() it belongs to the caller again. */
static void complete(struct gw_upstream *up, struct gw_upstream_call *call, enum gw_err result)
{
	/* a body the sink refused came over a healthy transport */
	if (!call->outside)
		record(lane_of(up, call),
		       outcome_of(call->sink_failed ? GW_OK : result, call->http_status),
		       call->priv_probe);
	call->priv_probe = false;
	call->result = result;
	if (result != GW_OK)
		gw_buf_deinit(&call->reply);
	call->total_ms = now_ms() - call->total_ms;
	call->done(call, call->arg);
}

/* Moves one submitted call into the multi handle, or completes it at once. */
void gw_upstream_start_call(struct gw_upstream *up, struct gw_upstream_call *call)
{
	unsigned timeout = call->timeout_ms ? call->timeout_ms : GW_DEFAULT_BBB_TIMEOUT_MS;
	double left = (double)timeout - (now_ms() - call->total_ms);
	struct xfer *x;
	enum gw_err err;

	if (left < 1.0) {
		gw_log_warn("upstream: call timed out in the queue");
		complete(up, call, GW_E_UPSTREAM_TIMEOUT);
		return;
	}
	x = xfer_get(up);
	if (x == NULL) {
		gw_log_err("upstream: out of memory starting a call");
		complete(up, call, GW_E_NOMEM);
		return;
	}
	x->call = call;
	x->deadline = call->total_ms + (double)timeout;
	if (x->deadline < up->next_deadline)
		up->next_deadline = x->deadline;
	call->priv_easy = x;
	if (!x->configured) {
		set_common(up, x);
		x->configured = true;
	}
	err = set_call(up, x, call, (long)left);
	if (err == GW_OK && curl_multi_add_handle(up->multi, x->easy) != CURLM_OK)
		err = GW_E_NOMEM;
	if (err != GW_OK) {
		gw_log_err("upstream: cannot start a call: %s", gw_err_str(err));
		xfer_put(up, x, false);
		complete(up, call, err);
	}
}

static enum gw_err map_error(CURLcode code, enum gw_err write_err, bool sink_failed)
{
	if (code == CURLE_WRITE_ERROR && sink_failed)
		return write_err;
	switch (code) {
	case CURLE_OK:
		return GW_OK;
	case CURLE_OPERATION_TIMEDOUT:
		return GW_E_UPSTREAM_TIMEOUT;
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return GW_E_UPSTREAM_CONNECT;
	case CURLE_FILESIZE_EXCEEDED:
		return GW_E_UPSTREAM_TOO_LARGE;
	case CURLE_WRITE_ERROR:
		return write_err == GW_E_TOO_LARGE ? GW_E_UPSTREAM_TOO_LARGE : GW_E_NOMEM;
	case CURLE_OUT_OF_MEMORY:
		return GW_E_NOMEM;
	default:
		return GW_E_UPSTREAM_BAD_REPLY;
	}
}

static double call_deadline(const struct gw_upstream_call *call)
{
	/* Until completion total_ms holds the submit time. */
	return call->total_ms +
	       (double)(call->timeout_ms ? call->timeout_ms : GW_DEFAULT_BBB_TIMEOUT_MS);
}

/*
 * Retries only where it is safe (engineering notes §3.6): any call whose
 * connection could not be made, and idempotent calls after a reset, an
 * unreadable reply or a 502/503/504. Once, after 50-200 ms, inside the
 * call's deadline, and only while the call's breaker is closed. True when the
 * call was queued for its retry.
 */
static bool retry_later(struct gw_upstream *up, struct gw_upstream_call *call, enum gw_err result)
{
	struct gw_upstream_lane *lane = lane_of(up, call);
	long st = call->http_status;
	bool safe =
		result == GW_E_UPSTREAM_CONNECT ||
		(call->idempotent && (result == GW_E_UPSTREAM_BAD_REPLY ||
				      (result == GW_OK && (st == 502 || st == 503 || st == 504))));
	double now = now_ms();
	unsigned char r = 0;
	double backoff;

	if (!up->retry || !safe || call->outside || call->retries > 0 || call->priv_probe ||
	    call->sink_failed || gw_breaker_state(&lane->breaker) != GW_BREAKER_CLOSED)
		return false;
	if (gw_crypto_random(&r, 1) != GW_OK)
		r = 128;
	backoff = 50.0 + 150.0 * (double)r / 255.0;
	if (now + backoff + 50.0 >= call_deadline(call))
		return false;
	/* The failed attempt still counts; if it opened the breaker, give up. */
	record(lane, outcome_of(result, st), false);
	if (gw_breaker_state(&lane->breaker) != GW_BREAKER_CLOSED)
		return false;
	call->retries++;
	call->http_status = 0;
	gw_buf_reset(&call->reply);
	if (call->sunk && call->sink->reset != NULL)
		call->sink->reset(call->sink->arg);
	call->sunk = false;
	free(call->reply_content_type);
	call->reply_content_type = NULL;
	call->priv_due = now + backoff;
	call->priv_next = up->delayed;
	up->delayed = call;
	return true;
}

/* Starts the retries whose backoff is over. */
void gw_upstream_start_due(struct gw_upstream *up)
{
	struct gw_upstream_call **pp = &up->delayed;
	double now = now_ms();

	while (*pp != NULL) {
		struct gw_upstream_call *call = *pp;

		if (call->priv_due <= now) {
			*pp = call->priv_next;
			call->priv_next = NULL;
			gw_upstream_start_call(up, call);
		} else {
			pp = &call->priv_next;
		}
	}
}

/* When the earliest delayed retry is due (monotonic ms), or -1 when none waits. */
double gw_upstream_next_due(const struct gw_upstream *up)
{
	const struct gw_upstream_call *call;
	double next = -1.0;

	for (call = up->delayed; call != NULL; call = call->priv_next)
		if (next < 0.0 || call->priv_due < next)
			next = call->priv_due;
	return next;
}

/* Writes the result of a finished transfer, recycles its handle, runs done. */
static void finish(struct gw_upstream *up, struct xfer *x, CURLcode code)
{
	struct gw_upstream_call *call = x->call;
	enum gw_err result = map_error(code, x->write_err, x->sink_failed);
	long status = 0;
	char *ctype = NULL;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	call->http_status = status;
	call->sink_failed = x->sink_failed;
	if (result == GW_OK) {
		curl_easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &ctype);
		free(call->reply_content_type);
		call->reply_content_type = NULL;
		/* curl's string dies with the handle reset below. */
		if (ctype != NULL) {
			call->reply_content_type = strdup(ctype);
			if (call->reply_content_type == NULL)
				result = GW_E_NOMEM;
		}
	} else {
		/* The error kind only: curl's error buffer could name the URL. */
		gw_log_warn("upstream: %s (curl: %s)", gw_err_str(result),
			    curl_easy_strerror(code));
	}
	xfer_put(up, x, true);
	if (retry_later(up, call, result))
		return;
	complete(up, call, result);
}

void gw_upstream_reap(struct gw_upstream *up)
{
	CURLMsg *msg;
	CURLcode code;
	char *priv;
	struct gw_upstream_call *call;
	int left;

	for (;;) {
		msg = curl_multi_info_read(up->multi, &left);
		if (msg == NULL)
			break;
		if (msg->msg != CURLMSG_DONE)
			continue;
		/* msg dies with curl_multi_remove_handle in finish: copy first. */
		code = msg->data.result;
		priv = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
		call = (struct gw_upstream_call *)(void *)priv;
		finish(up, call->priv_easy, code);
	}
}

/*
 * curl 7.88 checks the TIMEOUT_MS of a transfer waiting for a connection
 * (MAX_HOST_CONNECTIONS) only once a connection frees up, so the deadline is
 * enforced here too. Runs when the earliest deadline has passed.
 */
void gw_upstream_expire(struct gw_upstream *up)
{
	double now = now_ms();
	double next = now + 3600e3;
	struct xfer *x;
	struct xfer *nx;

	for (x = up->active; x != NULL; x = nx) {
		nx = x->next;
		if (x->deadline <= now)
			finish(up, x, CURLE_OPERATION_TIMEDOUT);
		else if (x->deadline < next)
			next = x->deadline;
	}
	/* finish may have started a call (a chained one) with an earlier deadline. */
	if (next < up->next_deadline || up->next_deadline <= now)
		up->next_deadline = next;
}

/* Stop: fails the calls never started, then every running transfer. */
void gw_upstream_cancel_all(struct gw_upstream *up, struct gw_upstream_call *queued)
{
	struct gw_upstream_call *call;
	unsigned n = 0;

	up->closing = true;
	while (queued != NULL) {
		call = queued;
		queued = call->priv_next;
		call->priv_next = NULL;
		complete(up, call, GW_E_UNAVAILABLE);
		n++;
	}
	while (up->active != NULL) {
		call = up->active->call;
		xfer_put(up, up->active, true);
		complete(up, call, GW_E_UNAVAILABLE);
		n++;
	}
	while (up->delayed != NULL) {
		call = up->delayed;
		up->delayed = call->priv_next;
		call->priv_next = NULL;
		complete(up, call, GW_E_UNAVAILABLE);
		n++;
	}
	if (n > 0)
		gw_log_notice("upstream: stopping, %u calls cancelled", n);
}

static bool header_value_ok(const char *s)
{
	return s == NULL || strpbrk(s, "\r\n") == NULL;
}

enum gw_err gw_upstream_submit(struct gw_upstream *up, struct gw_upstream_call *call)
{
	enum gw_breaker_verdict verdict;
	uint64_t retry_after_ms = 0;

	if (call->url == NULL || call->done == NULL || !header_value_ok(call->accept) ||
	    !header_value_ok(call->content_type))
		return GW_E_INTERNAL;
	if (!up->threaded && up->closing)
		return GW_E_UNAVAILABLE;
	call->reply.max = call->max_reply_bytes ? call->max_reply_bytes
						: GW_DEFAULT_BBB_MAX_REPLY_BYTES;
	gw_buf_reset(&call->reply);
	call->http_status = 0;
	call->sunk = false;
	call->sink_failed = false;
	call->priv_easy = NULL;
	call->priv_next = NULL;
	call->retries = 0;
	call->retry_after_s = 0;
	verdict = call->outside ? GW_BREAKER_ALLOW
				: gw_breaker_allow(&lane_of(up, call)->breaker, now_ns(),
						   &retry_after_ms);
	if (verdict == GW_BREAKER_REJECT) {
		call->retry_after_s = (unsigned)((retry_after_ms + 999) / 1000);
		return GW_E_CIRCUIT_OPEN;
	}
	call->priv_probe = verdict == GW_BREAKER_ALLOW_PROBE;
	/* Until completion total_ms holds the submit time. */
	call->total_ms = now_ms();
	call->started_ms = call->total_ms;
	if (!up->threaded) {
		/* On the pool's own thread: straight into the multi handle. */
		gw_upstream_start_call(up, call);
		return GW_OK;
	}
	if (!gw_upstream_enqueue(up, call)) {
		/* The probe never went out: let the next call be the probe. */
		if (call->priv_probe)
			record(lane_of(up, call), GW_BREAKER_NEUTRAL, true);
		call->priv_probe = false;
		return GW_E_UNAVAILABLE;
	}
	return GW_OK;
}

void gw_upstream_call_init(struct gw_upstream_call *call)
{
	call->result = GW_OK;
	call->http_status = 0;
	gw_buf_init(&call->reply, 0);
	call->sink = NULL;
	call->lane = NULL;
	call->sunk = false;
	call->sink_failed = false;
	call->reply_content_type = NULL;
	call->total_ms = 0.0;
	call->started_ms = 0.0;
	call->priv_easy = NULL;
	call->priv_next = NULL;
}

uint64_t gw_upstream_deadline_ms(const struct gw_upstream_call *call)
{
	unsigned timeout = call->timeout_ms ? call->timeout_ms : GW_DEFAULT_BBB_TIMEOUT_MS;

	if (call->started_ms <= 0.0)
		return 0;
	return (uint64_t)call->started_ms + timeout;
}

void gw_upstream_call_deinit(struct gw_upstream_call *call)
{
	gw_buf_deinit(&call->reply);
	free(call->reply_content_type);
	call->reply_content_type = NULL;
}
