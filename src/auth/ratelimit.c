/*
 * ratelimit.c - token buckets keyed by short strings, in a fixed-size
 * open-addressing table split into stripes.
 *
 * A key's hash picks its stripe; each stripe is a small linear-probing
 * table of its own behind its own mutex, so one take locks one stripe and
 * no probe ever crosses into another stripe's slots. A bucket stores its
 * content and the time of its last refill; a take first adds
 * elapsed * rate (lazy refill, capped at the burst), then removes one
 * token. The table never grows: a stripe keeps at most max_per_stripe
 * entries, and inserting into a full stripe first forgets the entry whose
 * bucket is fullest now (ties: the least recently used). A full bucket is
 * exactly what a new key would get, so forgetting idle keys loses
 * nothing; only when every key of a stripe is busy does a forgotten key
 * get a fresh burst, which errs on the side of serving. Deletion shifts
 * the following entries back, so there are no tombstones.
 */
#include "ratelimit.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STRIPES_MAX 64u
#define NS_PER_S 1e9
/* Bursts above this are treated as this, to keep the arithmetic finite. */
#define BURST_MAX 1e9
/* Refill arithmetic may leave 0.9999999999 where 1 is due; serve it. */
#define TOKEN_EPSILON 1e-9

struct entry {
	uint64_t hash;
	uint64_t last_ns; /* time of the last refill */
	uint64_t used;    /* stripe tick of the last take, for least-recently-used ties */
	double tokens;
	double rate; /* rate and burst of the last take, for eviction */
	double burst;
	size_t len; /* full key length; key[] holds at most GW_RATELIMIT_KEY_MAX bytes */
	bool live;
	char key[GW_RATELIMIT_KEY_MAX + 1];
};

struct stripe {
	_Alignas(64) pthread_mutex_t lock;
	size_t count;
	uint64_t tick;       /* counts takes; orders uses even under a coarse or frozen clock */
	struct entry *slots; /* nslots entries inside rl->entries */
};

struct gw_ratelimit {
	size_t nstripes; /* power of two */
	size_t nslots;   /* per stripe; power of two, > max_per_stripe */
	size_t max_per_stripe;
	struct stripe *stripes;
	struct entry *entries;
};

static size_t pow2_at_least(size_t n)
{
	size_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

/* FNV-1a, then a murmur3 finaliser so that low and high bits both mix. */
static uint64_t hash_key(const char *key, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 0x100000001b3ull;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

static size_t home_slot(const struct gw_ratelimit *rl, uint64_t hash)
{
	return (size_t)(hash >> 32) & (rl->nslots - 1);
}

struct gw_ratelimit *gw_ratelimit_new(size_t capacity)
{
	struct gw_ratelimit *rl;
	size_t i;

	if (capacity == 0 || capacity > GW_RATELIMIT_MAX_CAPACITY)
		return NULL;
	rl = calloc(1, sizeof(*rl));
	if (rl == NULL)
		return NULL;
	/* Small tables get fewer stripes so that each stripe can hold a key. */
	rl->nstripes = STRIPES_MAX;
	while (rl->nstripes > capacity)
		rl->nstripes >>= 1;
	rl->max_per_stripe = (capacity + rl->nstripes - 1) / rl->nstripes;
	/* Load stays at or below two thirds, so probes stay short and always end. */
	rl->nslots = pow2_at_least(rl->max_per_stripe + rl->max_per_stripe / 2 + 1);
	rl->entries = calloc(rl->nstripes * rl->nslots, sizeof(*rl->entries));
	rl->stripes = aligned_alloc(_Alignof(struct stripe), rl->nstripes * sizeof(*rl->stripes));
	if (rl->entries == NULL || rl->stripes == NULL) {
		free(rl->entries);
		free(rl->stripes);
		free(rl);
		return NULL;
	}
	for (i = 0; i < rl->nstripes; i++) {
		if (pthread_mutex_init(&rl->stripes[i].lock, NULL) != 0) {
			while (i-- > 0)
				pthread_mutex_destroy(&rl->stripes[i].lock);
			free(rl->entries);
			free(rl->stripes);
			free(rl);
			return NULL;
		}
		rl->stripes[i].count = 0;
		rl->stripes[i].tick = 0;
		rl->stripes[i].slots = rl->entries + i * rl->nslots;
	}
	return rl;
}

void gw_ratelimit_free(struct gw_ratelimit *rl)
{
	size_t i;

	if (rl == NULL)
		return;
	for (i = 0; i < rl->nstripes; i++)
		pthread_mutex_destroy(&rl->stripes[i].lock);
	free(rl->stripes);
	free(rl->entries);
	free(rl);
}

static bool same_key(const struct entry *e, uint64_t hash, const char *key, size_t len)
{
	size_t kept = len < GW_RATELIMIT_KEY_MAX ? len : GW_RATELIMIT_KEY_MAX;

	return e->hash == hash && e->len == len && memcmp(e->key, key, kept) == 0;
}

static struct entry *find(const struct gw_ratelimit *rl, struct stripe *st, uint64_t hash,
			  const char *key, size_t len)
{
	size_t mask = rl->nslots - 1;
	size_t i = home_slot(rl, hash);

	/* A stripe always has a free slot, so the probe ends. */
	while (st->slots[i].live) {
		if (same_key(&st->slots[i], hash, key, len))
			return &st->slots[i];
		i = (i + 1) & mask;
	}
	return NULL;
}

/* Bucket content at now without changing the entry. */
static double content_at(const struct entry *e, uint64_t now_ns)
{
	double t = e->tokens;

	if (now_ns > e->last_ns)
		t += (double)(now_ns - e->last_ns) * e->rate / NS_PER_S;
	return t < e->burst ? t : e->burst;
}

/* The slot to forget: the fullest bucket relative to its burst; ties go to the least recent. */
static size_t pick_victim(const struct gw_ratelimit *rl, const struct stripe *st, uint64_t now_ns)
{
	size_t best = 0;
	double best_full = -1.0;
	size_t i;

	for (i = 0; i < rl->nslots; i++) {
		const struct entry *e = &st->slots[i];
		double full;

		if (!e->live)
			continue;
		full = content_at(e, now_ns) / e->burst;
		if (full > best_full || (full == best_full && e->used < st->slots[best].used)) {
			best = i;
			best_full = full;
		}
	}
	return best;
}

/* True when slot k lies cyclically in (i, j]. */
static bool cyclic_between(size_t i, size_t k, size_t j)
{
	return i <= j ? (i < k && k <= j) : (i < k || k <= j);
}

/* Removes slot i and shifts later members of its probe run back (no tombstones). */
static void remove_at(const struct gw_ratelimit *rl, struct stripe *st, size_t i)
{
	size_t mask = rl->nslots - 1;
	size_t j = i;

	for (;;) {
		size_t k;

		j = (j + 1) & mask;
		if (!st->slots[j].live)
			break;
		k = home_slot(rl, st->slots[j].hash);
		/* An entry whose home is in (i, j] is still reachable; others move to i. */
		if (cyclic_between(i, k, j))
			continue;
		st->slots[i] = st->slots[j];
		i = j;
	}
	st->slots[i].live = false;
	st->count--;
}

/* Adds a full bucket for key, forgetting one entry first when the stripe is full. */
static struct entry *insert(const struct gw_ratelimit *rl, struct stripe *st, uint64_t hash,
			    const char *key, size_t len, uint64_t now_ns, double burst)
{
	size_t mask = rl->nslots - 1;
	size_t i;
	struct entry *e;

	if (st->count >= rl->max_per_stripe)
		remove_at(rl, st, pick_victim(rl, st, now_ns));
	i = home_slot(rl, hash);
	while (st->slots[i].live)
		i = (i + 1) & mask;
	e = &st->slots[i];
	memset(e, 0, sizeof(*e));
	e->live = true;
	e->hash = hash;
	e->len = len;
	memcpy(e->key, key, len < GW_RATELIMIT_KEY_MAX ? len : GW_RATELIMIT_KEY_MAX);
	e->tokens = burst;
	e->last_ns = now_ns;
	st->count++;
	return e;
}

/* Adds what accrued since the last refill at the given rate, capped at burst. */
static void refill(struct entry *e, uint64_t now_ns, double rate, double burst)
{
	/* A thread holding an older clock reading must not move time backwards. */
	if (now_ns > e->last_ns) {
		e->tokens += (double)(now_ns - e->last_ns) * rate / NS_PER_S;
		e->last_ns = now_ns;
	}
	if (e->tokens > burst)
		e->tokens = burst;
}

bool gw_ratelimit_take(struct gw_ratelimit *rl, const char *key, double rate_per_s, double burst,
		       uint64_t now_ns, double *retry_after_s)
{
	size_t len;
	uint64_t hash;
	struct stripe *st;
	struct entry *e;
	double wait = 0.0;
	bool ok;

	if (!(rate_per_s > 0.0) || !isfinite(rate_per_s))
		return true;
	if (!(burst >= 1.0))
		burst = 1.0;
	if (burst > BURST_MAX)
		burst = BURST_MAX;
	len = strlen(key);
	hash = hash_key(key, len);
	st = &rl->stripes[hash & (rl->nstripes - 1)];
	pthread_mutex_lock(&st->lock);
	e = find(rl, st, hash, key, len);
	if (e == NULL)
		e = insert(rl, st, hash, key, len, now_ns, burst);
	else
		refill(e, now_ns, rate_per_s, burst);
	e->rate = rate_per_s;
	e->burst = burst;
	e->used = ++st->tick;
	ok = e->tokens >= 1.0 - TOKEN_EPSILON;
	if (ok)
		e->tokens -= 1.0;
	else
		wait = (1.0 - e->tokens) / rate_per_s;
	pthread_mutex_unlock(&st->lock);
	if (!ok && retry_after_s != NULL)
		*retry_after_s = wait;
	return ok;
}

unsigned gw_ratelimit_retry_after_header(double retry_after_s)
{
	unsigned s;

	if (!(retry_after_s > 1.0))
		return 1;
	/* A day is plenty: a client told to wait longer is better told to retry then. */
	if (retry_after_s >= 86400.0)
		return 86400;
	s = (unsigned)retry_after_s;
	if ((double)s < retry_after_s)
		s++;
	return s;
}

size_t gw_ratelimit_count(struct gw_ratelimit *rl)
{
	size_t n = 0;
	size_t i;

	for (i = 0; i < rl->nstripes; i++) {
		pthread_mutex_lock(&rl->stripes[i].lock);
		n += rl->stripes[i].count;
		pthread_mutex_unlock(&rl->stripes[i].lock);
	}
	return n;
}

uint64_t gw_ratelimit_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
