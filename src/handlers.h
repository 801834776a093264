/*
 * handlers.h - the handler functions the route table points at. Each takes
 * a routed, authenticated exchange and either writes the response or asks
 * for a BBB call (see request.h).
 */
#ifndef GW_HANDLERS_H
#define GW_HANDLERS_H

#include "request.h"

/* handler_admin.c */
void gw_handle_healthz(struct gw_exchange *x);
void gw_handle_readyz(struct gw_exchange *x);
void gw_handle_server(struct gw_exchange *x);

/* handler_meetings.c */
void gw_handle_meetings_list(struct gw_exchange *x);
void gw_handle_meetings_create(struct gw_exchange *x);
void gw_handle_meeting_get(struct gw_exchange *x);
void gw_handle_meeting_running(struct gw_exchange *x);
void gw_handle_meeting_join(struct gw_exchange *x);
void gw_handle_meeting_end(struct gw_exchange *x);

#endif
