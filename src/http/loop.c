/*
 * loop.c - the HTTP server's event loops (see loop.h). The loop knows the
 * daemon only through two hooks (run, timeout), so libmicrohttpd stays in
 * http_server.c; it owns the epoll set, its thread, the command eventfd
 * and the loop's upstream pool.
 *
 * Commands (gw_loop_call) are the only cross-thread traffic: a caller puts
 * a command on the list under the lock, writes the eventfd and waits on
 * the condition variable until the loop ran it.
 */
#include "loop.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "ev.h"
#include "gw_limits.h"
#include "log.h"
#include "redis.h"
#include "upstream.h"

/* Runs of the daemon in one iteration while calls keep resuming connections. */
#define MAX_RERUNS 8
#define MAX_EVENTS 64

struct cmd {
	void (*fn)(void *arg);
	void *arg;
	bool done; /* lock */
	struct cmd *next;
};

/* The loop whose thread this is (set by the loop's thread itself: no race with its creator). */
static _Thread_local const struct gw_loop *current_loop;

struct gw_loop {
	unsigned index;
	int epfd;
	int wake_fd;
	struct gw_ev wake_ev;
	struct gw_ev daemon_ev;
	bool daemon_ready;      /* loop thread: the daemon's fd fired in this batch */
	bool kicked;            /* loop thread */
	bool stop;              /* loop thread */
	struct gw_upstream *up; /* loop thread; NULL once dropped */
	bool own_up;            /* up lives in this loop's epoll set (else: a threaded pool) */
	struct gw_redis *redis; /* loop thread; the shared state's client, NULL = none */
	bool redis_closed;      /* loop thread; closed with the pool's drop */
	const struct gw_loop_hooks *hooks;
	void *arg;
	pthread_t thread;
	bool running; /* written before start and after join only */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct cmd *cmds; /* lock */
};

static void run_cmds(struct gw_loop *loop)
{
	struct cmd *list;
	struct cmd *c;
	struct cmd *next;

	pthread_mutex_lock(&loop->lock);
	list = loop->cmds;
	loop->cmds = NULL;
	pthread_mutex_unlock(&loop->lock);
	for (c = list; c != NULL; c = next) {
		next = c->next;
		c->fn(c->arg);
		pthread_mutex_lock(&loop->lock);
		c->done = true; /* c lives on the caller's stack: not touched after this */
		pthread_cond_broadcast(&loop->cond);
		pthread_mutex_unlock(&loop->lock);
	}
}

static void on_wake(struct gw_ev *ev, uint32_t events)
{
	struct gw_loop *loop =
		(struct gw_loop *)(void *)((char *)ev - offsetof(struct gw_loop, wake_ev));
	uint64_t n;

	(void)events;
	if (read(loop->wake_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		gw_log_warn("loop %u: eventfd read failed", loop->index);
	/* A wake-up from gw_loop_wake (or a command): the daemon has work. */
	loop->kicked = true;
	run_cmds(loop);
}

static void on_daemon(struct gw_ev *ev, uint32_t events)
{
	struct gw_loop *loop =
		(struct gw_loop *)(void *)((char *)ev - offsetof(struct gw_loop, daemon_ev));

	(void)events;
	loop->daemon_ready = true;
}

static int next_timeout(struct gw_loop *loop)
{
	long t = loop->hooks->timeout_ms(loop->arg);
	long u = loop->own_up ? gw_upstream_timeout_ms(loop->up) : -1;
	long r = loop->redis != NULL ? gw_redis_timeout_ms(loop->redis) : -1;

	if (loop->kicked)
		return 0;
	if (u >= 0 && (t < 0 || u < t))
		t = u;
	if (r >= 0 && (t < 0 || r < t))
		t = r;
	/* An idle loop still wakes now and then; nothing depends on it. */
	if (t < 0 || t > 60000)
		t = 60000;
	return (int)t;
}

static void *loop_main(void *arg)
{
	struct gw_loop *loop = arg;
	struct epoll_event evs[MAX_EVENTS];
	char eb[96];
	int n;
	int i;
	int k;

	current_loop = loop;
	while (!loop->stop) {
		n = epoll_wait(loop->epfd, evs, MAX_EVENTS, next_timeout(loop));
		if (n < 0 && errno != EINTR) {
			gw_log_err("loop %u: epoll_wait failed: %s", loop->index,
				   strerror_r(errno, eb, sizeof(eb)));
			break;
		}
		loop->daemon_ready = n == 0;
		for (i = 0; i < n; i++) {
			struct gw_ev *ev = evs[i].data.ptr;

			ev->fn(ev, evs[i].events);
		}
		if (loop->own_up)
			gw_upstream_run_timers(loop->up);
		if (loop->redis != NULL)
			gw_redis_run_timers(loop->redis);
		/* Calls that completed above resumed connections: answer them now. */
		for (k = 0; (loop->daemon_ready || loop->kicked) && k < MAX_RERUNS; k++) {
			loop->daemon_ready = false;
			loop->kicked = false;
			loop->hooks->run(loop->arg);
			/* Sends the calls the daemon's requests just submitted. */
			if (loop->own_up)
				gw_upstream_run_timers(loop->up);
		}
	}
	return NULL;
}

static enum gw_err add_fd(struct gw_loop *loop, int fd, struct gw_ev *ev)
{
	struct epoll_event e;
	char eb[96];

	memset(&e, 0, sizeof(e));
	e.events = EPOLLIN;
	e.data.ptr = ev;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &e) != 0) {
		gw_log_err("loop %u: epoll_ctl: %s", loop->index,
			   strerror_r(errno, eb, sizeof(eb)));
		return GW_E_IO;
	}
	return GW_OK;
}

enum gw_err gw_loop_new(unsigned index, struct gw_upstream_group *group, struct gw_upstream *shared,
			struct gw_loop **out)
{
	struct gw_loop *loop = calloc(1, sizeof(*loop));
	enum gw_err err = GW_E_IO;
	char eb[96];

	if (loop == NULL)
		return GW_E_NOMEM;
	loop->index = index;
	loop->wake_ev.fn = on_wake;
	loop->daemon_ev.fn = on_daemon;
	pthread_mutex_init(&loop->lock, NULL);
	pthread_cond_init(&loop->cond, NULL);
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	loop->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (loop->epfd < 0 || loop->wake_fd < 0) {
		gw_log_err("loop %u: cannot create its epoll set: %s", index,
			   strerror_r(errno, eb, sizeof(eb)));
		goto fail;
	}
	err = add_fd(loop, loop->wake_fd, &loop->wake_ev);
	if (err != GW_OK)
		goto fail;
	if (shared != NULL) {
		loop->up = shared;
	} else if (group != NULL) {
		err = gw_upstream_new_on(group, loop->epfd, index, &loop->up);
		if (err != GW_OK)
			goto fail;
		loop->own_up = true;
	}
	*out = loop;
	return GW_OK;
fail:
	gw_loop_free(loop);
	return err;
}

enum gw_err gw_loop_watch(struct gw_loop *loop, int fd)
{
	return add_fd(loop, fd, &loop->daemon_ev);
}

enum gw_err gw_loop_watch_hangup(struct gw_loop *loop, int fd, struct gw_ev *ev)
{
	struct epoll_event e;

	memset(&e, 0, sizeof(e));
	e.events = EPOLLRDHUP;
	e.data.ptr = ev;
	return epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &e) == 0 ? GW_OK : GW_E_IO;
}

void gw_loop_unwatch(struct gw_loop *loop, int fd)
{
	(void)epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
}

enum gw_err gw_loop_start(struct gw_loop *loop, const struct gw_loop_hooks *hooks, void *arg)
{
	loop->hooks = hooks;
	loop->arg = arg;
	loop->running = true;
	if (pthread_create(&loop->thread, NULL, loop_main, loop) != 0) {
		loop->running = false;
		gw_log_err("loop %u: cannot start its thread", loop->index);
		return GW_E_INTERNAL;
	}
	return GW_OK;
}

bool gw_loop_current(const struct gw_loop *loop)
{
	return current_loop == loop;
}

void gw_loop_call(struct gw_loop *loop, void (*fn)(void *arg), void *arg)
{
	struct cmd c = {fn, arg, false, NULL};
	uint64_t one = 1;

	if (!loop->running || gw_loop_current(loop)) {
		fn(arg);
		return;
	}
	pthread_mutex_lock(&loop->lock);
	c.next = loop->cmds;
	loop->cmds = &c;
	if (write(loop->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		gw_log_warn("loop %u: eventfd write failed", loop->index);
	while (!c.done)
		pthread_cond_wait(&loop->cond, &loop->lock);
	pthread_mutex_unlock(&loop->lock);
}

struct gw_upstream *gw_loop_upstream(struct gw_loop *loop)
{
	return loop->up;
}

static void drop_upstream(void *arg)
{
	struct gw_loop *loop = arg;
	struct gw_upstream *up = loop->up;

	/*
	 * Calls completing now see no pool for a follow-up call. Redis first:
	 * requests waiting on it go on to their BBB calls, which the pool then
	 * completes; the client stays allocated (closed) while requests may
	 * still hold it, until the loop is freed.
	 */
	gw_redis_close(loop->redis);
	loop->redis_closed = true;
	loop->up = NULL;
	if (loop->own_up)
		gw_upstream_free(up);
	loop->own_up = false;
	loop->kicked = true;
}

struct redis_start {
	struct gw_loop *loop;
	const struct gw_redis_opts *opts;
	enum gw_err err;
};

static void redis_start(void *arg)
{
	struct redis_start *rs = arg;

	rs->err = gw_redis_new_on(rs->loop->epfd, rs->opts, &rs->loop->redis);
}

enum gw_err gw_loop_redis_start(struct gw_loop *loop, const struct gw_redis_opts *o)
{
	struct redis_start rs = {loop, o, GW_OK};

	gw_loop_call(loop, redis_start, &rs);
	return rs.err;
}

struct gw_redis *gw_loop_redis(struct gw_loop *loop)
{
	return loop->redis_closed ? NULL : loop->redis;
}

void gw_loop_drop_upstream(struct gw_loop *loop)
{
	gw_loop_call(loop, drop_upstream, loop);
}

void gw_loop_kick(struct gw_loop *loop)
{
	loop->kicked = true;
}

void gw_loop_wake(struct gw_loop *loop)
{
	uint64_t one = 1;

	if (write(loop->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		gw_log_warn("loop %u: eventfd write failed", loop->index);
}

static void set_stop(void *arg)
{
	((struct gw_loop *)arg)->stop = true;
}

void gw_loop_stop(struct gw_loop *loop)
{
	if (loop == NULL || !loop->running)
		return;
	gw_loop_call(loop, set_stop, loop);
	pthread_join(loop->thread, NULL);
	loop->running = false;
}

void gw_loop_free(struct gw_loop *loop)
{
	if (loop == NULL)
		return;
	gw_loop_stop(loop);
	gw_redis_free(loop->redis);
	if (loop->own_up)
		gw_upstream_free(loop->up);
	if (loop->wake_fd >= 0)
		close(loop->wake_fd);
	if (loop->epfd >= 0)
		close(loop->epfd);
	pthread_cond_destroy(&loop->cond);
	pthread_mutex_destroy(&loop->lock);
	free(loop);
}
