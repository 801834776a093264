/*
 * check_bearer_cache.c - the verifier's cache of accepted JWTs: a repeated
 * token is a hit returning the same token, refusals are never cached, a
 * new config generation misses, a cached token expires at exp + leeway,
 * the least recently used entry goes first, no cache at all works; the
 * deny list applies to hits and misses; several threads share the cache.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bearerfix.h"
#include "testutil.h"

static void stats(unsigned long long *hits, unsigned long long *misses)
{
	gw_bearer_stats(bt_bearer, hits, misses);
}

START_TEST(test_bearer_cache_hit)
{
	char *t = make(H256, LMS, JT_HS256, K_LMS);
	const struct gw_token *a = NULL;
	const struct gw_token *b = NULL;
	const char *why = NULL;
	unsigned long long hits;
	unsigned long long misses;

	ck_assert_int_eq(auth_at(bt_bearer, t, NOW, &a, &why), GW_BEARER_OK);
	stats(&hits, &misses);
	ck_assert_uint_eq(hits, 0);
	ck_assert_uint_eq(misses, 1);
	ck_assert_int_eq(auth_at(bt_bearer, t, NOW + 1, &b, &why), GW_BEARER_OK);
	stats(&hits, &misses);
	ck_assert_uint_eq(hits, 1);
	ck_assert_uint_eq(misses, 1);
	ck_assert_ptr_eq(a, b);
	/* the caller's two references and the cache's */
	ck_assert_uint_eq(atomic_load(&((struct gw_token *)(uintptr_t)a)->refs), 3);
	gw_token_unref(a);
	gw_token_unref(b);
	free(t);
}
END_TEST

START_TEST(test_bearer_cache_refused_not_cached)
{
	char *t = make(H256, LMS, JT_HS256, K_OTHER);
	const char *why = NULL;
	unsigned long long hits;
	unsigned long long misses;

	ck_assert_int_eq(status_of(t, &why), GW_BEARER_INVALID);
	ck_assert_int_eq(status_of(t, &why), GW_BEARER_INVALID);
	stats(&hits, &misses);
	ck_assert_uint_eq(hits, 0);
	ck_assert_uint_eq(misses, 2);
	free(t);
}
END_TEST

START_TEST(test_bearer_cache_generation)
{
	char *t = make(H256, LMS, JT_HS256, K_LMS);
	const char *why = NULL;
	unsigned long long hits;
	unsigned long long misses;

	ck_assert_int_eq(status_of(t, &why), GW_BEARER_OK);
	ck_assert_int_eq(status_of(t, &why), GW_BEARER_OK);
	bt_cfg->generation = 2;
	ck_assert_int_eq(status_of(t, &why), GW_BEARER_OK);
	stats(&hits, &misses);
	ck_assert_uint_eq(hits, 1);
	ck_assert_uint_eq(misses, 2);
	/* a new generation without the key: the cached token is not honoured */
	gw_issuer_deinit(&bt_cfg->issuers[0]);
	bt_cfg->generation = 3;
	ck_assert_int_eq(status_of(t, &why), GW_BEARER_INVALID);
	ck_assert_str_eq(why, "The token's issuer is not known");
	free(t);
}
END_TEST

START_TEST(test_bearer_cache_expiry)
{
	char *t = make(H256, LMS, JT_HS256, K_LMS); /* exp NOW + 600, leeway 30 */
	const struct gw_token *tok = NULL;
	const char *why = NULL;
	unsigned long long hits;
	unsigned long long misses;

	ck_assert_int_eq(auth_at(bt_bearer, t, NOW, &tok, &why), GW_BEARER_OK);
	gw_token_unref(tok);
	ck_assert_int_eq(auth_at(bt_bearer, t, NOW + 629, &tok, &why), GW_BEARER_OK);
	gw_token_unref(tok);
	ck_assert_int_eq(auth_at(bt_bearer, t, NOW + 630, &tok, &why), GW_BEARER_EXPIRED);
	ck_assert_str_eq(why, "The token has expired");
	stats(&hits, &misses);
	ck_assert_uint_eq(hits, 2);
	ck_assert_uint_eq(misses, 1);
	/* dropped from the cache: checked in full again, still expired */
	ck_assert_int_eq(auth_at(bt_bearer, t, NOW + 630, &tok, &why), GW_BEARER_EXPIRED);
	stats(&hits, &misses);
	ck_assert_uint_eq(misses, 2);
	free(t);
}
END_TEST

START_TEST(test_bearer_cache_eviction)
{
	struct gw_bearer *small = gw_bearer_new(2, NULL);
	char *t[3];
	const struct gw_token *tok = NULL;
	const char *why = NULL;
	unsigned long long hits;
	unsigned long long misses;
	char payload[256];

	for (int i = 0; i < 3; i++) {
		snprintf(payload, sizeof(payload), LMS_WITH("'jti':'e%d'"), i);
		t[i] = make(H256, payload, JT_HS256, K_LMS);
	}
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(auth_at(small, t[i], NOW, &tok, &why), GW_BEARER_OK);
		gw_token_unref(tok);
	}
	/* t[0] was the least recently used: evicted; t[2] is still there */
	ck_assert_int_eq(auth_at(small, t[2], NOW, &tok, &why), GW_BEARER_OK);
	gw_token_unref(tok);
	gw_bearer_stats(small, &hits, &misses);
	ck_assert_uint_eq(hits, 1);
	ck_assert_uint_eq(misses, 3);
	ck_assert_int_eq(auth_at(small, t[0], NOW, &tok, &why), GW_BEARER_OK);
	gw_token_unref(tok);
	gw_bearer_stats(small, &hits, &misses);
	ck_assert_uint_eq(misses, 4);
	gw_bearer_free(small);
	for (int i = 0; i < 3; i++)
		free(t[i]);
}
END_TEST

START_TEST(test_bearer_no_cache)
{
	struct gw_bearer *none = gw_bearer_new(0, NULL);
	char *t = make(H256, LMS, JT_HS256, K_LMS);
	const struct gw_token *a = NULL;
	const struct gw_token *b = NULL;
	const char *why = NULL;
	unsigned long long hits;
	unsigned long long misses;

	ck_assert_int_eq(auth_at(none, t, NOW, &a, &why), GW_BEARER_OK);
	ck_assert_int_eq(auth_at(none, t, NOW, &b, &why), GW_BEARER_OK);
	ck_assert_ptr_ne(a, b);
	gw_bearer_stats(none, &hits, &misses);
	ck_assert_uint_eq(hits, 0);
	ck_assert_uint_eq(misses, 2);
	gw_token_unref(a);
	gw_token_unref(b);
	/* and no verifier object at all */
	ck_assert_int_eq(auth_at(NULL, t, NOW, &a, &why), GW_BEARER_OK);
	gw_token_unref(a);
	gw_bearer_stats(NULL, &hits, &misses);
	ck_assert_uint_eq(hits + misses, 0);
	gw_bearer_free(none);
	gw_bearer_free(NULL);
	free(t);
}
END_TEST

START_TEST(test_bearer_revoked)
{
	char *t = make(H256, LMS_WITH("'jti':'gone'"), JT_HS256, K_LMS);
	char *other = make(H256, LMS_WITH("'jti':'kept'"), JT_HS256, K_LMS);
	const char *why = NULL;
	unsigned long long hits;
	unsigned long long misses;

	/* accepted and cached, then revoked: refused on the cache hit */
	ck_assert_int_eq(status_of(t, &why), GW_BEARER_OK);
	ck_assert_int_eq(gw_revoke_add(bt_revoke, "gone", NOW + 630, NOW), GW_OK);
	ck_assert_int_eq(status_of(t, &why), GW_BEARER_REVOKED);
	ck_assert_str_eq(why, "The token has been revoked");
	ck_assert_str_eq(gw_bearer_status_code(GW_BEARER_REVOKED), "token_revoked");
	stats(&hits, &misses);
	ck_assert_uint_eq(hits, 1);
	ck_assert_int_eq(status_of(other, &why), GW_BEARER_OK);
	free(t);
	free(other);
}
END_TEST

START_TEST(test_bearer_revoked_before_first_use)
{
	char *t = make(H256, LMS_WITH("'jti':'gone'"), JT_HS256, K_LMS);
	const char *why = NULL;
	unsigned long long hits;
	unsigned long long misses;

	ck_assert_int_eq(gw_revoke_add(bt_revoke, "gone", NOW + 630, NOW), GW_OK);
	ck_assert_int_eq(status_of(t, &why), GW_BEARER_REVOKED);
	ck_assert_int_eq(status_of(t, &why), GW_BEARER_REVOKED);
	/* never cached */
	stats(&hits, &misses);
	ck_assert_uint_eq(hits, 0);
	ck_assert_uint_eq(misses, 2);
	free(t);
}
END_TEST

#define N_THREADS 4
#define N_TOKENS 6

struct worker {
	char **tokens;
	int id;
	int ok;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < 300; i++) {
		const struct gw_token *tok = NULL;
		const char *why = NULL;
		char h[1024];

		snprintf(h, sizeof(h), "Bearer %s", w->tokens[(i * (w->id + 1)) % N_TOKENS]);
		if (gw_bearer_authenticate(bt_bearer, bt_cfg, h, NOW, &tok, &why) == GW_BEARER_OK &&
		    tok->claims != NULL && strncmp(tok->name, "lms:", 4) == 0)
			w->ok++;
		gw_token_unref(tok);
	}
	return NULL;
}

START_TEST(test_bearer_threads)
{
	char *tokens[N_TOKENS];
	struct worker w[N_THREADS];
	pthread_t th[N_THREADS];
	char payload[256];
	unsigned long long hits;
	unsigned long long misses;

	/* a cache smaller than the set of tokens: hits, misses and evictions interleave */
	gw_bearer_free(bt_bearer);
	bt_bearer = gw_bearer_new(4, bt_revoke);
	for (int i = 0; i < N_TOKENS; i++) {
		snprintf(payload, sizeof(payload), LMS_BBB("{'meetings':['m1']},'sub':'t%d'"), i);
		tokens[i] = make(H256, payload, JT_HS256, K_LMS);
	}
	for (int i = 0; i < N_THREADS; i++) {
		w[i] = (struct worker){tokens, i, 0};
		ck_assert_int_eq(pthread_create(&th[i], NULL, worker_run, &w[i]), 0);
	}
	for (int i = 0; i < N_THREADS; i++) {
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
		ck_assert_int_eq(w[i].ok, 300);
	}
	stats(&hits, &misses);
	ck_assert_uint_eq(hits + misses, N_THREADS * 300);
	ck_assert_uint_gt(hits, 0);
	for (int i = 0; i < N_TOKENS; i++)
		free(tokens[i]);
}
END_TEST

static Suite *bearer_cache_suite(void)
{
	Suite *s = suite_create("bearer_cache");
	TCase *cache = tcase_create("cache");

	tcase_add_unchecked_fixture(cache, keys_setup, keys_teardown);
	tcase_add_checked_fixture(cache, config_setup, config_teardown);
	suite_add_tcase(s, cache);
	tcase_add_test(cache, test_bearer_cache_hit);
	tcase_add_test(cache, test_bearer_cache_refused_not_cached);
	tcase_add_test(cache, test_bearer_cache_generation);
	tcase_add_test(cache, test_bearer_cache_expiry);
	tcase_add_test(cache, test_bearer_cache_eviction);
	tcase_add_test(cache, test_bearer_no_cache);
	tcase_add_test(cache, test_bearer_revoked);
	tcase_add_test(cache, test_bearer_revoked_before_first_use);
	tcase_add_test(cache, test_bearer_threads);
	return s;
}

GW_TEST_MAIN(bearer_cache_suite)
