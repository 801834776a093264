/*
 * handler_stream.c - GET /v1/events and GET /v1/meetings/{meetingID}/events:
 * the live events as Server-Sent Events (text/event-stream).
 *
 * A stream is a hub subscriber (events/hub.h) with the token's view: one
 * meeting, or every meeting the token may see; the passwords' variant of
 * an event only with meetings:passwords. It holds one slot of
 * events.max_streams and of events.max_streams_per_token (per static token
 * name, or per browser user iss:sub) until its connection closes. The
 * transport (request.h, struct gw_stream_ops) asks it for bytes: first a
 * `retry:` line, then the events as the hub frames them, `event: reset`
 * when the asked-for resume point is gone, and a heartbeat comment when
 * nothing else was sent for events.heartbeat_s. A stream that falls more
 * than events.queue events behind is ended (the client comes back with
 * Last-Event-ID). Whenever a reload or a revocation bumps the services'
 * auth epoch, the stream checks its credential again against the
 * configuration in force, as of the moment it opened (so a token that
 * merely expired since keeps its stream), and ends when the token, its
 * issuer or key, its events:read scope or its meeting is gone, or when
 * live events were turned off.
 */
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "bearer.h"
#include "config.h"
#include "event.h"
#include "handlers.h"
#include "hub.h"
#include "slots.h"
#include "str.h"
#include "tenant.h"

_Static_assert(GW_EV__COUNT <= GW_MAX_EVENT_TYPES, "GW_MAX_EVENT_TYPES is too small");

/* What a client waits before it reconnects after the stream ends (EventSource's retry). */
#define RETRY_LINE "retry: 3000\n\n"
#define HEARTBEAT ": heartbeat\n\n"
/* One fill stops adding events past this many bytes: the transport sends them first. */
#define FILL_BYTES (16u * 1024u)

struct sse {
	struct gw_exchange *x; /* the stream's exchange: its transport is told of new events */
	const struct gw_services *svc;
	struct gw_hub_sub *sub;
	const struct gw_token *token; /* one reference */
	char *authorization;          /* the credential as presented; wiped when freed */
	char *slot_key;               /* the per-token slot held */
	char *meeting_id;             /* the one meeting, or NULL = every meeting the token sees */
	char *prefix;                 /* the token's tenant's meeting prefix, or NULL */
	long long opened_at;          /* Unix seconds: the moment the credential is checked as of */
	unsigned epoch;               /* the services' auth epoch it was last checked at */
	uint64_t beat_ms;             /* heartbeat interval */
	uint64_t next_beat_ms;        /* 0 = not started: the retry line comes first */
	enum gw_stream_closed ended;  /* why fill ended it (overflow, revoked) */
};

static struct gw_stream_counters *counters(const struct gw_services *svc)
{
	/* The counters are atomics in the services the exchange borrows read-only. */
	return (struct gw_stream_counters *)&svc->stream_counts;
}

/* A meeting (its id on BBB) the stream's token sees: its tenant's, and one it is bound to. */
static bool sees_meeting(void *arg, const char *meeting_id)
{
	const struct sse *s = arg;

	if (s->prefix != NULL) {
		size_t n = strlen(s->prefix);

		if (strncmp(meeting_id, s->prefix, n) != 0)
			return false;
		meeting_id += n;
	}
	return gw_token_meeting_allowed(s->token, meeting_id);
}

/*
 * Takes the tenant's prefix off the meeting ids of the event text from
 * `from` on. The normaliser writes compact JSON, where a key in quotes
 * followed by ':' cannot occur inside a string value (its quotes would be
 * escaped).
 */
static void strip_prefix(struct gw_buf *out, size_t from, const char *prefix)
{
	static const char *const keys[] = {"\"meetingID\":\"", "\"parentMeetingID\":\""};
	size_t n = strlen(prefix);

	for (size_t k = 0; k < 2; k++) {
		size_t kl = strlen(keys[k]);
		char *p = out->data + from;

		while ((p = strstr(p, keys[k])) != NULL) {
			p += kl;
			if (strncmp(p, prefix, n) != 0)
				continue;
			memmove(p, p + n, (size_t)(out->data + out->len - (p + n)) + 1);
			out->len -= n;
		}
	}
}

/* The hub's wake: tell the transport (any thread, never waits). */
static void sse_wake(void *arg)
{
	struct sse *s = arg;

	gw_exchange_stream_ready(s->x);
}

/* The stream was opened for tenant t's view (no tenant: every meeting). */
static bool same_tenant(const struct sse *s, const struct gw_tenant *t)
{
	if (t == NULL || s->prefix == NULL)
		return t == NULL && s->prefix == NULL;
	return strcmp(t->prefix, s->prefix) == 0;
}

/* The credential still opens this stream under the configuration in force now. */
static bool still_allowed(struct sse *s)
{
	const struct gw_services *svc = s->svc;
	struct gw_config *cfg = svc->config_get != NULL ? svc->config_get(svc->config_arg) : NULL;
	const struct gw_token *t = NULL;
	const char *why = NULL;
	enum gw_bearer_status st;
	bool ok;

	if (cfg == NULL)
		return true;
	st = gw_bearer_authenticate(svc->bearer, cfg, s->authorization, s->opened_at, &t, &why);
	/* Out of memory says nothing about the token: look again at the next epoch. */
	ok = st == GW_BEARER_NOMEM ||
	     (st == GW_BEARER_OK && gw_auth_has_scope(t, GW_SCOPE_EVENTS_READ) &&
	      (s->meeting_id == NULL || gw_token_meeting_allowed(t, s->meeting_id)) &&
	      same_tenant(s, gw_config_token_tenant(cfg, t)));
	/* a reload that turned live events off ends the streams too */
	ok = ok && cfg->events_callback_url != NULL;
	gw_token_unref(t);
	gw_config_unref(cfg);
	return ok;
}

/* Once per move of the auth epoch: true (and the reason kept) when the credential is gone. */
static bool revoked(struct sse *s)
{
	unsigned epoch = atomic_load(&((struct gw_services *)s->svc)->auth_epoch);

	if (epoch == s->epoch)
		return false;
	s->epoch = epoch;
	if (still_allowed(s))
		return false;
	s->ended = GW_STREAM_CLOSED_REVOKED;
	return true;
}

static enum gw_stream_step sse_fill(void *state, struct gw_buf *out, uint64_t now_ms)
{
	struct sse *s = state;
	struct gw_stream_counters *cnt = counters(s->svc);
	enum gw_event_type type = GW_EV_MEETING_CREATED;
	bool any = false;

	if (s->next_beat_ms == 0) {
		if (gw_buf_append(out, RETRY_LINE, sizeof(RETRY_LINE) - 1) != GW_OK)
			return GW_STREAM_END;
		any = true;
	}
	if (revoked(s))
		return GW_STREAM_END;
	while (out->len < FILL_BYTES) {
		size_t from = out->len;
		enum gw_hub_read r = gw_hub_next_typed(s->svc->hub, s->sub, out, &type);

		if (r == GW_HUB_EVENT && s->prefix != NULL)
			strip_prefix(out, from, s->prefix);
		if (r == GW_HUB_EVENT) {
			atomic_fetch_add_explicit(&cnt->sent[type], 1, memory_order_relaxed);
			any = true;
		} else if (r == GW_HUB_RESET) {
			any = true;
		} else if (r == GW_HUB_OVERFLOW) {
			s->ended = GW_STREAM_CLOSED_OVERFLOW;
			return GW_STREAM_END;
		} else if (r == GW_HUB_FULL && out->len == 0) {
			/* An event larger than the stream's buffer: it can never be sent. */
			s->ended = GW_STREAM_CLOSED_OVERFLOW;
			return GW_STREAM_END;
		} else {
			break; /* NONE, or FULL: send what out holds first */
		}
	}
	if (!any && now_ms >= s->next_beat_ms) {
		if (gw_buf_append(out, HEARTBEAT, sizeof(HEARTBEAT) - 1) != GW_OK)
			return GW_STREAM_END;
		any = true;
	}
	if (!any)
		return GW_STREAM_WAIT;
	s->next_beat_ms = now_ms + s->beat_ms;
	return GW_STREAM_MORE;
}

static bool sse_due(void *state, uint64_t now_ms)
{
	struct sse *s = state;

	return now_ms >= s->next_beat_ms ||
	       atomic_load(&((struct gw_services *)s->svc)->auth_epoch) != s->epoch;
}

static bool sse_doomed(void *state, uint64_t now_ms)
{
	struct sse *s = state;

	(void)now_ms;
	if (gw_hub_overflowed(s->svc->hub, s->sub)) {
		s->ended = GW_STREAM_CLOSED_OVERFLOW;
		return true;
	}
	return revoked(s);
}

static void sse_free(struct sse *s)
{
	if (s->authorization != NULL) {
		explicit_bzero(s->authorization, strlen(s->authorization));
		free(s->authorization);
	}
	gw_token_unref(s->token);
	free(s->slot_key);
	free(s->meeting_id);
	free(s->prefix);
	free(s);
}

static void sse_close(void *state, enum gw_stream_end why)
{
	struct sse *s = state;
	enum gw_stream_closed reason = GW_STREAM_CLOSED_CLIENT;

	gw_hub_unsubscribe(s->svc->hub, s->sub);
	gw_slots_give(s->svc->streams, s->slot_key);
	if (why == GW_STREAM_END_SELF)
		reason = s->ended;
	else if (why == GW_STREAM_END_STALLED)
		reason = GW_STREAM_CLOSED_STALLED;
	else if (why == GW_STREAM_END_DRAIN)
		reason = GW_STREAM_CLOSED_DRAIN;
	atomic_fetch_add_explicit(&counters(s->svc)->closed[reason], 1, memory_order_relaxed);
	sse_free(s);
}

static const struct gw_stream_ops sse_ops = {sse_fill, sse_due, sse_doomed, sse_close};

/*
 * The resume point of a Last-Event-ID: 0 (from now) when absent; an id
 * that is not one of ours (not a decimal number) cannot be resumed from,
 * so it is sent as an id above any the hub has, which it answers with a
 * reset.
 */
static uint64_t resume_point(const char *last_event_id)
{
	uint64_t v = 0;

	if (last_event_id == NULL || last_event_id[0] == '\0')
		return 0;
	if (gw_str_parse_u64(last_event_id, &v) != GW_OK)
		return UINT64_MAX;
	return v;
}

/* 429 for a stream over a cap (the per-token slot is a token's name: a browser user's iss:sub). */
static void refuse_busy(struct gw_exchange *x, enum gw_slots_result r)
{
	struct gw_stream_counters *cnt = counters(x->req.svc);

	if (r == GW_SLOTS_NOMEM) {
		gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
		return;
	}
	atomic_fetch_add_explicit(&cnt->refused[r == GW_SLOTS_FULL ? GW_STREAM_REFUSED_MAX
								   : GW_STREAM_REFUSED_PER_TOKEN],
				  1, memory_order_relaxed);
	gw_response_retry(x, GW_E_TOO_MANY_STREAMS, 5,
			  r == GW_SLOTS_FULL ? "The gateway holds events.max_streams streams"
					     : "The token holds events.max_streams_per_token "
					       "streams");
}

static void open_stream(struct gw_exchange *x, const char *meeting_id)
{
	const struct gw_config *cfg = x->req.cfg;
	const struct gw_services *svc = x->req.svc;
	const struct gw_token *t = x->req.token;
	struct gw_hub_filter filter;
	enum gw_slots_result r;
	const char *bbb_id = NULL;
	struct sse *s;

	if (cfg->events_callback_url == NULL || svc == NULL || svc->hub == NULL ||
	    svc->streams == NULL) {
		gw_response_problem(x, GW_E_NOT_FOUND, "Live events are off (events.callback_url)",
				    NULL);
		return;
	}
	if (atomic_load(&((struct gw_services *)svc)->draining)) {
		gw_response_retry(x, GW_E_UNAVAILABLE, 1, "The gateway is stopping");
		return;
	}
	/* events.max_streams = 0 allows none; to the slots a cap of 0 is no cap */
	r = cfg->events_max_streams == 0
		    ? GW_SLOTS_FULL
		    : gw_slots_take(svc->streams, t->name, cfg->events_max_streams,
				    cfg->events_max_streams_per_token);
	if (r != GW_SLOTS_OK) {
		refuse_busy(x, r);
		return;
	}
	/*
	 * HEAD: the stream's status and headers without a stream. A streamed
	 * (chunked) answer would not do: libmicrohttpd 0.9.75 sends its last
	 * chunk even after a HEAD's head, where the client expects the next
	 * response.
	 */
	if (x->req.method == GW_METHOD_HEAD) {
		gw_slots_give(svc->streams, t->name);
		x->resp.status = 200;
		x->resp.content_type = "text/event-stream";
		gw_response_header(&x->resp, "X-Accel-Buffering", "no");
		return;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL || (s->slot_key = strdup(t->name)) == NULL ||
	    (s->authorization = strdup(x->req.authorization)) == NULL ||
	    (meeting_id != NULL && (s->meeting_id = strdup(meeting_id)) == NULL) ||
	    (x->req.tenant != NULL && (s->prefix = strdup(x->req.tenant->prefix)) == NULL) ||
	    (meeting_id != NULL && (bbb_id = gw_tenant_bbb_id(x, meeting_id)) == NULL)) {
		gw_slots_give(svc->streams, t->name);
		if (s != NULL)
			sse_free(s);
		gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
		return;
	}
	s->x = x;
	s->svc = svc;
	s->token = gw_token_ref(t);
	s->opened_at = (long long)time(NULL);
	s->epoch = atomic_load(&((struct gw_services *)svc)->auth_epoch);
	s->beat_ms = (uint64_t)cfg->events_heartbeat_s * 1000u;
	memset(&filter, 0, sizeof(filter));
	filter.meeting_id = bbb_id;
	if (meeting_id == NULL && (gw_token_meeting_bound(t) || s->prefix != NULL)) {
		filter.allowed = sees_meeting;
		filter.allowed_arg = s;
	}
	filter.passwords = gw_auth_has_scope(t, GW_SCOPE_MEETINGS_PASSWORDS);
	s->sub = gw_hub_subscribe(svc->hub, &filter, resume_point(x->req.last_event_id),
				  cfg->events_queue, sse_wake, s);
	if (s->sub == NULL) {
		gw_slots_give(svc->streams, s->slot_key);
		sse_free(s);
		gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
		return;
	}
	atomic_fetch_add_explicit(&counters(svc)->opened, 1, memory_order_relaxed);
	x->resp.status = 200;
	x->resp.content_type = "text/event-stream";
	/* nginx and others buffer responses unless told not to */
	gw_response_header(&x->resp, "X-Accel-Buffering", "no");
	gw_exchange_stream(x, &sse_ops, s, 3u * cfg->events_heartbeat_s * 1000u);
}

void gw_handle_events(struct gw_exchange *x)
{
	open_stream(x, NULL);
}

void gw_handle_meeting_events(struct gw_exchange *x)
{
	open_stream(x, x->req.params[0]);
}
