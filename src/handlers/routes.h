/*
 * routes.h - the API's route table (which handler serves which method and
 * path, with the authentication and scopes it needs). The route types are
 * the HTTP layer's (route.h); this is the one table of them.
 */
#ifndef GW_ROUTES_H
#define GW_ROUTES_H

#include "route.h"

/* The API's routes, in matching order. Static; never NULL. */
const struct gw_route_table *gw_routes_table(void);

#endif
