/*
 * bbb_sign.h - BBB query encoding and checksums; pure functions.
 *
 * Encoding is application/x-www-form-urlencoded over UTF-8 bytes, as
 * java.net.URLEncoder does it: A-Z a-z 0-9 . - * _ stay, space becomes '+',
 * every other byte becomes %XX with upper-case hex. The checksum is
 * lowercase_hex(H(call + query + secret)). The query that is signed is the
 * exact string that is sent.
 */
#ifndef GW_BBB_SIGN_H
#define GW_BBB_SIGN_H

#include <stddef.h>

#include "buf.h"
#include "compiler.h"
#include "crypto.h"
#include "err.h"

/* Appends the form-encoding of n bytes at s to out. */
enum gw_err gw_bbb_encode(struct gw_buf *out, const char *s, size_t n) GW_WUR;

/*
 * Appends "name=value" (both encoded) to the query in q, preceded by '&'
 * when q is not empty.
 */
enum gw_err gw_bbb_query_add(struct gw_buf *q, const char *name, const char *value) GW_WUR;

/*
 * Computes the checksum of call + query + secret with alg and writes it as
 * lower-case hex plus NUL into hex_out (GW_DIGEST_MAX_HEX bytes).
 */
enum gw_err gw_bbb_checksum(enum gw_digest alg, const char *call, const char *query,
			    const char *secret, char hex_out[GW_DIGEST_MAX_HEX]) GW_WUR;

/*
 * Appends the full signed URL to out:
 *   base_url + "/" + call + "?" + query + ("&" if query non-empty) + "checksum=" + hex
 * base_url has no trailing slash (a trailing '/' is tolerated and not doubled).
 */
enum gw_err gw_bbb_signed_url(struct gw_buf *out, const char *base_url, const char *call,
			      const char *query, enum gw_digest alg, const char *secret) GW_WUR;

/* Why a request's checksum was refused: bbb-web's checksumError messages. */
#define GW_BBB_CHECKSUM_MISSING "You must provide the checksum"
#define GW_BBB_CHECKSUM_MISMATCH "Checksums do not match"

/*
 * Verifies a request to a BBB-style API as bbb-web does: the `checksum`
 * parameter of raw_query (the query exactly as received), removed from it
 * as bbb-web removes it ("&checksum=<v>", then "checksum=<v>&", then
 * "checksum=<v>", each everywhere), the algorithm told by its length
 * (40 sha1, 64 sha256, 96 sha384, 128 sha512) and accepted only when its
 * bit (1u << enum gw_digest) is in allowed, then H(call + the rest +
 * secret) compared with it, without regard to case, in constant time.
 * GW_OK with the query without the checksum appended to rest; otherwise
 * GW_E_UNAUTHORIZED with *why one of the messages above (a missing or
 * repeated checksum, one of another length or algorithm, or a mismatch),
 * or GW_E_NOMEM / GW_E_TOO_LARGE from rest.
 */
enum gw_err gw_bbb_checksum_verify(const char *call, const char *raw_query, const char *secret,
				   unsigned allowed, struct gw_buf *rest, const char **why) GW_WUR;

#endif
