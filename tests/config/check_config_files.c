/*
 * check_config_files.c - the config module on whole files: the golden
 * error lists (every message of new_keys_bad and expires_bad with its
 * file:line), a missing file, the message buffer optional, an include
 * relative to the file, the shipped example and the reference table in
 * docs/configuration.md; and the snapshot: its refcount and the keys that
 * need a restart on reload. Fixtures live in tests/data/config/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "configfix.h"
#include "gw_limits.h"
#include "testutil.h"

START_TEST(test_config_restart_keys_flagged)
{
	struct gw_config *a = gw_config_new_defaults();
	struct gw_config *b = gw_config_new_defaults();
	const char *keys[GW_CONFIG_RESTART_KEYS_MAX];
	size_t n;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(gw_config_restart_changes(a, b, keys, GW_CONFIG_RESTART_KEYS_MAX), 0);
	b->header_timeout_s = a->header_timeout_s + 1;
	b->max_header_bytes = a->max_header_bytes * 2;
	b->bbb_retry = !a->bbb_retry;
	b->readyz_cache_ms = a->readyz_cache_ms + 1; /* applies on reload: not listed */
	b->bbb_timeout_ms = a->bbb_timeout_ms + 1;   /* same */
	n = gw_config_restart_changes(a, b, keys, GW_CONFIG_RESTART_KEYS_MAX);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(keys[0], "limits.max_header_bytes");
	ck_assert_str_eq(keys[1], "limits.header_timeout_s");
	ck_assert_str_eq(keys[2], "bbb.retry");
	/* The count is complete even when out is too small. */
	ck_assert_uint_eq(gw_config_restart_changes(a, b, keys, 1), 3);
	gw_config_unref(a);
	gw_config_unref(b);
}
END_TEST

/*
 * Loads config/<name>.conf, which must fail, and compares its messages with
 * config/<name>.errors, file names there being relative to tests/data/config.
 */
static void assert_errors(const char *name)
{
	char data_dir[4096];
	char rel[128];
	char *msg;
	char *want;
	size_t dlen;

	snprintf(data_dir, sizeof(data_dir), "%s", gw_test_data_path("config/"));
	dlen = strlen(data_dir);
	snprintf(rel, sizeof(rel), "config/%s.conf", name);
	msg = load_data_fail(rel);
	for (char *p = strstr(msg, data_dir); p != NULL; p = strstr(p, data_dir))
		memmove(p, p + dlen, strlen(p + dlen) + 1);
	snprintf(rel, sizeof(rel), "config/%s.errors", name);
	want = gw_test_read_data(rel, NULL);
	ck_assert_str_eq(msg, want);
	free(want);
	free(msg);
}

/*
 * new_keys_bad: hooks_checksum, rate_per_s, burst, expires and metrics, each
 * bad value at its line. expires_bad: malformed shapes, impossible dates,
 * times at or before the epoch.
 */
static const char *const golden_errors[] = {"new_keys_bad", "expires_bad"};

START_TEST(test_config_golden_errors)
{
	assert_errors(golden_errors[_i]);
}
END_TEST

START_TEST(test_config_missing_file)
{
	struct gw_config *cfg = NULL;
	struct gw_buf msg;

	gw_buf_init(&msg, 4096);
	ck_assert_int_eq(gw_config_load(gw_test_data_path("config/absent.conf"), &cfg, &msg),
			 GW_E_CONFIG);
	ck_assert_ptr_null(cfg);
	assert_has(gw_buf_str(&msg), "absent.conf: cannot open: No such file or directory");
	gw_buf_deinit(&msg);
}
END_TEST

START_TEST(test_config_errmsg_optional)
{
	struct gw_config *cfg = NULL;

	ck_assert_int_eq(gw_config_load(gw_test_data_path("config/many_errors.conf"), &cfg, NULL),
			 GW_E_CONFIG);
	ck_assert_ptr_null(cfg);
}
END_TEST

START_TEST(test_config_include_relative)
{
	struct gw_config *cfg = load_data_ok("config/include_main.conf");

	ck_assert_str_eq(cfg->bbb_url, URL);
	ck_assert_int_eq(cfg->log_level, GW_LOG_WARNING);
	gw_config_unref(cfg);
}
END_TEST

START_TEST(test_config_refcount)
{
	struct gw_config *cfg = load_data_ok("config/full.conf");

	ck_assert_ptr_eq(gw_config_ref(cfg), cfg);
	ck_assert_uint_eq(atomic_load(&cfg->refs), 2);
	gw_config_unref(cfg);
	ck_assert_uint_eq(atomic_load(&cfg->refs), 1);
	ck_assert_str_eq(cfg->tokens[1].origins[0], "https://dash.example.org");
	gw_config_unref(cfg);
	gw_config_unref(NULL);
}
END_TEST

START_TEST(test_config_shipped_example_loads)
{
	struct gw_config *cfg = load_data_ok("../../config/bbb-gateway.conf");

	ck_assert_str_eq(cfg->bbb_url, URL);
	ck_assert_str_eq(cfg->listen_address, "127.0.0.1");
	ck_assert_uint_eq(cfg->listen_port, 8090);
	ck_assert_int_eq(cfg->checksum, GW_DIGEST_SHA256);
	ck_assert_uint_eq(cfg->n_tokens, 0);
	gw_config_unref(cfg);
}
END_TEST

START_TEST(test_config_reference_matches_docs)
{
	char *doc = gw_test_read_data("../../docs/configuration.md", NULL);
	struct gw_buf ref;
	bool same;

	gw_buf_init(&ref, 256 * 1024);
	ck_assert_int_eq(gw_config_reference(&ref), GW_OK);
	same = strstr(doc, gw_buf_str(&ref)) != NULL;
	/* The table outgrows Check's message limit: print it on stderr instead. */
	if (!same)
		fprintf(stderr, "current table for docs/configuration.md:\n%s", gw_buf_str(&ref));
	ck_assert_msg(same, "docs/configuration.md lacks the current table (printed on stderr)");
	gw_buf_deinit(&ref);
	free(doc);
}
END_TEST

static Suite *config_files_suite(void)
{
	Suite *s = suite_create("config_files");
	TCase *tc = tcase_create("files");
	TCase *snap = tcase_create("snapshot");

	/* The loader reads BBB_GATEWAY_*: keep the caller's environment out of every test. */
	tcase_add_checked_fixture(tc, clear_env, clear_env);
	tcase_add_loop_test(tc, test_config_golden_errors, 0, (int)GW_ARRAY_SIZE(golden_errors));
	tcase_add_test(tc, test_config_missing_file);
	tcase_add_test(tc, test_config_errmsg_optional);
	tcase_add_test(tc, test_config_include_relative);
	tcase_add_test(tc, test_config_shipped_example_loads);
	tcase_add_test(tc, test_config_reference_matches_docs);
	suite_add_tcase(s, tc);

	tcase_add_test(snap, test_config_restart_keys_flagged);
	tcase_add_test(snap, test_config_refcount);
	suite_add_tcase(s, snap);
	return s;
}

GW_TEST_MAIN(config_files_suite)
