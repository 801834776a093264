/*
 * http_intake.c - a request head as libmicrohttpd hands it over: the
 * selected headers copied into the exchange, the head checks MHD 0.9.75
 * lets through (http_head.h), the size and query checks, then the
 * pipeline up to the body (pipeline.h). Part of the HTTP server.
 */
#include "http_server_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "config.h"
#include "conn_guard.h"
#include "gw_limits.h"
#include "http_head.h"
#include "log.h"
#include "pipeline.h"
#include "route.h"
#include "str.h"

/* A copy of header name in the exchange's arena, or NULL. */
static char *header_dup(struct conn *c, const char *name)
{
	const char *v = MHD_lookup_connection_value(c->mc, MHD_HEADER_KIND, name);

	return v != NULL ? gw_arena_strdup(&c->x->arena, v) : NULL;
}

static void read_headers(struct conn *c, const char *method)
{
	struct gw_request *req = &c->x->req;

	req->method_name = method;
	req->method = gw_method_parse(method);
	req->authorization = header_dup(c, MHD_HTTP_HEADER_AUTHORIZATION);
	req->content_type = header_dup(c, MHD_HTTP_HEADER_CONTENT_TYPE);
	req->accept = header_dup(c, MHD_HTTP_HEADER_ACCEPT);
	req->origin = header_dup(c, "Origin");
	req->access_control_request_method = header_dup(c, "Access-Control-Request-Method");
	req->access_control_request_headers = header_dup(c, "Access-Control-Request-Headers");
	req->last_event_id = header_dup(c, "Last-Event-ID");
	req->host = header_dup(c, MHD_HTTP_HEADER_HOST);
	gw_request_set_id(req, MHD_lookup_connection_value(c->mc, MHD_HEADER_KIND, "X-Request-Id"));
}

struct field_list {
	struct gw_head_field *f;
	size_t n, cap;
	bool bad_ending;
};

/*
 * MHD 0.9.75 accepts a bare LF as a line end and cuts a header value at
 * a NUL, and keeps no record of either. Both leave a trace in its read
 * buffer, where every line is parsed in place: a CRLF becomes two NULs,
 * a bare LF one. So the byte after the NUL that ends a value (or the
 * request line's version) is another NUL unless the line ended in a bare
 * LF or the value held a NUL. The last header line before the blank line
 * cannot be told apart this way (the blank line's own NUL follows it).
 */
static bool odd_ending(const char *s, size_t len)
{
	return s[len] == '\0' && s[len + 1] != '\0';
}

static enum MHD_Result collect_field(void *cls, enum MHD_ValueKind kind, const char *key,
				     size_t key_size, const char *value, size_t value_size)
{
	struct field_list *l = cls;

	(void)kind;
	if (l->n == l->cap)
		return MHD_NO;
	l->f[l->n++] = (struct gw_head_field){key, key_size, value != NULL ? value : "",
					      value != NULL ? value_size : 0};
	if (value != NULL)
		l->bad_ending |= odd_ending(value, value_size);
	return MHD_YES;
}

/*
 * Checks the head as received (http_head.c): size against
 * limits.max_header_bytes, ambiguous framing, repeated Host or
 * Authorization, control characters, Expect. On refusal writes the
 * problem response and returns true.
 */
static bool head_refused(struct conn *c, const char *version)
{
	struct gw_head_field few[32];
	struct field_list l = {NULL, 0, 0, false};
	struct gw_head_verdict v;
	bool odd;
	int n = MHD_get_connection_values_n(c->mc, MHD_HEADER_KIND, NULL, NULL);

	/* The common head fits on the stack; only unusual ones cost an allocation. */
	l.f = few;
	l.cap = GW_ARRAY_SIZE(few);
	if (n > (int)l.cap) {
		l.cap = (size_t)n;
		l.f = calloc(l.cap, sizeof(*l.f));
		if (l.f == NULL) {
			gw_response_problem(c->x, GW_E_NOMEM, NULL, NULL);
			return true;
		}
	}
	if (n > 0)
		MHD_get_connection_values_n(c->mc, MHD_HEADER_KIND, collect_field, &l);
	gw_http_head_check(c->x->req.path, strlen(c->x->req.path), c->raw_query,
			   strlen(c->raw_query), l.f, l.n,
			   c->srv->opts.max_header_bytes - GW_HTTP_RESPONSE_RESERVE, &v);
	if (l.f != few)
		free(l.f);
	/* An empty version is MHD's static "", not its buffer: nothing to look past. */
	odd = l.bad_ending ||
	      (version != NULL && version[0] != '\0' && odd_ending(version, strlen(version)));
	if (v.err == GW_OK && odd) {
		v.err = GW_E_BAD_REQUEST;
		v.detail = "Bare LF line ending or NUL in a header";
		v.close = true;
	}
	if (v.err == GW_OK)
		return false;
	c->close = v.close;
	c->x->resp.minimal = v.err == GW_E_URI_TOO_LONG || v.err == GW_E_HEADERS_TOO_LARGE;
	gw_response_problem(c->x, v.err, v.detail, NULL);
	return true;
}

/* Size checks and the query, done before any body byte is read. */
static bool early_reject(struct conn *c)
{
	const char *cl =
		MHD_lookup_connection_value(c->mc, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	const struct gw_route *route = c->x->req.route; /* gw_pipeline_route ran in on_head */
	size_t limit = route == NULL ? c->srv->opts.max_body_bytes
		       : route->body == GW_BODY_UPLOAD || route->body == GW_BODY_BBB
			       ? c->srv->opts.max_upload_bytes
		       : route->body == GW_BODY_FORM ? c->srv->opts.max_form_bytes
						     : c->srv->opts.max_body_bytes;
	uint64_t len = 0;
	enum gw_err err;

	c->body.max = limit;
	if (cl != NULL && gw_str_parse_u64(cl, &len) != GW_OK) {
		c->close = true;
		gw_response_problem(c->x, GW_E_BAD_REQUEST, "Malformed Content-Length", NULL);
		return true;
	}
	if (cl != NULL && len > (uint64_t)limit) {
		c->close = true;
		gw_response_problem(c->x, GW_E_BODY_TOO_LARGE,
				    "The request body is larger than the configured limit", NULL);
		return true;
	}
	err = gw_request_parse_query(&c->x->req, c->raw_query);
	if (err != GW_OK) {
		gw_response_problem(c->x, GW_E_BAD_REQUEST,
				    err == GW_E_TOO_LARGE ? "Too many query parameters"
							  : "Malformed query string",
				    NULL);
		return true;
	}
	return false;
}

/* A body follows the head (so a refusal must close the connection instead of reading it). */
static bool body_follows(struct conn *c)
{
	const char *cl =
		MHD_lookup_connection_value(c->mc, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

	return (cl != NULL && strcmp(cl, "0") != 0) ||
	       MHD_lookup_connection_value(c->mc, MHD_HEADER_KIND,
					   MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL;
}

/*
 * The first call of the access handler, with the whole head: checks,
 * then authentication, scope and rate limit, all before MHD would send
 * 100 Continue and before any body byte is read. Returns true when a
 * response was written.
 */
bool gw_http_intake_head(struct conn *c, const char *method, const char *version)
{
	if (c->sock != NULL)
		gw_conn_guard_busy(c->srv->guard, c->sock->guarded);
	read_headers(c, method);
	if (head_refused(c, version))
		return true;
	gw_pipeline_route(c->x);
	if (early_reject(c))
		return true;
	if (!gw_pipeline_admit(c->x)) {
		c->close |= body_follows(c);
		return true;
	}
	/* MHD sends 100 Continue, when asked for, once this returns without a response. */
	return false;
}
