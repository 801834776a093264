/*
 * hubfix.c - see hubfix.h.
 */
#include "hubfix.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

struct gw_hub *hub;
struct gw_buf out;

void setup(void)
{
	hub = NULL;
	gw_buf_init(&out, OUT_MAX);
}

void teardown(void)
{
	gw_hub_free(hub);
	hub = NULL;
	gw_buf_deinit(&out);
}

void new_hub(size_t capacity)
{
	hub = gw_hub_new(capacity);
	ck_assert_ptr_nonnull(hub);
}

struct gw_event make(enum gw_event_type type, const char *m, const char *data, const char *data_pw)
{
	struct gw_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	snprintf(ev.meeting_id, sizeof(ev.meeting_id), "%s", m);
	ev.time_ms = 1700000000000;
	ev.data = gw_test_strdup(data);
	ev.data_len = strlen(data);
	if (data_pw != NULL) {
		ev.data_pw = gw_test_strdup(data_pw);
		ev.data_pw_len = strlen(data_pw);
	}
	return ev;
}

uint64_t pub_full(enum gw_event_type type, const char *m, const char *data, const char *data_pw)
{
	struct gw_event ev = make(type, m, data, data_pw);
	uint64_t seq = 0;

	ck_assert_int_eq(gw_hub_publish(hub, &ev, &seq), GW_OK);
	ck_assert_ptr_null(ev.data);
	ck_assert_ptr_null(ev.data_pw);
	return seq;
}

uint64_t pub(const char *m, int n)
{
	char data[128];

	snprintf(data, sizeof(data), "{\"meetingID\":\"%s\",\"n\":%d}", m, n);
	return pub_full(GW_EV_USER_JOINED, m, data, NULL);
}

struct gw_hub_sub *sub_new(const char *m, uint64_t last_id, size_t queue_max)
{
	struct gw_hub_filter f = {.meeting_id = m};
	struct gw_hub_sub *s = gw_hub_subscribe(hub, &f, last_id, queue_max, NULL, NULL);

	ck_assert_ptr_nonnull(s);
	return s;
}

enum gw_hub_read next(struct gw_hub_sub *s)
{
	gw_buf_reset(&out);
	return gw_hub_next(hub, s, &out);
}

void expect(struct gw_hub_sub *s, uint64_t seq, const char *m, int n)
{
	char want[256];

	snprintf(want, sizeof(want),
		 "id: %llu\nevent: user-joined\ndata: {\"meetingID\":\"%s\",\"n\":%d}\n\n",
		 (unsigned long long)seq, m, n);
	ck_assert_int_eq(next(s), GW_HUB_EVENT);
	ck_assert_str_eq(gw_buf_str(&out), want);
}

void expect_none(struct gw_hub_sub *s)
{
	ck_assert_int_eq(next(s), GW_HUB_NONE);
	ck_assert_uint_eq(out.len, 0);
}

void expect_reset(struct gw_hub_sub *s)
{
	ck_assert_int_eq(next(s), GW_HUB_RESET);
	ck_assert_str_eq(gw_buf_str(&out), "event: reset\ndata: {}\n\n");
}

/* allowed_arg: a NULL-terminated list of meetings. */
bool allow_listed(void *arg, const char *meeting_id)
{
	const char *const *m;

	for (m = arg; *m != NULL; m++) {
		if (strcmp(*m, meeting_id) == 0)
			return true;
	}
	return false;
}
