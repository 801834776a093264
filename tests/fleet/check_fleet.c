/*
 * check_fleet.c - the fleet's servers and map (fleet.h): placement by
 * load, reservations and their fading, tags, states and the operator's
 * state across reloads, health from polls, the map's entries kept,
 * learned and forgotten by polls, servers leaving, the map's cap, and the
 * poll reply's parsing (fleet_poll.h).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet.h"
#include "fleet_poll.h"
#include "testutil.h"

static char *eu_tags[] = {"eu"};

static struct gw_bbb_server three[] = {
	{.name = "bbb1", .url = "http://a", .weight = 1.0, .state = GW_SERVER_ENABLED},
	{.name = "bbb2", .url = "http://b", .weight = 1.0, .state = GW_SERVER_ENABLED},
	{.name = "bbb3",
	 .url = "http://c",
	 .weight = 1.0,
	 .state = GW_SERVER_ENABLED,
	 .tags = eu_tags,
	 .n_tags = 1},
};

static struct gw_config conf;

static struct gw_fleet *fleet_of(struct gw_bbb_server *servers, size_t n, size_t max)
{
	struct gw_fleet *f = gw_fleet_new(max);

	memset(&conf, 0, sizeof(conf));
	conf.servers = servers;
	conf.n_servers = n;
	conf.fleet_poll_s = 5;
	conf.fleet_reservation_seats = 15;
	conf.fleet_reservation_decay_s = 1800;
	conf.fleet_meeting_weight = 5;
	conf.bbb_timeout_ms = 10000;
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(gw_fleet_sync(f, &conf), GW_OK);
	return f;
}

/* A poll of server i that answered with the meetings ids (users each). */
static void poll_ok(struct gw_fleet *f, size_t i, const char **ids, const unsigned *users, size_t n,
		    uint64_t started)
{
	struct gw_fleet_server *s = gw_fleet_server_at(f, i);
	struct gw_fleet_poll p = {.ok = true, .n = n, .ids = ids, .users = users};

	ck_assert_ptr_nonnull(s);
	gw_fleet_polled(f, s, &p, started, started + 10, 1700000000000);
	gw_fleet_server_unref(s);
}

static void poll_failed(struct gw_fleet *f, size_t i, uint64_t at)
{
	struct gw_fleet_server *s = gw_fleet_server_at(f, i);
	struct gw_fleet_poll p = {.ok = false};

	gw_fleet_polled(f, s, &p, at, at + 10, 1700000000000);
	gw_fleet_server_unref(s);
}

static void all_healthy(struct gw_fleet *f)
{
	for (size_t i = 0; i < gw_fleet_count(f); i++)
		poll_ok(f, i, NULL, NULL, 0, 1);
}

/* Places id and returns its server's name (a static copy); "" when none. */
static const char *place(struct gw_fleet *f, const char *id, const char *tag, bool required,
			 uint64_t now, enum gw_fleet_placed *how)
{
	static char name[GW_FLEET_NAME_MAX + 1];
	struct gw_fleet_want w = {.tag = tag, .tag_required = required, .seats = 15};
	struct gw_fleet_server *s = NULL;
	enum gw_fleet_placed r = gw_fleet_place(f, id, &w, now, &s);

	if (how != NULL)
		*how = r;
	name[0] = '\0';
	if (s != NULL)
		snprintf(name, sizeof(name), "%s", gw_fleet_server_name(s));
	gw_fleet_server_unref(s);
	return name;
}

START_TEST(test_fleet_unpolled_servers_get_nothing)
{
	struct gw_fleet *f = fleet_of(three, 3, 1000);
	enum gw_fleet_placed how;

	ck_assert_uint_eq(gw_fleet_count(f), 3);
	ck_assert_str_eq(place(f, "m1", NULL, false, 100, &how), "");
	ck_assert_int_eq(how, GW_FLEET_NO_SERVER);
	poll_ok(f, 1, NULL, NULL, 0, 50);
	ck_assert_str_eq(place(f, "m1", NULL, false, 100, &how), "bbb2");
	ck_assert_int_eq(how, GW_FLEET_NEW);
	gw_fleet_free(f);
}
END_TEST

START_TEST(test_fleet_one_server_needs_no_poll)
{
	struct gw_fleet *f = fleet_of(three, 1, 1000);

	ck_assert_str_eq(place(f, "m1", NULL, false, 100, NULL), "bbb1");
	gw_fleet_free(f);
}
END_TEST

START_TEST(test_fleet_burst_spreads)
{
	struct gw_fleet *f = fleet_of(three, 3, 1000);
	unsigned count[3] = {0};
	char id[32];

	all_healthy(f);
	for (int i = 0; i < 30; i++) {
		const char *name;

		snprintf(id, sizeof(id), "burst-%d", i);
		name = place(f, id, NULL, false, 1000, NULL);
		ck_assert_int_eq(strncmp(name, "bbb", 3), 0);
		count[name[3] - '1']++;
	}
	ck_assert_uint_eq(count[0], 10);
	ck_assert_uint_eq(count[1], 10);
	ck_assert_uint_eq(count[2], 10);
	ck_assert_uint_eq(gw_fleet_mapped(f), 30);
	gw_fleet_free(f);
}
END_TEST

START_TEST(test_fleet_load_and_weight)
{
	struct gw_bbb_server two[] = {
		{.name = "big", .url = "http://a", .weight = 1.0},
		{.name = "small", .url = "http://b", .weight = 2.0},
	};
	struct gw_fleet *f = fleet_of(two, 2, 1000);
	const char *ids[] = {"x"};
	unsigned users[] = {40};
	struct gw_fleet_view v[2];

	/* big: 40 users + 5 for the meeting = 45; small: 0 */
	poll_ok(f, 0, ids, users, 1, 1);
	poll_ok(f, 1, NULL, NULL, 0, 1);
	/* small: (15 seats + 5) * 2 = 40 after the first, 80 after the second */
	ck_assert_str_eq(place(f, "a", NULL, false, 100, NULL), "small");
	ck_assert_str_eq(place(f, "b", NULL, false, 100, NULL), "small");
	ck_assert_str_eq(place(f, "c", NULL, false, 100, NULL), "big");
	ck_assert_uint_eq(gw_fleet_view(f, 100, v, 2), 2);
	ck_assert_str_eq(v[0].name, "big");
	ck_assert_uint_eq(v[0].users, 40);
	ck_assert_uint_eq(v[0].meetings, 1);
	ck_assert_uint_eq(v[0].placed, 2);
	ck_assert(v[0].load > 64.9 && v[0].load < 65.1); /* 40 + 5 + 20 for c */
	ck_assert(v[1].load > 79.9 && v[1].load < 80.1);
	ck_assert(v[1].healthy && v[1].polled);
	gw_fleet_free(f);
}
END_TEST

START_TEST(test_fleet_reservation_fades_and_counts_users_once)
{
	struct gw_fleet *f = fleet_of(three, 2, 1000);
	const char *ids[] = {"m"};
	unsigned users[] = {10};
	struct gw_fleet_view v[3];

	all_healthy(f);
	ck_assert_str_eq(place(f, "m", NULL, false, 1000, NULL), "bbb1");
	gw_fleet_view(f, 1000, v, 3);
	ck_assert(v[0].load > 19.9 && v[0].load < 20.1); /* 15 seats + a meeting not listed yet */
	/* halfway through the decay: 7.5 seats left */
	gw_fleet_view(f, 1000 + 900000, v, 3);
	ck_assert(v[0].load > 12.4 && v[0].load < 12.6);
	/* listed with 10 users: 10 + 5, and of 15 reserved seats 5 are still empty */
	poll_ok(f, 0, ids, users, 1, 2000);
	gw_fleet_view(f, 1000, v, 3);
	ck_assert(v[0].load > 19.9 && v[0].load < 20.1);
	/* past the decay: the meeting and its users only */
	gw_fleet_view(f, 1000 + 1800000, v, 3);
	ck_assert(v[0].load > 14.9 && v[0].load < 15.1);
	gw_fleet_free(f);
}
END_TEST

START_TEST(test_fleet_existing_wins)
{
	struct gw_fleet *f = fleet_of(three, 3, 1000);
	enum gw_fleet_placed how;
	struct gw_fleet_server *s;

	all_healthy(f);
	ck_assert_str_eq(place(f, "same", NULL, false, 100, &how), "bbb1");
	ck_assert_int_eq(how, GW_FLEET_NEW);
	/* even when its server may not take new meetings */
	ck_assert_int_eq(gw_fleet_set_state(f, "bbb1", GW_SERVER_CORDONED), GW_OK);
	ck_assert_str_eq(place(f, "same", NULL, false, 200, &how), "bbb1");
	ck_assert_int_eq(how, GW_FLEET_EXISTING);
	s = gw_fleet_lookup(f, "same");
	ck_assert_str_eq(gw_fleet_server_name(s), "bbb1");
	gw_fleet_forget(f, "same", s);
	gw_fleet_server_unref(s);
	ck_assert_ptr_null(gw_fleet_lookup(f, "same"));
	ck_assert_str_eq(place(f, "same", NULL, false, 300, &how), "bbb2");
	gw_fleet_free(f);
}
END_TEST

START_TEST(test_fleet_tags)
{
	struct gw_fleet *f = fleet_of(three, 3, 1000);
	enum gw_fleet_placed how;

	all_healthy(f);
	ck_assert_str_eq(place(f, "a", "eu", false, 100, NULL), "bbb3");
	ck_assert_str_eq(place(f, "b", "eu", true, 100, NULL), "bbb3");
	/* no server has it: any server, unless required */
	ck_assert_str_eq(place(f, "c", "us", false, 100, NULL), "bbb1");
	ck_assert_str_eq(place(f, "d", "us", true, 100, &how), "");
	ck_assert_int_eq(how, GW_FLEET_NO_SERVER);
	/* the tagged server cordoned: preferred falls back, required finds none */
	gw_fleet_set_state(f, "bbb3", GW_SERVER_CORDONED);
	ck_assert_str_eq(place(f, "e", "eu", false, 100, NULL), "bbb2");
	ck_assert_str_eq(place(f, "f", "eu", true, 100, &how), "");
	gw_fleet_free(f);
}
END_TEST

/* What a placement in the shared store chooses from: eligible servers, poll loads without reservations. */
START_TEST(test_fleet_candidates)
{
	struct gw_fleet *f = fleet_of(three, 3, 1000);
	struct gw_fleet_candidate c[4];
	struct gw_fleet_want any = {.seats = 15}, eu = {.tag = "eu", .seats = 15};
	struct gw_fleet_want us = {.tag = "us", .tag_required = true, .seats = 15};
	struct gw_fleet_fading fade;
	const char *ids[] = {"m1", "m2"};
	const unsigned users[] = {3, 4};
	size_t n;

	/* unpolled: none may take a meeting */
	ck_assert_uint_eq(gw_fleet_candidates(f, &any, c, 4), 0);
	all_healthy(f);
	poll_ok(f, 1, ids, users, 2, 50);
	/* a local reservation is not in base: the store holds every gateway's */
	ck_assert_str_eq(place(f, "x", NULL, false, 100, NULL), "bbb1");
	n = gw_fleet_candidates(f, &any, c, 4);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(gw_fleet_server_name(c[0].srv), "bbb1");
	ck_assert_double_eq_tol(c[0].base, 0.0, 1e-9);
	ck_assert_str_eq(gw_fleet_server_name(c[1].srv), "bbb2");
	ck_assert_double_eq_tol(c[1].base, 7.0 + 5.0 * 2.0, 1e-9);
	ck_assert_double_eq_tol(c[1].weight, 1.0, 1e-9);
	gw_fleet_candidates_unref(c, n);
	ck_assert_ptr_null(c[0].srv);
	/* max bounds what is filled */
	n = gw_fleet_candidates(f, &any, c, 2);
	ck_assert_uint_eq(n, 2);
	gw_fleet_candidates_unref(c, n);
	/* a tag narrows, a required one nobody has leaves none */
	n = gw_fleet_candidates(f, &eu, c, 4);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(gw_fleet_server_name(c[0].srv), "bbb3");
	gw_fleet_candidates_unref(c, n);
	ck_assert_uint_eq(gw_fleet_candidates(f, &us, c, 4), 0);
	/* cordoned and disabled servers are out; the tag then falls back */
	gw_fleet_set_state(f, "bbb3", GW_SERVER_CORDONED);
	gw_fleet_set_state(f, "bbb1", GW_SERVER_DISABLED);
	n = gw_fleet_candidates(f, &eu, c, 4);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(gw_fleet_server_name(c[0].srv), "bbb2");
	gw_fleet_candidates_unref(c, n);
	/* fading as configured: fresh for two polls and a create's budget */
	gw_fleet_fading(f, &fade);
	ck_assert_uint_eq(fade.decay_ms, 1800u * 1000u);
	ck_assert_uint_eq(fade.fresh_ms, 2u * 5000u + 10000u);
	ck_assert_uint_eq(fade.meeting_weight, 5);
	gw_fleet_free(f);
}
END_TEST

/* The load of server i as placement sees it at now. */
static double load_at(struct gw_fleet *f, size_t i, uint64_t now)
{
	struct gw_fleet_view v[3];

	ck_assert_uint_eq(gw_fleet_view(f, now, v, 3), 3);
	return v[i].load;
}

/* Load kept as running figures: unlisted placements, reservations fading out, removals. */
START_TEST(test_fleet_load_running_figures)
{
	struct gw_fleet *f = fleet_of(three, 3, 1000);
	struct gw_fleet_server *s1;
	const char *ids[] = {"a", "b"};
	const unsigned users[] = {2, 2};
	struct gw_fleet_want ten = {.seats = 10};

	all_healthy(f);
	s1 = gw_fleet_server_at(f, 0);
	for (int k = 0; k < 3; k++) {
		char id[4] = {(char)('a' + k), '\0'};

		ck_assert_int_eq(gw_fleet_place_on(f, id, s1, &ten, 1000), GW_OK);
	}
	/* half faded: 3 unlisted meetings (5 each) + 3 x 5 seats */
	ck_assert_double_eq_tol(load_at(f, 0, 1000 + 900000), 30.0, 1e-6);
	/* a and b listed with 2 users each: their reservations hold 5 - 2 */
	poll_ok(f, 0, ids, users, 2, 1000 + 20000);
	ck_assert_double_eq_tol(load_at(f, 0, 1000 + 900000), 4.0 + 5.0 * 3 + 3 + 3 + 5, 1e-6);
	/* faded: users and meetings only */
	ck_assert_double_eq_tol(load_at(f, 0, 1000 + 1800000), 4.0 + 5.0 * 3, 1e-6);
	ck_assert_double_eq_tol(load_at(f, 0, 1000 + 1800001), 4.0 + 5.0 * 3, 1e-6);
	/* c forgotten, then a and b missed by two polls: nothing left */
	gw_fleet_forget(f, "c", s1);
	ck_assert_double_eq_tol(load_at(f, 0, 1000 + 1800002), 4.0 + 5.0 * 2, 1e-6);
	poll_ok(f, 0, NULL, NULL, 0, 1000 + 1900000);
	poll_ok(f, 0, NULL, NULL, 0, 1000 + 1910000);
	ck_assert_uint_eq(gw_fleet_mapped(f), 0);
	ck_assert_double_eq_tol(load_at(f, 0, 1000 + 1920000), 0.0, 1e-6);
	/* a new reservation after the others faded counts again */
	ck_assert_int_eq(gw_fleet_place_on(f, "d", s1, &ten, 2000000), GW_OK);
	ck_assert_double_eq_tol(load_at(f, 0, 2000000), 5.0 + 10.0, 1e-6);
	gw_fleet_server_unref(s1);
	gw_fleet_free(f);
}
END_TEST

START_TEST(test_fleet_states_and_reload)
{
	struct gw_bbb_server s2[3];
	struct gw_fleet *f = fleet_of(three, 3, 1000);
	struct gw_fleet_server *s;

	all_healthy(f);
	ck_assert_int_eq(gw_fleet_set_state(f, "nope", GW_SERVER_DISABLED), GW_E_NOT_FOUND);
	gw_fleet_set_state(f, "bbb1", GW_SERVER_DISABLED);
	gw_fleet_set_state(f, "bbb2", GW_SERVER_CORDONED);
	ck_assert_str_eq(place(f, "a", NULL, false, 100, NULL), "bbb3");
	/* a reload with the same configured states keeps the operator's */
	ck_assert_int_eq(gw_fleet_sync(f, &conf), GW_OK);
	s = gw_fleet_server_named(f, "bbb1");
	ck_assert_int_eq(gw_fleet_server_state(f, s), GW_SERVER_DISABLED);
	gw_fleet_server_unref(s);
	/* one whose configured state changed takes the file's */
	memcpy(s2, three, sizeof(s2));
	s2[1].state = GW_SERVER_DISABLED;
	conf.servers = s2;
	ck_assert_int_eq(gw_fleet_sync(f, &conf), GW_OK);
	s = gw_fleet_server_named(f, "bbb2");
	ck_assert_int_eq(gw_fleet_server_state(f, s), GW_SERVER_DISABLED);
	gw_fleet_server_unref(s);
	s2[1].state = GW_SERVER_ENABLED;
	ck_assert_int_eq(gw_fleet_sync(f, &conf), GW_OK);
	s = gw_fleet_server_named(f, "bbb2");
	ck_assert_int_eq(gw_fleet_server_state(f, s), GW_SERVER_ENABLED);
	/* kept across the syncs: still healthy, still placeable */
	gw_fleet_server_unref(s);
	ck_assert_str_eq(place(f, "b", NULL, false, 100, NULL), "bbb2");
	gw_fleet_free(f);
}
END_TEST

START_TEST(test_fleet_server_removed)
{
	struct gw_fleet *f = fleet_of(three, 3, 1000);
	struct gw_fleet_server *kept;

	all_healthy(f);
	ck_assert_str_eq(place(f, "a", NULL, false, 100, NULL), "bbb1");
	kept = gw_fleet_lookup(f, "a");
	/* bbb1 leaves: its meetings leave the map, a held reference stays valid */
	conf.servers = &three[1];
	conf.n_servers = 2;
	ck_assert_int_eq(gw_fleet_sync(f, &conf), GW_OK);
	ck_assert_uint_eq(gw_fleet_count(f), 2);
	ck_assert_ptr_null(gw_fleet_lookup(f, "a"));
	ck_assert_ptr_null(gw_fleet_server_named(f, "bbb1"));
	ck_assert_str_eq(gw_fleet_server_name(kept), "bbb1");
	ck_assert_int_eq(gw_fleet_learn(f, "z", kept), GW_OK);
	ck_assert_ptr_null(gw_fleet_lookup(f, "z")); /* not learned for a server gone */
	gw_fleet_server_unref(kept);
	/* new servers start unpolled */
	conf.servers = three;
	conf.n_servers = 3;
	ck_assert_int_eq(gw_fleet_sync(f, &conf), GW_OK);
	gw_fleet_set_state(f, "bbb2", GW_SERVER_CORDONED);
	gw_fleet_set_state(f, "bbb3", GW_SERVER_CORDONED);
	ck_assert_str_eq(place(f, "b", NULL, false, 100, NULL), "");
	gw_fleet_free(f);
}
END_TEST

START_TEST(test_fleet_health)
{
	struct gw_fleet *f = fleet_of(three, 3, 1000);
	struct gw_fleet_view v[3];
	struct gw_fleet_server *s;

	all_healthy(f);
	poll_failed(f, 0, 10);
	gw_fleet_view(f, 10, v, 3);
	ck_assert(v[0].healthy);
	ck_assert_uint_eq(v[0].failures, 1);
	ck_assert_str_eq(place(f, "a", NULL, false, 100, NULL), "bbb1");
	poll_failed(f, 0, 20);
	gw_fleet_view(f, 20, v, 3);
	ck_assert(!v[0].healthy);
	/* unhealthy: no new meetings, its meeting still goes to it */
	ck_assert_str_eq(place(f, "b", NULL, false, 100, NULL), "bbb2");
	ck_assert_str_eq(place(f, "a", NULL, false, 100, NULL), "bbb1");
	/* failed polls never forget meetings */
	for (int i = 0; i < 5; i++)
		poll_failed(f, 0, 20000000 + (uint64_t)i);
	s = gw_fleet_lookup(f, "a");
	ck_assert_ptr_nonnull(s);
	gw_fleet_server_unref(s);
	poll_ok(f, 0, (const char *[]){"a"}, (unsigned[]){0}, 1, 30000000);
	gw_fleet_view(f, 30, v, 3);
	ck_assert(v[0].healthy);
	ck_assert_uint_eq(v[0].failures, 0);
	gw_fleet_free(f);
}
END_TEST

START_TEST(test_fleet_map_expiry)
{
	struct gw_fleet *f = fleet_of(three, 3, 1000);
	const char *other[] = {"known-elsewhere"};
	unsigned zero[] = {0};
	struct gw_fleet_server *s;

	all_healthy(f);
	ck_assert_str_eq(place(f, "a", NULL, false, 100000, NULL), "bbb1");
	/* polls that may have started before the create ended say nothing */
	poll_ok(f, 0, NULL, NULL, 0, 100000 + 9999);
	poll_ok(f, 0, NULL, NULL, 0, 100000 + 9999);
	poll_ok(f, 0, NULL, NULL, 0, 100000 + 9999);
	ck_assert_ptr_nonnull((s = gw_fleet_lookup(f, "a")));
	gw_fleet_server_unref(s);
	/* one miss, then listed again: the count starts over */
	poll_ok(f, 0, NULL, NULL, 0, 200000);
	poll_ok(f, 0, (const char *[]){"a"}, zero, 1, 201000);
	poll_ok(f, 0, NULL, NULL, 0, 202000);
	ck_assert_ptr_nonnull((s = gw_fleet_lookup(f, "a")));
	gw_fleet_server_unref(s);
	/* two in a row: forgotten */
	poll_ok(f, 0, NULL, NULL, 0, 203000);
	ck_assert_ptr_null(gw_fleet_lookup(f, "a"));
	/* a poll learns meetings the map did not know */
	poll_ok(f, 1, other, zero, 1, 204000);
	ck_assert_ptr_nonnull((s = gw_fleet_lookup(f, "known-elsewhere")));
	ck_assert_str_eq(gw_fleet_server_name(s), "bbb2");
	gw_fleet_server_unref(s);
	/* a second server listing it does not move it */
	poll_ok(f, 2, other, zero, 1, 205000);
	s = gw_fleet_lookup(f, "known-elsewhere");
	ck_assert_str_eq(gw_fleet_server_name(s), "bbb2");
	gw_fleet_server_unref(s);
	gw_fleet_free(f);
}
END_TEST

START_TEST(test_fleet_map_cap)
{
	struct gw_fleet *f = fleet_of(three, 3, 2);
	enum gw_fleet_placed how;
	struct gw_fleet_server *s;

	all_healthy(f);
	place(f, "a", NULL, false, 100, NULL);
	place(f, "b", NULL, false, 100, NULL);
	ck_assert_str_eq(place(f, "c", NULL, false, 100, &how), "");
	ck_assert_int_eq(how, GW_FLEET_FULL);
	s = gw_fleet_server_at(f, 0);
	ck_assert_int_eq(gw_fleet_learn(f, "d", s), GW_E_TOO_LARGE);
	gw_fleet_server_unref(s);
	ck_assert_ptr_null(gw_fleet_server_at(f, 3));
	gw_fleet_free(f);
	gw_fleet_free(NULL);
}
END_TEST

START_TEST(test_fleet_poll_parse)
{
	void *keep;
	const char **ids;
	unsigned *users;
	size_t n;

	ck_assert_int_eq(gw_fleet_poll_parse("{\"meetings\": [{\"meetingID\": \"a\", "
					     "\"participantCount\": 7}, {\"meetingID\": \"b\"}, "
					     "{\"participantCount\": 3}]}",
					     &keep, &ids, &users, &n),
			 GW_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(ids[0], "a");
	ck_assert_uint_eq(users[0], 7);
	ck_assert_str_eq(ids[1], "b");
	ck_assert_uint_eq(users[1], 0);
	free(ids);
	free(users);
	json_decref(keep);
	/* BBB's empty list: no meetings member */
	ck_assert_int_eq(gw_fleet_poll_parse("{}", &keep, &ids, &users, &n), GW_OK);
	ck_assert_uint_eq(n, 0);
	json_decref(keep);
	ck_assert_int_eq(gw_fleet_poll_parse("{\"meetings\": 3}", &keep, &ids, &users, &n),
			 GW_E_PARSE);
	ck_assert_int_eq(gw_fleet_poll_parse("nope", &keep, &ids, &users, &n), GW_E_PARSE);
}
END_TEST

static Suite *fleet_suite(void)
{
	Suite *s = suite_create("fleet");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_fleet_unpolled_servers_get_nothing);
	tcase_add_test(tc, test_fleet_one_server_needs_no_poll);
	tcase_add_test(tc, test_fleet_burst_spreads);
	tcase_add_test(tc, test_fleet_load_and_weight);
	tcase_add_test(tc, test_fleet_reservation_fades_and_counts_users_once);
	tcase_add_test(tc, test_fleet_existing_wins);
	tcase_add_test(tc, test_fleet_tags);
	tcase_add_test(tc, test_fleet_candidates);
	tcase_add_test(tc, test_fleet_load_running_figures);
	tcase_add_test(tc, test_fleet_states_and_reload);
	tcase_add_test(tc, test_fleet_server_removed);
	tcase_add_test(tc, test_fleet_health);
	tcase_add_test(tc, test_fleet_map_expiry);
	tcase_add_test(tc, test_fleet_map_cap);
	tcase_add_test(tc, test_fleet_poll_parse);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(fleet_suite)
