/*
 * bbb_calls.h - the BBB calls the gateway makes, described once: per call
 * its name (as signed), HTTP method, whether it may be sent twice, the kind
 * of reply, how it is signed, whether it is the readiness probe, and its
 * metric label. Handlers name a call by its entry (GW_BBB_CALL(create)),
 * never by a string.
 */
#ifndef GW_BBB_CALLS_H
#define GW_BBB_CALLS_H

#include <stdbool.h>
#include <stddef.h>

enum gw_bbb_method {
	GW_BBB_GET,         /* always GET, never with a body */
	GW_BBB_POST,        /* always POST with a body */
	GW_BBB_GET_OR_POST, /* GET, or POST when the request carries a body (create) */
};

enum gw_bbb_reply_kind {
	GW_BBB_REPLY_XML, /* <response> XML, converted to JSON (raw with Accept: application/xml) */
	GW_BBB_REPLY_JSON, /* {"response": {...}} JSON, or XML on BBB's error paths */
	GW_BBB_REPLY_RAW,  /* any XML document, passed through unchanged; finish is not called */
};

enum gw_bbb_signing {
	GW_BBB_SIGN_CHECKSUM, /* ?query&checksum= with bbb.checksum */
	GW_BBB_SIGN_HOOKS,    /* ?query&checksum= with bbb.hooks_checksum (bbb-webhooks) */
	GW_BBB_SIGN_NONE,     /* the unsigned API root: GET <bbb.url>, no query */
	GW_BBB_SIGN_FORM,     /* query and checksum (bbb.checksum) in a form body (setConfigXML) */
};

struct gw_bbb_call_def {
	const char *name;  /* the call as BBB names it in the checksum, "hooks/list" */
	const char *label; /* the call's metric label (the name, "apiRoot" for the root) */
	enum gw_bbb_method method;
	enum gw_bbb_reply_kind reply;
	enum gw_bbb_signing signing;
	bool idempotent; /* safe to send twice: may be retried after it was sent */
	bool probe;      /* readiness probe: any failure becomes 503 + Retry-After */
};

/*
 * Indexes into gw_bbb_calls, in the table's order (sorted by name, then
 * probe). The suffixes spell BBB's call names so that a handler reads
 * GW_BBB_CALL(getMeetingInfo); '/' becomes '_'.
 */
enum gw_bbb_call_id {
	GW_BBB_CALL_apiRoot,
	GW_BBB_CALL_apiRoot_probe,
	GW_BBB_CALL_create,
	GW_BBB_CALL_deleteRecordings,
	GW_BBB_CALL_end,
	GW_BBB_CALL_getDefaultConfigXML,
	GW_BBB_CALL_getMeetingInfo,
	GW_BBB_CALL_getMeetings,
	GW_BBB_CALL_getRecordingTextTracks,
	GW_BBB_CALL_getRecordings,
	GW_BBB_CALL_hooks_create,
	GW_BBB_CALL_hooks_destroy,
	GW_BBB_CALL_hooks_list,
	GW_BBB_CALL_insertDocument,
	GW_BBB_CALL_isMeetingRunning,
	GW_BBB_CALL_join,
	GW_BBB_CALL_publishRecordings,
	GW_BBB_CALL_putRecordingTextTrack,
	GW_BBB_CALL_sendChatMessage,
	GW_BBB_CALL_setConfigXML,
	GW_BBB_CALL_updateRecordings,
	GW_BBB_N_CALLS
};

/* The table, indexed by enum gw_bbb_call_id. */
extern const struct gw_bbb_call_def gw_bbb_calls[GW_BBB_N_CALLS];

/* The entry of a call, by its name's identifier: GW_BBB_CALL(hooks_list). */
#define GW_BBB_CALL(id) (&gw_bbb_calls[GW_BBB_CALL_##id])

/*
 * Writes the distinct metric labels of the table, in its order, to
 * out[0..max-1] (static strings). Returns how many there are (may exceed max).
 */
size_t gw_bbb_call_labels(const char **out, size_t max);

#endif
