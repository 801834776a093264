/*
 * check_config_issuers.c - the config groups of browser tokens: issuers[]
 * (each algorithm, key files and their checks, key sources, names and
 * kids, scopes), tokens_mint and auth, and the snapshot's generation.
 * Each test writes its config and key files into a temporary directory;
 * the RSA and EC keys are made once, before the tests fork.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "configfix.h"
#include "gw_limits.h"
#include "testkeys.h"
#include "testutil.h"

/* Line 1 of every config; the groups under test start on line 2. */
#define BBB \
	"bbb = { url = \"http://127.0.0.1:8080/bigbluebutton/api\"; secret = \"s3cret0123\"; };\n"
#define ALL_BUT_MINT (GW_SCOPE_ALL & ~GW_SCOPE_TOKENS_MINT)
#define KEY32 "0123456789abcdef0123456789abcdef"
#define KEY64 KEY32 KEY32

/* Public keys (PEM), made once by keys_init. */
static char *rsa2048, *rsa1024, *p256, *p384, *p256_private;

static void keys_init(void)
{
	rsa2048 = gw_test_key_pem("rsa:2048", false);
	rsa1024 = gw_test_key_pem("rsa:1024", false);
	p256 = gw_test_key_pem("ec:P-256", false);
	p384 = gw_test_key_pem("ec:P-384", false);
	p256_private = gw_test_key_pem("ec:P-256", true);
}

static void keys_deinit(void)
{
	free(rsa2048);
	free(rsa1024);
	free(p256);
	free(p384);
	free(p256_private);
}

/* Loads BBB + text, expects exactly one message and that it holds needle. */
static void assert_one_error(const char *text, const char *needle)
{
	char conf[4096];
	char *msg;

	snprintf(conf, sizeof(conf), BBB "%s", text);
	msg = load_fail(conf);
	assert_has(msg, needle);
	ck_assert_msg(count_lines(msg) == 1, "expected one message, got:\n%s", msg);
	free(msg);
}

static void assert_key(const struct gw_issuer *iss, const char *key)
{
	ck_assert_ptr_nonnull(iss->key);
	ck_assert_uint_eq(iss->key_len, strlen(key));
	ck_assert_mem_eq(iss->key, key, iss->key_len);
	ck_assert_int_eq(iss->key[iss->key_len], '\0');
}

START_TEST(test_config_issuers_hs_secret_file)
{
	struct gw_config *cfg;

	put_str("a.key", KEY32);         /* exactly 32 bytes, no newline */
	put_str("b.key", KEY64 "\n");    /* as `bbb-gateway key new` writes it */
	put_str("c.key", KEY32 "\n\n");  /* only one newline is removed */
	put_str("d.key", " " KEY32 " "); /* raw bytes: spaces are part of the key */
	cfg = load_ok(BBB "issuers = (\n"
			  "  { name = \"lms\"; alg = \"HS256\"; secret_file = \"a.key\"; },\n"
			  "  { name = \"b\"; alg = \"HS384\"; secret_file = \"b.key\"; },\n"
			  "  { name = \"c\"; alg = \"HS512\"; secret_file = \"c.key\"; },\n"
			  "  { name = \"d\"; alg = \"HS256\"; secret_file = \"d.key\"; }\n"
			  ");\n");
	ck_assert_uint_eq(cfg->n_issuers, 4);
	ck_assert_str_eq(cfg->issuers[0].name, "lms");
	ck_assert_int_eq(cfg->issuers[0].alg, GW_JWT_HS256);
	assert_key(&cfg->issuers[0], KEY32);
	ck_assert_ptr_null(cfg->issuers[0].kid);
	ck_assert_uint_eq(cfg->issuers[0].scopes, ALL_BUT_MINT);
	ck_assert_uint_eq(cfg->issuers[0].max_ttl_s, 3600);
	ck_assert(!cfg->issuers[0].any_meeting);
	ck_assert_ptr_null(cfg->issuers[0].tenant);
	ck_assert_double_eq(cfg->issuers[0].rate_per_s, 0.0);
	ck_assert_uint_eq(cfg->issuers[0].burst, 0);
	ck_assert_int_eq(cfg->issuers[1].alg, GW_JWT_HS384);
	assert_key(&cfg->issuers[1], KEY64);
	ck_assert_int_eq(cfg->issuers[2].alg, GW_JWT_HS512);
	assert_key(&cfg->issuers[2], KEY32 "\n");
	assert_key(&cfg->issuers[3], " " KEY32 " ");
	ck_assert_ptr_null(cfg->mint.name);
	gw_config_unref(cfg);
}
END_TEST

START_TEST(test_config_issuers_all_members)
{
	struct gw_config *cfg;
	char abs[512];
	char text[2048];

	put_str("lms.key", KEY64 "\n");
	snprintf(abs, sizeof(abs), "%s/lms.key", dir);
	snprintf(text, sizeof(text),
		 BBB "issuers = ( { name = \"https://idp.example.org/\"; alg = \"HS256\";\n"
		     "  secret_file = \"%s\"; kid = \"2026-11\";\n"
		     "  scopes = [ \"meetings:read\", \"meetings:join\", \"events:read\" ];\n"
		     "  max_ttl_s = 604800; any_meeting = true; tenant = \"lms_1.a-b\";\n"
		     "  rate_per_s = 2.5; burst = 9; } );\n"
		     "tenants = ( { name = \"lms_1.a-b\"; meeting_prefix = \"lms~\"; } );\n",
		 abs);
	cfg = load_ok(text);
	ck_assert_str_eq(cfg->issuers[0].name, "https://idp.example.org/");
	assert_key(&cfg->issuers[0], KEY64);
	ck_assert_str_eq(cfg->issuers[0].kid, "2026-11");
	ck_assert_uint_eq(cfg->issuers[0].scopes,
			  GW_SCOPE_MEETINGS_READ | GW_SCOPE_MEETINGS_JOIN | GW_SCOPE_EVENTS_READ);
	ck_assert_uint_eq(cfg->issuers[0].max_ttl_s, 604800);
	ck_assert(cfg->issuers[0].any_meeting);
	ck_assert_str_eq(cfg->issuers[0].tenant, "lms_1.a-b");
	ck_assert_double_eq(cfg->issuers[0].rate_per_s, 2.5);
	ck_assert_uint_eq(cfg->issuers[0].burst, 9);
	gw_config_unref(cfg);
}
END_TEST

START_TEST(test_config_issuers_inline_secret)
{
	struct gw_config *cfg = load_ok(BBB "issuers = ( { name = \"lms\"; alg = \"HS512\";\n"
					    "  secret = \"" KEY32 "\"; } );\n");
	char *msg;

	assert_key(&cfg->issuers[0], KEY32);
	gw_config_unref(cfg);
	/* 31 bytes: refused, and the secret is not repeated */
	msg = load_fail(BBB "issuers = ( { name = \"lms\"; alg = \"HS256\";\n"
			    "  secret = \"not-long-enough-0123456789abcde\"; } );\n");
	assert_has(msg, "gw.conf:3: issuers[0].secret: must be at least 32 bytes");
	ck_assert_ptr_null(strstr(msg, "not-long-enough"));
	ck_assert_uint_eq(count_lines(msg), 1);
	free(msg);
}
END_TEST

START_TEST(test_config_issuers_hs_too_short)
{
	char *msg;

	put_str("short.key", "0123456789abcdef0123456789abcde\n"); /* 31 + newline */
	put_str("empty.key", "");
	msg = load_fail(BBB "issuers = (\n"
			    "  { name = \"a\"; alg = \"HS256\"; secret_file = \"short.key\"; },\n"
			    "  { name = \"b\"; alg = \"HS256\"; secret_file = \"empty.key\"; },\n"
			    "  { name = \"c\"; alg = \"HS256\"; secret_file = \"none.key\"; }\n"
			    ");\n");
	assert_has(msg, "gw.conf:3: issuers[0].secret_file: short.key: must be at least 32 bytes");
	assert_has(msg, "gw.conf:4: issuers[1].secret_file: empty.key: must be at least 32 bytes");
	assert_has(msg, "gw.conf:5: issuers[2].secret_file: cannot open ");
	assert_has(msg, "/none.key: No such file or directory");
	ck_assert_uint_eq(count_lines(msg), 3);
	/* what the files hold is never shown */
	ck_assert_ptr_null(strstr(msg, "0123456789"));
	free(msg);
}
END_TEST

START_TEST(test_config_issuers_key_file_too_large)
{
	size_t n = GW_MAX_KEY_FILE_BYTES + 1;
	char *big = malloc(n);

	ck_assert_ptr_nonnull(big);
	memset(big, 'k', n);
	put("big.key", big, n);
	free(big);
	assert_one_error("issuers = ( { name = \"a\"; alg = \"HS256\"; secret_file = \"big.key\"; "
			 "} "
			 ");\n",
			 "/big.key: is larger than 65536 bytes");
}
END_TEST

START_TEST(test_config_issuers_public_keys)
{
	struct gw_config *cfg;

	put_str("rsa.pem", rsa2048);
	put_str("ec.pem", p256);
	cfg = load_ok(BBB "issuers = (\n"
			  "  { name = \"portal\"; alg = \"RS256\"; public_key_file = \"rsa.pem\"; "
			  "},\n"
			  "  { name = \"app\"; alg = \"ES256\"; public_key_file = \"ec.pem\"; }\n"
			  ");\n");
	ck_assert_int_eq(cfg->issuers[0].alg, GW_JWT_RS256);
	assert_key(&cfg->issuers[0], rsa2048); /* the PEM text as it is in the file */
	ck_assert_int_eq(cfg->issuers[1].alg, GW_JWT_ES256);
	assert_key(&cfg->issuers[1], p256);
	gw_config_unref(cfg);
}
END_TEST

START_TEST(test_config_issuers_public_keys_refused)
{
	char *msg;

	put_str("rsa1024.pem", rsa1024);
	put_str("rsa2048.pem", rsa2048);
	put_str("p384.pem", p384);
	put_str("p256.pem", p256);
	put_str("private.pem", p256_private);
	put_str("junk.pem", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
	msg = load_fail(BBB
			"issuers = (\n"
			"  { name = \"a\"; alg = \"RS256\"; public_key_file = \"rsa1024.pem\"; },\n"
			"  { name = \"b\"; alg = \"ES256\"; public_key_file = \"p384.pem\"; },\n"
			"  { name = \"c\"; alg = \"ES256\"; public_key_file = \"rsa2048.pem\"; },\n"
			"  { name = \"d\"; alg = \"RS256\"; public_key_file = \"p256.pem\"; },\n"
			"  { name = \"e\"; alg = \"ES256\"; public_key_file = \"private.pem\"; },\n"
			"  { name = \"f\"; alg = \"RS256\"; public_key_file = \"junk.pem\"; }\n"
			");\n");
	assert_has(msg, "gw.conf:3: issuers[0].public_key_file: rsa1024.pem: is an RSA key of "
			"fewer than 2048 bits: RS256 needs at least 2048");
	assert_has(msg, "gw.conf:4: issuers[1].public_key_file: p384.pem: is not a P-256 "
			"(prime256v1) EC public key");
	assert_has(msg, "gw.conf:5: issuers[2].public_key_file: rsa2048.pem: is not a P-256");
	assert_has(msg, "gw.conf:6: issuers[3].public_key_file: p256.pem: is not an RSA public "
			"key");
	assert_has(msg, "gw.conf:7: issuers[4].public_key_file: private.pem: holds a private key");
	assert_has(msg, "gw.conf:8: issuers[5].public_key_file: junk.pem: is not a PEM public key");
	ck_assert_uint_eq(count_lines(msg), 6);
	ck_assert_ptr_null(strstr(msg, "MII")); /* no key material */
	free(msg);
}
END_TEST

/* A PEM file is only bytes to an HS issuer: fine when long enough. */
START_TEST(test_config_issuers_pem_as_hs_secret)
{
	struct gw_config *cfg;

	put_str("ec.pem", p256);
	cfg = load_ok(BBB "issuers = ( { name = \"a\"; alg = \"HS256\"; secret_file = \"ec.pem\"; "
			  "} );\n");
	ck_assert_uint_eq(cfg->issuers[0].key_len, strlen(p256) - 1); /* less its newline */
	gw_config_unref(cfg);
}
END_TEST

START_TEST(test_config_issuers_key_sources)
{
	put_str("k.key", KEY32);
	put_str("ec.pem", p256);
	assert_one_error("issuers = ( { name = \"a\"; alg = \"HS256\"; } );\n", "gw.conf:2: "
										"issuers[0].secret_"
										"file: missing: "
										"alg HS256 takes "
										"secret_file "
										"(or secret)");
	assert_one_error("issuers = ( { name = \"a\";\n alg = \"ES256\"; } );\n",
			 "gw.conf:2: issuers[0].public_key_file: missing: alg ES256 takes "
			 "public_key_file");
	assert_one_error("issuers = ( { name = \"a\"; alg = \"HS256\";\n secret = \"" KEY32 "\";\n"
			 " secret_file = \"k.key\"; } );\n",
			 "gw.conf:4: issuers[0].secret_file: set secret or secret_file, not both");
	assert_one_error("issuers = ( { name = \"a\"; alg = \"HS256\"; secret_file = \"k.key\";\n"
			 "  public_key_file = \"ec.pem\"; } );\n",
			 "gw.conf:3: issuers[0].public_key_file: does not go with alg HS256, which "
			 "takes secret_file (or secret)");
	assert_one_error("issuers = ( { name = \"a\"; alg = \"RS256\";\n secret_file = \"k.key\"; "
			 "} "
			 ");\n",
			 "gw.conf:3: issuers[0].secret_file: does not go with alg RS256, which "
			 "takes "
			 "public_key_file");
	assert_one_error("issuers = ( { name = \"a\"; alg = \"ES256\"; public_key_file = "
			 "\"ec.pem\";\n"
			 " secret = \"" KEY32 "\"; } );\n",
			 "gw.conf:3: issuers[0].secret: does not go with alg ES256");
	assert_one_error("issuers = ( { name = \"a\"; alg = \"HS256\"; secret_file = \"\"; } );\n",
			 "gw.conf:2: issuers[0].secret_file: must not be empty");
}
END_TEST

START_TEST(test_config_issuers_bad_alg)
{
	static const char *const bad[] = {"none", "None", "hs256", "RS512", "PS256", "EdDSA", ""};
	char text[256];

	put_str("k.key", KEY32);
	for (size_t i = 0; i < GW_ARRAY_SIZE(bad); i++) {
		snprintf(text, sizeof(text),
			 "issuers = ( { name = \"a\";\n alg = \"%s\"; secret_file = \"k.key\"; } "
			 ");\n",
			 bad[i]);
		assert_one_error(text, "gw.conf:3: issuers[0].alg: must be one of HS256, HS384, "
				       "HS512, RS256, ES256");
	}
	assert_one_error("issuers = ( { name = \"a\"; alg = 256; secret_file = \"k.key\"; } );\n",
			 "gw.conf:2: issuers[0].alg: expected a string");
}
END_TEST

START_TEST(test_config_issuers_required_and_shapes)
{
	char *msg;

	put_str("k.key", KEY32);
	msg = load_fail(BBB "issuers = (\n"
			    "  { alg = \"HS256\"; secret_file = \"k.key\"; },\n"
			    "  { name = \"b\"; secret_file = \"k.key\"; },\n"
			    "  \"c\",\n"
			    "  { name = \"d e\"; alg = \"HS256\"; secret_file = \"k.key\"; colour "
			    "= 1; "
			    "}\n"
			    ");\n");
	assert_has(msg, "gw.conf:3: issuers[0].name: missing (required)");
	assert_has(msg, "gw.conf:4: issuers[1].alg: missing (required)");
	assert_has(msg, "gw.conf:5: issuers[2]: expected a group { name = ...; alg = ...; "
			"secret_file = ...; }");
	assert_has(msg, "gw.conf:6: issuers[3].name: must be 1 to 128 visible ASCII characters, "
			"no spaces");
	assert_has(msg, "gw.conf:6: issuers[3].colour: unknown key");
	ck_assert_uint_eq(count_lines(msg), 5);
	free(msg);
	assert_one_error("issuers = { name = \"a\"; };\n", "gw.conf:2: issuers: expected a list");
	assert_one_error("issuers = ( { name = \"a\"; alg = \"HS256\"; secret_file = \"k.key\";\n"
			 "  tenant = \"a b\"; } );\n",
			 "gw.conf:3: issuers[0].tenant: must be 1 to 64 characters");
	assert_one_error("issuers = ( { name = \"a\"; alg = \"HS256\"; secret_file = \"k.key\";\n"
			 "  kid = \"\"; } );\n",
			 "gw.conf:3: issuers[0].kid: must be 1 to 128 visible ASCII");
	assert_one_error("issuers = ( { name = \"a\"; alg = \"HS256\"; secret_file = \"k.key\";\n"
			 "  max_ttl_s = 604801; } );\n",
			 "gw.conf:3: issuers[0].max_ttl_s: 604801 is out of range (1..604800)");
	assert_one_error("issuers = ( { name = \"a\"; alg = \"HS256\"; secret_file = \"k.key\";\n"
			 "  max_ttl_s = 0; } );\n",
			 "gw.conf:3: issuers[0].max_ttl_s: 0 is out of range");
	assert_one_error("issuers = ( { name = \"a\"; alg = \"HS256\"; secret_file = \"k.key\";\n"
			 "  any_meeting = 1; } );\n",
			 "gw.conf:3: issuers[0].any_meeting: expected true or false");
}
END_TEST

START_TEST(test_config_issuers_name_length)
{
	char name[130];
	char text[512];
	struct gw_config *cfg;

	put_str("k.key", KEY32);
	memset(name, 'n', 128);
	name[128] = '\0';
	snprintf(text, sizeof(text),
		 BBB "issuers = ( { name = \"%s\"; alg = \"HS256\"; secret_file = \"k.key\"; } "
		     ");\n",
		 name);
	cfg = load_ok(text);
	ck_assert_uint_eq(strlen(cfg->issuers[0].name), 128);
	gw_config_unref(cfg);
	name[128] = 'n';
	name[129] = '\0';
	snprintf(text, sizeof(text),
		 "issuers = ( { name = \"%s\"; alg = \"HS256\"; secret_file = \"k.key\"; } );\n",
		 name);
	assert_one_error(text, "gw.conf:2: issuers[0].name: must be 1 to 128");
}
END_TEST

START_TEST(test_config_issuers_at_most_64)
{
	struct gw_buf text;
	char *msg;

	gw_buf_init(&text, 64 * 1024);
	ck_assert_int_eq(gw_buf_append_str(&text, BBB "issuers = (\n"), GW_OK);
	for (int i = 0; i < 65; i++)
		ck_assert_int_eq(gw_buf_appendf(&text,
						"%s{ name = \"x\"; alg = \"HS256\"; secret = "
						"\"" KEY32 "\"; kid = \"%d\"; }\n",
						i > 0 ? "," : "", i),
				 GW_OK);
	ck_assert_int_eq(gw_buf_append_str(&text, ");\n"), GW_OK);
	msg = load_fail(gw_buf_str(&text));
	assert_has(msg, "gw.conf:2: issuers: more than 64 issuers");
	ck_assert_uint_eq(count_lines(msg), 1);
	free(msg);
	gw_buf_deinit(&text);
}
END_TEST

START_TEST(test_config_issuers_names_and_kids)
{
	struct gw_config *cfg;
	char *msg;

	put_str("a.key", KEY32);
	put_str("b.key", KEY64);
	put_str("ec.pem", p256);
	/* same name: distinct kids, even across algorithms */
	cfg = load_ok(BBB "issuers = (\n"
			  "  { name = \"lms\"; alg = \"HS256\"; secret_file = \"a.key\"; kid = "
			  "\"1\"; "
			  "},\n"
			  "  { name = \"lms\"; alg = \"HS256\"; secret_file = \"b.key\"; kid = "
			  "\"2\"; "
			  "},\n"
			  "  { name = \"lms\"; alg = \"ES256\"; public_key_file = \"ec.pem\"; kid "
			  "= "
			  "\"3\"; },\n"
			  "  { name = \"other\"; alg = \"HS256\"; secret_file = \"a.key\"; kid = "
			  "\"1\"; }\n"
			  ");\n");
	ck_assert_uint_eq(cfg->n_issuers, 4);
	ck_assert_str_eq(cfg->issuers[2].kid, "3");
	gw_config_unref(cfg);
	msg = load_fail(BBB "issuers = (\n"
			    "  { name = \"lms\"; alg = \"HS256\"; secret_file = \"a.key\"; },\n"
			    "  { name = \"lms\"; alg = \"HS256\"; secret_file = \"b.key\"; },\n"
			    "  { name = \"p\"; alg = \"HS256\"; secret_file = \"a.key\"; kid = "
			    "\"k\"; "
			    "},\n"
			    "  { name = \"p\"; alg = \"ES256\"; public_key_file = \"ec.pem\";\n"
			    "    kid = \"k\"; },\n"
			    "  { name = \"q\"; alg = \"HS256\"; secret_file = \"a.key\"; kid = "
			    "\"k\"; "
			    "},\n"
			    "  { name = \"q\"; alg = \"HS256\"; secret_file = \"b.key\"; }\n"
			    ");\n");
	assert_has(msg, "gw.conf:4: issuers[1].kid: issuers[0] has the same name: entries that "
			"share a name each need a kid, all different");
	assert_has(msg, "gw.conf:7: issuers[3].kid: same name and kid as issuers[2]");
	assert_has(msg, "gw.conf:9: issuers[5].kid: issuers[4] has the same name");
	ck_assert_uint_eq(count_lines(msg), 3);
	free(msg);
}
END_TEST

START_TEST(test_config_issuers_scopes)
{
	struct gw_config *cfg;

	put_str("k.key", KEY32);
	cfg = load_ok(BBB "issuers = (\n"
			  "  { name = \"a\"; alg = \"HS256\"; secret_file = \"k.key\"; scopes = [ "
			  "\"*\" ]; },\n"
			  "  { name = \"b\"; alg = \"HS256\"; secret_file = \"k.key\";\n"
			  "    scopes = [ \"*\", \"tokens:mint\" ]; },\n"
			  "  { name = \"c\"; alg = \"HS256\"; secret_file = \"k.key\";\n"
			  "    scopes = [ \"tokens:mint\", \"meetings:passwords\" ]; }\n"
			  ");\n"
			  "tokens = ( { name = \"t\"; scopes = [ \"*\" ];\n"
			  "  hash = \"sha256:" KEY64 "\"; } );\n");
	ck_assert_uint_eq(cfg->issuers[0].scopes, ALL_BUT_MINT);
	ck_assert_uint_eq(cfg->issuers[1].scopes, GW_SCOPE_ALL);
	ck_assert_uint_eq(cfg->issuers[2].scopes,
			  GW_SCOPE_TOKENS_MINT | GW_SCOPE_MEETINGS_PASSWORDS);
	/* a static token's "*" is still everything */
	ck_assert_uint_eq(cfg->tokens[0].scopes, GW_SCOPE_ALL);
	gw_config_unref(cfg);
	assert_one_error("issuers = ( { name = \"a\"; alg = \"HS256\"; secret_file = \"k.key\";\n"
			 "  scopes = [ \"meetings:fly\" ]; } );\n",
			 "gw.conf:3: issuers[0].scopes[0]: unknown scope (known: *, meetings:read");
	assert_one_error("issuers = ( { name = \"a\"; alg = \"HS256\"; secret_file = \"k.key\";\n"
			 "  scopes = [ ]; } );\n",
			 "gw.conf:3: issuers[0].scopes: expected a non-empty array");
}
END_TEST

START_TEST(test_config_tokens_mint)
{
	struct gw_config *cfg;

	put_str("mint.key", KEY64 "\n");
	put_str("k.key", KEY32);
	cfg = load_ok(BBB "tokens_mint = { signing_key_file = \"mint.key\"; };\n");
	ck_assert_str_eq(cfg->mint.name, "bbb-gateway");
	ck_assert_int_eq(cfg->mint.alg, GW_JWT_HS256);
	assert_key(&cfg->mint, KEY64);
	ck_assert_uint_eq(cfg->mint.scopes, ALL_BUT_MINT);
	ck_assert_uint_eq(cfg->mint.max_ttl_s, 3600);
	ck_assert(cfg->mint.any_meeting);
	ck_assert_ptr_null(cfg->mint.kid);
	gw_config_unref(cfg);
	cfg = load_ok(BBB "tokens_mint = { signing_key_file = \"mint.key\"; issuer = \"gw-1\";\n"
			  "  max_ttl_s = 600; };\n"
			  "issuers = ( { name = \"bbb-gateway\"; alg = \"HS256\"; secret_file = "
			  "\"k.key\"; } );\n");
	ck_assert_str_eq(cfg->mint.name, "gw-1");
	ck_assert_uint_eq(cfg->mint.max_ttl_s, 600);
	gw_config_unref(cfg);
	/* without a key minting is off, whatever else the group says */
	cfg = load_ok(BBB "tokens_mint = { issuer = \"gw-1\"; max_ttl_s = 600; };\n"
			  "issuers = ( { name = \"gw-1\"; alg = \"HS256\"; secret_file = "
			  "\"k.key\"; } );\n");
	ck_assert_ptr_null(cfg->mint.name);
	ck_assert_ptr_null(cfg->mint.key);
	gw_config_unref(cfg);
}
END_TEST

START_TEST(test_config_tokens_mint_refused)
{
	put_str("short.key", "0123456789abcdef0123456789abcde\n");
	put_str("mint.key", KEY32);
	assert_one_error("tokens_mint = {\n  signing_key_file = \"short.key\"; };\n",
			 "gw.conf:3: tokens_mint.signing_key_file: short.key: must be at least 32 "
			 "bytes");
	assert_one_error("tokens_mint = { signing_key_file = \"mint.key\"; };\n"
			 "issuers = ( { name = \"a\"; alg = \"HS256\"; secret_file = \"mint.key\"; "
			 "},\n"
			 "  {\n name = \"bbb-gateway\"; alg = \"HS256\"; secret_file = "
			 "\"mint.key\"; "
			 "} );\n",
			 "gw.conf:5: issuers[1].name: is tokens_mint.issuer");
	assert_one_error("tokens_mint = { signing_key_file = \"mint.key\"; issuer = \"lms\"; };\n"
			 "issuers = ( { name = \"lms\"; alg = \"HS256\"; secret_file = "
			 "\"mint.key\"; "
			 "} );\n",
			 "gw.conf:3: issuers[0].name: is tokens_mint.issuer");
	assert_one_error("tokens_mint = { signing_key_file = \"nope.key\"; };\n", "gw.conf:2: "
										  "tokens_mint."
										  "signing_key_"
										  "file: cannot "
										  "open ");
	assert_one_error("tokens_mint = { signing_key_file = \"mint.key\"; max_ttl_s = 0; };\n",
			 "gw.conf:2: tokens_mint.max_ttl_s: 0 is out of range (1..604800)");
	assert_one_error("tokens_mint = { signing_key_file = \"mint.key\"; issuer = \"a b\"; };\n",
			 "gw.conf:2: tokens_mint.issuer: must be 1 to 128 visible ASCII");
	assert_one_error("tokens_mint = { secret = \"x\"; };\n", "gw.conf:2: tokens_mint.secret: "
								 "unknown key");
}
END_TEST

START_TEST(test_config_auth)
{
	struct gw_config *cfg = load_ok(BBB);

	ck_assert_str_eq(cfg->auth_audience, "bbb-gateway");
	ck_assert_uint_eq(cfg->auth_leeway_s, 30);
	ck_assert_uint_eq(cfg->auth_token_cache, 10000);
	ck_assert_uint_eq(cfg->auth_max_revoked, 100000);
	ck_assert_uint_eq(cfg->n_issuers, 0);
	ck_assert_ptr_null(cfg->issuers);
	ck_assert_ptr_null(cfg->mint.name);
	gw_config_unref(cfg);
	cfg = load_ok(BBB "auth = { audience = \"https://gw.example.org\"; leeway_s = 0;\n"
			  "  token_cache = 0; max_revoked = 10000000; };\n");
	ck_assert_str_eq(cfg->auth_audience, "https://gw.example.org");
	ck_assert_uint_eq(cfg->auth_leeway_s, 0);
	ck_assert_uint_eq(cfg->auth_token_cache, 0);
	ck_assert_uint_eq(cfg->auth_max_revoked, 10000000);
	gw_config_unref(cfg);
	cfg = load_ok(BBB "auth = { leeway_s = 300; token_cache = 1000000; max_revoked = 1; };\n");
	ck_assert_uint_eq(cfg->auth_leeway_s, 300);
	ck_assert_uint_eq(cfg->auth_token_cache, 1000000);
	ck_assert_uint_eq(cfg->auth_max_revoked, 1);
	gw_config_unref(cfg);
	assert_one_error("auth = {\n leeway_s = 301; };\n", "gw.conf:3: auth.leeway_s: 301 is out "
							    "of range (0..300)");
	assert_one_error("auth = { token_cache = 1000001; };\n", "gw.conf:2: auth.token_cache: "
								 "1000001 is out of range "
								 "(0..1000000)");
	assert_one_error("auth = { max_revoked = 0; };\n", "gw.conf:2: auth.max_revoked: 0 is out "
							   "of range (1..10000000)");
	assert_one_error("auth = { audience = \"\"; };\n", "gw.conf:2: auth.audience: must be 1 to "
							   "128 visible ASCII");
	assert_one_error("auth = { leeway = 3; };\n", "gw.conf:2: auth.leeway: unknown key");
}
END_TEST

START_TEST(test_config_generation)
{
	struct gw_config *a = load_ok(BBB);
	struct gw_config *b = load_ok(BBB);
	struct gw_config *c = gw_config_new_defaults();
	struct gw_config *d = gw_test_config(BBB);

	ck_assert_ptr_nonnull(c);
	ck_assert_uint_ne(a->generation, 0);
	ck_assert_uint_ne(a->generation, b->generation);
	ck_assert_uint_ne(b->generation, c->generation);
	ck_assert_uint_ne(a->generation, c->generation);
	ck_assert_uint_ne(c->generation, d->generation);
	ck_assert_uint_gt(d->generation, c->generation);
	gw_config_unref(a);
	gw_config_unref(b);
	gw_config_unref(c);
	gw_config_unref(d);
}
END_TEST

/* Issuers, tokens_mint and auth apply on reload: none of them is read at start only. */
START_TEST(test_config_issuers_not_restart_keys)
{
	const char *keys[GW_CONFIG_RESTART_KEYS_MAX];
	struct gw_config *a;
	struct gw_config *b;

	put_str("k.key", KEY32);
	put_str("m.key", KEY64);
	a = load_ok(BBB);
	b = load_ok(BBB "issuers = ( { name = \"a\"; alg = \"HS256\"; secret_file = \"k.key\"; } "
			");\n"
			"tokens_mint = { signing_key_file = \"m.key\"; issuer = \"gw\"; };\n"
			"auth = { audience = \"other\"; leeway_s = 5; };\n");
	ck_assert_uint_eq(gw_config_restart_changes(a, b, keys, GW_CONFIG_RESTART_KEYS_MAX), 0);
	gw_config_unref(a);
	gw_config_unref(b);
}
END_TEST

/* A config with every new group, loaded from a string: relative key files from its directory. */
START_TEST(test_config_issuers_load_string)
{
	char path[512];
	struct gw_config *cfg = NULL;

	put_str("k.key", KEY32);
	snprintf(path, sizeof(path), "%s/mem.conf", dir);
	ck_assert_int_eq(gw_config_load_string(BBB "issuers = ( { name = \"a\"; alg = \"HS256\"; "
						   "secret_file = \"k.key\"; } );\n",
					       path, &cfg, NULL),
			 GW_OK);
	assert_key(&cfg->issuers[0], KEY32);
	gw_config_unref(cfg);
}
END_TEST

static Suite *config_issuers_suite(void)
{
	Suite *s = suite_create("config_issuers");
	TCase *tc = tcase_create("issuers");

	/* Keys are made once, in the process the tests fork from. */
	tcase_add_unchecked_fixture(tc, keys_init, keys_deinit);
	tcase_add_checked_fixture(tc, dir_init, dir_deinit);
	tcase_add_test(tc, test_config_issuers_hs_secret_file);
	tcase_add_test(tc, test_config_issuers_all_members);
	tcase_add_test(tc, test_config_issuers_inline_secret);
	tcase_add_test(tc, test_config_issuers_hs_too_short);
	tcase_add_test(tc, test_config_issuers_key_file_too_large);
	tcase_add_test(tc, test_config_issuers_public_keys);
	tcase_add_test(tc, test_config_issuers_public_keys_refused);
	tcase_add_test(tc, test_config_issuers_pem_as_hs_secret);
	tcase_add_test(tc, test_config_issuers_key_sources);
	tcase_add_test(tc, test_config_issuers_bad_alg);
	tcase_add_test(tc, test_config_issuers_required_and_shapes);
	tcase_add_test(tc, test_config_issuers_name_length);
	tcase_add_test(tc, test_config_issuers_at_most_64);
	tcase_add_test(tc, test_config_issuers_names_and_kids);
	tcase_add_test(tc, test_config_issuers_scopes);
	tcase_add_test(tc, test_config_tokens_mint);
	tcase_add_test(tc, test_config_tokens_mint_refused);
	tcase_add_test(tc, test_config_auth);
	tcase_add_test(tc, test_config_generation);
	tcase_add_test(tc, test_config_issuers_not_restart_keys);
	tcase_add_test(tc, test_config_issuers_load_string);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(config_issuers_suite)
