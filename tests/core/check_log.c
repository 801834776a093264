/*
 * check_log.c - log lines captured through a pipe: "<N>" text prefixes,
 * JSON lines that jansson parses back, control-character escaping, the
 * level threshold, errno preservation and the access-line fields.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "testutil.h"

static int pipe_fd[2] = {-1, -1};
static char out[16384];

/* Each test gets a fresh non-blocking pipe and the default threshold/format. */
static void setup(void)
{
	ck_assert_int_eq(pipe(pipe_fd), 0);
	ck_assert_int_eq(fcntl(pipe_fd[0], F_SETFL, O_NONBLOCK), 0);
	gw_log_set_fd(pipe_fd[1]);
	gw_log_setup(GW_LOG_INFO, GW_LOG_FORMAT_TEXT);
}

static void teardown(void)
{
	gw_log_set_fd(2);
	gw_log_setup(GW_LOG_INFO, GW_LOG_FORMAT_TEXT);
	close(pipe_fd[0]);
	close(pipe_fd[1]);
}

/* Everything written so far, as a string in a static buffer ("" when nothing). */
static const char *drain(void)
{
	size_t n = 0;
	ssize_t r;

	for (;;) {
		r = read(pipe_fd[0], out + n, sizeof(out) - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	out[n] = '\0';
	return out;
}

/* Drains exactly one line and parses it as a JSON object (caller decrefs). */
static json_t *drain_json(void)
{
	const char *line = drain();
	size_t len = strlen(line);
	json_error_t err;
	json_t *j;

	ck_assert_uint_gt(len, 0);
	ck_assert_int_eq(line[len - 1], '\n');
	ck_assert_ptr_eq(strchr(line, '\n'), line + len - 1);
	j = json_loadb(line, len - 1, 0, &err);
	ck_assert_msg(j != NULL, "not JSON (%s at %d): %.200s", err.text, err.position, line);
	ck_assert(json_is_object(j));
	return j;
}

static const char *jstr(json_t *j, const char *key)
{
	json_t *v = json_object_get(j, key); /* borrowed */

	ck_assert_msg(json_is_string(v), "%s is not a string", key);
	return json_string_value(v);
}

START_TEST(test_log_text_has_priority_prefix)
{
	gw_log_setup(GW_LOG_DEBUG, GW_LOG_FORMAT_TEXT);
	gw_log_err("e %d", 1);
	ck_assert_str_eq(drain(), "<3>e 1\n");
	gw_log_warn("w");
	ck_assert_str_eq(drain(), "<4>w\n");
	gw_log_notice("n");
	ck_assert_str_eq(drain(), "<5>n\n");
	gw_log_info("hello %s", "world");
	ck_assert_str_eq(drain(), "<6>hello world\n");
	gw_log_debug("d");
	ck_assert_str_eq(drain(), "<7>d\n");
}
END_TEST

START_TEST(test_log_text_escapes_control_chars)
{
	gw_log_info("a\nb\tc\rd\x1b[31m\x7f"
		    "e");
	ck_assert_str_eq(drain(), "<6>a\\u000ab\\u0009c\\u000dd\\u001b[31m\\u007fe\n");
	/* Quotes and UTF-8 pass unchanged in text lines. */
	gw_log_info("say \"caf\xc3\xa9\"");
	ck_assert_str_eq(drain(), "<6>say \"caf\xc3\xa9\"\n");
}
END_TEST

START_TEST(test_log_level_threshold)
{
	gw_log_setup(GW_LOG_WARNING, GW_LOG_FORMAT_TEXT);
	ck_assert(gw_log_enabled(GW_LOG_ERR));
	ck_assert(gw_log_enabled(GW_LOG_WARNING));
	ck_assert(!gw_log_enabled(GW_LOG_NOTICE));
	ck_assert(!gw_log_enabled(GW_LOG_DEBUG));
	gw_log_info("hidden");
	gw_log_debug("hidden");
	ck_assert_str_eq(drain(), "");
	gw_log_warn("shown");
	ck_assert_str_eq(drain(), "<4>shown\n");
	gw_log_setup(GW_LOG_DEBUG, GW_LOG_FORMAT_TEXT);
	gw_log_debug("now shown");
	ck_assert_str_eq(drain(), "<7>now shown\n");
}
END_TEST

START_TEST(test_log_preserves_errno)
{
	errno = EADDRINUSE;
	gw_log_err("bind failed");
	ck_assert_int_eq(errno, EADDRINUSE);
	gw_log_debug("below threshold");
	ck_assert_int_eq(errno, EADDRINUSE);
	gw_log_access(&(struct gw_access_entry){.method = "GET", .status = 200});
	ck_assert_int_eq(errno, EADDRINUSE);
	gw_log_set_fd(-1); /* a failing write must not leak its errno either */
	gw_log_err("lost");
	ck_assert_int_eq(errno, EADDRINUSE);
}
END_TEST

START_TEST(test_log_json_line_parses)
{
	static const char *const names[] = {"error", "warning", "notice", "info", "debug"};
	char want[32];
	const char *ts;
	json_t *j;
	int lvl;

	gw_log_setup(GW_LOG_DEBUG, GW_LOG_FORMAT_JSON);
	for (lvl = GW_LOG_ERR; lvl <= GW_LOG_DEBUG; lvl++) {
		gw_log((enum gw_log_level)lvl, "message %d", lvl);
		j = drain_json();
		ck_assert_str_eq(jstr(j, "level"), names[lvl - GW_LOG_ERR]);
		snprintf(want, sizeof(want), "message %d", lvl);
		ck_assert_str_eq(jstr(j, "msg"), want);
		ts = jstr(j, "ts");
		/* 2024-05-09T13:35:28.123Z */
		ck_assert_uint_eq(strlen(ts), 24);
		ck_assert_int_eq(ts[10], 'T');
		ck_assert_int_eq(ts[23], 'Z');
		json_decref(j);
	}
}
END_TEST

START_TEST(test_log_json_escapes_round_trip)
{
	const char *msg = "quote \" backslash \\ newline \n tab \t esc \x1b del \x7f caf\xc3\xa9";
	json_t *j;

	gw_log_setup(GW_LOG_INFO, GW_LOG_FORMAT_JSON);
	gw_log_info("%s", msg);
	j = drain_json();
	ck_assert_str_eq(jstr(j, "msg"), msg);
	json_decref(j);
}
END_TEST

START_TEST(test_log_json_long_message_stays_valid)
{
	static char big[8000];
	const char *got;
	json_t *j;
	size_t i;

	/* Mostly two-byte characters and escapes, so a cut could land inside either. */
	for (i = 0; i + 3 < sizeof(big); i += 3) {
		big[i] = '\xc3';
		big[i + 1] = '\xa9';
		big[i + 2] = i % 2 ? '\n' : '"';
	}
	big[i] = '\0';
	gw_log_setup(GW_LOG_INFO, GW_LOG_FORMAT_JSON);
	gw_log_info("%s", big);
	j = drain_json();
	got = jstr(j, "msg");
	ck_assert_uint_gt(strlen(got), 1000);
	ck_assert_int_eq(strncmp(got, big, strlen(got)), 0);
	json_decref(j);
}
END_TEST

static const struct gw_access_entry full_entry = {
	.request_id = "req-1",
	.method = "GET",
	.route = "/v1/meetings/{meetingID}",
	.status = 200,
	.bytes_out = 1234,
	.duration_ms = 1.5,
	.token_name = "lms",
	.bbb_call = "getMeetingInfo",
	.server = "bbb2",
	.upstream_status = 200,
	.upstream_ms = 0.75,
	.message_key = NULL,
};

START_TEST(test_log_access_text_fields)
{
	gw_log_access(&full_entry);
	ck_assert_str_eq(drain(), "<6>access request_id=\"req-1\" method=\"GET\" "
				  "route=\"/v1/meetings/{meetingID}\" status=200 bytes=1234 "
				  "duration_ms=1.500 token=\"lms\" bbb_call=\"getMeetingInfo\" "
				  "server=\"bbb2\" upstream_status=200 upstream_ms=0.750\n");
}
END_TEST

START_TEST(test_log_access_json_fields)
{
	struct gw_access_entry e = full_entry;
	json_t *j;

	e.status = 404;
	e.upstream_status = 200;
	e.message_key = "notFound";
	gw_log_setup(GW_LOG_INFO, GW_LOG_FORMAT_JSON);
	gw_log_access(&e);
	j = drain_json();
	ck_assert_str_eq(jstr(j, "type"), "access");
	ck_assert_str_eq(jstr(j, "level"), "info");
	ck_assert_str_eq(jstr(j, "request_id"), "req-1");
	ck_assert_str_eq(jstr(j, "method"), "GET");
	ck_assert_str_eq(jstr(j, "route"), "/v1/meetings/{meetingID}");
	ck_assert_str_eq(jstr(j, "token"), "lms");
	ck_assert_str_eq(jstr(j, "bbb_call"), "getMeetingInfo");
	ck_assert_str_eq(jstr(j, "server"), "bbb2");
	ck_assert_str_eq(jstr(j, "message_key"), "notFound");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "status")), 404);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "bytes")), 1234);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "upstream_status")), 200);
	ck_assert_double_eq_tol(json_number_value(json_object_get(j, "duration_ms")), 1.5, 1e-9);
	ck_assert_double_eq_tol(json_number_value(json_object_get(j, "upstream_ms")), 0.75, 1e-9);
	json_decref(j);
}
END_TEST

START_TEST(test_log_access_omits_absent_fields)
{
	struct gw_access_entry e = {.method = "GET", .route = "/healthz", .status = 200};
	json_t *j;

	gw_log_setup(GW_LOG_INFO, GW_LOG_FORMAT_JSON);
	gw_log_access(&e);
	j = drain_json();
	ck_assert_ptr_null(json_object_get(j, "token"));
	ck_assert_ptr_null(json_object_get(j, "bbb_call"));
	ck_assert_ptr_null(json_object_get(j, "server"));
	ck_assert_ptr_null(json_object_get(j, "upstream_status"));
	ck_assert_ptr_null(json_object_get(j, "upstream_ms"));
	ck_assert_ptr_null(json_object_get(j, "message_key"));
	ck_assert_ptr_null(json_object_get(j, "request_id"));
	ck_assert_str_eq(jstr(j, "route"), "/healthz");
	json_decref(j);
}
END_TEST

START_TEST(test_log_access_escapes_values)
{
	struct gw_access_entry e = full_entry;
	const char *line;
	json_t *j;

	e.request_id = "id\"\n<1>forged";
	gw_log_access(&e);
	line = drain();
	ck_assert_ptr_nonnull(strstr(line, "request_id=\"id\\\"\\u000a<1>forged\""));
	ck_assert_ptr_eq(strchr(line, '\n'), line + strlen(line) - 1);
	gw_log_setup(GW_LOG_INFO, GW_LOG_FORMAT_JSON);
	gw_log_access(&e);
	j = drain_json();
	ck_assert_str_eq(jstr(j, "request_id"), e.request_id);
	json_decref(j);
}
END_TEST

START_TEST(test_log_access_long_value_stays_valid)
{
	static char big[6000];
	struct gw_access_entry e = full_entry;
	json_t *j;

	memset(big, 'k', sizeof(big) - 1);
	e.message_key = big;
	e.token_name = big;
	gw_log_setup(GW_LOG_INFO, GW_LOG_FORMAT_JSON);
	gw_log_access(&e);
	j = drain_json();
	/* The long value is cut (and later strings may be emptied); keys and numbers survive. */
	ck_assert_int_eq(strncmp(jstr(j, "token"), big, strlen(jstr(j, "token"))), 0);
	ck_assert_uint_gt(strlen(jstr(j, "token")), 1000);
	ck_assert_ptr_nonnull(json_object_get(j, "bbb_call"));
	ck_assert_ptr_nonnull(json_object_get(j, "message_key"));
	ck_assert_int_eq(json_integer_value(json_object_get(j, "upstream_status")), 200);
	ck_assert_double_eq_tol(json_number_value(json_object_get(j, "upstream_ms")), 0.75, 1e-9);
	json_decref(j);
}
END_TEST

/* log.access decides on its own: a warning threshold does not hide access lines. */
START_TEST(test_log_access_ignores_threshold)
{
	gw_log_setup(GW_LOG_WARNING, GW_LOG_FORMAT_TEXT);
	gw_log_access(&full_entry);
	ck_assert_ptr_nonnull(strstr(drain(), "<6>access request_id=\"req-1\""));
	gw_log_info("not at warning level");
	ck_assert_str_eq(drain(), "");
}
END_TEST

static Suite *log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_log_text_has_priority_prefix);
	tcase_add_test(tc, test_log_text_escapes_control_chars);
	tcase_add_test(tc, test_log_level_threshold);
	tcase_add_test(tc, test_log_preserves_errno);
	tcase_add_test(tc, test_log_json_line_parses);
	tcase_add_test(tc, test_log_json_escapes_round_trip);
	tcase_add_test(tc, test_log_json_long_message_stays_valid);
	tcase_add_test(tc, test_log_access_text_fields);
	tcase_add_test(tc, test_log_access_json_fields);
	tcase_add_test(tc, test_log_access_omits_absent_fields);
	tcase_add_test(tc, test_log_access_escapes_values);
	tcase_add_test(tc, test_log_access_long_value_stays_valid);
	tcase_add_test(tc, test_log_access_ignores_threshold);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(log_suite)
