/*
 * fuzz_http_head.c - a request head as the gateway sees it: the request
 * target (path and query) and the header fields, through the head checks
 * (http_head.c), the query parser, the router's matcher and the request
 * id. The input reads like a raw head: a first line "METHOD target
 * VERSION", then "Name: value" lines up to an empty line or the end
 * (lines end at LF; a CR before it is dropped, any other byte, NUL
 * included, stays in the value).
 *
 * Checks: the verdict is one of OK, 400, 414, 431, 417, and a refusal
 * always closes; a value with a control character other than tab, a
 * repeated Host or Authorization, or an Expect other than 100-continue is
 * never accepted; an accepted head's query parses or fails cleanly, and
 * a route match has a method the route allows; the request id is always
 * 1..128 visible ASCII characters.
 */
#include <string.h>
#include <strings.h>

#include "config.h"
#include "fuzz.h"
#include "http_head.h"
#include "request.h"
#include "router.h"
#include "routes.h"

#define MAX_FIELDS 256

static struct gw_config *cfg;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	cfg = gw_config_new_defaults();
	return cfg != NULL ? 0 : 1;
}

void fuzz_cleanup(void)
{
	gw_config_unref(cfg);
	cfg = NULL;
}

/* A NUL-terminated copy of n bytes that need not be NUL-terminated themselves. */
static char *dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	FUZZ_CHECK(d != NULL);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* The next line of [*p, end): its start and length without CR LF; advances *p. */
static const char *next_line(const char **p, const char *end, size_t *len)
{
	const char *s = *p;
	const char *nl = memchr(s, '\n', (size_t)(end - s));
	const char *e = nl != NULL ? nl : end;

	*p = nl != NULL ? nl + 1 : end;
	*len = (size_t)(e - s);
	if (*len > 0 && s[*len - 1] == '\r')
		(*len)--;
	return s;
}

static bool has_ctl(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f)
			return true;
	return false;
}

static size_t count_named(const struct gw_head_field *f, size_t n, const char *name)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += f[i].name_len == strlen(name) &&
		     strncasecmp(f[i].name, name, f[i].name_len) == 0;
	return k;
}

/* Checks an accepted head further down the pipeline. */
static void accepted(const char *method, size_t mlen, const char *path, size_t plen,
		     const char *query, size_t qlen, const struct gw_head_field *f, size_t n)
{
	struct gw_exchange *x = gw_exchange_new(cfg);
	char m[16];
	char *qs = dupn(query, qlen);
	unsigned allowed = 0;
	size_t i, rid;
	enum gw_err err;

	FUZZ_CHECK(x != NULL && qs != NULL);
	snprintf(m, sizeof(m), "%.*s", (int)(mlen < 15 ? mlen : 15), method);
	x->req.method = gw_method_parse(m);
	x->req.path = gw_arena_strndup(&x->arena, path, plen);
	FUZZ_CHECK(x->req.path != NULL);
	err = gw_request_parse_query(&x->req, qs);
	FUZZ_CHECK(err == GW_OK || err == GW_E_PARSE || err == GW_E_TOO_LARGE);
	if (strlen(x->req.path) == plen) {
		err = gw_router_match(gw_routes_table(), &x->req, &allowed);
		FUZZ_CHECK(err == GW_OK || err == GW_E_NOT_FOUND ||
			   err == GW_E_METHOD_NOT_ALLOWED || err == GW_E_BAD_PATH_PARAM);
		if (err == GW_OK)
			FUZZ_CHECK(x->req.route != NULL);
	}
	for (i = 0; i < n; i++) {
		if (f[i].name_len == 12 && strncasecmp(f[i].name, "X-Request-Id", 12) == 0) {
			char *v = dupn(f[i].value, f[i].value_len);

			FUZZ_CHECK(v != NULL);
			gw_request_set_id(&x->req, v);
			free(v);
		}
	}
	gw_request_set_id(&x->req, NULL);
	rid = strlen(x->req.request_id);
	FUZZ_CHECK(rid >= 1 && rid <= 128);
	for (i = 0; i < rid; i++)
		FUZZ_CHECK(x->req.request_id[i] > 0x20 && x->req.request_id[i] < 0x7f);
	free(qs);
	gw_exchange_free(x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	const char *end = p + size;
	struct gw_head_field f[MAX_FIELDS];
	struct gw_head_verdict v;
	const char *line, *sp1, *sp2, *target, *q;
	size_t len, tlen, n = 0;
	bool ctl = false;

	line = next_line(&p, end, &len);
	sp1 = memchr(line, ' ', len);
	if (sp1 == NULL)
		return 0;
	target = sp1 + 1;
	sp2 = memchr(target, ' ', len - (size_t)(target - line));
	tlen = sp2 != NULL ? (size_t)(sp2 - target) : len - (size_t)(target - line);
	while (p < end && n < MAX_FIELDS) {
		const char *colon;

		line = next_line(&p, end, &len);
		if (len == 0)
			break;
		colon = memchr(line, ':', len);
		if (colon == NULL)
			continue;
		f[n].name = line;
		f[n].name_len = (size_t)(colon - line);
		f[n].value = colon + 1;
		f[n].value_len = len - f[n].name_len - 1;
		while (f[n].value_len > 0 && (*f[n].value == ' ' || *f[n].value == '\t')) {
			f[n].value++;
			f[n].value_len--;
		}
		ctl |= has_ctl(f[n].value, f[n].value_len);
		n++;
	}
	q = memchr(target, '?', tlen);
	gw_http_head_check(target, q != NULL ? (size_t)(q - target) : tlen, q != NULL ? q + 1 : "",
			   q != NULL ? tlen - (size_t)(q - target) - 1 : 0, f, n, 8192, &v);
	FUZZ_CHECK(v.err == GW_OK || v.err == GW_E_BAD_REQUEST || v.err == GW_E_URI_TOO_LONG ||
		   v.err == GW_E_HEADERS_TOO_LARGE || v.err == GW_E_EXPECTATION_FAILED);
	FUZZ_CHECK(v.close == (v.err != GW_OK));
	FUZZ_CHECK((v.err == GW_OK) == (v.detail == NULL));
	if (v.err != GW_OK)
		return 0;
	FUZZ_CHECK(!ctl);
	FUZZ_CHECK(count_named(f, n, "Host") <= 1 && count_named(f, n, "Authorization") <= 1);
	accepted((const char *)data, (size_t)(sp1 - (const char *)data), target,
		 q != NULL ? (size_t)(q - target) : tlen, q != NULL ? q + 1 : "",
		 q != NULL ? tlen - (size_t)(q - target) - 1 : 0, f, n);
	return 0;
}
