/*
 * log.c - one line per call, written with a single write(2) so lines from
 * different threads never interleave. Text lines carry a `<N>` priority
 * prefix for journald; JSON lines carry the level by name. Control
 * characters in messages are escaped (log injection).
 */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_BYTES 4096

static atomic_int cur_level = GW_LOG_INFO;
static atomic_int cur_format = GW_LOG_FORMAT_TEXT;
static atomic_int out_fd = 2;

void gw_log_setup(enum gw_log_level level, enum gw_log_format format)
{
	atomic_store(&cur_level, (int)level);
	atomic_store(&cur_format, (int)format);
}

void gw_log_set_fd(int fd)
{
	atomic_store(&out_fd, fd);
}

bool gw_log_enabled(enum gw_log_level level)
{
	return (int)level <= atomic_load(&cur_level);
}

static const char *level_name(enum gw_log_level level)
{
	switch (level) {
	case GW_LOG_ERR:
		return "error";
	case GW_LOG_WARNING:
		return "warning";
	case GW_LOG_NOTICE:
		return "notice";
	case GW_LOG_INFO:
		return "info";
	case GW_LOG_DEBUG:
		return "debug";
	}
	return "info";
}

/* A small fixed line buffer; output past the end is silently cut. */
struct line {
	char s[LINE_MAX_BYTES];
	size_t n;
};

static void put(struct line *l, const char *p, size_t n)
{
	size_t room = sizeof(l->s) - 2 - l->n; /* keep space for '\n' */

	if (n > room)
		n = room;
	memcpy(l->s + l->n, p, n);
	l->n += n;
}

static void puts_raw(struct line *l, const char *s)
{
	put(l, s, strlen(s));
}

/*
 * Room left free while escaping a value, so that the closing quote, the
 * remaining keys and numbers and the closing brace always fit: a long value
 * is cut, never the structure of the line.
 */
#define ESC_TAIL_RESERVE 512

/* Bytes in the UTF-8 sequence led by c (1 for ASCII and stray bytes). */
static size_t utf8_seq_len(unsigned char c)
{
	if (c >= 0xf0)
		return 4;
	if (c >= 0xe0)
		return 3;
	if (c >= 0xc0)
		return 2;
	return 1;
}

/*
 * Appends s escaped: JSON string rules when json, else only control chars.
 * Stops before an escape or a UTF-8 sequence that would not fit whole.
 */
static void puts_esc(struct line *l, const char *s, bool json)
{
	const size_t limit = sizeof(l->s) - 2 - ESC_TAIL_RESERVE;
	char tmp[8];

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (json && (c == '"' || c == '\\')) {
			if (l->n + 2 > limit)
				return;
			tmp[0] = '\\';
			tmp[1] = (char)c;
			put(l, tmp, 2);
		} else if (c < 0x20 || c == 0x7f) {
			if (l->n + 6 > limit)
				return;
			snprintf(tmp, sizeof(tmp), "\\u%04x", c);
			put(l, tmp, strlen(tmp));
		} else {
			if (l->n + utf8_seq_len(c) > limit)
				return;
			put(l, s, 1);
		}
	}
}

static void put_time(struct line *l)
{
	struct timespec ts;
	struct tm tm;
	char tmp[64];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 ts.tv_nsec / 1000000L);
	puts_raw(l, tmp);
}

static void emit(struct line *l)
{
	const char *p = l->s;
	size_t n;
	ssize_t w;

	l->s[l->n++] = '\n';
	n = l->n;
	while (n > 0) {
		w = write(atomic_load(&out_fd), p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		p += w;
		n -= (size_t)w;
	}
}

void gw_log(enum gw_log_level level, const char *fmt, ...)
{
	int saved = errno;
	char msg[LINE_MAX_BYTES];
	struct line l = {.n = 0};
	va_list ap;
	bool json;

	if (!gw_log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json = atomic_load(&cur_format) == GW_LOG_FORMAT_JSON;
	if (json) {
		puts_raw(&l, "{\"ts\":\"");
		put_time(&l);
		puts_raw(&l, "\",\"level\":\"");
		puts_raw(&l, level_name(level));
		puts_raw(&l, "\",\"msg\":\"");
		puts_esc(&l, msg, true);
		puts_raw(&l, "\"}");
	} else {
		char pfx[8];
		snprintf(pfx, sizeof(pfx), "<%d>", (int)level);
		puts_raw(&l, pfx);
		puts_esc(&l, msg, false);
	}
	emit(&l);
	errno = saved;
}

static void kv_str(struct line *l, bool json, bool *first, const char *k, const char *v)
{
	if (v == NULL)
		return;
	if (json) {
		puts_raw(l, *first ? "\"" : ",\"");
		puts_raw(l, k);
		puts_raw(l, "\":\"");
		puts_esc(l, v, true);
		puts_raw(l, "\"");
	} else {
		puts_raw(l, *first ? "" : " ");
		puts_raw(l, k);
		puts_raw(l, "=\"");
		puts_esc(l, v, true);
		puts_raw(l, "\"");
	}
	*first = false;
}

static void kv_num(struct line *l, bool json, bool *first, const char *k, int decimals, double v)
{
	char tmp[64];

	snprintf(tmp, sizeof(tmp), "%.*f", decimals, v);
	puts_raw(l, *first ? (json ? "\"" : "") : (json ? ",\"" : " "));
	puts_raw(l, k);
	puts_raw(l, json ? "\":" : "=");
	puts_raw(l, tmp);
	*first = false;
}

void gw_log_access(const struct gw_access_entry *e)
{
	int saved = errno;
	struct line l = {.n = 0};
	bool json = atomic_load(&cur_format) == GW_LOG_FORMAT_JSON;
	bool first = true;

	/* log.access alone decides (the caller checks it), whatever log.level says. */
	if (json) {
		puts_raw(&l, "{\"ts\":\"");
		put_time(&l);
		puts_raw(&l, "\",\"level\":\"info\",\"type\":\"access\"");
		first = false;
	} else {
		puts_raw(&l, "<6>access ");
	}
	kv_str(&l, json, &first, "request_id", e->request_id);
	kv_str(&l, json, &first, "method", e->method);
	kv_str(&l, json, &first, "route", e->route);
	kv_num(&l, json, &first, "status", 0, (double)e->status);
	kv_num(&l, json, &first, "bytes", 0, (double)e->bytes_out);
	kv_num(&l, json, &first, "duration_ms", 3, e->duration_ms);
	kv_str(&l, json, &first, "token", e->token_name);
	kv_str(&l, json, &first, "iss", e->token_iss);
	kv_str(&l, json, &first, "sub", e->token_sub);
	kv_str(&l, json, &first, "jti", e->token_jti);
	if (e->bbb_call != NULL) {
		kv_str(&l, json, &first, "bbb_call", e->bbb_call);
		kv_str(&l, json, &first, "server", e->server);
		kv_num(&l, json, &first, "upstream_status", 0, (double)e->upstream_status);
		kv_num(&l, json, &first, "upstream_ms", 3, e->upstream_ms);
		if (e->retries > 0)
			kv_num(&l, json, &first, "retries", 0, (double)e->retries);
	}
	kv_str(&l, json, &first, "message_key", e->message_key);
	if (json)
		puts_raw(&l, "}");
	emit(&l);
	errno = saved;
}
