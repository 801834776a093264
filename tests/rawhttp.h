/*
 * rawhttp.h - a raw-socket HTTP client for the tests that send the
 * gateway exact bytes (hostile heads, framing, slow clients) and parse the
 * status line and headers back, plus the assertions and gateway restarts
 * those tests share. Uses the harness's gateway (harness.h).
 */
#ifndef GW_TEST_RAWHTTP_H
#define GW_TEST_RAWHTTP_H

#include <stdbool.h>
#include <stddef.h>

#define IO_MS 5000
#define RAW_BUF (64u * 1024u)
#define HOST "Host: 127.0.0.1\r\n"
#define HEALTHZ "GET /healthz HTTP/1.1\r\n" HOST "\r\n"

struct raw {
	int fd;
	char buf[RAW_BUF]; /* received, not consumed; inline so a failed assertion leaks nothing */
	size_t len;
	bool eof; /* the peer closed (FIN or RST) */
};

struct raw_reply {
	int status;
	char head[8192]; /* status line and headers, NUL-terminated */
	char body[16384];
	size_t body_len; /* full length; body holds at most sizeof - 1 bytes of it */
};

enum { RAW_OK = 1, RAW_CLOSED = 0, RAW_TIMEOUT = -1, RAW_BAD = -2 };

long long now_ms(void);
void sleep_ms(unsigned ms);

/* A TCP connection to 127.0.0.1:port (asserts on failure). */
int tcp_connect(unsigned port);
/* Connects c to the harness's gateway; raw_close closes it. */
void raw_open(struct raw *c);
void raw_close(struct raw *c);
/* Sends all n bytes (no SIGPIPE); false when the peer is gone. */
bool send_all(int fd, const char *p, size_t n);
bool raw_send(struct raw *c, const char *s);
/* The value of header name in r (static buffer), or NULL. */
const char *rhdr(const struct raw_reply *r, const char *name);
/*
 * Reads the next response (1xx interim responses included). RAW_CLOSED
 * when the peer closed before sending anything.
 */
int raw_read(struct raw *c, struct raw_reply *r, int timeout_ms);
/* True when the peer closes within timeout_ms (whatever it sends first is dropped). */
bool raw_wait_closed(struct raw *c, int timeout_ms);
/* Opens a connection, sends req and reads one response. */
int exchange(struct raw *c, const char *req, struct raw_reply *r);
/* Another client is served: /healthz on a fresh connection, and a call that goes to BBB. */
void assert_serving(void);
/* The response is the gateway's problem with this code, then the connection closes. */
void assert_problem_and_close(struct raw *c, const struct raw_reply *r, int status,
			      const char *code);
/* Stops the gateway so the test may edit cfg (nothing else holds it then); gateway_up restarts it. */
void gateway_down(void);
void gateway_up(void);
/* "GET <path> HTTP/1.1" plus count headers of size bytes each, in a static buffer. */
const char *padded_request(const char *path, size_t count, size_t size);
/* "POST /v1/meetings" head with a token, a JSON content type and extra header lines. */
void post_head(char *out, size_t cap, const char *extra);
/* Sends n chunks of size bytes each. */
bool send_chunks(struct raw *c, unsigned n, size_t size);
/* Served again within timeout_ms (slots free up once MHD notices the closes). */
void wait_serving(int timeout_ms);
/* True when fd was closed by the peer (EOF or reset) within timeout_ms. */
bool fd_closed(int fd, int timeout_ms);

#endif
