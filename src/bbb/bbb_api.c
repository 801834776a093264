/*
 * bbb_api.c - the generic path from an exchange to a signed call and from
 * BBB's reply back to a response (BBB's refusals as problems are in
 * bbb_fail.c, the create and join parameter tables in bbb_params.c).
 *
 * The life of a BBB call is here: gw_bbb_request leaves the exchange
 * pending (gw_exchange_defer); the transport then runs `run_calls`, which
 * submits the call on the exchange's upstream pool (its loop's: the call
 * completes on the thread that accepted the request); on completion the
 * reply is converted, a finish function may ask for a follow-up call,
 * which goes out the same way, and when no call is left the exchange is
 * done (gw_exchange_done).
 */
#include "bbb_api.h"
#include "bbb_api_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bbb_route.h"
#include "bbb_sign.h"
#include "config.h"
#include "fleet.h"
#include "log.h"
#include "report.h"
#include "route.h"
#include "str.h"
#include "xml2json.h"

bool gw_bbb_wants_xml(const struct gw_request *req)
{
	const char *p = req->accept;

	/* The first media range that names XML or JSON (or a wildcard) decides. */
	while (p != NULL && *p != '\0') {
		size_t n = strcspn(p, ",");
		char range[64];
		size_t k = 0;

		while (n > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		while (k < n && k + 1 < sizeof(range) && p[k] != ';' && p[k] != ' ') {
			range[k] = p[k];
			k++;
		}
		range[k] = '\0';
		if (gw_str_media_type_is(range, "application/xml") ||
		    gw_str_media_type_is(range, "text/xml"))
			return true;
		if (gw_str_media_type_is(range, "application/json") ||
		    gw_str_media_type_is(range, "application/problem+json") ||
		    gw_str_media_type_is(range, "application/*") ||
		    gw_str_media_type_is(range, "*/*"))
			return false;
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

/* The call's URL: signed as its table entry says, or plain (root, form-signed). */
enum gw_err gw_bbb_call_url(const struct gw_config *cfg, const struct gw_bbb_target *t,
			    const struct gw_bbb_call_def *c, const char *query, struct gw_buf *url)
{
	switch (c->signing) {
	case GW_BBB_SIGN_NONE:
		return gw_buf_append_str(url, t->url);
	case GW_BBB_SIGN_FORM:
		return gw_buf_appendf(url, "%s/%s", t->url, c->name);
	case GW_BBB_SIGN_HOOKS:
		return gw_bbb_signed_url(url, t->url, c->name, query, cfg->hooks_checksum,
					 t->secret);
	case GW_BBB_SIGN_CHECKSUM:
		break;
	}
	return gw_bbb_signed_url(url, t->url, c->name, query, t->checksum, t->secret);
}

/*
 * setConfigXML's form body: the query (its parameters sorted by name, as
 * BBB's documentation asks) and the checksum over exactly that text.
 */
static enum gw_err form_body(const struct gw_bbb_target *t, const struct gw_bbb_call_def *c,
			     const char *query, char **body, size_t *len)
{
	char hex[GW_DIGEST_MAX_HEX];
	struct gw_buf b;
	enum gw_err err = gw_bbb_checksum(t->checksum, c->name, query, t->secret, hex);

	if (err != GW_OK)
		return GW_E_INTERNAL;
	gw_buf_init(&b, GW_MAX_QUERY_BYTES);
	err = gw_buf_append_str(&b, query);
	if (err == GW_OK)
		err = gw_buf_appendf(&b, "%schecksum=%s", *query != '\0' ? "&" : "", hex);
	if (err == GW_OK) {
		*body = gw_buf_take(&b, len);
		if (*body == NULL)
			err = GW_E_NOMEM;
	}
	gw_buf_deinit(&b);
	return err;
}

static void run_calls(struct gw_exchange *x);

void gw_bbb_adopt_state(struct gw_exchange *x, void *state, void (*state_free)(void *state))
{
	if (state == NULL || state == x->bbb.state)
		return;
	if (x->bbb.state_free != NULL)
		x->bbb.state_free(x->bbb.state);
	x->bbb.state = state;
	x->bbb.state_free = state_free;
}

/* Adopts r's state: the exchange owns it from here, whatever happens to the call. */
static void take_state(struct gw_exchange *x, const struct gw_bbb_req *r)
{
	gw_bbb_adopt_state(x, r->state, r->state_free);
}

/* The URL and the body of r's call into x->bbb; writes the problem when one cannot be built. */
static bool build(struct gw_exchange *x, const struct gw_bbb_call_def *c, const char *query,
		  char **body, size_t *len)
{
	const struct gw_config *cfg = x->req.cfg;
	struct gw_bbb_target t;
	struct gw_buf url;
	enum gw_err err;

	if (!gw_bbb_target_of(x, &t)) {
		gw_response_retry(x, GW_E_UNAVAILABLE, 1,
				  "The meeting's BBB server left the configuration");
		return false;
	}
	if ((c->method == GW_BBB_GET && *body != NULL) ||
	    (c->method == GW_BBB_POST && *body == NULL && c->signing != GW_BBB_SIGN_FORM)) {
		gw_log_err("BBB call %s: asked for with%s a body", c->name,
			   *body != NULL ? "" : "out");
		gw_response_problem(x, GW_E_INTERNAL, NULL, NULL);
		return false;
	}
	gw_buf_init(&url, GW_MAX_URL_BYTES);
	err = gw_bbb_call_url(cfg, &t, c, query, &url);
	if (err == GW_OK && c->signing == GW_BBB_SIGN_FORM) {
		free(*body);
		err = form_body(&t, c, query, body, len);
	}
	if (err == GW_OK) {
		/* A chained call's URL replaces the previous one; both die with the exchange. */
		char *u = gw_arena_memdup(&x->arena, gw_buf_str(&url), url.len + 1);

		x->up.url = u;
		err = u != NULL ? GW_OK : gw_arena_error(&x->arena);
	}
	gw_buf_deinit(&url);
	if (err != GW_OK) {
		gw_response_problem(
			x, err == GW_E_TOO_LARGE ? GW_E_BODY_TOO_LARGE : err,
			err == GW_E_TOO_LARGE ? "The request is too large for BBB" : NULL, NULL);
		return false;
	}
	return true;
}

/* Meeting passwords are only for tokens with meetings:passwords (no token: a probe or a test). */
bool gw_bbb_sees_passwords(const struct gw_exchange *x)
{
	return x->req.token == NULL || (x->req.token->scopes & GW_SCOPE_MEETINGS_PASSWORDS) != 0;
}

/*
 * BBB's XML is passed on unfiltered: it would show the passwords, so the
 * escape hatch needs meetings:passwords too; and a meeting-bound token
 * gets it only on a route that names one of its meetings (a list or a
 * recording would show other meetings).
 */
static bool xml_refused(struct gw_exchange *x, const struct gw_bbb_call_def *c)
{
	json_t *extra;

	if (x->bbb.facade || x->resp.bbb_xml || c->probe || c->reply == GW_BBB_REPLY_RAW ||
	    !gw_bbb_wants_xml(&x->req))
		return false;
	if (gw_token_meeting_bound(x->req.token) &&
	    (x->req.route == NULL || !x->req.route->meeting_param)) {
		gw_response_problem(x, GW_E_MEETING_NOT_ALLOWED,
				    "A meeting-bound token gets BBB's XML (Accept: "
				    "application/xml) "
				    "only on a route that names its meeting",
				    NULL);
		return true;
	}
	if (gw_bbb_sees_passwords(x))
		return false;
	extra = json_pack("{s:s}", "scope", "meetings:passwords");
	gw_response_problem_extra(x, GW_E_FORBIDDEN,
				  "BBB's XML reply (Accept: application/xml) needs the scope "
				  "'meetings:passwords'",
				  NULL, extra);
	json_decref(extra);
	return true;
}

/* Builds the call's URL and body (taken) into x; false with the problem written. */
static bool prepare(struct gw_exchange *x, const struct gw_bbb_call_def *c, const char *query,
		    char *body, size_t len)
{
	if (!build(x, c, query, &body, &len)) {
		free(body);
		return false;
	}
	free(x->bbb.body);
	x->bbb.body = body;
	x->up.idempotent = c->idempotent;
	x->up.body = body;
	x->up.body_len = body != NULL ? len : 0;
	x->up.post = body != NULL;
	x->up.content_type = body != NULL ? x->bbb.content_type_buf : NULL;
	x->up.accept = NULL;
	return true;
}

void gw_bbb_request(struct gw_exchange *x, const struct gw_bbb_req *r)
{
	const struct gw_bbb_call_def *c = r->call;
	const char *query = r->query != NULL ? r->query : "";
	enum gw_bbb_routed routed;

	take_state(x, r);
	x->bbb.facade = r->facade;
	x->bbb.fan = false;
	if (xml_refused(x, c) || (routed = gw_bbb_route(x, c, query)) == GW_BBB_ROUTE_REFUSED) {
		free(r->body);
		return;
	}
	if (r->body != NULL || c->signing == GW_BBB_SIGN_FORM)
		gw_str_copy(x->bbb.content_type_buf, sizeof(x->bbb.content_type_buf),
			    c->signing == GW_BBB_SIGN_FORM ? "application/x-www-form-urlencoded"
							   : r->content_type);
	if (routed == GW_BBB_ROUTE_FIND || routed == GW_BBB_ROUTE_FAN) {
		/* built once the meeting's server is known (found) */
		x->bbb.find_query = gw_arena_strdup(&x->arena, query);
		free(x->bbb.body);
		x->bbb.body = r->body;
		x->bbb.find_len = r->body_len;
		if (x->bbb.find_query == NULL) {
			gw_response_problem(x, gw_arena_error(&x->arena), NULL, NULL);
			return;
		}
		x->bbb.fan = routed == GW_BBB_ROUTE_FAN;
	} else if (!prepare(x, c, query, r->body, r->body_len)) {
		return;
	}
	x->bbb.def = c;
	x->bbb.name = c->label;
	x->bbb.finish = r->finish;
	x->bbb.on_failed = r->on_failed;
	x->bbb.completed = r->completed;
	x->bbb.pending = true;
	gw_exchange_defer(x, run_calls);
	/* the BBB-compatible API's own look-ups are converted whatever the client accepts */
	x->bbb.raw_reply =
		!r->facade && !x->resp.bbb_xml &&
		(c->reply == GW_BBB_REPLY_RAW || (!c->probe && gw_bbb_wants_xml(&x->req)));
	/*
	 * A tenant's caller gets BBB's XML as the BBB-compatible API gives it:
	 * rewritten for the tenant (other tenants' list items out, the prefix
	 * off), never as BBB sent it.
	 */
	if (x->bbb.raw_reply && x->req.tenant != NULL) {
		x->bbb.raw_reply = false;
		x->bbb.facade = true;
		x->bbb.finish = NULL;
	}
}

void *gw_bbb_state(const struct gw_exchange *x)
{
	return x->bbb.state;
}

enum gw_err gw_bbb_join_url(const struct gw_exchange *x, const char *query, struct gw_buf *out)
{
	struct gw_bbb_target t;

	if (!gw_bbb_target_of(x, &t))
		return GW_E_UNAVAILABLE;
	return gw_bbb_signed_url(out, t.public_url, GW_BBB_CALL(join)->name, query, t.checksum,
				 t.secret);
}

static void transport_problem(struct gw_exchange *x)
{
	const struct gw_upstream_call *up = &x->up;
	char detail[160];
	char retry[16];

	switch (up->result) {
	case GW_E_UPSTREAM_TIMEOUT:
		snprintf(detail, sizeof(detail), "BBB did not answer within %u ms", up->timeout_ms);
		break;
	case GW_E_UPSTREAM_CONNECT:
		snprintf(detail, sizeof(detail), "Could not connect to the BBB server");
		break;
	case GW_E_UPSTREAM_TOO_LARGE:
		snprintf(detail, sizeof(detail), "BBB's reply is larger than %zu bytes",
			 up->max_reply_bytes);
		break;
	case GW_E_UNAVAILABLE:
		snprintf(detail, sizeof(detail), "The gateway is shutting down");
		gw_response_header(&x->resp, "Retry-After", "1");
		break;
	case GW_E_CIRCUIT_OPEN:
		snprintf(detail, sizeof(detail),
			 "BBB failed repeatedly; the gateway pauses calls to it for %u s",
			 up->retry_after_s > 0 ? up->retry_after_s : 1);
		snprintf(retry, sizeof(retry), "%u", up->retry_after_s > 0 ? up->retry_after_s : 1);
		gw_response_header(&x->resp, "Retry-After", retry);
		break;
	default:
		snprintf(detail, sizeof(detail), "The BBB server's reply could not be read");
		break;
	}
	gw_response_problem(x, up->result, detail, NULL);
}

static void complete(struct gw_exchange *x);

/* BBB answers this call in JSON (text tracks). */
static bool json_call(const struct gw_exchange *x)
{
	return x->bbb.def != NULL && x->bbb.def->reply == GW_BBB_REPLY_JSON;
}

/* BBB's JSON replies (text tracks) start with '{'; its error paths may still answer XML. */
static bool looks_like_json(const struct gw_buf *b)
{
	const char *p = gw_buf_str(b);

	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return *p == '{';
}

static char *member_dup(json_t *obj, const char *a, const char *b)
{
	json_t *v = json_object_get(obj, a); /* borrowed */
	const char *s;

	if (!json_is_string(v))
		v = json_object_get(obj, b);
	s = json_string_value(v);
	return s != NULL && *s != '\0' ? strdup(s) : NULL;
}

/*
 * Unwraps {"response": {"returncode", "messageKey"|"key", "message"|"msg", ...}}
 * into the same shape the XML converter produces.
 */
static enum gw_err json_reply(const char *text, size_t len, struct gw_bbb_reply *out)
{
	/* two returncodes (FAILED then SUCCESS) would be read by the last: refuse */
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	json_t *resp = json_object_get(root, "response"); /* borrowed */
	json_t *body;
	const char *rc = json_string_value(json_object_get(resp, "returncode"));
	struct gw_bbb_reply r = {0};

	if (!json_is_object(resp) || rc == NULL) {
		json_decref(root);
		return GW_E_UPSTREAM_BAD_REPLY;
	}
	r.success = strcmp(rc, "SUCCESS") == 0; /* rc dies with root */
	body = json_deep_copy(resp);
	json_decref(root);
	if (body == NULL)
		return GW_E_NOMEM;
	r.message_key = member_dup(body, "messageKey", "key");
	r.message = member_dup(body, "message", "msg");
	json_object_del(body, "returncode");
	json_object_del(body, "messageKey");
	json_object_del(body, "key");
	json_object_del(body, "message");
	json_object_del(body, "msg");
	if (gw_bbb_reply_set_body_json(&r, body) != GW_OK) {
		gw_bbb_reply_deinit(&r);
		return GW_E_NOMEM;
	}
	*out = r;
	return GW_OK;
}

/* ---- converting an XML reply while it arrives (on the thread driving the pool) ---- */

bool gw_bbb_xml_type(const char *ct)
{
	return gw_str_media_type_is(ct, "text/xml") || gw_str_media_type_is(ct, "application/xml");
}

static void stream_free(void *stream)
{
	gw_xml2json_free(stream);
}

/* Frees the reply's conversion (or rewrite) so far. */
void gw_bbb_drop_stream(struct gw_exchange *x)
{
	if (x->bbb.stream != NULL && x->bbb.stream_free != NULL)
		x->bbb.stream_free(x->bbb.stream);
	x->bbb.stream = NULL;
}

/* Takes a 200 XML body; anything else is buffered and judged in complete(). */
static bool sink_begin(void *arg, long status, const char *content_type)
{
	struct gw_exchange *x = arg;
	struct gw_xml2json *c;

	gw_bbb_drop_stream(x);
	if (status != 200 || !gw_bbb_xml_type(content_type))
		return false;
	/* out of memory here: the reply is buffered and converted whole, as without a sink */
	if (gw_xml2json_new(gw_upstream_deadline_ms(&x->up), x->up.reply.max, &c) != GW_OK)
		return false;
	if (!gw_bbb_sees_passwords(x))
		gw_xml2json_hide_passwords(c);
	if (x->req.tenant != NULL)
		gw_xml2json_tenant(c, x->req.tenant->prefix);
	x->bbb.stream = c;
	return true;
}

static enum gw_err sink_data(void *arg, const char *p, size_t n)
{
	struct gw_exchange *x = arg;

	return gw_xml2json_feed(x->bbb.stream, p, n);
}

static void sink_reset(void *arg)
{
	struct gw_exchange *x = arg;

	gw_bbb_drop_stream(x);
}

const struct gw_upstream_sink *gw_bbb_sink(struct gw_exchange *x)
{
	if (x->bbb.facade)
		return gw_bbb_passthrough_sink(x);
	if (x->bbb.raw_reply || json_call(x))
		return NULL;
	x->bbb.sink.begin = sink_begin;
	x->bbb.sink.data = sink_data;
	x->bbb.sink.reset = sink_reset;
	x->bbb.sink.arg = x;
	x->bbb.stream_free = stream_free;
	return &x->bbb.sink;
}

void gw_bbb_respond_body(struct gw_exchange *x, int status, struct gw_bbb_reply *r)
{
	size_t len;
	char *text = gw_bbb_reply_take_body(r, &len);

	gw_response_json_text(x, status, text, len);
}

void gw_bbb_not_ready(struct gw_exchange *x, int status)
{
	char detail[160];

	snprintf(detail, sizeof(detail), "BBB is not ready (HTTP %d from the gateway's probe)",
		 status);
	gw_response_retry(x, GW_E_UNAVAILABLE, 5, detail);
}

void gw_bbb_complete(struct gw_exchange *x)
{
	/* this call's: a finish function may ask for the next call, which brings its own */
	void (*completed)(struct gw_exchange * x, int status) = x->bbb.completed;
	bool probe = x->bbb.def != NULL && x->bbb.def->probe;
	int status;

	x->bbb.completed = NULL;
	complete(x);
	status = x->resp.status;
	if (probe && status != 200)
		gw_bbb_not_ready(x, status);
	if (completed != NULL)
		completed(x, status);
}

/* BBB answers text/xml (bbb-web, bbb-webhooks) or, for caption tracks, JSON. */
static bool content_type_ok(const struct gw_exchange *x, const char *ct)
{
	return gw_bbb_xml_type(ct) || (json_call(x) && gw_str_media_type_is(ct, "application/"
										"json"));
}

/* The reply converted: by the sink while it arrived, or now from the buffer. */
static enum gw_err convert(struct gw_exchange *x, struct gw_bbb_reply *reply)
{
	struct gw_upstream_call *up = &x->up;
	enum gw_err err;

	if (up->sunk) {
		err = x->bbb.stream != NULL ? gw_xml2json_finish(x->bbb.stream, reply)
					    : GW_E_INTERNAL;
		gw_bbb_drop_stream(x);
		return err;
	}
	if (json_call(x) && looks_like_json(&up->reply))
		return json_reply(gw_buf_str(&up->reply), up->reply.len, reply);
	/* bbb.timeout_ms bounds the whole call, reading the reply included */
	return gw_xml2json_convert_for(gw_buf_str(&up->reply), up->reply.len,
				       gw_upstream_deadline_ms(up), !gw_bbb_sees_passwords(x),
				       x->req.tenant != NULL ? x->req.tenant->prefix : NULL, reply);
}

/* The answer for a reply that could not be converted: 504 past the deadline, else 502. */
void gw_bbb_reply_refused(struct gw_exchange *x, enum gw_err err)
{
	if (err == GW_E_UPSTREAM_TIMEOUT) {
		gw_log_warn("BBB call %s: reply not read within the deadline", x->bbb.name);
		gw_response_problem(x, err, "The BBB server's reply could not be read in time",
				    NULL);
		return;
	}
	gw_log_warn("BBB call %s: reply rejected: %s", x->bbb.name, gw_err_str(err));
	gw_response_problem(x, err, "The BBB server's reply is not a valid API response", NULL);
}

static void complete(struct gw_exchange *x)
{
	struct gw_upstream_call *up = &x->up;
	struct gw_bbb_reply reply;
	enum gw_err err;

	if (up->result != GW_OK && !up->sink_failed) {
		gw_bbb_drop_stream(x);
		gw_log_warn("BBB call %s: %s", x->bbb.name, gw_err_str(up->result));
		transport_problem(x);
		return;
	}
	/*
	 * The sink took only a 200 XML reply, and refused it while it arrived
	 * (the transfer ended there, so its head is not all on record): it fails
	 * like a reply refused whole.
	 */
	if (up->sink_failed) {
		gw_bbb_drop_stream(x);
		gw_bbb_reply_refused(x, up->result);
		return;
	}
	if (up->http_status == 404) {
		gw_log_warn("BBB call %s: HTTP 404, the server does not know the call",
			    x->bbb.name);
		gw_response_problem(x, GW_E_BBB_UNSUPPORTED,
				    "The BBB server does not know this API call (too old or too "
				    "new "
				    "for it)",
				    NULL);
		return;
	}
	if (up->http_status != 200) {
		gw_log_warn("BBB call %s: HTTP status %ld", x->bbb.name, up->http_status);
		gw_response_problem(x, GW_E_UPSTREAM_HTTP, "BBB answered with an HTTP error", NULL);
		return;
	}
	if (!content_type_ok(x, up->reply_content_type)) {
		gw_log_warn("BBB call %s: unexpected Content-Type", x->bbb.name);
		gw_response_problem(x, GW_E_UPSTREAM_BAD_REPLY,
				    "The BBB server answered with an unexpected Content-Type",
				    NULL);
		return;
	}
	if (x->bbb.facade) {
		gw_bbb_passthrough_complete(x);
		return;
	}
	if (x->bbb.raw_reply) {
		gw_response_raw(x, 200,
				json_call(x) && looks_like_json(&up->reply) ? "application/json; "
									      "charset=utf-8"
									    : "application/xml; "
									      "charset=utf-8",
				gw_buf_str(&up->reply), up->reply.len);
		return;
	}
	err = convert(x, &reply);
	if (err != GW_OK) {
		gw_bbb_reply_refused(x, err);
		return;
	}
	if (reply.success)
		x->bbb.finish(x, &reply);
	else if (x->bbb.on_failed != NULL)
		x->bbb.on_failed(x, &reply);
	else
		gw_bbb_fail(x, &reply);
	gw_bbb_reply_deinit(&reply);
}

static void call_done(struct gw_upstream_call *call, void *arg);

/* Sends the requested call; false when it could not go out (x->up.result says why). */
static bool submit(struct gw_exchange *x)
{
	const struct gw_config *cfg = x->req.cfg;
	struct gw_upstream_call *up = &x->up;
	enum gw_err err;

	x->bbb.pending = false;
	x->start = NULL; /* a follow-up call's request_url deferred again: already running */
	gw_upstream_call_deinit(up);
	gw_upstream_call_init(up);
	/* the request part (URL, method, body, idempotent) was filled by gw_bbb_request */
	up->timeout_ms = cfg->bbb_timeout_ms;
	up->max_reply_bytes = cfg->bbb_max_reply_bytes;
	up->sink = gw_bbb_sink(x);
	/* the server's own breaker; without a fleet, the group's */
	up->lane = x->bbb.server != NULL ? gw_fleet_server_lane(x->bbb.server) : NULL;
	up->done = call_done;
	up->arg = x;
	err = x->upstream != NULL ? gw_upstream_submit(x->upstream, up) : GW_E_UNAVAILABLE;
	if (err == GW_OK)
		return true;
	up->result = err == GW_E_CIRCUIT_OPEN ? err : GW_E_UNAVAILABLE;
	return false;
}

/* A call ended (or never went out): the response, its metrics and log fields. */
static void call_ended(struct gw_exchange *x)
{
	gw_bbb_complete(x);
	gw_bbb_route_ended(x, x->bbb.def, x->resp.status);
	gw_report_upstream(x, x->req.svc != NULL ? x->req.svc->metrics : NULL);
}

/*
 * The exchange's start function: sends the requested call and its
 * follow-ups until one is in flight (call_done continues) or the response
 * is written (the exchange is done).
 */
static void found(struct gw_exchange *x)
{
	char *body = x->bbb.body;

	x->bbb.body = NULL;
	/* a call that cannot be built has its problem written: run_calls ends the exchange */
	(void)prepare(x, x->bbb.def, x->bbb.find_query, body, x->bbb.find_len);
	run_calls(x);
}

static void run_calls(struct gw_exchange *x)
{
	x->start = NULL;
	if (x->bbb.waiting)
		return;
	if (x->bbb.find_id != NULL) {
		gw_bbb_route_find(x, found);
		return;
	}
	if (x->bbb.fan && x->resp.status == 0) {
		gw_bbb_fan_out(x);
		return;
	}
	while (x->resp.status == 0 && x->bbb.pending) {
		if (submit(x))
			return;
		call_ended(x);
	}
	gw_exchange_done(x);
}

static void call_done(struct gw_upstream_call *call, void *arg)
{
	struct gw_exchange *x = arg;

	(void)call;
	call_ended(x);
	/* A finish function may have asked for a follow-up call. */
	run_calls(x);
}

void gw_bbb_wait(struct gw_exchange *x)
{
	x->bbb.waiting = true;
	gw_exchange_defer(x, run_calls);
}

void gw_bbb_resume(struct gw_exchange *x)
{
	x->bbb.waiting = false;
	run_calls(x);
}

void gw_bbb_calls_go_on(struct gw_exchange *x)
{
	run_calls(x);
}
