/*
 * fleetfix.c - see fleetfix.h. The processes: each is forked with its
 * output appended to <dir>/<name>.log, dies with the test process
 * (PR_SET_PDEATHSIG) and is reaped by whoever stops it. A start waits for
 * the line that names the port (simulators, gateways) or for an answer
 * (Redis), watching for an early exit so that a failed start fails at
 * once with the log's tail. The config text, the simulators' API, Redis's
 * protocol and the HTTP helpers are in fleetfix_io.c.
 */
#include "fleetfix.h"

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fleetfix_int.h"
#include "testutil.h"

extern char **environ;

struct fleetfix_state fleetfix;
struct fleetfix_opts fleetfix_opts;
char fleetfix_tok_all[GW_AUTH_TOKEN_LEN + 1];
char fleetfix_tok_admin[GW_AUTH_TOKEN_LEN + 1];

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void nap(void)
{
	struct timespec ts = {.tv_nsec = 10 * 1000 * 1000};

	nanosleep(&ts, NULL);
}

/* The executable named by env, else name on PATH (static), or NULL. */
static const char *find_program(const char *env, const char *name)
{
	static char path[PATH_MAX];
	const char *v = getenv(env);
	const char *dirs = getenv("PATH");

	if (v != NULL && *v != '\0')
		return access(v, X_OK) == 0 ? v : NULL;
	if (dirs == NULL)
		dirs = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
	while (*dirs != '\0') {
		size_t n = strcspn(dirs, ":");

		snprintf(path, sizeof(path), "%.*s/%s", (int)n, dirs, name);
		if (n > 0 && access(path, X_OK) == 0)
			return path;
		dirs += n + (dirs[n] == ':');
	}
	return NULL;
}

const char *fleetfix_redis_binary(void)
{
	return find_program("GW_REDIS_SERVER", "redis-server");
}

/* Removes path and everything under it. */
static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void remove_tree(const char *path)
{
	nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * The runner's directory, holding each test's: a test that fails in a
 * forked Check child exits at once, without its teardown, and leaves its
 * directory (and its processes) to the runner when the suite ends.
 */
static char base_dir[PATH_MAX / 4];

static const char *tmp_root(void)
{
	const char *t = getenv("TMPDIR");

	return t != NULL && *t != '\0' ? t : "/tmp";
}

int fleetfix_run(Suite *s, bool needs_redis)
{
	int rc;

	if (needs_redis && fleetfix_redis_binary() == NULL) {
		printf("1..0 # SKIP redis-server is not installed (Debian: apt-get install "
		       "redis-server; or set GW_REDIS_SERVER)\n");
		srunner_free(srunner_create(s));
		return 0;
	}
	snprintf(base_dir, sizeof(base_dir), "%s/gw-fleet-XXXXXX", tmp_root());
	if (mkdtemp(base_dir) == NULL) {
		perror("fleetfix: mkdtemp");
		return 1;
	}
	/*
	 * The processes of a test that failed in a forked child die with it
	 * (PR_SET_PDEATHSIG) and come to this process to be reaped.
	 */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	rc = gw_test_run(s);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		continue;
	if (getenv("FLEETFIX_KEEP") != NULL)
		fprintf(stderr, "fleetfix: logs and configs kept in %s\n", base_dir);
	else
		remove_tree(base_dir);
	return rc;
}

const char *fleetfix_dir(void)
{
	return fleetfix.dir;
}

/* The file from byte off on, read to its end (/proc's files have no size), malloc'd. */
char *fleetfix_read_from(const char *path, long off)
{
	FILE *f = fopen(path, "r");
	size_t cap = 4096;
	size_t n = 0;
	char *text = malloc(cap + 1);

	ck_assert_ptr_nonnull(text);
	if (f != NULL && (off == 0 || fseek(f, off, SEEK_SET) == 0)) {
		size_t got;

		while ((got = fread(text + n, 1, cap - n, f)) > 0) {
			n += got;
			if (n == cap) {
				cap *= 2;
				text = realloc(text, cap + 1);
				ck_assert_ptr_nonnull(text);
			}
		}
	}
	if (f != NULL)
		fclose(f);
	text[n] = '\0';
	return text;
}

static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

/* Fails the test with what the process's log says from off on. */
static void fail_start(const struct fleetfix_proc *p, const char *why)
{
	char *log = fleetfix_read_from(p->log, p->log_off);
	size_t n = strlen(log);

	ck_abort_msg("%s %s; its log:\n%s", p->name, why, n > 3000 ? log + n - 3000 : log);
}

/*
 * The child's environment: the parent's without BBB_GATEWAY_* (they
 * would override the gateway's bbb.url and bbb.secret). malloc'd array
 * of borrowed strings.
 */
static char **child_env(void)
{
	size_t n = 0;
	size_t k = 0;
	char **env;

	while (environ[n] != NULL)
		n++;
	env = calloc(n + 1, sizeof(*env));
	ck_assert_ptr_nonnull(env);
	for (size_t i = 0; i < n; i++) {
		if (strncmp(environ[i], "BBB_GATEWAY_", 12) != 0)
			env[k++] = environ[i];
	}
	return env;
}

/* Forks and execs argv[0] with output appended to p->log; p->pid is the child. */
static void spawn(struct fleetfix_proc *p, char *const argv[])
{
	pid_t parent = getpid();
	char **env = child_env();
	int fd = open(p->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	pid_t pid;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(null, 0);
	p->log_off = file_size(p->log);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* Only async-signal-safe calls here: the test may have threads. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
			_exit(127);
		if (dup2(null, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(127);
		execve(argv[0], argv, env);
		_exit(127);
	}
	close(fd);
	close(null);
	free(env);
	p->pid = pid;
}

/* True (and p->pid 0) when p's process has ended; *status gets its wait status. */
static bool reaped(struct fleetfix_proc *p, int flags, int *status)
{
	pid_t r;

	do {
		r = waitpid(p->pid, status, flags);
	} while (r < 0 && errno == EINTR);
	if (r == p->pid || (r < 0 && errno == ECHILD)) {
		p->pid = 0;
		return true;
	}
	return false;
}

/* Sends sig (SIGKILL after FLEETFIX_WAIT_MS) and reaps; the exit status, -1 when signalled. */
static int stop(struct fleetfix_proc *p, int sig)
{
	long long deadline = now_ms() + FLEETFIX_WAIT_MS;
	int status = 0;

	if (p->pid <= 0)
		return -1;
	kill(p->pid, sig);
	while (!reaped(p, WNOHANG, &status)) {
		if (now_ms() > deadline) {
			kill(p->pid, SIGKILL);
			reaped(p, 0, &status);
			return -1;
		}
		nap();
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * Waits for needle in p's log since its start, then reads the number
 * after it; fails the test when p exits first or the deadline passes.
 */
static unsigned wait_port(struct fleetfix_proc *p, const char *needle)
{
	long long deadline = now_ms() + FLEETFIX_WAIT_MS;
	int status;

	for (;;) {
		char *log = fleetfix_read_from(p->log, p->log_off);
		const char *at = strstr(log, needle);
		unsigned long port = at != NULL ? strtoul(at + strlen(needle), NULL, 10) : 0;

		free(log);
		if (port > 0 && port < 65536)
			return (unsigned)port;
		if (reaped(p, WNOHANG, &status))
			fail_start(p, "exited before it listened");
		if (now_ms() > deadline)
			fail_start(p, "did not listen in time");
		nap();
	}
}

/* Waits until ready(i) holds; fails the test when p exits first or the deadline passes. */
static void wait_ready(struct fleetfix_proc *p, bool (*ready)(int), int i)
{
	long long deadline = now_ms() + FLEETFIX_WAIT_MS;
	int status;

	while (!ready(i)) {
		if (reaped(p, WNOHANG, &status))
			fail_start(p, "exited before it answered");
		if (now_ms() > deadline)
			fail_start(p, "did not answer in time");
		nap();
	}
}

/* A free TCP port of 127.0.0.1 (free when asked: another process may take it). */
static unsigned free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	unsigned port;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static void proc_init(struct fleetfix_proc *p, const char *name)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->log, sizeof(p->log), "%s/%s.log", fleetfix.dir, name);
}

void fleetfix_setup(void)
{
	char hash[80];
	char name[16];

	memset(&fleetfix, 0, sizeof(fleetfix));
	memset(&fleetfix_opts, 0, sizeof(fleetfix_opts));
	if (base_dir[0] != '\0')
		snprintf(fleetfix.dir, sizeof(fleetfix.dir), "%s/test-XXXXXX", base_dir);
	else
		snprintf(fleetfix.dir, sizeof(fleetfix.dir), "%s/gw-fleet-XXXXXX", tmp_root());
	ck_assert_ptr_nonnull(mkdtemp(fleetfix.dir));
	ck_assert_int_eq(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
	fleetfix.curl = true;
	ck_assert_int_eq(gw_auth_token_new(fleetfix_tok_all, hash), GW_OK);
	snprintf(fleetfix.hash_all, sizeof(fleetfix.hash_all), "%s", hash);
	ck_assert_int_eq(gw_auth_token_new(fleetfix_tok_admin, hash), GW_OK);
	snprintf(fleetfix.hash_admin, sizeof(fleetfix.hash_admin), "%s", hash);
	for (int i = 0; i < FLEETFIX_SIMS; i++) {
		snprintf(name, sizeof(name), "bbb%d", i + 1);
		proc_init(&fleetfix.sim[i], name);
		/* Each server its own secret: a call sent to the wrong one fails its checksum. */
		snprintf(fleetfix.sim_secret[i], sizeof(fleetfix.sim_secret[i]),
			 "fleet-%s-secret-%08x", name,
			 (unsigned)getpid() * 2654435761u + (unsigned)i);
	}
	proc_init(&fleetfix.redis, "redis");
	for (int i = 0; i < FLEETFIX_GATEWAYS; i++) {
		snprintf(name, sizeof(name), "gw%d", i + 1);
		proc_init(&fleetfix.gw[i], name);
	}
}

void fleetfix_stop_all(void)
{
	/* Gateways first, so none of them logs its servers going away. */
	for (int i = 0; i < FLEETFIX_GATEWAYS; i++)
		stop(&fleetfix.gw[i], SIGTERM);
	for (int i = 0; i < FLEETFIX_SIMS; i++)
		stop(&fleetfix.sim[i], SIGTERM);
	stop(&fleetfix.redis, SIGKILL);
}

void fleetfix_teardown(void)
{
	fleetfix_stop_all();
	for (int i = 0; i < FLEETFIX_GATEWAYS; i++) {
		free(fleetfix.gw_extra[i]);
		fleetfix.gw_extra[i] = NULL;
	}
	if (fleetfix.dir[0] != '\0' && getenv("FLEETFIX_KEEP") == NULL)
		remove_tree(fleetfix.dir);
	fleetfix.dir[0] = '\0';
	if (fleetfix.curl)
		curl_global_cleanup();
	fleetfix.curl = false;
}

int fleetfix_children(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL) {
		char path[PATH_MAX];
		char *stat;
		const char *p;
		char state;
		int ppid;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		stat = fleetfix_read_from(path, 0);
		/* "pid (comm) state ppid ...": comm may hold spaces and parentheses. */
		p = strrchr(stat, ')');
		if (p != NULL && sscanf(p + 1, " %c %d", &state, &ppid) == 2 && ppid == getpid())
			n++;
		free(stat);
	}
	closedir(d);
	return n;
}

/* Simulators. */

static struct fleetfix_proc *sim_proc(int i)
{
	ck_assert_msg(i >= 1 && i <= FLEETFIX_SIMS, "no simulator %d", i);
	return &fleetfix.sim[i - 1];
}

static void sim_spawn(int i)
{
	struct fleetfix_proc *p = sim_proc(i);
	const char *bin = getenv("GW_BBBSIM_BINARY");
	char port[16];
	char *argv[] = {NULL, "--port", port, "--secret", fleetfix.sim_secret[i - 1],
			NULL, NULL,     NULL};

	if (fleetfix_opts.sim_recordings[i - 1] != NULL) {
		argv[5] = "--recordings";
		argv[6] = (char *)fleetfix_opts.sim_recordings[i - 1];
	}
	ck_assert_msg(bin != NULL, "GW_BBBSIM_BINARY is not set (meson test sets it)");
	ck_assert_msg(p->pid == 0, "%s is running", p->name);
	argv[0] = (char *)bin;
	snprintf(port, sizeof(port), "%u", p->port);
	spawn(p, argv);
	p->port = wait_port(p, "bbb-sim listening on http://127.0.0.1:");
	snprintf(fleetfix.sim_url[i - 1], sizeof(fleetfix.sim_url[i - 1]),
		 "http://127.0.0.1:%u/bigbluebutton/api", p->port);
	wait_ready(p, fleetfix_sim_answers, i);
}

void fleetfix_sim_start(int i)
{
	sim_proc(i)->port = 0;
	sim_spawn(i);
}

void fleetfix_sims_start(void)
{
	for (int i = 1; i <= FLEETFIX_SIMS; i++) {
		if (sim_proc(i)->pid == 0)
			fleetfix_sim_start(i);
	}
}

void fleetfix_sim_kill(int i)
{
	ck_assert_msg(sim_proc(i)->pid > 0, "%s is not running", sim_proc(i)->name);
	stop(sim_proc(i), SIGKILL);
}

void fleetfix_sim_restart(int i)
{
	ck_assert_msg(sim_proc(i)->port > 0, "%s never started", sim_proc(i)->name);
	sim_spawn(i);
}

const char *fleetfix_sim_url(int i)
{
	ck_assert_msg(sim_proc(i)->port > 0, "%s never started", sim_proc(i)->name);
	return fleetfix.sim_url[i - 1];
}

const char *fleetfix_sim_name(int i)
{
	return sim_proc(i)->name;
}

const char *fleetfix_sim_secret(int i)
{
	(void)sim_proc(i);
	return fleetfix.sim_secret[i - 1];
}

unsigned fleetfix_sim_port(int i)
{
	return sim_proc(i)->port;
}

/* Redis. */

static bool redis_ready(int unused)
{
	(void)unused;
	return fleetfix_redis_ping();
}

static void redis_spawn(void)
{
	struct fleetfix_proc *p = &fleetfix.redis;
	const char *bin = fleetfix_redis_binary();
	char port[16];
	char *argv[] = {NULL,     "--port", port,           "--bind", "127.0.0.1",
			"--save", "",       "--appendonly", "no",     "--daemonize",
			"no",     "--dir",  fleetfix.dir,   NULL};

	ck_assert_msg(bin != NULL, "redis-server is not installed");
	ck_assert_msg(p->pid == 0, "redis is running");
	argv[0] = gw_test_strdup(bin);
	snprintf(port, sizeof(port), "%u", p->port);
	spawn(p, argv);
	free(argv[0]);
}

void fleetfix_redis_start(void)
{
	struct fleetfix_proc *p = &fleetfix.redis;
	int status;

	/* The free port may be taken before redis binds it: then it exits, and another is tried. */
	for (int attempt = 0;; attempt++) {
		long long deadline = now_ms() + FLEETFIX_WAIT_MS;

		p->port = free_port();
		redis_spawn();
		while (!fleetfix_redis_ping() && !reaped(p, WNOHANG, &status) &&
		       now_ms() < deadline)
			nap();
		if (p->pid > 0 && fleetfix_redis_ping())
			return;
		if (attempt == 2 || p->pid > 0)
			fail_start(p, "did not answer PING");
	}
}

void fleetfix_redis_kill(void)
{
	ck_assert_msg(fleetfix.redis.pid > 0, "redis is not running");
	stop(&fleetfix.redis, SIGKILL);
}

void fleetfix_redis_restart(void)
{
	ck_assert_msg(fleetfix.redis.port > 0, "redis never started");
	redis_spawn();
	wait_ready(&fleetfix.redis, redis_ready, 0);
}

unsigned fleetfix_redis_port(void)
{
	return fleetfix.redis.port;
}

/* Gateways. */

static struct fleetfix_proc *gw_proc(int i)
{
	ck_assert_msg(i >= 1 && i <= FLEETFIX_GATEWAYS, "no gateway %d", i);
	return &fleetfix.gw[i - 1];
}

static bool gw_healthy(int i)
{
	struct req q = {.method = "GET", .path = "/healthz", .port = gw_proc(i)->port};
	struct reply r;
	bool ok = harness_send(&q, &r) && r.status == 200;

	reply_free(&r);
	return ok;
}

/* Writes gateway i's config for listen port (0: any) to conf (PATH_MAX bytes). */
static void gw_write_config(int i, unsigned port, char *conf)
{
	char *text = fleetfix_gateway_config(port, fleetfix.gw_extra[i - 1]);
	FILE *f;

	snprintf(conf, PATH_MAX, "%s/%s.conf", fleetfix.dir, gw_proc(i)->name);
	f = fopen(conf, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
	free(text);
}

/* Writes gateway i's config for listen port (0: any) and starts it. */
static void gw_spawn(int i, unsigned port)
{
	struct fleetfix_proc *p = gw_proc(i);
	const char *bin = getenv("GW_BINARY");
	char conf[PATH_MAX];
	char *argv[] = {NULL, "-c", conf, NULL};

	ck_assert_msg(bin != NULL, "GW_BINARY is not set (meson test sets it)");
	ck_assert_msg(p->pid == 0, "%s is running", p->name);
	gw_write_config(i, port, conf);
	argv[0] = (char *)bin;
	spawn(p, argv);
	p->port = wait_port(p, "listening on 127.0.0.1 port ");
	snprintf(fleetfix.gw_url[i - 1], sizeof(fleetfix.gw_url[i - 1]), "http://127.0.0.1:%u",
		 p->port);
	wait_ready(p, gw_healthy, i);
}

void fleetfix_gateway_start(int i, const char *extra_config)
{
	(void)gw_proc(i);
	free(fleetfix.gw_extra[i - 1]);
	fleetfix.gw_extra[i - 1] = extra_config != NULL ? gw_test_strdup(extra_config) : NULL;
	gw_spawn(i, 0);
}

void fleetfix_gateway_restart(int i)
{
	ck_assert_msg(gw_proc(i)->port > 0, "gw%d never started", i);
	gw_spawn(i, gw_proc(i)->port);
}

void fleetfix_gateway_reconfigure(int i, const char *extra_config)
{
	ck_assert_msg(gw_proc(i)->port > 0, "gw%d never started", i);
	if (gw_proc(i)->pid > 0)
		ck_assert_int_eq(stop(gw_proc(i), SIGTERM), 0);
	free(fleetfix.gw_extra[i - 1]);
	fleetfix.gw_extra[i - 1] = extra_config != NULL ? gw_test_strdup(extra_config) : NULL;
	gw_spawn(i, gw_proc(i)->port);
}

/* Times "configuration reloaded" is in gateway i's log. */
static int reloads_logged(int i)
{
	char *log = fleetfix_gateway_log(i);
	int n = 0;

	for (const char *p = log; (p = strstr(p, "configuration reloaded")) != NULL; p++)
		n++;
	free(log);
	return n;
}

void fleetfix_gateway_reload(int i)
{
	char conf[PATH_MAX];
	int before = reloads_logged(i);

	ck_assert_msg(gw_proc(i)->pid > 0, "gw%d is not running", i);
	gw_write_config(i, gw_proc(i)->port, conf);
	ck_assert_int_eq(kill(gw_proc(i)->pid, SIGHUP), 0);
	for (unsigned waited = 0; reloads_logged(i) == before; waited += 20) {
		ck_assert_msg(waited < FLEETFIX_WAIT_MS, "gw%d never reloaded", i);
		usleep(20 * 1000);
	}
}

void fleetfix_gateway_kill(int i)
{
	ck_assert_msg(gw_proc(i)->pid > 0, "gw%d is not running", i);
	stop(gw_proc(i), SIGKILL);
}

int fleetfix_gateway_stop(int i)
{
	ck_assert_msg(gw_proc(i)->pid > 0, "gw%d is not running", i);
	return stop(gw_proc(i), SIGTERM);
}

const char *fleetfix_gateway_url(int i)
{
	ck_assert_msg(gw_proc(i)->port > 0, "gw%d never started", i);
	return fleetfix.gw_url[i - 1];
}

unsigned fleetfix_gateway_port(int i)
{
	ck_assert_msg(gw_proc(i)->port > 0, "gw%d never started", i);
	return gw_proc(i)->port;
}

char *fleetfix_gateway_log(int i)
{
	return fleetfix_read_from(gw_proc(i)->log, 0);
}

void fleetfix_wait_log(int i, const char *text)
{
	for (unsigned waited = 0;; waited += 100) {
		char *log = fleetfix_gateway_log(i);
		bool seen = strstr(log, text) != NULL;

		free(log);
		if (seen)
			return;
		ck_assert_msg(waited < FLEETFIX_WAIT_MS, "gateway %d never logged: %s", i, text);
		fleetfix_sleep_ms(100);
	}
}
