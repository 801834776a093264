/*
 * jsonw.c - JSON text writing into a gw_buf (see jsonw.h). The escaping
 * follows jansson 2.14's dump_string without flags, so replies written
 * here read the same as the ones json_dumps wrote before.
 */
#include "jsonw.h"

#include <stdbool.h>
#include <string.h>

#include "str.h"

/*
 * What each byte needs: 0 written as it is (ASCII but '"', '\\' and
 * controls), 1 the start of a UTF-8 sequence to check, 'u' a \u00XX escape,
 * else the letter of its short escape.
 */
static const unsigned char cls[256] = {
#define R16(x) x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x
	'u',    'u',    'u',    'u',    'u',    'u',      'u', 'u',    'b',    't',    'n',
	'u',    'f',    'r',    'u',    'u',    R16('u'), 0,   0,      '"',    0,      0,
	0,      0,      0,      0,      0,      0,        0,   0,      0,      0,      0,
	R16(0), R16(0), 0,      0,      0,      0,        0,   0,      0,      0,      0,
	0,      0,      0,      '\\',   0,      0,        0,   R16(0), R16(0), R16(1), R16(1),
	R16(1), R16(1), R16(1), R16(1), R16(1), R16(1),
#undef R16
};

/* Writes the escape of byte c (cls[c] > 1) at d; returns its length. */
static size_t put_escape(char *d, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";

	d[0] = '\\';
	if (cls[c] != 'u') {
		d[1] = (char)cls[c];
		return 2;
	}
	d[1] = 'u';
	d[2] = '0';
	d[3] = '0';
	d[4] = hex[c >> 4];
	d[5] = hex[c & 15];
	return 6;
}

/* The length of the bytes from p escaped (UTF-8 sequences as they are). */
static size_t escaped_len(const unsigned char *p, const unsigned char *end)
{
	size_t n = 0;

	for (; p < end; p++)
		n += cls[*p] <= 1 ? 1 : cls[*p] == 'u' ? 6 : 2;
	return n;
}

/*
 * The escaped text of s goes straight into the buffer's storage: room for
 * the text as it is is reserved first, and at the first escape that might
 * not fit, exactly what the rest needs. A run of plain bytes is one memcpy.
 */
enum gw_err gw_jsonw_string(struct gw_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + n;
	const unsigned char *run;
	size_t start = b->len;
	enum gw_err err = GW_OK;
	char *d;
	char *lim; /* the end of the reserved room, the closing '"' included */
	size_t k;
	bool exact = false;

	/* most strings fit the room there is: no call then */
	if (n >= SIZE_MAX / 2)
		return GW_E_TOO_LARGE;
	if (n + 2 >= b->cap - b->len || n + 2 > b->max - b->len)
		err = gw_buf_reserve(b, n + 2);
	if (err != GW_OK)
		return err;
	d = b->data + b->len;
	lim = d + n + 2;
	*d++ = '"';
	while (p < end) {
		run = p;
		while (p < end && cls[*p] == 0)
			p++;
		memcpy(d, run, (size_t)(p - run));
		d += p - run;
		if (p >= end)
			break;
		if (cls[*p] == 1) {
			k = gw_str_utf8_seq((const char *)p, (size_t)(end - p));
			if (k == 0) {
				err = GW_E_PARSE;
				break;
			}
			memcpy(d, p, k);
			d += k;
			p += k;
			continue;
		}
		/* room for the rest escaped exactly (once: it is enough to the end) */
		if (!exact && (size_t)(lim - d) < 6 + (size_t)(end - p)) {
			k = escaped_len(p, end) + 1;
			b->len = (size_t)(d - b->data);
			err = gw_buf_reserve(b, k);
			if (err != GW_OK)
				break;
			d = b->data + b->len;
			lim = d + k;
			exact = true;
		}
		d += put_escape(d, *p++);
	}
	if (err != GW_OK) {
		b->len = start;
		b->data[start] = '\0';
		return err;
	}
	*d++ = '"';
	b->len = (size_t)(d - b->data);
	b->data[b->len] = '\0';
	return GW_OK;
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
