/*
 * xmltenantfix.h - what the xml_tenant suites share (xmltenantfix.c): a
 * sink collecting the rewrite (one that can fail at a chosen call), the
 * rewrite fed at given cuts or whole, and expectations checked whole, at
 * every split point and a byte at a time.
 */
#ifndef GW_TEST_XMLTENANTFIX_H
#define GW_TEST_XMLTENANTFIX_H

#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "xml_tenant.h"

#define BIG (1u << 20) /* an item cap no test item reaches */

struct sink {
	struct gw_buf b;
	unsigned calls;
	unsigned fail_at; /* the call that fails with GW_E_IO (0: none) */
};

/* The sink: appends, counting calls; GW_E_IO at call fail_at. */
enum gw_err collect(void *arg, const char *p, size_t n);
void sink_init(struct sink *s);

/* A rewrite for prefix with item cap max (the test fails when it cannot be made). */
struct gw_xml_tenant *new_tenant(const char *prefix, size_t max);

/* Feeds xml in pieces ending at cuts[] (ascending), then finishes; the sink keeps the output. */
enum gw_err feed_cuts(const char *prefix, const char *xml, size_t len, size_t max,
		      const size_t *cuts, size_t ncuts, struct sink *s);

/* The whole reply through gw_xml_tenant_rewrite; the output (caller frees) or NULL on error. */
char *rewrite(const char *prefix, const char *xml, size_t max, enum gw_err *err);

/* got equals want (a message naming what when not). */
void assert_text(const char *what, const char *got, const char *want);

/* xml rewrites to want with cap max (BIG for expect), fed every way. */
void expect_max(const char *prefix, const char *xml, size_t max, const char *want);
void expect(const char *prefix, const char *xml, const char *want);

/* xml is refused with want, fed every way. */
void expect_err_max(const char *prefix, const char *xml, size_t max, enum gw_err want);
void expect_err(const char *prefix, const char *xml, enum gw_err want);

/* s with its first from replaced by to (malloc'd). */
char *replace_once(const char *s, const char *from, const char *to);

#endif
