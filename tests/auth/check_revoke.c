/*
 * check_revoke.c - the in-memory deny list: revoked until a time and no
 * longer, extended by a later revocation, bounded (expired entries make
 * room, live ones do not), jti length limits, many entries in few buckets,
 * and several threads revoking and asking at once.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "revoke.h"
#include "testutil.h"

#define NOW 1800000000LL

START_TEST(test_revoke_until_then_forgotten)
{
	struct gw_revoke *r = gw_revoke_new_memory(10);

	ck_assert_ptr_nonnull(r);
	ck_assert(!gw_revoke_is_revoked(r, "a", NOW));
	ck_assert_int_eq(gw_revoke_add(r, "a", NOW + 60, NOW), GW_OK);
	ck_assert(gw_revoke_is_revoked(r, "a", NOW));
	ck_assert(gw_revoke_is_revoked(r, "a", NOW + 59));
	ck_assert(!gw_revoke_is_revoked(r, "b", NOW));
	ck_assert(!gw_revoke_is_revoked(r, "", NOW));
	ck_assert(!gw_revoke_is_revoked(r, NULL, NOW));
	ck_assert(!gw_revoke_is_revoked(NULL, "a", NOW));
	ck_assert(!gw_revoke_is_revoked(r, "a", NOW + 60));
	/* the expired entry was dropped: it stays forgotten even asked about earlier */
	ck_assert(!gw_revoke_is_revoked(r, "a", NOW));
	gw_revoke_free(r);
	gw_revoke_free(NULL);
}
END_TEST

START_TEST(test_revoke_later_until_extends)
{
	struct gw_revoke *r = gw_revoke_new_memory(10);

	ck_assert_int_eq(gw_revoke_add(r, "a", NOW + 60, NOW), GW_OK);
	ck_assert_int_eq(gw_revoke_add(r, "a", NOW + 120, NOW), GW_OK);
	ck_assert_int_eq(gw_revoke_add(r, "a", NOW + 30, NOW), GW_OK);
	ck_assert(gw_revoke_is_revoked(r, "a", NOW + 100));
	ck_assert(!gw_revoke_is_revoked(r, "a", NOW + 120));
	/* until in the past: nothing kept, and no error */
	ck_assert_int_eq(gw_revoke_add(r, "old", NOW - 1, NOW), GW_OK);
	ck_assert_int_eq(gw_revoke_add(r, "old", NOW, NOW), GW_OK);
	ck_assert(!gw_revoke_is_revoked(r, "old", NOW - 5));
	gw_revoke_free(r);
}
END_TEST

START_TEST(test_revoke_bounded)
{
	struct gw_revoke *r = gw_revoke_new_memory(3);

	ck_assert_int_eq(gw_revoke_add(r, "a", NOW + 10, NOW), GW_OK);
	ck_assert_int_eq(gw_revoke_add(r, "b", NOW + 100, NOW), GW_OK);
	ck_assert_int_eq(gw_revoke_add(r, "c", NOW + 100, NOW), GW_OK);
	ck_assert_int_eq(gw_revoke_add(r, "d", NOW + 100, NOW), GW_E_TOO_LARGE);
	/* extending an entry needs no room */
	ck_assert_int_eq(gw_revoke_add(r, "c", NOW + 200, NOW), GW_OK);
	ck_assert(!gw_revoke_is_revoked(r, "d", NOW));
	/* once "a" expired, it makes room */
	ck_assert_int_eq(gw_revoke_add(r, "d", NOW + 100, NOW + 10), GW_OK);
	ck_assert(gw_revoke_is_revoked(r, "d", NOW + 10));
	ck_assert(gw_revoke_is_revoked(r, "b", NOW + 10));
	ck_assert(!gw_revoke_is_revoked(r, "a", NOW + 5));
	ck_assert_int_eq(gw_revoke_add(r, "e", NOW + 100, NOW + 10), GW_E_TOO_LARGE);
	gw_revoke_free(r);

	/* a list of size 0 keeps nothing */
	r = gw_revoke_new_memory(0);
	ck_assert_int_eq(gw_revoke_add(r, "a", NOW + 10, NOW), GW_E_TOO_LARGE);
	gw_revoke_free(r);
}
END_TEST

START_TEST(test_revoke_jti_lengths)
{
	struct gw_revoke *r = gw_revoke_new_memory(10);
	char jti[GW_REVOKE_MAX_JTI_LEN + 2];

	memset(jti, 'x', sizeof(jti) - 1);
	jti[sizeof(jti) - 1] = '\0';
	ck_assert_int_eq(gw_revoke_add(r, jti, NOW + 10, NOW), GW_E_PARSE);
	jti[GW_REVOKE_MAX_JTI_LEN] = '\0';
	ck_assert_int_eq(gw_revoke_add(r, jti, NOW + 10, NOW), GW_OK);
	ck_assert(gw_revoke_is_revoked(r, jti, NOW));
	jti[GW_REVOKE_MAX_JTI_LEN - 1] = '\0';
	ck_assert(!gw_revoke_is_revoked(r, jti, NOW));
	ck_assert_int_eq(gw_revoke_add(r, "", NOW + 10, NOW), GW_E_PARSE);
	gw_revoke_free(r);
}
END_TEST

START_TEST(test_revoke_many_entries)
{
	struct gw_revoke *r = gw_revoke_new_memory(5000);
	char jti[32];
	int i;

	for (i = 0; i < 5000; i++) {
		snprintf(jti, sizeof(jti), "jti-%d", i);
		ck_assert_int_eq(gw_revoke_add(r, jti, NOW + 1 + i % 7, NOW), GW_OK);
	}
	for (i = 0; i < 5000; i++) {
		snprintf(jti, sizeof(jti), "jti-%d", i);
		ck_assert(gw_revoke_is_revoked(r, jti, NOW));
		ck_assert(gw_revoke_is_revoked(r, jti, NOW + i % 7));
		ck_assert(!gw_revoke_is_revoked(r, jti, NOW + 1 + i % 7));
	}
	ck_assert(!gw_revoke_is_revoked(r, "jti-5000", NOW));
	gw_revoke_free(r);
}
END_TEST

struct worker {
	struct gw_revoke *r;
	int id;
	int found;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	char jti[32];

	for (int i = 0; i < 2000; i++) {
		snprintf(jti, sizeof(jti), "w%d-%d", w->id, i % 100);
		if (gw_revoke_add(w->r, jti, NOW + 1000, NOW) != GW_OK)
			return NULL;
		snprintf(jti, sizeof(jti), "w%d-%d", (w->id + 1) % 4, i % 100);
		w->found += gw_revoke_is_revoked(w->r, jti, NOW);
		w->found += gw_revoke_is_revoked(w->r, "never", NOW);
	}
	return NULL;
}

START_TEST(test_revoke_threads)
{
	struct gw_revoke *r = gw_revoke_new_memory(1000);
	struct worker w[4];
	pthread_t t[4];
	char jti[32];
	int i;

	for (i = 0; i < 4; i++) {
		w[i] = (struct worker){r, i, 0};
		ck_assert_int_eq(pthread_create(&t[i], NULL, worker_run, &w[i]), 0);
	}
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
	for (i = 0; i < 400; i++) {
		snprintf(jti, sizeof(jti), "w%d-%d", i / 100, i % 100);
		ck_assert(gw_revoke_is_revoked(r, jti, NOW));
	}
	gw_revoke_free(r);
}
END_TEST

static Suite *revoke_suite(void)
{
	Suite *s = suite_create("revoke");
	TCase *tc = tcase_create("memory");

	tcase_add_test(tc, test_revoke_until_then_forgotten);
	tcase_add_test(tc, test_revoke_later_until_extends);
	tcase_add_test(tc, test_revoke_bounded);
	tcase_add_test(tc, test_revoke_jti_lengths);
	tcase_add_test(tc, test_revoke_many_entries);
	tcase_add_test(tc, test_revoke_threads);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(revoke_suite)
