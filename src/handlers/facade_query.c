/*
 * facade_query.c - the query the BBB-compatible API sends BBB, built from
 * the client's pair by pair: pairs it does not touch are copied as they
 * came (nothing decoded and encoded again), meetingIDs go under the
 * tenant's prefix, a create gets the tenant's policy and its callback
 * URLs pointed at the gateway, recordings are filtered by the tenant's
 * metadata key, and URLs BBB would fetch pass the fetch policy.
 */
#include "facade.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bbb_sign.h"
#include "config.h"
#include "facade_callbacks.h"
#include "fetch_policy.h"
#include "str.h"
#include "tenant.h"

static void append_raw(struct facade_query *b, const char *p, size_t n)
{
	if (b->err == GW_OK && b->q.len > 0)
		b->err = gw_buf_append(&b->q, "&", 1);
	if (b->err == GW_OK)
		b->err = gw_buf_append(&b->q, p, n);
}

void gw_facade_query_param(struct facade_query *b, const char *name, const char *value)
{
	if (b->err == GW_OK)
		b->err = gw_bbb_query_add(&b->q, name, value);
}

static bool deny(struct facade_query *b, const char *name)
{
	char message[200];

	snprintf(message, sizeof(message), "The parameter %.100s is not allowed", name);
	gw_facade_failed(b->x, GW_E_PARAM_DENIED, "paramDenied", message);
	return false;
}

/* meetingID: under the tenant's prefix (a comma list of them for getRecordings). */
static bool meeting_param(struct facade_query *b, const char *value)
{
	const struct gw_tenant *t = b->x->req.tenant;
	struct gw_buf ids;
	const char *p = value;

	if (b->call->kind != K_RECORDINGS) {
		if (!gw_config_tenant_id_ok(b->x->req.cfg, t, value))
			return deny(b, "meetingID");
		b->bbb_id = (char *)gw_tenant_bbb_id(b->x, value);
		if (b->bbb_id == NULL)
			b->err = GW_E_NOMEM;
		else
			gw_facade_query_param(b, "meetingID", b->bbb_id);
		return true;
	}
	gw_buf_init(&ids, GW_MAX_QUERY_BYTES);
	while (p != NULL && b->err == GW_OK) {
		size_t n = strcspn(p, ",");

		if ((ids.len > 0 && gw_buf_append(&ids, ",", 1) != GW_OK) ||
		    gw_buf_append(&ids, t->prefix, t->prefix_len) != GW_OK ||
		    gw_buf_append(&ids, p, n) != GW_OK)
			b->err = GW_E_TOO_LARGE;
		p = p[n] == ',' ? p + n + 1 : NULL;
	}
	gw_facade_query_param(b, "meetingID", gw_buf_str(&ids));
	gw_buf_deinit(&ids);
	return true;
}

/*
 * A callback URL BBB would call signed with its own secret: BBB gets the
 * gateway's URL in its place, and the gateway calls the client, signed
 * with the tenant's secret.
 */
static bool callback_param(struct facade_query *b, const char *name, const char *value)
{
	struct gw_buf url;
	const char *why = NULL;
	bool ok;

	gw_buf_init(&url, GW_MAX_URL_BYTES);
	ok = gw_facade_callback_url(b->x, gw_facade_callback_kind(name), value, &url, &why);
	if (ok)
		gw_facade_query_param(b, name, gw_buf_str(&url));
	gw_buf_deinit(&url);
	if (!ok)
		gw_facade_failed(b->x, GW_E_PARAM_DENIED, "paramDenied", why);
	return ok;
}

/* Parameters whose URL BBB (or bbb-webhooks) fetches or calls: the fetch policy applies. */
static bool fetched(enum facade_kind k, const char *name)
{
	if (k == K_HOOK_CREATE)
		return strcmp(name, "callbackURL") == 0;
	return k == K_CREATE && (strcmp(name, "meetingEndedURL") == 0 ||
				 strcmp(name, "preUploadedPresentation") == 0 ||
				 strcasecmp(name, "meta_analytics-callback-url") == 0);
}

static bool fetch_ok(struct facade_query *b, const char *name, const char *url)
{
	const struct gw_config *cfg = b->x->req.cfg;
	const char *why = gw_fetch_policy_check(url, cfg->fetch_allow, cfg->n_fetch_allow);
	char message[300];

	if (why == NULL)
		return true;
	snprintf(message, sizeof(message), "%.60s: %.200s", name, why);
	gw_facade_failed(b->x, GW_E_PARAM_DENIED, "paramDenied", message);
	return false;
}

static bool is_tenant_meta(const char *name)
{
	return strncasecmp(name, "meta_", 5) == 0 && strcasecmp(name + 5, GW_TENANT_META) == 0;
}

/* One pair of the client's query (raw, n bytes): kept as sent, changed, dropped or refused. */
static bool pair(struct facade_query *b, const char *raw, size_t n)
{
	struct gw_exchange *x = b->x;
	size_t eq = strcspn(raw, "=&");
	char *name;
	char *value;
	enum facade_kind k = b->call->kind;

	if (eq > n)
		eq = n;
	name = gw_arena_alloc(&x->arena, eq + 1);
	value = gw_arena_alloc(&x->arena, n - eq + 1);
	if (name == NULL || value == NULL) {
		b->err = GW_E_NOMEM;
		return true;
	}
	/* a pair that does not decode goes to BBB as it is: BBB judges it */
	if (gw_str_pct_decode_into(raw, eq, true, name) != GW_OK ||
	    gw_str_pct_decode_into(raw + eq + (eq < n), n - eq - (eq < n), true, value) != GW_OK) {
		append_raw(b, raw, n);
		return true;
	}
	if (strcmp(name, "meetingID") == 0 && k != K_RECORD_IDS && k != K_HOOK_ID && k != K_PLAIN)
		return meeting_param(b, value);
	if (is_tenant_meta(name) && (k == K_RECORDINGS || k == K_RECORD_IDS))
		return deny(b, name);
	if (k == K_RECORD_IDS && strcmp(name, "recordID") == 0) {
		b->ids = value;
		return true; /* added back once the tenant is found to have them */
	}
	if (k == K_HOOK_ID && strcmp(name, "hookID") == 0) {
		b->hook_id = value;
		return true; /* added back, as its server knows it, once the tenant is found to have it */
	}
	if (fetched(k, name) && !fetch_ok(b, name, value))
		return false;
	if (k == K_CREATE) {
		enum gw_tenant_rule rule = gw_tenant_create_rule(x->req.tenant, name, value);

		if (rule == GW_TENANT_DENY)
			return deny(b, name);
		if (rule == GW_TENANT_DROP)
			return true;
		if (b->n_kept < GW_MAX_QUERY_PARAMS)
			b->kept[b->n_kept++] = name;
		if (gw_facade_callback_kind(name) != NULL)
			return callback_param(b, name, value);
	}
	append_raw(b, raw, n);
	return true;
}

static bool create_has(void *arg, const char *name)
{
	struct facade_query *b = arg;

	for (size_t i = 0; i < b->n_kept; i++) {
		if (strcmp(b->kept[i], name) == 0 ||
		    (strncmp(name, "meta_", 5) == 0 && strncmp(b->kept[i], "meta_", 5) == 0 &&
		     strcasecmp(b->kept[i] + 5, name + 5) == 0))
			return true;
	}
	return false;
}

static bool create_add(void *arg, const char *name, const char *value)
{
	struct facade_query *b = arg;

	gw_facade_query_param(b, name, value);
	return b->err == GW_OK;
}

bool gw_facade_query_build(struct facade_query *b, const char *rest)
{
	const char *p = rest;

	while (*p != '\0') {
		size_t n = strcspn(p, "&");

		if (n > 0 && !pair(b, p, n))
			return false;
		p += n;
		if (*p == '&')
			p++;
	}
	if (b->call->kind == K_CREATE)
		(void)gw_tenant_create_fill(b->x->req.tenant, create_has, create_add, b);
	if (b->call->kind == K_RECORDINGS)
		gw_facade_query_param(b, "meta_" GW_TENANT_META, b->x->req.tenant->name);
	if (b->call->kind == K_HOOK_CREATE && b->bbb_id == NULL) {
		gw_facade_failed(b->x, GW_E_PARAM_DENIED, "paramDenied",
				 "A hook names one of the tenant's meetings (meetingID)");
		return false;
	}
	if (b->err != GW_OK) {
		gw_response_problem(b->x, b->err == GW_E_NOMEM ? GW_E_NOMEM : GW_E_BODY_TOO_LARGE,
				    "The request is too large", NULL);
		return false;
	}
	return true;
}
