/*
 * xml2jsonfix.c - what the xml2json suites share: converting a whole
 * reply that must pass or must be refused, its body as JSON, JSON compared
 * with a readable diff, a reply with n attributes on one tag, and the
 * converter's global set-up per test case.
 */
#include "xml2jsonfix.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xml2json.h"

/* The body parsed (borrowed from r, whose cache keeps it). */
json_t *body_of(struct gw_bbb_reply *r)
{
	json_t *b = gw_bbb_reply_body_json(r);

	ck_assert_msg(b != NULL, "body is not JSON: %.400s", r->body != NULL ? r->body : "(null)");
	return b;
}

json_t *parse_json(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);

	ck_assert_msg(j != NULL, "bad expected JSON at line %d: %s", e.line, e.text);
	return j;
}

void assert_json_eq(const char *what, json_t *got, json_t *want)
{
	char *g;
	char *w;

	if (json_equal(got, want))
		return;
	g = json_dumps(got, JSON_INDENT(2) | JSON_SORT_KEYS);
	w = json_dumps(want, JSON_INDENT(2) | JSON_SORT_KEYS);
	fprintf(stderr, "%s: mismatch\n--- got\n%s\n--- want\n%s\n", what, g, w);
	free(g);
	free(w);
	ck_abort_msg("%s: JSON differs from the expected value", what);
}

void convert_ok(const char *xml, struct gw_bbb_reply *r)
{
	enum gw_err err = gw_xml2json_convert(xml, strlen(xml), 0, r);

	ck_assert_msg(err == GW_OK, "convert failed: %s", gw_err_str(err));
	ck_assert_ptr_nonnull(r->body);
}

/* Expects rejection; on an unexpected success shows what came out. */
void expect_bad_n(const char *what, const char *xml, size_t len)
{
	struct gw_bbb_reply r;
	enum gw_err err;

	memset(&r, 0xA5, sizeof(r));
	err = gw_xml2json_convert(xml, len, 0, &r);
	if (err == GW_OK) {
		fprintf(stderr, "%s: accepted, body %.400s\n", what, r.body);
		gw_bbb_reply_deinit(&r);
	}
	ck_assert_msg(err == GW_E_UPSTREAM_BAD_REPLY, "%s: got %s", what, gw_err_str(err));
}

void expect_bad(const char *what, const char *xml)
{
	expect_bad_n(what, xml, strlen(xml));
}

/* A SUCCESS reply whose <meeting> has n attributes of the given form. */
void attrs_reply(struct gw_buf *b, size_t n, const struct attr_form *f)
{
	size_t i;

	gw_buf_init(b, 1u << 23);
	ck_assert_int_eq(gw_buf_append_str(b, "<response><returncode>SUCCESS</returncode><meeting"),
			 GW_OK);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(gw_buf_appendf(b, "%s%zu%s", f->pre, i, f->post), GW_OK);
	ck_assert_int_eq(gw_buf_append_str(b, "><meetingID>m</meetingID></meeting></response>"),
			 GW_OK);
}

/* The daemon's main does this once; here once per test case, in Check's parent process. */
static void global_init(void)
{
	gw_xml2json_global_init();
}

static void global_cleanup(void)
{
	gw_xml2json_global_cleanup();
}

TCase *tcase(Suite *s, const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_add_unchecked_fixture(tc, global_init, global_cleanup);
	suite_add_tcase(s, tc);
	return tc;
}
