/*
 * handler_legacy.c - getDefaultConfigXML and setConfigXML, for BBB
 * servers older than 2.4 (the Flash client's config.xml). Newer servers
 * do not know these calls; the gateway then answers 501.
 *
 * setConfigXML is the one call BBB takes with its parameters in a form
 * body: the body holds the parameters sorted by name, and the checksum is
 * computed over exactly that body, as BBB's documentation describes.
 */
#include <stdlib.h>
#include <string.h>

#include "bbb_api.h"
#include "bbb_query.h"
#include "bbb_sign.h"
#include "config.h"
#include "handlers.h"
#include "xml2json.h"

static void finish_raw(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	(void)r;
	gw_response_raw(x, 200, "application/xml; charset=utf-8", gw_buf_str(&x->up.reply),
			x->up.reply.len);
}

/* The default config is a <config> document, not a <response>: pass it on as is. */
void gw_handle_legacy_default_config(struct gw_exchange *x)
{
	gw_bbb_request(x, "getDefaultConfigXML", "", finish_raw);
	x->bbb.raw_reply = true;
}

static void finish_token(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	gw_bbb_respond_body(x, 200, r);
}

void gw_handle_legacy_set_config(struct gw_exchange *x)
{
	const struct gw_config *cfg = x->req.cfg;
	json_t *body = NULL;
	const char *id;
	const char *xml;
	struct gw_query qb;
	char hex[GW_DIGEST_MAX_HEX];
	char *form;
	size_t len;

	if (gw_request_json_object(x, true, &body) != GW_OK)
		return;
	if (!gw_request_string(x, body, "meetingID", true, &id) ||
	    !gw_request_string(x, body, "configXML", true, &xml))
		goto out;
	gw_query_init(&qb);
	if (json_object_size(body) != 2)
		gw_query_fail(&qb, GW_E_BAD_REQUEST, NULL, "Only 'meetingID' and 'configXML'");
	gw_query_add(&qb, "configXML", xml); /* sorted by name */
	gw_query_add(&qb, "meetingID", id);
	if (qb.err == GW_OK &&
	    gw_bbb_checksum(cfg->checksum, "setConfigXML", gw_query_str(&qb), cfg->bbb_secret,
			    hex) != GW_OK)
		gw_query_fail(&qb, GW_E_INTERNAL, NULL, "Checksum failed");
	if (qb.err == GW_OK && (gw_buf_append_str(&qb.q, "&checksum=") != GW_OK ||
				gw_buf_append_str(&qb.q, hex) != GW_OK))
		gw_query_fail(&qb, GW_E_BODY_TOO_LARGE, "configXML", "configXML is too large");
	if (!gw_query_failed(x, &qb)) {
		form = gw_buf_take(&qb.q, &len);
		gw_bbb_request_plain(x, "setConfigXML", finish_token);
		if (form != NULL)
			gw_bbb_set_body(x, form, len, "application/x-www-form-urlencoded");
		else
			gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
	}
	gw_query_deinit(&qb);
out:
	json_decref(body);
}
