/*
 * check_arena.c - the per-exchange bump allocator: alignment, the first
 * chunk the owner provides, growth into malloc'd chunks, oversized
 * requests, the hard cap (a refused allocation changes nothing), many
 * small allocations, the string helpers and reuse after deinit.
 */
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "testutil.h"

START_TEST(test_arena_alignment)
{
	static const size_t aligns[] = {1, 2, 4, 8, 16, 32, 64, 256};
	char first[100];
	struct gw_arena a;
	size_t i;
	size_t k;

	gw_arena_init(&a, first + 1, sizeof(first) - 1, 1u << 20);
	for (k = 0; k < 50; k++) {
		for (i = 0; i < GW_ARRAY_SIZE(aligns); i++) {
			char *p = gw_arena_alloc_aligned(&a, k % 7 + 1, aligns[i]);

			ck_assert_ptr_nonnull(p);
			ck_assert_uint_eq((uintptr_t)p % aligns[i], 0);
			memset(p, 0x5a, k % 7 + 1);
		}
		ck_assert_uint_eq((uintptr_t)gw_arena_alloc(&a, 3) % alignof(max_align_t), 0);
	}
	ck_assert_ptr_null(gw_arena_alloc_aligned(&a, 8, 3));
	ck_assert_int_eq(gw_arena_error(&a), GW_E_INTERNAL);
	gw_arena_deinit(&a);
}
END_TEST

START_TEST(test_arena_first_chunk_then_growth)
{
	char first[256];
	struct gw_arena a;
	char *p;
	size_t i;

	gw_arena_init(&a, first, sizeof(first), 1u << 20);
	p = gw_arena_alloc_aligned(&a, 200, 1);
	ck_assert_ptr_eq(p, first);
	ck_assert_uint_eq(gw_arena_used(&a), sizeof(first));
	/* Does not fit the rest of the first chunk: the first heap chunk. */
	p = gw_arena_alloc_aligned(&a, 100, 1);
	ck_assert_ptr_nonnull(p);
	ck_assert(p < first || p >= first + sizeof(first));
	ck_assert_uint_eq(gw_arena_used(&a), sizeof(first) + GW_ARENA_CHUNK_MIN);
	/* Chunks double up to the maximum, then stay there. */
	for (i = 0; i < 10; i++)
		ck_assert_ptr_nonnull(gw_arena_alloc_aligned(&a, GW_ARENA_CHUNK_MIN, 1));
	ck_assert_uint_le(a.next_chunk, GW_ARENA_CHUNK_MAX);
	ck_assert_uint_eq(a.next_chunk, GW_ARENA_CHUNK_MAX);
	gw_arena_deinit(&a);
	ck_assert_uint_eq(gw_arena_used(&a), 0);
}
END_TEST

START_TEST(test_arena_without_first_chunk)
{
	struct gw_arena a;
	char *s;

	gw_arena_init(&a, NULL, 0, 1u << 16);
	ck_assert_uint_eq(gw_arena_used(&a), 0);
	s = gw_arena_strdup(&a, "hello");
	ck_assert_str_eq(s, "hello");
	ck_assert_uint_eq(gw_arena_used(&a), GW_ARENA_CHUNK_MIN);
	ck_assert_ptr_nonnull(gw_arena_alloc(&a, 0));
	gw_arena_deinit(&a);
}
END_TEST

START_TEST(test_arena_oversized_keeps_current_chunk)
{
	struct gw_arena a;
	char *small1;
	char *big;
	char *small2;

	gw_arena_init(&a, NULL, 0, 1u << 20);
	small1 = gw_arena_alloc_aligned(&a, 10, 1);
	big = gw_arena_alloc_aligned(&a, GW_ARENA_CHUNK_MAX * 3, 1);
	small2 = gw_arena_alloc_aligned(&a, 10, 1);
	ck_assert_ptr_nonnull(small1);
	ck_assert_ptr_nonnull(big);
	memset(big, 1, GW_ARENA_CHUNK_MAX * 3);
	/* The small ones share the chunk the big one did not replace. */
	ck_assert_ptr_eq(small2, small1 + 10);
	ck_assert_uint_eq(gw_arena_used(&a), GW_ARENA_CHUNK_MIN + GW_ARENA_CHUNK_MAX * 3);
	gw_arena_deinit(&a);
}
END_TEST

START_TEST(test_arena_cap_is_hard)
{
	char first[64];
	struct gw_arena a;
	size_t held;
	size_t n = 0;

	gw_arena_init(&a, first, sizeof(first), 10000);
	while (gw_arena_alloc_aligned(&a, 100, 1) != NULL)
		n++;
	ck_assert_int_eq(gw_arena_error(&a), GW_E_TOO_LARGE);
	ck_assert_uint_le(gw_arena_used(&a), 10000);
	/* The last chunk shrinks to what fits under the cap: little is lost to it. */
	ck_assert_uint_ge(n, (10000 - 64) / 100 - 2);
	held = gw_arena_used(&a);
	/* Refused requests take nothing, whatever their size. */
	ck_assert_ptr_null(gw_arena_alloc(&a, SIZE_MAX));
	ck_assert_ptr_null(gw_arena_alloc(&a, 20000));
	ck_assert_ptr_null(gw_arena_calloc(&a, SIZE_MAX / 2, 4));
	ck_assert_int_eq(gw_arena_error(&a), GW_E_TOO_LARGE);
	ck_assert_uint_eq(gw_arena_used(&a), held);
	gw_arena_deinit(&a);
}
END_TEST

START_TEST(test_arena_cap_fits_smaller_chunk)
{
	struct gw_arena a;

	/* A doubling chunk would pass the cap; a chunk of exactly the request does not. */
	gw_arena_init(&a, NULL, 0, GW_ARENA_CHUNK_MIN + 100);
	ck_assert_ptr_nonnull(gw_arena_alloc_aligned(&a, GW_ARENA_CHUNK_MIN, 1));
	ck_assert_ptr_nonnull(gw_arena_alloc_aligned(&a, 100, 1));
	ck_assert_uint_eq(gw_arena_used(&a), GW_ARENA_CHUNK_MIN + 100);
	ck_assert_ptr_null(gw_arena_alloc_aligned(&a, 1, 1));
	ck_assert_int_eq(gw_arena_error(&a), GW_E_TOO_LARGE);
	gw_arena_deinit(&a);
}
END_TEST

START_TEST(test_arena_many_small_allocations)
{
	enum { N = 20000 };
	char first[2048];
	struct gw_arena a;
	char **ptrs = malloc(N * sizeof(*ptrs));
	size_t bad = 0;
	size_t i;

	ck_assert_ptr_nonnull(ptrs);
	gw_arena_init(&a, first, sizeof(first), 8u << 20);
	for (i = 0; i < N; i++) {
		size_t n = i % 13 + 1;

		ptrs[i] = gw_arena_alloc_aligned(&a, n, 1);
		if (ptrs[i] == NULL)
			break;
		memset(ptrs[i], (int)(i & 0xff), n);
	}
	ck_assert_uint_eq(i, N);
	/* Nothing overlaps: every allocation still holds its own pattern. */
	for (i = 0; i < N; i++) {
		size_t n = i % 13 + 1;
		size_t k;

		for (k = 0; k < n; k++)
			bad += (unsigned char)ptrs[i][k] != (i & 0xff);
	}
	ck_assert_uint_eq(bad, 0);
	/* 140 KB of data in chunks of up to 16 KiB: little waste. */
	ck_assert_uint_lt(gw_arena_used(&a), 160u * 1024u);
	gw_arena_deinit(&a);
	free(ptrs);
}
END_TEST

START_TEST(test_arena_string_helpers)
{
	struct gw_arena a;
	const char bytes[] = {'a', '\0', 'b'};
	char *s;
	unsigned char *m;
	int *z;
	size_t i;

	gw_arena_init(&a, NULL, 0, 1u << 16);
	ck_assert_str_eq(gw_arena_strdup(&a, ""), "");
	ck_assert_str_eq(gw_arena_strndup(&a, "abcdef", 3), "abc");
	ck_assert_str_eq(gw_arena_strndup(&a, "ab", 10), "ab");
	s = gw_arena_strndup(&a, bytes, sizeof(bytes));
	ck_assert_str_eq(s, "a");
	m = gw_arena_memdup(&a, bytes, sizeof(bytes));
	ck_assert_int_eq(memcmp(m, bytes, sizeof(bytes)), 0);
	z = gw_arena_calloc(&a, 100, sizeof(*z));
	ck_assert_ptr_nonnull(z);
	ck_assert_uint_eq((uintptr_t)z % alignof(int), 0);
	for (i = 0; i < 100; i++)
		ck_assert_int_eq(z[i], 0);
	ck_assert_int_eq(gw_arena_error(&a), GW_OK);
	gw_arena_deinit(&a);
}
END_TEST

START_TEST(test_arena_reusable_after_deinit)
{
	struct gw_arena a;
	int round;

	gw_arena_init(&a, NULL, 0, 1u << 16);
	for (round = 0; round < 3; round++) {
		ck_assert_ptr_nonnull(gw_arena_alloc(&a, 5000));
		ck_assert_str_eq(gw_arena_strdup(&a, "x"), "x");
		gw_arena_deinit(&a);
		ck_assert_uint_eq(gw_arena_used(&a), 0);
	}
	ck_assert_ptr_null(gw_arena_alloc(&a, 1u << 17));
	ck_assert_int_eq(gw_arena_error(&a), GW_E_TOO_LARGE);
	gw_arena_deinit(&a);
}
END_TEST

static Suite *arena_suite(void)
{
	Suite *s = suite_create("arena");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_arena_alignment);
	tcase_add_test(tc, test_arena_first_chunk_then_growth);
	tcase_add_test(tc, test_arena_without_first_chunk);
	tcase_add_test(tc, test_arena_oversized_keeps_current_chunk);
	tcase_add_test(tc, test_arena_cap_is_hard);
	tcase_add_test(tc, test_arena_cap_fits_smaller_chunk);
	tcase_add_test(tc, test_arena_many_small_allocations);
	tcase_add_test(tc, test_arena_string_helpers);
	tcase_add_test(tc, test_arena_reusable_after_deinit);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(arena_suite)
