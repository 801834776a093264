/*
 * router.h - route matching against a struct gw_route_table: pattern
 * match, 404/405 with the allowed methods, percent-decoding of path
 * parameters. The pipeline (pipeline.h) matches once per request and
 * keeps the result in the request; everyone else reads req->route.
 */
#ifndef GW_ROUTER_H
#define GW_ROUTER_H

#include <stddef.h>

#include "compiler.h"
#include "err.h"
#include "request.h"
#include "route.h"

/*
 * Matches req's method and raw path against table (borrowed). On GW_OK
 * sets req->route and the decoded path parameters. Otherwise
 * GW_E_NOT_FOUND (no pattern matches the path), GW_E_METHOD_NOT_ALLOWED
 * (the path matches but not the method; *allowed gets the methods that
 * would match) or GW_E_BAD_PATH_PARAM (a parameter is not valid
 * percent-encoded UTF-8; req->route is set, no parameters are).
 */
enum gw_err gw_router_match(const struct gw_route_table *table, struct gw_request *req,
			    unsigned *allowed) GW_WUR;

/*
 * Writes the patterns of table's first max routes into out (borrowed from
 * the table, in table order, so out[i] belongs to gw_router_index i) and
 * returns how many were written.
 */
size_t gw_router_patterns(const struct gw_route_table *table, const char **out, size_t max);

/*
 * The position of route in table (the index gw_router_patterns used), or
 * SIZE_MAX when route is NULL, not in table, or table is NULL.
 */
size_t gw_router_index(const struct gw_route_table *table, const struct gw_route *route);

#endif
