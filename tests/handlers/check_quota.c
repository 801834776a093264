/*
 * check_quota.c - tenants' meeting counts (quota.h): a count older than
 * the allowed age asks for a new one, slots are taken up to the maximum
 * with creates in flight and made since the count, given back when a
 * create ends, and tenants count apart; a fresh count forgets the creates
 * it already holds; the last count and its time are read back as set.
 */
#include <stdlib.h>

#include "quota.h"
#include "testutil.h"

START_TEST(test_quota_stale_until_set)
{
	struct gw_quota *q = gw_quota_new();

	ck_assert_ptr_nonnull(q);
	ck_assert_int_eq(gw_quota_take(q, "lms", 2, 1000, 500), GW_QUOTA_STALE);
	gw_quota_set(q, "lms", 0, 1000);
	ck_assert_int_eq(gw_quota_take(q, "lms", 2, 1500, 500), GW_QUOTA_OK);
	/* older than max_age: ask again */
	ck_assert_int_eq(gw_quota_take(q, "lms", 2, 1501, 500), GW_QUOTA_STALE);
	/* max_age 0: a count of this very moment only */
	gw_quota_set(q, "lms", 0, 2000);
	ck_assert_int_eq(gw_quota_take(q, "lms", 5, 2000, 0), GW_QUOTA_OK);
	ck_assert_int_eq(gw_quota_take(q, "lms", 5, 2001, 0), GW_QUOTA_STALE);
	gw_quota_free(q);
}
END_TEST

START_TEST(test_quota_counts_inflight_and_since)
{
	struct gw_quota *q = gw_quota_new();

	gw_quota_set(q, "lms", 1, 10);
	ck_assert_int_eq(gw_quota_take(q, "lms", 3, 10, 100), GW_QUOTA_OK);
	ck_assert_int_eq(gw_quota_take(q, "lms", 3, 10, 100), GW_QUOTA_OK);
	/* 1 counted + 2 in flight */
	ck_assert_int_eq(gw_quota_take(q, "lms", 3, 10, 100), GW_QUOTA_FULL);
	gw_quota_done(q, "lms", false); /* a create that made nothing gives its slot back */
	ck_assert_int_eq(gw_quota_take(q, "lms", 3, 10, 100), GW_QUOTA_OK);
	gw_quota_done(q, "lms", true);
	gw_quota_done(q, "lms", true);
	/* 1 counted + 2 made since */
	ck_assert_int_eq(gw_quota_take(q, "lms", 3, 20, 100), GW_QUOTA_FULL);
	/* BBB's count now holds them (one ended meanwhile) */
	gw_quota_set(q, "lms", 2, 30);
	ck_assert_int_eq(gw_quota_take(q, "lms", 3, 30, 100), GW_QUOTA_OK);
	ck_assert_int_eq(gw_quota_take(q, "lms", 3, 30, 100), GW_QUOTA_FULL);
	gw_quota_free(q);
}
END_TEST

START_TEST(test_quota_tenants_apart)
{
	struct gw_quota *q = gw_quota_new();

	gw_quota_set(q, "lms", 5, 10);
	gw_quota_set(q, "portal", 0, 10);
	ck_assert_int_eq(gw_quota_take(q, "lms", 5, 10, 100), GW_QUOTA_FULL);
	ck_assert_int_eq(gw_quota_take(q, "portal", 5, 10, 100), GW_QUOTA_OK);
	/* an unknown tenant's done changes nothing */
	gw_quota_done(q, "other", true);
	ck_assert_int_eq(gw_quota_take(q, "other", 5, 10, 100), GW_QUOTA_STALE);
	gw_quota_free(q);
	gw_quota_free(NULL);
}
END_TEST

START_TEST(test_quota_count_read_back)
{
	struct gw_quota *q = gw_quota_new();
	uint64_t at = 0;
	unsigned n = 99;

	ck_assert_ptr_nonnull(q);
	/* no count yet: none, whether the tenant has an entry or not */
	ck_assert(!gw_quota_count(q, "lms", &n, &at));
	ck_assert_int_eq(gw_quota_take(q, "lms", 2, 1000, 500), GW_QUOTA_STALE);
	ck_assert(!gw_quota_count(q, "lms", &n, &at));
	ck_assert_uint_eq(n, 99);
	gw_quota_set(q, "lms", 4, 1234);
	ck_assert(gw_quota_count(q, "lms", &n, &at));
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(at, 1234);
	/* creates since the count are not part of it */
	gw_quota_set(q, "lms", 1, 2000);
	ck_assert_int_eq(gw_quota_take(q, "lms", 5, 2000, 100), GW_QUOTA_OK);
	gw_quota_done(q, "lms", true);
	ck_assert(gw_quota_count(q, "lms", &n, &at));
	ck_assert_uint_eq(n, 1);
	ck_assert(!gw_quota_count(q, "moodle", &n, &at));
	gw_quota_free(q);
}
END_TEST

static Suite *quota_suite(void)
{
	Suite *s = suite_create("quota");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_quota_stale_until_set);
	tcase_add_test(tc, test_quota_counts_inflight_and_since);
	tcase_add_test(tc, test_quota_tenants_apart);
	tcase_add_test(tc, test_quota_count_read_back);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(quota_suite)
