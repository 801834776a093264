/*
 * metricsfix.c - what the metrics suites share: the route and call tables
 * a registry is made with, a checker of the Prometheus text exposition
 * format 0.0.4 (names, HELP and TYPE before samples, label syntax and
 * escaping, no duplicate series, counters not negative, histogram buckets
 * cumulative up to +Inf equal to _count), rendering checked by it, and
 * finding a whole line.
 */
#include "metricsfix.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

const char *const routes[] = {
	"/healthz",
	"/v1/meetings",
	"/v1/meetings", /* same template, another method: shares the series */
	"/v1/meetings/{meetingID}",
};

/* BBB call labels, as the gateway passes its table's (metrics knows no call by itself). */
const char *const calls[] = {"apiRoot",        "create",      "end",
			     "getMeetingInfo", "getMeetings", "hooks/create"};

/* ---- an exposition-format checker ---- */

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
bool check_exposition(struct checker *c, const char *text)
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

void checker_free(struct checker *c)
{
	size_t i;

	for (i = 0; i < c->n_series; i++)
		free(c->series[i]);
	c->n_series = 0;
}

/* True when text has exactly this line. */
bool has_line(const char *text, const char *line)
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

/* Renders m into a malloc'd string and checks it with the parser. */
char *render(struct gw_metrics *m, const struct gw_metrics_extra *extra)
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
