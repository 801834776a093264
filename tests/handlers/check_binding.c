/*
 * check_binding.c - the meeting binding of browser tokens in the handlers
 * (binding.h), on exchanges whose token is built here as the verifier
 * builds it: the join values a JWT binds (role cap, password joins,
 * fullName/userID/avatarURL, userdata entries), the routes a bound token
 * may not use, lists filtered to its meetings, and the meeting patterns
 * of gw_token_meeting_allowed. Static tokens pass everything unchanged.
 */
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "bbb_reply.h"
#include "binding.h"
#include "config.h"
#include "request.h"
#include "testutil.h"

static struct gw_config *cfg;
static struct gw_exchange *x;

/* A configured token: claims NULL, never counted or freed by an exchange. */
static char static_name[] = "static";
static struct gw_token static_tok = {.name = static_name, .scopes = GW_SCOPE_ALL};

static void setup(void)
{
	gw_test_api_init(&cfg, &x);
}

static void teardown(void)
{
	gw_test_api_deinit(&cfg, &x);
}

/* A fresh exchange whose caller is t (a JWT's reference passes to the exchange). */
static void as(const struct gw_token *t)
{
	gw_test_restart(&x, cfg, "POST", "/v1/meetings/room-a/join");
	x->req.token = t;
}

/* A JWT bound to room-a with role cap. */
static struct gw_token *bound(enum gw_role cap)
{
	static const char *const m[] = {"room-a"};

	return gw_test_jwt_token("u1", GW_SCOPE_MEETINGS_JOIN, m, 1, cap);
}

static json_t *parse(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &e);

	ck_assert_msg(j != NULL, "bad test JSON %s: %s", text, e.text);
	return j;
}

/* Runs gw_binding_join on body; asserts it passed, wrote nothing and left want. */
static void join_ok(const char *body, const char *want)
{
	json_t *b = parse(body);
	json_t *w = parse(want);

	ck_assert_msg(gw_binding_join(x, b), "refused %s: %s", body,
		      x->resp.body != NULL ? x->resp.body : "");
	ck_assert_int_eq(x->resp.status, 0);
	ck_assert_msg(json_equal(b, w), "body %s, want %s", json_dumps(b, JSON_COMPACT), want);
	json_decref(b);
	json_decref(w);
}

/* The problem's "field" member, or NULL. Caller frees. */
static char *problem_field(void)
{
	json_t *p = gw_test_json_body(x);
	const char *f = gw_test_jstr(p, "field");
	char *out = f != NULL ? gw_test_strdup(f) : NULL;

	json_decref(p);
	return out;
}

/* Runs gw_binding_join on body; asserts the refusal status/code naming field. */
static void join_refused(const char *body, int status, const char *code, const char *field)
{
	json_t *b = parse(body);
	char *f;

	ck_assert_msg(!gw_binding_join(x, b), "accepted %s", body);
	gw_test_assert_problem(x, status, code);
	f = problem_field();
	ck_assert_msg(f != NULL && strcmp(f, field) == 0, "field %s, want %s", f ? f : "(none)",
		      field);
	free(f);
	json_decref(b);
	/* a fresh exchange with the same caller for the next call */
	as(gw_token_ref(x->req.token));
}

/* ---- join: role ---- */

START_TEST(test_binding_join_role_defaults_to_the_tokens)
{
	as(bound(GW_ROLE_VIEWER));
	join_ok("{}", "{\"role\":\"VIEWER\"}");
	as(bound(GW_ROLE_MODERATOR));
	join_ok("{\"x\":1}", "{\"x\":1,\"role\":\"MODERATOR\"}");
}
END_TEST

START_TEST(test_binding_join_role_above_cap_403)
{
	as(bound(GW_ROLE_VIEWER));
	join_refused("{\"role\":\"MODERATOR\"}", 403, "role_not_allowed", "role");
	/* the cap is case-insensitive, like BBB's roles */
	join_refused("{\"role\":\"moderator\"}", 403, "role_not_allowed", "role");
	join_ok("{\"role\":\"VIEWER\"}", "{\"role\":\"VIEWER\"}");
	/* a bad role value is left for the join handler's 400 */
	join_ok("{\"role\":\"OWNER\"}", "{\"role\":\"OWNER\"}");
}
END_TEST

START_TEST(test_binding_join_role_within_cap_kept)
{
	as(bound(GW_ROLE_MODERATOR));
	join_ok("{\"role\":\"viewer\"}", "{\"role\":\"viewer\"}");
	join_ok("{\"role\":\"MODERATOR\"}", "{\"role\":\"MODERATOR\"}");
}
END_TEST

START_TEST(test_binding_join_password_needs_moderator)
{
	as(bound(GW_ROLE_VIEWER));
	join_refused("{\"password\":\"ap\"}", 403, "role_not_allowed", "password");
	join_refused("{\"password\":\"ap\",\"role\":\"VIEWER\"}", 403, "role_not_allowed",
		     "password");
	as(bound(GW_ROLE_MODERATOR));
	/* allowed, and no role is added beside the password */
	join_ok("{\"password\":\"mp\"}", "{\"password\":\"mp\"}");
}
END_TEST

/* ---- join: bound strings ---- */

static struct gw_token *named(void)
{
	struct gw_token *t = bound(GW_ROLE_VIEWER);

	t->claims->full_name = gw_test_strdup("Ada Lovelace");
	t->claims->sub = gw_test_strdup("user-7");
	t->claims->avatar_url = gw_test_strdup("https://img.example.org/ada.png");
	return t;
}

START_TEST(test_binding_join_bound_strings_filled)
{
	as(named());
	join_ok("{}", "{\"role\":\"VIEWER\",\"fullName\":\"Ada Lovelace\",\"userID\":\"user-7\","
		      "\"avatarURL\":\"https://img.example.org/ada.png\"}");
	/* equal values pass as they are */
	join_ok("{\"fullName\":\"Ada Lovelace\",\"userID\":\"user-7\"}",
		"{\"role\":\"VIEWER\",\"fullName\":\"Ada Lovelace\",\"userID\":\"user-7\","
		"\"avatarURL\":\"https://img.example.org/ada.png\"}");
}
END_TEST

START_TEST(test_binding_join_bound_strings_mismatch)
{
	as(named());
	join_refused("{\"fullName\":\"Eve\"}", 403, "claim_mismatch", "fullName");
	join_refused("{\"fullName\":\"ada lovelace\"}", 403, "claim_mismatch", "fullName");
	join_refused("{\"userID\":\"user-8\"}", 403, "claim_mismatch", "userID");
	join_refused("{\"avatarURL\":\"https://img.example.org/eve.png\"}", 403, "claim_mismatch",
		     "avatarURL");
	/* a value that is not a string never equals the bound one */
	join_refused("{\"userID\":7}", 403, "claim_mismatch", "userID");
	join_refused("{\"fullName\":null}", 403, "claim_mismatch", "fullName");
	join_refused("{\"avatarURL\":[\"https://img.example.org/ada.png\"]}", 403, "claim_mismatch",
		     "avatarURL");
}
END_TEST

START_TEST(test_binding_join_unbound_strings_free)
{
	as(bound(GW_ROLE_VIEWER)); /* no fullName, sub, avatarURL claims */
	join_ok("{\"fullName\":\"Anyone\",\"userID\":\"x\",\"avatarURL\":\"https://a.test/\"}",
		"{\"fullName\":\"Anyone\",\"userID\":\"x\",\"avatarURL\":\"https://a.test/\","
		"\"role\":\"VIEWER\"}");
}
END_TEST

START_TEST(test_binding_join_mismatch_detail_names_field_not_value)
{
	json_t *b = parse("{\"fullName\":\"Eve\"}");
	json_t *p;

	as(named());
	ck_assert(!gw_binding_join(x, b));
	p = gw_test_json_body(x);
	ck_assert_ptr_nonnull(strstr(gw_test_jstr(p, "detail"), "fullName"));
	ck_assert_ptr_null(strstr(x->resp.body, "Ada Lovelace"));
	json_decref(p);
	json_decref(b);
}
END_TEST

/* ---- join: userdata ---- */

static struct gw_token *with_userdata(void)
{
	struct gw_token *t = bound(GW_ROLE_VIEWER);

	gw_test_jwt_userdata(t, "course", "bio-101");
	gw_test_jwt_userdata(t, "bbb_skip_check_audio", "true");
	return t;
}

START_TEST(test_binding_join_userdata_created)
{
	as(with_userdata());
	join_ok("{}", "{\"role\":\"VIEWER\",\"userdata\":{\"course\":\"bio-101\","
		      "\"bbb_skip_check_audio\":\"true\"}}");
}
END_TEST

START_TEST(test_binding_join_userdata_filled_extra_kept)
{
	as(with_userdata());
	join_ok("{\"userdata\":{\"color\":\"blue\",\"course\":\"bio-101\"}}",
		"{\"role\":\"VIEWER\",\"userdata\":{\"color\":\"blue\",\"course\":\"bio-101\","
		"\"bbb_skip_check_audio\":\"true\"}}");
}
END_TEST

START_TEST(test_binding_join_userdata_mismatch)
{
	as(with_userdata());
	join_refused("{\"userdata\":{\"course\":\"chem-200\"}}", 403, "claim_mismatch",
		     "userdata.course");
	join_refused("{\"userdata\":{\"bbb_skip_check_audio\":true}}", 403, "claim_mismatch",
		     "userdata.bbb_skip_check_audio");
	join_refused("{\"userdata\":{\"bbb_skip_check_audio\":\"false\"}}", 403, "claim_mismatch",
		     "userdata.bbb_skip_check_audio");
}
END_TEST

START_TEST(test_binding_join_userdata_not_object_400)
{
	as(with_userdata());
	join_refused("{\"userdata\":[\"course\"]}", 400, "bad_request", "userdata");
	join_refused("{\"userdata\":\"course=bio-101\"}", 400, "bad_request", "userdata");
	join_refused("{\"userdata\":null}", 400, "bad_request", "userdata");
	/* without bound entries the body's userdata is not the binding's business */
	as(bound(GW_ROLE_VIEWER));
	join_ok("{\"userdata\":\"x\"}", "{\"userdata\":\"x\",\"role\":\"VIEWER\"}");
}
END_TEST

START_TEST(test_binding_join_static_token_unchanged)
{
	static const char *const bodies[] = {
		"{}",
		"{\"role\":\"MODERATOR\",\"password\":\"mp\"}",
		"{\"fullName\":\"Eve\",\"userID\":7,\"userdata\":[1]}",
	};

	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		as(&static_tok);
		join_ok(bodies[i], bodies[i]);
		as(NULL); /* a public call has no token at all */
		join_ok(bodies[i], bodies[i]);
	}
}
END_TEST

/* ---- routes that reach every meeting ---- */

START_TEST(test_binding_unbound_only)
{
	as(bound(GW_ROLE_MODERATOR));
	ck_assert(gw_binding_bound(x));
	ck_assert(!gw_binding_unbound_only(x));
	gw_test_assert_problem(x, 403, "meeting_not_allowed");

	as(gw_test_jwt_token("admin", GW_SCOPE_ALL, NULL, 0, GW_ROLE_MODERATOR));
	ck_assert(!gw_binding_bound(x));
	ck_assert(gw_binding_unbound_only(x));
	ck_assert_int_eq(x->resp.status, 0);

	as(&static_tok);
	ck_assert(!gw_binding_bound(x));
	ck_assert(gw_binding_unbound_only(x));
	ck_assert_int_eq(x->resp.status, 0);

	/* a JWT bound to no meeting at all is bound: it reaches none */
	as(gw_test_jwt_token("none", GW_SCOPE_ALL, (const char *const[]){"x"}, 0, GW_ROLE_VIEWER));
	ck_assert(gw_binding_bound(x));
	ck_assert(!gw_binding_unbound_only(x));
	gw_test_assert_problem(x, 403, "meeting_not_allowed");
}
END_TEST

/* ---- filtered lists ---- */

/* A getMeetings reply whose body is text: what the converter would have written. */
static void reply_of(struct gw_bbb_reply *r, const char *text)
{
	memset(r, 0, sizeof(*r));
	r->success = true;
	r->body = gw_test_strdup(text);
	r->body_len = strlen(text);
}

#define LIST_BODY                                                                         \
	"{\"meetings\": [{\"meetingID\":\"room-a\",\"name\":\"A\"},"                      \
	"{\"meetingID\":\"room-ab\"},{\"meetingID\":\"tea\"},{\"meetingID\":\"team-1\"}," \
	"{\"name\":\"no id\"},{\"meetingID\":7},{\"meetingID\":\"team-\"},"               \
	"{\"meetingID\":\"ROOM-A\"},{\"meetingID\":\"xteam-1\"}],"                        \
	"\"totalElements\":9,\"pagination\":{\"offset\":0,\"limit\":50},\"warning\":{\"m\":1}}"

START_TEST(test_binding_list_filtered_for_bound)
{
	static const char *const m[] = {"room-a", "team-*"};
	struct gw_bbb_reply r;
	json_t *got;
	json_t *want;

	as(gw_test_jwt_token("u1", GW_SCOPE_MEETINGS_READ, m, 2, GW_ROLE_VIEWER));
	reply_of(&r, LIST_BODY);
	gw_binding_respond_list(x, &r, "meetings", "meetingID");
	ck_assert_int_eq(x->resp.status, 200);
	ck_assert_str_eq(x->resp.content_type, "application/json; charset=utf-8");
	got = gw_test_json_body(x);
	want = parse("{\"meetings\":[{\"meetingID\":\"room-a\",\"name\":\"A\"},"
		     "{\"meetingID\":\"team-1\"},{\"meetingID\":\"team-\"}],"
		     "\"warning\":{\"m\":1}}");
	ck_assert_msg(json_equal(got, want), "got %s", x->resp.body);
	json_decref(got);
	json_decref(want);
	gw_bbb_reply_deinit(&r);
}
END_TEST

START_TEST(test_binding_list_all_removed)
{
	static const char *const m[] = {"other"};
	struct gw_bbb_reply r;
	json_t *got;

	as(gw_test_jwt_token("u1", GW_SCOPE_MEETINGS_READ, m, 1, GW_ROLE_VIEWER));
	reply_of(&r, LIST_BODY);
	gw_binding_respond_list(x, &r, "meetings", "meetingID");
	ck_assert_int_eq(x->resp.status, 200);
	got = gw_test_json_body(x);
	ck_assert(json_is_array(json_object_get(got, "meetings")));
	ck_assert_uint_eq(json_array_size(json_object_get(got, "meetings")), 0);
	ck_assert_ptr_null(json_object_get(got, "totalElements"));
	ck_assert_ptr_null(json_object_get(got, "pagination"));
	json_decref(got);
	gw_bbb_reply_deinit(&r);
}
END_TEST

START_TEST(test_binding_list_unbound_byte_for_byte)
{
	const struct gw_token *callers[3];

	callers[0] = &static_tok;
	callers[1] = gw_test_jwt_token("admin", GW_SCOPE_ALL, NULL, 0, GW_ROLE_MODERATOR);
	callers[2] = NULL;
	for (size_t i = 0; i < 3; i++) {
		struct gw_bbb_reply r;

		as(callers[i]);
		reply_of(&r, LIST_BODY);
		gw_binding_respond_list(x, &r, "meetings", "meetingID");
		ck_assert_int_eq(x->resp.status, 200);
		ck_assert_uint_eq(x->resp.body_len, strlen(LIST_BODY));
		ck_assert_str_eq(x->resp.body, LIST_BODY);
		gw_bbb_reply_deinit(&r);
	}
}
END_TEST

START_TEST(test_binding_list_other_id_field)
{
	static const char *const m[] = {"room-*"};
	struct gw_bbb_reply r;
	json_t *got;
	json_t *want;

	as(gw_test_jwt_token("u1", GW_SCOPE_RECORDINGS_READ, m, 1, GW_ROLE_VIEWER));
	reply_of(&r, "{\"recordings\":[{\"recordID\":\"r1\",\"meetingID\":\"room-1\"},"
		     "{\"recordID\":\"r2\",\"meetingID\":\"hall\"},{\"recordID\":\"room-3\"}]}");
	gw_binding_respond_list(x, &r, "recordings", "meetingID");
	got = gw_test_json_body(x);
	want = parse("{\"recordings\":[{\"recordID\":\"r1\",\"meetingID\":\"room-1\"}]}");
	ck_assert_msg(json_equal(got, want), "got %s", x->resp.body);
	json_decref(got);
	json_decref(want);
	gw_bbb_reply_deinit(&r);
}
END_TEST

/* ---- meeting patterns ---- */

/* gw_token_meeting_allowed for a token bound to the one pattern p. */
static bool allowed(const char *p, const char *id)
{
	const char *const m[] = {p};
	struct gw_token *t = gw_test_jwt_token("u", 0, m, 1, GW_ROLE_VIEWER);
	bool ok = gw_token_meeting_allowed(t, id);

	gw_token_unref(t);
	return ok;
}

START_TEST(test_binding_pattern_exact)
{
	ck_assert(allowed("a", "a"));
	ck_assert(!allowed("a", "ab"));
	ck_assert(!allowed("a", "A"));
	ck_assert(!allowed("ab", "a"));
	ck_assert(!allowed("a", ""));
	/* '*' inside an entry is no wildcard */
	ck_assert(allowed("a*b", "a*b"));
	ck_assert(!allowed("a*b", "axb"));
	ck_assert(!allowed("a*b", "a"));
}
END_TEST

START_TEST(test_binding_pattern_prefix)
{
	ck_assert(allowed("a*", "a"));
	ck_assert(allowed("a*", "abc"));
	ck_assert(allowed("a*", "a*"));
	ck_assert(!allowed("a*", "b"));
	ck_assert(!allowed("a*", "ba"));
	ck_assert(!allowed("a*", ""));
	ck_assert(!allowed("ab*", "a"));
}
END_TEST

START_TEST(test_binding_pattern_star_and_empty)
{
	/* "*" alone is a prefix of everything */
	ck_assert(allowed("*", "anything"));
	ck_assert(allowed("*", ""));
	/* "" matches only an empty meetingID */
	ck_assert(allowed("", ""));
	ck_assert(!allowed("", "a"));
}
END_TEST

START_TEST(test_binding_pattern_null_and_unbound)
{
	static const char *const m[] = {"*"};
	struct gw_token *b = gw_test_jwt_token("u", 0, m, 1, GW_ROLE_VIEWER);
	struct gw_token *none = gw_test_jwt_token("u", 0, m, 0, GW_ROLE_VIEWER);
	struct gw_token *any = gw_test_jwt_token("u", 0, NULL, 0, GW_ROLE_VIEWER);

	/* no meetingID is allowed to a bound token, even with "*" */
	ck_assert(!gw_token_meeting_allowed(b, NULL));
	ck_assert(gw_token_meeting_allowed(any, NULL));
	ck_assert(gw_token_meeting_allowed(any, "x"));
	ck_assert(gw_token_meeting_allowed(&static_tok, NULL));
	ck_assert(gw_token_meeting_allowed(&static_tok, "x"));
	ck_assert(gw_token_meeting_allowed(NULL, "x"));
	ck_assert(!gw_token_meeting_allowed(none, "x"));
	ck_assert(!gw_token_meeting_allowed(none, ""));
	ck_assert(gw_token_meeting_bound(none));
	ck_assert(!gw_token_meeting_bound(any));
	ck_assert(!gw_token_meeting_bound(&static_tok));
	ck_assert(!gw_token_meeting_bound(NULL));
	gw_token_unref(b);
	gw_token_unref(none);
	gw_token_unref(any);
}
END_TEST

START_TEST(test_binding_pattern_any_entry)
{
	static const char *const m[] = {"x", "room-*", "hall"};
	struct gw_token *t = gw_test_jwt_token("u", 0, m, 3, GW_ROLE_VIEWER);

	ck_assert(gw_token_meeting_allowed(t, "x"));
	ck_assert(gw_token_meeting_allowed(t, "room-9"));
	ck_assert(gw_token_meeting_allowed(t, "hall"));
	ck_assert(!gw_token_meeting_allowed(t, "hall-2"));
	ck_assert(!gw_token_meeting_allowed(t, "room"));
	gw_token_unref(t);
}
END_TEST

static Suite *binding_suite(void)
{
	Suite *s = suite_create("binding");
	TCase *j = tcase_create("join");
	TCase *r = tcase_create("routes");
	TCase *p = tcase_create("patterns");

	tcase_add_checked_fixture(j, setup, teardown);
	tcase_add_test(j, test_binding_join_role_defaults_to_the_tokens);
	tcase_add_test(j, test_binding_join_role_above_cap_403);
	tcase_add_test(j, test_binding_join_role_within_cap_kept);
	tcase_add_test(j, test_binding_join_password_needs_moderator);
	tcase_add_test(j, test_binding_join_bound_strings_filled);
	tcase_add_test(j, test_binding_join_bound_strings_mismatch);
	tcase_add_test(j, test_binding_join_unbound_strings_free);
	tcase_add_test(j, test_binding_join_mismatch_detail_names_field_not_value);
	tcase_add_test(j, test_binding_join_userdata_created);
	tcase_add_test(j, test_binding_join_userdata_filled_extra_kept);
	tcase_add_test(j, test_binding_join_userdata_mismatch);
	tcase_add_test(j, test_binding_join_userdata_not_object_400);
	tcase_add_test(j, test_binding_join_static_token_unchanged);
	suite_add_tcase(s, j);

	tcase_add_checked_fixture(r, setup, teardown);
	tcase_add_test(r, test_binding_unbound_only);
	tcase_add_test(r, test_binding_list_filtered_for_bound);
	tcase_add_test(r, test_binding_list_all_removed);
	tcase_add_test(r, test_binding_list_unbound_byte_for_byte);
	tcase_add_test(r, test_binding_list_other_id_field);
	suite_add_tcase(s, r);

	tcase_add_test(p, test_binding_pattern_exact);
	tcase_add_test(p, test_binding_pattern_prefix);
	tcase_add_test(p, test_binding_pattern_star_and_empty);
	tcase_add_test(p, test_binding_pattern_null_and_unbound);
	tcase_add_test(p, test_binding_pattern_any_entry);
	suite_add_tcase(s, p);
	return s;
}

GW_TEST_MAIN(binding_suite)
