/*
 * bbbsim_client.h - a minimal HTTP/1.1 client for tests that talk to the
 * simulator (or bbb-sim) over loopback: one request per connection
 * (Connection: close), the response read to EOF, bytes untouched. It does
 * no signing: tests compute checksums with their own code.
 */
#ifndef BBBSIM_CLIENT_H
#define BBBSIM_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

/* A response; head holds the status line and headers. Free with bbbsim_resp_free. */
struct bbbsim_resp {
	int status; /* 0 when nothing (or no valid status line) came back */
	char *head;
	char *body; /* NUL-terminated; may hold NUL bytes (see len) */
	size_t len;
};

/*
 * Sends method target to 127.0.0.1:port with an optional body (ctype NULL:
 * no Content-Type) and waits up to 20 s for the answer.
 */
struct bbbsim_resp bbbsim_http(unsigned port, const char *method, const char *target,
			       const char *ctype, const void *body, size_t body_len);

/* The value of a response header (malloc'd), NULL when absent. */
char *bbbsim_resp_header(const struct bbbsim_resp *r, const char *name);

void bbbsim_resp_free(struct bbbsim_resp *r);

#endif
