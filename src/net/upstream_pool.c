/*
 * upstream_pool.c - the life of groups, lanes and pools and what drives a pool.
 * A pool is one curl multi handle with its easy handles, driven by
 * curl_multi_socket_action: its sockets sit in an epoll set
 * (CURLMOPT_SOCKETFUNCTION) and its timer is a deadline the loop turns into
 * its epoll_wait timeout (CURLMOPT_TIMERFUNCTION). A pool lives either in
 * an HTTP loop's epoll set, where every call is submitted, runs and
 * completes on the loop's thread with no hand-off (gw_upstream_new_on), or
 * on a thread of its own that other threads feed through a locked queue and
 * an eventfd (gw_upstream_new, gw_upstream_new_threaded).
 *
 * What all pools of a gateway share is a group: a circuit breaker (its
 * recorder serialised by a mutex) for the calls that name no lane, the
 * connect counter, and a curl share of the DNS cache and TLS sessions.
 * Connections are per pool: curl cannot share them between threads
 * (KNOWN_BUGS 11.11). A lane is the same breaker and mutex for one BBB
 * server, reference-counted and tied to no group or pool.
 */
#include "upstream_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "gw_limits.h"
#include "log.h"

#define POLL_MS 1000
#define DEFAULT_MAXAGE_CONN_S 60L
#define MIN_IDLE_HANDLES 16u

/*
 * A socket curl asked to watch. Freed only after the current batch of
 * epoll events: a later event of the same batch may still point here.
 */
struct sock {
	struct gw_ev ev; /* first: epoll_data.ptr */
	struct gw_upstream *up;
	curl_socket_t fd;
	bool added; /* in the epoll set */
	bool dead;  /* curl let go of it */
	struct sock *next_dead;
};

static void free_dead(struct gw_upstream *up)
{
	while (up->dead != NULL) {
		struct sock *sk = up->dead;

		up->dead = sk->next_dead;
		free(sk);
	}
}

static void on_sock_event(struct gw_ev *ev, uint32_t events)
{
	struct sock *sk = (struct sock *)(void *)ev;
	struct gw_upstream *up = sk->up;
	int flags = 0;
	int running;

	if (sk->dead)
		return;
	if (events & EPOLLIN)
		flags |= CURL_CSELECT_IN;
	if (events & EPOLLOUT)
		flags |= CURL_CSELECT_OUT;
	if (events & (EPOLLERR | EPOLLHUP))
		flags |= CURL_CSELECT_ERR;
	curl_multi_socket_action(up->multi, sk->fd, flags, &running);
	gw_upstream_reap(up);
}

/* CURLMOPT_SOCKETFUNCTION: what curl wants to hear about s. */
static int on_socket(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct gw_upstream *up = userp;
	struct sock *sk = socketp;
	struct epoll_event ev;
	char eb[96];

	(void)e;
	if (what == CURL_POLL_REMOVE) {
		if (sk == NULL)
			return 0;
		if (sk->added)
			(void)epoll_ctl(up->epfd, EPOLL_CTL_DEL, s, NULL);
		curl_multi_assign(up->multi, s, NULL);
		sk->dead = true;
		sk->next_dead = up->dead;
		up->dead = sk;
		return 0;
	}
	if (sk == NULL) {
		sk = calloc(1, sizeof(*sk));
		if (sk == NULL)
			return -1;
		sk->ev.fn = on_sock_event;
		sk->up = up;
		sk->fd = s;
		curl_multi_assign(up->multi, s, sk);
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = (what & CURL_POLL_IN) ? EPOLLIN : 0u;
	if (what & CURL_POLL_OUT)
		ev.events |= EPOLLOUT;
	ev.data.ptr = &sk->ev;
	if (epoll_ctl(up->epfd, sk->added ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, s, &ev) != 0) {
		gw_log_warn("upstream: epoll_ctl failed: %s", strerror_r(errno, eb, sizeof(eb)));
		return -1;
	}
	sk->added = true;
	return 0;
}

/* CURLMOPT_TIMERFUNCTION: only notes the deadline; gw_upstream_run_timers acts on it. */
static int on_timer(CURLM *m, long timeout_ms, void *userp)
{
	struct gw_upstream *up = userp;

	(void)m;
	up->timer_due = timeout_ms < 0 ? -1.0 : now_ms() + (double)timeout_ms;
	return 0;
}

long gw_upstream_timeout_ms(const struct gw_upstream *up)
{
	double now = now_ms();
	double due = up->timer_due;
	double retry = gw_upstream_next_due(up);

	if (up->active != NULL && (due < 0.0 || up->next_deadline < due))
		due = up->next_deadline;
	if (retry >= 0.0 && (due < 0.0 || retry < due))
		due = retry;
	if (due < 0.0)
		return -1;
	return due <= now ? 0 : (long)(due - now) + 1;
}

void gw_upstream_run_timers(struct gw_upstream *up)
{
	double now = now_ms();
	int running;

	/* The batch of epoll events that may still name them is over. */
	free_dead(up);
	if (up->timer_due >= 0.0 && up->timer_due <= now) {
		up->timer_due = -1.0;
		curl_multi_socket_action(up->multi, CURL_SOCKET_TIMEOUT, 0, &running);
		gw_upstream_reap(up);
	}
	if (up->delayed != NULL)
		gw_upstream_start_due(up);
	if (up->active != NULL && up->next_deadline <= now)
		gw_upstream_expire(up);
	free_dead(up);
}

static void on_wake(struct gw_ev *ev, uint32_t events)
{
	char *base = (char *)ev - offsetof(struct gw_upstream, wake_ev);
	struct gw_upstream *up = (struct gw_upstream *)(void *)base;
	uint64_t n;

	(void)events;
	if (read(up->wake_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		gw_log_warn("upstream: eventfd read failed");
}

/* A pool with a thread of its own: takes the queue, then waits on the epoll set. */
static void *run(void *arg)
{
	struct gw_upstream *up = arg;
	struct gw_upstream_call *queued;
	struct gw_upstream_call *call;
	struct epoll_event evs[32];
	bool stop;
	long wait_ms;
	int n;
	int i;

	for (;;) {
		pthread_mutex_lock(&up->lock);
		queued = up->queue_head;
		up->queue_head = NULL;
		up->queue_tail = NULL;
		stop = up->stopping;
		pthread_mutex_unlock(&up->lock);
		if (stop)
			break;
		while (queued != NULL) {
			call = queued;
			queued = call->priv_next;
			call->priv_next = NULL;
			gw_upstream_start_call(up, call);
		}
		gw_upstream_run_timers(up);
		wait_ms = gw_upstream_timeout_ms(up);
		if (wait_ms < 0 || wait_ms > POLL_MS)
			wait_ms = POLL_MS;
		n = epoll_wait(up->epfd, evs, (int)GW_ARRAY_SIZE(evs), (int)wait_ms);
		for (i = 0; i < n; i++) {
			struct gw_ev *ev = evs[i].data.ptr;

			ev->fn(ev, evs[i].events);
		}
		gw_upstream_run_timers(up);
	}
	gw_upstream_cancel_all(up, queued);
	return NULL;
}

/* Queues call for the pool's thread; false while it stops. */
bool gw_upstream_enqueue(struct gw_upstream *up, struct gw_upstream_call *call)
{
	uint64_t one = 1;
	bool was_empty;

	pthread_mutex_lock(&up->lock);
	if (up->stopping) {
		pthread_mutex_unlock(&up->lock);
		return false;
	}
	was_empty = up->queue_head == NULL;
	if (was_empty)
		up->queue_head = call;
	else
		up->queue_tail->priv_next = call;
	up->queue_tail = call;
	/* A non-empty queue means a wake-up is already pending. */
	if (was_empty && write(up->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		gw_log_warn("upstream: eventfd write failed");
	pthread_mutex_unlock(&up->lock);
	return true;
}

static void lane_init(struct gw_upstream_lane *lane, const struct gw_upstream_opts *opts)
{
	gw_breaker_init(&lane->breaker, opts->breaker_failures, opts->breaker_cooldown_ms,
			opts->breaker_max_cooldown_ms);
	pthread_mutex_init(&lane->record_lock, NULL);
	atomic_init(&lane->refs, 1);
}

enum gw_err gw_upstream_lane_new(const struct gw_upstream_opts *opts, struct gw_upstream_lane **out)
{
	struct gw_upstream_lane *lane = malloc(sizeof(*lane));

	if (lane == NULL)
		return GW_E_NOMEM;
	lane_init(lane, opts);
	*out = lane;
	return GW_OK;
}

struct gw_upstream_lane *gw_upstream_lane_ref(struct gw_upstream_lane *lane)
{
	if (lane != NULL)
		atomic_fetch_add_explicit(&lane->refs, 1, memory_order_relaxed);
	return lane;
}

void gw_upstream_lane_unref(struct gw_upstream_lane *lane)
{
	if (lane == NULL || atomic_fetch_sub_explicit(&lane->refs, 1, memory_order_acq_rel) != 1)
		return;
	pthread_mutex_destroy(&lane->record_lock);
	free(lane);
}

bool gw_upstream_lane_breaker_open(struct gw_upstream_lane *lane)
{
	return gw_breaker_state(&lane->breaker) == GW_BREAKER_OPEN;
}

unsigned long gw_upstream_lane_opened(struct gw_upstream_lane *lane)
{
	return atomic_load(&lane->breaker.opened);
}

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *arg)
{
	struct gw_upstream_group *g = arg;

	(void)h;
	(void)access;
	if ((unsigned)data < CURL_LOCK_DATA_LAST)
		pthread_mutex_lock(&g->share_lock[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *arg)
{
	struct gw_upstream_group *g = arg;

	(void)h;
	if ((unsigned)data < CURL_LOCK_DATA_LAST)
		pthread_mutex_unlock(&g->share_lock[data]);
}

enum gw_err gw_upstream_group_new(const struct gw_upstream_opts *opts, unsigned n_pools,
				  struct gw_upstream_group **out)
{
	struct gw_upstream_group *g = calloc(1, sizeof(*g));
	unsigned i;

	if (g == NULL)
		return GW_E_NOMEM;
	g->opts = *opts;
	g->n_pools = n_pools > 0 ? n_pools : 1;
	lane_init(&g->lane, opts);
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&g->share_lock[i], NULL);
	atomic_init(&g->connects, 0);
	g->share = curl_share_init();
	if (g->share == NULL) {
		gw_upstream_group_free(g);
		return GW_E_NOMEM;
	}
	curl_share_setopt(g->share, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(g->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(g->share, CURLSHOPT_USERDATA, g);
	curl_share_setopt(g->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(g->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	*out = g;
	return GW_OK;
}

void gw_upstream_group_free(struct gw_upstream_group *g)
{
	unsigned i;

	if (g == NULL)
		return;
	if (g->share != NULL)
		curl_share_cleanup(g->share);
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&g->share_lock[i]);
	pthread_mutex_destroy(&g->lane.record_lock);
	free(g);
}

bool gw_upstream_group_breaker_open(struct gw_upstream_group *g)
{
	return gw_upstream_lane_breaker_open(&g->lane);
}

unsigned long gw_upstream_group_connects(struct gw_upstream_group *g)
{
	return atomic_load(&g->connects);
}

/* Pool index's share of the bulkhead: the total split like MHD splits its connection limit. */
static unsigned bulkhead_share(const struct gw_upstream_group *g, unsigned index, unsigned n)
{
	unsigned max = g->opts.max_host_connections;
	unsigned share;

	if (max == 0)
		return 0;
	share = max / n + (index % n < max % n ? 1u : 0u);
	return share > 0 ? share : 1u;
}

static void destroy(struct gw_upstream *up)
{
	gw_upstream_drop_idle(up);
	/* Closing cached connections may still call on_socket: the epoll set is still open. */
	if (up->multi != NULL)
		curl_multi_cleanup(up->multi);
	free_dead(up);
	curl_slist_free_all(up->get_headers);
	if (up->wake_fd >= 0)
		close(up->wake_fd);
	if (up->own_epfd && up->epfd >= 0)
		close(up->epfd);
	if (up->threaded)
		pthread_mutex_destroy(&up->lock);
	if (up->own_group)
		gw_upstream_group_free(up->group);
	free(up);
}

static enum gw_err pool_new(struct gw_upstream_group *g, int epfd, unsigned index, unsigned n,
			    struct gw_upstream **out)
{
	struct gw_upstream *up = calloc(1, sizeof(*up));
	const struct gw_upstream_opts *opts = &g->opts;
	unsigned share = bulkhead_share(g, index, n);

	if (up == NULL)
		return GW_E_NOMEM;
	up->group = g;
	up->epfd = epfd;
	up->wake_fd = -1;
	up->timer_due = -1.0;
	up->connect_timeout_ms = opts->connect_timeout_ms ? opts->connect_timeout_ms
							  : GW_DEFAULT_BBB_CONNECT_TIMEOUT_MS;
	up->maxage_conn_s = opts->maxage_conn_s ? (long)opts->maxage_conn_s : DEFAULT_MAXAGE_CONN_S;
	up->retry = opts->retry;
	up->max_idle = share > MIN_IDLE_HANDLES ? share : MIN_IDLE_HANDLES;
	up->multi = curl_multi_init();
	if (up->multi == NULL) {
		free(up);
		return GW_E_NOMEM;
	}
	curl_multi_setopt(up->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)share);
	/* The idle cache must hold the whole bulkhead, or reuse breaks under load. */
	if (share > 0)
		curl_multi_setopt(up->multi, CURLMOPT_MAXCONNECTS, (long)share);
	curl_multi_setopt(up->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(up->multi, CURLMOPT_SOCKETDATA, up);
	curl_multi_setopt(up->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(up->multi, CURLMOPT_TIMERDATA, up);
	/* NULL on OOM: then every call makes its own list. */
	up->get_headers = curl_slist_append(NULL, "Accept: application/xml");
	*out = up;
	return GW_OK;
}

enum gw_err gw_upstream_new_on(struct gw_upstream_group *g, int epfd, unsigned index,
			       struct gw_upstream **out)
{
	return pool_new(g, epfd, index, g->n_pools, out);
}

enum gw_err gw_upstream_new_threaded(struct gw_upstream_group *g, struct gw_upstream **out)
{
	struct gw_upstream *up = NULL;
	struct epoll_event ev;
	char eb[96];
	enum gw_err err = pool_new(g, -1, 0, 1, &up);

	if (err != GW_OK)
		return err;
	up->own_epfd = true;
	up->threaded = true;
	pthread_mutex_init(&up->lock, NULL);
	up->epfd = epoll_create1(EPOLL_CLOEXEC);
	up->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	up->wake_ev.fn = on_wake;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = &up->wake_ev;
	if (up->epfd < 0 || up->wake_fd < 0 ||
	    epoll_ctl(up->epfd, EPOLL_CTL_ADD, up->wake_fd, &ev) != 0) {
		gw_log_err("upstream: cannot set up the event loop: %s",
			   strerror_r(errno, eb, sizeof(eb)));
		destroy(up);
		return GW_E_INTERNAL;
	}
	if (pthread_create(&up->thread, NULL, run, up) != 0) {
		gw_log_err("upstream: cannot start the thread");
		destroy(up);
		return GW_E_INTERNAL;
	}
	*out = up;
	return GW_OK;
}

enum gw_err gw_upstream_new(const struct gw_upstream_opts *opts, struct gw_upstream **out)
{
	struct gw_upstream_group *g = NULL;
	struct gw_upstream *up = NULL;
	enum gw_err err = gw_upstream_group_new(opts, 1, &g);

	if (err == GW_OK)
		err = gw_upstream_new_threaded(g, &up);
	if (err != GW_OK) {
		gw_upstream_group_free(g);
		return err;
	}
	up->own_group = true;
	*out = up;
	return GW_OK;
}

void gw_upstream_free(struct gw_upstream *up)
{
	uint64_t one = 1;

	if (up == NULL)
		return;
	if (up->threaded) {
		pthread_mutex_lock(&up->lock);
		up->stopping = true;
		if (write(up->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
			gw_log_warn("upstream: eventfd write failed");
		pthread_mutex_unlock(&up->lock);
		pthread_join(up->thread, NULL);
	} else {
		gw_upstream_cancel_all(up, NULL);
	}
	destroy(up);
}

bool gw_upstream_breaker_open(struct gw_upstream *up)
{
	return gw_upstream_group_breaker_open(up->group);
}

unsigned long gw_upstream_connects(struct gw_upstream *up)
{
	return gw_upstream_group_connects(up->group);
}

enum gw_err gw_upstream_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? GW_OK : GW_E_INTERNAL;
}

void gw_upstream_global_cleanup(void)
{
	curl_global_cleanup();
}
