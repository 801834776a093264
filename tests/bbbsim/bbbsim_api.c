/*
 * bbbsim_api.c - the route table of the BBB calls the simulator answers,
 * and the meeting calls themselves: create, join, isMeetingRunning, end,
 * getMeetingInfo, getMeetings, sendChatMessage, insertDocument, the API
 * root, the simulator's own sim/leave (a user leaves; no checksum) and
 * the page /html5client/join that a join sends the browser to.
 * The recording calls live in bbbsim_recapi.c, bbb-webhooks in
 * bbbsim_hooks.c and the pre-2.4 config calls in bbbsim_legacy.c.
 *
 * Model: a route table gives each call its allowed methods and accepted
 * POST content types (unknown call: 404; wrong method: 405). A routed
 * request is checked in bbb-web's order: checksum first, then
 * Content-Type, then the call's parameters, then the meeting state
 * (bbbsim_meeting.c). Routes marked self_checks (the recording and legacy
 * calls) do those checks themselves, because bbb-web's "backward
 * compatibility" code runs them in another order with other messages.
 * Each handler fills a struct sim_reply with one of bbbsim_xml.c's
 * documents. Everything here runs with sim->lock held.
 */
#include "bbbsim_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define XML_TYPE "text/xml;charset=utf-8"
#define LOWER_ALNUM "abcdefghijklmnopqrstuvwxyz0123456789"

enum post_body {
	POST_NONE,     /* GET only */
	POST_FORM,     /* form-urlencoded or multipart when there is a body */
	POST_XML,      /* create: XML modules; form types only with an empty body */
	POST_XML_ONLY, /* insertDocument: application/xml or text/xml, always */
	POST_ANY,      /* putRecordingTextTrack, setConfigXML: the handler reads the body */
};

struct route {
	const char *name;
	bool get;
	enum post_body post;
	sim_handler_fn *fn;
	bool self_checks; /* the handler checks checksum and Content-Type itself */
	bool legacy;      /* only with legacy_config (BBB < 2.4), else 404 */
};

/* --- parameters ------------------------------------------------------ */

/* The first value of name, borrowed; NULL when absent. */
static const char *param(const struct sim_ctx *x, const char *name)
{
	return sim_param(&x->p, name);
}

/* Like param, but an empty value counts as absent. */
static const char *param_set(const struct sim_ctx *x, const char *name)
{
	return sim_param_set(&x->p, name);
}

/* Java String.length(): UTF-16 code units of a UTF-8 string. */
static size_t utf16_len(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c & 0xc0) != 0x80)
			n++;
		if (c >= 0xf0)
			n++;
	}
	return n;
}

static bool is_boolean(const char *s)
{
	return strcasecmp(s, "true") == 0 || strcasecmp(s, "false") == 0;
}

/* --- replies ---------------------------------------------------------- */

void sim_reply_set(struct sim_ctx *x, int status, const char *type, char *body, size_t len)
{
	x->r->status = status;
	x->r->content_type = type;
	x->r->body = body;
	x->r->len = len;
}

void sim_reply_xml(struct sim_ctx *x, char *body, size_t len)
{
	sim_reply_set(x, 200, XML_TYPE, body, len);
}

void sim_reply_html(struct sim_ctx *x, int status)
{
	size_t len;
	char *body = sim_html_status(status, &len);

	sim_reply_set(x, status, "text/html", body, len);
}

static void pct_encode(struct sim_buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~')
			sim_buf_add(b, s, 1);
		else
			sim_buf_printf(b, "%%%02X", c);
	}
}

static void json_string(struct sim_buf *b, const char *s)
{
	sim_buf_puts(b, "\"");
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			sim_buf_puts(b, "\\");
		sim_buf_add(b, s, 1);
	}
	sim_buf_puts(b, "\"");
}

/*
 * BBB 2.7+/3.0 join errors with redirect on: a 302 to errorRedirectUrl, else
 * logoutURL, else the server, carrying errors=[{"message":…,"key":…}].
 */
static void redirect_error(struct sim_ctx *x, const char *key, const char *message)
{
	const char *base = param_set(x, "errorRedirectUrl");
	struct sim_buf json = {0};
	struct sim_buf loc = {0};
	char *home = sim_xasprintf("http://%s/", x->c->host);

	if (base == NULL)
		base = param_set(x, "logoutURL");
	if (base == NULL)
		base = home;
	sim_buf_puts(&json, "[{\"message\":");
	json_string(&json, message);
	sim_buf_puts(&json, ",\"key\":");
	json_string(&json, key);
	sim_buf_puts(&json, "}]");
	sim_buf_printf(&loc, "%s%cerrors=", base, strchr(base, '?') != NULL ? '&' : '?');
	pct_encode(&loc, json.p);
	sim_reply_set(x, 302, "text/html;charset=utf-8", sim_xstrdup(""), 0);
	x->r->location = loc.p;
	free(json.p);
	free(home);
}

void sim_fail(struct sim_ctx *x, const char *key, const char *message)
{
	size_t len;
	char *body;

	if (x->redirect) {
		redirect_error(x, key, message);
		return;
	}
	body = sim_xml_failed(key, message, &len);
	sim_reply_xml(x, body, len);
}

/* bbb-web's MeetingIDConstraint; false (with the reply set) when it fails. */
static bool check_meeting_id(struct sim_ctx *x, const char *id)
{
	size_t n;

	if (id == NULL || id[0] == '\0') {
		sim_fail(x, "missingParamMeetingID", "You must provide a meeting ID");
		return false;
	}
	n = utf16_len(id);
	if (n < 2 || n > 256) {
		sim_fail(x, "sizeError", "Meeting ID must be between 2 and 256 characters");
		return false;
	}
	if (strchr(id, ',') != NULL) {
		sim_fail(x, "validationError", "Meeting ID cannot contain ','");
		return false;
	}
	return true;
}

/* --- create ----------------------------------------------------------- */

static bool check_password(struct sim_ctx *x, const char *name)
{
	const char *v = param_set(x, name);
	size_t n = v != NULL ? utf16_len(v) : 2;

	if (n >= 2 && n <= 64)
		return true;
	sim_fail(x, "invalidPassword", "Password must be between 2 and 64 characters");
	return false;
}

static bool check_create(struct sim_ctx *x, const char *id, const char *name)
{
	const char *vb = param_set(x, "voiceBridge");
	const char *rec = param(x, "record");
	const char *brk = param(x, "isBreakout");
	size_t n;

	if (!check_meeting_id(x, id))
		return false;
	if (name == NULL || name[0] == '\0') {
		sim_fail(x, name == NULL ? "nullError" : "emptyError",
			 "You must provide a meeting name");
		return false;
	}
	n = utf16_len(name);
	if (n < 2 || n > 256) {
		sim_fail(x, "sizeError", "Meeting name must be between 2 and 256 characters");
		return false;
	}
	if (!check_password(x, "attendeePW") || !check_password(x, "moderatorPW"))
		return false;
	if (vb != NULL && !sim_all_digits(vb)) {
		sim_fail(x, "validationError", "Voice bridge must be an integral value");
		return false;
	}
	if (rec != NULL && !is_boolean(rec)) {
		sim_fail(x, "validationError", "Record must be a boolean value (true or false)");
		return false;
	}
	if (brk != NULL && !is_boolean(brk)) {
		sim_fail(x, "validationError",
			 "You must provide a boolean value (true or false) for the breakout room");
		return false;
	}
	return true;
}

/* A repeated create: the old meeting when passwords match or are omitted (2.7+). */
static void create_again(struct sim_ctx *x, const struct sim_meeting *m)
{
	const char *apw = param_set(x, "attendeePW");
	const char *mpw = param_set(x, "moderatorPW");
	size_t len;
	char *body;

	if ((apw != NULL && strcmp(apw, m->attendee_pw) != 0) ||
	    (mpw != NULL && strcmp(mpw, m->moderator_pw) != 0)) {
		sim_fail(x, "idNotUnique",
			 "A meeting already exists with that meeting ID. Please use a different "
			 "meeting ID.");
		return;
	}
	body = sim_xml_create(m, "duplicateWarning",
			      "This conference was already in existence and may currently be in "
			      "progress.",
			      &len);
	sim_reply_xml(x, body, len);
}

static bool check_breakout_parent(struct sim_ctx *x)
{
	const char *parent = param_set(x, "parentMeetingID");
	const struct sim_meeting *m;

	if (!sim_param_true(&x->p, "isBreakout"))
		return true;
	if (parent == NULL) {
		sim_fail(x, "parentMeetingIdMissing",
			 "No parent meeting ID was provided for the breakout room");
		return false;
	}
	for (m = x->sim->meetings; m != NULL; m = m->next)
		if (strcmp(m->internal_id, parent) == 0)
			return true;
	sim_fail(x, "parentMeetingDoesNotExist", "No parent meeting exists for the breakout room");
	return false;
}

static void h_create(struct sim_ctx *x)
{
	const char *id = param(x, "meetingID");
	const char *name = param(x, "name");
	const char *vb = param_set(x, "voiceBridge");
	struct sim_meeting *m;
	size_t len;
	char *body;

	if (!check_create(x, id, name))
		return;
	m = sim_meeting_find(x->sim, id);
	if (m != NULL) {
		create_again(x, m);
		return;
	}
	if (vb != NULL && sim_voice_bridge_used(x->sim, vb)) {
		body = sim_xml_errors("nonUniqueVoiceBridge",
				      "The selected voice bridge is already in use.", &len);
		sim_reply_xml(x, body, len);
		return;
	}
	if (!check_breakout_parent(x))
		return;
	m = sim_meeting_add(x->sim, &x->p, x->c->body, x->c->body_len);
	if (x->c->body_len > 0 && strcmp(x->c->method, "POST") == 0 && x->c->content_type != NULL &&
	    (sim_media_is(x->c->content_type, "application/xml") ||
	     sim_media_is(x->c->content_type, "text/xml")))
		sim_documents_parse(x->sim, "create", id, x->c->body, x->c->body_len);
	body = sim_xml_create(m, "", "", &len);
	sim_reply_xml(x, body, len);
}

/* --- join ------------------------------------------------------------- */

/* 1 moderator, 0 viewer, -1 refused (reply set). role wins over password. */
static int join_role(struct sim_ctx *x, const struct sim_meeting *m)
{
	const char *role = param(x, "role");
	const char *pw = param_set(x, "password");

	if (role != NULL && strcasecmp(role, "MODERATOR") == 0)
		return 1;
	if (role != NULL && strcasecmp(role, "VIEWER") == 0)
		return 0;
	if (pw != NULL && strcmp(pw, m->moderator_pw) == 0)
		return 1;
	if (pw != NULL && strcmp(pw, m->attendee_pw) == 0)
		return 0;
	if (pw != NULL)
		sim_fail(x, "Params required", "You must enter a valid password");
	else
		sim_fail(x, "Params required",
			 "You must either send the valid role of the user, or the password, or "
			 "both");
	return -1;
}

static void join_success(struct sim_ctx *x, struct sim_meeting *m, bool moderator)
{
	struct sim_join_info j;
	struct sim_attendee *a;
	char auth[13];
	char session[17];
	char cookie[33];
	size_t len;
	char *body;
	char *url;

	sim_random_chars(auth, 12, LOWER_ALNUM);
	sim_random_chars(session, 16, LOWER_ALNUM);
	a = sim_attendee_add(x->sim, m, param_set(x, "userID"), param(x, "fullName"), moderator);
	sim_attendee_userdata(a, &x->p);
	a->session_token = sim_xstrdup(session);
	j.internal_id = m->internal_id;
	j.user_id = a->internal_id;
	j.auth_token = auth;
	j.session_token = session;
	url = sim_xasprintf("http://%s/html5client/join?sessionToken=%s", x->c->host, session);
	j.url = url;
	if (x->redirect) {
		/* redirect on: the browser is sent to the client with a session cookie */
		sim_random_chars(cookie, 32, "0123456789ABCDEF");
		sim_reply_set(x, 302, "text/html;charset=utf-8", sim_xstrdup(""), 0);
		x->r->location = url;
		x->r->cookie =
			sim_xasprintf("JSESSIONID=%s; Path=/bigbluebutton; HttpOnly", cookie);
		return;
	}
	body = sim_xml_join(&j, &len);
	sim_reply_xml(x, body, len);
	free(url);
}

static void h_join(struct sim_ctx *x)
{
	const char *id = param(x, "meetingID");
	const char *ct = param(x, "createTime");
	struct sim_meeting *m;
	int role;

	if (param_set(x, "fullName") == NULL) {
		sim_fail(x, "missingParamFullName", "You must provide your name");
		return;
	}
	if (!check_meeting_id(x, id))
		return;
	m = sim_meeting_find(x->sim, id);
	if (m == NULL) {
		sim_fail(x, "invalidMeetingIdentifier", "A meeting with that ID does not exist");
		return;
	}
	if (m->forcibly_ended) {
		sim_fail(x, "meetingForciblyEnded",
			 "You can not join a meeting that has already been forcibly ended");
		return;
	}
	if (ct != NULL && !sim_all_digits(ct)) {
		sim_fail(x, "validationError", "createTime must be an integral value");
		return;
	}
	if (ct != NULL && strtoull(ct, NULL, 10) != m->create_time) {
		sim_fail(x, "mismatchCreateTimeParam",
			 "The createTime parameter submitted mismatches with the current meeting.");
		return;
	}
	role = join_role(x, m);
	if (role >= 0)
		join_success(x, m, role == 1);
}

/* --- the other calls -------------------------------------------------- */

static void h_root(struct sim_ctx *x)
{
	size_t len;
	char *body = sim_xml_api_root(x->sim->bbb_version, x->c->host, &len);

	sim_reply_xml(x, body, len);
}

static void h_running(struct sim_ctx *x)
{
	const char *id = param(x, "meetingID");
	const struct sim_meeting *m;
	size_t len;
	char *body;

	if (!check_meeting_id(x, id))
		return;
	m = sim_meeting_find(x->sim, id);
	body = sim_xml_running(m != NULL && m->running, &len);
	sim_reply_xml(x, body, len);
}

static void h_end(struct sim_ctx *x)
{
	const char *id = param(x, "meetingID");
	const char *pw = param_set(x, "password");
	struct sim_meeting *m;
	size_t len;
	char *body;

	if (!check_meeting_id(x, id))
		return;
	m = sim_meeting_find(x->sim, id);
	if (m == NULL) {
		sim_fail(x, "notFound", "A meeting with that ID does not exist");
		return;
	}
	if (pw != NULL && strcmp(pw, m->moderator_pw) != 0) {
		sim_fail(x, "invalidPassword", "The supplied moderator password is incorrect");
		return;
	}
	sim_meeting_end(x->sim, m);
	body = sim_xml_message("SUCCESS", "sentEndMeetingRequest",
			       "A request to end the meeting was sent. Please wait a few seconds, "
			       "and then use the getMeetingInfo or isMeetingRunning API calls to "
			       "verify that it was ended.",
			       &len);
	sim_reply_xml(x, body, len);
}

static void h_info(struct sim_ctx *x)
{
	const char *id = param(x, "meetingID");
	const struct sim_meeting *m;
	size_t len;
	char *body;

	if (!check_meeting_id(x, id))
		return;
	m = sim_meeting_find(x->sim, id);
	if (m == NULL) {
		sim_fail(x, "notFound", "A meeting with that ID does not exist");
		return;
	}
	body = sim_xml_meeting_info(x->sim->meetings, m, &len);
	sim_reply_xml(x, body, len);
}

static void h_meetings(struct sim_ctx *x)
{
	size_t len;
	char *body = sim_xml_meetings(x->sim->meetings, &len);

	sim_reply_xml(x, body, len);
}

static void h_chat(struct sim_ctx *x)
{
	const char *id = param(x, "meetingID");
	const char *msg = param(x, "message");
	const char *user = param(x, "userName");
	size_t len;
	char *body;

	if (!check_meeting_id(x, id))
		return;
	if (msg == NULL) {
		sim_fail(x, "nullError", "You must provide the param message");
		return;
	}
	if (utf16_len(msg) < 1 || utf16_len(msg) > 500) {
		sim_fail(x, "sizeError", "Param message must be between 1 and 500 characters");
		return;
	}
	if (user != NULL && utf16_len(user) > 255) {
		sim_fail(x, "sizeError", "Param userName must not exceed 255 characters");
		return;
	}
	if (sim_meeting_find(x->sim, id) == NULL) {
		sim_fail(x, "notFound", "A meeting with that ID does not exist");
		return;
	}
	body = sim_xml_message("SUCCESS", "", "", &len);
	sim_reply_xml(x, body, len);
}

/* insert-document: returncode and message only, no messageKey. */
static void h_insert(struct sim_ctx *x)
{
	const char *id = param(x, "meetingID");
	size_t len;
	char *body;
	char *msg;

	if (!check_meeting_id(x, id))
		return;
	if (sim_meeting_find(x->sim, id) == NULL) {
		msg = sim_xasprintf("Meeting with id [%s] not found.", id);
		body = sim_xml_message("FAILED", NULL, msg, &len);
		free(msg);
	} else {
		sim_documents_parse(x->sim, "insertDocument", id, x->c->body, x->c->body_len);
		body = sim_xml_message("SUCCESS", NULL, "Presentation is being uploaded", &len);
	}
	sim_reply_xml(x, body, len);
}

/* The simulator's own sim/leave: no checksum, GET only, BBB's reply layout. */
static void h_sim_leave(struct sim_ctx *x)
{
	const char *id = param_set(x, "meetingID");
	const char *user = param_set(x, "userID");
	struct sim_meeting *m;
	size_t len;
	char *body;

	if (id == NULL) {
		sim_fail(x, "missingParamMeetingID", "You must provide a meeting ID");
		return;
	}
	if (user == NULL) {
		sim_fail(x, "missingParamUserID", "You must provide a user ID");
		return;
	}
	m = sim_meeting_find(x->sim, id);
	if (m == NULL) {
		sim_fail(x, "notFound", "A meeting with that ID does not exist");
		return;
	}
	if (sim_attendee_leave(x->sim, m, user) == 0) {
		sim_fail(x, "userNotFound", "No user with that ID is in the meeting");
		return;
	}
	body = sim_xml_message("SUCCESS", "userLeft", "The user left the meeting.", &len);
	sim_reply_xml(x, body, len);
}

/*
 * GET /html5client/join?sessionToken=T, where a join sends the browser: a
 * page naming the meeting and the user, with a link that makes them leave.
 * An unknown token (or a user who left) is a 404.
 */
static void client_page(struct sim_ctx *x)
{
	const char *token = param_set(x, "sessionToken");
	struct sim_meeting *m;
	size_t len;

	for (m = x->sim->meetings; token != NULL && m != NULL; m = m->next) {
		const struct sim_attendee *a;

		for (a = m->attendees; a != NULL; a = a->next) {
			if (a->session_token != NULL && strcmp(a->session_token, token) == 0) {
				char *body = sim_html_client(m, a, &len);

				sim_reply_set(x, 200, "text/html; charset=utf-8", body, len);
				return;
			}
		}
	}
	sim_reply_html(x, 404);
}

/* --- dispatch --------------------------------------------------------- */

static const struct route routes[] = {
	{"", true, POST_FORM, h_root, false, false},
	{"create", true, POST_XML, h_create, false, false},
	{"join", true, POST_NONE, h_join, false, false},
	{"isMeetingRunning", true, POST_FORM, h_running, false, false},
	{"end", true, POST_FORM, h_end, false, false},
	{"getMeetingInfo", true, POST_FORM, h_info, false, false},
	{"getMeetings", true, POST_FORM, h_meetings, false, false},
	{"sendChatMessage", true, POST_NONE, h_chat, false, false},
	{"insertDocument", false, POST_XML_ONLY, h_insert, false, false},
	{"getRecordings", true, POST_FORM, sim_h_get_recordings, true, false},
	{"publishRecordings", true, POST_NONE, sim_h_publish_recordings, true, false},
	{"deleteRecordings", true, POST_NONE, sim_h_delete_recordings, true, false},
	{"updateRecordings", true, POST_FORM, sim_h_update_recordings, true, false},
	{"getRecordingTextTracks", true, POST_FORM, sim_h_get_text_tracks, true, false},
	{"putRecordingTextTrack", false, POST_ANY, sim_h_put_text_track, true, false},
	{"getDefaultConfigXML", true, POST_NONE, sim_h_default_config, true, true},
	{"setConfigXML", true, POST_ANY, sim_h_set_config, true, true},
	{"sim/leave", true, POST_NONE, h_sim_leave, true, false},
};

bool sim_media_is(const char *ct, const char *type)
{
	size_t n = strlen(type);

	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, type, n) != 0)
		return false;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

static bool content_type_ok(const struct route *rt, const struct sim_call *c)
{
	const char *ct = c->content_type;
	bool xml = ct != NULL && (sim_media_is(ct, "application/xml") || sim_media_is(ct, "text/"
											  "xml"));
	bool form = ct != NULL && (sim_media_is(ct, "application/x-www-form-urlencoded") ||
				   sim_media_is(ct, "multipart/form-data"));

	if (strcmp(c->method, "POST") != 0 || rt->post == POST_ANY)
		return true;
	if (rt->post == POST_XML_ONLY)
		return xml;
	if (c->body_len == 0 && (ct == NULL || form || xml))
		return true;
	if (rt->post == POST_XML)
		return xml;
	return form;
}

bool sim_form_post_ok(const struct sim_call *c)
{
	static const struct route form = {"", true, POST_FORM, NULL, false, false};

	return content_type_ok(&form, c);
}

static bool method_ok(const struct route *rt, const char *method)
{
	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
		return rt->get;
	if (strcmp(method, "POST") == 0)
		return rt->post != POST_NONE;
	return false;
}

static const struct route *route_find(const struct bbbsim *sim, const char *call)
{
	size_t i;

	for (i = 0; call != NULL && i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strcmp(routes[i].name, call) == 0)
			return routes[i].legacy && !sim->legacy_config ? NULL : &routes[i];
	return NULL;
}

void sim_api_handle(struct bbbsim *sim, const struct sim_call *c, struct sim_reply *out)
{
	const struct route *rt;
	struct sim_ctx x = {.sim = sim, .c = c, .r = out};

	if (c->call != NULL && strncmp(c->call, "hooks/", 6) == 0) {
		sim_hooks_handle(sim, c, out);
		return;
	}
	if (c->call == NULL && strcmp(c->path, "/html5client/join") == 0 &&
	    (strcmp(c->method, "GET") == 0 || strcmp(c->method, "HEAD") == 0)) {
		sim_params_parse(&x.p, c->query);
		client_page(&x);
		sim_params_free(&x.p);
		return;
	}
	rt = route_find(sim, c->call);
	if (rt == NULL || !method_ok(rt, c->method)) {
		sim_reply_html(&x, rt == NULL ? 404 : 405);
		return;
	}
	sim_params_parse(&x.p, c->query);
	if (rt->fn == h_join) {
		const char *redirect = param(&x, "redirect");

		x.redirect = redirect == NULL || redirect[0] == '\0' ||
			     strcasecmp(redirect, "true") == 0;
	}
	if (rt->self_checks || rt->fn == h_root)
		rt->fn(&x);
	else if (c->checksum == SIM_CHECKSUM_MISSING)
		sim_fail(&x, "checksumError", "You must provide the checksum");
	else if (c->checksum != SIM_CHECKSUM_OK)
		sim_fail(&x, "checksumError", "Checksums do not match");
	else if (!content_type_ok(rt, c))
		sim_fail(&x, "unsupportedContentType",
			 "POST request Content-Type is missing or unsupported");
	else
		rt->fn(&x);
	sim_params_free(&x.p);
}
