/*
 * ssefix.h - what the event-stream suites share: the gateway of the
 * harness with live events on (events.* from sse_knobs, extra static
 * tokens, a JWT issuer), a raw-socket Server-Sent Events client (open a
 * stream with any headers, read its blocks until a deadline, see how it
 * ends), bbb-webhooks callbacks signed here with OpenSSL and posted to
 * /v1/bbb-events, and sums of /metrics series.
 *
 * Deadlines are generous (SSE_WAIT_MS): a passing test never waits for
 * them, and a slow machine or a sanitizer only makes it wait longer for
 * what comes anyway.
 */
#ifndef GW_TEST_SSEFIX_H
#define GW_TEST_SSEFIX_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "auth.h"
#include "buf.h"

/* The callback URL the gateway verifies posted callbacks against (not the live one). */
#define SSE_CALLBACK_URL "http://gateway.test/v1/bbb-events"
#define SSE_ISSUER_KEY "sse-issuer-key-0123456789abcdef-0123456789"
/* What the fixture waits for anything that must come; only a failing test waits this long. */
#define SSE_WAIT_MS 20000
/* How long the fixture watches for something that must not come. */
#define SSE_QUIET_MS 600

/* The gateway's events settings; sse_setup resets them (Check may not fork). */
struct sse_knobs {
	bool off;                       /* no events.callback_url: live events off */
	unsigned heartbeat_s;           /* 0 = the default (15) */
	unsigned buffer;                /* 0 = the default (1000) */
	unsigned queue;                 /* 0 = the default (256) */
	unsigned max_streams;           /* 0 = the default (10000) */
	unsigned max_streams_per_token; /* 0 = the default (20) */
	unsigned port;                  /* 0, or the fixed port of a live gateway (sse_go_live) */
};
extern struct sse_knobs sse_knobs;

/* Static tokens besides the harness's: events:read; events:read again; with meetings:passwords; a tenant's. */
extern char tok_events[GW_AUTH_TOKEN_LEN + 1];
extern char tok_events2[GW_AUTH_TOKEN_LEN + 1];
extern char tok_evpw[GW_AUTH_TOKEN_LEN + 1];
/* events:read of tenant "lms" (meeting prefix "lms~") */
extern char tok_tenant[GW_AUTH_TOKEN_LEN + 1];

/* Checked fixture: the knobs' defaults, the simulator and the gateway. */
void sse_setup(void);
void sse_teardown(void);

/* Stops the gateway and starts it again with sse_knobs (same tokens). */
void sse_restart(void);

/*
 * Restarts the gateway on a fixed port with events.callback_url naming it,
 * and waits until the simulator holds exactly its hook: from then on the
 * simulator's own callbacks reach the gateway.
 */
void sse_go_live(void);

/*
 * A JWT of issuer "lms" (scopes up to all but meetings:passwords, bound to
 * meetings unless the claims say otherwise) with iss, aud, iat and exp set
 * and the members of more (JSON text without braces, may be ""). malloc'd.
 */
char *sse_jwt(const char *more);

/* One streamed response, read from a plain socket. */
struct sse_conn {
	int fd;
	int status;
	char head[8192];    /* status line and headers, NUL-terminated */
	struct gw_buf in;   /* bytes received and not yet taken out of their chunks */
	struct gw_buf body; /* the body (de-chunked); blocks already read are dropped */
	bool chunked;
	bool eof;   /* the peer closed the connection (FIN or reset) */
	bool reset; /* ... with a reset */
	bool ended; /* the chunked body's last chunk came: a clean end */
	bool bad;   /* framing that is not HTTP/1.1 chunked */
};

/* One block of the stream (the text between blank lines). */
struct sse_block {
	char id[32];      /* "" when none */
	char event[64];   /* "" when none */
	char data[8192];  /* "" when none */
	char comment[64]; /* a ": ..." line's text, "" when none */
	long retry;       /* -1 when none */
};

/*
 * Connects (with SO_RCVBUF rcvbuf when > 0, before connecting), sends
 * GET path with the header lines headers ("Name: value\r\n"..., may be
 * NULL) and reads the head. A 200 is read on as a stream; anything else's
 * body is read whole. Returns the status.
 */
int sse_open(struct sse_conn *s, const char *path, const char *headers, int rcvbuf);

/* sse_open to the gateway on 127.0.0.1:port (one the harness did not start). */
int sse_open_at(struct sse_conn *s, unsigned port, const char *path, const char *headers,
		int rcvbuf);

/* sse_open with "Authorization: Bearer token" (token NULL: none). */
int sse_open_token(struct sse_conn *s, const char *path, const char *token);

/*
 * sse_open_token expecting a stream: 200, text/event-stream, chunked,
 * X-Accel-Buffering: no, and `retry: 3000` as the first block.
 */
void sse_open_ok(struct sse_conn *s, const char *path, const char *token);

/* Closes the socket and frees the buffers. */
void sse_close(struct sse_conn *s);

/* A header of the response's head (static buffer), or NULL. */
const char *sse_header(const struct sse_conn *s, const char *name);

/* The response was a problem (status, code) with its request id. */
void sse_assert_problem(const struct sse_conn *s, int status, const char *code);

/* The next block within timeout_ms; false when none came (time ran out, or the stream ended). */
bool sse_next(struct sse_conn *s, struct sse_block *b, int timeout_ms);

/* The next block that is an event (heartbeats and retry lines skipped). */
bool sse_next_event(struct sse_conn *s, struct sse_block *b, int timeout_ms);

/*
 * Reads (and drops) what comes until the stream ends: its last chunk (a
 * clean end; the connection may stay open for another request) or the
 * peer's close (s->ended tells which). False when neither comes within
 * timeout_ms.
 */
bool sse_wait_end(struct sse_conn *s, int timeout_ms);

/* Nothing but heartbeats and retry lines comes within ms (an event fails the test). */
void sse_assert_quiet(struct sse_conn *s, int ms);

/* The block's data parsed (fails the test when it is not JSON). Caller decrefs. */
json_t *sse_data(const struct sse_block *b);

/*
 * One bbb-webhooks "mapped" event as JSON text: id (bbb-webhooks' event
 * id, "user-joined"), the meeting's external ID, and user: an external
 * user ID for the user events (NULL for the others). Users carry a session
 * token and meeting-created the passwords, which streams must filter.
 * Written into out (cap bytes).
 */
void sse_bbb_event(char *out, size_t cap, const char *id, const char *meeting, const char *user);

/*
 * Posts the events (JSON text of an array) as bbb-webhooks does: a form,
 * signed with the checksum over SSE_CALLBACK_URL + body + the secret.
 * Asserts 200 and that received events were relayed.
 */
void sse_post(const char *events, long long received);

/* sse_post of one event. */
void sse_post_one(const char *id, const char *meeting, const char *user);

/* Waits until harness_metric(name) >= want; false when it does not within SSE_WAIT_MS. */
bool sse_metric_reaches(const char *name, long long want);

/*
 * Bytes of events that surely block a stream whose client does not read:
 * more than the kernel lets a TCP send buffer grow to (tcp_wmem's max),
 * the client's small receive buffer and the gateway's own buffers.
 */
size_t sse_stuck_bytes(void);

/* GET target (path and query) from the simulator on a fresh connection; returns the status. */
int sse_sim_get(const char *target);

#endif
