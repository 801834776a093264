/*
 * request.h - transport-neutral request/response of one API exchange, so
 * that routing, auth and handlers can be tested without sockets.
 *
 * An exchange is created by the HTTP server, filled with the request, and
 * run through the pipeline (pipeline.h: preflight, match, auth, handler).
 * The handler either writes the response (gw_response_json,
 * gw_response_problem) or leaves the exchange pending with asynchronous
 * work to start (gw_exchange_defer; the bbb layer does so for a BBB call,
 * gw_bbb_request in bbb_api.h). The transport then parks the request, runs
 * the start function, and answers once whoever finishes the work has
 * written the response and called gw_exchange_done. The HTTP server frees
 * the exchange in exactly one place (request completion).
 */
#ifndef GW_REQUEST_H
#define GW_REQUEST_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "compiler.h"
#include "err.h"
#include "gw_limits.h"
#include "upstream.h"

struct gw_config;
struct gw_token;
struct gw_tenant;
struct gw_metrics;
struct gw_metrics_extra;
struct gw_probe_cache;
struct gw_bearer;
struct gw_revoke;
struct gw_hub;
struct gw_slots;
struct gw_quota;
struct gw_fleet;
struct gw_redis;
struct gw_ratelimit;
struct gw_route;
struct gw_route_table;
struct gw_exchange;
struct gw_bbb_reply;

enum gw_method {
	GW_METHOD_OTHER = 0,
	GW_METHOD_GET = 1u << 0,
	GW_METHOD_HEAD = 1u << 1,
	GW_METHOD_POST = 1u << 2,
	GW_METHOD_PUT = 1u << 3,
	GW_METHOD_PATCH = 1u << 4,
	GW_METHOD_DELETE = 1u << 5,
	GW_METHOD_OPTIONS = 1u << 6,
};

/* Why an event stream was refused or ended (the metrics' reason labels). */
enum gw_stream_refused {
	GW_STREAM_REFUSED_MAX = 0,
	GW_STREAM_REFUSED_PER_TOKEN,
	GW_STREAM_REFUSED__COUNT
};
enum gw_stream_closed {
	GW_STREAM_CLOSED_CLIENT = 0, /* the client left */
	GW_STREAM_CLOSED_OVERFLOW,   /* it fell more than events.queue behind */
	GW_STREAM_CLOSED_STALLED,    /* it took no bytes for three heartbeats */
	GW_STREAM_CLOSED_REVOKED,    /* its token was revoked or removed */
	GW_STREAM_CLOSED_DRAIN,      /* the gateway stops */
	GW_STREAM_CLOSED__COUNT
};

/* Process-wide services a request may use; owned by the gateway, borrowed here. */
struct gw_services {
	const struct gw_route_table *routes; /* the API's routes; NULL = none (every path 404) */
	struct gw_metrics *metrics;          /* NULL = not counted */
	struct gw_ratelimit *ratelimit;      /* NULL = no rate limits */
	struct gw_probe_cache *probe_cache;  /* /readyz's last probe; NULL = every /readyz probes */
	struct gw_bearer *bearer;            /* the JWT verifier and its cache; NULL = no cache */
	struct gw_revoke *revoke;            /* revoked JWTs (DELETE /v1/tokens); NULL = none */
	struct gw_hub *hub;                  /* live events (events/hub.h); NULL = none */
	/* Fills the gauges only the transport knows (active requests, connections). */
	void (*stats)(void *arg, struct gw_metrics_extra *out);
	void *stats_arg;
	atomic_bool draining; /* set when the gateway starts to drain (/readyz answers 503) */
	/* bbb-webhooks callbacks refused (bad signature) and events in them not relayed */
	atomic_ullong callbacks_refused;
	atomic_ullong events_dropped;
	/* the event streams */
	struct gw_slots *streams; /* open streams, in all and per token; NULL = no streams */
	struct gw_quota *quota; /* tenants' meeting counts (max_meetings); NULL = no quotas kept */
	struct gw_fleet
		*fleet; /* the BBB servers and where meetings live; NULL = the config's first */
	/*
	 * The name of an exchange's BBB server (x->bbb.server, not NULL) for its
	 * access line, borrowed while the exchange holds the server; NULL = the
	 * servers are not named.
	 */
	const char *(*server_name)(const void *server);
	/* the configuration in force now (one reference for the caller); NULL = none */
	struct gw_config *(*config_get)(void *arg);
	void *config_arg;
	/* bumped by every reload and revocation: open streams check their token again */
	atomic_uint auth_epoch;
	struct gw_stream_counters {
		atomic_ullong opened;
		atomic_ullong refused[GW_STREAM_REFUSED__COUNT];
		atomic_ullong closed[GW_STREAM_CLOSED__COUNT];
		atomic_ullong sent[GW_MAX_EVENT_TYPES]; /* event deliveries, by type */
	} stream_counts;
};

struct gw_kv {
	char *name;  /* in the exchange's arena */
	char *value; /* in the exchange's arena */
};

#define GW_MAX_QUERY_PARAMS 64u
#define GW_MAX_RESPONSE_HEADERS 12u

/*
 * Per-request strings (path, query, header copies, path parameters,
 * response headers, the messageKey copy, the signed BBB URL) live in the
 * exchange's arena (x->arena; req.arena and resp.arena point to it) and
 * die with the exchange: never free() them, and allocate what is stored
 * in these fields with gw_arena_* on that arena.
 */
struct gw_request {
	enum gw_method method;
	const char *method_name; /* borrowed from the transport */
	struct gw_arena *arena;  /* borrowed: the exchange's */
	char *path;              /* arena; raw (still percent-encoded), without the query */
	const char *raw_query;   /* arena; the query as received, without '?' ("" when none) */
	struct gw_kv *query;     /* arena; n_query decoded query parameters */
	size_t n_query;
	/* selected headers, arena copies or NULL */
	char *authorization; /* or "Bearer <access_token>" on the routes that take it */
	bool token_from_query;
	char *content_type;
	char *accept;
	char *origin;
	char *access_control_request_method;
	char *access_control_request_headers;
	char *last_event_id; /* the event streams' resume point */
	char *host;          /* the Host header (the BBB-compatible API's tenant) */
	char request_id[GW_MAX_REQUEST_ID_LEN + 1];
	char *body; /* owned, NUL-terminated; NULL when there was no body */
	size_t body_len;

	/* filled by the match (gw_pipeline_route), once */
	bool routed;                      /* the match ran; the fields below are its outcome */
	enum gw_err route_err;            /* GW_OK, or why no route (404/405/400) */
	unsigned route_allowed;           /* with GW_E_METHOD_NOT_ALLOWED: the methods that match */
	const struct gw_route *route;     /* borrowed from the table; NULL = unmatched */
	char *params[GW_MAX_PATH_PARAMS]; /* decoded path parameters, arena */
	size_t n_params;

	/* filled by auth: a static token (borrowed from cfg) or a JWT's (one reference, dropped with the exchange) */
	const struct gw_token *token;
	/* the tenant whose rules apply (the token's, or the BBB-compatible API's); borrowed from cfg */
	const struct gw_tenant *tenant;

	struct gw_config *cfg;         /* one reference held for the exchange's lifetime */
	const struct gw_services *svc; /* borrowed; may be NULL (tests) */
};

struct gw_response {
	int status; /* 0 until a response is written */
	char *body; /* owned (malloc): handed to the transport */
	size_t body_len;
	const char *content_type; /* static string */
	struct gw_arena *arena;   /* borrowed: the exchange's */
	struct gw_kv *headers;    /* arena; n_headers pairs, room for cap_headers */
	size_t n_headers;
	size_t cap_headers;
	const char *message_key; /* BBB messageKey for the access log; points into bbb_message_key */
	char *bbb_message_key;   /* arena */
	bool no_cors;            /* send no Access-Control-Allow-Origin (a refused preflight) */
	bool minimal;            /* only the headers the answer needs (a head too large for more) */
	/*
	 * errors as BBB's own FAILED XML (the BBB-compatible API): HTTP 200 as
	 * bbb-web answers them, the gateway's 5xx with their status
	 */
	bool bbb_xml;
};

/*
 * Called with the BBB reply converted to JSON, only when BBB answered
 * SUCCESS. Writes the response. reply stays owned by the caller; a finish
 * function may take its body (gw_bbb_reply_take_body).
 */
typedef void (*gw_bbb_finish_fn)(struct gw_exchange *x, struct gw_bbb_reply *reply);

struct gw_bbb_call_def;

/*
 * The BBB call an exchange asked for, as far as only the bbb layer needs
 * it; written only by the bbb layer (from a struct gw_bbb_req, bbb_api.h),
 * the report reads name. The request itself (URL, method, body, retry
 * safety) is described once, in the exchange's upstream call (x->up),
 * which gw_bbb_request fills and the pool sends as it is.
 */
struct gw_bbb_call {
	const struct gw_bbb_call_def *def; /* the call's table entry (bbb_calls.h, static) */
	const char *name; /* the call's metric label, e.g. "getMeetingInfo" (static) */
	char *body;       /* owned POST body or NULL (x->up.body points at it) */
	bool raw_reply;   /* deliver BBB's reply unchanged (Accept: application/xml, raw calls) */
	bool pending;     /* a call was requested and not yet started (calls may chain) */
	bool waiting;     /* the calls wait for gw_bbb_resume (a shared store's answer) */
	bool facade;      /* the BBB-compatible API's passing on of the reply (gw_bbb_req.facade) */
	void *state;      /* handler state carried between chained calls, or NULL */
	void (*state_free)(void *state);
	gw_bbb_finish_fn finish;
	gw_bbb_finish_fn on_failed; /* FAILED replies; NULL = the generic mapping (gw_bbb_fail) */
	/*
	 * Called by gw_bbb_complete after the response is written, whatever the
	 * outcome, with the status the call itself ended with (before a probe's
	 * mapping to 503); NULL = none. Not called when the call never ran.
	 */
	void (*completed)(struct gw_exchange *x, int status);
	char content_type_buf[96];    /* storage for x->up.content_type */
	struct gw_upstream_sink sink; /* the call's sink, when the bbb layer gives one */
	void *stream;                 /* owned by the bbb layer: the reply's conversion so far */
	void (*stream_free)(void *stream); /* frees stream when the exchange is freed */
	/*
	 * The BBB server the exchange's calls go to (the bbb layer's: a
	 * referenced fleet server), dropped with server_unref when the exchange
	 * is freed; NULL = the configuration's first. A create that placed a
	 * new meeting keeps its meetingID (arena) to forget it if nothing was made.
	 */
	void *server;
	void (*server_unref)(void *server);
	const char *placed;
	/*
	 * A call (or a join URL) waiting for its meeting's server to be found by
	 * asking every server (bbb_route.h): the meetingID, the call's query
	 * (both arena) and its body's length (the body waits in body).
	 */
	const char *find_id;
	const char *find_query;
	size_t find_len;
	void (*find_then)(struct gw_exchange *x); /* what waits: a join URL */
	bool fan; /* the list call goes to every server at once (find_query holds its query) */
	bool find_record; /* find_id is a recordID: the server that lists the recording */
	bool find_place;  /* find_id is a create's: placed through the shared store (state.redis) */
	bool find_stored; /* the shared store was asked for find_id already */
};

typedef void (*gw_exchange_fn)(struct gw_exchange *x);
typedef void (*gw_exchange_resume_fn)(struct gw_exchange *x, void *arg);

/*
 * A streamed response (the event streams): the handler writes the status
 * and headers as usual, then hands the body over to a stream
 * (gw_exchange_stream), which the transport asks for bytes whenever the
 * client can take more. All three functions run on the thread that runs
 * the exchange; the stream tells the transport from any thread that it
 * has something (gw_exchange_stream_ready).
 */
enum gw_stream_step {
	GW_STREAM_WAIT = 0, /* nothing now: asked again after gw_exchange_stream_ready or due */
	GW_STREAM_MORE,     /* bytes were appended to out */
	GW_STREAM_END,      /* the stream is over once what out holds is sent */
};

/* Why a stream ended, as the transport saw it. */
enum gw_stream_end {
	GW_STREAM_END_SELF = 0, /* fill answered GW_STREAM_END */
	GW_STREAM_END_CLIENT,   /* the client closed the connection (or it failed) */
	GW_STREAM_END_STALLED,  /* the client took no bytes for the stall time */
	GW_STREAM_END_DRAIN,    /* the server stops */
};

struct gw_stream_ops {
	/* Appends what is ready to out (its max bounds it). */
	enum gw_stream_step (*fill)(void *state, struct gw_buf *out, uint64_t now_ms);
	/*
	 * Asked about once a second while the stream waits: true when fill
	 * would now have something (a heartbeat, a check) without a ready call.
	 */
	bool (*due)(void *state, uint64_t now_ms);
	/*
	 * Asked about once a second while the client is not taking bytes (the
	 * transport cannot ask fill then): true when the stream must end now
	 * (it fell too far behind, its token is gone); the transport then
	 * closes the connection and calls close with GW_STREAM_END_SELF.
	 */
	bool (*doomed)(void *state, uint64_t now_ms);
	/*
	 * The stream is over: frees state. Once it returns, state never calls
	 * gw_exchange_stream_ready again (it waits for a call in progress).
	 */
	void (*close)(void *state, enum gw_stream_end why);
};

struct gw_exchange {
	struct gw_request req;
	struct gw_response resp;
	struct gw_bbb_call bbb;
	struct gw_upstream_call up; /* the BBB call in progress (bbb_api.c runs it) */

	/* the asynchronous protocol (gw_exchange_defer, gw_exchange_done) */
	gw_exchange_fn start;         /* work to start once the handler returned; NULL = none */
	gw_exchange_resume_fn resume; /* the transport's hook; NULL outside a transport */
	void *resume_arg;
	/*
	 * The upstream pool of the loop the exchange runs on (borrowed; set by the
	 * transport before start runs); NULL = no BBB calls (stopping: 503).
	 */
	struct gw_upstream *upstream;
	/* the loop's Redis client (state.redis; borrowed, set with the exchange); NULL = none */
	struct gw_redis *redis;

	/* a streamed response (gw_exchange_stream); ops NULL = none or closed */
	const struct gw_stream_ops *stream_ops;
	void *stream_state;
	unsigned stream_stall_ms; /* end the stream when the client takes nothing this long; 0 = never */
	/* the transport's hook for gw_exchange_stream_ready; thread-safe, never waits */
	void (*stream_ready)(void *arg);
	void *stream_ready_arg;

	/*
	 * The per-request strings (see struct gw_request); its first chunk,
	 * GW_EXCHANGE_ARENA_FIRST bytes, is allocated with the exchange, right
	 * after it.
	 */
	struct gw_arena arena;
};

/* Bytes of the arena allocated with every exchange: a typical request needs no more. */
#define GW_EXCHANGE_ARENA_FIRST 2048u

/*
 * Allocates a zeroed exchange holding a reference to cfg (NULL is fine in
 * tests), with its arena capped by gw_exchange_arena_max. NULL on OOM.
 */
struct gw_exchange *gw_exchange_new(struct gw_config *cfg);

/* Frees the exchange and everything it owns. NULL is fine. */
void gw_exchange_free(struct gw_exchange *x);

/*
 * Leaves the exchange pending: once the handler returns without a
 * response, the transport parks the request (it may then not be touched
 * by the transport) and calls start(x) on the thread that runs the
 * exchange. From then on exactly one gw_exchange_done(x) must follow, on
 * any thread, after the response is written (a start function may call it
 * before it returns). A later defer replaces an earlier one.
 */
void gw_exchange_defer(struct gw_exchange *x, gw_exchange_fn start);

/* True when the handler left asynchronous work and no response. */
bool gw_exchange_pending(const struct gw_exchange *x);

/* The transport: runs the deferred start function (it is cleared first). */
void gw_exchange_start(struct gw_exchange *x);

/*
 * The asynchronous work is over and the response is written: the
 * transport answers. Call once per started exchange; x belongs to the
 * transport again from the moment this is called.
 */
void gw_exchange_done(struct gw_exchange *x);

/*
 * The response's body is the stream ops/state (see struct gw_stream_ops):
 * written by the handler after the status and headers. The transport owns
 * state from here on and ends it with gw_exchange_stream_close; an
 * exchange freed with its stream still open closes it (the client left).
 */
void gw_exchange_stream(struct gw_exchange *x, const struct gw_stream_ops *ops, void *state,
			unsigned stall_ms);

/* The stream has something to send: any thread, never waits. */
void gw_exchange_stream_ready(struct gw_exchange *x);

/* Ends the exchange's stream (ops->close) once; nothing when there is none. */
void gw_exchange_stream_close(struct gw_exchange *x, enum gw_stream_end why);

/* Maps a method name to the enum (GW_METHOD_OTHER when unknown). */
enum gw_method gw_method_parse(const char *name);

/* Comma-separated list of the methods in mask ("GET, POST") into out. */
void gw_method_list(unsigned mask, char *out, size_t outlen);

/*
 * The cap on an exchange's arena under cfg (NULL: the defaults): three
 * copies of a request head (path, raw and decoded query, headers) plus
 * GW_EXCHANGE_ARENA_URLS signed BBB URLs and some room for the rest.
 */
size_t gw_exchange_arena_max(const struct gw_config *cfg);

/*
 * Parses a raw query string ("a=1&b=%20x") into req->query (after any
 * parameters already there), in req->arena. GW_E_PARSE on bad encoding,
 * GW_E_TOO_LARGE past GW_MAX_QUERY_PARAMS or the arena's cap, GW_E_NOMEM.
 */
enum gw_err gw_request_parse_query(struct gw_request *req, const char *raw) GW_WUR;

/* The decoded value of query parameter name, or NULL. Borrowed. */
const char *gw_request_query(const struct gw_request *req, const char *name);

/*
 * Sets the request id: the caller's value when it is 1..128 visible ASCII
 * characters, else a fresh random one.
 */
void gw_request_set_id(struct gw_request *req, const char *client_value);

/*
 * Sets a response header (copies both into resp->arena; replaces one of
 * the same name). Ignored when GW_MAX_RESPONSE_HEADERS are set or out of memory.
 */
void gw_response_header(struct gw_response *resp, const char *name, const char *value);

/*
 * Writes status and the JSON encoding of body (compact) as the response.
 * Takes ownership of body (one reference).
 */
void gw_response_json(struct gw_exchange *x, int status, json_t *body);

/*
 * Writes status and len bytes of ready JSON text as the response. Takes
 * ownership of text (malloc'd, NUL-terminated; NULL means out of memory).
 */
void gw_response_json_text(struct gw_exchange *x, int status, char *text, size_t len);

/* Writes a response with a copy of n raw bytes and the given content type. */
void gw_response_raw(struct gw_exchange *x, int status, const char *content_type, const char *data,
		     size_t n);

/*
 * Writes an application/problem+json response for err:
 * {"type","title","status","detail","code","requestId"} plus "field" when
 * field is not NULL. detail may be NULL (title is used).
 */
void gw_response_problem(struct gw_exchange *x, enum gw_err err, const char *detail,
			 const char *field);

/* gw_response_problem with "Retry-After: <seconds>": come back later. */
void gw_response_retry(struct gw_exchange *x, enum gw_err err, unsigned seconds,
		       const char *detail);

/*
 * Like gw_response_problem and adds members from extra (borrowed; copied
 * in): messageKey, message, errors for BBB failures.
 */
void gw_response_problem_extra(struct gw_exchange *x, enum gw_err err, const char *detail,
			       const char *field, json_t *extra);

/*
 * Parses the request body as a JSON object (duplicate keys rejected).
 * Returns GW_OK with *out set (caller decrefs; NULL when there is no body
 * and required is false). On failure writes a 400 problem and returns the
 * error.
 */
enum gw_err gw_request_json_object(struct gw_exchange *x, bool required, json_t **out) GW_WUR;

/*
 * Reads member key of body as a non-empty string into *out (borrowed from
 * body; NULL when absent and not required). On error writes a 400 problem
 * naming the field and returns false.
 */
bool gw_request_string(struct gw_exchange *x, json_t *body, const char *key, bool required,
		       const char **out);

#endif
