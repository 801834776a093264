/*
 * multipart.h - a strict, bounded multipart/form-data parser (RFC 7578)
 * for uploads that are passed on to BBB, and the encoder for the body the
 * gateway sends. Pure functions; parts point into the caller's body.
 */
#ifndef GW_MULTIPART_H
#define GW_MULTIPART_H

#include <stddef.h>

#include "compiler.h"
#include "err.h"

#define GW_MULTIPART_MAX_PARTS 16u
#define GW_MULTIPART_MAX_FIELD 1024u /* value bytes kept for non-file fields */

struct gw_part {
	char *name;         /* owned; the form field name */
	char *filename;     /* owned; NULL for plain fields */
	char *content_type; /* owned; NULL when the part has none */
	const char *data;   /* borrowed from the parsed body */
	size_t len;
	char *value; /* owned NUL-terminated copy for plain fields (<= MAX_FIELD), else NULL */
};

struct gw_multipart {
	struct gw_part parts[GW_MULTIPART_MAX_PARTS];
	size_t n;
};

/*
 * Parses len bytes of body with the boundary from content_type. On GW_OK
 * mp holds the parts (release with gw_multipart_deinit; body must outlive
 * it). GW_E_PARSE for a malformed body, GW_E_TOO_LARGE past MAX_PARTS.
 */
enum gw_err gw_multipart_parse(const char *content_type, const char *body, size_t len,
			       struct gw_multipart *mp) GW_WUR;

/* Releases what the parts own. */
void gw_multipart_deinit(struct gw_multipart *mp);

/* The first part named name, or NULL. Borrowed. */
const struct gw_part *gw_multipart_find(const struct gw_multipart *mp, const char *name);

/*
 * Encodes a body with one part "file" holding file's bytes, filename and
 * content type. *out is malloc'd (caller frees), ctype_out gets the
 * "multipart/form-data; boundary=..." value.
 */
enum gw_err gw_multipart_build_file(const struct gw_part *file, char **out, size_t *len,
				    char *ctype_out, size_t ctype_len) GW_WUR;

#endif
