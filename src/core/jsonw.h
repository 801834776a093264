/*
 * jsonw.h - JSON text written straight into a capped gw_buf: strings
 * escaped exactly as jansson's compact dump escapes them, so text written
 * here and text from json_dumps(..., JSON_COMPACT) agree byte for byte.
 */
#ifndef GW_JSONW_H
#define GW_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "compiler.h"
#include "err.h"

/*
 * Appends n bytes of s (borrowed) as a quoted JSON string: '"' and '\\'
 * escaped, \b \f \n \r \t in short form, other bytes below 0x20 as
 * \u00XX, everything else as it is. GW_E_PARSE when s is not valid UTF-8
 * (nothing appended then), GW_E_TOO_LARGE past the buffer's cap, GW_E_NOMEM.
 */
enum gw_err gw_jsonw_string(struct gw_buf *b, const char *s, size_t n) GW_WUR;

/* Appends v in decimal. GW_E_TOO_LARGE, GW_E_NOMEM. */
enum gw_err gw_jsonw_int(struct gw_buf *b, int64_t v) GW_WUR;

#endif
