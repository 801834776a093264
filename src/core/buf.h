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

/* Appends n bytes. GW_E_TOO_LARGE past max, GW_E_NOMEM on allocation failure. */
enum gw_err gw_buf_append(struct gw_buf *b, const void *p, size_t n) GW_WUR;

/* Appends a NUL-terminated string. */
enum gw_err gw_buf_append_str(struct gw_buf *b, const char *s) GW_WUR;

/* Appends one byte. */
enum gw_err gw_buf_append_byte(struct gw_buf *b, char c) GW_WUR;

/* Appends printf-formatted text. */
enum gw_err gw_buf_appendf(struct gw_buf *b, const char *fmt, ...) GW_WUR GW_PRINTF(2, 3);
enum gw_err gw_buf_vappendf(struct gw_buf *b, const char *fmt, va_list ap) GW_WUR
	GW_PRINTF(2, 0);

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
