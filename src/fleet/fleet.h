/*
 * fleet.h - the BBB servers behind the gateway and where each meeting
 * lives: the servers' health and load (from polls of getMeetings), the
 * placement of new meetings on the least-loaded enabled healthy server,
 * and the map meetingID -> server that sends every later call for a
 * meeting to its server.
 *
 * A server's load is its weight times (users + fleet.meeting_weight per
 * meeting + the seats reserved by recent creates). A create reserves
 * meta_bbb-meeting-size-hint seats (fleet.reservation_seats without one),
 * fading linearly to nothing over fleet.reservation_decay_s; seats its
 * meeting already fills are not counted twice. A meeting placed but not
 * yet listed by a poll counts as a meeting.
 *
 * Health: a server is healthy after a poll that answered, unhealthy after
 * two polls in a row that did not; until its first poll answers it is
 * not healthy. A fleet of one server, or one that is never polled
 * (fleet.poll_s = 0), takes every server as healthy. Nothing here ever
 * ends a meeting: an unhealthy server keeps its meetings and their calls
 * still go to it.
 *
 * The map forgets a meeting when two polls of its server in a row that
 * started after the meeting was placed (and its create could have ended)
 * do not list it, when its end succeeds, when its create made nothing,
 * and when its server leaves the configuration. A poll also maps every
 * meeting it lists that the map does not know (another gateway placed it,
 * or the process restarted).
 *
 * Threads: every function may be called from any thread (one mutex; no
 * call blocks on anything else). Time is injected: mono_ms is
 * CLOCK_MONOTONIC milliseconds, wall_ms Unix milliseconds.
 */
#ifndef GW_FLEET_H
#define GW_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler.h"
#include "config.h"
#include "err.h"

struct gw_fleet;
struct gw_fleet_server;

/*
 * The server for a call that names no meeting (referenced): the first in
 * configuration order that is not disabled and healthy, else the first not
 * disabled, else the first. NULL for an empty fleet.
 */
struct gw_fleet_server *gw_fleet_first_usable(struct gw_fleet *f);

/* The meeting tag a create asks for (meta_server-tag; "eu!" = required). */
#define GW_FLEET_TAG_META "server-tag"
/* The seats a create expects (meta_bbb-meeting-size-hint). */
#define GW_FLEET_HINT_META "bbb-meeting-size-hint"
/* The longest server name (servers[].name). */
#define GW_FLEET_NAME_MAX 64u
/* The most seats one create may reserve. */
#define GW_FLEET_MAX_SEATS 100000u

/* An empty fleet (no servers until gw_fleet_sync). NULL on OOM. */
struct gw_fleet *gw_fleet_new(size_t max_meetings);

/* Frees the fleet; servers still referenced live on until unreferenced. NULL ok. */
void gw_fleet_free(struct gw_fleet *f);

/*
 * Brings the servers in line with cfg (at start and at every reload):
 * servers are kept by name (their health, load and meetings stay), new
 * ones start unpolled, removed ones leave (with their meetings' entries).
 * A server whose configured state changed loses an operator's state set
 * by gw_fleet_set_state. GW_E_NOMEM leaves the fleet as it was.
 */
enum gw_err gw_fleet_sync(struct gw_fleet *f, const struct gw_config *cfg) GW_WUR;

/* Servers now (those gw_fleet_sync last left). */
size_t gw_fleet_count(struct gw_fleet *f);

/*
 * Server number i (0-based, in configuration order), referenced, or NULL
 * past the last.
 */
struct gw_fleet_server *gw_fleet_server_at(struct gw_fleet *f, size_t i);

/* The server named name, referenced, or NULL. */
struct gw_fleet_server *gw_fleet_server_named(struct gw_fleet *f, const char *name);

/* Drops a reference. NULL ok. Any thread. */
void gw_fleet_server_unref(struct gw_fleet_server *s);

/* Takes another reference; returns s. */
struct gw_fleet_server *gw_fleet_server_ref(struct gw_fleet_server *s);

/*
 * The server's circuit breaker (upstream.h), for its calls' lane: as long
 * as the reference is held.
 */
struct gw_upstream_lane *gw_fleet_server_lane(const struct gw_fleet_server *s);

/* The server's name (as long as the reference is held). */
const char *gw_fleet_server_name(const struct gw_fleet_server *s);

/* The server's entry in cfg (by name), or NULL when cfg does not have it. */
const struct gw_bbb_server *gw_fleet_server_config(const struct gw_fleet_server *s,
						   const struct gw_config *cfg);

/* The server's state: the operator's (gw_fleet_set_state) or the configured one. */
enum gw_server_state gw_fleet_server_state(struct gw_fleet *f, const struct gw_fleet_server *s);

/*
 * The server of meetingID id (referenced), or NULL when the map does not
 * know it. A server that left the configuration is never returned.
 */
struct gw_fleet_server *gw_fleet_lookup(struct gw_fleet *f, const char *id);

/* How a placement ended (gw_fleet_place). */
enum gw_fleet_placed {
	GW_FLEET_NEW,       /* placed now on *out: the create is the meeting's first */
	GW_FLEET_EXISTING,  /* the map already had it: *out is its server */
	GW_FLEET_NO_SERVER, /* no enabled healthy server (with the required tag) */
	GW_FLEET_FULL,      /* the map holds its maximum of meetings */
};

struct gw_fleet_want {
	const char *tag;   /* meta_server-tag without a trailing '!'; NULL = any */
	bool tag_required; /* it had the '!' */
	unsigned seats;    /* seats to reserve (the hint, or fleet.reservation_seats) */
};

/*
 * Places meetingID id at once, under the lock, so that a second create of
 * the same id gets the same server: an existing entry wins; else the
 * enabled, healthy server of lowest load with the asked tag (any server
 * when none has it and it is not required) gets the meeting and its
 * reservation. *out is referenced on NEW and EXISTING.
 */
enum gw_fleet_placed gw_fleet_place(struct gw_fleet *f, const char *id,
				    const struct gw_fleet_want *want, uint64_t mono_ms,
				    struct gw_fleet_server **out);

/*
 * The server gw_fleet_place would give a new meeting now (referenced), or
 * NULL: none may take it. Places nothing (the shared store decides).
 */
struct gw_fleet_server *gw_fleet_choose(struct gw_fleet *f, const struct gw_fleet_want *want,
					uint64_t mono_ms);

/*
 * A server a new meeting may go to, for a placement the shared store
 * decides (bbb_store.c): its load from the last poll, without the
 * reservations this gateway holds (the store keeps every gateway's).
 */
struct gw_fleet_candidate {
	struct gw_fleet_server *srv; /* referenced */
	double base;                 /* weight x (users + fleet.meeting_weight x meetings) */
	double weight;
};

/*
 * The servers gw_fleet_choose picks from for want, in configuration
 * order: the enabled, healthy ones with the asked tag, else (a tag that is
 * not required) every enabled, healthy one. Fills out[0..max) and returns
 * how many it filled (0: none may take the meeting). Release them with
 * gw_fleet_candidates_unref.
 */
size_t gw_fleet_candidates(struct gw_fleet *f, const struct gw_fleet_want *want,
			   struct gw_fleet_candidate *out, size_t max);

/* Drops the references gw_fleet_candidates took. */
void gw_fleet_candidates_unref(struct gw_fleet_candidate *c, size_t n);

/*
 * How reservations fade, for a store that keeps them: a create's seats
 * fade to nothing over decay_ms, and it counts as a meeting for fresh_ms
 * (until two polls could have listed it); meeting_weight as
 * fleet.meeting_weight.
 */
struct gw_fleet_fading {
	uint64_t decay_ms;
	uint64_t fresh_ms;
	unsigned meeting_weight;
};

void gw_fleet_fading(struct gw_fleet *f, struct gw_fleet_fading *out);

/*
 * Maps id to s as placed now, with want's reservation (the shared store
 * gave s the meeting); an entry already there stays. GW_E_TOO_LARGE when
 * the map is full.
 */
enum gw_err gw_fleet_place_on(struct gw_fleet *f, const char *id, struct gw_fleet_server *s,
			      const struct gw_fleet_want *want, uint64_t mono_ms);

/*
 * Maps id to s (a look-up across the servers found it there); an entry
 * already there stays. GW_E_TOO_LARGE when the map is full.
 */
enum gw_err gw_fleet_learn(struct gw_fleet *f, const char *id, struct gw_fleet_server *s);

/* Forgets id when it is mapped to s (its end succeeded, or its create made nothing). */
void gw_fleet_forget(struct gw_fleet *f, const char *id, const struct gw_fleet_server *s);

/* The meetings a poll listed; ids and users are borrowed for the call. */
struct gw_fleet_poll {
	bool ok;               /* the poll answered SUCCESS; nothing below is read otherwise */
	size_t n;              /* meetings listed */
	const char **ids;      /* their meetingIDs */
	const unsigned *users; /* their participants */
};

/*
 * Records a poll of s that started at started_ms: health, counts, the
 * map's entries of s (listed ones kept and refreshed, unknown ones
 * learned, unlisted ones missed).
 */
void gw_fleet_polled(struct gw_fleet *f, struct gw_fleet_server *s, const struct gw_fleet_poll *p,
		     uint64_t started_ms, uint64_t mono_ms, int64_t wall_ms);

/*
 * Sets the operator's state of the server named name (until a reload
 * changes its configured state). GW_E_NOT_FOUND when there is none.
 */
enum gw_err gw_fleet_set_state(struct gw_fleet *f, const char *name, enum gw_server_state state);

/* A server as the operator sees it (GET /v1/servers). */
struct gw_fleet_view {
	char name[GW_FLEET_NAME_MAX + 1];
	enum gw_server_state state;
	bool healthy;
	bool polled;          /* a poll has answered */
	unsigned meetings;    /* last poll */
	unsigned users;       /* last poll */
	unsigned placed;      /* meetings the map sends to it */
	double load;          /* now, as placement sees it */
	int64_t last_poll_ms; /* Unix ms of the last poll's end; 0 = never */
	unsigned failures;    /* polls in a row that did not answer */
};

/* Fills out[0..max) with the servers in configuration order; returns how many there are. */
size_t gw_fleet_view(struct gw_fleet *f, uint64_t mono_ms, struct gw_fleet_view *out, size_t max);

/* Meetings in the map. */
size_t gw_fleet_mapped(struct gw_fleet *f);

#endif
