/*
 * bbbsim_int.h - private to the simulator: the shared state, the meeting
 * and recording models, the output buffer and the interfaces between its
 * files: bbbsim.c (server, request log, faults), bbbsim_query.c (query
 * decoding, checksum, digests), bbbsim_api.c (the route table and the
 * meeting calls), bbbsim_meeting.c (the meeting state), bbbsim_xml.c
 * (buffers, reply rendering), bbbsim_body.c (request bodies: <modules>
 * XML, multipart, base64), bbbsim_recordings.c (the recording store and
 * its fixture file), bbbsim_recxml.c (getRecordings XML, JSON replies),
 * bbbsim_recapi.c (the recording calls), bbbsim_hooks.c (bbb-webhooks),
 * bbbsim_events.c (its events, addressed to the hooks), bbbsim_sender.c
 * (the callback queue and its thread) and bbbsim_legacy.c (the pre-2.4
 * config XML calls).
 */
#ifndef BBBSIM_INT_H
#define BBBSIM_INT_H

#include "bbbsim.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

/* Largest request body kept (create/insertDocument XML); the rest is dropped. */
#define SIM_MAX_BODY (16u * 1024u * 1024u)

struct MHD_Daemon;
struct sim_buf;

/* An ordered name/value list (metadata, attendee customdata). */
struct sim_kv {
	char *key;
	char *value;
	struct sim_kv *next;
};

struct sim_attendee {
	char *user_id;       /* external ID (userID param), else internal_id */
	char *internal_id;   /* BBB's internal user ID: w_ and 12 random lowercase alphanumerics */
	char *session_token; /* of the join's client URL, NULL when added otherwise */
	char *full_name;
	bool moderator;
	bool has_custom; /* true when the join carried at least one userdata- param */
	struct sim_kv *custom;
	struct sim_attendee *next;
};

struct sim_meeting {
	char *meeting_id;
	char *name;
	char *internal_id; /* sha1_hex(meeting_id) "-" create_time */
	char *parent_id;   /* parent's internal ID for breakouts, else "bbb-none" */
	char *attendee_pw;
	char *moderator_pw;
	char *voice_bridge;
	char *dial_number;
	char *create_date; /* Java Date.toString() layout, UTC */
	unsigned long long create_time;
	unsigned long duration;
	unsigned long max_users;
	unsigned long sequence;
	bool record;
	bool is_breakout;
	bool free_join;
	bool running; /* true once someone joined, as in BBB; also hasUserJoined */
	bool forcibly_ended;
	struct sim_kv *meta;
	struct sim_attendee *attendees;
	char *modules; /* XML body of a POST create, or NULL */
	size_t modules_len;
	struct sim_meeting *next;
};

struct sim_fault {
	char *call;
	struct bbbsim_fault f; /* strings owned by this struct */
	unsigned remaining;    /* 0 = until cleared */
	struct sim_fault *next;
};

struct bbbsim {
	struct MHD_Daemon *daemon;
	unsigned port;
	char *address;
	char *secret;
	char *algorithms;
	char *bbb_version;
	char *hooks_algorithms;
	char *domain;         /* bbb-webhooks' serverDomain: the callbacks' domain field */
	char *hooks_checksum; /* hookChecksumAlgorithm: signs the callbacks */
	bool hooks_bearer;    /* auth2_0: the secret as a Bearer token instead of a checksum */
	bool verbose;
	bool legacy_config;
	pthread_t sender; /* the callback sender thread (bbbsim_sender.c) */
	bool sender_started;

	pthread_mutex_t lock; /* guards everything below */
	pthread_cond_t wake;  /* interrupts DELAY sleeps and callback retry pauses on stop */
	bool stopping;
	unsigned long connections;
	struct bbbsim_request *log;
	size_t nlog;
	size_t caplog;
	struct sim_fault *faults;
	struct sim_meeting *meetings;
	unsigned long long last_create_time; /* keeps createTime strictly increasing */
	struct sim_recording *recordings;    /* fixture order */
	struct sim_document *documents;      /* <document>s of create/insertDocument, in order */
	struct sim_upload *uploads;          /* putRecordingTextTrack files, in order */
	struct sim_hook *hooks;              /* bbb-webhooks registrations, by id */
	unsigned long next_hook_id;
	struct sim_config *configs; /* setConfigXML tokens */
	struct sim_callback *queue; /* callbacks waiting for the sender, oldest first */
	struct sim_callback **queue_tail;
	pthread_cond_t send_wake; /* a callback was queued, or the simulator stops */
	pthread_cond_t send_done; /* a callback was delivered or given up */
	size_t callbacks_sent;    /* answered 2xx or 401 */
	size_t callbacks_failed;  /* given up after the retry */
};

enum sim_checksum {
	SIM_CHECKSUM_OK,
	SIM_CHECKSUM_MISSING,
	SIM_CHECKSUM_MISMATCH,
	SIM_CHECKSUM_INVALID, /* bbb-webhooks: a length no algorithm has (it throws: HTTP 500) */
};

/* One request as the call handlers see it. All pointers are borrowed. */
struct sim_call {
	const char *method;
	const char *path; /* the request-target before any '?' */
	const char *call; /* NULL when the path is outside /bigbluebutton/api */
	const char *query;
	const char *content_type;
	const char *body;
	size_t body_len;
	const char *host; /* Host header, or address:port */
	enum sim_checksum checksum;
};

/* An answer. body (malloc'd, never NULL once set), location and cookie are owned. */
struct sim_reply {
	int status;
	const char *content_type; /* static string; NULL sends no Content-Type */
	char *body;
	size_t len;
	char *location;
	char *cookie;
};

/* A decoded query, in order. */
struct sim_params {
	char **names;
	char **values;
	size_t n;
};

/* --- bbbsim_api.c ---------------------------------------------------- */

/* One call being answered: the request, its decoded query and the reply to fill. */
struct sim_ctx {
	struct bbbsim *sim;
	const struct sim_call *c;
	struct sim_reply *r;
	struct sim_params p;
	bool redirect; /* join with redirect on: success and errors are 302s */
};

typedef void sim_handler_fn(struct sim_ctx *x);

/* Answers one request from the simulator's state. The caller holds sim->lock. */
void sim_api_handle(struct bbbsim *sim, const struct sim_call *c, struct sim_reply *out);

/* Sets the reply (takes body). */
void sim_reply_set(struct sim_ctx *x, int status, const char *type, char *body, size_t len);

/* 200 text/xml;charset=utf-8 (takes body). */
void sim_reply_xml(struct sim_ctx *x, char *body, size_t len);

/* An error page with that status (sim_html_status). */
void sim_reply_html(struct sim_ctx *x, int status);

/* The FreeMarker FAILED document with key and message. */
void sim_fail(struct sim_ctx *x, const char *key, const char *message);

/* The media type of ct (before any ';') is type, case-insensitively. */
bool sim_media_is(const char *ct, const char *type);

/* bbb-web's ContentTypeConstraint for a form call: true unless a POST body has a bad type. */
bool sim_form_post_ok(const struct sim_call *c);

/* --- bbbsim_query.c -------------------------------------------------- */

/*
 * Walks the pairs of a raw query: returns false at the end, else stores the
 * decoded name and value (malloc'd, caller frees) and advances *cursor.
 */
bool sim_query_next(const char **cursor, char **name, char **value);

void sim_params_parse(struct sim_params *p, const char *query);
void sim_params_free(struct sim_params *p);

/* The first value of name (borrowed), NULL when absent; _set also treats "" as absent. */
const char *sim_param(const struct sim_params *p, const char *name);
const char *sim_param_set(const struct sim_params *p, const char *name);

/* A run of decimal digits, not empty. */
bool sim_all_digits(const char *s);

/* The value as a number (0 unless all digits) / as Java Boolean.parseBoolean. */
unsigned long sim_param_ulong(const struct sim_params *p, const char *name);
bool sim_param_true(const struct sim_params *p, const char *name);

/*
 * Verifies the checksum of a request as bbb-web does; *alg_out gets the
 * algorithm named by the checksum's length (static string) or NULL.
 */
enum sim_checksum sim_verify(const struct bbbsim *sim, const char *call, const char *query,
			     const char **alg_out);

/*
 * Verifies the checksum of a request by the rules of the service that
 * answers it: bbb-webhooks for hooks/<verb>, the sorted-form rule for
 * setConfigXML, else bbb-web's (sim_verify).
 */
enum sim_checksum sim_verify_call(const struct bbbsim *sim, const struct sim_call *c,
				  const char **alg_out);

/* The algorithm a checksum of n hex digits names ("sha1".."sha512", static), or NULL. */
const char *sim_algorithm_by_length(size_t n);

/* True when alg is one of the names in a comma-separated list. */
bool sim_algorithm_listed(const char *list, const char *alg);

/* Lowercase hex digest of data with "sha1".."sha512" (malloc'd), NULL if unknown. */
char *sim_digest_hex(const char *alg, const void *data, size_t len);

/* n random characters from set (RAND_bytes, unbiased), NUL-terminated into out. */
void sim_random_chars(char *out, size_t n, const char *set);

/*
 * Java URLDecoder.decode: '+' is space, %XX a byte; NULL when a '%' is not
 * followed by two hex digits (Java throws, and bbb-web answers 500).
 */
char *sim_url_decode_strict(const char *s);

/* Appends s encoded as java.net.URLEncoder does (A-Za-z0-9 . - * _ kept, space as '+'). */
void sim_url_encode_java(struct sim_buf *b, const char *s);

/* Java String.toBoolean() (Groovy): "true", "y" (any case) or "1", after trimming. */
bool sim_groovy_true(const char *s);

/* bbb-web's meta_ rule: name is meta_[A-Za-z][A-Za-z0-9-]*; the key lower-cased, or NULL. */
char *sim_meta_key(const char *name);

/* --- bbbsim_meeting.c ------------------------------------------------ */

/* Name/value lists, in insertion order. */
void sim_kv_append(struct sim_kv **head, const char *key, const char *value);
struct sim_kv *sim_kv_find(struct sim_kv *head, const char *key);
void sim_kv_set(struct sim_kv **head, const char *key, const char *value);
void sim_kv_remove(struct sim_kv **head, const char *key);
void sim_kv_free(struct sim_kv *kv);

/* The live meeting with that external ID, or NULL. */
struct sim_meeting *sim_meeting_find(struct bbbsim *sim, const char *id);

/*
 * Creates a meeting from create's parameters (already validated), appends
 * it and sends meeting-created.
 */
struct sim_meeting *sim_meeting_add(struct bbbsim *sim, const struct sim_params *p,
				    const char *body, size_t body_len);

/* Unlinks and frees m and its breakout rooms. */
void sim_meeting_remove(struct bbbsim *sim, struct sim_meeting *m);

/*
 * Ends m: for its breakout rooms, then for m, user-left for each attendee
 * and meeting-ended go to the hooks; then sim_meeting_remove.
 */
void sim_meeting_end(struct bbbsim *sim, struct sim_meeting *m);

/* Frees a whole meeting list. */
void sim_meetings_free(struct sim_meeting *head);

/* True when a live meeting uses voice bridge vb. */
bool sim_voice_bridge_used(const struct bbbsim *sim, const char *vb);

/*
 * Appends an attendee with a new internal w_ ID (also its user ID when
 * user_id is NULL or ""), marks m running and sends user-joined.
 */
struct sim_attendee *sim_attendee_add(struct bbbsim *sim, struct sim_meeting *m,
				      const char *user_id, const char *full_name, bool moderator);

/*
 * Removes the attendees whose user ID or internal ID is user_id, sending
 * user-left for each; returns how many left.
 */
size_t sim_attendee_leave(struct bbbsim *sim, struct sim_meeting *m, const char *user_id);

/* Stores join's userdata-<key> parameters as the attendee's customdata. */
void sim_attendee_userdata(struct sim_attendee *a, const struct sim_params *p);

/* --- bbbsim_xml.c ---------------------------------------------------- */

/* Allocation helpers: the simulator is a test tool, so running out of memory aborts. */
void *sim_xmalloc(size_t n);
void *sim_xrealloc(void *p, size_t n);
char *sim_xstrdup(const char *s);
char *sim_xstrndup(const char *s, size_t n);
char *sim_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable byte buffer, always NUL-terminated. */
struct sim_buf {
	char *p;
	size_t len;
	size_t cap;
};

void sim_buf_add(struct sim_buf *b, const void *s, size_t n);
void sim_buf_puts(struct sim_buf *b, const char *s);
void sim_buf_printf(struct sim_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Reply bodies. Each returns a malloc'd document in the byte layout of
 * bbb-web's FreeMarker <#compress> output and stores its length in *len.
 */
char *sim_xml_api_root(const char *bbb_version, const char *host, size_t *len);
char *sim_xml_failed(const char *key, const char *message, size_t *len);
char *sim_xml_errors(const char *key, const char *message, size_t *len);
char *sim_xml_message(const char *returncode, const char *key, const char *message, size_t *len);
char *sim_xml_create(const struct sim_meeting *m, const char *key, const char *message,
		     size_t *len);
char *sim_xml_running(bool running, size_t *len);
char *sim_xml_meeting_info(const struct sim_meeting *all, const struct sim_meeting *m, size_t *len);
char *sim_xml_meetings(const struct sim_meeting *all, size_t *len);

struct sim_join_info {
	const char *internal_id;
	const char *user_id;
	const char *auth_token;
	const char *session_token;
	const char *url;
};
char *sim_xml_join(const struct sim_join_info *j, size_t *len);

/* A small HTML page for HTTP errors (404, 405, scripted statuses). */
char *sim_html_status(int status, size_t *len);

/* The page /html5client/join shows attendee a of m (the simulator's stand-in for BBB's client). */
char *sim_html_client(const struct sim_meeting *m, const struct sim_attendee *a, size_t *len);

/* --- the recording model (bbbsim_recordings.c) ----------------------- */

/* A preview thumbnail: its URL and its attributes in file order. */
struct sim_image {
	char *url;
	struct sim_kv *attrs;
	struct sim_image *next;
};

/* One playback (or data) format of a recording. */
struct sim_format {
	char *type;
	char *url;
	unsigned long long processing_time; /* ms */
	unsigned long long duration;        /* ms; <length> shows whole minutes */
	unsigned long long size;            /* bytes */
	struct sim_image *images;
	struct sim_format *next;
};

struct sim_track {
	char *kind;
	char *lang;
	char *label;
	char *source; /* live, automatic, upload */
	struct sim_track *next;
};

struct sim_recording {
	char *record_id;  /* sha1_hex(meetingID) "-" startTime, = internalMeetingID */
	char *meeting_id; /* external meeting ID */
	char *name;
	char *state; /* published, unpublished, processing, processed, deleted */
	bool published;
	bool is_breakout;
	unsigned long long start_time;
	unsigned long long end_time;
	unsigned long long raw_size;
	unsigned long participants;
	struct sim_kv *meta;
	bool has_breakout; /* a breakout room: parent, sequence, freeJoin */
	char *parent_id;
	unsigned long sequence;
	bool free_join;
	struct sim_kv *rooms;       /* breakout room record IDs (keys) of a parent */
	struct sim_format *formats; /* <playback> */
	struct sim_format *data;    /* <data> */
	struct sim_track *tracks;   /* caption tracks; none means noCaptionsFound */
	struct sim_recording *next;
};

/* A putRecordingTextTrack upload as received. */
struct sim_upload {
	char *record_id;
	char *kind;
	char *lang;
	char *label;
	char *filename;
	char *content_type;
	char *data; /* the part's bytes (NUL-terminated copy) */
	size_t len;
	struct sim_upload *next;
};

/* Loads the fixture file into sim->recordings; false (message on stderr) on error. */
bool sim_recordings_load(struct bbbsim *sim, const char *path);

void sim_recordings_free(struct sim_recording *r);
void sim_uploads_free(struct sim_upload *u);

/* The recording with exactly that record ID, or NULL. */
struct sim_recording *sim_recording_find(struct bbbsim *sim, const char *id);

/* Adds or replaces (same kind and lang) a caption track. */
void sim_track_put(struct sim_recording *r, const char *kind, const char *lang, const char *label,
		   const char *source);

/* --- getRecordings and JSON replies (bbbsim_recxml.c) ---------------- */

/* One entry of the per-format list bbb-web pages through: a recording and one format (or none). */
struct sim_rec_item {
	const struct sim_recording *rec;
	const struct sim_format *fmt;
};

struct sim_page_info {
	unsigned long offset;
	unsigned long limit;
	unsigned long total;
};

/*
 * The getRecordings document for items (merged by record ID, first
 * appearance first): Scala's literal layout, or with page != NULL the
 * JAXP re-serialisation with <pagination> appended.
 */
char *sim_xml_recordings(const struct sim_rec_item *items, size_t n,
			 const struct sim_page_info *page, size_t *len);

/* A JSON string as Gson writes it (HTML-safe escapes) / as Groovy's JsonOutput does. */
void sim_json_gson(struct sim_buf *b, const char *s);
void sim_json_groovy(struct sim_buf *b, const char *s);

/* {"response":{"returncode":R,"messageKey":K,"message":M}}: Gson compact, or JsonBuilder pretty. */
char *sim_json_failed(const char *key, const char *message, bool pretty, size_t *len);

/* getRecordingTextTracks' success document; host makes the href. */
char *sim_json_tracks(const struct sim_recording *r, const char *host, size_t *len);

/* --- request bodies (bbbsim_body.c) ---------------------------------- */

/* A <document> of a presentation module. */
struct sim_document {
	char *meeting_id;
	char *call;
	struct sim_kv *attrs; /* url, filename, name, current, downloadable, removable, ... */
	char *base64;         /* element text without whitespace, NULL when empty */
	unsigned char *content;
	size_t content_len;
	bool content_ok; /* base64 decoded */
	struct sim_document *next;
};

void sim_documents_free(struct sim_document *d);

/* Records the presentation <document>s of a <modules> body sent with call for meeting_id. */
void sim_documents_parse(struct bbbsim *sim, const char *call, const char *meeting_id,
			 const char *body, size_t len);

/* One part of a multipart/form-data body; data points into the body. */
struct sim_part {
	char *name;
	char *filename;     /* NULL when not a file part */
	char *content_type; /* NULL when absent */
	const char *data;
	size_t len;
	struct sim_part *next;
};

/* Parses a multipart/form-data body (NULL when it is not one or is malformed). */
struct sim_part *sim_multipart_parse(const char *content_type, const char *body, size_t len);

/* The first part named name, or NULL. */
const struct sim_part *sim_part_find(const struct sim_part *parts, const char *name);

void sim_parts_free(struct sim_part *p);

/* --- the recording calls (bbbsim_recapi.c) --------------------------- */

void sim_h_get_recordings(struct sim_ctx *x);
void sim_h_publish_recordings(struct sim_ctx *x);
void sim_h_delete_recordings(struct sim_ctx *x);
void sim_h_update_recordings(struct sim_ctx *x);
void sim_h_get_text_tracks(struct sim_ctx *x);
void sim_h_put_text_track(struct sim_ctx *x);

/* --- bbb-webhooks (bbbsim_hooks.c) ----------------------------------- */

struct sim_hook {
	unsigned long id;
	char *callback_url;
	char *meeting_id; /* NULL for a global hook */
	char *event_id;   /* lower-cased list, NULL when not given */
	bool raw;
	struct sim_hook *next;
};

void sim_hooks_free(struct sim_hook *h);

/* Removes the hook with that ID, as bbb-webhooks does when a callback fails for good. */
void sim_hook_drop(struct bbbsim *sim, unsigned long id);

/* bbb-webhooks' checksum rule for call ("hooks/create", ...). */
enum sim_checksum sim_hooks_verify(const struct bbbsim *sim, const char *call, const char *query,
				   const char **alg_out);

/* Answers /bigbluebutton/api/hooks/<verb> as the bbb-webhooks Express app does. */
void sim_hooks_handle(struct bbbsim *sim, const struct sim_call *c, struct sim_reply *out);

/* --- bbb-webhooks events (bbbsim_events.c) --------------------------- */

/*
 * Queues a mapped bbb-webhooks event for every hook that takes it: the
 * global hooks and those of m's external meeting ID, unless a hook's
 * eventID list leaves it out or it asked for raw events. The caller holds
 * sim->lock.
 */
void sim_event_meeting_created(struct bbbsim *sim, const struct sim_meeting *m);
void sim_event_meeting_ended(struct bbbsim *sim, const struct sim_meeting *m);
void sim_event_user_joined(struct bbbsim *sim, const struct sim_meeting *m,
			   const struct sim_attendee *a);
void sim_event_user_left(struct bbbsim *sim, const struct sim_meeting *m,
			 const struct sim_attendee *a);

/* --- the callback sender (bbbsim_sender.c) --------------------------- */

/* How long one callback POST may take, and the pause before its one retry. */
#define SIM_CALLBACK_TIMEOUT_MS 5000L
#define SIM_CALLBACK_RETRY_MS 100u

/* One callback, ready to POST: built when its event happened. All strings owned. */
struct sim_callback {
	unsigned long hook_id; /* dropped when both attempts fail */
	char *event_id;        /* "user-joined", ... (for the verbose log) */
	char *url;             /* the callbackURL, with its checksum unless in bearer mode */
	char *body;            /* domain=...&event=...&timestamp=... */
	struct sim_callback *next;
};

/* Frees a list of callbacks. */
void sim_callbacks_free(struct sim_callback *cb);

/* Starts the sender thread (and libcurl); false when it cannot. */
bool sim_sender_start(struct bbbsim *sim);

/*
 * Joins the sender thread (an attempt in flight is aborted). The caller
 * has set sim->stopping, broadcast sim->wake and sim->send_wake, and does
 * not hold sim->lock. What is still queued is left for sim_free.
 */
void sim_sender_stop(struct bbbsim *sim);

/* Appends cb (takes it) to the queue and wakes the sender. The caller holds sim->lock. */
void sim_sender_enqueue(struct bbbsim *sim, struct sim_callback *cb);

/* --- pre-2.4 config XML (bbbsim_legacy.c) ---------------------------- */

struct sim_config {
	char *meeting_id;
	char *token;
	char *xml;
	struct sim_config *next;
};

void sim_configs_free(struct sim_config *c);

/* setConfigXML's checksum: sorted, re-encoded URL+body parameters. */
enum sim_checksum sim_legacy_verify(const struct bbbsim *sim, const struct sim_call *c,
				    const char **alg_out);

void sim_h_default_config(struct sim_ctx *x);
void sim_h_set_config(struct sim_ctx *x);

#endif
