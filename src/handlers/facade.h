/*
 * facade.h - what the BBB-compatible API's files share (handler_facade.c:
 * the calls, the tenant, the checks; facade_query.c: the query towards
 * BBB). Private to them.
 */
#ifndef GW_FACADE_H
#define GW_FACADE_H

#include <stdbool.h>
#include <stddef.h>

#include "bbb_calls.h"
#include "buf.h"
#include "err.h"
#include "request.h"

/* What the gateway does to a call beyond passing it on. */
enum facade_kind {
	K_PLAIN,       /* no meeting or recording named (getMeetings): the reply is filtered */
	K_MEETING,     /* meetingID under the prefix */
	K_CREATE,      /* ... and the create policy, the quota */
	K_JOIN,        /* ... answered with a redirect to BBB's signed join URL */
	K_RECORDINGS,  /* meetingIDs under the prefix, the tenant's recordings only */
	K_RECORD_IDS,  /* recordIDs the tenant must have */
	K_HOOK_CREATE, /* meetingID required, under the prefix */
	K_HOOK_LIST,   /* meetingID under the prefix; the reply is filtered */
	K_HOOK_ID,     /* a hookID the tenant must have */
};

#define GET_OK 1u
#define POST_OK 2u

struct facade_call {
	const char *name; /* as BBB names it, and signs it */
	const struct gw_bbb_call_def *def;
	enum facade_kind kind;
	unsigned methods;
};

/* The query as it goes to BBB, built from the client's, pair by pair. */
struct facade_query {
	struct gw_exchange *x;
	const struct facade_call *call;
	struct gw_buf q;
	enum gw_err err;
	char *bbb_id;  /* the meeting named (under the prefix), in the arena; NULL = none */
	char *ids;     /* K_RECORD_IDS: the recordIDs (decoded, comma list), arena */
	char *hook_id; /* K_HOOK_ID: the hookID (decoded), arena */
	const char *kept[GW_MAX_QUERY_PARAMS]; /* K_CREATE: the names kept, arena */
	size_t n_kept;
};

/*
 * A refusal as BBB words it: FAILED XML with HTTP 200 (BBB's messageKey
 * key and message), or for a join a 302 with errors= as BBB redirects.
 */
void gw_facade_failed(struct gw_exchange *x, enum gw_err err, const char *key, const char *message);

/* Adds name=value (encoded) to the query towards BBB. */
void gw_facade_query_param(struct facade_query *b, const char *name, const char *value);

/*
 * Builds b's query from rest (the client's, without its checksum), pair by
 * pair: meetingIDs under the tenant's prefix, the create policy, the
 * recordings filter, callback URLs re-pointed; false with the refusal
 * written.
 */
bool gw_facade_query_build(struct facade_query *b, const char *rest);

#endif
