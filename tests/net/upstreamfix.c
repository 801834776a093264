/*
 * upstreamfix.c - see upstreamfix.h.
 */
#include "upstreamfix.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ev.h"

struct gw_upstream *up;
int epfd = -1;

static pthread_mutex_t wlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wcond = PTHREAD_COND_INITIALIZER;
static int completed; /* wlock */

void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

void completions_reset(void)
{
	pthread_mutex_lock(&wlock);
	completed = 0;
	pthread_mutex_unlock(&wlock);
}

static void on_done(struct gw_upstream_call *call, void *arg)
{
	struct tcall *t = arg;

	t->seen = call;
	t->thread = pthread_self();
	if (t->resubmit != NULL)
		t->resubmit_err = gw_upstream_submit(up, &t->resubmit->c);
	pthread_mutex_lock(&wlock);
	t->ndone++;
	t->rank = completed++;
	pthread_cond_broadcast(&wcond);
	pthread_mutex_unlock(&wlock);
}

void tcall_init_at(struct tcall *t, unsigned port, const char *path)
{
	memset(t, 0, sizeof(*t));
	gw_upstream_call_init(&t->c);
	snprintf(t->url, sizeof(t->url), "http://127.0.0.1:%u%s", port, path);
	t->c.url = t->url;
	t->c.timeout_ms = 5000;
	t->c.max_reply_bytes = 64 * 1024;
	t->c.done = on_done;
	t->c.arg = t;
	t->rank = -1;
}

int n_completed(void)
{
	int n;

	pthread_mutex_lock(&wlock);
	n = completed;
	pthread_mutex_unlock(&wlock);
	return n;
}

void drive_until(int n)
{
	struct epoll_event evs[16];
	struct timespec t0;
	struct timespec now;
	long wait;
	int k;
	int i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		wait = gw_upstream_timeout_ms(up);
		if (wait < 0 || wait > 50)
			wait = 50;
		k = epoll_wait(epfd, evs, 16, (int)wait);
		for (i = 0; i < k; i++) {
			struct gw_ev *ev = evs[i].data.ptr;

			ev->fn(ev, evs[i].events);
		}
		gw_upstream_run_timers(up);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (n_completed() < n && now.tv_sec - t0.tv_sec < WAIT_S);
	ck_assert_int_ge(n_completed(), n);
}

void wait_completed(int n)
{
	struct timespec deadline;
	int rc = 0;

	if (epfd >= 0) {
		drive_until(n);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += WAIT_S;
	pthread_mutex_lock(&wlock);
	while (completed < n && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&wcond, &wlock, &deadline);
	pthread_mutex_unlock(&wlock);
	ck_assert_int_ge(n_completed(), n);
}

void submit(struct tcall *t)
{
	ck_assert_int_eq(gw_upstream_submit(up, &t->c), GW_OK);
}

void run_call(struct tcall *t)
{
	int base = n_completed();

	submit(t);
	wait_completed(base + 1);
	ck_assert_int_eq(t->ndone, 1);
	ck_assert_ptr_eq(t->seen, &t->c);
}

void free_cancelling(struct tcall *t, int n)
{
	int i;

	gw_upstream_free(up);
	up = NULL;
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(t[i].ndone, 1);
		ck_assert_int_eq(t[i].c.result, GW_E_UNAVAILABLE);
		ck_assert_uint_eq(t[i].c.reply.len, 0);
		gw_upstream_call_deinit(&t[i].c);
	}
}

void loop_pool_new(struct gw_upstream_group *g)
{
	epfd = epoll_create1(EPOLL_CLOEXEC);
	ck_assert_int_ge(epfd, 0);
	ck_assert_int_eq(gw_upstream_new_on(g, epfd, 0, &up), GW_OK);
}

void pools_free(struct gw_upstream_group **g)
{
	gw_upstream_free(up);
	up = NULL;
	gw_upstream_group_free(*g);
	*g = NULL;
	if (epfd >= 0)
		close(epfd);
	epfd = -1;
}

unsigned refusing_port(int *fd)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t len = sizeof(sin);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	*fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(*fd, 0);
	ck_assert_int_eq(bind(*fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(*fd, (struct sockaddr *)&sin, &len), 0);
	return (unsigned)ntohs(sin.sin_port);
}
