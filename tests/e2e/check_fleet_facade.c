/*
 * check_fleet_facade.c - BBB's own XML API (the BBB-compatible API, and
 * Accept: application/xml on the JSON API) in front of a fleet of three
 * simulators: getMeetings, getRecordings and hooks/list come merged from
 * every server as one BBB reply, each server's part rewritten for the
 * tenant first; a recordings page is cut from the merged list; a server
 * that is down is named in <incomplete>; a meeting's hook lives on the
 * meeting's server, its hookID says which ("bbb2:1"), and hooks/destroy
 * takes that id to the server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetfix.h"
#include "testutil.h"

#define LMS_SECRET "lms-fleet-facade-secret-0123456789abcdef"
#define TENANTS                                                                                    \
	"tenants = ( { name = \"lms\"; meeting_prefix = \"lms~\"; secret = \"" LMS_SECRET "\"; } " \
	");\n"
#define FACADE                                                          \
	FLEETFIX_BBB TENANTS "facade = { enabled = true; public_url = " \
			     "\"https://gw.example.org\"; };\n"

#define REC_A "1111111111111111111111111111111111111111-1700000100000"
#define REC_B "2222222222222222222222222222222222222222-1700000000000"
#define REC_OTHER "3333333333333333333333333333333333333333-1700000050000"

/* A recordings fixture of simulator name: recordings (id, meetingID, tenant, start) ... */
static const char *recording_file(const char *name, const char *const (*recs)[4], size_t n)
{
	static char paths[FLEETFIX_SIMS][512];
	static int k;
	char *path = paths[k++ % FLEETFIX_SIMS];
	FILE *f;

	snprintf(path, sizeof(paths[0]), "%s/%s.rec", fleetfix_dir(), name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	for (size_t i = 0; i < n; i++)
		fprintf(f,
			"recording %s\nmeeting %s \"Course\"\nstate published published=true\n"
			"times %s 1800000000000\nparticipants 2\nmeta meetingId %s\n"
			"meta bbb-gateway-tenant %s\n"
			"format presentation https://bbb.example/playback/%s "
			"processingTime=1 duration=60000 size=1000\n\n",
			recs[i][0], recs[i][1], recs[i][3], recs[i][1], recs[i][2], recs[i][0]);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

/* GET call?query on the BBB-compatible API of gateway 1, signed with the tenant's secret. */
static void lms(struct reply *r, const char *call, const char *query)
{
	struct gw_buf path;

	gw_buf_init(&path, 1 << 16);
	fleetfix_facade_path(&path, "lms", LMS_SECRET, call, query);
	fleetfix_call(r, 1, "GET", gw_buf_str(&path), NULL, NULL);
	gw_buf_deinit(&path);
	ck_assert_msg(r->status == 200, "%s: status %ld", call, r->status);
	ck_assert_ptr_nonnull(strstr(header(r, "Content-Type"), "xml"));
}

static bool has(const struct reply *r, const char *text)
{
	return strstr(gw_buf_str(&r->body), text) != NULL;
}

/* How many times text occurs in the reply. */
static int count(const struct reply *r, const char *text)
{
	const char *p = gw_buf_str(&r->body);
	int n = 0;

	while ((p = strstr(p, text)) != NULL) {
		n++;
		p += strlen(text);
	}
	return n;
}

/* The simulator that holds meeting id (BBB's), 0 when none. */
static int server_of(const char *id)
{
	for (int i = 1; i <= FLEETFIX_SIMS; i++) {
		if (fleetfix_sim_has_meeting(i, id))
			return i;
	}
	return 0;
}

static void fleet_up(void)
{
	fleetfix_sims_start();
	fleetfix_gateway_start(1, FACADE);
	for (int i = 1; i <= FLEETFIX_SIMS; i++)
		fleetfix_wait_health(1, fleetfix_sim_name(i), true);
}

START_TEST(test_fleet_facade_meetings)
{
	static const char *const ids[] = {"c1", "c2", "c3"};
	bool on[FLEETFIX_SIMS + 1] = {false};
	int where[3], servers = 0, down, left = 0;
	struct reply r;
	char q[128], name[96];

	fleet_up();
	for (size_t i = 0; i < 3; i++) {
		snprintf(q, sizeof(q), "name=Course&meetingID=%s", ids[i]);
		lms(&r, "create", q);
		ck_assert_msg(has(&r, "<returncode>SUCCESS</returncode>"), "%s",
			      gw_buf_str(&r.body));
		reply_free(&r);
	}
	ck_assert_int_eq(fleetfix_create(1, "staff", NULL), 201);
	for (size_t i = 0; i < 3; i++) {
		snprintf(q, sizeof(q), "lms~%s", ids[i]);
		where[i] = server_of(q);
		on[where[i]] = true;
	}
	ck_assert(!on[0]);
	for (int i = 1; i <= FLEETFIX_SIMS; i++)
		servers += on[i];
	/* the creates spread: the list below is a merge */
	ck_assert_int_ge(servers, 2);

	/* the tenant's meetings from every server, as the tenant names them */
	lms(&r, "getMeetings", "");
	ck_assert_msg(count(&r, "<meeting>") == 3, "%s", gw_buf_str(&r.body));
	for (size_t i = 0; i < 3; i++) {
		snprintf(q, sizeof(q), "<meetingID>%s</meetingID>", ids[i]);
		ck_assert_msg(has(&r, q), "%s", gw_buf_str(&r.body));
	}
	ck_assert(!has(&r, "lms~") && !has(&r, "staff") && !has(&r, "noMeetings"));
	ck_assert(!has(&r, "<incomplete>"));
	ck_assert_int_eq(count(&r, "<returncode>"), 1);
	reply_free(&r);

	/* the JSON API's escape hatch: every meeting, BBB's own IDs */
	struct req x = {.method = "GET",
			.path = "/v1/meetings",
			.token = fleetfix_tok_all,
			.extra_header = "Accept: application/xml",
			.port = fleetfix_gateway_port(1)};
	do_request(&x, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(header(&r, "Content-Type"), "application/xml; charset=utf-8");
	ck_assert_msg(count(&r, "<meeting>") == 4, "%s", gw_buf_str(&r.body));
	ck_assert(has(&r, "<meetingID>lms~c1</meetingID>") && has(&r, "<meetingID>staff</"
								      "meetingID>"));
	reply_free(&r);

	/* a server down: the others' meetings, and its name in <incomplete> */
	down = where[0];
	fleetfix_sim_kill(down);
	fleetfix_wait_health(1, fleetfix_sim_name(down), false);
	for (size_t i = 0; i < 3; i++)
		left += where[i] != down;
	lms(&r, "getMeetings", "");
	snprintf(name, sizeof(name), "<server>%s</server>", fleetfix_sim_name(down));
	ck_assert_msg(count(&r, "<meeting>") == left, "%s", gw_buf_str(&r.body));
	ck_assert_msg(has(&r, "<incomplete>") && has(&r, name), "%s", gw_buf_str(&r.body));
	ck_assert(!has(&r, "<meetingID>c1</meetingID>"));
	reply_free(&r);
}
END_TEST

START_TEST(test_fleet_facade_recordings)
{
	static const char *const sim1[][4] = {
		{REC_A, "lms~rec-a", "lms", "1700000100000"},
		{REC_OTHER, "other~x", "other", "1700000050000"},
	};
	static const char *const sim2[][4] = {{REC_B, "lms~rec-b", "lms", "1700000000000"}};
	struct reply r;
	const char *a, *b;

	fleetfix_opts.sim_recordings[0] = recording_file("sim1", sim1, 2);
	fleetfix_opts.sim_recordings[1] = recording_file("sim2", sim2, 1);
	fleet_up();

	/* both servers' recordings of the tenant, in the servers' order */
	lms(&r, "getRecordings", "");
	ck_assert_msg(count(&r, "<recording>") == 2, "%s", gw_buf_str(&r.body));
	a = strstr(gw_buf_str(&r.body), REC_A);
	b = strstr(gw_buf_str(&r.body), REC_B);
	ck_assert(a != NULL && b != NULL && a < b);
	ck_assert_msg(has(&r, "<meetingID>rec-a</meetingID>") && !has(&r, "lms~"), "%s",
		      gw_buf_str(&r.body));
	ck_assert(!has(&r, REC_OTHER) && !has(&r, "noRecordings") && !has(&r, "<pagination>"));
	reply_free(&r);

	/* a page of the merged list, by startTime: the earlier recording first */
	lms(&r, "getRecordings", "offset=0&limit=1");
	ck_assert_msg(count(&r, "<recording>") == 1 && has(&r, REC_B), "%s", gw_buf_str(&r.body));
	ck_assert(has(&r, "<pageable><offset>0</offset><limit>1</limit>"));
	ck_assert(has(&r, "<totalElements>2</totalElements><empty>false</empty></pagination>"));
	reply_free(&r);
	lms(&r, "getRecordings", "offset=1&limit=1");
	ck_assert_msg(count(&r, "<recording>") == 1 && has(&r, REC_A), "%s", gw_buf_str(&r.body));
	reply_free(&r);

	/* a recording call goes to the server that has the recording */
	lms(&r, "publishRecordings", "recordID=" REC_B "&publish=false");
	ck_assert_msg(has(&r, "<published>false</published>"), "%s", gw_buf_str(&r.body));
	reply_free(&r);
	lms(&r, "getRecordings", "recordID=" REC_B);
	ck_assert_msg(count(&r, "<recording>") == 1 && has(&r, "<state>unpublished</state>"), "%s",
		      gw_buf_str(&r.body));
	reply_free(&r);
	/* none on any server: one server's own answer */
	lms(&r, "getRecordings", "meetingID=nothing");
	ck_assert_msg(has(&r, "<messageKey>noRecordings</messageKey>"), "%s", gw_buf_str(&r.body));
	ck_assert_int_eq(count(&r, "<recording>"), 0);
	reply_free(&r);
}
END_TEST

START_TEST(test_fleet_facade_hooks)
{
	char hook[64], want[96];
	struct reply r;
	const char *p;
	int where;

	fleet_up();
	lms(&r, "create", "name=Hooked&meetingID=hooked");
	ck_assert(has(&r, "<returncode>SUCCESS</returncode>"));
	reply_free(&r);
	where = server_of("lms~hooked");
	ck_assert_int_gt(where, 0);

	/* made on the meeting's server, its id saying which */
	lms(&r, "hooks/create",
	    "callbackURL=https%3A%2F%2Fhooks.example.org%2Fcb&meetingID=hooked");
	ck_assert_msg(has(&r, "<returncode>SUCCESS</returncode>"), "%s", gw_buf_str(&r.body));
	p = strstr(gw_buf_str(&r.body), "<hookID>");
	ck_assert_ptr_nonnull(p);
	snprintf(hook, sizeof(hook), "%.*s", (int)strcspn(p + 8, "<"), p + 8);
	snprintf(want, sizeof(want), "%s:", fleetfix_sim_name(where));
	ck_assert_msg(strncmp(hook, want, strlen(want)) == 0, "hookID %s", hook);
	reply_free(&r);
	for (int i = 1; i <= FLEETFIX_SIMS; i++) {
		struct bbbsim_resp s = fleetfix_sim_call(i, "hooks/list", "");

		ck_assert((strstr(s.body, "hooks.example.org") != NULL) == (i == where));
		bbbsim_resp_free(&s);
	}

	/* the merged list names it the same way */
	lms(&r, "hooks/list", "");
	snprintf(want, sizeof(want), "<hookID>%s</hookID>", hook);
	ck_assert_msg(has(&r, want) && count(&r, "<hook>") == 1, "%s", gw_buf_str(&r.body));
	reply_free(&r);

	/* destroyed on its server; a second time it is missing */
	snprintf(want, sizeof(want), "hookID=%s", hook);
	lms(&r, "hooks/destroy", want);
	ck_assert_msg(has(&r, "<returncode>SUCCESS</returncode>") && has(&r, "<removed>true</"
									     "removed>"),
		      "%s", gw_buf_str(&r.body));
	reply_free(&r);
	for (int i = 1; i <= FLEETFIX_SIMS; i++) {
		struct bbbsim_resp s = fleetfix_sim_call(i, "hooks/list", "");

		ck_assert_ptr_null(strstr(s.body, "hooks.example.org"));
		bbbsim_resp_free(&s);
	}
	lms(&r, "hooks/destroy", want);
	ck_assert_msg(has(&r, "<messageKey>destroyMissingHook</messageKey>"), "%s",
		      gw_buf_str(&r.body));
	reply_free(&r);
	/* a server's own id alone names no hook of the fleet */
	lms(&r, "hooks/destroy", "hookID=1");
	ck_assert(has(&r, "<messageKey>destroyMissingHook</messageKey>"));
	reply_free(&r);
}
END_TEST

static Suite *fleet_facade_suite(void)
{
	Suite *s = suite_create("fleet_facade");
	TCase *tc = tcase_create("facade");

	tcase_add_checked_fixture(tc, fleetfix_setup, fleetfix_teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_fleet_facade_meetings);
	tcase_add_test(tc, test_fleet_facade_recordings);
	tcase_add_test(tc, test_fleet_facade_hooks);
	suite_add_tcase(s, tc);
	return s;
}

FLEETFIX_MAIN(fleet_facade_suite, false)
