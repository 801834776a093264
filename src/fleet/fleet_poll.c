/*
 * fleet_poll.c - see fleet_poll.h. A round signs one getMeetings per
 * server, submits them all to the poller's pool, waits on a condition
 * variable until every one has completed, then records each outcome. The
 * thread sleeps between rounds on the same variable, so a kick or a stop
 * wakes it at once.
 */
#include "fleet_poll.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bbb_calls.h"
#include "bbb_reply.h"
#include "bbb_sign.h"
#include "config.h"
#include "fleet.h"
#include "gw_limits.h"
#include "log.h"
#include "upstream.h"
#include "xml2json.h"

struct gw_fleet_poller {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop;
	bool kick;
	size_t outstanding; /* calls of the round not yet done */
	unsigned long rounds;
	struct gw_upstream *up;
	struct gw_fleet *fleet;
	struct gw_config *(*config_get)(void *arg);
	void *arg;
};

/* One server's poll in a round. */
struct probe {
	struct gw_fleet_server *srv;
	struct gw_upstream_call call;
	struct gw_buf url;
	bool sent;
	uint64_t started_ms;
	struct gw_fleet_poller *p;
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum gw_err gw_fleet_poll_parse(const char *body_json, void **keep, const char ***ids,
				unsigned **users, size_t *n)
{
	json_t *root = json_loads(body_json, 0, NULL);
	json_t *list = json_object_get(root, "meetings"); /* borrowed */
	size_t count = json_array_size(list), i;
	const char **id = NULL;
	unsigned *u = NULL;
	json_t *m;

	*keep = NULL;
	*ids = NULL;
	*users = NULL;
	*n = 0;
	if (root == NULL || (list != NULL && !json_is_array(list))) {
		json_decref(root);
		return GW_E_PARSE;
	}
	if (count > 0) {
		id = calloc(count, sizeof(*id));
		u = calloc(count, sizeof(*u));
		if (id == NULL || u == NULL) {
			free(id);
			free(u);
			json_decref(root);
			return GW_E_NOMEM;
		}
	}
	json_array_foreach (list, i, m) {
		const char *mid = json_string_value(json_object_get(m, "meetingID"));
		json_int_t pc = json_integer_value(json_object_get(m, "participantCount"));

		if (mid == NULL || *mid == '\0')
			continue;
		id[*n] = mid;
		u[*n] = pc > 0 && pc < 1000000 ? (unsigned)pc : 0;
		(*n)++;
	}
	*keep = root;
	*ids = id;
	*users = u;
	return GW_OK;
}

static void call_done(struct gw_upstream_call *call, void *arg)
{
	struct probe *pr = arg;
	struct gw_fleet_poller *p = pr->p;

	(void)call;
	pthread_mutex_lock(&p->lock);
	p->outstanding--;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

/* Signs and sends s's getMeetings; false when it could not go out. */
static bool send_probe(struct gw_fleet_poller *p, const struct gw_config *cfg, struct probe *pr)
{
	const struct gw_bbb_server *c = gw_fleet_server_config(pr->srv, cfg);

	gw_buf_init(&pr->url, GW_MAX_URL_BYTES);
	memset(&pr->call, 0, sizeof(pr->call));
	gw_upstream_call_init(&pr->call);
	if (c == NULL || gw_bbb_signed_url(&pr->url, c->url, GW_BBB_CALL(getMeetings)->name, "",
					   c->checksum, c->secret) != GW_OK)
		return false;
	pr->call.url = gw_buf_str(&pr->url);
	pr->call.lane = gw_fleet_server_lane(pr->srv);
	pr->call.timeout_ms = cfg->bbb_timeout_ms;
	pr->call.idempotent = true;
	pr->call.max_reply_bytes = cfg->bbb_max_reply_bytes;
	pr->call.done = call_done;
	pr->call.arg = pr;
	pr->p = p;
	pr->started_ms = mono_ms();
	pthread_mutex_lock(&p->lock);
	p->outstanding++;
	pthread_mutex_unlock(&p->lock);
	if (gw_upstream_submit(p->up, &pr->call) == GW_OK)
		return true;
	pthread_mutex_lock(&p->lock);
	p->outstanding--;
	pthread_mutex_unlock(&p->lock);
	return false;
}

/* What one poll's reply says about its server. */
static void record(struct gw_fleet_poller *p, struct probe *pr)
{
	struct gw_fleet_poll poll = {.ok = false};
	struct gw_bbb_reply r;
	void *keep = NULL;
	unsigned *users = NULL;
	const char **ids = NULL;
	enum gw_err err = pr->call.result;

	if (!pr->sent)
		err = GW_E_UNAVAILABLE;
	if (err == GW_OK && pr->call.http_status != 200)
		err = GW_E_UPSTREAM_HTTP;
	if (err == GW_OK)
		err = gw_xml2json_convert(gw_buf_str(&pr->call.reply), pr->call.reply.len,
					  gw_upstream_deadline_ms(&pr->call), &r);
	if (err == GW_OK) {
		if (!r.success)
			err = GW_E_BBB_FAILED;
		else
			err = gw_fleet_poll_parse(r.body, &keep, &ids, &users, &poll.n);
		gw_bbb_reply_deinit(&r);
	}
	if (err == GW_OK) {
		poll.ok = true;
		poll.ids = ids;
		poll.users = users;
	} else {
		gw_log_info("fleet: poll of %s failed: %s", gw_fleet_server_name(pr->srv),
			    gw_err_str(err));
	}
	gw_fleet_polled(p->fleet, pr->srv, &poll, pr->started_ms, mono_ms(), wall_ms());
	free(ids);
	free(users);
	json_decref(keep);
}

static void round_once(struct gw_fleet_poller *p, const struct gw_config *cfg)
{
	size_t n = gw_fleet_count(p->fleet), i;
	struct probe *pr = calloc(n > 0 ? n : 1, sizeof(*pr));

	if (pr == NULL)
		return;
	for (i = 0; i < n; i++) {
		pr[i].srv = gw_fleet_server_at(p->fleet, i);
		/* a disabled server is out of the fleet's view until it is enabled */
		if (pr[i].srv != NULL &&
		    gw_fleet_server_state(p->fleet, pr[i].srv) == GW_SERVER_DISABLED) {
			gw_fleet_server_unref(pr[i].srv);
			pr[i].srv = NULL;
		}
		if (pr[i].srv != NULL)
			pr[i].sent = send_probe(p, cfg, &pr[i]);
	}
	pthread_mutex_lock(&p->lock);
	while (p->outstanding > 0)
		pthread_cond_wait(&p->cond, &p->lock);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < n; i++) {
		if (pr[i].srv == NULL)
			continue;
		record(p, &pr[i]);
		gw_upstream_call_deinit(&pr[i].call);
		gw_buf_deinit(&pr[i].url);
		gw_fleet_server_unref(pr[i].srv);
	}
	free(pr);
}

static void *run(void *arg)
{
	struct gw_fleet_poller *p = arg;

	for (;;) {
		struct gw_config *cfg = p->config_get(p->arg);
		unsigned wait_s = cfg != NULL && cfg->fleet_poll_s > 0 ? cfg->fleet_poll_s : 3600;
		struct timespec until;

		if (cfg != NULL && cfg->fleet_poll_s > 0)
			round_once(p, cfg);
		gw_config_unref(cfg);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += wait_s;
		pthread_mutex_lock(&p->lock);
		p->rounds++;
		pthread_cond_broadcast(&p->cond);
		while (!p->stop && !p->kick &&
		       pthread_cond_timedwait(&p->cond, &p->lock, &until) == 0)
			;
		p->kick = false;
		if (p->stop) {
			pthread_mutex_unlock(&p->lock);
			return NULL;
		}
		pthread_mutex_unlock(&p->lock);
	}
}

enum gw_err gw_fleet_poller_start(struct gw_fleet *f, struct gw_upstream_group *group,
				  struct gw_config *(*config_get)(void *arg), void *arg,
				  struct gw_fleet_poller **out)
{
	struct gw_fleet_poller *p = calloc(1, sizeof(*p));
	enum gw_err err;

	if (p == NULL)
		return GW_E_NOMEM;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	p->fleet = f;
	p->config_get = config_get;
	p->arg = arg;
	err = gw_upstream_new_threaded(group, &p->up);
	if (err == GW_OK && pthread_create(&p->thread, NULL, run, p) != 0) {
		gw_upstream_free(p->up);
		err = GW_E_INTERNAL;
	}
	if (err != GW_OK) {
		pthread_cond_destroy(&p->cond);
		pthread_mutex_destroy(&p->lock);
		free(p);
		return err;
	}
	*out = p;
	return GW_OK;
}

void gw_fleet_poller_kick(struct gw_fleet_poller *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->kick = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

unsigned long gw_fleet_poller_rounds(struct gw_fleet_poller *p)
{
	unsigned long n;

	pthread_mutex_lock(&p->lock);
	n = p->rounds;
	pthread_mutex_unlock(&p->lock);
	return n;
}

void gw_fleet_poller_stop(struct gw_fleet_poller *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	gw_upstream_free(p->up);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
