/*
 * bbb_calls.c - the table of BBB calls (bbb_calls.h). One line per call;
 * a test keeps it sorted and unique and checks that every call a handler
 * makes is here. Idempotent calls are the read-only ones, plus create,
 * which BBB answers for an existing meetingID with the meeting as it is.
 */
#include "bbb_calls.h"

#include <string.h>

#define GET GW_BBB_GET
#define POST GW_BBB_POST
#define EITHER GW_BBB_GET_OR_POST
#define XML GW_BBB_REPLY_XML
#define JSON GW_BBB_REPLY_JSON
#define RAW GW_BBB_REPLY_RAW
#define SUM GW_BBB_SIGN_CHECKSUM
#define HOOKS GW_BBB_SIGN_HOOKS
#define NONE GW_BBB_SIGN_NONE
#define FORM GW_BBB_SIGN_FORM
/* One entry; the metric label is the call's name (both apiRoot entries count as "apiRoot"). */
#define E(id, name, method, reply, signing, idempotent, probe) \
	[GW_BBB_CALL_##id] = {name, name, method, reply, signing, idempotent, probe}

const struct gw_bbb_call_def gw_bbb_calls[GW_BBB_N_CALLS] = {
	/* id                     name                      method  reply signing idem   probe */
	E(apiRoot, "apiRoot", GET, XML, NONE, true, false),
	E(apiRoot_probe, "apiRoot", GET, XML, NONE, true, true),
	E(create, "create", EITHER, XML, SUM, true, false),
	E(deleteRecordings, "deleteRecordings", GET, XML, SUM, false, false),
	E(end, "end", GET, XML, SUM, false, false),
	E(getDefaultConfigXML, "getDefaultConfigXML", GET, RAW, SUM, true, false),
	E(getMeetingInfo, "getMeetingInfo", GET, XML, SUM, true, false),
	E(getMeetings, "getMeetings", GET, XML, SUM, true, false),
	E(getRecordingTextTracks, "getRecordingTextTracks", GET, JSON, SUM, true, false),
	E(getRecordings, "getRecordings", GET, XML, SUM, true, false),
	E(hooks_create, "hooks/create", GET, XML, HOOKS, false, false),
	E(hooks_destroy, "hooks/destroy", GET, XML, HOOKS, false, false),
	E(hooks_list, "hooks/list", GET, XML, HOOKS, true, false),
	E(insertDocument, "insertDocument", POST, XML, SUM, false, false),
	E(isMeetingRunning, "isMeetingRunning", GET, XML, SUM, true, false),
	/* never called by the gateway: join's signed URL goes to the browser */
	E(join, "join", GET, XML, SUM, false, false),
	E(publishRecordings, "publishRecordings", GET, XML, SUM, false, false),
	E(putRecordingTextTrack, "putRecordingTextTrack", POST, JSON, SUM, false, false),
	E(sendChatMessage, "sendChatMessage", GET, XML, SUM, false, false),
	E(setConfigXML, "setConfigXML", POST, XML, FORM, false, false),
	E(updateRecordings, "updateRecordings", GET, XML, SUM, false, false),
};

size_t gw_bbb_call_labels(const char **out, size_t max)
{
	size_t n = 0;
	size_t i;
	size_t k;

	for (i = 0; i < GW_BBB_N_CALLS; i++) {
		const char *l = gw_bbb_calls[i].label;

		for (k = 0; k < i && strcmp(gw_bbb_calls[k].label, l) != 0; k++)
			;
		if (k < i)
			continue;
		if (n < max)
			out[n] = l;
		n++;
	}
	return n;
}
