/*
 * check_fleet_servers.c - a gateway in front of three BBB simulators
 * (processes, each with its own secret), one gateway process or two that
 * share nothing: a burst of creates spread by load, every later call for a
 * meeting on its server (join URLs included), a meeting another gateway
 * placed found by asking every server, lists merged from all servers and
 * marked incomplete when one is down, a killed server unhealthy with its
 * meetings kept and no new ones (its own breaker open in the metrics),
 * cordon, disable and enable by PATCH, /readyz ready while any server
 * answers, and access lines naming the server a call went to.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fleetfix.h"
#include "testutil.h"

/* GET /v1/servers on gateway g: the entry of server name (a new reference), or NULL. */
static json_t *server_entry(int g, const char *name)
{
	struct reply r;
	json_t *list, *s, *found = NULL;
	size_t i;

	fleetfix_call(&r, g, "GET", "/v1/servers", fleetfix_tok_admin, NULL);
	ck_assert_int_eq(r.status, 200);
	list = json_object_get(r.json, "servers");
	json_array_foreach (list, i, s) {
		if (strcmp(json_string_value(json_object_get(s, "name")), name) == 0)
			found = json_incref(s);
	}
	reply_free(&r);
	return found;
}

static void fleet_up(int g)
{
	fleetfix_gateway_start(g, FLEETFIX_BBB);
	for (int i = 1; i <= FLEETFIX_SIMS; i++)
		fleetfix_wait_health(g, fleetfix_sim_name(i), true);
}

/* The simulator that holds meetingID id (1..3, not down); fails unless exactly one does. */
static int sim_of_but(const char *id, int down)
{
	int found = 0;

	for (int i = 1; i <= FLEETFIX_SIMS; i++) {
		if (i != down && fleetfix_sim_has_meeting(i, id)) {
			ck_assert_msg(found == 0, "%s is on simulators %d and %d", id, found, i);
			found = i;
		}
	}
	ck_assert_msg(found != 0, "%s is on no simulator", id);
	return found;
}

static int sim_of(const char *id)
{
	return sim_of_but(id, 0);
}

START_TEST(test_fleet_burst_spreads_by_load)
{
	size_t count[FLEETFIX_SIMS] = {0};

	fleetfix_sims_start();
	fleet_up(1);
	fleetfix_burst_creates("burst", 30, 1);
	for (int i = 1; i <= FLEETFIX_SIMS; i++) {
		json_t *ids = fleetfix_sim_meetings(i);

		count[i - 1] = json_array_size(ids);
		json_decref(ids);
	}
	printf("# placement spread of 30 creates at once: bbb1=%zu bbb2=%zu bbb3=%zu\n", count[0],
	       count[1], count[2]);
	ck_assert_uint_eq(count[0] + count[1] + count[2], 30);
	for (int i = 0; i < FLEETFIX_SIMS; i++)
		ck_assert_msg(count[i] >= 8 && count[i] <= 12, "bbb%d got %zu of 30", i + 1,
			      count[i]);
}
END_TEST

START_TEST(test_fleet_affinity_join_and_lookup)
{
	struct reply r;
	char line[96];
	const char *url;
	int home;

	fleetfix_sims_start();
	fleet_up(1);
	ck_assert_int_eq(fleetfix_create(1, "aff-1", NULL), 201);
	home = sim_of("aff-1");
	ck_assert_int_eq(fleetfix_status(1, "GET", "/v1/meetings/aff-1", NULL), 200);
	/* its access line names the server the call went to */
	snprintf(line, sizeof(line), "bbb_call=\"getMeetingInfo\" server=\"%s\" ",
		 fleetfix_sim_name(home));
	fleetfix_wait_log(1, line);
	ck_assert_int_eq(fleetfix_status(1, "GET", "/v1/meetings/aff-1/running", NULL), 200);
	/* the join URL is the meeting's server's, signed with its secret */
	fleetfix_call(&r, 1, "POST", "/v1/meetings/aff-1/join", fleetfix_tok_all,
		      "{\"fullName\":\"Ada\",\"role\":\"VIEWER\"}");
	ck_assert_int_eq(r.status, 200);
	url = json_string_value(json_object_get(r.json, "url"));
	ck_assert_ptr_nonnull(url);
	ck_assert_msg(strncmp(url, fleetfix_sim_url(home), strlen(fleetfix_sim_url(home))) == 0,
		      "%s is not on %s", url, fleetfix_sim_url(home));
	reply_free(&r);
	/* a second create of the same ID: the same server, BBB's duplicate answer */
	ck_assert_int_eq(fleetfix_create(1, "aff-1", NULL), 200);
	ck_assert_int_eq(sim_of("aff-1"), home);
	/* a gateway that never saw it finds it by asking every server */
	fleetfix_gateway_start(2, FLEETFIX_BBB);
	ck_assert_int_eq(fleetfix_status(2, "GET", "/v1/meetings/aff-1", NULL), 200);
	fleetfix_call(&r, 2, "POST", "/v1/meetings/aff-1/join", fleetfix_tok_all,
		      "{\"fullName\":\"Bob\",\"role\":\"VIEWER\"}");
	ck_assert_int_eq(r.status, 200);
	url = json_string_value(json_object_get(r.json, "url"));
	ck_assert_msg(strncmp(url, fleetfix_sim_url(home), strlen(fleetfix_sim_url(home))) == 0,
		      "%s is not on %s", url, fleetfix_sim_url(home));
	reply_free(&r);
	ck_assert_int_eq(fleetfix_create(2, "aff-1", NULL), 200);
	ck_assert_int_eq(sim_of("aff-1"), home);
	/* a meeting no server has: BBB's own answer */
	ck_assert_int_eq(fleetfix_status(2, "GET", "/v1/meetings/nowhere", NULL), 404);
	/* end goes to its server */
	ck_assert_int_eq(fleetfix_status(2, "POST", "/v1/meetings/aff-1/end", "{}"), 200);
	ck_assert_int_eq(fleetfix_status(1, "GET", "/v1/meetings/aff-1", NULL), 404);
}
END_TEST

static long long metric(int g, const char *sample);

/* Waits (at most FLEETFIX_WAIT_MS) until sample's value on gateway g is want. */
static void wait_metric(int g, const char *sample, long long want)
{
	for (unsigned waited = 0; metric(g, sample) != want; waited += 100) {
		ck_assert_msg(waited < FLEETFIX_WAIT_MS, "%s never reached %lld", sample, want);
		fleetfix_sleep_ms(100);
	}
}

/* GET /v1/meetings on gateway gw: the meetingIDs listed (a new array) and "incomplete" (or NULL). */
static json_t *listed(int g, json_t **incomplete)
{
	struct reply r;
	json_t *ids = json_array(), *m;
	size_t i;

	fleetfix_call(&r, g, "GET", "/v1/meetings", fleetfix_tok_all, NULL);
	ck_assert_int_eq(r.status, 200);
	json_array_foreach (json_object_get(r.json, "meetings"), i, m)
		json_array_append(ids, json_object_get(m, "meetingID"));
	*incomplete = json_incref(json_object_get(r.json, "incomplete"));
	reply_free(&r);
	return ids;
}

static bool has_id(json_t *ids, const char *id)
{
	json_t *v;
	size_t i;

	json_array_foreach (ids, i, v) {
		if (strcmp(json_string_value(v), id) == 0)
			return true;
	}
	return false;
}

START_TEST(test_fleet_lists_merged_and_server_down)
{
	json_t *ids, *incomplete, *s;
	char id[32];
	int placed_on_2 = 0;

	fleetfix_sims_start();
	fleet_up(1);
	for (int i = 0; i < 6; i++) {
		snprintf(id, sizeof(id), "list-%d", i);
		ck_assert_int_eq(fleetfix_create(1, id, NULL), 201);
		placed_on_2 += sim_of(id) == 2;
	}
	ck_assert_int_gt(placed_on_2, 0);
	ids = listed(1, &incomplete);
	ck_assert_uint_eq(json_array_size(ids), 6);
	ck_assert_ptr_null(incomplete);
	json_decref(ids);
	/* bbb2 dies: at once its part is missing, then it is unhealthy */
	fleetfix_sim_kill(2);
	ids = listed(1, &incomplete);
	ck_assert_uint_eq(json_array_size(ids), 6 - (size_t)placed_on_2);
	ck_assert_uint_eq(json_array_size(incomplete), 1);
	ck_assert_str_eq(json_string_value(json_array_get(incomplete, 0)), "bbb2");
	json_decref(ids);
	json_decref(incomplete);
	fleetfix_wait_health(1, "bbb2", false);
	/* its polls keep failing: its own breaker opens, the others' stay closed */
	wait_metric(1, "bbb_gateway_server_circuit_open{server=\"bbb2\"} ", 1);
	ck_assert_int_eq(metric(1, "bbb_gateway_server_circuit_open{server=\"bbb1\"} "), 0);
	ids = listed(1, &incomplete);
	ck_assert_str_eq(json_string_value(json_array_get(incomplete, 0)), "bbb2");
	json_decref(ids);
	json_decref(incomplete);
	/* its meetings stay mapped to it; new meetings go elsewhere */
	s = server_entry(1, "bbb2");
	ck_assert_int_eq(json_integer_value(json_object_get(s, "placed")), placed_on_2);
	json_decref(s);
	for (int i = 0; i < 6; i++) {
		snprintf(id, sizeof(id), "while-down-%d", i);
		ck_assert_int_eq(fleetfix_create(1, id, NULL), 201);
		sim_of_but(id, 2);
	}
	/* back: healthy after one good poll, and it takes meetings again */
	fleetfix_sim_restart(2);
	fleetfix_wait_health(1, "bbb2", true);
	ck_assert_int_eq(metric(1, "bbb_gateway_server_circuit_open{server=\"bbb2\"} "), 0);
	for (int i = 0; i < 6; i++) {
		snprintf(id, sizeof(id), "after-%d", i);
		ck_assert_int_eq(fleetfix_create(1, id, NULL), 201);
	}
	ids = listed(1, &incomplete);
	ck_assert_ptr_null(incomplete);
	ck_assert(has_id(ids, "after-0") && has_id(ids, "while-down-0") && has_id(ids, "list-0"));
	json_decref(ids);
	ids = fleetfix_sim_meetings(2);
	ck_assert_uint_gt(json_array_size(ids), 0);
	json_decref(ids);
}
END_TEST

static long patch(int g, const char *name, const char *token, const char *body)
{
	struct reply r;
	char path[96];
	long status;

	snprintf(path, sizeof(path), "/v1/servers/%s", name);
	fleetfix_call(&r, g, "PATCH", path, token, body);
	status = r.status;
	if (status == 200)
		ck_assert_str_eq(json_string_value(json_object_get(r.json, "name")), name);
	reply_free(&r);
	return status;
}

START_TEST(test_fleet_cordon_disable_enable)
{
	json_t *ids, *incomplete, *s;
	char id[32];
	int home;

	fleetfix_sims_start();
	fleet_up(1);
	ck_assert_int_eq(fleetfix_create(1, "kept", NULL), 201);
	home = sim_of("kept");
	ck_assert_int_eq(patch(1, fleetfix_sim_name(home), fleetfix_tok_admin,
			       "{\"state\":\"cordoned\"}"),
			 200);
	s = server_entry(1, fleetfix_sim_name(home));
	ck_assert_str_eq(json_string_value(json_object_get(s, "state")), "cordoned");
	json_decref(s);
	for (int i = 0; i < 6; i++) {
		snprintf(id, sizeof(id), "cordon-%d", i);
		ck_assert_int_eq(fleetfix_create(1, id, NULL), 201);
		ck_assert_int_ne(sim_of(id), home);
	}
	/* a cordoned server's meetings still work and are listed */
	ck_assert_int_eq(fleetfix_status(1, "GET", "/v1/meetings/kept", NULL), 200);
	ids = listed(1, &incomplete);
	ck_assert(has_id(ids, "kept"));
	json_decref(ids);
	/* disabled: out of lists (not missing), its meetings' calls still reach it */
	ck_assert_int_eq(patch(1, fleetfix_sim_name(home), fleetfix_tok_all,
			       "{\"state\":\"disabled\"}"),
			 200);
	ids = listed(1, &incomplete);
	ck_assert(!has_id(ids, "kept"));
	ck_assert_ptr_null(incomplete);
	json_decref(ids);
	ck_assert_int_eq(fleetfix_status(1, "GET", "/v1/meetings/kept", NULL), 200);
	/* refusals */
	ck_assert_int_eq(patch(1, "nope", fleetfix_tok_admin, "{\"state\":\"enabled\"}"), 404);
	ck_assert_int_eq(patch(1, "bbb1", fleetfix_tok_admin, "{\"state\":\"paused\"}"), 400);
	ck_assert_int_eq(patch(1, "bbb1", fleetfix_tok_admin, "{}"), 400);
	/* an admin token has no meeting scopes, a meetings token no servers:admin */
	{
		struct reply r;

		fleetfix_call(&r, 1, "POST", "/v1/meetings", fleetfix_tok_admin,
			      "{\"name\":\"x\"}");
		ck_assert_int_eq(r.status, 403);
		reply_free(&r);
	}
	/* enabled again: it takes meetings */
	ck_assert_int_eq(patch(1, fleetfix_sim_name(home), fleetfix_tok_admin,
			       "{\"state\":\"enabled\"}"),
			 200);
	ids = listed(1, &incomplete);
	ck_assert(has_id(ids, "kept"));
	json_decref(ids);
}
END_TEST

/* The value of one metrics sample line ("name{labels} value"), or -1 when absent. */
static long long metric(int g, const char *sample)
{
	struct reply r;
	const char *p;
	long long v = -1;

	fleetfix_call(&r, g, "GET", "/metrics", fleetfix_tok_all, NULL);
	ck_assert_int_eq(r.status, 200);
	p = strstr(gw_buf_str(&r.body), sample);
	if (p != NULL)
		v = strtoll(p + strlen(sample), NULL, 10);
	reply_free(&r);
	return v;
}

/* Events come from every server's bbb-webhooks, each verified with its server's secret. */
START_TEST(test_fleet_events_from_every_server)
{
	char extra[256];
	char id[32];

	fleetfix_sims_start();
	fleet_up(1);
	snprintf(extra, sizeof(extra),
		 FLEETFIX_BBB " events = { callback_url = "
			      "\"http://127.0.0.1:%u/v1/bbb-events\"; };",
		 fleetfix_gateway_port(1));
	fleetfix_gateway_reconfigure(1, extra);
	for (int i = 1; i <= FLEETFIX_SIMS; i++) {
		char line[96];

		fleetfix_wait_health(1, fleetfix_sim_name(i), true);
		snprintf(line, sizeof(line), "callback registered with bbb-webhooks on %s",
			 fleetfix_sim_name(i));
		fleetfix_wait_log(1, line);
	}
	/* three creates: one on each server (equal loads) */
	for (int i = 0; i < 3; i++) {
		snprintf(id, sizeof(id), "ev-%d", i);
		ck_assert_int_eq(fleetfix_create(1, id, NULL), 201);
	}
	for (int i = 1; i <= FLEETFIX_SIMS; i++) {
		json_t *ids = fleetfix_sim_meetings(i);

		ck_assert_uint_eq(json_array_size(ids), 1);
		json_decref(ids);
	}
	for (unsigned waited = 0; metric(1, "bbb_gateway_events_received_total{type=\"meeting-"
					    "created\"} ") < 3;
	     waited += 100) {
		ck_assert_msg(waited < FLEETFIX_WAIT_MS, "the three meeting-created never came");
		fleetfix_sleep_ms(100);
	}
	ck_assert_int_eq(metric(1, "bbb_gateway_event_callbacks_refused_total "), 0);
}
END_TEST

#define REC_A "1111111111111111111111111111111111111111-1700000000000"
#define REC_B "2222222222222222222222222222222222222222-1700000100000"

/* A recordings fixture (bbb-sim --recordings) with one published recording, in the test's dir. */
static const char *recording_file(const char *name, const char *id, const char *meeting,
				  const char *start)
{
	static char paths[2][512];
	static int k;
	char *path = paths[k++ % 2];
	FILE *f;

	snprintf(path, sizeof(paths[0]), "%s/%s.rec", fleetfix_dir(), name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f,
		"recording %s\nmeeting %s \"%s\"\nstate published\ntimes %s 1800000000000\n"
		"participants 2\nformat presentation https://bbb.example/playback/%s "
		"processingTime=1 duration=60000 size=1000\n",
		id, meeting, meeting, start, id);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

/* The recordIDs GET path lists (a new array); *total gets pagination.totalElements or -1. */
static json_t *recordings(int g, const char *path, long long *total)
{
	struct reply r;
	json_t *ids = json_array(), *rec;
	size_t i;

	fleetfix_call(&r, g, "GET", path, fleetfix_tok_all, NULL);
	ck_assert_int_eq(r.status, 200);
	json_array_foreach (json_object_get(r.json, "recordings"), i, rec)
		json_array_append(ids, json_object_get(rec, "recordID"));
	*total = json_integer_value(json_object_get(json_object_get(r.json, "pagination"), "totalEl"
											   "ement"
											   "s"));
	if (json_object_get(r.json, "pagination") == NULL)
		*total = -1;
	reply_free(&r);
	return ids;
}

/* Recordings on two servers: one merged list, a page cut after the merge, calls by recordID on their server. */
START_TEST(test_fleet_recordings_on_their_servers)
{
	struct reply r;
	json_t *ids;
	long long total;

	fleetfix_opts.sim_recordings[0] = recording_file("sim1", REC_A, "rec-a", "1700000000000");
	fleetfix_opts.sim_recordings[2] = recording_file("sim3", REC_B, "rec-b", "1700000100000");
	fleetfix_sims_start();
	fleet_up(1);
	ids = recordings(1, "/v1/recordings", &total);
	ck_assert_uint_eq(json_array_size(ids), 2);
	ck_assert(has_id(ids, REC_A) && has_id(ids, REC_B));
	json_decref(ids);
	/* the second page of one: by startTime across the servers */
	ids = recordings(1, "/v1/recordings?offset=1&limit=1", &total);
	ck_assert_uint_eq(json_array_size(ids), 1);
	ck_assert_str_eq(json_string_value(json_array_get(ids, 0)), REC_B);
	ck_assert_int_eq(total, 2);
	json_decref(ids);
	/* one recording: found on its server */
	ck_assert_int_eq(fleetfix_status(1, "GET", "/v1/recordings/" REC_B, NULL), 200);
	/* unpublish B: publishRecordings goes to bbb3, which lists it */
	fleetfix_call(&r, 1, "PATCH", "/v1/recordings/" REC_B, fleetfix_tok_all,
		      "{\"published\":false}");
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	{
		struct bbbsim_resp c = fleetfix_sim_call(3, "getRecordings", "recordID=" REC_B);

		ck_assert_int_eq(c.status, 200);
		ck_assert_ptr_nonnull(strstr(c.body, "<published>false</published>"));
		bbbsim_resp_free(&c);
	}
	/* delete A: deleteRecordings goes to bbb1 */
	ck_assert_int_eq(fleetfix_status(1, "DELETE", "/v1/recordings/" REC_A, NULL), 200);
	{
		struct bbbsim_resp c =
			fleetfix_sim_call(1, "getRecordings", "recordID=" REC_A "&state=any");

		ck_assert_int_eq(c.status, 200);
		ck_assert_ptr_nonnull(strstr(c.body, "<state>deleted</state>"));
		bbbsim_resp_free(&c);
	}
	/* a recording no server has */
	ck_assert_int_eq(fleetfix_status(1, "DELETE",
					 "/v1/recordings/"
					 "3333333333333333333333333333333333333333-1700000000000",
					 NULL),
			 404);
}
END_TEST

static long readyz(int g)
{
	return fleetfix_status(g, "GET", "/readyz", NULL);
}

/* Waits (at most FLEETFIX_WAIT_MS) until gateway g's /readyz answers want. */
static void wait_readyz(int g, long want)
{
	for (unsigned waited = 0; readyz(g) != want; waited += 100) {
		ck_assert_msg(waited < FLEETFIX_WAIT_MS, "/readyz never answered %ld", want);
		fleetfix_sleep_ms(100);
	}
}

/* Waits (at most FLEETFIX_WAIT_MS) until a poll of server name on gateway g has failed. */
static void wait_failed_polls(int g, const char *name)
{
	for (unsigned waited = 0;; waited += 100) {
		json_t *s = server_entry(g, name);
		json_int_t failed = json_integer_value(json_object_get(s, "failedPolls"));

		json_decref(s);
		if (failed > 0)
			return;
		ck_assert_msg(waited < FLEETFIX_WAIT_MS, "no poll of %s failed", name);
		fleetfix_sleep_ms(100);
	}
}

/* Ready while one server that is not disabled answers, whichever server is first. */
START_TEST(test_fleet_readyz_while_the_first_server_is_down)
{
	/* two failed polls (10 s) before bbb1 is taken for unhealthy */
	fleetfix_opts.fleet = "poll_s = 5;";
	fleetfix_sims_start();
	fleet_up(1);
	ck_assert_int_eq(readyz(1), 200);
	fleetfix_sim_kill(1);
	/* past /readyz's cache (1 s): bbb1, the first usable server still, would be probed */
	for (int i = 0; i < 12; i++) {
		ck_assert_int_eq(readyz(1), 200);
		fleetfix_sleep_ms(250);
	}
	ck_assert(fleetfix_server_healthy(1, "bbb1"));
	/* until a poll finds it down, bbb1 itself counts as answering */
	wait_failed_polls(1, "bbb1");
	ck_assert_int_eq(readyz(1), 200);
	/* a cordoned server counts, a disabled one does not */
	ck_assert_int_eq(patch(1, "bbb2", fleetfix_tok_admin, "{\"state\":\"cordoned\"}"), 200);
	ck_assert_int_eq(patch(1, "bbb3", fleetfix_tok_admin, "{\"state\":\"disabled\"}"), 200);
	ck_assert_int_eq(readyz(1), 200);
	ck_assert_int_eq(patch(1, "bbb2", fleetfix_tok_admin, "{\"state\":\"disabled\"}"), 200);
	ck_assert_int_eq(readyz(1), 503);
	ck_assert_int_eq(patch(1, "bbb3", fleetfix_tok_admin, "{\"state\":\"enabled\"}"), 200);
	wait_readyz(1, 200);
	/* no server answers: not ready; one back: ready */
	fleetfix_sim_kill(3);
	wait_readyz(1, 503);
	fleetfix_sim_restart(3);
	wait_readyz(1, 200);
}
END_TEST

static size_t servers_listed(int g)
{
	struct reply r;
	size_t n;

	fleetfix_call(&r, g, "GET", "/v1/servers", fleetfix_tok_admin, NULL);
	ck_assert_int_eq(r.status, 200);
	n = json_array_size(json_object_get(r.json, "servers"));
	reply_free(&r);
	return n;
}

/* A reload adds, removes and re-states servers; the others keep their meetings. */
START_TEST(test_fleet_reload_changes_servers)
{
	char id[32];
	int on3 = 0;

	fleetfix_sims_start();
	fleetfix_opts.n_servers = 2;
	fleetfix_gateway_start(1, FLEETFIX_BBB);
	fleetfix_wait_health(1, "bbb1", true);
	fleetfix_wait_health(1, "bbb2", true);
	ck_assert_uint_eq(servers_listed(1), 2);
	ck_assert_int_eq(fleetfix_create(1, "before", NULL), 201);
	/* bbb3 added: polled, then placed on */
	fleetfix_opts.n_servers = 3;
	fleetfix_gateway_reload(1);
	ck_assert_uint_eq(servers_listed(1), 3);
	fleetfix_wait_health(1, "bbb3", true);
	for (int i = 0; i < 6; i++) {
		snprintf(id, sizeof(id), "added-%d", i);
		ck_assert_int_eq(fleetfix_create(1, id, NULL), 201);
		on3 += sim_of(id) == 3;
	}
	ck_assert_int_gt(on3, 0);
	ck_assert_int_eq(fleetfix_status(1, "GET", "/v1/meetings/before", NULL), 200);
	/* bbb2 cordoned in the file: no new meetings there */
	fleetfix_opts.server_extra[1] = "state = \"cordoned\";";
	fleetfix_gateway_reload(1);
	for (int i = 0; i < 4; i++) {
		snprintf(id, sizeof(id), "restated-%d", i);
		ck_assert_int_eq(fleetfix_create(1, id, NULL), 201);
		ck_assert_int_ne(sim_of(id), 2);
	}
	/* bbb3 removed: gone from the fleet and its meetings with it */
	fleetfix_opts.n_servers = 2;
	fleetfix_gateway_reload(1);
	ck_assert_uint_eq(servers_listed(1), 2);
	for (int i = 0; i < 6; i++) {
		char path[64];

		snprintf(id, sizeof(id), "added-%d", i);
		snprintf(path, sizeof(path), "/v1/meetings/%s", id);
		/* a meeting on the removed server is found on none of the others */
		ck_assert_int_eq(fleetfix_status(1, "GET", path, NULL),
				 fleetfix_sim_has_meeting(3, id) ? 404 : 200);
	}
	ck_assert_int_eq(fleetfix_status(1, "GET", "/v1/meetings/before", NULL), 200);
}
END_TEST

static Suite *fleet_servers_suite(void)
{
	Suite *s = suite_create("fleet_servers");
	TCase *tc = tcase_create("fleet");

	tcase_add_checked_fixture(tc, fleetfix_setup, fleetfix_teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_fleet_burst_spreads_by_load);
	tcase_add_test(tc, test_fleet_affinity_join_and_lookup);
	tcase_add_test(tc, test_fleet_lists_merged_and_server_down);
	tcase_add_test(tc, test_fleet_cordon_disable_enable);
	tcase_add_test(tc, test_fleet_events_from_every_server);
	tcase_add_test(tc, test_fleet_recordings_on_their_servers);
	tcase_add_test(tc, test_fleet_reload_changes_servers);
	tcase_add_test(tc, test_fleet_readyz_while_the_first_server_is_down);
	suite_add_tcase(s, tc);
	return s;
}

FLEETFIX_MAIN(fleet_servers_suite, false)
