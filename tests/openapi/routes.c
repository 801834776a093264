/*
 * routes.c - prints the gateway's route table (gw_routes_table, from the
 * handlers), one route a line, for the OpenAPI consistency check
 * (check_routes.py):
 *
 *   METHOD<TAB>PATTERN<TAB>AUTH<TAB>SCOPES<TAB>BODY
 *
 * AUTH is public, token or metrics; SCOPES the comma-separated scope names
 * the route needs ("-" for none: public, or any valid token); BODY json or
 * upload (the media type a request body must have).
 */
#include <stdio.h>

#include "auth.h"
#include "request.h"
#include "routes.h"

static const char *auth_name(enum gw_route_auth a)
{
	switch (a) {
	case GW_ROUTE_PUBLIC:
		return "public";
	case GW_ROUTE_TOKEN:
		return "token";
	case GW_ROUTE_METRICS:
		return "metrics";
	}
	return "?";
}

static void print_scopes(unsigned scopes)
{
	unsigned bit;
	int n = 0;

	if (scopes == GW_SCOPE_ALL) {
		fputs("*", stdout);
		return;
	}
	for (bit = 1; bit != 0 && bit <= scopes; bit <<= 1) {
		const char *name;

		if ((scopes & bit) == 0)
			continue;
		name = gw_auth_scope_name(bit);
		printf("%s%s", n++ > 0 ? "," : "", name != NULL ? name : "?");
	}
	if (n == 0)
		fputs("-", stdout);
}

int main(void)
{
	const struct gw_route *r = gw_routes_table()->routes;
	size_t n = gw_routes_table()->n;
	char method[16];
	size_t i;

	for (i = 0; i < n; i++) {
		if (r[i].bbb_api)
			continue; /* BBB's own API, documented by BBB */
		gw_method_list(r[i].method, method, sizeof(method));
		printf("%s\t%s\t%s\t", method, r[i].pattern, auth_name(r[i].auth));
		print_scopes(r[i].auth == GW_ROUTE_METRICS ? GW_SCOPE_METRICS : r[i].scopes);
		printf("\t%s\n", r[i].body == GW_BODY_UPLOAD ? "upload"
				 : r[i].body == GW_BODY_FORM ? "form"
							     : "json");
	}
	return ferror(stdout) ? 1 : 0;
}
