/*
 * loop.h - one event loop of the HTTP server: a thread, an epoll set that
 * holds a daemon's own epoll fd (the server's libmicrohttpd daemon, in
 * external-polling mode) and the sockets of an upstream pool, and an
 * eventfd through which other threads run commands on the loop.
 *
 * A request that needs BBB is read, submitted, answered by BBB, converted
 * and answered to the client on the thread of the loop that accepted it:
 * nothing is handed to another thread. Each iteration waits on the epoll
 * set (no longer than the daemon's and the pool's timers allow), lets the
 * pool handle its socket events, runs the daemon, and runs the daemon
 * again while a call completed on this thread resumed one of its
 * connections (gw_loop_kick), so a resumed connection is answered in the
 * same iteration.
 */
#ifndef GW_LOOP_H
#define GW_LOOP_H

#include <stdbool.h>

#include "compiler.h"
#include "err.h"

struct gw_ev;
struct gw_loop;
struct gw_upstream;
struct gw_upstream_group;

struct gw_loop_hooks {
	void (*run)(void *arg);        /* process the daemon (MHD_run) */
	long (*timeout_ms)(void *arg); /* ms until the daemon must run; -1 = none */
};

/*
 * A loop, not yet running, with pool number index of group (created in the
 * loop's epoll set), or, when shared is not NULL, using that threaded pool
 * instead (borrowed; it must outlive the loop's use of it). out written on
 * success; free with gw_loop_free.
 */
enum gw_err gw_loop_new(unsigned index, struct gw_upstream_group *group, struct gw_upstream *shared,
			struct gw_loop **out) GW_WUR;

/* Adds the daemon's epoll fd (readable = the daemon has work). Before gw_loop_start. */
enum gw_err gw_loop_watch(struct gw_loop *loop, int fd) GW_WUR;

/*
 * Loop thread: calls ev->fn when the peer of socket fd hangs up or the
 * socket fails (EPOLLRDHUP, EPOLLHUP, EPOLLERR; level-triggered, so the
 * callback unwatches it). For connections the daemon does not watch while
 * they wait (suspended event streams).
 */
enum gw_err gw_loop_watch_hangup(struct gw_loop *loop, int fd, struct gw_ev *ev) GW_WUR;

/* Loop thread: stops watching fd (a no-op when it is not watched). */
void gw_loop_unwatch(struct gw_loop *loop, int fd);

/* Starts the thread; hooks and arg are borrowed until gw_loop_stop. */
enum gw_err gw_loop_start(struct gw_loop *loop, const struct gw_loop_hooks *hooks,
			  void *arg) GW_WUR;

/*
 * Runs fn(arg) on the loop's thread and returns when it has run (directly
 * when called on that thread, or when the thread is not running).
 */
void gw_loop_call(struct gw_loop *loop, void (*fn)(void *arg), void *arg);

/* The loop's upstream pool (borrowed), or NULL once dropped. Loop thread. */
struct gw_upstream *gw_loop_upstream(struct gw_loop *loop);

struct gw_redis;
struct gw_redis_opts;

/*
 * A Redis client (redis.h) in the loop's epoll set, created on the loop's
 * thread: the state several gateways share (state.redis). Once.
 */
enum gw_err gw_loop_redis_start(struct gw_loop *loop, const struct gw_redis_opts *o) GW_WUR;

/* The loop's Redis client (borrowed), or NULL: none, or dropped. Loop thread. */
struct gw_redis *gw_loop_redis(struct gw_loop *loop);

/*
 * Completes every call of the loop's pool (and every Redis command) with GW_E_UNAVAILABLE and stops
 * using it (later calls are refused with 503), on the loop's thread; the
 * daemon runs right after, so resumed requests are answered.
 */
void gw_loop_drop_upstream(struct gw_loop *loop);

/* True on the loop's own thread. */
bool gw_loop_current(const struct gw_loop *loop);

/* Loop thread: run the daemon again before waiting (a connection was resumed). */
void gw_loop_kick(struct gw_loop *loop);

/*
 * Any thread: run the daemon soon. libmicrohttpd 0.9.75 in external-polling
 * mode does not wake its poller when a connection is resumed from another
 * thread, so whoever resumes one there calls this after.
 */
void gw_loop_wake(struct gw_loop *loop);

/* Ends the thread (after its current iteration) and waits for it. */
void gw_loop_stop(struct gw_loop *loop);

/* Frees a stopped (or never started) loop and its pool. NULL is fine. */
void gw_loop_free(struct gw_loop *loop);

#endif
