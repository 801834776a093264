/*
 * quota_shared.c - tenants' slots for creates in the shared store (see
 * quota_shared.h): three Lua scripts on a sorted set and a hash per tenant.
 */
#include "quota_shared.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_limits.h"
#include "log.h"
#include "redis.h"

#define SET_PREFIX "bgw:quota:"
#define COUNT_PREFIX "bgw:quota-count:"

/*
 * A create in flight is scored 10^13 + its start, one that ended with its
 * end: every create in flight scores above any time (ms), and one whose
 * gateway went away leaves after ttl like the rest.
 */

/* KEYS: the set, the count; ARGV: age_ms, ttl_ms, the meetingIDs listed. 1 kept, 0 older. */
static const char seen_script[] = "local t = redis.call('TIME') "
				  "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / "
				  "1000) "
				  "local asked = now - tonumber(ARGV[1]) "
				  "local had = tonumber(redis.call('HGET', KEYS[2], 'asked')) "
				  "if had and had > asked then return 0 end "
				  "redis.call('HSET', KEYS[2], 'count', #ARGV - 2, 'asked', asked) "
				  "redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[2])) "
				  "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. asked) "
				  "for i = 3, #ARGV do redis.call('ZREM', KEYS[1], ARGV[i]) end "
				  "return 1";

/* KEYS: the set, the count; ARGV: count, max, meetingID, ttl_ms. 2 added, 1 known, 0 full. */
static const char take_script[] =
	"local t = redis.call('TIME') "
	"local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) "
	"local flight, ttl = 10000000000000, tonumber(ARGV[4]) "
	"redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - ttl)) "
	"redis.call('ZREMRANGEBYSCORE', KEYS[1], flight, '(' .. (flight + now - ttl)) "
	"if redis.call('ZSCORE', KEYS[1], ARGV[3]) then return 1 end "
	"local count = tonumber(redis.call('HGET', KEYS[2], 'count')) or tonumber(ARGV[1]) "
	"if count + redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end "
	"redis.call('ZADD', KEYS[1], flight + now, ARGV[3]) "
	"redis.call('PEXPIRE', KEYS[1], ttl) "
	"return 2";

/* KEYS: the set; ARGV: meetingID, made (1 or 0), ttl_ms. */
static const char done_script[] = "if ARGV[2] ~= '1' then return redis.call('ZREM', KEYS[1], "
				  "ARGV[1]) end "
				  "local t = redis.call('TIME') "
				  "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / "
				  "1000) "
				  "redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1]) "
				  "return redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))";

/* The tenant's two keys; false when the name does not fit (never: names are 1-64 bytes). */
static bool keys_of(const char *tenant, char *set, char *count, size_t size)
{
	return (size_t)snprintf(set, size, SET_PREFIX "%s", tenant) < size &&
	       (size_t)snprintf(count, size, COUNT_PREFIX "%s", tenant) < size;
}

#define KEY_MAX (sizeof(COUNT_PREFIX) + 128)

static char what_count[] = "count", what_end[] = "create's end";

static void ignored(enum gw_err err, const struct gw_redis_reply *r, void *arg)
{
	(void)r;
	if (err != GW_OK)
		gw_log_info("tenant quota: the shared store did not take a %s: %s",
			    (const char *)arg, gw_err_str(err));
}

void gw_quota_shared_seen(struct gw_redis *r, const char *tenant, const char *const *ids, size_t n,
			  uint64_t age_ms, unsigned ttl_ms)
{
	char set[KEY_MAX], count[KEY_MAX], age[24], ttl[24];
	const char **argv = malloc((n + 7) * sizeof(*argv));

	if (argv == NULL || !keys_of(tenant, set, count, KEY_MAX)) {
		free(argv);
		return;
	}
	snprintf(age, sizeof(age), "%llu", (unsigned long long)age_ms);
	snprintf(ttl, sizeof(ttl), "%u", ttl_ms);
	argv[0] = "EVAL";
	argv[1] = seen_script;
	argv[2] = "2";
	argv[3] = set;
	argv[4] = count;
	argv[5] = age;
	argv[6] = ttl;
	for (size_t i = 0; i < n; i++)
		argv[7 + i] = ids[i];
	if (gw_redis_command(r, ignored, what_count, (int)(n + 7), argv, NULL) != GW_OK)
		gw_log_info("tenant quota: the shared store did not take a count");
	free(argv);
}

struct take {
	gw_quota_shared_fn cb;
	void *arg;
};

static void taken(enum gw_err err, const struct gw_redis_reply *r, void *arg)
{
	struct take *t = arg;
	enum gw_quota_shared v = GW_QUOTA_SHARED_DOWN;

	if (err == GW_OK && r->type == GW_REDIS_INT)
		v = r->integer == 2   ? GW_QUOTA_SHARED_ADDED
		    : r->integer == 1 ? GW_QUOTA_SHARED_KNOWN
				      : GW_QUOTA_SHARED_FULL;
	else
		gw_log_warn("tenant quota: the shared store did not answer: %s",
			    err != GW_OK ? gw_err_str(err) : "an error reply");
	t->cb(v, t->arg);
	free(t);
}

enum gw_err gw_quota_shared_take(struct gw_redis *r, const char *tenant, const char *id,
				 unsigned count, unsigned max, unsigned ttl_ms,
				 gw_quota_shared_fn cb, void *arg)
{
	char set[KEY_MAX], ckey[KEY_MAX], n[3][24];
	struct take *t;
	enum gw_err err;

	if (!keys_of(tenant, set, ckey, KEY_MAX))
		return GW_E_INTERNAL;
	t = malloc(sizeof(*t));
	if (t == NULL)
		return GW_E_NOMEM;
	t->cb = cb;
	t->arg = arg;
	snprintf(n[0], sizeof(n[0]), "%u", count);
	snprintf(n[1], sizeof(n[1]), "%u", max);
	snprintf(n[2], sizeof(n[2]), "%u", ttl_ms);
	err = gw_redis_command(
		r, taken, t, 9,
		(const char *[]){"EVAL", take_script, "2", set, ckey, n[0], n[1], id, n[2]}, NULL);
	if (err != GW_OK)
		free(t);
	return err;
}

void gw_quota_shared_done(struct gw_redis *r, const char *tenant, const char *id, bool made,
			  unsigned ttl_ms)
{
	char set[KEY_MAX], ckey[KEY_MAX], ttl[24];

	if (!keys_of(tenant, set, ckey, KEY_MAX))
		return;
	snprintf(ttl, sizeof(ttl), "%u", ttl_ms);
	/* not taken: the entry leaves after ttl_ms */
	if (gw_redis_command(r, ignored, what_end, 7,
			     (const char *[]){"EVAL", done_script, "1", set, id, made ? "1" : "0",
					      ttl},
			     NULL) != GW_OK)
		gw_log_info("tenant quota: the shared store did not take a create's end");
}
