/*
 * redisfix.h - what the redis suite's cases share: redis-server processes
 * started on free ports of 127.0.0.1 (killed by the checked fixture, or
 * with the test process through PR_SET_PDEATHSIG), an epoll loop that
 * drives the event-loop clients as an HTTP loop does, commands sent from
 * NULL-terminated strings with their replies recorded and rendered as
 * text, and the gateway's log captured through a pipe.
 *
 * Timing: every wait is "until it happens, within WAIT_MS".
 */
#ifndef GW_TEST_REDISFIX_H
#define GW_TEST_REDISFIX_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "redis.h"

#define WAIT_MS 20000u /* how long "eventually" may take on a loaded machine */
#define LONG_MS 30000u /* a command timeout no test reaches */
#define N_CLIENTS 2
#define N_SERVERS 2

/* What a command's callback saw (on_res). */
struct res {
	int ndone;
	enum gw_err err;
	enum gw_redis_type type;
	long long integer;
	bool ok;             /* gw_redis_reply_is_ok */
	bool nul_terminated; /* str[len] was a NUL */
	size_t len;
	char str[64];   /* the first bytes of a string */
	char text[512]; /* the whole reply: [1,"two",nil,+OK,-ERR x] */
};

struct redis_server {
	pid_t pid;
	unsigned port; /* kept across a kill: a restart takes the same port */
	char dir[64];  /* with a Unix socket: its directory (socket redis.sock) */
};

extern struct redis_server servers[N_SERVERS];
extern struct gw_redis *clients[N_CLIENTS]; /* the loop drives these; teardown frees them */
extern atomic_int completed;                /* on_res calls, on any thread */
extern int ups;                             /* state callbacks of clients[] */
extern int downs;

/* Finds redis-server on PATH; false when it is not installed. */
bool find_server(void);

uint64_t now_ms(void);
void sleep_ms(unsigned ms);

/* Starts servers[i] (with requirepass, with a Unix socket) and waits until it answers. */
void server_start(int i, const char *password, bool unix_socket);
void server_kill(int i);

/* Checked fixture: SIGPIPE ignored, an epoll set, server 0 started; teardown frees and kills. */
void setup(void);
void teardown(void);

/* From now on the log, debug lines included, goes to a pipe that log_text() reads. */
void capture_log(void);
const char *log_text(void);
int count(const char *hay, const char *needle);

/* A gw_redis_reply_fn recording into the struct res arg. */
void on_res(enum gw_err err, const struct gw_redis_reply *reply, void *arg);

/* Drives the loop until cond(arg) holds or max_ms pass; returns cond(arg). */
bool drive(bool (*cond)(const void *), const void *arg, unsigned max_ms);
void drive_ms(unsigned ms);
void wait_completed(int n);
void wait_up(struct gw_redis *c);

/* clients[slot] made with o, its state callback counting ups and downs. */
struct gw_redis *client_with(int slot, const struct gw_redis_opts *o);

/* clients[slot] on server 0's port with db and command timeout, up. */
struct gw_redis *client(int slot, unsigned db, unsigned command_timeout_ms);

/* Sends the NULL-terminated strings as one command, recorded in r. */
enum gw_err send_cmd(struct gw_redis *c, struct res *r, ...);

/* Clears r, sends, and waits for the completion. */
void run(struct gw_redis *c, struct res *r, ...);

/* A blocking client of servers[i]. */
struct gw_redis_sync *sync_client(int i, unsigned db, const char *password);

/* A blocking command of NULL-terminated strings that must end with want. */
void sync_run(struct gw_redis_sync *s, struct res *r, unsigned timeout_ms, enum gw_err want, ...);

#endif
