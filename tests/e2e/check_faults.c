/*
 * check_faults.c - the gateway facing a broken or overloaded BBB: the
 * in-flight cap sheds load with 503 + Retry-After, and huge (chunked or
 * with a Content-Length), truncated, empty, mistyped, dropped and 5xx
 * replies all become 502 quickly with memory bounded. The simulator
 * scripts most faults; a tiny raw-socket BBB in this file serves the
 * replies the simulator cannot (a chosen Content-Type, a lying
 * Content-Length). Every test ends by checking other clients are served.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "rawhttp.h"
#include "testutil.h"

/* --- in-flight cap ------------------------------------------------------- */

static void *list_meetings(void *arg)
{
	call(arg, "GET", "/v1/meetings", tok_read, NULL);
	return NULL;
}

START_TEST(test_faults_inflight_cap_sheds_load)
{
	struct bbbsim_fault slow = {.kind = BBBSIM_FAULT_DELAY, .delay_ms = 1500};
	struct reply bg[2];
	struct reply r;
	pthread_t th[2];
	long long t0;
	int i;

	gateway_down();
	cfg->max_inflight = 2;
	gateway_up();
	bbbsim_set_fault(sim, "getMeetings", &slow);
	bbbsim_clear_log(sim);
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, list_meetings, &bg[i]), 0);
	t0 = now_ms();
	while (bbbsim_request_count(sim) < 2 && now_ms() - t0 < 3000)
		sleep_ms(10);
	ck_assert_uint_eq(bbbsim_request_count(sim), 2);
	t0 = now_ms();
	call(&r, "GET", "/v1/meetings", tok_read, NULL);
	assert_problem(&r, 503, "unavailable");
	ck_assert_ptr_nonnull(header(&r, "Retry-After"));
	ck_assert_int_lt(now_ms() - t0, 500);
	reply_free(&r);
	for (i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		ck_assert_int_eq(bg[i].status, 200);
		reply_free(&bg[i]);
	}
	bbbsim_set_fault(sim, "getMeetings", NULL);
	assert_serving();
}
END_TEST

/* --- broken BBB replies ------------------------------------------------ */

/*
 * How much the process may grow while refusing 32 MiB replies: a little
 * for buffers, caches and connections (each event loop's pool warms up on
 * its first call; under valgrind the growth reached 5.9 MiB); TSan's
 * shadow memory and thread metadata alone add about 6 MiB. Buffering the
 * reply would add 32 MiB.
 */
#ifdef __SANITIZE_THREAD__
#define RSS_SLACK_KIB (16 * 1024)
#else
#define RSS_SLACK_KIB (10 * 1024)
#endif

/* A "VmRSS:" / "VmHWM:" line of /proc/self/status, in KiB. */
static long status_kib(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, strlen(key)) == 0)
			kib = strtol(line + strlen(key), NULL, 10);
	fclose(f);
	ck_assert_int_gt(kib, 0);
	return kib;
}

/*
 * Resets the peak (VmHWM) to the current RSS and returns that. The peak,
 * not the RSS afterwards, catches a reply buffered whole and then freed
 * (glibc unmaps large blocks on free).
 */
static long rss_reset_peak(void)
{
	FILE *f = fopen("/proc/self/clear_refs", "w");

	ck_assert_ptr_nonnull(f);
	fputs("5", f);
	fclose(f);
	return status_kib("VmRSS:");
}

static long rss_peak_growth(long since)
{
	return status_kib("VmHWM:") - since;
}

/* GET /v1/meetings answers the problem (any upstream_* code when code is NULL) within 2 s. */
static void assert_list_fails(int status, const char *code)
{
	long long t0 = now_ms();
	struct reply r;

	call(&r, "GET", "/v1/meetings", tok_read, NULL);
	ck_assert_int_lt(now_ms() - t0, 2000);
	if (code != NULL) {
		assert_problem(&r, status, code);
	} else {
		assert_problem(&r, status, jstr(&r, "code"));
		ck_assert_msg(strncmp(jstr(&r, "code"), "upstream_", 9) == 0, "code %s",
			      jstr(&r, "code"));
	}
	reply_free(&r);
}

static void assert_list_ok(void)
{
	struct reply r;

	call(&r, "GET", "/v1/meetings", tok_read, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
}

START_TEST(test_faults_upstream_huge_chunked_reply)
{
	struct bbbsim_fault huge = {.kind = BBBSIM_FAULT_HUGE, .huge_bytes = 32u << 20};
	long rss0;
	int i;

	gateway_down();
	cfg->bbb_max_reply_bytes = 64 * 1024;
	gateway_up();
	assert_list_ok(); /* warm up the connection pool before measuring */
	rss0 = rss_reset_peak();
	bbbsim_set_fault(sim, "getMeetings", &huge);
	for (i = 0; i < 3; i++)
		assert_list_fails(502, "upstream_reply_too_large");
	ck_assert_int_lt(rss_peak_growth(rss0), RSS_SLACK_KIB);
	bbbsim_set_fault(sim, "getMeetings", NULL);
	assert_list_ok();
	assert_serving();
}
END_TEST

#define VALID_XML                                                                  \
	"<response>\n<returncode>SUCCESS</returncode>\n<running>false</running>\n" \
	"<meetings>\n</meetings>\n</response>"

/* One scripted fault per run: each is its own process, so the breaker never opens. */
static const struct {
	struct bbbsim_fault f;
	const char *code; /* NULL: any upstream_* code */
} fault_table[] = {
	{{.kind = BBBSIM_FAULT_BODY,
	  .body = "<response>\n<returncode>SUCCESS</returncode>\n<meetings>\n<meeting>\n<meet"},
	 "upstream_bad_reply"},
	{{.kind = BBBSIM_FAULT_BODY, .body = ""}, "upstream_bad_reply"},
	{{.kind = BBBSIM_FAULT_CLOSE}, "upstream_bad_reply"},
	{{.kind = BBBSIM_FAULT_HTTP_STATUS, .http_status = 503}, "upstream_http_error"},
	/* Valid XML served as text/plain: the wrong content type is a bad reply. */
	{{.kind = BBBSIM_FAULT_GARBAGE, .body = VALID_XML}, NULL},
};

START_TEST(test_faults_upstream_fault_table)
{
	bbbsim_set_fault(sim, "getMeetings", &fault_table[_i].f);
	assert_list_fails(502, fault_table[_i].code);
	bbbsim_set_fault(sim, "getMeetings", NULL);
	assert_list_ok();
	assert_serving();
}
END_TEST

/* --- hostile but well-formed replies ------------------------------------ */

static void *list_meetings_bg(void *arg)
{
	call(arg, "GET", "/v1/meetings", tok_read, NULL);
	return NULL;
}

/*
 * One <meeting> with 200,000 attributes (~2 MB): libxml2 2.9.14 spends
 * time quadratic in the count on it (minutes at 300,000), on an HTTP
 * worker. The reply is refused as malformed, and while it is in flight
 * /healthz and a normal BBB call on new connections are answered.
 */
START_TEST(test_faults_upstream_attribute_flood)
{
	struct bbbsim_fault flood = {.kind = BBBSIM_FAULT_BODY};
	struct reply bg;
	struct gw_buf b;
	pthread_t th;
	long long t0;
	unsigned i;

	gw_buf_init(&b, 4u << 20);
	ck_assert_int_eq(gw_buf_append_str(&b, "<response>\n<returncode>SUCCESS</returncode>\n"
					       "<meetings>\n<meeting"),
			 GW_OK);
	for (i = 0; i < 200000; i++)
		ck_assert_int_eq(gw_buf_appendf(&b, " a%x=\"\"", i), GW_OK);
	ck_assert_int_eq(gw_buf_append_str(&b, "/>\n</meetings>\n</response>"), GW_OK);
	flood.body = gw_buf_str(&b);
	bbbsim_set_fault(sim, "getMeetings", &flood);
	gw_buf_deinit(&b);
	bbbsim_clear_log(sim);
	ck_assert_int_eq(pthread_create(&th, NULL, list_meetings_bg, &bg), 0);
	t0 = now_ms();
	while (bbbsim_request_count(sim) < 1 && now_ms() - t0 < 5000)
		sleep_ms(5);
	assert_serving();
	pthread_join(th, NULL);
	assert_problem(&bg, 502, "upstream_bad_reply");
	reply_free(&bg);
	bbbsim_set_fault(sim, "getMeetings", NULL);
	assert_list_ok();
}
END_TEST

/* Two envelopes: FAILED, then SUCCESS. Taking either would be a guess; it is a bad reply. */
START_TEST(test_faults_upstream_failed_then_success)
{
	struct bbbsim_fault twice = {.kind = BBBSIM_FAULT_BODY,
				     .body = "<response>\n<returncode>FAILED</"
					     "returncode>\n<messageKey>notFound"
					     "</messageKey>\n<message>A meeting with that ID does "
					     "not exist</message>\n"
					     "<returncode>SUCCESS</"
					     "returncode>\n<messageKey>sentEndMeetingRequest"
					     "</messageKey>\n</response>"};
	struct reply r;

	bbbsim_set_fault(sim, "end", &twice);
	call(&r, "POST", "/v1/meetings/two-rc/end", tok_all, NULL);
	assert_problem(&r, 502, "upstream_bad_reply");
	reply_free(&r);
	bbbsim_set_fault(sim, "end", NULL);
	assert_serving();
}
END_TEST

/* --- a raw BBB for replies the simulator cannot make ------------------- */

static struct {
	int lfd;
	unsigned port;
	pthread_t th;
	bool running;
	atomic_bool stop;
	pthread_mutex_t lock;
	char head[512]; /* status line and headers, sent verbatim */
	const char *body;
	size_t filler; /* bytes of filler after body */
} fake = {.lfd = -1, .lock = PTHREAD_MUTEX_INITIALIZER};

/* Reads the request head (bounded), answers with the scripted reply, closes. */
static void fake_serve(int fd)
{
	static char filler[64 * 1024];
	struct timeval tv = {.tv_sec = 2};
	char req[8192];
	char head[512];
	const char *body;
	size_t len = 0;
	size_t left;
	ssize_t got;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	do {
		got = recv(fd, req + len, sizeof(req) - 1 - len, 0);
		len += got > 0 ? (size_t)got : 0;
		req[len] = '\0';
	} while (got > 0 && len < sizeof(req) - 1 && strstr(req, "\r\n\r\n") == NULL);
	pthread_mutex_lock(&fake.lock);
	memcpy(head, fake.head, sizeof(head));
	body = fake.body;
	left = fake.filler;
	pthread_mutex_unlock(&fake.lock);
	memset(filler, '\n', sizeof(filler));
	if (!send_all(fd, head, strlen(head)) || !send_all(fd, body, strlen(body)))
		left = 0;
	while (left > 0) {
		size_t n = left < sizeof(filler) ? left : sizeof(filler);

		if (!send_all(fd, filler, n))
			break;
		left -= n;
	}
	close(fd);
}

static void *fake_main(void *arg)
{
	(void)arg;
	while (!atomic_load(&fake.stop)) {
		struct pollfd p = {.fd = fake.lfd, .events = POLLIN};
		int fd;

		if (poll(&p, 1, 50) <= 0)
			continue;
		fd = accept4(fake.lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			fake_serve(fd);
	}
	return NULL;
}

/* Scripts the reply: body with this Content-Type, and a Content-Length (0: body's own). */
static void fake_reply(const char *content_type, const char *body, size_t length, size_t filler)
{
	pthread_mutex_lock(&fake.lock);
	snprintf(fake.head, sizeof(fake.head),
		 "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		 "Connection: close\r\n\r\n",
		 content_type, length > 0 ? length : strlen(body));
	fake.body = body;
	fake.filler = filler;
	pthread_mutex_unlock(&fake.lock);
}

/* Starts the raw BBB and points a restarted gateway at it. */
static void fake_start(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t alen = sizeof(a);
	char url[128];

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fake.lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fake.lfd, 0);
	ck_assert_int_eq(bind(fake.lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(fake.lfd, 64), 0);
	ck_assert_int_eq(getsockname(fake.lfd, (struct sockaddr *)&a, &alen), 0);
	fake.port = ntohs(a.sin_port);
	atomic_store(&fake.stop, false);
	ck_assert_int_eq(pthread_create(&fake.th, NULL, fake_main, NULL), 0);
	fake.running = true;
	gateway_down();
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/bigbluebutton/api", fake.port);
	free(cfg->bbb_url);
	cfg->bbb_url = strdup(url);
	cfg->bbb_max_reply_bytes = 64 * 1024;
	gateway_up();
}

static void faults_teardown(void)
{
	if (fake.running) {
		atomic_store(&fake.stop, true);
		pthread_join(fake.th, NULL);
		close(fake.lfd);
		fake.running = false;
	}
	teardown();
}

/* Valid BBB XML served as text/html (what a proxy's error page or a misrouted vhost sends). */
START_TEST(test_faults_upstream_wrong_content_type)
{
	fake_start();
	fake_reply("text/html; charset=utf-8", VALID_XML, 0, 0);
	assert_list_fails(502, NULL);
	/* The same bytes as text/xml are fine: the content type alone made the difference. */
	fake_reply("text/xml;charset=utf-8", VALID_XML, 0, 0);
	assert_list_ok();
	assert_serving();
}
END_TEST

/* A Content-Length far over bbb.max_reply_bytes fails at once (CURLOPT_MAXFILESIZE). */
START_TEST(test_faults_upstream_huge_with_content_length)
{
	long rss0;
	int i;

	fake_start();
	fake_reply("text/xml;charset=utf-8", VALID_XML, 100u << 20, 0);
	assert_list_fails(502, "upstream_reply_too_large");
	/* The length is true this time: 32 MiB follow, cut off by the cap. */
	fake_reply("text/xml;charset=utf-8", VALID_XML, strlen(VALID_XML) + (32u << 20), 32u << 20);
	rss0 = rss_reset_peak();
	for (i = 0; i < 3; i++)
		assert_list_fails(502, "upstream_reply_too_large");
	ck_assert_int_lt(rss_peak_growth(rss0), RSS_SLACK_KIB);
	fake_reply("text/xml;charset=utf-8", VALID_XML, 0, 0);
	assert_list_ok();
	assert_serving();
}
END_TEST

static Suite *faults_suite(void)
{
	Suite *s = suite_create("faults");
	TCase *tc = tcase_create("upstream");

	tcase_add_checked_fixture(tc, setup, faults_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_faults_inflight_cap_sheds_load);
	tcase_add_test(tc, test_faults_upstream_huge_chunked_reply);
	tcase_add_loop_test(tc, test_faults_upstream_fault_table, 0,
			    (int)(sizeof(fault_table) / sizeof(fault_table[0])));
	tcase_add_test(tc, test_faults_upstream_attribute_flood);
	tcase_add_test(tc, test_faults_upstream_failed_then_success);
	tcase_add_test(tc, test_faults_upstream_wrong_content_type);
	tcase_add_test(tc, test_faults_upstream_huge_with_content_length);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(faults_suite)
