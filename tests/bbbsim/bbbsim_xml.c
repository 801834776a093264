/*
 * bbbsim_xml.c - reply rendering for the BBB simulator, plus the small
 * allocation and buffer helpers the other simulator files share.
 *
 * Every XML reply is built as bbb-web's FreeMarker templates write it
 * (one element per line, values XML-escaped with & < > " ' as entities)
 * and then passed through the same whitespace folding as <#compress>:
 * each run of whitespace becomes one newline if it holds a line break,
 * else one space, and the document has no leading or trailing whitespace.
 * So values with repeated spaces come back collapsed, empty lists come out
 * as "<attendees>\n</attendees>", and there is no <?xml?> declaration.
 */
#include "bbbsim_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *sim_xmalloc(size_t n)
{
	void *p = malloc(n == 0 ? 1 : n);

	if (p == NULL)
		abort();
	return p;
}

void *sim_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n == 0 ? 1 : n);

	if (q == NULL)
		abort();
	return q;
}

char *sim_xstrndup(const char *s, size_t n)
{
	char *p = sim_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *sim_xstrdup(const char *s)
{
	return sim_xstrndup(s, strlen(s));
}

static void buf_reserve(struct sim_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 256;
	while (b->cap < need)
		b->cap *= 2;
	b->p = sim_xrealloc(b->p, b->cap);
}

void sim_buf_add(struct sim_buf *b, const void *s, size_t n)
{
	buf_reserve(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void sim_buf_puts(struct sim_buf *b, const char *s)
{
	sim_buf_add(b, s, strlen(s));
}

/* Formats into the free space, growing once when it does not fit. */
__attribute__((format(printf, 2, 0))) static void buf_vprintf(struct sim_buf *b, const char *fmt,
							      va_list ap)
{
	va_list again;
	int n;

	buf_reserve(b, 128);
	va_copy(again, ap);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	if (n < 0)
		abort();
	if ((size_t)n >= b->cap - b->len) {
		buf_reserve(b, (size_t)n);
		vsnprintf(b->p + b->len, b->cap - b->len, fmt, again);
	}
	va_end(again);
	b->len += (size_t)n;
}

void sim_buf_printf(struct sim_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *sim_xasprintf(const char *fmt, ...)
{
	struct sim_buf b = {0};
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return b.p;
}

/* FreeMarker's XML output format escapes exactly these five characters. */
static void buf_escape(struct sim_buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			sim_buf_puts(b, "&amp;");
			break;
		case '<':
			sim_buf_puts(b, "&lt;");
			break;
		case '>':
			sim_buf_puts(b, "&gt;");
			break;
		case '"':
			sim_buf_puts(b, "&quot;");
			break;
		case '\'':
			sim_buf_puts(b, "&apos;");
			break;
		default:
			sim_buf_add(b, s, 1);
			break;
		}
	}
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* The <#compress> folding, in place; returns the new length. */
static size_t compress(char *s, size_t len)
{
	size_t i = 0;
	size_t o = 0;

	while (i < len) {
		bool newline = false;
		size_t start = i;

		if (!is_ws(s[i])) {
			s[o++] = s[i++];
			continue;
		}
		while (i < len && is_ws(s[i])) {
			if (s[i] == '\n' || s[i] == '\r')
				newline = true;
			i++;
		}
		if (start == 0 || i == len)
			continue;
		s[o++] = newline ? '\n' : ' ';
	}
	s[o] = '\0';
	return o;
}

static char *finish(struct sim_buf *b, size_t *len)
{
	if (b->p == NULL)
		sim_buf_puts(b, "");
	*len = compress(b->p, b->len);
	return b->p;
}

static void elem(struct sim_buf *b, const char *name, const char *value)
{
	sim_buf_printf(b, "<%s>", name);
	buf_escape(b, value != NULL ? value : "");
	sim_buf_printf(b, "</%s>\n", name);
}

static void elem_bool(struct sim_buf *b, const char *name, bool value)
{
	elem(b, name, value ? "true" : "false");
}

static void elem_num(struct sim_buf *b, const char *name, unsigned long long value)
{
	sim_buf_printf(b, "<%s>%llu</%s>\n", name, value, name);
}

static void open_response(struct sim_buf *b, const char *returncode)
{
	sim_buf_puts(b, "<response>\n");
	elem(b, "returncode", returncode);
}

char *sim_xml_api_root(const char *bbb_version, const char *host, size_t *len)
{
	struct sim_buf b = {0};
	char *ws = sim_xasprintf("ws://%s/graphql", host);
	char *api = sim_xasprintf("http://%s/api/rest", host);

	open_response(&b, "SUCCESS");
	elem(&b, "version", "2.0");
	elem(&b, "apiVersion", "2.0");
	elem(&b, "bbbVersion", bbb_version);
	elem(&b, "graphqlWebsocketUrl", ws);
	elem(&b, "graphqlApiUrl", api);
	sim_buf_puts(&b, "</response>");
	free(ws);
	free(api);
	return finish(&b, len);
}

char *sim_xml_message(const char *returncode, const char *key, const char *message, size_t *len)
{
	struct sim_buf b = {0};

	open_response(&b, returncode);
	if (key != NULL)
		elem(&b, "messageKey", key);
	elem(&b, "message", message);
	sim_buf_puts(&b, "</response>");
	return finish(&b, len);
}

char *sim_xml_failed(const char *key, const char *message, size_t *len)
{
	return sim_xml_message("FAILED", key, message, len);
}

/*
 * The errors-list shape of api-errors.ftlx (used for nonUniqueVoiceBridge):
 * <errors><error><key>K</key><message>M</message></error></errors>, with no
 * top-level messageKey, as bbb-api.md section 6 describes it. (Pre-2.4
 * Grails builders wrote <error key="K" message="M"/> instead.)
 */
char *sim_xml_errors(const char *key, const char *message, size_t *len)
{
	struct sim_buf b = {0};

	open_response(&b, "FAILED");
	sim_buf_puts(&b, "<errors>\n<error>\n");
	elem(&b, "key", key);
	elem(&b, "message", message);
	sim_buf_puts(&b, "</error>\n</errors>\n</response>");
	return finish(&b, len);
}

char *sim_xml_create(const struct sim_meeting *m, const char *key, const char *message, size_t *len)
{
	struct sim_buf b = {0};

	open_response(&b, "SUCCESS");
	elem(&b, "meetingID", m->meeting_id);
	elem(&b, "internalMeetingID", m->internal_id);
	elem(&b, "parentMeetingID", m->parent_id);
	elem(&b, "attendeePW", m->attendee_pw);
	elem(&b, "moderatorPW", m->moderator_pw);
	elem_num(&b, "createTime", m->create_time);
	elem(&b, "voiceBridge", m->voice_bridge);
	elem(&b, "dialNumber", m->dial_number);
	elem(&b, "createDate", m->create_date);
	elem_bool(&b, "hasUserJoined", m->running);
	elem_num(&b, "duration", m->duration);
	elem_bool(&b, "hasBeenForciblyEnded", m->forcibly_ended);
	elem(&b, "messageKey", key);
	elem(&b, "message", message);
	sim_buf_puts(&b, "</response>");
	return finish(&b, len);
}

char *sim_xml_running(bool running, size_t *len)
{
	struct sim_buf b = {0};

	open_response(&b, "SUCCESS");
	elem_bool(&b, "running", running);
	sim_buf_puts(&b, "</response>");
	return finish(&b, len);
}

char *sim_xml_join(const struct sim_join_info *j, size_t *len)
{
	struct sim_buf b = {0};

	open_response(&b, "SUCCESS");
	elem(&b, "messageKey", "successfullyJoined");
	elem(&b, "message", "You have joined successfully.");
	elem(&b, "meeting_id", j->internal_id);
	elem(&b, "user_id", j->user_id);
	elem(&b, "auth_token", j->auth_token);
	elem(&b, "session_token", j->session_token);
	elem(&b, "guestStatus", "ALLOW");
	elem(&b, "url", j->url);
	sim_buf_puts(&b, "</response>");
	return finish(&b, len);
}

/* Element names come from the request as in BBB (meta_ names are pre-filtered). */
static void kv_list(struct sim_buf *b, const struct sim_kv *kv)
{
	for (; kv != NULL; kv = kv->next)
		elem(b, kv->key, kv->value);
}

static void attendees(struct sim_buf *b, const struct sim_meeting *m)
{
	const struct sim_attendee *a;

	sim_buf_puts(b, "<attendees>\n");
	for (a = m->attendees; a != NULL; a = a->next) {
		sim_buf_puts(b, "<attendee>\n");
		elem(b, "userID", a->user_id);
		elem(b, "fullName", a->full_name);
		elem(b, "role", a->moderator ? "MODERATOR" : "VIEWER");
		elem_bool(b, "isPresenter", false);
		elem_bool(b, "isListeningOnly", false);
		elem_bool(b, "hasJoinedVoice", false);
		elem_bool(b, "hasVideo", false);
		elem(b, "clientType", "HTML5");
		if (a->has_custom) {
			sim_buf_puts(b, "<customdata>\n");
			kv_list(b, a->custom);
			sim_buf_puts(b, "</customdata>\n");
		}
		sim_buf_puts(b, "</attendee>\n");
	}
	sim_buf_puts(b, "</attendees>\n");
}

static void counters(struct sim_buf *b, const struct sim_meeting *m)
{
	const struct sim_attendee *a;
	unsigned long users = 0;
	unsigned long moderators = 0;

	for (a = m->attendees; a != NULL; a = a->next) {
		users++;
		if (a->moderator)
			moderators++;
	}
	elem_num(b, "participantCount", users);
	elem_num(b, "listenerCount", 0);
	elem_num(b, "voiceParticipantCount", 0);
	elem_num(b, "videoCount", 0);
	elem_num(b, "maxUsers", m->max_users);
	elem_num(b, "moderatorCount", moderators);
}

static void breakouts(struct sim_buf *b, const struct sim_meeting *all, const struct sim_meeting *m)
{
	const struct sim_meeting *c;
	bool any = false;

	if (m->is_breakout) {
		elem(b, "parentMeetingID", m->parent_id);
		elem_num(b, "sequence", m->sequence);
		elem_bool(b, "freeJoin", m->free_join);
	}
	for (c = all; c != NULL; c = c->next) {
		if (!c->is_breakout || strcmp(c->parent_id, m->internal_id) != 0)
			continue;
		if (!any)
			sim_buf_puts(b, "<breakoutRooms>\n");
		any = true;
		elem(b, "breakout", c->internal_id);
	}
	if (any)
		sim_buf_puts(b, "</breakoutRooms>\n");
}

/* The fields get-meeting-info.ftlx and get-meetings.ftlx share, in their order. */
static void meeting_fields(struct sim_buf *b, const struct sim_meeting *all,
			   const struct sim_meeting *m)
{
	elem(b, "meetingName", m->name);
	elem(b, "meetingID", m->meeting_id);
	elem(b, "internalMeetingID", m->internal_id);
	elem_num(b, "createTime", m->create_time);
	elem(b, "createDate", m->create_date);
	elem(b, "voiceBridge", m->voice_bridge);
	elem(b, "dialNumber", m->dial_number);
	elem(b, "attendeePW", m->attendee_pw);
	elem(b, "moderatorPW", m->moderator_pw);
	elem_bool(b, "running", m->running);
	elem_num(b, "duration", m->duration);
	elem_bool(b, "hasUserJoined", m->running);
	elem_bool(b, "recording", m->record);
	elem_bool(b, "hasBeenForciblyEnded", m->forcibly_ended);
	elem_num(b, "startTime", m->create_time);
	elem_num(b, "endTime", 0);
	counters(b, m);
	attendees(b, m);
	sim_buf_puts(b, "<metadata>\n");
	kv_list(b, m->meta);
	sim_buf_puts(b, "</metadata>\n");
	elem_bool(b, "isBreakout", m->is_breakout);
	breakouts(b, all, m);
}

char *sim_xml_meeting_info(const struct sim_meeting *all, const struct sim_meeting *m, size_t *len)
{
	struct sim_buf b = {0};

	open_response(&b, "SUCCESS");
	meeting_fields(&b, all, m);
	sim_buf_puts(&b, "</response>");
	return finish(&b, len);
}

char *sim_xml_meetings(const struct sim_meeting *all, size_t *len)
{
	struct sim_buf b = {0};
	const struct sim_meeting *m;

	open_response(&b, "SUCCESS");
	if (all == NULL) {
		sim_buf_puts(&b, "<meetings/>\n");
		elem(&b, "messageKey", "noMeetings");
		elem(&b, "message", "no meetings were found on this server");
	} else {
		sim_buf_puts(&b, "<meetings>\n");
		for (m = all; m != NULL; m = m->next) {
			sim_buf_puts(&b, "<meeting>\n");
			meeting_fields(&b, all, m);
			sim_buf_puts(&b, "</meeting>\n");
		}
		sim_buf_puts(&b, "</meetings>\n");
	}
	sim_buf_puts(&b, "</response>");
	return finish(&b, len);
}

static const char *reason(int status)
{
	switch (status) {
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 413:
		return "Request Entity Too Large";
	case 500:
		return "Internal Server Error";
	case 502:
		return "Bad Gateway";
	case 503:
		return "Service Unavailable";
	case 504:
		return "Gateway Timeout";
	default:
		return "Error";
	}
}

char *sim_html_client(const struct sim_meeting *m, const struct sim_attendee *a, size_t *len)
{
	struct sim_buf b = {0};
	struct sim_buf leave = {0};

	sim_buf_puts(&leave, "/bigbluebutton/api/sim/leave?meetingID=");
	sim_url_encode_java(&leave, m->meeting_id);
	sim_buf_puts(&leave, "&userID=");
	sim_url_encode_java(&leave, a->internal_id);
	sim_buf_puts(&b, "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>");
	buf_escape(&b, m->name);
	sim_buf_puts(&b, "</title>\n</head>\n<body>\n<h1>");
	buf_escape(&b, m->name);
	sim_buf_puts(&b, "</h1>\n<p>You are in this meeting as <b>");
	buf_escape(&b, a->full_name);
	sim_buf_printf(&b, "</b> (%s). This is the BBB simulator: there is no client, ",
		       a->moderator ? "moderator" : "viewer");
	sim_buf_puts(&b, "but it counts you as joined until you leave.</p>\n<p><a href=\"");
	buf_escape(&b, leave.p);
	sim_buf_puts(&b, "\">Leave the meeting</a></p>\n</body>\n</html>\n");
	free(leave.p);
	*len = b.len;
	return b.p;
}

char *sim_html_status(int status, size_t *len)
{
	char *s = sim_xasprintf("<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n"
				"<center><h1>%d %s</h1></center>\r\n<hr><center>nginx</center>\r\n"
				"</body>\r\n</html>\r\n",
				status, reason(status), status, reason(status));

	*len = strlen(s);
	return s;
}
