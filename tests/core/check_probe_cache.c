/*
 * check_probe_cache.c - the readiness probe cache with an injected clock:
 * fresh results answer at once, one probe in flight at a time, stale
 * results while a probe runs, "not known yet" before the first result,
 * a lost probe taken over after stuck_ms, and many threads at once.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "probe_cache.h"
#include "testutil.h"

#define WINDOW 1000u
#define STUCK 5000u

static struct gw_probe_cache *pc;

static void pc_setup(void)
{
	pc = gw_probe_cache_new();
	ck_assert_ptr_nonnull(pc);
}

static void pc_teardown(void)
{
	gw_probe_cache_free(pc);
	pc = NULL;
}

static enum gw_probe_verdict begin(uint64_t now, struct gw_probe_result *last, uint64_t *ticket)
{
	return gw_probe_cache_begin(pc, now, WINDOW, STUCK, last, ticket);
}

START_TEST(test_probe_cache_first_request_probes)
{
	struct gw_probe_result last;
	uint64_t t;

	ck_assert_int_eq(begin(0, &last, &t), GW_PROBE_SEND);
}
END_TEST

START_TEST(test_probe_cache_success_answers_within_window)
{
	struct gw_probe_result last = {0, 0};
	uint64_t t;
	uint64_t t2;

	ck_assert_int_eq(begin(100, &last, &t), GW_PROBE_SEND);
	gw_probe_cache_record(pc, t, 200, 110);
	ck_assert_int_eq(begin(111, &last, &t2), GW_PROBE_CACHED);
	ck_assert_int_eq(last.status, 200);
	ck_assert_uint_eq(last.at_ms, 110);
	ck_assert_int_eq(begin(110 + WINDOW - 1, &last, &t2), GW_PROBE_CACHED);
	/* The window is counted from the result, not from when the probe went out. */
	ck_assert_int_eq(begin(110 + WINDOW, &last, &t2), GW_PROBE_SEND);
}
END_TEST

START_TEST(test_probe_cache_failure_answers_within_window)
{
	struct gw_probe_result last = {0, 0};
	uint64_t t;

	ck_assert_int_eq(begin(0, &last, &t), GW_PROBE_SEND);
	gw_probe_cache_record(pc, t, 504, 20);
	ck_assert_int_eq(begin(500, &last, &t), GW_PROBE_CACHED);
	ck_assert_int_eq(last.status, 504);
	ck_assert_int_eq(begin(20 + WINDOW, &last, &t), GW_PROBE_SEND);
}
END_TEST

START_TEST(test_probe_cache_in_flight_is_coalesced)
{
	struct gw_probe_result last;
	uint64_t t;
	uint64_t other;
	int sent = 0;
	int unknown = 0;
	int i;

	for (i = 0; i < 200; i++) {
		enum gw_probe_verdict v = begin((uint64_t)i, &last, i == 0 ? &t : &other);

		sent += v == GW_PROBE_SEND;
		unknown += v == GW_PROBE_UNKNOWN;
	}
	ck_assert_int_eq(sent, 1);
	ck_assert_int_eq(unknown, 199);
	gw_probe_cache_record(pc, t, 200, 300);
	ck_assert_int_eq(begin(301, &last, &other), GW_PROBE_CACHED);
}
END_TEST

START_TEST(test_probe_cache_stale_while_probing)
{
	struct gw_probe_result last = {0, 0};
	uint64_t t;
	uint64_t other;

	ck_assert_int_eq(begin(0, &last, &t), GW_PROBE_SEND);
	gw_probe_cache_record(pc, t, 200, 10);
	ck_assert_int_eq(begin(2000, &last, &t), GW_PROBE_SEND);
	ck_assert_int_eq(begin(2001, &last, &other), GW_PROBE_STALE);
	ck_assert_int_eq(last.status, 200);
	ck_assert_uint_eq(last.at_ms, 10);
	gw_probe_cache_record(pc, t, 503, 2100);
	ck_assert_int_eq(begin(2101, &last, &other), GW_PROBE_CACHED);
	ck_assert_int_eq(last.status, 503);
}
END_TEST

START_TEST(test_probe_cache_window_zero_probes_each_time_but_coalesces)
{
	struct gw_probe_result last;
	uint64_t t;
	uint64_t other;

	ck_assert_int_eq(gw_probe_cache_begin(pc, 0, 0, STUCK, &last, &t), GW_PROBE_SEND);
	ck_assert_int_eq(gw_probe_cache_begin(pc, 1, 0, STUCK, &last, &other), GW_PROBE_UNKNOWN);
	gw_probe_cache_record(pc, t, 200, 5);
	ck_assert_int_eq(gw_probe_cache_begin(pc, 5, 0, STUCK, &last, &t), GW_PROBE_SEND);
	ck_assert_int_eq(gw_probe_cache_begin(pc, 6, 0, STUCK, &last, &other), GW_PROBE_STALE);
	ck_assert_int_eq(last.status, 200);
}
END_TEST

START_TEST(test_probe_cache_stuck_probe_is_taken_over)
{
	struct gw_probe_result last;
	uint64_t lost;
	uint64_t t;
	uint64_t other;

	ck_assert_int_eq(begin(0, &last, &lost), GW_PROBE_SEND);
	ck_assert_int_eq(begin(STUCK - 1, &last, &other), GW_PROBE_UNKNOWN);
	ck_assert_int_eq(begin(STUCK, &last, &t), GW_PROBE_SEND);
	ck_assert_uint_ne(t, lost);
	/* The lost probe turns up late: it neither ends the new one nor counts. */
	gw_probe_cache_record(pc, lost, 200, STUCK + 1);
	ck_assert_int_eq(begin(STUCK + 2, &last, &other), GW_PROBE_UNKNOWN);
	gw_probe_cache_abandon(pc, lost);
	ck_assert_int_eq(begin(STUCK + 3, &last, &other), GW_PROBE_UNKNOWN);
	gw_probe_cache_record(pc, t, 502, STUCK + 4);
	ck_assert_int_eq(begin(STUCK + 5, &last, &other), GW_PROBE_CACHED);
	ck_assert_int_eq(last.status, 502);
}
END_TEST

START_TEST(test_probe_cache_abandon_lets_the_next_probe_go)
{
	struct gw_probe_result last = {0, 0};
	uint64_t t;
	uint64_t other;

	ck_assert_int_eq(begin(0, &last, &t), GW_PROBE_SEND);
	gw_probe_cache_abandon(pc, t);
	ck_assert_int_eq(begin(1, &last, &t), GW_PROBE_SEND);
	gw_probe_cache_record(pc, t, 200, 2);
	ck_assert_int_eq(begin(2 + WINDOW, &last, &t), GW_PROBE_SEND);
	gw_probe_cache_abandon(pc, t);
	/* The result from before stays; it is stale, so the next request probes. */
	ck_assert_int_eq(begin(3 + WINDOW, &last, &t), GW_PROBE_SEND);
	ck_assert_int_eq(begin(4 + WINDOW, &last, &other), GW_PROBE_STALE);
	ck_assert_int_eq(last.status, 200);
}
END_TEST

struct racer {
	atomic_int sent;
	atomic_int go;
};

static void *race(void *p)
{
	struct racer *r = p;
	struct gw_probe_result last;
	uint64_t t;
	int i;

	while (!atomic_load(&r->go))
		;
	for (i = 0; i < 2000; i++) {
		if (gw_probe_cache_begin(pc, 7, WINDOW, STUCK, &last, &t) == GW_PROBE_SEND)
			atomic_fetch_add(&r->sent, 1);
	}
	return NULL;
}

START_TEST(test_probe_cache_one_probe_among_threads)
{
	struct racer r;
	pthread_t th[4];
	int i;

	atomic_init(&r.sent, 0);
	atomic_init(&r.go, 0);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, race, &r), 0);
	atomic_store(&r.go, 1);
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	ck_assert_int_eq(atomic_load(&r.sent), 1);
}
END_TEST

static Suite *probe_cache_suite(void)
{
	Suite *s = suite_create("probe_cache");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, pc_setup, pc_teardown);
	tcase_add_test(tc, test_probe_cache_first_request_probes);
	tcase_add_test(tc, test_probe_cache_success_answers_within_window);
	tcase_add_test(tc, test_probe_cache_failure_answers_within_window);
	tcase_add_test(tc, test_probe_cache_in_flight_is_coalesced);
	tcase_add_test(tc, test_probe_cache_stale_while_probing);
	tcase_add_test(tc, test_probe_cache_window_zero_probes_each_time_but_coalesces);
	tcase_add_test(tc, test_probe_cache_stuck_probe_is_taken_over);
	tcase_add_test(tc, test_probe_cache_abandon_lets_the_next_probe_go);
	tcase_add_test(tc, test_probe_cache_one_probe_among_threads);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(probe_cache_suite)
