/*
 * hook_keeper.c - see hook_keeper.h. A round: hooks/list (signed with
 * bbb.hooks_checksum, as bbb-webhooks checks it), and when the gateway's
 * callback is not among the global hooks, hooks/create. The thread waits
 * on a condition variable between rounds, so a kick or a stop wakes it at
 * once; each BBB call waits for its completion on the same lock.
 */
#include "hook_keeper.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bbb_reply.h"
#include "bbb_sign.h"
#include "buf.h"
#include "config.h"
#include "gw_limits.h"
#include "log.h"
#include "upstream.h"
#include "xml2json.h"

#define MAX_REPLY_BYTES (1024u * 1024u) /* a hooks/list of thousands of hooks */

struct gw_hook_keeper {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop;
	bool kick;
	bool call_done;
	struct gw_upstream *up;
	struct gw_config *(*config_get)(void *arg);
	void *arg;
	unsigned long rounds;
	unsigned long registered;
};

bool gw_hook_keeper_listed(const char *hooks_json, const char *callback_url)
{
	json_t *root = json_loads(hooks_json, 0, NULL);
	json_t *hooks = json_object_get(root, "hooks"); /* borrowed */
	json_t *h;
	size_t i;
	bool found = false;

	json_array_foreach (hooks, i, h) {
		const char *url = json_string_value(json_object_get(h, "callbackURL"));
		const char *mid = json_string_value(json_object_get(h, "meetingID"));

		if (url != NULL && strcmp(url, callback_url) == 0 &&
		    (mid == NULL || mid[0] == '\0'))
			found = true;
	}
	json_decref(root);
	return found;
}

/* A BBB server the keeper registers with. */
struct target {
	const char *name;
	const char *url;
	const char *secret;
};

static bool stopping(struct gw_hook_keeper *k)
{
	bool stop;

	pthread_mutex_lock(&k->lock);
	stop = k->stop;
	pthread_mutex_unlock(&k->lock);
	return stop;
}

static void call_done(struct gw_upstream_call *call, void *arg)
{
	struct gw_hook_keeper *k = arg;

	(void)call;
	pthread_mutex_lock(&k->lock);
	k->call_done = true;
	pthread_cond_broadcast(&k->cond);
	pthread_mutex_unlock(&k->lock);
}

/* One signed hooks call; GW_OK with the reply converted into *out (caller deinits). */
static enum gw_err hooks_call(struct gw_hook_keeper *k, const struct gw_config *cfg,
			      const struct target *t, const char *call_name, const char *query,
			      struct gw_bbb_reply *out)
{
	struct gw_upstream_call call;
	struct gw_buf url;
	enum gw_err err;

	gw_buf_init(&url, GW_MAX_URL_BYTES);
	err = gw_bbb_signed_url(&url, t->url, call_name, query, cfg->hooks_checksum, t->secret);
	if (err != GW_OK) {
		gw_buf_deinit(&url);
		return err;
	}
	/* init sets the result part only: the request part starts from zero */
	memset(&call, 0, sizeof(call));
	gw_upstream_call_init(&call);
	call.url = gw_buf_str(&url);
	call.timeout_ms = cfg->bbb_timeout_ms;
	call.idempotent = strcmp(call_name, "hooks/list") == 0;
	call.max_reply_bytes = MAX_REPLY_BYTES;
	call.done = call_done;
	call.arg = k;
	pthread_mutex_lock(&k->lock);
	k->call_done = false;
	pthread_mutex_unlock(&k->lock);
	err = gw_upstream_submit(k->up, &call);
	if (err == GW_OK) {
		pthread_mutex_lock(&k->lock);
		while (!k->call_done)
			pthread_cond_wait(&k->cond, &k->lock);
		pthread_mutex_unlock(&k->lock);
		err = call.result;
		if (err == GW_OK && call.http_status != 200)
			err = GW_E_UPSTREAM_HTTP;
		if (err == GW_OK)
			err = gw_xml2json_convert(gw_buf_str(&call.reply), call.reply.len, 0, out);
		if (err == GW_OK && !out->success) {
			gw_bbb_reply_deinit(out);
			err = GW_E_BBB_FAILED;
		}
	}
	gw_upstream_call_deinit(&call);
	gw_buf_deinit(&url);
	return err;
}

enum gw_err gw_hook_keeper_callback_url(const struct gw_config *cfg, const char *server,
					struct gw_buf *out)
{
	const char *url = cfg->events_callback_url;

	if (cfg->n_servers <= 1 || server == NULL)
		return gw_buf_append_str(out, url);
	return gw_buf_appendf(out, "%s%cserver=%s", url, strchr(url, '?') != NULL ? '&' : '?',
			      server);
}

/* One server's round: its bbb-webhooks lists the gateway's callback, or gets it. */
static void server_round(struct gw_hook_keeper *k, const struct gw_config *cfg,
			 const struct target *t)
{
	struct gw_bbb_reply r;
	struct gw_buf q, cb;
	enum gw_err err;
	bool listed;

	gw_buf_init(&cb, GW_MAX_URL_BYTES);
	if (gw_hook_keeper_callback_url(cfg, t->name, &cb) != GW_OK) {
		gw_buf_deinit(&cb);
		return;
	}
	err = hooks_call(k, cfg, t, "hooks/list", "", &r);
	if (err != GW_OK) {
		gw_log_warn("events: hooks/list on %s failed: %s", t->name, gw_err_str(err));
		gw_buf_deinit(&cb);
		return;
	}
	listed = r.body != NULL && gw_hook_keeper_listed(r.body, gw_buf_str(&cb));
	gw_bbb_reply_deinit(&r);
	if (listed) {
		gw_buf_deinit(&cb);
		return;
	}
	gw_buf_init(&q, GW_MAX_URL_BYTES);
	err = gw_bbb_query_add(&q, "callbackURL", gw_buf_str(&cb));
	if (err == GW_OK)
		err = gw_bbb_query_add(&q, "getRaw", "false");
	if (err == GW_OK)
		err = hooks_call(k, cfg, t, "hooks/create", gw_buf_str(&q), &r);
	gw_buf_deinit(&q);
	gw_buf_deinit(&cb);
	if (err != GW_OK) {
		gw_log_warn("events: registering the callback with bbb-webhooks on %s failed: %s",
			    t->name, gw_err_str(err));
		return;
	}
	gw_bbb_reply_deinit(&r);
	pthread_mutex_lock(&k->lock);
	k->registered++;
	pthread_mutex_unlock(&k->lock);
	gw_log_notice("events: callback registered with bbb-webhooks on %s", t->name);
}

/* Every server of the fleet (the config's lone bbb group when it has no list: tests). */
static void round_once(struct gw_hook_keeper *k, const struct gw_config *cfg)
{
	struct target t = {"default", cfg->bbb_url, cfg->bbb_secret};

	if (cfg->n_servers == 0) {
		server_round(k, cfg, &t);
		return;
	}
	for (size_t i = 0; i < cfg->n_servers && !stopping(k); i++) {
		t = (struct target){cfg->servers[i].name, cfg->servers[i].url,
				    cfg->servers[i].secret};
		server_round(k, cfg, &t);
	}
}

static void *run(void *arg)
{
	struct gw_hook_keeper *k = arg;

	for (;;) {
		struct gw_config *cfg = k->config_get(k->arg);
		unsigned wait_s = cfg != NULL ? cfg->events_hooks_check_s : 60;
		struct timespec until;

		if (cfg != NULL && cfg->events_callback_url != NULL &&
		    (cfg->bbb_url != NULL || cfg->n_servers > 0))
			round_once(k, cfg);
		gw_config_unref(cfg);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += wait_s;
		pthread_mutex_lock(&k->lock);
		k->rounds++;
		pthread_cond_broadcast(&k->cond);
		while (!k->stop && !k->kick &&
		       pthread_cond_timedwait(&k->cond, &k->lock, &until) == 0)
			;
		k->kick = false;
		if (k->stop) {
			pthread_mutex_unlock(&k->lock);
			return NULL;
		}
		pthread_mutex_unlock(&k->lock);
	}
}

enum gw_err gw_hook_keeper_start(struct gw_upstream_group *group,
				 struct gw_config *(*config_get)(void *arg), void *arg,
				 struct gw_hook_keeper **out)
{
	struct gw_hook_keeper *k = calloc(1, sizeof(*k));
	enum gw_err err;

	if (k == NULL)
		return GW_E_NOMEM;
	pthread_mutex_init(&k->lock, NULL);
	pthread_cond_init(&k->cond, NULL);
	k->config_get = config_get;
	k->arg = arg;
	err = gw_upstream_new_threaded(group, &k->up);
	if (err == GW_OK && pthread_create(&k->thread, NULL, run, k) != 0) {
		gw_upstream_free(k->up);
		err = GW_E_INTERNAL;
	}
	if (err != GW_OK) {
		pthread_cond_destroy(&k->cond);
		pthread_mutex_destroy(&k->lock);
		free(k);
		return err;
	}
	*out = k;
	return GW_OK;
}

void gw_hook_keeper_kick(struct gw_hook_keeper *k)
{
	if (k == NULL)
		return;
	pthread_mutex_lock(&k->lock);
	k->kick = true;
	pthread_cond_broadcast(&k->cond);
	pthread_mutex_unlock(&k->lock);
}

void gw_hook_keeper_stats(struct gw_hook_keeper *k, unsigned long *rounds,
			  unsigned long *registered)
{
	pthread_mutex_lock(&k->lock);
	*rounds = k->rounds;
	*registered = k->registered;
	pthread_mutex_unlock(&k->lock);
}

void gw_hook_keeper_stop(struct gw_hook_keeper *k)
{
	if (k == NULL)
		return;
	pthread_mutex_lock(&k->lock);
	k->stop = true;
	pthread_cond_broadcast(&k->cond);
	pthread_mutex_unlock(&k->lock);
	pthread_join(k->thread, NULL);
	gw_upstream_free(k->up);
	pthread_cond_destroy(&k->cond);
	pthread_mutex_destroy(&k->lock);
	free(k);
}
