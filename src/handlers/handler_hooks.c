/*
 * handler_hooks.c - bbb-webhooks registrations: list, create, destroy.
 * These calls go to the webhooks service under the same API path, named
 * "hooks/<verb>" in the checksum, and signed with bbb.hooks_checksum
 * (some installations accept only SHA-1), as their bbb_calls.h entries say.
 *
 * With a fleet of several servers each server numbers its own hooks: a
 * hookID is "<server>:<id>" (gw_bbb_hook_id). A hook of one meeting is
 * made on the meeting's server; a global hook (no meetingID) on every
 * server that takes calls, one after the other, and its hookID lists them
 * all ("bbb1:3,bbb2:5,bbb3:1"); DELETE takes such an id apart and
 * destroys each on its server. The list comes merged from every server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bbb_api.h"
#include "binding.h"
#include "bbb_query.h"
#include "bbb_route.h"
#include "buf.h"
#include "fleet.h"
#include "gw_limits.h"
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

/* The longest own hookID of one server kept, and a fleet hookID's room. */
#define OWN_ID_MAX 32u
#define FLEET_ID_MAX (GW_MAX_SERVERS * (GW_FLEET_NAME_MAX + OWN_ID_MAX + 2u))

/* A hook's registrations on several servers: a global create, or a delete. */
struct across {
	char server[GW_MAX_SERVERS][GW_FLEET_NAME_MAX + 1];
	char id[GW_MAX_SERVERS][OWN_ID_MAX]; /* delete: each server's own id */
	size_t n, next;
	char *query;       /* create: the encoded query */
	struct gw_buf ids; /* create: "<server>:<id>,..." so far */
	bool existed;      /* create: every server had the hook already */
};

static void across_free(void *arg)
{
	struct across *a = arg;

	free(a->query);
	gw_buf_deinit(&a->ids);
	free(a);
}

/* The hookID of a reply, as text, into out; false when it has none. */
static bool own_id(json_t *body, char *out, size_t size)
{
	json_t *id = json_object_get(body, "hookID");

	if (json_is_integer(id))
		snprintf(out, size, "%" JSON_INTEGER_FORMAT, json_integer_value(id));
	else if (json_is_string(id) && json_string_length(id) > 0)
		snprintf(out, size, "%s", json_string_value(id));
	else
		return false;
	return true;
}

/* Answers the create with the reply's body, its hookID replaced by hook_id. */
static void respond_create(struct gw_exchange *x, struct gw_bbb_reply *r, int status,
			   const char *hook_id)
{
	json_t *body = gw_bbb_reply_body_json(r); /* borrowed */

	if (body == NULL) {
		gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
		return;
	}
	json_object_set_new(body, "hookID", json_string(hook_id));
	gw_response_json(x, status, json_incref(body));
}

static void finish_create(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	bool existed = r->message_key != NULL && strcmp(r->message_key, "duplicateWarning") == 0;
	const char *server = gw_bbb_server_name(x);
	char own[OWN_ID_MAX], both[GW_FLEET_NAME_MAX + OWN_ID_MAX + 2];

	/* a meeting's hook on one server of several: the hookID says which */
	if (server != NULL && x->req.cfg->n_servers > 1 &&
	    own_id(gw_bbb_reply_body_json(r), own, sizeof(own))) {
		gw_bbb_hook_id(server, own, both, sizeof(both));
		respond_create(x, r, existed ? 200 : 201, both);
		return;
	}
	gw_bbb_respond_body(x, existed ? 200 : 201, r);
}

static void create_next(struct gw_exchange *x);

/* One server took the global hook: on to the next, or the answer with every id. */
static void created_one(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	struct across *a = gw_bbb_state(x);
	char own[OWN_ID_MAX], both[GW_FLEET_NAME_MAX + OWN_ID_MAX + 2];

	if (!own_id(gw_bbb_reply_body_json(r), own, sizeof(own))) {
		gw_response_problem(x, GW_E_UPSTREAM_BAD_REPLY, "bbb-webhooks gave no hookID",
				    NULL);
		return;
	}
	a->existed &= r->message_key != NULL && strcmp(r->message_key, "duplicateWarning") == 0;
	gw_bbb_hook_id(a->server[a->next], own, both, sizeof(both));
	if ((a->next > 0 && gw_buf_append(&a->ids, ",", 1) != GW_OK) ||
	    gw_buf_append(&a->ids, both, strlen(both)) != GW_OK) {
		gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
		return;
	}
	if (++a->next < a->n) {
		create_next(x);
		return;
	}
	respond_create(x, r, a->existed ? 200 : 201, gw_buf_str(&a->ids));
}

static void create_next(struct gw_exchange *x)
{
	struct across *a = gw_bbb_state(x);

	if (!gw_bbb_use_server(x, a->server[a->next])) {
		gw_response_problem(x, GW_E_UNAVAILABLE, "A BBB server left the configuration",
				    NULL);
		return;
	}
	gw_bbb_request(x, &(struct gw_bbb_req){.call = GW_BBB_CALL(hooks_create),
					       .query = a->query,
					       .finish = created_one});
}

/* A hook of every meeting with a fleet of several: made on each server that takes calls. */
static bool create_everywhere(struct gw_exchange *x, struct gw_query *qb)
{
	const char *names[GW_MAX_SERVERS];
	size_t n = gw_bbb_fleet_servers(x, names, GW_MAX_SERVERS);
	struct across *a;

	if (n == 0)
		return false;
	if (gw_query_failed(x, qb))
		return true;
	a = calloc(1, sizeof(*a));
	if (a == NULL || (a->query = strdup(gw_query_str(qb))) == NULL) {
		free(a);
		gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
		return true;
	}
	gw_buf_init(&a->ids, FLEET_ID_MAX);
	for (size_t i = 0; i < n; i++)
		snprintf(a->server[i], sizeof(a->server[i]), "%s", names[i]);
	a->n = n;
	a->existed = true;
	if (!gw_bbb_use_server(x, a->server[0])) {
		across_free(a);
		gw_response_problem(x, GW_E_UNAVAILABLE, NULL, NULL);
		return true;
	}
	gw_bbb_request(x, &(struct gw_bbb_req){.call = GW_BBB_CALL(hooks_create),
					       .query = a->query,
					       .finish = created_one,
					       .state = a,
					       .state_free = across_free});
	return true;
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
	if (json_object_get(body, "meetingID") != NULL || !create_everywhere(x, &qb))
		hooks_request(x, GW_BBB_CALL(hooks_create), &qb, finish_create);
	gw_query_deinit(&qb);
	json_decref(body);
}

static void finish_destroy(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	(void)r;
	gw_response_json(x, 200, json_pack("{s:s, s:b}", "hookID", x->req.params[0], "removed", 1));
}

static void destroy_next(struct gw_exchange *x);

/* One server dropped its part: on to the next, or the answer. */
static void destroyed_one(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	struct across *a = gw_bbb_state(x);

	if (++a->next < a->n)
		destroy_next(x);
	else
		finish_destroy(x, r);
}

static void destroy_next(struct gw_exchange *x)
{
	struct across *a = gw_bbb_state(x);
	struct gw_query qb;

	if (!gw_bbb_use_server(x, a->server[a->next])) {
		gw_response_problem(x, GW_E_BBB_NOT_FOUND, "No hook with that hookID", NULL);
		return;
	}
	gw_query_init(&qb);
	gw_query_add(&qb, "hookID", a->id[a->next]);
	if (!gw_query_failed(x, &qb))
		gw_bbb_request(x, &(struct gw_bbb_req){.call = GW_BBB_CALL(hooks_destroy),
						       .query = gw_query_str(&qb),
						       .finish = destroyed_one});
	gw_query_deinit(&qb);
}

/*
 * A fleet hookID taken apart ("<server>:<id>", comma-separated): false
 * (and the 404 written) when it is not one, or names a server twice.
 */
static bool split_fleet_id(struct gw_exchange *x, struct across *a)
{
	const char *p = x->req.params[0];

	while (*p != '\0' && a->n < GW_MAX_SERVERS) {
		size_t len = strcspn(p, ",");

		if (!gw_bbb_hook_id_split(p, len, a->server[a->n], sizeof(a->server[0]),
					  a->id[a->n], sizeof(a->id[0])))
			break;
		for (size_t i = 0; i < a->n; i++) {
			if (strcmp(a->server[i], a->server[a->n]) == 0)
				goto bad;
		}
		a->n++;
		p += len;
		if (*p == ',' && p[1] != '\0')
			p++;
		else if (*p != '\0')
			break;
	}
	if (*p == '\0' && a->n > 0)
		return true;
bad:
	gw_response_problem(x, GW_E_BBB_NOT_FOUND, "No hook with that hookID", NULL);
	return false;
}

static void destroy(struct gw_exchange *x)
{
	struct gw_query qb;
	struct across *a;

	if (x->req.cfg->n_servers > 1) {
		a = calloc(1, sizeof(*a));
		if (a == NULL) {
			gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
			return;
		}
		gw_buf_init(&a->ids, 1);
		if (!split_fleet_id(x, a) || !gw_bbb_use_server(x, a->server[0])) {
			if (x->resp.status == 0)
				gw_response_problem(x, GW_E_BBB_NOT_FOUND,
						    "No hook with that hookID", NULL);
			across_free(a);
			return;
		}
		gw_query_init(&qb);
		gw_query_add(&qb, "hookID", a->id[0]);
		if (gw_query_failed(x, &qb))
			across_free(a);
		else
			gw_bbb_request(x, &(struct gw_bbb_req){.call = GW_BBB_CALL(hooks_destroy),
							       .query = gw_query_str(&qb),
							       .finish = destroyed_one,
							       .state = a,
							       .state_free = across_free});
		gw_query_deinit(&qb);
		return;
	}
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
