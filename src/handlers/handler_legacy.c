/*
 * handler_legacy.c - getDefaultConfigXML and setConfigXML, for BBB
 * servers older than 2.4 (the Flash client's config.xml). Newer servers
 * do not know these calls; the gateway then answers 501.
 *
 * setConfigXML is the one call BBB takes with its parameters in a form
 * body: the body holds the parameters sorted by name, and the checksum is
 * computed over exactly that body, as BBB's documentation describes (the
 * bbb layer builds it: its table entry is form-signed).
 */
#include <stdlib.h>
#include <string.h>

#include "bbb_api.h"
#include "binding.h"
#include "bbb_query.h"
#include "config.h"
#include "handlers.h"
#include "tenant.h"
#include "xml2json.h"

/* The default config is a <config> document, not a <response>: its call passes it on as is. */
void gw_handle_legacy_default_config(struct gw_exchange *x)
{
	if (!gw_binding_unbound_only(x))
		return;
	gw_bbb_request(x, &(struct gw_bbb_req){.call = GW_BBB_CALL(getDefaultConfigXML)});
}

static void finish_token(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	gw_bbb_respond_body(x, 200, r);
}

/* The parameters sorted by name: bbb_api signs exactly this text into the form body. */
void gw_handle_legacy_set_config(struct gw_exchange *x)
{
	json_t *body = NULL;
	const char *id;
	const char *xml;
	struct gw_query qb;

	if (!gw_binding_unbound_only(x))
		return;
	if (gw_request_json_object(x, true, &body) != GW_OK)
		return;
	if (!gw_request_string(x, body, "meetingID", true, &id) ||
	    !gw_request_string(x, body, "configXML", true, &xml))
		goto out;
	gw_query_init(&qb);
	if (json_object_size(body) != 2)
		gw_query_fail(&qb, GW_E_BAD_REQUEST, NULL, "Only 'meetingID' and 'configXML'");
	if (!gw_config_tenant_id_ok(x->req.cfg, x->req.tenant, id))
		gw_query_fail(&qb, GW_E_PARAM_DENIED, "meetingID",
			      "A meetingID may not start with a tenant's prefix");
	gw_query_add(&qb, "configXML", xml); /* sorted by name */
	gw_tenant_query_meeting(x, &qb, id);
	if (!gw_query_failed(x, &qb))
		gw_bbb_request(x, &(struct gw_bbb_req){.call = GW_BBB_CALL(setConfigXML),
						       .query = gw_query_str(&qb),
						       .finish = finish_token});
	gw_query_deinit(&qb);
out:
	json_decref(body);
}
