/*
 * fleetfix_io.c - see fleetfix.h. What the fleet tests say to the
 * processes: a gateway's config text, the simulators' BBB API (signed
 * with the gateway's bbb_sign, sent with the simulator's test client),
 * Redis's protocol on a plain socket, and requests to the gateways
 * through harness.c's client, one at a time or all at once.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "bbb_sign.h"
#include "fleetfix_int.h"
#include "testutil.h"

/* The config text. */

static void write_tokens(FILE *f, const struct fleetfix_conf *c)
{
	fprintf(f, "tokens = (\n  { name = \"all\"; hash = \"%s\"; scopes = [ \"*\" ]; }",
		c->hash_all);
	if (c->hash_admin != NULL)
		fprintf(f,
			",\n  { name = \"admin\"; hash = \"%s\"; scopes = [ \"servers:admin\" ]; }",
			c->hash_admin);
	fputs("\n);\n", f);
}

static void write_servers(FILE *f, const struct fleetfix_conf *c)
{
	fputs("servers = (\n", f);
	for (size_t i = 0; i < c->n_servers; i++) {
		const struct fleetfix_server *s = &c->servers[i];

		fprintf(f, "  { name = \"%s\"; url = \"%s\"; secret = \"%s\";%s%s }%s\n", s->name,
			s->url, s->secret, s->extra != NULL ? " " : "",
			s->extra != NULL ? s->extra : "", i + 1 < c->n_servers ? "," : "");
	}
	fputs(");\n", f);
	fprintf(f, "fleet = { %s };\n", c->fleet != NULL ? c->fleet : "poll_s = 1;");
	if (c->redis_port > 0)
		fprintf(f, "state = { redis = \"redis://127.0.0.1:%u/0\"; };\n", c->redis_port);
}

char *fleetfix_config_text(const struct fleetfix_conf *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_ge(c->n_servers, 1);
	fprintf(f, "listen = { address = \"127.0.0.1\"; port = %u; threads = 2; };\n", c->port);
	if (c->lone)
		fprintf(f, "bbb = { url = \"%s\"; secret = \"%s\"; };\n", c->servers[0].url,
			c->servers[0].secret);
	else
		write_servers(f, c);
	write_tokens(f, c);
	if (c->extra != NULL)
		fprintf(f, "%s\n", c->extra);
	ck_assert_int_eq(fclose(f), 0);
	return text;
}

char *fleetfix_gateway_config(unsigned port, const char *extra)
{
	struct fleetfix_server servers[FLEETFIX_SIMS];
	struct fleetfix_conf c = {
		.port = port,
		.hash_all = fleetfix.hash_all,
		.hash_admin = fleetfix_opts.lone ? NULL : fleetfix.hash_admin,
		.servers = servers,
		.n_servers = fleetfix_opts.lone            ? 1
			     : fleetfix_opts.n_servers > 0 ? (size_t)fleetfix_opts.n_servers
							   : FLEETFIX_SIMS,
		.lone = fleetfix_opts.lone,
		.fleet = fleetfix_opts.fleet,
		.extra = extra,
	};

	if (!fleetfix_opts.no_state && fleetfix.redis.pid > 0)
		c.redis_port = fleetfix.redis.port;
	for (int i = 0; i < (int)c.n_servers; i++) {
		servers[i].name = fleetfix_sim_name(i + 1);
		servers[i].url = fleetfix_sim_url(i + 1); /* asserts it was started */
		servers[i].secret = fleetfix_sim_secret(i + 1);
		servers[i].extra = fleetfix_opts.server_extra[i];
	}
	return fleetfix_config_text(&c);
}

/* The simulators' API. */

bool fleetfix_sim_answers(int i)
{
	struct bbbsim_resp r =
		bbbsim_http(fleetfix_sim_port(i), "GET", "/bigbluebutton/api", NULL, NULL, 0);
	bool ok = r.status == 200 && r.body != NULL && strstr(r.body, "SUCCESS") != NULL;

	bbbsim_resp_free(&r);
	return ok;
}

struct bbbsim_resp fleetfix_sim_call(int i, const char *call, const char *query)
{
	struct gw_buf target;
	struct bbbsim_resp r;

	gw_buf_init(&target, 1 << 16);
	ck_assert_int_eq(gw_bbb_signed_url(&target, "/bigbluebutton/api", call, query,
					   GW_DIGEST_SHA256, fleetfix_sim_secret(i)),
			 GW_OK);
	r = bbbsim_http(fleetfix_sim_port(i), "GET", gw_buf_str(&target), NULL, NULL, 0);
	gw_buf_deinit(&target);
	return r;
}

/* The n bytes of XML text at s with the simulator's five entities decoded, as a JSON string. */
static json_t *xml_text(const char *s, size_t n)
{
	static const char *const ent[][2] = {
		{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"},
	};
	char *out = malloc(n + 1);
	size_t k = 0;
	json_t *j;

	ck_assert_ptr_nonnull(out);
	for (size_t i = 0; i < n;) {
		size_t e;

		for (e = 0; e < 5; e++) {
			size_t len = strlen(ent[e][0]);

			if (n - i >= len && memcmp(s + i, ent[e][0], len) == 0)
				break;
		}
		if (e < 5) {
			out[k++] = ent[e][1][0];
			i += strlen(ent[e][0]);
		} else {
			out[k++] = s[i++];
		}
	}
	j = json_stringn(out, k);
	free(out);
	ck_assert_ptr_nonnull(j);
	return j;
}

json_t *fleetfix_sim_meetings(int i)
{
	struct bbbsim_resp r = fleetfix_sim_call(i, "getMeetings", "");
	json_t *ids = json_array();
	const char *p;

	ck_assert_msg(r.status == 200 && r.body != NULL && strstr(r.body, "SUCCESS") != NULL,
		      "%s getMeetings: %d %s", fleetfix_sim_name(i), r.status,
		      r.body != NULL ? r.body : "");
	for (p = strstr(r.body, "<meetingID>"); p != NULL; p = strstr(p, "<meetingID>")) {
		const char *end;

		p += strlen("<meetingID>");
		end = strstr(p, "</meetingID>");
		ck_assert_ptr_nonnull(end);
		json_array_append_new(ids, xml_text(p, (size_t)(end - p)));
	}
	bbbsim_resp_free(&r);
	return ids;
}

bool fleetfix_sim_has_meeting(int i, const char *meeting_id)
{
	json_t *ids = fleetfix_sim_meetings(i);
	json_t *id;
	size_t k;
	bool found = false;

	json_array_foreach (ids, k, id) {
		if (strcmp(json_string_value(id), meeting_id) == 0)
			found = true;
	}
	json_decref(ids);
	return found;
}

/* Redis. */

/* The length of the complete RESP value at p (n bytes), 0 while more must come. */
static size_t resp_len(const char *p, size_t n)
{
	const char *eol = n > 0 ? memmem(p, n, "\r\n", 2) : NULL;
	size_t head;
	long long v;

	if (eol == NULL)
		return 0;
	head = (size_t)(eol - p) + 2;
	/* strtoll stops at the '\r' found above. */
	v = strtoll(p + 1, NULL, 10);
	if (p[0] == '$')
		return v < 0 ? head : (n >= head + (size_t)v + 2 ? head + (size_t)v + 2 : 0);
	if (p[0] == '*') {
		size_t used = head;

		for (long long k = 0; k < v; k++) {
			size_t one = resp_len(p + used, n - used);

			if (one == 0)
				return 0;
			used += one;
		}
		return used;
	}
	return head; /* + - : and RESP3's one-line types */
}

static int redis_dial(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				.sin_port = htons((uint16_t)fleetfix_redis_port())};
	struct timeval tv = {.tv_sec = 5};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

char *fleetfix_redis_cmd(const char *cmd)
{
	char line[1024];
	size_t cap = 4096;
	size_t used = 0;
	char *in = malloc(cap + 1);
	int fd = fleetfix_redis_port() > 0 ? redis_dial() : -1;
	int n = snprintf(line, sizeof(line), "%s\r\n", cmd);

	ck_assert_ptr_nonnull(in);
	ck_assert_int_lt(n, (int)sizeof(line));
	if (fd < 0 || send(fd, line, (size_t)n, MSG_NOSIGNAL) != n)
		goto fail;
	while (used == 0 || resp_len(in, used) == 0) {
		ssize_t got;

		if (used == cap) {
			char *more = realloc(in, 2 * cap + 1);

			ck_assert_ptr_nonnull(more);
			in = more;
			cap *= 2;
		}
		got = recv(fd, in + used, cap - used, 0);
		if (got <= 0)
			goto fail;
		used += (size_t)got;
	}
	in[used] = '\0';
	close(fd);
	return in;
fail:
	if (fd >= 0)
		close(fd);
	free(in);
	return NULL;
}

bool fleetfix_redis_ping(void)
{
	char *r = fleetfix_redis_cmd("PING");
	bool ok = r != NULL && strcmp(r, "+PONG\r\n") == 0;

	free(r);
	return ok;
}

/* The gateways. */

void fleetfix_call(struct reply *r, int i, const char *method, const char *path, const char *token,
		   const char *body)
{
	struct req q = {.method = method,
			.path = path,
			.token = token,
			.body = body,
			.port = fleetfix_gateway_port(i)};

	do_request(&q, r);
}

void fleetfix_facade_path(struct gw_buf *path, const char *tenant, const char *secret,
			  const char *call, const char *query)
{
	char base[128];

	snprintf(base, sizeof(base), "/%s/bigbluebutton/api", tenant);
	gw_buf_reset(path);
	ck_assert_int_eq(gw_bbb_signed_url(path, base, call, query, GW_DIGEST_SHA256, secret),
			 GW_OK);
}

long fleetfix_create(int i, const char *meeting_id, const char *extra_json)
{
	struct req q = {.method = "POST", .path = "/v1/meetings", .token = fleetfix_tok_all};
	struct reply r;
	char *body = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&body, &len);
	json_t *id = json_string(meeting_id);
	char *id_text = json_dumps(id, JSON_ENCODE_ANY);
	long status;

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(id_text);
	fprintf(f, "{\"name\":\"Meeting %.*s\",\"meetingID\":%s%s%s}", (int)(strlen(id_text) - 2),
		id_text + 1, id_text, extra_json != NULL ? "," : "",
		extra_json != NULL ? extra_json : "");
	ck_assert_int_eq(fclose(f), 0);
	q.body = body;
	q.port = fleetfix_gateway_port(i);
	status = harness_send(&q, &r) ? r.status : 0;
	reply_free(&r);
	free(body);
	free(id_text);
	json_decref(id);
	return status;
}

struct shooter {
	struct fleetfix_shot *shot;
	unsigned port;
	pthread_barrier_t *go;
	pthread_t th;
};

static void *shoot(void *arg)
{
	struct shooter *s = arg;
	struct req q = {.method = s->shot->method,
			.path = s->shot->path,
			.token = s->shot->token,
			.body = s->shot->body,
			.port = s->port};

	pthread_barrier_wait(s->go);
	harness_send(&q, &s->shot->r);
	return NULL;
}

void fleetfix_burst(struct fleetfix_shot *shots, size_t n)
{
	struct shooter *s = calloc(n, sizeof(*s));
	pthread_barrier_t go;

	ck_assert_ptr_nonnull(s);
	ck_assert_uint_gt(n, 0);
	/* Ports are read here: the fixture's assertions belong on the test's thread. */
	for (size_t i = 0; i < n; i++) {
		s[i].shot = &shots[i];
		s[i].port = fleetfix_gateway_port(shots[i].gw);
		s[i].go = &go;
	}
	ck_assert_int_eq(pthread_barrier_init(&go, NULL, (unsigned)n), 0);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(pthread_create(&s[i].th, NULL, shoot, &s[i]), 0);
	for (size_t i = 0; i < n; i++)
		pthread_join(s[i].th, NULL);
	pthread_barrier_destroy(&go);
	free(s);
}

void fleetfix_burst_free(struct fleetfix_shot *shots, size_t n)
{
	for (size_t i = 0; i < n; i++)
		reply_free(&shots[i].r);
}

size_t fleetfix_burst_count(const struct fleetfix_shot *shots, size_t n, long status)
{
	size_t count = 0;

	for (size_t i = 0; i < n; i++)
		count += shots[i].r.status == status;
	return count;
}

void fleetfix_burst_creates(const char *prefix, size_t n, int gateways)
{
	struct fleetfix_shot *shots = calloc(n, sizeof(*shots));
	char(*bodies)[128] = calloc(n, sizeof(*bodies));

	ck_assert(shots != NULL && bodies != NULL && gateways >= 1);
	for (size_t i = 0; i < n; i++) {
		snprintf(bodies[i], sizeof(bodies[i]),
			 "{\"name\":\"Burst\",\"meetingID\":\"%s-%zu\"}", prefix, i);
		shots[i] = (struct fleetfix_shot){.gw = (int)(i % (size_t)gateways) + 1,
						  .method = "POST",
						  .path = "/v1/meetings",
						  .token = fleetfix_tok_all,
						  .body = bodies[i]};
	}
	fleetfix_burst(shots, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(shots[i].r.status == 201, "create %s-%zu on gateway %d: %ld %.300s",
			      prefix, i, shots[i].gw, shots[i].r.status,
			      gw_buf_str(&shots[i].r.body));
	fleetfix_burst_free(shots, n);
	free(shots);
	free(bodies);
}

long fleetfix_status(int i, const char *method, const char *path, const char *body)
{
	struct reply r;
	long status;

	fleetfix_call(&r, i, method, path, fleetfix_tok_all, body);
	status = r.status;
	reply_free(&r);
	return status;
}

bool fleetfix_server_healthy(int i, const char *name)
{
	struct reply r;
	json_t *s;
	size_t k;
	bool h = false;

	fleetfix_call(&r, i, "GET", "/v1/servers", fleetfix_tok_admin, NULL);
	ck_assert_int_eq(r.status, 200);
	json_array_foreach (json_object_get(r.json, "servers"), k, s) {
		if (strcmp(json_string_value(json_object_get(s, "name")), name) == 0)
			h = json_is_true(json_object_get(s, "healthy"));
	}
	reply_free(&r);
	return h;
}

void fleetfix_sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

void fleetfix_wait_health(int i, const char *name, bool healthy)
{
	for (unsigned waited = 0; fleetfix_server_healthy(i, name) != healthy; waited += 100) {
		ck_assert_msg(waited < FLEETFIX_WAIT_MS, "gw%d: %s never became %s", i, name,
			      healthy ? "healthy" : "unhealthy");
		fleetfix_sleep_ms(100);
	}
}
