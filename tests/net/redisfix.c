/*
 * redisfix.c - the redis suite's fixture (see redisfix.h).
 */
#include "redisfix.h"

#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ev.h"
#include "log.h"
#include "testutil.h"

struct redis_server servers[N_SERVERS];
struct gw_redis *clients[N_CLIENTS];
atomic_int completed;
int ups;
int downs;

static char server_bin[512];
static int epfd = -1;
static int log_fds[2] = {-1, -1};
static char log_buf[16384];
static size_t log_used;

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static void render(const struct gw_redis_reply *r, char *out, size_t cap)
{
	size_t used = strlen(out);
	size_t i;

	if (used + 1 >= cap)
		return;
	out += used;
	cap -= used;
	switch (r->type) {
	case GW_REDIS_NIL:
		snprintf(out, cap, "nil");
		break;
	case GW_REDIS_INT:
		snprintf(out, cap, "%lld", r->integer);
		break;
	case GW_REDIS_STRING:
		snprintf(out, cap, "\"%.*s\"", (int)r->len, r->str);
		break;
	case GW_REDIS_STATUS:
	case GW_REDIS_ERROR:
		snprintf(out, cap, "%c%.*s", r->type == GW_REDIS_STATUS ? '+' : '-', (int)r->len,
			 r->str);
		break;
	case GW_REDIS_ARRAY:
		snprintf(out, cap, "[");
		for (i = 0; i < r->n; i++) {
			if (i > 0)
				strncat(out, ",", cap - strlen(out) - 1);
			render(&r->elem[i], out, cap);
		}
		strncat(out, "]", cap - strlen(out) - 1);
		break;
	}
}

void on_res(enum gw_err err, const struct gw_redis_reply *reply, void *arg)
{
	struct res *r = arg;

	r->ndone++;
	r->err = err;
	completed++;
	if (reply == NULL)
		return;
	r->type = reply->type;
	r->integer = reply->integer;
	r->ok = gw_redis_reply_is_ok(reply);
	r->len = reply->len;
	r->nul_terminated = reply->str == NULL || reply->str[reply->len] == '\0';
	if (reply->str != NULL)
		memcpy(r->str, reply->str,
		       reply->len < sizeof(r->str) ? reply->len : sizeof(r->str));
	render(reply, r->text, sizeof(r->text));
}

static void on_state(bool up, void *arg)
{
	(void)arg;
	if (up)
		ups++;
	else
		downs++;
}

bool find_server(void)
{
	const char *path = getenv("PATH");
	const char *p;
	size_t n;

	for (p = path != NULL ? path : "/usr/bin:/bin"; *p != '\0'; p += n + (p[n] == ':')) {
		n = strcspn(p, ":");
		if (n == 0 || n > 256)
			continue;
		snprintf(server_bin, sizeof(server_bin), "%.*s/redis-server", (int)n, p);
		if (access(server_bin, X_OK) == 0)
			return true;
	}
	return false;
}

/* Waits until the server on port answers PING (after AUTH with password). */
static void wait_ready(unsigned port, const char *password)
{
	struct gw_redis_opts o = {.host = "127.0.0.1", .port = port, .password = password};
	struct gw_redis_sync *s = NULL;
	uint64_t end = now_ms() + WAIT_MS;

	while (gw_redis_sync_connect(&o, &s) != GW_OK && now_ms() < end)
		sleep_ms(20);
	ck_assert_msg(s != NULL, "redis-server on port %u did not start", port);
	gw_redis_sync_free(s);
}

/* Starts servers[i] on its port (a free one when it has none yet); password NULL: none. */
void server_start(int i, const char *password, bool unix_socket)
{
	char port[16];
	char sock[128];
	const char *argv[20] = {server_bin, "--port", port,           "--bind", "127.0.0.1",
				"--save",   "",       "--appendonly", "no"};
	int n = 9;
	pid_t parent = getpid();

	if (servers[i].port == 0)
		servers[i].port = gw_test_free_port();
	snprintf(port, sizeof(port), "%u", servers[i].port);
	if (password != NULL) {
		argv[n++] = "--requirepass";
		argv[n++] = password;
	}
	if (unix_socket) {
		snprintf(servers[i].dir, sizeof(servers[i].dir), "/tmp/gw-redis-XXXXXX");
		ck_assert_ptr_nonnull(mkdtemp(servers[i].dir));
		snprintf(sock, sizeof(sock), "%s/redis.sock", servers[i].dir);
		argv[n++] = "--unixsocket";
		argv[n++] = sock;
	}
	servers[i].pid = fork();
	ck_assert_int_ge(servers[i].pid, 0);
	if (servers[i].pid == 0) {
		int null = open("/dev/null", O_RDWR);

		/* Dies with the test, even when a failed assertion skips the teardown. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		dup2(null, 1);
		dup2(null, 2);
		execv(server_bin, (char *const *)argv);
		_exit(127);
	}
	wait_ready(servers[i].port, password);
}

void server_kill(int i)
{
	char sock[128];

	if (servers[i].pid <= 0)
		return;
	kill(servers[i].pid, SIGKILL);
	waitpid(servers[i].pid, NULL, 0);
	servers[i].pid = 0;
	if (servers[i].dir[0] != '\0') {
		snprintf(sock, sizeof(sock), "%s/redis.sock", servers[i].dir);
		unlink(sock);
		rmdir(servers[i].dir);
		servers[i].dir[0] = '\0';
	}
}

void setup(void)
{
	signal(SIGPIPE, SIG_IGN);
	gw_log_setup(GW_LOG_WARNING, GW_LOG_FORMAT_TEXT);
	memset(servers, 0, sizeof(servers));
	memset(clients, 0, sizeof(clients));
	completed = 0;
	ups = 0;
	downs = 0;
	epfd = epoll_create1(EPOLL_CLOEXEC);
	ck_assert_int_ge(epfd, 0);
	server_start(0, NULL, false);
}

void teardown(void)
{
	int i;

	for (i = 0; i < N_CLIENTS; i++) {
		gw_redis_free(clients[i]);
		clients[i] = NULL;
	}
	for (i = 0; i < N_SERVERS; i++)
		server_kill(i);
	close(epfd);
	if (log_fds[0] >= 0) {
		gw_log_set_fd(2);
		close(log_fds[0]);
		close(log_fds[1]);
		log_fds[0] = log_fds[1] = -1;
	}
}

/* From now on the log goes to a pipe that log_text() reads, with debug lines too. */
void capture_log(void)
{
	log_used = 0;
	ck_assert_int_eq(pipe(log_fds), 0);
	ck_assert_int_eq(fcntl(log_fds[0], F_SETFL, O_NONBLOCK), 0);
	gw_log_setup(GW_LOG_DEBUG, GW_LOG_FORMAT_TEXT);
	gw_log_set_fd(log_fds[1]);
}

/* Everything logged since capture_log. */
const char *log_text(void)
{
	ssize_t n;

	while (log_used + 1 < sizeof(log_buf) &&
	       (n = read(log_fds[0], log_buf + log_used, sizeof(log_buf) - log_used - 1)) > 0)
		log_used += (size_t)n;
	log_buf[log_used] = '\0';
	return log_buf;
}

int count(const char *hay, const char *needle)
{
	int n = 0;

	for (hay = strstr(hay, needle); hay != NULL; hay = strstr(hay + 1, needle))
		n++;
	return n;
}

/* One turn of an event loop: wait, dispatch, run the timers. */
static void pump(void)
{
	struct epoll_event evs[16];
	long wait = 50;
	int i;
	int k;

	for (i = 0; i < N_CLIENTS; i++) {
		long t = clients[i] != NULL ? gw_redis_timeout_ms(clients[i]) : -1;

		if (t >= 0 && t < wait)
			wait = t;
	}
	k = epoll_wait(epfd, evs, 16, (int)wait);
	for (i = 0; i < k; i++) {
		struct gw_ev *ev = evs[i].data.ptr;

		ev->fn(ev, evs[i].events);
	}
	for (i = 0; i < N_CLIENTS; i++)
		if (clients[i] != NULL)
			gw_redis_run_timers(clients[i]);
}

/* Drives the loop until cond(arg) holds or max_ms pass; returns cond(arg). */
bool drive(bool (*cond)(const void *), const void *arg, unsigned max_ms)
{
	uint64_t end = now_ms() + max_ms;

	while (!cond(arg) && now_ms() < end)
		pump();
	return cond(arg);
}

static bool never(const void *arg)
{
	(void)arg;
	return false;
}

static bool completed_n(const void *arg)
{
	return completed >= *(const int *)arg;
}

static bool is_up(const void *arg)
{
	return gw_redis_up(arg);
}

void drive_ms(unsigned ms)
{
	drive(never, NULL, ms);
}

void wait_completed(int n)
{
	ck_assert_msg(drive(completed_n, &n, WAIT_MS), "%d of %d commands completed", completed, n);
}

void wait_up(struct gw_redis *c)
{
	ck_assert_msg(drive(is_up, c, WAIT_MS), "the client did not come up");
}

struct gw_redis *client_with(int slot, const struct gw_redis_opts *o)
{
	ck_assert_int_eq(gw_redis_new_on(epfd, o, &clients[slot]), GW_OK);
	gw_redis_on_state(clients[slot], on_state, NULL);
	return clients[slot];
}

/* A client of server 0, up. */
struct gw_redis *client(int slot, unsigned db, unsigned command_timeout_ms)
{
	struct gw_redis_opts o = {.host = "127.0.0.1",
				  .port = servers[0].port,
				  .db = db,
				  .connect_timeout_ms = 5000,
				  .command_timeout_ms = command_timeout_ms};
	struct gw_redis *c = client_with(slot, &o);

	wait_up(c);
	return c;
}

/* Sends the NULL-terminated strings as one command. */
static enum gw_err vsend(struct gw_redis *c, struct res *r, va_list ap)
{
	const char *argv[16];
	int argc = 0;
	const char *a;

	while ((a = va_arg(ap, const char *)) != NULL && argc < 16)
		argv[argc++] = a;
	return gw_redis_command(c, on_res, r, argc, argv, NULL);
}

enum gw_err send_cmd(struct gw_redis *c, struct res *r, ...)
{
	va_list ap;
	enum gw_err err;

	va_start(ap, r);
	err = vsend(c, r, ap);
	va_end(ap);
	return err;
}

/* Sends and waits for the command's completion. */
void run(struct gw_redis *c, struct res *r, ...)
{
	va_list ap;
	enum gw_err err;
	int want = completed + 1;

	memset(r, 0, sizeof(*r));
	va_start(ap, r);
	err = vsend(c, r, ap);
	va_end(ap);
	ck_assert_msg(err == GW_OK, "refused: %s", gw_err_str(err));
	wait_completed(want);
	ck_assert_int_eq(r->ndone, 1);
}

/* A blocking client of server i's port. */
struct gw_redis_sync *sync_client(int i, unsigned db, const char *password)
{
	struct gw_redis_opts o = {
		.host = "127.0.0.1", .port = servers[i].port, .db = db, .password = password};
	struct gw_redis_sync *s = NULL;

	ck_assert_int_eq(gw_redis_sync_connect(&o, &s), GW_OK);
	return s;
}

void sync_run(struct gw_redis_sync *s, struct res *r, unsigned timeout_ms, enum gw_err want, ...)
{
	const char *argv[16];
	int argc = 0;
	const char *a;
	va_list ap;
	enum gw_err err;

	memset(r, 0, sizeof(*r));
	va_start(ap, want);
	while ((a = va_arg(ap, const char *)) != NULL && argc < 16)
		argv[argc++] = a;
	va_end(ap);
	err = gw_redis_sync_command(s, timeout_ms, argc, argv, NULL, on_res, r);
	ck_assert_msg(err == want, "%s, not %s", gw_err_str(err), gw_err_str(want));
	ck_assert_int_eq(r->ndone, want == GW_OK ? 1 : 0);
}
