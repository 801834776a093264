/*
 * xmltenantfix.c - what the xml_tenant suites share: a sink that collects
 * the rewrite, feeding at chosen cuts, and expectations run whole, at
 * every split point and a byte at a time.
 */
#include "xmltenantfix.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum gw_err collect(void *arg, const char *p, size_t n)
{
	struct sink *s = arg;

	s->calls++;
	ck_assert_uint_gt(n, 0);
	if (s->fail_at != 0 && s->calls == s->fail_at)
		return GW_E_IO;
	return gw_buf_append(&s->b, p, n);
}

void sink_init(struct sink *s)
{
	memset(s, 0, sizeof(*s));
	gw_buf_init(&s->b, 64u * 1024u * 1024u);
}

struct gw_xml_tenant *new_tenant(const char *prefix, size_t max)
{
	struct gw_xml_tenant *t = NULL;

	ck_assert_int_eq(gw_xml_tenant_new(prefix, max, &t), GW_OK);
	ck_assert_ptr_nonnull(t);
	return t;
}

/* Feeds xml in pieces ending at cuts[] (ascending), then finishes; the sink keeps the output. */
enum gw_err feed_cuts(const char *prefix, const char *xml, size_t len, size_t max,
		      const size_t *cuts, size_t ncuts, struct sink *s)
{
	struct gw_xml_tenant *t = new_tenant(prefix, max);
	enum gw_err err = GW_OK;
	size_t at = 0;
	size_t i;

	for (i = 0; i <= ncuts && err == GW_OK; i++) {
		size_t to = i < ncuts ? cuts[i] : len;

		err = gw_xml_tenant_feed(t, xml + at, to - at, collect, s);
		at = to;
	}
	if (err == GW_OK)
		err = gw_xml_tenant_finish(t, collect, s);
	gw_xml_tenant_free(t);
	return err;
}

/* The whole reply through gw_xml_tenant_rewrite; the output (caller frees) or NULL on error. */
char *rewrite(const char *prefix, const char *xml, size_t max, enum gw_err *err)
{
	struct gw_buf out;
	char *s;

	gw_buf_init(&out, 64u * 1024u * 1024u);
	*err = gw_xml_tenant_rewrite(prefix, xml, strlen(xml), max, &out);
	if (*err != GW_OK) {
		ck_assert_uint_eq(out.len, 0);
		gw_buf_deinit(&out);
		return NULL;
	}
	s = gw_buf_take(&out, NULL);
	ck_assert_ptr_nonnull(s);
	return s;
}

void assert_text(const char *what, const char *got, const char *want)
{
	if (strcmp(got, want) == 0)
		return;
	fprintf(stderr, "%s:\n--- got\n%s\n--- want\n%s\n---\n", what, got, want);
	ck_abort_msg("%s: output differs", what);
}

/* The rewrite of xml is want, whole, at every split point and a byte at a time. */
void expect_max(const char *prefix, const char *xml, size_t max, const char *want)
{
	size_t len = strlen(xml);
	size_t *cuts = malloc((len + 1) * sizeof(*cuts));
	struct sink s;
	enum gw_err err;
	char *got = rewrite(prefix, xml, max, &err);
	size_t i;

	ck_assert_msg(err == GW_OK, "rewrite: %s", gw_err_str(err));
	assert_text("whole", got, want);
	free(got);
	ck_assert_ptr_nonnull(cuts);
	for (i = 0; i <= len; i++) {
		sink_init(&s);
		err = feed_cuts(prefix, xml, len, max, &i, 1, &s);
		ck_assert_msg(err == GW_OK, "split at %zu: %s", i, gw_err_str(err));
		if (strcmp(gw_buf_str(&s.b), want) != 0) {
			fprintf(stderr, "split at %zu\n", i);
			assert_text("split", gw_buf_str(&s.b), want);
		}
		gw_buf_deinit(&s.b);
	}
	for (i = 0; i < len; i++)
		cuts[i] = i + 1;
	sink_init(&s);
	err = feed_cuts(prefix, xml, len, max, cuts, len, &s);
	ck_assert_msg(err == GW_OK, "byte by byte: %s", gw_err_str(err));
	assert_text("byte by byte", gw_buf_str(&s.b), want);
	gw_buf_deinit(&s.b);
	free(cuts);
}

void expect(const char *prefix, const char *xml, const char *want)
{
	expect_max(prefix, xml, BIG, want);
}

/* xml is refused with err whole, at every split point and a byte at a time. */
void expect_err_max(const char *prefix, const char *xml, size_t max, enum gw_err want)
{
	size_t len = strlen(xml);
	size_t *cuts = malloc((len + 1) * sizeof(*cuts));
	struct sink s;
	enum gw_err err;
	char *got = rewrite(prefix, xml, max, &err);
	size_t i;

	ck_assert_ptr_null(got);
	ck_assert_msg(err == want, "whole: %s, want %s", gw_err_str(err), gw_err_str(want));
	ck_assert_ptr_nonnull(cuts);
	for (i = 0; i <= len; i++) {
		sink_init(&s);
		err = feed_cuts(prefix, xml, len, max, &i, 1, &s);
		ck_assert_msg(err == want, "split at %zu: %s", i, gw_err_str(err));
		gw_buf_deinit(&s.b);
	}
	for (i = 0; i < len; i++)
		cuts[i] = i + 1;
	sink_init(&s);
	ck_assert_int_eq(feed_cuts(prefix, xml, len, max, cuts, len, &s), want);
	gw_buf_deinit(&s.b);
	free(cuts);
}

void expect_err(const char *prefix, const char *xml, enum gw_err want)
{
	expect_err_max(prefix, xml, BIG, want);
}

/* s with its first `from` replaced by `to`; caller frees. */
char *replace_once(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	struct gw_buf b;

	ck_assert_ptr_nonnull(at);
	gw_buf_init(&b, 64u * 1024u * 1024u);
	ck_assert_int_eq(gw_buf_append(&b, s, (size_t)(at - s)), GW_OK);
	ck_assert_int_eq(gw_buf_append_str(&b, to), GW_OK);
	ck_assert_int_eq(gw_buf_append_str(&b, at + strlen(from)), GW_OK);
	return gw_buf_take(&b, NULL);
}
