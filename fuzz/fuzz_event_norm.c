/*
 * fuzz_event_norm.c - bbb-webhooks callbacks (event_norm.c): the form
 * body, the JSON array it carries, the events made of it, and the two
 * ways a callback is verified.
 *
 * The first byte picks the mode, so that seeds read like text:
 *   'J' - the rest is the `event` field's text (a JSON array); the harness
 *         encodes it as URLSearchParams does, between a domain and a
 *         timestamp field, so that the JSON reaches the normaliser.
 *   else - the whole input is the form body.
 *
 * Checks: the result is GW_OK, GW_E_BAD_REQUEST, GW_E_BODY_TOO_LARGE or
 * GW_E_NOMEM, and the batch is written on GW_OK only; no more events and
 * drops than max_events, unknown drops among the drops; each event has a
 * known type, a meetingID of 1..GW_EVENT_MAX_MEETING_ID bytes and a time
 * >= 0, and its data is one line of compact JSON, an object with only the
 * contract's keys (a "user" only for user events and screenshares, with
 * only its four keys), strings within GW_EVENT_MAX_FIELD, meetingID and
 * time equal to the event's; data_pw only for meeting-created, equal to
 * data plus attendeePW/moderatorPW, which data never has; parsing again
 * gives the same batch. The body's own checksum (gw_crypto_digest) is
 * accepted in either case and refused with one digit changed or under
 * another URL; the input taken as an Authorization value passes the
 * Bearer check exactly when it is "bearer" (any case), spaces and the
 * secret.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "event_norm.h"
#include "fuzz.h"
#include "str.h"

#define MAX_EVENTS 8u
#define MAX_INPUT (256u * 1024u)
#define CB_URL "https://gateway.example.org/v1/bbb-events"
#define SECRET "fuzz-bbb-secret-0123456789abcdef"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

void fuzz_cleanup(void)
{
}

/* "domain=..&event=<data encoded>&timestamp=.." as bbb-webhooks sends it. malloc'd. */
static char *form_of(const uint8_t *data, size_t size, size_t *len)
{
	static const char pre[] = "domain=bbb.example.org&event=";
	static const char post[] = "&timestamp=1708381132686";
	static const char hex[] = "0123456789ABCDEF";
	char *out = malloc(sizeof(pre) + 3 * size + sizeof(post));
	size_t j = sizeof(pre) - 1;
	size_t i;

	FUZZ_CHECK(out != NULL);
	memcpy(out, pre, j);
	for (i = 0; i < size; i++) {
		uint8_t c = data[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '*' || c == '-' || c == '.' || c == '_') {
			out[j++] = (char)c;
		} else if (c == ' ') {
			out[j++] = '+';
		} else {
			out[j++] = '%';
			out[j++] = hex[c >> 4];
			out[j++] = hex[c & 15];
		}
	}
	memcpy(out + j, post, sizeof(post));
	*len = j + sizeof(post) - 1;
	return out;
}

static bool is_user_type(enum gw_event_type t)
{
	return (t >= GW_EV_USER_JOINED && t <= GW_EV_USER_PRESENTER_ASSIGNED) ||
	       t == GW_EV_SCREENSHARE_STARTED || t == GW_EV_SCREENSHARE_STOPPED;
}

static bool one_of(const char *key, const char *const *set, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(key, set[i]) == 0)
			return true;
	}
	return false;
}

/* Only the contract's keys, strings within the field cap. */
static void check_object(json_t *o, enum gw_event_type t, bool pw)
{
	static const char *const top[] = {"meetingID",  "time",   "user",       "name",
					  "createTime", "record", "isBreakout", "parentMeetingID",
					  "recordID"};
	static const char *const pws[] = {"attendeePW", "moderatorPW"};
	static const char *const user[] = {"userID", "fullName", "role", "presenter"};
	const char *key;
	json_t *u;
	json_t *v;

	FUZZ_CHECK(json_is_object(o));
	json_object_foreach (o, key, v) {
		FUZZ_CHECK(one_of(key, top, GW_ARRAY_SIZE(top)) ||
			   (pw && one_of(key, pws, GW_ARRAY_SIZE(pws))));
		FUZZ_CHECK(!json_is_string(v) || json_string_length(v) <= GW_EVENT_MAX_FIELD);
	}
	u = json_object_get(o, "user");
	FUZZ_CHECK(u == NULL || (is_user_type(t) && json_is_object(u) && json_object_size(u) > 0));
	json_object_foreach (u, key, v) {
		FUZZ_CHECK(one_of(key, user, GW_ARRAY_SIZE(user)));
		FUZZ_CHECK(!json_is_string(v) || json_string_length(v) <= GW_EVENT_MAX_FIELD);
	}
}

/* A text of len bytes: one line of compact JSON, an object. Caller decrefs. */
static json_t *load_line(const char *text, size_t len)
{
	json_t *o;
	char *again;

	FUZZ_CHECK(text != NULL && strlen(text) == len);
	FUZZ_CHECK(memchr(text, '\n', len) == NULL && memchr(text, '\r', len) == NULL);
	o = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	FUZZ_CHECK(json_is_object(o));
	again = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	FUZZ_CHECK(again != NULL && strcmp(again, text) == 0);
	free(again);
	return o;
}

static void check_event(const struct gw_event *ev)
{
	size_t mlen = strnlen(ev->meeting_id, sizeof(ev->meeting_id));
	json_t *d;

	FUZZ_CHECK(gw_event_type_name(ev->type) != NULL);
	FUZZ_CHECK(mlen > 0 && mlen <= GW_EVENT_MAX_MEETING_ID);
	FUZZ_CHECK(ev->time_ms >= 0);
	d = load_line(ev->data, ev->data_len);
	check_object(d, ev->type, false);
	FUZZ_CHECK(strcmp(json_string_value(json_object_get(d, "meetingID")), ev->meeting_id) == 0);
	FUZZ_CHECK(json_integer_value(json_object_get(d, "time")) == ev->time_ms);
	FUZZ_CHECK(ev->data_pw == NULL || ev->type == GW_EV_MEETING_CREATED);
	if (ev->data_pw != NULL) {
		json_t *p = load_line(ev->data_pw, ev->data_pw_len);

		check_object(p, ev->type, true);
		FUZZ_CHECK(json_object_get(p, "attendeePW") != NULL ||
			   json_object_get(p, "moderatorPW") != NULL);
		json_object_del(p, "attendeePW");
		json_object_del(p, "moderatorPW");
		FUZZ_CHECK(json_equal(p, d));
		json_decref(p);
	}
	json_decref(d);
}

static void check_parse(const char *body, size_t len)
{
	struct gw_event_batch a = {NULL, 99, 99, 99};
	struct gw_event_batch b = {NULL, 0, 0, 0};
	enum gw_err err = gw_event_parse_callback(body, len, MAX_EVENTS, &a);

	FUZZ_CHECK(err == GW_OK || err == GW_E_BAD_REQUEST || err == GW_E_BODY_TOO_LARGE ||
		   err == GW_E_NOMEM);
	if (err != GW_OK) {
		FUZZ_CHECK(a.events == NULL && a.n == 99 && a.dropped == 99);
		FUZZ_CHECK(gw_event_parse_callback(body, len, MAX_EVENTS, &b) == err);
		return;
	}
	FUZZ_CHECK(a.n + a.dropped <= MAX_EVENTS);
	FUZZ_CHECK(a.dropped_by_type_unknown <= a.dropped);
	FUZZ_CHECK(a.n == 0 || a.events != NULL);
	for (size_t i = 0; i < a.n; i++)
		check_event(&a.events[i]);
	FUZZ_CHECK(gw_event_parse_callback(body, len, MAX_EVENTS, &b) == GW_OK);
	FUZZ_CHECK(a.n == b.n && a.dropped == b.dropped &&
		   a.dropped_by_type_unknown == b.dropped_by_type_unknown);
	for (size_t i = 0; i < a.n; i++) {
		FUZZ_CHECK(a.events[i].type == b.events[i].type);
		FUZZ_CHECK(strcmp(a.events[i].data, b.events[i].data) == 0);
	}
	gw_event_batch_deinit(&a);
	gw_event_batch_deinit(&b);
}

static void check_checksum(const char *body, size_t len)
{
	struct gw_iov parts[3] = {{CB_URL, strlen(CB_URL)}, {body, len}, {SECRET, strlen(SECRET)}};
	unsigned char md[GW_DIGEST_MAX_LEN];
	char hex[GW_DIGEST_MAX_HEX];
	size_t n;

	FUZZ_CHECK(gw_crypto_digest(GW_DIGEST_SHA256, parts, 3, md) == GW_OK);
	n = gw_crypto_digest_len(GW_DIGEST_SHA256);
	gw_crypto_hex(md, n, hex);
	FUZZ_CHECK(gw_event_verify_checksum(CB_URL, body, len, SECRET, GW_DIGEST_SHA256, hex));
	FUZZ_CHECK(!gw_event_verify_checksum(CB_URL "/", body, len, SECRET, GW_DIGEST_SHA256, hex));
	for (size_t i = 0; i < 2 * n; i++) {
		if (hex[i] >= 'a')
			hex[i] = (char)(hex[i] - 'a' + 'A');
	}
	FUZZ_CHECK(gw_event_verify_checksum(CB_URL, body, len, SECRET, GW_DIGEST_SHA256, hex));
	hex[len % (2 * n)] = hex[len % (2 * n)] == '0' ? '1' : '0';
	FUZZ_CHECK(!gw_event_verify_checksum(CB_URL, body, len, SECRET, GW_DIGEST_SHA256, hex));
}

/* The input (up to a NUL) as an Authorization value, against a plain reading of the rule. */
static void check_bearer(const uint8_t *data, size_t size)
{
	size_t n = strnlen((const char *)data, size);
	char *text = malloc(n + 1);
	const char *p = text;
	bool want;

	FUZZ_CHECK(text != NULL);
	memcpy(text, data, n);
	text[n] = '\0';
	want = gw_str_case_prefix(text, "bearer ");
	if (want) {
		p += 7;
		while (*p == ' ')
			p++;
		want = strcmp(p, SECRET) == 0;
	}
	FUZZ_CHECK(gw_event_verify_bearer(text, SECRET) == want);
	FUZZ_CHECK(!gw_event_verify_bearer(text, ""));
	/* the input taken as a checksum: malformed, or (short of a preimage) wrong */
	FUZZ_CHECK(!gw_event_verify_checksum(CB_URL, "", 0, SECRET, GW_DIGEST_SHA1, text));
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body;
	size_t len;

	if (size == 0 || size > MAX_INPUT)
		return 0;
	if (data[0] == 'J') {
		body = form_of(data + 1, size - 1, &len);
	} else {
		body = malloc(size);
		FUZZ_CHECK(body != NULL);
		memcpy(body, data, size);
		len = size;
	}
	check_parse(body, len);
	check_checksum(body, len);
	check_bearer(data, size);
	free(body);
	return 0;
}
