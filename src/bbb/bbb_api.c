/*
 * bbb_api.c - BBB's API as data: the typed parameters of create and join
 * (bbb-api.md §4.1, §4.2), the messageKey -> error mapping (one table,
 * documented in docs/errors.md), and the generic path from an exchange to
 * a signed call and from BBB's reply back to a response.
 *
 * The life of a BBB call is here: gw_bbb_request* leave the exchange
 * pending (gw_exchange_defer); the transport then runs `run_calls`, which
 * submits the call on the exchange's upstream pool (its loop's: the call
 * completes on the thread that accepted the request); on completion the
 * reply is converted, a finish function may ask for a follow-up call,
 * which goes out the same way, and when no call is left the exchange is
 * done (gw_exchange_done).
 */
#include "bbb_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bbb_sign.h"
#include "config.h"
#include "log.h"
#include "report.h"
#include "str.h"
#include "xml2json.h"

#define S GW_PARAM_STRING
#define I GW_PARAM_INT
#define B GW_PARAM_BOOL
#define L GW_PARAM_LIST
#define J GW_PARAM_JSON

/* create parameters, BBB 2.6 - 3.0 (name, meetingID and metadata are handled apart). */
static const struct gw_bbb_param create_params[] = {
	{"allowModsToEjectCameras", B}, {"allowModsToUnmuteUsers", B},
	{"allowOverrideClientSettingsOnCreateCall", B}, {"allowPromoteGuestToModerator", B},
	{"allowRequestsWithoutSession", B}, {"allowStartStopRecording", B},
	{"attendeePW", S}, {"audioBridge", S}, {"autoStartRecording", B},
	{"bannerColor", S}, {"bannerText", S}, {"breakoutRoomsCaptureNotes", B},
	{"breakoutRoomsCaptureNotesFilename", S}, {"breakoutRoomsCaptureSlides", B},
	{"breakoutRoomsCaptureSlidesFilename", S}, {"breakoutRoomsEnabled", B},
	{"breakoutRoomsPrivateChatEnabled", B}, {"breakoutRoomsRecord", B},
	{"cameraBridge", S}, {"copyright", S}, {"dialNumber", S}, {"disabledFeatures", L},
	{"disabledFeaturesExclude", L}, {"duration", I}, {"endWhenNoModerator", B},
	{"endWhenNoModeratorDelayInMinutes", I}, {"freeJoin", B}, {"groups", J},
	{"guestPolicy", S}, {"isBreakout", B}, {"keepEvents", B},
	{"learningDashboardCleanupDelayInMinutes", I}, {"learningDashboardEnabled", B},
	{"lockSettingsDisableCam", B}, {"lockSettingsDisableMic", B},
	{"lockSettingsDisableNotes", B}, {"lockSettingsDisablePrivateChat", B},
	{"lockSettingsDisablePublicChat", B}, {"lockSettingsHideUserList", B},
	{"lockSettingsHideViewersAnnotation", B}, {"lockSettingsHideViewersCursor", B},
	{"lockSettingsLockOnJoin", B}, {"lockSettingsLockOnJoinConfigurable", B},
	{"loginURL", S}, {"logo", S}, {"logoutURL", S}, {"maxParticipants", I},
	{"maxPinnedCameras", I}, {"meetingCameraCap", I}, {"meetingEndedURL", S},
	{"meetingExpireIfNoUserJoinedInMinutes", I},
	{"meetingExpireWhenLastUserLeftInMinutes", I}, {"meetingKeepEvents", B},
	{"meetingLayout", S}, {"moderatorOnlyMessage", S}, {"moderatorPW", S},
	{"muteOnStart", B}, {"notifyRecordingIsOn", B}, {"parentMeetingID", S},
	{"preUploadedPresentation", S}, {"preUploadedPresentationName", S},
	{"preUploadedPresentationOverrideDefault", B},
	{"presentationUploadExternalDescription", S}, {"presentationUploadExternalUrl", S},
	{"record", B}, {"recordFullDurationMedia", B}, {"screenShareBridge", S},
	{"sequence", I}, {"userCameraCap", I}, {"virtualBackgroundsDisabled", B},
	{"voiceBridge", S}, {"webVoice", S}, {"webcamsOnlyForModerator", B}, {"welcome", S},
};

/* join parameters (fullName, role, password and userdata are handled apart). */
static const struct gw_bbb_param join_params[] = {
	{"auth", B},          {"avatarURL", S},         {"createTime", I},
	{"defaultLayout", S}, {"enforceLayout", S},     {"errorRedirectUrl", S},
	{"excludeFromDashboard", B}, {"guest", B},      {"logoutURL", S},
	{"redirect", B},      {"userID", S},            {"webVoiceConf", S},
	{"webcamBackgroundURL", S},
};

#undef S
#undef I
#undef B
#undef L
#undef J

static const struct gw_bbb_param *find_param(const struct gw_bbb_param *t, size_t n,
					     const char *name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(t[i].name, name) == 0)
			return &t[i];
	}
	return NULL;
}

const struct gw_bbb_param *gw_bbb_create_param(const char *name)
{
	return find_param(create_params, GW_ARRAY_SIZE(create_params), name);
}

const struct gw_bbb_param *gw_bbb_join_param(const char *name)
{
	return find_param(join_params, GW_ARRAY_SIZE(join_params), name);
}

static enum gw_err list_text(json_t *v, char **out)
{
	struct gw_buf b;
	size_t i;
	json_t *e;

	if (json_is_string(v)) {
		*out = strdup(json_string_value(v));
		return *out != NULL ? GW_OK : GW_E_NOMEM;
	}
	if (!json_is_array(v))
		return GW_E_BAD_REQUEST;
	gw_buf_init(&b, GW_MAX_QUERY_BYTES);
	json_array_foreach(v, i, e) {
		enum gw_err err;

		if (!json_is_string(e) || strchr(json_string_value(e), ',') != NULL) {
			gw_buf_deinit(&b);
			return GW_E_BAD_REQUEST;
		}
		err = i > 0 ? gw_buf_append_byte(&b, ',') : GW_OK;
		if (err == GW_OK)
			err = gw_buf_append_str(&b, json_string_value(e));
		if (err != GW_OK) {
			gw_buf_deinit(&b);
			return err == GW_E_NOMEM ? err : GW_E_BAD_REQUEST;
		}
	}
	*out = gw_buf_take(&b, NULL);
	return *out != NULL ? GW_OK : GW_E_NOMEM;
}

static enum gw_err scalar_text(json_t *v, char **out)
{
	char tmp[32];

	if (json_is_string(v)) {
		*out = strdup(json_string_value(v));
	} else if (json_is_integer(v)) {
		snprintf(tmp, sizeof(tmp), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		*out = strdup(tmp);
	} else if (json_is_real(v)) {
		snprintf(tmp, sizeof(tmp), "%.17g", json_real_value(v));
		*out = strdup(tmp);
	} else if (json_is_boolean(v)) {
		*out = strdup(json_is_true(v) ? "true" : "false");
	} else {
		return GW_E_BAD_REQUEST;
	}
	return *out != NULL ? GW_OK : GW_E_NOMEM;
}

enum gw_err gw_bbb_param_text(enum gw_param_type t, bool lenient, json_t *v, char **out)
{
	uint64_t n;

	switch (t) {
	case GW_PARAM_STRING:
		if (!json_is_string(v) && !lenient)
			return GW_E_BAD_REQUEST;
		return scalar_text(v, out);
	case GW_PARAM_INT:
		if (json_is_integer(v) && json_integer_value(v) >= 0)
			return scalar_text(v, out);
		if (json_is_string(v) && gw_str_parse_u64(json_string_value(v), &n) == GW_OK)
			return scalar_text(v, out);
		return GW_E_BAD_REQUEST;
	case GW_PARAM_BOOL:
		if (!json_is_boolean(v))
			return GW_E_BAD_REQUEST;
		return scalar_text(v, out);
	case GW_PARAM_LIST:
		return list_text(v, out);
	case GW_PARAM_JSON:
		*out = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		return *out != NULL ? GW_OK : GW_E_NOMEM;
	}
	return GW_E_BAD_REQUEST;
}

bool gw_bbb_meta_name_ok(const char *name)
{
	const char *p = name;

	if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')))
		return false;
	for (p++; *p != '\0'; p++) {
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '-'))
			return false;
	}
	return p - name <= 200;
}

/* FAILED messageKeys and what they mean for the caller (docs/errors.md). */
static const struct {
	const char *key;
	enum gw_err err;
} key_errors[] = {
	{"notFound", GW_E_BBB_NOT_FOUND},
	{"invalidMeetingIdentifier", GW_E_BBB_NOT_FOUND},
	{"invalidMeetingId", GW_E_BBB_NOT_FOUND},
	{"noRecordings", GW_E_BBB_NOT_FOUND},
	{"idNotUnique", GW_E_BBB_CONFLICT},
	{"NotUniqueMeetingID", GW_E_BBB_CONFLICT},
	{"nonUniqueVoiceBridge", GW_E_BBB_CONFLICT},
	{"meetingForciblyEnded", GW_E_BBB_CONFLICT},
	{"maxParticipantsReached", GW_E_BBB_CONFLICT},
	{"checksumError", GW_E_BBB_CHECKSUM},
	{"missingParamMeetingID", GW_E_BBB_INVALID_INPUT},
	{"missingParamFullName", GW_E_BBB_INVALID_INPUT},
	{"missingParamRecordID", GW_E_BBB_INVALID_INPUT},
	{"missingParamPublish", GW_E_BBB_INVALID_INPUT},
	{"MissingParam", GW_E_BBB_INVALID_INPUT},
	{"sizeError", GW_E_BBB_INVALID_INPUT},
	{"validationError", GW_E_BBB_INVALID_INPUT},
	{"emptyError", GW_E_BBB_INVALID_INPUT},
	{"invalidPassword", GW_E_BBB_INVALID_INPUT},
	{"Params required", GW_E_BBB_INVALID_INPUT},
	{"mismatchCreateTimeParam", GW_E_BBB_INVALID_INPUT},
	{"mismatchCreateTime", GW_E_BBB_INVALID_INPUT},
	{"parentMeetingIdMissing", GW_E_BBB_INVALID_INPUT},
	{"invalidSharedNotesEditor", GW_E_BBB_INVALID_INPUT},
	{"guestDeniedAccess", GW_E_FORBIDDEN},
	{"nullError", GW_E_BBB_INVALID_INPUT},
	{"missingParamCallbackURL", GW_E_BBB_INVALID_INPUT},
	{"missingParamHookID", GW_E_BBB_INVALID_INPUT},
	{"destroyMissingHook", GW_E_BBB_NOT_FOUND},
	{"noCaptionsFound", GW_E_BBB_NOT_FOUND},
	{"paramError", GW_E_BBB_INVALID_INPUT},
	{"invalidKind", GW_E_BBB_INVALID_INPUT},
	{"invalidLang", GW_E_BBB_INVALID_INPUT},
	{"empty_uploaded_text_track", GW_E_BBB_INVALID_INPUT},
};

enum gw_err gw_bbb_key_error(const char *message_key)
{
	size_t i;

	for (i = 0; message_key != NULL && i < GW_ARRAY_SIZE(key_errors); i++) {
		if (strcmp(key_errors[i].key, message_key) == 0)
			return key_errors[i].err;
	}
	return GW_E_BBB_FAILED;
}

bool gw_bbb_wants_xml(const struct gw_request *req)
{
	const char *p = req->accept;

	/* The first media range that names XML or JSON (or a wildcard) decides. */
	while (p != NULL && *p != '\0') {
		size_t n = strcspn(p, ",");
		char range[64];
		size_t k = 0;

		while (n > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		while (k < n && k + 1 < sizeof(range) && p[k] != ';' && p[k] != ' ') {
			range[k] = p[k];
			k++;
		}
		range[k] = '\0';
		if (gw_str_media_type_is(range, "application/xml") ||
		    gw_str_media_type_is(range, "text/xml"))
			return true;
		if (gw_str_media_type_is(range, "application/json") ||
		    gw_str_media_type_is(range, "application/problem+json") ||
		    gw_str_media_type_is(range, "application/*") ||
		    gw_str_media_type_is(range, "*/*"))
			return false;
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

/* Calls that are safe to send twice (read-only, or idempotent on meetingID like create). */
static bool call_idempotent(const char *call)
{
	static const char *const calls[] = {
		"apiRoot",	  "getMeetings",	    "getMeetingInfo",	    "isMeetingRunning",
		"getRecordings", "getRecordingTextTracks", "getDefaultConfigXML", "hooks/list",
		"create",
	};
	size_t i;

	for (i = 0; i < GW_ARRAY_SIZE(calls); i++) {
		if (strcmp(calls[i], call) == 0)
			return true;
	}
	return false;
}

enum url_mode { URL_SIGNED, URL_ROOT, URL_PLAIN };

static void run_calls(struct gw_exchange *x);

static void request_url(struct gw_exchange *x, const char *call, const char *query,
			enum gw_digest alg, gw_bbb_finish_fn finish, enum url_mode mode)
{
	const struct gw_config *cfg = x->req.cfg;
	struct gw_buf url;
	enum gw_err err;

	gw_buf_init(&url, GW_MAX_URL_BYTES);
	if (mode == URL_ROOT)
		err = gw_buf_append_str(&url, cfg->bbb_url);
	else if (mode == URL_PLAIN)
		err = gw_buf_appendf(&url, "%s/%s", cfg->bbb_url, call);
	else
		err = gw_bbb_signed_url(&url, cfg->bbb_url, call, query, alg, cfg->bbb_secret);
	if (err != GW_OK) {
		gw_buf_deinit(&url);
		gw_response_problem(x, err == GW_E_TOO_LARGE ? GW_E_BODY_TOO_LARGE : err,
				    err == GW_E_TOO_LARGE ? "The request is too large for BBB" : NULL,
				    NULL);
		return;
	}
	free(x->bbb.url);
	x->bbb.url = gw_buf_take(&url, NULL);
	if (x->bbb.url == NULL) {
		gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
		return;
	}
	x->bbb.name = mode == URL_ROOT ? "apiRoot" : call;
	x->bbb.finish = finish;
	x->bbb.pending = true;
	gw_exchange_defer(x, run_calls);
	x->bbb.idempotent = call_idempotent(x->bbb.name);
	x->bbb.raw_reply = gw_bbb_wants_xml(&x->req);
	x->bbb.post = false;
	x->bbb.on_failed = NULL;
	x->bbb.json_reply = false;
	free(x->bbb.body);
	x->bbb.body = NULL;
	x->bbb.body_len = 0;
	x->bbb.content_type = NULL;
}

void gw_bbb_request(struct gw_exchange *x, const char *call, const char *query,
		    gw_bbb_finish_fn finish)
{
	request_url(x, call, query, x->req.cfg->checksum, finish, URL_SIGNED);
}

void gw_bbb_request_alg(struct gw_exchange *x, const char *call, const char *query,
			enum gw_digest alg, gw_bbb_finish_fn finish)
{
	request_url(x, call, query, alg, finish, URL_SIGNED);
}

void gw_bbb_set_body(struct gw_exchange *x, char *body, size_t len, const char *content_type)
{
	free(x->bbb.body);
	x->bbb.body = body;
	x->bbb.body_len = len;
	x->bbb.post = true;
	gw_str_copy(x->bbb.content_type_buf, sizeof(x->bbb.content_type_buf), content_type);
	x->bbb.content_type = x->bbb.content_type_buf;
}

void gw_bbb_request_root(struct gw_exchange *x, gw_bbb_finish_fn finish)
{
	request_url(x, "", "", GW_DIGEST_SHA256, finish, URL_ROOT);
}

void gw_bbb_request_plain(struct gw_exchange *x, const char *call, gw_bbb_finish_fn finish)
{
	request_url(x, call, "", GW_DIGEST_SHA256, finish, URL_PLAIN);
}

static void transport_problem(struct gw_exchange *x)
{
	const struct gw_upstream_call *up = &x->up;
	char detail[160];
	char retry[16];

	switch (up->result) {
	case GW_E_UPSTREAM_TIMEOUT:
		snprintf(detail, sizeof(detail), "BBB did not answer within %u ms", up->timeout_ms);
		break;
	case GW_E_UPSTREAM_CONNECT:
		snprintf(detail, sizeof(detail), "Could not connect to the BBB server");
		break;
	case GW_E_UPSTREAM_TOO_LARGE:
		snprintf(detail, sizeof(detail), "BBB's reply is larger than %zu bytes",
			 up->max_reply_bytes);
		break;
	case GW_E_UNAVAILABLE:
		snprintf(detail, sizeof(detail), "The gateway is shutting down");
		gw_response_header(&x->resp, "Retry-After", "1");
		break;
	case GW_E_CIRCUIT_OPEN:
		snprintf(detail, sizeof(detail),
			 "BBB failed repeatedly; the gateway pauses calls to it for %u s",
			 up->retry_after_s > 0 ? up->retry_after_s : 1);
		snprintf(retry, sizeof(retry), "%u", up->retry_after_s > 0 ? up->retry_after_s : 1);
		gw_response_header(&x->resp, "Retry-After", retry);
		break;
	default:
		snprintf(detail, sizeof(detail), "The BBB server's reply could not be read");
		break;
	}
	gw_response_problem(x, up->result, detail, NULL);
}

void gw_bbb_fail(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	enum gw_err err = gw_bbb_key_error(r->message_key);
	const char *detail = r->message;
	json_t *extra = json_object();

	if (err == GW_E_BBB_CHECKSUM)
		detail = "BBB rejected the gateway's checksum: check bbb.secret and bbb.checksum "
			 "in the gateway's configuration";
	if (extra != NULL) {
		if (r->message_key != NULL)
			json_object_set_new(extra, "messageKey", json_string(r->message_key));
		if (r->message != NULL)
			json_object_set_new(extra, "message", json_string(r->message));
		if (r->errors != NULL)
			json_object_set(extra, "errors", r->errors);
	}
	if (r->message_key != NULL)
		x->resp.bbb_message_key = strdup(r->message_key);
	x->resp.message_key = x->resp.bbb_message_key;
	if (err == GW_E_BBB_CHECKSUM || err == GW_E_BBB_FAILED)
		gw_log_warn("BBB call %s failed: %s", x->bbb.name,
			    r->message_key != NULL ? r->message_key : "(no messageKey)");
	gw_response_problem_extra(x, err, detail, NULL, extra);
	json_decref(extra);
}

static void complete(struct gw_exchange *x);

/* BBB's JSON replies (text tracks) start with '{'; its error paths may still answer XML. */
static bool looks_like_json(const struct gw_buf *b)
{
	const char *p = gw_buf_str(b);

	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return *p == '{';
}

static char *member_dup(json_t *obj, const char *a, const char *b)
{
	json_t *v = json_object_get(obj, a); /* borrowed */
	const char *s;

	if (!json_is_string(v))
		v = json_object_get(obj, b);
	s = json_string_value(v);
	return s != NULL && *s != '\0' ? strdup(s) : NULL;
}

/*
 * Unwraps {"response": {"returncode", "messageKey"|"key", "message"|"msg", ...}}
 * into the same shape the XML converter produces.
 */
static enum gw_err json_reply(const char *text, size_t len, struct gw_bbb_reply *out)
{
	/* two returncodes (FAILED then SUCCESS) would be read by the last: refuse */
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	json_t *resp = json_object_get(root, "response"); /* borrowed */
	json_t *body;
	const char *rc = json_string_value(json_object_get(resp, "returncode"));
	struct gw_bbb_reply r = {0};

	if (!json_is_object(resp) || rc == NULL) {
		json_decref(root);
		return GW_E_UPSTREAM_BAD_REPLY;
	}
	r.success = strcmp(rc, "SUCCESS") == 0; /* rc dies with root */
	body = json_deep_copy(resp);
	json_decref(root);
	if (body == NULL)
		return GW_E_NOMEM;
	r.message_key = member_dup(body, "messageKey", "key");
	r.message = member_dup(body, "message", "msg");
	json_object_del(body, "returncode");
	json_object_del(body, "messageKey");
	json_object_del(body, "key");
	json_object_del(body, "message");
	json_object_del(body, "msg");
	r.body = body;
	if (gw_bbb_reply_add_warning(&r) != GW_OK) {
		gw_bbb_reply_deinit(&r);
		return GW_E_NOMEM;
	}
	*out = r;
	return GW_OK;
}

void gw_bbb_not_ready(struct gw_exchange *x, int status)
{
	char detail[160];

	snprintf(detail, sizeof(detail), "BBB is not ready (HTTP %d from the gateway's probe)",
		 status);
	gw_response_header(&x->resp, "Retry-After", "5");
	gw_response_problem(x, GW_E_UNAVAILABLE, detail, NULL);
}

void gw_bbb_complete(struct gw_exchange *x)
{
	int status;

	complete(x);
	status = x->resp.status;
	if (x->bbb.probe && status != 200)
		gw_bbb_not_ready(x, status);
	if (x->bbb.completed != NULL)
		x->bbb.completed(x, status);
}

/* BBB answers text/xml (bbb-web, bbb-webhooks) or, for caption tracks, JSON. */
static bool content_type_ok(const struct gw_exchange *x, const char *ct)
{
	return gw_str_media_type_is(ct, "text/xml") || gw_str_media_type_is(ct, "application/xml") ||
	       (x->bbb.json_reply && gw_str_media_type_is(ct, "application/json"));
}

static void complete(struct gw_exchange *x)
{
	struct gw_upstream_call *up = &x->up;
	struct gw_bbb_reply reply;
	enum gw_err err;

	if (up->result != GW_OK) {
		gw_log_warn("BBB call %s: %s", x->bbb.name, gw_err_str(up->result));
		transport_problem(x);
		return;
	}
	if (up->http_status == 404) {
		gw_log_warn("BBB call %s: HTTP 404, the server does not know the call", x->bbb.name);
		gw_response_problem(x, GW_E_BBB_UNSUPPORTED,
				    "The BBB server does not know this API call (too old or too new "
				    "for it)",
				    NULL);
		return;
	}
	if (up->http_status != 200) {
		gw_log_warn("BBB call %s: HTTP status %ld", x->bbb.name, up->http_status);
		gw_response_problem(x, GW_E_UPSTREAM_HTTP, "BBB answered with an HTTP error", NULL);
		return;
	}
	if (!content_type_ok(x, up->reply_content_type)) {
		gw_log_warn("BBB call %s: unexpected Content-Type", x->bbb.name);
		gw_response_problem(x, GW_E_UPSTREAM_BAD_REPLY,
				    "The BBB server answered with an unexpected Content-Type", NULL);
		return;
	}
	if (x->bbb.raw_reply) {
		gw_response_raw(x, 200,
				x->bbb.json_reply && looks_like_json(&up->reply)
					? "application/json; charset=utf-8"
					: "application/xml; charset=utf-8",
				gw_buf_str(&up->reply), up->reply.len);
		return;
	}
	if (x->bbb.json_reply && looks_like_json(&up->reply))
		err = json_reply(gw_buf_str(&up->reply), up->reply.len, &reply);
	else
		/* bbb.timeout_ms bounds the whole call, reading the reply included */
		err = gw_xml2json_convert(gw_buf_str(&up->reply), up->reply.len,
					  gw_upstream_deadline_ms(up), &reply);
	if (err == GW_E_UPSTREAM_TIMEOUT) {
		gw_log_warn("BBB call %s: reply not read within the deadline", x->bbb.name);
		gw_response_problem(x, err, "The BBB server's reply could not be read in time",
				    NULL);
		return;
	}
	if (err != GW_OK) {
		gw_log_warn("BBB call %s: reply rejected: %s", x->bbb.name, gw_err_str(err));
		gw_response_problem(x, err, "The BBB server's reply is not a valid API response",
				    NULL);
		return;
	}
	if (reply.success)
		x->bbb.finish(x, &reply);
	else if (x->bbb.on_failed != NULL)
		x->bbb.on_failed(x, &reply);
	else
		gw_bbb_fail(x, &reply);
	gw_bbb_reply_deinit(&reply);
}

static void call_done(struct gw_upstream_call *call, void *arg);

/* Sends the requested call; false when it could not go out (x->up.result says why). */
static bool submit(struct gw_exchange *x)
{
	const struct gw_config *cfg = x->req.cfg;
	struct gw_upstream_call *up = &x->up;
	enum gw_err err;

	x->bbb.pending = false;
	x->start = NULL; /* a follow-up call's request_url deferred again: already running */
	gw_upstream_call_deinit(up);
	gw_upstream_call_init(up);
	up->url = x->bbb.url;
	up->post = x->bbb.post;
	up->body = x->bbb.body;
	up->body_len = x->bbb.body_len;
	up->content_type = x->bbb.content_type;
	up->accept = NULL;
	up->timeout_ms = cfg->bbb_timeout_ms;
	up->idempotent = x->bbb.idempotent;
	up->max_reply_bytes = cfg->bbb_max_reply_bytes;
	up->done = call_done;
	up->arg = x;
	err = x->upstream != NULL ? gw_upstream_submit(x->upstream, up) : GW_E_UNAVAILABLE;
	if (err == GW_OK)
		return true;
	up->result = err == GW_E_CIRCUIT_OPEN ? err : GW_E_UNAVAILABLE;
	return false;
}

/* A call ended (or never went out): the response, its metrics and log fields. */
static void call_ended(struct gw_exchange *x)
{
	gw_bbb_complete(x);
	gw_report_upstream(x, x->req.svc != NULL ? x->req.svc->metrics : NULL);
}

/*
 * The exchange's start function: sends the requested call and its
 * follow-ups until one is in flight (call_done continues) or the response
 * is written (the exchange is done).
 */
static void run_calls(struct gw_exchange *x)
{
	x->start = NULL;
	while (x->resp.status == 0 && x->bbb.pending) {
		if (submit(x))
			return;
		call_ended(x);
	}
	gw_exchange_done(x);
}

static void call_done(struct gw_upstream_call *call, void *arg)
{
	struct gw_exchange *x = arg;

	(void)call;
	call_ended(x);
	/* A finish function may have asked for a follow-up call. */
	run_calls(x);
}
