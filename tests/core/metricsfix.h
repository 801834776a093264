/*
 * metricsfix.h - what the metrics suites share (metricsfix.c): the route
 * and call tables a registry is made with, a checker of the Prometheus
 * text exposition format 0.0.4, rendering checked by it, and lines looked
 * up whole.
 */
#ifndef GW_TEST_METRICSFIX_H
#define GW_TEST_METRICSFIX_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "metrics.h"

/* Route templates: the same template twice (another method) shares the series. */
extern const char *const routes[4];
#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

/* BBB call labels, as the gateway passes its table's (metrics knows no call by itself). */
extern const char *const calls[6];
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

/* Checks a whole exposition text; on failure the reason is in c->err. */
bool check_exposition(struct checker *c, const char *text);

/* Frees the series c holds (c itself is the caller's). */
void checker_free(struct checker *c);

/* Renders m into a malloc'd string and checks it with the parser. */
char *render(struct gw_metrics *m, const struct gw_metrics_extra *extra);

/* True when text has exactly this line. */
bool has_line(const char *text, const char *line);

#define ASSERT_LINE(text, line) ck_assert_msg(has_line(text, line), "missing line: %s", line)
#define ASSERT_NO(text, s) ck_assert_msg(strstr(text, s) == NULL, "unexpected: %s", s)

#endif
