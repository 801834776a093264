/*
 * check_hub_limits.c - the live event hub at its limits: overflow by
 * queue_max and by the ring wrapping (other streams unaffected, a quiet
 * stream never dropped for another meeting's traffic); one wake per
 * matching event and none after unsubscribe (with threads, for TSan);
 * 1,000 streams and 100 events without allocating per stream; a full
 * output buffer consuming nothing; refused event data; capacity edges.
 * Publish, read, filters and resume are in check_hub.c.
 */
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hubfix.h"
#include "testutil.h"

/* ---- overflow ---- */

struct waker {
	atomic_int calls;
	atomic_int alive;    /* set while subscribed */
	atomic_int too_late; /* calls after the unsubscribe returned */
};

static void wake_count(void *arg)
{
	struct waker *w = arg;

	atomic_fetch_add(&w->calls, 1);
	if (!atomic_load(&w->alive))
		atomic_fetch_add(&w->too_late, 1);
}

static struct gw_hub_sub *sub_wake(const char *m, uint64_t last_id, size_t queue_max,
				   struct waker *w)
{
	struct gw_hub_filter f = {.meeting_id = m};
	struct gw_hub_sub *s;

	atomic_store(&w->alive, 1);
	s = gw_hub_subscribe(hub, &f, last_id, queue_max, wake_count, w);
	ck_assert_ptr_nonnull(s);
	return s;
}

START_TEST(test_hub_overflow_by_queue_max)
{
	struct waker ws = {0};
	struct waker wf = {0};
	struct gw_hub_sub *slow;
	struct gw_hub_sub *fast;
	struct gw_hub_sub *other;
	struct gw_hub_stats st;
	int i;

	new_hub(64);
	slow = sub_wake("m1", 0, 3, &ws);
	fast = sub_wake("m1", 0, 3, &wf);
	other = sub_new("m2", 0, 3);
	for (i = 1; i <= 3; i++) {
		pub("m1", i);
		expect(fast, (uint64_t)i, "m1", i);
	}
	/* three unread is the limit, not past it */
	gw_hub_stats(hub, &st);
	ck_assert_uint_eq(st.overflowed, 0);
	pub("m2", 4); /* another meeting's event does not count */
	gw_hub_stats(hub, &st);
	ck_assert_uint_eq(st.overflowed, 0);
	pub("m1", 5);
	expect(fast, 5, "m1", 5);
	gw_hub_stats(hub, &st);
	ck_assert_uint_eq(st.overflowed, 1);
	ck_assert_int_eq(atomic_load(&ws.calls), 4); /* the fourth tells it to end */
	ck_assert_int_eq(next(slow), GW_HUB_OVERFLOW);
	ck_assert_uint_eq(out.len, 0);
	ck_assert_int_eq(next(slow), GW_HUB_OVERFLOW);
	/* no more wakes for it; the others go on */
	for (i = 6; i <= 20; i++) {
		pub("m1", i);
		expect(fast, (uint64_t)i, "m1", i);
	}
	ck_assert_int_eq(atomic_load(&ws.calls), 4);
	ck_assert_int_eq(atomic_load(&wf.calls), 19);
	ck_assert_int_eq(next(slow), GW_HUB_OVERFLOW);
	expect(other, 4, "m2", 4);
	expect_none(other);
	gw_hub_stats(hub, &st);
	ck_assert_uint_eq(st.overflowed, 1);
	gw_hub_unsubscribe(hub, slow);
	gw_hub_unsubscribe(hub, fast);
	gw_hub_unsubscribe(hub, other);
}
END_TEST

START_TEST(test_hub_overflow_by_ring_wrap)
{
	struct waker ws = {0};
	struct gw_hub_sub *slow;
	struct gw_hub_sub *fast;
	struct gw_hub_stats st;
	int i;

	new_hub(4);
	slow = sub_wake("m1", 0, 0, &ws); /* only the ring bounds it */
	fast = sub_new("m1", 0, 0);
	for (i = 1; i <= 4; i++) {
		pub("m1", i);
		expect(fast, (uint64_t)i, "m1", i);
	}
	gw_hub_stats(hub, &st);
	ck_assert_uint_eq(st.overflowed, 0);
	pub("m1", 5); /* evicts 1, which slow has not read */
	expect(fast, 5, "m1", 5);
	gw_hub_stats(hub, &st);
	ck_assert_uint_eq(st.overflowed, 1);
	ck_assert_int_eq(atomic_load(&ws.calls), 5);
	ck_assert_int_eq(next(slow), GW_HUB_OVERFLOW);
	gw_hub_unsubscribe(hub, slow);
	gw_hub_unsubscribe(hub, fast);
}
END_TEST

START_TEST(test_hub_overflow_by_wrap_of_another_meetings_traffic)
{
	struct waker w = {0};
	struct gw_hub_sub *s;
	int i;

	/* m1's event 1 unread while m2's traffic pushes it out of the ring */
	new_hub(4);
	s = sub_wake("m1", 0, 0, &w);
	pub("m1", 1);
	for (i = 2; i <= 4; i++)
		pub("m2", i);
	ck_assert_int_eq(atomic_load(&w.calls), 1);
	pub("m2", 5);
	ck_assert_int_eq(atomic_load(&w.calls), 2); /* woken to end */
	ck_assert_int_eq(next(s), GW_HUB_OVERFLOW);
	gw_hub_unsubscribe(hub, s);
}
END_TEST

START_TEST(test_hub_quiet_stream_survives_wrap)
{
	struct gw_hub_sub *s;
	struct gw_hub_sub *idle;
	struct gw_hub_stats st;
	int i;

	new_hub(4);
	s = sub_new("m1", 0, 0);
	idle = sub_new("m3", 0, 0); /* never sees an event, never reads */
	pub("m1", 1);
	pub("m2", 2);
	pub("m1", 3);
	expect(s, 1, "m1", 1);
	/* 3 is unread; 2 (not its) is evicted under its cursor, then 1 */
	for (i = 4; i <= 6; i++)
		pub("m2", i);
	expect(s, 3, "m1", 3);
	expect_none(s);
	/* nothing pending while a whole ring of other events goes by */
	for (i = 7; i <= 20; i++)
		pub("m2", i);
	pub("m1", 21);
	expect(s, 21, "m1", 21);
	expect_none(s);
	expect_none(idle);
	gw_hub_stats(hub, &st);
	ck_assert_uint_eq(st.overflowed, 0);
	gw_hub_unsubscribe(hub, s);
	gw_hub_unsubscribe(hub, idle);
}
END_TEST

/* ---- wakes ---- */

START_TEST(test_hub_wake_once_per_matching_publish)
{
	static const char *const listed[] = {"m1", NULL};
	struct waker w1 = {0};
	struct waker w2 = {0};
	struct waker wall = {0};
	struct waker wallowed = {0};
	struct gw_hub_filter f = {.allowed = allow_listed, .allowed_arg = (void *)listed};
	struct gw_hub_sub *s1;
	struct gw_hub_sub *s2;
	struct gw_hub_sub *sall;
	struct gw_hub_sub *sallowed;

	new_hub(8);
	s1 = sub_wake("m1", 0, 0, &w1);
	s2 = sub_wake("m2", 0, 0, &w2);
	sall = sub_wake(NULL, 0, 0, &wall);
	atomic_store(&wallowed.alive, 1);
	sallowed = gw_hub_subscribe(hub, &f, 0, 0, wake_count, &wallowed);
	ck_assert_ptr_nonnull(sallowed);
	pub("m1", 1);
	ck_assert_int_eq(atomic_load(&w1.calls), 1);
	ck_assert_int_eq(atomic_load(&w2.calls), 0);
	ck_assert_int_eq(atomic_load(&wall.calls), 1);
	ck_assert_int_eq(atomic_load(&wallowed.calls), 1);
	pub("m2", 2);
	pub("m1", 3);
	ck_assert_int_eq(atomic_load(&w1.calls), 2);
	ck_assert_int_eq(atomic_load(&w2.calls), 1);
	ck_assert_int_eq(atomic_load(&wall.calls), 3);
	ck_assert_int_eq(atomic_load(&wallowed.calls), 2);
	/* reading does not wake */
	expect(s1, 1, "m1", 1);
	ck_assert_int_eq(atomic_load(&w1.calls), 2);
	gw_hub_unsubscribe(hub, s1);
	atomic_store(&w1.alive, 0);
	pub("m1", 4);
	ck_assert_int_eq(atomic_load(&w1.calls), 2);
	ck_assert_int_eq(atomic_load(&wall.calls), 4);
	gw_hub_unsubscribe(hub, s2);
	gw_hub_unsubscribe(hub, sall);
	gw_hub_unsubscribe(hub, sallowed);
}
END_TEST

#define CHURN_ROUNDS 400
#define CHURNERS 2

struct race {
	atomic_int stop;
	atomic_int published;
};

static void *publish_loop(void *arg)
{
	struct race *r = arg;
	char data[64];
	int i = 0;

	while (!atomic_load(&r->stop)) {
		struct gw_event ev;

		snprintf(data, sizeof(data), "{\"n\":%d}", i);
		ev = make(GW_EV_USER_JOINED, i % 3 ? "m1" : "m2", data, NULL);
		if (gw_hub_publish(hub, &ev, NULL) != GW_OK)
			abort();
		atomic_fetch_add(&r->published, 1);
		i++;
	}
	return NULL;
}

struct churner {
	struct race *race;
	struct waker w[CHURN_ROUNDS];
	int events;
	int resets;
};

/* Subscribes, reads a little, unsubscribes; a waker per round shows a late wake. */
static void *churn(void *arg)
{
	struct churner *c = arg;
	struct gw_buf b;
	struct gw_hub_filter f = {.meeting_id = "m1"};
	int i;
	int j;

	gw_buf_init(&b, OUT_MAX);
	for (i = 0; i < CHURN_ROUNDS; i++) {
		struct gw_hub_sub *s;
		struct gw_hub_stats st;

		atomic_store(&c->w[i].alive, 1);
		gw_hub_stats(hub, &st);
		s = gw_hub_subscribe(hub, &f, i % 2 ? st.last_seq / 2 : 0, 8, wake_count, &c->w[i]);
		if (s == NULL)
			abort();
		/*
		 * Two more publications while subscribed (two of three are m1's), so
		 * that wakes race with the unsubscribe whatever the scheduling.
		 */
		for (int p0 = atomic_load(&c->race->published), spin = 0;
		     atomic_load(&c->race->published) < p0 + 2 && spin < 1000000; spin++)
			sched_yield();
		for (j = 0; j < 4; j++) {
			enum gw_hub_read r;

			gw_buf_reset(&b);
			r = gw_hub_next(hub, s, &b);
			if (r == GW_HUB_EVENT)
				c->events++;
			else if (r == GW_HUB_RESET)
				c->resets++;
			sched_yield();
		}
		gw_hub_unsubscribe(hub, s);
		atomic_store(&c->w[i].alive, 0);
	}
	gw_buf_deinit(&b);
	return NULL;
}

START_TEST(test_hub_no_wake_after_unsubscribe)
{
	static struct churner ch[CHURNERS];
	struct race r;
	pthread_t pt;
	pthread_t ct[CHURNERS];
	struct gw_hub_stats st;
	int woken = 0;
	int i;
	int k;

	new_hub(16); /* small: evictions (and frees) race with the reads */
	memset(ch, 0, sizeof(ch));
	atomic_init(&r.stop, 0);
	atomic_init(&r.published, 0);
	for (k = 0; k < CHURNERS; k++)
		ch[k].race = &r;
	ck_assert_int_eq(pthread_create(&pt, NULL, publish_loop, &r), 0);
	for (k = 0; k < CHURNERS; k++)
		ck_assert_int_eq(pthread_create(&ct[k], NULL, churn, &ch[k]), 0);
	for (k = 0; k < CHURNERS; k++)
		pthread_join(ct[k], NULL);
	atomic_store(&r.stop, 1);
	pthread_join(pt, NULL);

	for (k = 0; k < CHURNERS; k++) {
		for (i = 0; i < CHURN_ROUNDS; i++) {
			ck_assert_int_eq(atomic_load(&ch[k].w[i].too_late), 0);
			woken += atomic_load(&ch[k].w[i].calls);
		}
	}
	gw_hub_stats(hub, &st);
	ck_assert_uint_eq(st.subscribers, 0);
	ck_assert_uint_eq(st.published, (uint64_t)atomic_load(&r.published));
	ck_assert_int_gt(atomic_load(&r.published), 0);
	/* the race was real: streams were woken while they were subscribed */
	ck_assert_int_gt(woken, 0);
}
END_TEST

/* ---- scale ---- */

#define STREAMS 1000
#define BURST 100

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
size_t __sanitizer_get_current_allocated_bytes(void);

static size_t allocated(void)
{
	return __sanitizer_get_current_allocated_bytes();
}
#else
/* glibc's arena; 0 under valgrind, whose malloc glibc does not see (the check is then void). */
static size_t allocated(void)
{
	return mallinfo2().uordblks;
}
#endif

START_TEST(test_hub_thousand_streams_hundred_events)
{
	static struct gw_event evs[BURST];
	static struct gw_hub_sub *subs[STREAMS];
	static uint64_t got[STREAMS];
	struct waker w = {0};
	struct gw_hub_stats st;
	size_t before;
	size_t after;
	char data[128];
	char want[256];
	int i;
	int k;

	new_hub(1000);
	for (k = 0; k < STREAMS; k++)
		subs[k] = sub_wake("m1", 0, 128, &w);
	for (i = 0; i < BURST; i++) {
		snprintf(data, sizeof(data), "{\"meetingID\":\"m1\",\"n\":%d}", i + 1);
		evs[i] = make(GW_EV_USER_JOINED, "m1", data, NULL);
	}
	gw_buf_reset(&out);
	ck_assert_int_eq(gw_buf_reserve(&out, 1024), GW_OK);

	/* the burst and every read: no allocation at all (the ring and the strings exist) */
	before = allocated();
	for (i = 0; i < BURST; i++)
		ck_assert_int_eq(gw_hub_publish(hub, &evs[i], NULL), GW_OK);
	for (k = 0; k < STREAMS; k++) {
		for (i = 0; i < BURST; i++) {
			gw_buf_reset(&out);
			if (gw_hub_next(hub, subs[k], &out) != GW_HUB_EVENT)
				break;
			snprintf(want, sizeof(want),
				 "id: %d\nevent: user-joined\ndata: {\"meetingID\":\"m1\",\"n\":%d}"
				 "\n\n",
				 i + 1, i + 1);
			if (strcmp(gw_buf_str(&out), want) != 0)
				break;
			got[k]++;
		}
	}
	after = allocated();
	ck_assert_uint_le(after, before);

	for (k = 0; k < STREAMS; k++) {
		ck_assert_uint_eq(got[k], BURST);
		expect_none(subs[k]);
	}
	ck_assert_int_eq(atomic_load(&w.calls), STREAMS * BURST);
	gw_hub_stats(hub, &st);
	ck_assert_uint_eq(st.overflowed, 0);
	ck_assert_uint_eq(st.subscribers, STREAMS);
	for (k = 0; k < STREAMS; k++)
		gw_hub_unsubscribe(hub, subs[k]);
}
END_TEST

/* ---- edges ---- */

START_TEST(test_hub_full_buffer_consumes_nothing)
{
	struct gw_buf small;
	struct gw_hub_sub *s;
	struct gw_hub_sub *r;

	new_hub(4);
	gw_buf_init(&small, 16);
	s = sub_new("m1", 0, 4);
	pub("m2", 1);
	pub("m1", 2);
	ck_assert_int_eq(gw_hub_next(hub, s, &small), GW_HUB_FULL);
	ck_assert_uint_eq(small.len, 0);
	ck_assert_int_eq(gw_buf_append_str(&small, "x"), GW_OK);
	ck_assert_int_eq(gw_hub_next(hub, s, &small), GW_HUB_FULL);
	ck_assert_str_eq(gw_buf_str(&small), "x");
	expect(s, 2, "m1", 2);
	expect_none(s);

	/* the reset too */
	r = sub_new("m1", 50, 4);
	ck_assert_int_eq(gw_hub_next(hub, r, &small), GW_HUB_FULL);
	ck_assert_str_eq(gw_buf_str(&small), "x");
	expect_reset(r);
	expect_none(r);
	gw_buf_deinit(&small);
	gw_hub_unsubscribe(hub, s);
	gw_hub_unsubscribe(hub, r);
}
END_TEST

static void expect_refused(struct gw_event *ev)
{
	char *data = ev->data;
	char *data_pw = ev->data_pw;
	struct gw_hub_stats st;

	ck_assert_int_eq(gw_hub_publish(hub, ev, NULL), GW_E_BAD_REQUEST);
	ck_assert_ptr_eq(ev->data, data);
	ck_assert_ptr_eq(ev->data_pw, data_pw);
	gw_hub_stats(hub, &st);
	ck_assert_uint_eq(st.published, 0);
	gw_event_deinit(ev);
}

START_TEST(test_hub_refuses_what_is_not_one_line)
{
	struct gw_event ev;
	struct gw_hub_sub *s;

	new_hub(4);
	s = sub_new(NULL, 0, 4);
	ev = make(GW_EV_USER_JOINED, "m1", "{\"a\":\n1}", NULL);
	expect_refused(&ev);
	ev = make(GW_EV_USER_JOINED, "m1", "{\"a\":1}\r", NULL);
	expect_refused(&ev);
	ev = make(GW_EV_USER_JOINED, "m1", "{\"a\":1}", "{\"pw\":\n\"x\"}");
	expect_refused(&ev);
	ev = make(GW_EV_USER_JOINED, "m1", "{\"a\":1}", NULL);
	ev.data_len++; /* its NUL inside the data */
	expect_refused(&ev);
	ev = make(GW_EV_USER_JOINED, "m1", "{}", NULL);
	ev.type = GW_EV__COUNT;
	expect_refused(&ev);
	ev = make(GW_EV_USER_JOINED, "m1", "{}", NULL);
	memset(ev.meeting_id, 'x', sizeof(ev.meeting_id));
	expect_refused(&ev);
	memset(&ev, 0, sizeof(ev));
	expect_refused(&ev);
	expect_none(s);
	gw_hub_unsubscribe(hub, s);
}
END_TEST

START_TEST(test_hub_capacity_edges)
{
	struct gw_hub_sub *s;

	ck_assert_ptr_null(gw_hub_new(0));
	gw_hub_free(NULL);
	new_hub(1);
	s = sub_new("m1", 0, 0);
	pub("m1", 1);
	expect(s, 1, "m1", 1);
	pub("m2", 2);
	pub("m1", 3);
	expect(s, 3, "m1", 3);
	pub("m1", 4);
	pub("m1", 5); /* evicts 4, unread */
	ck_assert_int_eq(next(s), GW_HUB_OVERFLOW);
	gw_hub_unsubscribe(hub, s);
}
END_TEST

static Suite *hub_limits_suite(void)
{
	Suite *s = suite_create("hub_limits");
	TCase *tc = tcase_create("limits");

	/* the churn and scale cases race threads: a loaded machine needs more than Check's 4 s */
	tcase_set_timeout(tc, 30);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_hub_overflow_by_queue_max);
	tcase_add_test(tc, test_hub_overflow_by_ring_wrap);
	tcase_add_test(tc, test_hub_overflow_by_wrap_of_another_meetings_traffic);
	tcase_add_test(tc, test_hub_quiet_stream_survives_wrap);
	tcase_add_test(tc, test_hub_wake_once_per_matching_publish);
	tcase_add_test(tc, test_hub_no_wake_after_unsubscribe);
	tcase_add_test(tc, test_hub_thousand_streams_hundred_events);
	tcase_add_test(tc, test_hub_full_buffer_consumes_nothing);
	tcase_add_test(tc, test_hub_refuses_what_is_not_one_line);
	tcase_add_test(tc, test_hub_capacity_edges);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(hub_limits_suite)
