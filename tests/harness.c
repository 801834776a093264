/*
 * harness.c - see harness.h.
 */
#include "harness.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "testutil.h"
#include "upstream.h"
#include "xml2json.h"

struct bbbsim_opts harness_sim_opts = {.secret = HARNESS_SECRET};
void (*harness_tweak)(struct gw_config *c);

struct bbbsim *sim;
struct gw_gateway *gw;
struct gw_config *cfg;
char tok_all[GW_AUTH_TOKEN_LEN + 1];
char tok_read[GW_AUTH_TOKEN_LEN + 1];

struct gw_token *harness_add_token(struct gw_config *c, const char *name, unsigned scopes,
				   char *out)
{
	char hash[7 + 2 * GW_AUTH_HASH_LEN + 1];
	struct gw_token *t;

	ck_assert_int_eq(gw_auth_token_new(out, hash), GW_OK);
	c->tokens = realloc(c->tokens, (c->n_tokens + 1) * sizeof(*c->tokens));
	ck_assert_ptr_nonnull(c->tokens);
	t = &c->tokens[c->n_tokens++];
	memset(t, 0, sizeof(*t));
	t->name = strdup(name);
	t->scopes = scopes;
	ck_assert_int_eq(gw_auth_hash_parse(hash, t->hash), GW_OK);
	return t;
}

static struct gw_config *make_config(unsigned sim_port, const char *secret, enum gw_digest alg)
{
	struct gw_config *c = gw_config_new_defaults();
	char url[128];

	ck_assert_ptr_nonnull(c);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/bigbluebutton/api", sim_port);
	c->bbb_url = strdup(url);
	c->bbb_public_url = strdup("https://bbb.example.org/bigbluebutton/api");
	c->bbb_secret = strdup(secret);
	c->checksum = alg;
	c->listen_port = 0;
	c->threads = 2;
	c->bbb_timeout_ms = 3000;
	c->max_body_bytes = 4096;
	c->access_log = false;
	c->log_level = GW_LOG_ERR;
	c->cors_origins = calloc(1, sizeof(char *));
	c->cors_origins[0] = strdup("https://app.example.org");
	c->n_cors_origins = 1;
	harness_add_token(c, "all", GW_SCOPE_ALL, tok_all);
	harness_add_token(c, "reader", GW_SCOPE_MEETINGS_READ, tok_read);
	return c;
}

void start_gateway(const char *secret, enum gw_digest alg)
{
	cfg = make_config(bbbsim_port(sim), secret, alg);
	if (harness_tweak != NULL)
		harness_tweak(cfg);
	ck_assert_int_eq(gw_gateway_start(cfg, -1, &gw), GW_OK);
}

void setup(void)
{
	gw_log_setup(GW_LOG_ERR, GW_LOG_FORMAT_TEXT);
	ck_assert_int_eq(gw_upstream_global_init(), GW_OK);
	gw_xml2json_global_init();
	sim = bbbsim_start(&harness_sim_opts);
	ck_assert_ptr_nonnull(sim);
	start_gateway(HARNESS_SECRET, GW_DIGEST_SHA256);
}

void teardown(void)
{
	gw_gateway_stop(gw);
	gw = NULL;
	gw_config_unref(cfg);
	cfg = NULL;
	bbbsim_stop(sim);
	sim = NULL;
	gw_upstream_global_cleanup();
}

size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	return gw_buf_append(arg, p, size * n) == GW_OK ? size * n : 0;
}

void reply_free(struct reply *r)
{
	gw_buf_deinit(&r->body);
	gw_buf_deinit(&r->headers);
	json_decref(r->json);
}

bool harness_send(const struct req *q, struct reply *r)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hdrs = NULL;
	char url[512];
	char line[256];
	char auth[9000]; /* a JWT may be up to 8 KiB */
	CURLcode rc;

	memset(r, 0, sizeof(*r));
	gw_buf_init(&r->body, 1 << 24);
	gw_buf_init(&r->headers, 1 << 16);
	if (h == NULL)
		return false;
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s",
		 q->port != 0 ? q->port : gw_gateway_port(gw), q->path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, q->method);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &r->headers);
	if (q->token != NULL) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", q->token);
		hdrs = curl_slist_append(hdrs, auth);
	}
	if (q->body != NULL) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, q->body);
		if (q->body_len > 0)
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)q->body_len);
		snprintf(line, sizeof(line), "Content-Type: %s",
			 q->content_type != NULL ? q->content_type : "application/json");
		hdrs = curl_slist_append(hdrs, line);
	}
	if (q->extra_header != NULL)
		hdrs = curl_slist_append(hdrs, q->extra_header);
	if (q->extra_header2 != NULL)
		hdrs = curl_slist_append(hdrs, q->extra_header2);
	hdrs = curl_slist_append(hdrs, "Expect:");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	rc = curl_easy_perform(h);
	if (rc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	if (rc != CURLE_OK)
		return false;
	r->json = json_loadb(gw_buf_str(&r->body), r->body.len, 0, NULL);
	return true;
}

void do_request(const struct req *q, struct reply *r)
{
	ck_assert_msg(harness_send(q, r), "%s %s: no answer", q->method, q->path);
}

void call(struct reply *r, const char *method, const char *path, const char *token,
	  const char *body)
{
	struct req q = {.method = method, .path = path, .token = token, .body = body};

	do_request(&q, r);
}

/* The value of a response header (case-insensitive name) in a static buffer, or NULL. */
const char *header(const struct reply *r, const char *name)
{
	static char value[1024];
	const char *p = gw_buf_str(&r->headers);
	size_t n = strlen(name);

	while (p != NULL && *p != '\0') {
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;
			size_t len = strcspn(v, "\r\n");

			while (*v == ' ' && len > 0) {
				v++;
				len--;
			}
			snprintf(value, sizeof(value), "%.*s", (int)len, v);
			return value;
		}
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return NULL;
}

const char *jstr(const struct reply *r, const char *key)
{
	return json_string_value(json_object_get(r->json, key));
}

void assert_problem(const struct reply *r, long status, const char *code)
{
	ck_assert_int_eq(r->status, status);
	ck_assert_str_eq(header(r, "Content-Type"), "application/problem+json");
	ck_assert_ptr_nonnull(r->json);
	ck_assert_int_eq(json_integer_value(json_object_get(r->json, "status")), status);
	ck_assert_str_eq(jstr(r, "code"), code);
	ck_assert_ptr_nonnull(jstr(r, "requestId"));
	ck_assert_str_eq(jstr(r, "requestId"), header(r, "X-Request-Id"));
}

/* The last request the simulator received. */
void last_sim_request(struct bbbsim_request *out)
{
	size_t n = bbbsim_request_count(sim);

	ck_assert_uint_gt(n, 0);
	ck_assert(bbbsim_request_get(sim, n - 1, out));
}

void create_meeting(const char *id)
{
	char body[256];
	struct reply r;

	snprintf(body, sizeof(body), "{\"name\":\"Meeting %s\",\"meetingID\":\"%s\"}", id, id);
	call(&r, "POST", "/v1/meetings", tok_all, body);
	ck_assert_int_eq(r.status, 201);
	reply_free(&r);
}

void restart_gateway(const char *secret, enum gw_digest alg)
{
	gw_gateway_stop(gw);
	gw_config_unref(cfg);
	start_gateway(secret, alg);
}

void harness_token_hash(const char *token, char out[72])
{
	unsigned char h[GW_AUTH_HASH_LEN];

	ck_assert_int_eq(gw_auth_hash_token(token, strlen(token), h), GW_OK);
	memcpy(out, "sha256:", 7);
	gw_crypto_hex(h, sizeof(h), out + 7);
}

char *harness_slurp(int fd)
{
	struct gw_buf b;
	char tmp[4096];
	ssize_t n;

	gw_buf_init(&b, 1 << 24);
	while ((n = read(fd, tmp, sizeof(tmp))) > 0)
		ck_assert_int_eq(gw_buf_append(&b, tmp, (size_t)n), GW_OK);
	return gw_buf_take(&b, NULL);
}

long long harness_metric(const char *name)
{
	struct reply r;
	char want[256];
	const char *p;
	long long v = -1;
	size_t n;

	call(&r, "GET", "/metrics", tok_all, NULL);
	ck_assert_int_eq(r.status, 200);
	n = (size_t)snprintf(want, sizeof(want), "\n%s", name);
	for (p = strstr(gw_buf_str(&r.body), want); p != NULL; p = strstr(p + 1, want)) {
		const char *q = p + n;

		if (*q == '{')
			q = strstr(q, "} ");
		else if (*q != ' ')
			continue;
		if (q == NULL)
			break;
		v = (v < 0 ? 0 : v) + strtoll(q + (*q == '}' ? 2 : 1), NULL, 10);
	}
	reply_free(&r);
	return v;
}

bool harness_only_hook(const char *url)
{
	struct reply r;
	json_t *h;
	size_t k;
	bool found = false;

	call(&r, "GET", "/v1/hooks", tok_all, NULL);
	ck_assert_int_eq(r.status, 200);
	json_array_foreach (json_object_get(r.json, "hooks"), k, h) {
		const char *u = json_string_value(json_object_get(h, "callbackURL"));
		char path[128];
		struct reply d;

		if (u != NULL && strcmp(u, url) == 0) {
			found = true;
			continue;
		}
		snprintf(path, sizeof(path), "/v1/hooks/%s",
			 json_string_value(json_object_get(h, "hookID")));
		call(&d, "DELETE", path, tok_all, NULL);
		ck_assert_int_eq(d.status, 200);
		reply_free(&d);
	}
	reply_free(&r);
	return found && bbbsim_hook_count(sim) == 1;
}

char *harness_sim_param(const char *name)
{
	struct bbbsim_request q;
	char *v;

	last_sim_request(&q);
	v = bbbsim_query_param(q.query, name);
	bbbsim_request_free(&q);
	return v;
}

void harness_assert_sim_param(const char *name, const char *want)
{
	char *v = harness_sim_param(name);

	if (want == NULL)
		ck_assert_msg(v == NULL, "%s sent as '%s'", name, v);
	else
		ck_assert_msg(v != NULL && strcmp(v, want) == 0, "%s: '%s', want '%s'", name,
			      v != NULL ? v : "(absent)", want);
	free(v);
}
