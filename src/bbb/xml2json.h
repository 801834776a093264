/*
 * xml2json.h - converts a BBB XML reply into typed JSON (jansson), driven
 * by a table of known elements (libxml2 is included by xml2json.c only).
 *
 * Parsing is safe for hostile input: no DTD (any DOCTYPE is rejected), no
 * entity expansion, no network, depth and node caps. The envelope
 * (returncode, messageKey, message) is taken out of the body.
 */
#ifndef GW_XML2JSON_H
#define GW_XML2JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler.h"
#include "bbb_reply.h"
#include "err.h"

/* Initialises libxml2 once; call in main before any thread starts. */
void gw_xml2json_global_init(void);

/* Releases libxml2's global state; call at exit after every thread stopped. */
void gw_xml2json_global_cleanup(void);

/*
 * Parses len bytes of XML (borrowed). Returns GW_OK and fills out (caller
 * calls gw_bbb_reply_deinit), or GW_E_UPSTREAM_BAD_REPLY for anything that
 * is not a well-formed <response> document within the caps (DOCTYPE, entity
 * references, depth > GW_XML_MAX_DEPTH, nodes > GW_XML_MAX_NODES, more than
 * GW_XML_MAX_ATTRIBUTES on one element, an encoding that is not ASCII-based,
 * no <returncode> or two of returncode/messageKey/message), or
 * GW_E_UPSTREAM_TIMEOUT once deadline_ms (CLOCK_MONOTONIC milliseconds;
 * 0 = none) has passed, checked before, during and after the parse, or
 * GW_E_NOMEM. out is written only on success.
 */
enum gw_err gw_xml2json_convert(const char *xml, size_t len, uint64_t deadline_ms,
				struct gw_bbb_reply *out) GW_WUR;


#endif
