/*
 * check_fleet_shared.c - two gateway processes sharing placements through
 * a real redis-server (state.redis) in front of three BBB simulators: one
 * meetingID created on both gateways at once lands on one server, a burst
 * across both spreads evenly (the reservations are shared), each gateway finds the other's meetings, and with
 * Redis killed new meetings wait (503 + Retry-After) while running ones
 * keep working, until Redis is back.
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

static Suite *fleet_shared_suite(void)
{
	Suite *s = suite_create("fleet_shared");
	TCase *tc = tcase_create("shared");

	tcase_add_checked_fixture(tc, fleetfix_setup, fleetfix_teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_shared_same_id_on_both_gateways);
	tcase_add_test(tc, test_shared_burst_across_gateways);
	tcase_add_test(tc, test_shared_redis_down_and_back);
	suite_add_tcase(s, tc);
	return s;
}

FLEETFIX_MAIN(fleet_shared_suite, true)
