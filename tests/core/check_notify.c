/*
 * check_notify.c - the systemd protocols: exact datagrams on a unix socket
 * named by $NOTIFY_SOCKET (a path and an abstract @name), sender
 * credentials as systemd checks them, no-op without the variable, errors
 * for unusable values; and socket activation: LISTEN_PID/LISTEN_FDS
 * parsing, the fd 3 checks, and the variables always unset afterwards.
 *
 * Tests that put a socket on fd 3 save whatever Check keeps there, and
 * restore it before asserting anything.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <netinet/in.h>

#include "log.h"
#include "notify.h"
#include "testutil.h"

/* Moves fd to a number >= 20 so it can never collide with fd 3. */
static int high_fd(int fd)
{
	int h;

	ck_assert_int_ge(fd, 0);
	h = fcntl(fd, F_DUPFD_CLOEXEC, 20);
	ck_assert_int_ge(h, 20);
	close(fd);
	return h;
}

static void setup(void)
{
	/* Expected error lines go nowhere; the fd is high so fd 3 stays free for the tests. */
	gw_log_set_fd(high_fd(open("/dev/null", O_WRONLY)));
	unsetenv("NOTIFY_SOCKET");
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
}

/* ---- notify ---- */

struct receiver {
	int fd;
	char dir[64];
	char path[128];
};

static void receiver_bind(struct receiver *r, const struct sockaddr_un *a, socklen_t len)
{
	int one = 1;

	r->fd = high_fd(socket(AF_UNIX, SOCK_DGRAM, 0));
	ck_assert_int_eq(bind(r->fd, (const struct sockaddr *)a, len), 0);
	/* systemd reads the sender's pid from SCM_CREDENTIALS */
	ck_assert_int_eq(setsockopt(r->fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)), 0);
}

/* A receiver on a filesystem path; NOTIFY_SOCKET points at it. */
static void receiver_path(struct receiver *r)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};

	snprintf(r->dir, sizeof(r->dir), "/tmp/gw-notify-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(r->dir));
	snprintf(r->path, sizeof(r->path), "%s/notify", r->dir);
	memcpy(a.sun_path, r->path, strlen(r->path) + 1);
	receiver_bind(r, &a, sizeof(a));
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", r->path, 1), 0);
}

/* A receiver on an abstract name; NOTIFY_SOCKET is "@name". */
static void receiver_abstract(struct receiver *r)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	struct timespec ts;
	int n;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	n = snprintf(r->path, sizeof(r->path), "@bbb-gateway-test-%d-%ld", (int)getpid(),
		     ts.tv_nsec);
	r->dir[0] = '\0';
	memcpy(a.sun_path, r->path, (size_t)n);
	a.sun_path[0] = '\0';
	receiver_bind(r, &a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (size_t)n));
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", r->path, 1), 0);
}

static void receiver_close(struct receiver *r)
{
	close(r->fd);
	if (r->dir[0] != '\0') {
		unlink(r->path);
		rmdir(r->dir);
	}
}

/* Receives one pending datagram into buf (NUL-terminated); checks the sender pid. */
static size_t receive(struct receiver *r, char *buf, size_t size)
{
	char cbuf[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = {.iov_base = buf, .iov_len = size - 1};
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	struct ucred cred;
	ssize_t n = recvmsg(r->fd, &msg, MSG_DONTWAIT);

	ck_assert_msg(n >= 0, "no datagram: %s", strerror_r(errno, buf, size));
	ck_assert_int_eq(msg.msg_flags & MSG_TRUNC, 0);
	buf[n] = '\0';
	cm = CMSG_FIRSTHDR(&msg);
	ck_assert_ptr_nonnull(cm);
	ck_assert_int_eq(cm->cmsg_type, SCM_CREDENTIALS);
	memcpy(&cred, CMSG_DATA(cm), sizeof(cred));
	ck_assert_int_eq(cred.pid, getpid());
	return (size_t)n;
}

static void assert_nothing_pending(struct receiver *r)
{
	char buf[16];

	ck_assert_int_lt(recv(r->fd, buf, sizeof(buf), MSG_DONTWAIT), 0);
	ck_assert_int_eq(errno, EAGAIN);
}

START_TEST(test_notify_unset_is_noop)
{
	ck_assert_int_eq(gw_notify("READY=1"), GW_OK);
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", "", 1), 0);
	ck_assert_int_eq(gw_notify("READY=1"), GW_OK);
	gw_notify_ready();
	gw_notify_reloading();
	gw_notify_stopping();
	gw_notify_status("x %d", 1);
}
END_TEST

/* The exact datagrams of every helper, on the socket r. */
static void exact_datagrams(struct receiver *r)
{
	char buf[4096];

	ck_assert_int_eq(gw_notify("READY=1\nSTATUS=up"), GW_OK);
	receive(r, buf, sizeof(buf));
	ck_assert_str_eq(buf, "READY=1\nSTATUS=up");
	gw_notify_ready();
	receive(r, buf, sizeof(buf));
	ck_assert_str_eq(buf, "READY=1");
	gw_notify_stopping();
	receive(r, buf, sizeof(buf));
	ck_assert_str_eq(buf, "STOPPING=1");
	gw_notify_status("serving %u tokens on port %d", 3u, 8090);
	receive(r, buf, sizeof(buf));
	ck_assert_str_eq(buf, "STATUS=serving 3 tokens on port 8090");
	assert_nothing_pending(r);
}

START_TEST(test_notify_path_socket_exact_datagrams)
{
	struct receiver r;

	receiver_path(&r);
	exact_datagrams(&r);
	receiver_close(&r);
}
END_TEST

START_TEST(test_notify_abstract_socket_exact_datagrams)
{
	struct receiver r;

	receiver_abstract(&r);
	exact_datagrams(&r);
	receiver_close(&r);
}
END_TEST

static unsigned long long monotonic_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000;
}

START_TEST(test_notify_reloading_carries_monotonic_usec)
{
	struct receiver r;
	char buf[256];
	unsigned long long before;
	unsigned long long after;
	unsigned long long got;
	char *end;
	const char *p;

	receiver_abstract(&r);
	before = monotonic_usec();
	gw_notify_reloading();
	after = monotonic_usec();
	receive(&r, buf, sizeof(buf));
	ck_assert_msg(strncmp(buf, "RELOADING=1\nMONOTONIC_USEC=", 27) == 0, "got %s", buf);
	p = buf + 27;
	ck_assert(*p >= '1' && *p <= '9');
	errno = 0;
	got = strtoull(p, &end, 10);
	ck_assert_int_eq(errno, 0);
	ck_assert_int_eq(*end, '\0');
	ck_assert(got >= before && got <= after);
	receiver_close(&r);
}
END_TEST

START_TEST(test_notify_status_is_one_line_and_capped)
{
	struct receiver r;
	char buf[4096];
	char big[3000];
	size_t n;

	receiver_path(&r);
	gw_notify_status("line one\nline two\r\nREADY=1");
	receive(&r, buf, sizeof(buf));
	ck_assert_str_eq(buf, "STATUS=line one line two  READY=1");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	gw_notify_status("%s", big);
	n = receive(&r, buf, sizeof(buf));
	ck_assert_uint_eq(n, GW_NOTIFY_MAX);
	ck_assert(strncmp(buf, "STATUS=xxx", 10) == 0);
	receiver_close(&r);
}
END_TEST

START_TEST(test_notify_bad_values_fail)
{
	char longpath[200];

	ck_assert_int_eq(setenv("NOTIFY_SOCKET", "relative/notify", 1), 0);
	ck_assert_int_eq(gw_notify("READY=1"), GW_E_IO);
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", "@", 1), 0);
	ck_assert_int_eq(gw_notify("READY=1"), GW_E_IO);
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", "vsock:2:1234", 1), 0);
	ck_assert_int_eq(gw_notify("READY=1"), GW_E_IO);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", longpath, 1), 0);
	ck_assert_int_eq(gw_notify("READY=1"), GW_E_IO);
	/* well-formed but nobody listens */
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", "/nonexistent/bbb-gateway/notify", 1), 0);
	ck_assert_int_eq(gw_notify("READY=1"), GW_E_IO);
	gw_notify_ready(); /* the void helpers swallow (and log) the error */
}
END_TEST

/* ---- socket activation ---- */

struct fd3 {
	int saved; /* what was on fd 3 before, or -1 */
};

/*
 * Puts fd on fd 3 (closing fd), remembering what was there; fd < 0 leaves
 * 3 closed. No Check assertion may run until fd3_restore: every passing
 * assertion writes a location record to Check's channel, which may be
 * fd 3. Returns false when dup2 failed.
 */
static bool fd3_put(struct fd3 *s, int fd)
{
	bool ok = true;

	s->saved = fcntl(3, F_DUPFD_CLOEXEC, 20);
	if (fd >= 0) {
		ok = dup2(fd, 3) == 3;
		close(fd);
	} else {
		close(3);
	}
	return ok;
}

static void fd3_restore(struct fd3 *s)
{
	if (s->saved >= 0) {
		dup2(s->saved, 3);
		close(s->saved);
	} else {
		close(3);
	}
}

static int listening_tcp(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = high_fd(socket(AF_INET, SOCK_STREAM, 0));

	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(fd, 16), 0);
	return fd;
}

static void set_listen_env(const char *pid, const char *fds)
{
	char self[32];

	if (pid == NULL) {
		snprintf(self, sizeof(self), "%d", (int)getpid());
		pid = self;
	}
	ck_assert_int_eq(setenv("LISTEN_PID", pid, 1), 0);
	if (fds != NULL)
		ck_assert_int_eq(setenv("LISTEN_FDS", fds, 1), 0);
	ck_assert_int_eq(setenv("LISTEN_FDNAMES", "bbb-gateway.socket", 1), 0);
}

static void assert_env_unset(void)
{
	ck_assert_ptr_null(getenv("LISTEN_PID"));
	ck_assert_ptr_null(getenv("LISTEN_FDS"));
	ck_assert_ptr_null(getenv("LISTEN_FDNAMES"));
}

/* Runs gw_notify_listen_fds with sock (or nothing) on fd 3; returns its result. */
static int listen_fds_with(int sock, bool *cloexec, bool *still_listening)
{
	struct fd3 s;
	bool placed;
	int got;
	int acc = 0;
	socklen_t len = sizeof(acc);

	placed = fd3_put(&s, sock);
	got = gw_notify_listen_fds();
	*cloexec = sock >= 0 && (fcntl(3, F_GETFD) & FD_CLOEXEC) != 0;
	*still_listening = sock >= 0 && getsockopt(3, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) == 0 &&
			   acc;
	fd3_restore(&s);
	ck_assert(placed);
	return got;
}

START_TEST(test_notify_listen_fds_activated)
{
	bool cloexec;
	bool listening;

	set_listen_env(NULL, "1");
	ck_assert_int_eq(listen_fds_with(listening_tcp(), &cloexec, &listening), 3);
	ck_assert(cloexec);
	ck_assert(listening);
	assert_env_unset();
	/* a second call finds nothing: the variables are gone */
	ck_assert_int_eq(listen_fds_with(listening_tcp(), &cloexec, &listening), -1);
}
END_TEST

START_TEST(test_notify_listen_fds_several_uses_first)
{
	bool cloexec;
	bool listening;

	set_listen_env(NULL, "2");
	ck_assert_int_eq(listen_fds_with(listening_tcp(), &cloexec, &listening), 3);
	assert_env_unset();
}
END_TEST

START_TEST(test_notify_listen_fds_not_activated)
{
	bool cloexec;
	bool listening;

	/* nothing set */
	ck_assert_int_eq(listen_fds_with(listening_tcp(), &cloexec, &listening), -1);
	assert_env_unset();
	/* meant for another process (e.g. inherited from a parent) */
	set_listen_env("1", "1");
	ck_assert_int_eq(listen_fds_with(listening_tcp(), &cloexec, &listening), -1);
	ck_assert(!cloexec); /* a fd that is not ours is left alone */
	assert_env_unset();
	/* LISTEN_FDS missing or zero */
	set_listen_env(NULL, NULL);
	ck_assert_int_eq(listen_fds_with(listening_tcp(), &cloexec, &listening), -1);
	assert_env_unset();
	set_listen_env(NULL, "0");
	ck_assert_int_eq(listen_fds_with(listening_tcp(), &cloexec, &listening), -1);
	assert_env_unset();
}
END_TEST

START_TEST(test_notify_listen_fds_malformed)
{
	static const char *const bad_fds[] = {
		"", "abc", "-1", "+1", " 1", "1 ", "1x", "99999999999999999999", "2147483648"};
	static const char *const bad_pid[] = {"", "self", "-5", "0", "12a", "99999999999999999999"};
	bool cloexec;
	bool listening;
	size_t i;

	for (i = 0; i < sizeof(bad_fds) / sizeof(bad_fds[0]); i++) {
		set_listen_env(NULL, bad_fds[i]);
		ck_assert_msg(listen_fds_with(listening_tcp(), &cloexec, &listening) == -1,
			      "LISTEN_FDS=\"%s\" accepted", bad_fds[i]);
		assert_env_unset();
	}
	for (i = 0; i < sizeof(bad_pid) / sizeof(bad_pid[0]); i++) {
		set_listen_env(bad_pid[i], "1");
		ck_assert_msg(listen_fds_with(listening_tcp(), &cloexec, &listening) == -1,
			      "LISTEN_PID=\"%s\" accepted", bad_pid[i]);
		assert_env_unset();
	}
}
END_TEST

START_TEST(test_notify_listen_fds_rejects_unusable_fd3)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	bool cloexec;
	bool listening;
	int fd;

	/* closed */
	set_listen_env(NULL, "1");
	ck_assert_int_eq(listen_fds_with(-1, &cloexec, &listening), -1);
	assert_env_unset();
	/* a regular file */
	set_listen_env(NULL, "1");
	ck_assert_int_eq(
		listen_fds_with(high_fd(open("/dev/null", O_RDONLY)), &cloexec, &listening), -1);
	/* a datagram socket */
	set_listen_env(NULL, "1");
	ck_assert_int_eq(
		listen_fds_with(high_fd(socket(AF_INET, SOCK_DGRAM, 0)), &cloexec, &listening), -1);
	/* a stream socket that is bound but not listening */
	fd = high_fd(socket(AF_INET, SOCK_STREAM, 0));
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	set_listen_env(NULL, "1");
	ck_assert_int_eq(listen_fds_with(fd, &cloexec, &listening), -1);
	assert_env_unset();
}
END_TEST

START_TEST(test_notify_listen_fds_unix_stream_ok)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	bool cloexec;
	bool listening;
	int fd = high_fd(socket(AF_UNIX, SOCK_STREAM, 0));

	/* an abstract unix stream socket (ListenStream=@name) is a valid listener too */
	snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1, "bbb-gateway-ls-%d", (int)getpid());
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a,
			      (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
					  strlen(a.sun_path + 1))),
			 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	set_listen_env(NULL, "1");
	ck_assert_int_eq(listen_fds_with(fd, &cloexec, &listening), 3);
	ck_assert(listening);
}
END_TEST

static Suite *notify_suite(void)
{
	Suite *s = suite_create("notify");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_notify_unset_is_noop);
	tcase_add_test(tc, test_notify_path_socket_exact_datagrams);
	tcase_add_test(tc, test_notify_abstract_socket_exact_datagrams);
	tcase_add_test(tc, test_notify_reloading_carries_monotonic_usec);
	tcase_add_test(tc, test_notify_status_is_one_line_and_capped);
	tcase_add_test(tc, test_notify_bad_values_fail);
	tcase_add_test(tc, test_notify_listen_fds_activated);
	tcase_add_test(tc, test_notify_listen_fds_several_uses_first);
	tcase_add_test(tc, test_notify_listen_fds_not_activated);
	tcase_add_test(tc, test_notify_listen_fds_malformed);
	tcase_add_test(tc, test_notify_listen_fds_rejects_unusable_fd3);
	tcase_add_test(tc, test_notify_listen_fds_unix_stream_ok);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(notify_suite)
