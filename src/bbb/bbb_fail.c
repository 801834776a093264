/*
 * bbb_fail.c - BBB's FAILED replies as the caller's problems: the
 * messageKey -> error mapping (one table, documented in docs/errors.md),
 * BBB's message as the tenant may read it, and the problem written.
 */
#include "bbb_api.h"

#include <string.h>

#include "bbb_reply.h"
#include "config.h"
#include "gw_limits.h"
#include "log.h"
#include "str.h"

/* FAILED messageKeys and what they mean for the caller (docs/errors.md). */
static const struct {
	const char *key;
	enum gw_err err;
} key_errors[] = {
	{"notFound", GW_E_BBB_NOT_FOUND},
	{"invalidMeetingIdentifier", GW_E_BBB_NOT_FOUND},
	{"invalidMeetingId", GW_E_BBB_NOT_FOUND},
	{"noRecordings", GW_E_BBB_NOT_FOUND},
	{"idNotUnique", GW_E_BBB_CONFLICT},
	{"NotUniqueMeetingID", GW_E_BBB_CONFLICT},
	{"nonUniqueVoiceBridge", GW_E_BBB_CONFLICT},
	{"meetingForciblyEnded", GW_E_BBB_CONFLICT},
	{"maxParticipantsReached", GW_E_BBB_CONFLICT},
	{"checksumError", GW_E_BBB_CHECKSUM},
	{"missingParamMeetingID", GW_E_BBB_INVALID_INPUT},
	{"missingParamFullName", GW_E_BBB_INVALID_INPUT},
	{"missingParamRecordID", GW_E_BBB_INVALID_INPUT},
	{"missingParamPublish", GW_E_BBB_INVALID_INPUT},
	{"MissingParam", GW_E_BBB_INVALID_INPUT},
	{"sizeError", GW_E_BBB_INVALID_INPUT},
	{"validationError", GW_E_BBB_INVALID_INPUT},
	{"emptyError", GW_E_BBB_INVALID_INPUT},
	{"invalidPassword", GW_E_BBB_INVALID_INPUT},
	{"Params required", GW_E_BBB_INVALID_INPUT},
	{"mismatchCreateTimeParam", GW_E_BBB_INVALID_INPUT},
	{"mismatchCreateTime", GW_E_BBB_INVALID_INPUT},
	{"parentMeetingIdMissing", GW_E_BBB_INVALID_INPUT},
	{"invalidSharedNotesEditor", GW_E_BBB_INVALID_INPUT},
	{"guestDeniedAccess", GW_E_FORBIDDEN},
	{"nullError", GW_E_BBB_INVALID_INPUT},
	{"missingParamCallbackURL", GW_E_BBB_INVALID_INPUT},
	{"missingParamHookID", GW_E_BBB_INVALID_INPUT},
	{"destroyMissingHook", GW_E_BBB_NOT_FOUND},
	{"noCaptionsFound", GW_E_BBB_NOT_FOUND},
	{"paramError", GW_E_BBB_INVALID_INPUT},
	{"invalidKind", GW_E_BBB_INVALID_INPUT},
	{"invalidLang", GW_E_BBB_INVALID_INPUT},
	{"empty_uploaded_text_track", GW_E_BBB_INVALID_INPUT},
};

enum gw_err gw_bbb_key_error(const char *message_key)
{
	size_t i;

	for (i = 0; message_key != NULL && i < GW_ARRAY_SIZE(key_errors); i++) {
		if (strcmp(key_errors[i].key, message_key) == 0)
			return key_errors[i].err;
	}
	return GW_E_BBB_FAILED;
}

const char *gw_bbb_message(struct gw_exchange *x, const struct gw_bbb_reply *r)
{
	const char *message = r->message;
	const struct gw_tenant *t = x->req.tenant;
	char *out;

	if (t == NULL || message == NULL || strstr(message, t->prefix) == NULL ||
	    (out = gw_arena_strdup(&x->arena, message)) == NULL)
		return message;
	gw_str_remove_all(out, t->prefix);
	return out;
}

void gw_bbb_fail(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	enum gw_err err = gw_bbb_key_error(r->message_key);
	const char *detail = gw_bbb_message(x, r);
	json_t *extra = json_object();

	if (err == GW_E_BBB_CHECKSUM)
		detail = "BBB rejected the gateway's checksum: check bbb.secret and bbb.checksum "
			 "in the gateway's configuration";
	if (extra != NULL) {
		if (r->message_key != NULL)
			json_object_set_new(extra, "messageKey", json_string(r->message_key));
		if (r->message != NULL)
			json_object_set_new(extra, "message", json_string(detail));
		if (r->errors != NULL)
			json_object_set(extra, "errors", r->errors);
	}
	if (r->message_key != NULL)
		x->resp.bbb_message_key = gw_arena_strdup(&x->arena, r->message_key);
	x->resp.message_key = x->resp.bbb_message_key;
	if (err == GW_E_BBB_CHECKSUM || err == GW_E_BBB_FAILED)
		gw_log_warn("BBB call %s failed: %s", x->bbb.name,
			    r->message_key != NULL ? r->message_key : "(no messageKey)");
	gw_response_problem_extra(x, err, detail, NULL, extra);
	json_decref(extra);
}
