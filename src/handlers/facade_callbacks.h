/*
 * facade_callbacks.h - the callbacks BBB makes for clients of the
 * BBB-compatible API. A client sets meta_endCallbackUrl or
 * meta_bbb-recording-ready-url at create; BBB would call that URL signed
 * with the BBB server's secret, which the client does not know. So the
 * create sends BBB a URL of the gateway instead, carrying the client's
 * URL and a MAC over it made with the tenant's secret (nothing is stored:
 * any gateway can take the callback, at any time); BBB calls the gateway,
 * and the gateway calls the client: meeting-ended as the plain GET BBB
 * makes, recording-ready with signed_parameters signed with the tenant's
 * secret.
 */
#ifndef GW_FACADE_CALLBACKS_H
#define GW_FACADE_CALLBACKS_H

#include <stdbool.h>

#include "buf.h"
#include "request.h"

/* Which callback a create parameter sets, by its name (meta_ keys without case), or NULL. */
const char *gw_facade_callback_kind(const char *param);

/*
 * Appends to out the gateway's URL that stands for client_url (a callback
 * of kind) of the exchange's tenant. False, with nothing appended, when
 * client_url is not one the gateway may call (bbb.fetch_allow, the fetch
 * policy) or out is full; *why then says which.
 */
bool gw_facade_callback_url(struct gw_exchange *x, const char *kind, const char *client_url,
			    struct gw_buf *out, const char **why);

/* The route BBB calls: /bigbluebutton/gateway/callback/{kind}. */
void gw_handle_facade_callback(struct gw_exchange *x);

#endif
