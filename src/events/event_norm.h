/*
 * event_norm.h - bbb-webhooks callbacks in, gateway events out. A callback
 * is a form body (application/x-www-form-urlencoded) with `event` (a JSON
 * array of bbb-webhooks v3 "mapped" events, {"data": {"type": "event",
 * "id": ..., "attributes": {...}, "event": {"ts": ...}}}), `domain` and
 * `timestamp`. The callback's signature is checked first
 * (gw_event_verify_checksum or _bearer); then each array element is
 * turned into one struct gw_event or dropped (unknown or unrelayed types
 * are counted by the caller). Pure: no I/O, no global state.
 */
#ifndef GW_EVENT_NORM_H
#define GW_EVENT_NORM_H

#include <stdbool.h>
#include <stddef.h>

#include "compiler.h"
#include "crypto.h"
#include "err.h"
#include "event.h"

/* Bytes of a relayed string (name, user ID, record ID): events with longer ones are dropped. */
#define GW_EVENT_MAX_FIELD 1024u

/* A ceiling on a callback's body behind the caller's own cap (bbb-webhooks sends one event). */
#define GW_EVENT_MAX_CALLBACK_BYTES (1024u * 1024u)

/*
 * True when a callback is signed as bbb-webhooks signs it: checksum (the
 * `checksum` query parameter, hex, either case) equals the hex digest alg of
 * callback_url (the URL the gateway registered, exactly) + body (the raw
 * form text as received) + secret, compared in constant time. False for a
 * NULL or malformed checksum (not exactly 2 * gw_crypto_digest_len(alg)
 * hex digits) and for a NULL or empty secret. All pointers borrowed.
 */
bool gw_event_verify_checksum(const char *callback_url, const char *body, size_t body_len,
			      const char *secret, enum gw_digest alg, const char *checksum);

/*
 * True when authorization is "Bearer <secret>" (bbb-webhooks' bearer mode;
 * the scheme in any case, then one or more spaces), compared in time that
 * depends on the two lengths only. False for NULLs and an empty secret.
 */
bool gw_event_verify_bearer(const char *authorization, const char *secret);

/* What one callback held. */
struct gw_event_batch {
	struct gw_event *events; /* owned, n of them, in the callback's order */
	size_t n;
	/*
	 * Elements not relayed: of a type the gateway does not relay, or of one
	 * it does but without a usable external meetingID (a string of 1 to
	 * GW_EVENT_MAX_MEETING_ID bytes) or time (data.event.ts, an integer >= 0),
	 * with a relayed string over GW_EVENT_MAX_FIELD, or a rap-publish-ended
	 * without a record-id or with "success": false.
	 */
	size_t dropped;
	size_t dropped_by_type_unknown; /* of those, not v3 mapped events or ids not known at all */
};

/*
 * Parses a callback's form body (len bytes, borrowed, need not be
 * NUL-terminated): GW_OK and out filled (free with gw_event_batch_deinit),
 * GW_E_BAD_REQUEST when the body is not a form with exactly one `event`
 * field holding a JSON array (duplicate keys refused) of at most
 * max_events objects - an element that is not an object makes the whole
 * callback malformed, as bbb-webhooks never sends one - or when `domain` or
 * `timestamp` appears twice; GW_E_BODY_TOO_LARGE past
 * GW_EVENT_MAX_CALLBACK_BYTES; GW_E_NOMEM. Other form fields are ignored.
 * Elements that are objects but not a relayed event are counted in
 * dropped, never an error. out is written on GW_OK only.
 *
 * An event's data is {"meetingID": attributes.meeting["external-meeting-id"],
 * "time": data.event.ts, ...}, copied field by field, nothing else: user
 * events and screenshares add "user" with those of userID
 * (external-user-id, unless ""), fullName (name), role and presenter that
 * the source has; meeting-created adds name, createTime (create-time),
 * record, isBreakout (is-breakout) and for a breakout parentMeetingID
 * (parent-id, unless "bbb-none"), and data_pw adds attendeePW
 * (viewer-pass) and moderatorPW (moderator-pass) to that; recording-ready
 * (rap-publish-ended) adds recordID (record-id). Fields of another JSON
 * type than bbb-webhooks writes are left out.
 */
enum gw_err gw_event_parse_callback(const char *body, size_t len, size_t max_events,
				    struct gw_event_batch *out) GW_WUR;

/* Frees the events of b and empties it. NULL is fine. */
void gw_event_batch_deinit(struct gw_event_batch *b);

#endif
