/*
 * buf.c - capped growable buffer (modelled on curl's dynbuf): geometric
 * growth, one NUL byte kept after the data, never beyond `max`.
 */
#include "buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gw_buf_init(struct gw_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void gw_buf_deinit(struct gw_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void gw_buf_reset(struct gw_buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

enum gw_err gw_buf_reserve(struct gw_buf *b, size_t extra)
{
	size_t need;
	size_t ncap;
	char *p;

	if (extra > b->max - b->len)
		return GW_E_TOO_LARGE;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return GW_OK;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	if (ncap > b->max + 1)
		ncap = b->max + 1;
	p = realloc(b->data, ncap);
	if (p == NULL)
		return GW_E_NOMEM;
	b->data = p;
	b->cap = ncap;
	return GW_OK;
}

enum gw_err gw_buf_append_grow(struct gw_buf *b, const void *p, size_t n)
{
	enum gw_err err = gw_buf_reserve(b, n);

	if (err != GW_OK)
		return err;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return GW_OK;
}

enum gw_err gw_buf_append_str(struct gw_buf *b, const char *s)
{
	return gw_buf_append(b, s, strlen(s));
}

enum gw_err gw_buf_vappendf(struct gw_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;
	enum gw_err err;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return GW_E_INTERNAL;
	err = gw_buf_reserve(b, (size_t)n);
	if (err != GW_OK)
		return err;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return GW_OK;
}

enum gw_err gw_buf_appendf(struct gw_buf *b, const char *fmt, ...)
{
	va_list ap;
	enum gw_err err;

	va_start(ap, fmt);
	err = gw_buf_vappendf(b, fmt, ap);
	va_end(ap);
	return err;
}

char *gw_buf_take(struct gw_buf *b, size_t *len)
{
	char *p = b->data;

	if (p == NULL) {
		p = calloc(1, 1);
		if (p == NULL)
			return NULL;
	}
	if (len != NULL)
		*len = b->len;
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}

const char *gw_buf_str(const struct gw_buf *b)
{
	return b->data != NULL ? b->data : "";
}

void gw_buf_truncate(struct gw_buf *b, size_t len)
{
	if (len >= b->len)
		return;
	b->len = len;
	b->data[len] = '\0';
}
