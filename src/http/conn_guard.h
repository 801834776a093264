/*
 * conn_guard.h - who holds the gateway's client connections, and for how
 * long they may hold one without sending a request.
 *
 * libmicrohttpd 0.9.75 has an idle timeout but no deadline for receiving
 * a request: a client that sends a header byte every few seconds keeps
 * its connection forever, and a thousand such clients lock everyone else
 * out. The guard tracks every open connection with its peer address and
 * state and enforces three rules:
 *   - header deadline: a connection that is waiting for a request (a new
 *     connection, or a kept-alive one between requests) must deliver the
 *     request line and headers within header_timeout_ms (a kept-alive
 *     connection first gets its idle window on top); past it, it is shut;
 *   - per-IP cap: a new connection from an address that already holds
 *     per_ip connections displaces that address's oldest connection that
 *     is waiting for a request, or is refused when there is none;
 *   - reserve: once more than max_connections - reserve connections are
 *     open, a new one displaces the oldest waiting connection overall, so
 *     that new clients are served while slow ones fill the limit.
 * A connection that is processing a request (headers complete) is never
 * displaced or timed out by the guard.
 *
 * The guard does not touch sockets itself: it calls the shut callback
 * (under its lock, so the caller's close path can serialise against it)
 * for each connection to end. The rules are pure logic with an explicit
 * clock, so they are tested without sockets; the sweeper thread applies
 * the deadlines on the monotonic clock. Thread-safe: one mutex for the
 * connection list.
 */
#ifndef GW_CONN_GUARD_H
#define GW_CONN_GUARD_H

#include <stdbool.h>
#include <stdint.h>

#include "compiler.h"
#include "err.h"

struct gw_conn_guard;
struct gw_conn;

/* Ends a connection (e.g. shutdown(2) of its socket). Called with the guard locked. */
typedef void (*gw_conn_shut_fn)(void *arg, int fd);

struct gw_conn_guard_opts {
	unsigned max_connections;   /* the server's connection limit */
	unsigned reserve;           /* kept free for new clients; < max_connections */
	unsigned per_ip;            /* connections per peer address; 0 = unlimited */
	uint64_t header_timeout_ms; /* request line + headers; 0 = no deadline */
	uint64_t idle_timeout_ms;   /* keep-alive window before the next request */
	gw_conn_shut_fn shut;
	void *shut_arg;
};

/* Why the guard ended connections (counters). */
struct gw_conn_guard_stats {
	unsigned long long timed_out; /* header deadline passed */
	unsigned long long displaced; /* made room for a new connection */
	unsigned long long refused;   /* per-IP cap with nothing to displace */
	unsigned open;                /* connections tracked now */
};

/* A new guard (opts copied), or NULL on OOM. Free with gw_conn_guard_free. */
struct gw_conn_guard *gw_conn_guard_new(const struct gw_conn_guard_opts *opts);

/*
 * Starts a thread that sweeps (gw_conn_guard_sweep) on the monotonic
 * clock, at least once a second. GW_E_INTERNAL when it cannot start.
 */
enum gw_err gw_conn_guard_start_sweeper(struct gw_conn_guard *g) GW_WUR;

/* Stops and joins the sweeper; fine when it never started. */
void gw_conn_guard_stop_sweeper(struct gw_conn_guard *g);

/* Monotonic milliseconds, the clock the sweeper uses. */
uint64_t gw_conn_guard_now_ms(void);

/* Frees the guard (stops the sweeper); every connection must have been closed. NULL is fine. */
void gw_conn_guard_free(struct gw_conn_guard *g);

/*
 * A connection was accepted: fd, and its peer address as 16 bytes (IPv4
 * as ::ffff:a.b.c.d). May displace another connection or refuse this one
 * (shut is called for it; it still has to be closed with
 * gw_conn_guard_close). Returns the tracking handle, or NULL on OOM (the
 * connection is then not tracked).
 */
struct gw_conn *gw_conn_guard_open(struct gw_conn_guard *g, int fd, const uint8_t addr[16],
				   uint64_t now_ms);

/* The connection is gone; frees c. NULL is fine. */
void gw_conn_guard_close(struct gw_conn_guard *g, struct gw_conn *c);

/* Headers are complete: the connection is processing a request. */
void gw_conn_guard_busy(struct gw_conn_guard *g, struct gw_conn *c);

/* The request ended; the connection waits for the next one (keep-alive). */
void gw_conn_guard_idle(struct gw_conn_guard *g, struct gw_conn *c, uint64_t now_ms);

/*
 * Ends every waiting connection past its header deadline. Returns the
 * milliseconds until the next deadline (or UINT64_MAX when none).
 */
uint64_t gw_conn_guard_sweep(struct gw_conn_guard *g, uint64_t now_ms);

/*
 * Ends every connection that is waiting for a request (draining: they
 * have nothing in progress). Returns how many.
 */
unsigned gw_conn_guard_shut_waiting(struct gw_conn_guard *g);

/* A snapshot of the counters. */
void gw_conn_guard_stats(struct gw_conn_guard *g, struct gw_conn_guard_stats *out);

#endif
