/*
 * harness.h - the integration test harness: a BBB simulator and an
 * in-process gateway started in a checked fixture, a libcurl client for
 * the gateway, and assertions on problem responses.
 */
#ifndef GW_TEST_HARNESS_H
#define GW_TEST_HARNESS_H

#include <jansson.h>
#include <stdbool.h>

#include "auth.h"
#include "bbbsim.h"
#include "buf.h"
#include "config.h"
#include "crypto.h"
#include "gateway.h"

#define HARNESS_SECRET "8cd8ef52e8e101574e400365b55e11a6"

extern struct bbbsim *sim;
extern struct gw_gateway *gw;
extern struct gw_config *cfg;
extern char tok_all[GW_AUTH_TOKEN_LEN + 1];  /* scope "*" */
extern char tok_read[GW_AUTH_TOKEN_LEN + 1]; /* scope meetings:read */

/* Simulator options used by setup(); tests may change them before setup runs. */
extern struct bbbsim_opts harness_sim_opts;

/* Called with each new config before the gateway starts (settings read only at start). */
extern void (*harness_tweak)(struct gw_config *c);

/*
 * Adds a static token name with scopes to c (a config before the gateway
 * starts); its text is written to out. Returns the entry (e.g. to give it
 * a tenant).
 */
struct gw_token *harness_add_token(struct gw_config *c, const char *name, unsigned scopes,
				   char *out);

/* Checked fixture: simulator + gateway (SHA-256). */
void setup(void);
void teardown(void);

/* Restarts the gateway with another secret / algorithm. */
void start_gateway(const char *secret, enum gw_digest alg);
void restart_gateway(const char *secret, enum gw_digest alg);

struct reply {
	long status;
	struct gw_buf body;
	struct gw_buf headers;
	json_t *json; /* the body parsed, or NULL */
};

struct req {
	const char *method;
	const char *path;
	const char *token;
	const char *body;
	size_t body_len; /* 0 = strlen(body) */
	const char *content_type;
	const char *extra_header;
	const char *extra_header2;
	unsigned port; /* the gateway's port on 127.0.0.1; 0: the in-process gw's */
};

/*
 * Sends q and fills r (free with reply_free, also when it fails) without
 * asserting, so any thread may call it (with q->port set: gw is the
 * checked fixture's). false when no HTTP answer came (r->status 0).
 */
bool harness_send(const struct req *q, struct reply *r);

/* harness_send that fails the test when no answer came. */
void do_request(const struct req *q, struct reply *r);
void call(struct reply *r, const char *method, const char *path, const char *token,
	  const char *body);
void reply_free(struct reply *r);
size_t on_data(char *p, size_t size, size_t n, void *arg);

/* A response header's value (static buffer) or NULL. */
const char *header(const struct reply *r, const char *name);
const char *jstr(const struct reply *r, const char *key);
void assert_problem(const struct reply *r, long status, const char *code);

/* The last request the simulator received (free with bbbsim_request_free). */
void last_sim_request(struct bbbsim_request *out);

/* The decoded parameter name of the simulator's last request (malloc'd) or NULL. */
char *harness_sim_param(const char *name);

/* The simulator's last request had parameter name = want (want NULL: it had none). */
void harness_assert_sim_param(const char *name, const char *want);

/* The config form of token's hash: "sha256:" + 64 hex digits and a NUL. */
void harness_token_hash(const char *token, char out[72]);

/* Everything written so far to the non-blocking fd, as a malloc'd string (log captures). */
char *harness_slurp(int fd);

/*
 * The sum of a /metrics series over its label sets (name may carry its own
 * labels, e.g. `x{reason="y"}`); -1 when the exposition has none.
 */
long long harness_metric(const char *name);

/*
 * Destroys every bbb-webhooks hook but the one calling back url; true when
 * that one is listed and is the simulator's only hook.
 */
bool harness_only_hook(const char *url);

/* Creates meeting id through the gateway (asserts 201). */
void create_meeting(const char *id);

#endif
