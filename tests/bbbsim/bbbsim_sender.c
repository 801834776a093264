/*
 * bbbsim_sender.c - delivers the simulator's bbb-webhooks callbacks: one
 * thread, one FIFO queue, libcurl.
 *
 * Model: bbb-webhooks' callback-emitter.js on the wire, simplified where
 * only timing differs. Each callback is POSTed to its URL with the body and
 * headers node-fetch sends for a URLSearchParams body (Content-Type
 * "application/x-www-form-urlencoded;charset=UTF-8", Connection: close),
 * redirects followed (at most 10), within SIM_CALLBACK_TIMEOUT_MS
 * (bbb-webhooks' requestTimeout). A 2xx answer or a 401 counts as
 * delivered (bbb-webhooks: "the callback worked but was denied by the
 * recipient"). Anything else is retried once after SIM_CALLBACK_RETRY_MS
 * (bbb-webhooks' first retryIntervals entry; it goes on for about five
 * minutes); when the retry fails too the callback is given up and, as in
 * bbb-webhooks, its hook is removed. One thread sending in queue order keeps
 * the order of events per hook (and overall); a slow receiver delays later
 * callbacks but never the simulator's answers, which only append to the
 * queue under sim->lock. Stopping aborts an attempt in flight (libcurl's
 * progress callback) and leaves the rest of the queue to be freed.
 */
#include "bbbsim_int.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void sim_callbacks_free(struct sim_callback *cb)
{
	while (cb != NULL) {
		struct sim_callback *next = cb->next;

		free(cb->event_id);
		free(cb->url);
		free(cb->body);
		free(cb);
		cb = next;
	}
}

void sim_sender_enqueue(struct bbbsim *sim, struct sim_callback *cb)
{
	cb->next = NULL;
	if (sim->queue_tail == NULL)
		sim->queue_tail = &sim->queue;
	*sim->queue_tail = cb;
	sim->queue_tail = &cb->next;
	pthread_cond_signal(&sim->send_wake);
}

static bool stopping(struct bbbsim *sim)
{
	bool s;

	pthread_mutex_lock(&sim->lock);
	s = sim->stopping;
	pthread_mutex_unlock(&sim->lock);
	return s;
}

/* --- one attempt ------------------------------------------------------- */

static int on_progress(void *cls, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return stopping(cls) ? 1 : 0; /* non-zero aborts the transfer */
}

static size_t discard(char *p, size_t size, size_t n, void *cls)
{
	(void)p;
	(void)cls;
	return size * n;
}

static struct curl_slist *header_add(struct curl_slist *list, const char *h)
{
	struct curl_slist *l = curl_slist_append(list, h);

	if (l == NULL)
		abort(); /* out of memory: the simulator aborts, as sim_xmalloc does */
	return l;
}

/* POSTs cb once; the HTTP status, or 0 when no answer came back. */
static long post_once(struct bbbsim *sim, const struct sim_callback *cb)
{
	CURL *e = curl_easy_init();
	struct curl_slist *h = NULL;
	char *auth = NULL;
	long status = 0;

	if (e == NULL)
		return 0;
	h = header_add(h, "Content-Type: application/x-www-form-urlencoded;charset=UTF-8");
	h = header_add(h, "Accept: */*");
	h = header_add(h, "User-Agent: node-fetch");
	h = header_add(h, "Connection: close");
	h = header_add(h, "Expect:"); /* no 100-continue round trip for large bodies */
	if (sim->hooks_bearer) {
		auth = sim_xasprintf("Authorization: Bearer %s", sim->secret);
		h = header_add(h, auth);
	}
	curl_easy_setopt(e, CURLOPT_URL, cb->url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for timeouts */
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, SIM_CALLBACK_TIMEOUT_MS);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, cb->body);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(cb->body));
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(e, CURLOPT_XFERINFODATA, sim);
	if (curl_easy_perform(e) == CURLE_OK)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(e);
	curl_slist_free_all(h);
	free(auth);
	return status;
}

static bool delivered(long status)
{
	return (status >= 200 && status < 300) || status == 401;
}

/* Sleeps up to ms; false when the simulator stops meanwhile. */
static bool pause_ms(struct bbbsim *sim, unsigned ms)
{
	struct timespec until;
	bool ok;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_nsec += (long)ms * 1000000L;
	until.tv_sec += until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&sim->lock);
	while (!sim->stopping)
		if (pthread_cond_timedwait(&sim->wake, &sim->lock, &until) == ETIMEDOUT)
			break;
	ok = !sim->stopping;
	pthread_mutex_unlock(&sim->lock);
	return ok;
}

static void note(const struct bbbsim *sim, const struct sim_callback *cb, const char *what,
		 long status)
{
	if (sim->verbose)
		fprintf(stderr, "bbb-sim: callback %s to hook %lu: %s (HTTP %ld)\n", cb->event_id,
			cb->hook_id, what, status);
}

/* The first attempt and, when it fails, the retry. */
static bool deliver(struct bbbsim *sim, const struct sim_callback *cb)
{
	long status = post_once(sim, cb);

	if (delivered(status)) {
		note(sim, cb, "delivered", status);
		return true;
	}
	note(sim, cb, "failed, retrying", status);
	if (!pause_ms(sim, SIM_CALLBACK_RETRY_MS))
		return false;
	status = post_once(sim, cb);
	note(sim, cb, delivered(status) ? "delivered" : "given up, hook removed", status);
	return delivered(status);
}

/* --- the thread -------------------------------------------------------- */

static struct sim_callback *pop(struct bbbsim *sim)
{
	struct sim_callback *cb = sim->queue;

	sim->queue = cb->next;
	if (sim->queue == NULL)
		sim->queue_tail = &sim->queue;
	cb->next = NULL;
	return cb;
}

static void *sender_main(void *arg)
{
	struct bbbsim *sim = arg;

	pthread_mutex_lock(&sim->lock);
	for (;;) {
		struct sim_callback *cb;
		bool ok;

		while (!sim->stopping && sim->queue == NULL)
			pthread_cond_wait(&sim->send_wake, &sim->lock);
		if (sim->stopping)
			break;
		cb = pop(sim);
		pthread_mutex_unlock(&sim->lock);
		ok = deliver(sim, cb);
		pthread_mutex_lock(&sim->lock);
		if (ok) {
			sim->callbacks_sent++;
		} else if (!sim->stopping) {
			sim->callbacks_failed++;
			sim_hook_drop(sim, cb->hook_id);
		}
		pthread_cond_broadcast(&sim->send_done);
		sim_callbacks_free(cb);
	}
	pthread_mutex_unlock(&sim->lock);
	return NULL;
}

bool sim_sender_start(struct bbbsim *sim)
{
	/* Reference-counted, and thread-safe in the libcurl versions this builds with. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return false;
	if (pthread_create(&sim->sender, NULL, sender_main, sim) != 0) {
		curl_global_cleanup();
		return false;
	}
	sim->sender_started = true;
	return true;
}

void sim_sender_stop(struct bbbsim *sim)
{
	if (!sim->sender_started)
		return;
	pthread_join(sim->sender, NULL);
	sim->sender_started = false;
	curl_global_cleanup();
}

/* --- the public counters ----------------------------------------------- */

size_t bbbsim_callbacks_sent(struct bbbsim *sim)
{
	size_t n;

	pthread_mutex_lock(&sim->lock);
	n = sim->callbacks_sent;
	pthread_mutex_unlock(&sim->lock);
	return n;
}

size_t bbbsim_callbacks_failed(struct bbbsim *sim)
{
	size_t n;

	pthread_mutex_lock(&sim->lock);
	n = sim->callbacks_failed;
	pthread_mutex_unlock(&sim->lock);
	return n;
}

bool bbbsim_callbacks_wait(struct bbbsim *sim, size_t settled, unsigned timeout_ms)
{
	struct timespec until;
	bool ok;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += (time_t)(timeout_ms / 1000u);
	until.tv_nsec += (long)(timeout_ms % 1000u) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&sim->lock);
	while (sim->callbacks_sent + sim->callbacks_failed < settled)
		if (pthread_cond_timedwait(&sim->send_done, &sim->lock, &until) == ETIMEDOUT)
			break;
	ok = sim->callbacks_sent + sim->callbacks_failed >= settled;
	pthread_mutex_unlock(&sim->lock);
	return ok;
}
