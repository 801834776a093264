/*
 * http_head.c - refuses request heads that are ambiguous (request
 * smuggling behind a proxy: repeated or conflicting framing, two Hosts,
 * two Authorizations of which each side might pick another), malformed
 * (control characters in values, non-token names) or larger than the
 * connection's memory can hold with room left for the answer.
 *
 * One pass over the fields; every check is on lengths, never on NUL
 * termination, because a NUL inside a value is one of the things looked
 * for.
 */
#include "http_head.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

struct scan {
	unsigned n_cl, n_te, n_host, n_auth, n_expect;
	const struct gw_head_field *cl, *te, *expect;
	bool bad_name, bad_value;
	size_t bytes;
};

static bool token_char(unsigned char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
	       (ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

static bool name_is(const struct gw_head_field *f, const char *name)
{
	size_t n = strlen(name);

	return f->name_len == n && strncasecmp(f->name, name, n) == 0;
}

static bool value_is(const struct gw_head_field *f, const char *text)
{
	size_t n = strlen(text);

	return f->value_len == n && strncasecmp(f->value, text, n) == 0;
}

static void scan_field(struct scan *s, const struct gw_head_field *f)
{
	size_t i;

	s->bad_name |= f->name_len == 0;
	for (i = 0; i < f->name_len; i++)
		s->bad_name |= !token_char((unsigned char)f->name[i]);
	for (i = 0; i < f->value_len; i++) {
		unsigned char ch = (unsigned char)f->value[i];

		s->bad_value |= (ch < 0x20 && ch != '\t') || ch == 0x7f;
	}
	if (name_is(f, "Content-Length")) {
		s->n_cl++;
		s->cl = f;
	} else if (name_is(f, "Transfer-Encoding")) {
		s->n_te++;
		s->te = f;
	} else if (name_is(f, "Host")) {
		s->n_host++;
	} else if (name_is(f, "Authorization")) {
		s->n_auth++;
	} else if (name_is(f, "Expect")) {
		s->n_expect++;
		s->expect = f;
	}
	/* "Name: value\r\n" in the read buffer plus the server's record of it. */
	s->bytes += f->name_len + f->value_len + 4 + GW_HTTP_HEAD_FIELD_OVERHEAD;
}

static bool is_number(const struct gw_head_field *f)
{
	size_t i;

	if (f->value_len == 0 || f->value_len > 19)
		return false;
	for (i = 0; i < f->value_len; i++)
		if (f->value[i] < '0' || f->value[i] > '9')
			return false;
	return true;
}

static void verdict(struct gw_head_verdict *out, enum gw_err err, const char *detail)
{
	out->err = err;
	out->detail = detail;
	out->close = err != GW_OK;
}

static const char *framing_problem(const struct scan *s)
{
	if (s->bad_name)
		return "Malformed header name";
	if (s->bad_value)
		return "Control character in a header value";
	if (s->n_cl > 1 || s->n_te > 1)
		return "Repeated Content-Length or Transfer-Encoding";
	if (s->n_host > 1)
		return "Repeated Host header";
	if (s->n_auth > 1)
		return "Repeated Authorization header";
	if (s->n_expect > 1)
		return "Repeated Expect header";
	if (s->te != NULL && s->cl != NULL)
		return "Content-Length and Transfer-Encoding together";
	if (s->te != NULL && !value_is(s->te, "chunked"))
		return "Unsupported Transfer-Encoding";
	if (s->cl != NULL && !is_number(s->cl))
		return "Malformed Content-Length";
	return NULL;
}

static bool has_ctl(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return true;
	return false;
}

void gw_http_head_check(const char *path, size_t path_len, const char *query, size_t query_len,
			const struct gw_head_field *fields, size_t n_fields, size_t max_head,
			struct gw_head_verdict *out)
{
	struct scan s;
	const char *problem;
	size_t i;

	memset(&s, 0, sizeof(s));
	memset(out, 0, sizeof(*out));
	/* "METHOD target HTTP/1.1\r\n": the method and version are short. */
	s.bytes = path_len + 1 + query_len + 32;
	if (s.bytes > max_head) {
		verdict(out, GW_E_URI_TOO_LONG,
			"The request target is longer than the server accepts");
		return;
	}
	if (has_ctl(path, path_len) || has_ctl(query, query_len)) {
		verdict(out, GW_E_BAD_REQUEST, "Control character in the request target");
		return;
	}
	for (i = 0; i < n_fields; i++)
		scan_field(&s, &fields[i]);
	if (s.bytes > max_head) {
		verdict(out, GW_E_HEADERS_TOO_LARGE,
			"The request headers are larger than the server accepts");
		return;
	}
	problem = framing_problem(&s);
	if (problem != NULL) {
		verdict(out, GW_E_BAD_REQUEST, problem);
		return;
	}
	if (s.expect != NULL && !value_is(s.expect, "100-continue")) {
		verdict(out, GW_E_EXPECTATION_FAILED, "Only Expect: 100-continue is supported");
		return;
	}
	out->err = GW_OK;
	out->expect_continue = s.expect != NULL;
}
