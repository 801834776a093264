/*
 * check_bbbsim_hooks_delivery.c - how the simulator delivers its
 * bbb-webhooks callbacks: its retry, its 401 rule, that a slow receiver
 * never slows the simulator's answers, stopping while sending; then
 * sim/leave, the client page and the bbb-sim program's options. What the
 * callbacks carry is in check_bbbsim_hooks.c; the receiver and the
 * decoding in hooksfix.c.
 */
#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hooksfix.h"
#include "testutil.h"

START_TEST(test_bbbsim_hooks_retry)
{
	struct cb a;
	struct cb b;

	/* 500 twice: one retry, then given up and the hook removed, as bbb-webhooks does */
	rx_script(0, 500, 500);
	hook("flaky", "");
	ok("create", "name=Retry&meetingID=r-1");
	settle(1);
	ck_assert_uint_eq(bbbsim_callbacks_failed(sim), 1);
	ck_assert_uint_eq(bbbsim_callbacks_sent(sim), 0);
	ck_assert_uint_eq(rx_count(), 2);
	ck_assert_uint_eq(bbbsim_hook_count(sim), 0);
	a = cb_get(0, "sha1", false);
	b = cb_get(1, "sha1", false);
	ck_assert_str_eq(a.event, b.event); /* the same request again */
	ck_assert_int_eq(a.stamp, b.stamp);
	cb_free(&a);
	cb_free(&b);
	/* then nothing for that hook */
	ok("end", "meetingID=r-1");
	usleep(300000);
	ck_assert_uint_eq(rx_count(), 2);

	/* 503 then 200: delivered by the retry */
	pthread_mutex_lock(&rx.lock);
	rx.statuses[2] = 503;
	rx.nstatuses = 3;
	pthread_mutex_unlock(&rx.lock);
	hook("flaky", "");
	ok("create", "name=Retry&meetingID=r-2");
	settle(2);
	ck_assert_uint_eq(bbbsim_callbacks_sent(sim), 1);
	ck_assert_uint_eq(rx_count(), 4);
	ck_assert_uint_eq(bbbsim_hook_count(sim), 1);
}
END_TEST

START_TEST(test_bbbsim_hooks_401_delivered)
{
	rx_script(0, 401, 401);
	hook("denied", "");
	ok("create", "name=Denied&meetingID=d-1");
	settle(1);
	usleep(300000); /* no retry comes */
	ck_assert_uint_eq(rx_count(), 1);
	ck_assert_uint_eq(bbbsim_callbacks_sent(sim), 1);
	ck_assert_uint_eq(bbbsim_callbacks_failed(sim), 0);
	ck_assert_uint_eq(bbbsim_hook_count(sim), 1);
}
END_TEST

/* A receiver that takes 2 s per callback never slows the simulator's answers. */
START_TEST(test_bbbsim_hooks_slow_receiver)
{
	double t0;
	int i;

	rx_script(2000, 200, 200);
	hook("slow", "");
	for (i = 0; i < 2; i++) {
		char q[64];

		snprintf(q, sizeof(q), "name=Slow&meetingID=s-%d", i);
		t0 = now_ms();
		ok("create", q);
		ck_assert_msg(now_ms() - t0 < 500.0, "create took %.0f ms", now_ms() - t0);
	}
	t0 = now_ms();
	ok("getMeetings", "");
	ck_assert(bbbsim_add_attendee(sim, "s-0", "u", "U", false));
	ck_assert_msg(now_ms() - t0 < 500.0, "took %.0f ms", now_ms() - t0);
	ck_assert_uint_le(rx_count(), 1);
	ck_assert(!bbbsim_callbacks_wait(sim, 1, 100)); /* the first is still being answered */
	settle(3);
	ck_assert_uint_eq(bbbsim_callbacks_sent(sim), 3);
}
END_TEST

/* Stopping aborts a callback in flight and frees what is queued. */
START_TEST(test_bbbsim_hooks_stop_while_sending)
{
	double t0;

	rx_script(3000, 200, 200);
	hook("slow", "");
	ok("create", "name=Stop&meetingID=st-1");
	ok("create", "name=Stop&meetingID=st-2");
	t0 = now_ms();
	while (rx_count() == 0 && now_ms() - t0 < 5000.0)
		usleep(10000);
	ck_assert_uint_eq(rx_count(), 1);
	t0 = now_ms();
	bbbsim_stop(sim);
	sim = NULL;
	ck_assert_msg(now_ms() - t0 < 2000.0, "stop took %.0f ms", now_ms() - t0);
}
END_TEST

/* --- leaving ------------------------------------------------------------------- */

static void leave_is(const char *query, const char *key)
{
	char target[256];
	struct bbbsim_resp r;
	char *v;

	snprintf(target, sizeof(target), API "sim/leave?%s", query);
	r = get_on(bbbsim_port(sim), target);
	ck_assert_int_eq(r.status, 200);
	v = xml_value(r.body, "messageKey");
	ck_assert_str_eq(v, key);
	free(v);
	bbbsim_resp_free(&r);
}

START_TEST(test_bbbsim_hooks_leave)
{
	struct bbbsim_resp r;
	char *internal;
	char target[256];

	ok("create", "name=Leave&meetingID=l-1");
	r = call("join", "meetingID=l-1&fullName=Ann&role=viewer&userID=ann&redirect=false");
	internal = xml_value(r.body, "user_id");
	bbbsim_resp_free(&r);
	ck_assert(bbbsim_add_attendee(sim, "l-1", "bob", "Bob", false));
	ck_assert(bbbsim_add_attendee(sim, "l-1", "bob", "Bob again", false));
	leave_is("userID=ann", "missingParamMeetingID");
	leave_is("meetingID=l-1", "missingParamUserID");
	leave_is("meetingID=l-1&userID=", "missingParamUserID");
	leave_is("meetingID=nope&userID=ann", "notFound");
	leave_is("meetingID=l-1&userID=carol", "userNotFound");
	/* by the internal ID too */
	snprintf(target, sizeof(target), "meetingID=l-1&userID=%s", internal);
	leave_is(target, "userLeft");
	leave_is(target, "userNotFound");
	/* both of bob's sessions */
	ck_assert(bbbsim_user_leave(sim, "l-1", "bob"));
	ck_assert(!bbbsim_user_leave(sim, "l-1", "bob"));
	ck_assert(!bbbsim_user_leave(sim, "nope", "bob"));
	ck_assert(!bbbsim_user_leave(sim, NULL, "bob"));
	r = call("getMeetingInfo", "meetingID=l-1");
	ck_assert_ptr_nonnull(strstr(r.body, "<attendees>\n</attendees>"));
	ck_assert_ptr_nonnull(strstr(r.body, "<running>true</running>"));
	ck_assert_ptr_nonnull(strstr(r.body, "<hasUserJoined>true</hasUserJoined>"));
	bbbsim_resp_free(&r);
	r = bbbsim_http(bbbsim_port(sim), "POST", API "sim/leave?meetingID=l-1&userID=x",
			"application/x-www-form-urlencoded", "", 0);
	ck_assert_int_eq(r.status, 405);
	bbbsim_resp_free(&r);
	free(internal);
}
END_TEST

/* A browser sent to the client URL sees a page with a link that makes it leave. */
START_TEST(test_bbbsim_hooks_client_page)
{
	struct bbbsim_resp r;
	char *loc;
	char *path;
	char *href;
	char *end;
	char *amp;
	char ids[128];

	hook("page", "");
	ok("create", "name=A+%3Cb%3E+%26+Co&meetingID=p+1");
	r = call("join", "meetingID=p+1&fullName=Ann+%3CO%3E&role=MODERATOR");
	ck_assert_int_eq(r.status, 302);
	loc = bbbsim_resp_header(&r, "Location");
	bbbsim_resp_free(&r);
	path = strstr(loc, "/html5client/join?sessionToken=");
	ck_assert_ptr_nonnull(path);
	r = get_on(bbbsim_port(sim), path);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "<title>A &lt;b&gt; &amp; Co</title>"));
	ck_assert_ptr_nonnull(strstr(r.body, "as <b>Ann &lt;O&gt;</b> (moderator)"));
	href = strstr(r.body, "<a href=\"/bigbluebutton/api/sim/leave?meetingID=p+1&amp;userID=w_");
	ck_assert_msg(href != NULL, "%s", r.body);
	href = strdup(href + 9);
	end = strchr(href, '"');
	*end = '\0';
	amp = strstr(href, "&amp;");
	memmove(amp + 1, amp + 5, strlen(amp + 5) + 1); /* the one &amp; -> & */
	bbbsim_resp_free(&r);
	r = get_on(bbbsim_port(sim), href);
	ck_assert_ptr_nonnull(strstr(r.body, "<messageKey>userLeft</messageKey>"));
	bbbsim_resp_free(&r);
	r = get_on(bbbsim_port(sim), path); /* gone */
	ck_assert_int_eq(r.status, 404);
	bbbsim_resp_free(&r);
	r = get_on(bbbsim_port(sim), "/html5client/join?sessionToken=nope");
	ck_assert_int_eq(r.status, 404);
	bbbsim_resp_free(&r);
	settle(3);
	ids_at("/page", ids, sizeof(ids));
	ck_assert_str_eq(ids, "meeting-created user-joined user-left");
	free(href);
	free(loc);
}
END_TEST

/* --- bbb-sim ------------------------------------------------------------------ */

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

/* Runs bbb-sim with args; its port, its pid in *pid. */
static unsigned run_sim(const char *const *args, pid_t *pid, FILE **out)
{
	char path[PATH_MAX + 32];
	char line[256] = {0};
	const char *argv[16];
	unsigned port = 0;
	int pipefd[2];
	size_t i;

	sim_binary(path, sizeof(path));
	argv[0] = path;
	for (i = 0; args[i] != NULL && i < 14; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	ck_assert_int_eq(pipe(pipefd), 0);
	*pid = fork();
	ck_assert_int_ge(*pid, 0);
	if (*pid == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		close(pipefd[0]);
		execv(path, (char *const *)argv);
		_exit(127);
	}
	close(pipefd[1]);
	*out = fdopen(pipefd[0], "r");
	if (fgets(line, sizeof(line), *out) != NULL)
		sscanf(line, "bbb-sim listening on http://127.0.0.1:%u/", &port);
	return port;
}

static int wait_exit(pid_t pid)
{
	int status;

	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

START_TEST(test_bbbsim_hooks_program)
{
	static const char *const args[] = {
		"--port",           "0",      "--secret", SECRET, "--domain", "demo.example",
		"--hooks-checksum", "sha384", NULL};
	static const char *const bad[] = {"--port",           "0",   "--secret", SECRET,
					  "--hooks-checksum", "md5", NULL};
	static const char *const bearer[] = {"--port",         "0", "--secret", SECRET,
					     "--hooks-bearer", NULL};
	struct bbbsim_resp r;
	unsigned port;
	FILE *out;
	pid_t pid;
	struct cb c;

	port = run_sim(args, &pid, &out);
	ck_assert_uint_gt(port, 0);
	hook_on(port, "cli", "");
	r = call_on(port, "create", "name=Cli&meetingID=cli-1");
	bbbsim_resp_free(&r);
	{
		double t0 = now_ms();

		while (rx_count() < 1 && now_ms() - t0 < 10000.0)
			usleep(10000);
	}
	c = cb_get(0, "sha384", false);
	ck_assert_str_eq(c.domain, "demo.example");
	ck_assert_str_eq(c.id, "meeting-created");
	cb_free(&c);
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(wait_exit(pid), 0);
	fclose(out);

	port = run_sim(bearer, &pid, &out);
	ck_assert_uint_gt(port, 0);
	hook_on(port, "cli-bearer", "");
	r = call_on(port, "create", "name=Cli&meetingID=cli-2");
	bbbsim_resp_free(&r);
	{
		double t0 = now_ms();

		while (rx_count() < 2 && now_ms() - t0 < 10000.0)
			usleep(10000);
	}
	c = cb_get(1, NULL, true);
	ck_assert_str_eq(c.path, "/cli-bearer");
	ck_assert_str_eq(c.domain, "127.0.0.1");
	cb_free(&c);
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(wait_exit(pid), 0);
	fclose(out);

	ck_assert_uint_eq(run_sim(bad, &pid, &out), 0);
	ck_assert_int_eq(wait_exit(pid), 2);
	fclose(out);
}
END_TEST

static Suite *bbbsim_hooks_delivery_suite(void)
{
	Suite *s = suite_create("bbbsim_hooks_delivery");
	TCase *tc = tcase_create("bbbsim_hooks_delivery");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_bbbsim_hooks_retry);
	tcase_add_test(tc, test_bbbsim_hooks_401_delivered);
	tcase_add_test(tc, test_bbbsim_hooks_slow_receiver);
	tcase_add_test(tc, test_bbbsim_hooks_stop_while_sending);
	tcase_add_test(tc, test_bbbsim_hooks_leave);
	tcase_add_test(tc, test_bbbsim_hooks_client_page);
	tcase_add_test(tc, test_bbbsim_hooks_program);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(bbbsim_hooks_delivery_suite)
