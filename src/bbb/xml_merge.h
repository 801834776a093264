/*
 * xml_merge.h - the XML list replies of several BBB servers (getMeetings,
 * getRecordings, hooks/list) joined into one BBB-shaped reply, for the
 * callers that get BBB's XML itself: the BBB-compatible API and
 * Accept: application/xml.
 *
 * Each reply is parsed into a tree (libxml2: no network, no DTD, no
 * entity substitution, libxml2's default size and depth limits); one with
 * a DOCTYPE is not a BBB reply (BBB never sends one). The
 * first successful reply added is the frame: its <response> keeps every
 * child but the list, whose items become those of every reply, in the
 * order added (a page of recordings: ordered by startTime, then
 * recordID). When the merged list has items, the frame's "no items"
 * messageKey and message (noMeetings, noRecordings) go. A page ends the
 * reply with BBB's <pagination> (offset, limit, the merged total), and a
 * merge with missing parts with <incomplete><server>name</server>...
 * </incomplete> before it.
 */
#ifndef GW_XML_MERGE_H
#define GW_XML_MERGE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "compiler.h"
#include "err.h"

/* A merge in progress. Not shared between threads. */
struct gw_xml_merge;

/* What became of one reply given to gw_xml_merge_add. */
enum gw_xml_part {
	GW_XML_PART_ADDED,  /* a SUCCESS reply: its items are in the merge */
	GW_XML_PART_FAILED, /* a FAILED reply (BBB's refusal): left out */
	GW_XML_PART_BAD,    /* not a BBB reply (no XML, no <response>, a DOCTYPE): left out */
	GW_XML_PART_NOMEM,  /* out of memory: the merge cannot finish */
};

/*
 * A merge of the list element list ("meetings", "recordings", "hooks";
 * borrowed, an XML name). With limit >= 0 the merged list is a page:
 * ordered by startTime then recordID, [offset, offset + limit) kept, limit
 * clamped to 1..100 as BBB clamps it. NULL on OOM.
 */
struct gw_xml_merge *gw_xml_merge_new(const char *list, long long offset, long long limit);

void gw_xml_merge_free(struct gw_xml_merge *m);

/*
 * Adds one server's reply (xml, len bytes: copied). With qualify (a
 * server's name) the text of each item's hookID becomes
 * "<qualify>:<text>", the fleet's hook ids.
 */
enum gw_xml_part gw_xml_merge_add(struct gw_xml_merge *m, const char *xml, size_t len,
				  const char *qualify);

/* Names server (copied) in <incomplete>: its part is missing. GW_E_NOMEM. */
enum gw_err gw_xml_merge_missing(struct gw_xml_merge *m, const char *server) GW_WUR;

/* Whether a reply was added (the merge has a frame). */
bool gw_xml_merge_any(const struct gw_xml_merge *m);

/*
 * The merged reply, appended to out (its limit applies: GW_E_TOO_LARGE);
 * out is unchanged on error. Needs a reply added; once only. GW_E_NOMEM,
 * GW_E_INTERNAL without a reply or a second time.
 */
enum gw_err gw_xml_merge_finish(struct gw_xml_merge *m, struct gw_buf *out) GW_WUR;

#endif
