/*
 * check_config.c - the config module's keys: defaults, every validation
 * and syntax error with its file:line, environment overrides, secrets kept
 * out of messages. Whole files (the golden error lists, includes, the
 * shipped example, the docs' table) are check_config_files.c's.
 * Fixtures live in tests/data/config/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "configfix.h"
#include "gw_limits.h"
#include "testutil.h"

static void assert_defaults(const struct gw_config *cfg)
{
	ck_assert_str_eq(cfg->listen_address, "127.0.0.1");
	ck_assert_uint_eq(cfg->listen_port, 8090);
	ck_assert_uint_eq(cfg->threads, 0);
	ck_assert_uint_eq(cfg->max_body_bytes, GW_DEFAULT_MAX_BODY_BYTES);
	ck_assert_uint_eq(cfg->max_header_bytes, 8192);
	ck_assert_uint_eq(cfg->max_connections, 1000);
	ck_assert_uint_eq(cfg->per_ip_connections, 64);
	ck_assert_uint_eq(cfg->idle_timeout_s, 30);
	ck_assert_uint_eq(cfg->max_inflight, 1024);
	ck_assert_uint_eq(cfg->shutdown_timeout_ms, 10000);
	ck_assert_int_eq(cfg->checksum, GW_DIGEST_SHA256);
	ck_assert_uint_eq(cfg->bbb_timeout_ms, 10000);
	ck_assert_uint_eq(cfg->bbb_connect_timeout_ms, 2000);
	ck_assert_uint_eq(cfg->bbb_max_reply_bytes, GW_DEFAULT_BBB_MAX_REPLY_BYTES);
	ck_assert_uint_eq(cfg->bbb_max_connections, 256);
	ck_assert(cfg->forward_unknown_params);
	ck_assert_ptr_null(cfg->tokens);
	ck_assert_uint_eq(cfg->n_tokens, 0);
	ck_assert_uint_eq(cfg->n_cors_origins, 0);
	ck_assert_uint_eq(cfg->cors_max_age_s, 600);
	ck_assert_int_eq(cfg->log_level, GW_LOG_INFO);
	ck_assert_int_eq(cfg->log_format, GW_LOG_FORMAT_TEXT);
	ck_assert(cfg->access_log);
	ck_assert_int_eq(cfg->hooks_checksum, GW_DIGEST_SHA1);
	ck_assert_double_eq(cfg->rate_per_s, 0.0);
	ck_assert_uint_eq(cfg->burst, 0);
	ck_assert(!cfg->metrics_public);
}

START_TEST(test_config_new_defaults)
{
	struct gw_config *cfg = gw_config_new_defaults();

	ck_assert_ptr_nonnull(cfg);
	assert_defaults(cfg);
	ck_assert_uint_eq(atomic_load(&cfg->refs), 1);
	ck_assert_ptr_null(cfg->path);
	ck_assert_ptr_null(cfg->bbb_url);
	ck_assert_ptr_null(cfg->bbb_public_url);
	ck_assert_ptr_null(cfg->bbb_secret);
	ck_assert_ptr_null(cfg->cors_origins);
	gw_config_unref(cfg);
}
END_TEST

START_TEST(test_config_minimal_gets_defaults)
{
	struct gw_config *cfg = load_data_ok("config/minimal.conf");

	assert_defaults(cfg);
	ck_assert_str_eq(cfg->path, gw_test_data_path("config/minimal.conf"));
	ck_assert_str_eq(cfg->bbb_url, URL);
	ck_assert_str_eq(cfg->bbb_public_url, URL);
	ck_assert_ptr_ne(cfg->bbb_public_url, cfg->bbb_url);
	ck_assert_str_eq(cfg->bbb_secret, "minimalsecret0123456789");
	ck_assert_uint_eq(atomic_load(&cfg->refs), 1);
	gw_config_unref(cfg);
}
END_TEST

static const unsigned char lms_hash[GW_AUTH_HASH_LEN] = {
	0xd5, 0x22, 0xef, 0xc7, 0xd0, 0x90, 0xee, 0x4d, 0x65, 0x57, 0xfe,
	0x87, 0xf6, 0x73, 0x7e, 0x71, 0x64, 0x23, 0x46, 0xab, 0xa9, 0x2c,
	0xb2, 0x77, 0x09, 0x6e, 0xec, 0xbb, 0x1e, 0xf4, 0x18, 0xbd,
};

START_TEST(test_config_full)
{
	struct gw_config *cfg = load_data_ok("config/full.conf");

	ck_assert_str_eq(cfg->listen_address, "::1");
	ck_assert_uint_eq(cfg->listen_port, 18090);
	ck_assert_uint_eq(cfg->threads, 4);
	ck_assert_uint_eq(cfg->max_body_bytes, 1048576);
	ck_assert_uint_eq(cfg->max_header_bytes, 16384);
	ck_assert_uint_eq(cfg->max_connections, 500);
	ck_assert_uint_eq(cfg->per_ip_connections, 32);
	ck_assert_uint_eq(cfg->idle_timeout_s, 15);
	ck_assert_uint_eq(cfg->max_inflight, 256);
	ck_assert_uint_eq(cfg->shutdown_timeout_ms, 5000);
	ck_assert_double_eq(cfg->rate_per_s, 12.5);
	ck_assert_uint_eq(cfg->burst, 30);
	ck_assert_str_eq(cfg->bbb_url, "https://bbb-internal.example.org/bigbluebutton/api");
	ck_assert_str_eq(cfg->bbb_public_url, "https://bbb.example.org/bigbluebutton/api");
	/* secret.txt ends in " \n\n": trailing whitespace is not part of the secret */
	ck_assert_str_eq(cfg->bbb_secret, "filesecret-0123456789abcdef");
	ck_assert_int_eq(cfg->checksum, GW_DIGEST_SHA512);
	ck_assert_int_eq(cfg->hooks_checksum, GW_DIGEST_SHA384);
	ck_assert_uint_eq(cfg->bbb_timeout_ms, 15000);
	ck_assert_uint_eq(cfg->bbb_connect_timeout_ms, 3000);
	ck_assert_uint_eq(cfg->bbb_max_reply_bytes, 1048576);
	ck_assert_uint_eq(cfg->bbb_max_connections, 16);
	ck_assert(!cfg->forward_unknown_params);
	ck_assert_uint_eq(cfg->n_tokens, 2);
	ck_assert_str_eq(cfg->tokens[0].name, "lms");
	ck_assert_mem_eq(cfg->tokens[0].hash, lms_hash, GW_AUTH_HASH_LEN);
	ck_assert_uint_eq(cfg->tokens[0].scopes, GW_SCOPE_ALL);
	ck_assert_uint_eq(cfg->tokens[0].n_origins, 0);
	ck_assert_double_eq(cfg->tokens[0].rate_per_s, 3.0);
	ck_assert_uint_eq(cfg->tokens[0].burst, 7);
	ck_assert_int_eq(cfg->tokens[0].expires_at, 1907757045); /* 2030-06-15T12:30:45Z */
	ck_assert_str_eq(cfg->tokens[1].name, "dash-board_1.0");
	ck_assert_double_eq(cfg->tokens[1].rate_per_s, 0.0);
	ck_assert_uint_eq(cfg->tokens[1].burst, 0);
	ck_assert_int_eq(cfg->tokens[1].expires_at, 0);
	ck_assert_uint_eq(cfg->tokens[1].scopes,
			  GW_SCOPE_MEETINGS_READ | GW_SCOPE_RECORDINGS_READ | GW_SCOPE_METRICS);
	ck_assert_uint_eq(cfg->tokens[1].n_origins, 2);
	ck_assert_str_eq(cfg->tokens[1].origins[0], "https://dash.example.org");
	ck_assert_str_eq(cfg->tokens[1].origins[1], "http://localhost:3000");
	ck_assert_uint_eq(cfg->n_cors_origins, 3);
	ck_assert_str_eq(cfg->cors_origins[0], "https://app.example.org");
	ck_assert_str_eq(cfg->cors_origins[2], "http://[::1]:8080");
	ck_assert_uint_eq(cfg->cors_max_age_s, 120);
	ck_assert_int_eq(cfg->log_level, GW_LOG_DEBUG);
	ck_assert_int_eq(cfg->log_format, GW_LOG_FORMAT_JSON);
	ck_assert(!cfg->access_log);
	ck_assert(cfg->metrics_public);
	gw_config_unref(cfg);
}
END_TEST

START_TEST(test_config_missing_url)
{
	char *msg = load_data_fail("config/missing_url.conf");

	assert_has(msg, "missing_url.conf:1: bbb.url: missing");
	assert_has(msg, "BBB_GATEWAY_BBB_URL");
	ck_assert_uint_eq(count_lines(msg), 1);
	free(msg);
	/* no bbb group at all: no line to point at */
	msg = load_string_fail("log = { level = \"info\"; };\n");
	assert_has(msg, "mem.conf: bbb.url: missing");
	assert_has(msg, "mem.conf: bbb.secret: missing");
	free(msg);
}
END_TEST

START_TEST(test_config_bad_url_scheme)
{
	char *msg = load_data_fail("config/bad_url_scheme.conf");

	assert_has(msg, "bad_url_scheme.conf:2: bbb.url: must start with http:// or https://");
	free(msg);
}
END_TEST

START_TEST(test_config_bad_urls)
{
	static const char *const bad[] = {
		"https://",
		"http:///api",
		"https://bbb.example.org/api?x=1",
		"https://bbb.example.org/a b",
		"HTTPS://bbb.example.org",
		"",
	};
	char text[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *msg;

		snprintf(text, sizeof(text),
			 "bbb = { url = \"%s\"; public_url = \"%s\"; "
			 "secret = \"s3cret0123\"; };",
			 bad[i], bad[i]);
		msg = load_string_fail(text);
		assert_has(msg, "mem.conf:1: bbb.url: ");
		assert_has(msg, "mem.conf:1: bbb.public_url: ");
		ck_assert_uint_eq(count_lines(msg), 2);
		free(msg);
	}
}
END_TEST

START_TEST(test_config_both_secrets)
{
	char *msg = load_data_fail("config/both_secrets.conf");

	assert_has(msg, "both_secrets.conf:4: bbb.secret_file: set bbb.secret or bbb.secret_file, "
			"not both");
	free(msg);
}
END_TEST

START_TEST(test_config_missing_secret)
{
	char *msg = load_data_fail("config/missing_secret.conf");

	assert_has(msg, "missing_secret.conf:1: bbb.secret: missing");
	assert_has(msg, "secret_file");
	free(msg);
}
END_TEST

START_TEST(test_config_unreadable_secret_file)
{
	char *msg = load_data_fail("config/unreadable_secret_file.conf");

	assert_has(msg, "unreadable_secret_file.conf:3: bbb.secret_file: cannot open ");
	assert_has(msg, "config/no-such-secret.txt: No such file or directory");
	free(msg);
}
END_TEST

START_TEST(test_config_empty_secret_file)
{
	char *msg = load_data_fail("config/empty_secret_file.conf");

	assert_has(msg, "empty_secret_file.conf:3: bbb.secret_file: ");
	assert_has(msg, "empty-secret.txt: is empty");
	free(msg);
}
END_TEST

START_TEST(test_config_bad_checksum)
{
	char *msg = load_data_fail("config/bad_checksum.conf");

	assert_has(msg, "bad_checksum.conf:4: bbb.checksum: must be one of sha1, sha256, sha384, "
			"sha512");
	free(msg);
}
END_TEST

START_TEST(test_config_checksum_names)
{
	static const char *const names[] = {"sha1", "sha256", "sha384", "sha512"};
	static const enum gw_digest algs[] = {GW_DIGEST_SHA1, GW_DIGEST_SHA256, GW_DIGEST_SHA384,
					      GW_DIGEST_SHA512};
	char text[256];

	for (size_t i = 0; i < 4; i++) {
		struct gw_config *cfg = NULL;

		/* hooks_checksum takes the same names, independently of checksum */
		snprintf(text, sizeof(text),
			 "bbb = { url = \"" URL "\"; secret = \"s3cret0123\"; checksum = \"%s\";\n"
			 "hooks_checksum = \"%s\"; };",
			 names[i], names[3 - i]);
		ck_assert_int_eq(gw_config_load_string(text, "mem.conf", &cfg, NULL), GW_OK);
		ck_assert_int_eq(cfg->checksum, algs[i]);
		ck_assert_int_eq(cfg->hooks_checksum, algs[3 - i]);
		gw_config_unref(cfg);
	}
}
END_TEST

START_TEST(test_config_out_of_range)
{
	char *msg = load_data_fail("config/out_of_range.conf");

	assert_has(msg, "out_of_range.conf:6: limits.idle_timeout_s: 0 is out of range (1..3600)");
	assert_has(msg, "out_of_range.conf:7: limits.max_body_bytes: 1073741824 is out of range "
			"(1..67108864)");
	assert_has(msg, "out_of_range.conf:10: listen.port: 70000 is out of range (0..65535)");
	assert_has(msg, "out_of_range.conf:11: listen.threads: expected an integer");
	ck_assert_uint_eq(count_lines(msg), 4);
	free(msg);
}
END_TEST

START_TEST(test_config_listen_address)
{
	struct gw_config *cfg = NULL;
	char *msg;

	ck_assert_int_eq(gw_config_load_string("listen = { address = \"::\"; };\n"
					       "bbb = { url = \"" URL "\"; secret = \"s3cret0\"; "
					       "};",
					       "mem.conf", &cfg, NULL),
			 GW_OK);
	ck_assert_str_eq(cfg->listen_address, "::");
	gw_config_unref(cfg);
	msg = load_string_fail("listen = {\n  address = \"localhost\";\n};\n"
			       "bbb = { url = \"" URL "\"; secret = \"s3cret0\"; };");
	assert_has(msg, "mem.conf:2: listen.address: must be an IPv4 or IPv6 address");
	ck_assert_uint_eq(count_lines(msg), 1);
	free(msg);
}
END_TEST

START_TEST(test_config_unknown_key)
{
	char *msg = load_data_fail("config/unknown_key.conf");

	assert_has(msg, "unknown_key.conf:4: bbb.timeout: unknown key");
	free(msg);
}
END_TEST

START_TEST(test_config_unknown_group)
{
	char *msg = load_data_fail("config/unknown_group.conf");

	assert_has(msg, "unknown_group.conf:5: limit: unknown group");
	ck_assert_uint_eq(count_lines(msg), 1);
	free(msg);
}
END_TEST

START_TEST(test_config_wrong_shapes)
{
	char *msg = load_string_fail("bbb = \"x\";\nlog = { level = 7; };\ntokens = { };\n"
				     "cors = { origins = \"https://a.example\"; };\nlisten = 1;\n"
				     "metrics = true;\n");

	assert_has(msg, "mem.conf:1: bbb: expected a group");
	assert_has(msg, "mem.conf:2: log.level: expected a string");
	assert_has(msg, "mem.conf:3: tokens: expected a list");
	assert_has(msg, "mem.conf:4: cors.origins: expected an array");
	assert_has(msg, "mem.conf:5: listen: expected a group");
	assert_has(msg, "mem.conf:6: metrics: expected a group: metrics = { ... };");
	assert_has(msg, "mem.conf:1: bbb.url: missing");
	free(msg);
}
END_TEST

START_TEST(test_config_duplicate_token)
{
	char *msg = load_data_fail("config/duplicate_token.conf");

	assert_has(msg, "duplicate_token.conf:7: tokens[1].name: duplicate name (also tokens[0])");
	/* the same hex in upper case is the same hash */
	assert_has(msg, "duplicate_token.conf:8: tokens[2].hash: same hash as tokens[0]");
	ck_assert_uint_eq(count_lines(msg), 2);
	free(msg);
}
END_TEST

START_TEST(test_config_bad_token_fields)
{
	char *msg = load_data_fail("config/bad_hash.conf");

	assert_has(msg, "bad_hash.conf:6: tokens[0].hash: must be \"sha256:\" followed by 64 hex");
	assert_has(msg, "bad_hash.conf:7: tokens[1].hash: must be \"sha256:\"");
	assert_has(msg, "bad_hash.conf:8: tokens[2].name: must be 1 to 64 characters");
	assert_has(msg, "bad_hash.conf:9: tokens[3].scopes: expected a non-empty array");
	assert_has(msg, "bad_hash.conf:9: tokens[3].hash: missing (required)");
	assert_has(msg, "bad_hash.conf:11: tokens[4]: expected a group");
	ck_assert_uint_eq(count_lines(msg), 6);
	free(msg);
}
END_TEST

START_TEST(test_config_plaintext_token)
{
	char *msg = load_data_fail("config/plaintext_token.conf");

	assert_has(msg, "plaintext_token.conf:6: tokens[0].token: plaintext tokens must not be "
			"stored in the config: keep only the hash");
	assert_has(msg, "plaintext_token.conf:7: tokens[1].hash: plaintext tokens must not be");
	assert_has(msg, "bbb-gateway token new");
	ck_assert_ptr_null(strstr(msg, "PLAINTEXT"));
	free(msg);
}
END_TEST

START_TEST(test_config_unknown_scope)
{
	char *msg = load_data_fail("config/unknown_scope.conf");

	assert_has(msg, "unknown_scope.conf:6: tokens[0].scopes[1]: unknown scope (known: *, "
			"meetings:read");
	ck_assert_uint_eq(count_lines(msg), 1);
	free(msg);
}
END_TEST

START_TEST(test_config_bad_origin)
{
	char *msg = load_data_fail("config/bad_origin.conf");

	assert_has(msg, "bad_origin.conf:7: cors.origins[0]: wildcards are not allowed");
	assert_has(msg, "bad_origin.conf:8: cors.origins[1]: must not have a path");
	assert_has(msg, "bad_origin.conf:9: cors.origins[2]: must be lowercase");
	assert_has(msg, "bad_origin.conf:10: cors.origins[3]: must be scheme://host[:port]");
	assert_has(msg, "bad_origin.conf:11: cors.origins[4]: must leave out the default port");
	assert_has(msg, "bad_origin.conf:12: cors.origins[5]: has a bad port");
	assert_has(msg, "bad_origin.conf:13: cors.origins[6]: must be scheme://host[:port]");
	assert_has(msg, "bad_origin.conf:14: cors.origins[7]: has no host");
	/* "https://app.example.org:8443" on line 15 is fine */
	ck_assert_uint_eq(count_lines(msg), 8);
	free(msg);
}
END_TEST

START_TEST(test_config_connect_timeout_over_timeout)
{
	char *msg = load_data_fail("config/connect_timeout.conf");

	assert_has(msg, "connect_timeout.conf:5: bbb.connect_timeout_ms: 5000 is more than "
			"bbb.timeout_ms (1000)");
	free(msg);
}
END_TEST

START_TEST(test_config_new_keys_valid)
{
	struct gw_config *cfg = load_data_ok("config/new_keys.conf");
	const struct gw_token *t = cfg->tokens;

	ck_assert_int_eq(cfg->hooks_checksum, GW_DIGEST_SHA256);
	ck_assert_double_eq(cfg->rate_per_s, 0.25);
	ck_assert_uint_eq(cfg->burst, 1000000);
	ck_assert(cfg->metrics_public);
	ck_assert_uint_eq(cfg->n_tokens, 6);
	ck_assert_double_eq(t[0].rate_per_s, 5.0);
	ck_assert_uint_eq(t[0].burst, 1);
	ck_assert_int_eq(t[0].expires_at, 1);
	ck_assert_double_eq(t[1].rate_per_s, 7.0);
	ck_assert_uint_eq(t[1].burst, 0);
	ck_assert_int_eq(t[1].expires_at, 2147483648ll); /* past a 32-bit time_t */
	ck_assert_double_eq(t[2].rate_per_s, 1000000.0);
	ck_assert_int_eq(t[2].expires_at, 253402300799ll);
	ck_assert_double_eq(t[3].rate_per_s, 1e-3);
	ck_assert_int_eq(t[3].expires_at, 1835395200); /* 2028-02-29 */
	/* a time already past loads; gw_auth_lookup never matches it */
	ck_assert_int_eq(t[4].expires_at, 978307200);
	ck_assert_double_eq(t[4].rate_per_s, 0.0);
	ck_assert_double_eq(t[5].rate_per_s, 2.5);
	ck_assert_int_eq(t[5].expires_at, 951868799); /* 2000-02-29T23:59:59Z */
	gw_config_unref(cfg);
}
END_TEST

START_TEST(test_config_token_rate)
{
	struct gw_config *cfg = load_data_ok("config/new_keys.conf");
	struct gw_token own = {.rate_per_s = 4.0, .burst = 3};
	struct gw_token none = {0};
	double rate;
	double burst;

	gw_config_token_rate(cfg, &cfg->tokens[3], &rate, &burst); /* own rate, limits.burst */
	ck_assert(rate == 1e-3 && burst == 1000000.0);
	cfg->burst = 0; /* 0 = max(1, 2 * rate) */
	gw_config_token_rate(cfg, &cfg->tokens[5], &rate, &burst);
	ck_assert(rate == 2.5 && burst == 5.0);
	gw_config_token_rate(cfg, &none, &rate, &burst); /* limits.rate_per_s = 0.25 */
	ck_assert(rate == 0.25 && burst == 1.0);
	gw_config_token_rate(cfg, &own, &rate, &burst);
	ck_assert(rate == 4.0 && burst == 3.0);
	cfg->rate_per_s = 0.0; /* no limit */
	gw_config_token_rate(cfg, NULL, &rate, &burst);
	ck_assert(rate == 0.0 && burst == 1.0);
	gw_config_unref(cfg);
}
END_TEST

START_TEST(test_config_syntax_error)
{
	char *msg = load_data_fail("config/syntax_error.conf");

	assert_has(msg, "syntax_error.conf:4: syntax: syntax error");
	ck_assert_uint_eq(count_lines(msg), 1);
	free(msg);
	msg = load_string_fail("bbb = {\n  url = \"" URL "\";\n};\nbbb = 1;\n");
	assert_has(msg, "mem.conf:4: syntax: duplicate setting name");
	free(msg);
}
END_TEST

START_TEST(test_config_multiple_errors)
{
	char *msg = load_data_fail("config/many_errors.conf");

	assert_has(msg, "many_errors.conf:2: listen.port: -1 is out of range");
	assert_has(msg, "many_errors.conf:5: bbb.url: must start with http://");
	assert_has(msg, "many_errors.conf:6: bbb.checksum: must be one of");
	assert_has(msg, "many_errors.conf:9: log.level: must be one of error, warning, notice, "
			"info, debug");
	assert_has(msg, "many_errors.conf:10: log.format: must be one of text, json");
	assert_has(msg, "many_errors.conf:11: log.access: expected true or false");
	assert_has(msg, "many_errors.conf:13: colour: unknown key");
	assert_has(msg, "many_errors.conf:4: bbb.secret: missing");
	ck_assert_uint_eq(count_lines(msg), 8);
	free(msg);
}
END_TEST

START_TEST(test_config_secret_never_echoed)
{
	char *msg = load_data_fail("config/secret_leak.conf");

	assert_has(msg, "secret_leak.conf:3: bbb.secret: contains whitespace");
	assert_has(msg, "secret_leak.conf:6: token: plaintext tokens must not be stored");
	assert_has(msg, "secret_leak.conf:8: tokens[0].token: plaintext");
	assert_has(msg, "secret_leak.conf:9: tokens[1].hash: plaintext");
	assert_has(msg, "secret_leak.conf:10: tokens[2].hash: must be");
	assert_has(msg, "secret_leak.conf:10: tokens[2].scopes[0]: unknown scope");
	ck_assert_ptr_null(strstr(msg, "LEAKCHECK"));
	free(msg);
	msg = load_string_fail("bbb = { url = \"" URL "\"; secret = \"topsecret\"; checksum = 1; "
			       "};");
	ck_assert_ptr_null(strstr(msg, "topsecret"));
	free(msg);
}
END_TEST

START_TEST(test_config_env_overrides)
{
	struct gw_config *cfg;

	ck_assert_int_eq(
		setenv("BBB_GATEWAY_BBB_URL", "https://env.example.org/bigbluebutton/api/", 1), 0);
	ck_assert_int_eq(setenv("BBB_GATEWAY_BBB_SECRET", "envsecret0123", 1), 0);
	cfg = load_data_ok("config/env_only.conf");
	ck_assert_str_eq(cfg->bbb_url, "https://env.example.org/bigbluebutton/api");
	ck_assert_str_eq(cfg->bbb_public_url, "https://env.example.org/bigbluebutton/api");
	ck_assert_str_eq(cfg->bbb_secret, "envsecret0123");
	ck_assert_int_eq(cfg->checksum, GW_DIGEST_SHA1);
	gw_config_unref(cfg);
}
END_TEST

START_TEST(test_config_env_wins_over_file)
{
	struct gw_config *cfg;

	ck_assert_int_eq(setenv("BBB_GATEWAY_BBB_URL", "http://10.0.0.5/bigbluebutton/api", 1), 0);
	ck_assert_int_eq(setenv("BBB_GATEWAY_BBB_SECRET", "envsecret0123", 1), 0);
	cfg = load_data_ok("config/minimal.conf");
	ck_assert_str_eq(cfg->bbb_url, "http://10.0.0.5/bigbluebutton/api");
	ck_assert_str_eq(cfg->bbb_public_url, "http://10.0.0.5/bigbluebutton/api");
	ck_assert_str_eq(cfg->bbb_secret, "envsecret0123");
	gw_config_unref(cfg);
	/* with the secret in the environment, secret_file is not read */
	cfg = load_data_ok("config/unreadable_secret_file.conf");
	ck_assert_str_eq(cfg->bbb_secret, "envsecret0123");
	gw_config_unref(cfg);
}
END_TEST

START_TEST(test_config_env_validated)
{
	char *msg;

	ck_assert_int_eq(setenv("BBB_GATEWAY_BBB_URL", "bbb.example.org", 1), 0);
	ck_assert_int_eq(setenv("BBB_GATEWAY_BBB_SECRET", "env secret with spaces", 1), 0);
	msg = load_data_fail("config/env_only.conf");
	assert_has(msg, "environment: BBB_GATEWAY_BBB_URL: must start with http:// or https://");
	assert_has(msg, "environment: BBB_GATEWAY_BBB_SECRET: contains whitespace");
	ck_assert_ptr_null(strstr(msg, "env secret"));
	ck_assert_uint_eq(count_lines(msg), 2);
	free(msg);
}
END_TEST

START_TEST(test_config_env_empty_is_unset)
{
	char *msg;

	ck_assert_int_eq(setenv("BBB_GATEWAY_BBB_URL", "", 1), 0);
	ck_assert_int_eq(setenv("BBB_GATEWAY_BBB_SECRET", "", 1), 0);
	msg = load_data_fail("config/env_only.conf");
	assert_has(msg, "bbb.url: missing");
	assert_has(msg, "bbb.secret: missing");
	free(msg);
}
END_TEST

/* curl gets bbb.url's user-info; the join URLs built on the default public_url must not. */
START_TEST(test_config_url_credentials_not_public)
{
	struct gw_config *cfg;

	cfg = gw_test_config("bbb = { url = "
			     "\"http://gw:pw-Xy7@127.0.0.1:8080/bigbluebutton/api/\";\n"
			     "        secret = \"abc\"; };\n");
	ck_assert_str_eq(cfg->bbb_url, "http://gw:pw-Xy7@127.0.0.1:8080/bigbluebutton/api");
	ck_assert_str_eq(cfg->bbb_public_url, "http://127.0.0.1:8080/bigbluebutton/api");
	gw_config_unref(cfg);
	setenv("BBB_GATEWAY_BBB_URL", "https://a%40b:c@bbb.example.org/bigbluebutton/api", 1);
	cfg = gw_test_config("bbb = { url = \"" URL "\"; secret = \"abc\"; };\n");
	unsetenv("BBB_GATEWAY_BBB_URL");
	ck_assert_str_eq(cfg->bbb_url, "https://a%40b:c@bbb.example.org/bigbluebutton/api");
	ck_assert_str_eq(cfg->bbb_public_url, "https://bbb.example.org/bigbluebutton/api");
	gw_config_unref(cfg);
}
END_TEST

/* public_url is handed to browsers: user-info there is refused, naming file and line. */
START_TEST(test_config_public_url_credentials_refused)
{
	char *msg = load_string_fail("bbb = { url = \"" URL "\"; secret = \"abc\";\n"
				     "        public_url = "
				     "\"https://u:pw-Xy7@bbb.example.org/api\"; };\n");

	assert_has(msg, "mem.conf:2: bbb.public_url: ");
	assert_has(msg, "user-info");
	ck_assert_ptr_null(strstr(msg, "pw-Xy7"));
	ck_assert_uint_eq(count_lines(msg), 1);
	free(msg);
	msg = load_string_fail("bbb = { url = \"" URL "\"; secret = \"abc\";\n"
			       "        public_url = \"https://token@bbb.example.org/api\"; };\n");
	assert_has(msg, "mem.conf:2: bbb.public_url: ");
	free(msg);
}
END_TEST

START_TEST(test_config_fetch_allow)
{
	struct gw_config *cfg;
	char *msg;

	cfg = gw_test_config("bbb = { url = \"" URL "\"; secret = \"abc\";\n"
			     "  fetch_allow = [ \"files.internal.example\", \"10.1.2.0/24\", "
			     "\"fd00::/8\" ]; };\n");
	ck_assert_uint_eq(cfg->n_fetch_allow, 3);
	ck_assert_str_eq(cfg->fetch_allow[1], "10.1.2.0/24");
	gw_config_unref(cfg);
	cfg = gw_test_config("bbb = { url = \"" URL "\"; secret = \"abc\"; };\n");
	ck_assert_uint_eq(cfg->n_fetch_allow, 0);
	gw_config_unref(cfg);
	msg = load_string_fail("bbb = { url = \"" URL "\"; secret = \"abc\";\n"
			       "  fetch_allow = [ \"ok.example\",\n"
			       "    \"10.1.2.3/24\", \"*.example\" ]; };\n");
	assert_has(msg, "mem.conf:3: bbb.fetch_allow[1]: has bits set after the prefix length");
	assert_has(msg, "mem.conf:3: bbb.fetch_allow[2]: must be a host name");
	ck_assert_uint_eq(count_lines(msg), 2);
	free(msg);
	msg = load_string_fail("bbb = { url = \"" URL "\"; secret = \"abc\";\n"
			       "  fetch_allow = \"10.0.0.0/8\"; };\n");
	assert_has(msg, "mem.conf:2: bbb.fetch_allow: expected an array");
	free(msg);
}
END_TEST

START_TEST(test_config_trailing_slash_stripped)
{
	struct gw_config *cfg = NULL;
	const char *text = "bbb = { url = \"http://bbb.example.org/bigbluebutton/api///\";\n"
			   "public_url = \"https://bbb.example.org/\"; secret = \"s3cret0123\"; };";

	ck_assert_int_eq(gw_config_load_string(text, "mem.conf", &cfg, NULL), GW_OK);
	ck_assert_str_eq(cfg->bbb_url, "http://bbb.example.org/bigbluebutton/api");
	ck_assert_str_eq(cfg->bbb_public_url, "https://bbb.example.org");
	gw_config_unref(cfg);
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("load");
	TCase *env = tcase_create("environment");

	/* The loader reads BBB_GATEWAY_*: keep the caller's environment out of every test. */
	tcase_add_checked_fixture(tc, clear_env, clear_env);
	tcase_add_test(tc, test_config_new_defaults);
	tcase_add_test(tc, test_config_minimal_gets_defaults);
	tcase_add_test(tc, test_config_full);
	tcase_add_test(tc, test_config_missing_url);
	tcase_add_test(tc, test_config_bad_url_scheme);
	tcase_add_test(tc, test_config_bad_urls);
	tcase_add_test(tc, test_config_both_secrets);
	tcase_add_test(tc, test_config_missing_secret);
	tcase_add_test(tc, test_config_unreadable_secret_file);
	tcase_add_test(tc, test_config_empty_secret_file);
	tcase_add_test(tc, test_config_bad_checksum);
	tcase_add_test(tc, test_config_checksum_names);
	tcase_add_test(tc, test_config_out_of_range);
	tcase_add_test(tc, test_config_listen_address);
	tcase_add_test(tc, test_config_unknown_key);
	tcase_add_test(tc, test_config_unknown_group);
	tcase_add_test(tc, test_config_wrong_shapes);
	tcase_add_test(tc, test_config_duplicate_token);
	tcase_add_test(tc, test_config_bad_token_fields);
	tcase_add_test(tc, test_config_plaintext_token);
	tcase_add_test(tc, test_config_unknown_scope);
	tcase_add_test(tc, test_config_bad_origin);
	tcase_add_test(tc, test_config_connect_timeout_over_timeout);
	tcase_add_test(tc, test_config_new_keys_valid);
	tcase_add_test(tc, test_config_token_rate);
	tcase_add_test(tc, test_config_syntax_error);
	tcase_add_test(tc, test_config_multiple_errors);
	tcase_add_test(tc, test_config_secret_never_echoed);
	tcase_add_test(tc, test_config_url_credentials_not_public);
	tcase_add_test(tc, test_config_public_url_credentials_refused);
	tcase_add_test(tc, test_config_fetch_allow);
	tcase_add_test(tc, test_config_trailing_slash_stripped);
	suite_add_tcase(s, tc);

	/* Unset after each test too: with CK_FORK=no (valgrind) the tests share one process. */
	tcase_add_checked_fixture(env, clear_env, clear_env);
	tcase_add_test(env, test_config_env_overrides);
	tcase_add_test(env, test_config_env_wins_over_file);
	tcase_add_test(env, test_config_env_validated);
	tcase_add_test(env, test_config_env_empty_is_unset);
	suite_add_tcase(s, env);
	return s;
}

GW_TEST_MAIN(config_suite)
