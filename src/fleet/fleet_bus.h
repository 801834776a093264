/*
 * fleet_bus.h - what several gateways share besides placements, through
 * the store (state.redis): live events, token revocations and the
 * operator's server states.
 *
 * Every change goes into one Redis stream, "bgw:bus" (XADD, trimmed to
 * about events.buffer entries); each gateway's bus thread reads it (XREAD
 * BLOCK on a connection of its own) and applies every entry: an event is
 * published into the gateway's hub with an id made from the entry's id
 * (Unix ms x 1000 + sequence), so the event has the same id on every
 * gateway and a stream resumes on any of them; a revocation enters the
 * deny list and ends the open streams of its token; a state sets the
 * server's operator state. Revocations and states are also kept apart
 * ("bgw:revoked", a sorted set of jtis by their Unix expiry, and
 * "bgw:server-states", a hash), read back whenever the thread connects, so
 * a gateway that starts or was cut off knows them all; at its first
 * connection it also reads back the stream's last events.buffer events.
 *
 * Redis down: the thread reconnects with a backoff (up to 5 s) and goes on
 * after the last entry it read; the senders answer their callers' errors
 * (an event is then published into this gateway's hub only).
 */
#ifndef GW_FLEET_BUS_H
#define GW_FLEET_BUS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler.h"
#include "config.h"
#include "err.h"
#include "event.h"
#include "redis.h"

struct gw_bus;
struct gw_hub;
struct gw_revoke;
struct gw_fleet;

/* What the bus thread applies entries to (borrowed; they outlive the bus). */
struct gw_bus_deps {
	struct gw_hub *hub;       /* events */
	struct gw_revoke *revoke; /* revocations; NULL = none */
	atomic_uint *auth_epoch;  /* bumped after revocations (open streams re-check) */
	struct gw_fleet *fleet;   /* server states; NULL = none */
	size_t replay;            /* events read back at the first connection */
};

/* Starts the bus thread (it connects by itself). GW_E_NOMEM, GW_E_INTERNAL. */
enum gw_err gw_bus_start(const struct gw_redis_opts *o, const struct gw_bus_deps *d,
			 struct gw_bus **out) GW_WUR;

/*
 * Waits until the thread caught up once (revocations, states and the
 * stream's recent events read), at most timeout_ms: a gateway starts
 * serving with them. False when it did not (Redis unreachable).
 */
bool gw_bus_wait_ready(struct gw_bus *b, unsigned timeout_ms);

/* Stops and joins the thread, then frees. NULL is fine. */
void gw_bus_stop(struct gw_bus *b);

/* Entries the thread applied, and connections it lost (tests, metrics). */
struct gw_bus_stats {
	uint64_t applied;
	uint64_t lost;
	bool up;
};

void gw_bus_stats(struct gw_bus *b, struct gw_bus_stats *out);

/*
 * The senders, on an event loop's asynchronous client. Each completes with
 * cb(err, reply, arg) as gw_redis_command does (GW_OK with an error reply
 * is a failure too: see gw_bus_sent).
 *
 * event: XADD of ev (borrowed for the call), the stream trimmed to about
 * maxlen entries;
 * revoke: jti revoked until Unix time until, kept in the sorted set and
 * sent on the stream, expired entries dropped;
 * state: the operator's state of server name, kept in the hash and sent.
 */
enum gw_err gw_bus_send_event(struct gw_redis *r, size_t maxlen, const struct gw_event *ev,
			      gw_redis_reply_fn cb, void *arg) GW_WUR;
enum gw_err gw_bus_send_revoke(struct gw_redis *r, size_t maxlen, const char *jti, long long until,
			       gw_redis_reply_fn cb, void *arg) GW_WUR;
enum gw_err gw_bus_send_state(struct gw_redis *r, size_t maxlen, const char *name,
			      enum gw_server_state state, gw_redis_reply_fn cb, void *arg) GW_WUR;

/* True when a sender's completion says the store took it. */
bool gw_bus_sent(enum gw_err err, const struct gw_redis_reply *r);

/*
 * A stream entry id "<ms>-<seq>" as an event id (ms x 1000 + seq, seq
 * capped at 999); 0 when it is not one.
 */
uint64_t gw_bus_event_id(const char *s, size_t len);

#endif
