/*
 * testutil.c - shared test helpers (see testutil.h).
 */
#include "testutil.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "auth.h"
#include "buf.h"
#include "config.h"
#include "request.h"
#include "routes.h"

int gw_test_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

const char *gw_test_data_path(const char *rel)
{
	static char path[4096];
	const char *dir = getenv("GW_TEST_DATA");

	if (dir == NULL)
		dir = "tests/data";
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return path;
}

char *gw_test_read_data(const char *rel, size_t *len)
{
	const char *path = gw_test_data_path(rel);
	FILE *f = fopen(path, "rb");
	char *p;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	p = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(fread(p, 1, (size_t)n, f), (size_t)n);
	p[n] = '\0';
	fclose(f);
	if (len != NULL)
		*len = (size_t)n;
	return p;
}

unsigned gw_test_free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	unsigned port;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

char *gw_test_strdup(const char *s)
{
	char *d = strdup(s);

	ck_assert_ptr_nonnull(d);
	return d;
}

struct gw_config *gw_test_config(const char *text)
{
	struct gw_config *cfg = NULL;
	struct gw_buf msg;

	gw_buf_init(&msg, 64 * 1024);
	ck_assert_msg(gw_config_load_string(text, "test.conf", &cfg, &msg) == GW_OK, "%s",
		      gw_buf_str(&msg));
	gw_buf_deinit(&msg);
	ck_assert_ptr_nonnull(cfg);
	return cfg;
}

const struct gw_services *gw_test_services(void)
{
	static struct gw_services svc;

	svc.routes = gw_routes_table();
	return &svc;
}

char *gw_test_xstrdup(struct gw_exchange *x, const char *s)
{
	char *d = gw_arena_strdup(&x->arena, s);

	ck_assert_ptr_nonnull(d);
	return d;
}

struct gw_exchange *gw_test_exchange(struct gw_config *cfg, const char *method, const char *path)
{
	struct gw_exchange *x = gw_exchange_new(cfg);

	ck_assert_ptr_nonnull(x);
	x->req.svc = gw_test_services();
	x->req.method_name = method;
	x->req.method = gw_method_parse(method);
	if (path != NULL)
		x->req.path = gw_test_xstrdup(x, path);
	gw_request_set_id(&x->req, GW_TEST_REQUEST_ID);
	return x;
}

struct gw_config *gw_test_api_config(void)
{
	return gw_test_config("bbb = { url = \"" GW_TEST_BBB_URL "\";\n"
			      "  public_url = \"https://public.test/bigbluebutton/api\";\n"
			      "  secret = \"api-test-secret-0123456789abcdef\"; };\n"
			      "cors = { origins = [ \"" GW_TEST_APP_ORIGIN "\" ]; max_age_s = 321; "
			      "};\n");
}

void gw_test_api_init(struct gw_config **cfg, struct gw_exchange **x)
{
	*cfg = gw_test_api_config();
	*x = gw_test_exchange(*cfg, "GET", "/");
}

void gw_test_api_deinit(struct gw_config **cfg, struct gw_exchange **x)
{
	gw_exchange_free(*x);
	*x = NULL;
	gw_config_unref(*cfg);
	*cfg = NULL;
}

void gw_test_restart(struct gw_exchange **x, struct gw_config *cfg, const char *method,
		     const char *path)
{
	gw_exchange_free(*x);
	*x = gw_test_exchange(cfg, method, path);
}

void gw_test_set_auth(struct gw_exchange *x, const char *bearer)
{
	x->req.authorization = gw_test_xstrdup(x, bearer);
}

void gw_test_set_json_body(struct gw_exchange *x, const char *json)
{
	x->req.content_type = gw_test_xstrdup(x, "application/json");
	free(x->req.body);
	x->req.body = gw_test_strdup(json);
	x->req.body_len = strlen(json);
}

json_t *gw_test_json_body(const struct gw_exchange *x)
{
	json_error_t e;
	json_t *j;

	ck_assert_ptr_nonnull(x->resp.body);
	ck_assert_uint_eq(strlen(x->resp.body), x->resp.body_len);
	j = json_loadb(x->resp.body, x->resp.body_len, JSON_REJECT_DUPLICATES, &e);
	ck_assert_msg(j != NULL, "response body is not JSON: %s", e.text);
	return j;
}

const char *gw_test_header(const struct gw_exchange *x, const char *name)
{
	size_t i;

	for (i = 0; i < x->resp.n_headers; i++) {
		if (strcasecmp(x->resp.headers[i].name, name) == 0)
			return x->resp.headers[i].value;
	}
	return NULL;
}

const char *gw_test_jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

void gw_test_assert_problem(const struct gw_exchange *x, int status, const char *code)
{
	json_t *p;

	ck_assert_msg(x->resp.status == status, "status %d, want %d: %s", x->resp.status, status,
		      x->resp.body != NULL ? x->resp.body : "(no body)");
	ck_assert_str_eq(x->resp.content_type, "application/problem+json");
	p = gw_test_json_body(x);
	ck_assert_str_eq(gw_test_jstr(p, "code"), code);
	ck_assert_int_eq(json_integer_value(json_object_get(p, "status")), status);
	ck_assert_str_eq(gw_test_jstr(p, "requestId"), x->req.request_id);
	json_decref(p);
}

void gw_test_add_token(struct gw_config *cfg, const char *name, unsigned scopes, const char *origin,
		       char bearer[GW_TEST_BEARER_LEN])
{
	char token[GW_AUTH_TOKEN_LEN + 1];
	char hash[7 + 2 * GW_AUTH_HASH_LEN + 1];
	struct gw_token *tokens = realloc(cfg->tokens, (cfg->n_tokens + 1) * sizeof(*tokens));
	struct gw_token *t;

	ck_assert_ptr_nonnull(tokens);
	cfg->tokens = tokens;
	t = &tokens[cfg->n_tokens];
	memset(t, 0, sizeof(*t));
	ck_assert_int_eq(gw_auth_token_new(token, hash), GW_OK);
	ck_assert_int_eq(gw_auth_hash_parse(hash, t->hash), GW_OK);
	t->name = gw_test_strdup(name);
	t->scopes = scopes;
	cfg->n_tokens++;
	if (origin != NULL) {
		t->origins = calloc(1, sizeof(*t->origins));
		ck_assert_ptr_nonnull(t->origins);
		t->origins[0] = gw_test_strdup(origin);
		t->n_origins = 1;
	}
	ck_assert_int_lt(snprintf(bearer, GW_TEST_BEARER_LEN, "Bearer %s", token),
			 (int)GW_TEST_BEARER_LEN);
}

const char *gw_test_method_name(unsigned method)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{GW_METHOD_GET, "GET"},         {GW_METHOD_HEAD, "HEAD"},
		{GW_METHOD_POST, "POST"},       {GW_METHOD_PUT, "PUT"},
		{GW_METHOD_PATCH, "PATCH"},     {GW_METHOD_DELETE, "DELETE"},
		{GW_METHOD_OPTIONS, "OPTIONS"},
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (names[i].bit == method)
			return names[i].name;
	}
	return "OTHER";
}

size_t gw_test_fill_pattern(const char *pattern, const char *value, char *out, size_t outlen)
{
	size_t n = 0;
	size_t params = 0;
	const char *p = pattern;

	ck_assert_uint_gt(outlen, 0);
	while (*p != '\0' && n + 1 < outlen) {
		if (*p == '{') {
			const char *close = strchr(p, '}');
			int w;

			ck_assert_ptr_nonnull(close);
			w = snprintf(out + n, outlen - n, "%s", value);
			ck_assert_int_ge(w, 0);
			n += (size_t)w < outlen - n ? (size_t)w : outlen - n - 1;
			p = close + 1;
			params++;
		} else {
			out[n++] = *p++;
		}
	}
	out[n] = '\0';
	return params;
}

/* A malloc'd array of n copies of v (NULL when n is 0). */
static char **strv_dup(const char *const *v, size_t n)
{
	char **out;

	if (n == 0)
		return NULL;
	out = calloc(n, sizeof(*out));
	ck_assert_ptr_nonnull(out);
	for (size_t i = 0; i < n; i++)
		out[i] = gw_test_strdup(v[i]);
	return out;
}

/* Appends a copy of s to the array *v of *n strings. */
static void strv_push(char ***v, size_t *n, const char *s)
{
	char **grown = realloc(*v, (*n + 1) * sizeof(**v));

	ck_assert_ptr_nonnull(grown);
	grown[*n] = gw_test_strdup(s);
	*v = grown;
	(*n)++;
}

struct gw_token *gw_test_jwt_token(const char *name, unsigned scopes, const char *const *meetings,
				   size_t n, enum gw_role role)
{
	struct gw_token *t = calloc(1, sizeof(*t));
	char full[256];

	ck_assert_ptr_nonnull(t);
	t->claims = calloc(1, sizeof(*t->claims));
	ck_assert_ptr_nonnull(t->claims);
	snprintf(full, sizeof(full), "lms:%s", name);
	t->name = gw_test_strdup(full);
	t->scopes = scopes;
	t->claims->iss = gw_test_strdup("lms");
	t->claims->any_meeting = meetings == NULL;
	t->claims->meetings = strv_dup(meetings, n);
	t->claims->n_meetings = meetings != NULL ? n : 0;
	t->claims->role = role;
	atomic_init(&t->refs, 1);
	return t;
}

void gw_test_jwt_userdata(struct gw_token *t, const char *key, const char *value)
{
	struct gw_token_claims *c = t->claims;
	size_t n;

	ck_assert_ptr_nonnull(c);
	n = c->n_userdata;
	strv_push(&c->userdata_keys, &n, key);
	n = c->n_userdata;
	strv_push(&c->userdata_values, &n, value);
	c->n_userdata = n;
}

void gw_test_token_origin(struct gw_token *t, const char *origin)
{
	strv_push(&t->origins, &t->n_origins, origin);
}
