/*
 * check_event_norm.c - bbb-webhooks callbacks into gateway events: every
 * event of bbb-webhooks' own example file (tests/data/events/
 * mapped-events.json) and of crafted ones (more-events.json) against the
 * golden outputs beside them (*.expected: per input line, "dropped",
 * "unknown" or type TAB data [TAB data_pw]); what is stripped; where the
 * passwords go; the user and meeting fields kept; the drops and their
 * counts; the type names. The form, its limits, the checksums and the
 * Bearer mode are in check_event_verify.c; the shared fixture in normfix.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "normfix.h"
#include "testutil.h"

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

/* Every type has the contract's name; gw_event_deinit frees and clears. */
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
	tcase_add_test(tc, test_event_norm_type_names);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(event_norm_suite)
