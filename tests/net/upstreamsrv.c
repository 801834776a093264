/*
 * upstreamsrv.c - the upstream suites' HTTP server: see upstreamsrv.h.
 * Slow replies sleep in steps so that stopping the server does not wait
 * for a whole nap; big ones are made by a reader callback, never held.
 */
#include "upstreamsrv.h"

#include <arpa/inet.h>
#include <check.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "buf.h"
#include "compiler.h"
#include "log.h"

#define SERVER_MAX_BODY (8u * 1024u * 1024u)

struct test_srv srv;

static void *on_uri(void *cls GW_UNUSED, const char *uri, struct MHD_Connection *c GW_UNUSED)
{
	pthread_mutex_lock(&srv.lock);
	snprintf(srv.last_uri, sizeof(srv.last_uri), "%s", uri);
	pthread_mutex_unlock(&srv.lock);
	atomic_fetch_add(&srv.requests, 1);
	return NULL;
}

static void on_conn(void *cls GW_UNUSED, struct MHD_Connection *c GW_UNUSED,
		    void **socket_ctx GW_UNUSED, enum MHD_ConnectionNotificationCode code)
{
	if (code == MHD_CONNECTION_NOTIFY_STARTED)
		atomic_fetch_add(&srv.conns, 1);
}

static void on_completed(void *cls GW_UNUSED, struct MHD_Connection *c GW_UNUSED, void **ctx,
			 enum MHD_RequestTerminationCode toe GW_UNUSED)
{
	struct gw_buf *body = *ctx;

	if (body != NULL) {
		gw_buf_deinit(body);
		free(body);
		*ctx = NULL;
	}
}

static unsigned long query_num(struct MHD_Connection *c, const char *name)
{
	const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);

	return v != NULL ? strtoul(v, NULL, 10) : 0;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status, const char *text,
				  size_t len, const char *ctype)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, (void *)text, MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	if (ctype != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result reply_str(struct MHD_Connection *c, unsigned status, const char *text,
				 const char *ctype)
{
	return reply_text(c, status, text, strlen(text), ctype);
}

/* Sleeps in steps so that stopping the server does not wait for a whole nap. */
static enum MHD_Result reply_slow(struct MHD_Connection *c)
{
	unsigned long ms = query_num(c, "ms");
	unsigned long slept;

	for (slept = 0; slept < ms && !atomic_load(&srv.stopping); slept += 10)
		sleep_ms(10);
	return reply_str(c, MHD_HTTP_OK, OK_XML, OK_CTYPE);
}

static ssize_t big_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	uint64_t total = *(uint64_t *)cls;
	size_t n = max;

	if (pos >= total)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (n > total - pos)
		n = (size_t)(total - pos);
	memset(buf, 'x', n);
	return (ssize_t)n;
}

/* n bytes of 'x', chunked (size unknown) or with a Content-Length. */
static enum MHD_Result reply_big(struct MHD_Connection *c, bool chunked)
{
	uint64_t *total = malloc(sizeof(*total));
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (total == NULL)
		return MHD_NO;
	*total = query_num(c, "n");
	r = MHD_create_response_from_callback(chunked ? MHD_SIZE_UNKNOWN : *total, 64 * 1024,
					      big_reader, total, free);
	if (r == NULL) {
		free(total);
		return MHD_NO;
	}
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static const char *header_or_dash(struct MHD_Connection *c, const char *name)
{
	const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);

	return v != NULL ? v : "-";
}

/* Echoes what arrived: method, the headers under test, body length and body. */
static enum MHD_Result reply_echo(struct MHD_Connection *c, const char *method,
				  const struct gw_buf *body)
{
	struct gw_buf out;
	enum MHD_Result ret = MHD_NO;

	gw_buf_init(&out, SERVER_MAX_BODY + 4096);
	if (gw_buf_appendf(&out, "M=%s\nCT=%s\nA=%s\nE=%s\nBL=%zu\nB=", method,
			   header_or_dash(c, "Content-Type"), header_or_dash(c, "Accept"),
			   header_or_dash(c, "Expect"), body->len) == GW_OK &&
	    gw_buf_append(&out, gw_buf_str(body), body->len) == GW_OK)
		ret = reply_text(c, MHD_HTTP_OK, gw_buf_str(&out), out.len, "text/plain");
	gw_buf_deinit(&out);
	return ret;
}

static enum MHD_Result reply_redirect(struct MHD_Connection *c)
{
	char loc[128];
	struct MHD_Response *r;
	enum MHD_Result ret;

	snprintf(loc, sizeof(loc), "http://127.0.0.1:%u/ok", srv.port);
	r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, loc);
	ret = MHD_queue_response(c, MHD_HTTP_FOUND, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result route(struct MHD_Connection *c, const char *url, const char *method,
			     const struct gw_buf *body)
{
	if (strcmp(url, "/ok") == 0)
		return reply_str(c, MHD_HTTP_OK, OK_XML, OK_CTYPE);
	if (strcmp(url, "/slow") == 0)
		return reply_slow(c);
	if (strcmp(url, "/big") == 0)
		return reply_big(c, true);
	if (strcmp(url, "/bigcl") == 0)
		return reply_big(c, false);
	if (strcmp(url, "/echo") == 0)
		return reply_echo(c, method, body);
	if (strcmp(url, "/status/503") == 0)
		return reply_str(c, MHD_HTTP_SERVICE_UNAVAILABLE, "busy", "text/plain");
	/* 503 the first time, then OK: a failure worth one retry */
	if (strcmp(url, "/flaky") == 0 && atomic_fetch_add(&srv.flaky, 1) == 0)
		return reply_str(c, MHD_HTTP_SERVICE_UNAVAILABLE, "busy", "text/plain");
	if (strcmp(url, "/flaky") == 0)
		return reply_str(c, MHD_HTTP_OK, OK_XML, OK_CTYPE);
	if (strcmp(url, "/close") == 0)
		return MHD_NO; /* MHD closes the connection without an answer */
	if (strcmp(url, "/redirect") == 0)
		return reply_redirect(c);
	return reply_str(c, MHD_HTTP_NOT_FOUND, "not found", "text/plain");
}

static enum MHD_Result on_request(void *cls GW_UNUSED, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version GW_UNUSED,
				  const char *upload, size_t *upload_size, void **ctx)
{
	struct gw_buf *body = *ctx;

	if (body == NULL) {
		body = calloc(1, sizeof(*body));
		if (body == NULL)
			return MHD_NO;
		gw_buf_init(body, SERVER_MAX_BODY);
		*ctx = body;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (gw_buf_append(body, upload, *upload_size) != GW_OK)
			return MHD_NO;
		*upload_size = 0;
		return MHD_YES;
	}
	return route(c, url, method, body);
}

static void srv_start(void)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	const union MHD_DaemonInfo *info;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	atomic_init(&srv.conns, 0);
	atomic_init(&srv.requests, 0);
	atomic_init(&srv.stopping, false);
	atomic_init(&srv.flaky, 0);
	pthread_mutex_init(&srv.lock, NULL);
	srv.last_uri[0] = '\0';
	srv.d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0,
				 NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, &sin,
				 MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
				 MHD_OPTION_NOTIFY_CONNECTION, on_conn, NULL,
				 MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
	ck_assert_ptr_nonnull(srv.d);
	info = MHD_get_daemon_info(srv.d, MHD_DAEMON_INFO_BIND_PORT);
	ck_assert_ptr_nonnull(info);
	srv.port = info->port;
}

static void srv_stop(void)
{
	atomic_store(&srv.stopping, true);
	if (srv.d != NULL)
		MHD_stop_daemon(srv.d);
	srv.d = NULL;
	pthread_mutex_destroy(&srv.lock);
}

void srv_setup(void)
{
	gw_log_setup(GW_LOG_ERR, GW_LOG_FORMAT_TEXT);
	ck_assert_int_eq(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
	completions_reset();
	srv_start();
}

void srv_teardown(void)
{
	srv_stop();
	curl_global_cleanup();
}

/* A GET of path on the test server. */
void tcall_init(struct tcall *t, const char *path)
{
	tcall_init_at(t, srv.port, path);
}

void last_uri(char *out, size_t len)
{
	pthread_mutex_lock(&srv.lock);
	snprintf(out, len, "%s", srv.last_uri);
	pthread_mutex_unlock(&srv.lock);
}
