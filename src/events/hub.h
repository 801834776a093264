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
 *
 * Memory is the ring (capacity slots, allocated once, with the events'
 * strings) and one small struct per subscriber: a subscriber is a cursor
 * into the ring and a count of matching events not yet read, never a copy.
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

/* A hub keeping the last capacity events (>= 1). NULL on OOM or a capacity of 0. */
struct gw_hub *gw_hub_new(size_t capacity);

/*
 * gw_hub_new whose first event is base + 1 (base <= UINT64_MAX / 2). A
 * gateway starts its numbers from the clock, so an id from an earlier run
 * is never mistaken for one of this run (it is older than the ring: a
 * reset).
 */
struct gw_hub *gw_hub_new_after(size_t capacity, uint64_t base);

/* Frees the hub; every subscriber must have been removed. NULL is fine. */
void gw_hub_free(struct gw_hub *hub);

/*
 * Takes ev's strings into the ring (ev's data and data_pw are left NULL),
 * gives it the next sequence number (its id, returned in *seq when seq
 * is not NULL), frees the strings of the event it evicts and wakes the matching
 * subscribers. Allocates nothing. GW_E_BAD_REQUEST, leaving ev as it was,
 * when the event could not be framed as one SSE `data:` line: no data, a
 * data or data_pw holding a CR, LF or NUL byte, a type out of range or a
 * meeting_id without its NUL. Publishers are serialised, wakes included.
 */
enum gw_err gw_hub_publish(struct gw_hub *hub, struct gw_event *ev, uint64_t *seq) GW_WUR;

/*
 * gw_hub_publish with the id id when it is above the newest event's (else
 * the next one, as gw_hub_publish gives): events every gateway relays
 * from a shared stream keep one id on all of them, so a stream resumes on
 * any gateway. *seq (when not NULL) gets the id given.
 */
enum gw_err gw_hub_publish_as(struct gw_hub *hub, struct gw_event *ev, uint64_t id,
			      uint64_t *seq) GW_WUR;

/*
 * Events with ids up to id may exist that the hub never held (a shared
 * stream it joined late): a resume from before id is a gap (a reset).
 */
void gw_hub_raise_floor(struct gw_hub *hub, uint64_t id);

/*
 * Which events a subscriber sees: those of meeting_id (NULL = every
 * meeting), and among those only the ones allowed(arg, meeting_id) accepts
 * (NULL = all). allowed is called under the hub's lock, mostly on the
 * publisher's thread (also by subscribe and next, on the reader's): it
 * must be quick, thread-safe and give the same answer for the same
 * meeting for the subscriber's lifetime (a token's meeting list).
 */
struct gw_hub_filter {
	const char *meeting_id; /* copied */
	bool (*allowed)(void *arg, const char *meeting_id);
	void *allowed_arg;
	bool passwords; /* read data_pw where an event has it */
};

/*
 * Adds a subscriber that resumes after sequence number last_id (0 = from
 * now: only events published after this call). Resuming:
 *  - last_id is the newest event's (or 0): nothing to replay;
 *  - the event after last_id is still in the ring: the subscriber reads
 *    its filter's events after last_id, then the new ones;
 *  - a gap (the event after last_id was evicted), a last_id above the
 *    newest (another run of the gateway) or more than queue_max events of
 *    the filter to replay: the first gw_hub_next is GW_HUB_RESET (the page
 *    re-reads the meeting), then only events published after this call.
 * The caller reads once after subscribing: a replay or a reset is there
 * without a wake. wake(wake_arg) is called on the publisher's thread,
 * without the hub's lock (under the publishers' own), once for each
 * matching event and once when the subscriber is marked overflowed; it
 * must only schedule the read (e.g. post to its loop's eventfd), never
 * wait for another thread (that thread may be in gw_hub_unsubscribe,
 * waiting for this wake to return), publish or unsubscribe. queue_max
 * bounds how many matching events it may have unread (0 = only the ring
 * bounds it). filter is borrowed for the call (meeting_id is copied).
 * NULL on OOM.
 */
struct gw_hub_sub *gw_hub_subscribe(struct gw_hub *hub, const struct gw_hub_filter *filter,
				    uint64_t last_id, size_t queue_max, void (*wake)(void *arg),
				    void *wake_arg);

/*
 * Removes and frees a subscriber; wake is never called after this returns
 * (it waits for a publish that is calling the wakes it collected: never
 * call it holding a lock that wake takes). NULL is fine.
 */
void gw_hub_unsubscribe(struct gw_hub *hub, struct gw_hub_sub *sub);

enum gw_hub_read {
	GW_HUB_NONE = 0, /* nothing new */
	GW_HUB_EVENT,    /* the next event's SSE text was appended to out */
	GW_HUB_RESET,    /* the asked-for resume point is gone: send `event: reset` */
	GW_HUB_OVERFLOW, /* the subscriber fell too far behind: end the stream */
	GW_HUB_FULL,     /* out refused the next item (its max, or OOM): nothing consumed */
};

/*
 * The subscriber's next item. GW_HUB_EVENT appends the SSE text
 * "id: <seq>\nevent: <type>\ndata: <json>\n\n" to out (data_pw instead of
 * data for a filter with passwords, where the event has it); GW_HUB_RESET
 * appends "event: reset\ndata: {}\n\n" (once, first). Events of other
 * meetings or refused by allowed are skipped. GW_HUB_OVERFLOW from the
 * moment the subscriber is marked overflowed: more than queue_max matching
 * events unread, or an unread matching event evicted from the ring.
 * GW_HUB_FULL when out cannot take the whole item (GW_E_TOO_LARGE or
 * GW_E_NOMEM from it): out is unchanged and the item stays next; send
 * what out holds and call again (still full while out is empty: the item
 * is larger than out's max, end the stream).
 */
enum gw_hub_read gw_hub_next(struct gw_hub *hub, struct gw_hub_sub *sub, struct gw_buf *out);

/* gw_hub_next, telling the event's type in *type (when not NULL) for GW_HUB_EVENT. */
enum gw_hub_read gw_hub_next_typed(struct gw_hub *hub, struct gw_hub_sub *sub, struct gw_buf *out,
				   enum gw_event_type *type);

/*
 * True once the subscriber is marked overflowed (gw_hub_next would say
 * GW_HUB_OVERFLOW), for a reader that is not reading: a stream whose
 * client stopped taking bytes.
 */
bool gw_hub_overflowed(struct gw_hub *hub, const struct gw_hub_sub *sub);

/* Counters for /metrics. */
struct gw_hub_stats {
	uint64_t published;             /* events taken */
	uint64_t last_seq;              /* the newest sequence number (0 = none yet) */
	size_t subscribers;             /* open now */
	uint64_t overflowed;            /* subscribers marked too slow */
	uint64_t by_type[GW_EV__COUNT]; /* events taken, by type */
};

void gw_hub_stats(struct gw_hub *hub, struct gw_hub_stats *out);

#endif
