/*
 * check_metrics.c - the Prometheus metrics: request and upstream counters
 * by label set, cumulative histogram buckets with +Inf, _sum and _count,
 * "other" for values outside the fixed tables (so no free text reaches a
 * label), label escaping, gauges and extras, exact totals under several
 * threads, deterministic output, the buffer cap, and a parser that checks
 * every line of the output against the text exposition format 0.0.4.
 */
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_version.h"
#include "metrics.h"
#include "testutil.h"

static const char *const routes[] = {
	"/healthz",
	"/v1/meetings",
	"/v1/meetings", /* same template, another method: shares the series */
	"/v1/meetings/{meetingID}",
};
#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

/* BBB call labels, as the gateway passes its table's (metrics knows no call by itself). */
static const char *const calls[] = {"apiRoot",        "create",      "end",
				    "getMeetingInfo", "getMeetings", "hooks/create"};
#define N_CALLS (sizeof(calls) / sizeof(calls[0]))

/* ---- an exposition-format checker ---- */

#define MAX_SERIES 4096

struct family {
	char name[128];
	char type[16];
	bool help;
};

struct checker {
	struct family fam[256];
	size_t n_fam;
	struct family *cur; /* the family whose samples may follow */
	char *series[MAX_SERIES];
	size_t n_series;
	/* the histogram series being read: labels without le, last cumulative count */
	char hist_key[1024];
	bool hist_open;
	double hist_last;
	bool hist_inf_seen;
	double hist_inf;
	char err[2200];
};

static bool name_char(char c, bool first, bool colon)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':'))
		return true;
	return !first && c >= '0' && c <= '9';
}

/* Length of the metric (colon) or label name at s; 0 when there is none. */
static size_t name_len(const char *s, bool colon)
{
	size_t n = 0;

	while (name_char(s[n], n == 0, colon))
		n++;
	return n;
}

static bool reject(struct checker *c, const char *line, const char *why)
{
	snprintf(c->err, sizeof(c->err), "%.100s: [%s]", why, line);
	return false;
}

static struct family *family_find(struct checker *c, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < c->n_fam; i++) {
		if (strlen(c->fam[i].name) == n && strncmp(c->fam[i].name, name, n) == 0)
			return &c->fam[i];
	}
	return NULL;
}

static bool parse_value(const char *s, double *v)
{
	char *end;

	if (strcmp(s, "+Inf") == 0 || strcmp(s, "-Inf") == 0 || strcmp(s, "NaN") == 0) {
		*v = strcmp(s, "NaN") == 0 ? NAN : (s[0] == '-' ? -INFINITY : INFINITY);
		return true;
	}
	if (*s == '\0')
		return false;
	*v = strtod(s, &end);
	return *end == '\0' && isfinite(*v);
}

static bool check_comment(struct checker *c, const char *line)
{
	bool help = strncmp(line, "# HELP ", 7) == 0;
	const char *p = line + 7;
	size_t n = name_len(p, true);
	struct family *f;

	if (!help && strncmp(line, "# TYPE ", 7) != 0)
		return reject(c, line, "comment that is neither HELP nor TYPE");
	if (n == 0 || p[n] != ' ')
		return reject(c, line, "bad metric name");
	f = family_find(c, p, n);
	if (help) {
		if (f != NULL)
			return reject(c, line, "second HELP for a family");
		if (c->n_fam == sizeof(c->fam) / sizeof(c->fam[0]) || n >= sizeof(f->name))
			return reject(c, line, "too many families");
		f = &c->fam[c->n_fam++];
		memcpy(f->name, p, n);
		f->name[n] = '\0';
		f->help = true;
		f->type[0] = '\0';
		return p[n + 1] != '\0' ? true : reject(c, line, "empty HELP");
	}
	if (f == NULL || f->type[0] != '\0')
		return reject(c, line, "TYPE without HELP before it, or a second TYPE");
	p += n + 1;
	if (strcmp(p, "counter") != 0 && strcmp(p, "gauge") != 0 && strcmp(p, "histogram") != 0 &&
	    strcmp(p, "summary") != 0 && strcmp(p, "untyped") != 0)
		return reject(c, line, "unknown TYPE");
	memcpy(f->type, p, strlen(p) + 1);
	c->cur = f;
	return true;
}

/*
 * Parses {a="x",b="y"} at *pp. Writes the labels without `le` to key and
 * the le value to le (empty when absent). Checks names, escapes and
 * duplicates.
 */
static bool parse_labels(struct checker *c, const char *line, const char **pp, char *key,
			 size_t keylen, char *le, size_t lelen)
{
	const char *p = *pp;
	char seen[16][64];
	size_t n_seen = 0;
	size_t used = 0;
	const char *lname;

	key[0] = '\0';
	le[0] = '\0';
	if (*p != '{')
		return true;
	p++;
	while (*p != '}') {
		size_t n = name_len(p, false);
		char val[512];
		size_t vl = 0;
		size_t i;

		if (n == 0 || n >= 64 || p[n] != '=' || p[n + 1] != '"')
			return reject(c, line, "bad label name");
		for (i = 0; i < n_seen; i++) {
			if (strlen(seen[i]) == n && strncmp(seen[i], p, n) == 0)
				return reject(c, line, "duplicate label");
		}
		if (n_seen == 16)
			return reject(c, line, "too many labels");
		memcpy(seen[n_seen], p, n);
		seen[n_seen++][n] = '\0';
		lname = p;
		p += n + 2;
		while (*p != '"') {
			if (*p == '\0' || *p == '\n' || vl + 2 >= sizeof(val))
				return reject(c, line, "unterminated label value");
			if (*p == '\\') {
				if (p[1] != '\\' && p[1] != '"' && p[1] != 'n')
					return reject(c, line, "bad escape in label value");
				val[vl++] = *p++;
			}
			val[vl++] = *p++;
		}
		val[vl] = '\0';
		p++;
		if (n == 2 && strncmp(lname, "le", 2) == 0) {
			snprintf(le, lelen, "%s", val);
		} else {
			int w = snprintf(key + used, keylen - used, "%.*s=\"%s\",", (int)n, lname,
					 val);

			if (w < 0 || (size_t)w >= keylen - used)
				return reject(c, line, "labels too long");
			used += (size_t)w;
		}
		if (*p == ',' && p[1] != '}')
			p++;
		else if (*p != '}')
			return reject(c, line, "expected , or } after a label");
	}
	*pp = p + 1;
	return true;
}

static bool suffix_is(const char *name, size_t n, const char *fam, const char *suffix)
{
	size_t fl = strlen(fam);

	return n == fl + strlen(suffix) && strncmp(name, fam, fl) == 0 &&
	       strncmp(name + fl, suffix, n - fl) == 0;
}

static bool check_histogram(struct checker *c, const char *line, const char *name, size_t n,
			    const char *key, const char *le, double v)
{
	const char *fam = c->cur->name;

	if (suffix_is(name, n, fam, "_bucket")) {
		double bound;

		if (le[0] == '\0' || !parse_value(le, &bound))
			return reject(c, line, "bucket without a valid le");
		if (c->hist_open && strcmp(key, c->hist_key) != 0)
			return reject(c, line, "new bucket series before the last one's _count");
		if (!c->hist_open) {
			snprintf(c->hist_key, sizeof(c->hist_key), "%s", key);
			c->hist_open = true;
			c->hist_last = 0;
			c->hist_inf_seen = false;
		}
		if (v < c->hist_last)
			return reject(c, line, "bucket counts are not cumulative");
		c->hist_last = v;
		if (isinf(bound)) {
			c->hist_inf_seen = true;
			c->hist_inf = v;
		}
		return true;
	}
	if (le[0] != '\0')
		return reject(c, line, "le outside a bucket");
	if (suffix_is(name, n, fam, "_sum"))
		return c->hist_open && strcmp(key, c->hist_key) == 0 && c->hist_inf_seen
			       ? true
			       : reject(c, line, "_sum before the +Inf bucket");
	if (suffix_is(name, n, fam, "_count")) {
		if (!c->hist_open || strcmp(key, c->hist_key) != 0 || !c->hist_inf_seen ||
		    v != c->hist_inf)
			return reject(c, line, "_count differs from the +Inf bucket");
		c->hist_open = false;
		return true;
	}
	return reject(c, line, "histogram sample without _bucket/_sum/_count");
}

static bool check_sample(struct checker *c, const char *line)
{
	const char *p = line;
	size_t n = name_len(p, true);
	char key[1024];
	char le[512];
	char series[3200];
	double v;
	size_t i;

	if (n == 0)
		return reject(c, line, "bad sample name");
	if (c->cur == NULL)
		return reject(c, line, "sample before any TYPE");
	p += n;
	if (!parse_labels(c, line, &p, key, sizeof(key), le, sizeof(le)))
		return false;
	if (*p != ' ' || !parse_value(p + 1, &v))
		return reject(c, line, "bad value");
	if (strcmp(c->cur->type, "histogram") == 0) {
		if (!check_histogram(c, line, line, n, key, le, v))
			return false;
	} else if (strlen(c->cur->name) != n || strncmp(c->cur->name, line, n) != 0) {
		return reject(c, line, "sample of another family than the last TYPE");
	}
	if (strcmp(c->cur->type, "counter") == 0 && !(v >= 0))
		return reject(c, line, "negative counter");
	snprintf(series, sizeof(series), "%.*s{%s%s}", (int)n, line, key, le);
	for (i = 0; i < c->n_series; i++) {
		if (strcmp(c->series[i], series) == 0)
			return reject(c, line, "duplicate series");
	}
	if (c->n_series == MAX_SERIES)
		return reject(c, line, "too many series");
	c->series[c->n_series++] = strdup(series);
	return true;
}

/* Checks a whole exposition text; on failure the reason is in c->err. */
static bool check_exposition(struct checker *c, const char *text)
{
	const char *p = text;
	char line[2048];
	bool ok = true;

	memset(c, 0, sizeof(*c));
	if (*p == '\0' || text[strlen(text) - 1] != '\n')
		return reject(c, "", "empty output or no final newline");
	while (ok && *p != '\0') {
		size_t n = strcspn(p, "\n");

		if (n == 0 || n >= sizeof(line))
			return reject(c, "", "empty or overlong line");
		memcpy(line, p, n);
		line[n] = '\0';
		p += n + 1;
		ok = line[0] == '#' ? check_comment(c, line) : check_sample(c, line);
	}
	if (ok && c->hist_open)
		ok = reject(c, "", "histogram without _count at the end");
	return ok;
}

static void checker_free(struct checker *c)
{
	size_t i;

	for (i = 0; i < c->n_series; i++)
		free(c->series[i]);
	c->n_series = 0;
}

/* ---- helpers ---- */

/* Renders m into a malloc'd string and checks it with the parser. */
static char *render(struct gw_metrics *m, const struct gw_metrics_extra *extra)
{
	struct gw_buf b;
	struct checker *c = malloc(sizeof(*c));
	char *text;
	bool ok;

	ck_assert_ptr_nonnull(c);
	gw_buf_init(&b, 1u << 22);
	ck_assert_int_eq(gw_metrics_render(m, extra, &b), GW_OK);
	text = gw_buf_take(&b, NULL);
	ck_assert_ptr_nonnull(text);
	ok = check_exposition(c, text);
	if (!ok)
		fprintf(stderr, "# exposition error: %s\n", c->err);
	ck_assert_msg(ok, "invalid exposition: %s", c->err);
	checker_free(c);
	free(c);
	return text;
}

/* True when text has exactly this line. */
static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
		p += n;
	}
	return false;
}

#define ASSERT_LINE(text, line) ck_assert_msg(has_line(text, line), "missing line: %s", line)
#define ASSERT_NO(text, s) ck_assert_msg(strstr(text, s) == NULL, "unexpected: %s", s)

/* ---- tests ---- */

START_TEST(test_metrics_request_counts)
{
	struct gw_metrics *m = gw_metrics_new(routes, N_ROUTES, calls, N_CALLS);
	char *t;

	ck_assert_ptr_nonnull(m);
	gw_metrics_request(m, 0, "GET", 200, 0.0001);
	gw_metrics_request(m, 0, "GET", 200, 0.0001);
	gw_metrics_request(m, 1, "GET", 200, 0.02);
	gw_metrics_request(m, 2, "POST", 201, 0.2);
	gw_metrics_request(m, 2, "POST", 409, 0.2);
	gw_metrics_request(m, 3, "GET", 404, 0.003);
	t = render(m, NULL);
	ASSERT_LINE(t, "bbb_gateway_http_requests_total{route=\"/healthz\",method=\"GET\","
		       "status=\"200\"} 2");
	ASSERT_LINE(t, "bbb_gateway_http_requests_total{route=\"/v1/meetings\",method=\"GET\","
		       "status=\"200\"} 1");
	ASSERT_LINE(t, "bbb_gateway_http_requests_total{route=\"/v1/meetings\",method=\"POST\","
		       "status=\"201\"} 1");
	ASSERT_LINE(t, "bbb_gateway_http_requests_total{route=\"/v1/meetings\",method=\"POST\","
		       "status=\"409\"} 1");
	ASSERT_LINE(t, "bbb_gateway_http_requests_total{route=\"/v1/meetings/{meetingID}\","
		       "method=\"GET\",status=\"404\"} 1");
	/* the duplicated template is one histogram series holding both indexes */
	ASSERT_LINE(t, "bbb_gateway_http_request_duration_seconds_count{route=\"/v1/meetings\"} 3");
	ASSERT_LINE(t, "bbb_gateway_http_request_duration_seconds_count{route=\"/healthz\"} 2");
	/* label sets never counted are left out */
	ASSERT_NO(t, "status=\"500\"");
	ASSERT_NO(t, "(unmatched)");
	free(t);
	gw_metrics_free(m);
}
END_TEST

START_TEST(test_metrics_histogram_buckets)
{
	struct gw_metrics *m = gw_metrics_new(routes, N_ROUTES, calls, N_CALLS);
	static const char *const want[] = {
		"le=\"0.001\"} 2", "le=\"0.0025\"} 2", "le=\"0.005\"} 3", "le=\"0.01\"} 3",
		"le=\"0.025\"} 3", "le=\"0.05\"} 3",   "le=\"0.1\"} 3",   "le=\"0.25\"} 4",
		"le=\"0.5\"} 4",   "le=\"1\"} 4",      "le=\"2.5\"} 4",   "le=\"5\"} 4",
		"le=\"10\"} 4",    "le=\"+Inf\"} 5",
	};
	char line[256];
	char *t;
	size_t i;

	gw_metrics_request(m, 0, "GET", 200, 0.0005);
	gw_metrics_request(m, 0, "GET", 200, 0.001); /* a bound is inclusive (le) */
	gw_metrics_request(m, 0, "GET", 200, 0.003);
	gw_metrics_request(m, 0, "GET", 200, 0.2);
	gw_metrics_request(m, 0, "GET", 200, 11.0);
	t = render(m, NULL);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		snprintf(line, sizeof(line),
			 "bbb_gateway_http_request_duration_seconds_bucket{route=\"/healthz\",%s",
			 want[i]);
		ASSERT_LINE(t, line);
	}
	ASSERT_LINE(t, "bbb_gateway_http_request_duration_seconds_sum{route=\"/healthz\"} "
		       "11.204500000");
	ASSERT_LINE(t, "bbb_gateway_http_request_duration_seconds_count{route=\"/healthz\"} 5");
	free(t);
	gw_metrics_free(m);
}
END_TEST

START_TEST(test_metrics_bad_durations_count_as_zero)
{
	struct gw_metrics *m = gw_metrics_new(routes, N_ROUTES, calls, N_CALLS);
	char *t;

	gw_metrics_request(m, 0, "GET", 200, -1.0);
	gw_metrics_request(m, 0, "GET", 200, NAN);
	gw_metrics_request(m, 0, "GET", 200, INFINITY);
	t = render(m, NULL);
	ASSERT_LINE(t, "bbb_gateway_http_request_duration_seconds_bucket{route=\"/healthz\","
		       "le=\"0.001\"} 2");
	ASSERT_LINE(t, "bbb_gateway_http_request_duration_seconds_bucket{route=\"/healthz\","
		       "le=\"+Inf\"} 3");
	ASSERT_LINE(t, "bbb_gateway_http_request_duration_seconds_sum{route=\"/healthz\"} "
		       "1000000000.000000000");
	free(t);
	gw_metrics_free(m);
}
END_TEST

START_TEST(test_metrics_unknown_values_are_other)
{
	struct gw_metrics *m = gw_metrics_new(routes, N_ROUTES, calls, N_CALLS);
	char *t;

	gw_metrics_request(m, 0, "GET", 418, 0.01);
	gw_metrics_request(m, 0, "BREW", 200, 0.01);
	gw_metrics_request(m, 0, NULL, 200, 0.01);
	gw_metrics_request(m, 0, "get", -1, 0.01); /* method names are case-sensitive */
	gw_metrics_request(m, N_ROUTES, "GET", 404, 0.01);
	gw_metrics_request(m, (size_t)-1, "GET", 404, 0.01);
	t = render(m, NULL);
	ASSERT_LINE(t, "bbb_gateway_http_requests_total{route=\"/healthz\",method=\"GET\","
		       "status=\"other\"} 1");
	ASSERT_LINE(t, "bbb_gateway_http_requests_total{route=\"/healthz\",method=\"other\","
		       "status=\"200\"} 2");
	ASSERT_LINE(t, "bbb_gateway_http_requests_total{route=\"/healthz\",method=\"other\","
		       "status=\"other\"} 1");
	ASSERT_LINE(t, "bbb_gateway_http_requests_total{route=\"(unmatched)\",method=\"GET\","
		       "status=\"404\"} 2");
	ASSERT_NO(t, "BREW");
	ASSERT_NO(t, "\"418\""); /* as a label value; a timestamp may hold the digits */
	free(t);
	gw_metrics_free(m);
}
END_TEST

START_TEST(test_metrics_every_fixed_status_and_method)
{
	static const int st[] = {200, 201, 202, 204, 400, 401, 403, 404, 405,
				 406, 409, 413, 415, 429, 500, 502, 503, 504};
	static const char *const me[] = {"GET",   "HEAD",   "POST",   "PUT",
					 "PATCH", "DELETE", "OPTIONS"};
	struct gw_metrics *m = gw_metrics_new(routes, N_ROUTES, calls, N_CALLS);
	char line[256];
	char *t;
	size_t i;

	for (i = 0; i < sizeof(st) / sizeof(st[0]); i++)
		gw_metrics_request(m, 3, "GET", st[i], 0.01);
	for (i = 0; i < sizeof(me) / sizeof(me[0]); i++)
		gw_metrics_request(m, 0, me[i], 204, 0.01);
	t = render(m, NULL);
	for (i = 0; i < sizeof(st) / sizeof(st[0]); i++) {
		snprintf(line, sizeof(line),
			 "bbb_gateway_http_requests_total{route=\"/v1/meetings/{meetingID}\","
			 "method=\"GET\",status=\"%d\"} 1",
			 st[i]);
		ASSERT_LINE(t, line);
	}
	for (i = 0; i < sizeof(me) / sizeof(me[0]); i++) {
		snprintf(line, sizeof(line),
			 "bbb_gateway_http_requests_total{route=\"/healthz\",method=\"%s\","
			 "status=\"204\"} 1",
			 me[i]);
		ASSERT_LINE(t, line);
	}
	ASSERT_NO(t, "\"other\"");
	free(t);
	gw_metrics_free(m);
}
END_TEST

START_TEST(test_metrics_label_escaping)
{
	static const char *const odd[] = {"/a\"b\\c\nd", "/plain"};
	struct gw_metrics *m = gw_metrics_new(odd, 2, calls, N_CALLS);
	char *t;

	gw_metrics_request(m, 0, "GET", 200, 0.01);
	t = render(m, NULL);
	ASSERT_LINE(t, "bbb_gateway_http_requests_total{route=\"/a\\\"b\\\\c\\nd\",method=\"GET\","
		       "status=\"200\"} 1");
	ASSERT_LINE(t, "bbb_gateway_http_request_duration_seconds_count{route=\"/"
		       "a\\\"b\\\\c\\nd\"} 1");
	free(t);
	gw_metrics_free(m);
}
END_TEST

START_TEST(test_metrics_upstream_calls_and_outcomes)
{
	struct gw_metrics *m = gw_metrics_new(routes, N_ROUTES, calls, N_CALLS);
	char *t;

	gw_metrics_upstream(m, "getMeetingInfo", "ok", 0.05);
	gw_metrics_upstream(m, "getMeetingInfo", "ok", 0.05);
	gw_metrics_upstream(m, "getMeetingInfo", "timeout", 10.5);
	gw_metrics_upstream(m, "hooks/create", "connect", 0.002);
	/* free text never becomes a label value */
	gw_metrics_upstream(m, "create?name=x&checksum=deadbeef", "ok", 0.1);
	gw_metrics_upstream(m, NULL, "secret-outcome", 0.1);
	t = render(m, NULL);
	ASSERT_LINE(t, "bbb_gateway_upstream_requests_total{call=\"getMeetingInfo\","
		       "outcome=\"ok\"} 2");
	ASSERT_LINE(t, "bbb_gateway_upstream_requests_total{call=\"getMeetingInfo\","
		       "outcome=\"timeout\"} 1");
	ASSERT_LINE(t, "bbb_gateway_upstream_requests_total{call=\"hooks/create\","
		       "outcome=\"connect\"} 1");
	ASSERT_LINE(t, "bbb_gateway_upstream_requests_total{call=\"other\",outcome=\"ok\"} 1");
	ASSERT_LINE(t, "bbb_gateway_upstream_requests_total{call=\"other\",outcome=\"other\"} 1");
	ASSERT_LINE(t, "bbb_gateway_upstream_duration_seconds_bucket{call=\"getMeetingInfo\","
		       "le=\"10\"} 2");
	ASSERT_LINE(t, "bbb_gateway_upstream_duration_seconds_bucket{call=\"getMeetingInfo\","
		       "le=\"+Inf\"} 3");
	ASSERT_LINE(t, "bbb_gateway_upstream_duration_seconds_sum{call=\"getMeetingInfo\"} "
		       "10.600000000");
	ASSERT_LINE(t, "bbb_gateway_upstream_duration_seconds_count{call=\"other\"} 2");
	ASSERT_NO(t, "checksum");
	ASSERT_NO(t, "deadbeef");
	ASSERT_NO(t, "secret");
	ASSERT_NO(t, "call=\"create\"");
	free(t);
	gw_metrics_free(m);
}
END_TEST

START_TEST(test_metrics_outcome_words)
{
	ck_assert_str_eq(gw_metrics_outcome(GW_OK, 200), "ok");
	ck_assert_str_eq(gw_metrics_outcome(GW_OK, 204), "ok");
	ck_assert_str_eq(gw_metrics_outcome(GW_OK, 404), "http");
	ck_assert_str_eq(gw_metrics_outcome(GW_OK, 500), "http");
	ck_assert_str_eq(gw_metrics_outcome(GW_OK, 0), "http");
	ck_assert_str_eq(gw_metrics_outcome(GW_E_UPSTREAM_TIMEOUT, 0), "timeout");
	ck_assert_str_eq(gw_metrics_outcome(GW_E_UPSTREAM_CONNECT, 0), "connect");
	ck_assert_str_eq(gw_metrics_outcome(GW_E_UPSTREAM_BAD_REPLY, 200), "bad_reply");
	ck_assert_str_eq(gw_metrics_outcome(GW_E_UPSTREAM_TOO_LARGE, 200), "too_large");
	ck_assert_str_eq(gw_metrics_outcome(GW_E_UPSTREAM_HTTP, 502), "http");
	ck_assert_str_eq(gw_metrics_outcome(GW_E_UNAVAILABLE, 0), "unavailable");
	ck_assert_str_eq(gw_metrics_outcome(GW_E_NOMEM, 0), "other");
	ck_assert_str_eq(gw_metrics_outcome(GW_E__COUNT, 200), "other");
}
END_TEST

START_TEST(test_metrics_gauges_and_reloads)
{
	struct gw_metrics *m = gw_metrics_new(routes, N_ROUTES, calls, N_CALLS);
	char line[128];
	char *t;

	t = render(m, NULL);
	ASSERT_LINE(t, "bbb_gateway_upstream_inflight 0");
	ASSERT_LINE(t, "bbb_gateway_draining 0");
	ASSERT_LINE(t, "bbb_gateway_config_reloads_total{result=\"ok\"} 0");
	ASSERT_LINE(t, "bbb_gateway_config_reloads_total{result=\"failed\"} 0");
	free(t);

	gw_metrics_inflight_add(m, 3);
	gw_metrics_inflight_add(m, -1);
	gw_metrics_reload(m, true);
	gw_metrics_reload(m, true);
	gw_metrics_reload(m, false);
	gw_metrics_set_draining(m, true);
	t = render(m, NULL);
	ASSERT_LINE(t, "bbb_gateway_upstream_inflight 2");
	ASSERT_LINE(t, "bbb_gateway_draining 1");
	ASSERT_LINE(t, "bbb_gateway_config_reloads_total{result=\"ok\"} 2");
	ASSERT_LINE(t, "bbb_gateway_config_reloads_total{result=\"failed\"} 1");
	snprintf(line, sizeof(line), "bbb_gateway_build_info{version=\"%s\"} 1", GW_VERSION);
	ASSERT_LINE(t, line);
	ck_assert_ptr_nonnull(strstr(t, "\nprocess_start_time_seconds "));
	ck_assert_ptr_nonnull(strstr(t, "# TYPE process_start_time_seconds gauge\n"));
	ck_assert_ptr_nonnull(strstr(t, "# TYPE bbb_gateway_http_requests_total counter\n"));
	ck_assert_ptr_nonnull(strstr(t, "# TYPE bbb_gateway_http_request_duration_seconds "
					"histogram\n"));
	free(t);
	gw_metrics_set_draining(m, false);
	t = render(m, NULL);
	ASSERT_LINE(t, "bbb_gateway_draining 0");
	free(t);
	gw_metrics_free(m);
}
END_TEST

START_TEST(test_metrics_extra_series)
{
	struct gw_metrics *m = gw_metrics_new(routes, N_ROUTES, calls, N_CALLS);
	struct gw_metrics_extra ex = {.http_active = 7,
				      .upstream_open = 3,
				      .upstream_connects = 42,
				      .circuit_open = 1,
				      .conn_open = 12,
				      .conn_header_timeout = 5,
				      .conn_displaced = 2,
				      .conn_refused = 1,
				      .jwt_cache_hits = 9,
				      .jwt_cache_misses = 4};
	char *t;

	t = render(m, &ex);
	ASSERT_LINE(t, "bbb_gateway_jwt_cache_lookups_total{result=\"hit\"} 9");
	ASSERT_LINE(t, "bbb_gateway_jwt_cache_lookups_total{result=\"miss\"} 4");
	ASSERT_LINE(t, "bbb_gateway_upstream_circuit_open 1");
	ASSERT_LINE(t, "bbb_gateway_http_requests_in_flight 7");
	ASSERT_LINE(t, "bbb_gateway_upstream_connections_open 3");
	ASSERT_LINE(t, "bbb_gateway_upstream_connections_opened_total 42");
	ASSERT_LINE(t, "bbb_gateway_http_connections_open 12");
	ASSERT_LINE(t, "bbb_gateway_http_connections_ended_total{reason=\"header_timeout\"} 5");
	ASSERT_LINE(t, "bbb_gateway_http_connections_ended_total{reason=\"displaced\"} 2");
	ASSERT_LINE(t, "bbb_gateway_http_connections_ended_total{reason=\"refused\"} 1");
	free(t);
	ex.upstream_open = -1;
	ex.circuit_open = -1;
	t = render(m, &ex);
	ASSERT_NO(t, "bbb_gateway_upstream_connections_open ");
	ASSERT_NO(t, "circuit_open");
	ASSERT_LINE(t, "bbb_gateway_http_requests_in_flight 7");
	free(t);
	ex.conn_open = -1;
	t = render(m, &ex);
	ASSERT_NO(t, "connections_ended");
	free(t);
	t = render(m, NULL);
	ASSERT_NO(t, "in_flight");
	ASSERT_NO(t, "connections_open");
	ASSERT_NO(t, "connections_opened");
	free(t);
	gw_metrics_free(m);
}
END_TEST

/* The fleet's series: one per server, each server's own breaker among them. */
START_TEST(test_metrics_fleet_series)
{
	struct gw_metrics *m = gw_metrics_new(routes, N_ROUTES, calls, N_CALLS);
	struct gw_metrics_extra ex = {.http_active = -1,
				      .upstream_open = -1,
				      .upstream_connects = -1,
				      .circuit_open = -1,
				      .conn_open = -1,
				      .jwt_cache_hits = -1,
				      .events_received = -1,
				      .n_servers = 2};
	char *t;

	ex.servers[0] = (struct gw_metrics_server){.name = "bbb1",
						   .state = "enabled",
						   .healthy = true,
						   .meetings = 3,
						   .failed_polls = 0};
	ex.servers[1] = (struct gw_metrics_server){
		.name = "bbb2", .state = "cordoned", .failed_polls = 4, .circuit_open = true};
	t = render(m, &ex);
	ASSERT_LINE(t, "bbb_gateway_server_state{server=\"bbb2\",state=\"cordoned\"} 1");
	ASSERT_LINE(t, "bbb_gateway_server_healthy{server=\"bbb1\"} 1");
	ASSERT_LINE(t, "bbb_gateway_server_meetings{server=\"bbb1\"} 3");
	ASSERT_LINE(t, "bbb_gateway_server_failed_polls{server=\"bbb2\"} 4");
	ASSERT_LINE(t, "# TYPE bbb_gateway_server_circuit_open gauge");
	ASSERT_LINE(t, "bbb_gateway_server_circuit_open{server=\"bbb1\"} 0");
	ASSERT_LINE(t, "bbb_gateway_server_circuit_open{server=\"bbb2\"} 1");
	/* the fleet of one's breaker is another series, left out here */
	ASSERT_NO(t, "bbb_gateway_upstream_circuit_open");
	free(t);
	ex.n_servers = 0;
	t = render(m, &ex);
	ASSERT_NO(t, "bbb_gateway_server_");
	free(t);
	gw_metrics_free(m);
}
END_TEST

#define N_THREADS 8
#define N_PER_THREAD 50000

static void *hammer(void *arg)
{
	struct gw_metrics *m = arg;
	int i;

	for (i = 0; i < N_PER_THREAD; i++) {
		gw_metrics_request(m, (size_t)(i % 2), "GET", 200, 0.001);
		gw_metrics_upstream(m, "getMeetings", "ok", 0.001);
		gw_metrics_inflight_add(m, 1);
		gw_metrics_inflight_add(m, -1);
		if (i % 1000 == 0)
			gw_metrics_reload(m, true);
	}
	return NULL;
}

/* A scrape while other threads count must still be valid (it is checked by render()). */
static void *scrape(void *arg)
{
	int i;

	for (i = 0; i < 20; i++)
		free(render(arg, NULL));
	return NULL;
}

START_TEST(test_metrics_concurrent_totals_exact)
{
	struct gw_metrics *m = gw_metrics_new(routes, N_ROUTES, calls, N_CALLS);
	pthread_t th[N_THREADS + 1];
	char line[256];
	char *t;
	int i;

	for (i = 0; i < N_THREADS; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, hammer, m), 0);
	ck_assert_int_eq(pthread_create(&th[N_THREADS], NULL, scrape, m), 0);
	for (i = 0; i <= N_THREADS; i++)
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
	t = render(m, NULL);
	snprintf(line, sizeof(line),
		 "bbb_gateway_http_requests_total{route=\"/"
		 "healthz\",method=\"GET\",status=\"200\"} "
		 "%d",
		 N_THREADS * N_PER_THREAD / 2);
	ASSERT_LINE(t, line);
	snprintf(line, sizeof(line),
		 "bbb_gateway_http_request_duration_seconds_count{route=\"/v1/meetings\"} %d",
		 N_THREADS * N_PER_THREAD / 2);
	ASSERT_LINE(t, line);
	snprintf(line, sizeof(line),
		 "bbb_gateway_upstream_requests_total{call=\"getMeetings\",outcome=\"ok\"} %d",
		 N_THREADS * N_PER_THREAD);
	ASSERT_LINE(t, line);
	snprintf(line, sizeof(line),
		 "bbb_gateway_upstream_duration_seconds_sum{call=\"getMeetings\"} "
		 "%d.000000000",
		 N_THREADS * N_PER_THREAD / 1000);
	ASSERT_LINE(t, line);
	snprintf(line, sizeof(line), "bbb_gateway_config_reloads_total{result=\"ok\"} %d",
		 N_THREADS * N_PER_THREAD / 1000);
	ASSERT_LINE(t, line);
	ASSERT_LINE(t, "bbb_gateway_upstream_inflight 0");
	free(t);
	gw_metrics_free(m);
}
END_TEST

START_TEST(test_metrics_render_is_deterministic)
{
	struct gw_metrics *m = gw_metrics_new(routes, N_ROUTES, calls, N_CALLS);
	char *a;
	char *b;

	gw_metrics_request(m, 3, "DELETE", 204, 0.3);
	gw_metrics_request(m, 1, "GET", 200, 0.01);
	gw_metrics_upstream(m, "end", "ok", 0.3);
	gw_metrics_upstream(m, "create", "http", 0.3);
	a = render(m, NULL);
	b = render(m, NULL);
	ck_assert_str_eq(a, b);
	/* table order, not the order of first use */
	ck_assert(strstr(a, "route=\"/v1/meetings\",method") < strstr(a, "route=\"/v1/meetings/"
									 "{meetingID}\",method"));
	ck_assert(strstr(a, "call=\"create\",outcome") < strstr(a, "call=\"end\",outcome"));
	free(a);
	free(b);
	gw_metrics_free(m);
}
END_TEST

START_TEST(test_metrics_render_respects_cap)
{
	struct gw_metrics *m = gw_metrics_new(routes, N_ROUTES, calls, N_CALLS);
	struct gw_buf b;

	gw_metrics_request(m, 0, "GET", 200, 0.01);
	gw_buf_init(&b, 256);
	ck_assert_int_eq(gw_metrics_render(m, NULL, &b), GW_E_TOO_LARGE);
	ck_assert_uint_le(b.len, 256);
	gw_buf_deinit(&b);
	gw_metrics_free(m);
}
END_TEST

START_TEST(test_metrics_fresh_output_is_valid)
{
	struct gw_metrics *m = gw_metrics_new(NULL, 0, NULL, 0);
	char *t;

	ck_assert_ptr_nonnull(m);
	t = render(m, NULL);
	ASSERT_NO(t, "bbb_gateway_http_requests_total{");
	ASSERT_NO(t, "_bucket");
	free(t);
	gw_metrics_request(m, 0, "GET", 404, 0.01); /* with no routes, everything is unmatched */
	t = render(m, NULL);
	ASSERT_LINE(t, "bbb_gateway_http_requests_total{route=\"(unmatched)\",method=\"GET\","
		       "status=\"404\"} 1");
	free(t);
	gw_metrics_free(m);
}
END_TEST

START_TEST(test_metrics_null_is_noop)
{
	gw_metrics_request(NULL, 0, "GET", 200, 0.1);
	gw_metrics_upstream(NULL, "create", "ok", 0.1);
	gw_metrics_inflight_add(NULL, 1);
	gw_metrics_reload(NULL, true);
	gw_metrics_set_draining(NULL, true);
	gw_metrics_free(NULL);
}
END_TEST

/* The checker itself must reject what the format forbids, or it proves nothing. */
START_TEST(test_metrics_checker_rejects_bad_text)
{
	static const char *const bad[] = {
		"x 1\n",                                        /* no TYPE */
		"# TYPE x gauge\nx 1\n",                        /* TYPE without HELP */
		"# HELP x h\n# TYPE x gauge\nx{a=\"1\"} one\n", /* bad value */
		"# HELP x h\n# TYPE x gauge\nx{a=\"\\q\"} 1\n", /* bad escape */
		"# HELP x h\n# TYPE x gauge\nx{a=\"1\",a=\"2\"} 1\n",
		"# HELP x h\n# TYPE x gauge\nx 1\nx 2\n", /* duplicate series */
		"# HELP x h\n# TYPE x gauge\ny 1\n",      /* wrong family */
		"# HELP x h\n# TYPE x counter\nx -1\n",   /* negative counter */
		"# HELP x h\n# TYPE x histogram\nx_bucket{le=\"1\"} 2\n"
		"x_bucket{le=\"+Inf\"} 1\nx_sum 1\nx_count 1\n", /* not cumulative */
		"# HELP x h\n# TYPE x histogram\nx_bucket{le=\"+Inf\"} 2\n"
		"x_sum 1\nx_count 1\n",            /* count != +Inf */
		"# HELP x h\n# TYPE x gauge\nx 1", /* no final newline */
	};
	struct checker *c = malloc(sizeof(*c));
	size_t i;

	ck_assert_ptr_nonnull(c);
	ck_assert(check_exposition(c, "# HELP x h\n# TYPE x histogram\nx_bucket{a=\"b\",le=\"1\"} "
				      "1\n"
				      "x_bucket{a=\"b\",le=\"+Inf\"} 2\nx_sum{a=\"b\"} 0.5\n"
				      "x_count{a=\"b\"} 2\n"));
	checker_free(c);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(!check_exposition(c, bad[i]), "accepted bad text %zu", i);
		checker_free(c);
	}
	free(c);
}
END_TEST

static Suite *metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_metrics_request_counts);
	tcase_add_test(tc, test_metrics_histogram_buckets);
	tcase_add_test(tc, test_metrics_bad_durations_count_as_zero);
	tcase_add_test(tc, test_metrics_unknown_values_are_other);
	tcase_add_test(tc, test_metrics_every_fixed_status_and_method);
	tcase_add_test(tc, test_metrics_label_escaping);
	tcase_add_test(tc, test_metrics_upstream_calls_and_outcomes);
	tcase_add_test(tc, test_metrics_outcome_words);
	tcase_add_test(tc, test_metrics_gauges_and_reloads);
	tcase_add_test(tc, test_metrics_extra_series);
	tcase_add_test(tc, test_metrics_fleet_series);
	tcase_add_test(tc, test_metrics_concurrent_totals_exact);
	tcase_add_test(tc, test_metrics_render_is_deterministic);
	tcase_add_test(tc, test_metrics_render_respects_cap);
	tcase_add_test(tc, test_metrics_fresh_output_is_valid);
	tcase_add_test(tc, test_metrics_null_is_noop);
	tcase_add_test(tc, test_metrics_checker_rejects_bad_text);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(metrics_suite)
