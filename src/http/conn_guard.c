/*
 * conn_guard.c - connection table with header deadlines, a per-IP cap and
 * a reserve for new clients (see conn_guard.h for the rules).
 *
 * One doubly linked list of every tracked connection under one mutex.
 * Lookups are linear: they happen once per accepted connection and once
 * per sweep, never per request, and the list is bounded by the server's
 * connection limit. A connection the guard has shut stays in the list
 * until the server closes it, but no longer counts, so one new client
 * never displaces two old ones. A sweeper thread applies the deadlines.
 */
#include "conn_guard.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum conn_state { CS_WAITING, CS_BUSY };

struct gw_conn {
	struct gw_conn *prev, *next;
	int fd;
	uint8_t addr[16];
	enum conn_state state;
	bool shut;
	uint64_t since;    /* when it started waiting */
	uint64_t deadline; /* headers due; UINT64_MAX = none */
};

struct gw_conn_guard {
	pthread_mutex_t lock;
	pthread_t sweeper;
	pthread_mutex_t sweep_lock; /* guards sweep_stop; with sweep_cond */
	pthread_cond_t sweep_cond;  /* on CLOCK_MONOTONIC */
	bool sweep_stop;
	bool sweeping;
	struct gw_conn_guard_opts o;
	struct gw_conn *head;
	unsigned open; /* tracked and not shut */
	struct gw_conn_guard_stats st;
};

struct gw_conn_guard *gw_conn_guard_new(const struct gw_conn_guard_opts *opts)
{
	struct gw_conn_guard *g = calloc(1, sizeof(*g));
	pthread_condattr_t attr;

	if (g == NULL)
		return NULL;
	g->o = *opts;
	if (g->o.reserve >= g->o.max_connections)
		g->o.reserve = g->o.max_connections > 0 ? g->o.max_connections - 1 : 0;
	pthread_mutex_init(&g->lock, NULL);
	pthread_mutex_init(&g->sweep_lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&g->sweep_cond, &attr);
	pthread_condattr_destroy(&attr);
	return g;
}

void gw_conn_guard_free(struct gw_conn_guard *g)
{
	struct gw_conn *c, *next;

	if (g == NULL)
		return;
	gw_conn_guard_stop_sweeper(g);
	for (c = g->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	pthread_cond_destroy(&g->sweep_cond);
	pthread_mutex_destroy(&g->sweep_lock);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

static uint64_t deadline_after(const struct gw_conn_guard *g, uint64_t from, uint64_t extra)
{
	if (g->o.header_timeout_ms == 0)
		return UINT64_MAX;
	return from + extra + g->o.header_timeout_ms;
}

/* Locked. Ends c and stops counting it. */
static void shut(struct gw_conn_guard *g, struct gw_conn *c)
{
	if (c->shut)
		return;
	c->shut = true;
	g->open--;
	if (g->o.shut != NULL)
		g->o.shut(g->o.shut_arg, c->fd);
}

/* Locked. The waiting connection (of addr, when not NULL) that has waited longest. */
static struct gw_conn *oldest_waiting(struct gw_conn_guard *g, const uint8_t *addr,
				      const struct gw_conn *except)
{
	struct gw_conn *c, *best = NULL;

	for (c = g->head; c != NULL; c = c->next) {
		if (c == except || c->shut || c->state != CS_WAITING)
			continue;
		if (addr != NULL && memcmp(c->addr, addr, sizeof(c->addr)) != 0)
			continue;
		if (best == NULL || c->since < best->since)
			best = c;
	}
	return best;
}

/* Locked. Connections from addr that still count. */
static unsigned count_ip(const struct gw_conn_guard *g, const uint8_t *addr)
{
	const struct gw_conn *c;
	unsigned n = 0;

	for (c = g->head; c != NULL; c = c->next)
		n += !c->shut && memcmp(c->addr, addr, sizeof(c->addr)) == 0;
	return n;
}

/* Locked. Applies the per-IP cap and the reserve to the newly opened c. */
static void make_room(struct gw_conn_guard *g, struct gw_conn *c)
{
	struct gw_conn *victim;

	if (g->o.per_ip > 0 && count_ip(g, c->addr) > g->o.per_ip) {
		victim = oldest_waiting(g, c->addr, c);
		if (victim == NULL) {
			g->st.refused++;
			shut(g, c);
			return;
		}
		g->st.displaced++;
		shut(g, victim);
	}
	if (g->o.reserve > 0 && g->open > g->o.max_connections - g->o.reserve) {
		victim = oldest_waiting(g, NULL, c);
		if (victim != NULL) {
			g->st.displaced++;
			shut(g, victim);
		}
	}
}

struct gw_conn *gw_conn_guard_open(struct gw_conn_guard *g, int fd, const uint8_t addr[16],
				   uint64_t now_ms)
{
	struct gw_conn *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->fd = fd;
	memcpy(c->addr, addr, sizeof(c->addr));
	c->state = CS_WAITING;
	c->since = now_ms;
	c->deadline = deadline_after(g, now_ms, 0);
	pthread_mutex_lock(&g->lock);
	c->next = g->head;
	if (g->head != NULL)
		g->head->prev = c;
	g->head = c;
	g->open++;
	make_room(g, c);
	pthread_mutex_unlock(&g->lock);
	return c;
}

void gw_conn_guard_close(struct gw_conn_guard *g, struct gw_conn *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&g->lock);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		g->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	if (!c->shut)
		g->open--;
	pthread_mutex_unlock(&g->lock);
	free(c);
}

void gw_conn_guard_busy(struct gw_conn_guard *g, struct gw_conn *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&g->lock);
	c->state = CS_BUSY;
	c->deadline = UINT64_MAX;
	pthread_mutex_unlock(&g->lock);
}

void gw_conn_guard_idle(struct gw_conn_guard *g, struct gw_conn *c, uint64_t now_ms)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&g->lock);
	c->state = CS_WAITING;
	c->since = now_ms;
	/* A kept-alive client may first stay silent for its idle window. */
	c->deadline = deadline_after(g, now_ms, g->o.idle_timeout_ms);
	pthread_mutex_unlock(&g->lock);
}

uint64_t gw_conn_guard_sweep(struct gw_conn_guard *g, uint64_t now_ms)
{
	struct gw_conn *c;
	uint64_t next = UINT64_MAX;

	pthread_mutex_lock(&g->lock);
	for (c = g->head; c != NULL; c = c->next) {
		if (c->shut || c->state != CS_WAITING || c->deadline == UINT64_MAX)
			continue;
		if (c->deadline <= now_ms) {
			g->st.timed_out++;
			shut(g, c);
		} else if (c->deadline - now_ms < next) {
			next = c->deadline - now_ms;
		}
	}
	pthread_mutex_unlock(&g->lock);
	return next;
}

unsigned gw_conn_guard_shut_waiting(struct gw_conn_guard *g)
{
	struct gw_conn *c;
	unsigned n = 0;

	pthread_mutex_lock(&g->lock);
	for (c = g->head; c != NULL; c = c->next) {
		if (c->shut || c->state != CS_WAITING)
			continue;
		shut(g, c);
		n++;
	}
	pthread_mutex_unlock(&g->lock);
	return n;
}

void gw_conn_guard_stats(struct gw_conn_guard *g, struct gw_conn_guard_stats *out)
{
	pthread_mutex_lock(&g->lock);
	*out = g->st;
	out->open = g->open;
	pthread_mutex_unlock(&g->lock);
}

uint64_t gw_conn_guard_now_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
}

static void *sweeper_main(void *arg)
{
	struct gw_conn_guard *g = arg;
	struct timespec until;
	uint64_t wait;

	pthread_mutex_lock(&g->sweep_lock);
	while (!g->sweep_stop) {
		pthread_mutex_unlock(&g->sweep_lock);
		wait = gw_conn_guard_sweep(g, gw_conn_guard_now_ms());
		/* Deadlines are whole seconds: a sweep at least every second is on time. */
		wait = wait > 1000 ? 1000 : wait < 20 ? 20 : wait;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += (time_t)(wait / 1000);
		until.tv_nsec += (long)(wait % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&g->sweep_lock);
		if (!g->sweep_stop)
			pthread_cond_timedwait(&g->sweep_cond, &g->sweep_lock, &until);
	}
	pthread_mutex_unlock(&g->sweep_lock);
	return NULL;
}

enum gw_err gw_conn_guard_start_sweeper(struct gw_conn_guard *g)
{
	if (pthread_create(&g->sweeper, NULL, sweeper_main, g) != 0)
		return GW_E_INTERNAL;
	g->sweeping = true;
	return GW_OK;
}

void gw_conn_guard_stop_sweeper(struct gw_conn_guard *g)
{
	if (!g->sweeping)
		return;
	pthread_mutex_lock(&g->sweep_lock);
	g->sweep_stop = true;
	pthread_cond_signal(&g->sweep_cond);
	pthread_mutex_unlock(&g->sweep_lock);
	pthread_join(g->sweeper, NULL);
	g->sweeping = false;
}
