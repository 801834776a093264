/*
 * handler_meetings.c - the meeting lifecycle: create, list, info, running,
 * join (a signed URL, no BBB call) and end. Each handler validates the
 * JSON it gets against BBB's parameter tables, builds the encoded query
 * and lets bbb_api run the call; the finish functions shape the reply.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bbb_api.h"
#include "bbb_route.h"
#include "bbb_modules.h"
#include "bbb_query.h"
#include "binding.h"
#include "config.h"
#include "crypto.h"
#include "handlers.h"
#include "log.h"
#include "str.h"
#include "tenant.h"
#include "xml2json.h"

static bool userdata_name_ok(const char *name)
{
	const char *p;

	for (p = name; *p != '\0'; p++) {
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '.'))
			return false;
	}
	return p != name;
}

static const char *path_meeting_id(struct gw_exchange *x)
{
	return x->req.params[0];
}

static void finish_body(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	gw_bbb_respond_body(x, 200, r);
}

static void finish_list(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	gw_binding_respond_list(x, r, "meetings", "meetingID");
}

void gw_handle_meetings_list(struct gw_exchange *x)
{
	gw_bbb_request(x, &(struct gw_bbb_req){.call = GW_BBB_CALL(getMeetings),
					       .finish = finish_list});
}

static void request_with_id(struct gw_exchange *x, const struct gw_bbb_call_def *call)
{
	struct gw_query qb;

	gw_query_init(&qb);
	gw_tenant_query_meeting(x, &qb, path_meeting_id(x));
	if (!gw_query_failed(x, &qb))
		gw_bbb_request(x, &(struct gw_bbb_req){.call = call,
						       .query = gw_query_str(&qb),
						       .finish = finish_body});
	gw_query_deinit(&qb);
}

void gw_handle_meeting_get(struct gw_exchange *x)
{
	request_with_id(x, GW_BBB_CALL(getMeetingInfo));
}

void gw_handle_meeting_running(struct gw_exchange *x)
{
	request_with_id(x, GW_BBB_CALL(isMeetingRunning));
}

void gw_handle_meeting_end(struct gw_exchange *x)
{
	struct gw_query qb;
	json_t *body = NULL;
	const char *key;
	json_t *v;

	if (gw_request_json_object(x, false, &body) != GW_OK)
		return;
	gw_query_init(&qb);
	gw_tenant_query_meeting(x, &qb, path_meeting_id(x));
	json_object_foreach (body, key, v) {
		if (strcmp(key, "password") == 0)
			gw_query_add_json(&qb, key, key, GW_PARAM_STRING, false, v);
		else
			gw_query_fail(&qb, GW_E_BAD_REQUEST, key,
				      "Unknown field (only 'password')");
	}
	if (!gw_query_failed(x, &qb))
		gw_bbb_request(x, &(struct gw_bbb_req){.call = GW_BBB_CALL(end),
						       .query = gw_query_str(&qb),
						       .finish = finish_body});
	gw_query_deinit(&qb);
	json_decref(body);
}

static void finish_create(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	json_t *id = json_object_get(gw_bbb_reply_body_json(r), "meetingID"); /* borrowed */
	bool existed = r->message_key != NULL && strcmp(r->message_key, "duplicateWarning") == 0;
	struct gw_buf loc;

	gw_buf_init(&loc, GW_MAX_PATH_LEN * 3);
	if (json_is_string(id) && gw_buf_append_str(&loc, "/v1/meetings/") == GW_OK &&
	    gw_str_path_encode(&loc, json_string_value(id)) == GW_OK)
		gw_response_header(&x->resp, "Location", gw_buf_str(&loc));
	gw_buf_deinit(&loc);
	gw_bbb_respond_body(x, existed ? 200 : 201, r);
}

/* The tenant has tenants[].max_meetings meetings. */
static void quota_full(struct gw_exchange *x)
{
	gw_response_retry(x, GW_E_QUOTA_EXCEEDED, 5,
			  "The tenant has as many meetings as it may have (max_meetings)");
}

/* A random meeting ID in UUID v4 form. */
static enum gw_err new_meeting_id(char out[37])
{
	unsigned char b[16];
	char hex[33];
	enum gw_err err = gw_crypto_random(b, sizeof(b));

	if (err != GW_OK)
		return err;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	gw_crypto_hex(b, sizeof(b), hex);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
	return GW_OK;
}

/*
 * Create parameters and metadata keys whose URL BBB itself calls or
 * downloads (BBB lowercases metadata keys, so those match in any case).
 */
static const char *const fetched_params[] = {"meetingEndedURL", "preUploadedPresentation"};
static const char *const fetched_meta[] = {"endCallbackUrl", "bbb-recording-ready-url",
					   "analytics-callback-url"};

static bool listed(const char *key, const char *const *list, size_t n, bool any_case)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((any_case ? strcasecmp(key, list[i]) : strcmp(key, list[i])) == 0)
			return true;
	return false;
}

/* Fails qb (400, field named) when BBB must not fetch the string value v. */
static void check_fetched(struct gw_query *qb, const struct gw_config *cfg, const char *field,
			  json_t *v)
{
	if (!json_is_string(v) || qb->err != GW_OK)
		return; /* the type check of the parameter itself reports it */
	(void)gw_query_fetch_url_ok(qb, field, json_string_value(v), cfg->fetch_allow,
				    cfg->n_fetch_allow);
}

static void check_fetched_meta(struct gw_query *qb, const struct gw_config *cfg, json_t *meta)
{
	const char *key;
	json_t *v;
	char field[160];

	json_object_foreach (meta, key, v) {
		if (!listed(key, fetched_meta, GW_ARRAY_SIZE(fetched_meta), true))
			continue;
		snprintf(field, sizeof(field), "metadata.%s", key);
		check_fetched(qb, cfg, field, v);
	}
}

/*
 * Parameters that reach beyond one meeting (a voice bridge another meeting
 * may use, a breakout's parent, a voice conference to join): not for a
 * meeting-bound token, which also forwards no parameter the gateway does
 * not know.
 */
static const char *const bound_denied[] = {"voiceBridge", "parentMeetingID", "isBreakout",
					   "webVoiceConf"};

/* False (qb failed with 403 meeting_not_allowed) when a meeting-bound token may not send key. */
static bool bound_param_ok(struct gw_query *qb, bool bound, const char *key, bool known)
{
	if (!bound || (known && !listed(key, bound_denied, GW_ARRAY_SIZE(bound_denied), false)))
		return true;
	gw_query_fail(qb, GW_E_MEETING_NOT_ALLOWED, key,
		      known ? "A meeting-bound token cannot set this parameter"
			    : "A meeting-bound token cannot send parameters the gateway does not "
			      "know");
	return false;
}

/*
 * The tenant's rule for the create member key (BBB's name; a metadata key
 * as meta_<key>) with JSON value v: false, with qb failed, when denied;
 * *keep false when the policy replaces it.
 */
static bool tenant_rule(struct gw_query *qb, const struct gw_tenant *t, const char *name,
			const char *field, json_t *v, bool *keep)
{
	char num[32];
	const char *text = json_string_value(v);
	enum gw_tenant_rule rule;

	if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		text = num;
	}
	rule = gw_tenant_create_rule(t, name, text != NULL ? text : "");
	*keep = rule == GW_TENANT_KEEP;
	if (rule != GW_TENANT_DENY)
		return true;
	gw_query_fail(qb, GW_E_PARAM_DENIED, field, "The tenant does not allow this parameter");
	return false;
}

/* The metadata a tenant's caller keeps (a new reference), or NULL with qb failed. */
static json_t *tenant_metadata(struct gw_query *qb, const struct gw_tenant *t, json_t *meta)
{
	json_t *kept = json_is_object(meta) ? json_object() : json_incref(meta);
	char name[300];
	char field[300];
	const char *key;
	json_t *v;
	bool keep;

	if (!json_is_object(meta) || kept == NULL)
		return kept;
	json_object_foreach (meta, key, v) {
		snprintf(name, sizeof(name), "meta_%s", key);
		snprintf(field, sizeof(field), "metadata.%s", key);
		if (!tenant_rule(qb, t, name, field, v, &keep)) {
			json_decref(kept);
			return NULL;
		}
		if (keep)
			json_object_set(kept, key, v);
	}
	return kept;
}

/* Members of the create and join bodies the gateway handles itself, never raw BBB parameters. */
static const char *const create_own[] = {"name", "meetingID", "metadata", "presentations", "bbb"};
static const char *const join_own[] = {"fullName",  "role",     "password",
				       "meetingID", "userdata", "bbb"};

/* The rules raw BBB parameters of one body pass. */
struct raw_rules {
	const char *const *own; /* members the gateway handles itself */
	size_t n_own;
	const struct gw_bbb_param *(*known)(const char *name); /* its typed parameters */
	const struct gw_tenant *t;                             /* create's policy; NULL for join */
	bool bound;                                            /* a meeting-bound token */
};

/*
 * "bbb": raw BBB parameters the caller opts into, an object of scalars
 * forwarded as they are. Each member goes the way of an unknown top-level
 * member (bbb.forward_unknown_params, the name rules, a tenant's policy, no
 * meeting-bound token), but says it is one. A name the gateway checks
 * itself (its own members, the typed parameters), or one the body also has
 * at its top level, is 400: the member is the way to send it, so no raw
 * value skips a check.
 */
static void raw_params(struct gw_query *qb, const struct gw_config *cfg, json_t *body, json_t *raw,
		       const struct raw_rules *r)
{
	char field[256];
	char detail[400];
	const char *key;
	json_t *v;
	bool keep;

	if (!json_is_object(raw)) {
		gw_query_fail(qb, GW_E_BAD_REQUEST, "bbb",
			      "'bbb' must be an object of BBB parameters (strings, integers, "
			      "booleans)");
		return;
	}
	json_object_foreach (raw, key, v) {
		snprintf(field, sizeof(field), "bbb.%s", key);
		if (listed(key, r->own, r->n_own, false) || r->known(key) != NULL)
			snprintf(detail, sizeof(detail),
				 "'%s' is checked by the gateway: send it as a member of the body, "
				 "not as a raw parameter",
				 field);
		else if (json_object_get(body, key) != NULL)
			snprintf(detail, sizeof(detail), "'%s' is also a member of the body",
				 field);
		else
			detail[0] = '\0';
		if (detail[0] != '\0') {
			gw_query_fail(qb, GW_E_BAD_REQUEST, field, detail);
			return;
		}
		if (!tenant_rule(qb, r->t, key, field, v, &keep) || !keep)
			continue;
		if (bound_param_ok(qb, r->bound, field, false))
			gw_query_add_unknown(qb, cfg, key, field, v);
	}
}

/* What gw_tenant_create_fill asks of a JSON create body. */
struct create_fill {
	struct gw_query *qb;
	const struct gw_tenant *t;
	json_t *body;
};

static bool fill_has(void *arg, const char *name)
{
	struct create_fill *f = arg;
	json_t *meta = json_object_get(f->body, "metadata");
	const char *key;
	json_t *v;
	bool keep = false;

	if (strncmp(name, "meta_", 5) != 0) {
		v = json_object_get(f->body, name);
		if (v == NULL) /* a raw parameter; json_object_get(NULL or a non-object) is NULL */
			v = json_object_get(json_object_get(f->body, "bbb"), name);
		return v != NULL && tenant_rule(f->qb, f->t, name, name, v, &keep) && keep;
	}
	json_object_foreach (meta, key, v) {
		if (strcasecmp(key, name + 5) == 0)
			return gw_tenant_create_rule(f->t, name, "") == GW_TENANT_KEEP;
	}
	return false;
}

static bool fill_add(void *arg, const char *name, const char *value)
{
	struct create_fill *f = arg;

	gw_query_add(f->qb, name, value);
	return f->qb->err == GW_OK;
}

static void create_params(struct gw_query *qb, const struct gw_config *cfg,
			  const struct gw_tenant *t, json_t *body, bool bound)
{
	struct create_fill fill = {qb, t, body};
	const struct raw_rules raw = {create_own, GW_ARRAY_SIZE(create_own), gw_bbb_create_param, t,
				      bound};
	const char *key;
	json_t *v;
	bool keep;

	json_object_foreach (body, key, v) {
		const struct gw_bbb_param *p;

		if (strcmp(key, "name") == 0 || strcmp(key, "meetingID") == 0)
			continue;
		if (strcmp(key, "bbb") == 0) {
			raw_params(qb, cfg, body, v, &raw);
			continue;
		}
		if (strcmp(key, "metadata") == 0) {
			json_t *kept = tenant_metadata(qb, t, v);

			check_fetched_meta(qb, cfg, kept);
			if (kept != NULL)
				gw_query_add_map(qb, kept, key, "meta_", gw_bbb_meta_name_ok);
			json_decref(kept);
			continue;
		}
		if (!tenant_rule(qb, t, key, key, v, &keep) || !keep)
			continue;
		if (listed(key, fetched_params, GW_ARRAY_SIZE(fetched_params), false))
			check_fetched(qb, cfg, key, v);
		if (strcmp(key, "presentations") == 0)
			continue; /* the XML body, built apart */
		p = gw_bbb_create_param(key);
		if (!bound_param_ok(qb, bound, key, p != NULL))
			continue;
		if (p != NULL)
			gw_query_add_json(qb, key, key, p->type, false, v);
		else
			gw_query_add_unknown(qb, cfg, key, key, v);
	}
	if (qb->err == GW_OK)
		(void)gw_tenant_create_fill(t, fill_has, fill_add, &fill);
}

/*
 * With presentations, create is a POST whose body is the <modules> XML;
 * the parameters stay in the signed URL. Returns the body (malloc'd) or
 * NULL, with the problem in qb when the documents are not valid.
 */
static char *documents_xml(struct gw_exchange *x, struct gw_query *qb, json_t *docs, size_t *len)
{
	struct gw_buf xml;
	char *p = NULL;

	gw_buf_init(&xml, x->req.cfg->max_body_bytes * 2 + 4096);
	gw_bbb_modules_xml(qb, docs, "presentations", x->req.cfg->fetch_allow,
			   x->req.cfg->n_fetch_allow, &xml);
	if (qb->err == GW_OK) {
		p = gw_buf_take(&xml, len);
		if (p == NULL)
			gw_query_fail(qb, GW_E_NOMEM, "presentations", "Out of memory");
	}
	gw_buf_deinit(&xml);
	return p;
}

/*
 * Requests r with qb's query, as a POST of xml when xml is not NULL
 * (taken); a create of meeting bbb_id (not NULL) goes through the tenant's
 * quota.
 */
static void request_with_xml(struct gw_exchange *x, struct gw_bbb_req r, struct gw_query *qb,
			     char *xml, size_t len, const char *bbb_id)
{
	if (gw_query_failed(x, qb)) {
		free(xml);
		return;
	}
	r.query = gw_query_str(qb);
	r.body = xml;
	r.body_len = len;
	r.content_type = "application/xml";
	if (bbb_id != NULL)
		gw_tenant_create(x, &r, bbb_id, quota_full);
	else
		gw_bbb_request(x, &r);
}

void gw_handle_meetings_create(struct gw_exchange *x)
{
	json_t *body = NULL;
	const char *name;
	const char *id;
	char generated[37];
	struct gw_query qb;
	json_t *docs;
	char *xml = NULL;
	size_t len = 0;

	if (gw_request_json_object(x, true, &body) != GW_OK)
		return;
	if (!gw_request_string(x, body, "name", true, &name) ||
	    !gw_request_string(x, body, "meetingID", false, &id))
		goto out;
	if (gw_binding_bound(x) && !gw_token_meeting_allowed(x->req.token, id)) {
		gw_response_problem(x, GW_E_MEETING_NOT_ALLOWED,
				    id == NULL ? "This token must name one of its meetings as "
						 "'meetingID'"
					       : "The token does not allow this meeting",
				    "meetingID");
		goto out;
	}
	if (!gw_config_tenant_id_ok(x->req.cfg, x->req.tenant, id)) {
		gw_response_problem(x, GW_E_PARAM_DENIED,
				    "A meetingID may not start with a tenant's prefix",
				    "meetingID");
		goto out;
	}
	if (id == NULL) {
		if (new_meeting_id(generated) != GW_OK) {
			gw_response_problem(x, GW_E_INTERNAL, "No random bytes", NULL);
			goto out;
		}
		id = generated;
	}
	gw_query_init(&qb);
	gw_query_add(&qb, "name", name);
	gw_tenant_query_meeting(x, &qb, id);
	create_params(&qb, x->req.cfg, x->req.tenant, body, gw_binding_bound(x));
	docs = json_object_get(body, "presentations"); /* borrowed */
	if (docs != NULL && qb.err == GW_OK)
		xml = documents_xml(x, &qb, docs, &len);
	request_with_xml(x,
			 (struct gw_bbb_req){.call = GW_BBB_CALL(create), .finish = finish_create},
			 &qb, xml, len, gw_tenant_bbb_id(x, id));
	gw_query_deinit(&qb);
out:
	json_decref(body);
}

/* role (MODERATOR|VIEWER, any case) or password; at least one is required. */
static bool join_role(struct gw_exchange *x, struct gw_query *qb, json_t *body)
{
	json_t *role = json_object_get(body, "role");   /* borrowed */
	json_t *pw = json_object_get(body, "password"); /* borrowed */
	const char *r;

	if (role == NULL && pw == NULL) {
		gw_response_problem(x, GW_E_BAD_REQUEST, "'role' (or 'password') is required",
				    "role");
		return false;
	}
	if (role != NULL) {
		r = json_is_string(role) ? json_string_value(role) : "";
		if (strcasecmp(r, "MODERATOR") != 0 && strcasecmp(r, "VIEWER") != 0) {
			gw_response_problem(x, GW_E_BAD_REQUEST,
					    "'role' must be \"MODERATOR\" or \"VIEWER\"", "role");
			return false;
		}
		gw_query_add(qb, "role", strcasecmp(r, "MODERATOR") == 0 ? "MODERATOR" : "VIEWER");
	}
	if (pw != NULL)
		gw_query_add_json(qb, "password", "password", GW_PARAM_STRING, false, pw);
	return true;
}

static void join_params(struct gw_query *qb, const struct gw_config *cfg, json_t *body, bool bound)
{
	const struct raw_rules raw = {join_own, GW_ARRAY_SIZE(join_own), gw_bbb_join_param, NULL,
				      bound};
	const char *key;
	json_t *v;

	json_object_foreach (body, key, v) {
		const struct gw_bbb_param *p;

		if (strcmp(key, "fullName") == 0 || strcmp(key, "role") == 0 ||
		    strcmp(key, "password") == 0 || strcmp(key, "meetingID") == 0)
			continue;
		if (strcmp(key, "userdata") == 0) {
			gw_query_add_map(qb, v, key, "userdata-", userdata_name_ok);
			continue;
		}
		if (strcmp(key, "bbb") == 0) {
			raw_params(qb, cfg, body, v, &raw);
			continue;
		}
		p = gw_bbb_join_param(key);
		if (!bound_param_ok(qb, bound, key, p != NULL))
			continue;
		if (p != NULL)
			gw_query_add_json(qb, key, key, p->type, false, v);
		else
			gw_query_add_unknown(qb, cfg, key, key, v);
	}
}

static void join_answer(struct gw_exchange *x)
{
	struct gw_buf url;
	enum gw_err err;

	gw_buf_init(&url, GW_MAX_URL_BYTES);
	err = gw_bbb_join_url(x, x->bbb.find_query, &url);
	if (err != GW_OK)
		gw_response_problem(x, err == GW_E_TOO_LARGE ? GW_E_BODY_TOO_LARGE : err,
				    "The join URL could not be built", NULL);
	else
		gw_response_json(x, 200, json_pack("{s:s}", "url", gw_buf_str(&url)));
	gw_buf_deinit(&url);
}

void gw_handle_meeting_join(struct gw_exchange *x)
{
	const struct gw_config *cfg = x->req.cfg;
	json_t *body = NULL;
	const char *full_name;
	struct gw_query qb;

	if (gw_request_json_object(x, true, &body) != GW_OK)
		return;
	gw_query_init(&qb);
	if (!gw_binding_join(x, body) || !gw_request_string(x, body, "fullName", true, &full_name))
		goto out;
	gw_query_add(&qb, "fullName", full_name);
	gw_tenant_query_meeting(x, &qb, path_meeting_id(x));
	if (!join_role(x, &qb, body))
		goto out;
	join_params(&qb, cfg, body, gw_binding_bound(x));
	if (gw_query_failed(x, &qb))
		goto out;
	/* the URL goes to the meeting's server: found first when the map does not know it */
	gw_bbb_with_meeting_server(x, gw_tenant_bbb_id(x, path_meeting_id(x)), gw_query_str(&qb),
				   join_answer);
out:
	gw_query_deinit(&qb);
	json_decref(body);
}

static void finish_accepted(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	json_t *out = json_pack("{s:s}", "meetingID", path_meeting_id(x));

	if (out != NULL && r->message != NULL)
		json_object_set_new(out, "message", json_string(r->message));
	gw_response_json(x, 202, out);
}

/* insertDocument answers FAILED without a messageKey; "Meeting with id [x] not found." is a 404. */
static void documents_failed(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	json_t *extra;

	if (r->message_key != NULL || r->message == NULL ||
	    strstr(r->message, "not found") == NULL) {
		gw_bbb_fail(x, r);
		return;
	}
	extra = json_pack("{s:s}", "message", gw_bbb_message(x, r));
	gw_response_problem_extra(x, GW_E_BBB_NOT_FOUND, gw_bbb_message(x, r), NULL, extra);
	json_decref(extra);
}

void gw_handle_meeting_documents(struct gw_exchange *x)
{
	json_t *body = NULL;
	char *xml = NULL;
	size_t len = 0;
	struct gw_query qb;
	const char *key;
	json_t *v;

	if (gw_request_json_object(x, true, &body) != GW_OK)
		return;
	gw_query_init(&qb);
	json_object_foreach (body, key, v) {
		if (strcmp(key, "presentations") != 0)
			gw_query_fail(&qb, GW_E_BAD_REQUEST, key,
				      "Unknown field (only 'presentations')");
	}
	if (json_object_get(body, "presentations") == NULL)
		gw_query_fail(&qb, GW_E_BAD_REQUEST, "presentations",
			      "'presentations' is required");
	gw_tenant_query_meeting(x, &qb, path_meeting_id(x));
	if (qb.err == GW_OK)
		xml = documents_xml(x, &qb, json_object_get(body, "presentations"), &len);
	request_with_xml(x,
			 (struct gw_bbb_req){.call = GW_BBB_CALL(insertDocument),
					     .finish = finish_accepted,
					     .on_failed = documents_failed},
			 &qb, xml, len, NULL);
	gw_query_deinit(&qb);
	json_decref(body);
}

/* Number of Unicode code points in valid UTF-8. */
static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

void gw_handle_meeting_chat(struct gw_exchange *x)
{
	json_t *body = NULL;
	const char *message;
	const char *user;
	struct gw_query qb;
	const char *key;
	json_t *v;

	if (gw_request_json_object(x, true, &body) != GW_OK)
		return;
	if (!gw_request_string(x, body, "message", true, &message) ||
	    !gw_request_string(x, body, "userName", false, &user))
		goto out;
	gw_query_init(&qb);
	json_object_foreach (body, key, v) {
		if (strcmp(key, "message") != 0 && strcmp(key, "userName") != 0)
			gw_query_fail(&qb, GW_E_BAD_REQUEST, key,
				      "Unknown field (only 'message' and 'userName')");
	}
	if (utf8_chars(message) > 500)
		gw_query_fail(&qb, GW_E_BAD_REQUEST, "message",
			      "'message' is limited to 500 characters");
	if (user != NULL && utf8_chars(user) > 255)
		gw_query_fail(&qb, GW_E_BAD_REQUEST, "userName",
			      "'userName' is limited to 255 characters");
	gw_tenant_query_meeting(x, &qb, path_meeting_id(x));
	gw_query_add(&qb, "message", message);
	if (user != NULL)
		gw_query_add(&qb, "userName", user);
	if (!gw_query_failed(x, &qb))
		gw_bbb_request(x, &(struct gw_bbb_req){.call = GW_BBB_CALL(sendChatMessage),
						       .query = gw_query_str(&qb),
						       .finish = finish_accepted});
	gw_query_deinit(&qb);
out:
	json_decref(body);
}
