/*
 * xml2json.h - converts a BBB XML reply into typed JSON text, driven by a
 * table of known elements (libxml2 is included by xml2json.c only), as
 * the reply arrives: feed it chunk by chunk, or convert a whole buffer.
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

/* A conversion in progress (one reply; not shared between threads). */
struct gw_xml2json;

/*
 * Starts a conversion of a reply of at most max_reply_bytes bytes (which
 * bounds the text and JSON it keeps). deadline_ms as for
 * gw_xml2json_convert. out written on success; free with gw_xml2json_free.
 * GW_E_NOMEM.
 */
enum gw_err gw_xml2json_new(uint64_t deadline_ms, size_t max_reply_bytes,
			    struct gw_xml2json **out) GW_WUR;

/*
 * Converts the next n bytes (borrowed; any split is fine). Returns GW_OK,
 * or the error gw_xml2json_convert would return as soon as it is known;
 * every later feed and finish returns it too.
 */
enum gw_err gw_xml2json_feed(struct gw_xml2json *c, const char *p, size_t n) GW_WUR;

/*
 * The end of the reply: GW_OK and out filled (caller calls
 * gw_bbb_reply_deinit), or the error. out is written only on success.
 * The converter can only be freed afterwards.
 */
enum gw_err gw_xml2json_finish(struct gw_xml2json *c, struct gw_bbb_reply *out) GW_WUR;

/*
 * Drops every attendeePW and moderatorPW element (and what it holds) from
 * the output: the meeting passwords only tokens with meetings:passwords
 * see. Call before the first feed.
 */
void gw_xml2json_hide_passwords(struct gw_xml2json *c);

/*
 * A tenant's view of the reply (prefix: its meeting prefix, borrowed until
 * the conversion is freed): the prefix is taken off the values of
 * meetingID, parentMeetingID and meetingId (recording metadata) that
 * start with it, and an item of <meetings>, <recordings> or <hooks> is
 * left out unless its own meetingID starts with it. Call before the first
 * feed.
 */
void gw_xml2json_tenant(struct gw_xml2json *c, const char *prefix);

/* Frees a conversion at any point. NULL is fine. */
void gw_xml2json_free(struct gw_xml2json *c);

/*
 * Parses len bytes of XML (borrowed) in one go (new, feed, finish). Returns GW_OK and fills out (caller
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

/*
 * As gw_xml2json_convert, dropping the passwords when hide_passwords is
 * set, as tenant `prefix` sees the reply when prefix is not NULL.
 */
enum gw_err gw_xml2json_convert_for(const char *xml, size_t len, uint64_t deadline_ms,
				    bool hide_passwords, const char *prefix,
				    struct gw_bbb_reply *out) GW_WUR;

#endif
