/*
 * check_fleet_shared.c - two gateway processes sharing placements through
 * a real redis-server (state.redis) in front of three BBB simulators: one
 * meetingID created on both gateways at once lands on one server, a burst
 * across both spreads evenly (the reservations are shared), each gateway finds the other's meetings, and with
 * Redis killed new meetings wait (503 + Retry-After) while running ones
 * keep working, until Redis is back; a tenant's max_meetings holds across
 * both gateways.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fleetfix.h"
#include "testutil.h"

static void both_up(void)
{
	fleetfix_sims_start();
	fleetfix_redis_start();
	for (int g = 1; g <= 2; g++) {
		fleetfix_gateway_start(g, FLEETFIX_BBB);
		for (int i = 1; i <= FLEETFIX_SIMS; i++)
			fleetfix_wait_health(g, fleetfix_sim_name(i), true);
	}
}

/* The simulators holding meetingID id. */
static int holders(const char *id, int *which)
{
	int n = 0;

	for (int i = 1; i <= FLEETFIX_SIMS; i++) {
		if (fleetfix_sim_has_meeting(i, id)) {
			n++;
			*which = i;
		}
	}
	return n;
}

static long status_of(int g, const char *method, const char *path, const char *body,
		      const char **retry_after)
{
	static char retry[16];
	struct reply r;
	long status;
	const char *h;

	fleetfix_call(&r, g, method, path, fleetfix_tok_all, body);
	status = r.status;
	h = header(&r, "Retry-After");
	snprintf(retry, sizeof(retry), "%s", h != NULL ? h : "");
	if (retry_after != NULL)
		*retry_after = retry;
	reply_free(&r);
	return status;
}

START_TEST(test_shared_same_id_on_both_gateways)
{
	struct fleetfix_shot shots[2];
	char body[96];
	char id[32];
	int which = 0;

	both_up();
	for (int k = 0; k < 8; k++) {
		snprintf(id, sizeof(id), "both-%d", k);
		snprintf(body, sizeof(body), "{\"name\":\"Both\",\"meetingID\":\"%s\"}", id);
		memset(shots, 0, sizeof(shots));
		for (int g = 0; g < 2; g++)
			shots[g] = (struct fleetfix_shot){.gw = g + 1,
							  .method = "POST",
							  .path = "/v1/meetings",
							  .token = fleetfix_tok_all,
							  .body = body};
		fleetfix_burst(shots, 2);
		/* one made it, the other got the answer for an existing meeting */
		ck_assert_uint_eq(fleetfix_burst_count(shots, 2, 201), 1);
		ck_assert_uint_eq(fleetfix_burst_count(shots, 2, 200), 1);
		fleetfix_burst_free(shots, 2);
		ck_assert_int_eq(holders(id, &which), 1);
	}
	/* each gateway's later calls go to that server */
	ck_assert_int_eq(status_of(1, "GET", "/v1/meetings/both-0", NULL, NULL), 200);
	ck_assert_int_eq(status_of(2, "GET", "/v1/meetings/both-0", NULL, NULL), 200);
	ck_assert_int_eq(status_of(2, "POST", "/v1/meetings/both-0/end", "{}", NULL), 200);
	ck_assert_int_eq(status_of(1, "GET", "/v1/meetings/both-0", NULL, NULL), 404);
}
END_TEST

START_TEST(test_shared_burst_across_gateways)
{
	size_t count[FLEETFIX_SIMS] = {0};
	int which = 0;

	both_up();
	fleetfix_burst_creates("sb", 30, 2);
	for (size_t i = 0; i < 30; i++) {
		char id[16];

		snprintf(id, sizeof(id), "sb-%zu", i);
		ck_assert_int_eq(holders(id, &which), 1);
		count[which - 1]++;
	}
	printf("# placement spread of 30 creates on two gateways: bbb1=%zu bbb2=%zu bbb3=%zu\n",
	       count[0], count[1], count[2]);
	/*
	 * The store weighs every gateway's reservations: about a third each
	 * (a poll that lands mid-burst on one gateway only may tilt a few).
	 */
	for (int i = 0; i < FLEETFIX_SIMS; i++)
		ck_assert_msg(count[i] >= 7 && count[i] <= 13, "bbb%d got %zu of 30", i + 1,
			      count[i]);
	/* a meeting gateway 1 placed, found by gateway 2 */
	ck_assert_int_eq(status_of(2, "GET", "/v1/meetings/sb-0", NULL, NULL), 200);
}
END_TEST

START_TEST(test_shared_redis_down_and_back)
{
	const char *retry = NULL;
	long st = 0;

	both_up();
	ck_assert_int_eq(fleetfix_create(1, "running", NULL), 201);
	ck_assert_int_eq(status_of(2, "GET", "/v1/meetings/running", NULL, NULL), 200);
	fleetfix_redis_kill();
	/* new meetings wait: a create could otherwise land on two servers */
	ck_assert_int_eq(status_of(1, "POST", "/v1/meetings",
				   "{\"name\":\"New\",\"meetingID\":\"new\"}", &retry),
			 503);
	ck_assert_str_eq(retry, "2");
	ck_assert_int_eq(status_of(2, "POST", "/v1/meetings",
				   "{\"name\":\"New\",\"meetingID\":\"new\"}", NULL),
			 503);
	/* running meetings work from each gateway's map */
	ck_assert_int_eq(status_of(1, "GET", "/v1/meetings/running", NULL, NULL), 200);
	ck_assert_int_eq(status_of(2, "GET", "/v1/meetings/running", NULL, NULL), 200);
	ck_assert_int_eq(status_of(2, "POST", "/v1/meetings/running/join",
				   "{\"fullName\":\"Ada\",\"role\":\"VIEWER\"}", NULL),
			 200);
	/* back by itself once Redis is */
	fleetfix_redis_restart();
	for (unsigned waited = 0;; waited += 200) {
		st = status_of(1, "POST", "/v1/meetings",
			       "{\"name\":\"New\",\"meetingID\":\"new\"}", NULL);
		if (st == 201)
			break;
		ck_assert_int_eq(st, 503);
		ck_assert_msg(waited < FLEETFIX_WAIT_MS, "creates never came back");
		fleetfix_sleep_ms(200);
	}
	for (unsigned waited = 0;
	     (st = status_of(2, "POST", "/v1/meetings", "{\"name\":\"New\",\"meetingID\":\"new\"}",
			     NULL)) == 503;
	     waited += 200) {
		ck_assert_msg(waited < FLEETFIX_WAIT_MS, "gateway 2 never came back");
		fleetfix_sleep_ms(200);
	}
	ck_assert_int_eq(st, 200); /* gateway 1's meeting, on the same server */
}
END_TEST

#define QUOTA_SECRET "lms-shared-quota-secret-0123456789abcdef"
#define QUOTA_TENANT                                                                        \
	"tenants = ( { name = \"lms\"; meeting_prefix = \"lms~\"; secret = \"" QUOTA_SECRET \
	"\"; max_meetings = 3; } );\n"
#define QUOTA_CONFIG                                                         \
	FLEETFIX_BBB QUOTA_TENANT "facade = { enabled = true; public_url = " \
				  "\"https://gw.example.org\"; };\n"

/* A facade create of meetingID id on gateway g: 1 SUCCESS, 0 quotaExceeded (else fails). */
static int facade_create(int g, const char *id)
{
	struct gw_buf path;
	struct reply r;
	char q[128];
	int made;

	gw_buf_init(&path, 1 << 16);
	snprintf(q, sizeof(q), "name=Course&meetingID=%s", id);
	fleetfix_facade_path(&path, "lms", QUOTA_SECRET, "create", q);
	fleetfix_call(&r, g, "GET", gw_buf_str(&path), NULL, NULL);
	gw_buf_deinit(&path);
	made = strstr(gw_buf_str(&r.body), "<returncode>SUCCESS</returncode>") != NULL;
	ck_assert_msg(made || strstr(gw_buf_str(&r.body), "quotaExceeded") != NULL, "%s: %s", id,
		      gw_buf_str(&r.body));
	reply_free(&r);
	return made;
}

/* The lms meetings on the simulators. */
static int lms_meetings(void)
{
	int n = 0;

	for (int i = 1; i <= FLEETFIX_SIMS; i++) {
		json_t *ids = fleetfix_sim_meetings(i), *v;
		size_t k;

		json_array_foreach (ids, k, v)
			n += strncmp(json_string_value(v), "lms~", 4) == 0;
		json_decref(ids);
	}
	return n;
}

START_TEST(test_shared_tenant_quota)
{
	struct fleetfix_shot shots[8];
	struct gw_buf paths[8];
	char q[128];
	int made = 0;

	fleetfix_sims_start();
	fleetfix_redis_start();
	for (int g = 1; g <= 2; g++) {
		fleetfix_gateway_start(g, QUOTA_CONFIG);
		for (int i = 1; i <= FLEETFIX_SIMS; i++)
			fleetfix_wait_health(g, fleetfix_sim_name(i), true);
	}
	/* eight creates at once, four on each gateway: three meetings in all, not three each */
	for (int i = 0; i < 8; i++) {
		gw_buf_init(&paths[i], 1 << 16);
		snprintf(q, sizeof(q), "name=Course&meetingID=q%d", i);
		fleetfix_facade_path(&paths[i], "lms", QUOTA_SECRET, "create", q);
		shots[i] = (struct fleetfix_shot){
			.gw = 1 + i % 2, .method = "GET", .path = gw_buf_str(&paths[i])};
	}
	fleetfix_burst(shots, 8);
	for (int i = 0; i < 8; i++) {
		const char *body = gw_buf_str(&shots[i].r.body);

		ck_assert_msg(shots[i].r.status == 200, "q%d: %ld", i, shots[i].r.status);
		if (strstr(body, "<returncode>SUCCESS</returncode>") != NULL)
			made++;
		else
			ck_assert_msg(strstr(body, "quotaExceeded") != NULL, "q%d: %s", i, body);
	}
	fleetfix_burst_free(shots, 8);
	for (int i = 0; i < 8; i++)
		gw_buf_deinit(&paths[i]);
	ck_assert_int_eq(made, 3);
	ck_assert_int_eq(lms_meetings(), 3);

	/* a create of an existing meeting needs no slot, on either gateway */
	for (int i = 0; i < 8; i++) {
		char id[16];

		snprintf(id, sizeof(id), "q%d", i);
		snprintf(q, sizeof(q), "lms~%s", id);
		for (int k = 1; k <= FLEETFIX_SIMS; k++) {
			if (fleetfix_sim_has_meeting(k, q)) {
				ck_assert_int_eq(facade_create(1, id), 1);
				ck_assert_int_eq(facade_create(2, id), 1);
			}
		}
	}
	ck_assert_int_eq(lms_meetings(), 3);
	/* one of them ended: a slot again, once a count shows it, on one gateway only */
	for (int i = 1; i <= FLEETFIX_SIMS; i++) {
		json_t *ids = fleetfix_sim_meetings(i), *v;
		size_t k;

		json_array_foreach (ids, k, v) {
			if (made == 3 && strncmp(json_string_value(v), "lms~", 4) == 0) {
				struct bbbsim_resp e;

				snprintf(q, sizeof(q), "meetingID=%s", json_string_value(v));
				e = fleetfix_sim_call(i, "end", q);
				ck_assert_int_eq(e.status, 200);
				bbbsim_resp_free(&e);
				made = 2;
			}
		}
		json_decref(ids);
	}
	ck_assert_int_eq(lms_meetings(), 2);
	/* past limits.tenant_count_ms (2 s): every count is asked again */
	fleetfix_sleep_ms(2500);
	ck_assert_int_eq(facade_create(1, "after-1") + facade_create(2, "after-2"), 1);
	ck_assert_int_eq(lms_meetings(), 3);
}
END_TEST

static Suite *fleet_shared_suite(void)
{
	Suite *s = suite_create("fleet_shared");
	TCase *tc = tcase_create("shared");

	tcase_add_checked_fixture(tc, fleetfix_setup, fleetfix_teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_shared_same_id_on_both_gateways);
	tcase_add_test(tc, test_shared_burst_across_gateways);
	tcase_add_test(tc, test_shared_redis_down_and_back);
	tcase_add_test(tc, test_shared_tenant_quota);
	suite_add_tcase(s, tc);
	return s;
}

FLEETFIX_MAIN(fleet_shared_suite, true)
