/*
 * bbb_sign.c - turns parameters into the exact query string BBB hashes and
 * signs it. Encoding is java.net.URLEncoder's form encoding over the bytes as
 * given; the checksum is lowercase_hex(H(call + query + secret)); the signed
 * URL carries the query byte for byte as it was hashed. Pure functions: every
 * append is all-or-nothing, so a failed call leaves the caller's buffer as it
 * was.
 */
#include "bbb_sign.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "str.h"

/* Bytes that java.net.URLEncoder leaves as they are. */
static bool unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-' || c == '*' || c == '_';
}

/* Encodes into a small stack chunk and flushes it, so long values cost few appends. */
static enum gw_err encode(struct gw_buf *out, const char *s, size_t n)
{
	static const char digits[] = "0123456789ABCDEF";
	char chunk[256];
	size_t used = 0;
	enum gw_err err;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (used + 3 > sizeof(chunk)) {
			err = gw_buf_append(out, chunk, used);
			if (err != GW_OK)
				return err;
			used = 0;
		}
		if (unreserved(c)) {
			chunk[used++] = (char)c;
		} else if (c == ' ') {
			chunk[used++] = '+';
		} else {
			chunk[used++] = '%';
			chunk[used++] = digits[c >> 4];
			chunk[used++] = digits[c & 0x0f];
		}
	}
	return gw_buf_append(out, chunk, used);
}

enum gw_err gw_bbb_encode(struct gw_buf *out, const char *s, size_t n)
{
	size_t mark = out->len;
	enum gw_err err = encode(out, s, n);

	if (err != GW_OK)
		gw_buf_truncate(out, mark);
	return err;
}

enum gw_err gw_bbb_query_add(struct gw_buf *q, const char *name, const char *value)
{
	size_t mark = q->len;
	enum gw_err err = GW_OK;

	if (q->len > 0)
		err = gw_buf_append_byte(q, '&');
	if (err == GW_OK)
		err = encode(q, name, strlen(name));
	if (err == GW_OK)
		err = gw_buf_append_byte(q, '=');
	if (err == GW_OK)
		err = encode(q, value, strlen(value));
	if (err != GW_OK)
		gw_buf_truncate(q, mark);
	return err;
}

enum gw_err gw_bbb_checksum(enum gw_digest alg, const char *call, const char *query,
			    const char *secret, char hex_out[GW_DIGEST_MAX_HEX])
{
	unsigned char md[GW_DIGEST_MAX_LEN];
	size_t md_len = gw_crypto_digest_len(alg);
	struct gw_iov parts[3];
	enum gw_err err;

	if (md_len == 0)
		return GW_E_INTERNAL;
	/* A NULL query is taken as the empty query (H(call + secret)). */
	if (query == NULL)
		query = "";
	parts[0] = (struct gw_iov){call, strlen(call)};
	parts[1] = (struct gw_iov){query, strlen(query)};
	parts[2] = (struct gw_iov){secret, strlen(secret)};
	err = gw_crypto_digest(alg, parts, GW_ARRAY_SIZE(parts), md);
	if (err != GW_OK)
		return err;
	gw_crypto_hex(md, md_len, hex_out);
	return GW_OK;
}

enum gw_err gw_bbb_signed_url(struct gw_buf *out, const char *base_url, const char *call,
			      const char *query, enum gw_digest alg, const char *secret)
{
	char hex[GW_DIGEST_MAX_HEX];
	size_t mark = out->len;
	size_t base_len = strlen(base_url);
	enum gw_err err;

	if (query == NULL)
		query = "";
	err = gw_bbb_checksum(alg, call, query, secret, hex);
	if (err != GW_OK)
		return err;
	if (base_len > 0 && base_url[base_len - 1] == '/')
		base_len--;
	err = gw_buf_append(out, base_url, base_len);
	if (err == GW_OK)
		err = gw_buf_appendf(out, "/%s?%s%schecksum=%s", call, query,
				     query[0] != '\0' ? "&" : "", hex);
	if (err != GW_OK)
		gw_buf_truncate(out, mark);
	return err;
}

/* The raw value of the only `checksum` parameter of q (in v, n bytes); false when none or two. */
static bool find_checksum(const char *q, const char **v, size_t *n)
{
	const char *p = q;
	int found = 0;

	while (*p != '\0') {
		size_t len = strcspn(p, "&");

		if (len >= 9 && strncmp(p, "checksum=", 9) == 0) {
			*v = p + 9;
			*n = len - 9;
			found++;
		}
		p += len;
		if (*p == '&')
			p++;
	}
	return found == 1 && *n > 0;
}

static bool digest_of_length(size_t n, enum gw_digest *out)
{
	static const enum gw_digest all[] = {GW_DIGEST_SHA1, GW_DIGEST_SHA256, GW_DIGEST_SHA384,
					     GW_DIGEST_SHA512};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (2 * gw_crypto_digest_len(all[i]) == n) {
			*out = all[i];
			return true;
		}
	}
	return false;
}

enum gw_err gw_bbb_checksum_verify(const char *call, const char *raw_query, const char *secret,
				   unsigned allowed, struct gw_buf *rest, const char **why)
{
	char given[GW_DIGEST_MAX_HEX];
	char want[GW_DIGEST_MAX_HEX];
	char target[GW_DIGEST_MAX_HEX + 16];
	const char *v = NULL;
	size_t n = 0;
	size_t len;
	enum gw_digest alg;
	enum gw_err err;
	char *q;
	bool same;

	*why = GW_BBB_CHECKSUM_MISSING;
	if (!find_checksum(raw_query, &v, &n))
		return GW_E_UNAUTHORIZED;
	*why = GW_BBB_CHECKSUM_MISMATCH;
	if (!digest_of_length(n, &alg) || (allowed & (1u << alg)) == 0)
		return GW_E_UNAUTHORIZED;
	for (size_t i = 0; i < n; i++) {
		char c = v[i];

		given[i] = c >= 'A' && c <= 'F' ? (char)(c - 'A' + 'a') : c;
	}
	given[n] = '\0';
	q = strdup(raw_query);
	if (q == NULL)
		return GW_E_NOMEM;
	/* bbb-web's three removals, in its order, of the value as sent */
	snprintf(target, sizeof(target), "&checksum=%.*s", (int)n, v);
	gw_str_remove_all(q, target);
	snprintf(target, sizeof(target), "checksum=%.*s&", (int)n, v);
	gw_str_remove_all(q, target);
	snprintf(target, sizeof(target), "checksum=%.*s", (int)n, v);
	len = gw_str_remove_all(q, target);
	err = gw_bbb_checksum(alg, call, q, secret, want);
	same = err == GW_OK && gw_crypto_equal(given, want, n);
	explicit_bzero(want, sizeof(want));
	if (same)
		err = gw_buf_append(rest, q, len);
	free(q);
	if (err != GW_OK)
		return err;
	return same ? GW_OK : GW_E_UNAUTHORIZED;
}
