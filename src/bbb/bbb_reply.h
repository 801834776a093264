/*
 * bbb_reply.h - a BBB reply as the gateway holds it once converted: the
 * envelope (returncode, messageKey, message), the body as JSON text and
 * the older <errors> list, and the envelope rules that do not depend on
 * the reply's format.
 */
#ifndef GW_BBB_REPLY_H
#define GW_BBB_REPLY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "compiler.h"
#include "err.h"

/* A converted BBB reply. */
struct gw_bbb_reply {
	bool success;      /* <returncode> was SUCCESS */
	char *message_key; /* owned; NULL when absent or empty */
	char *message;     /* owned; NULL when absent or empty */
	/*
	 * Owned (malloc), NUL-terminated compact JSON text of one object: every
	 * child of <response> other than returncode, messageKey, message and
	 * errors, typed by the element table. On SUCCESS with a non-empty
	 * messageKey it also holds "warning": {"messageKey", "message"}. Never
	 * NULL after success. Read it parsed with gw_bbb_reply_body_json.
	 */
	char *body;
	size_t body_len;
	/*
	 * Owned. The older failure shape <errors><error><key/><message/></error>
	 * (or attributes key=, message=) as [{"key","message"}, ...]; NULL when
	 * the reply had no <errors>. When present and message_key is NULL,
	 * message_key/message are copied from the first error.
	 */
	json_t *errors;
	json_t *body_json; /* private: the parsed body, cached by gw_bbb_reply_body_json */
};

/* Releases what a reply owns; the struct itself is the caller's. */
void gw_bbb_reply_deinit(struct gw_bbb_reply *r);

/*
 * The body parsed with jansson, for the few handlers that read a member
 * (borrowed: lives until the reply is deinit'ed or its body taken; a change
 * made through it is not written back to r->body). Parsed once and cached.
 * NULL when there is no body or on OOM.
 */
json_t *gw_bbb_reply_body_json(struct gw_bbb_reply *r);

/*
 * Moves the body text out: returns it (caller frees with free()) and its
 * length in *len; the reply holds no body afterwards. NULL when there is none.
 */
char *gw_bbb_reply_take_body(struct gw_bbb_reply *r, size_t *len);

/*
 * Makes body (an object; stolen, also on failure) the reply's body: adds
 * the warning (gw_bbb_reply_add_warning) and writes the text. GW_E_NOMEM.
 */
enum gw_err gw_bbb_reply_set_body_json(struct gw_bbb_reply *r, json_t *body) GW_WUR;

/*
 * With no top-level messageKey, the first entry of errors stands in for it
 * (messageKey and message copied from it). GW_E_NOMEM.
 */
enum gw_err gw_bbb_reply_promote_first_error(struct gw_bbb_reply *r) GW_WUR;

/* True on SUCCESS with a messageKey: the body then carries "warning". */
bool gw_bbb_reply_has_warning(const struct gw_bbb_reply *r);

/*
 * When gw_bbb_reply_has_warning, adds "warning": {"messageKey", "message"}
 * to body (borrowed, an object). GW_E_NOMEM.
 */
enum gw_err gw_bbb_reply_add_warning(const struct gw_bbb_reply *r, json_t *body) GW_WUR;

/*
 * When gw_bbb_reply_has_warning, appends the warning's value,
 * {"messageKey":...,"message":...}, as JSON text to out. GW_E_TOO_LARGE,
 * GW_E_NOMEM, GW_E_PARSE for text that is not UTF-8.
 */
enum gw_err gw_bbb_reply_write_warning(const struct gw_bbb_reply *r, struct gw_buf *out) GW_WUR;

#endif
