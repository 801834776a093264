/*
 * handler_recordings.c - recordings and their text tracks: list with
 * filters and paging, one recording, PATCH (publish and/or metadata, then
 * the updated recording, as chained BBB calls), delete, caption tracks
 * (BBB answers JSON) and caption uploads (multipart passed on with only
 * the file part; kind, lang and label go into the signed URL).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "bbb_api.h"
#include "bbb_query.h"
#include "binding.h"
#include "crypto.h"
#include "handlers.h"
#include "multipart.h"
#include "str.h"
#include "tenant.h"
#include "xml2json.h"

static const char *path_record_id(struct gw_exchange *x)
{
	return x->req.params[0];
}

static void finish_body(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	gw_bbb_respond_body(x, 200, r);
}

static bool state_ok(const char *list)
{
	static const char *const states[] = {"processing",  "processed", "published",
					     "unpublished", "deleted",   "any"};
	char item[32];
	const char *p = list;

	while (*p != '\0') {
		size_t n = strcspn(p, ",");
		size_t i;
		bool ok = false;

		if (n == 0 || n >= sizeof(item))
			return false;
		memcpy(item, p, n);
		item[n] = '\0';
		for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
			ok = ok || strcmp(item, states[i]) == 0;
		if (!ok)
			return false;
		p += n;
		if (*p == ',')
			p++;
	}
	return true;
}

/* A meetingID filter (BBB takes a comma list) as BBB knows the tenant's meetings. */
static void meeting_filter(struct gw_exchange *x, struct gw_query *qb, const char *ids)
{
	const struct gw_tenant *t = gw_tenant_of(x);
	struct gw_buf b;

	if (t == NULL) {
		gw_query_add(qb, "meetingID", ids);
		return;
	}
	gw_buf_init(&b, GW_MAX_QUERY_BYTES);
	while (ids != NULL && qb->err == GW_OK) {
		size_t n = strcspn(ids, ",");

		if ((b.len > 0 && gw_buf_append(&b, ",", 1) != GW_OK) ||
		    gw_buf_append(&b, t->prefix, t->prefix_len) != GW_OK ||
		    gw_buf_append(&b, ids, n) != GW_OK)
			gw_query_fail(qb, GW_E_TOO_LARGE, "meetingID", "Too many meetingIDs");
		ids = ids[n] == ',' ? ids + n + 1 : NULL;
	}
	gw_query_add(qb, "meetingID", gw_buf_str(&b));
	gw_buf_deinit(&b);
}

/* A tenant sees the recordings of its own meetings: BBB filters them by the tenant's metadata. */
static void tenant_filter(struct gw_exchange *x, struct gw_query *qb)
{
	const struct gw_tenant *t = gw_tenant_of(x);

	if (t != NULL)
		gw_query_add(qb, "meta_" GW_TENANT_META, t->name);
}

/* The longest metadata key BBB keeps (gw_bbb_meta_name_ok), with its NUL. */
#define META_KEY_MAX 201

/*
 * The metadata key of a recordings filter into key (META_KEY_MAX bytes):
 * "meta.<key>", or "meta[<key>]" as deepObject serialisers (openapi-fetch's
 * default) write an object parameter. Returns false for any other name;
 * the key is not checked here.
 */
static bool meta_filter_key(const char *name, char key[META_KEY_MAX])
{
	size_t n;

	if (strncmp(name, "meta.", 5) == 0) {
		n = strlen(name + 5);
	} else if (strncmp(name, "meta[", 5) == 0) {
		n = strlen(name + 5);
		if (n == 0 || name[5 + n - 1] != ']')
			return false;
		n--;
	} else {
		return false;
	}
	if (n >= META_KEY_MAX) {
		key[0] = '\0';
		return true;
	}
	memcpy(key, name + 5, n);
	key[n] = '\0';
	return true;
}

/* True when a query parameter before the i-th filters on metadata key (BBB ignores case). */
static bool meta_filter_repeated(const struct gw_request *req, size_t i, const char *key)
{
	char other[META_KEY_MAX];
	size_t j;

	for (j = 0; j < i; j++) {
		if (meta_filter_key(req->query[j].name, other) && strcasecmp(other, key) == 0)
			return true;
	}
	return false;
}

/* The i-th query parameter, a metadata filter on key: sent as meta_<key>. */
static void meta_param(struct gw_exchange *x, struct gw_query *qb, size_t i, const char *key)
{
	const char *name = x->req.query[i].name;
	char pname[META_KEY_MAX + 5];

	if (!gw_bbb_meta_name_ok(key)) {
		gw_query_fail(qb, GW_E_BAD_REQUEST, name,
			      "A metadata key is a letter, then letters, digits and '-' (at most "
			      "200)");
	} else if (gw_tenant_of(x) != NULL && strcasecmp(key, GW_TENANT_META) == 0) {
		gw_query_fail(qb, GW_E_PARAM_DENIED, name,
			      "The gateway filters a tenant's recordings by this key itself");
	} else if (meta_filter_repeated(&x->req, i, key)) {
		gw_query_fail(qb, GW_E_BAD_REQUEST, name,
			      "This metadata key is filtered on twice (meta.<key> and "
			      "meta[<key>] name the same key)");
	} else {
		snprintf(pname, sizeof(pname), "meta_%s", key);
		gw_query_add(qb, pname, x->req.query[i].value);
	}
}

static void list_param(struct gw_exchange *x, struct gw_query *qb, size_t i)
{
	const char *name = x->req.query[i].name;
	const char *value = x->req.query[i].value;
	char key[META_KEY_MAX];
	uint64_t n;
	char detail[160];

	if (strcmp(name, "meetingID") == 0) {
		meeting_filter(x, qb, value);
	} else if (strcmp(name, "recordID") == 0) {
		gw_query_add(qb, name, value);
	} else if (meta_filter_key(name, key)) {
		meta_param(x, qb, i, key);
	} else if (strcmp(name, "state") == 0) {
		if (!state_ok(value))
			gw_query_fail(qb, GW_E_BAD_REQUEST, name,
				      "'state' is a comma list of processing, processed, "
				      "published, unpublished, deleted, or 'any'");
		gw_query_add(qb, name, value);
	} else if (strcmp(name, "offset") == 0 || strcmp(name, "limit") == 0) {
		if (gw_str_parse_u64(value, &n) != GW_OK ||
		    (strcmp(name, "limit") == 0 && (n < 1 || n > 100))) {
			snprintf(detail, sizeof(detail), "'%s' must be %s", name,
				 name[0] == 'l' ? "an integer from 1 to 100"
						: "a non-negative integer");
			gw_query_fail(qb, GW_E_BAD_REQUEST, name, detail);
		}
		gw_query_add(qb, name, value);
	} else {
		snprintf(detail, sizeof(detail),
			 "Unknown query parameter (meetingID, recordID, state, offset, limit, "
			 "meta[<key>] or meta.<key>)");
		gw_query_fail(qb, GW_E_BAD_REQUEST, name, detail);
	}
}

static void finish_list(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	gw_binding_respond_list(x, r, "recordings", "meetingID");
}

/* A bound token's meetingID filter names only its meetings (BBB takes a comma list). */
static bool meeting_filter_allowed(struct gw_exchange *x)
{
	const char *ids = gw_request_query(&x->req, "meetingID");
	char id[GW_MAX_PATH_LEN + 1];

	while (ids != NULL && gw_binding_bound(x)) {
		size_t n = strcspn(ids, ",");

		if (n < sizeof(id)) {
			memcpy(id, ids, n);
			id[n] = '\0';
		}
		if (n >= sizeof(id) || !gw_token_meeting_allowed(x->req.token, id)) {
			gw_response_problem(x, GW_E_MEETING_NOT_ALLOWED,
					    "The token does not allow this meeting", "meetingID");
			return false;
		}
		ids = ids[n] == ',' ? ids + n + 1 : NULL;
	}
	return true;
}

void gw_handle_recordings_list(struct gw_exchange *x)
{
	struct gw_query qb;
	size_t i;

	if (!meeting_filter_allowed(x))
		return;
	gw_query_init(&qb);
	for (i = 0; i < x->req.n_query; i++)
		list_param(x, &qb, i);
	tenant_filter(x, &qb);
	if (gw_request_query(&x->req, "offset") != NULL &&
	    gw_request_query(&x->req, "limit") == NULL)
		gw_query_fail(&qb, GW_E_BAD_REQUEST, "offset", "'offset' needs 'limit'");
	if (!gw_query_failed(x, &qb))
		gw_bbb_request(x, &(struct gw_bbb_req){.call = GW_BBB_CALL(getRecordings),
						       .query = gw_query_str(&qb),
						       .finish = finish_list});
	gw_query_deinit(&qb);
}

/* The recording of the reply whose recordID equals the path's exactly (BBB matches prefixes). */
static json_t *exact_recording(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	json_t *list = json_object_get(gw_bbb_reply_body_json(r), "recordings"); /* borrowed */
	json_t *rec;
	size_t i;

	json_array_foreach (list, i, rec) {
		const char *rid = json_string_value(json_object_get(rec, "recordID"));

		if (rid != NULL && strcmp(rid, path_record_id(x)) == 0)
			/* another meeting's recording does not exist for a bound token */
			return gw_token_meeting_allowed(
				       x->req.token, json_string_value(json_object_get(rec, "meetin"
											    "gID")))
				       ? rec
				       : NULL; /* borrowed */
	}
	return NULL;
}

static void finish_one(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	json_t *rec = exact_recording(x, r);

	if (rec != NULL)
		gw_response_json(x, 200, json_incref(rec));
	else
		gw_response_problem(x, GW_E_BBB_NOT_FOUND, "No recording with that recordID", NULL);
}

/* getRecordings for the path's recordID in any state, answered by r's functions. */
static void fetch_recording(struct gw_exchange *x, struct gw_bbb_req r)
{
	struct gw_query qb;

	gw_query_init(&qb);
	gw_query_add(&qb, "recordID", path_record_id(x));
	gw_query_add(&qb, "state", "any");
	tenant_filter(x, &qb);
	r.call = GW_BBB_CALL(getRecordings);
	r.query = gw_query_str(&qb);
	if (!gw_query_failed(x, &qb))
		gw_bbb_request(x, &r);
	gw_query_deinit(&qb);
}

static void request_one(struct gw_exchange *x)
{
	fetch_recording(x, (struct gw_bbb_req){.finish = finish_one});
}

/*
 * A recordID is a 40-hex-digit meeting hash, '-', and a timestamp: never a
 * list. BBB's recording calls take comma lists, so one with ',' would act
 * on several recordings. Writes the 400 and returns false when it has one.
 */
static bool record_id_single(struct gw_exchange *x)
{
	if (strchr(path_record_id(x), ',') == NULL)
		return true;
	gw_response_problem(x, GW_E_BAD_PATH_PARAM, "A recordID cannot contain ','", NULL);
	return false;
}

/* What a tenant's recording call goes on with once the recording is found to be the tenant's. */
struct tenant_next {
	void (*run)(struct gw_exchange *x);
};

static void guard_found(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	const struct tenant_next *next = gw_bbb_state(x);

	if (exact_recording(x, r) != NULL)
		next->run(x);
	else
		gw_response_problem(x, GW_E_BBB_NOT_FOUND, "No recording with that recordID", NULL);
}

/*
 * True when the call may go on now: no tenant. A tenant's call first asks
 * BBB for the recording among the tenant's (another tenant's does not
 * exist: 404) and then runs next; false then.
 */
static bool tenant_guard(struct gw_exchange *x, const struct tenant_next *next)
{
	if (gw_tenant_of(x) == NULL)
		return true;
	/* next is static: the exchange's state borrows it (no state_free) */
	fetch_recording(x, (struct gw_bbb_req){.finish = guard_found, .state = (void *)next});
	return false;
}

void gw_handle_recording_get(struct gw_exchange *x)
{
	if (record_id_single(x))
		request_one(x);
}

/* PATCH state between chained calls. */
struct patch {
	json_t *metadata; /* owned; NULL when there is nothing to update */
	int published;    /* the value sent to publishRecordings; -1 when not sent */
};

static void patch_free(void *p)
{
	struct patch *st = p;

	if (st != NULL)
		json_decref(st->metadata);
	free(st);
}

static bool meta_key_ok(const char *k)
{
	return gw_bbb_meta_name_ok(k);
}

/*
 * The change was made by the time the recording is read back, so a re-read
 * that misses it (BBB still indexing, or a FAILED reply) answers 200 with
 * what was applied and a warning, never 404: the caller must not retry or
 * report a write that happened as failed.
 */
static void patch_not_read_back(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	struct patch *st = gw_bbb_state(x);
	json_t *out = json_pack("{s:s, s:{s:s, s:s}}", "recordID", path_record_id(x), "warning",
				"messageKey", "notReadBack", "message",
				"The change was applied, but BBB did not return the recording "
				"when it was read back");

	(void)r;
	if (out != NULL && st->published >= 0)
		json_object_set_new(out, "published", json_boolean(st->published));
	if (out != NULL && st->metadata != NULL)
		json_object_set(out, "metadata", st->metadata);
	gw_response_json(x, 200, out);
}

static void finish_patched(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	json_t *rec = exact_recording(x, r);

	if (rec != NULL)
		gw_response_json(x, 200, json_incref(rec));
	else
		patch_not_read_back(x, r);
}

/*
 * The read-back itself broke down (BBB unreachable, too slow, an HTTP
 * error): the publish/update before it succeeded, so the answer is still
 * that the change was applied.
 */
static void patch_read_back_done(struct gw_exchange *x, int status)
{
	if (status >= 500)
		patch_not_read_back(x, NULL);
}

static void patch_fetch(struct gw_exchange *x)
{
	fetch_recording(x, (struct gw_bbb_req){.finish = finish_patched,
					       .on_failed = patch_not_read_back,
					       .completed = patch_read_back_done});
}

static void patch_then_fetch(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	(void)r;
	patch_fetch(x);
}

/* Sends updateRecordings; st is the PATCH's state when this is its first call, else NULL. */
static void start_update(struct gw_exchange *x, json_t *metadata, struct patch *st)
{
	struct gw_query qb;
	char name[256];
	const char *key;
	json_t *v;

	gw_query_init(&qb);
	gw_query_add(&qb, "recordID", path_record_id(x));
	json_object_foreach (metadata, key, v) {
		snprintf(name, sizeof(name), "meta_%s", key);
		/* BBB deletes a key given an empty value. */
		gw_query_add(&qb, name, json_is_null(v) ? "" : json_string_value(v));
	}
	if (!gw_query_failed(x, &qb))
		gw_bbb_request(x, &(struct gw_bbb_req){.call = GW_BBB_CALL(updateRecordings),
						       .query = gw_query_str(&qb),
						       .finish = patch_then_fetch,
						       .state = st,
						       .state_free = patch_free});
	else
		patch_free(st);
	gw_query_deinit(&qb);
}

static void patch_update(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	struct patch *st = gw_bbb_state(x);

	(void)r;
	if (st != NULL && st->metadata != NULL)
		start_update(x, st->metadata, NULL);
	else
		patch_fetch(x);
}

/* Validates the PATCH body; fills published (-1 absent) and metadata (borrowed). */
static bool patch_body(struct gw_exchange *x, json_t *body, int *published, json_t **metadata)
{
	struct gw_query qb;
	const char *key;
	json_t *v;
	json_t *mv;
	char field[300];

	*published = -1;
	*metadata = NULL;
	gw_query_init(&qb);
	json_object_foreach (body, key, v) {
		if (strcmp(key, "published") == 0 && json_is_boolean(v)) {
			*published = json_is_true(v);
		} else if (strcmp(key, "metadata") == 0 && json_is_object(v) &&
			   json_object_size(v)) {
			*metadata = v;
		} else {
			gw_query_fail(&qb, GW_E_BAD_REQUEST, key,
				      "Only 'published' (boolean) and 'metadata' (non-empty object "
				      "of strings or null) can be changed");
		}
	}
	json_object_foreach (*metadata, key, mv) {
		snprintf(field, sizeof(field), "metadata.%s", key);
		if (!meta_key_ok(key))
			gw_query_fail(&qb, GW_E_BAD_REQUEST, field, "Not a key BBB keeps");
		else if (!json_is_string(mv) && !json_is_null(mv))
			gw_query_fail(&qb, GW_E_BAD_REQUEST, field, "Must be a string or null");
	}
	if (qb.err == GW_OK && *published < 0 && *metadata == NULL)
		gw_query_fail(&qb, GW_E_BAD_REQUEST, NULL, "Nothing to change");
	if (gw_query_failed(x, &qb)) {
		gw_query_deinit(&qb);
		return false;
	}
	gw_query_deinit(&qb);
	return true;
}

static void patch_run(struct gw_exchange *x);
static const struct tenant_next patch_next = {patch_run};

void gw_handle_recording_patch(struct gw_exchange *x)
{
	json_t *body = NULL;
	json_t *metadata;
	int published;

	if (!gw_binding_unbound_only(x) || !record_id_single(x))
		return;
	/* the body is checked before BBB is asked anything */
	if (gw_request_json_object(x, true, &body) != GW_OK)
		return;
	if (patch_body(x, body, &published, &metadata) && tenant_guard(x, &patch_next))
		patch_run(x);
	json_decref(body);
}

static void patch_run(struct gw_exchange *x)
{
	json_t *body = NULL;
	json_t *metadata;
	struct patch *st;
	struct gw_query qb;
	int published;

	if (gw_request_json_object(x, true, &body) != GW_OK)
		return;
	if (!patch_body(x, body, &published, &metadata))
		goto out;
	if (metadata != NULL && gw_tenant_of(x) != NULL &&
	    json_object_get(metadata, GW_TENANT_META) != NULL) {
		gw_response_problem(x, GW_E_PARAM_DENIED, "The gateway keeps this key itself",
				    "metadata." GW_TENANT_META);
		goto out;
	}
	st = calloc(1, sizeof(*st));
	if (st == NULL) {
		gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
		goto out;
	}
	st->metadata = json_incref(metadata);
	st->published = published;
	if (published < 0) {
		start_update(x, metadata, st);
		goto out;
	}
	gw_query_init(&qb);
	gw_query_add(&qb, "recordID", path_record_id(x));
	gw_query_add(&qb, "publish", published ? "true" : "false");
	if (!gw_query_failed(x, &qb))
		gw_bbb_request(x, &(struct gw_bbb_req){.call = GW_BBB_CALL(publishRecordings),
						       .query = gw_query_str(&qb),
						       .finish = patch_update,
						       .state = st,
						       .state_free = patch_free});
	else
		patch_free(st);
	gw_query_deinit(&qb);
out:
	json_decref(body);
}

static void finish_deleted(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	(void)r;
	gw_response_json(x, 200,
			 json_pack("{s:s, s:b}", "recordID", path_record_id(x), "deleted", 1));
}

static void delete_run(struct gw_exchange *x);
static const struct tenant_next delete_next = {delete_run};

void gw_handle_recording_delete(struct gw_exchange *x)
{
	if (gw_binding_unbound_only(x) && record_id_single(x) && tenant_guard(x, &delete_next))
		delete_run(x);
}

static void delete_run(struct gw_exchange *x)
{
	struct gw_query qb;

	gw_query_init(&qb);
	gw_query_add(&qb, "recordID", path_record_id(x));
	if (!gw_query_failed(x, &qb))
		gw_bbb_request(x, &(struct gw_bbb_req){.call = GW_BBB_CALL(deleteRecordings),
						       .query = gw_query_str(&qb),
						       .finish = finish_deleted});
	gw_query_deinit(&qb);
}

/* noCaptionsFound: the recording exists and has no tracks, an empty list. */
static void tracks_failed(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	if (r->message_key != NULL && strcmp(r->message_key, "noCaptionsFound") == 0) {
		gw_response_json(x, 200, json_pack("{s:[]}", "tracks"));
		return;
	}
	gw_bbb_fail(x, r);
}

static void finish_tracks(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	json_t *body = gw_bbb_reply_body_json(r); /* borrowed */

	if (body == NULL) {
		gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
		return;
	}
	if (json_is_array(json_object_get(body, "tracks"))) {
		finish_body(x, r);
		return;
	}
	json_object_set_new(body, "tracks", json_array());
	gw_response_json(x, 200, json_incref(body));
}

static void tracks_run(struct gw_exchange *x);
static const struct tenant_next tracks_next = {tracks_run};

void gw_handle_text_tracks_list(struct gw_exchange *x)
{
	if (gw_binding_unbound_only(x) && tenant_guard(x, &tracks_next))
		tracks_run(x);
}

static void tracks_run(struct gw_exchange *x)
{
	struct gw_query qb;

	gw_query_init(&qb);
	gw_query_add(&qb, "recordID", path_record_id(x));
	if (!gw_query_failed(x, &qb))
		gw_bbb_request(x, &(struct gw_bbb_req){.call = GW_BBB_CALL(getRecordingTextTracks),
						       .query = gw_query_str(&qb),
						       .finish = finish_tracks,
						       .on_failed = tracks_failed});
	gw_query_deinit(&qb);
}

static void finish_upload(struct gw_exchange *x, struct gw_bbb_reply *r)
{
	(void)r;
	gw_response_json(x, 202,
			 json_pack("{s:s, s:s}", "recordID", path_record_id(x), "status",
				   "accepted"));
}

/* kind, lang, label: a form field wins over the query string. */
static const char *upload_field(struct gw_exchange *x, const struct gw_multipart *mp,
				const char *name)
{
	const struct gw_part *p = gw_multipart_find(mp, name);

	if (p != NULL && p->filename == NULL)
		return p->value;
	return gw_request_query(&x->req, name);
}

static void upload_query(struct gw_exchange *x, const struct gw_multipart *mp, struct gw_query *qb)
{
	const char *kind = upload_field(x, mp, "kind");
	const char *lang = upload_field(x, mp, "lang");
	const char *label = upload_field(x, mp, "label");

	if (kind == NULL || (strcmp(kind, "subtitles") != 0 && strcmp(kind, "captions") != 0))
		gw_query_fail(qb, GW_E_BAD_REQUEST, "kind",
			      "'kind' must be \"subtitles\" or \"captions\"");
	if (lang == NULL || *lang == '\0' || strlen(lang) > 35)
		gw_query_fail(qb, GW_E_BAD_REQUEST, "lang", "'lang' (e.g. \"en-US\") is required");
	gw_query_add(qb, "recordID", path_record_id(x));
	gw_query_add(qb, "kind", kind != NULL ? kind : "");
	gw_query_add(qb, "lang", lang != NULL ? lang : "");
	if (label != NULL)
		gw_query_add(qb, "label", label);
}

static void upload_run(struct gw_exchange *x);
static const struct tenant_next upload_next = {upload_run};

void gw_handle_text_track_upload(struct gw_exchange *x)
{
	if (!gw_binding_unbound_only(x))
		return;
	if (!gw_str_media_type_is(x->req.content_type, "multipart/form-data")) {
		gw_response_problem(x, GW_E_UNSUPPORTED_MEDIA_TYPE,
				    "Upload the track as multipart/form-data with a 'file' part",
				    NULL);
		return;
	}
	if (tenant_guard(x, &upload_next))
		upload_run(x);
}

static void upload_run(struct gw_exchange *x)
{
	struct gw_multipart mp;
	struct gw_query qb;
	const struct gw_part *file;
	char *body = NULL;
	size_t len = 0;
	char ctype[128];
	enum gw_err err;

	err = gw_multipart_parse(x->req.content_type, x->req.body, x->req.body_len, &mp);
	if (err != GW_OK) {
		gw_response_problem(x, GW_E_BAD_REQUEST, "Malformed multipart/form-data body",
				    NULL);
		return;
	}
	gw_query_init(&qb);
	file = gw_multipart_find(&mp, "file");
	if (file == NULL || file->len == 0)
		gw_query_fail(&qb, GW_E_BAD_REQUEST, "file", "A non-empty 'file' part is required");
	upload_query(x, &mp, &qb);
	if (qb.err == GW_OK)
		err = gw_multipart_build_file(file, &body, &len, ctype, sizeof(ctype));
	if (qb.err == GW_OK && err != GW_OK)
		gw_query_fail(&qb, err, "file", "The upload could not be re-encoded");
	if (!gw_query_failed(x, &qb)) {
		gw_bbb_request(x, &(struct gw_bbb_req){.call = GW_BBB_CALL(putRecordingTextTrack),
						       .query = gw_query_str(&qb),
						       .body = body,
						       .body_len = len,
						       .content_type = ctype,
						       .finish = finish_upload});
		body = NULL;
	}
	free(body);
	gw_query_deinit(&qb);
	gw_multipart_deinit(&mp);
}
