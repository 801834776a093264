/*
 * bbbsim.h - a stateful fake BigBlueButton server for tests and demos.
 *
 * It serves /bigbluebutton/api/<call> on a loopback port, verifies each
 * request's checksum the way bbb-web does (raw query string as received,
 * minus the checksum parameter; algorithm chosen by the checksum's
 * length, limited to the enabled algorithms), keeps meetings created
 * through it and answers with BBB's real XML layouts (FreeMarker
 * <#compress> output: one element per line, no declaration). It never
 * uses the gateway's signing code.
 *
 * Beyond the meeting calls it answers the recording calls (getRecordings,
 * publish/delete/updateRecordings, get/putRecordingTextTrack) from a
 * fixture file, the bbb-webhooks API (hooks/create, list, destroy, ping)
 * with that service's own checksum rules, and optionally the pre-2.4
 * getDefaultConfigXML/setConfigXML calls.
 *
 * Like bbb-webhooks it POSTs events to the registered hooks: meeting-created
 * (a create that makes a new meeting), user-joined (a successful join, or
 * bbbsim_add_attendee: the simulator counts the user as joined), user-left
 * (bbbsim_user_leave or GET /bigbluebutton/api/sim/leave, and for each
 * remaining user when the meeting ends) and meeting-ended (end, also for its
 * breakout rooms), as bbb-webhooks' mapped events, one per callback, signed
 * as bbb-webhooks signs them (the hooks_checksum of callbackURL + body +
 * secret in ?checksum= / &checksum=, or Authorization: Bearer <secret> with
 * hooks_bearer). Global hooks get every event, a hook with a meetingID
 * that meeting's, a hook with an eventID list only those events; getRaw
 * hooks get nothing (raw BBB messages are not modelled). A callback that
 * fails is retried once after 100 ms; a 401 counts as delivered; when the
 * retry fails too the hook is removed, as bbb-webhooks does. A sender
 * thread delivers them in order, so a slow receiver never holds up the
 * simulator's answers; bbbsim_stop drops what is still queued.
 *
 * GET /bigbluebutton/api/sim/leave?meetingID=M&userID=U exists only in the
 * simulator (no checksum): every attendee of meeting M whose user ID (or
 * internal w_ ID) is U leaves. It answers SUCCESS with messageKey userLeft,
 * or FAILED with missingParamMeetingID, missingParamUserID, notFound (no
 * such meeting) or userNotFound. The client URL a join hands out
 * (/html5client/join?sessionToken=T) answers, while that user is in the
 * meeting, a small HTML page naming the meeting and the user with a link
 * to sim/leave; else 404.
 *
 * Thread-safe: one MHD thread per connection, state behind a mutex.
 */
#ifndef BBBSIM_H
#define BBBSIM_H

#include <stdbool.h>
#include <stddef.h>

struct bbbsim;

struct bbbsim_opts {
	const char *address;    /* default "127.0.0.1" */
	unsigned port;          /* 0 = any free port */
	const char *secret;     /* shared secret; "" disables checksum checks */
	const char *algorithms; /* supportedChecksumAlgorithms; default "sha1,sha256,sha384,sha512" */
	const char *bbb_version; /* <bbbVersion> in the API root; default "3.0.0" */
	bool verbose;            /* log each request to stderr */
	/* Fields added later; zero values keep the older behaviour. */
	const char *
		recordings_file; /* seed recordings (tests/data/bbbsim/recordings.txt); NULL: none */
	const char *hooks_algorithms; /* bbb-webhooks' list; default "sha1,sha256,sha384,sha512" */
	bool legacy_config; /* answer getDefaultConfigXML/setConfigXML (BBB < 2.4), else 404 */
	/* bbb-webhooks' callbacks (its setting in parentheses). */
	const char *domain;         /* the domain field (bbb.serverDomain); default: address */
	const char *hooks_checksum; /* hookChecksumAlgorithm: "sha1" (default) .. "sha512" */
	bool hooks_bearer;          /* bbb.auth2_0: "Authorization: Bearer <secret>", no checksum */
};

/*
 * Starts the simulator. NULL on failure (port in use, bad recordings file,
 * unknown hooks_checksum, ...).
 */
struct bbbsim *bbbsim_start(const struct bbbsim_opts *opts);

/* The port it listens on. */
unsigned bbbsim_port(const struct bbbsim *sim);

/* Stops the server and frees everything. NULL is fine. */
void bbbsim_stop(struct bbbsim *sim);

/* One received request, as the simulator saw it. Strings are owned copies. */
struct bbbsim_request {
	char *method;       /* "GET", "POST" */
	char *call;         /* path after /bigbluebutton/api/, e.g. "create", "hooks/list" */
	char *query;        /* raw query string as received (still encoded), "" if none */
	char *content_type; /* request Content-Type or NULL */
	char *body;         /* request body (NUL-terminated) or NULL */
	size_t body_len;
	bool checksum_ok; /* verification result */
	char *algorithm;  /* "sha1".."sha512" chosen by length, or NULL */
};

/* Number of requests received since start or the last bbbsim_clear_log. */
size_t bbbsim_request_count(struct bbbsim *sim);

/* Copies request i into out (caller frees with bbbsim_request_free). false if out of range. */
bool bbbsim_request_get(struct bbbsim *sim, size_t i, struct bbbsim_request *out);

/* Frees the strings of a copied request. */
void bbbsim_request_free(struct bbbsim_request *r);

/* Forgets recorded requests (meetings stay). */
void bbbsim_clear_log(struct bbbsim *sim);

/* TCP connections accepted since start. */
unsigned long bbbsim_connections(struct bbbsim *sim);

/*
 * Decodes one parameter of a recorded raw query (first occurrence,
 * application/x-www-form-urlencoded: '+' is space, %XX). Returns a malloc'd
 * string or NULL when absent.
 */
char *bbbsim_query_param(const char *query, const char *name);

enum bbbsim_fault_kind {
	BBBSIM_FAULT_NONE = 0,
	BBBSIM_FAULT_DELAY,       /* sleep delay_ms, then answer normally */
	BBBSIM_FAULT_FAILED,      /* answer FAILED with message_key/message */
	BBBSIM_FAULT_GARBAGE,     /* answer 200 with body text (not XML) */
	BBBSIM_FAULT_BODY,        /* answer 200 text/xml with body verbatim */
	BBBSIM_FAULT_HTTP_STATUS, /* answer http_status with a small HTML body */
	BBBSIM_FAULT_HUGE,        /* answer huge_bytes of valid-looking XML (chunked) */
	BBBSIM_FAULT_CLOSE,       /* close the connection without answering */
};

struct bbbsim_fault {
	enum bbbsim_fault_kind kind;
	unsigned delay_ms;       /* DELAY (also applied before other kinds when set) */
	const char *message_key; /* FAILED */
	const char *message;     /* FAILED */
	const char *body;        /* GARBAGE / BODY (copied) */
	int http_status;         /* HTTP_STATUS */
	size_t huge_bytes;       /* HUGE */
	unsigned count;          /* how many matching requests it applies to; 0 = until cleared */
};

/*
 * Scripts a fault for requests to call ("create", "getMeetings", ...; "*"
 * for every call, "" for the API root). Replaces any earlier fault for
 * that call. A NULL fault or kind NONE clears it.
 */
void bbbsim_set_fault(struct bbbsim *sim, const char *call, const struct bbbsim_fault *fault);

/*
 * Adds an attendee to a meeting (user_id NULL: a generated w_ ID) and sends
 * user-joined to the hooks, as a join does. false if no such meeting.
 */
bool bbbsim_add_attendee(struct bbbsim *sim, const char *meeting_id, const char *user_id,
			 const char *full_name, bool moderator);

/*
 * Makes the attendees of meeting_id whose user ID (or internal w_ ID) is
 * user_id leave, sending user-left for each. false if no such meeting or
 * user.
 */
bool bbbsim_user_leave(struct bbbsim *sim, const char *meeting_id, const char *user_id);

/*
 * A presentation <document> the simulator received in a <modules> body of
 * a POST create (first create only) or an accepted insertDocument. Strings
 * are owned copies, NULL when the attribute was absent.
 */
struct bbbsim_document {
	char *meeting_id; /* the call's meetingID */
	char *call;       /* "create" or "insertDocument" */
	char *url;        /* attributes */
	char *filename;
	char *name;
	char *current;
	char *downloadable;
	char *removable;
	char *base64;           /* element text without whitespace, NULL when empty */
	unsigned char *content; /* base64 decoded, NULL when empty or not valid base64 */
	size_t content_len;
};

size_t bbbsim_document_count(struct bbbsim *sim);
bool bbbsim_document_get(struct bbbsim *sim, size_t i, struct bbbsim_document *out);
void bbbsim_document_free(struct bbbsim_document *d);

/* A caption file received by putRecordingTextTrack (owned copies). */
struct bbbsim_upload {
	char *record_id;
	char *kind;
	char *lang;
	char *label;        /* as stored: the label parameter, else lang */
	char *filename;     /* filename of the multipart part, or NULL */
	char *content_type; /* Content-Type of the part, or NULL */
	char *data;         /* the file's bytes, NUL-terminated */
	size_t len;
};

size_t bbbsim_upload_count(struct bbbsim *sim);
bool bbbsim_upload_get(struct bbbsim *sim, size_t i, struct bbbsim_upload *out);
void bbbsim_upload_free(struct bbbsim_upload *u);

/* State of a recording ("published", "deleted", ...) as a malloc'd string, NULL if unknown. */
char *bbbsim_recording_state(struct bbbsim *sim, const char *record_id);

/* A recording's metadata value (malloc'd), NULL if the recording or key is absent. */
char *bbbsim_recording_meta(struct bbbsim *sim, const char *record_id, const char *key);

/* Number of registered webhooks. */
size_t bbbsim_hook_count(struct bbbsim *sim);

/* Callbacks delivered (answered 2xx or 401), and given up (the retry failed too). */
size_t bbbsim_callbacks_sent(struct bbbsim *sim);
size_t bbbsim_callbacks_failed(struct bbbsim *sim);

/*
 * Waits up to timeout_ms until at least settled callbacks were delivered
 * or given up (sent + failed). true when they were.
 */
bool bbbsim_callbacks_wait(struct bbbsim *sim, size_t settled, unsigned timeout_ms);

/* The config XML stored by setConfigXML under token (malloc'd), NULL if unknown. */
char *bbbsim_config_xml(struct bbbsim *sim, const char *token);

#endif
