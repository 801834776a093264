/*
 * fuzz_bbb_verify.c - a BBB API request's checksum verified as bbb-web does
 * (gw_bbb_checksum_verify in bbb_sign.c), against a reference written here
 * with OpenSSL's EVP and a plain copy of Java's String.replace.
 *
 * Input: byte 0 is `allowed` (as it is, bits past the four digests
 * included); byte 1 says how the harness signs: bits 0-1 the digest, bit 2
 * upper-case hex, bits 3-7 where the checksum goes (0 first, k after the
 * k-th '&'-separated part, modulo the parts + 1); the rest is split at NUL
 * bytes into call, query and secret (missing ones are empty). A 0x01 byte in
 * the query stands for the checksum's text when the harness signs it.
 *
 * Checks: the query as given gets the reference's verdict (MISSING unless
 * exactly one `checksum` parameter and it is not empty; OK when its length
 * names an allowed digest and it equals, ignoring case, the hex of
 * H(call + rest + secret), rest being the query after bbb-web's three
 * replaces; MISMATCH otherwise); on OK the rest is appended after what the
 * buffer held, equals the reference's and is no longer than the query; on a
 * refusal the buffer is unchanged. The query signed here with the fuzzed
 * call, secret and digest and the checksum placed as byte 1 says verifies
 * exactly when its digest is allowed (and the query had no checksum of its
 * own), and gives back the query, less the checksum's text at its 0x01
 * bytes wherever bbb-web's replaces take it away; with a digit of its
 * checksum changed it does not. A rest one byte over the buffer's cap
 * fails with GW_E_TOO_LARGE and leaves the buffer unchanged.
 */
#include <openssl/evp.h>
#include <stdbool.h>
#include <string.h>

#include "bbb_sign.h"
#include "buf.h"
#include "fuzz.h"

#define KEEP "kept|"
#define KEEP_LEN (sizeof(KEEP) - 1)
#define HEX_MAX (2 * EVP_MAX_MD_SIZE + 1)
/* In the query, where the harness also writes the checksum it signs with. */
#define PLACE '\x01'

static const char *const md_names[] = {"SHA1", "SHA256", "SHA384", "SHA512"};
static const size_t hex_lens[] = {40, 64, 96, 128};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

void fuzz_cleanup(void)
{
}

/* hex(H(call + query + secret)) in lower case, H the digest numbered d as enum gw_digest. */
static void evp_hex(unsigned d, const char *call, const char *query, const char *secret,
		    char hex[HEX_MAX])
{
	const EVP_MD *md = EVP_get_digestbyname(md_names[d]);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char out[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	FUZZ_CHECK(md != NULL && ctx != NULL);
	FUZZ_CHECK(EVP_DigestInit_ex(ctx, md, NULL) == 1);
	FUZZ_CHECK(EVP_DigestUpdate(ctx, call, strlen(call)) == 1);
	FUZZ_CHECK(EVP_DigestUpdate(ctx, query, strlen(query)) == 1);
	FUZZ_CHECK(EVP_DigestUpdate(ctx, secret, strlen(secret)) == 1);
	FUZZ_CHECK(EVP_DigestFinal_ex(ctx, out, &n) == 1);
	EVP_MD_CTX_free(ctx);
	FUZZ_CHECK(2 * n == hex_lens[d]);
	for (unsigned int i = 0; i < n; i++) {
		hex[2 * i] = "0123456789abcdef"[out[i] >> 4];
		hex[2 * i + 1] = "0123456789abcdef"[out[i] & 15];
	}
	hex[2 * n] = '\0';
}

/* Java's s.replace(target, ""): a new string (caller frees). */
static char *java_remove(const char *s, const char *target)
{
	size_t tn = strlen(target);
	char *out = malloc(strlen(s) + 1);
	size_t n = 0;

	FUZZ_CHECK(out != NULL && tn > 0);
	while (*s != '\0') {
		if (strncmp(s, target, tn) == 0) {
			s += tn;
		} else {
			out[n++] = *s++;
		}
	}
	out[n] = '\0';
	return out;
}

/* The query bbb-web hashes: q less "&checksum=v", then "checksum=v&", then "checksum=v". */
static char *bbb_web_rest(const char *q, const char *v, size_t vn)
{
	static const char *const before[] = {"&checksum=", "checksum=", "checksum="};
	static const char *const after[] = {"", "&", ""};
	char *cur = strdup(q);

	FUZZ_CHECK(cur != NULL);
	for (size_t i = 0; i < 3; i++) {
		size_t bn = strlen(before[i]);
		size_t an = strlen(after[i]);
		char *target = malloc(bn + vn + an + 1);
		char *next;

		FUZZ_CHECK(target != NULL);
		memcpy(target, before[i], bn);
		memcpy(target + bn, v, vn);
		memcpy(target + bn + vn, after[i], an + 1);
		next = java_remove(cur, target);
		free(target);
		free(cur);
		cur = next;
	}
	return cur;
}

/* How many '&'-separated parts of q are a `checksum` parameter; the first's value in v, vn. */
static size_t checksum_params(const char *q, const char **v, size_t *vn)
{
	size_t count = 0;

	for (;;) {
		size_t len = strcspn(q, "&");

		if (len >= 9 && strncmp(q, "checksum=", 9) == 0) {
			if (count++ == 0) {
				*v = q + 9;
				*vn = len - 9;
			}
		}
		if (q[len] == '\0')
			return count;
		q += len + 1;
	}
}

struct verdict {
	enum gw_err err;
	const char *why; /* on GW_E_UNAUTHORIZED */
	char *rest;      /* on GW_OK; caller frees */
};

static bool hex_equal_ignoring_case(const char *given, const char *want, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = given[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != want[i])
			return false;
	}
	return true;
}

/* What bbb-web (with bbb_sign.h's refusals of repeated checksums) answers to q. */
static struct verdict reference(const char *call, const char *q, const char *secret,
				unsigned allowed)
{
	struct verdict r = {GW_E_UNAUTHORIZED, GW_BBB_CHECKSUM_MISSING, NULL};
	const char *v = NULL;
	size_t vn = 0;
	char want[HEX_MAX];
	char *rest;
	unsigned d;

	if (checksum_params(q, &v, &vn) != 1 || vn == 0)
		return r;
	r.why = GW_BBB_CHECKSUM_MISMATCH;
	for (d = 0; d < 4; d++) {
		if (hex_lens[d] == vn)
			break;
	}
	if (d == 4 || (allowed & (1u << d)) == 0)
		return r;
	rest = bbb_web_rest(q, v, vn);
	evp_hex(d, call, rest, secret, want);
	if (!hex_equal_ignoring_case(v, want, vn)) {
		free(rest);
		return r;
	}
	r.err = GW_OK;
	r.why = NULL;
	r.rest = rest;
	return r;
}

/* gw_bbb_checksum_verify of q into a buffer holding KEEP, checked against the reference. */
static struct verdict check_verify(const char *call, const char *q, const char *secret,
				   unsigned allowed)
{
	struct verdict want = reference(call, q, secret, allowed);
	const char *why = NULL;
	struct gw_buf rest;
	enum gw_err err;

	gw_buf_init(&rest, KEEP_LEN + strlen(q));
	FUZZ_CHECK(gw_buf_append_str(&rest, KEEP) == GW_OK);
	err = gw_bbb_checksum_verify(call, q, secret, allowed, &rest, &why);
	FUZZ_CHECK(err == want.err);
	if (err == GW_OK) {
		size_t n = rest.len - KEEP_LEN;

		FUZZ_CHECK(rest.len >= KEEP_LEN && memcmp(rest.data, KEEP, KEEP_LEN) == 0);
		FUZZ_CHECK(n == strlen(want.rest) &&
			   memcmp(rest.data + KEEP_LEN, want.rest, n) == 0);
		FUZZ_CHECK(n <= strlen(q));
	} else {
		FUZZ_CHECK(why != NULL && strcmp(why, want.why) == 0);
		FUZZ_CHECK(rest.len == KEEP_LEN && strcmp(gw_buf_str(&rest), KEEP) == 0);
	}
	gw_buf_deinit(&rest);
	return want;
}

/* A rest that is one byte too long for the buffer: refused whole. */
static void check_too_large(const char *call, const char *q, const char *secret, unsigned allowed,
			    size_t rest_len)
{
	const char *why = NULL;
	struct gw_buf rest;

	gw_buf_init(&rest, KEEP_LEN + rest_len - 1);
	FUZZ_CHECK(gw_buf_append_str(&rest, KEEP) == GW_OK);
	FUZZ_CHECK(gw_bbb_checksum_verify(call, q, secret, allowed, &rest, &why) == GW_E_TOO_LARGE);
	FUZZ_CHECK(rest.len == KEEP_LEN && strcmp(gw_buf_str(&rest), KEEP) == 0);
	gw_buf_deinit(&rest);
}

/* q with "checksum=" + hex placed before its at-th '&' (first, or last past the last one). */
static char *place_checksum(const char *q, const char *hex, unsigned at)
{
	size_t qn = strlen(q);
	size_t parts = 1;
	size_t size = qn + strlen(hex) + sizeof("&checksum=&");
	char *out = malloc(size);
	size_t cut = 0;

	FUZZ_CHECK(out != NULL);
	for (size_t i = 0; i < qn; i++)
		parts += q[i] == '&';
	at %= (unsigned)(parts + 1);
	if (qn == 0) {
		snprintf(out, size, "checksum=%s", hex);
	} else if (at == 0) {
		snprintf(out, size, "checksum=%s&%s", hex, q);
	} else {
		/* the end of the at-th part */
		for (unsigned k = 0; k < at; k++) {
			cut += strcspn(q + cut, "&");
			if (k + 1 < at)
				cut++;
		}
		snprintf(out, size, "%.*s&checksum=%s%s", (int)cut, q, hex, q + cut);
	}
	return out;
}

/* q with every PLACE byte replaced by the n bytes at v (caller frees). */
static char *fill(const char *q, const char *v, size_t n)
{
	size_t places = 0;
	char *out;
	size_t k = 0;

	for (const char *c = q; *c != '\0'; c++)
		places += *c == PLACE;
	out = malloc(strlen(q) + places * n + 1);
	FUZZ_CHECK(out != NULL);
	for (; *q != '\0'; q++) {
		if (*q == PLACE) {
			memcpy(out + k, v, n);
			k += n;
		} else {
			out[k++] = *q;
		}
	}
	out[k] = '\0';
	return out;
}

/*
 * The signed query with one digit of its checksum changed, the first, the
 * last and one the query's length picks in turn (a digit d becomes d - 0x20,
 * which a compare folding case with `| 0x20` would take for d): refused as
 * a mismatch.
 */
static void check_tampered(const char *call, const char *q, const char *secret, unsigned allowed,
			   const char *hex, unsigned at)
{
	size_t len = strlen(hex);
	const size_t places[] = {0, len - 1, strlen(q) % len};

	for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
		size_t p = places[i];
		char bad[HEX_MAX];
		char *signed_q;
		struct verdict got;

		memcpy(bad, hex, len + 1);
		if (bad[p] >= '0' && bad[p] <= '9')
			bad[p] = (char)(bad[p] - 0x20);
		else
			bad[p] = bad[p] == 'f' || bad[p] == 'F' ? '0' : (char)(bad[p] + 1);
		signed_q = place_checksum(q, bad, at);
		got = check_verify(call, signed_q, secret, allowed);
		FUZZ_CHECK(got.err == GW_E_UNAUTHORIZED);
		FUZZ_CHECK(strcmp(got.why, GW_BBB_CHECKSUM_MISMATCH) == 0);
		free(signed_q);
	}
}

/*
 * The query signed here: q with its checksum placed as `how` says and with
 * the checksum's text at each PLACE byte too. Signing needs the rest before
 * the checksum is known, so it is worked out with a stand-in of PLACE bytes
 * of the checksum's length; that is the rest unless a stand-in survives
 * bbb-web's replaces (the rest would hold its own hash) or the hex digits
 * happen to meet the text around them. Then the query verifies exactly
 * when it has no other checksum parameter and the digest is allowed, and
 * its rest is the stand-in's. In every case it gets the reference's verdict.
 */
static void check_self_signed(const char *call, const char *q, const char *secret, unsigned allowed,
			      unsigned how)
{
	unsigned d = how & 3u;
	size_t len = hex_lens[d];
	char stand_in[HEX_MAX];
	char hex[HEX_MAX];
	const char *v;
	size_t vn;
	char *q_in;
	char *signed_in;
	char *rest_in;
	char *q_hex;
	char *signed_q;
	char *rest_hex;
	bool own;
	struct verdict got;

	memset(stand_in, PLACE, len);
	stand_in[len] = '\0';
	q_in = fill(q, stand_in, len);
	signed_in = place_checksum(q_in, stand_in, how >> 3);
	rest_in = bbb_web_rest(signed_in, stand_in, len);
	evp_hex(d, call, rest_in, secret, hex);
	if (how & 4u) {
		for (char *c = hex; *c != '\0'; c++) {
			if (*c >= 'a' && *c <= 'f')
				*c = (char)(*c - 'a' + 'A');
		}
	}
	q_hex = fill(q, hex, len);
	own = checksum_params(q_hex, &v, &vn) > 0;
	signed_q = place_checksum(q_hex, hex, how >> 3);
	rest_hex = bbb_web_rest(signed_q, hex, len);
	got = check_verify(call, signed_q, secret, allowed);
	if (strchr(rest_in, PLACE) == NULL && strcmp(rest_in, rest_hex) == 0) {
		if (own) {
			FUZZ_CHECK(got.err == GW_E_UNAUTHORIZED);
			FUZZ_CHECK(strcmp(got.why, GW_BBB_CHECKSUM_MISSING) == 0);
		} else if ((allowed & (1u << d)) != 0) {
			FUZZ_CHECK(got.err == GW_OK && strcmp(got.rest, rest_in) == 0);
			/* with no stand-in, the rest is the query as it was */
			if (strchr(q, PLACE) == NULL) {
				FUZZ_CHECK(strcmp(got.rest, q) == 0);
				check_tampered(call, q, secret, allowed, hex, how >> 3);
			}
		} else {
			FUZZ_CHECK(got.err == GW_E_UNAUTHORIZED);
			FUZZ_CHECK(strcmp(got.why, GW_BBB_CHECKSUM_MISMATCH) == 0);
		}
	}
	if (got.err == GW_OK && got.rest[0] != '\0')
		check_too_large(call, signed_q, secret, allowed, strlen(got.rest));
	free(got.rest);
	free(rest_hex);
	free(signed_q);
	free(q_hex);
	free(rest_in);
	free(signed_in);
	free(q_in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned allowed = size > 0 ? data[0] : 0;
	unsigned how = size > 1 ? data[1] : 0;
	size_t skip = size < 2 ? size : 2;
	char *text = malloc(size - skip + 3);
	char *field[3];
	size_t n = size - skip;
	size_t at = 0;
	struct verdict got;

	FUZZ_CHECK(text != NULL);
	memcpy(text, data + skip, n);
	/* a NUL after the text and two more: the fields a short input lacks are empty */
	text[n] = text[n + 1] = text[n + 2] = '\0';
	for (size_t i = 0; i < 3; i++) {
		field[i] = text + at;
		at += strlen(text + at);
		if (at < n)
			at++;
		else
			at = n + 1 + i;
	}
	got = check_verify(field[0], field[1], field[2], allowed);
	if (got.err == GW_OK && got.rest[0] != '\0')
		check_too_large(field[0], field[1], field[2], allowed, strlen(got.rest));
	free(got.rest);
	check_self_signed(field[0], field[1], field[2], allowed, how);
	free(text);
	return 0;
}
