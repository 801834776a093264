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

/* True when n bytes at s are well-formed UTF-8 (no overlongs, no surrogates). */
bool gw_str_utf8_valid(const char *s, size_t n);

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

/* True when s is an absolute http:// or https:// URL with something after the scheme. */
bool gw_str_is_http_url(const char *s);

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

#endif
