/*
 * bbbsim_recapi.c - the recording calls: getRecordings, publishRecordings,
 * deleteRecordings, updateRecordings, getRecordingTextTracks and
 * putRecordingTextTrack, over the store in bbbsim_recordings.c.
 *
 * Model: bbb-web's ApiController/RecordingController. Each call first runs
 * the "backward compatibility" checks in their order (empty checksum,
 * missing required parameters, checksum mismatch) with the legacy message
 * "You did not pass the checksum security check". ID lists are decoded a
 * second time (URLDecoder; a malformed % is an uncaught exception, so
 * HTTP 500) and split on ',' as Java's split does. getRecordings matches
 * IDs as prefixes, lists one item per recording format (the directories
 * bbb-web walks), filters by state and meta_ values, pages through those
 * items when limit is an integer, and merges them by record ID. publish,
 * delete and update answer notFound unless one of the IDs exactly names
 * a published or unpublished recording; changes apply by state as
 * RecordingService moves directories.
 */
#include "bbbsim_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LEGACY_CHECKSUM "You did not pass the checksum security check"
#define JSON_TYPE "application/json;charset=utf-8"

struct ids {
	char **v;
	size_t n;
};

static const char *param(const struct sim_ctx *x, const char *name)
{
	return sim_param(&x->p, name);
}

/* StringUtils.isEmpty */
static bool empty(const char *s)
{
	return s == NULL || s[0] == '\0';
}

/* StringUtils.strip: leading and trailing whitespace removed (malloc'd). */
static char *strip(const char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	n = strlen(s);
	while (n > 0 &&
	       (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	return sim_xstrndup(s, n);
}

static void ids_free(struct ids *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void ids_add(struct ids *l, char *s)
{
	l->v = sim_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = s;
}

/* ParamsProcessorUtil.decodeIds; false (HTTP 500 set) when the second decoding fails. */
static bool decode_ids(struct sim_ctx *x, const char *raw, struct ids *out)
{
	char *all = sim_url_decode_strict(raw);
	const char *p;

	if (all == NULL) {
		sim_reply_html(x, 500);
		return false;
	}
	for (p = all;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);

		ids_add(out, sim_xstrndup(p, n));
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	while (out->n > 0 && out->v[out->n - 1][0] == '\0') /* Java's split drops trailing "" */
		free(out->v[--out->n]);
	free(all);
	return true;
}

/* --- getRecordings ----------------------------------------------------- */

struct query {
	struct ids ids;    /* recordID prefixes (or sha1 of the meetingIDs) */
	struct ids states; /* empty: published and unpublished */
	struct sim_kv *meta;
	struct sim_rec_item *items;
	size_t n;
	bool failed; /* HTTP 500 */
};

static bool state_ok(const struct query *q, const char *state)
{
	size_t i;

	if (q->states.n == 0)
		return strcmp(state, "published") == 0 || strcmp(state, "unpublished") == 0;
	for (i = 0; i < q->states.n; i++)
		if (strcmp(q->states.v[i], "any") == 0 || strcmp(q->states.v[i], state) == 0)
			return true;
	return false;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s);
	size_t m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* RecordingService.recordingMatchesMetadata; an empty filter value throws (500). */
static bool meta_ok(struct query *q, const struct sim_recording *r)
{
	const struct sim_kv *f;

	for (f = q->meta; f != NULL; f = f->next) {
		const struct sim_kv *kv = sim_kv_find(r->meta, f->key);
		const char *v = f->value;
		size_t n = strlen(v);
		char *mid;
		bool ok;

		if (kv == NULL)
			return false;
		if (n == 0 || (n == 1 && v[0] == '%')) {
			q->failed = true; /* charAt(0) / substring(1, 0) */
			return false;
		}
		mid = sim_xstrndup(v + 1, n >= 2 ? n - 2 : 0);
		if (v[0] == '%' && v[n - 1] == '%' && strstr(kv->value, mid) != NULL)
			ok = true;
		else if (v[0] == '%' && ends_with(kv->value, v + 1))
			ok = true;
		else if (v[n - 1] == '%' && strncmp(kv->value, v, n - 1) == 0)
			ok = true;
		else
			ok = strcmp(kv->value, v) == 0;
		free(mid);
		if (!ok)
			return false;
	}
	return true;
}

static void add_item(struct query *q, const struct sim_recording *r, const struct sim_format *f)
{
	q->items = sim_xrealloc(q->items, (q->n + 1) * sizeof(*q->items));
	q->items[q->n].rec = r;
	q->items[q->n].fmt = f;
	q->n++;
}

/* One item per format directory; a recording without formats is one item. */
static void add_recording(struct query *q, const struct sim_recording *r)
{
	const struct sim_format *f;

	if (!state_ok(q, r->state) || !meta_ok(q, r))
		return;
	if (r->formats == NULL)
		add_item(q, r, NULL);
	for (f = r->formats; f != NULL; f = f->next)
		add_item(q, r, f);
}

/* Integer.parseInt: optional sign, digits, in int range. */
static bool java_int(const char *s, long *out)
{
	const char *d = s + (*s == '-' || *s == '+');
	char *end;
	long v;

	if (!sim_all_digits(d) || strlen(d) > 10)
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > 2147483647L || v < -2147483648L)
		return false;
	*out = v;
	return true;
}

static bool collect(struct sim_ctx *x, struct query *q)
{
	const char *mid = param(x, "meetingID");
	const char *rid = param(x, "recordID");
	const char *st = param(x, "state");
	struct ids meetings = {0};
	const struct sim_recording *r;
	size_t i;

	if ((!empty(rid) && !decode_ids(x, rid, &q->ids)) ||
	    (!empty(mid) && !decode_ids(x, mid, &meetings)) ||
	    (!empty(st) && !decode_ids(x, st, &q->states))) {
		ids_free(&meetings);
		return false;
	}
	if (q->ids.n == 0) /* recordID wins; else the meetings' sha1 prefixes */
		for (i = 0; i < meetings.n; i++)
			ids_add(&q->ids,
				sim_digest_hex("sha1", meetings.v[i], strlen(meetings.v[i])));
	ids_free(&meetings);
	for (i = 0; i < x->p.n; i++) {
		char *key = sim_meta_key(x->p.names[i]);

		if (key != NULL && sim_kv_find(q->meta, key) == NULL)
			sim_kv_append(&q->meta, key, x->p.values[i]);
		free(key);
	}
	if (q->ids.n == 0)
		for (r = x->sim->recordings; r != NULL; r = r->next)
			add_recording(q, r);
	for (i = 0; i < q->ids.n; i++)
		for (r = x->sim->recordings; r != NULL; r = r->next)
			if (strncmp(r->record_id, q->ids.v[i], strlen(q->ids.v[i])) == 0)
				add_recording(q, r);
	if (q->failed)
		sim_reply_html(x, 500);
	return !q->failed;
}

void sim_h_get_recordings(struct sim_ctx *x)
{
	struct query q = {0};
	struct sim_page_info page;
	const char *limit = param(x, "limit");
	const char *offset = param(x, "offset");
	long lim;
	long off = 0;
	size_t len;
	char *body;

	if (x->c->checksum != SIM_CHECKSUM_OK) {
		sim_fail(x, "checksumError", LEGACY_CHECKSUM);
		return;
	}
	if (!sim_form_post_ok(x->c)) {
		sim_fail(x, "unsupportedContentType",
			 "POST request Content-Type is missing or unsupported");
		return;
	}
	if (!collect(x, &q))
		goto out;
	if (limit == NULL || !java_int(limit, &lim)) {
		body = sim_xml_recordings(q.items, q.n, NULL, &len);
		sim_reply_xml(x, body, len);
		goto out;
	}
	if (offset != NULL && (!java_int(offset, &off) || off < 0))
		off = 0;
	lim = lim < 1 ? 1 : lim > 100 ? 100 : lim;
	if ((size_t)off > q.n) { /* List.subList(offset, ...) throws */
		sim_reply_html(x, 500);
		goto out;
	}
	page.offset = (unsigned long)off;
	page.limit = (unsigned long)lim;
	page.total = (unsigned long)q.n;
	body = sim_xml_recordings(q.items + off,
				  q.n - (size_t)off < (size_t)lim ? q.n - (size_t)off : (size_t)lim,
				  &page, &len);
	sim_reply_xml(x, body, len);
out:
	ids_free(&q.ids);
	ids_free(&q.states);
	sim_kv_free(q.meta);
	free(q.items);
}

/* --- publish, delete, update ------------------------------------------ */

/*
 * The shared preamble: empty checksum, missing recordID (and publish),
 * checksum mismatch, the second decoding and existsAnyRecording. false
 * with the reply set.
 */
static bool change_preamble(struct sim_ctx *x, bool need_publish, struct ids *ids)
{
	const struct sim_recording *r;
	size_t i;

	if (x->c->checksum == SIM_CHECKSUM_MISSING) {
		sim_fail(x, "checksumError", LEGACY_CHECKSUM);
		return false;
	}
	if (empty(param(x, "recordID"))) {
		sim_fail(x, "missingParamRecordID", "You must specify a recordID.");
		return false;
	}
	if (need_publish && empty(param(x, "publish"))) {
		sim_fail(x, "missingParamPublish",
			 "You must specify a publish value true or false.");
		return false;
	}
	if (x->c->checksum != SIM_CHECKSUM_OK) {
		sim_fail(x, "checksumError", LEGACY_CHECKSUM);
		return false;
	}
	if (!sim_form_post_ok(x->c)) {
		sim_fail(x, "unsupportedContentType",
			 "POST request Content-Type is missing or unsupported");
		return false;
	}
	if (!decode_ids(x, param(x, "recordID"), ids))
		return false;
	for (i = 0; i < ids->n; i++)
		for (r = x->sim->recordings; r != NULL; r = r->next)
			if (strcmp(r->record_id, ids->v[i]) == 0 &&
			    (strcmp(r->state, "published") == 0 || strcmp(r->state, "unpublishe"
										    "d") == 0))
				return true;
	sim_fail(x, "notFound", "We could not find recordings");
	return false;
}

/* RecordingService.changeState: from the directories a state may move out of. */
static void change_state(struct bbbsim *sim, const char *id, const char *to)
{
	struct sim_recording *r;

	for (r = sim->recordings; r != NULL; r = r->next) {
		bool pub = strcmp(r->state, "published") == 0;
		bool unpub = strcmp(r->state, "unpublished") == 0;

		if (strcasecmp(r->record_id, id) != 0)
			continue;
		if ((strcmp(to, "published") == 0 && unpub) ||
		    (strcmp(to, "unpublished") == 0 && pub) ||
		    (strcmp(to, "deleted") == 0 && (pub || unpub))) {
			free(r->state);
			r->state = sim_xstrdup(to);
			r->published = strcmp(to, "published") == 0;
		}
	}
}

/* A one-line GString reply, values not escaped. */
static void reply_line(struct sim_ctx *x, const char *elem, const char *value)
{
	char *body = sim_xasprintf("<response><returncode>SUCCESS</returncode><%s>%s</%s></"
				   "response>",
				   elem, value, elem);

	sim_reply_xml(x, body, strlen(body));
}

void sim_h_publish_recordings(struct sim_ctx *x)
{
	struct ids ids = {0};
	const char *publish = param(x, "publish");
	size_t i;

	if (change_preamble(x, true, &ids)) {
		for (i = 0; i < ids.n; i++)
			change_state(x->sim, ids.v[i],
				     sim_groovy_true(publish) ? "published" : "unpublished");
		reply_line(x, "published", publish);
	}
	ids_free(&ids);
}

void sim_h_delete_recordings(struct sim_ctx *x)
{
	struct ids ids = {0};
	size_t i;

	if (change_preamble(x, false, &ids)) {
		for (i = 0; i < ids.n; i++)
			change_state(x->sim, ids.v[i], "deleted");
		reply_line(x, "deleted", "true");
	}
	ids_free(&ids);
}

void sim_h_update_recordings(struct sim_ctx *x)
{
	struct ids ids = {0};
	struct sim_recording *r;
	struct sim_kv *meta = NULL;
	const struct sim_kv *m;
	size_t i;

	if (!change_preamble(x, false, &ids))
		goto out;
	for (i = 0; i < x->p.n; i++) {
		char *key = sim_meta_key(x->p.names[i]);

		if (key != NULL && sim_kv_find(meta, key) == NULL)
			sim_kv_append(&meta, key, x->p.values[i]);
		free(key);
	}
	for (i = 0; i < ids.n; i++)
		for (r = x->sim->recordings; r != NULL; r = r->next) {
			if (strcmp(r->record_id, ids.v[i]) != 0 ||
			    strcmp(r->state, "processing") == 0 ||
			    strcmp(r->state, "processed") == 0)
				continue;
			for (m = meta; m != NULL; m = m->next) {
				if (m->value[0] != '\0')
					sim_kv_set(&r->meta, m->key, m->value);
				else
					sim_kv_remove(&r->meta, m->key);
			}
		}
	reply_line(x, "updated", "true");
out:
	sim_kv_free(meta);
	ids_free(&ids);
}

/* --- caption tracks ---------------------------------------------------- */

static void reply_json(struct sim_ctx *x, char *body, size_t len)
{
	sim_reply_set(x, 200, JSON_TYPE, body, len);
}

static void json_failed(struct sim_ctx *x, const char *key, const char *message, bool pretty)
{
	size_t len;
	char *body = sim_json_failed(key, message, pretty, &len);

	reply_json(x, body, len);
}

void sim_h_get_text_tracks(struct sim_ctx *x)
{
	const struct sim_recording *r;
	size_t len;
	char *body;
	char *id;
	char *msg;

	if (x->c->checksum == SIM_CHECKSUM_MISSING) {
		sim_fail(x, "checksumError", LEGACY_CHECKSUM);
		return;
	}
	if (empty(param(x, "recordID"))) {
		sim_fail(x, "missingParamRecordID", "You must specify a recordID.");
		return;
	}
	if (x->c->checksum != SIM_CHECKSUM_OK) {
		sim_fail(x, "checksumError", LEGACY_CHECKSUM);
		return;
	}
	id = strip(param(x, "recordID"));
	r = sim_recording_find(x->sim, id);
	if (r == NULL || r->tracks == NULL) {
		msg = sim_xasprintf(
			r == NULL ? "No recording found for %s" : "No captions found for %s", id);
		json_failed(x, r == NULL ? "noRecordings" : "noCaptionsFound", msg, false);
		free(msg);
	} else {
		body = sim_json_tracks(r, x->c->host, &len);
		reply_json(x, body, len);
	}
	free(id);
}

/* LanguageRange syntax: "*" or 1-8 letters, then -subtags of 1-8 letters/digits. */
static bool lang_well_formed(const char *s)
{
	size_t run = 0;
	bool first = true;

	if (strcmp(s, "*") == 0)
		return true;
	for (;; s++) {
		bool alpha = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z');
		bool digit = *s >= '0' && *s <= '9';

		if (*s == '-' || *s == '\0') {
			if (run == 0 || run > 8)
				return false;
			if (*s == '\0')
				return true;
			run = 0;
			first = false;
		} else if (alpha || (digit && !first)) {
			run++;
		} else {
			return false;
		}
	}
}

/* Locale.lookup finds the tag's own locale when its language subtag is 2-8 letters. */
static bool lang_valid(const char *s)
{
	size_t n = strcspn(s, "-");

	return n >= 2 && n <= 8 && s[0] != '*';
}

/* A parameter from the URL, else from a text field of the multipart body (Grails merges them). */
static const char *field(const struct sim_ctx *x, const struct sim_part *parts, const char *name,
			 char **owned)
{
	const struct sim_part *p = sim_part_find(parts, name);

	*owned = NULL;
	if (param(x, name) != NULL || p == NULL || p->filename != NULL)
		return param(x, name);
	*owned = sim_xstrndup(p->data, p->len);
	return *owned;
}

static void record_upload(struct bbbsim *sim, const char **v, const struct sim_part *file)
{
	struct sim_upload *u = sim_xmalloc(sizeof(*u));
	struct sim_upload **pp = &sim->uploads;

	u->record_id = sim_xstrdup(v[0]);
	u->kind = sim_xstrdup(v[1]);
	u->lang = sim_xstrdup(v[2]);
	u->label = sim_xstrdup(v[3]);
	u->filename = file->filename != NULL ? sim_xstrdup(file->filename) : NULL;
	u->content_type = file->content_type != NULL ? sim_xstrdup(file->content_type) : NULL;
	u->data = sim_xstrndup(file->data, file->len);
	u->len = file->len;
	u->next = NULL;
	while (*pp != NULL)
		pp = &(*pp)->next;
	*pp = u;
}

/* The checks after the checksum; false with the reply set. v gets kind, lang, label. */
static bool track_params(struct sim_ctx *x, const struct sim_part *parts, char **v)
{
	char *owned[3];
	const char *kind = field(x, parts, "kind", &owned[0]);
	const char *lang = field(x, parts, "lang", &owned[1]);
	const char *label = field(x, parts, "label", &owned[2]);
	const char *key = NULL;
	const char *msg = NULL;

	v[0] = empty(kind) ? NULL : strip(kind);
	v[1] = empty(lang) ? NULL : strip(lang);
	v[2] = empty(label) ? NULL : strip(label);
	if (v[0] == NULL) {
		msg = "Missing param kind.";
	} else if (strcmp(v[0], "subtitles") != 0 && strcmp(v[0], "captions") != 0) {
		key = "invalidKind";
		msg = "The kind parameter is not set to a permitted value.";
	} else if (v[1] == NULL) {
		msg = "Missing param lang.";
	} else if (!lang_well_formed(v[1])) {
		key = "invalidLang";
		msg = "The lang parameter is not a well-formed language tag.";
	} else if (!lang_valid(v[1])) {
		key = "invalidLang";
		msg = "The lang parameter is not a valid language tag.";
	}
	if (v[2] == NULL && v[1] != NULL)
		v[2] = sim_xstrdup(v[1]);
	if (msg != NULL)
		json_failed(x, key != NULL ? key : "paramError", msg, true);
	free(owned[0]);
	free(owned[1]);
	free(owned[2]);
	return msg == NULL;
}

static void put_track(struct sim_ctx *x, const struct sim_part *parts, struct sim_recording *r)
{
	const struct sim_part *file = sim_part_find(parts, "file");
	struct sim_buf b = {0};
	const char *v[4];
	char *p[3];

	if (!track_params(x, parts, p))
		goto out;
	if (file == NULL || file->len == 0) {
		json_failed(x, "empty_uploaded_text_track", "Empty uploaded text track.", true);
		goto out;
	}
	v[0] = r->record_id;
	v[1] = p[0];
	v[2] = p[1];
	v[3] = p[2];
	record_upload(x->sim, v, file);
	sim_track_put(r, p[0], p[1], p[2], "upload");
	sim_buf_puts(&b, "{\"response\":{\"returncode\":\"SUCCESS\",\"recordId\":");
	sim_json_gson(&b, r->record_id);
	sim_buf_puts(&b, ",\"messageKey\":\"upload_text_track_success\","
			 "\"message\":\"Text track uploaded successfully\"}}");
	reply_json(x, b.p, b.len);
out:
	free(p[0]);
	free(p[1]);
	free(p[2]);
}

void sim_h_put_text_track(struct sim_ctx *x)
{
	struct sim_part *parts =
		sim_multipart_parse(x->c->content_type, x->c->body, x->c->body_len);
	struct sim_recording *r;
	char *owned;
	const char *rid = field(x, parts, "recordID", &owned);
	char *id;
	char *msg;

	if (x->c->checksum == SIM_CHECKSUM_MISSING) {
		json_failed(x, "paramError", "Missing param checksum.", true);
	} else if (empty(rid)) {
		json_failed(x, "paramError", "Missing param recordID.", true);
	} else if (x->c->checksum != SIM_CHECKSUM_OK) {
		sim_fail(x, "checksumError", LEGACY_CHECKSUM);
	} else {
		id = strip(rid);
		r = sim_recording_find(x->sim, id);
		if (r == NULL) {
			msg = sim_xasprintf("No recording was found for %s", id);
			json_failed(x, "noRecordings", msg, true);
			free(msg);
		} else {
			put_track(x, parts, r);
		}
		free(id);
	}
	free(owned);
	sim_parts_free(parts);
}
