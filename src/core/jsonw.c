/*
 * jsonw.c - JSON text writing into a gw_buf (see jsonw.h). The escaping
 * follows jansson 2.14's dump_string without flags, so replies written
 * here read the same as the ones json_dumps wrote before.
 */
#include "jsonw.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at p (lead byte >= 0x80), 0 when invalid. */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0];
	size_t n;
	uint32_t v;
	size_t i;

	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		v = c & 0x1fu;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		v = c & 0x0fu;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		v = c & 0x07u;
	} else {
		return 0;
	}
	if ((size_t)(end - p) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0u) != 0x80u)
			return 0;
		v = (v << 6) | (p[i] & 0x3fu);
	}
	if ((n == 3 && v < 0x800) || (n == 4 && v < 0x10000) || v > 0x10ffff ||
	    (v >= 0xd800 && v <= 0xdfff))
		return 0;
	return n;
}

bool gw_jsonw_utf8_ok(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + n;
	size_t k;

	while (p < end) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		k = utf8_seq(p, end);
		if (k == 0)
			return false;
		p += k;
	}
	return true;
}

/* The escape of byte c, or NULL when it is written as it is. */
static const char *escape_of(unsigned char c, char tmp[8])
{
	switch (c) {
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	case '\b':
		return "\\b";
	case '\f':
		return "\\f";
	case '\n':
		return "\\n";
	case '\r':
		return "\\r";
	case '\t':
		return "\\t";
	default:
		break;
	}
	if (c >= 0x20)
		return NULL;
	snprintf(tmp, 8, "\\u%04X", (unsigned)c);
	return tmp;
}

/* 1 for the bytes written as they are without a look at what follows: ASCII but '"', '\\' and controls. */
static const unsigned char plain[256] = {
#define R16(x) x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x
	R16(0), R16(0), 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, R16(1), R16(1),
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, R16(1), R16(1),
#undef R16
};

enum gw_err gw_jsonw_string(struct gw_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + n;
	const unsigned char *run = p;
	size_t start = b->len;
	enum gw_err err = gw_buf_append_byte(b, '"');
	const char *esc;
	char tmp[8];
	size_t k;

	while (err == GW_OK && p < end) {
		while (p < end && plain[*p])
			p++;
		if (p >= end)
			break;
		if (*p >= 0x80) {
			k = utf8_seq(p, end);
			if (k == 0) {
				err = GW_E_PARSE;
				break;
			}
			p += k;
			continue;
		}
		esc = escape_of(*p, tmp);
		err = gw_buf_append(b, run, (size_t)(p - run));
		if (err == GW_OK)
			err = gw_buf_append_str(b, esc);
		run = ++p;
	}
	if (err == GW_OK)
		err = gw_buf_append(b, run, (size_t)(p - run));
	if (err == GW_OK)
		err = gw_buf_append_byte(b, '"');
	if (err != GW_OK)
		gw_buf_truncate(b, start);
	return err;
}

enum gw_err gw_jsonw_int(struct gw_buf *b, int64_t v)
{
	char tmp[24];
	char *p = tmp + sizeof(tmp);
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	return gw_buf_append(b, p, (size_t)(tmp + sizeof(tmp) - p));
}
