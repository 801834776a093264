/*
 * revoke.c - the in-process deny list (revoke.h): a hash set of jti ->
 * until behind one mutex, chained buckets keyed by SipHash with a random
 * key. At most max_entries live entries: an entry whose until has come is
 * dropped when a lookup meets it, and all of them are swept when the list
 * is full; a list still full refuses with GW_E_TOO_LARGE. The count is
 * also kept in an atomic so that the common case, nothing revoked, costs
 * no lock on every request.
 */
#include "revoke.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"

struct rentry {
	struct rentry *next;
	long long until;
	size_t len;
	char jti[]; /* NUL-terminated */
};

struct memlist {
	pthread_mutex_t lock;
	atomic_size_t count;
	size_t max;
	size_t mask; /* buckets - 1, a power of two minus one */
	struct rentry **buckets;
	unsigned char key[GW_CRYPTO_SIPHASH_KEY_LEN];
};

static struct rentry **bucket_of(struct memlist *m, const char *jti, size_t len)
{
	return &m->buckets[gw_crypto_siphash(m->key, jti, len) & m->mask];
}

/* The link that points at jti's entry, or at the NULL ending its chain. */
static struct rentry **find(struct memlist *m, const char *jti, size_t len)
{
	struct rentry **pp = bucket_of(m, jti, len);

	while (*pp != NULL && ((*pp)->len != len || memcmp((*pp)->jti, jti, len) != 0))
		pp = &(*pp)->next;
	return pp;
}

static void unlink_entry(struct memlist *m, struct rentry **pp)
{
	struct rentry *e = *pp;

	*pp = e->next;
	free(e);
	atomic_fetch_sub_explicit(&m->count, 1, memory_order_relaxed);
}

/* Drops every entry whose until has come. Called with the lock held. */
static void sweep(struct memlist *m, long long now)
{
	for (size_t b = 0; b <= m->mask; b++) {
		struct rentry **pp = &m->buckets[b];

		while (*pp != NULL) {
			if ((*pp)->until <= now)
				unlink_entry(m, pp);
			else
				pp = &(*pp)->next;
		}
	}
}

static bool mem_is_revoked(void *impl, const char *jti, long long now)
{
	struct memlist *m = impl;
	size_t len = strlen(jti);
	struct rentry **pp;
	bool revoked = false;

	if (atomic_load_explicit(&m->count, memory_order_relaxed) == 0)
		return false;
	pthread_mutex_lock(&m->lock);
	pp = find(m, jti, len);
	if (*pp != NULL) {
		revoked = (*pp)->until > now;
		if (!revoked)
			unlink_entry(m, pp);
	}
	pthread_mutex_unlock(&m->lock);
	return revoked;
}

static enum gw_err mem_revoke(void *impl, const char *jti, long long until, long long now)
{
	struct memlist *m = impl;
	size_t len = strlen(jti);
	enum gw_err err = GW_OK;
	struct rentry **pp;
	struct rentry *e;

	if (len == 0 || len > GW_REVOKE_MAX_JTI_LEN)
		return GW_E_PARSE;
	/* A token past until is refused as expired anyway: nothing to keep. */
	if (until <= now)
		return GW_OK;
	pthread_mutex_lock(&m->lock);
	pp = find(m, jti, len);
	if (*pp != NULL) {
		if ((*pp)->until < until)
			(*pp)->until = until;
		goto out;
	}
	if (atomic_load_explicit(&m->count, memory_order_relaxed) >= m->max) {
		sweep(m, now);
		pp = find(m, jti, len);
	}
	if (atomic_load_explicit(&m->count, memory_order_relaxed) >= m->max) {
		err = GW_E_TOO_LARGE;
		goto out;
	}
	e = malloc(sizeof(*e) + len + 1);
	if (e == NULL) {
		err = GW_E_NOMEM;
		goto out;
	}
	e->next = NULL;
	e->until = until;
	e->len = len;
	memcpy(e->jti, jti, len + 1);
	*pp = e;
	atomic_fetch_add_explicit(&m->count, 1, memory_order_relaxed);
out:
	pthread_mutex_unlock(&m->lock);
	return err;
}

static void mem_free(void *impl)
{
	struct memlist *m = impl;

	for (size_t b = 0; b <= m->mask; b++) {
		struct rentry *e = m->buckets[b];

		while (e != NULL) {
			struct rentry *next = e->next;

			free(e);
			e = next;
		}
	}
	pthread_mutex_destroy(&m->lock);
	free(m->buckets);
	free(m);
}

static const struct gw_revoke_ops mem_ops = {
	.is_revoked = mem_is_revoked,
	.revoke = mem_revoke,
	.free = mem_free,
};

/* Buckets for max entries: a power of two near max, within [16, 65536]. */
static size_t bucket_count(size_t max)
{
	size_t n = 16;

	while (n < max && n < 65536)
		n <<= 1;
	return n;
}

struct gw_revoke *gw_revoke_new_memory(size_t max_entries)
{
	struct gw_revoke *r = calloc(1, sizeof(*r));
	struct memlist *m = calloc(1, sizeof(*m));
	size_t n = bucket_count(max_entries);

	if (r == NULL || m == NULL)
		goto fail;
	m->buckets = calloc(n, sizeof(*m->buckets));
	if (m->buckets == NULL || gw_crypto_random(m->key, sizeof(m->key)) != GW_OK)
		goto fail;
	if (pthread_mutex_init(&m->lock, NULL) != 0)
		goto fail;
	atomic_init(&m->count, 0);
	m->max = max_entries;
	m->mask = n - 1;
	r->ops = &mem_ops;
	r->impl = m;
	return r;
fail:
	if (m != NULL)
		free(m->buckets);
	free(m);
	free(r);
	return NULL;
}

void gw_revoke_free(struct gw_revoke *r)
{
	if (r == NULL)
		return;
	r->ops->free(r->impl);
	free(r);
}
