/*
 * fuzz_json_body.c - bytes as the JSON body of POST /v1/meetings and POST
 * /v1/meetings/{id}/join, handed straight to gw_handle_meetings_create and
 * gw_handle_meeting_join (no sockets), under two configs: unknown fields
 * forwarded with SHA-256 checksums, and refused with SHA-1.
 *
 * Checks: every exchange ends with a response or a BBB call. A response is
 * a 2xx/4xx (never 5xx: nothing here may fail internally) whose body is
 * JSON with the same status. A create call is a URL on bbb.url that
 * carries a well-formed query (every name and value decodes), the body's
 * name and meetingID, and a checksum over exactly that query. A join
 * response is 200 {"url"} on bbb.public_url with fullName, the path's
 * meetingID and a valid checksum. No leaks (LeakSanitizer).
 */
#include <jansson.h>
#include <string.h>

#include "bbb_sign.h"
#include "config.h"
#include "fuzz.h"
#include "handlers.h"
#include "request.h"
#include "router.h"
#include "routes.h"
#include "str.h"

#define BBB_URL "https://bbb.example.org/bigbluebutton/api"
#define PUBLIC_URL "https://meet.example.org/bigbluebutton/api"
#define SECRET "fuzz-secret-0123456789abcdefghijklmnopqrstuvwxyz"
#define MEETING_ID "room 1/\xc3\xbc"

static struct gw_config *cfgs[2];

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	FUZZ_CHECK(d != NULL);
	return d;
}

static struct gw_config *make_config(bool forward, enum gw_digest alg)
{
	struct gw_config *cfg = gw_config_new_defaults();

	FUZZ_CHECK(cfg != NULL);
	free(cfg->bbb_url);
	cfg->bbb_url = xstrdup(BBB_URL);
	free(cfg->bbb_public_url);
	cfg->bbb_public_url = xstrdup(PUBLIC_URL);
	free(cfg->bbb_secret);
	cfg->bbb_secret = xstrdup(SECRET);
	cfg->forward_unknown_params = forward;
	cfg->checksum = alg;
	return cfg;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	cfgs[0] = make_config(true, GW_DIGEST_SHA256);
	cfgs[1] = make_config(false, GW_DIGEST_SHA1);
	return 0;
}

void fuzz_cleanup(void)
{
	gw_config_unref(cfgs[0]);
	gw_config_unref(cfgs[1]);
}

static struct gw_exchange *new_exchange(struct gw_config *cfg, const char *path,
					const uint8_t *data, size_t size)
{
	struct gw_exchange *x = gw_exchange_new(cfg);
	unsigned allowed = 0;

	FUZZ_CHECK(x != NULL);
	x->req.method = GW_METHOD_POST;
	x->req.method_name = "POST";
	x->req.path = gw_arena_strdup(&x->arena, path);
	FUZZ_CHECK(x->req.path != NULL);
	FUZZ_CHECK(gw_router_match(gw_routes_table(), &x->req, &allowed) == GW_OK);
	x->req.content_type = gw_arena_strdup(&x->arena, "application/json");
	x->req.body = malloc(size + 1);
	FUZZ_CHECK(x->req.body != NULL);
	memcpy(x->req.body, data, size);
	x->req.body[size] = '\0';
	x->req.body_len = size;
	gw_request_set_id(&x->req, "fuzz-request");
	return x;
}

/* A response: 2xx or 4xx with a JSON body that states the same status. */
static void check_response(const struct gw_exchange *x)
{
	json_error_t jerr;
	json_t *j;

	if (x->resp.status < 200 || x->resp.status >= 500)
		fprintf(stderr, "%s: status %d: %s\n", x->req.path, x->resp.status,
			x->resp.body != NULL ? x->resp.body : "(no body)");
	FUZZ_CHECK(x->resp.status >= 200 && x->resp.status < 500);
	FUZZ_CHECK(x->resp.body != NULL && x->resp.body_len == strlen(x->resp.body));
	j = json_loadb(x->resp.body, x->resp.body_len, 0, &jerr);
	FUZZ_CHECK(json_is_object(j));
	if (x->resp.status >= 400)
		FUZZ_CHECK(json_integer_value(json_object_get(j, "status")) == x->resp.status);
	json_decref(j);
}

/* The decoded value of parameter name in an encoded query, or NULL (caller frees). */
static char *query_param(const char *query, const char *name)
{
	size_t nlen = strlen(name);
	const char *p = query;

	while (*p != '\0') {
		const char *amp = strchr(p, '&');
		const char *end = amp != NULL ? amp : p + strlen(p);
		char *v = NULL;

		if ((size_t)(end - p) > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
			FUZZ_CHECK(gw_str_pct_decode(p + nlen + 1, (size_t)(end - p) - nlen - 1,
						     true, &v) == GW_OK);
			return v;
		}
		p = amp != NULL ? amp + 1 : end;
	}
	return NULL;
}

/* base/call?query&checksum=hex: every pair decodes and the checksum signs the query. */
static void check_signed_url(const struct gw_config *cfg, const char *url, const char *base,
			     const char *call)
{
	char hex[GW_DIGEST_MAX_HEX];
	const char *q;
	const char *sum;
	const char *p;
	char *query;

	FUZZ_CHECK(strncmp(url, base, strlen(base)) == 0);
	q = url + strlen(base);
	FUZZ_CHECK(q[0] == '/' && strncmp(q + 1, call, strlen(call)) == 0);
	q += 1 + strlen(call);
	FUZZ_CHECK(q[0] == '?');
	q++;
	sum = strstr(q, "&checksum=");
	FUZZ_CHECK(sum != NULL && strstr(sum + 1, "&checksum=") == NULL);
	query = strndup(q, (size_t)(sum - q));
	FUZZ_CHECK(query != NULL);
	FUZZ_CHECK(gw_bbb_checksum(cfg->checksum, call, query, cfg->bbb_secret, hex) == GW_OK);
	FUZZ_CHECK(strcmp(sum + strlen("&checksum="), hex) == 0);
	for (p = query; *p != '\0';) {
		const char *amp = strchr(p, '&');
		const char *end = amp != NULL ? amp : p + strlen(p);
		const char *eq = memchr(p, '=', (size_t)(end - p));
		char *d = NULL;

		FUZZ_CHECK(eq != NULL && eq > p);
		FUZZ_CHECK(gw_str_pct_decode(p, (size_t)(eq - p), true, &d) == GW_OK);
		free(d);
		d = NULL;
		FUZZ_CHECK(gw_str_pct_decode(eq + 1, (size_t)(end - eq - 1), true, &d) == GW_OK);
		free(d);
		p = amp != NULL ? amp + 1 : end;
	}
	free(query);
}

/* A JSON string member of the body equals parameter name of the signed URL. */
static void check_param_echo(const char *url, json_t *body, const char *member, const char *name)
{
	json_t *v = json_object_get(body, member); /* borrowed */
	const char *q = strchr(url, '?');
	char *got;

	if (!json_is_string(v))
		return;
	got = query_param(q + 1, name);
	FUZZ_CHECK(got != NULL && strcmp(got, json_string_value(v)) == 0);
	free(got);
}

static void run_create(struct gw_config *cfg, const uint8_t *data, size_t size, json_t *body)
{
	struct gw_exchange *x = new_exchange(cfg, "/v1/meetings", data, size);

	gw_handle_meetings_create(x);
	if (x->resp.status != 0) {
		check_response(x);
	} else {
		FUZZ_CHECK(x->up.url != NULL && x->bbb.name != NULL);
		FUZZ_CHECK(strcmp(x->bbb.name, "create") == 0);
		check_signed_url(cfg, x->up.url, cfg->bbb_url, "create");
		check_param_echo(x->up.url, body, "name", "name");
		check_param_echo(x->up.url, body, "meetingID", "meetingID");
	}
	gw_exchange_free(x);
}

static void run_join(struct gw_config *cfg, const uint8_t *data, size_t size, json_t *body)
{
	struct gw_exchange *x =
		new_exchange(cfg, "/v1/meetings/room%201%2F%C3%BC/join", data, size);
	json_t *resp;
	const char *url;
	char *mid;

	/* the match decoded the path's meeting id */
	FUZZ_CHECK(x->req.n_params == 1 && strcmp(x->req.params[0], MEETING_ID) == 0);
	gw_handle_meeting_join(x);
	FUZZ_CHECK(x->up.url == NULL); /* join only signs a URL for the client */
	check_response(x);
	if (x->resp.status != 200) {
		gw_exchange_free(x);
		return;
	}
	resp = json_loads(x->resp.body, 0, NULL);
	url = json_string_value(json_object_get(resp, "url"));
	FUZZ_CHECK(url != NULL);
	check_signed_url(cfg, url, cfg->bbb_public_url, "join");
	check_param_echo(url, body, "fullName", "fullName");
	mid = query_param(strchr(url, '?') + 1, "meetingID");
	FUZZ_CHECK(mid != NULL && strcmp(mid, MEETING_ID) == 0);
	free(mid);
	json_decref(resp);
	gw_exchange_free(x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The handlers' own parse decides; this copy only lets the checks look at the fields. */
	json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	size_t i;

	for (i = 0; i < GW_ARRAY_SIZE(cfgs); i++) {
		run_create(cfgs[i], data, size, body);
		run_join(cfgs[i], data, size, body);
	}
	json_decref(body);
	return 0;
}
