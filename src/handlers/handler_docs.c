/*
 * handler_docs.c - serves the OpenAPI 3.1 document of this API. The
 * document is docs/openapi.json, compiled in at build time by
 * scripts/embed.py (compact, as gw_openapi_json), so the binary always
 * serves the description of the routes it was built with. Public: no
 * token, no BBB call.
 */
#include "handlers.h"
#include "openapi_json.h"

void gw_handle_openapi(struct gw_exchange *x)
{
	gw_response_raw(x, 200, "application/json; charset=utf-8", gw_openapi_json,
			gw_openapi_json_len);
}
