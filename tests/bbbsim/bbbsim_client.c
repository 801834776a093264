/*
 * bbbsim_client.c - the test-side HTTP client of bbbsim_client.h: a
 * blocking socket, the request written in one go, the answer read until
 * the server closes. Errors give status 0 rather than aborting, so the
 * caller's test framework reports them.
 */
#include "bbbsim_client.h"

#include "bbbsim_int.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static bool write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = write(fd, c, n);

		if (w <= 0)
			return false;
		c += w;
		n -= (size_t)w;
	}
	return true;
}

static int dial(unsigned port)
{
	struct sockaddr_in sa = {0};
	struct timeval tv = {.tv_sec = 20};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

struct bbbsim_resp bbbsim_http(unsigned port, const char *method, const char *target,
			       const char *ctype, const void *body, size_t body_len)
{
	struct bbbsim_resp r = {0};
	struct sim_buf in = {0};
	char *head;
	const char *end;
	char chunk[65536];
	int fd = dial(port);

	if (fd < 0)
		return r;
	head = sim_xasprintf("%s %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nAccept: */*\r\n%s%s%s"
			     "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			     method, target, port, ctype != NULL ? "Content-Type: " : "",
			     ctype != NULL ? ctype : "", ctype != NULL ? "\r\n" : "", body_len);
	if (write_all(fd, head, strlen(head)) && write_all(fd, body, body_len)) {
		for (;;) {
			ssize_t got = read(fd, chunk, sizeof(chunk));

			if (got <= 0)
				break;
			sim_buf_add(&in, chunk, (size_t)got);
		}
	}
	close(fd);
	free(head);
	end = in.p != NULL ? strstr(in.p, "\r\n\r\n") : NULL;
	if (end != NULL && sscanf(in.p, "HTTP/1.%*d %d", &r.status) == 1) {
		r.head = sim_xstrndup(in.p, (size_t)(end - in.p) + 2);
		r.len = in.len - (size_t)(end + 4 - in.p);
		r.body = sim_xstrndup(end + 4, r.len);
	} else {
		r.status = 0;
	}
	free(in.p);
	return r;
}

char *bbbsim_resp_header(const struct bbbsim_resp *r, const char *name)
{
	const char *p = r->head != NULL ? strstr(r->head, "\r\n") : NULL;
	size_t n = strlen(name);

	while (p != NULL && p[2] != '\0') {
		const char *line = p + 2;
		const char *eol = strstr(line, "\r\n");

		if (eol == NULL)
			break;
		if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
			const char *v = line + n + 1;

			while (*v == ' ')
				v++;
			return sim_xstrndup(v, (size_t)(eol - v));
		}
		p = eol;
	}
	return NULL;
}

void bbbsim_resp_free(struct bbbsim_resp *r)
{
	free(r->head);
	free(r->body);
	memset(r, 0, sizeof(*r));
}
