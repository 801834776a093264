/*
 * redis_int.h - what the two clients of the redis module share (redis.c:
 * the options, the reply view, the connection set-up and the event-loop
 * client; redis_sync.c: the blocking client). Only src/net/redis*.c
 * include it: it is the one way into hiredis.
 */
#ifndef GW_REDIS_INT_H
#define GW_REDIS_INT_H

#include <hiredis/hiredis.h>
#include <stdint.h>

#include "redis.h"

/* The options with defaults filled in and strings owned. */
struct gw_redis_conf {
	char *host;      /* NULL with a Unix socket */
	char *unix_path; /* NULL over TCP */
	char *password;  /* NULL: no AUTH; zeroed when freed */
	unsigned port;
	unsigned db;
	unsigned connect_timeout_ms;
	unsigned command_timeout_ms;
	unsigned max_pending;
	char label[128]; /* "host:port" or the socket's path, for log lines */
};

/*
 * Copies o into c with defaults. resolve: a host name becomes its first
 * address now (getaddrinfo, blocking), so that hiredis's own resolving
 * never waits for DNS. GW_E_CONFIG (unresolvable host, port > 65535),
 * GW_E_NOMEM. Free with gw_redis_conf_deinit (also after a failure).
 */
enum gw_err gw_redis_conf_init(struct gw_redis_conf *c, const struct gw_redis_opts *o,
			       bool resolve) GW_WUR;
void gw_redis_conf_deinit(struct gw_redis_conf *c);

/* The commands that set up a connection (argv points into a conf and db). */
struct gw_redis_setup_cmd {
	int argc;
	const char *argv[2];
	size_t argvlen[2];
};
struct gw_redis_setup {
	char db[16];
	struct gw_redis_setup_cmd cmd[2];
};

/*
 * Fills s with c's set-up commands, in order: AUTH, SELECT, the ones c
 * needs; none: PING, so that "up" always means Redis answered. c must
 * outlive s. Returns how many (1 or 2).
 */
unsigned gw_redis_setup_cmds(const struct gw_redis_conf *c, struct gw_redis_setup *s);

/*
 * NULL when rr answers the set-up command cmd well; else why not, in buf of
 * n bytes, in words that never repeat what was sent (only the code that
 * starts an error reply, never its message).
 */
const char *gw_redis_setup_refusal(const redisReply *rr, const char *cmd, char *buf, size_t n);

/* Runs cb(GW_OK, view of rr, arg); GW_E_NOMEM, without running cb, when the view cannot be made. */
enum gw_err gw_redis_deliver(const redisReply *rr, gw_redis_reply_fn cb, void *arg) GW_WUR;

/* Marks fd close-on-exec (hiredis 0.14 does not). */
void gw_redis_cloexec(int fd);

/* CLOCK_MONOTONIC in milliseconds. */
uint64_t gw_redis_now_ms(void);

#endif
