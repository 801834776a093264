/*
 * upstreamfix.h - what the upstream suites share: a test's calls and what
 * their done saw, waiting for completions (on a condvar for a threaded
 * pool, driving the test's epoll set for a loop's pool), making and freeing
 * the pools, and a loopback port that refuses connections.
 */
#ifndef GW_TEST_UPSTREAMFIX_H
#define GW_TEST_UPSTREAMFIX_H

#include <pthread.h>

#include "upstream.h"

#define WAIT_S 20

/* One call of a test and what its done saw. */
struct tcall {
	struct gw_upstream_call c;
	char url[1024];
	struct gw_upstream_call *seen; /* the call done was given */
	pthread_t thread;              /* the thread done ran on */
	int ndone;                     /* completions' lock */
	int rank;                      /* completion order; completions' lock */
	struct tcall *resubmit;        /* submitted on up from inside done */
	enum gw_err resubmit_err;      /* what that submit returned */
};

/* The pool under test, made and freed by the suite's fixture. */
extern struct gw_upstream *up;

/* The epoll set of a loop's pool, driven by the test's thread; -1 for a threaded pool. */
extern int epfd;

void sleep_ms(unsigned ms);

/* Forgets the completions counted so far (a fixture's start). */
void completions_reset(void);

/* A GET of http://127.0.0.1:port<path>: 5 s, 64 KiB, done counts it. */
void tcall_init_at(struct tcall *t, unsigned port, const char *path);

/* Calls completed since completions_reset. */
int n_completed(void);

/*
 * Waits until n calls have completed in total (fails the test after
 * WAIT_S): drives epfd when it is set, else waits for the pool's thread.
 */
void wait_completed(int n);

/* What an HTTP loop does: wait on epfd, dispatch, run up's timers; until n completed. */
void drive_until(int n);

/* Submits t on up; fails the test unless it is accepted. */
void submit(struct tcall *t);

/* Submits and waits for this one call. */
void run_call(struct tcall *t);

/*
 * Frees up (leaving it NULL) with the n calls t in flight or queued: each
 * ended once, with GW_E_UNAVAILABLE and an empty reply. Deinits them.
 */
void free_cancelling(struct tcall *t, int n);

/* A loop's pool: pool 0 of g in a new epfd, driven by the test's thread. */
void loop_pool_new(struct gw_upstream_group *g);

/* Frees up, then *g (NULL is fine), and closes epfd when set. */
void pools_free(struct gw_upstream_group **g);

/* A loopback port bound but not listening, so connects are refused while *fd stays open. */
unsigned refusing_port(int *fd);

#endif
