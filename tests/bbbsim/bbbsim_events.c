/*
 * bbbsim_events.c - the bbb-webhooks events the simulator emits, built as
 * that service maps BBB's messages ("v3" mapped events, the shapes of its
 * example/events/mapped-events.json) and addressed to the registered hooks.
 *
 * Model: bbb-webhooks' web-hooks.js and callback-emitter.js. An event goes
 * to every global hook and to the hooks registered for its external
 * meeting ID; a hook with an eventID list only gets the events it names; a
 * getRaw hook would get BBB's raw messages, which the simulator does not
 * model, so it gets nothing. Each callback carries one event: the form
 * body is URLSearchParams' serialisation of {domain, event: "[" +
 * JSON.stringify(event) + "]", timestamp} in that order (the set it keeps
 * is java.net.URLEncoder's: alphanumerics and "*-._", space as '+'). In
 * checksum mode the URL gets checksum=<hex hash(callbackURL + body +
 * secret)> after '?', or after '&' when the callbackURL has a query (as
 * url.parse sees it: a '?' before any '#'); in bearer mode the URL is the
 * callbackURL and the sender adds the Authorization header. Everything is
 * computed at once under sim->lock, so the queue holds ready requests.
 */
#include "bbbsim_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (unsigned long long)ts.tv_sec * 1000ull +
	       (unsigned long long)ts.tv_nsec / 1000000ull;
}

/* --- JSON as JSON.stringify writes it ------------------------------------ */

static void json_str(struct sim_buf *b, const char *s)
{
	sim_buf_puts(b, "\"");
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"')
			sim_buf_puts(b, "\\\"");
		else if (c == '\\')
			sim_buf_puts(b, "\\\\");
		else if (c == '\b')
			sim_buf_puts(b, "\\b");
		else if (c == '\f')
			sim_buf_puts(b, "\\f");
		else if (c == '\n')
			sim_buf_puts(b, "\\n");
		else if (c == '\r')
			sim_buf_puts(b, "\\r");
		else if (c == '\t')
			sim_buf_puts(b, "\\t");
		else if (c < 0x20)
			sim_buf_printf(b, "\\u%04x", c);
		else
			sim_buf_add(b, s, 1); /* UTF-8 as is; '/' and U+2028 are not escaped */
	}
	sim_buf_puts(b, "\"");
}

static void json_member(struct sim_buf *b, const char *name, const char *value)
{
	sim_buf_printf(b, ",\"%s\":", name);
	json_str(b, value);
}

/* {"data":{"type":"event","id":ID,"attributes":{"meeting":{"internal-meeting-id":..,"external-..":.. */
static void event_open(struct sim_buf *b, const char *id, const struct sim_meeting *m)
{
	sim_buf_puts(b, "{\"data\":{\"type\":\"event\",\"id\":");
	json_str(b, id);
	sim_buf_puts(b, ",\"attributes\":{\"meeting\":{\"internal-meeting-id\":");
	json_str(b, m->internal_id);
	json_member(b, "external-meeting-id", m->meeting_id);
}

static void event_close(struct sim_buf *b, unsigned long long ts)
{
	sim_buf_printf(b, "},\"event\":{\"ts\":%llu}}}", ts);
}

/* --- addressing ---------------------------------------------------------- */

/* bbb-webhooks splits eventID on ',' and compares each entry with the lower-cased event ID. */
static bool event_listed(const char *list, const char *id)
{
	size_t n = strlen(id);
	const char *p = list;

	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

		if (len == n && strncmp(p, id, n) == 0)
			return true;
		if (end == NULL)
			return false;
		p = end + 1;
	}
}

static bool hook_takes(const struct sim_hook *h, const char *id, const struct sim_meeting *m)
{
	if (h->raw)
		return false;
	if (h->meeting_id != NULL && strcmp(h->meeting_id, m->meeting_id) != 0)
		return false;
	return h->event_id == NULL || event_listed(h->event_id, id);
}

/* url.parse(url).search is not empty: a '?' before any '#'. */
static bool has_query(const char *url)
{
	size_t n = strcspn(url, "#");
	const char *q = strchr(url, '?');

	return q != NULL && (size_t)(q - url) < n;
}

static char *form_body(const struct bbbsim *sim, const char *json, unsigned long long ts)
{
	struct sim_buf event = {0};
	struct sim_buf b = {0};

	sim_buf_puts(&event, "[");
	sim_buf_puts(&event, json);
	sim_buf_puts(&event, "]");
	sim_buf_puts(&b, "domain=");
	sim_url_encode_java(&b, sim->domain);
	sim_buf_puts(&b, "&event=");
	sim_url_encode_java(&b, event.p);
	sim_buf_printf(&b, "&timestamp=%llu", ts);
	free(event.p);
	return b.p;
}

static char *signed_url(const struct bbbsim *sim, const char *url, const char *body)
{
	char *input;
	char *hex;
	char *out;

	if (sim->hooks_bearer)
		return sim_xstrdup(url);
	input = sim_xasprintf("%s%s%s", url, body, sim->secret);
	hex = sim_digest_hex(sim->hooks_checksum, input, strlen(input));
	if (hex == NULL)
		abort(); /* the algorithm was checked at start */
	out = sim_xasprintf("%s%cchecksum=%s", url, has_query(url) ? '&' : '?', hex);
	free(hex);
	free(input);
	return out;
}

/* Queues event json (the mapped event, without brackets) for each hook that takes it. */
static void dispatch(struct bbbsim *sim, const char *id, const struct sim_meeting *m,
		     const char *json)
{
	unsigned long long ts = now_ms(); /* the emitter's start(), when the callback is queued */
	const struct sim_hook *h;

	for (h = sim->hooks; h != NULL; h = h->next) {
		struct sim_callback *cb;

		if (!hook_takes(h, id, m))
			continue;
		cb = sim_xmalloc(sizeof(*cb));
		memset(cb, 0, sizeof(*cb));
		cb->hook_id = h->id;
		cb->event_id = sim_xstrdup(id);
		cb->body = form_body(sim, json, ts);
		cb->url = signed_url(sim, h->callback_url, cb->body);
		sim_sender_enqueue(sim, cb);
	}
}

/* --- the events ---------------------------------------------------------- */

void sim_event_meeting_created(struct bbbsim *sim, const struct sim_meeting *m)
{
	struct sim_buf b = {0};
	const struct sim_kv *kv;

	event_open(&b, "meeting-created", m);
	json_member(&b, "name", m->name);
	sim_buf_printf(&b, ",\"is-breakout\":%s", m->is_breakout ? "true" : "false");
	json_member(&b, "parent-id", m->parent_id);
	sim_buf_printf(&b, ",\"duration\":%lu,\"create-time\":%llu", m->duration, m->create_time);
	json_member(&b, "create-date", m->create_date);
	json_member(&b, "moderator-pass", m->moderator_pw);
	json_member(&b, "viewer-pass", m->attendee_pw);
	sim_buf_printf(&b, ",\"record\":%s", m->record ? "true" : "false");
	json_member(&b, "voice-conf", m->voice_bridge);
	json_member(&b, "dial-number", m->dial_number);
	sim_buf_printf(&b, ",\"max-users\":%lu,\"metadata\":{", m->max_users);
	for (kv = m->meta; kv != NULL; kv = kv->next) {
		if (kv != m->meta)
			sim_buf_puts(&b, ",");
		json_str(&b, kv->key);
		sim_buf_puts(&b, ":");
		json_str(&b, kv->value);
	}
	sim_buf_puts(&b, "}}");
	event_close(&b, now_ms());
	dispatch(sim, "meeting-created", m, b.p);
	free(b.p);
}

void sim_event_meeting_ended(struct bbbsim *sim, const struct sim_meeting *m)
{
	struct sim_buf b = {0};

	event_open(&b, "meeting-ended", m);
	sim_buf_puts(&b, "}");
	event_close(&b, now_ms());
	dispatch(sim, "meeting-ended", m, b.p);
	free(b.p);
}

/* user-joined carries name, role, presenter and guest; user-left only the IDs and guest. */
static void user_event(struct bbbsim *sim, const char *id, const struct sim_meeting *m,
		       const struct sim_attendee *a, bool joined)
{
	struct sim_buf b = {0};

	event_open(&b, id, m);
	sim_buf_puts(&b, "},\"user\":{\"internal-user-id\":");
	json_str(&b, a->internal_id);
	json_member(&b, "external-user-id", a->user_id);
	if (joined) {
		json_member(&b, "name", a->full_name);
		json_member(&b, "role", a->moderator ? "MODERATOR" : "VIEWER");
		sim_buf_puts(&b, ",\"presenter\":false");
	}
	sim_buf_puts(&b, ",\"guest\":false}");
	event_close(&b, now_ms());
	dispatch(sim, id, m, b.p);
	free(b.p);
}

void sim_event_user_joined(struct bbbsim *sim, const struct sim_meeting *m,
			   const struct sim_attendee *a)
{
	user_event(sim, "user-joined", m, a, true);
}

void sim_event_user_left(struct bbbsim *sim, const struct sim_meeting *m,
			 const struct sim_attendee *a)
{
	user_event(sim, "user-left", m, a, false);
}
