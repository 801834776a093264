/*
 * check_auth.c - scope names, "sha256:<hex>" parsing, token hashing,
 * Bearer header lookup over a table of digests (expired entries never
 * match), scope checks and minting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "gw_limits.h"
#include "testutil.h"

/*
 * Digests of the test tokens, derived outside the gateway with
 *   printf '%s' bgw_alpha | sha256sum   (likewise for the others; coreutils 9.1)
 */
#define ALPHA_HASH "6099beac957975f5721d04f92127eb523d182f34ca25387b44f4624e59805195"
#define BETA_HASH "77fe8557f4909a4012d42d4192aa96b6300e800abc77d1c6d2358f1f2ba3127a"
#define GAMMA_HASH "1956c551f340d3955e73cbb0034b1aa6946d42853519e8f97b2d3052bf2867d7"

#define B64URL "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

static const struct {
	const char *name;
	unsigned bit;
} all_scopes[] = {
	{"meetings:read", GW_SCOPE_MEETINGS_READ},
	{"meetings:create", GW_SCOPE_MEETINGS_CREATE},
	{"meetings:join", GW_SCOPE_MEETINGS_JOIN},
	{"meetings:end", GW_SCOPE_MEETINGS_END},
	{"meetings:write", GW_SCOPE_MEETINGS_WRITE},
	{"recordings:read", GW_SCOPE_RECORDINGS_READ},
	{"recordings:write", GW_SCOPE_RECORDINGS_WRITE},
	{"hooks", GW_SCOPE_HOOKS},
	{"metrics", GW_SCOPE_METRICS},
	{"meetings:passwords", GW_SCOPE_MEETINGS_PASSWORDS},
	{"tokens:mint", GW_SCOPE_TOKENS_MINT},
	{"events:read", GW_SCOPE_EVENTS_READ},
	{"servers:admin", GW_SCOPE_SERVERS_ADMIN},
};

/* Three configured tokens: alpha, beta, gamma (names only; nothing owned). */
static struct gw_token table[3];

static void table_setup(void)
{
	static const char *const hashes[] = {"sha256:" ALPHA_HASH, "sha256:" BETA_HASH,
					     "sha256:" GAMMA_HASH};
	static char *const names[] = {"alpha", "beta", "gamma"};
	size_t i;

	memset(table, 0, sizeof(table));
	for (i = 0; i < 3; i++) {
		table[i].name = names[i];
		table[i].scopes = GW_SCOPE_MEETINGS_READ;
		ck_assert_int_eq(gw_auth_hash_parse(hashes[i], table[i].hash), GW_OK);
	}
}

/* Name of the entry found for header, or NULL. */
static const char *lookup(const char *header)
{
	const struct gw_token *t = gw_auth_lookup(table, 3, header);

	return t != NULL ? t->name : NULL;
}

START_TEST(test_auth_scope_parse_name_round_trip)
{
	unsigned bits = 0;

	ck_assert_int_eq(gw_auth_scope_parse(all_scopes[_i].name, &bits), GW_OK);
	ck_assert_uint_eq(bits, all_scopes[_i].bit);
	ck_assert_str_eq(gw_auth_scope_name(bits), all_scopes[_i].name);
}
END_TEST

START_TEST(test_auth_scope_star_is_all)
{
	unsigned bits = 0;
	unsigned every = 0;
	size_t i;

	for (i = 0; i < sizeof(all_scopes) / sizeof(all_scopes[0]); i++)
		every |= all_scopes[i].bit;
	ck_assert_int_eq(gw_auth_scope_parse("*", &bits), GW_OK);
	ck_assert_uint_eq(bits, GW_SCOPE_ALL);
	ck_assert_uint_eq(bits, every);
}
END_TEST

START_TEST(test_auth_scope_parse_rejects_unknown)
{
	static const char *const bad[] = {"meetings",
					  "Meetings:read",
					  "meetings:read ",
					  " meetings:read",
					  "meetings:READ",
					  "meetings:delete",
					  "",
					  "**",
					  "admin",
					  "join",
					  "hooks:read"};
	unsigned bits = 12345;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(gw_auth_scope_parse(bad[i], &bits) == GW_E_PARSE, "accepted '%s'",
			      bad[i]);
	ck_assert_int_eq(gw_auth_scope_parse(NULL, &bits), GW_E_PARSE);
	ck_assert_uint_eq(bits, 12345);
}
END_TEST

START_TEST(test_auth_scope_name_only_single_bits)
{
	ck_assert_ptr_null(gw_auth_scope_name(0));
	ck_assert_ptr_null(gw_auth_scope_name(GW_SCOPE_ALL));
	ck_assert_ptr_null(gw_auth_scope_name(GW_SCOPE_MEETINGS_READ | GW_SCOPE_HOOKS));
	ck_assert_ptr_null(gw_auth_scope_name(1u << 13));
	ck_assert_ptr_null(gw_auth_scope_name(1u << 31));
}
END_TEST

START_TEST(test_auth_hash_parse_good)
{
	unsigned char lower[GW_AUTH_HASH_LEN];
	unsigned char upper[GW_AUTH_HASH_LEN];
	char text[80];
	size_t i;

	ck_assert_int_eq(gw_auth_hash_parse("sha256:" ALPHA_HASH, lower), GW_OK);
	ck_assert_uint_eq(lower[0], 0x60);
	ck_assert_uint_eq(lower[31], 0x95);
	snprintf(text, sizeof(text), "sha256:%s", ALPHA_HASH);
	for (i = 7; text[i] != '\0'; i++) {
		if (text[i] >= 'a' && text[i] <= 'f')
			text[i] = (char)(text[i] - 'a' + 'A');
	}
	ck_assert_int_eq(gw_auth_hash_parse(text, upper), GW_OK);
	ck_assert_mem_eq(lower, upper, GW_AUTH_HASH_LEN);
}
END_TEST

START_TEST(test_auth_hash_parse_rejects_bad_forms)
{
	static const char *const bad[] = {
		ALPHA_HASH,               /* no prefix */
		"sha1:" ALPHA_HASH,       /* wrong prefix */
		"sha512:" ALPHA_HASH,     /* wrong prefix */
		"sha256" ALPHA_HASH,      /* no colon */
		"sha256: " ALPHA_HASH,    /* space */
		" sha256:" ALPHA_HASH,    /* leading space */
		"sha256:" ALPHA_HASH " ", /* trailing space */
		"sha256:" ALPHA_HASH "0", /* 65 digits */
		/* 63 digits */
		"sha256:6099beac957975f5721d04f92127eb523d182f34ca25387b44f4624e5980519",
		/* non-hex */
		"sha256:6099beac957975f5721d04f92127eb523d182f34ca25387b44f4624e5980519g",
		"sha256:",
		"",
	};
	unsigned char out[GW_AUTH_HASH_LEN];
	unsigned char untouched[GW_AUTH_HASH_LEN];
	size_t i;

	memset(out, 0xa5, sizeof(out));
	memset(untouched, 0xa5, sizeof(untouched));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(gw_auth_hash_parse(bad[i], out) == GW_E_PARSE, "accepted '%s'",
			      bad[i]);
	ck_assert_int_eq(gw_auth_hash_parse(NULL, out), GW_E_PARSE);
	ck_assert_mem_eq(out, untouched, sizeof(out));
}
END_TEST

START_TEST(test_auth_hash_token_is_sha256_of_whole_string)
{
	unsigned char got[GW_AUTH_HASH_LEN];
	unsigned char want[GW_AUTH_HASH_LEN];

	ck_assert_int_eq(gw_auth_hash_parse("sha256:" BETA_HASH, want), GW_OK);
	ck_assert_int_eq(gw_auth_hash_token("bgw_beta", 8, got), GW_OK);
	ck_assert_mem_eq(got, want, sizeof(want));
	/* Only len bytes count. */
	ck_assert_int_eq(gw_auth_hash_token("bgw_beta-and-more", 8, got), GW_OK);
	ck_assert_mem_eq(got, want, sizeof(want));
}
END_TEST

START_TEST(test_auth_lookup_finds_right_token)
{
	table_setup();
	ck_assert_str_eq(lookup("Bearer bgw_alpha"), "alpha");
	ck_assert_str_eq(lookup("Bearer bgw_beta"), "beta");
	ck_assert_str_eq(lookup("Bearer bgw_gamma"), "gamma");
	ck_assert_ptr_eq(gw_auth_lookup(table, 3, "Bearer bgw_gamma"), &table[2]);
}
END_TEST

START_TEST(test_auth_lookup_wrong_token_is_null)
{
	table_setup();
	ck_assert_ptr_null(lookup("Bearer bgw_delta"));
	ck_assert_ptr_null(lookup("Bearer bgw_alph"));
	ck_assert_ptr_null(lookup("Bearer bgw_alphaa"));
	ck_assert_ptr_null(lookup("Bearer BGW_ALPHA"));
	ck_assert_ptr_null(lookup("Bearer " ALPHA_HASH));
	ck_assert_ptr_null(lookup("Bearer sha256:" ALPHA_HASH));
}
END_TEST

START_TEST(test_auth_lookup_missing_header_is_null)
{
	table_setup();
	ck_assert_ptr_null(lookup(NULL));
	ck_assert_ptr_null(lookup(""));
	ck_assert_ptr_null(gw_auth_lookup(table, 0, "Bearer bgw_alpha"));
	ck_assert_ptr_null(gw_auth_lookup(NULL, 0, "Bearer bgw_alpha"));
}
END_TEST

START_TEST(test_auth_lookup_rejects_other_schemes)
{
	table_setup();
	ck_assert_ptr_null(lookup("Basic Ymd3X2FscGhhOg=="));
	ck_assert_ptr_null(lookup("Basic bgw_alpha"));
	ck_assert_ptr_null(lookup("Token bgw_alpha"));
	ck_assert_ptr_null(lookup("Bearerbgw_alpha"));
	ck_assert_ptr_null(lookup("Bear bgw_alpha"));
	ck_assert_ptr_null(lookup("bgw_alpha"));
	ck_assert_ptr_null(lookup("Bearer\tbgw_alpha"));
}
END_TEST

START_TEST(test_auth_lookup_bearer_without_token)
{
	table_setup();
	ck_assert_ptr_null(lookup("Bearer"));
	ck_assert_ptr_null(lookup("Bearer "));
	ck_assert_ptr_null(lookup("Bearer     "));
}
END_TEST

START_TEST(test_auth_lookup_scheme_case_insensitive)
{
	table_setup();
	ck_assert_str_eq(lookup("bearer bgw_alpha"), "alpha");
	ck_assert_str_eq(lookup("BEARER bgw_beta"), "beta");
	ck_assert_str_eq(lookup("bEaReR bgw_gamma"), "gamma");
}
END_TEST

START_TEST(test_auth_lookup_spaces_around_token)
{
	table_setup();
	ck_assert_str_eq(lookup("Bearer    bgw_alpha"), "alpha");
	ck_assert_str_eq(lookup("Bearer bgw_alpha "), "alpha");
	ck_assert_str_eq(lookup("Bearer  bgw_alpha   "), "alpha");
}
END_TEST

START_TEST(test_auth_lookup_rejects_junk_after_token)
{
	table_setup();
	ck_assert_ptr_null(lookup("Bearer bgw_alpha x"));
	ck_assert_ptr_null(lookup("Bearer bgw_alpha bgw_beta"));
	ck_assert_ptr_null(lookup("Bearer bgw_alpha\t"));
	ck_assert_ptr_null(lookup("Bearer bgw_alpha\r\n"));
	ck_assert_ptr_null(lookup("Bearer bgw_alpha, Bearer bgw_beta"));
}
END_TEST

START_TEST(test_auth_lookup_rejects_non_visible_chars)
{
	table_setup();
	ck_assert_ptr_null(lookup("Bearer bgw_al\x01pha"));
	ck_assert_ptr_null(lookup("Bearer bgw_alpha\x7f"));
	ck_assert_ptr_null(lookup("Bearer bgw_alpha\xc3\xa9"));
	ck_assert_ptr_null(lookup("Bearer \xc3\xa9"));
}
END_TEST

START_TEST(test_auth_lookup_token_length_limit)
{
	struct gw_token t[2];
	char header[7 + GW_MAX_TOKEN_LEN + 2];
	char *tok = header + 7;

	memset(t, 0, sizeof(t));
	memcpy(header, "Bearer ", 7);
	memset(tok, 'x', GW_MAX_TOKEN_LEN + 1);
	tok[GW_MAX_TOKEN_LEN + 1] = '\0';
	ck_assert_int_eq(gw_auth_hash_token(tok, GW_MAX_TOKEN_LEN, t[0].hash), GW_OK);
	ck_assert_int_eq(gw_auth_hash_token(tok, GW_MAX_TOKEN_LEN + 1, t[1].hash), GW_OK);
	/* One over the limit is refused even though a digest for it is configured. */
	ck_assert_ptr_null(gw_auth_lookup(t, 2, header));
	tok[GW_MAX_TOKEN_LEN] = '\0';
	ck_assert_ptr_eq(gw_auth_lookup(t, 2, header), &t[0]);
	tok[1] = '\0';
	ck_assert_int_eq(gw_auth_hash_token(tok, 1, t[1].hash), GW_OK);
	ck_assert_ptr_eq(gw_auth_lookup(t, 2, header), &t[1]);
}
END_TEST

START_TEST(test_auth_lookup_duplicate_digest_returns_first)
{
	struct gw_token t[3];

	memset(t, 0, sizeof(t));
	ck_assert_int_eq(gw_auth_hash_parse("sha256:" BETA_HASH, t[0].hash), GW_OK);
	ck_assert_int_eq(gw_auth_hash_parse("sha256:" ALPHA_HASH, t[1].hash), GW_OK);
	ck_assert_int_eq(gw_auth_hash_parse("sha256:" ALPHA_HASH, t[2].hash), GW_OK);
	ck_assert_ptr_eq(gw_auth_lookup(t, 3, "Bearer bgw_alpha"), &t[1]);
	ck_assert_ptr_eq(gw_auth_lookup(t, 3, "Bearer bgw_beta"), &t[0]);
}
END_TEST

START_TEST(test_auth_lookup_expired_token_is_unknown)
{
	struct gw_token t[3];
	long long now = (long long)time(NULL);

	memset(t, 0, sizeof(t));
	ck_assert_int_eq(gw_auth_hash_parse("sha256:" ALPHA_HASH, t[0].hash), GW_OK);
	ck_assert_int_eq(gw_auth_hash_parse("sha256:" BETA_HASH, t[1].hash), GW_OK);
	ck_assert_int_eq(gw_auth_hash_parse("sha256:" GAMMA_HASH, t[2].hash), GW_OK);
	t[0].expires_at = 1;       /* 1970-01-01T00:00:01Z */
	t[1].expires_at = now;     /* expires this very second: already refused */
	t[2].expires_at = now - 1; /* the last entry, so no match follows it */
	ck_assert_ptr_null(gw_auth_lookup(t, 3, "Bearer bgw_alpha"));
	ck_assert_ptr_null(gw_auth_lookup(t, 3, "Bearer bgw_beta"));
	ck_assert_ptr_null(gw_auth_lookup(t, 3, "Bearer bgw_gamma"));
}
END_TEST

START_TEST(test_auth_lookup_future_token_matches)
{
	struct gw_token t[3];
	long long now = (long long)time(NULL);

	memset(t, 0, sizeof(t));
	ck_assert_int_eq(gw_auth_hash_parse("sha256:" ALPHA_HASH, t[0].hash), GW_OK);
	ck_assert_int_eq(gw_auth_hash_parse("sha256:" BETA_HASH, t[1].hash), GW_OK);
	ck_assert_int_eq(gw_auth_hash_parse("sha256:" GAMMA_HASH, t[2].hash), GW_OK);
	t[0].expires_at = now + 3600;
	t[1].expires_at = 253402300799ll; /* 9999-12-31T23:59:59Z */
	t[2].expires_at = 1;              /* expired, next to live ones */
	ck_assert_ptr_eq(gw_auth_lookup(t, 3, "Bearer bgw_alpha"), &t[0]);
	ck_assert_ptr_eq(gw_auth_lookup(t, 3, "Bearer bgw_beta"), &t[1]);
	ck_assert_ptr_null(gw_auth_lookup(t, 3, "Bearer bgw_gamma"));
	/* 0 never expires */
	t[2].expires_at = 0;
	ck_assert_ptr_eq(gw_auth_lookup(t, 3, "Bearer bgw_gamma"), &t[2]);
}
END_TEST

START_TEST(test_auth_lookup_expired_duplicate_skipped)
{
	struct gw_token t[2];

	/* The same digest twice, the first expired: the live one is found. */
	memset(t, 0, sizeof(t));
	ck_assert_int_eq(gw_auth_hash_parse("sha256:" ALPHA_HASH, t[0].hash), GW_OK);
	ck_assert_int_eq(gw_auth_hash_parse("sha256:" ALPHA_HASH, t[1].hash), GW_OK);
	t[0].expires_at = 1;
	ck_assert_ptr_eq(gw_auth_lookup(t, 2, "Bearer bgw_alpha"), &t[1]);
}
END_TEST

START_TEST(test_auth_has_scope)
{
	struct gw_token t;
	struct gw_token all;

	memset(&t, 0, sizeof(t));
	memset(&all, 0, sizeof(all));
	t.scopes = GW_SCOPE_MEETINGS_READ | GW_SCOPE_MEETINGS_JOIN;
	all.scopes = GW_SCOPE_ALL;
	ck_assert(gw_auth_has_scope(&t, GW_SCOPE_MEETINGS_READ));
	ck_assert(gw_auth_has_scope(&t, GW_SCOPE_MEETINGS_READ | GW_SCOPE_MEETINGS_JOIN));
	ck_assert(gw_auth_has_scope(&t, 0));
	ck_assert(!gw_auth_has_scope(&t, GW_SCOPE_MEETINGS_CREATE));
	ck_assert(!gw_auth_has_scope(&t, GW_SCOPE_MEETINGS_READ | GW_SCOPE_MEETINGS_CREATE));
	ck_assert(!gw_auth_has_scope(&t, GW_SCOPE_ALL));
	ck_assert(gw_auth_has_scope(&all, GW_SCOPE_METRICS));
	ck_assert(gw_auth_has_scope(&all, GW_SCOPE_ALL));
	ck_assert(!gw_auth_has_scope(NULL, GW_SCOPE_METRICS));
	ck_assert(!gw_auth_has_scope(NULL, 0));
}
END_TEST

START_TEST(test_auth_token_new_format)
{
	char token[GW_AUTH_TOKEN_LEN + 1];
	char hash[7 + 2 * GW_AUTH_HASH_LEN + 1];
	const char *body = token + 4;

	ck_assert_int_eq(gw_auth_token_new(token, hash), GW_OK);
	ck_assert_uint_eq(strlen(token), GW_AUTH_TOKEN_LEN);
	ck_assert_uint_eq(GW_AUTH_TOKEN_LEN, 47);
	ck_assert_int_eq(strncmp(token, "bgw_", 4), 0);
	ck_assert_uint_eq(strspn(body, B64URL), 43);
	/* 43 chars carry 258 bits for 256: the last char's two low bits are zero. */
	ck_assert_ptr_nonnull(strchr("AEIMQUYcgkosw048", body[42]));
	ck_assert_uint_eq(strlen(hash), 7 + 64);
	ck_assert_int_eq(strncmp(hash, "sha256:", 7), 0);
	ck_assert_uint_eq(strspn(hash + 7, "0123456789abcdef"), 64);
}
END_TEST

START_TEST(test_auth_token_new_hash_matches)
{
	char token[GW_AUTH_TOKEN_LEN + 1];
	char hash[7 + 2 * GW_AUTH_HASH_LEN + 1];
	char header[8 + GW_AUTH_TOKEN_LEN + 1];
	unsigned char parsed[GW_AUTH_HASH_LEN];
	unsigned char direct[GW_AUTH_HASH_LEN];
	struct gw_token t;

	ck_assert_int_eq(gw_auth_token_new(token, hash), GW_OK);
	ck_assert_int_eq(gw_auth_hash_parse(hash, parsed), GW_OK);
	ck_assert_int_eq(gw_auth_hash_token(token, strlen(token), direct), GW_OK);
	ck_assert_mem_eq(parsed, direct, sizeof(direct));
	memset(&t, 0, sizeof(t));
	memcpy(t.hash, parsed, sizeof(parsed));
	snprintf(header, sizeof(header), "Bearer %s", token);
	ck_assert_ptr_eq(gw_auth_lookup(&t, 1, header), &t);
}
END_TEST

START_TEST(test_auth_token_new_tokens_differ)
{
	char a[GW_AUTH_TOKEN_LEN + 1];
	char b[GW_AUTH_TOKEN_LEN + 1];
	char ha[7 + 2 * GW_AUTH_HASH_LEN + 1];
	char hb[7 + 2 * GW_AUTH_HASH_LEN + 1];

	ck_assert_int_eq(gw_auth_token_new(a, ha), GW_OK);
	ck_assert_int_eq(gw_auth_token_new(b, hb), GW_OK);
	ck_assert_str_ne(a, b);
	ck_assert_str_ne(ha, hb);
}
END_TEST

START_TEST(test_auth_token_deinit_frees_owned_strings)
{
	struct gw_token t;
	struct gw_token empty;

	memset(&t, 0, sizeof(t));
	t.name = strdup("lms");
	t.origins = calloc(2, sizeof(*t.origins));
	ck_assert_ptr_nonnull(t.origins);
	t.origins[0] = strdup("https://a.example.org");
	t.origins[1] = strdup("https://b.example.org");
	t.n_origins = 2;
	t.scopes = GW_SCOPE_ALL;
	/* Leaks would be reported by the sanitizer or valgrind runs. */
	gw_token_deinit(&t);
	ck_assert_ptr_null(t.name);
	ck_assert_ptr_null(t.origins);
	ck_assert_uint_eq(t.n_origins, 0);
	ck_assert_uint_eq(t.scopes, 0);
	gw_token_deinit(&t);
	memset(&empty, 0, sizeof(empty));
	gw_token_deinit(&empty);
}
END_TEST

static Suite *auth_suite(void)
{
	Suite *s = suite_create("auth");
	TCase *sc = tcase_create("scopes");
	TCase *hs = tcase_create("hashes");
	TCase *lk = tcase_create("lookup");
	TCase *tk = tcase_create("tokens");

	tcase_add_loop_test(sc, test_auth_scope_parse_name_round_trip, 0,
			    (int)(sizeof(all_scopes) / sizeof(all_scopes[0])));
	tcase_add_test(sc, test_auth_scope_star_is_all);
	tcase_add_test(sc, test_auth_scope_parse_rejects_unknown);
	tcase_add_test(sc, test_auth_scope_name_only_single_bits);
	tcase_add_test(sc, test_auth_has_scope);
	suite_add_tcase(s, sc);

	tcase_add_test(hs, test_auth_hash_parse_good);
	tcase_add_test(hs, test_auth_hash_parse_rejects_bad_forms);
	tcase_add_test(hs, test_auth_hash_token_is_sha256_of_whole_string);
	suite_add_tcase(s, hs);

	tcase_add_test(lk, test_auth_lookup_finds_right_token);
	tcase_add_test(lk, test_auth_lookup_wrong_token_is_null);
	tcase_add_test(lk, test_auth_lookup_missing_header_is_null);
	tcase_add_test(lk, test_auth_lookup_rejects_other_schemes);
	tcase_add_test(lk, test_auth_lookup_bearer_without_token);
	tcase_add_test(lk, test_auth_lookup_scheme_case_insensitive);
	tcase_add_test(lk, test_auth_lookup_spaces_around_token);
	tcase_add_test(lk, test_auth_lookup_rejects_junk_after_token);
	tcase_add_test(lk, test_auth_lookup_rejects_non_visible_chars);
	tcase_add_test(lk, test_auth_lookup_token_length_limit);
	tcase_add_test(lk, test_auth_lookup_duplicate_digest_returns_first);
	tcase_add_test(lk, test_auth_lookup_expired_token_is_unknown);
	tcase_add_test(lk, test_auth_lookup_future_token_matches);
	tcase_add_test(lk, test_auth_lookup_expired_duplicate_skipped);
	suite_add_tcase(s, lk);

	tcase_add_test(tk, test_auth_token_new_format);
	tcase_add_test(tk, test_auth_token_new_hash_matches);
	tcase_add_test(tk, test_auth_token_new_tokens_differ);
	tcase_add_test(tk, test_auth_token_deinit_frees_owned_strings);
	suite_add_tcase(s, tk);
	return s;
}

GW_TEST_MAIN(auth_suite)
