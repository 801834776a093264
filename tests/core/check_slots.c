/*
 * check_slots.c - counted slots: the total and per-key caps (0 = none), a
 * refused take changes nothing, gives free slots and forget keys, caps
 * lowered while slots are held, many keys (the table grows), and
 * concurrent takes and gives from several threads.
 */
#include <pthread.h>
#include <stdio.h>

#include "slots.h"
#include "testutil.h"

START_TEST(test_slots_per_key_cap)
{
	struct gw_slots *s = gw_slots_new();

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(gw_slots_take(s, "a", 10, 2), GW_SLOTS_OK);
	ck_assert_int_eq(gw_slots_take(s, "a", 10, 2), GW_SLOTS_OK);
	ck_assert_int_eq(gw_slots_take(s, "a", 10, 2), GW_SLOTS_KEY_FULL);
	ck_assert_uint_eq(gw_slots_held(s, "a"), 2);
	ck_assert_int_eq(gw_slots_take(s, "b", 10, 2), GW_SLOTS_OK);
	ck_assert_uint_eq(gw_slots_total(s), 3);
	gw_slots_give(s, "a");
	ck_assert_uint_eq(gw_slots_held(s, "a"), 1);
	ck_assert_int_eq(gw_slots_take(s, "a", 10, 2), GW_SLOTS_OK);
	gw_slots_free(s);
}
END_TEST

START_TEST(test_slots_total_cap)
{
	struct gw_slots *s = gw_slots_new();

	ck_assert_int_eq(gw_slots_take(s, "a", 2, 0), GW_SLOTS_OK);
	ck_assert_int_eq(gw_slots_take(s, "b", 2, 0), GW_SLOTS_OK);
	/* the total is checked first: a new key is refused too, and not remembered */
	ck_assert_int_eq(gw_slots_take(s, "c", 2, 0), GW_SLOTS_FULL);
	ck_assert_int_eq(gw_slots_take(s, "a", 2, 0), GW_SLOTS_FULL);
	ck_assert_uint_eq(gw_slots_held(s, "c"), 0);
	ck_assert_uint_eq(gw_slots_total(s), 2);
	gw_slots_give(s, "b");
	ck_assert_int_eq(gw_slots_take(s, "c", 2, 0), GW_SLOTS_OK);
	gw_slots_free(s);
}
END_TEST

START_TEST(test_slots_no_caps)
{
	struct gw_slots *s = gw_slots_new();
	unsigned i;

	for (i = 0; i < 1000; i++)
		ck_assert_int_eq(gw_slots_take(s, "k", 0, 0), GW_SLOTS_OK);
	ck_assert_uint_eq(gw_slots_held(s, "k"), 1000);
	for (i = 0; i < 1000; i++)
		gw_slots_give(s, "k");
	ck_assert_uint_eq(gw_slots_total(s), 0);
	ck_assert_uint_eq(gw_slots_held(s, "k"), 0);
	gw_slots_free(s);
}
END_TEST

START_TEST(test_slots_give_unknown_key_is_ignored)
{
	struct gw_slots *s = gw_slots_new();

	ck_assert_int_eq(gw_slots_take(s, "a", 0, 0), GW_SLOTS_OK);
	gw_slots_give(s, "zz");
	ck_assert_uint_eq(gw_slots_total(s), 1);
	gw_slots_give(s, "a");
	gw_slots_give(s, "a");
	ck_assert_uint_eq(gw_slots_total(s), 0);
	gw_slots_free(s);
}
END_TEST

START_TEST(test_slots_lowered_caps_keep_what_is_held)
{
	struct gw_slots *s = gw_slots_new();

	ck_assert_int_eq(gw_slots_take(s, "a", 5, 5), GW_SLOTS_OK);
	ck_assert_int_eq(gw_slots_take(s, "a", 5, 5), GW_SLOTS_OK);
	ck_assert_int_eq(gw_slots_take(s, "a", 5, 5), GW_SLOTS_OK);
	/* a reload lowered the per-key cap to 1: the held stay, new ones wait */
	ck_assert_int_eq(gw_slots_take(s, "a", 5, 1), GW_SLOTS_KEY_FULL);
	gw_slots_give(s, "a");
	gw_slots_give(s, "a");
	ck_assert_int_eq(gw_slots_take(s, "a", 5, 1), GW_SLOTS_KEY_FULL);
	gw_slots_give(s, "a");
	ck_assert_int_eq(gw_slots_take(s, "a", 5, 1), GW_SLOTS_OK);
	gw_slots_free(s);
}
END_TEST

START_TEST(test_slots_many_keys)
{
	struct gw_slots *s = gw_slots_new();
	char key[32];
	unsigned i;

	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "token-%u", i);
		ck_assert_int_eq(gw_slots_take(s, key, 0, 1), GW_SLOTS_OK);
	}
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "token-%u", i);
		ck_assert_uint_eq(gw_slots_held(s, key), 1);
		ck_assert_int_eq(gw_slots_take(s, key, 0, 1), GW_SLOTS_KEY_FULL);
	}
	ck_assert_uint_eq(gw_slots_total(s), 5000);
	for (i = 0; i < 5000; i += 2) {
		snprintf(key, sizeof(key), "token-%u", i);
		gw_slots_give(s, key);
	}
	ck_assert_uint_eq(gw_slots_total(s), 2500);
	ck_assert_uint_eq(gw_slots_held(s, "token-0"), 0);
	ck_assert_uint_eq(gw_slots_held(s, "token-1"), 1);
	gw_slots_free(s); /* frees the keys still held */
}
END_TEST

struct churn {
	struct gw_slots *s;
	unsigned id;
	unsigned refused;
};

static void *churn_main(void *arg)
{
	struct churn *c = arg;
	char key[16];
	unsigned i;

	snprintf(key, sizeof(key), "t%u", c->id % 2);
	for (i = 0; i < 20000; i++) {
		if (gw_slots_take(c->s, key, 3, 2) == GW_SLOTS_OK)
			gw_slots_give(c->s, key);
		else
			c->refused++;
	}
	return NULL;
}

START_TEST(test_slots_threads)
{
	struct gw_slots *s = gw_slots_new();
	struct churn c[4];
	pthread_t t[4];
	unsigned i;

	for (i = 0; i < 4; i++) {
		c[i] = (struct churn){s, i, 0};
		ck_assert_int_eq(pthread_create(&t[i], NULL, churn_main, &c[i]), 0);
	}
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	/* every take that succeeded was given back */
	ck_assert_uint_eq(gw_slots_total(s), 0);
	ck_assert_uint_eq(gw_slots_held(s, "t0"), 0);
	ck_assert_uint_eq(gw_slots_held(s, "t1"), 0);
	gw_slots_free(s);
}
END_TEST

static Suite *slots_suite(void)
{
	Suite *s = suite_create("slots");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_slots_per_key_cap);
	tcase_add_test(tc, test_slots_total_cap);
	tcase_add_test(tc, test_slots_no_caps);
	tcase_add_test(tc, test_slots_give_unknown_key_is_ignored);
	tcase_add_test(tc, test_slots_lowered_caps_keep_what_is_held);
	tcase_add_test(tc, test_slots_many_keys);
	tcase_add_test(tc, test_slots_threads);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(slots_suite)
