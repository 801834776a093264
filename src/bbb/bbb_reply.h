/*
 * bbb_reply.h - a BBB reply as the gateway holds it once converted: the
 * envelope (returncode, messageKey, message), the body and the older
 * <errors> list, and the envelope rules that do not depend on the reply's
 * format.
 */
#ifndef GW_BBB_REPLY_H
#define GW_BBB_REPLY_H

#include <jansson.h>
#include <stdbool.h>

#include "compiler.h"
#include "err.h"

/* A converted BBB reply. */
struct gw_bbb_reply {
	bool success;      /* <returncode> was SUCCESS */
	char *message_key; /* owned; NULL when absent or empty */
	char *message;     /* owned; NULL when absent or empty */
	/*
	 * Owned (one reference). Every child of <response> other than
	 * returncode, messageKey and message, typed by the element table. On
	 * SUCCESS with a non-empty messageKey it also holds
	 * "warning": {"messageKey", "message"}. Never NULL after success.
	 */
	json_t *body;
	/*
	 * Owned. The older failure shape <errors><error><key/><message/></error>
	 * (or attributes key=, message=) as [{"key","message"}, ...]; NULL when
	 * the reply had no <errors>. When present and message_key is NULL,
	 * message_key/message are copied from the first error.
	 */
	json_t *errors;
};

/* Releases what a reply owns; the struct itself is the caller's. */
void gw_bbb_reply_deinit(struct gw_bbb_reply *r);

/*
 * With no top-level messageKey, the first entry of errors stands in for it
 * (messageKey and message copied from it). GW_E_NOMEM.
 */
enum gw_err gw_bbb_reply_promote_first_error(struct gw_bbb_reply *r) GW_WUR;

/*
 * On SUCCESS with a messageKey, adds "warning": {"messageKey", "message"}
 * to the body. GW_E_NOMEM.
 */
enum gw_err gw_bbb_reply_add_warning(struct gw_bbb_reply *r) GW_WUR;

#endif
