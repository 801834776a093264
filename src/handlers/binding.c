/*
 * binding.c - the meeting binding of browser tokens in the handlers (see
 * binding.h); the route-level check of a {meetingID} is the pipeline's.
 */
#include "binding.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "bbb_api.h"

bool gw_binding_bound(const struct gw_exchange *x)
{
	return gw_token_meeting_bound(x->req.token);
}

bool gw_binding_unbound_only(struct gw_exchange *x)
{
	if (!gw_binding_bound(x))
		return true;
	gw_response_problem(x, GW_E_MEETING_NOT_ALLOWED,
			    "A meeting-bound token cannot use a route that reaches every meeting",
			    NULL);
	return false;
}

void gw_binding_respond_list(struct gw_exchange *x, struct gw_bbb_reply *r, const char *list,
			     const char *id_field)
{
	json_t *body;
	json_t *arr;
	size_t i = 0;

	if (!gw_binding_bound(x)) {
		gw_bbb_respond_body(x, 200, r);
		return;
	}
	body = gw_bbb_reply_body_json(r); /* borrowed */
	if (body == NULL) {
		gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
		return;
	}
	arr = json_object_get(body, list); /* borrowed */
	while (i < json_array_size(arr)) {
		const char *id =
			json_string_value(json_object_get(json_array_get(arr, i), id_field));

		if (id != NULL && gw_token_meeting_allowed(x->req.token, id))
			i++;
		else
			json_array_remove(arr, i);
	}
	json_object_del(body, "totalElements");
	json_object_del(body, "pagination");
	gw_response_json(x, 200, json_incref(body));
}

static bool mismatch(struct gw_exchange *x, const char *field)
{
	char detail[160];

	snprintf(detail, sizeof(detail), "'%s' differs from the value the token binds", field);
	gw_response_problem(x, GW_E_CLAIM_MISMATCH, detail, field);
	return false;
}

/* Sets obj.field to the bound value, or checks that the body's equals it. */
static bool bind_string(struct gw_exchange *x, json_t *obj, const char *field, const char *label,
			const char *bound)
{
	json_t *v = json_object_get(obj, field); /* borrowed */

	if (bound == NULL)
		return true;
	if (v == NULL)
		return json_object_set_new(obj, field, json_string(bound)) == 0 ||
		       (gw_response_problem(x, GW_E_NOMEM, NULL, NULL), false);
	if (!json_is_string(v) || strcmp(json_string_value(v), bound) != 0)
		return mismatch(x, label);
	return true;
}

static bool bind_userdata(struct gw_exchange *x, json_t *body, const struct gw_token_claims *c)
{
	json_t *ud;
	char label[160];

	if (c->n_userdata == 0)
		return true;
	ud = json_object_get(body, "userdata"); /* borrowed */
	if (ud == NULL) {
		ud = json_object();
		if (ud == NULL || json_object_set_new(body, "userdata", ud) != 0) {
			gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
			return false;
		}
	}
	if (!json_is_object(ud)) {
		gw_response_problem(x, GW_E_BAD_REQUEST, "'userdata' must be an object",
				    "userdata");
		return false;
	}
	for (size_t i = 0; i < c->n_userdata; i++) {
		snprintf(label, sizeof(label), "userdata.%s", c->userdata_keys[i]);
		if (!bind_string(x, ud, c->userdata_keys[i], label, c->userdata_values[i]))
			return false;
	}
	return true;
}

static bool bind_role(struct gw_exchange *x, json_t *body, enum gw_role cap)
{
	json_t *role = json_object_get(body, "role"); /* borrowed */
	const char *r = json_string_value(role);

	if (json_object_get(body, "password") != NULL) {
		if (cap >= GW_ROLE_MODERATOR)
			return true;
		gw_response_problem(x, GW_E_ROLE_NOT_ALLOWED,
				    "This token joins by 'role', not by 'password'", "password");
		return false;
	}
	if (role == NULL)
		return json_object_set_new(body, "role",
					   json_string(cap >= GW_ROLE_MODERATOR ? "MODERATOR"
										: "VIEWER")) == 0 ||
		       (gw_response_problem(x, GW_E_NOMEM, NULL, NULL), false);
	if (r != NULL && strcasecmp(r, "MODERATOR") == 0 && cap < GW_ROLE_MODERATOR) {
		gw_response_problem(x, GW_E_ROLE_NOT_ALLOWED,
				    "The token allows joining as VIEWER only", "role");
		return false;
	}
	return true; /* a bad role value is the join handler's 400 */
}

bool gw_binding_join(struct gw_exchange *x, json_t *body)
{
	const struct gw_token_claims *c = x->req.token != NULL ? x->req.token->claims : NULL;

	if (c == NULL)
		return true;
	return bind_role(x, body, c->role) &&
	       bind_string(x, body, "fullName", "fullName", c->full_name) &&
	       bind_string(x, body, "userID", "userID", c->sub) &&
	       bind_string(x, body, "avatarURL", "avatarURL", c->avatar_url) &&
	       bind_userdata(x, body, c);
}
