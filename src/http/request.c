/*
 * request.c - lifecycle of an exchange and the helpers that write its
 * response. Every response body is built here, so no handler can forget
 * the problem+json shape or the request id. An exchange and the first
 * chunk of its arena are one allocation; the per-request strings come
 * from the arena, so freeing an exchange is freeing the arena's further
 * chunks plus the few buffers that are not the exchange's alone.
 */
#include "request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "crypto.h"
#include "str.h"

size_t gw_exchange_arena_max(const struct gw_config *cfg)
{
	size_t head = cfg != NULL ? cfg->max_header_bytes : GW_DEFAULT_MAX_HEADER_BYTES;

	return GW_EXCHANGE_ARENA_FIRST + 3 * head +
	       (size_t)GW_EXCHANGE_ARENA_URLS * GW_MAX_URL_BYTES + GW_EXCHANGE_ARENA_SLACK;
}

struct gw_exchange *gw_exchange_new(struct gw_config *cfg)
{
	/* Only the struct is zeroed: the arena's storage needs no clearing. */
	struct gw_exchange *x = malloc(sizeof(*x) + GW_EXCHANGE_ARENA_FIRST);

	if (x == NULL)
		return NULL;
	memset(x, 0, sizeof(*x));
	gw_arena_init(&x->arena, x + 1, GW_EXCHANGE_ARENA_FIRST, gw_exchange_arena_max(cfg));
	x->req.arena = &x->arena;
	x->resp.arena = &x->arena;
	x->req.cfg = gw_config_ref(cfg);
	gw_upstream_call_init(&x->up);
	return x;
}

void gw_exchange_free(struct gw_exchange *x)
{
	if (x == NULL)
		return;
	gw_exchange_stream_close(x, GW_STREAM_END_CLIENT);
	free(x->req.body);
	gw_token_unref(x->req.token);
	gw_config_unref(x->req.cfg);
	free(x->resp.body);
	free(x->bbb.body);
	if (x->bbb.state_free != NULL)
		x->bbb.state_free(x->bbb.state);
	if (x->bbb.stream_free != NULL)
		x->bbb.stream_free(x->bbb.stream);
	if (x->bbb.server_unref != NULL)
		x->bbb.server_unref(x->bbb.server);
	gw_upstream_call_deinit(&x->up);
	gw_arena_deinit(&x->arena);
	free(x);
}

static const struct {
	const char *name;
	enum gw_method method;
} methods[] = {
	{"GET", GW_METHOD_GET},         {"HEAD", GW_METHOD_HEAD},   {"POST", GW_METHOD_POST},
	{"PUT", GW_METHOD_PUT},         {"PATCH", GW_METHOD_PATCH}, {"DELETE", GW_METHOD_DELETE},
	{"OPTIONS", GW_METHOD_OPTIONS},
};

void gw_exchange_stream(struct gw_exchange *x, const struct gw_stream_ops *ops, void *state,
			unsigned stall_ms)
{
	x->stream_ops = ops;
	x->stream_state = state;
	x->stream_stall_ms = stall_ms;
}

void gw_exchange_stream_ready(struct gw_exchange *x)
{
	if (x->stream_ready != NULL)
		x->stream_ready(x->stream_ready_arg);
}

void gw_exchange_stream_close(struct gw_exchange *x, enum gw_stream_end why)
{
	const struct gw_stream_ops *ops = x->stream_ops;

	if (ops == NULL)
		return;
	x->stream_ops = NULL;
	ops->close(x->stream_state, why);
	x->stream_state = NULL;
}

void gw_exchange_defer(struct gw_exchange *x, gw_exchange_fn start)
{
	x->start = start;
}

bool gw_exchange_pending(const struct gw_exchange *x)
{
	return x->resp.status == 0 && x->start != NULL;
}

void gw_exchange_start(struct gw_exchange *x)
{
	gw_exchange_fn fn = x->start;

	x->start = NULL;
	if (fn != NULL)
		fn(x);
	else
		gw_exchange_done(x);
}

void gw_exchange_done(struct gw_exchange *x)
{
	if (x->resume != NULL)
		x->resume(x, x->resume_arg);
}

enum gw_method gw_method_parse(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < GW_ARRAY_SIZE(methods); i++) {
		if (strcmp(name, methods[i].name) == 0)
			return methods[i].method;
	}
	return GW_METHOD_OTHER;
}

void gw_method_list(unsigned mask, char *out, size_t outlen)
{
	size_t i;
	size_t n = 0;

	if (outlen == 0)
		return;
	out[0] = '\0';
	for (i = 0; i < GW_ARRAY_SIZE(methods); i++) {
		int w;

		if ((mask & methods[i].method) == 0)
			continue;
		w = snprintf(out + n, outlen - n, "%s%s", n ? ", " : "", methods[i].name);
		if (w < 0 || (size_t)w >= outlen - n)
			return;
		n += (size_t)w;
	}
}

/* Percent-decodes n bytes at s into the arena (decoding never lengthens). */
static enum gw_err decode(struct gw_arena *a, const char *s, size_t n, char **out)
{
	char *d = gw_arena_alloc_aligned(a, n + 1, 1);

	if (d == NULL)
		return gw_arena_error(a);
	*out = d;
	return gw_str_pct_decode_into(s, n, true, d);
}

static enum gw_err add_param(struct gw_request *req, const char *p, size_t n)
{
	const char *eq = memchr(p, '=', n);
	size_t nlen = eq != NULL ? (size_t)(eq - p) : n;
	struct gw_kv kv = {NULL, NULL};
	enum gw_err err;

	err = decode(req->arena, p, nlen, &kv.name);
	if (err == GW_OK)
		err = eq != NULL ? decode(req->arena, eq + 1, n - nlen - 1, &kv.value)
				 : decode(req->arena, "", 0, &kv.value);
	if (err != GW_OK)
		return err;
	req->query[req->n_query++] = kv;
	return GW_OK;
}

/* Non-empty '&'-separated parameters in raw. */
static size_t count_params(const char *raw)
{
	size_t n = 0;
	const char *p;

	for (p = raw; p != NULL && *p != '\0'; p++) {
		if (*p != '&' && (p == raw || p[-1] == '&'))
			n++;
	}
	return n;
}

/* Room for more parameters after those already parsed: the array is sized to the request. */
static enum gw_err grow_query(struct gw_request *req, size_t more)
{
	struct gw_kv *q;

	if (more > GW_MAX_QUERY_PARAMS - req->n_query)
		return GW_E_TOO_LARGE;
	q = gw_arena_alloc(req->arena, (req->n_query + more) * sizeof(*q));
	if (q == NULL)
		return gw_arena_error(req->arena);
	if (req->n_query > 0)
		memcpy(q, req->query, req->n_query * sizeof(*q));
	req->query = q;
	return GW_OK;
}

enum gw_err gw_request_parse_query(struct gw_request *req, const char *raw)
{
	const char *p = raw;
	size_t more = count_params(raw);
	enum gw_err err;

	if (more == 0)
		return GW_OK;
	err = grow_query(req, more);
	if (err != GW_OK)
		return err;
	while (p != NULL && *p != '\0') {
		const char *amp = strchr(p, '&');
		size_t n = amp != NULL ? (size_t)(amp - p) : strlen(p);

		if (n > 0) {
			err = add_param(req, p, n);
			if (err != GW_OK)
				return err;
		}
		p = amp != NULL ? amp + 1 : NULL;
	}
	return GW_OK;
}

const char *gw_request_query(const struct gw_request *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->n_query; i++) {
		if (strcmp(req->query[i].name, name) == 0)
			return req->query[i].value;
	}
	return NULL;
}

void gw_request_set_id(struct gw_request *req, const char *client_value)
{
	unsigned char rnd[12];

	if (gw_str_is_visible_ascii(client_value, GW_MAX_REQUEST_ID_LEN)) {
		snprintf(req->request_id, sizeof(req->request_id), "%s", client_value);
		return;
	}
	if (gw_crypto_random_pooled(rnd, sizeof(rnd)) != GW_OK)
		memset(rnd, 0, sizeof(rnd));
	gw_crypto_hex(rnd, sizeof(rnd), req->request_id);
}

/* Most responses set a few headers or none: the array starts small, in the arena. */
#define RESPONSE_HEADERS_FIRST 4u

static bool room_for_header(struct gw_response *resp)
{
	size_t cap = resp->cap_headers == 0 ? RESPONSE_HEADERS_FIRST : GW_MAX_RESPONSE_HEADERS;
	struct gw_kv *h;

	if (resp->n_headers < resp->cap_headers)
		return true;
	if (resp->n_headers >= GW_MAX_RESPONSE_HEADERS)
		return false;
	h = gw_arena_alloc(resp->arena, cap * sizeof(*h));
	if (h == NULL)
		return false;
	if (resp->n_headers > 0)
		memcpy(h, resp->headers, resp->n_headers * sizeof(*h));
	resp->headers = h;
	resp->cap_headers = cap;
	return true;
}

void gw_response_header(struct gw_response *resp, const char *name, const char *value)
{
	struct gw_kv kv;
	size_t i;

	for (i = 0; i < resp->n_headers; i++) {
		if (strcasecmp(resp->headers[i].name, name) == 0) {
			char *v = gw_arena_strdup(resp->arena, value);

			if (v != NULL)
				resp->headers[i].value = v;
			return;
		}
	}
	if (!room_for_header(resp))
		return;
	kv.name = gw_arena_strdup(resp->arena, name);
	kv.value = gw_arena_strdup(resp->arena, value);
	if (kv.name == NULL || kv.value == NULL)
		return;
	resp->headers[resp->n_headers++] = kv;
}

static void set_body(struct gw_response *resp, int status, const char *ctype, char *body,
		     size_t len)
{
	free(resp->body);
	resp->status = status;
	resp->content_type = ctype;
	resp->body = body;
	resp->body_len = len;
}

void gw_response_json(struct gw_exchange *x, int status, json_t *body)
{
	char *s = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;

	json_decref(body);
	if (s == NULL) {
		gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
		return;
	}
	set_body(&x->resp, status, "application/json; charset=utf-8", s, strlen(s));
}

void gw_response_json_text(struct gw_exchange *x, int status, char *text, size_t len)
{
	if (text == NULL) {
		gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
		return;
	}
	set_body(&x->resp, status, "application/json; charset=utf-8", text, len);
}

void gw_response_raw(struct gw_exchange *x, int status, const char *content_type, const char *data,
		     size_t n)
{
	char *copy = malloc(n + 1);

	if (copy == NULL) {
		gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
		return;
	}
	memcpy(copy, data, n);
	copy[n] = '\0';
	set_body(&x->resp, status, content_type, copy, n);
}

/* Last resort when even the problem document cannot be built. */
static void fallback(struct gw_response *resp)
{
	static const char body[] = "{\"title\":\"Out of memory\",\"status\":500}";
	char *s = strdup(body);

	set_body(resp, 500, "application/problem+json", s, s != NULL ? strlen(s) : 0);
}

/*
 * BBB's messageKey for an error of the gateway's own: BBB's where it has
 * one, else the problem code in BBB's lowerCamel style.
 */
static void bbb_key(enum gw_err err, char *out, size_t n)
{
	const char *code = gw_err_info(err)->code;
	size_t o = 0;

	if (err == GW_E_BBB_NOT_FOUND || err == GW_E_NOT_FOUND) {
		gw_str_copy(out, n, "notFound");
		return;
	}
	for (const char *c = code; *c != '\0' && o + 1 < n; c++) {
		if (*c == '_' && c[1] != '\0')
			out[o++] = (char)(*++c - 'a' + 'A');
		else
			out[o++] = *c;
	}
	out[o] = '\0';
}

/*
 * An error of the BBB-compatible API: BBB's FAILED <response>, with BBB's
 * own messageKey and message when extra carries them (a FAILED reply of
 * BBB's passed on).
 */
static void problem_xml(struct gw_exchange *x, enum gw_err err, const char *detail, json_t *extra)
{
	const struct gw_err_info *info = gw_err_info(err);
	const char *key = json_string_value(json_object_get(extra, "messageKey"));
	const char *msg = json_string_value(json_object_get(extra, "message"));
	char own[64];
	struct gw_buf b;
	char *text;
	size_t len;

	bbb_key(err, own, sizeof(own));
	gw_buf_init(&b, 4096);
	if (gw_buf_append_str(&b, "<response><returncode>FAILED</returncode><messageKey>") !=
		    GW_OK ||
	    gw_str_xml_escape(&b, key != NULL ? key : own) != GW_OK ||
	    gw_buf_append_str(&b, "</messageKey><message>") != GW_OK ||
	    gw_str_xml_escape(&b, msg != NULL ? msg : detail) != GW_OK ||
	    gw_buf_append_str(&b, "</message></response>") != GW_OK ||
	    (text = gw_buf_take(&b, &len)) == NULL) {
		gw_buf_deinit(&b);
		fallback(&x->resp);
		return;
	}
	gw_buf_deinit(&b);
	set_body(&x->resp, info->status >= 500 ? info->status : 200, "text/xml; charset=utf-8",
		 text, len);
}

void gw_response_problem_extra(struct gw_exchange *x, enum gw_err err, const char *detail,
			       const char *field, json_t *extra)
{
	const struct gw_err_info *info = gw_err_info(err);
	char type[128];
	char dtext[512];
	char ftext[320];
	json_t *p;
	char *s;

	/* Details quote client input and may have been cut mid-character. */
	gw_str_copy(dtext, sizeof(dtext), detail != NULL ? detail : info->title);
	gw_str_utf8_sanitize(dtext);
	if (x->resp.bbb_xml) {
		problem_xml(x, err, dtext, extra);
		return;
	}
	snprintf(type, sizeof(type), "urn:bbb-gateway:problem:%s", info->code);
	p = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s}", "type", type, "title", info->title,
		      "status", info->status, "detail", dtext, "code", info->code, "requestId",
		      x->req.request_id);
	if (p != NULL && field != NULL) {
		gw_str_copy(ftext, sizeof(ftext), field);
		gw_str_utf8_sanitize(ftext);
		json_object_set_new(p, "field", json_string(ftext));
	}
	if (p != NULL && extra != NULL)
		json_object_update(p, extra);
	s = p != NULL ? json_dumps(p, JSON_COMPACT) : NULL;
	json_decref(p);
	if (s == NULL) {
		fallback(&x->resp);
		return;
	}
	set_body(&x->resp, info->status, "application/problem+json", s, strlen(s));
}

void gw_response_problem(struct gw_exchange *x, enum gw_err err, const char *detail,
			 const char *field)
{
	gw_response_problem_extra(x, err, detail, field, NULL);
}

void gw_response_retry(struct gw_exchange *x, enum gw_err err, unsigned seconds, const char *detail)
{
	char value[16];

	snprintf(value, sizeof(value), "%u", seconds);
	gw_response_header(&x->resp, "Retry-After", value);
	gw_response_problem(x, err, detail, NULL);
}

enum gw_err gw_request_json_object(struct gw_exchange *x, bool required, json_t **out)
{
	json_error_t jerr;
	json_t *j;
	char detail[256];

	if (x->req.body == NULL || x->req.body_len == 0) {
		if (!required) {
			*out = NULL;
			return GW_OK;
		}
		gw_response_problem(x, GW_E_BAD_REQUEST, "A JSON object body is required", NULL);
		return GW_E_BAD_REQUEST;
	}
	j = json_loadb(x->req.body, x->req.body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL) {
		snprintf(detail, sizeof(detail), "Malformed JSON at line %d, column %d: %s",
			 jerr.line, jerr.column, jerr.text);
		gw_response_problem(x, GW_E_BAD_REQUEST, detail, NULL);
		return GW_E_BAD_REQUEST;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		gw_response_problem(x, GW_E_BAD_REQUEST, "The body must be a JSON object", NULL);
		return GW_E_BAD_REQUEST;
	}
	*out = j;
	return GW_OK;
}

/* A required (or optional) non-empty string member; writes a problem on error. */
bool gw_request_string(struct gw_exchange *x, json_t *body, const char *key, bool required,
		       const char **out)
{
	json_t *v = json_object_get(body, key); /* borrowed */
	char detail[128];

	*out = NULL;
	if (v == NULL && !required)
		return true;
	if (!json_is_string(v) || json_string_length(v) == 0) {
		snprintf(detail, sizeof(detail), "'%s' %s a non-empty string", key,
			 v == NULL ? "is required and must be" : "must be");
		gw_response_problem(x, GW_E_BAD_REQUEST, detail, key);
		return false;
	}
	*out = json_string_value(v);
	return true;
}
