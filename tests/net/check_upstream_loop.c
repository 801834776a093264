/*
 * check_upstream_loop.c - the upstream pool in an event loop's epoll set,
 * driven by the test's thread, against upstreamsrv.c's HTTP server: calls
 * complete on the driving thread and reuse the pool's connection, pools of
 * a group share the bulkhead, deadlines hold, and freeing the pool ends
 * each call in flight once (a call submitted from done is refused).
 *
 * Check forks each test, so the server and the pools start in a checked
 * fixture inside the child. The calls and the driving are upstreamfix's.
 */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>

#include "buf.h"
#include "testutil.h"
#include "upstream.h"
#include "upstreamfix.h"
#include "upstreamsrv.h"

static struct gw_upstream_group *group;

static void loop_setup(void)
{
	struct gw_upstream_opts o = {.connect_timeout_ms = 1000, .max_host_connections = 3};

	srv_setup();
	/* Two pools share the bulkhead of 3: pool 0 may open 2 connections, pool 1 one. */
	ck_assert_int_eq(gw_upstream_group_new(&o, 2, &group), GW_OK);
	loop_pool_new(group);
}

static void loop_teardown(void)
{
	pools_free(&group);
	srv_teardown();
}

START_TEST(test_upstream_loop_timeout)
{
	struct tcall t;

	tcall_init(&t, "/slow?ms=3000");
	t.c.timeout_ms = 300;
	submit(&t);
	drive_until(1);
	ck_assert_int_eq(t.c.result, GW_E_UPSTREAM_TIMEOUT);
	ck_assert(t.c.total_ms >= 250.0 && t.c.total_ms < 2000.0);
	gw_upstream_call_deinit(&t.c);
}
END_TEST

START_TEST(test_upstream_loop_bulkhead_share)
{
	struct tcall t[4];
	int i;

	for (i = 0; i < 4; i++) {
		tcall_init(&t[i], "/slow?ms=300");
		submit(&t[i]);
	}
	drive_until(4);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(t[i].c.result, GW_OK);
		gw_upstream_call_deinit(&t[i].c);
	}
	/* Pool 0's share of the 3 connections is 2; the other calls waited for them. */
	ck_assert_uint_eq(atomic_load(&srv.conns), 2);
}
END_TEST

/* Freeing a loop's pool ends each call in flight once; a call submitted from done is refused. */
START_TEST(test_upstream_loop_free_cancels_once)
{
	struct tcall t[3];
	struct tcall again;
	int i;

	tcall_init(&again, "/ok");
	for (i = 0; i < 3; i++) {
		tcall_init(&t[i], "/slow?ms=3000");
		submit(&t[i]);
	}
	t[0].resubmit = &again;
	for (i = 0; i < 10; i++)
		drive_until(0);
	free_cancelling(t, 3);
	ck_assert_int_eq(n_completed(), 3);
	for (i = 0; i < 3; i++)
		ck_assert(pthread_equal(t[i].thread, pthread_self()));
	ck_assert_int_eq(t[0].resubmit_err, GW_E_UNAVAILABLE);
	ck_assert_int_eq(again.ndone, 0);
	gw_upstream_call_deinit(&again.c);
}
END_TEST

START_TEST(test_upstream_loop_completes_on_driving_thread)
{
	struct tcall t[5];
	unsigned long before = gw_upstream_group_connects(group);
	int i;

	for (i = 0; i < 5; i++) {
		tcall_init(&t[i], "/ok");
		submit(&t[i]);
		drive_until(i + 1);
		ck_assert_int_eq(t[i].ndone, 1);
		ck_assert_int_eq(t[i].c.result, GW_OK);
		ck_assert_str_eq(gw_buf_str(&t[i].c.reply), OK_XML);
		ck_assert(pthread_equal(t[i].thread, pthread_self()));
		gw_upstream_call_deinit(&t[i].c);
	}
	/* One call at a time: the pool keeps reusing its one connection. */
	ck_assert_uint_eq(gw_upstream_group_connects(group) - before, 1);
	ck_assert_uint_eq(atomic_load(&srv.conns), 1);
}
END_TEST

static Suite *upstream_loop_suite(void)
{
	Suite *s = suite_create("upstream_loop");
	TCase *lc = tcase_create("loop");

	tcase_add_test(lc, test_upstream_loop_completes_on_driving_thread);
	tcase_add_test(lc, test_upstream_loop_bulkhead_share);
	tcase_add_test(lc, test_upstream_loop_timeout);
	tcase_add_test(lc, test_upstream_loop_free_cancels_once);
	tcase_add_checked_fixture(lc, loop_setup, loop_teardown);
	tcase_set_timeout(lc, 60);
	suite_add_tcase(s, lc);
	return s;
}

GW_TEST_MAIN(upstream_loop_suite)
