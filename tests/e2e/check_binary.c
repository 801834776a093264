/*
 * check_binary.c - runs the built bbb-gateway executable: the command
 * line (--version, --help, token new, --check-config exit codes), then a
 * real start against the simulator, a request, SIGHUP reload with a new
 * token, and SIGTERM -> exit 0.
 */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#include "auth.h"
#include "bbbsim.h"
#include "testutil.h"

static const char *binary(void)
{
	const char *b = getenv("GW_BINARY");

	return b != NULL ? b : "build/src/bbb-gateway";
}

/* Runs the binary with args; captures stdout+stderr into out (static). Returns exit status. */
static int run(const char *const *args, char *out, size_t outlen)
{
	int fds[2];
	pid_t pid;
	int status = 0;
	size_t used = 0;
	ssize_t n;

	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		const char *argv[16];
		int i;

		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		argv[0] = binary();
		for (i = 0; args[i] != NULL && i < 14; i++)
			argv[i + 1] = args[i];
		argv[i + 1] = NULL;
		execv(binary(), (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	while (used + 1 < outlen && (n = read(fds[0], out + used, outlen - used - 1)) > 0)
		used += (size_t)n;
	out[used] = '\0';
	close(fds[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static char tmpdir[256];

static const char *write_file(const char *name, const char *text)
{
	static char path[512];
	FILE *f;

	if (tmpdir[0] == '\0') {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/gw-binary-XXXXXX");
		ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	}
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

START_TEST(test_binary_version_help_usage)
{
	char out[4096];
	const char *v[] = {"--version", NULL};
	const char *h[] = {"--help", NULL};
	const char *bad[] = {"--frobnicate", NULL};

	ck_assert_int_eq(run(v, out, sizeof(out)), 0);
	ck_assert_ptr_eq(strstr(out, "bbb-gateway "), out);
	ck_assert_int_eq(run(h, out, sizeof(out)), 0);
	ck_assert_ptr_nonnull(strstr(out, "--check-config"));
	ck_assert_int_eq(run(bad, out, sizeof(out)), 2);
}
END_TEST

START_TEST(test_binary_token_new)
{
	char out[4096];
	const char *args[] = {"token", "new", "lms", "--scopes", "meetings:read,meetings:join",
			      NULL};
	const char *bad[] = {"token", "new", "lms", "--scopes", "meetings:fly", NULL};
	unsigned char want[GW_AUTH_HASH_LEN];
	unsigned char got[GW_AUTH_HASH_LEN];
	char token[GW_AUTH_TOKEN_LEN + 1];
	char hash[80];
	const char *t;
	const char *h;

	ck_assert_int_eq(run(args, out, sizeof(out)), 0);
	t = strstr(out, "bgw_");
	ck_assert_ptr_nonnull(t);
	snprintf(token, sizeof(token), "%.*s", (int)GW_AUTH_TOKEN_LEN, t);
	h = strstr(out, "sha256:");
	ck_assert_ptr_nonnull(h);
	snprintf(hash, sizeof(hash), "%.71s", h);
	ck_assert_int_eq(gw_auth_hash_parse(hash, want), GW_OK);
	ck_assert_int_eq(gw_auth_hash_token(token, strlen(token), got), GW_OK);
	ck_assert_mem_eq(want, got, GW_AUTH_HASH_LEN);
	ck_assert_ptr_nonnull(strstr(out, "\"meetings:read\", \"meetings:join\""));
	ck_assert_int_eq(run(bad, out, sizeof(out)), 2);
}
END_TEST

/* key new FILE: 64 lowercase hex digits and a newline, mode 0600, never over an existing file. */
START_TEST(test_binary_key_new)
{
	char out[4096];
	char path[600];
	char key[80];
	const char *args[] = {"key", "new", path, NULL};
	const char *bad[] = {"key", "new", NULL};
	struct stat st;
	FILE *f;
	size_t n;

	write_file("placeholder", "");
	snprintf(path, sizeof(path), "%s/mint.key", tmpdir);
	unlink(path);
	ck_assert_int_eq(run(args, out, sizeof(out)), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(key, 1, sizeof(key) - 1, f);
	fclose(f);
	key[n] = '\0';
	ck_assert_uint_eq(n, 65);
	ck_assert_int_eq(key[64], '\n');
	ck_assert_uint_eq(strspn(key, "0123456789abcdef"), 64);
	key[64] = '\0';
	ck_assert_ptr_null(strstr(out, key)); /* the key is never printed */
	ck_assert_int_eq(run(args, out, sizeof(out)), 1);
	ck_assert_ptr_nonnull(strstr(out, "not overwritten"));
	ck_assert_int_eq(run(bad, out, sizeof(out)), 2);
	unlink(path);
}
END_TEST

static const char *config_text(unsigned gw_port, unsigned sim_port, const char *hash)
{
	static char text[2048];

	snprintf(
		text, sizeof(text),
		"listen = { address = \"127.0.0.1\"; port = %u; threads = 2; };\n"
		"bbb = {\n"
		"  url = \"http://127.0.0.1:%u/bigbluebutton/api\";\n"
		"  secret = \"binary-test-secret\";\n"
		"  checksum = \"sha1\";\n"
		"};\n"
		"fleet = { poll_s = 0; };\n" /* no poll: the simulator counts only the tests' calls */
		"tokens = (\n"
		"  { name = \"t\"; hash = \"%s\"; scopes = [ \"*\" ]; }\n"
		");\n",
		gw_port, sim_port, hash);
	return text;
}

START_TEST(test_binary_check_config)
{
	char out[4096];
	char tok[GW_AUTH_TOKEN_LEN + 1];
	char hash[80];
	const char *good;
	const char *args[] = {"--check-config", "-c", NULL, NULL};

	ck_assert_int_eq(gw_auth_token_new(tok, hash), GW_OK);
	good = write_file("good.conf", config_text(8090, 8080, hash));
	args[2] = good;
	ck_assert_int_eq(run(args, out, sizeof(out)), 0);
	args[2] = write_file("bad.conf", "listen = { port = 99999; };\nbbb = { wat = 1; };\n");
	ck_assert_int_eq(run(args, out, sizeof(out)), 1);
	ck_assert_msg(strstr(out, "bad.conf:1:") != NULL, "output: %s", out);
	ck_assert_msg(strstr(out, "bad.conf:2:") != NULL, "output: %s", out);
	args[2] = "/nonexistent/bbb-gateway.conf";
	ck_assert_int_eq(run(args, out, sizeof(out)), 1);
}
END_TEST

static size_t discard(char *p, size_t s, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return s * n;
}

static long http_get(unsigned port, const char *path, const char *token)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hdrs = NULL;
	char url[256];
	char auth[128];
	long status = 0;

	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", port, path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 5L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	if (token != NULL) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		hdrs = curl_slist_append(hdrs, auth);
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	}
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	return status;
}

START_TEST(test_binary_run_reload_sigterm)
{
	struct bbbsim_opts so = {.secret = "binary-test-secret"};
	struct bbbsim *sim = bbbsim_start(&so);
	char tok1[GW_AUTH_TOKEN_LEN + 1], hash1[80];
	char tok2[GW_AUTH_TOKEN_LEN + 1], hash2[80];
	unsigned port = gw_test_free_port();
	const char *path;
	pid_t pid;
	int status;
	int i;

	ck_assert_ptr_nonnull(sim);
	ck_assert_int_eq(gw_auth_token_new(tok1, hash1), GW_OK);
	ck_assert_int_eq(gw_auth_token_new(tok2, hash2), GW_OK);
	path = write_file("run.conf", config_text(port, bbbsim_port(sim), hash1));
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		execl(binary(), binary(), "-c", path, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 500 && http_get(port, "/healthz", NULL) != 200; i++)
		usleep(10 * 1000);
	ck_assert_int_eq(http_get(port, "/healthz", NULL), 200);
	ck_assert_int_eq(http_get(port, "/v1/meetings", tok1), 200);
	ck_assert_int_eq(http_get(port, "/v1/meetings", tok2), 401);
	{
		char url[96];
		char out[1024];
		const char *hc[] = {"--healthcheck", url, NULL};

		snprintf(url, sizeof(url), "http://127.0.0.1:%u/healthz", port);
		ck_assert_int_eq(run(hc, out, sizeof(out)), 0);
		snprintf(url, sizeof(url), "http://127.0.0.1:%u/healthz", gw_test_free_port());
		ck_assert_int_eq(run(hc, out, sizeof(out)), 1);
	}
	/* Reload with the second token instead of the first. */
	write_file("run.conf", config_text(port, bbbsim_port(sim), hash2));
	kill(pid, SIGHUP);
	for (i = 0; i < 500 && http_get(port, "/v1/meetings", tok2) != 200; i++)
		usleep(10 * 1000);
	ck_assert_int_eq(http_get(port, "/v1/meetings", tok2), 200);
	ck_assert_int_eq(http_get(port, "/v1/meetings", tok1), 401);
	/* An invalid config is rejected; the running one stays. */
	write_file("run.conf", "this is not a config");
	kill(pid, SIGHUP);
	usleep(200 * 1000);
	ck_assert_int_eq(http_get(port, "/v1/meetings", tok2), 200);
	kill(pid, SIGTERM);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	bbbsim_stop(sim);
}
END_TEST

struct slow_get {
	unsigned port;
	const char *token;
	long status;
};

static void *slow_get_run(void *arg)
{
	struct slow_get *g = arg;

	g->status = http_get(g->port, "/v1/meetings", g->token);
	return NULL;
}

/* True when a TCP connect to the port is refused. */
static bool refused(unsigned port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				.sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool no = connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0 && errno == ECONNREFUSED;

	close(fd);
	return no;
}

START_TEST(test_binary_sigterm_drains)
{
	struct bbbsim_opts so = {.secret = "binary-test-secret"};
	struct bbbsim_fault slow = {.kind = BBBSIM_FAULT_DELAY, .delay_ms = 1500};
	struct bbbsim *sim = bbbsim_start(&so);
	char tok[GW_AUTH_TOKEN_LEN + 1], hash[80];
	struct slow_get g;
	unsigned port = gw_test_free_port();
	const char *path;
	pthread_t th;
	pid_t pid;
	size_t before;
	int status;
	int i;

	ck_assert_ptr_nonnull(sim);
	ck_assert_int_eq(gw_auth_token_new(tok, hash), GW_OK);
	path = write_file("drain.conf", config_text(port, bbbsim_port(sim), hash));
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		execl(binary(), binary(), "-c", path, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 500 && http_get(port, "/healthz", NULL) != 200; i++)
		usleep(10 * 1000);
	bbbsim_set_fault(sim, "getMeetings", &slow);
	g.port = port;
	g.token = tok;
	g.status = 0;
	before = bbbsim_request_count(sim);
	ck_assert_int_eq(pthread_create(&th, NULL, slow_get_run, &g), 0);
	/* the slow call has reached BBB: the gateway holds the request */
	for (i = 0; i < 500 && bbbsim_request_count(sim) <= before; i++)
		usleep(10 * 1000);
	ck_assert_uint_gt(bbbsim_request_count(sim), before);
	kill(pid, SIGTERM);
	/* New connections are refused while the slow request finishes. */
	for (i = 0; i < 100 && !refused(port); i++)
		usleep(10 * 1000);
	ck_assert(refused(port));
	pthread_join(th, NULL);
	ck_assert_int_eq(g.status, 200);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	bbbsim_stop(sim);
}
END_TEST

static Suite *binary_suite(void)
{
	Suite *s = suite_create("binary");
	TCase *tc = tcase_create("binary");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_binary_version_help_usage);
	tcase_add_test(tc, test_binary_token_new);
	tcase_add_test(tc, test_binary_key_new);
	tcase_add_test(tc, test_binary_check_config);
	tcase_add_test(tc, test_binary_run_reload_sigterm);
	tcase_add_test(tc, test_binary_sigterm_drains);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(binary_suite)
