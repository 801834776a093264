/*
 * bearer_cache.c - verified JWTs by their text (bearer_int.h), so that a
 * token presented again costs a hash, a compare and a reference instead
 * of base64, JSON and a signature. A chained hash table keyed by SipHash
 * under a random key (a client cannot aim its tokens at one bucket), a
 * doubly linked list in use order for eviction, one mutex around both.
 * The text is compared in constant time once the lengths match. Entries
 * remember the config generation they were verified under; a lookup from
 * another generation drops them. A lookup allocates nothing; references
 * and memory of dropped entries are released after the lock.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bearer_int.h"
#include "crypto.h"

struct centry {
	struct centry *next;  /* bucket chain */
	struct centry *newer; /* use order: toward the most recent */
	struct centry *older; /* toward the least recent */
	uint64_t hash;
	unsigned long long generation;
	const struct gw_token *tok; /* one reference */
	size_t len;
	char text[]; /* the token, NUL-terminated */
};

struct gw_bearer_cache {
	pthread_mutex_t lock;
	size_t max;
	size_t count;
	size_t mask; /* buckets - 1 */
	struct centry **buckets;
	struct centry *newest;
	struct centry *oldest;
	unsigned char key[GW_CRYPTO_SIPHASH_KEY_LEN];
};

#define MAX_BUCKETS (1u << 20)

struct gw_bearer_cache *gw_bearer_cache_new(size_t max)
{
	struct gw_bearer_cache *c = calloc(1, sizeof(*c));
	size_t n = 16;

	while (n < max && n < MAX_BUCKETS)
		n <<= 1;
	if (c == NULL)
		return NULL;
	c->buckets = calloc(n, sizeof(*c->buckets));
	if (c->buckets == NULL || gw_crypto_random(c->key, sizeof(c->key)) != GW_OK ||
	    pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c->buckets);
		free(c);
		return NULL;
	}
	c->max = max;
	c->mask = n - 1;
	return c;
}

static void entry_free(struct centry *e)
{
	if (e == NULL)
		return;
	gw_token_unref(e->tok);
	/* the text is a credential */
	explicit_bzero(e->text, e->len);
	free(e);
}

void gw_bearer_cache_free(struct gw_bearer_cache *c)
{
	struct centry *e;

	if (c == NULL)
		return;
	e = c->newest;
	while (e != NULL) {
		struct centry *next = e->older;

		entry_free(e);
		e = next;
	}
	pthread_mutex_destroy(&c->lock);
	free(c->buckets);
	free(c);
}

static void lru_unlink(struct gw_bearer_cache *c, struct centry *e)
{
	if (e->newer != NULL)
		e->newer->older = e->older;
	else
		c->newest = e->older;
	if (e->older != NULL)
		e->older->newer = e->newer;
	else
		c->oldest = e->newer;
	e->newer = NULL;
	e->older = NULL;
}

static void lru_push(struct gw_bearer_cache *c, struct centry *e)
{
	e->newer = NULL;
	e->older = c->newest;
	if (c->newest != NULL)
		c->newest->newer = e;
	c->newest = e;
	if (c->oldest == NULL)
		c->oldest = e;
}

/* The link pointing at the entry for text, or at the NULL ending its chain. */
static struct centry **find(struct gw_bearer_cache *c, uint64_t hash, const char *text, size_t len)
{
	struct centry **pp = &c->buckets[hash & c->mask];

	for (; *pp != NULL; pp = &(*pp)->next) {
		const struct centry *e = *pp;

		if (e->hash == hash && e->len == len && gw_crypto_equal(e->text, text, len))
			break;
	}
	return pp;
}

/* Takes the entry *pp out of the table and the list; the caller frees it after the lock. */
static struct centry *take(struct gw_bearer_cache *c, struct centry **pp)
{
	struct centry *e = *pp;

	*pp = e->next;
	lru_unlink(c, e);
	c->count--;
	return e;
}

enum gw_bearer_cache_result gw_bearer_cache_get(struct gw_bearer_cache *c, const char *text,
						size_t len, unsigned long long generation,
						long long now, long long leeway,
						const struct gw_token **out)
{
	uint64_t hash = gw_crypto_siphash(c->key, text, len);
	enum gw_bearer_cache_result res = GW_BEARER_CACHE_MISS;
	struct centry *dropped = NULL;
	struct centry **pp;
	struct centry *e;

	pthread_mutex_lock(&c->lock);
	pp = find(c, hash, text, len);
	e = *pp;
	if (e == NULL)
		goto out;
	if (e->generation != generation) {
		dropped = take(c, pp);
	} else if (e->tok->expires_at + leeway <= now) {
		dropped = take(c, pp);
		res = GW_BEARER_CACHE_EXPIRED;
	} else {
		lru_unlink(c, e);
		lru_push(c, e);
		*out = gw_token_ref(e->tok);
		res = GW_BEARER_CACHE_HIT;
	}
out:
	pthread_mutex_unlock(&c->lock);
	entry_free(dropped);
	return res;
}

void gw_bearer_cache_put(struct gw_bearer_cache *c, const char *text, size_t len,
			 unsigned long long generation, const struct gw_token *tok)
{
	struct centry *e = malloc(sizeof(*e) + len + 1);
	struct centry *stale = NULL;
	struct centry *evicted = NULL;
	struct centry **pp;

	if (e == NULL)
		return;
	memset(e, 0, sizeof(*e));
	e->hash = gw_crypto_siphash(c->key, text, len);
	e->generation = generation;
	e->len = len;
	memcpy(e->text, text, len);
	e->text[len] = '\0';
	pthread_mutex_lock(&c->lock);
	pp = find(c, e->hash, text, len);
	if (*pp != NULL && (*pp)->generation == generation) {
		/* another request verified it meanwhile; keep theirs */
		stale = e;
		goto out;
	}
	if (*pp != NULL)
		stale = take(c, pp);
	if (c->count >= c->max) {
		struct centry *old = c->oldest;

		evicted = take(c, find(c, old->hash, old->text, old->len));
	}
	/* the chains may have changed: find where the new entry goes again */
	pp = find(c, e->hash, text, len);
	e->tok = gw_token_ref(tok);
	*pp = e;
	lru_push(c, e);
	c->count++;
out:
	pthread_mutex_unlock(&c->lock);
	entry_free(stale);
	entry_free(evicted);
}
