/*
 * check_upstream_lanes.c - one breaker per BBB server: calls that name a
 * lane answer to its breaker, calls that name none to their group's. A
 * lane's server is either the BBB simulator (live) or a loopback port that
 * refuses connections (dead).
 *
 * Every case runs on a threaded pool and on a loop's pool driven by the
 * test's thread, but the one that needs a thread of the pool's own.
 * Check forks each test, so the simulator and the pools start in a checked
 * fixture inside the child.
 */
#include <check.h>
#include <curl/curl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bbbsim.h"
#include "log.h"
#include "testutil.h"
#include "upstream.h"
#include "upstreamfix.h"

#define ROOT "/bigbluebutton/api"
#define FAILURES 3
#define COOLDOWN_MS 200

static const struct gw_upstream_opts opts = {
	.connect_timeout_ms = 1000,
	.max_host_connections = 8,
	.retry = true,
	.breaker_failures = FAILURES,
	.breaker_cooldown_ms = COOLDOWN_MS,
	.breaker_max_cooldown_ms = 2 * COOLDOWN_MS,
};

static struct bbbsim *sim; /* the live server */
static int dead_fd = -1;
static unsigned dead_port;
static struct gw_upstream_group *group;
static struct gw_upstream_lane *lane_a;
static struct gw_upstream_lane *lane_b;

static void begin(void)
{
	struct bbbsim_opts so = {.secret = ""};

	gw_log_setup(GW_LOG_ERR, GW_LOG_FORMAT_TEXT);
	ck_assert_int_eq(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
	completions_reset();
	sim = bbbsim_start(&so);
	ck_assert_ptr_nonnull(sim);
	dead_port = refusing_port(&dead_fd);
	ck_assert_int_eq(gw_upstream_group_new(&opts, 1, &group), GW_OK);
	ck_assert_int_eq(gw_upstream_lane_new(&opts, &lane_a), GW_OK);
	ck_assert_int_eq(gw_upstream_lane_new(&opts, &lane_b), GW_OK);
}

static void threaded_setup(void)
{
	begin();
	ck_assert_int_eq(gw_upstream_new_threaded(group, &up), GW_OK);
}

static void loop_setup(void)
{
	begin();
	loop_pool_new(group);
}

static void teardown(void)
{
	pools_free(&group);
	gw_upstream_lane_unref(lane_a);
	gw_upstream_lane_unref(lane_b);
	lane_a = NULL;
	lane_b = NULL;
	close(dead_fd);
	dead_fd = -1;
	bbbsim_stop(sim);
	sim = NULL;
	curl_global_cleanup();
}

/* A new pool of the fixture's kind in the fixture's group. */
static void new_pool(void)
{
	if (epfd >= 0)
		ck_assert_int_eq(gw_upstream_new_on(group, epfd, 0, &up), GW_OK);
	else
		ck_assert_int_eq(gw_upstream_new_threaded(group, &up), GW_OK);
}

/* A GET of the API root at port on lane (NULL: the group's breaker). */
static void call_at(struct tcall *t, unsigned port, struct gw_upstream_lane *lane)
{
	tcall_init_at(t, port, ROOT);
	t->c.lane = lane;
}

/* call_at the live server or the dead port. */
static void lane_call(struct tcall *t, struct gw_upstream_lane *lane, bool live)
{
	call_at(t, live ? bbbsim_port(sim) : dead_port, lane);
}

/* Runs t, checks its result and retries, deinits it; returns its HTTP status. */
static long run_expect(struct tcall *t, enum gw_err result, unsigned retries)
{
	long status;

	run_call(t);
	ck_assert_int_eq(t->c.result, result);
	ck_assert_uint_eq(t->c.retries, retries);
	status = t->c.http_status;
	gw_upstream_call_deinit(&t->c);
	return status;
}

/* Runs one lane_call on the fixture's pool; returns its result. */
static enum gw_err run_on(struct gw_upstream_lane *lane, bool live)
{
	struct tcall t;
	enum gw_err err;

	lane_call(&t, lane, live);
	run_call(&t);
	err = t.c.result;
	gw_upstream_call_deinit(&t.c);
	return err;
}

static bool breaker_open(struct gw_upstream_lane *lane)
{
	return lane != NULL ? gw_upstream_lane_breaker_open(lane)
			    : gw_upstream_group_breaker_open(group);
}

/* Calls the dead port on lane until its breaker opens (a retried call counts twice). */
static void open_breaker(struct gw_upstream_lane *lane)
{
	int i;

	for (i = 0; i < FAILURES && !breaker_open(lane); i++)
		ck_assert_int_eq(run_on(lane, false), GW_E_UPSTREAM_CONNECT);
	ck_assert(breaker_open(lane));
}

/* pool refuses a call on lane at once, with a time to come back; its done never runs. */
static void expect_fast_fail(struct gw_upstream *pool, struct gw_upstream_lane *lane)
{
	struct tcall t;

	lane_call(&t, lane, true);
	ck_assert_int_eq(gw_upstream_submit(pool, &t.c), GW_E_CIRCUIT_OPEN);
	ck_assert_uint_ge(t.c.retry_after_s, 1);
	ck_assert_int_eq(t.ndone, 0);
	gw_upstream_call_deinit(&t.c);
}

/* A loopback port that accepts connections into its backlog and never answers. */
static unsigned silent_port(int *fd)
{
	unsigned port = refusing_port(fd);

	ck_assert_int_eq(listen(*fd, 8), 0);
	return port;
}

/* Server A failing does not open B's breaker nor the group's; B's successes do not close A's. */
START_TEST(test_upstream_lanes_failures_stay_on_their_lane)
{
	int i;

	for (i = 0; i < FAILURES && !gw_upstream_lane_breaker_open(lane_a); i++) {
		ck_assert_int_eq(run_on(lane_a, false), GW_E_UPSTREAM_CONNECT);
		ck_assert_int_eq(run_on(lane_b, true), GW_OK);
	}
	ck_assert(gw_upstream_lane_breaker_open(lane_a));
	ck_assert_uint_eq(gw_upstream_lane_opened(lane_a), 1);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(run_on(lane_b, true), GW_OK);
	ck_assert(!gw_upstream_lane_breaker_open(lane_b));
	ck_assert_uint_eq(gw_upstream_lane_opened(lane_b), 0);
	ck_assert(!gw_upstream_group_breaker_open(group));
	ck_assert(!gw_upstream_breaker_open(up));
	ck_assert_int_eq(run_on(NULL, true), GW_OK);
}
END_TEST

START_TEST(test_upstream_lanes_open_lane_fails_fast)
{
	int before;

	open_breaker(lane_a);
	before = n_completed();
	expect_fast_fail(up, lane_a);
	ck_assert_int_eq(run_on(lane_b, true), GW_OK);
	ck_assert_int_eq(run_on(NULL, true), GW_OK);
	/* the refused call never completed */
	ck_assert_int_eq(n_completed(), before + 2);
	ck_assert(gw_upstream_lane_breaker_open(lane_a));
}
END_TEST

/* A's server answers 503 until it comes back; after the cool-down one probe goes, and closes A. */
START_TEST(test_upstream_lanes_probe_closes_lane)
{
	struct bbbsim_opts so = {.secret = ""};
	struct bbbsim_fault down = {.kind = BBBSIM_FAULT_HTTP_STATUS, .http_status = 503};
	struct bbbsim_fault slow = {.kind = BBBSIM_FAULT_DELAY, .delay_ms = 1500, .count = 1};
	struct bbbsim *a = bbbsim_start(&so);
	struct tcall t;
	int before;
	int i;

	ck_assert_ptr_nonnull(a);
	bbbsim_set_fault(a, "", &down);
	for (i = 0; i < FAILURES; i++) {
		call_at(&t, bbbsim_port(a), lane_a);
		ck_assert_int_eq(run_expect(&t, GW_OK, 0), 503);
	}
	ck_assert(gw_upstream_lane_breaker_open(lane_a));
	/* back, and slow to answer its first call: the probe stays in flight a while */
	bbbsim_set_fault(a, "", &slow);
	call_at(&t, bbbsim_port(a), lane_a);
	before = n_completed();
	for (i = 0; i < 250 && gw_upstream_submit(up, &t.c) == GW_E_CIRCUIT_OPEN; i++)
		sleep_ms(20);
	ck_assert_int_lt(i, 250);
	/* the probe is the one call through until it answers */
	expect_fast_fail(up, lane_a);
	wait_completed(before + 1);
	ck_assert_int_eq(t.ndone, 1);
	ck_assert_int_eq(t.c.result, GW_OK);
	ck_assert_int_eq(t.c.http_status, 200);
	gw_upstream_call_deinit(&t.c);
	ck_assert(!gw_upstream_lane_breaker_open(lane_a));
	ck_assert_uint_eq(gw_upstream_lane_opened(lane_a), 1);
	call_at(&t, bbbsim_port(a), lane_a);
	ck_assert_int_eq(run_expect(&t, GW_OK, 0), 200);
	ck_assert(!gw_upstream_group_breaker_open(group));
	ck_assert_uint_eq(gw_upstream_lane_opened(lane_b), 0);
	bbbsim_stop(a);
}
END_TEST

/* A call without a lane answers to the group's breaker, as before lanes; lanes go on. */
START_TEST(test_upstream_lanes_no_lane_uses_group)
{
	open_breaker(NULL);
	ck_assert(gw_upstream_breaker_open(up));
	expect_fast_fail(up, NULL);
	ck_assert_int_eq(run_on(lane_a, true), GW_OK);
	ck_assert_int_eq(run_on(lane_b, true), GW_OK);
	ck_assert(!gw_upstream_lane_breaker_open(lane_a));
	ck_assert_uint_eq(gw_upstream_lane_opened(lane_a), 0);
	ck_assert(gw_upstream_group_breaker_open(group));
}
END_TEST

/* Whether a failed attempt is retried depends on the call's own breaker. */
START_TEST(test_upstream_lanes_retry_follows_lane)
{
	struct tcall t;

	open_breaker(NULL);
	/* A's breaker is closed: retried, though the group's is open */
	lane_call(&t, lane_a, false);
	run_expect(&t, GW_E_UPSTREAM_CONNECT, 1);
	/* A's third failure opens it: not retried */
	lane_call(&t, lane_a, false);
	run_expect(&t, GW_E_UPSTREAM_CONNECT, 0);
	ck_assert(gw_upstream_lane_breaker_open(lane_a));
}
END_TEST

/* A call outside BBB (a client's callback) neither stops at nor counts for its lane's breaker. */
START_TEST(test_upstream_lanes_outside_bypasses_lane)
{
	struct tcall t;
	int i;

	open_breaker(lane_a);
	lane_call(&t, lane_a, true);
	t.c.outside = true;
	run_expect(&t, GW_OK, 0);
	ck_assert(gw_upstream_lane_breaker_open(lane_a));
	for (i = 0; i < FAILURES + 1; i++) {
		lane_call(&t, lane_b, false);
		t.c.outside = true;
		run_expect(&t, GW_E_UPSTREAM_CONNECT, 0);
	}
	ck_assert(!gw_upstream_lane_breaker_open(lane_b));
	ck_assert_uint_eq(gw_upstream_lane_opened(lane_a), 1);
}
END_TEST

/* A call struct reused as bbb_api.c reuses an exchange's (deinit, init) forgets its lane. */
START_TEST(test_upstream_lanes_reused_call_forgets_lane)
{
	struct tcall t;

	open_breaker(lane_a);
	lane_call(&t, lane_a, true);
	ck_assert_int_eq(gw_upstream_submit(up, &t.c), GW_E_CIRCUIT_OPEN);
	gw_upstream_call_deinit(&t.c);
	gw_upstream_call_init(&t.c);
	ck_assert_ptr_null(t.c.lane);
	run_expect(&t, GW_OK, 0);
	/* set after init, it holds */
	gw_upstream_call_init(&t.c);
	t.c.lane = lane_a;
	ck_assert_int_eq(gw_upstream_submit(up, &t.c), GW_E_CIRCUIT_OPEN);
	gw_upstream_call_deinit(&t.c);
}
END_TEST

/* A lane belongs to no pool or group: opened through one pool, it fails fast on another. */
START_TEST(test_upstream_lanes_shared_by_pools)
{
	struct gw_upstream *other = NULL;

	open_breaker(lane_a);
	ck_assert_int_eq(gw_upstream_new(&opts, &other), GW_OK);
	expect_fast_fail(other, lane_a);
	ck_assert(!gw_upstream_breaker_open(other));
	gw_upstream_free(other);
	ck_assert(gw_upstream_lane_breaker_open(lane_a));
}
END_TEST

/*
 * The caller's reference keeps a lane alive for its calls: freeing the pool
 * ends them on it, and the lane outlives the pool until its last unref.
 */
START_TEST(test_upstream_lanes_outlive_pool)
{
	struct gw_upstream_lane *mine = gw_upstream_lane_ref(lane_a);
	struct tcall t[2];
	int silent_fd;
	unsigned silent = silent_port(&silent_fd);
	int i;

	ck_assert_ptr_eq(mine, lane_a);
	gw_upstream_lane_unref(lane_a); /* the fixture's: mine is the last reference */
	lane_a = NULL;
	ck_assert_int_eq(run_on(mine, true), GW_OK);
	for (i = 0; i < 2; i++) {
		call_at(&t[i], silent, mine);
		submit(&t[i]);
	}
	free_cancelling(t, 2);
	ck_assert_int_eq(n_completed(), 3);
	ck_assert(!gw_upstream_lane_breaker_open(mine));
	/* the next pool uses it as it is */
	new_pool();
	ck_assert_int_eq(run_on(mine, true), GW_OK);
	gw_upstream_free(up);
	up = NULL;
	ck_assert_uint_eq(gw_upstream_lane_opened(mine), 0);
	gw_upstream_lane_unref(mine);
	close(silent_fd);
}
END_TEST

/*
 * Threaded pool: a probe whose submit the stopping queue refuses is handed
 * back to its own lane, so the next pool's call on that lane is the probe.
 */
START_TEST(test_upstream_lanes_refused_probe_returns_to_lane)
{
	struct tcall first;
	struct tcall again;
	int silent_fd;

	open_breaker(lane_a);
	sleep_ms(3 * COOLDOWN_MS); /* A's cool-down is over: its next call is the probe */
	call_at(&first, silent_port(&silent_fd), lane_b);
	lane_call(&again, lane_a, true);
	first.resubmit = &again;
	submit(&first);
	free_cancelling(&first, 1);
	/* first's done submitted again on A: the probe, refused by the stopping queue */
	ck_assert_int_eq(first.resubmit_err, GW_E_UNAVAILABLE);
	ck_assert_int_eq(again.ndone, 0);
	gw_upstream_call_deinit(&again.c);
	new_pool();
	lane_call(&again, lane_a, true);
	run_expect(&again, GW_OK, 0);
	ck_assert(!gw_upstream_lane_breaker_open(lane_a));
	ck_assert(!gw_upstream_group_breaker_open(group));
	close(silent_fd);
}
END_TEST

static Suite *upstream_lanes_suite(void)
{
	const TTest *both[] = {
		test_upstream_lanes_failures_stay_on_their_lane,
		test_upstream_lanes_open_lane_fails_fast,
		test_upstream_lanes_probe_closes_lane,
		test_upstream_lanes_no_lane_uses_group,
		test_upstream_lanes_retry_follows_lane,
		test_upstream_lanes_outside_bypasses_lane,
		test_upstream_lanes_reused_call_forgets_lane,
		test_upstream_lanes_shared_by_pools,
		test_upstream_lanes_outlive_pool,
	};
	Suite *s = suite_create("upstream_lanes");
	TCase *tc = tcase_create("threaded");
	TCase *lc = tcase_create("loop");
	size_t i;

	tcase_add_checked_fixture(tc, threaded_setup, teardown);
	tcase_add_checked_fixture(lc, loop_setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_set_timeout(lc, 60);
	for (i = 0; i < GW_ARRAY_SIZE(both); i++) {
		tcase_add_test(tc, both[i]);
		tcase_add_test(lc, both[i]);
	}
	tcase_add_test(tc, test_upstream_lanes_refused_probe_returns_to_lane);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, lc);
	return s;
}

GW_TEST_MAIN(upstream_lanes_suite)
