/*
 * http_stream.c - streamed responses (the event streams) on the HTTP
 * server's event loops. Part of the HTTP server (http_server_int.h).
 *
 * A stream's response is an MHD callback response of unknown size
 * (chunked). Whenever the client can take bytes MHD calls stream_read,
 * which hands out what the stream's fill produced; when the stream has
 * nothing, the connection is suspended, so MHD neither polls it nor calls
 * back in a loop. A stream that has something again says so from any
 * thread (gw_exchange_stream_ready -> gw_http_stream_ready): it is put on
 * its loop's pending list under a short lock and the loop is woken once
 * for the whole list; the loop resumes those connections before it runs
 * the daemon, so the bytes go out in the same iteration. Nothing here
 * waits on another thread, and a publisher never touches a connection.
 *
 * About once a second the loop looks at its waiting streams: a stream
 * whose ops->due says it has something (a heartbeat, a check) is resumed;
 * one that has not been able to send for its stall time is shut. A
 * suspended connection is invisible to MHD, so its socket sits in the
 * loop's epoll set for hang-ups: a client that leaves frees its slot at
 * once, not at the next heartbeat. MHD's idle timeout is off for streams
 * (a quiet meeting is not an idle client). Draining ends every stream
 * after what it holds is sent.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "gw_limits.h"
#include "http_server_int.h"
#include "loop.h"

/* Bytes one fill may produce; events are far smaller. */
#define STREAM_BUF_MAX (64u * 1024u)
/* MHD's own block for a callback response (chunked bodies use the connection's buffer). */
#define STREAM_BLOCK 1024u
#define TICK_MS 1000u

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

static void resume(struct stream *s, uint64_t now)
{
	if (!s->suspended)
		return;
	s->suspended = false;
	s->want_ms = now;
	MHD_resume_connection(s->c->mc);
}

static void on_hangup(struct gw_ev *ev, uint32_t events)
{
	struct stream *s = (struct stream *)(void *)((char *)ev - offsetof(struct stream, hangup));

	(void)events;
	gw_loop_unwatch(s->c->lp->loop, s->fd);
	s->watched = false;
	if (!s->gone) {
		s->gone = true;
		s->why = GW_STREAM_END_CLIENT;
	}
	/* MHD learns of it when it next writes, or when stream_read refuses. */
	resume(s, now_ms());
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct conn *c = cls;
	struct stream *s = c->stream;
	struct gw_exchange *x = c->x;
	size_t n;

	(void)pos;
	s->want_ms = now_ms();
	if (s->gone)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (s->off == s->out.len && !s->over) {
		gw_buf_reset(&s->out);
		s->off = 0;
		if (atomic_load(&c->srv->draining)) {
			s->over = true;
			s->why = GW_STREAM_END_DRAIN;
		} else if (x->stream_ops == NULL ||
			   x->stream_ops->fill(x->stream_state, &s->out, s->want_ms) ==
				   GW_STREAM_END) {
			s->over = true;
			s->why = GW_STREAM_END_SELF;
		}
	}
	if (s->off < s->out.len) {
		n = s->out.len - s->off;
		if (n > max)
			n = max;
		memcpy(buf, s->out.data + s->off, n);
		s->off += n;
		c->bytes_out += n;
		return (ssize_t)n;
	}
	if (s->over) {
		/* the connection may serve further requests: with the idle timeout again */
		(void)MHD_set_connection_option(c->mc, MHD_CONNECTION_OPTION_TIMEOUT,
						c->srv->opts.idle_timeout_s);
		return MHD_CONTENT_READER_END_OF_STREAM;
	}
	s->suspended = true;
	MHD_suspend_connection(c->mc);
	return 0;
}

enum MHD_Result gw_http_stream_respond(struct conn *c)
{
	struct lp *lp = c->lp;
	struct stream *s = calloc(1, sizeof(*s));
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(c->mc, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (s == NULL || info == NULL) {
		free(s);
		gw_exchange_stream_close(c->x, GW_STREAM_END_CLIENT);
		return MHD_NO;
	}
	s->c = c;
	s->fd = info->connect_fd;
	s->hangup.fn = on_hangup;
	s->want_ms = now_ms();
	gw_buf_init(&s->out, STREAM_BUF_MAX);
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK, stream_read, c, NULL);
	if (r == NULL) {
		free(s);
		gw_exchange_stream_close(c->x, GW_STREAM_END_CLIENT);
		return MHD_NO;
	}
	pthread_mutex_lock(&lp->slock);
	c->stream = s;
	pthread_mutex_unlock(&lp->slock);
	s->watched = gw_loop_watch_hangup(lp->loop, s->fd, &s->hangup) == GW_OK;
	s->next = lp->streams;
	if (lp->streams != NULL)
		lp->streams->stream->prev = c;
	lp->streams = c;
	atomic_fetch_add(&lp->n_streams, 1);
	if (lp->next_tick_ms == 0)
		lp->next_tick_ms = s->want_ms + TICK_MS;
	/* A quiet meeting is not an idle client: the stream has its own stall limit. */
	(void)MHD_set_connection_option(c->mc, MHD_CONNECTION_OPTION_TIMEOUT, 0u);
	gw_http_add_common_headers(c, r);
	ret = MHD_queue_response(c->mc, (unsigned)c->x->resp.status, r);
	MHD_destroy_response(r);
	c->state = ST_RESPONDED;
	return ret;
}

/* Takes c off the pending list and detaches its stream (no ready call finds it after). */
static void unqueue(struct lp *lp, struct conn *c)
{
	struct conn **pp;

	pthread_mutex_lock(&lp->slock);
	if (c->stream->queued) {
		for (pp = &lp->pending; *pp != NULL; pp = &(*pp)->stream->pending_next) {
			if (*pp == c) {
				*pp = c->stream->pending_next;
				break;
			}
		}
		c->stream->queued = false;
	}
	c->stream = NULL;
	pthread_mutex_unlock(&lp->slock);
}

void gw_http_stream_finish(struct conn *c)
{
	struct stream *s = c->stream;
	struct lp *lp = c->lp;

	if (s == NULL)
		return;
	if (s->watched)
		gw_loop_unwatch(lp->loop, s->fd);
	/* After this no ready call comes for c; then it can leave the lists. */
	gw_exchange_stream_close(c->x, s->over ? s->why : s->gone ? s->why : GW_STREAM_END_CLIENT);
	unqueue(lp, c); /* c->stream is NULL from here; s is still ours */
	if (s->prev != NULL)
		s->prev->stream->next = s->next;
	else
		lp->streams = s->next;
	if (s->next != NULL)
		s->next->stream->prev = s->prev;
	atomic_fetch_sub(&lp->n_streams, 1);
	gw_buf_deinit(&s->out);
	free(s);
}

void gw_http_stream_ready(void *arg)
{
	struct conn *c = arg;
	struct lp *lp = c->lp;
	struct stream *s;
	bool first;

	pthread_mutex_lock(&lp->slock);
	s = c->stream;
	/* No stream yet: the handler subscribed and its first read comes after the response is queued. */
	if (s == NULL || s->queued) {
		pthread_mutex_unlock(&lp->slock);
		return;
	}
	s->queued = true;
	first = lp->pending == NULL;
	s->pending_next = lp->pending;
	lp->pending = c;
	pthread_mutex_unlock(&lp->slock);
	/* One wake-up for the whole list: the loop has not taken it since it was empty. */
	if (!first)
		return;
	if (gw_loop_current(lp->loop))
		gw_loop_kick(lp->loop);
	else
		gw_loop_wake(lp->loop);
}

static void tick(struct lp *lp, uint64_t now)
{
	struct conn *c;

	for (c = lp->streams; c != NULL; c = c->stream->next) {
		struct stream *s = c->stream;
		struct gw_exchange *x = c->x;

		if (s->suspended) {
			if (x->stream_ops != NULL && x->stream_ops->due(x->stream_state, now))
				resume(s, now);
			continue;
		}
		if (s->gone || s->over || x->stream_ops == NULL)
			continue;
		/* MHD holds bytes the client does not take: it is not reading. */
		if (x->stream_stall_ms > 0 && now - s->want_ms > x->stream_stall_ms) {
			s->gone = true;
			s->why = GW_STREAM_END_STALLED;
			(void)shutdown(s->fd, SHUT_RDWR);
		} else if (x->stream_ops->doomed(x->stream_state, now)) {
			/* it fell behind, or its token went, while the client takes nothing */
			s->gone = true;
			s->why = GW_STREAM_END_SELF;
			(void)shutdown(s->fd, SHUT_RDWR);
		}
	}
}

void gw_http_streams_run(struct lp *lp)
{
	struct conn *list;
	struct conn *c;
	struct conn *next;
	uint64_t now;

	if (lp->streams == NULL)
		return;
	now = now_ms();
	/* Resumed under the lock: a ready call may put a stream back on the list meanwhile. */
	pthread_mutex_lock(&lp->slock);
	list = lp->pending;
	lp->pending = NULL;
	for (c = list; c != NULL; c = next) {
		next = c->stream->pending_next;
		c->stream->queued = false;
		resume(c->stream, now);
	}
	pthread_mutex_unlock(&lp->slock);
	if (now >= lp->next_tick_ms) {
		lp->next_tick_ms = now + TICK_MS;
		tick(lp, now);
	}
}

long gw_http_streams_timeout(struct lp *lp)
{
	uint64_t now;

	if (lp->streams == NULL)
		return -1;
	now = now_ms();
	return lp->next_tick_ms > now ? (long)(lp->next_tick_ms - now) : 0;
}

void gw_http_streams_drain(struct lp *lp)
{
	struct conn *c;
	uint64_t now = now_ms();

	/* stream_read sees the draining flag and ends each stream after what it holds. */
	for (c = lp->streams; c != NULL; c = c->stream->next)
		resume(c->stream, now);
}
