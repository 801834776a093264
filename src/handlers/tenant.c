/*
 * tenant.c - a tenant's namespace and create policy (tenant.h).
 */
#include "tenant.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "bbb_reply.h"
#include "quota.h"
#include "quota_shared.h"
#include "str.h"

const struct gw_tenant *gw_tenant_of(const struct gw_exchange *x)
{
	return x->req.tenant;
}

const char *gw_tenant_bbb_id(struct gw_exchange *x, const char *id)
{
	const struct gw_tenant *t = x->req.tenant;
	size_t n;
	char *out;

	if (t == NULL || id == NULL)
		return id;
	n = strlen(id);
	out = gw_arena_alloc(&x->arena, t->prefix_len + n + 1);
	if (out == NULL)
		return NULL;
	memcpy(out, t->prefix, t->prefix_len);
	memcpy(out + t->prefix_len, id, n + 1);
	return out;
}

void gw_tenant_query_meeting(struct gw_exchange *x, struct gw_query *qb, const char *id)
{
	const char *bbb_id = gw_tenant_bbb_id(x, id);

	if (bbb_id == NULL)
		gw_query_fail(qb, GW_E_NOMEM, "meetingID", "Out of memory");
	else
		gw_query_add(qb, "meetingID", bbb_id);
}

/* The parameter that names a meeting's tenant on BBB: the gateway's alone. */
#define TENANT_META_PARAM "meta_" GW_TENANT_META

/* Policy names compare as BBB compares them: metadata keys without case. */
static bool same_param(const char *a, const char *b)
{
	if (strncmp(a, "meta_", 5) == 0 && strncmp(b, "meta_", 5) == 0)
		return strcasecmp(a + 5, b + 5) == 0;
	return strcmp(a, b) == 0;
}

static bool in_params(const struct gw_tenant_param *p, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (same_param(p[i].name, name))
			return true;
	}
	return false;
}

/* A maxParticipants the cap replaces: none is kept above it, and 0 means unlimited. */
static bool over_cap(const struct gw_tenant *t, const char *value)
{
	uint64_t v;

	if (t->max_participants == 0)
		return false;
	return gw_str_parse_u64(value, &v) != GW_OK || v == 0 || v > t->max_participants;
}

enum gw_tenant_rule gw_tenant_create_rule(const struct gw_tenant *t, const char *name,
					  const char *value)
{
	if (t == NULL)
		return GW_TENANT_KEEP;
	/* a breakout names its parent by BBB's internal ID, which no prefix can fence in */
	if (strcmp(name, "isBreakout") == 0 || strcmp(name, "parentMeetingID") == 0)
		return GW_TENANT_DENY;
	for (size_t i = 0; i < t->n_deny; i++) {
		if (same_param(t->deny[i], name))
			return GW_TENANT_DENY;
	}
	if (in_params(t->overrides, t->n_overrides, name) || same_param(name, TENANT_META_PARAM))
		return GW_TENANT_DROP;
	if (strcmp(name, "maxParticipants") == 0 && over_cap(t, value))
		return GW_TENANT_DROP;
	return GW_TENANT_KEEP;
}

bool gw_tenant_create_fill(const struct gw_tenant *t, gw_tenant_has_fn has, gw_tenant_add_fn add,
			   void *arg)
{
	bool capped;
	char cap[24];

	if (t == NULL)
		return true;
	capped = has(arg, "maxParticipants");
	for (size_t i = 0; i < t->n_overrides; i++) {
		capped = capped || strcmp(t->overrides[i].name, "maxParticipants") == 0;
		if (!add(arg, t->overrides[i].name, t->overrides[i].value))
			return false;
	}
	for (size_t i = 0; i < t->n_defaults; i++) {
		const struct gw_tenant_param *d = &t->defaults[i];
		bool mp = strcmp(d->name, "maxParticipants") == 0;

		if (in_params(t->overrides, t->n_overrides, d->name) || has(arg, d->name) ||
		    (mp && over_cap(t, d->value)))
			continue; /* a default over the cap leaves it to the cap */
		capped = capped || mp;
		if (!add(arg, d->name, d->value))
			return false;
	}
	if (t->max_participants > 0 && !capped) {
		snprintf(cap, sizeof(cap), "%u", t->max_participants);
		if (!add(arg, "maxParticipants", cap))
			return false;
	}
	return add(arg, TENANT_META_PARAM, t->name);
}

/* A tenant's create waiting on its quota: the call as the handler built it. */
struct pending_create {
	char *query;
	char *body; /* taken by the create call */
	size_t body_len;
	char content_type[96];
	char *bbb_id;
	gw_bbb_finish_fn finish;
	gw_bbb_finish_fn on_failed;
	void (*completed)(struct gw_exchange *x, int status);
	void (*full)(struct gw_exchange *x);
	bool attached;           /* the exchange holds it (gw_bbb_req.state) */
	bool facade;             /* gw_bbb_req.facade of the create */
	bool slot;               /* holds a quota slot */
	bool shared;             /* holds a slot in the shared store (quota_shared.h) */
	bool created;            /* BBB made a new meeting */
	uint64_t count_asked_ms; /* when this create asked BBB for the tenant's count */
};

static void pending_free(void *p)
{
	struct pending_create *pc = p;

	if (pc == NULL)
		return;
	free(pc->query);
	free(pc->body);
	free(pc->bbb_id);
	free(pc);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/*
 * How long the shared store keeps a create: until every gateway's count
 * is newer than its end (a count is used for tenant_count_ms, and asking
 * for it takes up to a call's timeout), or, in flight, until its call
 * must have ended.
 */
static unsigned shared_ttl_ms(const struct gw_exchange *x)
{
	const struct gw_config *cfg = x->req.cfg;

	return cfg->tenant_count_ms + 2u * cfg->bbb_timeout_ms + 5000u;
}

static void create_finish(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	struct pending_create *pc = gw_bbb_state(x);

	pc->created = r->message_key == NULL || strcmp(r->message_key, "duplicateWarning") != 0;
	pc->finish(x, r);
}

static void create_completed(struct gw_exchange *x, int status)
{
	struct pending_create *pc = gw_bbb_state(x);

	if (pc->slot && x->req.svc != NULL && x->req.svc->quota != NULL)
		gw_quota_done(x->req.svc->quota, x->req.tenant->name, pc->created && status < 300);
	if (pc->shared && x->redis != NULL)
		gw_quota_shared_done(x->redis, x->req.tenant->name, pc->bbb_id, status < 300,
				     shared_ttl_ms(x));
	pc->slot = false;
	pc->shared = false;
	if (pc->completed != NULL)
		pc->completed(x, status);
}

/*
 * The first call of a chain hands pc to the exchange (freed with it); the
 * later ones keep it (a NULL state).
 */
static void chain(struct gw_exchange *x, struct pending_create *pc, struct gw_bbb_req r)
{
	if (!pc->attached) {
		pc->attached = true;
		r.state = pc;
		r.state_free = pending_free;
	}
	gw_bbb_request(x, &r);
}

/* An answer without a call: pc is freed unless the exchange holds it. */
static void answered(struct pending_create *pc)
{
	if (!pc->attached)
		pending_free(pc);
}

/* The create itself. */
static void issue(struct gw_exchange *x, struct pending_create *pc, bool slot)
{
	char *body = pc->body;

	pc->body = NULL;
	pc->slot = slot;
	chain(x, pc,
	      (struct gw_bbb_req){.call = GW_BBB_CALL(create),
				  .query = pc->query,
				  .body = body,
				  .body_len = pc->body_len,
				  .content_type = pc->content_type[0] != '\0' ? pc->content_type
									      : NULL,
				  .finish = create_finish,
				  .on_failed = pc->on_failed,
				  .completed = create_completed,
				  .facade = pc->facade});
}

static void exists(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	(void)r;
	issue(x, gw_bbb_state(x), false);
}

static void not_exists(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	struct pending_create *pc = gw_bbb_state(x);

	if (r->message_key != NULL && strcmp(r->message_key, "notFound") == 0)
		pc->full(x);
	else
		gw_bbb_fail(x, r);
}

/* At the quota: a create of a meeting that exists already makes none, so it goes on. */
static void check_exists(struct gw_exchange *x, struct pending_create *pc)
{
	struct gw_query qb;

	gw_query_init(&qb);
	gw_query_add(&qb, "meetingID", pc->bbb_id);
	if (!gw_query_failed(x, &qb))
		chain(x, pc,
		      (struct gw_bbb_req){.call = GW_BBB_CALL(getMeetingInfo),
					  .query = gw_query_str(&qb),
					  .finish = exists,
					  .on_failed = not_exists});
	else
		answered(pc);
	gw_query_deinit(&qb);
}

static void counted(struct gw_exchange *x, struct gw_bbb_reply *r);

/* The store's verdict on a create that holds a slot here: the create, or the refusal's check. */
static void shared_verdict(enum gw_quota_shared v, void *arg)
{
	struct gw_exchange *x = arg;
	struct pending_create *pc = gw_bbb_state(x);

	if (v == GW_QUOTA_SHARED_FULL) {
		gw_quota_done(x->req.svc->quota, x->req.tenant->name, false);
		check_exists(x, pc);
	} else {
		/* the store down: this gateway's own count decides, as without one */
		pc->shared = v == GW_QUOTA_SHARED_ADDED;
		issue(x, pc, true);
	}
	gw_bbb_resume(x);
}

/*
 * With state.redis: the slot this gateway gave is asked of the shared
 * store too, which counts every gateway's creates the count cannot show.
 * False when the store cannot be asked (the slot stands).
 */
static bool ask_shared(struct gw_exchange *x, struct pending_create *pc)
{
	const struct gw_tenant *t = x->req.tenant;
	uint64_t set_ms = 0;
	unsigned count = 0;

	/* the count of every gateway's creates is the store's: this one's is a fallback */
	if (x->redis == NULL || !gw_quota_count(x->req.svc->quota, t->name, &count, &set_ms))
		return false;
	if (!pc->attached) {
		/* the exchange holds pc from now on, as a call's state would */
		pc->attached = true;
		gw_bbb_adopt_state(x, pc, pending_free);
	}
	if (gw_quota_shared_take(x->redis, t->name, pc->bbb_id, count, t->max_meetings,
				 shared_ttl_ms(x), shared_verdict, x) != GW_OK)
		return false;
	gw_bbb_wait(x);
	return true;
}

/* After a count (or without needing one): a slot, the existence check, or a refusal. */
static void decide(struct gw_exchange *x, struct pending_create *pc, bool may_count)
{
	const struct gw_tenant *t = x->req.tenant;
	/* a count just made is fresh, however long asking for it took */
	enum gw_quota_verdict v = gw_quota_take(x->req.svc->quota, t->name, t->max_meetings,
						mono_ms(),
						may_count ? x->req.cfg->tenant_count_ms : UINT_MAX);

	if (v == GW_QUOTA_OK) {
		if (!ask_shared(x, pc))
			issue(x, pc, true);
	} else if (v == GW_QUOTA_FULL) {
		check_exists(x, pc);
	} else if (v == GW_QUOTA_STALE && may_count) {
		pc->count_asked_ms = mono_ms();
		chain(x, pc,
		      (struct gw_bbb_req){.call = GW_BBB_CALL(getMeetings), .finish = counted});
	} else {
		gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
		answered(pc);
	}
}

/* getMeetings, filtered to the tenant's meetings by the converter. */
/* With state.redis: the count and the meetingIDs it lists (BBB's) go to the shared store. */
static void share_count(struct gw_exchange *x, json_t *list, uint64_t asked_ms)
{
	const struct gw_tenant *t = x->req.tenant;
	size_t n = json_array_size(list), i, k = 0;
	const char **ids;
	json_t *m;

	if (x->redis == NULL || (ids = calloc(n + 1, sizeof(*ids))) == NULL)
		return;
	json_array_foreach (list, i, m) {
		const char *id = json_string_value(json_object_get(m, "meetingID"));
		char *bbb = id != NULL ? gw_arena_alloc(&x->arena, t->prefix_len + strlen(id) + 1)
				       : NULL;

		if (bbb == NULL)
			continue;
		memcpy(bbb, t->prefix, t->prefix_len);
		memcpy(bbb + t->prefix_len, id, strlen(id) + 1);
		ids[k++] = bbb;
	}
	gw_quota_shared_seen(x->redis, t->name, ids, k, mono_ms() - asked_ms, shared_ttl_ms(x));
	free(ids);
}

static void counted(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	json_t *list = json_object_get(gw_bbb_reply_body_json(r), "meetings"); /* borrowed */
	struct pending_create *pc = gw_bbb_state(x);

	/* as of when it was asked: creates that end while it is answered count on top */
	gw_quota_set(x->req.svc->quota, x->req.tenant->name, (unsigned)json_array_size(list),
		     pc->count_asked_ms);
	/* a count missing a server's part would drop creates the store must keep counting */
	if (json_object_get(gw_bbb_reply_body_json(r), "incomplete") == NULL)
		share_count(x, list, pc->count_asked_ms);
	decide(x, pc, false);
}

void gw_tenant_create(struct gw_exchange *x, const struct gw_bbb_req *r, const char *bbb_id,
		      void (*full)(struct gw_exchange *x))
{
	const struct gw_tenant *t = x->req.tenant;
	struct pending_create *pc;

	if (t == NULL || t->max_meetings == 0 || x->req.svc == NULL || x->req.svc->quota == NULL) {
		gw_bbb_request(x, r);
		return;
	}
	pc = calloc(1, sizeof(*pc));
	if (pc == NULL || (pc->query = strdup(r->query != NULL ? r->query : "")) == NULL ||
	    (pc->bbb_id = strdup(bbb_id)) == NULL) {
		free(r->body);
		pending_free(pc);
		gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
		return;
	}
	pc->body = r->body;
	pc->body_len = r->body_len;
	if (r->content_type != NULL)
		snprintf(pc->content_type, sizeof(pc->content_type), "%s", r->content_type);
	pc->finish = r->finish;
	pc->on_failed = r->on_failed;
	pc->completed = r->completed;
	pc->full = full;
	pc->facade = r->facade;
	decide(x, pc, true);
}
