/*
 * event_norm.c - bbb-webhooks callbacks in, gateway events out.
 *
 * A callback is verified on its raw bytes first (the checksum over the
 * registered URL + body + secret, or the Bearer secret). Its body is then
 * read as a form whose one `event` field, percent-decoded, is a JSON array
 * of bbb-webhooks v3 "mapped" events. Each element is looked up by its
 * data.id in the table of ids the gateway relays, and what a page may see
 * is copied field by field into a fresh object: an allow list, so session
 * tokens, IP addresses, user agents, referers, user data, chat and poll
 * contents, internal ids and dial-in numbers never reach an event, whatever
 * a later bbb-webhooks adds to its events. The meeting passwords of
 * meeting-created go only into data_pw.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event_norm.h"
#include "str.h"

/* What an event of a relayed type carries besides meetingID and time. */
enum shape {
	S_MEETING, /* nothing */
	S_USER,    /* "user" when the source names one */
	S_CREATED, /* the meeting's name, createTime, record, isBreakout, parentMeetingID */
	S_READY,   /* recordID */
};

struct relay {
	const char *id; /* bbb-webhooks' data.id */
	enum gw_event_type type;
	enum shape shape;
};

static const struct relay relays[] = {
	{"meeting-created", GW_EV_MEETING_CREATED, S_CREATED},
	{"meeting-ended", GW_EV_MEETING_ENDED, S_MEETING},
	{"user-joined", GW_EV_USER_JOINED, S_USER},
	{"user-left", GW_EV_USER_LEFT, S_USER},
	{"user-audio-voice-enabled", GW_EV_USER_AUDIO_JOINED, S_USER},
	{"user-audio-voice-disabled", GW_EV_USER_AUDIO_LEFT, S_USER},
	{"user-audio-muted", GW_EV_USER_MUTED, S_USER},
	{"user-audio-unmuted", GW_EV_USER_UNMUTED, S_USER},
	{"user-cam-broadcast-start", GW_EV_USER_CAM_STARTED, S_USER},
	{"user-cam-broadcast-end", GW_EV_USER_CAM_STOPPED, S_USER},
	{"user-presenter-assigned", GW_EV_USER_PRESENTER_ASSIGNED, S_USER},
	{"meeting-screenshare-started", GW_EV_SCREENSHARE_STARTED, S_USER},
	{"meeting-screenshare-stopped", GW_EV_SCREENSHARE_STOPPED, S_USER},
	{"meeting-recording-started", GW_EV_RECORDING_STARTED, S_MEETING},
	{"meeting-recording-stopped", GW_EV_RECORDING_STOPPED, S_MEETING},
	{"rap-publish-ended", GW_EV_RECORDING_READY, S_READY},
};

/* The other ids bbb-webhooks 3 emits (its src/process/event.js): known, not relayed. */
static const char *const unrelayed[] = {
	"meeting-recording-unhandled",
	"meeting-presentation-changed",
	"user-audio-unhandled",
	"user-presenter-unassigned",
	"user-emoji-changed",
	"user-raise-hand-changed",
	"transcript-updated",
	"chat-group-message-sent",
	"pad-content",
	"poll-started",
	"poll-responded",
	"rap-published",
	"rap-unpublished",
	"rap-deleted",
	"rap-archive-started",
	"rap-archive-ended",
	"rap-sanity-started",
	"rap-sanity-ended",
	"rap-post-archive-started",
	"rap-post-archive-ended",
	"rap-process-started",
	"rap-process-ended",
	"rap-post-process-started",
	"rap-post-process-ended",
	"rap-publish-started",
	"rap-post-publish-started",
	"rap-post-publish-ended",
};

/* bbb-webhooks' "no parent" for a meeting that is not a breakout room. */
#define NO_PARENT "bbb-none"

bool gw_event_verify_checksum(const char *callback_url, const char *body, size_t body_len,
			      const char *secret, enum gw_digest alg, const char *checksum)
{
	unsigned char want[GW_DIGEST_MAX_LEN];
	unsigned char got[GW_DIGEST_MAX_LEN];
	size_t n = gw_crypto_digest_len(alg);
	struct gw_iov parts[3];

	if (callback_url == NULL || secret == NULL || secret[0] == '\0' || checksum == NULL ||
	    (body == NULL && body_len > 0) || n == 0)
		return false;
	/* Exactly 2n hex digits of either case: any other length is refused here. */
	if (gw_crypto_unhex(checksum, got, n) != GW_OK)
		return false;
	parts[0] = (struct gw_iov){callback_url, strlen(callback_url)};
	parts[1] = (struct gw_iov){body, body_len};
	parts[2] = (struct gw_iov){secret, strlen(secret)};
	if (gw_crypto_digest(alg, parts, GW_ARRAY_SIZE(parts), want) != GW_OK)
		return false;
	return gw_crypto_equal(want, got, n);
}

bool gw_event_verify_bearer(const char *authorization, const char *secret)
{
	static const char scheme[] = "Bearer ";
	unsigned char given[GW_DIGEST_MAX_LEN];
	unsigned char want[GW_DIGEST_MAX_LEN];
	struct gw_iov g;
	struct gw_iov w;
	const char *cred;

	if (authorization == NULL || secret == NULL || secret[0] == '\0' ||
	    !gw_str_case_prefix(authorization, scheme))
		return false;
	cred = authorization + sizeof(scheme) - 1;
	while (*cred == ' ')
		cred++;
	/*
	 * Comparing digests of the two strings takes time that depends on
	 * their lengths only, and never stops early at a length difference:
	 * equal SHA-256 digests mean equal strings.
	 */
	g = (struct gw_iov){cred, strlen(cred)};
	w = (struct gw_iov){secret, strlen(secret)};
	if (gw_crypto_digest(GW_DIGEST_SHA256, &g, 1, given) != GW_OK ||
	    gw_crypto_digest(GW_DIGEST_SHA256, &w, 1, want) != GW_OK)
		return false;
	return gw_crypto_equal(given, want, gw_crypto_digest_len(GW_DIGEST_SHA256));
}

/* ---- the form ---------------------------------------------------------- */

/* The fields of a callback's form; each may appear once. Others are ignored. */
static const char *const form_fields[] = {"event", "domain", "timestamp"};

/* Encoded names longer than this are none of form_fields. */
#define FORM_NAME_MAX 32u

/* One name=value pair of n bytes: notes which field it is and decodes `event` into *event. */
static enum gw_err form_pair(const char *p, size_t n, unsigned *seen, char **event)
{
	const char *eq = memchr(p, '=', n);
	size_t nlen = eq != NULL ? (size_t)(eq - p) : n;
	char name[FORM_NAME_MAX + 1];
	enum gw_err err;
	size_t i;

	if (nlen > FORM_NAME_MAX || gw_str_pct_decode_into(p, nlen, true, name) != GW_OK)
		return GW_OK; /* not a field this parser reads */
	for (i = 0; i < GW_ARRAY_SIZE(form_fields); i++) {
		if (strcmp(name, form_fields[i]) == 0)
			break;
	}
	if (i == GW_ARRAY_SIZE(form_fields))
		return GW_OK;
	/* Twice the same field: no telling which one bbb-webhooks meant. */
	if ((*seen & 1u << i) != 0)
		return GW_E_BAD_REQUEST;
	*seen |= 1u << i;
	if (i != 0)
		return GW_OK; /* domain and timestamp are not needed */
	err = gw_str_pct_decode(eq != NULL ? eq + 1 : "", eq != NULL ? n - nlen - 1 : 0, true,
				event);
	return err == GW_E_PARSE ? GW_E_BAD_REQUEST : err;
}

/* The decoded `event` field of a form body (malloc'd, NUL-terminated; caller frees). */
static enum gw_err form_event(const char *body, size_t len, char **out)
{
	const char *p = body;
	const char *end = body + len;
	unsigned seen = 0;
	char *event = NULL;
	enum gw_err err = GW_OK;

	while (p < end && err == GW_OK) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		size_t n = amp != NULL ? (size_t)(amp - p) : (size_t)(end - p);

		if (n > 0)
			err = form_pair(p, n, &seen, &event);
		p = amp != NULL ? amp + 1 : end;
	}
	if (err == GW_OK && event == NULL)
		err = GW_E_BAD_REQUEST;
	if (err != GW_OK) {
		free(event);
		return err;
	}
	*out = event;
	return GW_OK;
}

/* ---- one event --------------------------------------------------------- */

enum verdict {
	V_EVENT,   /* the event was filled in */
	V_DROPPED, /* known, but not relayed (see gw_event_batch.dropped) */
	V_UNKNOWN, /* not a v3 mapped event, or an id the gateway does not know */
};

/* The data object being built; a field over its cap drops the event. */
struct build {
	json_t *o;
	bool too_long;
	bool nomem;
};

/* Sets o[key] to v (a new reference; v is shared with the source tree, never copied). */
static void put(struct build *b, json_t *o, const char *key, json_t *v)
{
	if (json_object_set(o, key, v) != 0)
		b->nomem = true;
}

/* o[key] = src[src_key] when that is a string of at most GW_EVENT_MAX_FIELD bytes. */
static void put_string(struct build *b, json_t *o, const char *key, json_t *src,
		       const char *src_key)
{
	json_t *v = json_object_get(src, src_key); /* borrowed */

	if (!json_is_string(v))
		return;
	if (json_string_length(v) > GW_EVENT_MAX_FIELD)
		b->too_long = true;
	else
		put(b, o, key, v);
}

/* o[key] = src[src_key] when that is a boolean. */
static void put_bool(struct build *b, json_t *o, const char *key, json_t *src, const char *src_key)
{
	json_t *v = json_object_get(src, src_key);

	if (json_is_boolean(v))
		put(b, o, key, v);
}

/* "user": the external user ID, name, role and presenter flag, those the source has. */
static void put_user(struct build *b, json_t *src)
{
	json_t *u = json_object();
	json_t *id = json_object_get(src, "external-user-id");

	if (u == NULL) {
		b->nomem = true;
		return;
	}
	/* bbb-webhooks writes "" when it does not know the external ID: not an ID. */
	if (json_string_length(id) > 0)
		put_string(b, u, "userID", src, "external-user-id");
	put_string(b, u, "fullName", src, "name");
	put_string(b, u, "role", src, "role");
	put_bool(b, u, "presenter", src, "presenter");
	if (json_object_size(u) > 0 && json_object_set(b->o, "user", u) != 0)
		b->nomem = true;
	json_decref(u);
}

/* The meeting's own fields of meeting-created (passwords apart, dial-in never). */
static void put_created(struct build *b, json_t *meeting)
{
	json_t *t = json_object_get(meeting, "create-time");
	json_t *parent = json_object_get(meeting, "parent-id");

	put_string(b, b->o, "name", meeting, "name");
	if (json_is_integer(t))
		put(b, b->o, "createTime", t);
	put_bool(b, b->o, "record", meeting, "record");
	put_bool(b, b->o, "isBreakout", meeting, "is-breakout");
	if (json_is_true(json_object_get(meeting, "is-breakout")) &&
	    json_string_length(parent) > 0 && strcmp(json_string_value(parent), NO_PARENT) != 0)
		put_string(b, b->o, "parentMeetingID", meeting, "parent-id");
}

/* meeting-created's passwords into data_pw (data and the passwords), when it has any. */
static void put_passwords(struct build *b, json_t *meeting)
{
	put_string(b, b->o, "attendeePW", meeting, "viewer-pass");
	put_string(b, b->o, "moderatorPW", meeting, "moderator-pass");
}

/* One line of compact JSON (jansson escapes CR and LF inside strings). */
static enum gw_err dump(json_t *o, char **text, size_t *len)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

	if (s == NULL)
		return GW_E_NOMEM;
	*text = s;
	*len = strlen(s);
	return GW_OK;
}

/* A published recording with an ID; a publish that failed is not a ready recording. */
static bool ready(json_t *attrs)
{
	json_t *id = json_object_get(attrs, "record-id");

	return !json_is_false(json_object_get(attrs, "success")) && json_string_length(id) > 0;
}

/*
 * Builds the event of relay r for the source's data object d, whose meeting
 * ID and time are checked already. *v is V_EVENT when *ev was filled, else
 * V_DROPPED (a field over its cap) and *ev is untouched.
 */
static enum gw_err fill(const struct relay *r, json_t *d, json_t *mid, json_t *ts,
			struct gw_event *ev, enum verdict *v)
{
	json_t *attrs = json_object_get(d, "attributes");
	json_t *meeting = json_object_get(attrs, "meeting");
	struct build b = {json_object(), false, false};
	struct gw_event e = {.type = r->type, .time_ms = json_integer_value(ts)};
	enum gw_err err = GW_OK;
	size_t before;

	if (b.o == NULL)
		return GW_E_NOMEM;
	put(&b, b.o, "meetingID", mid);
	put(&b, b.o, "time", ts);
	if (r->shape == S_USER)
		put_user(&b, json_object_get(attrs, "user"));
	else if (r->shape == S_CREATED)
		put_created(&b, meeting);
	else if (r->shape == S_READY)
		put_string(&b, b.o, "recordID", attrs, "record-id");
	if (!b.nomem && !b.too_long)
		err = dump(b.o, &e.data, &e.data_len);
	before = json_object_size(b.o);
	if (err == GW_OK && r->shape == S_CREATED)
		put_passwords(&b, meeting);
	if (err == GW_OK && !b.nomem && !b.too_long && json_object_size(b.o) > before)
		err = dump(b.o, &e.data_pw, &e.data_pw_len);
	json_decref(b.o);
	if (err == GW_OK && b.nomem)
		err = GW_E_NOMEM;
	if (err != GW_OK || b.too_long) {
		gw_event_deinit(&e);
		return err;
	}
	memcpy(e.meeting_id, json_string_value(mid), json_string_length(mid));
	e.meeting_id[json_string_length(mid)] = '\0';
	*ev = e;
	*v = V_EVENT;
	return GW_OK;
}

static bool known_unrelayed(const char *id)
{
	size_t i;

	for (i = 0; i < GW_ARRAY_SIZE(unrelayed); i++) {
		if (strcmp(id, unrelayed[i]) == 0)
			return true;
	}
	return false;
}

/* One array element (an object) into *ev, or a verdict saying why not. */
static enum gw_err normalise(json_t *el, struct gw_event *ev, enum verdict *v)
{
	json_t *d = json_object_get(el, "data");
	const char *id = json_string_value(json_object_get(d, "id"));
	const char *type = json_string_value(json_object_get(d, "type"));
	const struct relay *r = NULL;
	size_t mid_len;
	json_t *mid;
	json_t *ts;
	size_t i;

	*v = V_UNKNOWN;
	/* Not a v3 mapped event: bbb-webhooks' raw {"envelope", "core"} form, say. */
	if (id == NULL || type == NULL || strcmp(type, "event") != 0)
		return GW_OK;
	for (i = 0; i < GW_ARRAY_SIZE(relays) && r == NULL; i++) {
		if (strcmp(id, relays[i].id) == 0)
			r = &relays[i];
	}
	if (r == NULL) {
		*v = known_unrelayed(id) ? V_DROPPED : V_UNKNOWN;
		return GW_OK;
	}
	*v = V_DROPPED;
	mid = json_object_get(json_object_get(json_object_get(d, "attributes"), "meeting"), "extern"
											    "al-"
											    "meetin"
											    "g-id");
	mid_len = json_string_length(mid); /* 0 for a missing or non-string ID */
	ts = json_object_get(json_object_get(d, "event"), "ts");
	if (mid_len == 0 || mid_len > GW_EVENT_MAX_MEETING_ID || !json_is_integer(ts) ||
	    json_integer_value(ts) < 0)
		return GW_OK;
	if (r->shape == S_READY && !ready(json_object_get(d, "attributes")))
		return GW_OK;
	return fill(r, d, mid, ts, ev, v);
}

/* ---- the callback ------------------------------------------------------ */

/* The event array of a form's decoded `event` field; GW_E_BAD_REQUEST for anything else. */
static enum gw_err event_array(const char *text, size_t max_events, json_t **out)
{
	json_error_t jerr;
	json_t *arr = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	json_t *el;
	size_t i;

	/* jansson's failures include running out of memory: refused as malformed too. */
	if (!json_is_array(arr) || json_array_size(arr) > max_events)
		goto bad;
	json_array_foreach (arr, i, el) {
		if (!json_is_object(el))
			goto bad;
	}
	*out = arr;
	return GW_OK;
bad:
	json_decref(arr);
	return GW_E_BAD_REQUEST;
}

/* Every element of arr into b (empty), in order. */
static enum gw_err normalise_all(json_t *arr, struct gw_event_batch *b)
{
	size_t n = json_array_size(arr);
	enum gw_err err = GW_OK;
	json_t *el;
	size_t i;

	if (n > 0) {
		b->events = calloc(n, sizeof(*b->events));
		if (b->events == NULL)
			return GW_E_NOMEM;
	}
	json_array_foreach (arr, i, el) {
		enum verdict v;

		err = normalise(el, &b->events[b->n], &v);
		if (err != GW_OK)
			break;
		if (v == V_EVENT)
			b->n++;
		else
			b->dropped++;
		if (v == V_UNKNOWN)
			b->dropped_by_type_unknown++;
	}
	return err;
}

enum gw_err gw_event_parse_callback(const char *body, size_t len, size_t max_events,
				    struct gw_event_batch *out)
{
	struct gw_event_batch b = {NULL, 0, 0, 0};
	char *text = NULL;
	json_t *arr = NULL;
	enum gw_err err;

	if (len > GW_EVENT_MAX_CALLBACK_BYTES)
		return GW_E_BODY_TOO_LARGE;
	if (body == NULL)
		len = 0;
	err = form_event(body != NULL ? body : "", len, &text);
	if (err == GW_OK)
		err = event_array(text, max_events, &arr);
	if (err == GW_OK)
		err = normalise_all(arr, &b);
	json_decref(arr);
	free(text);
	if (err != GW_OK) {
		gw_event_batch_deinit(&b);
		return err;
	}
	*out = b;
	return GW_OK;
}

void gw_event_batch_deinit(struct gw_event_batch *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++)
		gw_event_deinit(&b->events[i]);
	free(b->events);
	b->events = NULL;
	b->n = 0;
	b->dropped = 0;
	b->dropped_by_type_unknown = 0;
}
