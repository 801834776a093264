/*
 * str.h - small string helpers for untrusted input: percent-decoding,
 * UTF-8 validation, number parsing, token-ish checks. Pure functions.
 */
#ifndef GW_STR_H
#define GW_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler.h"
#include "err.h"

/*
 * Percent-decodes n bytes of s into a new malloc'd NUL-terminated string
 * (*out, caller frees). With plus_is_space, '+' decodes to ' ' (query
 * strings); otherwise it stays (paths). Fails with GW_E_PARSE on a broken
 * %XX escape, a decoded NUL byte or invalid UTF-8; out is then unchanged.
 */
enum gw_err gw_str_pct_decode(const char *s, size_t n, bool plus_is_space, char **out) GW_WUR;

/*
 * gw_str_pct_decode into out, which has room for n + 1 bytes (decoding
 * never lengthens); out holds a NUL-terminated string on GW_OK and
 * anything on error.
 */
enum gw_err gw_str_pct_decode_into(const char *s, size_t n, bool plus_is_space, char *out) GW_WUR;

/*
 * True when n bytes at s are well-formed UTF-8 (no overlongs, surrogates or
 * code points past U+10FFFF). The one UTF-8 check: the JSON writer uses it too.
 */
bool gw_str_utf8_valid(const char *s, size_t n);

/*
 * The length (2-4) of the well-formed UTF-8 sequence starting at s, a lead
 * byte >= 0x80, within n (>= 1) bytes; 0 when it is ill-formed or cut short.
 */
size_t gw_str_utf8_seq(const char *s, size_t n);

/* The value of one hex digit (either case), or -1. */
int gw_str_hex_digit(int c);

/*
 * Parses a whole decimal unsigned number (no sign, no spaces, at least one
 * digit, no overflow). GW_E_PARSE otherwise.
 */
enum gw_err gw_str_parse_u64(const char *s, uint64_t *out) GW_WUR;

/* True when s is 1..max visible ASCII characters (0x21..0x7e). */
bool gw_str_is_visible_ascii(const char *s, size_t max);

/* Case-insensitive ASCII comparison of the first n bytes; true when equal. */
bool gw_str_case_prefix(const char *s, const char *prefix);

/*
 * True when the media type of a Content-Type value (before any ';',
 * case-insensitive, surrounding spaces ignored) equals type.
 */
bool gw_str_media_type_is(const char *content_type, const char *type);

/*
 * Appends s percent-encoded as one URL path segment (RFC 3986: only
 * unreserved characters A-Z a-z 0-9 - . _ ~ stay) to out.
 */
struct gw_buf;
enum gw_err gw_str_path_encode(struct gw_buf *out, const char *s) GW_WUR;

/*
 * Removes every occurrence of target (non-empty) from s, in place, as
 * Java's String.replace(target, "") does (left to right, no overlaps);
 * returns the new length.
 */
size_t gw_str_remove_all(char *s, const char *target);

/* Appends s to out with XML's five special characters as entities (&amp; &lt; &gt; &quot; &apos;). */
enum gw_err gw_str_xml_escape(struct gw_buf *out, const char *s) GW_WUR;

/* True when s is an absolute http:// or https:// URL with something after the scheme. */
bool gw_str_is_http_url(const char *s);

/*
 * The authority of an absolute URL "scheme://[userinfo@]host[:port][/?#...]"
 * as offsets into the URL. The authority ends at the first '/', '?' or '#'
 * (or the end); user-info runs to its last '@', as curl and browsers read
 * it. host keeps the brackets of an IPv6 literal; port is what follows the
 * ':' after the host (possibly empty or not digits: callers judge it).
 */
struct gw_str_url {
	size_t scheme_len;   /* bytes before "://" */
	bool has_userinfo;   /* an '@' in the authority */
	size_t userinfo;     /* offset of the user-info (valid when has_userinfo) */
	size_t userinfo_len; /* up to, not including, the '@' */
	size_t host;         /* offset of the host */
	size_t host_len;
	bool has_port; /* a ':' follows the host */
	size_t port;   /* offset after that ':' */
	size_t port_len;
	size_t end; /* offset where the authority ends */
};

/*
 * Splits url into *out. GW_E_PARSE when there is no "scheme://" (scheme:
 * a letter, then letters, digits, '+', '-', '.'), when an IPv6 '[' has no
 * ']', or when something other than ':' follows the ']'; out is then
 * unchanged.
 */
enum gw_err gw_str_url_split(const char *url, struct gw_str_url *out) GW_WUR;

/*
 * A copy of url with its user-info and '@' replaced by mask followed by
 * '@' (mask "***" puts "***@" before the host), or removed when mask is "".
 * A URL without user-info is copied unchanged; one that does not split is
 * replaced by mask whole when it holds an '@'. Returns a malloc'd string
 * (caller frees) or NULL when out of memory. For logs and for URLs handed
 * to clients: credentials never leave the process in either.
 */
char *gw_str_url_mask_userinfo(const char *url, const char *mask);

/*
 * Replaces every byte of s that does not start a well-formed UTF-8
 * sequence with '?', in place (text cut mid-character by a bounded
 * snprintf stays printable and valid).
 */
void gw_str_utf8_sanitize(char *s);

/*
 * Copies src into dst (size bytes, size > 0), truncating on a UTF-8
 * character boundary; dst is always NUL-terminated.
 */
void gw_str_copy(char *dst, size_t size, const char *src);

/*
 * Decodes n bytes of unpadded base64url (RFC 4648 §5, as JWS uses it)
 * into out (room for cap bytes) and stores the decoded length in *out_len.
 * Strict: only the base64url alphabet, no padding or whitespace, no
 * length of 1 mod 4, and the unused low bits of the last character must
 * be zero (one text per byte string). GW_E_PARSE for anything else,
 * GW_E_TOO_LARGE when the result would exceed cap; *out_len is written
 * only on success, out may hold anything on failure. n == 0 decodes to 0
 * bytes.
 */
enum gw_err gw_str_b64url_decode(const char *s, size_t n, unsigned char *out, size_t cap,
				 size_t *out_len) GW_WUR;

/* The decoded length of n characters of unpadded base64url (n % 4 != 1). */
#define GW_STR_B64URL_DECODED_LEN(n) ((n) / 4u * 3u + ((n) % 4u == 0u ? 0u : (n) % 4u - 1u))

#endif
