/*
 * redis_sync.c - the blocking Redis client, for a thread of its own that
 * may wait long on purpose (XREAD BLOCK, the messages after SUBSCRIBE).
 *
 * One hiredis context in blocking mode; each call sets the socket's send
 * and receive timeouts (redisSetTimeout) to its own budget. A timeout or
 * any other transport error leaves the connection out of step, so it is
 * marked broken and every later call fails at once: reconnecting (and
 * logging the outage, once) is the caller's job, which is why this file
 * logs nothing above debug. Another thread ends a blocked call by shutting
 * the socket down (gw_redis_sync_interrupt): the read sees end of file.
 */
#include "redis_int.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "log.h"

struct gw_redis_sync {
	struct gw_redis_conf conf;
	redisContext *c;
	int fd; /* c's socket, fixed from connect on (read by gw_redis_sync_interrupt) */
	bool broken;
	atomic_bool interrupted;
};

static struct timeval tv_of(unsigned ms)
{
	struct timeval tv = {.tv_sec = (time_t)(ms / 1000u),
			     .tv_usec = (suseconds_t)(ms % 1000u) * 1000};

	return tv;
}

/* What a NULL reply from hiredis means; err_no is errno right after the call. */
static enum gw_err failure(struct gw_redis_sync *s, int err_no)
{
	s->broken = true;
	gw_log_debug("redis: %s: %s", s->conf.label, s->c->errstr);
	if (s->c->err == REDIS_ERR_OOM)
		return GW_E_NOMEM;
	/* SO_RCVTIMEO ran out: a blocking read fails with EAGAIN. */
	if (s->c->err == REDIS_ERR_IO && (err_no == EAGAIN || err_no == EWOULDBLOCK) &&
	    !atomic_load(&s->interrupted))
		return GW_E_UPSTREAM_TIMEOUT;
	return GW_E_UNAVAILABLE;
}

static enum gw_err finish(struct gw_redis_sync *s, redisReply *rr, int err_no, gw_redis_reply_fn cb,
			  void *arg)
{
	enum gw_err err;

	if (rr == NULL)
		return failure(s, err_no);
	err = gw_redis_deliver(rr, cb, arg);
	freeReplyObject(rr);
	return err;
}

/* AUTH and SELECT, within the connect timeout. */
static enum gw_err set_up(struct gw_redis_sync *s)
{
	struct gw_redis_setup setup;
	unsigned n = gw_redis_setup_cmds(&s->conf, &setup);
	char why[64];
	unsigned i;

	for (i = 0; i < n; i++) {
		struct gw_redis_setup_cmd *c = &setup.cmd[i];
		redisReply *rr = redisCommandArgv(s->c, c->argc, c->argv, c->argvlen);
		const char *refusal;

		if (rr == NULL)
			return failure(s, errno) == GW_E_NOMEM ? GW_E_NOMEM : GW_E_UNAVAILABLE;
		refusal = gw_redis_setup_refusal(rr, c->argv[0], why, sizeof(why));
		freeReplyObject(rr);
		if (refusal != NULL) {
			gw_log_debug("redis: %s: %s", s->conf.label, refusal);
			return GW_E_UNAVAILABLE;
		}
	}
	return GW_OK;
}

enum gw_err gw_redis_sync_connect(const struct gw_redis_opts *o, struct gw_redis_sync **out)
{
	struct gw_redis_sync *s = calloc(1, sizeof(*s));
	struct timeval tv;
	enum gw_err err;

	if (s == NULL)
		return GW_E_NOMEM;
	s->fd = -1;
	atomic_init(&s->interrupted, false);
	/* A host name is resolved by hiredis on each connect: this thread may wait for DNS. */
	err = gw_redis_conf_init(&s->conf, o, false);
	if (err != GW_OK)
		goto out;
	tv = tv_of(s->conf.connect_timeout_ms);
	if (s->conf.unix_path != NULL)
		s->c = redisConnectUnixWithTimeout(s->conf.unix_path, tv);
	else
		s->c = redisConnectWithTimeout(s->conf.host, (int)s->conf.port, tv);
	if (s->c == NULL) {
		err = GW_E_NOMEM;
		goto out;
	}
	if (s->c->err != 0) {
		gw_log_debug("redis: cannot connect to %s: %s", s->conf.label, s->c->errstr);
		err = GW_E_UNAVAILABLE;
		goto out;
	}
	s->fd = s->c->fd;
	gw_redis_cloexec(s->fd);
	if (s->conf.unix_path == NULL)
		(void)redisEnableKeepAlive(s->c);
	(void)redisSetTimeout(s->c, tv);
	err = set_up(s);
out:
	if (err != GW_OK) {
		gw_redis_sync_free(s);
		return err;
	}
	*out = s;
	return GW_OK;
}

/* May s take a call, with timeout_ms (0: the command timeout) on its socket? */
static enum gw_err ready(struct gw_redis_sync *s, unsigned timeout_ms)
{
	if (s->broken || atomic_load(&s->interrupted))
		return GW_E_UNAVAILABLE;
	if (redisSetTimeout(s->c,
			    tv_of(timeout_ms != 0 ? timeout_ms : s->conf.command_timeout_ms)) !=
	    REDIS_OK) {
		s->broken = true;
		return GW_E_UNAVAILABLE;
	}
	return GW_OK;
}

enum gw_err gw_redis_sync_command(struct gw_redis_sync *s, unsigned timeout_ms, int argc,
				  const char **argv, const size_t *argvlen, gw_redis_reply_fn cb,
				  void *arg)
{
	enum gw_err err;
	redisReply *rr;

	if (argc < 1 || argv == NULL || cb == NULL)
		return GW_E_INTERNAL;
	err = ready(s, timeout_ms);
	if (err != GW_OK)
		return err;
	rr = redisCommandArgv(s->c, argc, argv, argvlen);
	return finish(s, rr, errno, cb, arg);
}

enum gw_err gw_redis_sync_read(struct gw_redis_sync *s, unsigned timeout_ms, gw_redis_reply_fn cb,
			       void *arg)
{
	void *reply = NULL;
	enum gw_err err;

	if (cb == NULL)
		return GW_E_INTERNAL;
	err = ready(s, timeout_ms);
	if (err != GW_OK)
		return err;
	if (redisGetReply(s->c, &reply) != REDIS_OK)
		reply = NULL;
	return finish(s, reply, errno, cb, arg);
}

void gw_redis_sync_interrupt(struct gw_redis_sync *s)
{
	atomic_store(&s->interrupted, true);
	if (s->fd >= 0)
		(void)shutdown(s->fd, SHUT_RDWR);
}

void gw_redis_sync_free(struct gw_redis_sync *s)
{
	if (s == NULL)
		return;
	if (s->c != NULL)
		redisFree(s->c);
	gw_redis_conf_deinit(&s->conf);
	free(s);
}
