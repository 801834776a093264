/*
 * request.c - lifecycle of an exchange and the helpers that write its
 * response. Every response body is built here, so no handler can forget
 * the problem+json shape or the request id.
 */
#include "request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "crypto.h"
#include "str.h"

struct gw_exchange *gw_exchange_new(struct gw_config *cfg)
{
	struct gw_exchange *x = calloc(1, sizeof(*x));

	if (x == NULL)
		return NULL;
	x->req.cfg = gw_config_ref(cfg);
	gw_upstream_call_init(&x->up);
	return x;
}

static void kv_free(struct gw_kv *kv, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(kv[i].name);
		free(kv[i].value);
	}
}

void gw_exchange_free(struct gw_exchange *x)
{
	size_t i;

	if (x == NULL)
		return;
	free(x->req.path);
	kv_free(x->req.query, x->req.n_query);
	free(x->req.authorization);
	free(x->req.content_type);
	free(x->req.accept);
	free(x->req.origin);
	free(x->req.access_control_request_method);
	free(x->req.access_control_request_headers);
	free(x->req.body);
	for (i = 0; i < x->req.n_params; i++)
		free(x->req.params[i]);
	gw_config_unref(x->req.cfg);
	free(x->resp.body);
	kv_free(x->resp.headers, x->resp.n_headers);
	free(x->resp.bbb_message_key);
	free(x->bbb.url);
	free(x->bbb.body);
	if (x->bbb.state_free != NULL)
		x->bbb.state_free(x->bbb.state);
	if (x->bbb.stream_free != NULL)
		x->bbb.stream_free(x->bbb.stream);
	gw_upstream_call_deinit(&x->up);
	free(x);
}

static const struct {
	const char *name;
	enum gw_method method;
} methods[] = {
	{"GET", GW_METHOD_GET},       {"HEAD", GW_METHOD_HEAD},   {"POST", GW_METHOD_POST},
	{"PUT", GW_METHOD_PUT},       {"PATCH", GW_METHOD_PATCH}, {"DELETE", GW_METHOD_DELETE},
	{"OPTIONS", GW_METHOD_OPTIONS},
};

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

static enum gw_err add_param(struct gw_request *req, const char *p, size_t n)
{
	const char *eq = memchr(p, '=', n);
	size_t nlen = eq != NULL ? (size_t)(eq - p) : n;
	struct gw_kv kv = {NULL, NULL};
	enum gw_err err;

	if (req->n_query >= GW_MAX_QUERY_PARAMS)
		return GW_E_TOO_LARGE;
	err = gw_str_pct_decode(p, nlen, true, &kv.name);
	if (err != GW_OK)
		return err;
	if (eq != NULL)
		err = gw_str_pct_decode(eq + 1, n - nlen - 1, true, &kv.value);
	else
		err = gw_str_pct_decode("", 0, true, &kv.value);
	if (err != GW_OK) {
		free(kv.name);
		return err;
	}
	req->query[req->n_query++] = kv;
	return GW_OK;
}

enum gw_err gw_request_parse_query(struct gw_request *req, const char *raw)
{
	const char *p = raw;

	while (p != NULL && *p != '\0') {
		const char *amp = strchr(p, '&');
		size_t n = amp != NULL ? (size_t)(amp - p) : strlen(p);

		if (n > 0) {
			enum gw_err err = add_param(req, p, n);

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

void gw_response_header(struct gw_response *resp, const char *name, const char *value)
{
	struct gw_kv kv;
	size_t i;

	for (i = 0; i < resp->n_headers; i++) {
		if (strcasecmp(resp->headers[i].name, name) == 0) {
			char *v = strdup(value);

			if (v != NULL) {
				free(resp->headers[i].value);
				resp->headers[i].value = v;
			}
			return;
		}
	}
	if (resp->n_headers >= GW_MAX_RESPONSE_HEADERS)
		return;
	kv.name = strdup(name);
	kv.value = strdup(value);
	if (kv.name == NULL || kv.value == NULL) {
		free(kv.name);
		free(kv.value);
		return;
	}
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

void gw_response_raw(struct gw_exchange *x, int status, const char *content_type,
		     const char *data, size_t n)
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
