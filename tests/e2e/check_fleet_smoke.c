/*
 * check_fleet_smoke.c - the fleet fixture itself (fleetfix.h): the config
 * text it writes, then its processes (three simulators, Redis, gateways
 * with a lone bbb group naming simulator 1, as the gateway reads no
 * servers yet): a meeting created through a gateway seen on simulator 1,
 * a simulator, Redis and a gateway killed and restarted on their ports, a
 * burst of concurrent requests, and no process left behind.
 */
#include <libconfig.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fleetfix.h"
#include "testutil.h"

static const struct fleetfix_server servers[] = {
	{"bbb1", "http://127.0.0.1:1001/bigbluebutton/api", "s1", NULL},
	{"bbb2", "http://127.0.0.1:1002/bigbluebutton/api", "s2", "weight = 2.0;"},
	{"bbb3", "http://127.0.0.1:1003/bigbluebutton/api", "s3", NULL},
};

/* The fleet's config in api-contract.md's syntax ("Many BBB servers"), byte for byte. */
START_TEST(test_fleet_smoke_config_text_fleet)
{
	struct fleetfix_conf c = {.port = 8090,
				  .hash_all = "sha256:aa",
				  .hash_admin = "sha256:bb",
				  .servers = servers,
				  .n_servers = 3,
				  .redis_port = 6390,
				  .extra = "log = { level = \"debug\"; };"};
	char *text = fleetfix_config_text(&c);
	config_t lc;

	ck_assert_str_eq(text, "listen = { address = \"127.0.0.1\"; port = 8090; threads = 2; };\n"
			       "servers = (\n"
			       "  { name = \"bbb1\"; url = "
			       "\"http://127.0.0.1:1001/bigbluebutton/api\"; secret = "
			       "\"s1\"; },\n"
			       "  { name = \"bbb2\"; url = "
			       "\"http://127.0.0.1:1002/bigbluebutton/api\"; secret = "
			       "\"s2\"; weight = 2.0; },\n"
			       "  { name = \"bbb3\"; url = "
			       "\"http://127.0.0.1:1003/bigbluebutton/api\"; secret = "
			       "\"s3\"; }\n"
			       ");\n"
			       "fleet = { poll_s = 1; };\n"
			       "state = { redis = \"redis://127.0.0.1:6390/0\"; };\n"
			       "tokens = (\n"
			       "  { name = \"all\"; hash = \"sha256:aa\"; scopes = [ \"*\" ]; },\n"
			       "  { name = \"admin\"; hash = \"sha256:bb\"; scopes = [ "
			       "\"servers:admin\" ]; }\n"
			       ");\n"
			       "log = { level = \"debug\"; };\n");
	/* It is libconfig, and reads back as written. */
	config_init(&lc);
	ck_assert_msg(config_read_string(&lc, text) == CONFIG_TRUE, "line %d: %s",
		      config_error_line(&lc), config_error_text(&lc));
	ck_assert_int_eq(config_setting_length(config_lookup(&lc, "servers")), 3);
	{
		const char *s = NULL;
		double w = 0;
		int poll = 0;

		ck_assert(config_lookup_string(&lc, "servers.[1].secret", &s));
		ck_assert_str_eq(s, "s2");
		ck_assert(config_lookup_float(&lc, "servers.[1].weight", &w));
		ck_assert(w == 2.0);
		ck_assert(config_lookup_int(&lc, "fleet.poll_s", &poll));
		ck_assert_int_eq(poll, 1);
		ck_assert(config_lookup_string(&lc, "state.redis", &s));
		ck_assert_str_eq(s, "redis://127.0.0.1:6390/0");
	}
	config_destroy(&lc);
	free(text);
	/* Without Redis there is no state group; fleet's settings are the test's. */
	c.redis_port = 0;
	c.fleet = "poll_s = 2; meeting_weight = 1;";
	c.extra = NULL;
	text = fleetfix_config_text(&c);
	ck_assert_ptr_null(strstr(text, "state"));
	ck_assert_ptr_nonnull(strstr(text, "\nfleet = { poll_s = 2; meeting_weight = 1; };\n"));
	free(text);
}
END_TEST

/* The lone form is a config today's gateway loads: server 1 as bbb, the "*" token. */
START_TEST(test_fleet_smoke_config_text_lone)
{
	char tok[GW_AUTH_TOKEN_LEN + 1];
	char hash[80];
	struct fleetfix_conf c = {
		.hash_all = hash, .servers = servers, .n_servers = 3, .lone = true};
	struct gw_config *loaded;
	char *text;

	ck_assert_int_eq(gw_auth_token_new(tok, hash), GW_OK);
	text = fleetfix_config_text(&c);
	ck_assert_ptr_null(strstr(text, "servers"));
	ck_assert_ptr_null(strstr(text, "fleet"));
	loaded = gw_test_config(text);
	ck_assert_str_eq(loaded->bbb_url, servers[0].url);
	ck_assert_str_eq(loaded->bbb_secret, "s1");
	ck_assert_uint_eq(loaded->listen_port, 0);
	ck_assert_uint_eq(loaded->n_tokens, 1);
	ck_assert_str_eq(loaded->tokens[0].name, "all");
	gw_config_unref(loaded);
	free(text);
}
END_TEST

/* A meeting created through the gateway is on simulator 1, and only there. */
START_TEST(test_fleet_smoke_create_reaches_sim1)
{
	struct reply r;
	json_t *ids;

	fleetfix_sims_start();
	fleetfix_redis_start();
	fleetfix_opts.lone = true;
	fleetfix_gateway_start(1, NULL);
	ck_assert_int_eq(fleetfix_create(1, "smoke-1", "\"record\":false"), 201);
	ck_assert(fleetfix_sim_has_meeting(1, "smoke-1"));
	ck_assert(!fleetfix_sim_has_meeting(2, "smoke-1"));
	ck_assert(!fleetfix_sim_has_meeting(3, "smoke-1"));
	ids = fleetfix_sim_meetings(1);
	ck_assert_uint_eq(json_array_size(ids), 1);
	json_decref(ids);
	fleetfix_call(&r, 1, "GET", "/v1/meetings/smoke-1", fleetfix_tok_all, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	fleetfix_call(&r, 1, "GET", "/v1/meetings", NULL, NULL);
	ck_assert_int_eq(r.status, 401);
	reply_free(&r);
	/* Each simulator has its own secret: simulator 2 refuses simulator 1's checksum. */
	ck_assert_str_ne(fleetfix_sim_secret(1), fleetfix_sim_secret(2));
	ck_assert_uint_ne(fleetfix_sim_port(1), fleetfix_sim_port(2));
}
END_TEST

START_TEST(test_fleet_smoke_kill_restart)
{
	unsigned port;
	char *reply;
	json_t *ids;

	fleetfix_sims_start();
	fleetfix_redis_start();
	fleetfix_opts.lone = true;
	fleetfix_gateway_start(1, NULL);
	/* A simulator comes back on its port, empty. */
	port = fleetfix_sim_port(2);
	ids = fleetfix_sim_meetings(2);
	ck_assert_uint_eq(json_array_size(ids), 0);
	json_decref(ids);
	{
		struct bbbsim_resp c = fleetfix_sim_call(2, "create", "meetingID=m2&name=M2");

		ck_assert_int_eq(c.status, 200);
		bbbsim_resp_free(&c);
	}
	ck_assert(fleetfix_sim_has_meeting(2, "m2"));
	fleetfix_sim_kill(2);
	ck_assert(!fleetfix_sim_answers(2));
	ck_assert(fleetfix_sim_answers(1));
	fleetfix_sim_restart(2);
	ck_assert(fleetfix_sim_answers(2));
	ck_assert_uint_eq(fleetfix_sim_port(2), port);
	ck_assert(!fleetfix_sim_has_meeting(2, "m2"));
	/* Redis too, without what it held. */
	port = fleetfix_redis_port();
	reply = fleetfix_redis_cmd("SET fleetfix-key 1");
	ck_assert_str_eq(reply, "+OK\r\n");
	free(reply);
	fleetfix_redis_kill();
	ck_assert(!fleetfix_redis_ping());
	fleetfix_redis_restart();
	ck_assert(fleetfix_redis_ping());
	ck_assert_uint_eq(fleetfix_redis_port(), port);
	reply = fleetfix_redis_cmd("GET fleetfix-key");
	ck_assert_str_eq(reply, "$-1\r\n");
	free(reply);
	/* A gateway comes back on its port. */
	port = fleetfix_gateway_port(1);
	fleetfix_gateway_kill(1);
	fleetfix_gateway_restart(1);
	ck_assert_uint_eq(fleetfix_gateway_port(1), port);
	ck_assert_int_eq(fleetfix_create(1, "after-restart", NULL), 201);
	ck_assert(fleetfix_sim_has_meeting(1, "after-restart"));
}
END_TEST

/* 30 requests at once, across two gateways, each answered. */
START_TEST(test_fleet_smoke_burst)
{
	struct fleetfix_shot shots[30];

	fleetfix_sim_start(1);
	fleetfix_opts.lone = true;
	fleetfix_gateway_start(1, NULL);
	fleetfix_gateway_start(2, NULL);
	ck_assert_uint_ne(fleetfix_gateway_port(1), fleetfix_gateway_port(2));
	memset(shots, 0, sizeof(shots));
	for (size_t i = 0; i < 30; i++) {
		shots[i].gw = 1;
		shots[i].method = "GET";
		shots[i].path = "/healthz";
	}
	fleetfix_burst(shots, 30);
	ck_assert_uint_eq(fleetfix_burst_count(shots, 30, 200), 30);
	fleetfix_burst_free(shots, 30);
	/* The same meetingID on both gateways at once: BBB's create is idempotent. */
	for (size_t i = 0; i < 2; i++) {
		shots[i].gw = (int)i + 1;
		shots[i].method = "POST";
		shots[i].path = "/v1/meetings";
		shots[i].token = fleetfix_tok_all;
		shots[i].body = "{\"name\":\"Both\",\"meetingID\":\"both\"}";
	}
	fleetfix_burst(shots, 2);
	ck_assert_uint_eq(fleetfix_burst_count(shots, 2, 201) + fleetfix_burst_count(shots, 2, 200),
			  2);
	fleetfix_burst_free(shots, 2);
	ck_assert(fleetfix_sim_has_meeting(1, "both"));
}
END_TEST

/* Everything stops and is reaped; a gateway's SIGTERM is a clean exit. */
START_TEST(test_fleet_smoke_nothing_left)
{
	fleetfix_sims_start();
	fleetfix_redis_start();
	fleetfix_opts.lone = true;
	fleetfix_gateway_start(1, NULL);
	fleetfix_gateway_start(2, NULL);
	ck_assert_int_eq(fleetfix_children(), FLEETFIX_SIMS + 1 + 2);
	ck_assert_int_eq(fleetfix_gateway_stop(2), 0);
	ck_assert_int_eq(fleetfix_children(), FLEETFIX_SIMS + 1 + 1);
	fleetfix_stop_all();
	ck_assert_int_eq(fleetfix_children(), 0);
	/* The fixture may start again after stop_all. */
	fleetfix_sim_restart(1);
	ck_assert(fleetfix_sim_answers(1));
}
END_TEST

static Suite *fleet_smoke_suite(void)
{
	Suite *s = suite_create("fleet_smoke");
	TCase *text = tcase_create("config_text");
	TCase *procs = tcase_create("processes");

	tcase_add_test(text, test_fleet_smoke_config_text_fleet);
	tcase_add_test(text, test_fleet_smoke_config_text_lone);
	suite_add_tcase(s, text);
	tcase_add_checked_fixture(procs, fleetfix_setup, fleetfix_teardown);
	tcase_set_timeout(procs, 120);
	tcase_add_test(procs, test_fleet_smoke_create_reaches_sim1);
	tcase_add_test(procs, test_fleet_smoke_kill_restart);
	tcase_add_test(procs, test_fleet_smoke_burst);
	tcase_add_test(procs, test_fleet_smoke_nothing_left);
	suite_add_tcase(s, procs);
	return s;
}

FLEETFIX_MAIN(fleet_smoke_suite, true)
