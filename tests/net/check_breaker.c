/*
 * check_breaker.c - the circuit breaker's state machine with an injected
 * clock: opening after N consecutive failures, fail-fast with Retry-After,
 * one probe after the cool-down, doubling cool-downs, recovery.
 */
#include <pthread.h>

#include "breaker.h"
#include "testutil.h"

#define MS 1000000ull

static struct gw_breaker b;

static void fail_n(unsigned n, uint64_t now)
{
	unsigned i;

	for (i = 0; i < n; i++)
		gw_breaker_record(&b, GW_BREAKER_FAILURE, false, now);
}

START_TEST(test_breaker_opens_after_threshold)
{
	uint64_t ra = 0;

	gw_breaker_init(&b, 5, 1000, 30000);
	fail_n(4, 0);
	ck_assert_int_eq(gw_breaker_state(&b), GW_BREAKER_CLOSED);
	ck_assert_int_eq(gw_breaker_allow(&b, 0, NULL), GW_BREAKER_ALLOW);
	fail_n(1, 10 * MS);
	ck_assert_int_eq(gw_breaker_state(&b), GW_BREAKER_OPEN);
	ck_assert_int_eq(gw_breaker_allow(&b, 20 * MS, &ra), GW_BREAKER_REJECT);
	ck_assert_uint_eq(ra, 990);
}
END_TEST

START_TEST(test_breaker_success_resets_the_count)
{
	gw_breaker_init(&b, 3, 1000, 30000);
	fail_n(2, 0);
	gw_breaker_record(&b, GW_BREAKER_SUCCESS, false, 0);
	fail_n(2, 0);
	ck_assert_int_eq(gw_breaker_state(&b), GW_BREAKER_CLOSED);
	gw_breaker_record(&b, GW_BREAKER_NEUTRAL, false, 0);
	fail_n(1, 0);
	ck_assert_int_eq(gw_breaker_state(&b), GW_BREAKER_OPEN);
}
END_TEST

START_TEST(test_breaker_single_probe_then_close)
{
	gw_breaker_init(&b, 1, 1000, 30000);
	fail_n(1, 0);
	ck_assert_int_eq(gw_breaker_allow(&b, 999 * MS, NULL), GW_BREAKER_REJECT);
	ck_assert_int_eq(gw_breaker_allow(&b, 1000 * MS, NULL), GW_BREAKER_ALLOW_PROBE);
	/* Only one probe at a time. */
	ck_assert_int_eq(gw_breaker_allow(&b, 1001 * MS, NULL), GW_BREAKER_REJECT);
	/* Late results of calls sent before it opened do not close it. */
	gw_breaker_record(&b, GW_BREAKER_SUCCESS, false, 1002 * MS);
	ck_assert_int_eq(gw_breaker_state(&b), GW_BREAKER_OPEN);
	gw_breaker_record(&b, GW_BREAKER_SUCCESS, true, 1003 * MS);
	ck_assert_int_eq(gw_breaker_state(&b), GW_BREAKER_CLOSED);
	ck_assert_int_eq(gw_breaker_allow(&b, 1004 * MS, NULL), GW_BREAKER_ALLOW);
}
END_TEST

START_TEST(test_breaker_failed_probe_doubles_cooldown)
{
	uint64_t ra = 0;
	uint64_t t;

	gw_breaker_init(&b, 1, 1000, 3000);
	fail_n(1, 0);
	t = 1000 * MS;
	ck_assert_int_eq(gw_breaker_allow(&b, t, NULL), GW_BREAKER_ALLOW_PROBE);
	gw_breaker_record(&b, GW_BREAKER_FAILURE, true, t);
	ck_assert_int_eq(gw_breaker_allow(&b, t, &ra), GW_BREAKER_REJECT);
	ck_assert_uint_eq(ra, 2000);
	t += 2000 * MS;
	ck_assert_int_eq(gw_breaker_allow(&b, t, NULL), GW_BREAKER_ALLOW_PROBE);
	gw_breaker_record(&b, GW_BREAKER_FAILURE, true, t);
	ck_assert_int_eq(gw_breaker_allow(&b, t, &ra), GW_BREAKER_REJECT);
	ck_assert_uint_eq(ra, 3000); /* capped */
	/* A neutral probe (cancelled) frees the probe slot but keeps it open. */
	t += 3000 * MS;
	ck_assert_int_eq(gw_breaker_allow(&b, t, NULL), GW_BREAKER_ALLOW_PROBE);
	gw_breaker_record(&b, GW_BREAKER_NEUTRAL, true, t);
	ck_assert_int_eq(gw_breaker_state(&b), GW_BREAKER_OPEN);
	ck_assert_int_eq(gw_breaker_allow(&b, t, NULL), GW_BREAKER_ALLOW_PROBE);
	gw_breaker_record(&b, GW_BREAKER_SUCCESS, true, t);
	ck_assert_int_eq(gw_breaker_state(&b), GW_BREAKER_CLOSED);
	/* After recovery the cool-down starts from the base again. */
	fail_n(1, t);
	ck_assert_int_eq(gw_breaker_allow(&b, t, &ra), GW_BREAKER_REJECT);
	ck_assert_uint_eq(ra, 1000);
}
END_TEST

START_TEST(test_breaker_disabled)
{
	gw_breaker_init(&b, 0, 1000, 30000);
	fail_n(100, 0);
	ck_assert_int_eq(gw_breaker_allow(&b, 0, NULL), GW_BREAKER_ALLOW);
}
END_TEST

static atomic_int probes;

static void *race(void *arg)
{
	(void)arg;
	if (gw_breaker_allow(&b, 5000 * MS, NULL) == GW_BREAKER_ALLOW_PROBE)
		atomic_fetch_add(&probes, 1);
	return NULL;
}

START_TEST(test_breaker_one_probe_among_threads)
{
	pthread_t th[8];
	int i;

	gw_breaker_init(&b, 1, 1000, 30000);
	fail_n(1, 0);
	atomic_store(&probes, 0);
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, race, NULL), 0);
	for (i = 0; i < 8; i++)
		pthread_join(th[i], NULL);
	ck_assert_int_eq(atomic_load(&probes), 1);
}
END_TEST

static Suite *breaker_suite(void)
{
	Suite *s = suite_create("breaker");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_breaker_opens_after_threshold);
	tcase_add_test(tc, test_breaker_success_resets_the_count);
	tcase_add_test(tc, test_breaker_single_probe_then_close);
	tcase_add_test(tc, test_breaker_failed_probe_doubles_cooldown);
	tcase_add_test(tc, test_breaker_disabled);
	tcase_add_test(tc, test_breaker_one_probe_among_threads);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(breaker_suite)
