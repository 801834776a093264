/*
 * multipart.c - parses multipart/form-data strictly: CRLF line ends, a
 * boundary from the Content-Type, Content-Disposition with a name on
 * every part, at most GW_MULTIPART_MAX_PARTS parts. Part data is not
 * copied: it points into the request body.
 */
#include "multipart.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "crypto.h"
#include "str.h"

#define MAX_BOUNDARY 70

/* Copies a parameter value (token or quoted string) of `name` from a header value. */
static char *param(const char *h, size_t hlen, const char *name)
{
	size_t nlen = strlen(name);
	const char *end = h + hlen;
	const char *p = h;

	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));

		if (semi == NULL)
			return NULL;
		p = semi + 1;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if ((size_t)(end - p) > nlen && strncasecmp(p, name, nlen) == 0 && p[nlen] == '=') {
			const char *v = p + nlen + 1;
			const char *ve;

			if (v < end && *v == '"') {
				v++;
				ve = memchr(v, '"', (size_t)(end - v));
				if (ve == NULL)
					return NULL;
			} else {
				ve = v;
				while (ve < end && *ve != ';' && *ve != ' ')
					ve++;
			}
			return strndup(v, (size_t)(ve - v));
		}
	}
	return NULL;
}

static enum gw_err part_headers(struct gw_part *part, const char *h, size_t n)
{
	const char *end = h + n;

	while (h < end) {
		const char *eol = memmem(h, (size_t)(end - h), "\r\n", 2);
		size_t len = eol != NULL ? (size_t)(eol - h) : (size_t)(end - h);

		if (len > 20 && strncasecmp(h, "Content-Disposition:", 20) == 0) {
			free(part->name);
			free(part->filename);
			part->name = param(h, len, "name");
			part->filename = param(h, len, "filename");
		} else if (len > 13 && strncasecmp(h, "Content-Type:", 13) == 0) {
			const char *v = h + 13;

			while (v < h + len && *v == ' ')
				v++;
			free(part->content_type);
			part->content_type = strndup(v, (size_t)(h + len - v));
		}
		h += len + 2;
	}
	return part->name != NULL ? GW_OK : GW_E_PARSE;
}

static enum gw_err add_part(struct gw_multipart *mp, const char *p, size_t n)
{
	const char *sep = memmem(p, n, "\r\n\r\n", 4);
	struct gw_part *part;

	if (mp->n >= GW_MULTIPART_MAX_PARTS)
		return GW_E_TOO_LARGE;
	part = &mp->parts[mp->n++];
	memset(part, 0, sizeof(*part));
	if (sep == NULL)
		return GW_E_PARSE;
	if (part_headers(part, p, (size_t)(sep - p)) != GW_OK)
		return GW_E_PARSE;
	part->data = sep + 4;
	part->len = n - (size_t)(sep + 4 - p);
	if (part->filename == NULL && part->len <= GW_MULTIPART_MAX_FIELD) {
		part->value = strndup(part->data, part->len);
		if (part->value == NULL)
			return GW_E_NOMEM;
	}
	return GW_OK;
}

static enum gw_err parse_parts(const char *body, size_t len, const char *delim, size_t dlen,
			       struct gw_multipart *mp)
{
	const char *end = body + len;
	const char *p = memmem(body, len, delim + 2, dlen - 2); /* first one has no CRLF */

	if (p == NULL)
		return GW_E_PARSE;
	p += dlen - 2;
	for (;;) {
		const char *next;
		enum gw_err err;

		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			return mp->n > 0 ? GW_OK : GW_E_PARSE;
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
			return GW_E_PARSE;
		p += 2;
		next = memmem(p, (size_t)(end - p), delim, dlen);
		if (next == NULL)
			return GW_E_PARSE;
		err = add_part(mp, p, (size_t)(next - p));
		if (err != GW_OK)
			return err;
		p = next + dlen;
	}
}

enum gw_err gw_multipart_parse(const char *content_type, const char *body, size_t len,
			       struct gw_multipart *mp)
{
	char *boundary;
	char delim[MAX_BOUNDARY + 5];
	size_t blen;
	enum gw_err err;

	memset(mp, 0, sizeof(*mp));
	if (content_type == NULL || body == NULL)
		return GW_E_PARSE;
	boundary = param(content_type, strlen(content_type), "boundary");
	if (boundary == NULL)
		return GW_E_PARSE;
	blen = strlen(boundary);
	if (blen == 0 || blen > MAX_BOUNDARY) {
		free(boundary);
		return GW_E_PARSE;
	}
	snprintf(delim, sizeof(delim), "\r\n--%s", boundary);
	free(boundary);
	err = parse_parts(body, len, delim, blen + 4, mp);
	if (err != GW_OK)
		gw_multipart_deinit(mp);
	return err;
}

void gw_multipart_deinit(struct gw_multipart *mp)
{
	size_t i;

	for (i = 0; i < mp->n; i++) {
		free(mp->parts[i].name);
		free(mp->parts[i].filename);
		free(mp->parts[i].content_type);
		free(mp->parts[i].value);
	}
	mp->n = 0;
}

const struct gw_part *gw_multipart_find(const struct gw_multipart *mp, const char *name)
{
	size_t i;

	for (i = 0; i < mp->n; i++) {
		if (strcmp(mp->parts[i].name, name) == 0)
			return &mp->parts[i];
	}
	return NULL;
}

/* A file name safe inside a quoted header value. */
static void safe_name(const char *in, char *out, size_t n)
{
	size_t j = 0;

	for (; in != NULL && *in != '\0' && j + 1 < n; in++) {
		unsigned char c = (unsigned char)*in;

		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
			out[j++] = (char)c;
	}
	out[j] = '\0';
	if (j == 0)
		snprintf(out, n, "track.vtt");
}

enum gw_err gw_multipart_build_file(const struct gw_part *file, char **out, size_t *len,
				    char *ctype_out, size_t ctype_len)
{
	unsigned char rnd[12];
	char boundary[48];
	char name[128];
	struct gw_buf b;
	enum gw_err err;

	do {
		err = gw_crypto_random(rnd, sizeof(rnd));
		if (err != GW_OK)
			return err;
		memcpy(boundary, "bbb-gateway-", 12);
		gw_crypto_hex(rnd, sizeof(rnd), boundary + 12);
	} while (memmem(file->data, file->len, boundary, strlen(boundary)) != NULL);
	safe_name(file->filename, name, sizeof(name));
	gw_buf_init(&b, file->len + 1024);
	err = gw_buf_appendf(&b,
			     "--%s\r\nContent-Disposition: form-data; name=\"file\"; "
			     "filename=\"%s\"\r\nContent-Type: %s\r\n\r\n",
			     boundary, name, "application/octet-stream");
	if (err == GW_OK)
		err = gw_buf_append(&b, file->data, file->len);
	if (err == GW_OK)
		err = gw_buf_appendf(&b, "\r\n--%s--\r\n", boundary);
	if (err != GW_OK) {
		gw_buf_deinit(&b);
		return err;
	}
	*out = gw_buf_take(&b, len);
	if (*out == NULL)
		return GW_E_NOMEM;
	snprintf(ctype_out, ctype_len, "multipart/form-data; boundary=%s", boundary);
	return GW_OK;
}
