/*
 * xml_tenant.h - BBB's XML replies rewritten for one tenant, as they stream.
 *
 * A tenant's clients see BBB's own XML API with their meetingID prefix
 * (say "lms~") taken away. The reply passes byte for byte except:
 *
 *  - the text content of every element whose local name is exactly
 *    meetingID, parentMeetingID or meetingId loses the prefix when it
 *    starts with it, right after the start tag or right after a
 *    "<![CDATA[" that opens the content. Bytes are compared raw: a prefix
 *    written with character references does not count;
 *  - an element at depth 3 under a depth-2 element named meetings,
 *    recordings or hooks (whatever the root is called) is a list item. It
 *    is kept only when its first direct child named meetingID starts with
 *    the prefix; otherwise it is dropped with the whitespace run directly
 *    before it. An item is held until that child's end tag (or the item's
 *    end) decides it, and after the decision streams on or is skipped.
 *    What is held of an item (its bytes up to the decision, without the
 *    prefixes cut out) may not pass max_item_bytes; the whitespace before
 *    it is held with it only while both fit, and passes otherwise.
 *
 * Names compare by local name (after the last ':'), case-sensitively. It
 * is a lexer, not a parser: end tags close the innermost element whatever
 * their name, and other malformations pass through as they are. Refused
 * with GW_E_UPSTREAM_BAD_REPLY: more than GW_XML_MAX_DEPTH open elements,
 * an item that needs more than max_item_bytes held, and at finish a reply that ends inside markup (a tag, comment, CDATA section,
 * PI or declaration) or with an element still open. Time is linear in the
 * input; memory is the struct plus one buffer of at most max_item_bytes.
 */
#ifndef GW_XML_TENANT_H
#define GW_XML_TENANT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "compiler.h"
#include "err.h"

/* A tenant prefix is 1..32 bytes of [A-Za-z0-9._~-] (never needs XML escaping). */
#define GW_XML_TENANT_MAX_PREFIX 32u

/* One reply's rewrite in progress. Not shared between threads. */
struct gw_xml_tenant;

/*
 * Receives rewritten bytes in order (p borrowed for the call); a non-GW_OK
 * return stops the rewrite and is returned by every later call.
 */
typedef enum gw_err (*gw_xml_tenant_sink_fn)(void *arg, const char *p, size_t n);

/*
 * Whether prefix (NUL-terminated, borrowed) is a valid tenant prefix:
 * 1..GW_XML_TENANT_MAX_PREFIX bytes of [A-Za-z0-9._~-].
 */
bool gw_xml_tenant_prefix_ok(const char *prefix);

/*
 * A rewrite for one reply. prefix is copied; max_item_bytes (1 to
 * SIZE_MAX / 2) caps what is held of one list item. GW_E_CONFIG for a bad
 * prefix or cap, GW_E_NOMEM. *out (caller frees with gw_xml_tenant_free) is written
 * only on success.
 */
enum gw_err gw_xml_tenant_new(const char *prefix, size_t max_item_bytes,
			      struct gw_xml_tenant **out) GW_WUR;

/*
 * Rewrites the next n bytes of the reply (p borrowed; any split is fine)
 * and hands sink (not NULL) every byte that is decided, in order, each
 * unchanged span in one call: a chunk without cuts or decisions is one
 * call. Held bytes (an undecided item, a partial prefix, a '<' whose kind
 * is not known yet) wait for later chunks. Returns GW_E_UPSTREAM_BAD_REPLY (see
 * above), GW_E_NOMEM, or sink's error; the first error sticks and every
 * later call returns it.
 */
enum gw_err gw_xml_tenant_feed(struct gw_xml_tenant *t, const char *p, size_t n,
			       gw_xml_tenant_sink_fn sink, void *arg) GW_WUR;

/*
 * The end of the reply: GW_OK when it ended in text with every element
 * closed (nothing is held then), else GW_E_UPSTREAM_BAD_REPLY, or the
 * stuck error. Nothing is left to hand on, so sink is not called today
 * (it is taken so that a later rule may hold bytes to the end). Feeding
 * after finish returns GW_E_INTERNAL.
 */
enum gw_err gw_xml_tenant_finish(struct gw_xml_tenant *t, gw_xml_tenant_sink_fn sink,
				 void *arg) GW_WUR;

/* Frees t and what it holds; NULL is fine. */
void gw_xml_tenant_free(struct gw_xml_tenant *t);

/*
 * The whole reply (xml, len bytes, borrowed) rewritten and appended to out
 * (caller-owned, initialised). On error out is as it was. Errors as
 * gw_xml_tenant_new and _feed, and out's GW_E_TOO_LARGE.
 */
enum gw_err gw_xml_tenant_rewrite(const char *prefix, const char *xml, size_t len,
				  size_t max_item_bytes, struct gw_buf *out) GW_WUR;

#endif
