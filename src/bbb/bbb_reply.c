/*
 * bbb_reply.c - the converted reply's lifetime and envelope rules (see
 * bbb_reply.h); shared by the XML converter and BBB's JSON replies. The
 * body is kept as JSON text, since most replies go to the client as they
 * are; the handlers that look inside parse it once, on demand.
 */
#include "bbb_reply.h"

#include <stdlib.h>
#include <string.h>

#include "jsonw.h"

void gw_bbb_reply_deinit(struct gw_bbb_reply *r)
{
	free(r->message_key);
	free(r->message);
	free(r->body);
	json_decref(r->errors);
	json_decref(r->body_json);
	r->message_key = NULL;
	r->message = NULL;
	r->body = NULL;
	r->body_len = 0;
	r->errors = NULL;
	r->body_json = NULL;
}

json_t *gw_bbb_reply_body_json(struct gw_bbb_reply *r)
{
	if (r->body_json == NULL && r->body != NULL)
		r->body_json = json_loadb(r->body, r->body_len, 0, NULL);
	return r->body_json;
}

char *gw_bbb_reply_take_body(struct gw_bbb_reply *r, size_t *len)
{
	char *s = r->body;

	*len = r->body_len;
	r->body = NULL;
	r->body_len = 0;
	json_decref(r->body_json);
	r->body_json = NULL;
	return s;
}

enum gw_err gw_bbb_reply_set_body_json(struct gw_bbb_reply *r, json_t *body)
{
	char *text;

	if (body == NULL || gw_bbb_reply_add_warning(r, body) != GW_OK) {
		json_decref(body);
		return GW_E_NOMEM;
	}
	text = json_dumps(body, JSON_COMPACT);
	if (text == NULL) {
		json_decref(body);
		return GW_E_NOMEM;
	}
	free(r->body);
	json_decref(r->body_json);
	r->body = text;
	r->body_len = strlen(text);
	r->body_json = body;
	return GW_OK;
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

bool gw_bbb_reply_has_warning(const struct gw_bbb_reply *r)
{
	return r->success && r->message_key != NULL;
}

enum gw_err gw_bbb_reply_add_warning(const struct gw_bbb_reply *r, json_t *body)
{
	json_t *w;

	if (!gw_bbb_reply_has_warning(r))
		return GW_OK;
	w = json_pack("{s:s, s:s}", "messageKey", r->message_key, "message",
		      r->message != NULL ? r->message : "");
	if (w == NULL)
		return GW_E_NOMEM;
	return json_object_set_new(body, "warning", w) == 0 ? GW_OK : GW_E_NOMEM;
}

enum gw_err gw_bbb_reply_write_warning(const struct gw_bbb_reply *r, struct gw_buf *out)
{
	const char *msg = r->message != NULL ? r->message : "";
	enum gw_err err;

	if (!gw_bbb_reply_has_warning(r))
		return GW_OK;
	err = gw_buf_append_str(out, "{\"messageKey\":");
	if (err == GW_OK)
		err = gw_jsonw_string(out, r->message_key, strlen(r->message_key));
	if (err == GW_OK)
		err = gw_buf_append_str(out, ",\"message\":");
	if (err == GW_OK)
		err = gw_jsonw_string(out, msg, strlen(msg));
	if (err == GW_OK)
		err = gw_buf_append_byte(out, '}');
	return err;
}
