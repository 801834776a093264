/*
 * arena.c - chunked bump allocator with a hard cap (arena.h). Allocation
 * moves a pointer through the current chunk; when it does not fit, a new
 * chunk is taken and the rest of the old one is left unused. Oversized
 * requests get a chunk of their own that does not replace the current
 * one, so one big string does not waste a half-used chunk.
 */
#include "arena.h"

#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct gw_arena_chunk {
	struct gw_arena_chunk *next;
	size_t size;
	max_align_t data[]; /* size bytes, aligned as malloc aligns */
};

void gw_arena_init(struct gw_arena *a, void *first, size_t first_size, size_t max)
{
	a->cur = first_size > 0 ? first : NULL;
	a->end = first_size > 0 ? (char *)first + first_size : NULL;
	a->chunks = NULL;
	a->next_chunk = GW_ARENA_CHUNK_MIN;
	a->used = first_size;
	a->max = max;
	a->err = GW_OK;
}

void gw_arena_deinit(struct gw_arena *a)
{
	struct gw_arena_chunk *c = a->chunks;

	while (c != NULL) {
		struct gw_arena_chunk *next = c->next;

		free(c);
		c = next;
	}
	a->chunks = NULL;
	a->cur = NULL;
	a->end = NULL;
	a->next_chunk = GW_ARENA_CHUNK_MIN;
	a->used = 0;
	a->err = GW_OK;
}

static void *fail(struct gw_arena *a, enum gw_err err)
{
	a->err = err;
	return NULL;
}

/* Bytes to skip at p to reach align (a power of two). */
static size_t pad(const char *p, size_t align)
{
	return (size_t)(-(uintptr_t)p) & (align - 1);
}

/* Takes a chunk that can hold n bytes aligned to align; returns them. */
static void *grow(struct gw_arena *a, size_t n, size_t align)
{
	size_t need = n + (align > alignof(max_align_t) ? align : 0);
	size_t size = a->next_chunk;
	bool own = need > GW_ARENA_CHUNK_MAX;
	struct gw_arena_chunk *c;
	char *p;

	if (own || size < need)
		size = need;
	if (size > a->max - a->used) {
		/* Past the cap with a whole chunk: a smaller one may still fit. */
		if (need > a->max - a->used)
			return fail(a, GW_E_TOO_LARGE);
		size = need;
	}
	c = malloc(sizeof(*c) + size);
	if (c == NULL)
		return fail(a, GW_E_NOMEM);
	c->size = size;
	a->used += size;
	p = (char *)c->data;
	p += pad(p, align);
	c->next = a->chunks;
	a->chunks = c;
	if (own && a->cur != NULL)
		return p; /* the current chunk keeps serving small requests */
	a->cur = p + n;
	a->end = (char *)c->data + size;
	if (!own && a->next_chunk < GW_ARENA_CHUNK_MAX)
		a->next_chunk *= 2;
	return p;
}

void *gw_arena_alloc_aligned(struct gw_arena *a, size_t n, size_t align)
{
	size_t skip;

	if (align == 0 || (align & (align - 1)) != 0)
		return fail(a, GW_E_INTERNAL); /* a caller bug */
	if (n == 0)
		n = 1;
	if (n > a->max || align > a->max)
		return fail(a, GW_E_TOO_LARGE);
	if (a->cur != NULL) {
		skip = pad(a->cur, align);
		if (skip <= (size_t)(a->end - a->cur) && n <= (size_t)(a->end - a->cur) - skip) {
			char *p = a->cur + skip;

			a->cur = p + n;
			return p;
		}
	}
	return grow(a, n, align);
}

void *gw_arena_alloc(struct gw_arena *a, size_t n)
{
	return gw_arena_alloc_aligned(a, n, alignof(max_align_t));
}

void *gw_arena_calloc(struct gw_arena *a, size_t n, size_t size)
{
	void *p;

	if (size != 0 && n > SIZE_MAX / size)
		return fail(a, GW_E_TOO_LARGE);
	p = gw_arena_alloc(a, n * size);
	if (p != NULL)
		memset(p, 0, n * size);
	return p;
}

void *gw_arena_memdup(struct gw_arena *a, const void *p, size_t n)
{
	void *d = gw_arena_alloc_aligned(a, n, 1);

	if (d != NULL && n > 0)
		memcpy(d, p, n);
	return d;
}

char *gw_arena_strndup(struct gw_arena *a, const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *d;

	if (len == SIZE_MAX)
		return fail(a, GW_E_TOO_LARGE);
	d = gw_arena_alloc_aligned(a, len + 1, 1);
	if (d == NULL)
		return NULL;
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

char *gw_arena_strdup(struct gw_arena *a, const char *s)
{
	return gw_arena_strndup(a, s, SIZE_MAX);
}

enum gw_err gw_arena_error(const struct gw_arena *a)
{
	return a->err;
}

size_t gw_arena_used(const struct gw_arena *a)
{
	return a->used;
}
