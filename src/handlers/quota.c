/*
 * quota.c - tenants' meeting counts (quota.h): a small array under one
 * mutex; a tenant's entry is made on its first create and kept.
 */
#include "quota.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "gw_limits.h"

struct entry {
	char *name;
	unsigned count;      /* BBB's count, as of fetched_ms */
	unsigned since;      /* creates that made a meeting after that */
	unsigned inflight;   /* creates holding a slot */
	uint64_t fetched_ms; /* 0 = never asked */
};

struct gw_quota {
	pthread_mutex_t lock;
	struct entry *e;
	size_t n;
};

struct gw_quota *gw_quota_new(void)
{
	struct gw_quota *q = calloc(1, sizeof(*q));

	if (q != NULL)
		pthread_mutex_init(&q->lock, NULL);
	return q;
}

void gw_quota_free(struct gw_quota *q)
{
	if (q == NULL)
		return;
	for (size_t i = 0; i < q->n; i++)
		free(q->e[i].name);
	free(q->e);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

/* The tenant's entry, made when absent (create); NULL when absent or out of memory. */
static struct entry *find(struct gw_quota *q, const char *name, bool create)
{
	struct entry *e;

	for (size_t i = 0; i < q->n; i++) {
		if (strcmp(q->e[i].name, name) == 0)
			return &q->e[i];
	}
	/* names of tenants no longer configured stay: a reload may bring them back */
	if (!create || q->n >= 4u * GW_MAX_TENANTS)
		return NULL;
	e = realloc(q->e, (q->n + 1) * sizeof(*e));
	if (e == NULL)
		return NULL;
	q->e = e;
	e = &q->e[q->n];
	memset(e, 0, sizeof(*e));
	e->name = strdup(name);
	if (e->name == NULL)
		return NULL;
	q->n++;
	return e;
}

enum gw_quota_verdict gw_quota_take(struct gw_quota *q, const char *name, unsigned max,
				    uint64_t now_ms, unsigned max_age_ms)
{
	enum gw_quota_verdict v = GW_QUOTA_NOMEM;
	struct entry *e;

	pthread_mutex_lock(&q->lock);
	e = find(q, name, true);
	if (e == NULL)
		goto out;
	if (e->fetched_ms == 0 || now_ms - e->fetched_ms > max_age_ms) {
		v = GW_QUOTA_STALE;
	} else if ((uint64_t)e->count + e->since + e->inflight >= max) {
		v = GW_QUOTA_FULL;
	} else {
		e->inflight++;
		v = GW_QUOTA_OK;
	}
out:
	pthread_mutex_unlock(&q->lock);
	return v;
}

void gw_quota_set(struct gw_quota *q, const char *name, unsigned count, uint64_t now_ms)
{
	struct entry *e;

	pthread_mutex_lock(&q->lock);
	e = find(q, name, true);
	if (e != NULL) {
		e->count = count;
		e->since = 0;
		e->fetched_ms = now_ms > 0 ? now_ms : 1;
	}
	pthread_mutex_unlock(&q->lock);
}

bool gw_quota_count(struct gw_quota *q, const char *name, unsigned *count, uint64_t *set_ms)
{
	struct entry *e;
	bool have;

	pthread_mutex_lock(&q->lock);
	e = find(q, name, false);
	have = e != NULL && e->fetched_ms != 0;
	if (have) {
		*count = e->count;
		*set_ms = e->fetched_ms;
	}
	pthread_mutex_unlock(&q->lock);
	return have;
}

void gw_quota_done(struct gw_quota *q, const char *name, bool created)
{
	struct entry *e;

	pthread_mutex_lock(&q->lock);
	e = find(q, name, false);
	if (e != NULL) {
		if (e->inflight > 0)
			e->inflight--;
		if (created)
			e->since++;
	}
	pthread_mutex_unlock(&q->lock);
}
