/*
 * handler_hooks.c - bbb-webhooks registrations: list, create, destroy.
 * These calls go to the webhooks service under the same API path, named
 * "hooks/<verb>" in the checksum, and signed with bbb.hooks_checksum
 * (some installations accept only SHA-1), as their bbb_calls.h entries say.
 */
#include <stdio.h>
#include <string.h>

#include "bbb_api.h"
#include "binding.h"
#include "bbb_query.h"
#include "config.h"
#include "handlers.h"
#include "tenant.h"
#include "xml2json.h"

static void hooks_request(struct gw_exchange *x, const struct gw_bbb_call_def *call,
			  struct gw_query *qb, gw_bbb_finish_fn finish)
{
	if (!gw_query_failed(x, qb))
		gw_bbb_request(x, &(struct gw_bbb_req){.call = call,
						       .query = gw_query_str(qb),
						       .finish = finish});
}

static void finish_list(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	json_t *body = gw_bbb_reply_body_json(r); /* borrowed */

	if (body == NULL) {
		gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
		return;
	}
	if (json_is_array(json_object_get(body, "hooks"))) {
		gw_bbb_respond_body(x, 200, r);
		return;
	}
	json_object_set_new(body, "hooks", json_array());
	gw_response_json(x, 200, json_incref(body));
}

void gw_handle_hooks_list(struct gw_exchange *x)
{
	struct gw_query qb;
	size_t i;

	if (!gw_binding_unbound_only(x))
		return;
	gw_query_init(&qb);
	for (i = 0; i < x->req.n_query; i++) {
		if (strcmp(x->req.query[i].name, "meetingID") == 0)
			gw_tenant_query_meeting(x, &qb, x->req.query[i].value);
		else
			gw_query_fail(&qb, GW_E_BAD_REQUEST, x->req.query[i].name,
				      "Unknown query parameter (only 'meetingID')");
	}
	hooks_request(x, GW_BBB_CALL(hooks_list), &qb, finish_list);
	gw_query_deinit(&qb);
}

static void finish_create(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	bool existed = r->message_key != NULL && strcmp(r->message_key, "duplicateWarning") == 0;

	gw_bbb_respond_body(x, existed ? 200 : 201, r);
}

/* bbb-webhooks posts every event to callbackURL: it passes the fetch policy. */
static void callback_url(struct gw_query *qb, const struct gw_config *cfg, json_t *v)
{
	const char *url = json_is_string(v) ? json_string_value(v) : "";

	if (gw_query_fetch_url_ok(qb, "callbackURL", url, cfg->fetch_allow, cfg->n_fetch_allow))
		gw_query_add(qb, "callbackURL", url);
}

static void create_member(struct gw_exchange *x, struct gw_query *qb, const char *key, json_t *v)
{
	const struct gw_config *cfg = x->req.cfg;

	if (strcmp(key, "callbackURL") == 0) {
		callback_url(qb, cfg, v);
	} else if (strcmp(key, "meetingID") == 0 && gw_tenant_of(x) != NULL) {
		if (!json_is_string(v) ||
		    !gw_config_tenant_id_ok(cfg, gw_tenant_of(x), json_string_value(v)))
			gw_query_fail(qb, GW_E_PARAM_DENIED, key,
				      "A tenant's hook names one of its meetings");
		else
			gw_tenant_query_meeting(x, qb, json_string_value(v));
	} else if (strcmp(key, "meetingID") == 0) {
		gw_query_add_json(qb, key, key, GW_PARAM_STRING, false, v);
	} else if (strcmp(key, "eventID") == 0) {
		gw_query_add_json(qb, key, key, GW_PARAM_LIST, false, v);
	} else if (strcmp(key, "getRaw") == 0) {
		gw_query_add_json(qb, key, key, GW_PARAM_BOOL, false, v);
	} else {
		gw_query_fail(qb, GW_E_BAD_REQUEST, key,
			      "Unknown field (callbackURL, meetingID, eventID, getRaw)");
	}
}

void gw_handle_hooks_create(struct gw_exchange *x)
{
	json_t *body = NULL;
	struct gw_query qb;
	const char *key;
	json_t *v;

	if (!gw_binding_unbound_only(x))
		return;
	if (gw_request_json_object(x, true, &body) != GW_OK)
		return;
	gw_query_init(&qb);
	if (json_object_get(body, "callbackURL") == NULL)
		gw_query_fail(&qb, GW_E_BAD_REQUEST, "callbackURL", "'callbackURL' is required");
	/* a hook without a meeting gets every meeting's events: not a tenant's */
	if (gw_tenant_of(x) != NULL && json_object_get(body, "meetingID") == NULL)
		gw_query_fail(&qb, GW_E_PARAM_DENIED, "meetingID",
			      "A tenant's hook names one of its meetings");
	/* callbackURL first, as BBB's own examples order it. */
	v = json_object_get(body, "callbackURL");
	if (v != NULL)
		create_member(x, &qb, "callbackURL", v);
	json_object_foreach (body, key, v) {
		if (strcmp(key, "callbackURL") != 0)
			create_member(x, &qb, key, v);
	}
	hooks_request(x, GW_BBB_CALL(hooks_create), &qb, finish_create);
	gw_query_deinit(&qb);
	json_decref(body);
}

static void finish_destroy(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	(void)r;
	gw_response_json(x, 200, json_pack("{s:s, s:b}", "hookID", x->req.params[0], "removed", 1));
}

static void destroy(struct gw_exchange *x)
{
	struct gw_query qb;

	gw_query_init(&qb);
	gw_query_add(&qb, "hookID", x->req.params[0]);
	hooks_request(x, GW_BBB_CALL(hooks_destroy), &qb, finish_destroy);
	gw_query_deinit(&qb);
}

/* The tenant's hooks (the list comes filtered to them): destroy the hook when it is one. */
static void destroy_if_own(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	json_t *hooks = json_object_get(gw_bbb_reply_body_json(r), "hooks"); /* borrowed */
	json_t *h;
	size_t i;

	json_array_foreach (hooks, i, h) {
		json_t *id = json_object_get(h, "hookID");
		char text[32];

		if (json_is_integer(id))
			snprintf(text, sizeof(text), "%" JSON_INTEGER_FORMAT,
				 json_integer_value(id));
		else
			snprintf(text, sizeof(text), "%s",
				 json_is_string(id) ? json_string_value(id) : "");
		if (strcmp(text, x->req.params[0]) == 0) {
			destroy(x);
			return;
		}
	}
	gw_response_problem(x, GW_E_BBB_NOT_FOUND, "No hook with that hookID", NULL);
}

void gw_handle_hook_delete(struct gw_exchange *x)
{
	struct gw_query qb;

	if (!gw_binding_unbound_only(x))
		return;
	if (gw_tenant_of(x) == NULL) {
		destroy(x);
		return;
	}
	gw_query_init(&qb);
	hooks_request(x, GW_BBB_CALL(hooks_list), &qb, destroy_if_own);
	gw_query_deinit(&qb);
}
