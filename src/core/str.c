/*
 * str.c - parsing helpers for bytes that come from clients or from BBB.
 * Every function bounds its work by its input and allocates at most one
 * result.
 */
#include "str.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"

int gw_str_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

enum gw_err gw_str_pct_decode_into(const char *s, size_t n, bool plus_is_space, char *d)
{
	size_t i;
	size_t j = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			int hi = i + 2 < n ? gw_str_hex_digit((unsigned char)s[i + 1]) : -1;
			int lo = i + 2 < n ? gw_str_hex_digit((unsigned char)s[i + 2]) : -1;

			if (hi < 0 || lo < 0)
				return GW_E_PARSE;
			c = (unsigned char)(hi * 16 + lo);
			i += 2;
		} else if (c == '+' && plus_is_space) {
			c = ' ';
		}
		if (c == '\0')
			return GW_E_PARSE;
		d[j++] = (char)c;
	}
	d[j] = '\0';
	return gw_str_utf8_valid(d, j) ? GW_OK : GW_E_PARSE;
}

enum gw_err gw_str_pct_decode(const char *s, size_t n, bool plus_is_space, char **out)
{
	char *d = malloc(n + 1);
	enum gw_err err;

	if (d == NULL)
		return GW_E_NOMEM;
	err = gw_str_pct_decode_into(s, n, plus_is_space, d);
	if (err != GW_OK) {
		free(d);
		return err;
	}
	*out = d;
	return GW_OK;
}

size_t gw_str_utf8_seq(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned c = s[0];
	size_t len;
	uint32_t cp;
	size_t k;

	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1fu;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0fu;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07u;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (k = 1; k < len; k++) {
		if ((s[k] & 0xc0u) != 0x80u)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3fu);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

bool gw_str_utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	size_t len;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		len = gw_str_utf8_seq(str + i, n - i);
		if (len == 0)
			return false;
		i += len;
	}
	return true;
}

enum gw_err gw_str_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (s == NULL || *s == '\0')
		return GW_E_PARSE;
	for (; *s != '\0'; s++) {
		unsigned d;

		if (*s < '0' || *s > '9')
			return GW_E_PARSE;
		d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return GW_E_PARSE;
		v = v * 10 + d;
	}
	*out = v;
	return GW_OK;
}

bool gw_str_is_visible_ascii(const char *s, size_t max)
{
	size_t n = 0;

	if (s == NULL)
		return false;
	for (; s[n] != '\0'; n++) {
		if (n >= max || s[n] < 0x21 || s[n] > 0x7e)
			return false;
	}
	return n > 0;
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

bool gw_str_case_prefix(const char *s, const char *prefix)
{
	for (; *prefix != '\0'; s++, prefix++) {
		if (*s == '\0' || lower(*s) != lower(*prefix))
			return false;
	}
	return true;
}

bool gw_str_media_type_is(const char *content_type, const char *type)
{
	const char *end;
	size_t tlen = strlen(type);

	if (content_type == NULL)
		return false;
	while (*content_type == ' ' || *content_type == '\t')
		content_type++;
	end = content_type;
	while (*end != '\0' && *end != ';')
		end++;
	while (end > content_type && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if ((size_t)(end - content_type) != tlen)
		return false;
	return gw_str_case_prefix(content_type, type);
}

void gw_str_copy(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size) {
		n = size - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

enum gw_err gw_str_path_encode(struct gw_buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	enum gw_err err = GW_OK;

	for (; *s != '\0' && err == GW_OK; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			err = gw_buf_append_byte(out, (char)c);
		} else {
			char esc[3] = {'%', hex[c >> 4], hex[c & 15]};

			err = gw_buf_append(out, esc, 3);
		}
	}
	return err;
}

/* Length of the well-formed UTF-8 sequence at s (1-4), or 0. */
static size_t utf8_seq(const char *s)
{
	unsigned char c = (unsigned char)*s;

	if (c < 0x80)
		return 1;
	/* strnlen: the sequence must not run past the NUL */
	return gw_str_utf8_seq(s, strnlen(s, 4));
}

void gw_str_utf8_sanitize(char *s)
{
	while (*s != '\0') {
		size_t n = utf8_seq(s);

		if (n == 0) {
			*s++ = '?';
			continue;
		}
		s += n;
	}
}

bool gw_str_is_http_url(const char *s)
{
	return (strncmp(s, "https://", 8) == 0 && s[8] != '\0') ||
	       (strncmp(s, "http://", 7) == 0 && s[7] != '\0');
}

static bool scheme_char(char c, bool first)
{
	bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

	return alpha || (!first && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
}

/* Host and port of the authority [a, end) of url, after any user-info. */
static enum gw_err split_host(const char *url, size_t a, size_t end, struct gw_str_url *u)
{
	const char *close;
	size_t h_end;

	u->host = a;
	if (url[a] == '[') {
		close = memchr(url + a, ']', end - a);
		if (close == NULL)
			return GW_E_PARSE;
		h_end = (size_t)(close - url) + 1;
		if (h_end < end && url[h_end] != ':')
			return GW_E_PARSE;
	} else {
		const char *colon = memchr(url + a, ':', end - a);

		h_end = colon != NULL ? (size_t)(colon - url) : end;
	}
	u->host_len = h_end - a;
	u->has_port = h_end < end;
	u->port = u->has_port ? h_end + 1 : end;
	u->port_len = end - u->port;
	return GW_OK;
}

enum gw_err gw_str_url_split(const char *url, struct gw_str_url *out)
{
	struct gw_str_url u = {0};
	size_t i = 0;
	size_t a;
	size_t at;

	while (scheme_char(url[i], i == 0))
		i++;
	if (i == 0 || strncmp(url + i, "://", 3) != 0)
		return GW_E_PARSE;
	u.scheme_len = i;
	a = i + 3;
	u.end = a + strcspn(url + a, "/?#");
	for (at = u.end; at > a && url[at - 1] != '@'; at--)
		;
	if (at > a) {
		u.has_userinfo = true;
		u.userinfo = a;
		u.userinfo_len = at - 1 - a;
		a = at;
	}
	if (split_host(url, a, u.end, &u) != GW_OK)
		return GW_E_PARSE;
	*out = u;
	return GW_OK;
}

char *gw_str_url_mask_userinfo(const char *url, const char *mask)
{
	struct gw_str_url u;
	size_t mlen = strlen(mask);
	size_t tail;
	char *p;

	if (gw_str_url_split(url, &u) != GW_OK)
		return strdup(strchr(url, '@') != NULL ? mask : url);
	if (!u.has_userinfo)
		return strdup(url);
	tail = strlen(url + u.host);
	p = malloc(u.userinfo + mlen + 1 + tail + 1);
	if (p == NULL)
		return NULL;
	memcpy(p, url, u.userinfo);
	memcpy(p + u.userinfo, mask, mlen);
	if (mlen > 0)
		p[u.userinfo + mlen++] = '@';
	memcpy(p + u.userinfo + mlen, url + u.host, tail + 1);
	return p;
}

/* The 6-bit value of a base64url character, or -1. */
static int b64url_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

enum gw_err gw_str_b64url_decode(const char *s, size_t n, unsigned char *out, size_t cap,
				 size_t *out_len)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t j = 0;
	size_t i;

	if (n % 4 == 1)
		return GW_E_PARSE;
	if (GW_STR_B64URL_DECODED_LEN(n) > cap)
		return GW_E_TOO_LARGE;
	for (i = 0; i < n; i++) {
		int v = b64url_value((unsigned char)s[i]);

		if (v < 0)
			return GW_E_PARSE;
		acc = (acc << 6 | (uint32_t)v) & 0xffffu;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[j++] = (unsigned char)(acc >> bits);
		}
	}
	/* 2 or 4 bits are left over after 3 or 2 characters: they must be zero. */
	if ((acc & ((1u << bits) - 1u)) != 0)
		return GW_E_PARSE;
	*out_len = j;
	return GW_OK;
}

enum gw_err gw_str_xml_escape(struct gw_buf *out, const char *s)
{
	enum gw_err err = GW_OK;

	while (*s != '\0' && err == GW_OK) {
		size_t n = strcspn(s, "&<>\"'");

		err = gw_buf_append(out, s, n);
		s += n;
		if (*s == '\0' || err != GW_OK)
			break;
		switch (*s++) {
		case '&':
			err = gw_buf_append_str(out, "&amp;");
			break;
		case '<':
			err = gw_buf_append_str(out, "&lt;");
			break;
		case '>':
			err = gw_buf_append_str(out, "&gt;");
			break;
		case '"':
			err = gw_buf_append_str(out, "&quot;");
			break;
		default:
			err = gw_buf_append_str(out, "&apos;");
			break;
		}
	}
	return err;
}

size_t gw_str_remove_all(char *s, const char *target)
{
	size_t tn = strlen(target);
	size_t len = strlen(s);
	char *p = s;

	while (tn > 0 && (p = strstr(p, target)) != NULL) {
		memmove(p, p + tn, (size_t)(s + len - (p + tn)) + 1);
		len -= tn;
	}
	return len;
}
