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
void gw_handle_servers_list(struct gw_exchange *x);
void gw_handle_server_patch(struct gw_exchange *x);
/* Fills extra's per-server series from the fleet (handler_servers.c). */
struct gw_fleet;
struct gw_metrics_extra;
void gw_servers_metrics(struct gw_fleet *f, struct gw_metrics_extra *extra);
/*
 * True when f (may be NULL: false) has several servers and one that is not
 * disabled answered its last poll and has its own breaker closed: the
 * fleet answers, whatever its first server does (handler_servers.c).
 */
bool gw_servers_answering(struct gw_fleet *f);
void gw_handle_metrics(struct gw_exchange *x);

/* handler_docs.c */
void gw_handle_openapi(struct gw_exchange *x);

/* handler_meetings.c */
void gw_handle_meetings_list(struct gw_exchange *x);
void gw_handle_meetings_create(struct gw_exchange *x);
void gw_handle_meeting_get(struct gw_exchange *x);
void gw_handle_meeting_running(struct gw_exchange *x);
void gw_handle_meeting_join(struct gw_exchange *x);
void gw_handle_meeting_end(struct gw_exchange *x);
void gw_handle_meeting_documents(struct gw_exchange *x);
void gw_handle_meeting_chat(struct gw_exchange *x);

/* handler_recordings.c */
void gw_handle_recordings_list(struct gw_exchange *x);
void gw_handle_recording_get(struct gw_exchange *x);
void gw_handle_recording_patch(struct gw_exchange *x);
void gw_handle_recording_delete(struct gw_exchange *x);
void gw_handle_text_tracks_list(struct gw_exchange *x);
void gw_handle_text_track_upload(struct gw_exchange *x);

/* handler_hooks.c */
void gw_handle_bbb_events(struct gw_exchange *x);

/* handler_stream.c */
void gw_handle_events(struct gw_exchange *x);
void gw_handle_meeting_events(struct gw_exchange *x);

void gw_handle_tokens_mint(struct gw_exchange *x);
void gw_handle_token_revoke(struct gw_exchange *x);

void gw_handle_hooks_list(struct gw_exchange *x);
void gw_handle_hooks_create(struct gw_exchange *x);
void gw_handle_hook_delete(struct gw_exchange *x);

/* handler_legacy.c */
void gw_handle_legacy_default_config(struct gw_exchange *x);
void gw_handle_legacy_set_config(struct gw_exchange *x);

/* handler_facade.c: the BBB-compatible API (/bigbluebutton/api/<call>, /<tenant>/...) */
void gw_handle_facade(struct gw_exchange *x);

#endif
