/*
 * bbb_value.h - BBB's text values typed as JSON: the booleans, counts
 * and timestamps of BBB's replies arrive as text and leave as JSON
 * booleans and numbers. No XML here: the converter hands in the text.
 */
#ifndef GW_BBB_VALUE_H
#define GW_BBB_VALUE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "compiler.h"
#include "err.h"

enum gw_bbb_value_type {
	GW_BBB_VALUE_STRING, /* as it is */
	GW_BBB_VALUE_BOOL,   /* "true"/"false" -> bool, "" -> null, else string */
	GW_BBB_VALUE_INT,    /* digits (',' grouping allowed) -> int, "" -> null, else string */
};

/*
 * Parses n bytes of s as a decimal integer with an optional '-' and
 * optional ',' thousands grouping ("1,234"). Writes *out only on success.
 */
bool gw_bbb_value_int(const char *s, size_t n, json_int_t *out);

/*
 * The JSON value of n bytes of text s for type t (*out: a new reference).
 * GW_E_UPSTREAM_BAD_REPLY for text that is not UTF-8, GW_E_NOMEM.
 */
enum gw_err gw_bbb_value(enum gw_bbb_value_type t, const char *s, size_t n, json_t **out) GW_WUR;

/*
 * Appends the JSON text of the same value to out: null, true, false, a
 * decimal integer or a quoted string (escaped as jansson's compact dump
 * does). GW_E_UPSTREAM_BAD_REPLY for text that is not UTF-8,
 * GW_E_TOO_LARGE past out's cap, GW_E_NOMEM. Nothing is appended on error.
 */
enum gw_err gw_bbb_value_write(enum gw_bbb_value_type t, const char *s, size_t n,
			       struct gw_buf *out) GW_WUR;

#endif
