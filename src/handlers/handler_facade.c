/*
 * handler_facade.c - the BBB-compatible API: BBB's own XML API at
 * /bigbluebutton/api/<call> (and /<tenant>/bigbluebutton/api/<call>), for
 * the clients written against BBB (Greenlight, Moodle, the client
 * libraries), each tenant with a BBB-style shared secret of its own.
 *
 * A request names its tenant by the first label of Host, else by the
 * path's first segment, else facade.default_tenant; its checksum is
 * verified as bbb-web verifies one (bbb_sign.h), against the tenant's
 * secret and algorithms. An unknown tenant, a tenant without a secret and
 * a wrong checksum all get the same checksumError. The call is then made
 * again, towards BBB: the query as the client sent it, pair by pair
 * (facade_query.c: nothing re-encoded), with meetingIDs under the prefix,
 * the tenant's create policy applied, recordings filtered by the tenant's
 * metadata key, and signed with the BBB server's secret. BBB's reply goes
 * back as BBB wrote it, rewritten for the tenant while it streams
 * (xml_tenant.h). join answers 302 to BBB's join URL. Calls on
 * recordings or hooks by ID first check that the tenant has them.
 * Refusals are BBB's FAILED XML with HTTP 200, as bbb-web answers them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bbb_api.h"
#include "bbb_route.h"
#include "bbb_reply.h"
#include "bbb_sign.h"
#include "config.h"
#include "facade.h"
#include "fleet.h"
#include "handlers.h"
#include "multipart.h"
#include "route.h"
#include "str.h"
#include "tenant.h"

static const struct facade_call calls[] = {
	{"create", GW_BBB_CALL(create), K_CREATE, GET_OK | POST_OK},
	{"join", GW_BBB_CALL(join), K_JOIN, GET_OK},
	{"end", GW_BBB_CALL(end), K_MEETING, GET_OK | POST_OK},
	{"isMeetingRunning", GW_BBB_CALL(isMeetingRunning), K_MEETING, GET_OK | POST_OK},
	{"getMeetingInfo", GW_BBB_CALL(getMeetingInfo), K_MEETING, GET_OK | POST_OK},
	{"getMeetings", GW_BBB_CALL(getMeetings), K_PLAIN, GET_OK | POST_OK},
	{"insertDocument", GW_BBB_CALL(insertDocument), K_MEETING, POST_OK},
	{"sendChatMessage", GW_BBB_CALL(sendChatMessage), K_MEETING, GET_OK | POST_OK},
	{"getRecordings", GW_BBB_CALL(getRecordings), K_RECORDINGS, GET_OK | POST_OK},
	{"publishRecordings", GW_BBB_CALL(publishRecordings), K_RECORD_IDS, GET_OK | POST_OK},
	{"deleteRecordings", GW_BBB_CALL(deleteRecordings), K_RECORD_IDS, GET_OK | POST_OK},
	{"updateRecordings", GW_BBB_CALL(updateRecordings), K_RECORD_IDS, GET_OK | POST_OK},
	{"getRecordingTextTracks", GW_BBB_CALL(getRecordingTextTracks), K_RECORD_IDS,
	 GET_OK | POST_OK},
	{"putRecordingTextTrack", GW_BBB_CALL(putRecordingTextTrack), K_RECORD_IDS, POST_OK},
	{"hooks/create", GW_BBB_CALL(hooks_create), K_HOOK_CREATE, GET_OK | POST_OK},
	{"hooks/list", GW_BBB_CALL(hooks_list), K_HOOK_LIST, GET_OK | POST_OK},
	{"hooks/destroy", GW_BBB_CALL(hooks_destroy), K_HOOK_ID, GET_OK | POST_OK},
};

static void call_name(const struct gw_exchange *x, char *out, size_t n);

/*
 * A refused join, as BBB refuses one that redirects (the default): 302 to
 * the BBB server's own address with errors=[{"message","key"}]. The
 * client's errorRedirectUrl or logoutURL is not followed: a refused
 * request is not trusted with where it sends the user.
 */
static bool join_redirect(struct gw_exchange *x, const char *key, const char *message)
{
	const char *redirect = gw_request_query(&x->req, "redirect");
	const char *base = x->req.cfg->bbb_public_url;
	struct gw_str_url u;
	char call[64];
	struct gw_buf url;
	json_t *errors;
	char *text;

	call_name(x, call, sizeof(call));
	if (strcmp(call, "join") != 0 || (redirect != NULL && strcmp(redirect, "false") == 0) ||
	    gw_str_url_split(base, &u) != GW_OK)
		return false;
	errors = json_pack("[{s:s, s:s}]", "message", message, "key", key);
	text = errors != NULL ? json_dumps(errors, JSON_COMPACT) : NULL;
	json_decref(errors);
	gw_buf_init(&url, GW_MAX_URL_BYTES);
	if (text != NULL && gw_buf_append(&url, base, u.end) == GW_OK &&
	    gw_buf_append_str(&url, "/?errors=") == GW_OK &&
	    gw_bbb_encode(&url, text, strlen(text)) == GW_OK) {
		gw_response_header(&x->resp, "Location", gw_buf_str(&url));
		gw_response_raw(x, 302, "text/plain; charset=utf-8", "", 0);
	} else {
		gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
	}
	gw_buf_deinit(&url);
	free(text);
	return true;
}

void gw_facade_failed(struct gw_exchange *x, enum gw_err err, const char *key, const char *message)
{
	json_t *extra;

	if (join_redirect(x, key, message))
		return;
	extra = json_pack("{s:s, s:s}", "messageKey", key, "message", message);
	gw_response_problem_extra(x, err, message, NULL, extra);
	json_decref(extra);
}

static void checksum_error(struct gw_exchange *x, const char *why)
{
	gw_facade_failed(x, GW_E_UNAUTHORIZED, "checksumError", why);
}

/* ---- the tenant and the call ---- */

/* The first label of the Host header (no port), in out; "" when none. */
static void host_label(const char *host, char *out, size_t n)
{
	size_t len = host != NULL ? strcspn(host, ".:") : 0;

	if (len >= n)
		len = 0;
	if (len > 0)
		memcpy(out, host, len);
	out[len] = '\0';
}

/* A tenant of the BBB-compatible API: one with a secret. */
static const struct gw_tenant *with_secret(const struct gw_config *cfg, const char *name)
{
	const struct gw_tenant *t = gw_config_tenant(cfg, name);

	return t != NULL && t->secret != NULL ? t : NULL;
}

static const struct gw_tenant *find_tenant(const struct gw_exchange *x, const char *path_tenant)
{
	const struct gw_config *cfg = x->req.cfg;
	const struct gw_tenant *t;
	char label[80];

	host_label(x->req.host, label, sizeof(label));
	for (size_t i = 0; label[0] != '\0' && i < cfg->n_tenants; i++) {
		if (cfg->tenants[i].secret != NULL && strcasecmp(cfg->tenants[i].name, label) == 0)
			return &cfg->tenants[i];
	}
	t = with_secret(cfg, path_tenant);
	if (t == NULL && path_tenant == NULL)
		t = with_secret(cfg, cfg->facade_default_tenant);
	return t;
}

/* The call the path names ("" for the API's root), written to out. */
static void call_name(const struct gw_exchange *x, char *out, size_t n)
{
	const char *pattern = x->req.route->pattern;
	const char *last = x->req.n_params > 0 ? x->req.params[x->req.n_params - 1] : NULL;

	out[0] = '\0';
	if (strstr(pattern, "{call}") == NULL || last == NULL)
		return;
	snprintf(out, n, "%s%s", strstr(pattern, "/hooks/{call}") != NULL ? "hooks/" : "", last);
}

static const struct facade_call *find_call(const char *name)
{
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		if (strcmp(calls[i].name, name) == 0)
			return &calls[i];
	}
	return NULL;
}

/* ---- calls ---- */

/* A facade call's reply needs no look (finish is told the envelope only). */
static void passed_on(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	(void)x;
	(void)r;
}

/* The request's body (a copy, for the call to take) and its type, or none. */
static void with_body(struct gw_exchange *x, struct gw_bbb_req *r)
{
	if (x->req.body == NULL || x->req.body_len == 0)
		return;
	r->body = malloc(x->req.body_len + 1);
	if (r->body == NULL)
		return;
	memcpy(r->body, x->req.body, x->req.body_len);
	r->body[x->req.body_len] = '\0';
	r->body_len = x->req.body_len;
	r->content_type = x->req.content_type;
}

static void send_call(struct gw_exchange *x, const struct gw_bbb_call_def *def, const char *query)
{
	struct gw_bbb_req r = {.call = def, .query = query, .finish = passed_on, .facade = true};

	if (def->method != GW_BBB_GET)
		with_body(x, &r);
	gw_bbb_request(x, &r);
}

static void quota_full(struct gw_exchange *x)
{
	gw_facade_failed(x, GW_E_QUOTA_EXCEEDED, "quotaExceeded",
			 "The tenant has as many meetings as it may have");
}

static void create(struct gw_exchange *x, const struct facade_query *b)
{
	struct gw_bbb_req r = {.call = GW_BBB_CALL(create),
			       .query = gw_buf_str(&b->q),
			       .finish = passed_on,
			       .facade = true};

	with_body(x, &r);
	if (b->bbb_id != NULL)
		gw_tenant_create(x, &r, b->bbb_id, quota_full);
	else
		gw_bbb_request(x, &r); /* no meetingID: BBB's own answer */
}

static void join_answer(struct gw_exchange *x)
{
	struct gw_buf url;
	enum gw_err err;

	gw_buf_init(&url, GW_MAX_URL_BYTES);
	err = gw_bbb_join_url(x, x->bbb.find_query, &url);
	if (err == GW_OK) {
		gw_response_header(&x->resp, "Location", gw_buf_str(&url));
		gw_response_raw(x, 302, "text/plain; charset=utf-8", "", 0);
	} else {
		gw_response_problem(x, err == GW_E_TOO_LARGE ? GW_E_BODY_TOO_LARGE : err,
				    "The join URL could not be built", NULL);
	}
	gw_buf_deinit(&url);
}

/* 302 to the meeting's server, found first when the map does not know it. */
static void join(struct gw_exchange *x, const struct facade_query *b)
{
	gw_bbb_with_meeting_server(x, b->bbb_id, gw_buf_str(&b->q), join_answer);
}

/* A call on recordings or hooks by ID, waiting for the check that the tenant has them. */
struct pending {
	const struct facade_call *call;
	char *query; /* the rest of the query */
	char *ids;   /* recordIDs (comma list) or the hookID */
};

static void pending_free(void *p)
{
	struct pending *pd = p;

	if (pd == NULL)
		return;
	free(pd->query);
	free(pd->ids);
	free(pd);
}

static bool listed(json_t *list, const char *member, const char *id)
{
	json_t *e;
	size_t i;

	json_array_foreach (list, i, e) {
		json_t *v = json_object_get(e, member);
		char num[32];
		const char *s = json_string_value(v);

		if (json_is_integer(v)) {
			snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			s = num;
		}
		if (s != NULL && strcmp(s, id) == 0)
			return true;
	}
	return false;
}

/* BBB answers the text-track calls in JSON, its refusals included. */
static bool json_reply(const struct facade_call *call)
{
	return call->def->reply == GW_BBB_REPLY_JSON;
}

/* A text-track call on a recording the tenant does not have, as BBB answers it. */
static void failed_json(struct gw_exchange *x, const char *record_id)
{
	char message[320];
	json_t *j;
	char *text;

	snprintf(message, sizeof(message), "No recording found for %.256s", record_id);
	j = json_pack("{s:{s:s, s:s, s:s}}", "response", "returncode", "FAILED", "messageKey",
		      "noRecordings", "message", message);
	text = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (text == NULL) {
		gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
		return;
	}
	gw_response_raw(x, 200, "application/json; charset=utf-8", text, strlen(text));
	free(text);
}

/* The pending call sent with name=value before the rest of its query. */
static void send_with(struct gw_exchange *x, const struct pending *pd, const char *name,
		      const char *value)
{
	struct gw_buf q;

	gw_buf_init(&q, GW_MAX_QUERY_BYTES);
	if (gw_bbb_query_add(&q, name, value) == GW_OK &&
	    (pd->query[0] == '\0' ||
	     (gw_buf_append(&q, "&", 1) == GW_OK && gw_buf_append_str(&q, pd->query) == GW_OK)))
		send_call(x, pd->call->def, gw_buf_str(&q));
	else
		gw_response_problem(x, GW_E_BODY_TOO_LARGE, "The request is too large", NULL);
	gw_buf_deinit(&q);
}

/* The tenant's recordings among the ones asked for: the call goes on with those (as BBB, for some). */
static void recordings_checked(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	struct pending *pd = gw_bbb_state(x);
	json_t *list = json_object_get(gw_bbb_reply_body_json(r), "recordings"); /* borrowed */
	struct gw_buf own;
	const char *p = pd->ids;
	char id[256];

	gw_buf_init(&own, GW_MAX_QUERY_BYTES);
	while (p != NULL) {
		size_t n = strcspn(p, ",");

		if (n < sizeof(id)) {
			memcpy(id, p, n);
			id[n] = '\0';
			if (listed(list, "recordID", id) &&
			    ((own.len > 0 && gw_buf_append(&own, ",", 1) != GW_OK) ||
			     gw_buf_append(&own, id, n) != GW_OK))
				break;
		}
		p = p[n] == ',' ? p + n + 1 : NULL;
	}
	if (own.len == 0) {
		gw_buf_deinit(&own);
		if (json_reply(pd->call))
			failed_json(x, pd->ids);
		else
			gw_facade_failed(x, GW_E_BBB_NOT_FOUND, "notFound",
					 "We could not find recordings");
		return;
	}
	send_with(x, pd, "recordID", gw_buf_str(&own));
	gw_buf_deinit(&own);
}

static void hook_checked(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	struct pending *pd = gw_bbb_state(x);
	json_t *list = json_object_get(gw_bbb_reply_body_json(r), "hooks"); /* borrowed */

	char server[GW_FLEET_NAME_MAX + 1], own[64];
	const char *id = pd->ids;

	if (!listed(list, "hookID", pd->ids)) {
		gw_facade_failed(x, GW_E_BBB_NOT_FOUND, "destroyMissingHook",
				 "The hook informed was not found.");
		return;
	}
	/* a fleet's hookID is "<server>:<id>": its server knows it by its own id */
	if (x->req.cfg->n_servers > 1 && gw_bbb_hook_id_split(pd->ids, strlen(pd->ids), server,
							      sizeof(server), own, sizeof(own))) {
		if (!gw_bbb_use_server(x, server)) {
			gw_facade_failed(x, GW_E_BBB_NOT_FOUND, "destroyMissingHook",
					 "The hook informed was not found.");
			return;
		}
		id = own;
	}
	send_with(x, pd, "hookID", id);
}

/* Asks BBB (converted, filtered to the tenant) whether the tenant has what b names. */
static void check_then_send(struct gw_exchange *x, const struct facade_query *b)
{
	struct pending *pd = calloc(1, sizeof(*pd));
	const char *ids = b->call->kind == K_HOOK_ID ? b->hook_id : b->ids;
	struct gw_query qb;

	if (pd == NULL || (pd->query = strdup(gw_buf_str(&b->q))) == NULL ||
	    (pd->ids = strdup(ids)) == NULL) {
		pending_free(pd);
		gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
		return;
	}
	pd->call = b->call;
	gw_query_init(&qb);
	if (b->call->kind == K_HOOK_ID) {
		gw_bbb_request(x, &(struct gw_bbb_req){.call = GW_BBB_CALL(hooks_list),
						       .finish = hook_checked,
						       .state = pd,
						       .state_free = pending_free});
	} else {
		gw_query_add(&qb, "recordID", ids);
		gw_query_add(&qb, "state", "any");
		gw_query_add(&qb, "meta_" GW_TENANT_META, x->req.tenant->name);
		gw_bbb_request(x, &(struct gw_bbb_req){.call = GW_BBB_CALL(getRecordings),
						       .query = gw_query_str(&qb),
						       .finish = recordings_checked,
						       .state = pd,
						       .state_free = pending_free});
	}
	gw_query_deinit(&qb);
}

/*
 * putRecordingTextTrack's upload, as the JSON API sends it: only the file
 * part goes to BBB, and kind, lang and label from the form join the
 * query when it lacks them. Other form fields (a recordID among them)
 * never reach BBB. False with the answer written when the body is not a
 * valid upload.
 */
static bool upload_body(struct gw_exchange *x, struct facade_query *b)
{
	static const char *const fields[] = {"kind", "lang", "label"};
	struct gw_multipart mp;
	const struct gw_part *file;
	char ctype[128];
	char *body = NULL;
	size_t len = 0;
	bool ok;

	if (gw_multipart_parse(x->req.content_type, x->req.body, x->req.body_len, &mp) != GW_OK) {
		gw_facade_failed(x, GW_E_BAD_REQUEST, "paramError",
				 "Malformed multipart/form-data body");
		return false;
	}
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const struct gw_part *p = gw_multipart_find(&mp, fields[i]);

		if (p != NULL && p->filename == NULL && p->value != NULL &&
		    gw_request_query(&x->req, fields[i]) == NULL)
			gw_facade_query_param(b, fields[i], p->value);
	}
	file = gw_multipart_find(&mp, "file");
	ok = file != NULL && file->filename != NULL &&
	     gw_multipart_build_file(file, &body, &len, ctype, sizeof(ctype)) == GW_OK;
	gw_multipart_deinit(&mp);
	if (!ok || b->err != GW_OK ||
	    (x->req.content_type = gw_arena_strdup(&x->arena, ctype)) == NULL) {
		free(body);
		gw_facade_failed(x, GW_E_BAD_REQUEST, "paramError", "Missing param file.");
		return false;
	}
	free(x->req.body);
	x->req.body = body;
	x->req.body_len = len;
	return true;
}

static void dispatch(struct gw_exchange *x, struct facade_query *b)
{
	if (b->call->def == GW_BBB_CALL(putRecordingTextTrack) && x->req.body_len > 0 &&
	    !upload_body(x, b))
		return;
	switch (b->call->kind) {
	case K_CREATE:
		create(x, b);
		break;
	case K_JOIN:
		join(x, b);
		break;
	case K_RECORD_IDS:
	case K_HOOK_ID:
		if ((b->call->kind == K_RECORD_IDS ? b->ids : b->hook_id) != NULL)
			check_then_send(x, b);
		else
			send_call(x, b->call->def, gw_buf_str(&b->q)); /* BBB's missingParam */
		break;
	default:
		send_call(x, b->call->def, gw_buf_str(&b->q));
		break;
	}
}

/*
 * A body BBB reads as a document, never as parameters: <modules> XML for
 * create and insertDocument, the multipart upload of putRecordingTextTrack.
 * Parameters in a form body would reach BBB unchecked (a meetingID outside
 * the tenant's prefix), so a call takes its parameters in the URL only.
 */
static bool body_ok(const struct gw_exchange *x, const struct facade_call *call)
{
	const char *ct = x->req.content_type;

	if (call->def == GW_BBB_CALL(putRecordingTextTrack))
		return gw_str_media_type_is(ct, "multipart/form-data");
	if (call->def == GW_BBB_CALL(create) || call->def == GW_BBB_CALL(insertDocument))
		return gw_str_media_type_is(ct, "application/xml") || gw_str_media_type_is(ct, "tex"
											       "t/"
											       "xm"
											       "l");
	return false;
}

static void webhooks_ping(struct gw_exchange *x)
{
	static const char up[] = "bbb-webhooks API up!";

	gw_response_raw(x, 200, "text/plain; charset=utf-8", up, sizeof(up) - 1);
}

void gw_handle_facade(struct gw_exchange *x)
{
	const struct gw_config *cfg = x->req.cfg;
	const char *path_tenant = NULL;
	const struct facade_call *call;
	const struct gw_tenant *t;
	struct facade_query b;
	struct gw_buf rest;
	const char *why;
	char name[64];
	enum gw_err err;

	if (!cfg->facade_enabled) {
		gw_response_problem(x, GW_E_NOT_FOUND, "No such resource", NULL);
		return;
	}
	x->resp.bbb_xml = true;
	if (strncmp(x->req.route->pattern, "/{tenant}", 9) == 0)
		path_tenant = x->req.params[0];
	call_name(x, name, sizeof(name));
	if (name[0] == '\0') {
		gw_bbb_request(x, &(struct gw_bbb_req){.call = GW_BBB_CALL(apiRoot),
						       .finish = passed_on,
						       .facade = true});
		return;
	}
	if (strcmp(name, "hooks/ping") == 0) {
		webhooks_ping(x);
		return;
	}
	call = find_call(name);
	if (call == NULL) {
		gw_facade_failed(x, GW_E_NOT_FOUND, "notFound", "This API call is not known");
		return;
	}
	if ((x->req.method == GW_METHOD_POST ? POST_OK : GET_OK) & ~call->methods) {
		gw_facade_failed(x, GW_E_METHOD_NOT_ALLOWED, "unsupportedRequest",
				 "This call does not take this HTTP method");
		return;
	}
	if (x->req.body_len > 0 && !body_ok(x, call)) {
		gw_facade_failed(x, GW_E_UNSUPPORTED_MEDIA_TYPE, "unsupportedContentType",
				 "Send this call's parameters in the URL");
		return;
	}
	t = find_tenant(x, path_tenant);
	if (t == NULL) {
		checksum_error(x, GW_BBB_CHECKSUM_MISMATCH);
		return;
	}
	gw_buf_init(&rest, GW_MAX_QUERY_BYTES);
	err = gw_bbb_checksum_verify(call->name, x->req.raw_query != NULL ? x->req.raw_query : "",
				     t->secret, t->checksums, &rest, &why);
	if (err == GW_E_UNAUTHORIZED) {
		checksum_error(x, why);
	} else if (err != GW_OK) {
		gw_response_problem(x, err, NULL, NULL);
	} else {
		x->req.tenant = t;
		memset(&b, 0, sizeof(b));
		b.x = x;
		b.call = call;
		gw_buf_init(&b.q, GW_MAX_QUERY_BYTES);
		if (gw_facade_query_build(&b, gw_buf_str(&rest)))
			dispatch(x, &b);
		gw_buf_deinit(&b.q);
	}
	gw_buf_deinit(&rest);
}
