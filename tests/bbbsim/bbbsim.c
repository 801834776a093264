/*
 * bbbsim.c - the BBB simulator's server side: the libmicrohttpd daemon and
 * its lifecycle, the request log, connection counting and scripted faults.
 *
 * Model: one MHD thread per connection, so a DELAY fault only holds its
 * own connection, and HTTP/1.1 keep-alive as MHD does it. The raw
 * request-target is captured by MHD's URI log callback (MHD strips the
 * query from the url it passes on, and bbb-web hashes the query exactly as
 * received). The access handler collects the body, then verifies the
 * checksum (bbbsim_query.c), records the request, applies a fault if one
 * is scripted for the call, and otherwise asks bbbsim_api.c for the answer
 * under the state mutex. The callback sender thread (bbbsim_sender.c)
 * starts before the daemon; stopping ends the daemon first (no more
 * events), then joins the sender.
 */
#include "bbbsim_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define API_PREFIX "/bigbluebutton/api"

/* Per-request context: created by the URI log callback, freed by NOTIFY_COMPLETED. */
struct sim_req {
	char *uri; /* raw request-target */
	bool started;
	char *content_type;
	char *host;
	struct sim_buf body;
};

/* --- request log ------------------------------------------------------ */

static char *dup_or_null(const char *s)
{
	return s != NULL ? sim_xstrdup(s) : NULL;
}

static void record(struct bbbsim *sim, const struct sim_call *c, const char *call, const char *alg)
{
	struct bbbsim_request *r;

	pthread_mutex_lock(&sim->lock);
	if (sim->nlog == sim->caplog) {
		sim->caplog = sim->caplog == 0 ? 16 : 2 * sim->caplog;
		sim->log = sim_xrealloc(sim->log, sim->caplog * sizeof(*sim->log));
	}
	r = &sim->log[sim->nlog++];
	r->method = sim_xstrdup(c->method);
	r->call = sim_xstrdup(call);
	r->query = sim_xstrdup(c->query);
	r->content_type = dup_or_null(c->content_type);
	r->body = c->body_len > 0 ? sim_xstrndup(c->body, c->body_len) : NULL;
	r->body_len = c->body_len;
	r->checksum_ok = c->checksum == SIM_CHECKSUM_OK;
	r->algorithm = dup_or_null(alg);
	pthread_mutex_unlock(&sim->lock);
}

size_t bbbsim_request_count(struct bbbsim *sim)
{
	size_t n;

	pthread_mutex_lock(&sim->lock);
	n = sim->nlog;
	pthread_mutex_unlock(&sim->lock);
	return n;
}

bool bbbsim_request_get(struct bbbsim *sim, size_t i, struct bbbsim_request *out)
{
	const struct bbbsim_request *r;
	bool ok = false;

	pthread_mutex_lock(&sim->lock);
	if (i < sim->nlog) {
		r = &sim->log[i];
		out->method = sim_xstrdup(r->method);
		out->call = sim_xstrdup(r->call);
		out->query = sim_xstrdup(r->query);
		out->content_type = dup_or_null(r->content_type);
		out->body = r->body != NULL ? sim_xstrndup(r->body, r->body_len) : NULL;
		out->body_len = r->body_len;
		out->checksum_ok = r->checksum_ok;
		out->algorithm = dup_or_null(r->algorithm);
		ok = true;
	}
	pthread_mutex_unlock(&sim->lock);
	return ok;
}

void bbbsim_request_free(struct bbbsim_request *r)
{
	if (r == NULL)
		return;
	free(r->method);
	free(r->call);
	free(r->query);
	free(r->content_type);
	free(r->body);
	free(r->algorithm);
	memset(r, 0, sizeof(*r));
}

static void log_free(struct bbbsim *sim)
{
	size_t i;

	for (i = 0; i < sim->nlog; i++)
		bbbsim_request_free(&sim->log[i]);
	free(sim->log);
	sim->log = NULL;
	sim->nlog = 0;
	sim->caplog = 0;
}

void bbbsim_clear_log(struct bbbsim *sim)
{
	pthread_mutex_lock(&sim->lock);
	log_free(sim);
	pthread_mutex_unlock(&sim->lock);
}

unsigned long bbbsim_connections(struct bbbsim *sim)
{
	unsigned long n;

	pthread_mutex_lock(&sim->lock);
	n = sim->connections;
	pthread_mutex_unlock(&sim->lock);
	return n;
}

/* --- faults ----------------------------------------------------------- */

static struct sim_fault *fault_new(const char *call, const struct bbbsim_fault *f)
{
	struct sim_fault *n = sim_xmalloc(sizeof(*n));

	n->call = sim_xstrdup(call);
	n->f = *f;
	n->f.message_key = dup_or_null(f->message_key);
	n->f.message = dup_or_null(f->message);
	n->f.body = dup_or_null(f->body);
	n->remaining = f->count;
	n->next = NULL;
	return n;
}

static void fault_free(struct sim_fault *n)
{
	if (n == NULL)
		return;
	free(n->call);
	free((char *)n->f.message_key);
	free((char *)n->f.message);
	free((char *)n->f.body);
	free(n);
}

static void faults_free(struct sim_fault *n)
{
	while (n != NULL) {
		struct sim_fault *next = n->next;

		fault_free(n);
		n = next;
	}
}

/* Unlinks the fault for call; the caller holds the lock. */
static struct sim_fault *fault_unlink(struct bbbsim *sim, const char *call)
{
	struct sim_fault **pp;

	for (pp = &sim->faults; *pp != NULL; pp = &(*pp)->next) {
		struct sim_fault *n = *pp;

		if (strcmp(n->call, call) == 0) {
			*pp = n->next;
			n->next = NULL;
			return n;
		}
	}
	return NULL;
}

void bbbsim_set_fault(struct bbbsim *sim, const char *call, const struct bbbsim_fault *fault)
{
	struct sim_fault *old;
	struct sim_fault *n = NULL;

	if (call == NULL)
		call = "*";
	if (fault != NULL && fault->kind != BBBSIM_FAULT_NONE)
		n = fault_new(call, fault);
	pthread_mutex_lock(&sim->lock);
	old = fault_unlink(sim, call);
	if (n != NULL) {
		n->next = sim->faults;
		sim->faults = n;
	}
	pthread_mutex_unlock(&sim->lock);
	fault_free(old);
}

/* A private copy of the fault for call (exact name first, then "*"), counting it down. */
static struct sim_fault *fault_take(struct bbbsim *sim, const char *call)
{
	struct sim_fault *n;
	struct sim_fault *copy = NULL;

	pthread_mutex_lock(&sim->lock);
	for (n = sim->faults; call != NULL && n != NULL; n = n->next)
		if (strcmp(n->call, call) == 0)
			break;
	if (n == NULL)
		for (n = sim->faults; n != NULL; n = n->next)
			if (strcmp(n->call, "*") == 0)
				break;
	if (n != NULL) {
		copy = fault_new(n->call, &n->f);
		if (n->remaining > 0) {
			n->remaining--;
			if (n->remaining == 0)
				fault_free(fault_unlink(sim, n->call));
		}
	}
	pthread_mutex_unlock(&sim->lock);
	return copy;
}

/* Sleeps up to ms, returning early when the simulator stops. */
static void sim_sleep(struct bbbsim *sim, unsigned ms)
{
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += (time_t)(ms / 1000);
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&sim->lock);
	while (!sim->stopping)
		if (pthread_cond_timedwait(&sim->wake, &sim->lock, &until) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&sim->lock);
}

/* --- replies -------------------------------------------------------- */

static const char huge_head[] = "<response>\n<returncode>SUCCESS</returncode>\n<meetings>\n";
static const char huge_tail[] = "</meetings>\n</response>";
static const char huge_block[] = "<meeting>\n<meetingName>huge</meetingName>\n</meeting>\n";

/* Byte pos of a well-formed document of exactly total bytes: head, blocks, newlines, tail. */
static char huge_byte(size_t total, size_t pos)
{
	size_t hl = sizeof(huge_head) - 1;
	size_t tl = sizeof(huge_tail) - 1;
	size_t bl = sizeof(huge_block) - 1;
	size_t mid;

	if (pos < hl)
		return huge_head[pos];
	if (pos >= total - tl)
		return huge_tail[pos - (total - tl)];
	mid = pos - hl;
	if (mid < (total - hl - tl) / bl * bl)
		return huge_block[mid % bl];
	return '\n';
}

static ssize_t huge_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	const size_t *total = cls;
	size_t n;
	size_t i;

	if (pos >= *total)
		return MHD_CONTENT_READER_END_OF_STREAM;
	n = *total - (size_t)pos;
	if (n > max)
		n = max;
	for (i = 0; i < n; i++)
		buf[i] = huge_byte(*total, (size_t)pos + i);
	return (ssize_t)n;
}

static enum MHD_Result queue_huge(struct MHD_Connection *conn, size_t bytes)
{
	size_t min = sizeof(huge_head) + sizeof(huge_tail) - 2;
	size_t *total = sim_xmalloc(sizeof(*total));
	struct MHD_Response *resp;
	enum MHD_Result ret;

	*total = bytes < min ? min : bytes;
	/* Unknown size: MHD answers HTTP/1.1 clients with chunked encoding. */
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, huge_read, total,
						 free);
	if (resp == NULL) {
		free(total);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/xml;charset=utf-8");
	ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result queue_reply(struct MHD_Connection *conn, struct sim_reply *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL)
		return MHD_NO;
	r->body = NULL; /* the response owns it now */
	if (r->content_type != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
	if (r->location != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, r->location);
	if (r->cookie != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, r->cookie);
	ret = MHD_queue_response(conn, (unsigned int)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void reply_free(struct sim_reply *r)
{
	free(r->body);
	free(r->location);
	free(r->cookie);
	memset(r, 0, sizeof(*r));
}

static void fault_reply(const struct sim_fault *n, struct sim_reply *r)
{
	const struct bbbsim_fault *f = &n->f;
	const char *key = f->message_key != NULL ? f->message_key : "simulatedError";
	const char *msg = f->message != NULL ? f->message : "Simulated failure";
	const char *body;

	r->status = MHD_HTTP_OK;
	r->content_type = "text/xml;charset=utf-8";
	switch (f->kind) {
	case BBBSIM_FAULT_FAILED:
		r->body = sim_xml_failed(key, msg, &r->len);
		break;
	case BBBSIM_FAULT_GARBAGE:
		body = f->body != NULL ? f->body : "this is not XML <<<";
		r->content_type = "text/plain;charset=utf-8";
		r->body = sim_xstrdup(body);
		r->len = strlen(body);
		break;
	case BBBSIM_FAULT_BODY:
		body = f->body != NULL ? f->body : "";
		r->body = sim_xstrdup(body);
		r->len = strlen(body);
		break;
	default: /* HTTP_STATUS */
		r->status = f->http_status > 0 ? f->http_status : MHD_HTTP_INTERNAL_SERVER_ERROR;
		r->content_type = "text/html";
		r->body = sim_html_status(r->status, &r->len);
		break;
	}
}

/* --- request handling ------------------------------------------------- */

static struct sim_req *req_new(const char *uri)
{
	struct sim_req *rq = sim_xmalloc(sizeof(*rq));

	memset(rq, 0, sizeof(*rq));
	rq->uri = sim_xstrdup(uri != NULL ? uri : "/");
	return rq;
}

static void req_free(struct sim_req *rq)
{
	if (rq == NULL)
		return;
	free(rq->uri);
	free(rq->content_type);
	free(rq->host);
	free(rq->body.p);
	free(rq);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	(void)cls;
	(void)conn;
	return req_new(uri);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	req_free(*con_cls);
	*con_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct bbbsim *sim = cls;

	(void)conn;
	(void)socket_context;
	if (toe != MHD_CONNECTION_NOTIFY_STARTED)
		return;
	pthread_mutex_lock(&sim->lock);
	sim->connections++;
	pthread_mutex_unlock(&sim->lock);
}

/* The call name after /bigbluebutton/api/ ("" for the API root), NULL outside it. */
static const char *call_of(const char *path)
{
	size_t n = strlen(API_PREFIX);

	if (strncmp(path, API_PREFIX, n) != 0)
		return NULL;
	if (path[n] == '\0')
		return "";
	if (path[n] == '/')
		return path + n + 1;
	return NULL;
}

/* Answers a scripted fault; false when the request should be served normally. */
static bool serve_fault(struct bbbsim *sim, struct MHD_Connection *conn, struct sim_fault *f,
			struct sim_reply *r, enum MHD_Result *ret)
{
	bool stopping;

	if (f->f.delay_ms > 0)
		sim_sleep(sim, f->f.delay_ms);
	pthread_mutex_lock(&sim->lock);
	stopping = sim->stopping;
	pthread_mutex_unlock(&sim->lock);
	if (stopping || f->f.kind == BBBSIM_FAULT_CLOSE) {
		*ret = MHD_NO; /* MHD drops the connection without an answer */
		return true;
	}
	if (f->f.kind == BBBSIM_FAULT_DELAY)
		return false;
	r->status = MHD_HTTP_OK;
	if (f->f.kind == BBBSIM_FAULT_HUGE) {
		*ret = queue_huge(conn, f->f.huge_bytes > 0 ? f->f.huge_bytes : SIM_MAX_BODY);
		return true;
	}
	fault_reply(f, r);
	*ret = queue_reply(conn, r);
	return true;
}

static enum MHD_Result serve(struct bbbsim *sim, struct MHD_Connection *conn, struct sim_req *rq,
			     const char *method)
{
	struct sim_call c = {0};
	struct sim_reply r = {0};
	enum MHD_Result ret = MHD_NO;
	const char *q = strchr(rq->uri, '?');
	char *path = q != NULL ? sim_xstrndup(rq->uri, (size_t)(q - rq->uri))
			       : sim_xstrdup(rq->uri);
	char *host = rq->host != NULL ? sim_xstrdup(rq->host)
				      : sim_xasprintf("%s:%u", sim->address, bbbsim_port(sim));
	const char *alg = NULL;
	struct sim_fault *f;

	c.method = method;
	c.path = path;
	c.call = call_of(path);
	c.query = q != NULL ? q + 1 : "";
	c.content_type = rq->content_type;
	c.body = rq->body.p;
	c.body_len = rq->body.len;
	c.host = host;
	c.checksum = SIM_CHECKSUM_MISMATCH;
	if (c.call != NULL)
		c.checksum = sim_verify_call(sim, &c, &alg);
	if (c.call != NULL &&
	    (c.call[0] == '\0' || strcmp(c.call, "hooks/ping") == 0 ||
	     strcmp(c.call, "sim/leave") == 0) &&
	    c.checksum == SIM_CHECKSUM_MISSING)
		c.checksum = SIM_CHECKSUM_OK; /* the API root, hooks/ping, sim/leave: no checksum */
	record(sim, &c, c.call != NULL ? c.call : path, alg);

	f = fault_take(sim, c.call);
	if (f == NULL || !serve_fault(sim, conn, f, &r, &ret)) {
		pthread_mutex_lock(&sim->lock);
		sim_api_handle(sim, &c, &r);
		pthread_mutex_unlock(&sim->lock);
		ret = queue_reply(conn, &r);
	}
	if (sim->verbose)
		fprintf(stderr, "bbb-sim: %s %s -> %d%s%s\n", method, path, r.status,
			c.checksum == SIM_CHECKSUM_OK ? "" : " (bad checksum)",
			f != NULL ? " (fault)" : "");
	fault_free(f);
	reply_free(&r);
	free(host);
	free(path);
	return ret;
}

static char *header_dup(struct MHD_Connection *conn, const char *name)
{
	return dup_or_null(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name));
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct bbbsim *sim = cls;
	struct sim_req *rq = *con_cls;
	size_t room;

	(void)version;
	if (rq == NULL) {
		rq = req_new(url);
		*con_cls = rq;
	}
	if (!rq->started) {
		rq->started = true;
		rq->content_type = header_dup(conn, MHD_HTTP_HEADER_CONTENT_TYPE);
		rq->host = header_dup(conn, MHD_HTTP_HEADER_HOST);
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		room = SIM_MAX_BODY - rq->body.len;
		sim_buf_add(&rq->body, upload_data,
			    *upload_data_size < room ? *upload_data_size : room);
		*upload_data_size = 0;
		return MHD_YES;
	}
	return serve(sim, conn, rq, method);
}

/* --- lifecycle ------------------------------------------------------ */

static bool parse_address(const char *address, struct sockaddr_storage *ss, unsigned port,
			  bool *ipv6)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	*ipv6 = false;
	if (inet_pton(AF_INET, address, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		return true;
	}
	if (inet_pton(AF_INET6, address, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*ipv6 = true;
		return true;
	}
	return false;
}

static struct bbbsim *sim_new(const struct bbbsim_opts *o)
{
	struct bbbsim *sim = sim_xmalloc(sizeof(*sim));
	pthread_condattr_t ca;

	memset(sim, 0, sizeof(*sim));
	sim->address = sim_xstrdup(o->address != NULL ? o->address : "127.0.0.1");
	sim->port = o->port;
	sim->secret = sim_xstrdup(o->secret != NULL ? o->secret : "");
	sim->algorithms =
		sim_xstrdup(o->algorithms != NULL ? o->algorithms : "sha1,sha256,sha384,sha512");
	sim->bbb_version = sim_xstrdup(o->bbb_version != NULL ? o->bbb_version : "3.0.0");
	sim->hooks_algorithms = sim_xstrdup(o->hooks_algorithms != NULL ? o->hooks_algorithms
									: "sha1,sha256,sha384,"
									  "sha512");
	sim->domain = sim_xstrdup(o->domain != NULL ? o->domain : sim->address);
	sim->hooks_checksum = sim_xstrdup(o->hooks_checksum != NULL ? o->hooks_checksum : "sha1");
	sim->hooks_bearer = o->hooks_bearer;
	sim->verbose = o->verbose;
	sim->legacy_config = o->legacy_config;
	sim->next_hook_id = 1;
	sim->queue_tail = &sim->queue;
	pthread_mutex_init(&sim->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sim->wake, &ca);
	pthread_cond_init(&sim->send_wake, &ca);
	pthread_cond_init(&sim->send_done, &ca);
	pthread_condattr_destroy(&ca);
	return sim;
}

static void sim_free(struct bbbsim *sim)
{
	log_free(sim);
	faults_free(sim->faults);
	sim_meetings_free(sim->meetings);
	sim_recordings_free(sim->recordings);
	sim_documents_free(sim->documents);
	sim_uploads_free(sim->uploads);
	sim_hooks_free(sim->hooks);
	sim_configs_free(sim->configs);
	sim_callbacks_free(sim->queue);
	pthread_cond_destroy(&sim->send_done);
	pthread_cond_destroy(&sim->send_wake);
	pthread_cond_destroy(&sim->wake);
	pthread_mutex_destroy(&sim->lock);
	free(sim->address);
	free(sim->secret);
	free(sim->algorithms);
	free(sim->bbb_version);
	free(sim->hooks_algorithms);
	free(sim->domain);
	free(sim->hooks_checksum);
	free(sim);
}

/* Stops what runs (the daemon, then the sender) and frees everything. */
static void sim_shutdown(struct bbbsim *sim)
{
	pthread_mutex_lock(&sim->lock);
	sim->stopping = true;
	pthread_cond_broadcast(&sim->wake);
	pthread_cond_broadcast(&sim->send_wake);
	pthread_mutex_unlock(&sim->lock);
	if (sim->daemon != NULL)
		MHD_stop_daemon(sim->daemon);
	sim_sender_stop(sim);
	sim_free(sim);
}

/* The digests sim_digest_hex knows. */
static bool known_algorithm(const char *alg)
{
	return strcmp(alg, "sha1") == 0 || strcmp(alg, "sha256") == 0 ||
	       strcmp(alg, "sha384") == 0 || strcmp(alg, "sha512") == 0;
}

struct bbbsim *bbbsim_start(const struct bbbsim_opts *opts)
{
	static const struct bbbsim_opts defaults = {0};
	struct bbbsim *sim = sim_new(opts != NULL ? opts : &defaults);
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
			 MHD_USE_POLL;
	const union MHD_DaemonInfo *info;
	struct sockaddr_storage ss;
	bool ipv6;

	if (sim->port > 65535 || !parse_address(sim->address, &ss, sim->port, &ipv6) ||
	    !known_algorithm(sim->hooks_checksum)) {
		sim_free(sim);
		return NULL;
	}
	if (opts != NULL && opts->recordings_file != NULL &&
	    !sim_recordings_load(sim, opts->recordings_file)) {
		sim_free(sim);
		return NULL;
	}
	if (!sim_sender_start(sim)) {
		sim_free(sim);
		return NULL;
	}
	if (ipv6)
		flags |= MHD_USE_IPv6;
	if (sim->verbose)
		flags |= MHD_USE_ERROR_LOG;
	sim->daemon = MHD_start_daemon(flags, (uint16_t)sim->port, NULL, NULL, on_request, sim,
				       MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				       MHD_OPTION_URI_LOG_CALLBACK, on_uri, sim,
				       MHD_OPTION_NOTIFY_COMPLETED, on_completed, sim,
				       MHD_OPTION_NOTIFY_CONNECTION, on_connection, sim,
				       MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(256 * 1024),
				       MHD_OPTION_END);
	if (sim->daemon == NULL) {
		sim_shutdown(sim);
		return NULL;
	}
	info = MHD_get_daemon_info(sim->daemon, MHD_DAEMON_INFO_BIND_PORT);
	pthread_mutex_lock(&sim->lock);
	if (info != NULL && info->port != 0)
		sim->port = info->port;
	pthread_mutex_unlock(&sim->lock);
	return sim;
}

unsigned bbbsim_port(const struct bbbsim *sim)
{
	struct bbbsim *s = (struct bbbsim *)sim; /* the lock is not part of the value */
	unsigned port;

	pthread_mutex_lock(&s->lock);
	port = s->port;
	pthread_mutex_unlock(&s->lock);
	return port;
}

void bbbsim_stop(struct bbbsim *sim)
{
	if (sim == NULL)
		return;
	sim_shutdown(sim);
}
