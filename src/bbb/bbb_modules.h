/*
 * bbb_modules.h - the <modules> XML body BBB takes on create and
 * insertDocument: presentation documents by URL or inline base64 content.
 */
#ifndef GW_BBB_MODULES_H
#define GW_BBB_MODULES_H

#include <jansson.h>

#include "bbb_query.h"
#include "buf.h"

/*
 * Appends <modules><module name="presentation">...</module></modules> for
 * a JSON array of documents to out:
 *   {"url", "filename"?, "current"?, "downloadable"?, "removable"?}  or
 *   {"filename", "content" (base64), "current"?, ...}
 * A document url must pass gw_fetch_policy_check() with the allow list
 * (n_allow entries, borrowed: bbb.fetch_allow), since BBB fetches it.
 * Validation errors (field "<member>[i].<key>") go to qb; out is then
 * unusable. member names the JSON member in errors ("presentations").
 */
void gw_bbb_modules_xml(struct gw_query *qb, json_t *docs, const char *member, char *const *allow,
			size_t n_allow, struct gw_buf *out);

#endif
