/*
 * bbb_api_int.h - what bbb_api.c shares with bbb_passthrough.c (the
 * passing on of BBB's XML for the BBB-compatible API) and bbb_fanout.c
 * (a list from every server). Nothing outside the three includes it.
 */
#ifndef GW_BBB_API_INT_H
#define GW_BBB_API_INT_H

#include <stdbool.h>

#include "bbb_calls.h"
#include "buf.h"
#include "compiler.h"
#include "err.h"
#include "request.h"
#include "upstream.h"

/* True for BBB's XML content types (text/xml, application/xml). */
bool gw_bbb_xml_type(const char *content_type);

/* Frees the reply's conversion (or rewrite) so far. */
void gw_bbb_drop_stream(struct gw_exchange *x);

/* The answer for a reply that could not be read: 504 past the deadline, else 502. */
void gw_bbb_reply_refused(struct gw_exchange *x, enum gw_err err);

/* The sink of a passed-on call (gw_bbb_req.facade): BBB's XML rewritten for the tenant as it arrives. */
const struct gw_upstream_sink *gw_bbb_passthrough_sink(struct gw_exchange *x);

/*
 * The answer of a passed-on call once BBB's 200 came: the rewritten reply
 * (as it arrived, or now from the buffer; BBB's JSON as it is); then the
 * call's finish learns the envelope, read off the text, without writing.
 */
void gw_bbb_passthrough_complete(struct gw_exchange *x);

/* BBB's XML (len bytes) rewritten for x's tenant (as it is without one), appended to out. */
enum gw_err gw_bbb_passthrough_rewrite(struct gw_exchange *x, const char *xml, size_t len,
				       struct gw_buf *out) GW_WUR;

/*
 * Answers x with BBB's XML (rewritten): text/xml for the BBB-compatible
 * API, whose finish then learns the envelope; application/xml for
 * Accept: application/xml.
 */
void gw_bbb_passthrough_respond(struct gw_exchange *x, const char *xml, size_t len);

struct gw_bbb_target;
struct gw_config;

/* The call's URL for server t: signed as its table entry says, or plain (root, form-signed). */
enum gw_err gw_bbb_call_url(const struct gw_config *cfg, const struct gw_bbb_target *t,
			    const struct gw_bbb_call_def *c, const char *query,
			    struct gw_buf *url) GW_WUR;

/* Meeting passwords are only for tokens with meetings:passwords (no token: a probe or a test). */
bool gw_bbb_sees_passwords(const struct gw_exchange *x);

/*
 * The exchange's calls go on (after a fan-out): the next call requested
 * is sent, or the exchange is done.
 */
void gw_bbb_calls_go_on(struct gw_exchange *x);

/*
 * x's list call (x->bbb.def, query in x->bbb.find_query) on every server
 * of the fleet at once, merged into one reply for x->bbb.finish
 * (bbb_fanout.c); then gw_bbb_calls_go_on.
 */
void gw_bbb_fan_out(struct gw_exchange *x);

#endif
