/*
 * hub.c - the live event hub: a ring of the last `capacity` events and the
 * list of subscribers, each a cursor into that ring.
 *
 * Sequence numbers start at 1 and grow by 1 per event across all meetings;
 * event s lives in slot (s - 1) % capacity until s + capacity is published.
 * Each slot keeps the event and its SSE head ("id: ..\nevent: ..\ndata: "),
 * formatted once at publish, so a read is one reserve and three copies.
 *
 * A subscriber is `pending` (its matching events not read yet) and
 * `cursor` (no unread matching event is older). The publisher evaluates
 * every subscriber's filter anyway, to know whom to wake, so it keeps the
 * counts: the queue limit costs a comparison and a read never rescans.
 * While pending > 0 the cursor is inside the ring: when the slot under a
 * cursor is evicted, the event there was either one of the subscriber's
 * (lost: overflow) or not (the cursor steps over it). With nothing
 * pending the cursor means nothing; the next matching event sets it. So a
 * quiet stream is never dropped for another meeting's traffic, and a
 * stream that lost an event always is.
 *
 * Locking: `lock` guards the ring, the list and every subscriber's read
 * state; a read holds it while copying one event out (a few hundred
 * bytes). Wakes run outside it but under `wake_lock`, which serialises
 * publishers: a publisher takes wake_lock then lock, chains the
 * subscribers to wake through their wake_next (no allocation), drops
 * lock, calls the wakes, drops wake_lock. gw_hub_unsubscribe unlinks
 * under lock, then takes and drops wake_lock before freeing: a publish
 * that chained the subscriber before the unlink has finished its wakes by
 * then, and no later one can find it. The price is that an unsubscribe
 * may wait for one publish's wake loop (microseconds per subscriber);
 * in exchange there is no per-subscriber refcount, and wake_next needs no
 * lock of its own.
 */
#include "hub.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "id: " + 20 digits + "\nevent: " + the longest type name (23) + "\ndata: " + NUL */
#define HEAD_MAX 64u

/* The reset item, but for its closing blank line (put adds it). */
static const char reset_head[] = "event: reset\ndata: {}";

struct slot {
	uint64_t seq; /* 0 while empty */
	uint64_t id;  /* the event's id, as streams send it */
	struct gw_event ev;
	size_t head_len;
	char head[HEAD_MAX];
};

struct gw_hub_sub {
	struct gw_hub_sub *prev; /* the hub's list, under lock */
	struct gw_hub_sub *next;
	struct gw_hub_sub *wake_next; /* a publisher's wake chain, under wake_lock */
	char *meeting_id;             /* NULL = every meeting */
	bool (*allowed)(void *arg, const char *meeting_id);
	void *allowed_arg;
	bool passwords;
	void (*wake)(void *arg);
	void *wake_arg;
	size_t queue_max; /* 0 = only the ring bounds it */
	/* read state, under lock */
	uint64_t cursor;
	size_t pending;
	bool reset;
	bool overflowed;
};

struct gw_hub {
	pthread_mutex_t lock;
	pthread_mutex_t wake_lock;
	struct slot *ring;
	size_t capacity;
	uint64_t base; /* the sequence number before the first event */
	uint64_t last; /* the newest sequence number, base = none yet */
	/*
	 * Ids: equal to sequence numbers unless gw_hub_publish_as gave others
	 * (rising, not always by one). last_id is the newest event's (base =
	 * none yet); every event with an id above floor is in the ring.
	 */
	uint64_t last_id;
	uint64_t floor;
	struct gw_hub_sub *subs;
	size_t n_subs;
	uint64_t overflowed;
	uint64_t by_type[GW_EV__COUNT]; /* events taken, by type */
};

struct gw_hub *gw_hub_new(size_t capacity)
{
	return gw_hub_new_after(capacity, 0);
}

struct gw_hub *gw_hub_new_after(size_t capacity, uint64_t base)
{
	struct gw_hub *hub;

	if (capacity == 0 || base > UINT64_MAX / 2)
		return NULL;
	hub = calloc(1, sizeof(*hub));
	if (hub == NULL)
		return NULL;
	hub->ring = calloc(capacity, sizeof(*hub->ring));
	if (hub->ring == NULL)
		goto out_hub;
	if (pthread_mutex_init(&hub->lock, NULL) != 0)
		goto out_ring;
	if (pthread_mutex_init(&hub->wake_lock, NULL) != 0)
		goto out_lock;
	hub->capacity = capacity;
	hub->base = base;
	hub->last = base;
	hub->last_id = base;
	hub->floor = base;
	return hub;
out_lock:
	pthread_mutex_destroy(&hub->lock);
out_ring:
	free(hub->ring);
out_hub:
	free(hub);
	return NULL;
}

void gw_hub_free(struct gw_hub *hub)
{
	size_t i;

	if (hub == NULL)
		return;
	for (i = 0; i < hub->capacity; i++)
		gw_event_deinit(&hub->ring[i].ev);
	free(hub->ring);
	pthread_mutex_destroy(&hub->wake_lock);
	pthread_mutex_destroy(&hub->lock);
	free(hub);
}

/* The oldest sequence number the ring still holds (base + 1 while it has not wrapped). */
static uint64_t oldest(const struct gw_hub *hub)
{
	return hub->last - hub->base > hub->capacity ? hub->last - hub->capacity + 1
						     : hub->base + 1;
}

static struct slot *slot_of(struct gw_hub *hub, uint64_t seq)
{
	return &hub->ring[(seq - 1) % hub->capacity];
}

static bool matches(const struct gw_hub_sub *sub, const char *meeting_id)
{
	if (sub->meeting_id != NULL && strcmp(sub->meeting_id, meeting_id) != 0)
		return false;
	return sub->allowed == NULL || sub->allowed(sub->allowed_arg, meeting_id);
}

/* True when s (len bytes) fits after "data: " on one line. */
static bool one_line(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '\n' || s[i] == '\r' || s[i] == '\0')
			return false;
	}
	return true;
}

static bool publishable(const struct gw_event *ev)
{
	if ((unsigned)ev->type >= GW_EV__COUNT || ev->data == NULL)
		return false;
	if (memchr(ev->meeting_id, '\0', sizeof(ev->meeting_id)) == NULL)
		return false;
	if (!one_line(ev->data, ev->data_len))
		return false;
	return ev->data_pw == NULL || one_line(ev->data_pw, ev->data_pw_len);
}

static void mark_overflowed(struct gw_hub *hub, struct gw_hub_sub *sub)
{
	sub->overflowed = true;
	sub->pending = 0;
	hub->overflowed++;
}

/*
 * Brings one subscriber up to the publish of seq s (under lock): steps its
 * cursor over the evicted slot ev_old (NULL when none was) or counts its
 * loss, then counts the new event of meeting_id. True when it must be woken.
 */
static bool sub_on_publish(struct gw_hub *hub, struct gw_hub_sub *sub, const struct slot *ev_old,
			   uint64_t s, const char *meeting_id)
{
	if (sub->overflowed)
		return false;
	if (ev_old != NULL && sub->pending > 0 && sub->cursor <= ev_old->seq) {
		if (matches(sub, ev_old->ev.meeting_id)) {
			mark_overflowed(hub, sub);
			return true;
		}
		sub->cursor = ev_old->seq + 1;
	}
	if (!matches(sub, meeting_id))
		return false;
	if (sub->pending == 0)
		sub->cursor = s;
	sub->pending++;
	if (sub->queue_max != 0 && sub->pending > sub->queue_max)
		mark_overflowed(hub, sub);
	return true;
}

enum gw_err gw_hub_publish(struct gw_hub *hub, struct gw_event *ev, uint64_t *seq)
{
	return gw_hub_publish_as(hub, ev, 0, seq);
}

enum gw_err gw_hub_publish_as(struct gw_hub *hub, struct gw_event *ev, uint64_t id, uint64_t *seq)
{
	struct gw_hub_sub *chain = NULL;
	struct gw_hub_sub **tail = &chain;
	struct gw_hub_sub *sub;
	struct slot *sl;
	char *old_data;
	char *old_pw;
	uint64_t s;
	int n;

	if (!publishable(ev))
		return GW_E_BAD_REQUEST;
	pthread_mutex_lock(&hub->wake_lock);
	pthread_mutex_lock(&hub->lock);
	s = hub->last + 1;
	sl = slot_of(hub, s);
	for (sub = hub->subs; sub != NULL; sub = sub->next) {
		if (sub_on_publish(hub, sub, sl->seq != 0 ? sl : NULL, s, ev->meeting_id)) {
			*tail = sub;
			tail = &sub->wake_next;
		}
	}
	*tail = NULL;
	old_data = sl->ev.data;
	old_pw = sl->ev.data_pw;
	if (sl->seq != 0 && sl->id > hub->floor)
		hub->floor = sl->id; /* evicted: a resume from before it is a gap */
	if (id <= hub->last_id || id > UINT64_MAX / 2)
		id = hub->last_id + 1;
	sl->seq = s;
	sl->id = id;
	sl->ev = *ev;
	n = snprintf(sl->head, sizeof(sl->head), "id: %" PRIu64 "\nevent: %s\ndata: ", id,
		     gw_event_type_name(ev->type));
	sl->head_len = n > 0 ? (size_t)n : 0;
	hub->last = s;
	hub->last_id = id;
	hub->by_type[ev->type]++;
	pthread_mutex_unlock(&hub->lock);

	ev->data = NULL;
	ev->data_len = 0;
	ev->data_pw = NULL;
	ev->data_pw_len = 0;
	free(old_data);
	free(old_pw);
	for (sub = chain; sub != NULL; sub = sub->wake_next) {
		if (sub->wake != NULL)
			sub->wake(sub->wake_arg);
	}
	pthread_mutex_unlock(&hub->wake_lock);
	if (seq != NULL)
		*seq = id;
	return GW_OK;
}

void gw_hub_raise_floor(struct gw_hub *hub, uint64_t id)
{
	pthread_mutex_lock(&hub->lock);
	if (id > hub->floor)
		hub->floor = id;
	pthread_mutex_unlock(&hub->lock);
}

/*
 * Where a new subscriber starts (under lock): after the event last_id when
 * the ring holds everything after it and no more than queue_max of its
 * events, otherwise at the next event with a reset first.
 */
static void sub_start(struct gw_hub *hub, struct gw_hub_sub *sub, uint64_t last_id)
{
	uint64_t first = 0;
	uint64_t c;
	size_t count = 0;

	sub->cursor = hub->last + 1;
	if (last_id == 0 || last_id == hub->last_id)
		return;
	if (last_id > hub->last_id || last_id < hub->floor) {
		sub->reset = true;
		return;
	}
	/* the first event after last_id (ids rise with sequence numbers) */
	for (c = oldest(hub); c <= hub->last && slot_of(hub, c)->id <= last_id; c++)
		;
	for (; c <= hub->last; c++) {
		if (matches(sub, slot_of(hub, c)->ev.meeting_id)) {
			if (count == 0)
				first = c;
			count++;
		}
	}
	if (sub->queue_max != 0 && count > sub->queue_max) {
		sub->reset = true;
		return;
	}
	if (count > 0) {
		sub->cursor = first;
		sub->pending = count;
	}
}

struct gw_hub_sub *gw_hub_subscribe(struct gw_hub *hub, const struct gw_hub_filter *filter,
				    uint64_t last_id, size_t queue_max, void (*wake)(void *arg),
				    void *wake_arg)
{
	struct gw_hub_sub *sub = calloc(1, sizeof(*sub));

	if (sub == NULL)
		return NULL;
	if (filter->meeting_id != NULL) {
		sub->meeting_id = strdup(filter->meeting_id);
		if (sub->meeting_id == NULL) {
			free(sub);
			return NULL;
		}
	}
	sub->allowed = filter->allowed;
	sub->allowed_arg = filter->allowed_arg;
	sub->passwords = filter->passwords;
	sub->wake = wake;
	sub->wake_arg = wake_arg;
	sub->queue_max = queue_max;

	pthread_mutex_lock(&hub->lock);
	sub_start(hub, sub, last_id);
	sub->next = hub->subs;
	if (hub->subs != NULL)
		hub->subs->prev = sub;
	hub->subs = sub;
	hub->n_subs++;
	pthread_mutex_unlock(&hub->lock);
	return sub;
}

void gw_hub_unsubscribe(struct gw_hub *hub, struct gw_hub_sub *sub)
{
	if (sub == NULL)
		return;
	pthread_mutex_lock(&hub->lock);
	if (sub->prev != NULL)
		sub->prev->next = sub->next;
	else
		hub->subs = sub->next;
	if (sub->next != NULL)
		sub->next->prev = sub->prev;
	hub->n_subs--;
	pthread_mutex_unlock(&hub->lock);
	/* A barrier: a publish that chained sub before the unlink ends its wakes first. */
	pthread_mutex_lock(&hub->wake_lock);
	pthread_mutex_unlock(&hub->wake_lock);
	free(sub->meeting_id);
	free(sub);
}

/* Appends the parts of one item to out at once, or nothing. */
static bool put(struct gw_buf *out, const char *a, size_t a_len, const char *b, size_t b_len)
{
	if (gw_buf_reserve(out, a_len + b_len + 2) != GW_OK)
		return false;
	memcpy(out->data + out->len, a, a_len);
	memcpy(out->data + out->len + a_len, b, b_len);
	memcpy(out->data + out->len + a_len + b_len, "\n\n", 2);
	out->len += a_len + b_len + 2;
	out->data[out->len] = '\0';
	return true;
}

/* The next item of a subscriber with events pending (under lock). */
static enum gw_hub_read next_event(struct gw_hub *hub, struct gw_hub_sub *sub, struct gw_buf *out,
				   enum gw_event_type *type)
{
	const struct slot *sl = NULL;
	uint64_t c;

	for (c = sub->cursor; c <= hub->last; c++) {
		if (matches(sub, slot_of(hub, c)->ev.meeting_id)) {
			sl = slot_of(hub, c);
			break;
		}
	}
	sub->cursor = c;
	if (sl == NULL) {
		/* Only an allowed() that changed its mind gets here. */
		sub->pending = 0;
		return GW_HUB_NONE;
	}
	if (sub->passwords && sl->ev.data_pw != NULL) {
		if (!put(out, sl->head, sl->head_len, sl->ev.data_pw, sl->ev.data_pw_len))
			return GW_HUB_FULL;
	} else if (!put(out, sl->head, sl->head_len, sl->ev.data, sl->ev.data_len)) {
		return GW_HUB_FULL;
	}
	sub->cursor = c + 1;
	sub->pending--;
	if (type != NULL)
		*type = sl->ev.type;
	return GW_HUB_EVENT;
}

enum gw_hub_read gw_hub_next(struct gw_hub *hub, struct gw_hub_sub *sub, struct gw_buf *out)
{
	return gw_hub_next_typed(hub, sub, out, NULL);
}

enum gw_hub_read gw_hub_next_typed(struct gw_hub *hub, struct gw_hub_sub *sub, struct gw_buf *out,
				   enum gw_event_type *type)
{
	enum gw_hub_read r;

	pthread_mutex_lock(&hub->lock);
	if (sub->overflowed) {
		r = GW_HUB_OVERFLOW;
	} else if (sub->reset) {
		r = GW_HUB_FULL;
		if (put(out, reset_head, sizeof(reset_head) - 1, "", 0)) {
			sub->reset = false;
			r = GW_HUB_RESET;
		}
	} else if (sub->pending == 0) {
		r = GW_HUB_NONE;
	} else {
		r = next_event(hub, sub, out, type);
	}
	pthread_mutex_unlock(&hub->lock);
	return r;
}

bool gw_hub_overflowed(struct gw_hub *hub, const struct gw_hub_sub *sub)
{
	bool r;

	pthread_mutex_lock(&hub->lock);
	r = sub->overflowed;
	pthread_mutex_unlock(&hub->lock);
	return r;
}

void gw_hub_stats(struct gw_hub *hub, struct gw_hub_stats *out)
{
	pthread_mutex_lock(&hub->lock);
	out->published = hub->last - hub->base; /* one number per event taken */
	out->last_seq = hub->last > hub->base ? hub->last_id : 0;
	out->subscribers = hub->n_subs;
	out->overflowed = hub->overflowed;
	memcpy(out->by_type, hub->by_type, sizeof(out->by_type));
	pthread_mutex_unlock(&hub->lock);
}
