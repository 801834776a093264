/*
 * hub.h - the live event hub: a ring buffer of the last `capacity` events,
 * each with a sequence number from one increasing counter, and the
 * subscribers (the open event streams) that read it.
 *
 * Publishing copies the event into the ring (under the hub's lock), then
 * calls the wake function of every subscriber whose filter matches, outside
 * the lock; it never blocks on a subscriber and never allocates per
 * subscriber. A subscriber reads at its own cursor: gw_hub_next copies the
 * next matching event's text out; a subscriber that falls more than its
 * queue limit behind the newest matching event is marked overflowed (the
 * stream drops it). A Last-Event-ID older than the ring's oldest event is a
 * gap: the first read reports GW_HUB_RESET. Thread-safe: publish from any
 * thread, each subscriber read from one thread at a time.
 */
#ifndef GW_HUB_H
#define GW_HUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "compiler.h"
#include "err.h"
#include "event.h"

struct gw_hub;
struct gw_hub_sub;

/* A hub keeping the last capacity events (>= 1). NULL on OOM. */
struct gw_hub *gw_hub_new(size_t capacity);

/* Frees the hub; every subscriber must have been removed. NULL is fine. */
void gw_hub_free(struct gw_hub *hub);

/*
 * Takes ev's strings into the ring (ev is left empty), gives it the next
 * sequence number (returned in *seq when seq is not NULL) and wakes the
 * matching subscribers. GW_E_NOMEM leaves ev as it was.
 */
enum gw_err gw_hub_publish(struct gw_hub *hub, struct gw_event *ev, uint64_t *seq) GW_WUR;

/*
 * Which events a subscriber sees: those of meeting_id (NULL = every
 * meeting), and among those only the ones allowed(arg, meeting_id) accepts
 * (NULL = all). allowed is called on the publisher's thread and must be
 * quick and thread-safe (a token's meeting list).
 */
struct gw_hub_filter {
	const char *meeting_id; /* copied */
	bool (*allowed)(void *arg, const char *meeting_id);
	void *allowed_arg;
	bool passwords; /* read data_pw where an event has it */
};

/*
 * Adds a subscriber that resumes after sequence number last_id (0 = from
 * now: only events published after this call). wake(wake_arg) is called,
 * on the publisher's thread and without the hub's lock, whenever a matching
 * event arrives; it must only schedule the read (e.g. resume a connection
 * and wake its loop). queue_max bounds how far it may fall behind. NULL on
 * OOM.
 */
struct gw_hub_sub *gw_hub_subscribe(struct gw_hub *hub, const struct gw_hub_filter *filter,
				    uint64_t last_id, size_t queue_max, void (*wake)(void *arg),
				    void *wake_arg);

/* Removes and frees a subscriber; wake is never called after this returns. NULL is fine. */
void gw_hub_unsubscribe(struct gw_hub *hub, struct gw_hub_sub *sub);

enum gw_hub_read {
	GW_HUB_NONE = 0, /* nothing new */
	GW_HUB_EVENT,    /* *out holds the next event's SSE text */
	GW_HUB_RESET,    /* the asked-for resume point is gone: send `event: reset` */
	GW_HUB_OVERFLOW, /* the subscriber fell too far behind: end the stream */
};

/*
 * The subscriber's next item. GW_HUB_EVENT appends the SSE text
 * "id: <seq>\nevent: <type>\ndata: <json>\n\n" to out; GW_HUB_RESET
 * appends "event: reset\ndata: {}\n\n" (once, first). GW_E_* errors of out
 * (a full buffer) leave the cursor where it was.
 */
enum gw_hub_read gw_hub_next(struct gw_hub *hub, struct gw_hub_sub *sub, struct gw_buf *out);

/* Counters for /metrics. */
struct gw_hub_stats {
	uint64_t published;   /* events taken */
	uint64_t last_seq;    /* the newest sequence number (0 = none yet) */
	size_t subscribers;   /* open now */
	uint64_t overflowed;  /* subscribers marked too slow */
};

void gw_hub_stats(struct gw_hub *hub, struct gw_hub_stats *out);

#endif
