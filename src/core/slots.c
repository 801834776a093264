/*
 * slots.c - counted slots (see slots.h): a chained hash table of key ->
 * count, keyed by SipHash under a random key (keys come from tokens, so
 * their owners must not be able to aim them at one bucket), doubled when
 * the keys outnumber the buckets.
 */
#include "slots.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"

#define FIRST_BUCKETS 64u

struct entry {
	struct entry *next;
	uint64_t hash;
	unsigned held;
	char key[]; /* NUL-terminated */
};

struct gw_slots {
	pthread_mutex_t lock;
	unsigned char sip[GW_CRYPTO_SIPHASH_KEY_LEN];
	struct entry **buckets; /* lock */
	size_t n_buckets;       /* a power of two; lock */
	size_t n_keys;          /* lock */
	unsigned total;         /* lock */
};

struct gw_slots *gw_slots_new(void)
{
	struct gw_slots *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->n_buckets = FIRST_BUCKETS;
	s->buckets = calloc(s->n_buckets, sizeof(*s->buckets));
	if (s->buckets == NULL || gw_crypto_random(s->sip, sizeof(s->sip)) != GW_OK) {
		free(s->buckets);
		free(s);
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	return s;
}

void gw_slots_free(struct gw_slots *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n_buckets; i++) {
		struct entry *e = s->buckets[i];

		while (e != NULL) {
			struct entry *next = e->next;

			free(e);
			e = next;
		}
	}
	free(s->buckets);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* The entry of key in the chain *pp points to; pp is left at the link that points to it. */
static struct entry **find(struct gw_slots *s, const char *key, uint64_t hash)
{
	struct entry **pp = &s->buckets[hash & (s->n_buckets - 1)];

	while (*pp != NULL && ((*pp)->hash != hash || strcmp((*pp)->key, key) != 0))
		pp = &(*pp)->next;
	return pp;
}

/* Doubles the table; on OOM it stays as it is (only longer chains). */
static void grow(struct gw_slots *s)
{
	size_t n = s->n_buckets * 2;
	struct entry **b = calloc(n, sizeof(*b));
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < s->n_buckets; i++) {
		struct entry *e = s->buckets[i];

		while (e != NULL) {
			struct entry *next = e->next;

			e->next = b[e->hash & (n - 1)];
			b[e->hash & (n - 1)] = e;
			e = next;
		}
	}
	free(s->buckets);
	s->buckets = b;
	s->n_buckets = n;
}

enum gw_slots_result gw_slots_take(struct gw_slots *s, const char *key, unsigned max_total,
				   unsigned max_per_key)
{
	size_t len = strlen(key);
	uint64_t hash = gw_crypto_siphash(s->sip, key, len);
	enum gw_slots_result r = GW_SLOTS_OK;
	struct entry **pp;
	struct entry *e;

	pthread_mutex_lock(&s->lock);
	pp = find(s, key, hash);
	e = *pp;
	if (max_total > 0 && s->total >= max_total) {
		r = GW_SLOTS_FULL;
	} else if (e != NULL) {
		if (max_per_key > 0 && e->held >= max_per_key)
			r = GW_SLOTS_KEY_FULL;
		else
			e->held++;
	} else if ((e = malloc(sizeof(*e) + len + 1)) == NULL) {
		r = GW_SLOTS_NOMEM;
	} else {
		e->hash = hash;
		e->held = 1;
		memcpy(e->key, key, len + 1);
		e->next = NULL;
		*pp = e;
		if (++s->n_keys > s->n_buckets)
			grow(s);
	}
	if (r == GW_SLOTS_OK)
		s->total++;
	pthread_mutex_unlock(&s->lock);
	return r;
}

void gw_slots_give(struct gw_slots *s, const char *key)
{
	uint64_t hash = gw_crypto_siphash(s->sip, key, strlen(key));
	struct entry **pp;
	struct entry *e;

	pthread_mutex_lock(&s->lock);
	pp = find(s, key, hash);
	e = *pp;
	if (e != NULL) {
		s->total--;
		if (--e->held == 0) {
			*pp = e->next;
			s->n_keys--;
			free(e);
		}
	}
	pthread_mutex_unlock(&s->lock);
}

unsigned gw_slots_total(struct gw_slots *s)
{
	unsigned n;

	pthread_mutex_lock(&s->lock);
	n = s->total;
	pthread_mutex_unlock(&s->lock);
	return n;
}

unsigned gw_slots_held(struct gw_slots *s, const char *key)
{
	uint64_t hash = gw_crypto_siphash(s->sip, key, strlen(key));
	struct entry *e;
	unsigned n;

	pthread_mutex_lock(&s->lock);
	e = *find(s, key, hash);
	n = e != NULL ? e->held : 0;
	pthread_mutex_unlock(&s->lock);
	return n;
}
