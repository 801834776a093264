/*
 * bbb_merge.h - the converted list replies of several BBB servers
 * (getMeetings, getRecordings, hooks/list) joined into one reply body, as
 * JSON text, without parsing the bodies into trees: the list's items are
 * spliced, the rest of the first body is copied.
 */
#ifndef GW_BBB_MERGE_H
#define GW_BBB_MERGE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "compiler.h"
#include "err.h"

/* An item of the merged list (private to bbb_merge.c). */
struct gw_bbb_merge_item;

/* A top-level member of the first body (private to bbb_merge.c). */
struct gw_bbb_merge_member;

/* A merge in progress; embed it, gw_bbb_merge_init, add the bodies, finish, deinit. */
struct gw_bbb_merge {
	/* private */
	const char *key; /* the list member */
	size_t key_len;
	bool page; /* cut a page after ordering by startTime, then recordID */
	long long offset, limit;
	enum gw_err err;
	size_t bodies;
	struct gw_bbb_merge_member *members; /* the first body's */
	size_t n_members, cap_members;
	struct gw_bbb_merge_item *items;
	size_t n_items, cap_items;
	struct gw_buf missing; /* "incomplete"'s JSON strings, ',' between them */
	size_t n_missing;
};

/*
 * Starts a merge of the list member key (borrowed, a name that needs no
 * escaping, e.g. "meetings"). With limit >= 0 the merged list is ordered
 * by startTime, then recordID (as getRecordings pages), and only
 * [offset, offset + limit) of it is kept, with "pagination" telling the
 * page and the merged total.
 */
void gw_bbb_merge_init(struct gw_bbb_merge *m, const char *key, long long offset, long long limit);

/*
 * Adds one server's converted body (borrowed until gw_bbb_merge_deinit):
 * a compact JSON object with unique names, as xml2json writes it. The
 * first body added is the merged reply's frame; the list items of each
 * follow those of the bodies added before it. A body that is not an
 * object is left out, as if its server had not answered. An error
 * (GW_E_NOMEM) is kept for gw_bbb_merge_finish.
 */
void gw_bbb_merge_add(struct gw_bbb_merge *m, const char *body, size_t len);

/* Names server (borrowed) in "incomplete": its part of the list is missing. GW_E_NOMEM. */
enum gw_err gw_bbb_merge_missing(struct gw_bbb_merge *m, const char *server) GW_WUR;

/* True when a body was added (and kept). */
bool gw_bbb_merge_any(const struct gw_bbb_merge *m);

/*
 * The merged body: the first body with its list holding every body's
 * items (or the page of them), "totalElements" (when the first body has
 * it) the merged count, "warning" dropped when the list is not empty, and
 * "incomplete": [servers] when a server was named missing. *out (caller
 * frees with free()) and *len written on success. GW_E_NOT_FOUND when no
 * body was added, GW_E_NOMEM, GW_E_TOO_LARGE.
 */
enum gw_err gw_bbb_merge_finish(struct gw_bbb_merge *m, char **out, size_t *len) GW_WUR;

/* Releases what the merge holds (not the bodies). */
void gw_bbb_merge_deinit(struct gw_bbb_merge *m);

#endif
