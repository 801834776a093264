/*
 * event_norm.h - bbb-webhooks callbacks in, gateway events out. A callback
 * is a form body (application/x-www-form-urlencoded) with `event` (a JSON
 * array of bbb-webhooks v3 "mapped" events, {"data": {"type": "event",
 * "id": ..., "attributes": {...}, "event": {"ts": ...}}}), `domain` and
 * `timestamp`. The callback's signature is checked first
 * (gw_event_verify); then each array element is turned into one
 * struct gw_event or dropped (unknown or unrelayed types are counted by
 * the caller). Pure: no I/O, no global state.
 */
#ifndef GW_EVENT_NORM_H
#define GW_EVENT_NORM_H

#include <stdbool.h>
#include <stddef.h>

#include "compiler.h"
#include "crypto.h"
#include "err.h"
#include "event.h"

/*
 * True when a callback is signed as bbb-webhooks signs it: checksum (the
 * `checksum` query parameter, hex, either case) equals the hex digest alg of
 * callback_url (the URL the gateway registered, exactly) + body (the raw
 * form text as received) + secret, compared in constant time. False for a
 * NULL or malformed checksum.
 */
bool gw_event_verify_checksum(const char *callback_url, const char *body, size_t body_len,
			      const char *secret, enum gw_digest alg, const char *checksum);

/* True when authorization is "Bearer <secret>" (bbb-webhooks' bearer mode), constant time. */
bool gw_event_verify_bearer(const char *authorization, const char *secret);

/* What one callback held. */
struct gw_event_batch {
	struct gw_event *events; /* owned, n of them, in the callback's order */
	size_t n;
	size_t dropped;                 /* elements of a type the gateway does not relay */
	size_t dropped_by_type_unknown; /* of those, ids the gateway does not know at all */
};

/*
 * Parses a callback's form body (len bytes, need not be NUL-terminated):
 * GW_OK and out filled (free with gw_event_batch_deinit), GW_E_BAD_REQUEST
 * when the body is not a form with an `event` JSON array of objects
 * (at most max_events elements), GW_E_NOMEM. Elements that are objects but
 * not a relayed event are counted in dropped, never an error.
 */
enum gw_err gw_event_parse_callback(const char *body, size_t len, size_t max_events,
				    struct gw_event_batch *out) GW_WUR;

void gw_event_batch_deinit(struct gw_event_batch *b);

#endif
