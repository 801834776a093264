/*
 * notify.h - the two systemd protocols a service needs, without
 * libsystemd: readiness notification (sd_notify(3): newline-separated
 * VAR=value assignments in one datagram to the AF_UNIX socket named by
 * $NOTIFY_SOCKET) and socket activation (sd_listen_fds(3): inherited
 * listening sockets from fd 3, announced by $LISTEN_PID and $LISTEN_FDS).
 *
 * Outside systemd (no $NOTIFY_SOCKET) every notification is a no-op, so the
 * daemon calls these unconditionally. Each call opens and closes its own
 * socket: no state, safe from any thread of the main process (systemd's
 * default NotifyAccess=main accepts datagrams from the main PID only, so
 * do not call them from a forked child).
 */
#ifndef GW_NOTIFY_H
#define GW_NOTIFY_H

#include "compiler.h"
#include "err.h"

/* The largest state text gw_notify sends (longer gw_notify_status text is cut). */
#define GW_NOTIFY_MAX 1024

/*
 * Sends state (borrowed; e.g. "READY=1" or "STATUS=...\nREADY=1") as one
 * datagram to $NOTIFY_SOCKET: a filesystem path ("/run/systemd/notify")
 * or, when it starts with '@', an abstract socket name. GW_OK when sent
 * or when $NOTIFY_SOCKET is unset or empty; GW_E_IO when the variable is
 * malformed or the send fails (logged once here, with errno).
 */
enum gw_err gw_notify(const char *state) GW_WUR;

/* "READY=1": start-up finished (after the listen socket is open), or a reload finished. */
void gw_notify_ready(void);

/*
 * "RELOADING=1" plus "MONOTONIC_USEC=<CLOCK_MONOTONIC in µs>" (systemd 253+
 * needs the timestamp to match the reload to its request; 252 ignores it).
 * Follow it with gw_notify_ready() when the reload is over, whether it
 * succeeded or not.
 */
void gw_notify_reloading(void);

/* "STOPPING=1": draining has begun. */
void gw_notify_stopping(void);

/*
 * "STATUS=<text>": a one-line status shown by `systemctl status`. Newlines
 * in the text become spaces; text past GW_NOTIFY_MAX is cut.
 */
void gw_notify_status(const char *fmt, ...) GW_PRINTF(1, 2);

/*
 * Socket activation. Returns 3 (the first inherited fd, marked
 * close-on-exec) when $LISTEN_PID is this process and $LISTEN_FDS >= 1
 * and fd 3 is a listening stream socket; otherwise -1 (not activated, or
 * malformed variables, or fd 3 unusable: logged). Further fds beyond the
 * first are ignored with a warning. Always unsets LISTEN_PID, LISTEN_FDS
 * and LISTEN_FDNAMES, so children do not inherit them. Touches the
 * environment: call it from main before any thread starts. The caller owns
 * the returned fd.
 */
int gw_notify_listen_fds(void);

#endif
