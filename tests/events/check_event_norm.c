/*
 * check_event_norm.c - bbb-webhooks callbacks into gateway events: every
 * event of bbb-webhooks' own example file (tests/data/events/
 * mapped-events.json) and of crafted ones (more-events.json) against the
 * golden outputs beside them (*.expected: per input line, "dropped",
 * "unknown" or type TAB data [TAB data_pw]); what is stripped; where the
 * passwords go; the form (URLSearchParams' encoding, field order, unknown
 * and repeated fields) and the JSON it carries; the drops and their
 * counts; checksums computed here with OpenSSL's EVP directly, and the
 * Bearer mode.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event_norm.h"
#include "testutil.h"

#define DOMAIN_FIELD "domain=bbb.example.org"
#define TIMESTAMP_FIELD "timestamp=1708381132686"
#define MAX_EVENTS 64u

/* s encoded as URLSearchParams encodes a value (application/x-www-form-urlencoded). Caller frees. */
static char *form_encode(const char *s)
{
	char *out = malloc(3 * strlen(s) + 1);
	char *o = out;

	ck_assert_ptr_nonnull(out);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '*' || c == '-' || c == '.' || c == '_')
			*o++ = (char)c;
		else if (c == ' ')
			*o++ = '+';
		else
			o += snprintf(o, 4, "%%%02X", c);
	}
	*o = '\0';
	return out;
}

/* bbb-webhooks' body for the JSON text of an event array: its three fields in its order. */
static char *callback_body(const char *array)
{
	char *enc = form_encode(array);
	size_t len = strlen(enc) + 64;
	char *body = malloc(len);

	ck_assert_ptr_nonnull(body);
	snprintf(body, len, DOMAIN_FIELD "&event=%s&" TIMESTAMP_FIELD, enc);
	free(enc);
	return body;
}

static enum gw_err parse_body(const char *body, struct gw_event_batch *b)
{
	return gw_event_parse_callback(body, strlen(body), MAX_EVENTS, b);
}

/* Parses the callback carrying array (JSON text); asserts GW_OK. */
static void parse_array(const char *array, struct gw_event_batch *b)
{
	char *body = callback_body(array);

	ck_assert_int_eq(parse_body(body, b), GW_OK);
	free(body);
}

/* The callback carrying the one element el (JSON text); asserts GW_OK. */
static void parse_one(const char *el, struct gw_event_batch *b)
{
	size_t len = strlen(el) + 3;
	char *array = malloc(len);

	ck_assert_ptr_nonnull(array);
	snprintf(array, len, "[%s]", el);
	parse_array(array, b);
	free(array);
}

/* The error of parsing the callback carrying array. */
static enum gw_err parse_array_err(const char *array, size_t max_events)
{
	char *body = callback_body(array);
	struct gw_event_batch b = {NULL, 7, 7, 7};
	enum gw_err err = gw_event_parse_callback(body, strlen(body), max_events, &b);

	if (err == GW_OK) {
		gw_event_batch_deinit(&b);
	} else {
		/* out is written on success only */
		ck_assert_ptr_null(b.events);
		ck_assert_uint_eq(b.n, 7);
	}
	free(body);
	return err;
}

/* A file of tests/data as lines (newline-terminated, the last one possibly not). */
struct lines {
	char *text;
	char *line[64];
	size_t n;
};

static void read_lines(const char *rel, struct lines *l)
{
	char *p;

	l->text = gw_test_read_data(rel, NULL);
	l->n = 0;
	for (p = l->text; *p != '\0';) {
		char *nl = strchr(p, '\n');

		ck_assert_uint_lt(l->n, GW_ARRAY_SIZE(l->line));
		l->line[l->n++] = p;
		if (nl == NULL)
			break;
		*nl = '\0';
		p = nl + 1;
	}
}

/* The event's data (or data_pw) parsed; fails the test when it is not an object. Caller decrefs. */
static json_t *data_json(const char *text)
{
	json_error_t jerr;
	json_t *o = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);

	ck_assert_msg(json_is_object(o), "not a JSON object: %s", text);
	return o;
}

/* One golden line: "dropped", "unknown", or type TAB data [TAB data_pw]. */
static void check_golden(const char *input, const char *want)
{
	struct gw_event_batch b;
	char line[4096];
	char *data;
	char *pw;

	parse_one(input, &b);
	if (strcmp(want, "dropped") == 0 || strcmp(want, "unknown") == 0) {
		ck_assert_uint_eq(b.n, 0);
		ck_assert_uint_eq(b.dropped, 1);
		ck_assert_uint_eq(b.dropped_by_type_unknown, strcmp(want, "unknown") == 0);
		gw_event_batch_deinit(&b);
		return;
	}
	ck_assert_uint_lt(strlen(want), sizeof(line));
	snprintf(line, sizeof(line), "%s", want);
	data = strchr(line, '\t');
	ck_assert_ptr_nonnull(data);
	*data++ = '\0';
	pw = strchr(data, '\t');
	if (pw != NULL)
		*pw++ = '\0';
	ck_assert_uint_eq(b.n, 1);
	ck_assert_uint_eq(b.dropped, 0);
	ck_assert_str_eq(gw_event_type_name(b.events[0].type), line);
	ck_assert_str_eq(b.events[0].data, data);
	ck_assert_uint_eq(b.events[0].data_len, strlen(data));
	if (pw == NULL) {
		ck_assert_ptr_null(b.events[0].data_pw);
	} else {
		ck_assert_pstr_eq(b.events[0].data_pw, pw);
		ck_assert_uint_eq(b.events[0].data_pw_len, strlen(pw));
	}
	gw_event_batch_deinit(&b);
}

static const char *const fixtures[] = {"events/mapped-events", "events/more-events"};

START_TEST(test_event_norm_fixtures_match_golden)
{
	char rel[64];
	struct lines in;
	struct lines want;
	size_t i;

	snprintf(rel, sizeof(rel), "%s.json", fixtures[_i]);
	read_lines(rel, &in);
	snprintf(rel, sizeof(rel), "%s.expected", fixtures[_i]);
	read_lines(rel, &want);
	ck_assert_uint_gt(in.n, 0);
	ck_assert_uint_eq(in.n, want.n);
	for (i = 0; i < in.n; i++)
		check_golden(in.line[i], want.line[i]);
	free(in.text);
	free(want.text);
}
END_TEST

/* Every event of both fixtures, each file as one array (the order kept). */
static void parse_fixture(size_t k, struct gw_event_batch *b)
{
	char rel[64];
	struct lines in;
	size_t len = 3;
	char *array;
	size_t i;

	snprintf(rel, sizeof(rel), "%s.json", fixtures[k]);
	read_lines(rel, &in);
	for (i = 0; i < in.n; i++)
		len += strlen(in.line[i]) + 1;
	array = malloc(len);
	ck_assert_ptr_nonnull(array);
	array[0] = '[';
	len = 1;
	for (i = 0; i < in.n; i++) {
		size_t n = strlen(in.line[i]);

		memcpy(array + len, in.line[i], n);
		len += n;
		array[len++] = i + 1 < in.n ? ',' : ']';
	}
	array[len] = '\0';
	parse_array(array, b);
	free(array);
	free(in.text);
}

START_TEST(test_event_norm_whole_fixture_in_one_callback)
{
	static const enum gw_event_type mapped[] = {
		GW_EV_MEETING_CREATED,
		GW_EV_USER_JOINED,
		GW_EV_USER_PRESENTER_ASSIGNED,
		GW_EV_USER_PRESENTER_ASSIGNED,
		GW_EV_USER_PRESENTER_ASSIGNED,
		GW_EV_USER_JOINED,
		GW_EV_USER_AUDIO_JOINED,
		GW_EV_USER_MUTED,
		GW_EV_USER_UNMUTED,
		GW_EV_USER_AUDIO_LEFT,
		GW_EV_USER_CAM_STARTED,
		GW_EV_USER_CAM_STOPPED,
		GW_EV_SCREENSHARE_STARTED,
		GW_EV_SCREENSHARE_STOPPED,
		GW_EV_USER_LEFT,
		GW_EV_USER_LEFT,
		GW_EV_MEETING_ENDED,
	};
	struct gw_event_batch b;
	size_t i;

	parse_fixture(0, &b);
	ck_assert_uint_eq(b.n, GW_ARRAY_SIZE(mapped));
	/* chat, two emoji, two raised hands, two polls: known to bbb-webhooks, not relayed */
	ck_assert_uint_eq(b.dropped, 7);
	ck_assert_uint_eq(b.dropped_by_type_unknown, 0);
	for (i = 0; i < b.n; i++) {
		ck_assert_int_eq(b.events[i].type, mapped[i]);
		ck_assert_str_eq(b.events[i].meeting_id, "random-9019868");
	}
	ck_assert_int_eq(b.events[0].time_ms, 1708381132686LL);
	ck_assert_int_eq(b.events[b.n - 1].time_ms, 1708381155717LL);
	gw_event_batch_deinit(&b);

	parse_fixture(1, &b);
	ck_assert_uint_eq(b.n, 5);
	ck_assert_uint_eq(b.dropped, 3);
	ck_assert_uint_eq(b.dropped_by_type_unknown, 1);
	ck_assert_int_eq(b.events[0].type, GW_EV_MEETING_CREATED);
	ck_assert_str_eq(b.events[0].meeting_id, "random-9019868-breakout-1");
	ck_assert_int_eq(b.events[4].type, GW_EV_RECORDING_READY);
	gw_event_batch_deinit(&b);
}
END_TEST

START_TEST(test_event_norm_fixtures_cover_every_type)
{
	bool seen[GW_EV__COUNT] = {false};
	struct gw_event_batch b;
	size_t k;
	size_t i;

	for (k = 0; k < GW_ARRAY_SIZE(fixtures); k++) {
		parse_fixture(k, &b);
		for (i = 0; i < b.n; i++)
			seen[b.events[i].type] = true;
		gw_event_batch_deinit(&b);
	}
	for (i = 0; i < GW_EV__COUNT; i++)
		ck_assert_msg(seen[i], "no fixture gives %s",
			      gw_event_type_name((enum gw_event_type)i));
}
END_TEST

/* Only these keys, at the top of data and in "user"; "attendeePW"/"moderatorPW" only in data_pw. */
static void check_keys(json_t *o, bool pw)
{
	static const char *const top[] = {"meetingID",  "time",   "user",       "name",
					  "createTime", "record", "isBreakout", "parentMeetingID",
					  "recordID"};
	static const char *const user[] = {"userID", "fullName", "role", "presenter"};
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach (o, key, v) {
		bool ok = pw && (strcmp(key, "attendeePW") == 0 || strcmp(key, "moderatorPW") == 0);

		for (i = 0; i < GW_ARRAY_SIZE(top) && !ok; i++)
			ok = strcmp(key, top[i]) == 0;
		ck_assert_msg(ok, "unexpected key %s", key);
	}
	json_object_foreach (json_object_get(o, "user"), key, v) {
		bool ok = false;

		for (i = 0; i < GW_ARRAY_SIZE(user) && !ok; i++)
			ok = strcmp(key, user[i]) == 0;
		ck_assert_msg(ok, "unexpected user key %s", key);
	}
}

/* Texts of the crafted inputs that no event may carry (data or data_pw). */
static const char *const never[] = {
	"203.0.113.77",        /* ip-address */
	"SecretAgent",         /* user-agent */
	"referer.example.net", /* referer */
	"st-0123456789abcdef", /* session-token */
	"userdata-value-42",   /* userdata */
	"stream-value-x",      /* a camera's stream name */
	"w_hostile0001",       /* internal user ID */
	"guest",
	"713471",          /* voice-conf */
	"613-555-1234",    /* dial-number */
	"lms.example.org", /* metadata */
	"Public chat test",
	"ABCD Poll Test",
	"internal",
};

START_TEST(test_event_norm_strips_what_pages_must_not_see)
{
	struct gw_event_batch b;
	size_t k;
	size_t i;
	size_t j;

	for (k = 0; k < GW_ARRAY_SIZE(fixtures); k++) {
		parse_fixture(k, &b);
		for (i = 0; i < b.n; i++) {
			const struct gw_event *ev = &b.events[i];
			json_t *d = data_json(ev->data);

			check_keys(d, false);
			ck_assert_ptr_null(strchr(ev->data, '\n'));
			ck_assert_ptr_null(strstr(ev->data, "PW"));
			for (j = 0; j < GW_ARRAY_SIZE(never); j++) {
				ck_assert_ptr_null(strstr(ev->data, never[j]));
				if (ev->data_pw != NULL)
					ck_assert_ptr_null(strstr(ev->data_pw, never[j]));
			}
			ck_assert_str_eq(json_string_value(json_object_get(d, "meetingID")),
					 ev->meeting_id);
			ck_assert_int_eq(json_integer_value(json_object_get(d, "time")),
					 ev->time_ms);
			json_decref(d);
		}
		gw_event_batch_deinit(&b);
	}
}
END_TEST

START_TEST(test_event_norm_passwords_only_in_data_pw_of_meeting_created)
{
	struct gw_event_batch b;
	size_t created = 0;
	size_t k;
	size_t i;

	for (k = 0; k < GW_ARRAY_SIZE(fixtures); k++) {
		parse_fixture(k, &b);
		for (i = 0; i < b.n; i++) {
			const struct gw_event *ev = &b.events[i];
			json_t *d;
			json_t *pw;

			ck_assert_int_eq(ev->data_pw != NULL, ev->type == GW_EV_MEETING_CREATED);
			if (ev->data_pw == NULL)
				continue;
			created++;
			d = data_json(ev->data);
			pw = data_json(ev->data_pw);
			check_keys(pw, true);
			ck_assert_ptr_nonnull(json_object_get(pw, "attendeePW"));
			ck_assert_ptr_nonnull(json_object_get(pw, "moderatorPW"));
			ck_assert_int_eq(json_object_del(pw, "attendeePW"), 0);
			ck_assert_int_eq(json_object_del(pw, "moderatorPW"), 0);
			ck_assert(json_equal(d, pw));
			ck_assert_ptr_null(strstr(ev->data, "\"ap\""));
			ck_assert_ptr_null(strstr(ev->data, "brk-"));
			json_decref(d);
			json_decref(pw);
		}
		gw_event_batch_deinit(&b);
	}
	ck_assert_uint_eq(created, 2);

	/* A meeting-created without passwords has no data_pw; one password alone is kept. */
	parse_one("{\"data\":{\"type\":\"event\",\"id\":\"meeting-created\",\"attributes\":{"
		  "\"meeting\":{\"external-meeting-id\":\"m\",\"name\":\"N\"}},\"event\":{\"ts\":5}"
		  "}}",
		  &b);
	ck_assert_uint_eq(b.n, 1);
	ck_assert_str_eq(b.events[0].data, "{\"meetingID\":\"m\",\"time\":5,\"name\":\"N\"}");
	ck_assert_ptr_null(b.events[0].data_pw);
	gw_event_batch_deinit(&b);
	parse_one("{\"data\":{\"type\":\"event\",\"id\":\"meeting-created\",\"attributes\":{"
		  "\"meeting\":{\"external-meeting-id\":\"m\",\"moderator-pass\":\"x y\"}},"
		  "\"event\":{\"ts\":5}}}",
		  &b);
	ck_assert_str_eq(b.events[0].data, "{\"meetingID\":\"m\",\"time\":5}");
	ck_assert_pstr_eq(b.events[0].data_pw, "{\"meetingID\":\"m\",\"time\":5,\"moderatorPW\":"
					       "\"x y\"}");
	gw_event_batch_deinit(&b);
}
END_TEST

/* A user-joined for meeting "m" at time 1 whose user object is user (JSON text). */
static char *user_joined(const char *user)
{
	size_t len = strlen(user) + 160;
	char *el = malloc(len);

	ck_assert_ptr_nonnull(el);
	snprintf(el, len,
		 "{\"data\":{\"type\":\"event\",\"id\":\"user-joined\",\"attributes\":{\"meeting\":"
		 "{\"external-meeting-id\":\"m\"},\"user\":%s},\"event\":{\"ts\":1}}}",
		 user);
	return el;
}

/* The data of the one event the element el gives; asserts there is one. Caller frees. */
static char *data_of(const char *el)
{
	struct gw_event_batch b;
	char *data;

	parse_one(el, &b);
	ck_assert_uint_eq(b.n, 1);
	data = gw_test_strdup(b.events[0].data);
	gw_event_batch_deinit(&b);
	return data;
}

START_TEST(test_event_norm_user_fields_present_only)
{
	static const struct {
		const char *user;
		const char *data;
	} cases[] = {
		{"{\"external-user-id\":\"u1\",\"name\":\"A\",\"role\":\"VIEWER\",\"presenter\":"
		 "true}",
		 "{\"meetingID\":\"m\",\"time\":1,\"user\":{\"userID\":\"u1\",\"fullName\":\"A\","
		 "\"role\":\"VIEWER\",\"presenter\":true}}"},
		/* wrong types are left out, as are bbb-webhooks' "" for an unknown external ID */
		{"{\"external-user-id\":\"\",\"name\":7,\"role\":null,\"presenter\":\"yes\"}",
		 "{\"meetingID\":\"m\",\"time\":1}"},
		{"{\"internal-user-id\":\"w_1\",\"session-token\":\"s\"}", "{\"meetingID\":\"m\","
									   "\"time\":1}"},
		{"\"not an object\"", "{\"meetingID\":\"m\",\"time\":1}"},
		{"{\"name\":\"\\u00e9 \\\"q\\\" \\n\\u2028 </script>\"}", "{\"meetingID\":\"m\","
									  "\"time\":1,\"user\":{"
									  "\"fullName\":\"\xc3\xa9 "
									  "\\\"q\\\" "
									  "\\n\xe2\x80\xa8 "
									  "</script>\"}}"},
	};
	char *el = user_joined(cases[_i].user);
	char *data = data_of(el);

	ck_assert_str_eq(data, cases[_i].data);
	free(data);
	free(el);
}
END_TEST

/* A relayed type whose element is dropped (counted, not unknown). */
static void assert_dropped(const char *el)
{
	struct gw_event_batch b;

	parse_one(el, &b);
	ck_assert_msg(b.n == 0, "not dropped: %s", el);
	ck_assert_uint_eq(b.dropped, 1);
	ck_assert_uint_eq(b.dropped_by_type_unknown, 0);
	gw_event_batch_deinit(&b);
}

static void assert_unknown(const char *el)
{
	struct gw_event_batch b;

	parse_one(el, &b);
	ck_assert_msg(b.n == 0, "not dropped: %s", el);
	ck_assert_uint_eq(b.dropped, 1);
	ck_assert_uint_eq(b.dropped_by_type_unknown, 1);
	gw_event_batch_deinit(&b);
}

/* meeting-ended with the meeting object mtg and the event object ev (JSON texts). */
static char *ended(const char *mtg, const char *ev)
{
	size_t len = strlen(mtg) + strlen(ev) + 120;
	char *el = malloc(len);

	ck_assert_ptr_nonnull(el);
	snprintf(el, len,
		 "{\"data\":{\"type\":\"event\",\"id\":\"meeting-ended\",\"attributes\":{"
		 "\"meeting\":"
		 "%s},\"event\":%s}}",
		 mtg, ev);
	return el;
}

/* A string of n copies of c, quoted as JSON. Caller frees. */
static char *quoted_run(char c, size_t n)
{
	char *s = malloc(n + 3);

	ck_assert_ptr_nonnull(s);
	s[0] = '"';
	memset(s + 1, c, n);
	s[n + 1] = '"';
	s[n + 2] = '\0';
	return s;
}

START_TEST(test_event_norm_meeting_id_and_time_checked)
{
	static const char *const bad[][2] = {
		{"{}", "{\"ts\":1}"},
		{"{\"external-meeting-id\":\"\"}", "{\"ts\":1}"},
		{"{\"external-meeting-id\":42}", "{\"ts\":1}"},
		{"{\"external-meeting-id\":\"m\"}", "{}"},
		{"{\"external-meeting-id\":\"m\"}", "{\"ts\":-1}"},
		{"{\"external-meeting-id\":\"m\"}", "{\"ts\":\"1\"}"},
		{"{\"external-meeting-id\":\"m\"}", "{\"ts\":1.5}"},
		{"{\"external-meeting-id\":\"m\"}", "7"},
		{"\"m\"", "{\"ts\":1}"},
	};
	char mtg[GW_EVENT_MAX_MEETING_ID + 64];
	char *run;
	char *el;
	size_t i;

	for (i = 0; i < GW_ARRAY_SIZE(bad); i++) {
		el = ended(bad[i][0], bad[i][1]);
		assert_dropped(el);
		free(el);
	}
	/* 256 bytes are a meeting ID, 257 are not */
	run = quoted_run('x', GW_EVENT_MAX_MEETING_ID);
	snprintf(mtg, sizeof(mtg), "{\"external-meeting-id\":%s}", run);
	free(run);
	el = ended(mtg, "{\"ts\":0}");
	{
		struct gw_event_batch b;

		parse_one(el, &b);
		ck_assert_uint_eq(b.n, 1);
		ck_assert_uint_eq(strlen(b.events[0].meeting_id), GW_EVENT_MAX_MEETING_ID);
		ck_assert_int_eq(b.events[0].time_ms, 0);
		gw_event_batch_deinit(&b);
	}
	free(el);
	run = quoted_run('x', GW_EVENT_MAX_MEETING_ID + 1);
	snprintf(mtg, sizeof(mtg), "{\"external-meeting-id\":%s}", run);
	free(run);
	el = ended(mtg, "{\"ts\":0}");
	assert_dropped(el);
	free(el);
}
END_TEST

START_TEST(test_event_norm_long_fields_drop_the_event)
{
	char *run = quoted_run('n', GW_EVENT_MAX_FIELD);
	char *longer = quoted_run('n', GW_EVENT_MAX_FIELD + 1);
	char user[GW_EVENT_MAX_FIELD + 256];
	char *el;
	char *data;

	snprintf(user, sizeof(user), "{\"name\":%s}", run);
	el = user_joined(user);
	data = data_of(el);
	ck_assert_ptr_nonnull(strstr(data, run));
	free(data);
	free(el);
	snprintf(user, sizeof(user), "{\"name\":%s}", longer);
	el = user_joined(user);
	assert_dropped(el);
	free(el);
	/* a password, too: the event is not relayed without it */
	snprintf(user, sizeof(user),
		 "{\"data\":{\"type\":\"event\",\"id\":\"meeting-created\",\"attributes\":{"
		 "\"meeting\":{\"external-meeting-id\":\"m\",\"viewer-pass\":%s}},"
		 "\"event\":{\"ts\":5}}}",
		 longer);
	assert_dropped(user);
	free(run);
	free(longer);
}
END_TEST

START_TEST(test_event_norm_meeting_created_fields)
{
	char *data;

	/* not a breakout: no parentMeetingID even with one; wrong types left out */
	data = data_of("{\"data\":{\"type\":\"event\",\"id\":\"meeting-created\",\"attributes\":{"
		       "\"meeting\":{\"external-meeting-id\":\"m\",\"is-breakout\":false,"
		       "\"parent-id\":\"p\",\"record\":\"true\",\"create-time\":\"1\"}},"
		       "\"event\":{\"ts\":5}}}");
	ck_assert_str_eq(data, "{\"meetingID\":\"m\",\"time\":5,\"isBreakout\":false}");
	free(data);
	/* a breakout whose parent bbb-webhooks does not know */
	data = data_of("{\"data\":{\"type\":\"event\",\"id\":\"meeting-created\",\"attributes\":{"
		       "\"meeting\":{\"external-meeting-id\":\"m\",\"is-breakout\":true,"
		       "\"parent-id\":\"bbb-none\"}},\"event\":{\"ts\":5}}}");
	ck_assert_str_eq(data, "{\"meetingID\":\"m\",\"time\":5,\"isBreakout\":true}");
	free(data);
}
END_TEST

START_TEST(test_event_norm_recording_ready_needs_a_published_record)
{
	static const char *const attrs[] = {
		"\"record-id\":\"r\",\"success\":false",
		"\"success\":true",
		"\"record-id\":\"\"",
		"\"record-id\":5",
	};
	char el[512];
	char *data;
	size_t i;

	for (i = 0; i < GW_ARRAY_SIZE(attrs); i++) {
		snprintf(el, sizeof(el),
			 "{\"data\":{\"type\":\"event\",\"id\":\"rap-publish-ended\","
			 "\"attributes\":{"
			 "\"meeting\":{\"external-meeting-id\":\"m\"},%s},\"event\":{\"ts\":9}}}",
			 attrs[i]);
		assert_dropped(el);
	}
	/* without "success" it counts as published */
	data = data_of("{\"data\":{\"type\":\"event\",\"id\":\"rap-publish-ended\",\"attributes\":{"
		       "\"meeting\":{\"external-meeting-id\":\"m\"},\"record-id\":\"r-1\"},"
		       "\"event\":{\"ts\":9}}}");
	ck_assert_str_eq(data, "{\"meetingID\":\"m\",\"time\":9,\"recordID\":\"r-1\"}");
	free(data);
}
END_TEST

START_TEST(test_event_norm_unknown_elements)
{
	assert_unknown("{}");
	assert_unknown("{\"data\":{}}");
	assert_unknown("{\"data\":[]}");
	assert_unknown("{\"data\":{\"type\":\"event\",\"id\":\"no-such-event\"}}");
	assert_unknown("{\"data\":{\"type\":\"event\",\"id\":7}}");
	assert_unknown("{\"data\":{\"id\":\"meeting-ended\",\"attributes\":{\"meeting\":{"
		       "\"external-meeting-id\":\"m\"}},\"event\":{\"ts\":1}}}");
	assert_unknown("{\"data\":{\"type\":\"other\",\"id\":\"meeting-ended\"}}");
	assert_unknown("{\"envelope\":{\"name\":\"MeetingDestroyedEvtMsg\"},\"core\":{}}");
	/* ids bbb-webhooks emits and the gateway does not relay are dropped, not unknown */
	assert_dropped("{\"data\":{\"type\":\"event\",\"id\":\"rap-post-publish-ended\"}}");
	assert_dropped("{\"data\":{\"type\":\"event\",\"id\":\"user-presenter-unassigned\"}}");
}
END_TEST

/* The error of parsing body (len bytes); asserts that out is written on success only. */
static enum gw_err raw_len(const char *body, size_t len, size_t max_events, size_t *n)
{
	struct gw_event_batch b = {NULL, 7, 7, 7};
	enum gw_err err = gw_event_parse_callback(body, len, max_events, &b);

	if (err == GW_OK) {
		if (n != NULL)
			*n = b.n;
		gw_event_batch_deinit(&b);
	} else {
		ck_assert_ptr_null(b.events);
		ck_assert_uint_eq(b.n, 7);
	}
	return err;
}

static enum gw_err raw(const char *body)
{
	return raw_len(body, strlen(body), MAX_EVENTS, NULL);
}

START_TEST(test_event_norm_form_decoding)
{
	char *el = user_joined("{\"external-user-id\":\"u 1\",\"name\":\"A+B C&D=E%\"}");
	char *array = malloc(strlen(el) + 3);
	char *enc;
	char body[2048];
	struct gw_event_batch b;
	size_t n = 9;

	ck_assert_ptr_nonnull(array);
	snprintf(array, strlen(el) + 3, "[%s]", el);
	enc = form_encode(array);
	/* URLSearchParams' '+' for spaces and %XX for the rest, either case of hex */
	ck_assert_ptr_nonnull(strstr(enc, "A%2BB+C%26D%3DE%25"));
	snprintf(body, sizeof(body), "event=%s", enc);
	ck_assert_int_eq(parse_body(body, &b), GW_OK);
	ck_assert_uint_eq(b.n, 1);
	ck_assert_str_eq(b.events[0].data, "{\"meetingID\":\"m\",\"time\":1,\"user\":{\"userID\":"
					   "\"u "
					   "1\",\"fullName\":\"A+B C&D=E%\"}}");
	gw_event_batch_deinit(&b);
	ck_assert_int_eq(raw_len("event=%5b%5d", 12, MAX_EVENTS, &n), GW_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(raw("event=[]"), GW_OK);
	ck_assert_int_eq(raw("event=+[+%0A]+"), GW_OK); /* JSON whitespace */
	ck_assert_int_eq(raw("ev%65nt=[]"), GW_OK);     /* names are decoded too */
	/* len bounds the body: no NUL needed after it */
	ck_assert_int_eq(raw_len("event=[]&event=[]", 8, MAX_EVENTS, NULL), GW_OK);
	ck_assert_int_eq(raw_len("event=[]", 7, MAX_EVENTS, NULL), GW_E_BAD_REQUEST);
	free(enc);
	free(array);
	free(el);
}
END_TEST

START_TEST(test_event_norm_form_fields_in_any_order)
{
	static const char *const orders[][3] = {
		{DOMAIN_FIELD, "E", TIMESTAMP_FIELD}, {DOMAIN_FIELD, TIMESTAMP_FIELD, "E"},
		{"E", DOMAIN_FIELD, TIMESTAMP_FIELD}, {"E", TIMESTAMP_FIELD, DOMAIN_FIELD},
		{TIMESTAMP_FIELD, DOMAIN_FIELD, "E"}, {TIMESTAMP_FIELD, "E", DOMAIN_FIELD},
	};
	char *el = user_joined("{\"external-user-id\":\"u\"}");
	char *array = malloc(strlen(el) + 3);
	char *enc;
	char event[1024];
	char body[4096];
	size_t i;

	ck_assert_ptr_nonnull(array);
	snprintf(array, strlen(el) + 3, "[%s]", el);
	enc = form_encode(array);
	snprintf(event, sizeof(event), "event=%s", enc);
	for (i = 0; i < GW_ARRAY_SIZE(orders); i++) {
		const char *f[3];
		struct gw_event_batch b;
		size_t k;

		for (k = 0; k < 3; k++)
			f[k] = strcmp(orders[i][k], "E") == 0 ? event : orders[i][k];
		snprintf(body, sizeof(body), "%s&%s&%s", f[0], f[1], f[2]);
		ck_assert_int_eq(parse_body(body, &b), GW_OK);
		ck_assert_uint_eq(b.n, 1);
		ck_assert_str_eq(b.events[0].data, "{\"meetingID\":\"m\",\"time\":1,\"user\":{"
						   "\"userID\":\"u\"}}");
		gw_event_batch_deinit(&b);
	}
	/* unknown fields, empty pairs and a name without a value are ignored */
	snprintf(body, sizeof(body), "&checksum=abc&&x&=&%s&foo=%%ZZ&domain2=&", event);
	ck_assert_int_eq(raw(body), GW_OK);
	free(enc);
	free(array);
	free(el);
}
END_TEST

START_TEST(test_event_norm_form_refusals)
{
	static const char *const bad[] = {
		"",
		"domain=a&timestamp=1",
		"eventx=[]",
		"event",
		"event=",
		"event=[]&event=[]",
		"event=[]&ev%65nt=[]",
		"domain=a&domain=b&event=[]",
		"timestamp=1&event=[]&timestamp=2",
		"event=%7B%7D",
		"event=%22x%22",
		"event=1",
		"event=null",
		"event=[]x",
		"event=[1]",
		"event=[null]",
		"event=[[]]",
		"event=[%22x%22]",
		"event=[{},2]",
		"event=%5",
		"event=%GG",
		"event=[%00]",
		"event=[%22%FF%22]",
		"event=[%22%C3%28%22]",
		"event=[{%22a%22:1,%22a%22:2}]",
		"event=[{%22data%22:{%22a%22:1,%22a%22:2}}]",
		"event=[{%22a%22:%22%5Cu0000%22}]",
	};
	size_t i;

	for (i = 0; i < GW_ARRAY_SIZE(bad); i++)
		ck_assert_msg(raw(bad[i]) == GW_E_BAD_REQUEST, "accepted: %s", bad[i]);
	ck_assert_int_eq(raw_len(NULL, 0, MAX_EVENTS, NULL), GW_E_BAD_REQUEST);
}
END_TEST

START_TEST(test_event_norm_max_events_and_size)
{
	size_t n = 9;
	char *big;

	ck_assert_int_eq(parse_array_err("[{},{},{}]", 2), GW_E_BAD_REQUEST);
	ck_assert_int_eq(parse_array_err("[{},{},{}]", 3), GW_OK);
	ck_assert_int_eq(parse_array_err("[]", 0), GW_OK);
	ck_assert_int_eq(parse_array_err("[{}]", 0), GW_E_BAD_REQUEST);
	{
		struct gw_event_batch b;

		parse_array("[{},{},{}]", &b);
		ck_assert_uint_eq(b.n, 0);
		ck_assert_uint_eq(b.dropped, 3);
		ck_assert_uint_eq(b.dropped_by_type_unknown, 3);
		gw_event_batch_deinit(&b);
	}
	/* the ceiling: up to it a body is read, past it refused unread */
	big = malloc(GW_EVENT_MAX_CALLBACK_BYTES + 1);
	ck_assert_ptr_nonnull(big);
	memset(big, 'x', GW_EVENT_MAX_CALLBACK_BYTES + 1);
	memcpy(big, "event=[]&", 9);
	ck_assert_int_eq(raw_len(big, GW_EVENT_MAX_CALLBACK_BYTES, MAX_EVENTS, &n), GW_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(raw_len(big, GW_EVENT_MAX_CALLBACK_BYTES + 1, MAX_EVENTS, NULL),
			 GW_E_BODY_TOO_LARGE);
	free(big);
}
END_TEST

/* ---- signatures -------------------------------------------------------- */

#define CB_URL "https://gateway.example.org/v1/bbb-events"
#define CB_SECRET "8cd8ef52e8e101574e400365b55e11a6"

static const struct {
	enum gw_digest alg;
	const char *name; /* OpenSSL's */
} algs[] = {
	{GW_DIGEST_SHA1, "SHA1"},
	{GW_DIGEST_SHA256, "SHA256"},
	{GW_DIGEST_SHA384, "SHA384"},
	{GW_DIGEST_SHA512, "SHA512"},
};

/* hex(alg(url + body + secret)) with OpenSSL's EVP, lower case, into hex. */
static void evp_hex(const char *name, const char *url, const char *body, const char *secret,
		    char hex[2 * EVP_MAX_MD_SIZE + 1])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	const EVP_MD *md = EVP_get_digestbyname(name);
	unsigned char out[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	unsigned int i;

	ck_assert_ptr_nonnull(ctx);
	ck_assert_ptr_nonnull(md);
	ck_assert_int_eq(EVP_DigestInit_ex(ctx, md, NULL), 1);
	ck_assert_int_eq(EVP_DigestUpdate(ctx, url, strlen(url)), 1);
	ck_assert_int_eq(EVP_DigestUpdate(ctx, body, strlen(body)), 1);
	ck_assert_int_eq(EVP_DigestUpdate(ctx, secret, strlen(secret)), 1);
	ck_assert_int_eq(EVP_DigestFinal_ex(ctx, out, &n), 1);
	EVP_MD_CTX_free(ctx);
	for (i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", out[i]);
	hex[2 * n] = '\0';
}

static bool verify(const char *url, const char *body, const char *secret, enum gw_digest alg,
		   const char *checksum)
{
	return gw_event_verify_checksum(url, body, strlen(body), secret, alg, checksum);
}

START_TEST(test_event_norm_checksum)
{
	enum gw_digest alg = algs[_i].alg;
	struct lines in;
	char *body;
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	char other[2 * EVP_MAX_MD_SIZE + 1];
	char edit[2 * EVP_MAX_MD_SIZE + 2];
	size_t len;
	size_t i;

	read_lines("events/mapped-events.json", &in);
	{
		size_t n = strlen(in.line[1]) + 3;
		char *array = malloc(n);

		ck_assert_ptr_nonnull(array);
		snprintf(array, n, "[%s]", in.line[1]);
		body = callback_body(array);
		free(array);
	}
	free(in.text);
	evp_hex(algs[_i].name, CB_URL, body, CB_SECRET, hex);
	len = strlen(hex);
	ck_assert_uint_eq(len, 2 * gw_crypto_digest_len(alg));
	ck_assert(verify(CB_URL, body, CB_SECRET, alg, hex));
	for (i = 0; i < len; i++)
		edit[i] = (char)(hex[i] >= 'a' && hex[i] <= 'f' ? hex[i] - 'a' + 'A' : hex[i]);
	edit[len] = '\0';
	ck_assert(verify(CB_URL, body, CB_SECRET, alg, edit)); /* upper-case hex */

	ck_assert(!verify(CB_URL, body, CB_SECRET "x", alg, hex));
	ck_assert(!verify(CB_URL "/", body, CB_SECRET, alg, hex));
	ck_assert(!verify(CB_URL "?checksum=", body, CB_SECRET, alg, hex));
	body[strlen(body) - 1] ^= 1; /* the timestamp's last digit */
	ck_assert(!verify(CB_URL, body, CB_SECRET, alg, hex));
	body[strlen(body) - 1] ^= 1;
	ck_assert(!gw_event_verify_checksum(CB_URL, body, strlen(body) - 1, CB_SECRET, alg, hex));
	/* one digit off; one digit short or long; not hex; empty; NULL */
	memcpy(edit, hex, len + 1);
	edit[len / 2] = edit[len / 2] == '0' ? '1' : '0';
	ck_assert(!verify(CB_URL, body, CB_SECRET, alg, edit));
	memcpy(edit, hex, len + 1);
	edit[len - 1] = '\0';
	ck_assert(!verify(CB_URL, body, CB_SECRET, alg, edit));
	memcpy(edit, hex, len);
	edit[len] = '0';
	edit[len + 1] = '\0';
	ck_assert(!verify(CB_URL, body, CB_SECRET, alg, edit));
	memcpy(edit, hex, len + 1);
	edit[0] = 'g';
	ck_assert(!verify(CB_URL, body, CB_SECRET, alg, edit));
	ck_assert(!verify(CB_URL, body, CB_SECRET, alg, ""));
	ck_assert(!verify(CB_URL, body, CB_SECRET, alg, NULL));
	/* another algorithm's digest has another length: refused */
	evp_hex(algs[((size_t)_i + 1) % GW_ARRAY_SIZE(algs)].name, CB_URL, body, CB_SECRET, other);
	ck_assert(!verify(CB_URL, body, CB_SECRET, alg, other));
	/* an empty secret signs nothing, even when the checksum matches it */
	evp_hex(algs[_i].name, CB_URL, body, "", other);
	ck_assert(!verify(CB_URL, body, "", alg, other));
	ck_assert(!verify(CB_URL, body, NULL, alg, hex));
	ck_assert(!verify(NULL, body, CB_SECRET, alg, hex));
	ck_assert(!gw_event_verify_checksum(CB_URL, NULL, 1, CB_SECRET, alg, hex));
	ck_assert(!verify(CB_URL, body, CB_SECRET, (enum gw_digest)99, hex));
	free(body);
}
END_TEST

START_TEST(test_event_norm_checksum_of_an_empty_body)
{
	char hex[2 * EVP_MAX_MD_SIZE + 1];

	evp_hex("SHA256", CB_URL, "", CB_SECRET, hex);
	ck_assert(gw_event_verify_checksum(CB_URL, NULL, 0, CB_SECRET, GW_DIGEST_SHA256, hex));
	ck_assert(gw_event_verify_checksum(CB_URL, "", 0, CB_SECRET, GW_DIGEST_SHA256, hex));
}
END_TEST

START_TEST(test_event_norm_bearer)
{
	static const struct {
		const char *authorization;
		bool ok;
	} cases[] = {
		{"Bearer " CB_SECRET, true},
		{"bearer " CB_SECRET, true},
		{"BEARER " CB_SECRET, true},
		{"Bearer   " CB_SECRET, true},
		{"Bearer " CB_SECRET " ", false},
		{"Bearer " CB_SECRET "0", false},
		{"Bearer 8cd8ef52e8e101574e400365b55e11a", false},
		{"Bearer 8CD8EF52E8E101574E400365B55E11A6", false},
		{"Bearer", false},
		{"Bearer ", false},
		{"Bearer" CB_SECRET, false},
		{"Basic " CB_SECRET, false},
		{CB_SECRET, false},
		{"", false},
	};
	size_t i;

	for (i = 0; i < GW_ARRAY_SIZE(cases); i++)
		ck_assert_msg(gw_event_verify_bearer(cases[i].authorization, CB_SECRET) ==
				      cases[i].ok,
			      "%s", cases[i].authorization);
	ck_assert(!gw_event_verify_bearer(NULL, CB_SECRET));
	ck_assert(!gw_event_verify_bearer("Bearer " CB_SECRET, NULL));
	ck_assert(!gw_event_verify_bearer("Bearer ", ""));
	ck_assert(!gw_event_verify_bearer("Bearer x", ""));
}
END_TEST

START_TEST(test_event_norm_type_names)
{
	static const char *const names[GW_EV__COUNT] = {
		"meeting-created",
		"meeting-ended",
		"user-joined",
		"user-left",
		"user-audio-joined",
		"user-audio-left",
		"user-muted",
		"user-unmuted",
		"user-cam-started",
		"user-cam-stopped",
		"user-presenter-assigned",
		"screenshare-started",
		"screenshare-stopped",
		"recording-started",
		"recording-stopped",
		"recording-ready",
	};
	struct gw_event ev = {.data = gw_test_strdup("{}"), .data_pw = gw_test_strdup("{}")};
	size_t i;

	for (i = 0; i < GW_EV__COUNT; i++)
		ck_assert_pstr_eq(gw_event_type_name((enum gw_event_type)i), names[i]);
	ck_assert_ptr_null(gw_event_type_name(GW_EV__COUNT));
	ck_assert_ptr_null(gw_event_type_name((enum gw_event_type) - 1));
	gw_event_deinit(&ev);
	ck_assert_ptr_null(ev.data);
	ck_assert_ptr_null(ev.data_pw);
	gw_event_deinit(&ev);
	gw_event_deinit(NULL);
	gw_event_batch_deinit(NULL);
}
END_TEST

static Suite *event_norm_suite(void)
{
	Suite *s = suite_create("event_norm");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_event_norm_fixtures_match_golden, 0,
			    (int)GW_ARRAY_SIZE(fixtures));
	tcase_add_test(tc, test_event_norm_whole_fixture_in_one_callback);
	tcase_add_test(tc, test_event_norm_fixtures_cover_every_type);
	tcase_add_test(tc, test_event_norm_strips_what_pages_must_not_see);
	tcase_add_test(tc, test_event_norm_passwords_only_in_data_pw_of_meeting_created);
	tcase_add_loop_test(tc, test_event_norm_user_fields_present_only, 0, 5);
	tcase_add_test(tc, test_event_norm_meeting_id_and_time_checked);
	tcase_add_test(tc, test_event_norm_long_fields_drop_the_event);
	tcase_add_test(tc, test_event_norm_meeting_created_fields);
	tcase_add_test(tc, test_event_norm_recording_ready_needs_a_published_record);
	tcase_add_test(tc, test_event_norm_unknown_elements);
	tcase_add_test(tc, test_event_norm_form_decoding);
	tcase_add_test(tc, test_event_norm_form_fields_in_any_order);
	tcase_add_test(tc, test_event_norm_form_refusals);
	tcase_add_test(tc, test_event_norm_max_events_and_size);
	tcase_add_loop_test(tc, test_event_norm_checksum, 0, (int)GW_ARRAY_SIZE(algs));
	tcase_add_test(tc, test_event_norm_checksum_of_an_empty_body);
	tcase_add_test(tc, test_event_norm_bearer);
	tcase_add_test(tc, test_event_norm_type_names);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(event_norm_suite)
