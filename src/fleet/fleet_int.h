/*
 * fleet_int.h - the fleet's state, shared by fleet.c (servers, load,
 * placement, views) and fleet_map.c (the map meetingID -> server and
 * what a poll does to it). Nothing outside src/fleet includes it.
 */
#ifndef GW_FLEET_INT_H
#define GW_FLEET_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "crypto.h"
#include "fleet.h"
#include "upstream.h"

/* A meeting's entry in the map: in a hash chain and in its server's list. */
struct place {
	struct place *hnext;
	struct place *prev, *next;   /* the server's entries */
	struct place *rprev, *rnext; /* the server's entries still reserving seats */
	struct gw_fleet_server *srv;
	uint64_t hash;
	uint64_t placed_ms;   /* monotonic ms it was placed here; 0 = learned */
	unsigned seats;       /* reserved by its create (0 = none) */
	unsigned users;       /* as the last poll listed it */
	uint32_t mark;        /* the server's poll round that last listed it */
	unsigned char misses; /* polls in a row that did not list it */
	bool listed;          /* a poll has listed it */
	bool reserving;       /* on the server's list of reservations */
	char id[];            /* the meetingID as BBB knows it */
};

struct gw_fleet_server {
	atomic_uint refs;
	char *name;
	struct gw_upstream_lane *lane; /* its circuit breaker */
	/* the rest under the fleet's lock */
	bool member; /* in the fleet (false once a reload removed it) */
	enum gw_server_state conf_state;
	int op_state; /* the operator's enum gw_server_state, or -1 */
	double weight;
	char **tags;
	size_t n_tags;
	bool polled;
	bool healthy;
	unsigned failures;
	unsigned meetings, users;
	int64_t last_poll_ms;
	uint32_t round;
	struct place *head; /* its entries */
	size_t n_places;
	/*
	 * What its load needs without walking every entry: the entries placed
	 * here that no poll has listed yet, and those whose reservation has not
	 * faded (placed within fleet.reservation_decay_s; pruned as load reads it).
	 */
	size_t n_unlisted;
	struct place *rhead;
};

struct gw_fleet {
	pthread_mutex_t lock;
	struct gw_fleet_server **servers; /* configuration order */
	size_t n_servers;
	/* settings from the last sync */
	unsigned poll_s;
	unsigned meeting_weight;
	uint64_t decay_ms;
	uint64_t grace_ms; /* a create's budget: polls older than placed + this say nothing */
	/* the map */
	struct place **buckets;
	size_t n_buckets;
	size_t n_places;
	size_t max_places;
	unsigned char key[GW_CRYPTO_SIPHASH_KEY_LEN];
};

/* The map's half (fleet_map.c); every one under f->lock. */
struct place *gw_fleet_map_find(struct gw_fleet *f, const char *id, size_t len, uint64_t *hash);
struct place *gw_fleet_map_add(struct gw_fleet *f, const char *id, size_t len, uint64_t hash,
			       struct gw_fleet_server *s);
void gw_fleet_map_remove(struct gw_fleet *f, struct place *p);
/* p was placed now with seats: counted unlisted, and reserving when it has seats. */
void gw_fleet_map_placed(struct place *p, uint64_t mono_ms, unsigned seats);
/* Takes p off its server's list of reservations (its reservation faded). */
void gw_fleet_map_unreserve(struct place *p);
/* Removes every entry of s. */
void gw_fleet_map_drop_server(struct gw_fleet *f, struct gw_fleet_server *s);
/* Applies a poll that answered to the entries of s. */
void gw_fleet_map_polled(struct gw_fleet *f, struct gw_fleet_server *s,
			 const struct gw_fleet_poll *p, uint64_t started_ms);

#endif
