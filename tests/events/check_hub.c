/*
 * check_hub.c - the live event hub: the type names; publish and read
 * order with the exact SSE text and one sequence across meetings; the
 * meeting, allowed and passwords filters; resuming from a Last-Event-ID
 * inside the ring, across a gap, from the future and past queue_max;
 * ids a shared stream gives (gw_hub_publish_as, the floor).
 * Overflow, wrap, wakes with threads, many streams and the edges are in
 * check_hub_limits.c; the shared fixture in hubfix.c.
 */
#include "hubfix.h"
#include "testutil.h"

START_TEST(test_hub_event_deinit)
{
	struct gw_event ev = make(GW_EV_MEETING_CREATED, "m1", "{}", "{\"attendeePW\":\"ap\"}");

	gw_event_deinit(&ev);
	ck_assert_ptr_null(ev.data);
	ck_assert_ptr_null(ev.data_pw);
	ck_assert_uint_eq(ev.data_len + ev.data_pw_len, 0);
	gw_event_deinit(&ev);
	gw_event_deinit(NULL);
}
END_TEST

/* ---- publish and read ---- */

START_TEST(test_hub_publish_read_order_and_ids)
{
	struct gw_hub_sub *s;
	struct gw_hub_sub *late;
	struct gw_hub_stats st;

	new_hub(8);
	gw_hub_stats(hub, &st);
	ck_assert_uint_eq(st.last_seq, 0);
	ck_assert_uint_eq(st.published, 0);
	s = sub_new(NULL, 0, 16);
	expect_none(s);
	ck_assert_uint_eq(pub("m1", 1), 1);
	ck_assert_uint_eq(pub("m2", 2), 2);
	ck_assert_uint_eq(pub("m1", 3), 3);
	expect(s, 1, "m1", 1);
	expect(s, 2, "m2", 2);
	expect(s, 3, "m1", 3);
	expect_none(s);

	/* last_id 0: only what comes after the subscribe */
	late = sub_new(NULL, 0, 16);
	expect_none(late);
	ck_assert_uint_eq(pub("m2", 4), 4);
	expect(late, 4, "m2", 4);
	expect(s, 4, "m2", 4);

	gw_hub_stats(hub, &st);
	ck_assert_uint_eq(st.published, 4);
	ck_assert_uint_eq(st.last_seq, 4);
	ck_assert_uint_eq(st.subscribers, 2);
	ck_assert_uint_eq(st.overflowed, 0);
	gw_hub_unsubscribe(hub, late);
	gw_hub_stats(hub, &st);
	ck_assert_uint_eq(st.subscribers, 1);
	gw_hub_unsubscribe(hub, s);
	gw_hub_unsubscribe(hub, NULL);
	gw_hub_stats(hub, &st);
	ck_assert_uint_eq(st.subscribers, 0);
}
END_TEST

START_TEST(test_hub_event_text_has_type_and_seq_without_out_param)
{
	struct gw_event ev = make(GW_EV_USER_PRESENTER_ASSIGNED, "m1", "{\"a\":1}", NULL);
	struct gw_hub_sub *s;

	new_hub(2);
	s = sub_new("m1", 0, 4);
	ck_assert_int_eq(gw_hub_publish(hub, &ev, NULL), GW_OK);
	ck_assert_int_eq(next(s), GW_HUB_EVENT);
	ck_assert_str_eq(gw_buf_str(&out), "id: 1\nevent: user-presenter-assigned\ndata: "
					   "{\"a\":1}\n\n");
	/* the ring frees what it evicts (the leak check sees the rest) */
	ck_assert_uint_eq(pub("m1", 2), 2);
	ck_assert_uint_eq(pub("m1", 3), 3);
	expect(s, 2, "m1", 2);
	expect(s, 3, "m1", 3);
	gw_hub_unsubscribe(hub, s);
}
END_TEST

START_TEST(test_hub_reads_append_to_out)
{
	struct gw_hub_sub *s;

	new_hub(4);
	s = sub_new("m1", 0, 4);
	pub("m1", 1);
	pub("m1", 2);
	gw_buf_reset(&out);
	ck_assert_int_eq(gw_hub_next(hub, s, &out), GW_HUB_EVENT);
	ck_assert_int_eq(gw_hub_next(hub, s, &out), GW_HUB_EVENT);
	ck_assert_int_eq(gw_hub_next(hub, s, &out), GW_HUB_NONE);
	ck_assert_str_eq(gw_buf_str(&out), "id: 1\nevent: user-joined\ndata: "
					   "{\"meetingID\":\"m1\",\"n\":1}\n\n"
					   "id: 2\nevent: user-joined\ndata: "
					   "{\"meetingID\":\"m1\",\"n\":2}\n\n");
	gw_hub_unsubscribe(hub, s);
}
END_TEST

/* ---- filters ---- */

START_TEST(test_hub_meeting_filter)
{
	struct gw_hub_sub *a;
	struct gw_hub_sub *b;
	struct gw_hub_sub *all;

	new_hub(8);
	a = sub_new("m1", 0, 16);
	b = sub_new("m2", 0, 16);
	all = sub_new(NULL, 0, 16);
	pub("m1", 1);
	pub("m2", 2);
	pub("m1", 3);
	pub("m10", 4); /* a meeting whose id starts with another's */
	expect(a, 1, "m1", 1);
	expect(a, 3, "m1", 3);
	expect_none(a);
	expect(b, 2, "m2", 2);
	expect_none(b);
	expect(all, 1, "m1", 1);
	expect(all, 2, "m2", 2);
	expect(all, 3, "m1", 3);
	expect(all, 4, "m10", 4);
	expect_none(all);
	gw_hub_unsubscribe(hub, a);
	gw_hub_unsubscribe(hub, b);
	gw_hub_unsubscribe(hub, all);
}
END_TEST

START_TEST(test_hub_allowed_filter)
{
	static const char *const listed[] = {"m1", "m3", NULL};
	struct gw_hub_filter f = {.allowed = allow_listed, .allowed_arg = (void *)listed};
	struct gw_hub_sub *any;
	struct gw_hub_sub *bound;
	struct gw_hub_sub *refused;

	new_hub(8);
	any = gw_hub_subscribe(hub, &f, 0, 16, NULL, NULL);
	ck_assert_ptr_nonnull(any);
	f.meeting_id = "m3";
	bound = gw_hub_subscribe(hub, &f, 0, 16, NULL, NULL);
	ck_assert_ptr_nonnull(bound);
	f.meeting_id = "m2";
	refused = gw_hub_subscribe(hub, &f, 0, 16, NULL, NULL);
	ck_assert_ptr_nonnull(refused);
	pub("m1", 1);
	pub("m2", 2);
	pub("m3", 3);
	pub("m2", 4);
	expect(any, 1, "m1", 1);
	expect(any, 3, "m3", 3);
	expect_none(any);
	expect(bound, 3, "m3", 3);
	expect_none(bound);
	expect_none(refused);
	gw_hub_unsubscribe(hub, any);
	gw_hub_unsubscribe(hub, bound);
	gw_hub_unsubscribe(hub, refused);
}
END_TEST

START_TEST(test_hub_passwords_variant)
{
	struct gw_hub_filter f = {.meeting_id = "m1"};
	struct gw_hub_sub *plain;
	struct gw_hub_sub *pw;

	new_hub(8);
	plain = gw_hub_subscribe(hub, &f, 0, 16, NULL, NULL);
	f.passwords = true;
	pw = gw_hub_subscribe(hub, &f, 0, 16, NULL, NULL);
	ck_assert_ptr_nonnull(plain);
	ck_assert_ptr_nonnull(pw);
	pub_full(GW_EV_MEETING_CREATED, "m1", "{\"meetingID\":\"m1\"}",
		 "{\"meetingID\":\"m1\",\"attendeePW\":\"ap\",\"moderatorPW\":\"mp\"}");
	pub_full(GW_EV_MEETING_ENDED, "m1", "{\"meetingID\":\"m1\",\"end\":1}", NULL);

	ck_assert_int_eq(next(plain), GW_HUB_EVENT);
	ck_assert_str_eq(gw_buf_str(&out), "id: 1\nevent: meeting-created\ndata: "
					   "{\"meetingID\":\"m1\"}\n\n");
	ck_assert_int_eq(next(pw), GW_HUB_EVENT);
	ck_assert_str_eq(gw_buf_str(&out), "id: 1\nevent: meeting-created\ndata: "
					   "{\"meetingID\":\"m1\",\"attendeePW\":\"ap\","
					   "\"moderatorPW\":\"mp\"}\n\n");
	/* without data_pw, both read data */
	ck_assert_int_eq(next(plain), GW_HUB_EVENT);
	ck_assert_str_eq(gw_buf_str(&out), "id: 2\nevent: meeting-ended\ndata: "
					   "{\"meetingID\":\"m1\",\"end\":1}\n\n");
	ck_assert_int_eq(next(pw), GW_HUB_EVENT);
	ck_assert_str_eq(gw_buf_str(&out), "id: 2\nevent: meeting-ended\ndata: "
					   "{\"meetingID\":\"m1\",\"end\":1}\n\n");
	gw_hub_unsubscribe(hub, plain);
	gw_hub_unsubscribe(hub, pw);
}
END_TEST

/* ---- resume ---- */

START_TEST(test_hub_resume_inside_ring)
{
	struct gw_hub_sub *s;
	struct gw_hub_sub *all;
	struct gw_hub_sub *current;
	int i;

	new_hub(16);
	for (i = 1; i <= 10; i++)
		pub(i % 2 ? "m1" : "m2", i);
	/* exactly the later events of its meeting, without a wake */
	s = sub_new("m1", 4, 16);
	expect(s, 5, "m1", 5);
	expect(s, 7, "m1", 7);
	expect(s, 9, "m1", 9);
	expect_none(s);
	pub("m2", 11);
	pub("m1", 12);
	expect(s, 12, "m1", 12);
	expect_none(s);

	all = sub_new(NULL, 9, 16);
	expect(all, 10, "m2", 10);
	expect(all, 11, "m2", 11);
	expect(all, 12, "m1", 12);
	expect_none(all);

	/* the newest id: nothing to replay */
	current = sub_new("m1", 12, 16);
	expect_none(current);
	/* a resume point whose later events are all of other meetings */
	gw_hub_unsubscribe(hub, current);
	current = sub_new("m2", 11, 16);
	expect_none(current);
	pub("m2", 13);
	expect(current, 13, "m2", 13);
	gw_hub_unsubscribe(hub, current);
	gw_hub_unsubscribe(hub, s);
	gw_hub_unsubscribe(hub, all);
}
END_TEST

START_TEST(test_hub_resume_oldest_kept_event)
{
	struct gw_hub_sub *s;
	int i;

	new_hub(4);
	for (i = 1; i <= 10; i++)
		pub("m1", i); /* keeps 7..10 */
	s = sub_new("m1", 6, 16);
	expect(s, 7, "m1", 7);
	expect(s, 8, "m1", 8);
	expect(s, 9, "m1", 9);
	expect(s, 10, "m1", 10);
	expect_none(s);
	gw_hub_unsubscribe(hub, s);
}
END_TEST

START_TEST(test_hub_resume_gap_resets_then_only_new)
{
	struct gw_hub_sub *s;
	struct gw_hub_sub *other;
	int i;

	new_hub(4);
	for (i = 1; i <= 10; i++)
		pub(i % 2 ? "m1" : "m2", i); /* keeps 7..10 */
	s = sub_new("m1", 5, 16);            /* 6 is gone */
	expect_reset(s);
	expect_none(s); /* not 7 and 9: the page re-reads the meeting */
	expect_none(s);
	pub("m1", 11);
	expect(s, 11, "m1", 11);
	expect_none(s);
	/* even when the lost events were another meeting's: the hub cannot know */
	other = sub_new("m1", 1, 16);
	expect_reset(other);
	expect_none(other);
	gw_hub_unsubscribe(hub, s);
	gw_hub_unsubscribe(hub, other);
}
END_TEST

START_TEST(test_hub_resume_reset_then_events_since_subscribe)
{
	struct gw_hub_sub *s;
	int i;

	new_hub(2);
	for (i = 1; i <= 5; i++)
		pub("m1", i);
	s = sub_new("m1", 1, 16);
	/* published between the subscribe and the first read: after the reset */
	pub("m1", 6);
	expect_reset(s);
	expect(s, 6, "m1", 6);
	expect_none(s);
	gw_hub_unsubscribe(hub, s);
}
END_TEST

START_TEST(test_hub_resume_from_the_future_resets)
{
	struct gw_hub_sub *s;

	new_hub(8);
	/* an empty hub (a restarted gateway) and a client's id from the last run */
	s = sub_new("m1", 5, 16);
	expect_reset(s);
	expect_none(s);
	gw_hub_unsubscribe(hub, s);

	pub("m1", 1);
	pub("m1", 2);
	s = sub_new("m1", 99, 16);
	expect_reset(s);
	expect_none(s);
	pub("m1", 3);
	expect(s, 3, "m1", 3);
	gw_hub_unsubscribe(hub, s);

	s = sub_new("m1", 3, 16);
	expect_none(s);
	gw_hub_unsubscribe(hub, s);
}
END_TEST

/* Numbers from a base (the gateway's clock): an id of an earlier run is older than the ring. */
START_TEST(test_hub_ids_after_a_base)
{
	struct gw_hub_sub *s;
	struct gw_hub_stats st;

	hub = gw_hub_new_after(8, 1000);
	ck_assert_ptr_nonnull(hub);
	ck_assert_ptr_null(gw_hub_new_after(8, UINT64_MAX));
	gw_hub_stats(hub, &st);
	ck_assert_uint_eq(st.published, 0);
	ck_assert_uint_eq(st.last_seq, 0);
	/* an empty hub and an id of the earlier run, below or above the base */
	s = sub_new("m1", 3, 16);
	expect_reset(s);
	gw_hub_unsubscribe(hub, s);
	s = sub_new("m1", 1000, 16); /* the base itself: nothing was missed */
	expect_none(s);
	ck_assert_uint_eq(pub("m1", 1), 1001);
	expect(s, 1001, "m1", 1);
	gw_hub_unsubscribe(hub, s);
	ck_assert_uint_eq(pub("m1", 2), 1002);
	s = sub_new("m1", 1001, 16);
	expect(s, 1002, "m1", 2);
	expect_none(s);
	gw_hub_unsubscribe(hub, s);
	s = sub_new("m1", 999, 16);
	expect_reset(s);
	gw_hub_unsubscribe(hub, s);
	/* the ring wraps at 8 events past the base */
	for (int i = 3; i <= 12; i++)
		pub("m1", i);
	s = sub_new("m1", 1004, 16); /* 1005 is the oldest kept */
	expect(s, 1005, "m1", 5);
	gw_hub_unsubscribe(hub, s);
	s = sub_new("m1", 1003, 16);
	expect_reset(s);
	gw_hub_unsubscribe(hub, s);
	gw_hub_stats(hub, &st);
	ck_assert_uint_eq(st.published, 12);
	ck_assert_uint_eq(st.last_seq, 1012);
}
END_TEST

/* A user-joined of meeting m number n, published with the id id; returns the id given. */
static uint64_t pub_as(const char *m, int n, uint64_t id)
{
	char data[128];
	struct gw_event ev;
	uint64_t got = 0;

	snprintf(data, sizeof(data), "{\"meetingID\":\"%s\",\"n\":%d}", m, n);
	ev = make(GW_EV_USER_JOINED, m, data, NULL);
	ck_assert_int_eq(gw_hub_publish_as(hub, &ev, id, &got), GW_OK);
	return got;
}

/* Ids from a shared stream: rising by more than one, kept; resumes find the next one. */
START_TEST(test_hub_ids_from_a_shared_stream)
{
	struct gw_hub_sub *s;
	struct gw_hub_sub *mid;
	struct gw_hub_sub *gap;
	struct gw_hub_sub *early;

	new_hub(4);
	ck_assert_uint_eq(pub_as("m1", 1, 1700000000000000), 1700000000000000);
	ck_assert_uint_eq(pub_as("m1", 2, 1700000000005000), 1700000000005000);
	/* an id not above the newest becomes the next one */
	ck_assert_uint_eq(pub_as("m1", 3, 1700000000001000), 1700000000005001);
	ck_assert_uint_eq(pub("m1", 4), 1700000000005002);
	/* a resume from any id in between reads the events after it */
	mid = sub_new("m1", 1700000000004999, 16);
	expect(mid, 1700000000005000, "m1", 2);
	expect(mid, 1700000000005001, "m1", 3);
	expect(mid, 1700000000005002, "m1", 4);
	expect_none(mid);
	ck_assert_uint_eq(pub_as("m1", 5, 1700000000009000), 1700000000009000); /* evicts n=1 */
	expect(mid, 1700000000009000, "m1", 5);
	/* from before the evicted event: a gap; from the evicted one itself: no gap */
	gap = sub_new("m1", 1699999999999999, 16);
	expect_reset(gap);
	expect_none(gap);
	s = sub_new("m1", 1700000000000000, 16);
	expect(s, 1700000000005000, "m1", 2);
	/* a hub that joined the stream late: ids up to the floor may be missing */
	gw_hub_raise_floor(hub, 1700000000005001);
	early = sub_new("m1", 1700000000005000, 16);
	expect_reset(early);
	gw_hub_unsubscribe(hub, early);
	early = sub_new("m1", 1700000000005001, 16);
	expect(early, 1700000000005002, "m1", 4);
	gw_hub_unsubscribe(hub, early);
	gw_hub_unsubscribe(hub, s);
	gw_hub_unsubscribe(hub, gap);
	gw_hub_unsubscribe(hub, mid);
}
END_TEST

START_TEST(test_hub_resume_beyond_queue_max_resets)
{
	struct gw_hub_sub *s;
	int i;

	new_hub(16);
	for (i = 1; i <= 8; i++)
		pub(i <= 4 ? "m2" : "m1", i); /* m1: 5..8 */
	/* 4 of its events to replay, 3 allowed */
	s = sub_new("m1", 2, 3);
	expect_reset(s);
	expect_none(s);
	gw_hub_unsubscribe(hub, s);
	/* 3: replayed */
	s = sub_new("m1", 5, 3);
	expect(s, 6, "m1", 6);
	expect(s, 7, "m1", 7);
	expect(s, 8, "m1", 8);
	expect_none(s);
	gw_hub_unsubscribe(hub, s);
}
END_TEST
static Suite *hub_suite(void)
{
	Suite *s = suite_create("hub");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_hub_event_deinit);
	tcase_add_test(tc, test_hub_publish_read_order_and_ids);
	tcase_add_test(tc, test_hub_event_text_has_type_and_seq_without_out_param);
	tcase_add_test(tc, test_hub_reads_append_to_out);
	tcase_add_test(tc, test_hub_meeting_filter);
	tcase_add_test(tc, test_hub_allowed_filter);
	tcase_add_test(tc, test_hub_passwords_variant);
	tcase_add_test(tc, test_hub_resume_inside_ring);
	tcase_add_test(tc, test_hub_resume_oldest_kept_event);
	tcase_add_test(tc, test_hub_resume_gap_resets_then_only_new);
	tcase_add_test(tc, test_hub_resume_reset_then_events_since_subscribe);
	tcase_add_test(tc, test_hub_resume_from_the_future_resets);
	tcase_add_test(tc, test_hub_resume_beyond_queue_max_resets);
	tcase_add_test(tc, test_hub_ids_from_a_shared_stream);
	tcase_add_test(tc, test_hub_ids_after_a_base);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(hub_suite)
