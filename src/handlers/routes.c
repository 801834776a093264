/*
 * routes.c - the API's one const route table {method, pattern, handler,
 * auth, scopes, body, heavy}: which handler answers which path, and what
 * a caller needs to reach it. The HTTP layer matches against it (router.h)
 * once the gateway hands it down (gw_services.routes).
 */
#include "routes.h"

#include "auth.h"
#include "compiler.h"
#include "facade_callbacks.h"
#include "handlers.h"

#define ROUTE(m, p, h, auth, scopes)                                                        \
	{                                                                                   \
		GW_METHOD_##m, p, h, auth, scopes, GW_BODY_JSON, false, false, false, false \
	}
#define HEAVY(m, p, h, auth, scopes)                                                       \
	{                                                                                  \
		GW_METHOD_##m, p, h, auth, scopes, GW_BODY_JSON, true, false, false, false \
	}
#define UPLOAD(m, p, h, auth, scopes)                                                        \
	{                                                                                    \
		GW_METHOD_##m, p, h, auth, scopes, GW_BODY_UPLOAD, true, false, false, false \
	}
#define FORM(m, p, h)                                                                             \
	{                                                                                         \
		GW_METHOD_##m, p, h, GW_ROUTE_PUBLIC, 0, GW_BODY_FORM, false, false, false, false \
	}
/* Routes whose first path parameter is a meetingID (meeting-bound tokens are checked). */
#define MEETING(m, p, h, scopes)                                                               \
	{                                                                                      \
		GW_METHOD_##m, p, h, GW_ROUTE_TOKEN, scopes, GW_BODY_JSON, false, true, false, \
			false                                                                  \
	}
#define MEETING_HEAVY(m, p, h, scopes)                                                        \
	{                                                                                     \
		GW_METHOD_##m, p, h, GW_ROUTE_TOKEN, scopes, GW_BODY_JSON, true, true, false, \
			false                                                                 \
	}
/* The event streams: the token may also come as ?access_token= (EventSource sends no headers). */
#define STREAM(p, h, meeting)                                                                   \
	{                                                                                       \
		GW_METHOD_GET, p, h, GW_ROUTE_TOKEN, GW_SCOPE_EVENTS_READ, GW_BODY_JSON, false, \
			meeting, true, false                                                    \
	}
#define T GW_ROUTE_TOKEN
/* The BBB-compatible API: BBB's paths, authenticated by BBB's checksum in the handler. */
#define BBB(m, p)                                                                                  \
	{                                                                                          \
		GW_METHOD_##m, p, gw_handle_facade, GW_ROUTE_PUBLIC, 0, GW_BODY_BBB, false, false, \
			false, true                                                                \
	}
#define BBB_PATHS(prefix)                                                              \
	BBB(GET, prefix "/bigbluebutton/api"), BBB(GET, prefix "/bigbluebutton/api/"), \
		BBB(GET, prefix "/bigbluebutton/api/{call}"),                          \
		BBB(POST, prefix "/bigbluebutton/api/{call}"),                         \
		BBB(GET, prefix "/bigbluebutton/api/hooks/{call}")

static const struct gw_route routes[] = {
	ROUTE(GET, "/healthz", gw_handle_healthz, GW_ROUTE_PUBLIC, 0),
	ROUTE(GET, "/readyz", gw_handle_readyz, GW_ROUTE_PUBLIC, 0),
	ROUTE(GET, "/metrics", gw_handle_metrics, GW_ROUTE_METRICS, GW_SCOPE_METRICS),
	ROUTE(GET, "/v1/server", gw_handle_server, T, 0),
	ROUTE(GET, "/v1/servers", gw_handle_servers_list, T, GW_SCOPE_SERVERS_ADMIN),
	ROUTE(PATCH, "/v1/servers/{name}", gw_handle_server_patch, T, GW_SCOPE_SERVERS_ADMIN),
	ROUTE(GET, "/v1/openapi.json", gw_handle_openapi, GW_ROUTE_PUBLIC, 0),
	HEAVY(GET, "/v1/meetings", gw_handle_meetings_list, T, GW_SCOPE_MEETINGS_READ),
	HEAVY(POST, "/v1/meetings", gw_handle_meetings_create, T, GW_SCOPE_MEETINGS_CREATE),
	MEETING(GET, "/v1/meetings/{meetingID}", gw_handle_meeting_get, GW_SCOPE_MEETINGS_READ),
	MEETING(GET, "/v1/meetings/{meetingID}/running", gw_handle_meeting_running,
		GW_SCOPE_MEETINGS_READ),
	MEETING(POST, "/v1/meetings/{meetingID}/join", gw_handle_meeting_join,
		GW_SCOPE_MEETINGS_JOIN),
	MEETING(POST, "/v1/meetings/{meetingID}/end", gw_handle_meeting_end, GW_SCOPE_MEETINGS_END),
	MEETING_HEAVY(POST, "/v1/meetings/{meetingID}/documents", gw_handle_meeting_documents,
		      GW_SCOPE_MEETINGS_WRITE),
	MEETING(POST, "/v1/meetings/{meetingID}/chat", gw_handle_meeting_chat,
		GW_SCOPE_MEETINGS_WRITE),
	STREAM("/v1/meetings/{meetingID}/events", gw_handle_meeting_events, true),
	STREAM("/v1/events", gw_handle_events, false),
	ROUTE(POST, "/v1/tokens", gw_handle_tokens_mint, T, GW_SCOPE_TOKENS_MINT),
	/* bbb-webhooks' callbacks: signed with BBB's secret, not a token */
	FORM(POST, "/v1/bbb-events", gw_handle_bbb_events),
	ROUTE(DELETE, "/v1/tokens/{jti}", gw_handle_token_revoke, T, GW_SCOPE_TOKENS_MINT),
	HEAVY(GET, "/v1/recordings", gw_handle_recordings_list, T, GW_SCOPE_RECORDINGS_READ),
	ROUTE(GET, "/v1/recordings/{recordID}", gw_handle_recording_get, T,
	      GW_SCOPE_RECORDINGS_READ),
	HEAVY(PATCH, "/v1/recordings/{recordID}", gw_handle_recording_patch, T,
	      GW_SCOPE_RECORDINGS_WRITE),
	HEAVY(DELETE, "/v1/recordings/{recordID}", gw_handle_recording_delete, T,
	      GW_SCOPE_RECORDINGS_WRITE),
	ROUTE(GET, "/v1/recordings/{recordID}/text-tracks", gw_handle_text_tracks_list, T,
	      GW_SCOPE_RECORDINGS_READ),
	UPLOAD(POST, "/v1/recordings/{recordID}/text-tracks", gw_handle_text_track_upload, T,
	       GW_SCOPE_RECORDINGS_WRITE),
	ROUTE(GET, "/v1/hooks", gw_handle_hooks_list, T, GW_SCOPE_HOOKS),
	ROUTE(POST, "/v1/hooks", gw_handle_hooks_create, T, GW_SCOPE_HOOKS),
	ROUTE(DELETE, "/v1/hooks/{hookID}", gw_handle_hook_delete, T, GW_SCOPE_HOOKS),
	ROUTE(GET, "/v1/legacy/default-config-xml", gw_handle_legacy_default_config, T,
	      GW_SCOPE_MEETINGS_READ),
	ROUTE(POST, "/v1/legacy/config-xml", gw_handle_legacy_set_config, T,
	      GW_SCOPE_MEETINGS_WRITE),
	BBB_PATHS(""),
	BBB_PATHS("/{tenant}"),
	/* BBB's callbacks for the BBB-compatible API's clients (facade_callbacks.h) */
	{GW_METHOD_GET, "/bigbluebutton/gateway/callback/{kind}", gw_handle_facade_callback,
	 GW_ROUTE_PUBLIC, 0, GW_BODY_FORM, false, false, false, true},
	{GW_METHOD_POST, "/bigbluebutton/gateway/callback/{kind}", gw_handle_facade_callback,
	 GW_ROUTE_PUBLIC, 0, GW_BODY_FORM, false, false, false, true},
};

#undef ROUTE
#undef HEAVY
#undef UPLOAD
#undef MEETING
#undef FORM
#undef MEETING_HEAVY
#undef T
#undef BBB
#undef BBB_PATHS

static const struct gw_route_table table = {routes, GW_ARRAY_SIZE(routes)};

const struct gw_route_table *gw_routes_table(void)
{
	return &table;
}
