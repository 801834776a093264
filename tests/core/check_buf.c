/*
 * check_buf.c - the capped buffer: empty state, growth, the hard maximum
 * (an append past it fails with GW_E_TOO_LARGE and changes nothing),
 * printf appends, binary data, reset, take and deinit.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "testutil.h"

START_TEST(test_buf_init_is_empty)
{
	struct gw_buf b;

	gw_buf_init(&b, 100);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.max, 100);
	ck_assert_str_eq(gw_buf_str(&b), "");
	gw_buf_deinit(&b);
}
END_TEST

START_TEST(test_buf_append_grows)
{
	struct gw_buf b;
	size_t i;

	gw_buf_init(&b, 1u << 20);
	for (i = 0; i < 10000; i++) {
		ck_assert_int_eq(gw_buf_append_byte(&b, (char)('a' + i % 26)), GW_OK);
		ck_assert_uint_ge(b.cap, b.len + 1);
		ck_assert_int_eq(b.data[b.len], '\0');
	}
	ck_assert_uint_eq(b.len, 10000);
	ck_assert_uint_eq(strlen(gw_buf_str(&b)), 10000);
	for (i = 0; i < 10000; i++)
		ck_assert_int_eq(b.data[i], 'a' + (int)(i % 26));
	gw_buf_deinit(&b);
}
END_TEST

START_TEST(test_buf_append_kinds)
{
	struct gw_buf b;

	gw_buf_init(&b, 100);
	ck_assert_int_eq(gw_buf_append(&b, "ab", 2), GW_OK);
	ck_assert_int_eq(gw_buf_append_str(&b, "cd"), GW_OK);
	ck_assert_int_eq(gw_buf_append_byte(&b, 'e'), GW_OK);
	ck_assert_int_eq(gw_buf_append(&b, NULL, 0), GW_OK);
	ck_assert_int_eq(gw_buf_append_str(&b, ""), GW_OK);
	ck_assert_str_eq(gw_buf_str(&b), "abcde");
	ck_assert_uint_eq(b.len, 5);
	gw_buf_deinit(&b);
}
END_TEST

START_TEST(test_buf_binary_data)
{
	struct gw_buf b;

	gw_buf_init(&b, 100);
	ck_assert_int_eq(gw_buf_append(&b, "a\0b", 3), GW_OK);
	ck_assert_int_eq(gw_buf_append_byte(&b, '\0'), GW_OK);
	ck_assert_uint_eq(b.len, 4);
	ck_assert_mem_eq(b.data, "a\0b\0", 5);
	gw_buf_deinit(&b);
}
END_TEST

START_TEST(test_buf_cap_is_exact)
{
	struct gw_buf b;

	gw_buf_init(&b, 10);
	ck_assert_int_eq(gw_buf_append_str(&b, "0123456789"), GW_OK);
	ck_assert_uint_eq(b.len, 10);
	ck_assert_uint_le(b.cap, 11);
	ck_assert_int_eq(gw_buf_append(&b, NULL, 0), GW_OK);
	ck_assert_int_eq(gw_buf_append_byte(&b, 'x'), GW_E_TOO_LARGE);
	ck_assert_str_eq(gw_buf_str(&b), "0123456789");
	gw_buf_deinit(&b);
}
END_TEST

START_TEST(test_buf_storage_never_exceeds_max)
{
	struct gw_buf b;
	char chunk[7] = "abcdefg";

	gw_buf_init(&b, 1000);
	while (gw_buf_append(&b, chunk, sizeof(chunk)) == GW_OK)
		ck_assert_uint_le(b.cap, 1001);
	ck_assert_uint_eq(b.len, 1000 - 1000 % 7);
	ck_assert_uint_le(b.cap, 1001);
	gw_buf_deinit(&b);
}
END_TEST

START_TEST(test_buf_too_large_leaves_buffer_unchanged)
{
	struct gw_buf b;
	char *before;
	size_t cap;

	gw_buf_init(&b, 8);
	ck_assert_int_eq(gw_buf_append_str(&b, "abcde"), GW_OK);
	before = b.data;
	cap = b.cap;
	ck_assert_int_eq(gw_buf_append_str(&b, "fghi"), GW_E_TOO_LARGE);
	ck_assert_int_eq(gw_buf_append(&b, "fghijklmnop", 11), GW_E_TOO_LARGE);
	ck_assert_int_eq(gw_buf_appendf(&b, "%s", "fghi"), GW_E_TOO_LARGE);
	ck_assert_int_eq(gw_buf_appendf(&b, "%d", 1234), GW_E_TOO_LARGE);
	ck_assert_str_eq(gw_buf_str(&b), "abcde");
	ck_assert_uint_eq(b.len, 5);
	ck_assert_ptr_eq(b.data, before);
	ck_assert_uint_eq(b.cap, cap);
	/* What still fits is accepted afterwards. */
	ck_assert_int_eq(gw_buf_appendf(&b, "%d", 123), GW_OK);
	ck_assert_str_eq(gw_buf_str(&b), "abcde123");
	gw_buf_deinit(&b);
}
END_TEST

START_TEST(test_buf_max_zero)
{
	struct gw_buf b;

	gw_buf_init(&b, 0);
	ck_assert_int_eq(gw_buf_append_str(&b, ""), GW_OK);
	ck_assert_int_eq(gw_buf_append_byte(&b, 'x'), GW_E_TOO_LARGE);
	ck_assert_int_eq(gw_buf_appendf(&b, "%s", "x"), GW_E_TOO_LARGE);
	ck_assert_str_eq(gw_buf_str(&b), "");
	ck_assert_uint_eq(b.len, 0);
	gw_buf_deinit(&b);
}
END_TEST

START_TEST(test_buf_appendf)
{
	struct gw_buf b;
	char want[512];
	size_t i;

	gw_buf_init(&b, 4096);
	ck_assert_int_eq(gw_buf_appendf(&b, "%s=%d", "a", 1), GW_OK);
	ck_assert_int_eq(gw_buf_appendf(&b, "&%s=%05.1f", "b", 2.5), GW_OK);
	ck_assert_int_eq(gw_buf_appendf(&b, "%s", ""), GW_OK);
	ck_assert_str_eq(gw_buf_str(&b), "a=1&b=002.5");
	/* Longer than the first allocation, so the formatted text needs growth. */
	memset(want, 'z', 300);
	want[300] = '\0';
	ck_assert_int_eq(gw_buf_appendf(&b, "[%s]", want), GW_OK);
	ck_assert_uint_eq(b.len, 11 + 302);
	ck_assert_int_eq(b.data[11], '[');
	ck_assert_int_eq(b.data[312], ']');
	for (i = 12; i < 312; i++)
		ck_assert_int_eq(b.data[i], 'z');
	ck_assert_int_eq(b.data[313], '\0');
	gw_buf_deinit(&b);
}
END_TEST

START_TEST(test_buf_appendf_fills_to_max)
{
	struct gw_buf b;

	gw_buf_init(&b, 6);
	ck_assert_int_eq(gw_buf_appendf(&b, "%d-%d", 12, 345), GW_OK);
	ck_assert_str_eq(gw_buf_str(&b), "12-345");
	ck_assert_int_eq(gw_buf_appendf(&b, "%s", ""), GW_OK);
	ck_assert_int_eq(gw_buf_appendf(&b, "%c", 'x'), GW_E_TOO_LARGE);
	ck_assert_str_eq(gw_buf_str(&b), "12-345");
	gw_buf_deinit(&b);
}
END_TEST

START_TEST(test_buf_reset_keeps_storage)
{
	struct gw_buf b;
	char *data;

	gw_buf_init(&b, 100);
	gw_buf_reset(&b); /* on an empty buffer too */
	ck_assert_int_eq(gw_buf_append_str(&b, "hello"), GW_OK);
	data = b.data;
	gw_buf_reset(&b);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_ptr_eq(b.data, data);
	ck_assert_str_eq(gw_buf_str(&b), "");
	ck_assert_int_eq(gw_buf_append_str(&b, "again"), GW_OK);
	ck_assert_str_eq(gw_buf_str(&b), "again");
	gw_buf_deinit(&b);
}
END_TEST

START_TEST(test_buf_take_moves_contents)
{
	struct gw_buf b;
	size_t len = 0;
	char *s;

	gw_buf_init(&b, 100);
	ck_assert_int_eq(gw_buf_append_str(&b, "owned"), GW_OK);
	s = gw_buf_take(&b, &len);
	ck_assert_str_eq(s, "owned");
	ck_assert_uint_eq(len, 5);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(gw_buf_str(&b), "");
	free(s);
	/* The buffer is reusable, with the same cap. */
	ck_assert_int_eq(gw_buf_append_str(&b, "next"), GW_OK);
	s = gw_buf_take(&b, NULL);
	ck_assert_str_eq(s, "next");
	free(s);
	ck_assert_uint_eq(b.max, 100);
	gw_buf_deinit(&b);
}
END_TEST

START_TEST(test_buf_take_empty_gives_empty_string)
{
	struct gw_buf b;
	size_t len = 99;
	char *s;

	gw_buf_init(&b, 100);
	s = gw_buf_take(&b, &len);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "");
	ck_assert_uint_eq(len, 0);
	free(s);
	gw_buf_deinit(&b);
}
END_TEST

START_TEST(test_buf_deinit_leaves_reusable_buffer)
{
	struct gw_buf b;

	gw_buf_init(&b, 100);
	ck_assert_int_eq(gw_buf_append_str(&b, "x"), GW_OK);
	gw_buf_deinit(&b);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(gw_buf_str(&b), "");
	gw_buf_deinit(&b);
	ck_assert_int_eq(gw_buf_append_str(&b, "y"), GW_OK);
	ck_assert_str_eq(gw_buf_str(&b), "y");
	gw_buf_deinit(&b);
}
END_TEST

START_TEST(test_buf_truncate)
{
	struct gw_buf b;

	gw_buf_init(&b, 64);
	gw_buf_truncate(&b, 0); /* nothing yet: fine */
	ck_assert_int_eq(gw_buf_append_str(&b, "abcdef"), GW_OK);
	gw_buf_truncate(&b, 10); /* past the end: unchanged */
	ck_assert_str_eq(gw_buf_str(&b), "abcdef");
	gw_buf_truncate(&b, 3);
	ck_assert_uint_eq(b.len, 3);
	ck_assert_str_eq(gw_buf_str(&b), "abc");
	ck_assert_int_eq(gw_buf_append_str(&b, "xy"), GW_OK);
	ck_assert_str_eq(gw_buf_str(&b), "abcxy");
	gw_buf_truncate(&b, 0);
	ck_assert_str_eq(gw_buf_str(&b), "");
	gw_buf_deinit(&b);
}
END_TEST

static Suite *buf_suite(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_buf_truncate);
	tcase_add_test(tc, test_buf_init_is_empty);
	tcase_add_test(tc, test_buf_append_grows);
	tcase_add_test(tc, test_buf_append_kinds);
	tcase_add_test(tc, test_buf_binary_data);
	tcase_add_test(tc, test_buf_cap_is_exact);
	tcase_add_test(tc, test_buf_storage_never_exceeds_max);
	tcase_add_test(tc, test_buf_too_large_leaves_buffer_unchanged);
	tcase_add_test(tc, test_buf_max_zero);
	tcase_add_test(tc, test_buf_appendf);
	tcase_add_test(tc, test_buf_appendf_fills_to_max);
	tcase_add_test(tc, test_buf_reset_keeps_storage);
	tcase_add_test(tc, test_buf_take_moves_contents);
	tcase_add_test(tc, test_buf_take_empty_gives_empty_string);
	tcase_add_test(tc, test_buf_deinit_leaves_reusable_buffer);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(buf_suite)
