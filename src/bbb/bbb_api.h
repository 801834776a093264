/*
 * bbb_api.h - what the gateway knows about BBB's API: the typed parameter
 * tables of create and join, the messageKey -> error table, building a
 * signed call (a struct gw_bbb_req naming a bbb_calls.h entry) for an
 * exchange and turning BBB's reply into the response.
 */
#ifndef GW_BBB_API_H
#define GW_BBB_API_H

#include <jansson.h>
#include <stdbool.h>

#include "bbb_calls.h"
#include "buf.h"
#include "crypto.h"
#include "compiler.h"
#include "err.h"
#include "request.h"

struct gw_config;

enum gw_param_type {
	GW_PARAM_STRING, /* JSON string */
	GW_PARAM_INT,    /* JSON integer >= 0 (a digit string is also accepted) */
	GW_PARAM_BOOL,   /* JSON true/false */
	GW_PARAM_LIST,   /* JSON array of strings (or one string), sent comma-joined */
	GW_PARAM_JSON,   /* any JSON value, sent as its compact JSON text */
};

struct gw_bbb_param {
	const char *name;
	enum gw_param_type type;
};

/* The typed entry for a create / join parameter, or NULL when unknown. */
const struct gw_bbb_param *gw_bbb_create_param(const char *name);
const struct gw_bbb_param *gw_bbb_join_param(const char *name);

/*
 * Converts a JSON value to the text BBB expects for a parameter of type t.
 * *out is malloc'd (caller frees). GW_E_BAD_REQUEST when the JSON type does
 * not fit. With t == GW_PARAM_STRING and `lenient`, numbers and booleans
 * are accepted too (forwarded unknown scalars).
 */
enum gw_err gw_bbb_param_text(enum gw_param_type t, bool lenient, json_t *v, char **out) GW_WUR;

/* True when name is a metadata key BBB keeps: [A-Za-z][A-Za-z0-9-]*. */
bool gw_bbb_meta_name_ok(const char *name);

/* The gateway error for a FAILED messageKey (GW_E_BBB_FAILED for unknown keys). */
enum gw_err gw_bbb_key_error(const char *message_key);

/*
 * One BBB call, described in full before it is asked for: nothing about
 * the call is set after gw_bbb_request. Unset members are zero.
 */
struct gw_bbb_req {
	const struct gw_bbb_call_def *call; /* GW_BBB_CALL(getMeetingInfo) (bbb_calls.h) */
	const char *query; /* the encoded query (bbb_query.h), borrowed; NULL = "" */
	char *body;        /* POST body, taken (freed on failure too); NULL = none */
	size_t body_len;
	const char *content_type;   /* of body; copied */
	gw_bbb_finish_fn finish;    /* SUCCESS replies; unused by GW_BBB_REPLY_RAW calls */
	gw_bbb_finish_fn on_failed; /* FAILED replies; NULL = the generic mapping (gw_bbb_fail) */
	/* After the response is written, whatever the outcome (struct gw_bbb_call); NULL = none. */
	void (*completed)(struct gw_exchange *x, int status);
	/*
	 * Handler state for the finish functions (gw_bbb_state): taken when not
	 * NULL, even when the call cannot be built, and freed with state_free
	 * when the exchange is freed; NULL keeps the state of an earlier call
	 * of the exchange (chained calls).
	 */
	void *state;
	void (*state_free)(void *state);
	/*
	 * The BBB-compatible API: BBB's reply is the response, rewritten for
	 * the exchange's tenant (xml_tenant.h) as it arrives and never
	 * converted; finish, when set, then learns the envelope (success,
	 * message_key; no body) and writes nothing. on_failed is not called.
	 */
	bool facade;
};

/*
 * Asks for the call r describes, signed as its table entry says with the
 * exchange's config. The HTTP server runs it, then gw_bbb_complete()
 * builds the response, calling r->finish on SUCCESS. On failure writes a
 * problem response. r is borrowed for the call only.
 */
void gw_bbb_request(struct gw_exchange *x, const struct gw_bbb_req *r);

/*
 * The exchange's calls wait for something outside BBB (the shared store's
 * answer): the exchange stays pending, from a handler or from a finish
 * function, until gw_bbb_resume (on the exchange's loop), which goes on
 * with the call requested meanwhile, or ends the exchange with the
 * response written.
 */
void gw_bbb_wait(struct gw_exchange *x);
void gw_bbb_resume(struct gw_exchange *x);

/* The exchange owns state from here (freed with state_free), as a call's gw_bbb_req.state. */
void gw_bbb_adopt_state(struct gw_exchange *x, void *state, void (*state_free)(void *state));

/* The state given with the exchange's call (gw_bbb_req.state; borrowed), or NULL. */
void *gw_bbb_state(const struct gw_exchange *x);

/*
 * Appends to out the signed join URL for the browser: <public_url>/join
 * ?query&checksum= of x's server (bbb_route.h: gw_bbb_with_meeting_server
 * finds the meeting's), signed with its checksum algorithm and secret.
 * GW_E_TOO_LARGE past out's cap, GW_E_UNAVAILABLE when the server left.
 */
enum gw_err gw_bbb_join_url(const struct gw_exchange *x, const char *query,
			    struct gw_buf *out) GW_WUR;

/*
 * r's message as the exchange's caller may see it: BBB quotes meetingIDs
 * in some ("Meeting with id [lms~bio] not found."), so a tenant's gets
 * them without its prefix (a copy in the arena). NULL when r has none.
 */
const char *gw_bbb_message(struct gw_exchange *x, const struct gw_bbb_reply *r);

/* The generic response for a FAILED reply: a problem mapped by messageKey. */
void gw_bbb_fail(struct gw_exchange *x, struct gw_bbb_reply *reply);

/*
 * Builds the response after the upstream call in x->up finished: maps
 * transport errors (502/504), passes BBB's reply through for
 * Accept: application/xml, converts XML to JSON, maps FAILED replies to
 * problems and calls x->bbb.finish on SUCCESS.
 */
void gw_bbb_complete(struct gw_exchange *x);

/*
 * The sink for x's upcoming call (NULL when its reply is to be buffered:
 * Accept: application/xml, BBB's JSON replies): a 200 XML reply is then
 * converted while it arrives, on the thread that drives the call's pool
 * (the exchange's event loop), and never held whole
 * as XML. Set it as the call's sink when the call starts; the exchange
 * owns what it keeps.
 */
const struct gw_upstream_sink *gw_bbb_sink(struct gw_exchange *x);

/* Writes r's body text as the JSON response with status, without copying it (taken from r). */
void gw_bbb_respond_body(struct gw_exchange *x, int status, struct gw_bbb_reply *r);

/*
 * Writes a readiness probe's "not ready" answer: 503 + Retry-After: 5,
 * naming status, the HTTP status the probe's call ended with.
 */
void gw_bbb_not_ready(struct gw_exchange *x, int status);

/* True when the client asked for BBB's raw XML (Accept: application/xml). */
bool gw_bbb_wants_xml(const struct gw_request *req);

#endif
