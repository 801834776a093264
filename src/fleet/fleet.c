/*
 * fleet.c - see fleet.h: the servers (kept by name across reloads), their
 * health and load, placement, and what the operator sees.
 */
#include "fleet_int.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

static struct gw_fleet_server *server_new(const struct gw_config *cfg, const char *name)
{
	struct gw_upstream_opts o = {.breaker_failures = cfg->breaker_failures,
				     .breaker_cooldown_ms = cfg->breaker_cooldown_ms,
				     .breaker_max_cooldown_ms = cfg->breaker_max_cooldown_ms};
	struct gw_fleet_server *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->name = strdup(name);
	if (s->name == NULL || gw_upstream_lane_new(&o, &s->lane) != GW_OK) {
		free(s->name);
		free(s);
		return NULL;
	}
	atomic_init(&s->refs, 1);
	s->op_state = -1;
	return s;
}

static void free_tags(struct gw_fleet_server *s)
{
	for (size_t i = 0; i < s->n_tags; i++)
		free(s->tags[i]);
	free(s->tags);
	s->tags = NULL;
	s->n_tags = 0;
}

struct gw_fleet_server *gw_fleet_server_ref(struct gw_fleet_server *s)
{
	atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
	return s;
}

void gw_fleet_server_unref(struct gw_fleet_server *s)
{
	if (s == NULL || atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
		return;
	free_tags(s);
	gw_upstream_lane_unref(s->lane);
	free(s->name);
	free(s);
}

struct gw_upstream_lane *gw_fleet_server_lane(const struct gw_fleet_server *s)
{
	return s->lane;
}

const char *gw_fleet_server_name(const struct gw_fleet_server *s)
{
	return s->name;
}

const struct gw_bbb_server *gw_fleet_server_config(const struct gw_fleet_server *s,
						   const struct gw_config *cfg)
{
	for (size_t i = 0; cfg != NULL && i < cfg->n_servers; i++) {
		if (strcmp(cfg->servers[i].name, s->name) == 0)
			return &cfg->servers[i];
	}
	return NULL;
}

struct gw_fleet *gw_fleet_new(size_t max_meetings)
{
	struct gw_fleet *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return NULL;
	f->max_places = max_meetings;
	/* about one entry per bucket at the cap, at most 2^20 buckets */
	f->n_buckets = max_meetings < 1024         ? 1024
		       : max_meetings > (1u << 20) ? 1u << 20
						   : max_meetings;
	f->buckets = calloc(f->n_buckets, sizeof(*f->buckets));
	if (f->buckets == NULL || gw_crypto_random(f->key, sizeof(f->key)) != GW_OK ||
	    pthread_mutex_init(&f->lock, NULL) != 0) {
		free(f->buckets);
		free(f);
		return NULL;
	}
	return f;
}

void gw_fleet_free(struct gw_fleet *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->n_servers; i++) {
		gw_fleet_map_drop_server(f, f->servers[i]);
		f->servers[i]->member = false;
		gw_fleet_server_unref(f->servers[i]);
	}
	free(f->servers);
	free(f->buckets);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

static struct gw_fleet_server *find_locked(struct gw_fleet *f, const char *name)
{
	for (size_t i = 0; i < f->n_servers; i++) {
		if (strcmp(f->servers[i]->name, name) == 0)
			return f->servers[i];
	}
	return NULL;
}

static bool copy_tags(const struct gw_bbb_server *c, char ***out, size_t *n)
{
	char **t = c->n_tags > 0 ? calloc(c->n_tags, sizeof(*t)) : NULL;

	*out = t;
	*n = 0;
	if (c->n_tags > 0 && t == NULL)
		return false;
	for (; *n < c->n_tags; (*n)++) {
		t[*n] = strdup(c->tags[*n]);
		if (t[*n] == NULL)
			return false;
	}
	return true;
}

/* What a sync will give s, prepared outside the lock so that nothing fails under it. */
struct staged {
	struct gw_fleet_server *fresh; /* a new server, or NULL when s exists */
	char **tags;
	size_t n_tags;
};

static void staged_free(struct staged *st, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < st[i].n_tags; k++)
			free(st[i].tags[k]);
		free(st[i].tags);
		gw_fleet_server_unref(st[i].fresh);
	}
	free(st);
}

enum gw_err gw_fleet_sync(struct gw_fleet *f, const struct gw_config *cfg)
{
	size_t n = cfg->n_servers, i;
	struct staged *st = calloc(n > 0 ? n : 1, sizeof(*st));
	struct gw_fleet_server **next = calloc(n > 0 ? n : 1, sizeof(*next));
	struct gw_fleet_server **old;
	size_t n_old;

	if (st == NULL || next == NULL)
		goto oom;
	for (i = 0; i < n; i++) {
		if (!copy_tags(&cfg->servers[i], &st[i].tags, &st[i].n_tags))
			goto oom;
		st[i].fresh = server_new(cfg, cfg->servers[i].name);
		if (st[i].fresh == NULL)
			goto oom;
	}
	pthread_mutex_lock(&f->lock);
	for (i = 0; i < n; i++) {
		const struct gw_bbb_server *c = &cfg->servers[i];
		struct gw_fleet_server *s = find_locked(f, c->name);

		if (s == NULL) {
			s = st[i].fresh;
			st[i].fresh = NULL;
			s->conf_state = c->state;
		} else {
			gw_fleet_server_ref(s);
		}
		if (s->conf_state != c->state)
			s->op_state = -1; /* the file says something new: it wins */
		s->conf_state = c->state;
		s->weight = c->weight > 0 ? c->weight : 1.0;
		free_tags(s);
		s->tags = st[i].tags;
		s->n_tags = st[i].n_tags;
		st[i].tags = NULL;
		st[i].n_tags = 0;
		s->member = true;
		next[i] = s;
	}
	old = f->servers;
	n_old = f->n_servers;
	f->servers = next;
	f->n_servers = n;
	f->poll_s = cfg->fleet_poll_s;
	f->meeting_weight = cfg->fleet_meeting_weight;
	f->decay_ms = (uint64_t)cfg->fleet_reservation_decay_s * 1000u;
	f->grace_ms = cfg->bbb_timeout_ms;
	for (i = 0; i < n_old; i++) {
		if (find_locked(f, old[i]->name) == NULL) {
			gw_log_notice("fleet: server %s removed with %zu meetings mapped to it",
				      old[i]->name, old[i]->n_places);
			gw_fleet_map_drop_server(f, old[i]);
			old[i]->member = false;
		}
	}
	pthread_mutex_unlock(&f->lock);
	for (i = 0; i < n_old; i++)
		gw_fleet_server_unref(old[i]);
	free(old);
	staged_free(st, n);
	return GW_OK;
oom:
	if (st != NULL)
		staged_free(st, n);
	free(next);
	return GW_E_NOMEM;
}

size_t gw_fleet_count(struct gw_fleet *f)
{
	size_t n;

	pthread_mutex_lock(&f->lock);
	n = f->n_servers;
	pthread_mutex_unlock(&f->lock);
	return n;
}

struct gw_fleet_server *gw_fleet_server_at(struct gw_fleet *f, size_t i)
{
	struct gw_fleet_server *s = NULL;

	pthread_mutex_lock(&f->lock);
	if (i < f->n_servers)
		s = gw_fleet_server_ref(f->servers[i]);
	pthread_mutex_unlock(&f->lock);
	return s;
}

struct gw_fleet_server *gw_fleet_server_named(struct gw_fleet *f, const char *name)
{
	struct gw_fleet_server *s;

	pthread_mutex_lock(&f->lock);
	s = find_locked(f, name);
	if (s != NULL)
		gw_fleet_server_ref(s);
	pthread_mutex_unlock(&f->lock);
	return s;
}

static enum gw_server_state state_locked(const struct gw_fleet_server *s)
{
	return s->op_state >= 0 ? (enum gw_server_state)s->op_state : s->conf_state;
}

enum gw_server_state gw_fleet_server_state(struct gw_fleet *f, const struct gw_fleet_server *s)
{
	enum gw_server_state st;

	pthread_mutex_lock(&f->lock);
	st = state_locked(s);
	pthread_mutex_unlock(&f->lock);
	return st;
}

/* Healthy as placement sees it: polls decide, unless there is nothing to choose or no polls. */
static bool healthy_locked(const struct gw_fleet *f, const struct gw_fleet_server *s)
{
	return f->n_servers == 1 || f->poll_s == 0 || s->healthy;
}

/* The seats a reservation still holds at now (linear fade over decay_ms). */
static double reserved(const struct gw_fleet *f, const struct place *p, uint64_t now)
{
	uint64_t age = now > p->placed_ms ? now - p->placed_ms : 0;
	double left;

	if (p->seats == 0 || p->placed_ms == 0 || age >= f->decay_ms)
		return 0.0;
	left = (double)p->seats * (1.0 - (double)age / (double)f->decay_ms);
	return left > (double)p->users ? left - (double)p->users : 0.0;
}

struct gw_fleet_server *gw_fleet_first_usable(struct gw_fleet *f)
{
	struct gw_fleet_server *best = NULL;
	int best_rank = 3;

	pthread_mutex_lock(&f->lock);
	for (size_t i = 0; i < f->n_servers && best_rank > 0; i++) {
		struct gw_fleet_server *s = f->servers[i];
		int rank = state_locked(s) == GW_SERVER_DISABLED ? 2 : healthy_locked(f, s) ? 0 : 1;

		if (rank < best_rank) {
			best = s;
			best_rank = rank;
		}
	}
	if (best != NULL)
		gw_fleet_server_ref(best);
	pthread_mutex_unlock(&f->lock);
	return best;
}

/*
 * Walks only the reservations that have not faded (creates of the last
 * fleet.reservation_decay_s), dropping those that have: O(recent creates),
 * not O(mapped meetings).
 */
static double load_locked(const struct gw_fleet *f, struct gw_fleet_server *s, uint64_t now)
{
	double load = (double)s->users +
		      (double)f->meeting_weight * (double)(s->meetings + s->n_unlisted);
	struct place *p, *next;

	for (p = s->rhead; p != NULL; p = next) {
		next = p->rnext;
		if (now > p->placed_ms && now - p->placed_ms >= f->decay_ms)
			gw_fleet_map_unreserve(p);
		else
			load += reserved(f, p, now);
	}
	return load * s->weight;
}

static bool has_tag(const struct gw_fleet_server *s, const char *tag)
{
	for (size_t i = 0; i < s->n_tags; i++) {
		if (strcmp(s->tags[i], tag) == 0)
			return true;
	}
	return false;
}

/* Whether s may take a new meeting in placement pass 0 (tagged ones) or 1 (any). */
static bool eligible_locked(const struct gw_fleet *f, const struct gw_fleet_server *s,
			    const struct gw_fleet_want *w, int pass)
{
	return state_locked(s) == GW_SERVER_ENABLED && healthy_locked(f, s) &&
	       (pass == 1 || has_tag(s, w->tag));
}

/* The first pass, and whether the second one may follow a first that found nothing. */
static int first_pass(const struct gw_fleet_want *w)
{
	return w->tag != NULL ? 0 : 1;
}

static bool may_untagged(const struct gw_fleet_want *w)
{
	return w->tag == NULL || !w->tag_required;
}

/* The placement: least load among enabled healthy servers, tagged ones first. */
static struct gw_fleet_server *choose_locked(const struct gw_fleet *f,
					     const struct gw_fleet_want *w, uint64_t now)
{
	struct gw_fleet_server *best = NULL;
	double best_load = 0.0;
	int pass;

	for (pass = first_pass(w); pass < 2 && best == NULL; pass++) {
		if (pass == 1 && !may_untagged(w))
			break;
		for (size_t i = 0; i < f->n_servers; i++) {
			struct gw_fleet_server *s = f->servers[i];
			double load;

			if (!eligible_locked(f, s, w, pass))
				continue;
			load = load_locked(f, s, now);
			if (best == NULL || load < best_load) {
				best = s;
				best_load = load;
			}
		}
	}
	return best;
}

size_t gw_fleet_candidates(struct gw_fleet *f, const struct gw_fleet_want *want,
			   struct gw_fleet_candidate *out, size_t max)
{
	size_t n = 0;

	pthread_mutex_lock(&f->lock);
	for (int pass = first_pass(want); pass < 2 && n == 0; pass++) {
		if (pass == 1 && !may_untagged(want))
			break;
		for (size_t i = 0; i < f->n_servers && n < max; i++) {
			struct gw_fleet_server *s = f->servers[i];

			if (!eligible_locked(f, s, want, pass))
				continue;
			out[n].srv = gw_fleet_server_ref(s);
			out[n].weight = s->weight;
			out[n].base = s->weight * ((double)s->users +
						   (double)f->meeting_weight * (double)s->meetings);
			n++;
		}
	}
	pthread_mutex_unlock(&f->lock);
	return n;
}

void gw_fleet_candidates_unref(struct gw_fleet_candidate *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		gw_fleet_server_unref(c[i].srv);
		c[i].srv = NULL;
	}
}

void gw_fleet_fading(struct gw_fleet *f, struct gw_fleet_fading *out)
{
	pthread_mutex_lock(&f->lock);
	out->decay_ms = f->decay_ms;
	/* two polls and a create's budget; never polled: the reservation's whole life */
	out->fresh_ms = f->poll_s > 0 ? 2u * (uint64_t)f->poll_s * 1000u + f->grace_ms
				      : f->decay_ms;
	out->meeting_weight = f->meeting_weight;
	pthread_mutex_unlock(&f->lock);
}

enum gw_fleet_placed gw_fleet_place(struct gw_fleet *f, const char *id,
				    const struct gw_fleet_want *want, uint64_t mono_ms,
				    struct gw_fleet_server **out)
{
	size_t len = strlen(id);
	enum gw_fleet_placed r;
	struct gw_fleet_server *s;
	struct place *p;
	uint64_t h;

	*out = NULL;
	pthread_mutex_lock(&f->lock);
	p = gw_fleet_map_find(f, id, len, &h);
	if (p != NULL) {
		*out = gw_fleet_server_ref(p->srv);
		r = GW_FLEET_EXISTING;
	} else if ((s = choose_locked(f, want, mono_ms)) == NULL) {
		r = GW_FLEET_NO_SERVER;
	} else if ((p = gw_fleet_map_add(f, id, len, h, s)) == NULL) {
		r = GW_FLEET_FULL;
	} else {
		gw_fleet_map_placed(p, mono_ms, want->seats);
		*out = gw_fleet_server_ref(s);
		r = GW_FLEET_NEW;
	}
	pthread_mutex_unlock(&f->lock);
	return r;
}

struct gw_fleet_server *gw_fleet_choose(struct gw_fleet *f, const struct gw_fleet_want *want,
					uint64_t mono_ms)
{
	struct gw_fleet_server *s;

	pthread_mutex_lock(&f->lock);
	s = choose_locked(f, want, mono_ms);
	if (s != NULL)
		gw_fleet_server_ref(s);
	pthread_mutex_unlock(&f->lock);
	return s;
}

enum gw_err gw_fleet_place_on(struct gw_fleet *f, const char *id, struct gw_fleet_server *s,
			      const struct gw_fleet_want *want, uint64_t mono_ms)
{
	size_t len = strlen(id);
	enum gw_err err = GW_OK;
	struct place *p;
	uint64_t h;

	pthread_mutex_lock(&f->lock);
	if (s->member && gw_fleet_map_find(f, id, len, &h) == NULL) {
		p = gw_fleet_map_add(f, id, len, h, s);
		if (p == NULL) {
			err = GW_E_TOO_LARGE;
		} else {
			gw_fleet_map_placed(p, mono_ms, want->seats);
		}
	}
	pthread_mutex_unlock(&f->lock);
	return err;
}

struct gw_fleet_server *gw_fleet_lookup(struct gw_fleet *f, const char *id)
{
	struct gw_fleet_server *s = NULL;
	struct place *p;
	uint64_t h;

	pthread_mutex_lock(&f->lock);
	p = gw_fleet_map_find(f, id, strlen(id), &h);
	if (p != NULL && p->srv->member)
		s = gw_fleet_server_ref(p->srv);
	pthread_mutex_unlock(&f->lock);
	return s;
}

enum gw_err gw_fleet_learn(struct gw_fleet *f, const char *id, struct gw_fleet_server *s)
{
	size_t len = strlen(id);
	enum gw_err err = GW_OK;
	uint64_t h;

	pthread_mutex_lock(&f->lock);
	if (s->member && gw_fleet_map_find(f, id, len, &h) == NULL &&
	    gw_fleet_map_add(f, id, len, h, s) == NULL)
		err = GW_E_TOO_LARGE;
	pthread_mutex_unlock(&f->lock);
	return err;
}

void gw_fleet_forget(struct gw_fleet *f, const char *id, const struct gw_fleet_server *s)
{
	struct place *p;
	uint64_t h;

	pthread_mutex_lock(&f->lock);
	p = gw_fleet_map_find(f, id, strlen(id), &h);
	if (p != NULL && p->srv == s)
		gw_fleet_map_remove(f, p);
	pthread_mutex_unlock(&f->lock);
}

void gw_fleet_polled(struct gw_fleet *f, struct gw_fleet_server *s, const struct gw_fleet_poll *p,
		     uint64_t started_ms, uint64_t mono_ms, int64_t wall_ms)
{
	(void)mono_ms;
	pthread_mutex_lock(&f->lock);
	s->last_poll_ms = wall_ms;
	if (!p->ok) {
		s->failures++;
		if (s->healthy && s->failures >= 2) {
			s->healthy = false;
			gw_log_warn("fleet: server %s is unhealthy (%u polls failed)", s->name,
				    s->failures);
		}
	} else {
		unsigned users = 0;

		if (!s->healthy)
			gw_log_notice("fleet: server %s is healthy", s->name);
		s->failures = 0;
		s->healthy = true;
		s->polled = true;
		for (size_t i = 0; i < p->n; i++)
			users += p->users[i];
		s->meetings = (unsigned)p->n;
		s->users = users;
		if (s->member)
			gw_fleet_map_polled(f, s, p, started_ms);
	}
	pthread_mutex_unlock(&f->lock);
}

enum gw_err gw_fleet_set_state(struct gw_fleet *f, const char *name, enum gw_server_state state)
{
	struct gw_fleet_server *s;

	pthread_mutex_lock(&f->lock);
	s = find_locked(f, name);
	if (s != NULL)
		s->op_state = (int)state;
	pthread_mutex_unlock(&f->lock);
	return s != NULL ? GW_OK : GW_E_NOT_FOUND;
}

size_t gw_fleet_view(struct gw_fleet *f, uint64_t mono_ms, struct gw_fleet_view *out, size_t max)
{
	size_t n;

	pthread_mutex_lock(&f->lock);
	n = f->n_servers;
	for (size_t i = 0; i < n && i < max; i++) {
		struct gw_fleet_server *s = f->servers[i];
		struct gw_fleet_view *v = &out[i];

		memset(v, 0, sizeof(*v));
		strncpy(v->name, s->name, GW_FLEET_NAME_MAX);
		v->state = state_locked(s);
		v->healthy = f->poll_s == 0 || s->healthy;
		v->polled = s->polled;
		v->meetings = s->meetings;
		v->users = s->users;
		v->placed = (unsigned)s->n_places;
		v->load = load_locked(f, s, mono_ms);
		v->last_poll_ms = s->last_poll_ms;
		v->failures = s->failures;
	}
	pthread_mutex_unlock(&f->lock);
	return n;
}

size_t gw_fleet_mapped(struct gw_fleet *f)
{
	size_t n;

	pthread_mutex_lock(&f->lock);
	n = f->n_places;
	pthread_mutex_unlock(&f->lock);
	return n;
}
