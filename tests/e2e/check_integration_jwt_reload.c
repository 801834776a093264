/*
 * check_integration_jwt_reload.c - browser tokens across a configuration
 * reload: a rotated or removed issuer key refuses its tokens at once, even
 * a token the verified-token cache holds. The JWTs are signed by the test
 * utilities (OpenSSL), not the gateway's code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "jwtutil.h"
#include "testutil.h"

/* A config file whose issuer "lms" has the HS256 key file holding key (kid when not NULL). */
static void write_reload_config(const char *dir, const char *key, bool with_issuer)
{
	char path[256];
	char all[72];
	FILE *f;

	snprintf(path, sizeof(path), "%s/lms.key", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%s\n", key);
	fclose(f);
	harness_token_hash(tok_all, all);
	snprintf(path, sizeof(path), "%s/gw.conf", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f,
		"listen = { port = 0; threads = 2; };\n"
		"bbb = { url = \"http://127.0.0.1:%u/bigbluebutton/api\"; secret = \"%s\"; };\n"
		"log = { level = \"error\"; access = false; };\n"
		"tokens = ( { name = \"all\"; hash = \"%s\"; scopes = [ \"*\" ]; } );\n",
		bbbsim_port(sim), HARNESS_SECRET, all);
	if (with_issuer)
		fprintf(f, "issuers = ( { name = \"lms\"; alg = \"HS256\"; secret_file = "
			   "\"lms.key\"; any_meeting = true; } );\n");
	fclose(f);
}

/* A reload applies new issuer keys at once, even to a token the cache holds. */
START_TEST(test_jwt_reload_rotates_keys)
{
	char dir[] = "/tmp/gw-jwt-reload-XXXXXX";
	char path[300];
	const char *k1 = "first-key-0123456789abcdef0123456789abcdef";
	const char *k2 = "second-key-0123456789abcdef0123456789abcdef";
	char payload[256];
	long long now = (long long)time(NULL);
	struct gw_config *loaded = NULL;
	struct gw_buf msg;
	struct reply r;
	char *t1;
	char *t2;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(payload, sizeof(payload),
		 "{\"iss\":\"lms\",\"aud\":\"bbb-gateway\",\"exp\":%lld,\"scope\":\"meetings:"
		 "read\"}",
		 now + 600);
	t1 = jt_hs256(payload, k1);
	t2 = jt_hs256(payload, k2);
	gw_gateway_stop(gw);
	gw_config_unref(cfg);
	write_reload_config(dir, k1, true);
	snprintf(path, sizeof(path), "%s/gw.conf", dir);
	gw_buf_init(&msg, 4096);
	ck_assert_msg(gw_config_load(path, &loaded, &msg) == GW_OK, "%s", gw_buf_str(&msg));
	cfg = loaded;
	ck_assert_int_eq(gw_gateway_start(cfg, -1, &gw), GW_OK);
	call(&r, "GET", "/v1/server", t1, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	call(&r, "GET", "/v1/server", t2, NULL);
	assert_problem(&r, 401, "token_invalid");
	reply_free(&r);

	write_reload_config(dir, k2, true);
	ck_assert_int_eq(gw_gateway_reload(gw), GW_OK);
	call(&r, "GET", "/v1/server", t1, NULL);
	assert_problem(&r, 401, "token_invalid");
	reply_free(&r);
	call(&r, "GET", "/v1/server", t2, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);

	write_reload_config(dir, k2, false);
	ck_assert_int_eq(gw_gateway_reload(gw), GW_OK);
	call(&r, "GET", "/v1/server", t2, NULL);
	assert_problem(&r, 401, "token_invalid");
	reply_free(&r);
	call(&r, "GET", "/v1/server", tok_all, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);

	gw_buf_deinit(&msg);
	snprintf(path, sizeof(path), "%s/lms.key", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/gw.conf", dir);
	unlink(path);
	rmdir(dir);
	free(t1);
	free(t2);
}
END_TEST

static Suite *integration_jwt_reload_suite(void)
{
	Suite *s = suite_create("integration_jwt_reload");
	TCase *tc = tcase_create("reload");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_jwt_reload_rotates_keys);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(integration_jwt_reload_suite)
