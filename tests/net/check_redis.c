/*
 * check_redis.c - the redis module against real redis-server processes
 * (redisfix.c starts them): the event-loop client driven by an epoll loop
 * as an HTTP loop drives it, and the blocking client on the test's thread
 * and on threads of its own.
 *
 * Timing: every wait is "until it happens, within WAIT_MS"; the only
 * durations asserted are far below the timeouts they are told apart from.
 * Without redis-server the suite prints "1..0 # SKIP <reason>" and exits 0,
 * meson's TAP skip (exit status 77 would count as an error under TAP).
 */
#include <check.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "redis.h"
#include "redisfix.h"
#include "testutil.h"

#define PASSWORD "pw-7Hq2-only-in-memory"
#define WRONG_PASSWORD "pw-wrong-Zx81-only-in-memory"

START_TEST(test_redis_set_get_binary)
{
	static const char key[] = "bin\0key";
	static const char val[] = "a\0b\r\n$3\r\n\xff\x00z";
	const char *set[] = {"SET", key, val};
	size_t setlen[] = {3, sizeof(key) - 1, sizeof(val) - 1};
	const char *get[] = {"GET", key};
	size_t getlen[] = {3, sizeof(key) - 1};
	struct gw_redis_opts o = {.host = "localhost", .port = servers[0].port};
	struct gw_redis *c = client_with(0, &o);
	struct res r;

	/* Not up yet: refused at once, the callback never runs. */
	memset(&r, 0, sizeof(r));
	if (!gw_redis_up(c))
		ck_assert_int_eq(send_cmd(c, &r, "PING", NULL), GW_E_UNAVAILABLE);
	wait_up(c);
	ck_assert_int_eq(ups, 1);
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(gw_redis_command(c, on_res, &r, 3, set, setlen), GW_OK);
	wait_completed(1);
	ck_assert(r.ok);
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(gw_redis_command(c, on_res, &r, 2, get, getlen), GW_OK);
	wait_completed(2);
	ck_assert_int_eq(r.err, GW_OK);
	ck_assert_int_eq(r.type, GW_REDIS_STRING);
	ck_assert_uint_eq(r.len, sizeof(val) - 1);
	ck_assert(memcmp(r.str, val, sizeof(val) - 1) == 0);
	ck_assert(r.nul_terminated);
	run(c, &r, "GET", "bin", NULL);
	ck_assert_int_eq(r.type, GW_REDIS_NIL);
	run(c, &r, "NOSUCHCOMMAND", "x", NULL);
	ck_assert_int_eq(r.err, GW_OK);
	ck_assert_int_eq(r.type, GW_REDIS_ERROR);
	/* Commands that would turn the connection into a push stream are the blocking client's. */
	ck_assert_int_eq(send_cmd(c, &r, "subscribe", "ch", NULL), GW_E_INTERNAL);
	ck_assert_int_eq(send_cmd(c, &r, "MONITOR", NULL), GW_E_INTERNAL);
	ck_assert_int_eq(gw_redis_command(c, on_res, &r, 0, get, NULL), GW_E_INTERNAL);
	ck_assert_uint_eq(gw_redis_pending(c), 0);
}
END_TEST

START_TEST(test_redis_set_nx)
{
	struct gw_redis *c = client(0, 0, LONG_MS);
	struct res r;

	run(c, &r, "SET", "placement", "bbb-1", "NX", "PX", "60000", NULL);
	ck_assert(r.ok);
	run(c, &r, "SET", "placement", "bbb-2", "NX", "PX", "60000", NULL);
	ck_assert_int_eq(r.err, GW_OK);
	ck_assert_int_eq(r.type, GW_REDIS_NIL);
	run(c, &r, "GET", "placement", NULL);
	ck_assert_str_eq(r.text, "\"bbb-1\"");
	run(c, &r, "PTTL", "placement", NULL);
	ck_assert_int_eq(r.type, GW_REDIS_INT);
	ck_assert(r.integer > 0 && r.integer <= 60000);
}
END_TEST

START_TEST(test_redis_eval_arrays)
{
	struct gw_redis *c = client(0, 0, LONG_MS);
	struct res r;
	char want[512];
	int i;

	run(c, &r, "EVAL",
	    "return {1, 'two', {3, 'four', {}}, redis.call('INCR', KEYS[1]), "
	    "redis.status_reply('FINE')}",
	    "1", "counter", NULL);
	ck_assert_int_eq(r.type, GW_REDIS_ARRAY);
	ck_assert_str_eq(r.text, "[1,\"two\",[3,\"four\",[]],1,+FINE]");
	run(c, &r, "EVAL", "return redis.error_reply('NOPE not here')", "0", NULL);
	ck_assert_int_eq(r.err, GW_OK);
	ck_assert_str_eq(r.text, "-NOPE not here");
	/* More values than fit the view's stack buffer. */
	run(c, &r, "EVAL", "local t = {} for i = 1, 40 do t[i] = i end return t", "0", NULL);
	snprintf(want, sizeof(want), "[");
	for (i = 1; i <= 40; i++)
		snprintf(want + strlen(want), sizeof(want) - strlen(want), "%d%s", i,
			 i < 40 ? "," : "]");
	ck_assert_str_eq(r.text, want);
}
END_TEST

START_TEST(test_redis_pipeline_1000)
{
	enum { N = 1000 };
	struct gw_redis *c = client(0, 0, LONG_MS);
	struct res *r = calloc(N, sizeof(*r));
	int i;

	ck_assert_ptr_nonnull(r);
	for (i = 0; i < N; i++)
		ck_assert_int_eq(send_cmd(c, &r[i], "INCR", "n", NULL), GW_OK);
	ck_assert_uint_eq(gw_redis_pending(c), N);
	wait_completed(N);
	/* One connection, in order: the i-th INCR saw i + 1. */
	for (i = 0; i < N; i++) {
		ck_assert_int_eq(r[i].ndone, 1);
		ck_assert_int_eq(r[i].err, GW_OK);
		ck_assert_int_eq(r[i].integer, i + 1);
	}
	ck_assert_uint_eq(gw_redis_pending(c), 0);
	free(r);
}
END_TEST

START_TEST(test_redis_max_pending)
{
	struct gw_redis_opts o = {
		.port = servers[0].port, .command_timeout_ms = LONG_MS, .max_pending = 4};
	struct gw_redis *c = client_with(0, &o);
	struct gw_redis_sync *s = sync_client(0, 0, NULL);
	struct res r[6];
	int i;

	memset(r, 0, sizeof(r));
	wait_up(c);
	/* BLPOP waits in Redis until the list has an item: four stay in flight. */
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(send_cmd(c, &r[i], "BLPOP", "q", "0", NULL), GW_OK);
	ck_assert_int_eq(send_cmd(c, &r[4], "PING", NULL), GW_E_UNAVAILABLE);
	ck_assert(gw_redis_up(c));
	ck_assert_uint_eq(gw_redis_pending(c), 4);
	drive_ms(200);
	ck_assert_int_eq(completed, 0);
	sync_run(s, &r[5], 0, GW_OK, "RPUSH", "q", "a", "b", "c", "d", NULL);
	ck_assert_int_eq(r[5].integer, 4);
	wait_completed(5); /* the sync client's callback counts too */
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(r[i].type, GW_REDIS_ARRAY);
	ck_assert_int_eq(r[4].ndone, 0);
	run(c, &r[4], "PING", NULL);
	ck_assert_str_eq(r[4].text, "+PONG");
	gw_redis_sync_free(s);
}
END_TEST

START_TEST(test_redis_password)
{
	struct gw_redis_opts o = {.port = 0, .password = PASSWORD, .command_timeout_ms = LONG_MS};
	struct gw_redis_opts sync_o = {.port = 0};
	struct gw_redis_sync *s = NULL;
	struct gw_redis *good;
	struct gw_redis *bad;
	struct res r;
	const char *log;

	server_start(1, PASSWORD, false);
	capture_log();
	o.port = servers[1].port;
	good = client_with(0, &o);
	o.password = WRONG_PASSWORD;
	bad = client_with(1, &o);
	wait_up(good);
	run(good, &r, "SET", "k", "v", NULL);
	ck_assert(r.ok);
	/* Several attempts with their backoff; never up, commands refused. */
	drive_ms(1500);
	ck_assert(!gw_redis_up(bad));
	ck_assert_int_eq(send_cmd(bad, &r, "GET", "k", NULL), GW_E_UNAVAILABLE);
	ck_assert_int_eq(ups, 1);
	ck_assert_int_eq(downs, 0);
	/* The blocking client: wrong password, none, the right one. */
	sync_o.port = servers[1].port;
	sync_o.password = WRONG_PASSWORD;
	ck_assert_int_eq(gw_redis_sync_connect(&sync_o, &s), GW_E_UNAVAILABLE);
	sync_o.password = NULL;
	ck_assert_int_eq(gw_redis_sync_connect(&sync_o, &s), GW_E_UNAVAILABLE);
	ck_assert_ptr_null(s);
	s = sync_client(1, 0, PASSWORD);
	sync_run(s, &r, 0, GW_OK, "GET", "k", NULL);
	ck_assert_str_eq(r.text, "\"v\"");
	gw_redis_sync_free(s);
	log = log_text();
	ck_assert_msg(count(log, "; retrying") == 1, "log: %s", log);
	ck_assert_msg(strstr(log, "AUTH refused: WRONGPASS") != NULL, "log: %s", log);
	ck_assert_msg(strstr(log, "pw-") == NULL, "a password in the log: %s", log);
}
END_TEST

START_TEST(test_redis_select_db)
{
	struct gw_redis *c0 = client(0, 0, LONG_MS);
	struct gw_redis *c3 = client(1, 3, LONG_MS);
	struct gw_redis_sync *s = sync_client(0, 3, NULL);
	struct gw_redis_opts o = {.port = servers[0].port, .db = 99};
	struct gw_redis_sync *bad = NULL;
	struct res r;

	run(c0, &r, "SET", "k", "zero", NULL);
	run(c3, &r, "SET", "k", "three", NULL);
	run(c0, &r, "GET", "k", NULL);
	ck_assert_str_eq(r.text, "\"zero\"");
	run(c3, &r, "GET", "k", NULL);
	ck_assert_str_eq(r.text, "\"three\"");
	sync_run(s, &r, 0, GW_OK, "GET", "k", NULL);
	ck_assert_str_eq(r.text, "\"three\"");
	gw_redis_sync_free(s);
	ck_assert_int_eq(gw_redis_sync_connect(&o, &bad), GW_E_UNAVAILABLE);
}
END_TEST

START_TEST(test_redis_unix_socket)
{
	char path[128];
	struct gw_redis_opts o = {.unix_path = path, .command_timeout_ms = LONG_MS};
	struct gw_redis *c;
	struct gw_redis_sync *s = NULL;
	struct res r;

	server_start(1, NULL, true);
	snprintf(path, sizeof(path), "%s/redis.sock", servers[1].dir);
	c = client_with(0, &o);
	wait_up(c);
	run(c, &r, "SET", "where", "unix", NULL);
	ck_assert_int_eq(gw_redis_sync_connect(&o, &s), GW_OK);
	sync_run(s, &r, 0, GW_OK, "GET", "where", NULL);
	ck_assert_str_eq(r.text, "\"unix\"");
	gw_redis_sync_free(s);
}
END_TEST

START_TEST(test_redis_server_killed_and_back)
{
	struct gw_redis *c;
	struct res r[4];
	const char *log;
	int i;

	capture_log();
	c = client(0, 0, LONG_MS);
	memset(r, 0, sizeof(r));
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(send_cmd(c, &r[i], "BLPOP", "never", "0", NULL), GW_OK);
	drive_ms(200);
	server_kill(0);
	wait_completed(3);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(r[i].ndone, 1);
		ck_assert_int_eq(r[i].err, GW_E_UNAVAILABLE);
	}
	ck_assert(!gw_redis_up(c));
	ck_assert_int_eq(downs, 1);
	/* Down: refused at once, whatever the backoff is doing. */
	for (i = 0; i < 5; i++) {
		ck_assert_int_eq(send_cmd(c, &r[3], "PING", NULL), GW_E_UNAVAILABLE);
		drive_ms(200);
	}
	ck_assert_int_eq(r[3].ndone, 0);
	ck_assert(!gw_redis_up(c));
	/* The same port again: the client finds it by itself. */
	server_start(0, NULL, false);
	wait_up(c);
	ck_assert_int_eq(ups, 2);
	ck_assert_int_eq(downs, 1);
	run(c, &r[3], "PING", NULL);
	ck_assert_str_eq(r[3].text, "+PONG");
	/* One line per change: lost, then connected; the failed attempts between are quiet. */
	log = log_text();
	ck_assert_msg(count(log, "lost") == 1, "log: %s", log);
	ck_assert_msg(count(log, "; retrying") == 0, "log: %s", log);
	ck_assert_msg(count(log, "connected to") == 2, "log: %s", log);
}
END_TEST

/* Accepts what the client opens on the silent listener (never reading); counts them. */
static int silent_fd = -1;
static int silent_conns[64];
static int n_silent;

static bool accepted_3(const void *arg)
{
	int fd;

	(void)arg;
	while (n_silent < 64 && (fd = accept4(silent_fd, NULL, NULL, SOCK_NONBLOCK)) >= 0)
		silent_conns[n_silent++] = fd;
	return n_silent >= 3;
}

START_TEST(test_redis_silent_server)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	struct gw_redis_opts o = {.port = 0, .connect_timeout_ms = 300};
	struct gw_redis *c;
	struct res r;
	const char *log;
	int i;

	capture_log();
	silent_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ck_assert_int_ge(silent_fd, 0);
	ck_assert_int_eq(bind(silent_fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(silent_fd, 16), 0);
	ck_assert_int_eq(getsockname(silent_fd, (struct sockaddr *)&a, &len), 0);
	o.port = ntohs(a.sin_port);
	n_silent = 0;
	c = client_with(0, &o);
	/* Connected, PING unanswered: never up; the set-up deadline drops it and it tries again. */
	ck_assert(drive(accepted_3, NULL, WAIT_MS));
	ck_assert(!gw_redis_up(c));
	ck_assert_int_eq(send_cmd(c, &r, "PING", NULL), GW_E_UNAVAILABLE);
	ck_assert_int_eq(ups, 0);
	log = log_text();
	ck_assert_msg(count(log, "; retrying") == 1, "log: %s", log);
	ck_assert_msg(strstr(log, "(connect timed out)") != NULL, "log: %s", log);
	for (i = 0; i < n_silent; i++)
		close(silent_conns[i]);
	close(silent_fd);
}
END_TEST

START_TEST(test_redis_command_timeout)
{
	struct gw_redis *c = client(0, 0, 500);
	struct gw_redis_sync *admin = sync_client(0, 0, NULL);
	struct res *late[3];
	struct res r;
	int i;

	/* Redis stops answering anyone for 5 s; the commands' 500 ms pass first. */
	sync_run(admin, &r, 0, GW_OK, "CLIENT", "PAUSE", "5000", "ALL", NULL);
	ck_assert(r.ok);
	gw_redis_sync_free(admin);
	for (i = 0; i < 3; i++) {
		late[i] = calloc(1, sizeof(*late[i]));
		ck_assert_int_eq(send_cmd(c, late[i], "GET", "k", NULL), GW_OK);
	}
	wait_completed(3);
	ck_assert_int_eq(late[0]->err, GW_E_UPSTREAM_TIMEOUT);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(late[i]->ndone, 1);
		ck_assert(late[i]->err == GW_E_UPSTREAM_TIMEOUT ||
			  late[i]->err == GW_E_UNAVAILABLE);
		/* Freed now: the replies Redis sends after the pause must never reach them. */
		free(late[i]);
	}
	ck_assert_int_eq(downs, 1);
	ck_assert(!gw_redis_up(c));
	wait_up(c);
	ck_assert_int_eq(ups, 2);
	run(c, &r, "GET", "k", NULL);
	ck_assert_int_eq(r.type, GW_REDIS_NIL);
}
END_TEST

START_TEST(test_redis_free_with_pending)
{
	struct gw_redis_opts o = {.port = gw_test_free_port(), .connect_timeout_ms = 300};
	struct gw_redis *c = client(0, 0, LONG_MS);
	struct res r[10];
	int i;

	memset(r, 0, sizeof(r));
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(send_cmd(c, &r[i], "BLPOP", "never", "0", NULL), GW_OK);
	drive_ms(100);
	gw_redis_free(c);
	clients[0] = NULL;
	/* All of them, inside the free, without the loop. */
	ck_assert_int_eq(completed, 10);
	for (i = 0; i < 10; i++) {
		ck_assert_int_eq(r[i].ndone, 1);
		ck_assert_int_eq(r[i].err, GW_E_UNAVAILABLE);
	}
	ck_assert_int_eq(downs, 0);
	/* Freed while connecting, and while waiting to retry (nothing listens there). */
	gw_redis_free(client_with(0, &o));
	clients[0] = NULL;
	c = client_with(0, &o);
	drive_ms(300);
	gw_redis_free(c);
	clients[0] = NULL;
	ck_assert_int_eq(completed, 10);
}
END_TEST

START_TEST(test_redis_sync_xread)
{
	struct gw_redis_sync *s = sync_client(0, 0, NULL);
	struct res r;
	char id[64];

	sync_run(s, &r, 0, GW_OK, "XADD", "events", "MAXLEN", "~", "1000", "*", "type",
		 "meeting-created", NULL);
	ck_assert_int_eq(r.type, GW_REDIS_STRING);
	snprintf(id, sizeof(id), "%.*s", (int)r.len, r.str);
	/* BLOCK runs out in Redis (nil), well within the socket's timeout. */
	sync_run(s, &r, 10000, GW_OK, "XREAD", "BLOCK", "100", "STREAMS", "events", "$", NULL);
	ck_assert_int_eq(r.type, GW_REDIS_NIL);
	sync_run(s, &r, 0, GW_OK, "XREAD", "COUNT", "10", "STREAMS", "events", "0", NULL);
	ck_assert_msg(strstr(r.text, "\"type\",\"meeting-created\"") != NULL, "%s", r.text);
	ck_assert_msg(strstr(r.text, id) != NULL, "%s", r.text);
	/* The socket's timeout runs out first: a timeout, and the connection is done for. */
	sync_run(s, &r, 300, GW_E_UPSTREAM_TIMEOUT, "XREAD", "BLOCK", "20000", "STREAMS", "events",
		 "$", NULL);
	sync_run(s, &r, 0, GW_E_UNAVAILABLE, "PING", NULL);
	gw_redis_sync_free(s);
}
END_TEST

struct reader {
	struct gw_redis_sync *s;
	const char *after; /* XREAD from this id */
	unsigned timeout_ms;
	enum gw_err err;
	struct res r;
	uint64_t took_ms;
};

static void *read_stream(void *arg)
{
	struct reader *rd = arg;
	const char *argv[] = {"XREAD", "BLOCK", "0", "STREAMS", "events", rd->after};
	uint64_t t0 = now_ms();

	rd->err = gw_redis_sync_command(rd->s, rd->timeout_ms, 6, argv, NULL, on_res, &rd->r);
	rd->took_ms = now_ms() - t0;
	return NULL;
}

START_TEST(test_redis_sync_blocked_read_gets_entry)
{
	struct gw_redis_sync *w = sync_client(0, 0, NULL);
	struct reader rd = {.s = sync_client(0, 0, NULL), .after = "0-1", .timeout_ms = LONG_MS};
	pthread_t t;
	struct res r;

	ck_assert_int_eq(pthread_create(&t, NULL, read_stream, &rd), 0);
	sleep_ms(100);
	/* After 0-1: whether the reader blocks first or not, this entry is its answer. */
	sync_run(w, &r, 0, GW_OK, "XADD", "events", "5-1", "type", "user-joined", NULL);
	pthread_join(t, NULL);
	ck_assert_int_eq(rd.err, GW_OK);
	ck_assert_str_eq(rd.r.text, "[[\"events\",[[\"5-1\",[\"type\",\"user-joined\"]]]]]");
	gw_redis_sync_free(rd.s);
	gw_redis_sync_free(w);
}
END_TEST

START_TEST(test_redis_sync_interrupt)
{
	struct reader rd = {.s = sync_client(0, 0, NULL), .after = "$", .timeout_ms = 60000};
	pthread_t t;
	struct res r;

	ck_assert_int_eq(pthread_create(&t, NULL, read_stream, &rd), 0);
	sleep_ms(200);
	gw_redis_sync_interrupt(rd.s);
	pthread_join(t, NULL);
	/* Woken by the interrupt, long before the 60 s socket timeout. */
	ck_assert_int_eq(rd.err, GW_E_UNAVAILABLE);
	ck_assert_msg(rd.took_ms < 30000, "took %llu ms", (unsigned long long)rd.took_ms);
	ck_assert_int_eq(rd.r.ndone, 0);
	sync_run(rd.s, &r, 0, GW_E_UNAVAILABLE, "PING", NULL);
	gw_redis_sync_free(rd.s);
}
END_TEST

START_TEST(test_redis_sync_subscribe)
{
	struct gw_redis_sync *sub = sync_client(0, 0, NULL);
	struct gw_redis_sync *pub = sync_client(0, 0, NULL);
	struct res r;

	sync_run(sub, &r, 0, GW_OK, "SUBSCRIBE", "revocations", NULL);
	ck_assert_str_eq(r.text, "[\"subscribe\",\"revocations\",1]");
	sync_run(pub, &r, 0, GW_OK, "PUBLISH", "revocations", "jti-1", NULL);
	ck_assert_int_eq(r.integer, 1);
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(gw_redis_sync_read(sub, 10000, on_res, &r), GW_OK);
	ck_assert_str_eq(r.text, "[\"message\",\"revocations\",\"jti-1\"]");
	/* Nothing more comes: the read times out. */
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(gw_redis_sync_read(sub, 200, on_res, &r), GW_E_UPSTREAM_TIMEOUT);
	gw_redis_sync_free(sub);
	gw_redis_sync_free(pub);
}
END_TEST

static Suite *redis_suite(void)
{
	Suite *s = suite_create("redis");
	TCase *ac = tcase_create("async");
	TCase *sc = tcase_create("sync");

	tcase_add_checked_fixture(ac, setup, teardown);
	tcase_set_timeout(ac, 120);
	tcase_add_test(ac, test_redis_set_get_binary);
	tcase_add_test(ac, test_redis_set_nx);
	tcase_add_test(ac, test_redis_eval_arrays);
	tcase_add_test(ac, test_redis_pipeline_1000);
	tcase_add_test(ac, test_redis_max_pending);
	tcase_add_test(ac, test_redis_password);
	tcase_add_test(ac, test_redis_select_db);
	tcase_add_test(ac, test_redis_unix_socket);
	tcase_add_test(ac, test_redis_server_killed_and_back);
	tcase_add_test(ac, test_redis_silent_server);
	tcase_add_test(ac, test_redis_command_timeout);
	tcase_add_test(ac, test_redis_free_with_pending);
	suite_add_tcase(s, ac);

	tcase_add_checked_fixture(sc, setup, teardown);
	tcase_set_timeout(sc, 120);
	tcase_add_test(sc, test_redis_sync_xread);
	tcase_add_test(sc, test_redis_sync_blocked_read_gets_entry);
	tcase_add_test(sc, test_redis_sync_interrupt);
	tcase_add_test(sc, test_redis_sync_subscribe);
	suite_add_tcase(s, sc);
	return s;
}

int main(void)
{
	if (!find_server()) {
		printf("1..0 # SKIP redis-server is not installed (scripts/deps installs it)\n");
		return 0;
	}
	return gw_test_run(redis_suite());
}
