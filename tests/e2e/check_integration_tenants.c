/*
 * check_integration_tenants.c - two tenants on one simulator through the
 * JSON API: meetingIDs namespaced towards BBB and plain in replies, other
 * tenants' meetings, recordings and hooks invisible, the create policy
 * (deny, overrides, defaults, the maxParticipants cap, the tenant's
 * metadata key) as BBB receives it, and a token without a tenant seeing
 * everything as before.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "testutil.h"

static char tok_lms[GW_AUTH_TOKEN_LEN + 1];
static char tok_portal[GW_AUTH_TOKEN_LEN + 1];
static char recordings_path[4096];
static unsigned count_ms; /* limits.tenant_count_ms for the next start */

#define REC_LMS "1111111111111111111111111111111111111111-1715261728001"
#define REC_PORTAL "2222222222222222222222222222222222222222-1715261728002"
#define REC_NONE "3333333333333333333333333333333333333333-1715261728003"

static void add_tenant_token(struct gw_config *c, const char *name, const char *tenant, char *out)
{
	harness_add_token(c, name, GW_SCOPE_ALL, out)->tenant = strdup(tenant);
}

static struct gw_tenant_param *params(size_t n, const char *const *kv)
{
	struct gw_tenant_param *p = calloc(n + 1, sizeof(*p));

	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < n; i++) {
		p[i].name = strdup(kv[2 * i]);
		p[i].value = strdup(kv[2 * i + 1]);
	}
	return p;
}

static void tenants_tweak(struct gw_config *c)
{
	static const char *const defaults[] = {"record", "false", "meta_origin", "lms"};
	static const char *const overrides[] = {"logoutURL", "https://lms.example.org/"};
	struct gw_tenant *t = calloc(2, sizeof(*t));

	ck_assert_ptr_nonnull(t);
	t[0].name = strdup("lms");
	t[0].prefix = strdup("lms~");
	t[0].prefix_len = 4;
	t[0].checksums = 0xf;
	t[0].defaults = params(2, defaults);
	t[0].n_defaults = 2;
	t[0].overrides = params(1, overrides);
	t[0].n_overrides = 1;
	t[0].deny = calloc(2, sizeof(char *));
	t[0].deny[0] = strdup("dialNumber");
	t[0].n_deny = 1;
	t[0].max_participants = 100;
	t[1].name = strdup("portal");
	t[1].prefix = strdup("portal~");
	t[1].prefix_len = 7;
	t[1].checksums = 0xf;
	t[1].max_meetings = 2;
	/* 0: every create counts again, so a meeting ended frees its place at once */
	c->tenant_count_ms = count_ms;
	c->tenants = t;
	c->n_tenants = 2;
	/* the gateway's own minting key: a tenant's token mints its tenant's tokens */
	c->mint.name = strdup("bbb-gateway");
	c->mint.alg = GW_JWT_HS256;
	c->mint.key = (unsigned char *)strdup("tenants-mint-key-0123456789abcdef-0123456789");
	c->mint.key_len = strlen((const char *)c->mint.key);
	c->mint.scopes = GW_SCOPE_ALL & ~GW_SCOPE_TOKENS_MINT;
	c->mint.max_ttl_s = 3600;
	c->mint.any_meeting = true;
	c->mint.tenant_claim = true;
	free(c->auth_audience);
	c->auth_audience = strdup("bbb-gateway");
	add_tenant_token(c, "lms-app", "lms", tok_lms);
	add_tenant_token(c, "portal-app", "portal", tok_portal);
}

static void tenants_setup(void)
{
	snprintf(recordings_path, sizeof(recordings_path), "%s",
		 gw_test_data_path("bbbsim/recordings-tenants.txt"));
	harness_sim_opts.recordings_file = recordings_path;
	harness_tweak = tenants_tweak;
	setup();
}

static void tenants_teardown(void)
{
	teardown();
	harness_tweak = NULL;
	harness_sim_opts.recordings_file = NULL;
}

static void create_as(const char *token, const char *body, long status)
{
	struct reply r;

	call(&r, "POST", "/v1/meetings", token, body);
	ck_assert_msg(r.status == status, "create %s: %ld %s", body, r.status, gw_buf_str(&r.body));
	reply_free(&r);
}

/* The meetingIDs of GET /v1/meetings for token, comma-joined, into out. */
static void list_ids(const char *token, char *out, size_t n)
{
	struct reply r;
	json_t *m;
	size_t i;

	out[0] = '\0';
	call(&r, "GET", "/v1/meetings", token, NULL);
	ck_assert_int_eq(r.status, 200);
	json_array_foreach (json_object_get(r.json, "meetings"), i, m) {
		size_t len = strlen(out);

		snprintf(out + len, n - len, "%s%s", len > 0 ? "," : "",
			 json_string_value(json_object_get(m, "meetingID")));
	}
	reply_free(&r);
}

/* BBB sees the prefix; the tenant's replies never do. */
START_TEST(test_integration_tenants_namespace)
{
	struct reply r;

	call(&r, "POST", "/v1/meetings", tok_lms, "{\"name\":\"Bio\",\"meetingID\":\"bio-101\"}");
	ck_assert_int_eq(r.status, 201);
	ck_assert_str_eq(jstr(&r, "meetingID"), "bio-101");
	ck_assert_str_eq(header(&r, "Location"), "/v1/meetings/bio-101");
	reply_free(&r);
	harness_assert_sim_param("meetingID", "lms~bio-101");

	call(&r, "GET", "/v1/meetings/bio-101", tok_lms, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(jstr(&r, "meetingID"), "bio-101");
	reply_free(&r);
	harness_assert_sim_param("meetingID", "lms~bio-101");

	call(&r, "GET", "/v1/meetings/bio-101/running", tok_lms, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);

	call(&r, "POST", "/v1/meetings/bio-101/join", tok_lms,
	     "{\"fullName\":\"Ada\",\"role\":\"MODERATOR\"}");
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(jstr(&r, "url"), "meetingID=lms%7Ebio-101&"));
	reply_free(&r);

	/* the same name in another tenant is another meeting */
	call(&r, "GET", "/v1/meetings/bio-101", tok_portal, NULL);
	assert_problem(&r, 404, "bbb_not_found");
	reply_free(&r);
	call(&r, "POST", "/v1/meetings/bio-101/end", tok_portal, NULL);
	assert_problem(&r, 404, "bbb_not_found");
	reply_free(&r);
	create_as(tok_portal, "{\"name\":\"Portal bio\",\"meetingID\":\"bio-101\"}", 201);
	harness_assert_sim_param("meetingID", "portal~bio-101");

	call(&r, "POST", "/v1/meetings/bio-101/end", tok_lms, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	harness_assert_sim_param("meetingID", "lms~bio-101");

	/* BBB's messages quote meetingIDs: the tenant's caller reads them without the prefix */
	call(&r, "POST", "/v1/meetings/gone/documents", tok_lms,
	     "{\"presentations\":[{\"url\":\"https://files.example.org/a.pdf\"}]}");
	assert_problem(&r, 404, "bbb_not_found");
	ck_assert_ptr_nonnull(strstr(jstr(&r, "detail"), "gone"));
	ck_assert_ptr_null(strstr(gw_buf_str(&r.body), "lms~"));
	reply_free(&r);
}
END_TEST

/* Lists hold the tenant's own meetings, without the prefix; a token without a tenant sees all. */
START_TEST(test_integration_tenants_lists)
{
	char ids[512];

	create_as(tok_lms, "{\"name\":\"Aa\",\"meetingID\":\"a\"}", 201);
	create_as(tok_lms, "{\"name\":\"Bb\",\"meetingID\":\"b\"}", 201);
	create_as(tok_portal, "{\"name\":\"Pp\",\"meetingID\":\"p\"}", 201);
	create_as(tok_all, "{\"name\":\"Staff\",\"meetingID\":\"staff\"}", 201);
	list_ids(tok_lms, ids, sizeof(ids));
	ck_assert_str_eq(ids, "a,b");
	list_ids(tok_portal, ids, sizeof(ids));
	ck_assert_str_eq(ids, "p");
	list_ids(tok_all, ids, sizeof(ids));
	ck_assert_str_eq(ids, "lms~a,lms~b,portal~p,staff");
}
END_TEST

/* deny, overrides, defaults, the cap, the tenant's key; and prefixes are not names. */
START_TEST(test_integration_tenants_create_policy)
{
	struct reply r;

	create_as(tok_lms,
		  "{\"name\":\"Mm\",\"meetingID\":\"m1\",\"logoutURL\":\"https://evil.example/\","
		  "\"metadata\":{\"Bbb-Gateway-Tenant\":\"portal\",\"course\":\"bio\"}}",
		  201);
	harness_assert_sim_param("logoutURL", "https://lms.example.org/");
	harness_assert_sim_param("record", "false");
	harness_assert_sim_param("meta_origin", "lms");
	harness_assert_sim_param("meta_course", "bio");
	harness_assert_sim_param("meta_bbb-gateway-tenant", "lms");
	harness_assert_sim_param("meta_Bbb-Gateway-Tenant", NULL);
	harness_assert_sim_param("maxParticipants", "100");

	/* a caller's own values win over defaults, within the cap */
	create_as(tok_lms,
		  "{\"name\":\"Mm\",\"meetingID\":\"m2\",\"record\":true,\"maxParticipants\":50,"
		  "\"metadata\":{\"origin\":\"mine\"}}",
		  201);
	harness_assert_sim_param("record", "true");
	harness_assert_sim_param("meta_origin", "mine");
	harness_assert_sim_param("maxParticipants", "50");
	/* over the cap, or 0 (unlimited): the cap */
	create_as(tok_lms, "{\"name\":\"Mm\",\"meetingID\":\"m3\",\"maxParticipants\":500}", 201);
	harness_assert_sim_param("maxParticipants", "100");
	create_as(tok_lms, "{\"name\":\"Mm\",\"meetingID\":\"m4\",\"maxParticipants\":0}", 201);
	harness_assert_sim_param("maxParticipants", "100");

	call(&r, "POST", "/v1/meetings", tok_lms,
	     "{\"name\":\"Mm\",\"meetingID\":\"m5\",\"dialNumber\":\"555\"}");
	assert_problem(&r, 400, "param_denied");
	ck_assert_str_eq(jstr(&r, "field"), "dialNumber");
	reply_free(&r);
	call(&r, "POST", "/v1/meetings", tok_lms, "{\"name\":\"Mm\",\"meetingID\":\"portal~x\"}");
	assert_problem(&r, 400, "param_denied");
	reply_free(&r);
	call(&r, "GET", "/v1/meetings/lms~m1", tok_lms, NULL);
	assert_problem(&r, 400, "param_denied");
	reply_free(&r);

	/* the portal has no policy: only its key is set */
	create_as(tok_portal, "{\"name\":\"Pp\",\"meetingID\":\"p1\"}", 201);
	harness_assert_sim_param("meta_bbb-gateway-tenant", "portal");
	harness_assert_sim_param("record", NULL);
	harness_assert_sim_param("maxParticipants", NULL);

	/* no tenant: nothing added, nothing refused */
	create_as(tok_all, "{\"name\":\"Ss\",\"meetingID\":\"lms~direct\",\"dialNumber\":\"555\"}",
		  201);
	harness_assert_sim_param("meetingID", "lms~direct");
	harness_assert_sim_param("meta_bbb-gateway-tenant", NULL);
}
END_TEST

/* Recordings: BBB filters by the tenant's key, meetingIDs lose the prefix, others are 404. */
START_TEST(test_integration_tenants_recordings)
{
	struct reply r;
	json_t *list;
	char *state;

	call(&r, "GET", "/v1/recordings", tok_lms, NULL);
	ck_assert_int_eq(r.status, 200);
	list = json_object_get(r.json, "recordings");
	ck_assert_uint_eq(json_array_size(list), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 0), "meetingID")),
			 "bio-101");
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_object_get(json_array_get(list, 0), "metadata"), "meetingI"
										       "d")),
			 "bio-101");
	reply_free(&r);
	harness_assert_sim_param("meta_bbb-gateway-tenant", "lms");

	call(&r, "GET", "/v1/recordings?meetingID=bio-101,other", tok_lms, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	harness_assert_sim_param("meetingID", "lms~bio-101,lms~other");

	call(&r, "GET", "/v1/recordings/" REC_LMS, tok_lms, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	call(&r, "GET", "/v1/recordings/" REC_PORTAL, tok_lms, NULL);
	assert_problem(&r, 404, "bbb_not_found");
	reply_free(&r);

	/* changes to another tenant's (or no tenant's) recording never reach BBB */
	call(&r, "PATCH", "/v1/recordings/" REC_PORTAL, tok_lms, "{\"published\":false}");
	assert_problem(&r, 404, "bbb_not_found");
	reply_free(&r);
	call(&r, "DELETE", "/v1/recordings/" REC_NONE, tok_lms, NULL);
	assert_problem(&r, 404, "bbb_not_found");
	reply_free(&r);
	call(&r, "GET", "/v1/recordings/" REC_PORTAL "/text-tracks", tok_lms, NULL);
	assert_problem(&r, 404, "bbb_not_found");
	reply_free(&r);
	state = bbbsim_recording_state(sim, REC_PORTAL);
	ck_assert_str_eq(state, "published");
	free(state);

	/* its own: done */
	call(&r, "PATCH", "/v1/recordings/" REC_LMS, tok_lms, "{\"published\":false}");
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	call(&r, "PATCH", "/v1/recordings/" REC_LMS, tok_lms,
	     "{\"metadata\":{\"bbb-gateway-tenant\":\"portal\"}}");
	assert_problem(&r, 400, "param_denied");
	reply_free(&r);

	/* no tenant: all three */
	call(&r, "GET", "/v1/recordings?state=any", tok_all, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_uint_eq(json_array_size(json_object_get(r.json, "recordings")), 3);
	reply_free(&r);
}
END_TEST

/* Hooks: a tenant's name one of its meetings; lists and destroys see the tenant's only. */
START_TEST(test_integration_tenants_hooks)
{
	struct reply r;
	json_t *hooks;
	char path[64];
	char portal_hook[32];

	call(&r, "POST", "/v1/hooks", tok_lms, "{\"callbackURL\":\"https://lms.example.org/h\"}");
	assert_problem(&r, 400, "param_denied");
	reply_free(&r);
	call(&r, "POST", "/v1/hooks", tok_lms,
	     "{\"callbackURL\":\"https://lms.example.org/h\",\"meetingID\":\"bio-101\"}");
	ck_assert_int_eq(r.status, 201);
	reply_free(&r);
	harness_assert_sim_param("meetingID", "lms~bio-101");
	call(&r, "POST", "/v1/hooks", tok_portal,
	     "{\"callbackURL\":\"https://portal.example.org/h\",\"meetingID\":\"x\"}");
	ck_assert_int_eq(r.status, 201);
	snprintf(portal_hook, sizeof(portal_hook), "%s", jstr(&r, "hookID"));
	reply_free(&r);
	call(&r, "POST", "/v1/hooks", tok_all, "{\"callbackURL\":\"https://ops.example.org/h\"}");
	ck_assert_int_eq(r.status, 201);
	reply_free(&r);

	call(&r, "GET", "/v1/hooks", tok_lms, NULL);
	ck_assert_int_eq(r.status, 200);
	hooks = json_object_get(r.json, "hooks");
	ck_assert_uint_eq(json_array_size(hooks), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(hooks, 0), "meetingID")),
			 "bio-101");
	reply_free(&r);

	snprintf(path, sizeof(path), "/v1/hooks/%s", portal_hook);
	call(&r, "DELETE", path, tok_lms, NULL);
	assert_problem(&r, 404, "bbb_not_found");
	reply_free(&r);
	ck_assert_uint_eq(bbbsim_hook_count(sim), 3);
	call(&r, "DELETE", path, tok_portal, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	ck_assert_uint_eq(bbbsim_hook_count(sim), 2);
}
END_TEST

/* A token a tenant's token mints, and BBB's own XML, show the tenant's meetings only. */
START_TEST(test_integration_tenants_minted_and_xml)
{
	char ids[512];
	struct reply r;
	struct req q = {
		.method = "GET", .path = "/v1/meetings", .extra_header = "Accept: application/xml"};
	char *minted;

	create_as(tok_lms, "{\"name\":\"Lms\",\"meetingID\":\"l1\"}", 201);
	create_as(tok_portal, "{\"name\":\"Portal\",\"meetingID\":\"secret-room\"}", 201);
	call(&r, "POST", "/v1/tokens", tok_lms,
	     "{\"sub\":\"u1\",\"scope\":\"meetings:read\",\"ttl_s\":600}");
	ck_assert_msg(r.status == 201, "%s", gw_buf_str(&r.body));
	minted = strdup(jstr(&r, "token"));
	reply_free(&r);
	list_ids(minted, ids, sizeof(ids));
	ck_assert_str_eq(ids, "l1");
	call(&r, "GET", "/v1/meetings/secret-room", minted, NULL);
	assert_problem(&r, 404, "bbb_not_found");
	reply_free(&r);
	free(minted);

	/* Accept: application/xml: BBB's XML, rewritten for the tenant */
	q.token = tok_lms;
	do_request(&q, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(gw_buf_str(&r.body), "<meetingID>l1</meetingID>"));
	ck_assert_ptr_null(strstr(gw_buf_str(&r.body), "secret-room"));
	ck_assert_ptr_null(strstr(gw_buf_str(&r.body), "~"));
	reply_free(&r);
}
END_TEST

/* max_meetings: creates past it get 429; a repeated create of a meeting it has goes through. */
START_TEST(test_integration_tenants_quota)
{
	struct reply r;

	create_as(tok_portal, "{\"name\":\"One\",\"meetingID\":\"one\"}", 201);
	create_as(tok_portal, "{\"name\":\"Two\",\"meetingID\":\"two\"}", 201);
	call(&r, "POST", "/v1/meetings", tok_portal,
	     "{\"name\":\"Three\",\"meetingID\":\"three\"}");
	assert_problem(&r, 429, "quota_exceeded");
	ck_assert_str_eq(header(&r, "Retry-After"), "5");
	reply_free(&r);
	/* BBB never saw the refused create */
	harness_assert_sim_param("meetingID", "portal~three");
	{
		struct bbbsim_request q;

		last_sim_request(&q);
		ck_assert_str_eq(q.call, "getMeetingInfo");
		bbbsim_request_free(&q);
	}
	/* the same meeting again: BBB's own answer for a repeated create */
	create_as(tok_portal, "{\"name\":\"Two\",\"meetingID\":\"two\"}", 200);
	/* other tenants count their own */
	create_as(tok_lms, "{\"name\":\"Lms\",\"meetingID\":\"l1\"}", 201);
	/* a meeting that ended frees its place */
	call(&r, "POST", "/v1/meetings/one/end", tok_portal, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	create_as(tok_portal, "{\"name\":\"Three\",\"meetingID\":\"three\"}", 201);
}
END_TEST

/* With a count kept a minute, the creates since it and in flight are what fill the quota. */
START_TEST(test_integration_tenants_quota_between_counts)
{
	struct reply r;
	int counts = 0;

	count_ms = 60000;
	restart_gateway(HARNESS_SECRET, GW_DIGEST_SHA256);
	create_as(tok_portal, "{\"name\":\"One\",\"meetingID\":\"one\"}", 201);
	create_as(tok_portal, "{\"name\":\"Two\",\"meetingID\":\"two\"}", 201);
	call(&r, "POST", "/v1/meetings", tok_portal,
	     "{\"name\":\"Three\",\"meetingID\":\"three\"}");
	assert_problem(&r, 429, "quota_exceeded");
	reply_free(&r);
	/* one count (getMeetings) for all of them */
	for (size_t i = 0; i < bbbsim_request_count(sim); i++) {
		struct bbbsim_request q;

		ck_assert(bbbsim_request_get(sim, i, &q));
		counts += strcmp(q.call, "getMeetings") == 0;
		bbbsim_request_free(&q);
	}
	ck_assert_int_eq(counts, 1);
	count_ms = 0;
}
END_TEST

static Suite *integration_tenants_suite(void)
{
	Suite *s = suite_create("integration_tenants");
	TCase *tc = tcase_create("tenants");

	tcase_add_checked_fixture(tc, tenants_setup, tenants_teardown);
	tcase_add_test(tc, test_integration_tenants_namespace);
	tcase_add_test(tc, test_integration_tenants_lists);
	tcase_add_test(tc, test_integration_tenants_create_policy);
	tcase_add_test(tc, test_integration_tenants_recordings);
	tcase_add_test(tc, test_integration_tenants_hooks);
	tcase_add_test(tc, test_integration_tenants_minted_and_xml);
	tcase_add_test(tc, test_integration_tenants_quota);
	tcase_add_test(tc, test_integration_tenants_quota_between_counts);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(integration_tenants_suite)
