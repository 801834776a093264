/*
 * fleetfix.h - the fixture of the fleet suites: real processes on
 * loopback, each started, killed and restarted by the test.
 *
 *   - FLEETFIX_SIMS BBB simulators (the bbb-sim program, $GW_BBBSIM_BINARY),
 *     each with its own port and secret, named bbb1..bbb3;
 *   - one redis-server ($GW_REDIS_SERVER, else redis-server on PATH) on a
 *     free port, without persistence;
 *   - up to FLEETFIX_GATEWAYS bbb-gateway daemons ($GW_BINARY), each with a
 *     config file written from fleetfix_opts: the three simulators as
 *     `servers`, `fleet` and, while Redis runs, `state.redis`; or a lone
 *     `bbb` group naming simulator 1.
 *
 * Simulators and gateways are numbered from 1 (simulator 2 is server
 * "bbb2"). Every process writes its stdout and stderr to a log file in the
 * test's temporary directory; a start that fails shows the log's tail.
 * fleetfix_teardown stops and reaps the processes and removes the
 * directory. A test that fails in a forked Check child exits without its
 * teardown: its processes die with it (PR_SET_PDEATHSIG) and fleetfix_run's
 * process, their subreaper, reaps them and removes the directory when the
 * suite ends. FLEETFIX_KEEP=1 in the environment keeps the directories
 * (logs, configs). Deadlines are generous (FLEETFIX_WAIT_MS): a passing
 * test never waits for them, valgrind only makes it wait longer.
 */
#ifndef GW_TEST_FLEETFIX_H
#define GW_TEST_FLEETFIX_H

#include <check.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "auth.h"
#include "bbbsim_client.h"
#include "harness.h"

#define FLEETFIX_SIMS 3
#define FLEETFIX_GATEWAYS 2
/* What the fixture waits for a process to answer; only a failing start waits this long. */
#define FLEETFIX_WAIT_MS 60000
/*
 * The gateways' BBB settings in the fleet suites: calls wait long enough
 * for a burst of creates on a loaded machine under TSan or valgrind (a
 * killed simulator refuses at once; nothing waits for this on a pass).
 */
#define FLEETFIX_BBB "bbb = { timeout_ms = 15000; };"

/*
 * Runs suite s (as gw_test_run does) with a directory holding the tests'
 * directories, removed afterwards with whatever a failed test left, and
 * this process as the subreaper of its tests' processes. When needs_redis
 * and no redis-server is found it runs nothing and prints TAP's
 * "1..0 # SKIP <reason>" with exit status 0: meson's skip for a 'tap'
 * test (it counts exit status 77 as a failure there).
 */
int fleetfix_run(Suite *s, bool needs_redis);

#define FLEETFIX_MAIN(suite_fn, needs_redis)                    \
	int main(void)                                          \
	{                                                       \
		return fleetfix_run(suite_fn(), (needs_redis)); \
	}

/* The redis-server the fixture runs (static), or NULL when there is none. */
const char *fleetfix_redis_binary(void);

/*
 * Checked fixture: a new temporary directory, fresh tokens,
 * fleetfix_opts reset, libcurl initialised. Starts no process.
 */
void fleetfix_setup(void);

/* Stops every process (fleetfix_stop_all) and removes the directory. */
void fleetfix_teardown(void);

/*
 * Kills and reaps every process the fixture started (gateways with
 * SIGTERM first, so they exit as in production). The test may go on
 * starting processes afterwards.
 */
void fleetfix_stop_all(void);

/* The number of processes whose parent is the test process (alive or not yet reaped). */
int fleetfix_children(void);

/* The fixture's temporary directory (static), for a test's own files. */
const char *fleetfix_dir(void);

/* Simulators, i in 1..FLEETFIX_SIMS. */

/* Starts simulator i on a free port with its secret; returns once it answers. */
void fleetfix_sim_start(int i);

/* Starts the simulators not running. */
void fleetfix_sims_start(void);

/* SIGKILL, reaped: the port is closed at once and its meetings are gone. */
void fleetfix_sim_kill(int i);

/* Starts simulator i again on the port and with the secret it had (empty: no meetings). */
void fleetfix_sim_restart(int i);

/* Its API base "http://127.0.0.1:PORT/bigbluebutton/api" (static until teardown). */
const char *fleetfix_sim_url(int i);
const char *fleetfix_sim_name(int i);   /* "bbb<i>" */
const char *fleetfix_sim_secret(int i); /* its shared secret */
unsigned fleetfix_sim_port(int i);

/* True when simulator i answers its API root (GET /bigbluebutton/api). */
bool fleetfix_sim_answers(int i);

/*
 * Calls BBB's API of simulator i directly: GET call?query (query already
 * form-encoded, may be "") signed with its secret (SHA-256). Free the
 * answer with bbbsim_resp_free; status 0 when none came.
 */
struct bbbsim_resp fleetfix_sim_call(int i, const char *call, const char *query);

/*
 * The meetingIDs simulator i holds (its getMeetings), as a JSON array of
 * strings; fails the test when it does not answer. Caller decrefs.
 */
json_t *fleetfix_sim_meetings(int i);

/* Simulator i holds meeting id. */
bool fleetfix_sim_has_meeting(int i, const char *meeting_id);

/* Redis (a suite run with fleetfix_run(s, true): the binary exists). */

/* Starts redis-server on a free port of 127.0.0.1; returns once it answers PING. */
void fleetfix_redis_start(void);

/* SIGKILL, reaped: everything it held is gone. */
void fleetfix_redis_kill(void);

/* Starts it again on the same port (empty). */
void fleetfix_redis_restart(void);

/* Its port; 0 before fleetfix_redis_start. */
unsigned fleetfix_redis_port(void);

/* True when it answers PING with +PONG. */
bool fleetfix_redis_ping(void);

/*
 * Sends one inline command ("DBSIZE", "KEYS *", "GET k") on a new
 * connection and returns the whole reply in RESP ("+PONG\r\n", ":3\r\n",
 * "*2\r\n$1\r\na\r\n..."), malloc'd; NULL when no complete reply came.
 */
char *fleetfix_redis_cmd(const char *cmd);

/* Gateways, i in 1..FLEETFIX_GATEWAYS. */

/* What fleetfix_gateway_start writes; fleetfix_setup resets it. */
struct fleetfix_opts {
	/*
	 * A lone `bbb = { url; secret; }` naming simulator 1 and no
	 * `servers`, `fleet` or `state`, nor the servers:admin token: a
	 * config of the gateway before it knows fleets.
	 */
	bool lone;
	const char *fleet; /* the `fleet` group's settings; NULL: "poll_s = 1;" */
	/* Settings added to server i+1's entry ("weight = 2.0; tags = [ \"eu\" ];"), or NULL. */
	const char *server_extra[FLEETFIX_SIMS];
	bool no_state; /* leave `state` out even while Redis runs */
	/* The first n simulators are the gateways' servers; 0: all of them. */
	int n_servers;
	/* A recordings fixture for simulator i+1 (bbb-sim --recordings), or NULL: none. */
	const char *sim_recordings[FLEETFIX_SIMS];
};
extern struct fleetfix_opts fleetfix_opts;

/* Tokens of every gateway: scope "*", and servers:admin (fleet configs only). */
extern char fleetfix_tok_all[GW_AUTH_TOKEN_LEN + 1];
extern char fleetfix_tok_admin[GW_AUTH_TOKEN_LEN + 1];

/* What fleetfix_config_text writes. Strings are borrowed. */
struct fleetfix_server {
	const char *name;
	const char *url;
	const char *secret;
	const char *extra; /* settings added to the entry, or NULL */
};

struct fleetfix_conf {
	unsigned port;        /* listen.port; 0 picks a free one */
	const char *hash_all; /* tokens' hashes ("sha256:..."); hash_admin NULL: no such token */
	const char *hash_admin;
	const struct fleetfix_server *servers; /* n_servers >= 1 */
	size_t n_servers;
	bool lone;           /* a `bbb` group of servers[0] instead of servers/fleet/state */
	const char *fleet;   /* the `fleet` group's settings; NULL: "poll_s = 1;" */
	unsigned redis_port; /* state.redis = "redis://127.0.0.1:PORT/0"; 0: no state */
	const char *extra;   /* appended as it is, or NULL */
};

/*
 * A gateway's config in libconfig text: listen on 127.0.0.1 (2 threads),
 * the BBB servers (a lone `bbb` group, or `servers = ( { name; url;
 * secret; }, ... );` then `fleet` and `state` as api-contract.md's "Many
 * BBB servers" writes them), the tokens, then extra. malloc'd.
 */
char *fleetfix_config_text(const struct fleetfix_conf *c);

/*
 * Writes gateway i's config (fleetfix_opts, the simulators' ports and
 * secrets, Redis when it runs, then extra_config: more groups, or NULL),
 * starts the daemon and returns once its /healthz answers 200. Its port
 * comes from its "listening on" log line.
 */
void fleetfix_gateway_start(int i, const char *extra_config);

/* Starts gateway i again on its port with the config it had. */
void fleetfix_gateway_restart(int i);

/*
 * Stops gateway i (SIGTERM, a clean exit) and starts it again on the same
 * port with extra_config instead (a config that names its own port, such
 * as events.callback_url).
 */
void fleetfix_gateway_reconfigure(int i, const char *extra_config);

/*
 * Writes gateway i's config again from fleetfix_opts (same port and extra
 * settings) and sends it SIGHUP; returns once its log shows the reload.
 */
void fleetfix_gateway_reload(int i);

/* SIGKILL, reaped. */
void fleetfix_gateway_kill(int i);

/*
 * SIGTERM, and waits for the exit (SIGKILL after FLEETFIX_WAIT_MS).
 * Returns the exit status, or -1 when a signal ended it.
 */
int fleetfix_gateway_stop(int i);

/* "http://127.0.0.1:PORT" (static until teardown), and the port. */
const char *fleetfix_gateway_url(int i);
unsigned fleetfix_gateway_port(int i);

/* Everything gateway i has logged so far (all its runs), malloc'd. */
char *fleetfix_gateway_log(int i);

/* Waits (at most FLEETFIX_WAIT_MS) until gateway i's log holds text. */
void fleetfix_wait_log(int i, const char *text);

/* HTTP to the gateways (harness.h's client: free replies with reply_free). */

/* method path on gateway i with token (NULL: none) and a JSON body (NULL: none). */
void fleetfix_call(struct reply *r, int i, const char *method, const char *path, const char *token,
		   const char *body);

/*
 * POST /v1/meetings on gateway i with fleetfix_tok_all and
 * {"name": "Meeting <id>", "meetingID": id, <extra_json>} (extra_json: JSON
 * members without braces, or NULL). Returns the HTTP status, 0 when no
 * answer came.
 */
long fleetfix_create(int i, const char *meeting_id, const char *extra_json);

/* One request of a burst: what to send, and what came back. */
struct fleetfix_shot {
	int gw; /* 1..FLEETFIX_GATEWAYS */
	const char *method;
	const char *path;
	const char *token; /* NULL: none */
	const char *body;  /* JSON or NULL */
	struct reply r;    /* r.status 0 when no answer came */
};

/*
 * Sends the n requests at once, each on a thread of its own released
 * together, and waits for every answer. Free with fleetfix_burst_free.
 */
void fleetfix_burst(struct fleetfix_shot *shots, size_t n);
void fleetfix_burst_free(struct fleetfix_shot *shots, size_t n);

/* How many shots answered status. */
size_t fleetfix_burst_count(const struct fleetfix_shot *shots, size_t n, long status);

/*
 * Creates meetings "<prefix>-0" .. "<prefix>-<n-1>" all at once, shot i on
 * gateway 1 + i % gateways, and asserts that each answered 201.
 */
void fleetfix_burst_creates(const char *prefix, size_t n, int gateways);

/*
 * The path of a BBB-compatible API call for tenant (named by the path):
 * "/<tenant>/bigbluebutton/api/<call>?<query>&checksum=..." signed with
 * the tenant's secret (SHA-256), into path (reset first).
 */
void fleetfix_facade_path(struct gw_buf *path, const char *tenant, const char *secret,
			  const char *call, const char *query);

/* The status of one call to gateway i with the "*" token. */
long fleetfix_status(int i, const char *method, const char *path, const char *body);

/* Whether GET /v1/servers on gateway i says server name is healthy. */
bool fleetfix_server_healthy(int i, const char *name);

/* Waits (at most FLEETFIX_WAIT_MS) until gateway i says server name is healthy, or not. */
void fleetfix_wait_health(int i, const char *name, bool healthy);

/* Sleeps ms milliseconds. */
void fleetfix_sleep_ms(unsigned ms);

#endif
