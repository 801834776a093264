/*
 * check_config_tenants.c - the tenants[] entries and the facade group:
 * every member read (policy parameters as BBB's text, deny lists,
 * checksum algorithms, the secret from a file), and what is refused with
 * a message naming the key: overlapping prefixes, duplicate names, names
 * the gateway sets itself, bad values, short secrets, tokens and issuers
 * naming no tenant, the facade on without its URL or a tenant with a
 * secret.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "configfix.h"
#include "testutil.h"

#define BBB \
	"bbb = { url = \"http://127.0.0.1:8080/bigbluebutton/api\"; secret = \"s3cret0123\"; };\n"
#define SECRET "tenant-secret-0123456789abcdef-0123"

static void setup(void)
{
	dir_init();
	put_str("lms.secret", SECRET "\n");
}

/* text is refused with a message holding want. */
static void assert_refused(const char *text, const char *want)
{
	char *msg = load_fail(text);

	assert_has(msg, want);
	/* a secret never appears in a message */
	ck_assert_ptr_null(strstr(msg, SECRET));
	free(msg);
}

START_TEST(test_config_tenants_all_members)
{
	struct gw_config *cfg;
	const struct gw_tenant *t;
	char *msg;

	ck_assert_int_eq(load(BBB "tenants = ( { name = \"lms\"; meeting_prefix = \"lms~\";\n"
				  "  secret_file = \"lms.secret\"; checksums = [ \"sha256\", "
				  "\"SHA512\" ];\n"
				  "  max_meetings = 50;\n"
				  "  create = { defaults = { record = false; duration = 90; "
				  "meta_origin = "
				  "\"lms\"; };\n"
				  "             overrides = { logoutURL = "
				  "\"https://lms.example.org\"; };\n"
				  "             deny = [ \"dialNumber\", \"meta_secret\" ]; "
				  "max_participants "
				  "= 100; }; },\n"
				  "  { name = \"portal\"; meeting_prefix = \"portal~\"; } );\n"
				  "tokens = ( { name = \"app\"; hash = \"sha256:"
				  "0000000000000000000000000000000000000000000000000000000000000001"
				  "\";\n"
				  "  scopes = [ \"*\" ]; tenant = \"portal\"; } );\n"
				  "limits = { tenant_count_ms = 500; };\n"
				  "facade = { enabled = true; public_url = "
				  "\"https://gw.example.org/\"; "
				  "default_tenant = \"lms\"; };\n",
			      &cfg, &msg),
			 GW_OK);
	free(msg);
	t = gw_config_tenant(cfg, "lms");
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(t->prefix, "lms~");
	ck_assert_uint_eq(t->prefix_len, 4);
	ck_assert_str_eq(t->secret, SECRET);
	ck_assert_uint_eq(t->checksums, (1u << GW_DIGEST_SHA256) | (1u << GW_DIGEST_SHA512));
	ck_assert_uint_eq(t->max_meetings, 50);
	ck_assert_uint_eq(t->max_participants, 100);
	ck_assert_uint_eq(t->n_defaults, 3);
	ck_assert_str_eq(t->defaults[0].name, "record");
	ck_assert_str_eq(t->defaults[0].value, "false");
	ck_assert_str_eq(t->defaults[1].value, "90");
	ck_assert_str_eq(t->defaults[2].name, "meta_origin");
	ck_assert_uint_eq(t->n_overrides, 1);
	ck_assert_str_eq(t->overrides[0].value, "https://lms.example.org");
	ck_assert_uint_eq(t->n_deny, 2);
	ck_assert_str_eq(t->deny[1], "meta_secret");
	t = gw_config_tenant(cfg, "portal");
	ck_assert_ptr_null(t->secret);
	ck_assert_uint_eq(t->checksums, 0xf);
	ck_assert_ptr_eq(gw_config_token_tenant(cfg, &cfg->tokens[0]), t);
	ck_assert_uint_eq(cfg->tenant_count_ms, 500);
	ck_assert(cfg->facade_enabled);
	ck_assert_str_eq(cfg->facade_public_url, "https://gw.example.org");
	ck_assert_str_eq(cfg->facade_default_tenant, "lms");
	ck_assert_ptr_null(gw_config_tenant(cfg, "nobody"));
	ck_assert_ptr_null(gw_config_tenant(cfg, NULL));
	gw_config_unref(cfg);
}
END_TEST

START_TEST(test_config_tenants_refused)
{
	assert_refused(BBB "tenants = ( { name = \"a\"; meeting_prefix = \"lms~\"; },\n"
			   "  { name = \"b\"; meeting_prefix = \"lms~x\"; } );\n",
		       "tenants[1].meeting_prefix: starts with tenants[0]'s prefix");
	assert_refused(BBB "tenants = ( { name = \"a\"; meeting_prefix = \"a~\"; },\n"
			   "  { name = \"a\"; meeting_prefix = \"b~\"; } );\n",
		       "tenants[1].name: duplicate name");
	assert_refused(BBB "tenants = ( { name = \"a\"; meeting_prefix = \"a b\"; } );\n",
		       "tenants[0].meeting_prefix: may hold only");
	assert_refused(BBB "tenants = ( { name = \"a\"; } );\n", "tenants[0].meeting_prefix: "
								 "missing (required)");
	assert_refused(BBB "tenants = ( { name = \"a\"; meeting_prefix = \"a~\";\n"
			   "  create = { deny = [ \"meetingID\" ]; }; } );\n",
		       "tenants[0].create.deny[0]: is set by the gateway itself");
	assert_refused(BBB "tenants = ( { name = \"a\"; meeting_prefix = \"a~\";\n"
			   "  create = { overrides = { meta_BBB-Gateway-Tenant = \"x\"; }; }; } "
			   ");\n",
		       "is set by the gateway itself");
	assert_refused(BBB "tenants = ( { name = \"a\"; meeting_prefix = \"a~\";\n"
			   "  create = { defaults = { duration = 1.5; }; }; } );\n",
		       "tenants[0].create.defaults.duration: expected a string, an integer");
	assert_refused(BBB "tenants = ( { name = \"a\"; meeting_prefix = \"a~\";\n"
			   "  create = { bogus = 1; }; } );\n",
		       "tenants[0].create.bogus: unknown key");
	assert_refused(BBB "tenants = ( { name = \"a\"; meeting_prefix = \"a~\";\n"
			   "  checksums = [ \"md5\" ]; } );\n",
		       "tenants[0].checksums[0]: must be one of");
	assert_refused(BBB "tenants = ( { name = \"a\"; meeting_prefix = \"a~\";\n"
			   "  secret = \"short\"; } );\n",
		       "tenants[0].secret: is shorter than 32 characters");
	assert_refused(BBB "tenants = ( { name = \"a\"; meeting_prefix = \"a~\";\n"
			   "  secret = \"" SECRET "\"; secret_file = \"lms.secret\"; } );\n",
		       "set secret or secret_file, not both");
	assert_refused(BBB "tokens = ( { name = \"app\"; hash = \"sha256:"
			   "0000000000000000000000000000000000000000000000000000000000000001\";\n"
			   "  scopes = [ \"*\" ]; tenant = \"nobody\"; } );\n",
		       "tokens[0].tenant: names no tenant");
	assert_refused(BBB "tenants = ( { name = \"a\"; meeting_prefix = \"a~\"; secret = \"" SECRET
			   "\"; } );\nfacade = { enabled = true; };\n",
		       "facade.public_url: missing: required when facade.enabled is true");
	assert_refused(BBB "tenants = ( { name = \"a\"; meeting_prefix = \"a~\"; } );\n"
			   "facade = { enabled = true; public_url = \"https://gw.example.org\"; "
			   "};\n",
		       "facade.enabled: no tenant has a secret");
	assert_refused(BBB "tenants = ( { name = \"a\"; meeting_prefix = \"a~\"; } );\n"
			   "facade = { default_tenant = \"a\"; };\n",
		       "facade.default_tenant: names a tenant without a secret");
}
END_TEST

static Suite *config_tenants_suite(void)
{
	Suite *s = suite_create("config_tenants");
	TCase *tc = tcase_create("tenants");

	tcase_add_checked_fixture(tc, setup, dir_deinit);
	tcase_add_test(tc, test_config_tenants_all_members);
	tcase_add_test(tc, test_config_tenants_refused);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(config_tenants_suite)
