/*
 * check_bbbsim.c - tests of the BBB simulator (tests/bbbsim): checksum
 * verification, faults, the request log, connection counting, the query
 * parser, start failures and the bbb-sim program. The call replies byte
 * for byte and the meeting state are in check_bbbsim_calls.c.
 *
 * The client is a small raw-socket HTTP/1.1 client (simfix.h, so
 * keep-alive and the exact bytes on the wire are under the test's
 * control) and checksums are computed there with OpenSSL, independently
 * of both the gateway and the simulator. Each test runs its own simulator
 * in a checked fixture.
 */
#include "simfix.h"
#include "testutil.h"

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void restart(const char *secret, const char *algorithms)
{
	bbbsim_stop(sim);
	sim = start_with(secret, algorithms);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* --- checksums ----------------------------------------------------------- */

START_TEST(test_bbbsim_official_vector)
{
	static const char query[] = "name=Test+Meeting&meetingID=abc123&attendeePW=111222&"
				    "moderatorPW=333444";
	static const char secret[] = "639259d4-9dd8-4b25-bf01-95f9567eaf4b";
	struct bbbsim_request rec;
	struct resp r;
	char *t = signed_with("sha1", secret, "create", query);

	ck_assert_str_eq(strrchr(t, '=') + 1, "1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17");
	restart(secret, NULL);
	r = get(t);
	assert_value(r.body, "returncode", "SUCCESS");
	assert_value(r.body, "attendeePW", "111222");
	assert_value(r.body, "moderatorPW", "333444");
	ck_assert(bbbsim_request_get(sim, 0, &rec));
	ck_assert(rec.checksum_ok);
	ck_assert_str_eq(rec.algorithm, "sha1");
	bbbsim_request_free(&rec);
	resp_free(&r);
	free(t);
}
END_TEST

START_TEST(test_bbbsim_each_algorithm)
{
	static const char *const algs[] = {"sha1", "sha256", "sha384", "sha512"};
	struct bbbsim_request rec;
	size_t i;

	for (i = 0; i < 4; i++) {
		char *t = signed_with(algs[i], SECRET, "getMeetings", "");
		struct resp r = get(t);

		assert_value(r.body, "returncode", "SUCCESS");
		ck_assert(bbbsim_request_get(sim, i, &rec));
		ck_assert(rec.checksum_ok);
		ck_assert_str_eq(rec.algorithm, algs[i]);
		bbbsim_request_free(&rec);
		resp_free(&r);
		free(t);
	}
}
END_TEST

START_TEST(test_bbbsim_wrong_checksum)
{
	struct bbbsim_request rec;
	struct resp r = get("/bigbluebutton/api/getMeetings?checksum="
			    "0000000000000000000000000000000000000000");

	assert_failed(&r, "checksumError", "Checksums do not match");
	resp_free(&r);
	/* signed with another secret */
	{
		char *t = signed_with("sha256", "other", "getMeetings", "");

		r = get(t);
		assert_failed(&r, "checksumError", "Checksums do not match");
		resp_free(&r);
		free(t);
	}
	r = get("/bigbluebutton/api/getMeetings?checksum=abc");
	assert_failed(&r, "checksumError", "Checksums do not match");
	resp_free(&r);
	r = get("/bigbluebutton/api/getMeetings");
	assert_failed(&r, "checksumError", "You must provide the checksum");
	resp_free(&r);
	r = get("/bigbluebutton/api/create?meetingID=x1&name=x1&checksum=");
	assert_failed(&r, "checksumError", "You must provide the checksum");
	resp_free(&r);
	ck_assert(bbbsim_request_get(sim, 0, &rec));
	ck_assert(!rec.checksum_ok);
	ck_assert_str_eq(rec.algorithm, "sha1");
	bbbsim_request_free(&rec);
	ck_assert(bbbsim_request_get(sim, 2, &rec));
	ck_assert_ptr_null(rec.algorithm);
	bbbsim_request_free(&rec);
}
END_TEST

START_TEST(test_bbbsim_checksum_position)
{
	char input[256];
	char target[512];
	char *hex;
	struct resp r;

	snprintf(input, sizeof(input), "isMeetingRunningmeetingID=m1&x=%%41b%s", SECRET);
	hex = hexdigest("sha1", input);
	snprintf(target, sizeof(target),
		 "/bigbluebutton/api/isMeetingRunning?meetingID=m1&checksum=%s&x=%%41b", hex);
	r = get(target);
	assert_value(r.body, "returncode", "SUCCESS");
	resp_free(&r);
	snprintf(target, sizeof(target),
		 "/bigbluebutton/api/isMeetingRunning?checksum=%s&meetingID=m1&x=%%41b", hex);
	r = get(target);
	assert_value(r.body, "returncode", "SUCCESS");
	resp_free(&r);
	/* the raw bytes are hashed: re-encoding %41 as A breaks the checksum */
	snprintf(target, sizeof(target),
		 "/bigbluebutton/api/isMeetingRunning?meetingID=m1&x=Ab&checksum=%s", hex);
	r = get(target);
	assert_failed(&r, "checksumError", "Checksums do not match");
	resp_free(&r);
	free(hex);
}
END_TEST

START_TEST(test_bbbsim_disabled_algorithm)
{
	char *t1;
	char *t256;
	struct resp r;

	restart(SECRET, "sha256,sha512");
	t1 = signed_with("sha1", SECRET, "getMeetings", "");
	t256 = signed_with("sha256", SECRET, "getMeetings", "");
	r = get(t1);
	assert_failed(&r, "checksumError", "Checksums do not match");
	resp_free(&r);
	r = get(t256);
	assert_value(r.body, "returncode", "SUCCESS");
	resp_free(&r);
	free(t1);
	free(t256);
}
END_TEST

START_TEST(test_bbbsim_empty_secret)
{
	struct bbbsim_request rec;
	struct resp r;

	restart("", NULL);
	r = get("/bigbluebutton/api/getMeetings");
	assert_value(r.body, "returncode", "SUCCESS");
	resp_free(&r);
	r = get("/bigbluebutton/api/getMeetings?checksum=1234");
	assert_value(r.body, "returncode", "SUCCESS");
	resp_free(&r);
	ck_assert(bbbsim_request_get(sim, 0, &rec));
	ck_assert(rec.checksum_ok);
	bbbsim_request_free(&rec);
}
END_TEST

/* --- faults -------------------------------------------------------------- */

START_TEST(test_bbbsim_fault_delay)
{
	struct bbbsim_fault f = {.kind = BBBSIM_FAULT_DELAY, .delay_ms = 600};
	char *slow = signed_target("getMeetings", "");
	char *fast = signed_target("isMeetingRunning", "meetingID=x1");
	int fd = cli_connect(bbbsim_port(sim));
	double t0 = now_ms();
	double fast_done;
	struct resp r;

	bbbsim_set_fault(sim, "getMeetings", &f);
	send_req(fd, "GET", slow, NULL, NULL, 0, false);
	/* another connection is not held up by the sleeping one */
	r = get(fast);
	fast_done = now_ms() - t0;
	assert_value(r.body, "running", "false");
	resp_free(&r);
	r = read_resp(fd, false);
	ck_assert_msg(now_ms() - t0 >= 590.0, "answered after %.0f ms", now_ms() - t0);
	ck_assert_msg(fast_done < 400.0, "other connection took %.0f ms", fast_done);
	assert_value(r.body, "returncode", "SUCCESS");
	resp_free(&r);
	close(fd);
	free(slow);
	free(fast);
}
END_TEST

START_TEST(test_bbbsim_fault_failed_and_count)
{
	struct bbbsim_fault f = {.kind = BBBSIM_FAULT_FAILED,
				 .message_key = "tooBusy",
				 .message = "Try & later",
				 .count = 2};
	struct resp r;
	int i;

	bbbsim_set_fault(sim, "getMeetings", &f);
	for (i = 0; i < 2; i++) {
		r = call("getMeetings", "");
		assert_failed(&r, "tooBusy", "Try &amp; later");
		resp_free(&r);
	}
	r = call("getMeetings", "");
	assert_value(r.body, "messageKey", "noMeetings");
	resp_free(&r);
	/* "*" matches every call; a NULL fault clears it */
	bbbsim_set_fault(sim, "*", &f);
	r = call("isMeetingRunning", "meetingID=abc");
	assert_value(r.body, "messageKey", "tooBusy");
	resp_free(&r);
	bbbsim_set_fault(sim, "*", NULL);
	r = call("isMeetingRunning", "meetingID=abc");
	assert_value(r.body, "running", "false");
	resp_free(&r);
}
END_TEST

START_TEST(test_bbbsim_fault_garbage_body_status)
{
	struct bbbsim_fault g = {.kind = BBBSIM_FAULT_GARBAGE, .body = "}{ not xml"};
	struct bbbsim_fault b = {.kind = BBBSIM_FAULT_BODY,
				 .body = "<response><x>1</x></response>"};
	struct bbbsim_fault s = {.kind = BBBSIM_FAULT_HTTP_STATUS, .http_status = 503};
	struct bbbsim_request rec;
	struct resp r;
	char *ct;

	bbbsim_set_fault(sim, "getMeetings", &g);
	r = call("getMeetings", "");
	ct = header(&r, "Content-Type");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(ct, "text/plain;charset=utf-8");
	ck_assert_str_eq(r.body, "}{ not xml");
	free(ct);
	resp_free(&r);
	bbbsim_set_fault(sim, "getMeetings", &b);
	r = call("getMeetings", "");
	ct = header(&r, "Content-Type");
	ck_assert_str_eq(ct, "text/xml;charset=utf-8");
	ck_assert_str_eq(r.body, "<response><x>1</x></response>");
	free(ct);
	resp_free(&r);
	bbbsim_set_fault(sim, "getMeetings", &s);
	r = call("getMeetings", "");
	ck_assert_int_eq(r.status, 503);
	ck_assert_ptr_nonnull(strstr(r.body, "503 Service Unavailable"));
	resp_free(&r);
	/* faults apply after the request is recorded, even with a bad checksum */
	r = get("/bigbluebutton/api/getMeetings?checksum=bad");
	ck_assert_int_eq(r.status, 503);
	resp_free(&r);
	ck_assert_uint_eq(bbbsim_request_count(sim), 4);
	ck_assert(bbbsim_request_get(sim, 3, &rec));
	ck_assert(!rec.checksum_ok);
	bbbsim_request_free(&rec);
	/* the API root is addressed as "" */
	bbbsim_set_fault(sim, "", &s);
	r = get("/bigbluebutton/api");
	ck_assert_int_eq(r.status, 503);
	resp_free(&r);
}
END_TEST

START_TEST(test_bbbsim_fault_huge)
{
	struct bbbsim_fault f = {.kind = BBBSIM_FAULT_HUGE, .huge_bytes = 3u << 20};
	struct resp r;
	char *te;

	bbbsim_set_fault(sim, "getMeetings", &f);
	r = call("getMeetings", "");
	te = header(&r, "Transfer-Encoding");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(te, "chunked");
	ck_assert_uint_eq(r.body_len, 3u << 20);
	ck_assert_uint_eq(strlen(r.body), r.body_len);
	ck_assert(starts_with(r.body, "<response>\n<returncode>SUCCESS</"
				      "returncode>\n<meetings>\n"));
	ck_assert(ends_with(r.body, "</meetings>\n</response>"));
	free(te);
	resp_free(&r);
}
END_TEST

START_TEST(test_bbbsim_fault_close)
{
	struct bbbsim_fault f = {.kind = BBBSIM_FAULT_CLOSE, .count = 1};
	struct resp r;

	bbbsim_set_fault(sim, "getMeetings", &f);
	r = call("getMeetings", "");
	ck_assert_int_eq(r.status, 0);
	resp_free(&r);
	r = call("getMeetings", "");
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
}
END_TEST

START_TEST(test_bbbsim_fault_delay_then_kind)
{
	struct bbbsim_fault f = {
		.kind = BBBSIM_FAULT_HTTP_STATUS, .http_status = 502, .delay_ms = 300};
	double t0 = now_ms();
	struct resp r;

	bbbsim_set_fault(sim, "create", &f);
	r = call("create", "name=Late&meetingID=late-1");
	ck_assert(now_ms() - t0 >= 290.0);
	ck_assert_int_eq(r.status, 502);
	resp_free(&r);
}
END_TEST

/* --- log, connections, helpers -------------------------------------------- */

START_TEST(test_bbbsim_request_recording)
{
	size_t big_len = 300 * 1024;
	char *big = malloc(big_len + 1);
	char *t = signed_with("sha256", SECRET, "insertDocument", "meetingID=rec-1");
	struct bbbsim_request rec;
	struct resp r;

	memset(big, 'x', big_len);
	big[big_len] = '\0';
	memcpy(big, "<modules>", 9);
	r = call("getMeetingInfo", "meetingID=rec%2D1&x=a+b");
	resp_free(&r);
	r = request("POST", t, "application/xml", big);
	resp_free(&r);
	ck_assert_uint_eq(bbbsim_request_count(sim), 2);
	ck_assert(bbbsim_request_get(sim, 0, &rec));
	ck_assert_str_eq(rec.method, "GET");
	ck_assert_str_eq(rec.call, "getMeetingInfo");
	ck_assert(starts_with(rec.query, "meetingID=rec%2D1&x=a+b&checksum="));
	ck_assert_ptr_null(rec.content_type);
	ck_assert_ptr_null(rec.body);
	ck_assert_uint_eq(rec.body_len, 0);
	bbbsim_request_free(&rec);
	ck_assert(bbbsim_request_get(sim, 1, &rec));
	ck_assert_str_eq(rec.method, "POST");
	ck_assert_str_eq(rec.call, "insertDocument");
	ck_assert_str_eq(rec.query, strchr(t, '?') + 1);
	ck_assert_str_eq(rec.content_type, "application/xml");
	ck_assert_uint_eq(rec.body_len, big_len);
	ck_assert_str_eq(rec.body, big);
	ck_assert(rec.checksum_ok);
	ck_assert_str_eq(rec.algorithm, "sha256");
	bbbsim_request_free(&rec);
	ck_assert(!bbbsim_request_get(sim, 2, &rec));
	bbbsim_clear_log(sim);
	ck_assert_uint_eq(bbbsim_request_count(sim), 0);
	bbbsim_request_free(NULL);
	free(big);
	free(t);
}
END_TEST

START_TEST(test_bbbsim_keep_alive_connections)
{
	char *t = signed_target("getMeetings", "");
	int fd = cli_connect(bbbsim_port(sim));
	struct resp r;
	int i;

	for (i = 0; i < 3; i++) {
		r = request_on(fd, "GET", t, NULL, NULL, true);
		ck_assert_int_eq(r.status, 200);
		assert_value(r.body, "returncode", "SUCCESS");
		resp_free(&r);
	}
	ck_assert_uint_eq(bbbsim_connections(sim), 1);
	ck_assert_uint_eq(bbbsim_request_count(sim), 3);
	close(fd);
	r = get(t);
	resp_free(&r);
	ck_assert_uint_eq(bbbsim_connections(sim), 2);
	free(t);
}
END_TEST

START_TEST(test_bbbsim_query_param)
{
	char *v;

	v = bbbsim_query_param("a=1&b=x+y%21%zz&a=2&c&%41=z", "a");
	ck_assert_str_eq(v, "1");
	free(v);
	v = bbbsim_query_param("a=1&b=x+y%21%zz&a=2&c&%41=z", "b");
	ck_assert_str_eq(v, "x y!%zz");
	free(v);
	v = bbbsim_query_param("a=1&b=x+y%21%zz&a=2&c&%41=z", "c");
	ck_assert_str_eq(v, "");
	free(v);
	v = bbbsim_query_param("a=1&b=x+y%21%zz&a=2&c&%41=z", "A");
	ck_assert_str_eq(v, "z");
	free(v);
	ck_assert_ptr_null(bbbsim_query_param("a=1", "d"));
	ck_assert_ptr_null(bbbsim_query_param("", "a"));
}
END_TEST

START_TEST(test_bbbsim_start_failure)
{
	struct bbbsim_opts bad = {.address = "not-an-address", .secret = "s"};
	struct bbbsim_opts taken = {.secret = "s", .port = bbbsim_port(sim)};

	ck_assert_ptr_null(bbbsim_start(&bad));
	ck_assert_ptr_null(bbbsim_start(&taken));
	bbbsim_stop(NULL);
}
END_TEST

/* Path of the bbb-sim program: $GW_BBBSIM_BINARY, else next to this test binary. */
static void sim_binary(char *out, size_t n)
{
	const char *env = getenv("GW_BBBSIM_BINARY");
	char self[PATH_MAX];
	ssize_t len;
	char *slash;

	if (env != NULL && env[0] != '\0') {
		snprintf(out, n, "%s", env);
		return;
	}
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	ck_assert_int_gt(len, 0);
	self[len] = '\0';
	slash = strrchr(self, '/');
	ck_assert_ptr_nonnull(slash);
	*slash = '\0';
	snprintf(out, n, "%s/bbbsim/bbb-sim", self);
}

START_TEST(test_bbbsim_program)
{
	char path[PATH_MAX + 32];
	char line[256] = {0};
	unsigned port = 0;
	int pipefd[2];
	int status;
	pid_t pid;
	FILE *out;
	struct resp r;
	int fd;

	sim_binary(path, sizeof(path));
	ck_assert_int_eq(pipe(pipefd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		close(pipefd[0]);
		execl(path, path, "--port", "0", "--secret", SECRET, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	out = fdopen(pipefd[0], "r");
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), out));
	ck_assert_int_eq(sscanf(line, "bbb-sim listening on http://127.0.0.1:%u/bigbluebutton/api",
				&port),
			 1);
	fd = cli_connect(port);
	send_req(fd, "GET", "/bigbluebutton/api", NULL, NULL, 0, false);
	r = read_resp(fd, false);
	assert_value(r.body, "returncode", "SUCCESS");
	resp_free(&r);
	close(fd);
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	fclose(out);
}
END_TEST

static Suite *bbbsim_suite(void)
{
	Suite *s = suite_create("bbbsim");
	TCase *tc = tcase_create("bbbsim");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_bbbsim_official_vector);
	tcase_add_test(tc, test_bbbsim_each_algorithm);
	tcase_add_test(tc, test_bbbsim_wrong_checksum);
	tcase_add_test(tc, test_bbbsim_checksum_position);
	tcase_add_test(tc, test_bbbsim_disabled_algorithm);
	tcase_add_test(tc, test_bbbsim_empty_secret);
	tcase_add_test(tc, test_bbbsim_fault_delay);
	tcase_add_test(tc, test_bbbsim_fault_failed_and_count);
	tcase_add_test(tc, test_bbbsim_fault_garbage_body_status);
	tcase_add_test(tc, test_bbbsim_fault_huge);
	tcase_add_test(tc, test_bbbsim_fault_close);
	tcase_add_test(tc, test_bbbsim_fault_delay_then_kind);
	tcase_add_test(tc, test_bbbsim_request_recording);
	tcase_add_test(tc, test_bbbsim_keep_alive_connections);
	tcase_add_test(tc, test_bbbsim_query_param);
	tcase_add_test(tc, test_bbbsim_start_failure);
	tcase_add_test(tc, test_bbbsim_program);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(bbbsim_suite)
