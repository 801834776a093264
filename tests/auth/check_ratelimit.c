/*
 * check_ratelimit.c - the token-bucket table with an injected clock: burst
 * then exactly the rate, Retry-After values, capped refill, independent
 * keys, rate and burst changes (a reload), eviction under capacity
 * pressure (idle keys go first, a new key always gets a bucket, busy keys
 * survive churn), long keys, and exact accounting when threads hammer the
 * table under a frozen clock.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "ratelimit.h"
#include "testutil.h"

#define S_NS 1000000000ull
#define MS_NS 1000000ull
#define T0 (1000 * S_NS) /* an arbitrary clock origin */

static struct gw_ratelimit *rl;

static void setup(void)
{
	rl = gw_ratelimit_new(1024);
	ck_assert_ptr_nonnull(rl);
}

static void teardown(void)
{
	gw_ratelimit_free(rl);
	rl = NULL;
}

/* Takes until denied (at most limit times); returns the number of successes. */
static unsigned drain(const char *key, double rate, double burst, uint64_t now, unsigned limit)
{
	unsigned n = 0;

	while (n < limit && gw_ratelimit_take(rl, key, rate, burst, now, NULL))
		n++;
	return n;
}

START_TEST(test_ratelimit_new_and_free)
{
	struct gw_ratelimit *r;

	ck_assert_ptr_null(gw_ratelimit_new(0));
	ck_assert_ptr_null(gw_ratelimit_new((size_t)GW_RATELIMIT_MAX_CAPACITY + 1));
	r = gw_ratelimit_new(1);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(gw_ratelimit_count(r), 0);
	gw_ratelimit_free(r);
	r = gw_ratelimit_new(GW_RATELIMIT_DEFAULT_CAPACITY);
	ck_assert_ptr_nonnull(r);
	gw_ratelimit_free(r);
	gw_ratelimit_free(NULL);
}
END_TEST

START_TEST(test_ratelimit_burst_then_rate)
{
	uint64_t now = T0;
	unsigned total;
	int step;

	/* 10/s with a burst of 5: five at once, then one every 100 ms. */
	ck_assert_uint_eq(drain("alice", 10, 5, now, 100), 5);
	ck_assert(!gw_ratelimit_take(rl, "alice", 10, 5, now, NULL));
	total = 0;
	for (step = 1; step <= 100; step++) {
		now += 100 * MS_NS;
		ck_assert_uint_eq(drain("alice", 10, 5, now, 100), 1);
		total++;
	}
	ck_assert_uint_eq(total, 100); /* 10 s at 10/s */
	/* Half a period gives nothing, the other half one token. */
	now += 50 * MS_NS;
	ck_assert(!gw_ratelimit_take(rl, "alice", 10, 5, now, NULL));
	now += 50 * MS_NS;
	ck_assert(gw_ratelimit_take(rl, "alice", 10, 5, now, NULL));
	ck_assert(!gw_ratelimit_take(rl, "alice", 10, 5, now, NULL));
}
END_TEST

START_TEST(test_ratelimit_rate_over_a_minute)
{
	uint64_t now = T0;
	unsigned total = 0;
	int ms;

	/* Requests every millisecond for 60 s at 3/s, burst 7: 7 + 3 * 60 served. */
	for (ms = 0; ms < 60000; ms++) {
		if (gw_ratelimit_take(rl, "steady", 3, 7, now, NULL))
			total++;
		now += MS_NS;
	}
	if (gw_ratelimit_take(rl, "steady", 3, 7, now, NULL))
		total++;
	ck_assert_uint_eq(total, 7 + 3 * 60);
}
END_TEST

START_TEST(test_ratelimit_small_steps_exact)
{
	static const double rates[] = {0.3, 1.1, 2.2, 9.9};
	size_t r;

	/*
	 * Refill in 1 ms steps for 100 s adds up to exactly rate * 100
	 * tokens: rounding in the sums must not hold back a token that is
	 * due. (Burst 2, so no token overflows the bucket between polls.)
	 */
	for (r = 0; r < GW_ARRAY_SIZE(rates); r++) {
		char key[16];
		uint64_t now = T0;
		unsigned n = 0;
		int ms;

		snprintf(key, sizeof(key), "r%zu", r);
		ck_assert_uint_eq(drain(key, rates[r], 2, now, 10), 2);
		for (ms = 1; ms <= 100000; ms++) {
			now += MS_NS;
			if (gw_ratelimit_take(rl, key, rates[r], 2, now, NULL))
				n++;
		}
		ck_assert_msg(n == (unsigned)(rates[r] * 100.0 + 0.5), "rate %g served %u",
			      rates[r], n);
	}
}
END_TEST

START_TEST(test_ratelimit_retry_after)
{
	double ra = -1.0;

	ck_assert(gw_ratelimit_take(rl, "k", 2, 1, T0, &ra));
	ck_assert_double_eq(ra, -1.0); /* untouched on success */
	ck_assert(!gw_ratelimit_take(rl, "k", 2, 1, T0, &ra));
	ck_assert_double_eq_tol(ra, 0.5, 1e-9);
	ck_assert(!gw_ratelimit_take(rl, "k", 2, 1, T0 + 200 * MS_NS, &ra));
	ck_assert_double_eq_tol(ra, 0.3, 1e-9);
	ck_assert(gw_ratelimit_take(rl, "k", 2, 1, T0 + 500 * MS_NS, &ra));
	/* Slow rates give long waits: one per minute. */
	ck_assert(gw_ratelimit_take(rl, "slow", 1.0 / 60.0, 1, T0, &ra));
	ck_assert(!gw_ratelimit_take(rl, "slow", 1.0 / 60.0, 1, T0 + S_NS, &ra));
	ck_assert_double_eq_tol(ra, 59.0, 1e-6);
	/* NULL is a valid out-parameter. */
	ck_assert(!gw_ratelimit_take(rl, "slow", 1.0 / 60.0, 1, T0 + S_NS, NULL));
}
END_TEST

START_TEST(test_ratelimit_retry_after_header)
{
	ck_assert_uint_eq(gw_ratelimit_retry_after_header(0.0), 1);
	ck_assert_uint_eq(gw_ratelimit_retry_after_header(1e-9), 1);
	ck_assert_uint_eq(gw_ratelimit_retry_after_header(0.3), 1);
	ck_assert_uint_eq(gw_ratelimit_retry_after_header(1.0), 1);
	ck_assert_uint_eq(gw_ratelimit_retry_after_header(1.0001), 2);
	ck_assert_uint_eq(gw_ratelimit_retry_after_header(2.0), 2);
	ck_assert_uint_eq(gw_ratelimit_retry_after_header(59.5), 60);
	ck_assert_uint_eq(gw_ratelimit_retry_after_header(1e12), 86400);
	ck_assert_uint_eq(gw_ratelimit_retry_after_header(-5.0), 1);
	ck_assert_uint_eq(gw_ratelimit_retry_after_header(NAN), 1);
	ck_assert_uint_eq(gw_ratelimit_retry_after_header(INFINITY), 86400);
}
END_TEST

START_TEST(test_ratelimit_refill_capped_at_burst)
{
	ck_assert_uint_eq(drain("k", 1, 4, T0, 100), 4);
	/* An hour idle refills to the burst, not to 3600. */
	ck_assert_uint_eq(drain("k", 1, 4, T0 + 3600 * S_NS, 100), 4);
	/* Partial refill: 2.5 s at 1/s gives 2 now, and the half token is kept. */
	ck_assert_uint_eq(drain("k", 1, 4, T0 + 3602 * S_NS + 500 * MS_NS, 100), 2);
	ck_assert_uint_eq(drain("k", 1, 4, T0 + 3603 * S_NS, 100), 1);
}
END_TEST

START_TEST(test_ratelimit_keys_independent)
{
	ck_assert_uint_eq(drain("a", 1, 3, T0, 100), 3);
	ck_assert_uint_eq(drain("b", 1, 3, T0, 100), 3);
	ck_assert(!gw_ratelimit_take(rl, "a", 1, 3, T0, NULL));
	ck_assert(gw_ratelimit_take(rl, "c", 1, 3, T0, NULL));
	/* Different limits per key. */
	ck_assert_uint_eq(drain("big", 100, 50, T0, 1000), 50);
	ck_assert_uint_eq(drain("small", 100, 2, T0, 1000), 2);
	/* Keys are compared exactly: case, prefixes, the empty key. */
	ck_assert_uint_eq(drain("A", 1, 3, T0, 100), 3);
	ck_assert_uint_eq(drain("a:create", 1, 3, T0, 100), 3);
	ck_assert_uint_eq(drain("", 1, 3, T0, 100), 3);
	ck_assert(!gw_ratelimit_take(rl, "", 1, 3, T0, NULL));
	ck_assert_uint_eq(gw_ratelimit_count(rl), 8);
}
END_TEST

START_TEST(test_ratelimit_long_keys)
{
	char k1[300];
	char k2[300];
	char k3[300];

	memset(k1, 'x', sizeof(k1) - 1);
	k1[sizeof(k1) - 1] = '\0';
	memcpy(k2, k1, sizeof(k1));
	k2[sizeof(k2) - 2] = 'y'; /* differs after the kept prefix */
	memcpy(k3, k1, sizeof(k1));
	k3[200] = '\0'; /* same prefix, other length */
	ck_assert_uint_eq(drain(k1, 1, 2, T0, 100), 2);
	ck_assert_uint_eq(drain(k2, 1, 2, T0, 100), 2);
	ck_assert_uint_eq(drain(k3, 1, 2, T0, 100), 2);
	ck_assert(!gw_ratelimit_take(rl, k1, 1, 2, T0, NULL));
	ck_assert_uint_eq(gw_ratelimit_count(rl), 3);
}
END_TEST

START_TEST(test_ratelimit_rate_change)
{
	uint64_t now = T0;

	/* 1/s burst 10, emptied; a reload makes it 100/s burst 2. */
	ck_assert_uint_eq(drain("t", 1, 10, now, 100), 10);
	now += S_NS;
	ck_assert_uint_eq(drain("t", 100, 2, now, 100), 2); /* capped at the new burst */
	now += 10 * MS_NS;
	ck_assert_uint_eq(drain("t", 100, 2, now, 100), 1); /* the new rate refills */
	/* A full bucket shrinks at once when the burst goes down. */
	now += 60 * S_NS;
	ck_assert_uint_eq(drain("u", 1, 10, now, 100), 10);
	now += 60 * S_NS;
	ck_assert_uint_eq(drain("u", 1, 3, now, 100), 3);
	/* A larger burst does not fill the bucket; it lets it refill further. */
	now += 5 * S_NS;
	ck_assert_uint_eq(drain("u", 1, 10, now, 100), 5);
	/* Limits switched off and on again: the bucket is where it was. */
	ck_assert(gw_ratelimit_take(rl, "u", 0, 10, now, NULL));
	ck_assert(!gw_ratelimit_take(rl, "u", 1, 10, now, NULL));
}
END_TEST

START_TEST(test_ratelimit_no_limit)
{
	int i;

	for (i = 0; i < 1000; i++) {
		ck_assert(gw_ratelimit_take(rl, "free", 0.0, 1, T0, NULL));
		ck_assert(gw_ratelimit_take(rl, "free", -1.0, 1, T0, NULL));
		ck_assert(gw_ratelimit_take(rl, "free", NAN, 1, T0, NULL));
		ck_assert(gw_ratelimit_take(rl, "free", INFINITY, 1, T0, NULL));
	}
	ck_assert_uint_eq(gw_ratelimit_count(rl), 0);
}
END_TEST

START_TEST(test_ratelimit_burst_below_one)
{
	double ra = 0.0;

	/* A burst under 1 (or NaN) is one request. */
	ck_assert_uint_eq(drain("z", 1, 0, T0, 100), 1);
	ck_assert_uint_eq(drain("h", 1, 0.5, T0, 100), 1);
	ck_assert_uint_eq(drain("n", 1, NAN, T0, 100), 1);
	ck_assert(!gw_ratelimit_take(rl, "n", 1, NAN, T0, &ra));
	ck_assert_double_eq_tol(ra, 1.0, 1e-9);
	/* A huge burst is served and stays finite. */
	ck_assert_uint_eq(drain("inf", 1, INFINITY, T0, 1000), 1000);
}
END_TEST

START_TEST(test_ratelimit_clock_backwards)
{
	ck_assert_uint_eq(drain("k", 1, 2, T0 + 10 * S_NS, 100), 2);
	/* A thread with an older reading gets no refill and does not rewind the bucket. */
	ck_assert(!gw_ratelimit_take(rl, "k", 1, 2, T0, NULL));
	ck_assert(!gw_ratelimit_take(rl, "k", 1, 2, T0 + 10 * S_NS, NULL));
	ck_assert_uint_eq(drain("k", 1, 2, T0 + 11 * S_NS, 100), 1);
}
END_TEST

START_TEST(test_ratelimit_capacity_evicts_idle)
{
	struct gw_ratelimit *small = gw_ratelimit_new(64);
	uint64_t now = T0;
	char key[32];
	int i;

	ck_assert_ptr_nonnull(small);
	/* Twenty times more keys than fit; each is idle (full) again a second later. */
	for (i = 0; i < 64 * 20; i++) {
		snprintf(key, sizeof(key), "client-%d", i);
		ck_assert(gw_ratelimit_take(small, key, 1, 1, now, NULL));
		ck_assert(!gw_ratelimit_take(small, key, 1, 1, now, NULL));
		ck_assert_uint_le(gw_ratelimit_count(small), 64);
		now += S_NS;
	}
	ck_assert_uint_eq(gw_ratelimit_count(small), 64);
	gw_ratelimit_free(small);
}
END_TEST

START_TEST(test_ratelimit_capacity_new_key_never_blocked)
{
	struct gw_ratelimit *small = gw_ratelimit_new(16);
	char key[32];
	int i;

	ck_assert_ptr_nonnull(small);
	/* Frozen clock, every bucket busy: each new key still gets its first request. */
	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "busy-%d", i);
		ck_assert(gw_ratelimit_take(small, key, 0.001, 1, T0, NULL));
		ck_assert_uint_le(gw_ratelimit_count(small), 16);
	}
	gw_ratelimit_free(small);
	/* A table of one. */
	small = gw_ratelimit_new(1);
	ck_assert_ptr_nonnull(small);
	ck_assert(gw_ratelimit_take(small, "a", 1, 1, T0, NULL));
	ck_assert(gw_ratelimit_take(small, "b", 1, 1, T0, NULL));
	ck_assert(!gw_ratelimit_take(small, "b", 1, 1, T0, NULL));
	ck_assert_uint_eq(gw_ratelimit_count(small), 1);
	gw_ratelimit_free(small);
}
END_TEST

START_TEST(test_ratelimit_idle_keys_go_first)
{
	char key[32];
	uint64_t now = T0;
	int i;
	int j;

	/* Sixteen exhausted keys that refill only once a day. */
	for (j = 0; j < 16; j++) {
		snprintf(key, sizeof(key), "hot-%d", j);
		ck_assert_uint_eq(drain(key, 1.0 / 86400.0, 1, now, 10), 1);
	}
	/*
	 * 20,000 passing keys, idle a millisecond later. The hot keys are
	 * the least recently used entries, but an idle bucket is forgotten
	 * first: a hot key must never come back with a full bucket.
	 */
	for (i = 0; i < 20000; i++) {
		snprintf(key, sizeof(key), "pass-%d", i);
		ck_assert(gw_ratelimit_take(rl, key, 1000, 1, now, NULL));
		now += MS_NS;
		if (i % 997 != 0)
			continue;
		for (j = 0; j < 16; j++) {
			snprintf(key, sizeof(key), "hot-%d", j);
			ck_assert_msg(!gw_ratelimit_take(rl, key, 1.0 / 86400.0, 1, now, NULL),
				      "%s forgotten after %d passing keys", key, i + 1);
		}
	}
	ck_assert_uint_le(gw_ratelimit_count(rl), 1024);
}
END_TEST

#define HOT_KEYS 256

START_TEST(test_ratelimit_busy_keys_survive_churn)
{
	static char hot[HOT_KEYS][16];
	char key[32];
	uint64_t now = T0;
	int i;
	int j;

	/* Fill the table with idle keys first, so hot keys land behind them in probe runs. */
	for (i = 0; i < 2000; i++) {
		snprintf(key, sizeof(key), "early-%d", i);
		ck_assert(gw_ratelimit_take(rl, key, 1000, 1, now, NULL));
		now += MS_NS;
	}
	/* A quarter of the table: exhausted keys that refill only once a day. */
	for (j = 0; j < HOT_KEYS; j++) {
		snprintf(hot[j], sizeof(hot[j]), "hot-%d", j);
		ck_assert_uint_eq(drain(hot[j], 1.0 / 86400.0, 1, now, 10), 1);
	}
	/*
	 * Evicting the idle keys in front of a hot key must keep the hot key
	 * reachable (deletion shifts the run back). A broken probe run would
	 * show as a hot key found no more, back with a full bucket. 1,500
	 * passing keys replace every idle entry of the 64 stripes.
	 */
	for (i = 0; i < 1500; i++) {
		snprintf(key, sizeof(key), "pass-%d", i);
		ck_assert(gw_ratelimit_take(rl, key, 1000, 1, now, NULL));
		now += MS_NS;
		for (j = 0; j < HOT_KEYS; j++) {
			if (gw_ratelimit_take(rl, hot[j], 1.0 / 86400.0, 1, now, NULL))
				ck_abort_msg("%s forgotten after %d passing keys", hot[j], i + 1);
		}
	}
	ck_assert_uint_eq(gw_ratelimit_count(rl), 1024);
}
END_TEST

START_TEST(test_ratelimit_now_monotonic)
{
	uint64_t a = gw_ratelimit_now_ns();
	uint64_t b = gw_ratelimit_now_ns();

	ck_assert_uint_gt(a, 0);
	ck_assert_uint_ge(b, a);
}
END_TEST

#define THREADS 8
#define TAKES_PER_THREAD 20000
#define SHARED_KEYS 8

struct hammer {
	pthread_t tid;
	int index;
	unsigned ok;
	unsigned ok_per_key[SHARED_KEYS];
	unsigned refused_new; /* first takes of new keys refused (must stay 0) */
};

static void *hammer_one_key(void *arg)
{
	struct hammer *h = arg;
	int i;

	for (i = 0; i < TAKES_PER_THREAD; i++) {
		if (gw_ratelimit_take(rl, "shared", 1.0, 5000.0, T0, NULL))
			h->ok++;
	}
	return NULL;
}

static void *hammer_many_keys(void *arg)
{
	struct hammer *h = arg;
	char key[32];
	int i;

	for (i = 0; i < TAKES_PER_THREAD; i++) {
		int k = (i + h->index) % SHARED_KEYS;

		snprintf(key, sizeof(key), "shared-%d", k);
		if (gw_ratelimit_take(rl, key, 2.0, 100.0 * (k + 1), T0, NULL))
			h->ok_per_key[k]++;
		/*
		 * Churn private keys too, so inserts and evictions race with
		 * takes. Their huge burst keeps them fuller than any shared key
		 * after its first take, so eviction picks them first.
		 */
		snprintf(key, sizeof(key), "own-%d-%d", h->index, i);
		if (!gw_ratelimit_take(rl, key, 2.0, 1e6, T0, NULL))
			h->refused_new++;
	}
	return NULL;
}

static void run_threads(void *(*fn)(void *), struct hammer *h)
{
	int i;

	for (i = 0; i < THREADS; i++) {
		memset(&h[i], 0, sizeof(h[i]));
		h[i].index = i;
		ck_assert_int_eq(pthread_create(&h[i].tid, NULL, fn, &h[i]), 0);
	}
	for (i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_join(h[i].tid, NULL), 0);
}

START_TEST(test_ratelimit_threads_exact_accounting)
{
	struct hammer h[THREADS];
	unsigned total = 0;
	int i;

	/* 160,000 attempts on one key under a frozen clock: exactly the burst succeeds. */
	run_threads(hammer_one_key, h);
	for (i = 0; i < THREADS; i++)
		total += h[i].ok;
	ck_assert_uint_eq(total, 5000);
}
END_TEST

START_TEST(test_ratelimit_threads_many_keys)
{
	struct hammer h[THREADS];
	int i;
	int k;

	/*
	 * 160,000 private keys churn through the 1024-entry table while eight
	 * threads drain the shared keys: the fullest-first eviction always
	 * forgets a private key, so each shared key serves exactly its burst.
	 */
	run_threads(hammer_many_keys, h);
	for (k = 0; k < SHARED_KEYS; k++) {
		unsigned total = 0;

		for (i = 0; i < THREADS; i++)
			total += h[i].ok_per_key[k];
		ck_assert_uint_eq(total, 100u * (unsigned)(k + 1));
	}
	for (i = 0; i < THREADS; i++)
		ck_assert_uint_eq(h[i].refused_new, 0);
	ck_assert_uint_le(gw_ratelimit_count(rl), 1024);
}
END_TEST

static Suite *ratelimit_suite(void)
{
	Suite *s = suite_create("ratelimit");
	TCase *tc = tcase_create("buckets");
	TCase *cap = tcase_create("capacity");
	TCase *mt = tcase_create("threads");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_ratelimit_new_and_free);
	tcase_add_test(tc, test_ratelimit_burst_then_rate);
	tcase_add_test(tc, test_ratelimit_rate_over_a_minute);
	tcase_add_test(tc, test_ratelimit_small_steps_exact);
	tcase_add_test(tc, test_ratelimit_retry_after);
	tcase_add_test(tc, test_ratelimit_retry_after_header);
	tcase_add_test(tc, test_ratelimit_refill_capped_at_burst);
	tcase_add_test(tc, test_ratelimit_keys_independent);
	tcase_add_test(tc, test_ratelimit_long_keys);
	tcase_add_test(tc, test_ratelimit_rate_change);
	tcase_add_test(tc, test_ratelimit_no_limit);
	tcase_add_test(tc, test_ratelimit_burst_below_one);
	tcase_add_test(tc, test_ratelimit_clock_backwards);
	tcase_add_test(tc, test_ratelimit_now_monotonic);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(cap, setup, teardown);
	tcase_add_test(cap, test_ratelimit_capacity_evicts_idle);
	tcase_add_test(cap, test_ratelimit_capacity_new_key_never_blocked);
	tcase_add_test(cap, test_ratelimit_idle_keys_go_first);
	tcase_set_timeout(cap, 60);
	tcase_add_test(cap, test_ratelimit_busy_keys_survive_churn);
	suite_add_tcase(s, cap);

	tcase_add_checked_fixture(mt, setup, teardown);
	tcase_set_timeout(mt, 60);
	tcase_add_test(mt, test_ratelimit_threads_exact_accounting);
	tcase_add_test(mt, test_ratelimit_threads_many_keys);
	suite_add_tcase(s, mt);
	return s;
}

GW_TEST_MAIN(ratelimit_suite)
