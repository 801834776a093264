/*
 * check_tenant.c - a tenant's rules (tenant.h): meetingIDs with and
 * without the prefix, the create rule of each parameter (deny, override,
 * the tenant's key in any case, the maxParticipants cap), and what the
 * policy adds (overrides, defaults the caller left out, the cap, the
 * tenant's key). A request without a tenant passes unchanged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "request.h"
#include "tenant.h"
#include "testutil.h"

static struct gw_config *cfg;

static const char conf[] = "bbb = { url = \"http://127.0.0.1:1/bigbluebutton/api\"; secret = "
			   "\"s\"; };\n"
			   "tenants = (\n"
			   "  { name = \"lms\"; meeting_prefix = \"lms~\";\n"
			   "    create = { defaults = { record = false; meta_origin = \"lms\"; "
			   "maxParticipants = 500; };\n"
			   "               overrides = { logoutURL = \"https://lms.example.org\"; "
			   "};\n"
			   "               deny = [ \"dialNumber\", \"meta_secret-key\" ]; "
			   "max_participants = 100; }; },\n"
			   "  { name = \"portal\"; meeting_prefix = \"portal~\"; }\n"
			   ");\n";

static void setup(void)
{
	cfg = gw_test_config(conf);
}

static void teardown(void)
{
	gw_config_unref(cfg);
}

START_TEST(test_tenant_ids)
{
	struct gw_exchange *x = gw_test_exchange(cfg, "GET", "/v1/meetings");

	ck_assert_str_eq(gw_tenant_bbb_id(x, "bio"), "bio");
	x->req.tenant = gw_config_tenant(cfg, "lms");
	ck_assert_ptr_nonnull(x->req.tenant);
	ck_assert_str_eq(gw_tenant_bbb_id(x, "bio"), "lms~bio");
	/* a tenant's caller names no meeting with a tenant's prefix */
	ck_assert(gw_config_tenant_id_ok(cfg, x->req.tenant, "bio"));
	ck_assert(!gw_config_tenant_id_ok(cfg, x->req.tenant, "portal~bio"));
	ck_assert(!gw_config_tenant_id_ok(cfg, x->req.tenant, "lms~bio"));
	ck_assert(gw_config_tenant_id_ok(cfg, NULL, "lms~bio"));
	gw_exchange_free(x);
}
END_TEST

START_TEST(test_tenant_create_rule)
{
	const struct gw_tenant *t = gw_config_tenant(cfg, "lms");

	ck_assert_int_eq(gw_tenant_create_rule(NULL, "dialNumber", "1"), GW_TENANT_KEEP);
	ck_assert_int_eq(gw_tenant_create_rule(t, "dialNumber", "1"), GW_TENANT_DENY);
	ck_assert_int_eq(gw_tenant_create_rule(t, "parentMeetingID", "abc-1"), GW_TENANT_DENY);
	ck_assert_int_eq(gw_tenant_create_rule(t, "isBreakout", "true"), GW_TENANT_DENY);
	ck_assert_int_eq(gw_tenant_create_rule(gw_config_tenant(cfg, "portal"), "isBreakout",
					       "false"),
			 GW_TENANT_DENY);
	ck_assert_int_eq(gw_tenant_create_rule(t, "meta_Secret-Key", "x"), GW_TENANT_DENY);
	ck_assert_int_eq(gw_tenant_create_rule(t, "logoutURL", "x"), GW_TENANT_DROP);
	ck_assert_int_eq(gw_tenant_create_rule(t, "meta_BBB-Gateway-Tenant", "x"), GW_TENANT_DROP);
	ck_assert_int_eq(gw_tenant_create_rule(t, "record", "true"), GW_TENANT_KEEP);
	ck_assert_int_eq(gw_tenant_create_rule(t, "maxParticipants", "100"), GW_TENANT_KEEP);
	ck_assert_int_eq(gw_tenant_create_rule(t, "maxParticipants", "101"), GW_TENANT_DROP);
	ck_assert_int_eq(gw_tenant_create_rule(t, "maxParticipants", "0"), GW_TENANT_DROP);
	ck_assert_int_eq(gw_tenant_create_rule(t, "maxParticipants", "lots"), GW_TENANT_DROP);
	/* names are BBB's: case matters outside metadata */
	ck_assert_int_eq(gw_tenant_create_rule(t, "DialNumber", "1"), GW_TENANT_KEEP);
}
END_TEST

struct fill {
	const char *const *kept; /* NULL-terminated */
	struct gw_buf out;
};

static bool has(void *arg, const char *name)
{
	struct fill *f = arg;

	for (size_t i = 0; f->kept[i] != NULL; i++) {
		if (strcmp(f->kept[i], name) == 0)
			return true;
	}
	return false;
}

static bool add(void *arg, const char *name, const char *value)
{
	struct fill *f = arg;

	return gw_buf_appendf(&f->out, "%s=%s;", name, value) == GW_OK;
}

static void assert_fill(const char *tenant, const char *const *kept, const char *want)
{
	struct fill f = {kept, {0}};

	gw_buf_init(&f.out, 4096);
	ck_assert(gw_tenant_create_fill(gw_config_tenant(cfg, tenant), has, add, &f));
	ck_assert_str_eq(gw_buf_str(&f.out), want);
	gw_buf_deinit(&f.out);
}

START_TEST(test_tenant_create_fill)
{
	static const char *const none[] = {NULL};
	static const char *const some[] = {"record", "maxParticipants", NULL};
	static const char *const origin[] = {"meta_origin", NULL};

	/* a default above the cap gives way to the cap */
	assert_fill("lms", none,
		    "logoutURL=https://lms.example.org;record=false;meta_origin=lms;"
		    "maxParticipants=100;meta_bbb-gateway-tenant=lms;");
	assert_fill("lms", some,
		    "logoutURL=https://"
		    "lms.example.org;meta_origin=lms;meta_bbb-gateway-tenant=lms;");
	assert_fill("lms", origin,
		    "logoutURL=https://lms.example.org;record=false;maxParticipants=100;"
		    "meta_bbb-gateway-tenant=lms;");
	assert_fill("portal", none, "meta_bbb-gateway-tenant=portal;");
	ck_assert(gw_tenant_create_fill(NULL, has, add, NULL));
}
END_TEST

static Suite *tenant_suite(void)
{
	Suite *s = suite_create("tenant");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_tenant_ids);
	tcase_add_test(tc, test_tenant_create_rule);
	tcase_add_test(tc, test_tenant_create_fill);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(tenant_suite)
