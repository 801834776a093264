/*
 * handler_meetings.c - the meeting lifecycle: create, list, info, running,
 * join (a signed URL, no BBB call) and end. Each handler validates the
 * JSON it gets against BBB's parameter tables, builds the encoded query
 * and lets bbb_api run the call; the finish functions shape the reply.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bbb_api.h"
#include "bbb_sign.h"
#include "config.h"
#include "crypto.h"
#include "handlers.h"
#include "log.h"
#include "str.h"
#include "xml2json.h"

/* A query under construction; the first error sticks and is reported once. */
struct query {
	struct gw_buf q;
	enum gw_err err;
	char detail[320];
	char field[256];
};

static void query_init(struct query *qb)
{
	gw_buf_init(&qb->q, GW_MAX_QUERY_BYTES);
	qb->err = GW_OK;
	qb->detail[0] = '\0';
	qb->field[0] = '\0';
}

static void query_fail(struct query *qb, enum gw_err err, const char *field, const char *detail)
{
	if (qb->err != GW_OK)
		return;
	qb->err = err;
	gw_str_copy(qb->field, sizeof(qb->field), field);
	gw_str_copy(qb->detail, sizeof(qb->detail), detail);
}

static void query_add(struct query *qb, const char *name, const char *value)
{
	enum gw_err err;

	if (qb->err != GW_OK)
		return;
	err = gw_bbb_query_add(&qb->q, name, value);
	if (err == GW_E_TOO_LARGE)
		query_fail(qb, GW_E_BODY_TOO_LARGE, name, "The parameters are too long for BBB");
	else if (err != GW_OK)
		query_fail(qb, err, name, "Out of memory");
}

/* Adds a typed JSON value as parameter `name`; field names the JSON member. */
static void query_add_json(struct query *qb, const char *name, const char *field,
			   enum gw_param_type t, bool lenient, json_t *v)
{
	static const char *const want[] = {
		[GW_PARAM_STRING] = "a string",
		[GW_PARAM_INT] = "a non-negative integer",
		[GW_PARAM_BOOL] = "a boolean",
		[GW_PARAM_LIST] = "an array of strings without commas",
		[GW_PARAM_JSON] = "JSON",
	};
	char detail[192];
	char *text = NULL;
	enum gw_err err;

	if (qb->err != GW_OK)
		return;
	err = gw_bbb_param_text(t, lenient, v, &text);
	if (err != GW_OK) {
		snprintf(detail, sizeof(detail), "'%s' must be %s",
			 field, lenient ? "a string, number or boolean" : want[t]);
		query_fail(qb, err, field, detail);
		return;
	}
	query_add(qb, name, text);
	free(text);
}

/* Writes the query's error as a problem; true when there was one. */
static bool query_failed(struct gw_exchange *x, struct query *qb)
{
	if (qb->err == GW_OK)
		return false;
	gw_response_problem(x, qb->err, qb->detail, qb->field[0] ? qb->field : NULL);
	return true;
}

/* A name BBB would accept as a parameter (forwarded unknown fields). */
static bool param_name_ok(const char *name)
{
	const char *p;

	if (strcmp(name, "checksum") == 0 || strncmp(name, "meta_", 5) == 0 ||
	    strncmp(name, "userdata", 8) == 0)
		return false;
	for (p = name; *p != '\0'; p++) {
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			return false;
	}
	return p != name && p - name <= 64;
}

static void add_unknown(struct query *qb, const struct gw_config *cfg, const char *key, json_t *v)
{
	char detail[192];

	if (!cfg->forward_unknown_params || !param_name_ok(key) ||
	    !(json_is_string(v) || json_is_integer(v) || json_is_boolean(v))) {
		snprintf(detail, sizeof(detail), "Unknown or unsupported field '%s'", key);
		query_fail(qb, GW_E_BAD_REQUEST, key, detail);
		return;
	}
	query_add_json(qb, key, key, GW_PARAM_STRING, true, v);
}

/* Adds an object of strings as <prefix><key> parameters. */
static void add_map(struct query *qb, json_t *obj, const char *member, const char *prefix,
		    bool (*name_ok)(const char *))
{
	char name[256];
	char field[256];
	const char *key;
	json_t *v;

	if (!json_is_object(obj)) {
		snprintf(field, sizeof(field), "'%s' must be an object of strings", member);
		query_fail(qb, GW_E_BAD_REQUEST, member, field);
		return;
	}
	json_object_foreach(obj, key, v) {
		snprintf(field, sizeof(field), "%s.%s", member, key);
		if (!name_ok(key) || strlen(key) > 200) {
			char detail[400];
			int w;

			w = snprintf(detail, sizeof(detail),
				 "'%s' is not a key BBB keeps (letters, digits%s)", field,
				 prefix[0] == 'm' ? " and '-', starting with a letter"
						  : " and '_', no '-'");
			if (w < 0)
				detail[0] = '\0';
			query_fail(qb, GW_E_BAD_REQUEST, field, detail);
			return;
		}
		snprintf(name, sizeof(name), "%s%s", prefix, key);
		query_add_json(qb, name, field, GW_PARAM_STRING, false, v);
	}
}

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
	gw_response_json(x, 200, r->body);
	r->body = NULL;
}

void gw_handle_meetings_list(struct gw_exchange *x)
{
	gw_bbb_request(x, "getMeetings", "", finish_body);
}

static void request_with_id(struct gw_exchange *x, const char *call, gw_bbb_finish_fn finish)
{
	struct query qb;

	query_init(&qb);
	query_add(&qb, "meetingID", path_meeting_id(x));
	if (!query_failed(x, &qb))
		gw_bbb_request(x, call, gw_buf_str(&qb.q), finish);
	gw_buf_deinit(&qb.q);
}

void gw_handle_meeting_get(struct gw_exchange *x)
{
	request_with_id(x, "getMeetingInfo", finish_body);
}

void gw_handle_meeting_running(struct gw_exchange *x)
{
	request_with_id(x, "isMeetingRunning", finish_body);
}

void gw_handle_meeting_end(struct gw_exchange *x)
{
	struct query qb;
	json_t *body = NULL;
	const char *key;
	json_t *v;

	if (gw_request_json_object(x, false, &body) != GW_OK)
		return;
	query_init(&qb);
	query_add(&qb, "meetingID", path_meeting_id(x));
	json_object_foreach(body, key, v) {
		if (strcmp(key, "password") == 0)
			query_add_json(&qb, key, key, GW_PARAM_STRING, false, v);
		else
			query_fail(&qb, GW_E_BAD_REQUEST, key, "Unknown field (only 'password')");
	}
	if (!query_failed(x, &qb))
		gw_bbb_request(x, "end", gw_buf_str(&qb.q), finish_body);
	gw_buf_deinit(&qb.q);
	json_decref(body);
}

/* A required (or optional) non-empty string member; writes a problem on error. */
static bool get_string(struct gw_exchange *x, json_t *body, const char *key, bool required,
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

static void finish_create(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	json_t *id = json_object_get(r->body, "meetingID"); /* borrowed */
	bool existed = r->message_key != NULL && strcmp(r->message_key, "duplicateWarning") == 0;
	struct gw_buf loc;

	gw_buf_init(&loc, GW_MAX_PATH_LEN * 3);
	if (json_is_string(id) && gw_buf_append_str(&loc, "/v1/meetings/") == GW_OK &&
	    gw_bbb_encode(&loc, json_string_value(id), json_string_length(id)) == GW_OK)
		gw_response_header(&x->resp, "Location", gw_buf_str(&loc));
	gw_buf_deinit(&loc);
	gw_response_json(x, existed ? 200 : 201, r->body);
	r->body = NULL;
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
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
		 hex + 20);
	return GW_OK;
}

static void create_params(struct query *qb, const struct gw_config *cfg, json_t *body)
{
	const char *key;
	json_t *v;

	json_object_foreach(body, key, v) {
		const struct gw_bbb_param *p;

		if (strcmp(key, "name") == 0 || strcmp(key, "meetingID") == 0)
			continue;
		if (strcmp(key, "metadata") == 0) {
			add_map(qb, v, key, "meta_", gw_bbb_meta_name_ok);
			continue;
		}
		if (strcmp(key, "presentations") == 0) {
			query_fail(qb, GW_E_BAD_REQUEST, key,
				   "'presentations' is not supported by this gateway version");
			continue;
		}
		p = gw_bbb_create_param(key);
		if (p != NULL)
			query_add_json(qb, key, key, p->type, false, v);
		else
			add_unknown(qb, cfg, key, v);
	}
}

void gw_handle_meetings_create(struct gw_exchange *x)
{
	json_t *body = NULL;
	const char *name;
	const char *id;
	char generated[37];
	struct query qb;

	if (gw_request_json_object(x, true, &body) != GW_OK)
		return;
	if (!get_string(x, body, "name", true, &name) ||
	    !get_string(x, body, "meetingID", false, &id))
		goto out;
	if (id == NULL) {
		if (new_meeting_id(generated) != GW_OK) {
			gw_response_problem(x, GW_E_INTERNAL, "No random bytes", NULL);
			goto out;
		}
		id = generated;
	}
	query_init(&qb);
	query_add(&qb, "name", name);
	query_add(&qb, "meetingID", id);
	create_params(&qb, x->req.cfg, body);
	if (!query_failed(x, &qb))
		gw_bbb_request(x, "create", gw_buf_str(&qb.q), finish_create);
	gw_buf_deinit(&qb.q);
out:
	json_decref(body);
}

/* role (MODERATOR|VIEWER, any case) or password; at least one is required. */
static bool join_role(struct gw_exchange *x, struct query *qb, json_t *body)
{
	json_t *role = json_object_get(body, "role");     /* borrowed */
	json_t *pw = json_object_get(body, "password");   /* borrowed */
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
		query_add(qb, "role", strcasecmp(r, "MODERATOR") == 0 ? "MODERATOR" : "VIEWER");
	}
	if (pw != NULL)
		query_add_json(qb, "password", "password", GW_PARAM_STRING, false, pw);
	return true;
}

static void join_params(struct query *qb, const struct gw_config *cfg, json_t *body)
{
	const char *key;
	json_t *v;

	json_object_foreach(body, key, v) {
		const struct gw_bbb_param *p;

		if (strcmp(key, "fullName") == 0 || strcmp(key, "role") == 0 ||
		    strcmp(key, "password") == 0 || strcmp(key, "meetingID") == 0)
			continue;
		if (strcmp(key, "userdata") == 0) {
			add_map(qb, v, key, "userdata-", userdata_name_ok);
			continue;
		}
		p = gw_bbb_join_param(key);
		if (p != NULL)
			query_add_json(qb, key, key, p->type, false, v);
		else
			add_unknown(qb, cfg, key, v);
	}
}

void gw_handle_meeting_join(struct gw_exchange *x)
{
	const struct gw_config *cfg = x->req.cfg;
	json_t *body = NULL;
	const char *full_name;
	struct query qb;
	struct gw_buf url;
	enum gw_err err;

	if (gw_request_json_object(x, true, &body) != GW_OK)
		return;
	query_init(&qb);
	if (!get_string(x, body, "fullName", true, &full_name))
		goto out;
	query_add(&qb, "fullName", full_name);
	query_add(&qb, "meetingID", path_meeting_id(x));
	if (!join_role(x, &qb, body))
		goto out;
	join_params(&qb, cfg, body);
	if (query_failed(x, &qb))
		goto out;
	gw_buf_init(&url, GW_MAX_URL_BYTES);
	err = gw_bbb_signed_url(&url, cfg->bbb_public_url, "join", gw_buf_str(&qb.q), cfg->checksum,
				cfg->bbb_secret);
	if (err != GW_OK)
		gw_response_problem(x, err == GW_E_TOO_LARGE ? GW_E_BODY_TOO_LARGE : err,
				    "The join URL could not be built", NULL);
	else
		gw_response_json(x, 200, json_pack("{s:s}", "url", gw_buf_str(&url)));
	gw_buf_deinit(&url);
out:
	gw_buf_deinit(&qb.q);
	json_decref(body);
}
