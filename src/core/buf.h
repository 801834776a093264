/*
 * buf.h - growable byte buffer with a hard maximum.
 *
 * Every buffer that grows with untrusted input is a gw_buf with a cap; an
 * append that would pass the cap fails with GW_E_TOO_LARGE and leaves the
 * buffer unchanged. The data is always NUL-terminated (the NUL is not
 * counted in len and not against max).
 */
#ifndef GW_BUF_H
#define GW_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include "compiler.h"
#include "err.h"

struct gw_buf {
	char *data; /* owned; NULL until the first append */
	size_t len;
	size_t cap;
	size_t max; /* hard cap on len */
};

/* Prepares an empty buffer that may grow to max bytes. Allocates nothing. */
void gw_buf_init(struct gw_buf *b, size_t max);

/* Frees the storage; the buffer is empty (and reusable) afterwards. */
void gw_buf_deinit(struct gw_buf *b);

/* Empties the buffer but keeps its storage. */
void gw_buf_reset(struct gw_buf *b);

/*
 * Makes room for extra more bytes (and the NUL) without changing the
 * contents, so a caller may write up to extra bytes at data + len and then
 * advance len itself (keeping the NUL after them). GW_E_TOO_LARGE past
 * max, GW_E_NOMEM.
 */
enum gw_err gw_buf_reserve(struct gw_buf *b, size_t extra) GW_WUR;

/* gw_buf_append when the bytes do not fit the storage there is: grows it. */
enum gw_err gw_buf_append_grow(struct gw_buf *b, const void *p, size_t n) GW_WUR;

/*
 * Appends n bytes. GW_E_TOO_LARGE past max, GW_E_NOMEM on allocation failure.
 * Inline: most appends are a few bytes into room the buffer already has
 * (cap is 0 while data is NULL, so an empty buffer takes the slow path).
 */
static inline GW_WUR enum gw_err gw_buf_append(struct gw_buf *b, const void *p, size_t n)
{
	if (n < b->cap - b->len && n <= b->max - b->len) {
		if (n > 0) /* p may be NULL then, which memcpy does not allow */
			memcpy(b->data + b->len, p, n);
		b->len += n;
		b->data[b->len] = '\0';
		return GW_OK;
	}
	return gw_buf_append_grow(b, p, n);
}

/* Appends a NUL-terminated string. */
enum gw_err gw_buf_append_str(struct gw_buf *b, const char *s) GW_WUR;

/* Appends one byte. */
static inline GW_WUR enum gw_err gw_buf_append_byte(struct gw_buf *b, char c)
{
	if (b->len + 1 < b->cap && b->len < b->max) {
		b->data[b->len++] = c;
		b->data[b->len] = '\0';
		return GW_OK;
	}
	return gw_buf_append_grow(b, &c, 1);
}

/* Appends printf-formatted text. */
enum gw_err gw_buf_appendf(struct gw_buf *b, const char *fmt, ...) GW_WUR GW_PRINTF(2, 3);
enum gw_err gw_buf_vappendf(struct gw_buf *b, const char *fmt, va_list ap) GW_WUR GW_PRINTF(2, 0);

/*
 * Moves the contents out: returns a malloc'd NUL-terminated string (caller
 * frees with free()) and stores its length in *len when len is not NULL.
 * Returns an empty malloc'd string for an empty buffer, NULL on OOM. The
 * buffer is empty afterwards.
 */
char *gw_buf_take(struct gw_buf *b, size_t *len);

/* Drops everything past the first len bytes (len <= b->len; undoes later appends). */
void gw_buf_truncate(struct gw_buf *b, size_t len);

/* The contents as a C string (never NULL; "" while empty). Borrowed. */
const char *gw_buf_str(const struct gw_buf *b);

#endif
