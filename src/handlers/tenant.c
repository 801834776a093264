/*
 * tenant.c - a tenant's namespace and create policy (tenant.h).
 */
#include "tenant.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

const char *gw_tenant_client_id(const struct gw_exchange *x, const char *bbb_id)
{
	const struct gw_tenant *t = x->req.tenant;

	if (t == NULL || bbb_id == NULL)
		return bbb_id;
	if (strncmp(bbb_id, t->prefix, t->prefix_len) != 0)
		return NULL;
	return bbb_id + t->prefix_len;
}

void gw_tenant_query_meeting(struct gw_exchange *x, struct gw_query *qb, const char *id)
{
	const char *bbb_id = gw_tenant_bbb_id(x, id);

	if (bbb_id == NULL)
		gw_query_fail(qb, GW_E_NOMEM, "meetingID", "Out of memory");
	else
		gw_query_add(qb, "meetingID", bbb_id);
}

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
	for (size_t i = 0; i < t->n_deny; i++) {
		if (same_param(t->deny[i], name))
			return GW_TENANT_DENY;
	}
	if (in_params(t->overrides, t->n_overrides, name) || same_param(name, "meta"
									      "_" GW_TENANT_META))
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
	return add(arg, "meta_" GW_TENANT_META, t->name);
}
