/*
 * event.c - the live event's type names (the SSE `event:` field) and the
 * release of what an event owns. An event is a plain struct: its two JSON
 * texts are malloc'd, everything else is inline.
 */
#include <stdlib.h>

#include "compiler.h"
#include "event.h"

/* Indexed by enum gw_event_type; the contract's names, in its order. */
static const char *const names[] = {
	[GW_EV_MEETING_CREATED] = "meeting-created",
	[GW_EV_MEETING_ENDED] = "meeting-ended",
	[GW_EV_USER_JOINED] = "user-joined",
	[GW_EV_USER_LEFT] = "user-left",
	[GW_EV_USER_AUDIO_JOINED] = "user-audio-joined",
	[GW_EV_USER_AUDIO_LEFT] = "user-audio-left",
	[GW_EV_USER_MUTED] = "user-muted",
	[GW_EV_USER_UNMUTED] = "user-unmuted",
	[GW_EV_USER_CAM_STARTED] = "user-cam-started",
	[GW_EV_USER_CAM_STOPPED] = "user-cam-stopped",
	[GW_EV_USER_PRESENTER_ASSIGNED] = "user-presenter-assigned",
	[GW_EV_SCREENSHARE_STARTED] = "screenshare-started",
	[GW_EV_SCREENSHARE_STOPPED] = "screenshare-stopped",
	[GW_EV_RECORDING_STARTED] = "recording-started",
	[GW_EV_RECORDING_STOPPED] = "recording-stopped",
	[GW_EV_RECORDING_READY] = "recording-ready",
};

_Static_assert(GW_ARRAY_SIZE(names) == GW_EV__COUNT, "a name for every event type");

const char *gw_event_type_name(enum gw_event_type t)
{
	if ((unsigned)t >= GW_ARRAY_SIZE(names))
		return NULL;
	return names[t];
}

void gw_event_deinit(struct gw_event *ev)
{
	if (ev == NULL)
		return;
	free(ev->data);
	free(ev->data_pw);
	ev->data = NULL;
	ev->data_len = 0;
	ev->data_pw = NULL;
	ev->data_pw_len = 0;
}
