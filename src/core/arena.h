/*
 * arena.h - chunked bump allocator with a hard cap, for memory that lives
 * exactly as long as one owner (an API exchange): many small allocations,
 * no individual free, everything released at once by gw_arena_deinit.
 *
 * The first chunk may be storage the owner provides (allocated together
 * with it); further chunks are malloc'd, each twice the previous one up to
 * GW_ARENA_CHUNK_MAX. A request larger than that gets a chunk of its own.
 * All storage taken (the first chunk included) counts against max: an
 * allocation that would pass it fails with GW_E_TOO_LARGE and changes
 * nothing, so untrusted input cannot grow an arena without bound.
 */
#ifndef GW_ARENA_H
#define GW_ARENA_H

#include <stddef.h>

#include "compiler.h"
#include "err.h"

/* The first malloc'd chunk; later ones double up to GW_ARENA_CHUNK_MAX. */
#define GW_ARENA_CHUNK_MIN (4u * 1024u)
#define GW_ARENA_CHUNK_MAX (16u * 1024u)

struct gw_arena_chunk;

struct gw_arena {
	char *cur;                     /* next free byte of the current chunk */
	char *end;                     /* end of the current chunk */
	struct gw_arena_chunk *chunks; /* malloc'd chunks, newest first; owned */
	size_t next_chunk;             /* size of the next malloc'd chunk */
	size_t used;                   /* storage held, first chunk included */
	size_t max;                    /* hard cap on used */
	enum gw_err err;               /* why the last allocation failed; GW_OK if none did */
};

/*
 * Prepares an arena that may hold max bytes of storage. first (borrowed,
 * first_size bytes, any alignment; NULL when first_size is 0) is used
 * before any chunk is allocated and must outlive the arena.
 */
void gw_arena_init(struct gw_arena *a, void *first, size_t first_size, size_t max);

/* Frees every chunk: all pointers from the arena die. The arena is empty (and reusable) after. */
void gw_arena_deinit(struct gw_arena *a);

/*
 * n bytes aligned to align (a power of two), uninitialised; n == 0 gives a
 * valid one-byte allocation. NULL when past max or out of memory
 * (gw_arena_error tells which). Owned by the arena.
 */
void *gw_arena_alloc_aligned(struct gw_arena *a, size_t n, size_t align);

/* gw_arena_alloc_aligned for any object type (aligned as malloc aligns). */
void *gw_arena_alloc(struct gw_arena *a, size_t n);

/* A zeroed array of n objects of size bytes; NULL on overflow (GW_E_TOO_LARGE) or as above. */
void *gw_arena_calloc(struct gw_arena *a, size_t n, size_t size);

/* A copy of n bytes at p. */
void *gw_arena_memdup(struct gw_arena *a, const void *p, size_t n);

/* A NUL-terminated copy of s. */
char *gw_arena_strdup(struct gw_arena *a, const char *s);

/* A NUL-terminated copy of at most n bytes of s (up to its first NUL). */
char *gw_arena_strndup(struct gw_arena *a, const char *s, size_t n);

/* Why the last failed allocation failed (GW_E_TOO_LARGE or GW_E_NOMEM); GW_OK if none did. */
enum gw_err gw_arena_error(const struct gw_arena *a);

/* Storage the arena holds (first chunk included), for limits and tests. */
size_t gw_arena_used(const struct gw_arena *a);

#endif
