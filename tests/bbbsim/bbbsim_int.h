/*
 * bbbsim_int.h - private to the simulator: the shared state, the meeting
 * model, the output buffer and the interfaces between its files:
 * bbbsim.c (server, request log, faults), bbbsim_query.c (query decoding,
 * checksum, digests), bbbsim_api.c (the BBB calls), bbbsim_meeting.c (the
 * meeting state) and bbbsim_xml.c (buffers, reply rendering).
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

/* An ordered name/value list (metadata, attendee customdata). */
struct sim_kv {
	char *key;
	char *value;
	struct sim_kv *next;
};

struct sim_attendee {
	char *user_id; /* external ID (userID param) or the generated w_ ID */
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
	bool running; /* true once someone joined, as in BBB */
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
	bool verbose;

	pthread_mutex_t lock; /* guards everything below */
	pthread_cond_t wake;  /* interrupts DELAY sleeps on stop */
	bool stopping;
	unsigned long connections;
	struct bbbsim_request *log;
	size_t nlog;
	size_t caplog;
	struct sim_fault *faults;
	struct sim_meeting *meetings;
	unsigned long long last_create_time; /* keeps createTime strictly increasing */
};

enum sim_checksum {
	SIM_CHECKSUM_OK,
	SIM_CHECKSUM_MISSING,
	SIM_CHECKSUM_MISMATCH,
};

/* One request as the call handlers see it. All pointers are borrowed. */
struct sim_call {
	const char *method;
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
	const char *content_type; /* static string */
	char *body;
	size_t len;
	char *location;
	char *cookie;
};

/* --- bbbsim_api.c ---------------------------------------------------- */

/* Answers one request from the simulator's state. The caller holds sim->lock. */
void sim_api_handle(struct bbbsim *sim, const struct sim_call *c, struct sim_reply *out);

/* --- bbbsim_query.c -------------------------------------------------- */

/*
 * Walks the pairs of a raw query: returns false at the end, else stores the
 * decoded name and value (malloc'd, caller frees) and advances *cursor.
 */
bool sim_query_next(const char **cursor, char **name, char **value);

/* A decoded query, in order. */
struct sim_params {
	char **names;
	char **values;
	size_t n;
};

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

/* Lowercase hex digest of data with "sha1".."sha512" (malloc'd), NULL if unknown. */
char *sim_digest_hex(const char *alg, const void *data, size_t len);

/* n random characters from set (RAND_bytes, unbiased), NUL-terminated into out. */
void sim_random_chars(char *out, size_t n, const char *set);

/* --- bbbsim_meeting.c ------------------------------------------------ */

/* The live meeting with that external ID, or NULL. */
struct sim_meeting *sim_meeting_find(struct bbbsim *sim, const char *id);

/* Creates a meeting from create's parameters (already validated) and appends it. */
struct sim_meeting *sim_meeting_add(struct bbbsim *sim, const struct sim_params *p,
                                    const char *body, size_t body_len);

/* Unlinks and frees m and its breakout rooms. */
void sim_meeting_remove(struct bbbsim *sim, struct sim_meeting *m);

/* Frees a whole meeting list. */
void sim_meetings_free(struct sim_meeting *head);

/* True when a live meeting uses voice bridge vb. */
bool sim_voice_bridge_used(const struct bbbsim *sim, const char *vb);

/* Appends an attendee (user_id NULL or "" → generated w_ ID) and marks m running. */
struct sim_attendee *sim_attendee_add(struct sim_meeting *m, const char *user_id,
                                      const char *full_name, bool moderator);

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

#endif
