/*
 * redis.h - the gateway's Redis client, in two forms over one connection
 * each (hiredis 0.14 underneath; only src/net/redis*.c include it):
 *
 *   - an asynchronous client living in an event loop's epoll set, for the
 *     request path: commands are pipelined on one connection and complete
 *     on the loop's thread, each within a deadline; at most max_pending are
 *     in flight; while there is no connection commands are refused at once
 *     and the client reconnects by itself with a jittered backoff;
 *   - a blocking client for a background thread (XREAD BLOCK, SUBSCRIBE),
 *     with socket timeouts and an interrupt that another thread may send.
 *
 * AUTH (when a password is given) and SELECT (when db is not 0) are sent
 * as part of setting up every connection, before any command of the
 * caller. The password never appears in a log line or an error text.
 *
 * hiredis 0.14 has no TLS: Redis is reached on loopback or a private
 * network. It writes with write(2), so the process must ignore SIGPIPE
 * (gateway.c does).
 *
 * Errors a command completes with:
 *   GW_OK                  a reply arrived (Redis's own error replies too:
 *                          type GW_REDIS_ERROR);
 *   GW_E_UNAVAILABLE       no connection (down, connecting, set-up refused),
 *                          the connection was lost with the command in flight,
 *                          max_pending commands already in flight, or the
 *                          client is being freed;
 *   GW_E_UPSTREAM_TIMEOUT  the command's deadline passed (its title names
 *                          BBB: a caller maps it before it reaches a client);
 *   GW_E_NOMEM             out of memory;
 *   GW_E_INTERNAL          a malformed command (no arguments), or one for
 *                          the blocking client only (SUBSCRIBE and the
 *                          like, MONITOR: replies would stop matching
 *                          commands).
 */
#ifndef GW_REDIS_H
#define GW_REDIS_H

#include <stdbool.h>
#include <stddef.h>

#include "compiler.h"
#include "err.h"

struct gw_redis;
struct gw_redis_sync;

/* Where Redis is and how to talk to it. Copied by the constructors; strings borrowed until then. */
struct gw_redis_opts {
	const char *host;            /* name or address (TCP); ignored when unix_path is set */
	unsigned port;               /* 0 = GW_DEFAULT_REDIS_PORT */
	const char *unix_path;       /* a Unix socket instead of TCP; NULL = TCP */
	unsigned db;                 /* SELECTed after connecting when not 0 */
	const char *password;        /* AUTH after connecting when not NULL or empty */
	unsigned connect_timeout_ms; /* connect and set-up; 0 = GW_DEFAULT_REDIS_CONNECT_TIMEOUT_MS */
	unsigned command_timeout_ms; /* each command; 0 = GW_DEFAULT_REDIS_COMMAND_TIMEOUT_MS */
	unsigned max_pending; /* async: in flight at once; 0 = GW_DEFAULT_REDIS_MAX_PENDING */
};

enum gw_redis_type {
	GW_REDIS_NIL,
	GW_REDIS_INT,
	GW_REDIS_STRING,
	GW_REDIS_STATUS, /* +OK and other simple strings */
	GW_REDIS_ERROR,  /* -ERR ...: str holds the whole message */
	GW_REDIS_ARRAY,
};

/*
 * A reply as its receiver sees it: read-only, valid only while the
 * callback that got it runs (copy out what is needed).
 */
struct gw_redis_reply {
	enum gw_redis_type type;
	long long integer; /* GW_REDIS_INT */
	const char *str;   /* STRING, STATUS, ERROR: len bytes, followed by a NUL; else NULL */
	size_t len;
	size_t n;                          /* ARRAY: number of elements */
	const struct gw_redis_reply *elem; /* ARRAY: n elements (NULL when n is 0) */
};

/*
 * A command's result: err GW_OK with reply, or an error (see above) with
 * reply NULL. arg is the caller's.
 */
typedef void (*gw_redis_reply_fn)(enum gw_err err, const struct gw_redis_reply *reply, void *arg);

/* The asynchronous client's connection came up (set-up done) or went down. */
typedef void (*gw_redis_state_fn)(bool up, void *arg);

/* True for the status reply +OK. */
bool gw_redis_reply_is_ok(const struct gw_redis_reply *r);

/* True for a STRING or STATUS reply whose bytes are exactly s (NUL-terminated). */
bool gw_redis_reply_str_eq(const struct gw_redis_reply *r, const char *s);

/*
 * An asynchronous client in the epoll set epfd (borrowed; must outlive the
 * client). It starts connecting at once (non-blocking) and is usable when
 * gw_redis_up says so; a host name is resolved here, once and blocking, so
 * make the client before the loop runs (the loop never waits for DNS; a
 * changed address needs a new client). Its socket is added to epfd with a
 * struct gw_ev (ev.h) as its data: the owner of epfd calls its fn for the
 * socket's events, calls gw_redis_run_timers after each batch of events,
 * and sleeps no longer than gw_redis_timeout_ms. Everything is for the
 * thread that drives epfd only. Free with gw_redis_free on that thread.
 * GW_E_CONFIG when the host does not resolve; GW_E_NOMEM.
 */
enum gw_err gw_redis_new_on(int epfd, const struct gw_redis_opts *o, struct gw_redis **out) GW_WUR;

/*
 * Calls fn(true, arg) each time a connection is set up and fn(false, arg)
 * when a connection that was up is lost (never from gw_redis_free). fn may
 * send commands; it must not free the client. fn NULL: no calls.
 */
void gw_redis_on_state(struct gw_redis *r, gw_redis_state_fn fn, void *arg);

/* Milliseconds until the client needs gw_redis_run_timers; -1 = no timer. */
long gw_redis_timeout_ms(const struct gw_redis *r);

/* Runs what is due: command and connect deadlines, a reconnect after its backoff. */
void gw_redis_run_timers(struct gw_redis *r);

/*
 * Sends the command of argc arguments argv[i] of argvlen[i] bytes each
 * (binary-safe; argvlen NULL: NUL-terminated strings), copied before this
 * returns. On GW_OK cb(err, reply, arg) runs exactly once, later, on the
 * loop's thread: with the reply, or with an error when the connection is
 * lost, the deadline (command_timeout_ms) passes or the client is freed.
 * A command whose deadline passes drops the connection (hiredis 0.14 has
 * no per-command timeout; the connection is out of step): every command in
 * flight completes then, and the client reconnects. Otherwise cb never
 * runs: GW_E_UNAVAILABLE when not up or max_pending are in flight,
 * GW_E_NOMEM, GW_E_INTERNAL when argc < 1 or for (P|S)SUBSCRIBE,
 * (P|S)UNSUBSCRIBE and MONITOR. cb must not free the client.
 */
enum gw_err gw_redis_command(struct gw_redis *r, gw_redis_reply_fn cb, void *arg, int argc,
			     const char **argv, const size_t *argvlen) GW_WUR;

/* True while the connection is set up (commands are accepted). */
bool gw_redis_up(const struct gw_redis *r);

/* Commands in flight. */
unsigned gw_redis_pending(const struct gw_redis *r);

/*
 * Completes every command in flight with GW_E_UNAVAILABLE, closes the
 * connection and frees the client. Not from a callback of the client. NULL ok.
 */
void gw_redis_free(struct gw_redis *r);

/*
 * Ends the client without freeing it (a loop that stops using it while
 * requests may still hold it): every command in flight completes with
 * GW_E_UNAVAILABLE now, later commands are refused, no reconnect, no
 * state callback. gw_redis_free still frees it. Loop thread, not from a
 * callback. NULL is fine.
 */
void gw_redis_close(struct gw_redis *r);

/*
 * A blocking client: connects (within connect_timeout_ms), AUTH and SELECT.
 * For one thread at a time, except gw_redis_sync_interrupt. It does not
 * reconnect: after an error (GW_E_UNAVAILABLE, GW_E_UPSTREAM_TIMEOUT) the
 * connection is unusable; free it and connect again. GW_E_UNAVAILABLE when
 * Redis cannot be reached or refuses the set-up, GW_E_NOMEM. Logs nothing
 * above debug: the caller's reconnect loop logs an outage, once.
 */
enum gw_err gw_redis_sync_connect(const struct gw_redis_opts *o, struct gw_redis_sync **out) GW_WUR;

/*
 * Sends a command (argv and argvlen as gw_redis_command) and waits for its
 * reply at most timeout_ms (0 = command_timeout_ms; for XREAD BLOCK give
 * more than the block time). On GW_OK cb(GW_OK, reply, arg) has run before
 * this returns (Redis's error replies included); otherwise cb was not
 * called: GW_E_UPSTREAM_TIMEOUT, GW_E_UNAVAILABLE (connection lost or
 * interrupted), GW_E_NOMEM, GW_E_INTERNAL when argc < 1.
 */
enum gw_err gw_redis_sync_command(struct gw_redis_sync *s, unsigned timeout_ms, int argc,
				  const char **argv, const size_t *argvlen, gw_redis_reply_fn cb,
				  void *arg) GW_WUR;

/*
 * Waits for the next reply without sending anything (the messages after
 * SUBSCRIBE); as gw_redis_sync_command otherwise.
 */
enum gw_err gw_redis_sync_read(struct gw_redis_sync *s, unsigned timeout_ms, gw_redis_reply_fn cb,
			       void *arg) GW_WUR;

/*
 * From any thread: shuts the connection down, so that a call blocked in s
 * returns GW_E_UNAVAILABLE now and every later one at once. s must not be
 * freed meanwhile (join the thread that uses it, then free).
 */
void gw_redis_sync_interrupt(struct gw_redis_sync *s);

/* Closes and frees. NULL ok. */
void gw_redis_sync_free(struct gw_redis_sync *s);

#endif
