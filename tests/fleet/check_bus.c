/*
 * check_bus.c - the shared bus (fleet_bus.h) against a real
 * redis-server: stream entry ids as event ids, state names; what the
 * senders write read back by a bus that starts later (revocations, server
 * states, the stream's recent events with their ids) and applied live by a
 * running one; the bus losing Redis and catching up when it is back; a
 * bus that never reaches Redis stops at once. The two-gateway behaviour
 * is in tests/e2e/check_fleet_bus.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fleet.h"
#include "fleet_bus.h"
#include "hub.h"
#include "redisfix.h"
#include "revoke.h"
#include "testutil.h"

static struct gw_bbb_server one[] = {
	{.name = "bbb1", .url = "http://a", .weight = 1.0, .state = GW_SERVER_ENABLED},
};

START_TEST(test_bus_ids_and_names)
{
	enum gw_server_state st;

	ck_assert_uint_eq(gw_bus_event_id("1700000000000-5", 15), 1700000000000005u);
	ck_assert_uint_eq(gw_bus_event_id("1700000000000-0", 15), 1700000000000000u);
	/* more than 999 entries in one millisecond: capped, the hub keeps ids rising */
	ck_assert_uint_eq(gw_bus_event_id("1700000000000-12345", 19), 1700000000000999u);
	ck_assert_uint_eq(gw_bus_event_id("1700000000000", 13), 0);
	ck_assert_uint_eq(gw_bus_event_id("1700000000000-", 14), 0);
	ck_assert_uint_eq(gw_bus_event_id("-5", 2), 0);
	ck_assert_uint_eq(gw_bus_event_id("17x-5", 5), 0);
	ck_assert_uint_eq(gw_bus_event_id("1-5x", 4), 0);
	ck_assert_uint_eq(gw_bus_event_id("99999999999999999999999-1", 25), 0);
	ck_assert(gw_server_state_parse("cordoned", 8, &st));
	ck_assert_int_eq(st, GW_SERVER_CORDONED);
	ck_assert(!gw_server_state_parse("cordon", 6, &st));
	ck_assert_str_eq(gw_server_state_name(GW_SERVER_DISABLED), "disabled");
	ck_assert_ptr_null(gw_server_state_name((enum gw_server_state)7));
}
END_TEST

/* The parts a bus applies entries to. */
static struct gw_hub *hub;
static struct gw_revoke *rev;
static struct gw_fleet *fleet;
static atomic_uint epoch;
static struct gw_config conf;

static void parts_new(void)
{
	hub = gw_hub_new(16);
	rev = gw_revoke_new_memory(100);
	fleet = gw_fleet_new(100);
	memset(&conf, 0, sizeof(conf));
	conf.servers = one;
	conf.n_servers = 1;
	ck_assert(hub != NULL && rev != NULL && fleet != NULL);
	ck_assert_int_eq(gw_fleet_sync(fleet, &conf), GW_OK);
	atomic_store(&epoch, 0);
}

static void parts_free(void)
{
	gw_hub_free(hub);
	gw_revoke_free(rev);
	gw_fleet_free(fleet);
}

static struct gw_bus *bus_on(unsigned port)
{
	struct gw_redis_opts o = {.host = "127.0.0.1", .port = port, .command_timeout_ms = 2000};
	struct gw_bus_deps d = {
		.hub = hub, .revoke = rev, .auth_epoch = &epoch, .fleet = fleet, .replay = 16};
	struct gw_bus *b = NULL;

	ck_assert_int_eq(gw_bus_start(&o, &d, &b), GW_OK);
	return b;
}

/* A meeting-created of meeting m, its data naming it. */
static struct gw_event event_of(const char *m)
{
	struct gw_event ev = {.type = GW_EV_MEETING_CREATED, .time_ms = 1700000000000};
	char data[128];

	snprintf(ev.meeting_id, sizeof(ev.meeting_id), "%s", m);
	snprintf(data, sizeof(data), "{\"meetingID\":\"%s\"}", m);
	ev.data = strdup(data);
	ev.data_len = strlen(data);
	ev.data_pw = strdup("{\"meetingID\":\"pw\"}");
	ev.data_pw_len = strlen(ev.data_pw);
	return ev;
}

/* Sends ev through c and returns the stream entry's id as an event id. */
static uint64_t send_event(struct gw_redis *c, const char *m)
{
	struct gw_event ev = event_of(m);
	struct res r = {0};
	int want = completed + 1;

	ck_assert_int_eq(gw_bus_send_event(c, 100, &ev, on_res, &r), GW_OK);
	wait_completed(want);
	gw_event_deinit(&ev);
	ck_assert_msg(r.err == GW_OK && r.type == GW_REDIS_STRING, "XADD: %s %s", gw_err_str(r.err),
		      r.text);
	return gw_bus_event_id(r.str, r.len);
}

static void send_done(struct gw_redis *c, enum gw_err err, struct res *r, int want)
{
	ck_assert_int_eq(err, GW_OK);
	wait_completed(want);
	ck_assert(r->err == GW_OK && r->type != GW_REDIS_ERROR);
}

static uint64_t hub_last(void)
{
	struct gw_hub_stats st;

	gw_hub_stats(hub, &st);
	return st.last_seq;
}

/* Waits until cond() holds (the bus thread applies entries on its own). */
#define EVENTUALLY(cond)                                                   \
	do {                                                               \
		uint64_t dl_ = now_ms() + WAIT_MS;                         \
		while (!(cond)) {                                          \
			ck_assert_msg(now_ms() < dl_, "never: %s", #cond); \
			sleep_ms(10);                                      \
		}                                                          \
	} while (0)

static bool is_down(const void *c)
{
	return !gw_redis_up(c);
}

START_TEST(test_bus_catches_up_then_relays)
{
	struct gw_redis *c = client(0, 0, LONG_MS);
	long long now = (long long)time(NULL);
	struct gw_fleet_server *s;
	struct gw_bus_stats bs;
	struct gw_hub_sub *sub;
	struct gw_hub_filter all = {.passwords = true};
	struct gw_buf out;
	struct gw_bus *b;
	struct res r = {0};
	uint64_t first, second, third;

	parts_new();
	/* written before the bus starts: it reads them back */
	first = send_event(c, "m1");
	ck_assert_uint_gt(first, 0);
	send_done(c, gw_bus_send_revoke(c, 100, "old-jti", now + 600, on_res, &r), &r,
		  completed + 1);
	send_done(c, gw_bus_send_revoke(c, 100, "gone-jti", now - 5, on_res, &r), &r,
		  completed + 1);
	send_done(c, gw_bus_send_state(c, 100, "bbb1", GW_SERVER_CORDONED, on_res, &r), &r,
		  completed + 1);
	send_done(c, gw_bus_send_state(c, 100, "nobody", GW_SERVER_DISABLED, on_res, &r), &r,
		  completed + 1);
	ck_assert_int_eq(gw_bus_send_state(c, 100, "bbb1", (enum gw_server_state)9, on_res, &r),
			 GW_E_BAD_REQUEST);

	b = bus_on(servers[0].port);
	ck_assert(gw_bus_wait_ready(b, WAIT_MS));
	ck_assert(gw_revoke_is_revoked(rev, "old-jti", now));
	ck_assert(!gw_revoke_is_revoked(rev, "gone-jti", now));
	ck_assert_uint_ge(atomic_load(&epoch), 1);
	s = gw_fleet_server_named(fleet, "bbb1");
	ck_assert_int_eq(gw_fleet_server_state(fleet, s), GW_SERVER_CORDONED);
	/* the recent event, with the stream's id; a resume from before it is a gap */
	ck_assert_uint_eq(hub_last(), first);
	gw_buf_init(&out, 4096);
	sub = gw_hub_subscribe(hub, &all, first - 1, 16, NULL, NULL);
	ck_assert_int_eq(gw_hub_next(hub, sub, &out), GW_HUB_EVENT);
	ck_assert_ptr_nonnull(strstr(gw_buf_str(&out), "\"meetingID\":\"pw\""));
	gw_hub_unsubscribe(hub, sub);
	gw_buf_reset(&out);
	sub = gw_hub_subscribe(hub, &all, first - 2, 16, NULL, NULL);
	ck_assert_int_eq(gw_hub_next(hub, sub, &out), GW_HUB_RESET);
	gw_hub_unsubscribe(hub, sub);

	/* live: an event, a revocation, a state */
	second = send_event(c, "m2");
	ck_assert_uint_gt(second, first);
	EVENTUALLY(hub_last() == second);
	send_done(c, gw_bus_send_revoke(c, 100, "new-jti", now + 600, on_res, &r), &r,
		  completed + 1);
	EVENTUALLY(gw_revoke_is_revoked(rev, "new-jti", now));
	send_done(c, gw_bus_send_state(c, 100, "bbb1", GW_SERVER_ENABLED, on_res, &r), &r,
		  completed + 1);
	EVENTUALLY(gw_fleet_server_state(fleet, s) == GW_SERVER_ENABLED);

	/* Redis lost: the bus notices, and once Redis is back reads on */
	server_kill(0);
	EVENTUALLY((gw_bus_stats(b, &bs), bs.lost >= 1 && !bs.up));
	ck_assert(drive(is_down, c, WAIT_MS)); /* the sender's client saw it too */
	server_start(0, NULL, false);
	EVENTUALLY((gw_bus_stats(b, &bs), bs.up));
	wait_up(c);
	third = send_event(c, "m3");
	EVENTUALLY(hub_last() == third);
	gw_bus_stats(b, &bs);
	ck_assert_uint_ge(bs.applied, 5);
	gw_fleet_server_unref(s);
	gw_bus_stop(b);
	gw_buf_deinit(&out);
	parts_free();
}
END_TEST

START_TEST(test_bus_unreachable_stops_at_once)
{
	struct gw_bus_stats bs;
	struct gw_bus *b;

	parts_new();
	server_kill(0);
	b = bus_on(servers[0].port);
	ck_assert(!gw_bus_wait_ready(b, 300));
	gw_bus_stats(b, &bs);
	ck_assert(!bs.up);
	/* it is napping between connects: stop wakes it (a hang is the case's timeout) */
	gw_bus_stop(b);
	gw_bus_stop(NULL);
	parts_free();
}
END_TEST

static Suite *fleet_bus_suite(void)
{
	Suite *s = suite_create("bus");
	TCase *tc = tcase_create("bus");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_bus_ids_and_names);
	tcase_add_test(tc, test_bus_catches_up_then_relays);
	tcase_add_test(tc, test_bus_unreachable_stops_at_once);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	if (!find_server()) {
		printf("1..0 # SKIP redis-server is not installed (scripts/deps installs it)\n");
		return 0;
	}
	return gw_test_run(fleet_bus_suite());
}
