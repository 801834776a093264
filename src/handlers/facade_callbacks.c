/*
 * facade_callbacks.c - BBB's callbacks for the BBB-compatible API's
 * clients, re-signed with the tenant's secret (facade_callbacks.h).
 *
 * The URL BBB gets:
 *   <facade.public_url>/bigbluebutton/gateway/callback/<kind>
 *       ?tenant=<name>&url=<client's URL>&sig=<hex HMAC-SHA256>
 * with the MAC made with the tenant's secret over kind, tenant and URL.
 * A callback whose MAC does not verify is refused (401) without any call
 * out: the route is no open relay.
 *
 * meeting-ended: BBB's GET (with recordingmarks=...) becomes a GET of the
 * client's URL with BBB's own parameters appended. recording-ready: BBB
 * posts signed_parameters, an HS256 JWT made with the BBB server's secret
 * over {"meeting_id", "record_id"}; the gateway checks it, takes the
 * tenant's prefix off meeting_id, signs it again with the tenant's secret
 * and posts it to the client. BBB gets the client's answer: 2xx as 200,
 * 401 and 410 as they are (BBB stops then), anything else as 502 (BBB
 * tries again later).
 */
#include "facade_callbacks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bbb_sign.h"
#include "config.h"
#include "crypto.h"
#include "fetch_policy.h"
#include "gw_jwt.h"
#include "str.h"
#include "upstream.h"

#define KIND_END "meeting-ended"
#define KIND_RECORDING "recording-ready"

const char *gw_facade_callback_kind(const char *param)
{
	if (strcasecmp(param, "meta_endCallbackUrl") == 0)
		return KIND_END;
	if (strcasecmp(param, "meta_bbb-recording-ready-url") == 0)
		return KIND_RECORDING;
	return NULL;
}

/* hex(HMAC-SHA256(tenant secret, kind \n tenant \n url)) into hex (65 bytes). */
static bool mac(const struct gw_tenant *t, const char *kind, const char *url, char *hex)
{
	unsigned char d[GW_DIGEST_MAX_LEN];
	struct gw_buf in;
	bool ok;

	gw_buf_init(&in, GW_MAX_URL_BYTES + 256);
	ok = gw_buf_appendf(&in, "%s\n%s\n%s", kind, t->name, url) == GW_OK &&
	     gw_crypto_hmac(GW_DIGEST_SHA256, t->secret, strlen(t->secret), gw_buf_str(&in), in.len,
			    d) == GW_OK;
	if (ok)
		gw_crypto_hex(d, gw_crypto_digest_len(GW_DIGEST_SHA256), hex);
	gw_buf_deinit(&in);
	return ok;
}

bool gw_facade_callback_url(struct gw_exchange *x, const char *kind, const char *client_url,
			    struct gw_buf *out, const char **why)
{
	const struct gw_config *cfg = x->req.cfg;
	const struct gw_tenant *t = x->req.tenant;
	size_t start = out->len;
	char hex[2 * GW_DIGEST_MAX_LEN + 1];

	*why = gw_fetch_policy_check(client_url, cfg->fetch_allow, cfg->n_fetch_allow);
	if (*why != NULL)
		return false;
	*why = "The callback URL is too long";
	if (cfg->facade_public_url == NULL || t == NULL || !mac(t, kind, client_url, hex) ||
	    gw_buf_appendf(out, "%s/bigbluebutton/gateway/callback/%s?tenant=",
			   cfg->facade_public_url, kind) != GW_OK ||
	    gw_bbb_encode(out, t->name, strlen(t->name)) != GW_OK ||
	    gw_buf_append_str(out, "&url=") != GW_OK ||
	    gw_bbb_encode(out, client_url, strlen(client_url)) != GW_OK ||
	    gw_buf_appendf(out, "&sig=%s", hex) != GW_OK) {
		gw_buf_truncate(out, start);
		return false;
	}
	*why = NULL;
	return true;
}

/* ---- BBB calls back ---- */

static void plain(struct gw_exchange *x, int status, const char *text)
{
	gw_response_raw(x, status, "text/plain; charset=utf-8", text, strlen(text));
}

/* The client answered (or could not be reached): BBB learns whether to try again. */
static void delivered(struct gw_upstream_call *call, void *arg)
{
	struct gw_exchange *x = arg;
	long st = call->http_status;

	if (call->result != GW_OK)
		plain(x, 502, "The client's callback URL could not be reached");
	else if (st >= 200 && st < 300)
		plain(x, 200, "Delivered");
	else if (st == 401 || st == 410)
		plain(x, (int)st, "The client refused the callback");
	else
		plain(x, 502, "The client's callback failed");
	gw_exchange_done(x);
}

static void start_delivery(struct gw_exchange *x)
{
	enum gw_err err = x->upstream != NULL ? gw_upstream_submit(x->upstream, &x->up)
					      : GW_E_UNAVAILABLE;

	if (err == GW_OK)
		return;
	plain(x, 503, "The gateway is stopping");
	gw_exchange_done(x);
}

/* Calls url (in the arena) for the exchange: a GET, or a POST of the form body (taken). */
static void deliver(struct gw_exchange *x, const char *url, char *body)
{
	struct gw_upstream_call *up = &x->up;

	gw_upstream_call_init(up);
	up->url = url;
	up->outside = true;
	up->post = body != NULL;
	up->body = body;
	up->body_len = body != NULL ? strlen(body) : 0;
	up->content_type = body != NULL ? "application/x-www-form-urlencoded" : NULL;
	up->accept = "*/*";
	up->timeout_ms = x->req.cfg->bbb_timeout_ms;
	up->max_reply_bytes = 64u * 1024u; /* the answer is not read, its status is */
	up->done = delivered;
	up->arg = x;
	free(x->bbb.body); /* freed with the exchange */
	x->bbb.body = body;
	gw_exchange_defer(x, start_delivery);
}

/* The client's URL with BBB's own parameters (all but ours) appended, in the arena. */
static const char *end_target(struct gw_exchange *x, const char *url)
{
	struct gw_buf b;
	const char *out = NULL;
	bool first = strchr(url, '?') == NULL;
	enum gw_err err;

	gw_buf_init(&b, GW_MAX_URL_BYTES);
	err = gw_buf_append_str(&b, url);
	for (size_t i = 0; i < x->req.n_query && err == GW_OK; i++) {
		const struct gw_kv *kv = &x->req.query[i];

		if (strcmp(kv->name, "tenant") == 0 || strcmp(kv->name, "url") == 0 ||
		    strcmp(kv->name, "sig") == 0)
			continue;
		err = gw_buf_append_str(&b, first ? "?" : "&");
		first = false;
		if (err == GW_OK)
			err = gw_bbb_encode(&b, kv->name, strlen(kv->name));
		if (err == GW_OK)
			err = gw_buf_append(&b, "=", 1);
		if (err == GW_OK)
			err = gw_bbb_encode(&b, kv->value, strlen(kv->value));
	}
	if (err == GW_OK)
		out = gw_arena_strdup(&x->arena, gw_buf_str(&b));
	gw_buf_deinit(&b);
	return out;
}

/* The value of form field name in body (decoded, malloc'd), or NULL. */
static char *form_field(const char *body, const char *name)
{
	size_t n = strlen(name);
	const char *p = body;

	while (p != NULL && *p != '\0') {
		size_t len = strcspn(p, "&");
		char *v = NULL;

		if (len > n && strncmp(p, name, n) == 0 && p[n] == '=') {
			if (gw_str_pct_decode(p + n + 1, len - n - 1, true, &v) != GW_OK)
				return NULL;
			return v;
		}
		p += len;
		if (*p == '&')
			p++;
	}
	return NULL;
}

/* The claims of a verified compact JWT, parsed (a new reference), or NULL. */
static json_t *jwt_claims(const char *jwt)
{
	const char *a = strchr(jwt, '.');
	const char *b = a != NULL ? strchr(a + 1, '.') : NULL;
	unsigned char buf[4096];
	size_t n = 0;

	if (b == NULL || (size_t)(b - a - 1) > sizeof(buf) * 4 / 3 ||
	    gw_str_b64url_decode(a + 1, (size_t)(b - a - 1), buf, sizeof(buf), &n) != GW_OK)
		return NULL;
	return json_loadb((const char *)buf, n, JSON_REJECT_DUPLICATES, NULL);
}

/*
 * recording-ready: BBB's signed_parameters checked with the BBB secret,
 * re-signed with the tenant's over the client's meeting_id; the form body
 * for the client (malloc'd) or NULL with the answer written.
 */
static char *recording_body(struct gw_exchange *x, const struct gw_tenant *t)
{
	const struct gw_config *cfg = x->req.cfg;
	char *jwt = x->req.body != NULL ? form_field(x->req.body, "signed_parameters") : NULL;
	json_t *claims = NULL;
	const char *mid;
	char *text = NULL;
	char *signed_jwt = NULL;
	struct gw_buf b;
	char *body = NULL;

	if (jwt == NULL ||
	    !gw_jwt_verify(jwt, GW_JWT_HS256, (const unsigned char *)cfg->bbb_secret,
			   strlen(cfg->bbb_secret)) ||
	    (claims = jwt_claims(jwt)) == NULL) {
		plain(x, 401, "signed_parameters is missing or not signed with the BBB secret");
		goto out;
	}
	mid = json_string_value(json_object_get(claims, "meeting_id"));
	if (mid == NULL || strncmp(mid, t->prefix, t->prefix_len) != 0 ||
	    !json_is_string(json_object_get(claims, "record_id"))) {
		plain(x, 410, "Not a recording of this tenant's meetings");
		goto out;
	}
	json_object_set_new(claims, "meeting_id", json_string(mid + t->prefix_len));
	text = json_dumps(claims, JSON_COMPACT);
	gw_buf_init(&b, 16384);
	if (text != NULL &&
	    gw_jwt_sign_hs256(text, (const unsigned char *)t->secret, strlen(t->secret),
			      &signed_jwt) == GW_OK &&
	    gw_buf_append_str(&b, "signed_parameters=") == GW_OK &&
	    gw_bbb_encode(&b, signed_jwt, strlen(signed_jwt)) == GW_OK)
		body = gw_buf_take(&b, NULL);
	gw_buf_deinit(&b);
	if (body == NULL)
		gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
out:
	free(signed_jwt);
	free(text);
	json_decref(claims);
	if (jwt != NULL)
		explicit_bzero(jwt, strlen(jwt));
	free(jwt);
	return body;
}

void gw_handle_facade_callback(struct gw_exchange *x)
{
	const struct gw_config *cfg = x->req.cfg;
	const char *kind = x->req.params[0];
	const char *url = gw_request_query(&x->req, "url");
	const char *sig = gw_request_query(&x->req, "sig");
	const struct gw_tenant *t = gw_config_tenant(cfg, gw_request_query(&x->req, "tenant"));
	char want[2 * GW_DIGEST_MAX_LEN + 1];
	const char *target;
	char *body = NULL;

	if (!cfg->facade_enabled) {
		gw_response_problem(x, GW_E_NOT_FOUND, "No such resource", NULL);
		return;
	}
	if ((strcmp(kind, KIND_END) != 0 && strcmp(kind, KIND_RECORDING) != 0) || url == NULL ||
	    sig == NULL || t == NULL || t->secret == NULL || !mac(t, kind, url, want) ||
	    strlen(sig) != strlen(want) || !gw_crypto_equal(sig, want, strlen(want))) {
		plain(x, 401, "Not a callback URL of this gateway");
		return;
	}
	/* the URL passed the policy at create; the allow list may have changed since */
	if (gw_fetch_policy_check(url, cfg->fetch_allow, cfg->n_fetch_allow) != NULL) {
		plain(x, 410, "The callback URL is no longer allowed");
		return;
	}
	if (strcmp(kind, KIND_RECORDING) == 0) {
		body = recording_body(x, t);
		if (body == NULL)
			return;
		target = gw_arena_strdup(&x->arena, url);
	} else {
		target = end_target(x, url);
	}
	if (target == NULL) {
		free(body);
		gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
		return;
	}
	deliver(x, target, body);
}
