/*
 * upstreamsrv.h - the upstream suites' HTTP server (upstreamsrv.c):
 * libmicrohttpd, one thread per connection, on 127.0.0.1:0. It answers
 * /ok, /slow?ms=N, /big?n=N (chunked), /bigcl?n=N (with a Content-Length),
 * /echo (method, headers and body), /status/503, /flaky (503 once, then
 * OK), /close (no answer) and /redirect; it records the raw request target
 * and counts requests and accepted TCP connections. Check forks each test:
 * start it in a checked fixture, inside the child.
 */
#ifndef GW_TEST_UPSTREAMSRV_H
#define GW_TEST_UPSTREAMSRV_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "upstreamfix.h"

#define OK_XML "<response><returncode>SUCCESS</returncode><running>true</running></response>"
#define OK_CTYPE "text/xml;charset=utf-8"

struct test_srv {
	struct MHD_Daemon *d;
	unsigned port;
	atomic_uint conns;
	atomic_uint requests;
	atomic_bool stopping;
	atomic_uint flaky; /* requests /flaky answered so far */
	pthread_mutex_t lock;
	char last_uri[4096]; /* lock */
};

/* The server of the running test. */
extern struct test_srv srv;

/*
 * A checked fixture's first steps: the log at errors only, curl's globals,
 * the completions counted so far forgotten, the server started.
 */
void srv_setup(void);

/* Its last: the server stopped (slow replies cut short), curl's globals released. */
void srv_teardown(void);

/* A GET of path on the test server. */
void tcall_init(struct tcall *t, const char *path);

/* The raw target of the server's last request, copied into out (len bytes). */
void last_uri(char *out, size_t len);

#endif
