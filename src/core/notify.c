/*
 * notify.c - sd_notify(3) and sd_listen_fds(3) re-implemented in a few
 * dozen lines, so the gateway needs no libsystemd. The notify side is
 * stateless (one socket per datagram, opened and closed in the call): it
 * is used a handful of times per process lifetime, and statelessness makes
 * it safe from any thread. The listen-fds side validates the inherited fd
 * before handing it to libmicrohttpd, which would otherwise fail late and
 * obscurely on a fd that is not a listening socket.
 */
#include "notify.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "str.h"

#define LISTEN_FDS_START 3

/* Fills addr from $NOTIFY_SOCKET's value; false when it is not a usable name. */
static bool notify_addr(const char *name, struct sockaddr_un *addr, socklen_t *len)
{
	size_t n = strlen(name);

	if ((name[0] != '/' && name[0] != '@') || n < 2 || n >= sizeof(addr->sun_path))
		return false;
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	memcpy(addr->sun_path, name, n);
	if (name[0] == '@') {
		/* Abstract namespace: a leading NUL, and the length counts no terminator. */
		addr->sun_path[0] = '\0';
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	} else {
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	}
	return true;
}

enum gw_err gw_notify(const char *state)
{
	const char *name = getenv("NOTIFY_SOCKET");
	struct sockaddr_un addr;
	socklen_t len;
	size_t n = strlen(state);
	char eb[128];
	ssize_t w;
	int fd;

	if (name == NULL || name[0] == '\0')
		return GW_OK;
	if (!notify_addr(name, &addr, &len)) {
		gw_log_err("NOTIFY_SOCKET is not a socket path or @abstract name; "
			   "cannot notify systemd");
		return GW_E_IO;
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		gw_log_err("notify: socket: %s", strerror_r(errno, eb, sizeof(eb)));
		return GW_E_IO;
	}
	do {
		w = sendto(fd, state, n, MSG_NOSIGNAL, (const struct sockaddr *)&addr, len);
	} while (w < 0 && errno == EINTR);
	if (w < 0 || (size_t)w != n) {
		gw_log_err("notify: cannot send to NOTIFY_SOCKET: %s",
			   w < 0 ? strerror_r(errno, eb, sizeof(eb)) : "short write");
		close(fd);
		return GW_E_IO;
	}
	close(fd);
	return GW_OK;
}

/*
 * For the fire-and-forget helpers: a failure is logged by gw_notify, and
 * there is nothing to undo (systemd times the unit out if it never hears).
 */
static void notify_quiet(const char *state)
{
	enum gw_err err = gw_notify(state);

	(void)err;
}

void gw_notify_ready(void)
{
	notify_quiet("READY=1");
}

void gw_notify_stopping(void)
{
	notify_quiet("STOPPING=1");
}

void gw_notify_reloading(void)
{
	char state[64];
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(state, sizeof(state), "RELOADING=1\nMONOTONIC_USEC=%llu",
		 (unsigned long long)ts.tv_sec * 1000000ULL +
			 (unsigned long long)ts.tv_nsec / 1000ULL);
	notify_quiet(state);
}

void gw_notify_status(const char *fmt, ...)
{
	char state[GW_NOTIFY_MAX + 1];
	const size_t pfx = sizeof("STATUS=") - 1;
	va_list ap;
	size_t i;

	memcpy(state, "STATUS=", pfx);
	va_start(ap, fmt);
	vsnprintf(state + pfx, sizeof(state) - pfx, fmt, ap);
	va_end(ap);
	/* One assignment per line in the protocol: a newline would start a new one. */
	for (i = pfx; state[i] != '\0'; i++) {
		if (state[i] == '\n' || state[i] == '\r')
			state[i] = ' ';
	}
	notify_quiet(state);
}

/* True when fd is an open stream socket in the listening state. */
static bool is_listening_stream(int fd)
{
	int type = 0;
	int listening = 0;
	socklen_t l1 = sizeof(type);
	socklen_t l2 = sizeof(listening);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l1) != 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &l2) != 0)
		return false;
	return type == SOCK_STREAM && listening != 0;
}

/* Parses a positive decimal that fits an int; -1 when malformed. */
static int parse_positive(const char *s)
{
	uint64_t v;

	if (s == NULL || gw_str_parse_u64(s, &v) != GW_OK || v == 0 || v > INT32_MAX)
		return -1;
	return (int)v;
}

int gw_notify_listen_fds(void)
{
	int pid = parse_positive(getenv("LISTEN_PID"));
	const char *fds_text = getenv("LISTEN_FDS");
	int nfds = parse_positive(fds_text);
	int fd = -1;

	if (pid < 0 || (pid_t)pid != getpid()) {
		/* not for us (or not activated); a stray LISTEN_FDS is not an error */
	} else if (nfds < 0) {
		if (fds_text != NULL && strcmp(fds_text, "0") != 0)
			gw_log_err("socket activation: LISTEN_FDS is not a positive number");
	} else if (fcntl(LISTEN_FDS_START, F_SETFD, FD_CLOEXEC) != 0 ||
		   !is_listening_stream(LISTEN_FDS_START)) {
		gw_log_err("socket activation: fd 3 is not a listening stream socket");
	} else {
		if (nfds > 1)
			gw_log_warn("socket activation: %d sockets passed, only the first is used",
				    nfds);
		fd = LISTEN_FDS_START;
	}
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return fd;
}
