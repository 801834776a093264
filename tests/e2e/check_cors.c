/*
 * check_cors.c - CORS exactly as the contract says, and the security
 * headers, on every kind of response the gateway produces (200, 204
 * preflight, 4xx, 5xx): an exact-match allowlist that suffix, prefix,
 * scheme, port and "null" tricks do not pass; Access-Control-Allow-Origin
 * echoing the origin, never "*", also on errors; Vary: Origin always;
 * per-token origins; X-Content-Type-Options, Cache-Control, X-Request-Id
 * and no Server version.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "harness.h"
#include "testutil.h"

#define ALLOWED "https://app.example.org"
#define TOKEN_ORIGIN "https://dash.example.net"

/* Occurrences of a response header (case-insensitive name). */
static int hdr_count(const struct reply *r, const char *name)
{
	const char *p = gw_buf_str(&r->headers);
	size_t n = strlen(name);
	int count = 0;

	while (p != NULL && *p != '\0') {
		if (strncasecmp(p, name, n) == 0 && p[n] == ':')
			count++;
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return count;
}

/* True when any occurrence of the header lists item (comma-separated, case-insensitive). */
static bool hdr_lists(const struct reply *r, const char *name, const char *item)
{
	const char *p = gw_buf_str(&r->headers);
	size_t n = strlen(name);
	size_t k = strlen(item);

	while (p != NULL && *p != '\0') {
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;
			const char *end = v + strcspn(v, "\r\n");

			while (v < end) {
				size_t len;

				v += strspn(v, " \t,");
				len = strcspn(v, ",\r\n");
				while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
					len--;
				if (len == k && strncasecmp(v, item, k) == 0)
					return true;
				v += len;
				v += strcspn(v, ",\r\n");
			}
		}
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return false;
}

/* What every gateway response carries; Allow-Origin echoes origin exactly when allowed. */
static void assert_common(const struct reply *r, const char *origin, bool allowed)
{
	long s = r->status;

	ck_assert_msg(hdr_lists(r, "Vary", "Origin"), "%ld without Vary: Origin", s);
	ck_assert_msg(header(r, "X-Content-Type-Options") != NULL, "%ld without nosniff", s);
	ck_assert_str_eq(header(r, "X-Content-Type-Options"), "nosniff");
	ck_assert_msg(header(r, "Cache-Control") != NULL, "%ld without Cache-Control", s);
	ck_assert_str_eq(header(r, "Cache-Control"), "no-store");
	ck_assert_msg(header(r, "X-Request-Id") != NULL, "%ld without X-Request-Id", s);
	ck_assert_msg(header(r, "Server") == NULL, "Server: %s", header(r, "Server"));
	ck_assert_ptr_null(header(r, "Access-Control-Allow-Credentials"));
	ck_assert_int_le(hdr_count(r, "Access-Control-Allow-Origin"), 1);
	if (allowed) {
		ck_assert_msg(header(r, "Access-Control-Allow-Origin") != NULL,
			      "%ld to allowed %s without Access-Control-Allow-Origin", s, origin);
		ck_assert_str_eq(header(r, "Access-Control-Allow-Origin"), origin);
	} else {
		ck_assert_msg(header(r, "Access-Control-Allow-Origin") == NULL,
			      "%ld to %s with Access-Control-Allow-Origin: %s", s,
			      origin != NULL ? origin : "(no origin)",
			      header(r, "Access-Control-Allow-Origin"));
	}
}

static void origin_request(struct reply *r, const char *method, const char *path, const char *token,
			   const char *origin, const char *extra)
{
	char line[256];
	struct req q = {.method = method, .path = path, .token = token, .extra_header2 = extra};

	if (origin != NULL) {
		snprintf(line, sizeof(line), "Origin: %s", origin);
		q.extra_header = line;
	}
	do_request(&q, r);
}

static const struct {
	const char *origin;
	bool allowed;
} origin_table[] = {
	{ALLOWED, true},
	{"https://evil.example.com", false},
	{"null", false},
	{"https://app.example.org.evil.test", false}, /* suffix trick */
	{"https://evil-app.example.org", false},      /* prefix trick */
	{"https://evilapp.example.org", false},
	{"https://example.org", false},
	{"http://app.example.org", false},       /* scheme */
	{"https://app.example.org:8443", false}, /* port */
	{"https://app.example.org:443", false},  /* browsers never send the default port */
	{"https://app.example.org/", false},
	{"https://APP.EXAMPLE.ORG", false},
	{"*", false},
};

START_TEST(test_cors_origin_table)
{
	const char *origin = origin_table[_i].origin;
	bool allowed = origin_table[_i].allowed;
	struct reply r;

	origin_request(&r, "GET", "/v1/meetings", tok_read, origin, NULL);
	ck_assert_int_eq(r.status, 200); /* CORS is not access control: the token decides */
	assert_common(&r, origin, allowed);
	reply_free(&r);
	origin_request(&r, "OPTIONS", "/v1/meetings", NULL, origin,
		       "Access-Control-Request-Method: POST");
	assert_common(&r, origin, allowed);
	if (allowed) {
		ck_assert_int_eq(r.status, 204);
		ck_assert(hdr_lists(&r, "Access-Control-Allow-Methods", "POST"));
		ck_assert(hdr_lists(&r, "Access-Control-Allow-Headers", "Authorization"));
		ck_assert(hdr_lists(&r, "Access-Control-Allow-Headers", "Content-Type"));
		ck_assert(hdr_lists(&r, "Access-Control-Allow-Headers", "X-Request-Id"));
		ck_assert_ptr_nonnull(header(&r, "Access-Control-Max-Age"));
	} else {
		assert_problem(&r, 403, "forbidden");
	}
	reply_free(&r);
}
END_TEST

static const char big_body[5000] = "{\"name\":\"";

/* Responses of every class; one loop run per row, each asked from three origins. */
static const struct {
	const char *method;
	const char *path;
	const char *token;
	const char *body;
	const char *content_type;
	long status;
} status_table[] = {
	{"GET", "/healthz", NULL, NULL, NULL, 200},
	{"GET", "/v1/meetings", tok_read, NULL, NULL, 200},
	{"POST", "/v1/meetings", tok_all, "{}", NULL, 400},
	{"GET", "/v1/meetings", NULL, NULL, NULL, 401},
	{"GET", "/v1/meetings", "bgw_not_a_token", NULL, NULL, 401},
	{"POST", "/v1/meetings", tok_read, "{\"name\":\"x\"}", NULL, 403},
	{"GET", "/v1/nowhere", tok_read, NULL, NULL, 404},
	{"DELETE", "/v1/meetings", tok_all, NULL, NULL, 405},
	{"POST", "/v1/meetings", tok_all, big_body, NULL, 413},
	{"POST", "/v1/meetings", tok_all, "{\"name\":\"x\"}", "text/plain", 415},
	{"GET", "/v1/meetings/broken", tok_read, NULL, NULL, 502}, /* getMeetingInfo: HTTP 500 */
	{"GET", "/readyz", NULL, NULL, NULL, 503},                 /* API root: HTTP 500 */
};

static void status_request(size_t row, const char *origin, struct reply *r)
{
	char line[256];
	struct req q = {
		.method = status_table[row].method,
		.path = status_table[row].path,
		.token = status_table[row].token,
		.body = status_table[row].body,
		.body_len = status_table[row].body == big_body ? sizeof(big_body) : 0,
		.content_type = status_table[row].content_type,
	};

	if (origin != NULL) {
		snprintf(line, sizeof(line), "Origin: %s", origin);
		q.extra_header = line;
	}
	do_request(&q, r);
}

START_TEST(test_cors_headers_on_every_status)
{
	static const char *const origins[] = {ALLOWED, "https://evil.example.com", NULL};
	struct bbbsim_fault http500 = {.kind = BBBSIM_FAULT_HTTP_STATUS, .http_status = 500};
	size_t i;

	bbbsim_set_fault(sim, "getMeetingInfo", &http500);
	bbbsim_set_fault(sim, "", &http500);
	for (i = 0; i < sizeof(origins) / sizeof(origins[0]); i++) {
		struct reply r;
		const char *ctype;

		status_request((size_t)_i, origins[i], &r);
		ck_assert_int_eq(r.status, status_table[_i].status);
		assert_common(&r, origins[i], i == 0);
		ctype = header(&r, "Content-Type");
		ck_assert_ptr_nonnull(ctype);
		ck_assert_str_eq(ctype, r.status >= 400 ? "application/problem+json"
							: "application/json; charset=utf-8");
		reply_free(&r);
	}
}
END_TEST

/* The contract lists the allowed methods and headers; a browser must not be told others work. */
START_TEST(test_cors_preflight_disallowed_method_or_header)
{
	static const char *const asks[] = {
		"Access-Control-Request-Method: PUT",
		"Access-Control-Request-Method: TRACE",
		"Access-Control-Request-Headers: X-Evil",
	};
	size_t i;

	for (i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
		struct reply r;
		const char *want = strchr(asks[i], ':') + 2;

		origin_request(&r, "OPTIONS", "/v1/meetings", NULL, ALLOWED, asks[i]);
		ck_assert(hdr_lists(&r, "Vary", "Origin"));
		if (r.status == 403) {
			ck_assert_ptr_null(header(&r, "Access-Control-Allow-Origin"));
		} else {
			ck_assert_int_eq(r.status, 204);
			ck_assert(!hdr_lists(&r, "Access-Control-Allow-Methods", want));
			ck_assert(!hdr_lists(&r, "Access-Control-Allow-Headers", want));
		}
		reply_free(&r);
	}
}
END_TEST

/* --- per-token origins ---------------------------------------------------- */

static char tok_dash[GW_AUTH_TOKEN_LEN + 1];

/* Restarts the gateway with a meetings:read token limited to TOKEN_ORIGIN. */
static void token_origin_setup(void)
{
	char hash[7 + 2 * GW_AUTH_HASH_LEN + 1];
	struct gw_token *t;

	setup();
	gw_gateway_stop(gw);
	gw = NULL;
	ck_assert_int_eq(gw_auth_token_new(tok_dash, hash), GW_OK);
	cfg->tokens = realloc(cfg->tokens, (cfg->n_tokens + 1) * sizeof(*cfg->tokens));
	ck_assert_ptr_nonnull(cfg->tokens);
	t = &cfg->tokens[cfg->n_tokens++];
	memset(t, 0, sizeof(*t));
	t->name = strdup("dash");
	t->scopes = GW_SCOPE_MEETINGS_READ;
	t->origins = calloc(1, sizeof(char *));
	ck_assert_ptr_nonnull(t->origins);
	t->origins[0] = strdup(TOKEN_ORIGIN);
	t->n_origins = 1;
	ck_assert_int_eq(gw_auth_hash_parse(hash, t->hash), GW_OK);
	ck_assert_int_eq(gw_gateway_start(cfg, -1, &gw), GW_OK);
}

START_TEST(test_cors_token_origins)
{
	struct reply r;

	origin_request(&r, "GET", "/v1/meetings", tok_dash, TOKEN_ORIGIN, NULL);
	ck_assert_int_eq(r.status, 200);
	assert_common(&r, TOKEN_ORIGIN, true);
	reply_free(&r);
	origin_request(&r, "GET", "/v1/meetings", tok_dash, "https://evil.example.com", NULL);
	assert_problem(&r, 403, "origin_not_allowed");
	assert_common(&r, "https://evil.example.com", false);
	reply_free(&r);
	origin_request(&r, "GET", "/v1/meetings", tok_dash, NULL, NULL); /* not a browser */
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	/* Before auth, any token's origin passes the preflight. */
	origin_request(&r, "OPTIONS", "/v1/meetings", NULL, TOKEN_ORIGIN,
		       "Access-Control-Request-Method: GET");
	ck_assert_int_eq(r.status, 204);
	assert_common(&r, TOKEN_ORIGIN, true);
	reply_free(&r);
	/* A token without origins gets only the global list. */
	origin_request(&r, "GET", "/v1/meetings", tok_read, TOKEN_ORIGIN, NULL);
	ck_assert_int_eq(r.status, 200);
	assert_common(&r, TOKEN_ORIGIN, false);
	reply_free(&r);
}
END_TEST

/*
 * docs/api.md: "When a token lists origins, requests with that token from
 * other origins get 403" - the global cors.origins included.
 */
START_TEST(test_cors_token_origins_exclude_global_list)
{
	struct reply r;

	origin_request(&r, "GET", "/v1/meetings", tok_dash, ALLOWED, NULL);
	assert_problem(&r, 403, "origin_not_allowed");
	assert_common(&r, ALLOWED, false);
	reply_free(&r);
}
END_TEST

static Suite *cors_suite(void)
{
	Suite *s = suite_create("cors");
	TCase *tc = tcase_create("global");
	TCase *tok = tcase_create("token");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_cors_origin_table, 0,
			    (int)(sizeof(origin_table) / sizeof(origin_table[0])));
	tcase_add_loop_test(tc, test_cors_headers_on_every_status, 0,
			    (int)(sizeof(status_table) / sizeof(status_table[0])));
	tcase_add_test(tc, test_cors_preflight_disallowed_method_or_header);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tok, token_origin_setup, teardown);
	tcase_set_timeout(tok, 30);
	tcase_add_test(tok, test_cors_token_origins);
	tcase_add_test(tok, test_cors_token_origins_exclude_global_list);
	suite_add_tcase(s, tok);
	return s;
}

GW_TEST_MAIN(cors_suite)
