/*
 * check_conn_guard.c - the connection guard with an injected clock and a
 * recording shut callback: header deadlines for new and kept-alive
 * connections, the per-IP cap displacing the oldest waiting connection or
 * refusing, the reserve, and busy connections never touched.
 */
#include <string.h>

#include "conn_guard.h"
#include "testutil.h"

static int shut_fds[64];
static size_t n_shut;

static void record_shut(void *arg, int fd)
{
	(void)arg;
	ck_assert_uint_lt(n_shut, 64);
	shut_fds[n_shut++] = fd;
}

static struct gw_conn_guard *guard(unsigned max, unsigned reserve, unsigned per_ip)
{
	struct gw_conn_guard_opts o = {
		.max_connections = max,
		.reserve = reserve,
		.per_ip = per_ip,
		.header_timeout_ms = 10000,
		.idle_timeout_ms = 30000,
		.shut = record_shut,
	};
	struct gw_conn_guard *g = gw_conn_guard_new(&o);

	ck_assert_ptr_nonnull(g);
	n_shut = 0;
	return g;
}

static void ip(uint8_t out[16], uint8_t last)
{
	memset(out, 0, 16);
	out[10] = 0xff;
	out[11] = 0xff;
	out[12] = 10;
	out[15] = last;
}

START_TEST(test_conn_guard_header_deadline)
{
	struct gw_conn_guard *g = guard(100, 0, 0);
	uint8_t a[16];
	struct gw_conn *c1, *c2;

	ip(a, 1);
	c1 = gw_conn_guard_open(g, 11, a, 1000);
	c2 = gw_conn_guard_open(g, 12, a, 5000);
	ck_assert_uint_eq(gw_conn_guard_sweep(g, 1000), 10000);
	ck_assert_uint_eq(n_shut, 0);
	ck_assert_uint_eq(gw_conn_guard_sweep(g, 10999), 1);
	ck_assert_uint_eq(n_shut, 0);
	/* c1's head is due at 11000; c2 at 15000. */
	ck_assert_uint_eq(gw_conn_guard_sweep(g, 11000), 4000);
	ck_assert_uint_eq(n_shut, 1);
	ck_assert_int_eq(shut_fds[0], 11);
	/* Shut once only. */
	gw_conn_guard_sweep(g, 12000);
	ck_assert_uint_eq(n_shut, 1);
	gw_conn_guard_close(g, c1);
	gw_conn_guard_close(g, c2);
	gw_conn_guard_free(g);
}
END_TEST

START_TEST(test_conn_guard_busy_is_never_timed_out)
{
	struct gw_conn_guard *g = guard(100, 0, 0);
	struct gw_conn_guard_stats st;
	uint8_t a[16];
	struct gw_conn *c;

	ip(a, 1);
	c = gw_conn_guard_open(g, 11, a, 0);
	gw_conn_guard_busy(g, c);
	ck_assert_uint_eq(gw_conn_guard_sweep(g, 1000000), UINT64_MAX);
	ck_assert_uint_eq(n_shut, 0);
	/* Kept alive: the idle window, then the header deadline. */
	gw_conn_guard_idle(g, c, 1000000);
	gw_conn_guard_sweep(g, 1000000 + 30000 + 9999);
	ck_assert_uint_eq(n_shut, 0);
	gw_conn_guard_sweep(g, 1000000 + 30000 + 10000);
	ck_assert_uint_eq(n_shut, 1);
	gw_conn_guard_stats(g, &st);
	ck_assert_uint_eq(st.timed_out, 1);
	ck_assert_uint_eq(st.open, 0);
	gw_conn_guard_close(g, c);
	gw_conn_guard_free(g);
}
END_TEST

START_TEST(test_conn_guard_no_deadline_when_zero)
{
	struct gw_conn_guard_opts o = {.max_connections = 10, .shut = record_shut};
	struct gw_conn_guard *g = gw_conn_guard_new(&o);
	uint8_t a[16];
	struct gw_conn *c;

	n_shut = 0;
	ip(a, 1);
	c = gw_conn_guard_open(g, 3, a, 0);
	ck_assert_uint_eq(gw_conn_guard_sweep(g, UINT64_MAX - 1), UINT64_MAX);
	ck_assert_uint_eq(n_shut, 0);
	gw_conn_guard_close(g, c);
	gw_conn_guard_free(g);
}
END_TEST

START_TEST(test_conn_guard_per_ip_displaces_oldest_waiting)
{
	struct gw_conn_guard *g = guard(100, 0, 2);
	uint8_t a[16], b[16];
	struct gw_conn *c[4];
	struct gw_conn_guard_stats st;
	int i;

	ip(a, 1);
	ip(b, 2);
	c[0] = gw_conn_guard_open(g, 10, a, 100);
	c[1] = gw_conn_guard_open(g, 11, a, 200);
	c[2] = gw_conn_guard_open(g, 20, b, 300); /* another address: not counted */
	ck_assert_uint_eq(n_shut, 0);
	c[3] = gw_conn_guard_open(g, 12, a, 400);
	ck_assert_uint_eq(n_shut, 1);
	ck_assert_int_eq(shut_fds[0], 10);
	gw_conn_guard_stats(g, &st);
	ck_assert_uint_eq(st.displaced, 1);
	ck_assert_uint_eq(st.open, 3);
	for (i = 0; i < 4; i++)
		gw_conn_guard_close(g, c[i]);
	gw_conn_guard_stats(g, &st);
	ck_assert_uint_eq(st.open, 0);
	gw_conn_guard_free(g);
}
END_TEST

START_TEST(test_conn_guard_per_ip_refuses_when_all_busy)
{
	struct gw_conn_guard *g = guard(100, 0, 2);
	uint8_t a[16];
	struct gw_conn *c[3];
	struct gw_conn_guard_stats st;
	int i;

	ip(a, 1);
	c[0] = gw_conn_guard_open(g, 10, a, 100);
	c[1] = gw_conn_guard_open(g, 11, a, 200);
	gw_conn_guard_busy(g, c[0]);
	gw_conn_guard_busy(g, c[1]);
	c[2] = gw_conn_guard_open(g, 12, a, 300);
	ck_assert_uint_eq(n_shut, 1);
	ck_assert_int_eq(shut_fds[0], 12);
	gw_conn_guard_stats(g, &st);
	ck_assert_uint_eq(st.refused, 1);
	ck_assert_uint_eq(st.displaced, 0);
	for (i = 0; i < 3; i++)
		gw_conn_guard_close(g, c[i]);
	gw_conn_guard_free(g);
}
END_TEST

START_TEST(test_conn_guard_reserve_makes_room)
{
	struct gw_conn_guard *g = guard(8, 2, 0);
	uint8_t a[16];
	struct gw_conn *c[9];
	int i;

	for (i = 0; i < 6; i++) {
		ip(a, (uint8_t)i);
		c[i] = gw_conn_guard_open(g, 100 + i, a, (uint64_t)i * 10);
	}
	ck_assert_uint_eq(n_shut, 0);
	gw_conn_guard_busy(g, c[0]); /* the oldest is working: skipped */
	ip(a, 7);
	c[6] = gw_conn_guard_open(g, 106, a, 100);
	ck_assert_uint_eq(n_shut, 1);
	ck_assert_int_eq(shut_fds[0], 101);
	ip(a, 8);
	c[7] = gw_conn_guard_open(g, 107, a, 110);
	ck_assert_uint_eq(n_shut, 2);
	ck_assert_int_eq(shut_fds[1], 102);
	for (i = 0; i < 8; i++)
		gw_conn_guard_close(g, c[i]);
	gw_conn_guard_free(g);
}
END_TEST

START_TEST(test_conn_guard_reserve_zero_never_displaces)
{
	struct gw_conn_guard *g = guard(4, 0, 0);
	uint8_t a[16];
	struct gw_conn *c[6];
	int i;

	ip(a, 1);
	for (i = 0; i < 6; i++)
		c[i] = gw_conn_guard_open(g, 100 + i, a, (uint64_t)i);
	ck_assert_uint_eq(n_shut, 0);
	for (i = 0; i < 6; i++)
		gw_conn_guard_close(g, c[i]);
	gw_conn_guard_free(g);
}
END_TEST

static Suite *conn_guard_suite(void)
{
	Suite *s = suite_create("conn_guard");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_conn_guard_header_deadline);
	tcase_add_test(tc, test_conn_guard_busy_is_never_timed_out);
	tcase_add_test(tc, test_conn_guard_no_deadline_when_zero);
	tcase_add_test(tc, test_conn_guard_per_ip_displaces_oldest_waiting);
	tcase_add_test(tc, test_conn_guard_per_ip_refuses_when_all_busy);
	tcase_add_test(tc, test_conn_guard_reserve_makes_room);
	tcase_add_test(tc, test_conn_guard_reserve_zero_never_displaces);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(conn_guard_suite)
