/*
 * bbb_reply.c - the converted reply's lifetime and envelope rules (see
 * bbb_reply.h); shared by the XML converter and BBB's JSON replies.
 */
#include "bbb_reply.h"

#include <stdlib.h>
#include <string.h>

void gw_bbb_reply_deinit(struct gw_bbb_reply *r)
{
	free(r->message_key);
	free(r->message);
	json_decref(r->body);
	json_decref(r->errors);
	r->message_key = NULL;
	r->message = NULL;
	r->body = NULL;
	r->errors = NULL;
}

enum gw_err gw_bbb_reply_promote_first_error(struct gw_bbb_reply *r)
{
	json_t *e = json_array_get(r->errors, 0); /* borrowed */
	const char *key;
	const char *msg;

	if (r->message_key != NULL || e == NULL)
		return GW_OK;
	key = json_string_value(json_object_get(e, "key"));
	msg = json_string_value(json_object_get(e, "message"));
	if (key != NULL && key[0] != '\0') {
		r->message_key = strdup(key);
		if (r->message_key == NULL)
			return GW_E_NOMEM;
	}
	if (r->message == NULL && msg != NULL && msg[0] != '\0') {
		r->message = strdup(msg);
		if (r->message == NULL)
			return GW_E_NOMEM;
	}
	return GW_OK;
}

enum gw_err gw_bbb_reply_add_warning(struct gw_bbb_reply *r)
{
	json_t *w;

	if (!r->success || r->message_key == NULL)
		return GW_OK;
	w = json_pack("{s:s, s:s}", "messageKey", r->message_key, "message",
		      r->message != NULL ? r->message : "");
	if (w == NULL)
		return GW_E_NOMEM;
	return json_object_set_new(r->body, "warning", w) == 0 ? GW_OK : GW_E_NOMEM;
}
