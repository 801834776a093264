/*
 * event.h - one live meeting event as the gateway relays it (the contract's
 * "Live meeting events"): a type from a fixed list, the meeting it belongs
 * to (BBB's external meetingID) and its `data` as one line of JSON text,
 * already stripped of what a browser must never see (session tokens, IP
 * addresses, user agents, referers, chat and poll contents). The meeting
 * passwords, which only tokens with meetings:passwords may see, are kept
 * apart: data_pw is the same object with them, or NULL when the event has
 * none.
 */
#ifndef GW_EVENT_H
#define GW_EVENT_H

#include <stddef.h>
#include <stdint.h>

enum gw_event_type {
	GW_EV_MEETING_CREATED = 0,
	GW_EV_MEETING_ENDED,
	GW_EV_USER_JOINED,
	GW_EV_USER_LEFT,
	GW_EV_USER_AUDIO_JOINED,
	GW_EV_USER_AUDIO_LEFT,
	GW_EV_USER_MUTED,
	GW_EV_USER_UNMUTED,
	GW_EV_USER_CAM_STARTED,
	GW_EV_USER_CAM_STOPPED,
	GW_EV_USER_PRESENTER_ASSIGNED,
	GW_EV_SCREENSHARE_STARTED,
	GW_EV_SCREENSHARE_STOPPED,
	GW_EV_RECORDING_STARTED,
	GW_EV_RECORDING_STOPPED,
	GW_EV_RECORDING_READY,
	GW_EV__COUNT
};

/* The SSE event name of a type ("meeting-created", ...); NULL out of range. */
const char *gw_event_type_name(enum gw_event_type t);

#define GW_EVENT_MAX_MEETING_ID 256u /* bytes of a meetingID an event may carry */

/* A normalised event; strings owned (malloc) unless said otherwise. */
struct gw_event {
	enum gw_event_type type;
	char meeting_id[GW_EVENT_MAX_MEETING_ID + 1]; /* BBB's external meetingID */
	int64_t time_ms;                              /* BBB's event time, ms since the epoch */
	char *data; /* the JSON object, one line: {"meetingID", "time", ...} */
	size_t data_len;
	char *data_pw; /* with attendeePW/moderatorPW, or NULL: the same as data */
	size_t data_pw_len;
};

/* Frees what an event owns (not the struct). NULL is fine. */
void gw_event_deinit(struct gw_event *ev);

#endif
