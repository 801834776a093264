/*
 * log.h - the gateway's logging: stderr lines with a `<N>` syslog priority
 * prefix (journald reads it), or JSON lines. Thread-safe: each line is one
 * write(2). errno is preserved across every call.
 *
 * Never pass secrets, tokens, checksums or BBB query strings to these
 * functions.
 */
#ifndef GW_LOG_H
#define GW_LOG_H

#include <stdbool.h>

#include "compiler.h"

enum gw_log_level {
	GW_LOG_ERR = 3,
	GW_LOG_WARNING = 4,
	GW_LOG_NOTICE = 5,
	GW_LOG_INFO = 6,
	GW_LOG_DEBUG = 7,
};

enum gw_log_format {
	GW_LOG_FORMAT_TEXT = 0, /* "<6>message" */
	GW_LOG_FORMAT_JSON = 1, /* {"ts":..,"level":"info","msg":".."} */
};

/* Sets the threshold and format; may be called again (e.g. on reload). */
void gw_log_setup(enum gw_log_level level, enum gw_log_format format);

/* Redirects output to fd (default 2). For tests. */
void gw_log_set_fd(int fd);

/* True when a message of this level would be written. */
bool gw_log_enabled(enum gw_log_level level);

void gw_log(enum gw_log_level level, const char *fmt, ...) GW_PRINTF(2, 3);

#define gw_log_err(...) gw_log(GW_LOG_ERR, __VA_ARGS__)
#define gw_log_warn(...) gw_log(GW_LOG_WARNING, __VA_ARGS__)
#define gw_log_notice(...) gw_log(GW_LOG_NOTICE, __VA_ARGS__)
#define gw_log_info(...) gw_log(GW_LOG_INFO, __VA_ARGS__)
#define gw_log_debug(...) gw_log(GW_LOG_DEBUG, __VA_ARGS__)

/* One access-log record. All strings borrowed; NULL means absent. */
struct gw_access_entry {
	const char *request_id;
	const char *method;
	const char *route; /* route template, never the raw path */
	int status;
	unsigned long long bytes_out;
	double duration_ms;
	const char *token_name; /* a static token's name */
	/* a JWT's issuer, subject and ID (never the token itself) */
	const char *token_iss;
	const char *token_sub;
	const char *token_jti;
	const char *bbb_call; /* NULL when no upstream call was made */
	const char *server;   /* the fleet server bbb_call went to; NULL when not named */
	long upstream_status; /* HTTP status from BBB, 0 if none */
	double upstream_ms;
	unsigned retries;        /* BBB attempts after the first */
	const char *message_key; /* BBB messageKey on FAILED */
};

/* Writes one access line (priority info), whatever the level threshold. */
void gw_log_access(const struct gw_access_entry *e);

#endif
