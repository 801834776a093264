/*
 * redis.c - the redis module's shared part (options, the commands that set
 * up a connection, the reply view) and its client for an event loop; the
 * blocking client is redis_sync.c. Only these files include hiredis.
 *
 * The event-loop client holds one hiredis async context at a time. Its
 * socket sits in the loop's epoll set through a small adapter: hiredis's
 * ev hooks (addRead, delRead, addWrite, delWrite) become epoll_ctl on the
 * loop's set, and the loop's call of on_event hands the socket's events to
 * hiredis. A connection goes IDLE -> CONNECTING (a non-blocking connect
 * with the set-up commands queued behind it, one deadline for both) -> UP
 * (the last set-up reply arrived); when it fails, is dropped or is lost it
 * goes back to IDLE, with the next attempt due after a backoff (100 ms
 * doubling to 5 s, jittered; reset once up). Commands are accepted only
 * while UP, each a struct cmd in a FIFO list: Redis answers in order and
 * every command has the same timeout, so the oldest one carries the
 * earliest deadline.
 *
 * Every way a context ends goes through hiredis's __redisAsyncFree: it runs
 * each pending callback with a NULL reply, then the adapter's cleanup hook,
 * then frees the context (0.14.1, async.c). So a command completes, with an
 * error, before its connection is gone, no reply can reach it later, and
 * the cleanup hook (ended) is the one place where the client learns that a
 * connection is over. A new connection is only ever made from
 * gw_redis_run_timers (or gw_redis_new_on), never while hiredis runs.
 */
#include "redis_int.h"

#include <errno.h>
#include <fcntl.h>
#include <hiredis/async.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>

#include "crypto.h"
#include "ev.h"
#include "gw_limits.h"
#include "log.h"

#define BACKOFF_MIN_MS 100u
#define BACKOFF_MAX_MS 5000u
#define VIEW_STACK 16u /* replies of up to this many values are viewed without malloc */

/* ---- shared by both clients ---- */

uint64_t gw_redis_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void gw_redis_cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	if (flags >= 0)
		(void)fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

/* host's first address as text, IPv4 first as hiredis tries them. */
static enum gw_err resolve(const char *host, char **out)
{
	static const int families[] = {AF_INET, AF_INET6};
	struct addrinfo hints;
	struct addrinfo *res = NULL;
	char num[64];
	int rc = EAI_NONAME;
	size_t i;

	for (i = 0; i < GW_ARRAY_SIZE(families) && res == NULL; i++) {
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = families[i];
		hints.ai_socktype = SOCK_STREAM;
		rc = getaddrinfo(host, NULL, &hints, &res);
		if (rc != 0)
			res = NULL;
	}
	if (res == NULL) {
		gw_log_err("redis: cannot resolve %s: %s", host, gai_strerror(rc));
		return GW_E_CONFIG;
	}
	rc = getnameinfo(res->ai_addr, res->ai_addrlen, num, sizeof(num), NULL, 0, NI_NUMERICHOST);
	freeaddrinfo(res);
	if (rc != 0) {
		gw_log_err("redis: cannot resolve %s: %s", host, gai_strerror(rc));
		return GW_E_CONFIG;
	}
	*out = strdup(num);
	return *out != NULL ? GW_OK : GW_E_NOMEM;
}

static bool given(const char *s)
{
	return s != NULL && s[0] != '\0';
}

enum gw_err gw_redis_conf_init(struct gw_redis_conf *c, const struct gw_redis_opts *o,
			       bool resolve_now)
{
	const char *host = given(o->host) ? o->host : "127.0.0.1";

	memset(c, 0, sizeof(*c));
	c->port = o->port != 0 ? o->port : GW_DEFAULT_REDIS_PORT;
	c->db = o->db;
	c->connect_timeout_ms = o->connect_timeout_ms != 0 ? o->connect_timeout_ms
							   : GW_DEFAULT_REDIS_CONNECT_TIMEOUT_MS;
	c->command_timeout_ms = o->command_timeout_ms != 0 ? o->command_timeout_ms
							   : GW_DEFAULT_REDIS_COMMAND_TIMEOUT_MS;
	c->max_pending = o->max_pending != 0 ? o->max_pending : GW_DEFAULT_REDIS_MAX_PENDING;
	if (given(o->password)) {
		c->password = strdup(o->password);
		if (c->password == NULL)
			return GW_E_NOMEM;
	}
	if (given(o->unix_path)) {
		snprintf(c->label, sizeof(c->label), "%s", o->unix_path);
		c->unix_path = strdup(o->unix_path);
		return c->unix_path != NULL ? GW_OK : GW_E_NOMEM;
	}
	snprintf(c->label, sizeof(c->label), "%s:%u", host, c->port);
	if (c->port > 65535u) {
		gw_log_err("redis: port %u is out of range", c->port);
		return GW_E_CONFIG;
	}
	if (resolve_now)
		return resolve(host, &c->host);
	c->host = strdup(host);
	return c->host != NULL ? GW_OK : GW_E_NOMEM;
}

void gw_redis_conf_deinit(struct gw_redis_conf *c)
{
	if (c->password != NULL) {
		explicit_bzero(c->password, strlen(c->password));
		free(c->password);
	}
	free(c->host);
	free(c->unix_path);
	memset(c, 0, sizeof(*c));
}

static void setup_cmd(struct gw_redis_setup_cmd *cmd, const char *name, const char *value)
{
	cmd->argc = value != NULL ? 2 : 1;
	cmd->argv[0] = name;
	cmd->argvlen[0] = strlen(name);
	if (value != NULL) {
		cmd->argv[1] = value;
		cmd->argvlen[1] = strlen(value);
	}
}

unsigned gw_redis_setup_cmds(const struct gw_redis_conf *c, struct gw_redis_setup *s)
{
	unsigned n = 0;

	memset(s, 0, sizeof(*s));
	if (c->password != NULL)
		setup_cmd(&s->cmd[n++], "AUTH", c->password);
	if (c->db != 0) {
		snprintf(s->db, sizeof(s->db), "%u", c->db);
		setup_cmd(&s->cmd[n++], "SELECT", s->db);
	}
	if (n == 0)
		setup_cmd(&s->cmd[n++], "PING", NULL);
	return n;
}

const char *gw_redis_setup_refusal(const redisReply *rr, const char *cmd, char *buf, size_t n)
{
	size_t w = 0;

	if (rr->type != REDIS_REPLY_ERROR)
		return NULL;
	/* The error's code only (WRONGPASS, NOAUTH, ERR): a message might quote what was sent. */
	while (w < rr->len && w < 24 && rr->str[w] >= 'A' && rr->str[w] <= 'Z')
		w++;
	snprintf(buf, n, "%s refused: %.*s", cmd, (int)w, w > 0 ? rr->str : "error");
	return buf;
}

static size_t count_values(const redisReply *rr)
{
	size_t n = 1;
	size_t i;

	if (rr->type == REDIS_REPLY_ARRAY)
		for (i = 0; i < rr->elements; i++)
			n += count_values(rr->element[i]);
	return n;
}

/* Fills out from rr; an array's elements take the next slots of pool (*used so far). */
static void fill(struct gw_redis_reply *out, const redisReply *rr, struct gw_redis_reply *pool,
		 size_t *used)
{
	struct gw_redis_reply *elem;
	size_t i;

	memset(out, 0, sizeof(*out));
	switch (rr->type) {
	case REDIS_REPLY_STRING:
	case REDIS_REPLY_STATUS:
	case REDIS_REPLY_ERROR:
		out->type = rr->type == REDIS_REPLY_STRING   ? GW_REDIS_STRING
			    : rr->type == REDIS_REPLY_STATUS ? GW_REDIS_STATUS
							     : GW_REDIS_ERROR;
		out->str = rr->str;
		out->len = rr->len;
		break;
	case REDIS_REPLY_INTEGER:
		out->type = GW_REDIS_INT;
		out->integer = rr->integer;
		break;
	case REDIS_REPLY_ARRAY:
		out->type = GW_REDIS_ARRAY;
		out->n = rr->elements;
		if (rr->elements == 0)
			break;
		elem = &pool[*used];
		*used += rr->elements;
		for (i = 0; i < rr->elements; i++)
			fill(&elem[i], rr->element[i], pool, used);
		out->elem = elem;
		break;
	default:
		out->type = GW_REDIS_NIL;
		break;
	}
}

enum gw_err gw_redis_deliver(const redisReply *rr, gw_redis_reply_fn cb, void *arg)
{
	struct gw_redis_reply stack[VIEW_STACK];
	struct gw_redis_reply *pool = stack;
	size_t total = count_values(rr);
	size_t used = 1;

	if (total > VIEW_STACK) {
		pool = calloc(total, sizeof(*pool));
		if (pool == NULL)
			return GW_E_NOMEM;
	}
	/* Strings stay hiredis's: valid until the reply is freed after cb. */
	fill(&pool[0], rr, pool, &used);
	cb(GW_OK, &pool[0], arg);
	if (pool != stack)
		free(pool);
	return GW_OK;
}

bool gw_redis_reply_is_ok(const struct gw_redis_reply *r)
{
	return r->type == GW_REDIS_STATUS && r->len == 2 && memcmp(r->str, "OK", 2) == 0;
}

bool gw_redis_reply_str_eq(const struct gw_redis_reply *r, const char *s)
{
	size_t n = strlen(s);

	return (r->type == GW_REDIS_STRING || r->type == GW_REDIS_STATUS) && r->len == n &&
	       memcmp(r->str, s, n) == 0;
}

/* ---- the event-loop client ---- */

enum state {
	S_IDLE,       /* no connection; the next attempt is due at r->due */
	S_CONNECTING, /* connect and set-up under way; the deadline is r->due */
	S_UP,         /* commands accepted */
	S_CLOSING,    /* the context is ending (inside hiredis, briefly) */
};

/* A command in flight: hiredis's privdata until its callback ran. */
struct cmd {
	struct gw_redis *r;
	gw_redis_reply_fn cb;
	void *arg;
	uint64_t due;
	bool timed_out;
	struct cmd *prev;
	struct cmd *next;
};

struct gw_redis {
	struct gw_ev ev; /* the socket's epoll_data.ptr */
	int epfd;
	struct gw_redis_conf conf;
	struct gw_redis_setup setup;
	unsigned n_setup;
	redisAsyncContext *ac;
	int fd;          /* ac's socket; -1 without one */
	uint32_t events; /* what hiredis asked to hear about */
	bool in_set;     /* fd is in epfd */
	bool broken;     /* epoll_ctl failed: drop the connection at the next timer run */
	enum state state;
	unsigned setup_left; /* set-up replies still awaited */
	uint64_t due;        /* IDLE: the next attempt; CONNECTING: the set-up deadline */
	unsigned retries;    /* attempts since the connection was last up */
	const char *why;     /* why the client ends the current connection; NULL: hiredis's error */
	char why_buf[64];
	bool announced;     /* the state callback heard "up" for this connection */
	bool outage_logged; /* the current outage has its log line */
	bool freeing;
	bool closed;      /* gw_redis_close: no connection, no reconnect, commands refused */
	struct cmd *head; /* oldest */
	struct cmd *tail;
	unsigned n_pending;
	gw_redis_state_fn state_fn;
	void *state_arg;
};

static void watch(struct gw_redis *r, uint32_t events)
{
	struct epoll_event ev;
	char eb[96];
	int op;

	/* Broken: the connection is dropped at the next timer run; one log line is enough. */
	if (r->fd < 0 || (r->broken && events != 0) ||
	    (events == r->events && r->in_set == (events != 0)))
		return;
	if (events == 0) {
		(void)epoll_ctl(r->epfd, EPOLL_CTL_DEL, r->fd, NULL);
		r->in_set = false;
		r->events = 0;
		return;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.ptr = &r->ev;
	op = r->in_set ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	if (epoll_ctl(r->epfd, op, r->fd, &ev) != 0) {
		gw_log_warn("redis: epoll_ctl failed: %s", strerror_r(errno, eb, sizeof(eb)));
		r->broken = true;
		return;
	}
	r->in_set = true;
	r->events = events;
}

static void ev_add_read(void *p)
{
	struct gw_redis *r = p;

	watch(r, r->events | EPOLLIN);
}

static void ev_del_read(void *p)
{
	struct gw_redis *r = p;

	watch(r, r->events & ~(uint32_t)EPOLLIN);
}

static void ev_add_write(void *p)
{
	struct gw_redis *r = p;

	watch(r, r->events | EPOLLOUT);
}

static void ev_del_write(void *p)
{
	struct gw_redis *r = p;

	watch(r, r->events & ~(uint32_t)EPOLLOUT);
}

static uint64_t backoff_ms(unsigned retries)
{
	uint64_t ms = BACKOFF_MIN_MS;
	uint16_t rnd = 0;

	while (retries-- > 0 && ms < BACKOFF_MAX_MS)
		ms *= 2;
	if (ms > BACKOFF_MAX_MS)
		ms = BACKOFF_MAX_MS;
	/* Jitter: somewhere in [ms/2, ms], so that gateways do not come back in step. */
	if (gw_crypto_random(&rnd, sizeof(rnd)) != GW_OK)
		return ms;
	return ms / 2 + rnd % (ms / 2 + 1);
}

/* The connection is over (or an attempt failed before it had one): log, plan the next attempt. */
static void went_down(struct gw_redis *r, bool was_up, const char *why)
{
	if (was_up) {
		gw_log_warn("redis: connection to %s lost (%s); reconnecting", r->conf.label, why);
		r->outage_logged = true;
	} else if (!r->outage_logged) {
		gw_log_warn("redis: cannot connect to %s (%s); retrying", r->conf.label, why);
		r->outage_logged = true;
	}
	r->state = S_IDLE;
	r->due = gw_redis_now_ms() + backoff_ms(r->retries);
	r->retries++;
	if (was_up && r->state_fn != NULL)
		r->state_fn(false, r->state_arg);
}

/* hiredis's cleanup hook: the context is about to be freed, its callbacks have all run. */
static void ended(void *p)
{
	struct gw_redis *r = p;
	bool was_up = r->announced;
	const char *why = r->why;

	if (why == NULL) {
		/* hiredis's text lives in the context, freed after this returns. */
		snprintf(r->why_buf, sizeof(r->why_buf), "%s",
			 r->ac->err != 0 ? r->ac->errstr : "connection closed");
		why = r->why_buf;
	}
	watch(r, 0);
	r->fd = -1;
	r->ac = NULL;
	r->why = NULL;
	r->broken = false;
	r->announced = false;
	r->setup_left = 0;
	r->state = S_IDLE;
	if (!r->freeing)
		went_down(r, was_up, why);
}

/* Ends the current connection: its commands complete now, or when the running callback returns. */
static void drop(struct gw_redis *r, const char *why)
{
	if (r->ac == NULL || r->state == S_CLOSING)
		return;
	r->why = why;
	r->state = S_CLOSING;
	redisAsyncFree(r->ac);
}

static void on_setup_reply(redisAsyncContext *ac, void *reply, void *privdata)
{
	struct gw_redis *r = privdata;
	const char *cmd;
	const char *refusal;

	(void)ac;
	/* NULL: the connection is ending, ended() will say why. */
	if (reply == NULL || r->state != S_CONNECTING || r->setup_left == 0)
		return;
	cmd = r->setup.cmd[r->n_setup - r->setup_left].argv[0];
	refusal = gw_redis_setup_refusal(reply, cmd, r->why_buf, sizeof(r->why_buf));
	if (refusal != NULL) {
		drop(r, refusal);
		return;
	}
	if (--r->setup_left > 0)
		return;
	r->state = S_UP;
	r->retries = 0;
	r->announced = true;
	r->outage_logged = false;
	gw_log_notice("redis: connected to %s", r->conf.label);
	if (r->state_fn != NULL)
		r->state_fn(true, r->state_arg);
}

static void attempt(struct gw_redis *r)
{
	redisAsyncContext *ac;
	unsigned i;

	if (r->conf.unix_path != NULL)
		ac = redisAsyncConnectUnix(r->conf.unix_path);
	else
		ac = redisAsyncConnect(r->conf.host, (int)r->conf.port);
	if (ac == NULL || ac->err != 0) {
		snprintf(r->why_buf, sizeof(r->why_buf), "%s",
			 ac != NULL ? ac->errstr : "out of memory");
		if (ac != NULL)
			redisAsyncFree(ac);
		went_down(r, false, r->why_buf);
		return;
	}
	r->ac = ac;
	r->fd = ac->c.fd;
	r->state = S_CONNECTING;
	r->due = gw_redis_now_ms() + r->conf.connect_timeout_ms;
	gw_redis_cloexec(r->fd);
	/* TCP only: on a Unix socket it fails and leaves its error in the context. */
	if (r->conf.unix_path == NULL)
		(void)redisEnableKeepAlive(&ac->c);
	ac->ev.data = r;
	ac->ev.addRead = ev_add_read;
	ac->ev.delRead = ev_del_read;
	ac->ev.addWrite = ev_add_write;
	ac->ev.delWrite = ev_del_write;
	ac->ev.cleanup = ended;
	/* Queued behind the connect: hiredis writes them once it completes, before any command. */
	r->setup_left = r->n_setup;
	for (i = 0; i < r->n_setup; i++) {
		struct gw_redis_setup_cmd *c = &r->setup.cmd[i];

		if (redisAsyncCommandArgv(ac, on_setup_reply, r, c->argc, c->argv, c->argvlen) !=
		    REDIS_OK) {
			drop(r, "out of memory");
			return;
		}
	}
}

static void on_event(struct gw_ev *ev, uint32_t events)
{
	struct gw_redis *r = (struct gw_redis *)(void *)ev;

	/* A context dropped earlier in this batch of events: nothing left to tell. */
	if (r->ac == NULL)
		return;
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		redisAsyncHandleRead(r->ac);
	/* The read may have ended the context (ended() cleared r->ac). */
	if (r->ac != NULL && (events & EPOLLOUT))
		redisAsyncHandleWrite(r->ac);
}

static void unlink_cmd(struct gw_redis *r, struct cmd *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		r->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		r->tail = c->prev;
	r->n_pending--;
}

static void on_reply(redisAsyncContext *ac, void *reply, void *privdata)
{
	struct cmd *c = privdata;
	struct gw_redis *r = c->r;

	(void)ac;
	unlink_cmd(r, c);
	if (reply == NULL) {
		/* The connection is ending: nothing more may be sent on it. */
		if (r->state == S_UP)
			r->state = S_CLOSING;
		c->cb(c->timed_out ? GW_E_UPSTREAM_TIMEOUT : GW_E_UNAVAILABLE, NULL, c->arg);
	} else if (gw_redis_deliver(reply, c->cb, c->arg) != GW_OK) {
		c->cb(GW_E_NOMEM, NULL, c->arg);
	}
	free(c);
}

/*
 * Commands after which hiredis 0.14 reads pushed messages instead of one
 * reply per command (its subscribed and monitor modes; SSUBSCRIBE it does
 * not even know): for the blocking client only.
 */
static bool pushes(const char *name, size_t len)
{
	static const char *const names[] = {"SUBSCRIBE",   "PSUBSCRIBE",   "SSUBSCRIBE",
					    "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE",
					    "MONITOR"};
	size_t i;

	for (i = 0; i < GW_ARRAY_SIZE(names); i++)
		if (len == strlen(names[i]) && strncasecmp(name, names[i], len) == 0)
			return true;
	return false;
}

enum gw_err gw_redis_command(struct gw_redis *r, gw_redis_reply_fn cb, void *arg, int argc,
			     const char **argv, const size_t *argvlen)
{
	struct cmd *c;

	if (argc < 1 || argv == NULL || cb == NULL ||
	    pushes(argv[0], argvlen != NULL ? argvlen[0] : strlen(argv[0])))
		return GW_E_INTERNAL;
	if (r->state != S_UP || r->n_pending >= r->conf.max_pending)
		return GW_E_UNAVAILABLE;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return GW_E_NOMEM;
	c->r = r;
	c->cb = cb;
	c->arg = arg;
	c->due = gw_redis_now_ms() + r->conf.command_timeout_ms;
	if (redisAsyncCommandArgv(r->ac, on_reply, c, argc, argv, argvlen) != REDIS_OK) {
		free(c);
		return GW_E_UNAVAILABLE;
	}
	c->prev = r->tail;
	if (r->tail != NULL)
		r->tail->next = c;
	else
		r->head = c;
	r->tail = c;
	r->n_pending++;
	return GW_OK;
}

long gw_redis_timeout_ms(const struct gw_redis *r)
{
	uint64_t now = gw_redis_now_ms();
	uint64_t due;

	if (r->closed)
		return -1;
	if (r->broken)
		return 0;
	switch (r->state) {
	case S_IDLE:
	case S_CONNECTING:
		due = r->due;
		break;
	case S_UP:
		if (r->head == NULL)
			return -1;
		due = r->head->due;
		break;
	default:
		return -1;
	}
	return due <= now ? 0 : (long)(due - now);
}

void gw_redis_run_timers(struct gw_redis *r)
{
	uint64_t now = gw_redis_now_ms();
	struct cmd *c;

	if (r->closed)
		return;
	if (r->broken) {
		drop(r, "epoll_ctl failed");
		return;
	}
	switch (r->state) {
	case S_IDLE:
		if (now >= r->due)
			attempt(r);
		break;
	case S_CONNECTING:
		if (now >= r->due)
			drop(r, "connect timed out");
		break;
	case S_UP:
		if (r->head == NULL || r->head->due > now)
			break;
		/* Its reply may still come, behind those of the others: the connection is out of step. */
		for (c = r->head; c != NULL && c->due <= now; c = c->next)
			c->timed_out = true;
		drop(r, "a command timed out");
		break;
	default:
		break;
	}
}

enum gw_err gw_redis_new_on(int epfd, const struct gw_redis_opts *o, struct gw_redis **out)
{
	struct gw_redis *r = calloc(1, sizeof(*r));
	enum gw_err err;

	if (r == NULL)
		return GW_E_NOMEM;
	err = gw_redis_conf_init(&r->conf, o, true);
	if (err != GW_OK) {
		gw_redis_conf_deinit(&r->conf);
		free(r);
		return err;
	}
	r->ev.fn = on_event;
	r->epfd = epfd;
	r->fd = -1;
	r->state = S_IDLE;
	r->n_setup = gw_redis_setup_cmds(&r->conf, &r->setup);
	attempt(r);
	*out = r;
	return GW_OK;
}

void gw_redis_on_state(struct gw_redis *r, gw_redis_state_fn fn, void *arg)
{
	r->state_fn = fn;
	r->state_arg = arg;
}

bool gw_redis_up(const struct gw_redis *r)
{
	return r->state == S_UP;
}

unsigned gw_redis_pending(const struct gw_redis *r)
{
	return r->n_pending;
}

void gw_redis_close(struct gw_redis *r)
{
	if (r == NULL || r->closed)
		return;
	r->closed = true;
	r->freeing = true; /* no state callback, no reconnect */
	/* Outside any callback, so hiredis frees at once: every command completes here. */
	if (r->ac != NULL) {
		r->state = S_CLOSING;
		redisAsyncFree(r->ac);
	}
}

void gw_redis_free(struct gw_redis *r)
{
	if (r == NULL)
		return;
	r->freeing = true;
	/* Outside any callback, so hiredis frees at once: every command completes here. */
	if (r->ac != NULL) {
		r->state = S_CLOSING;
		redisAsyncFree(r->ac);
	}
	gw_redis_conf_deinit(&r->conf);
	free(r);
}
