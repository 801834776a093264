/*
 * hub_speed.c - cost of the live event hub outside the gateway: STREAMS
 * subscribers on one meeting and a burst of EVENTS events.
 *
 *   cc -O2 -std=c11 -D_GNU_SOURCE -pthread -Isrc/core -Isrc/events \
 *      bench/hub_speed.c build-release/src/libgwcore.a -o /tmp/hub_speed
 *   /tmp/hub_speed [STREAMS [EVENTS [ROUNDS]]]
 *
 * Defaults 1000, 100, 20. First on one thread: the burst is published
 * (every publish wakes every stream: a counter here), then every stream
 * reads all of it; prints the cost per publish, per wake and per read,
 * the best of ROUNDS. Then with threads as the gateway runs: a publisher
 * thread sends the burst while two reader threads (the event loops) are
 * woken through a condition variable and read their half of the streams;
 * prints the publish->read latency (median, p99, max over every delivery)
 * and the peak RSS.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "buf.h"
#include "hub.h"

#define READERS 2

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static long max_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static void die(const char *what)
{
	fprintf(stderr, "hub_speed: %s\n", what);
	exit(1);
}

/* A user-joined of meeting m1 sized like a real one, carrying its publish time. */
static void make_event(struct gw_event *ev, int n)
{
	char data[256];
	int len;

	memset(ev, 0, sizeof(*ev));
	ev->type = GW_EV_USER_JOINED;
	memcpy(ev->meeting_id, "m1", 3);
	len = snprintf(data, sizeof(data),
		       "{\"meetingID\":\"m1\",\"time\":%llu,\"user\":{\"userID\":\"u%d\","
		       "\"fullName\":\"User %d\",\"role\":\"VIEWER\",\"presenter\":false}}",
		       (unsigned long long)now_ns(), n, n);
	ev->data = strdup(data);
	if (ev->data == NULL)
		die("out of memory");
	ev->data_len = (size_t)len;
}

static void count_wake(void *arg)
{
	(*(uint64_t *)arg)++;
}

struct costs {
	double publish_ns; /* per event, its wakes included */
	double read_ns;    /* per event per stream */
};

static struct costs one_thread(size_t streams, int events)
{
	struct gw_hub *hub = gw_hub_new(1000);
	struct gw_hub_sub **subs = calloc(streams, sizeof(*subs));
	struct gw_event *evs = calloc((size_t)events, sizeof(*evs));
	struct gw_hub_filter f = {.meeting_id = "m1"};
	struct gw_buf out;
	struct costs c;
	uint64_t wakes = 0;
	uint64_t t0;
	uint64_t t1;
	uint64_t reads = 0;
	size_t k;
	int i;

	if (hub == NULL || subs == NULL || evs == NULL)
		die("out of memory");
	gw_buf_init(&out, 1 << 20);
	for (k = 0; k < streams; k++) {
		subs[k] = gw_hub_subscribe(hub, &f, 0, (size_t)events, count_wake, &wakes);
		if (subs[k] == NULL)
			die("out of memory");
	}
	for (i = 0; i < events; i++)
		make_event(&evs[i], i);
	t0 = now_ns();
	for (i = 0; i < events; i++) {
		if (gw_hub_publish(hub, &evs[i], NULL) != GW_OK)
			die("publish failed");
	}
	t1 = now_ns();
	c.publish_ns = (double)(t1 - t0) / events;
	t0 = now_ns();
	for (k = 0; k < streams; k++) {
		gw_buf_reset(&out);
		while (gw_hub_next(hub, subs[k], &out) == GW_HUB_EVENT)
			reads++;
	}
	t1 = now_ns();
	c.read_ns = (double)(t1 - t0) / (double)reads;
	if (reads != streams * (size_t)events || wakes != reads)
		die("lost events");
	for (k = 0; k < streams; k++)
		gw_hub_unsubscribe(hub, subs[k]);
	gw_buf_deinit(&out);
	gw_hub_free(hub);
	free(evs);
	free(subs);
	return c;
}

/* ---- threads: a publisher and READERS event loops ---- */

struct reader;

struct stream {
	struct reader *r;
	struct gw_hub_sub *sub;
	atomic_bool ready;
	size_t got;
};

struct reader {
	pthread_t th;
	pthread_mutex_t m;
	pthread_cond_t c;
	bool woken;
	struct gw_hub *hub;
	struct stream *streams;
	size_t n;
	size_t want; /* events per stream */
	uint64_t *lat;
	size_t n_lat;
};

static void wake_stream(void *arg)
{
	struct stream *s = arg;

	atomic_store(&s->ready, true);
	pthread_mutex_lock(&s->r->m);
	s->r->woken = true;
	pthread_cond_signal(&s->r->c);
	pthread_mutex_unlock(&s->r->m);
}

static uint64_t sent_at(const char *text)
{
	const char *t = strstr(text, "\"time\":");

	return t != NULL ? strtoull(t + 7, NULL, 10) : 0;
}

static void *reader_run(void *arg)
{
	struct reader *r = arg;
	struct gw_buf out;
	size_t done = 0;
	size_t k;

	gw_buf_init(&out, 1 << 20);
	while (done < r->n) {
		pthread_mutex_lock(&r->m);
		while (!r->woken)
			pthread_cond_wait(&r->c, &r->m);
		r->woken = false;
		pthread_mutex_unlock(&r->m);
		for (k = 0; k < r->n; k++) {
			struct stream *s = &r->streams[k];

			if (!atomic_exchange(&s->ready, false))
				continue;
			gw_buf_reset(&out);
			while (gw_hub_next(r->hub, s->sub, &out) == GW_HUB_EVENT) {
				r->lat[r->n_lat++] = now_ns() - sent_at(gw_buf_str(&out));
				gw_buf_reset(&out);
				if (++s->got == r->want)
					done++;
			}
		}
	}
	gw_buf_deinit(&out);
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a;
	uint64_t y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void threaded(size_t streams, int events)
{
	struct gw_hub *hub = gw_hub_new(1000);
	struct reader rd[READERS];
	struct gw_hub_filter f = {.meeting_id = "m1"};
	uint64_t *all;
	uint64_t t0;
	uint64_t t1;
	size_t n_all = 0;
	size_t k;
	int i;
	int j;

	if (hub == NULL)
		die("out of memory");
	for (j = 0; j < READERS; j++) {
		struct reader *r = &rd[j];

		memset(r, 0, sizeof(*r));
		pthread_mutex_init(&r->m, NULL);
		pthread_cond_init(&r->c, NULL);
		r->hub = hub;
		r->n = streams / READERS + (j < (int)(streams % READERS));
		r->want = (size_t)events;
		r->streams = calloc(r->n, sizeof(*r->streams));
		r->lat = calloc(r->n * (size_t)events, sizeof(*r->lat));
		if (r->streams == NULL || r->lat == NULL)
			die("out of memory");
		for (k = 0; k < r->n; k++) {
			r->streams[k].r = r;
			r->streams[k].sub = gw_hub_subscribe(hub, &f, 0, (size_t)events,
							     wake_stream, &r->streams[k]);
			if (r->streams[k].sub == NULL)
				die("out of memory");
		}
		if (pthread_create(&r->th, NULL, reader_run, r) != 0)
			die("pthread_create");
	}
	t0 = now_ns();
	for (i = 0; i < events; i++) {
		struct gw_event ev;

		make_event(&ev, i);
		if (gw_hub_publish(hub, &ev, NULL) != GW_OK)
			die("publish failed");
	}
	t1 = now_ns();
	all = calloc(streams * (size_t)events, sizeof(*all));
	if (all == NULL)
		die("out of memory");
	for (j = 0; j < READERS; j++) {
		pthread_join(rd[j].th, NULL);
		memcpy(all + n_all, rd[j].lat, rd[j].n_lat * sizeof(*all));
		n_all += rd[j].n_lat;
	}
	qsort(all, n_all, sizeof(*all), cmp_u64);
	printf("threads: burst published in %.2f ms; %zu deliveries, publish->read latency "
	       "median %.2f ms, p99 %.2f ms, max %.2f ms\n",
	       (double)(t1 - t0) / 1e6, n_all, (double)all[n_all / 2] / 1e6,
	       (double)all[n_all * 99 / 100] / 1e6, (double)all[n_all - 1] / 1e6);
	for (j = 0; j < READERS; j++) {
		for (k = 0; k < rd[j].n; k++)
			gw_hub_unsubscribe(hub, rd[j].streams[k].sub);
		free(rd[j].streams);
		free(rd[j].lat);
		pthread_mutex_destroy(&rd[j].m);
		pthread_cond_destroy(&rd[j].c);
	}
	free(all);
	gw_hub_free(hub);
}

int main(int argc, char **argv)
{
	size_t streams = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000;
	int events = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 100;
	int rounds = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 20;
	struct costs best = {1e18, 1e18};
	long rss0 = max_rss_kib();
	int i;

	if (streams < READERS || events < 1 || events > 1000 || rounds < 1)
		die("usage: hub_speed [STREAMS >= 2 [EVENTS 1..1000 [ROUNDS]]]");
	for (i = 0; i < rounds; i++) {
		struct costs c = one_thread(streams, events);

		if (c.publish_ns < best.publish_ns)
			best.publish_ns = c.publish_ns;
		if (c.read_ns < best.read_ns)
			best.read_ns = c.read_ns;
	}
	printf("one thread, %zu streams x %d events (best of %d): publish %.1f us/event "
	       "(%.1f ns per stream woken), read %.1f ns/event/stream; burst total %.2f ms\n",
	       streams, events, rounds, best.publish_ns / 1e3, best.publish_ns / (double)streams,
	       best.read_ns,
	       (best.publish_ns * events + best.read_ns * (double)streams * events) / 1e6);
	threaded(streams, events);
	printf("peak RSS %ld KiB (%ld KiB over the start)\n", max_rss_kib(), max_rss_kib() - rss0);
	return 0;
}
