/*
 * fuzz_path.c - request paths through the router's matcher and the
 * percent-decoder. The first byte picks the method (G H P U A D O for
 * GET HEAD POST PUT PATCH DELETE OPTIONS, so seeds read like
 * "G/v1/meetings/x"), the rest (up to a NUL, which no transport delivers)
 * is the raw path; the whole input is also percent-decoded in both modes.
 *
 * Checks: a match names a route of the table whose method fits (HEAD runs
 * GET routes), whose pattern has as many segments as the path, whose
 * literal segments equal the path's, and whose parameters are the
 * percent-decoded path segments; 405 comes with the allowed methods (and
 * never the request's own); failures leave no parameters and no route,
 * except a bad parameter, which still names the route it failed in (the
 * transport sizes the body by it). Decoding succeeds or fails the same in both
 * modes and yields size - 2 * (number of '%') bytes of valid UTF-8.
 */
#include <string.h>

#include "fuzz.h"
#include "request.h"
#include "router.h"
#include "routes.h"
#include "str.h"

static const enum gw_method methods[] = {
	GW_METHOD_GET,   GW_METHOD_HEAD,   GW_METHOD_POST,    GW_METHOD_PUT,
	GW_METHOD_PATCH, GW_METHOD_DELETE, GW_METHOD_OPTIONS, GW_METHOD_OTHER,
};

/* Readable seeds: G H P U A D O pick a method; other bytes pick one by value. */
static enum gw_method method_of(uint8_t b)
{
	static const char letters[] = "GHPUADO";
	const char *p = b != 0 ? strchr(letters, b) : NULL;

	if (p != NULL)
		return methods[p - letters];
	return methods[b % GW_ARRAY_SIZE(methods)];
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

void fuzz_cleanup(void)
{
}

/* Length of the segment at p (up to '/' or the end). */
static size_t seglen(const char *p)
{
	const char *s = strchr(p, '/');

	return s != NULL ? (size_t)(s - p) : strlen(p);
}

/* Walks pattern and path together and checks each segment against the match. */
static void check_match(const struct gw_route *r, const struct gw_request *req)
{
	const char *pat = r->pattern;
	const char *path = req->path;
	size_t np = 0;

	while (*pat == '/') {
		size_t pl;
		size_t sl;

		FUZZ_CHECK(*path == '/');
		pat++;
		path++;
		pl = seglen(pat);
		sl = seglen(path);
		if (pl > 0 && pat[0] == '{') {
			char *dec = NULL;

			FUZZ_CHECK(np < req->n_params && req->params[np] != NULL);
			FUZZ_CHECK(gw_str_pct_decode(path, sl, false, &dec) == GW_OK);
			FUZZ_CHECK(strcmp(dec, req->params[np]) == 0);
			FUZZ_CHECK(dec[0] != '\0');
			free(dec);
			np++;
		} else {
			FUZZ_CHECK(pl == sl && strncmp(pat, path, pl) == 0);
		}
		pat += pl;
		path += sl;
	}
	FUZZ_CHECK(*pat == '\0' && *path == '\0');
	FUZZ_CHECK(np == req->n_params);
}

static void check_router(enum gw_method method, const char *path)
{
	const struct gw_route_table *t = gw_routes_table();
	const struct gw_route *table = t->routes;
	size_t n = t->n;
	struct gw_request req;
	struct gw_arena arena;
	unsigned allowed = 0;
	enum gw_err err;

	memset(&req, 0, sizeof(req));
	gw_arena_init(&arena, NULL, 0, 1u << 20);
	req.arena = &arena;
	req.method = method;
	req.path = gw_arena_strdup(&arena, path);
	FUZZ_CHECK(req.path != NULL);
	err = gw_router_match(t, &req, &allowed);
	switch (err) {
	case GW_OK:
		FUZZ_CHECK(req.route >= table && req.route < table + n);
		FUZZ_CHECK(req.route->method == method ||
			   (method == GW_METHOD_HEAD && req.route->method == GW_METHOD_GET));
		check_match(req.route, &req);
		break;
	case GW_E_METHOD_NOT_ALLOWED:
		FUZZ_CHECK(allowed != 0 && req.n_params == 0 && req.route == NULL);
		if (method != GW_METHOD_OPTIONS)
			FUZZ_CHECK((allowed & (unsigned)method) == 0);
		break;
	case GW_E_NOT_FOUND:
		FUZZ_CHECK(req.n_params == 0 && req.route == NULL);
		break;
	case GW_E_BAD_PATH_PARAM:
		FUZZ_CHECK(req.n_params == 0 && req.route >= table && req.route < table + n);
		break;
	default:
		FUZZ_CHECK(err == GW_E_NOMEM);
		break;
	}
	gw_arena_deinit(&arena);
}

static void check_decode(const uint8_t *data, size_t size)
{
	char *a = NULL;
	char *b = NULL;
	enum gw_err ea = gw_str_pct_decode((const char *)data, size, false, &a);
	enum gw_err eb = gw_str_pct_decode((const char *)data, size, true, &b);
	size_t pct = 0;
	size_t i;

	FUZZ_CHECK(ea == eb);
	if (ea != GW_OK) {
		FUZZ_CHECK(ea == GW_E_PARSE && a == NULL && b == NULL);
		return;
	}
	for (i = 0; i < size; i++)
		pct += data[i] == '%';
	FUZZ_CHECK(strlen(a) == size - 2 * pct);
	FUZZ_CHECK(strlen(b) == size - 2 * pct);
	FUZZ_CHECK(gw_str_utf8_valid(a, strlen(a)));
	FUZZ_CHECK(strchr(b, '+') == NULL || memchr(data, '%', size) != NULL);
	free(a);
	free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path;

	if (size == 0)
		return 0;
	path = malloc(size);
	FUZZ_CHECK(path != NULL);
	memcpy(path, data + 1, size - 1);
	path[size - 1] = '\0';
	check_router(method_of(data[0]), path);
	free(path);
	check_decode(data, size);
	return 0;
}
