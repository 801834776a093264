/*
 * fuzz_fleet_poll.c - what a BBB server's poll reply does to the fleet
 * (fleet_poll.c, fleet.c, fleet_map.c) and the shared stream's entry ids
 * (fleet_bus.c): a server's getMeetings reply is untrusted input.
 *
 * The first byte picks the mode, so that seeds read like text:
 *   'X' - the rest is a getMeetings XML reply, converted as the poller
 *         converts it (gw_xml2json_convert), then parsed;
 *   else - the whole input is the converted JSON text.
 * A parsed poll is applied to a fleet of two servers whose map already
 * holds a few meetings (placed on the server polled and on the other).
 *
 * Checks: gw_fleet_poll_parse gives GW_OK with n ids, each a non-empty
 * string, and users below 1,000,000, or an error with nothing kept; after
 * the poll the map holds at most its cap, every id the poll listed maps to
 * the polled server unless the map had it elsewhere or was full, and a
 * second identical poll changes nothing; a server that answered is
 * healthy and counts n meetings. gw_bus_event_id of the input is 0, or
 * ms x 1000 + seq (seq capped at 999) of an input "<digits>-<digits>".
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "bbb_reply.h"
#include "fleet.h"
#include "fleet_bus.h"
#include "fleet_poll.h"
#include "fuzz.h"
#include "xml2json.h"

#define MAX_INPUT (256u * 1024u)
#define CAP 64u

static struct gw_bbb_server two[] = {
	{.name = "bbb1", .url = "http://a", .weight = 1.0, .state = GW_SERVER_ENABLED},
	{.name = "bbb2", .url = "http://b", .weight = 1.0, .state = GW_SERVER_ENABLED},
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

void fuzz_cleanup(void)
{
}

/* The bus id of s: 0, or what "<ms>-<seq>" says. */
static void check_event_id(const char *s, size_t len)
{
	uint64_t id = gw_bus_event_id(s, len);
	const char *dash = memchr(s, '-', len);
	bool shape = dash != NULL && dash > s && (size_t)(dash - s) + 1 < len;

	for (size_t i = 0; shape && i < len; i++)
		shape = &s[i] == dash || (s[i] >= '0' && s[i] <= '9');
	FUZZ_CHECK(shape || id == 0);
	if (id != 0) {
		uint64_t ms = strtoull(s, NULL, 10);

		FUZZ_CHECK(id / 1000u == ms);
	}
}

static void apply(const char *text)
{
	struct gw_config cfg = {.servers = two,
				.n_servers = 2,
				.fleet_poll_s = 5,
				.fleet_reservation_seats = 15,
				.fleet_reservation_decay_s = 1800,
				.fleet_meeting_weight = 5,
				.bbb_timeout_ms = 1000};
	struct gw_fleet_want want = {.seats = 15};
	struct gw_fleet *f = gw_fleet_new(CAP);
	struct gw_fleet_server *s1, *s2, *got;
	struct gw_fleet_poll poll = {.ok = true};
	struct gw_fleet_view v[2];
	const char **ids = NULL;
	unsigned *users = NULL;
	void *keep = NULL;
	enum gw_err err;
	size_t mapped;

	FUZZ_CHECK(f != NULL && gw_fleet_sync(f, &cfg) == GW_OK);
	s1 = gw_fleet_server_at(f, 0);
	s2 = gw_fleet_server_at(f, 1);
	FUZZ_CHECK(gw_fleet_place_on(f, "room-1", s1, &want, 10) == GW_OK);
	FUZZ_CHECK(gw_fleet_place_on(f, "room-2", s2, &want, 10) == GW_OK);
	err = gw_fleet_poll_parse(text, &keep, &ids, &users, &poll.n);
	if (err != GW_OK) {
		FUZZ_CHECK(keep == NULL && ids == NULL && users == NULL && poll.n == 0);
		goto out;
	}
	for (size_t i = 0; i < poll.n; i++) {
		FUZZ_CHECK(ids[i] != NULL && ids[i][0] != '\0');
		FUZZ_CHECK(users[i] < 1000000u);
	}
	poll.ids = ids;
	poll.users = users;
	gw_fleet_polled(f, s1, &poll, 20, 30, 1700000000000);
	mapped = gw_fleet_mapped(f);
	FUZZ_CHECK(mapped <= CAP);
	for (size_t i = 0; i < poll.n; i++) {
		got = gw_fleet_lookup(f, ids[i]);
		FUZZ_CHECK(got != NULL || mapped == CAP);
		FUZZ_CHECK(got == NULL || got == s1 || strcmp(ids[i], "room-2") == 0);
		gw_fleet_server_unref(got);
	}
	gw_fleet_polled(f, s1, &poll, 40, 50, 1700000001000);
	FUZZ_CHECK(gw_fleet_mapped(f) == mapped);
	FUZZ_CHECK(gw_fleet_view(f, 60, v, 2) == 2);
	FUZZ_CHECK(v[0].healthy && v[0].meetings == poll.n);
out:
	free(ids);
	free(users);
	json_decref(keep);
	gw_fleet_server_unref(s1);
	gw_fleet_server_unref(s2);
	gw_fleet_free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (size == 0 || size > MAX_INPUT)
		return 0;
	text = malloc(size + 1);
	FUZZ_CHECK(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';
	check_event_id(text, size);
	if (data[0] == 'X') {
		struct gw_bbb_reply r;

		if (gw_xml2json_convert(text + 1, size - 1, 0, &r) == GW_OK) {
			if (r.success && r.body != NULL)
				apply(r.body);
			gw_bbb_reply_deinit(&r);
		}
	} else {
		apply(text);
	}
	free(text);
	return 0;
}
