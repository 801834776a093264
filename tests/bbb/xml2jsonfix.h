/*
 * xml2jsonfix.h - what the xml2json suites share (xml2jsonfix.c): a reply
 * converted whole (it must pass, or must be refused), its body as JSON,
 * JSON compared with a diff on stderr, a SUCCESS reply with n attributes on
 * one tag, and a test case with the converter's global set-up.
 */
#ifndef GW_TEST_XML2JSONFIX_H
#define GW_TEST_XML2JSONFIX_H

#include <check.h>
#include <jansson.h>
#include <stddef.h>

#include "bbb_reply.h"
#include "buf.h"

/* The body parsed (borrowed from r, whose cache keeps it). */
json_t *body_of(struct gw_bbb_reply *r);

/* text parsed as JSON (the test fails when it is not). Caller decrefs. */
json_t *parse_json(const char *text);

/* got equals want; else both go to stderr, indented, and the test fails naming what. */
void assert_json_eq(const char *what, json_t *got, json_t *want);

/* Converts xml whole into *r (caller deinits); the test fails unless it converts. */
void convert_ok(const char *xml, struct gw_bbb_reply *r);

/* Expects rejection; on an unexpected success shows what came out. */
void expect_bad_n(const char *what, const char *xml, size_t len);
void expect_bad(const char *what, const char *xml);

/* Attribute i is written as pre, i, post. */
struct attr_form {
	const char *pre;
	const char *post;
};

/* A SUCCESS reply whose <meeting> has n attributes of the given form (caller deinits b). */
void attrs_reply(struct gw_buf *b, size_t n, const struct attr_form *f);

/* A new test case of s whose tests run between gw_xml2json_global_init and _cleanup. */
TCase *tcase(Suite *s, const char *name);

#endif
