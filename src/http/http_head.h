/*
 * http_head.h - checks of a request head (request target and header
 * fields) that libmicrohttpd 0.9.75 lets through, done on the parsed
 * fields before any byte of the body is read and before authentication
 * decides anything. Transport-neutral: the HTTP server hands in the
 * fields it received, the fuzzer hands in fields it made up.
 */
#ifndef GW_HTTP_HEAD_H
#define GW_HTTP_HEAD_H

#include <stdbool.h>
#include <stddef.h>

#include "compiler.h"
#include "err.h"

/* One header field as received; name and value are not NUL-terminated. */
struct gw_head_field {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
};

/* Bytes of the server's per-connection memory one header field costs besides its text. */
#define GW_HTTP_HEAD_FIELD_OVERHEAD 64u

struct gw_head_verdict {
	enum gw_err err;      /* GW_OK: acceptable */
	const char *detail;   /* static text for the problem response, or NULL */
	bool close;           /* the connection must be closed after the answer */
	bool expect_continue; /* the client waits for 100 Continue before its body */
};

/*
 * Checks a request head: path and query are the raw request target split
 * at '?' (still percent-encoded, not NUL-terminated), fields the header fields in the order
 * received, max_head the configured limit for request line plus headers.
 * Refused, in this order:
 *   414 / 431  the target alone / the whole head is over max_head
 *              (counted as the server's memory holds it);
 *   400        a control character or space in the target; a field
 *              name that is not a token; a value with a control
 *              character (CR, LF, NUL, ... except tab); a repeated
 *              Content-Length, Transfer-Encoding, Host or Authorization;
 *              Content-Length with Transfer-Encoding; a coding other than
 *              chunked; a Content-Length that is not a number;
 *   417        an Expect other than 100-continue.
 * Always writes *out.
 */
void gw_http_head_check(const char *path, size_t path_len, const char *query, size_t query_len,
			const struct gw_head_field *fields, size_t n_fields, size_t max_head,
			struct gw_head_verdict *out);

#endif
