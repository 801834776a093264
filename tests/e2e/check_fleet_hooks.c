/*
 * check_fleet_hooks.c - bbb-webhooks registrations with a fleet of three
 * simulators behind one gateway process: a global hook is made on every
 * server and its hookID names each ("bbb1:1,bbb2:1,bbb3:1"); a meeting's
 * hook is made on the meeting's server only; the list merges every
 * server's hooks with hookIDs that say where they live; a DELETE of either
 * kind removes exactly those registrations; ids that name no server, or
 * one twice, are 404.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetfix.h"
#include "testutil.h"

#define CB "https://hooks.example.org/cb"

/* The simulator's own hooks/list holds callback URL cb. */
static bool sim_has_hook(int i, const char *cb)
{
	struct bbbsim_resp r = fleetfix_sim_call(i, "hooks/list", "");
	bool has;

	ck_assert_int_eq(r.status, 200);
	has = strstr(r.body, cb) != NULL;
	bbbsim_resp_free(&r);
	return has;
}

/* POST /v1/hooks with body; the status, and the hookID into id. */
static long create_hook(const char *body, char *id, size_t cap)
{
	struct reply r;
	json_t *doc;
	long st;

	fleetfix_call(&r, 1, "POST", "/v1/hooks", fleetfix_tok_all, body);
	st = r.status;
	doc = json_loads(gw_buf_str(&r.body), 0, NULL);
	snprintf(id, cap, "%s",
		 json_string_value(json_object_get(doc, "hookID")) != NULL
			 ? json_string_value(json_object_get(doc, "hookID"))
			 : "");
	json_decref(doc);
	reply_free(&r);
	return st;
}

/* The hookIDs GET /v1/hooks lists whose callbackURL is cb, joined with ' '. */
static char *listed(const char *cb)
{
	static char ids[512];
	struct reply r;
	json_t *doc, *h;
	size_t i;

	fleetfix_call(&r, 1, "GET", "/v1/hooks", fleetfix_tok_all, NULL);
	ck_assert_int_eq(r.status, 200);
	doc = json_loads(gw_buf_str(&r.body), 0, NULL);
	ck_assert_ptr_nonnull(doc);
	ck_assert_ptr_null(json_object_get(doc, "incomplete"));
	ids[0] = '\0';
	json_array_foreach (json_object_get(doc, "hooks"), i, h) {
		const char *url = json_string_value(json_object_get(h, "callbackURL"));

		if (url != NULL && strcmp(url, cb) == 0) {
			strncat(ids, ids[0] != '\0' ? " " : "", sizeof(ids) - strlen(ids) - 1);
			strncat(ids, json_string_value(json_object_get(h, "hookID")),
				sizeof(ids) - strlen(ids) - 1);
		}
	}
	json_decref(doc);
	reply_free(&r);
	return ids;
}

static long delete_hook(const char *id)
{
	char path[512];

	snprintf(path, sizeof(path), "/v1/hooks/%s", id);
	return fleetfix_status(1, "DELETE", path, NULL);
}

START_TEST(test_fleet_hooks_global_and_meeting)
{
	char global[256], one[128], body[256];
	int where = 0;

	fleetfix_sims_start();
	fleetfix_gateway_start(1, FLEETFIX_BBB);
	for (int i = 1; i <= FLEETFIX_SIMS; i++)
		fleetfix_wait_health(1, fleetfix_sim_name(i), true);

	/*
	 * The meeting first: a simulator, as bbb-webhooks, drops a hook whose
	 * callbacks fail, and nothing answers at CB.
	 */
	ck_assert_int_eq(fleetfix_create(1, "hooked", NULL), 201);
	/* a hook of every meeting: on every server, its id naming each */
	ck_assert_int_eq(create_hook("{\"callbackURL\":\"" CB "/all\"}", global, sizeof(global)),
			 201);
	ck_assert_str_eq(global, "bbb1:1,bbb2:1,bbb3:1");
	for (int i = 1; i <= FLEETFIX_SIMS; i++)
		ck_assert(sim_has_hook(i, CB "/all"));
	ck_assert_str_eq(listed(CB "/all"), "bbb1:1 bbb2:1 bbb3:1");
	/* made again: every server answers with its existing hook */
	ck_assert_int_eq(create_hook("{\"callbackURL\":\"" CB "/all\"}", global, sizeof(global)),
			 200);
	ck_assert_str_eq(global, "bbb1:1,bbb2:1,bbb3:1");

	/* a meeting's hook: on its server only */
	for (int i = 1; i <= FLEETFIX_SIMS; i++) {
		if (fleetfix_sim_has_meeting(i, "hooked"))
			where = i;
	}
	ck_assert_int_gt(where, 0);
	snprintf(body, sizeof(body), "{\"callbackURL\":\"%s/one\",\"meetingID\":\"hooked\"}", CB);
	ck_assert_int_eq(create_hook(body, one, sizeof(one)), 201);
	ck_assert_int_eq(strncmp(one, fleetfix_sim_name(where), 4), 0);
	ck_assert_int_eq(one[4], ':');
	for (int i = 1; i <= FLEETFIX_SIMS; i++)
		ck_assert(sim_has_hook(i, CB "/one") == (i == where));
	ck_assert_str_eq(listed(CB "/one"), one);

	/* ids that name no server, a server twice, or no id */
	ck_assert_int_eq(delete_hook("1"), 404);
	ck_assert_int_eq(delete_hook("bbb9:1"), 404);
	ck_assert_int_eq(delete_hook("bbb1:1,bbb1:1"), 404);
	ck_assert_int_eq(delete_hook("bbb1:"), 404);
	ck_assert_int_eq(delete_hook("bbb1:1,"), 404);

	/* deletes remove exactly their registrations */
	ck_assert_int_eq(delete_hook(one), 200);
	for (int i = 1; i <= FLEETFIX_SIMS; i++) {
		ck_assert(!sim_has_hook(i, CB "/one"));
		ck_assert(sim_has_hook(i, CB "/all"));
	}
	ck_assert_int_eq(delete_hook(global), 200);
	for (int i = 1; i <= FLEETFIX_SIMS; i++)
		ck_assert(!sim_has_hook(i, CB "/all"));
	ck_assert_str_eq(listed(CB), "");
}
END_TEST

static Suite *fleet_hooks_suite(void)
{
	Suite *s = suite_create("fleet_hooks");
	TCase *tc = tcase_create("hooks");

	tcase_add_checked_fixture(tc, fleetfix_setup, fleetfix_teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_fleet_hooks_global_and_meeting);
	suite_add_tcase(s, tc);
	return s;
}

FLEETFIX_MAIN(fleet_hooks_suite, false)
