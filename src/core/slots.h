/*
 * slots.h - counted slots: how many of a thing are held in all and per
 * key, each count capped (the open event streams, in all and per token).
 *
 * A take either gets a slot under both caps or changes nothing; each
 * successful take is matched by one give of the same key. The caps are
 * passed with every take, so a reload that lowers them applies to the
 * next take and never ends what is held. Keys are copied; a key whose
 * count drops to zero is forgotten, so memory follows what is held, not
 * what was ever seen. Thread-safe: one mutex.
 */
#ifndef GW_SLOTS_H
#define GW_SLOTS_H

#include <stddef.h>

#include "compiler.h"

struct gw_slots;

enum gw_slots_result {
	GW_SLOTS_OK = 0,
	GW_SLOTS_FULL,     /* max_total slots are held */
	GW_SLOTS_KEY_FULL, /* max_per_key slots of this key are held */
	GW_SLOTS_NOMEM,
};

/* An empty set of slots. NULL on OOM. */
struct gw_slots *gw_slots_new(void);

/* Frees the slots (held or not). NULL is fine. */
void gw_slots_free(struct gw_slots *s);

/* Takes one slot of key (a NUL-terminated string); a cap of 0 is no cap. */
enum gw_slots_result gw_slots_take(struct gw_slots *s, const char *key, unsigned max_total,
				   unsigned max_per_key) GW_WUR;

/* Gives back one slot of key; a key holding none is ignored. */
void gw_slots_give(struct gw_slots *s, const char *key);

/* Slots held in all. */
unsigned gw_slots_total(struct gw_slots *s);

/* Slots key holds. */
unsigned gw_slots_held(struct gw_slots *s, const char *key);

#endif
