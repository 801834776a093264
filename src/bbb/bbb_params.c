/*
 * bbb_params.c - the typed parameters of create and join (bbb-api.md
 * §4.1, §4.2) and the conversion of a JSON value to the text BBB expects
 * for one; declared in bbb_api.h. Pure: no exchange, no I/O.
 */
#include "bbb_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "str.h"

#define S GW_PARAM_STRING
#define I GW_PARAM_INT
#define B GW_PARAM_BOOL
#define L GW_PARAM_LIST
#define J GW_PARAM_JSON

/* The two parameter tables are packed, several entries to a line. */
/* clang-format off */

/* create parameters, BBB 2.6 - 3.0 (name, meetingID and metadata are handled apart). */
static const struct gw_bbb_param create_params[] = {
	{"allowModsToEjectCameras", B}, {"allowModsToUnmuteUsers", B},
	{"allowOverrideClientSettingsOnCreateCall", B}, {"allowPromoteGuestToModerator", B},
	{"allowRequestsWithoutSession", B}, {"allowStartStopRecording", B},
	{"attendeePW", S}, {"audioBridge", S}, {"autoStartRecording", B},
	{"bannerColor", S}, {"bannerText", S}, {"breakoutRoomsCaptureNotes", B},
	{"breakoutRoomsCaptureNotesFilename", S}, {"breakoutRoomsCaptureSlides", B},
	{"breakoutRoomsCaptureSlidesFilename", S}, {"breakoutRoomsEnabled", B},
	{"breakoutRoomsPrivateChatEnabled", B}, {"breakoutRoomsRecord", B},
	{"cameraBridge", S}, {"copyright", S}, {"dialNumber", S}, {"disabledFeatures", L},
	{"disabledFeaturesExclude", L}, {"duration", I}, {"endWhenNoModerator", B},
	{"endWhenNoModeratorDelayInMinutes", I}, {"freeJoin", B}, {"groups", J},
	{"guestPolicy", S}, {"isBreakout", B}, {"keepEvents", B},
	{"learningDashboardCleanupDelayInMinutes", I}, {"learningDashboardEnabled", B},
	{"lockSettingsDisableCam", B}, {"lockSettingsDisableMic", B},
	{"lockSettingsDisableNotes", B}, {"lockSettingsDisablePrivateChat", B},
	{"lockSettingsDisablePublicChat", B}, {"lockSettingsHideUserList", B},
	{"lockSettingsHideViewersAnnotation", B}, {"lockSettingsHideViewersCursor", B},
	{"lockSettingsLockOnJoin", B}, {"lockSettingsLockOnJoinConfigurable", B},
	{"loginURL", S}, {"logo", S}, {"logoutURL", S}, {"maxParticipants", I},
	{"maxPinnedCameras", I}, {"meetingCameraCap", I}, {"meetingEndedURL", S},
	{"meetingExpireIfNoUserJoinedInMinutes", I},
	{"meetingExpireWhenLastUserLeftInMinutes", I}, {"meetingKeepEvents", B},
	{"meetingLayout", S}, {"moderatorOnlyMessage", S}, {"moderatorPW", S},
	{"muteOnStart", B}, {"notifyRecordingIsOn", B}, {"parentMeetingID", S},
	{"preUploadedPresentation", S}, {"preUploadedPresentationName", S},
	{"preUploadedPresentationOverrideDefault", B},
	{"presentationUploadExternalDescription", S}, {"presentationUploadExternalUrl", S},
	{"record", B}, {"recordFullDurationMedia", B}, {"screenShareBridge", S},
	{"sequence", I}, {"userCameraCap", I}, {"virtualBackgroundsDisabled", B},
	{"voiceBridge", S}, {"webVoice", S}, {"webcamsOnlyForModerator", B}, {"welcome", S},
};

/* join parameters (fullName, role, password and userdata are handled apart). */
static const struct gw_bbb_param join_params[] = {
	{"auth", B},          {"avatarURL", S},         {"createTime", I},
	{"defaultLayout", S}, {"enforceLayout", S},     {"errorRedirectUrl", S},
	{"excludeFromDashboard", B}, {"guest", B},      {"logoutURL", S},
	{"redirect", B},      {"userID", S},            {"webVoiceConf", S},
	{"webcamBackgroundURL", S},
};

/* clang-format on */

#undef S
#undef I
#undef B
#undef L
#undef J

static const struct gw_bbb_param *find_param(const struct gw_bbb_param *t, size_t n,
					     const char *name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(t[i].name, name) == 0)
			return &t[i];
	}
	return NULL;
}

const struct gw_bbb_param *gw_bbb_create_param(const char *name)
{
	return find_param(create_params, GW_ARRAY_SIZE(create_params), name);
}

const struct gw_bbb_param *gw_bbb_join_param(const char *name)
{
	return find_param(join_params, GW_ARRAY_SIZE(join_params), name);
}

static enum gw_err list_text(json_t *v, char **out)
{
	struct gw_buf b;
	size_t i;
	json_t *e;

	if (json_is_string(v)) {
		*out = strdup(json_string_value(v));
		return *out != NULL ? GW_OK : GW_E_NOMEM;
	}
	if (!json_is_array(v))
		return GW_E_BAD_REQUEST;
	gw_buf_init(&b, GW_MAX_QUERY_BYTES);
	json_array_foreach (v, i, e) {
		enum gw_err err;

		if (!json_is_string(e) || strchr(json_string_value(e), ',') != NULL) {
			gw_buf_deinit(&b);
			return GW_E_BAD_REQUEST;
		}
		err = i > 0 ? gw_buf_append_byte(&b, ',') : GW_OK;
		if (err == GW_OK)
			err = gw_buf_append_str(&b, json_string_value(e));
		if (err != GW_OK) {
			gw_buf_deinit(&b);
			return err == GW_E_NOMEM ? err : GW_E_BAD_REQUEST;
		}
	}
	*out = gw_buf_take(&b, NULL);
	return *out != NULL ? GW_OK : GW_E_NOMEM;
}

static enum gw_err scalar_text(json_t *v, char **out)
{
	char tmp[32];

	if (json_is_string(v)) {
		*out = strdup(json_string_value(v));
	} else if (json_is_integer(v)) {
		snprintf(tmp, sizeof(tmp), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		*out = strdup(tmp);
	} else if (json_is_real(v)) {
		snprintf(tmp, sizeof(tmp), "%.17g", json_real_value(v));
		*out = strdup(tmp);
	} else if (json_is_boolean(v)) {
		*out = strdup(json_is_true(v) ? "true" : "false");
	} else {
		return GW_E_BAD_REQUEST;
	}
	return *out != NULL ? GW_OK : GW_E_NOMEM;
}

enum gw_err gw_bbb_param_text(enum gw_param_type t, bool lenient, json_t *v, char **out)
{
	uint64_t n;

	switch (t) {
	case GW_PARAM_STRING:
		if (!json_is_string(v) && !lenient)
			return GW_E_BAD_REQUEST;
		return scalar_text(v, out);
	case GW_PARAM_INT:
		if (json_is_integer(v) && json_integer_value(v) >= 0)
			return scalar_text(v, out);
		if (json_is_string(v) && gw_str_parse_u64(json_string_value(v), &n) == GW_OK)
			return scalar_text(v, out);
		return GW_E_BAD_REQUEST;
	case GW_PARAM_BOOL:
		if (!json_is_boolean(v))
			return GW_E_BAD_REQUEST;
		return scalar_text(v, out);
	case GW_PARAM_LIST:
		return list_text(v, out);
	case GW_PARAM_JSON:
		*out = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		return *out != NULL ? GW_OK : GW_E_NOMEM;
	}
	return GW_E_BAD_REQUEST;
}

bool gw_bbb_meta_name_ok(const char *name)
{
	const char *p = name;

	if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')))
		return false;
	for (p++; *p != '\0'; p++) {
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '-'))
			return false;
	}
	return p - name <= 200;
}
