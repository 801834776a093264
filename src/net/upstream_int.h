/*
 * upstream_int.h - a pool, its group and a lane, shared by the files of
 * the upstream module (upstream.c: the call API and each call's transfer;
 * upstream_pool.c: group, lane and pool life, the socket and timer plumbing
 * and the threaded pool's thread and queue). Only the files of src/net
 * include it.
 */
#ifndef GW_UPSTREAM_INT_H
#define GW_UPSTREAM_INT_H

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "breaker.h"
#include "ev.h"
#include "upstream.h"

struct xfer; /* an easy handle and its transfer: upstream.c */
struct sock; /* a socket curl watches: upstream_pool.c */

/* A breaker with its recorder's lock: one BBB server's, or a group's own. */
struct gw_upstream_lane {
	struct gw_breaker breaker;
	pthread_mutex_t record_lock; /* gw_breaker_record has one recorder at a time */
	atomic_uint refs;            /* a group's own lane is not counted */
};

struct gw_upstream_group {
	struct gw_upstream_opts opts;
	unsigned n_pools;
	struct gw_upstream_lane lane; /* the breaker of the calls that name no lane */
	atomic_ulong connects;
	CURLSH *share; /* DNS cache and TLS sessions of every pool */
	pthread_mutex_t share_lock[CURL_LOCK_DATA_LAST];
};

struct gw_upstream {
	struct gw_upstream_group *group;
	bool own_group; /* gw_upstream_new made it */
	CURLM *multi;
	int epfd;
	bool own_epfd;

	/* a pool with a thread of its own: the cross-thread queue */
	bool threaded;
	pthread_t thread;
	int wake_fd;
	struct gw_ev wake_ev;
	pthread_mutex_t lock;
	struct gw_upstream_call *queue_head; /* lock */
	struct gw_upstream_call *queue_tail; /* lock */
	bool stopping;                       /* lock */

	bool closing; /* being freed: submit refuses (pool thread) */
	struct xfer *active;
	struct xfer *idle;
	unsigned n_idle;
	unsigned max_idle;
	long connect_timeout_ms;
	long maxage_conn_s;
	bool retry;
	struct gw_upstream_call *delayed; /* retries waiting for their backoff */
	double timer_due;                 /* curl's timer, monotonic ms; < 0 = none */
	double next_deadline;             /* earliest transfer deadline (a lower bound) */
	struct sock *dead;
	struct curl_slist *get_headers; /* a plain GET's headers, built once */
};

static inline double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/*
 * upstream.c: a call's transfer, for the pool's plumbing. All of them run
 * on the thread that drives the pool.
 */

/* Moves one submitted call into the multi handle, or completes it at once. */
void gw_upstream_start_call(struct gw_upstream *up, struct gw_upstream_call *call);

/* Finishes the transfers curl reports done. */
void gw_upstream_reap(struct gw_upstream *up);

/* Starts the retries whose backoff is over. */
void gw_upstream_start_due(struct gw_upstream *up);

/* When the earliest delayed retry is due (monotonic ms), or -1 when none waits. */
double gw_upstream_next_due(const struct gw_upstream *up);

/* Times out the transfers past their deadline (curl may not, see upstream.c). */
void gw_upstream_expire(struct gw_upstream *up);

/* Completes queued calls (linked by priv_next), running and delayed ones with GW_E_UNAVAILABLE. */
void gw_upstream_cancel_all(struct gw_upstream *up, struct gw_upstream_call *queued);

/* Frees the idle easy handles. */
void gw_upstream_drop_idle(struct gw_upstream *up);

/* upstream_pool.c: queues call for a threaded pool's thread; false while it stops. */
bool gw_upstream_enqueue(struct gw_upstream *up, struct gw_upstream_call *call);

#endif
