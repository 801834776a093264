/*
 * router.c - matches a request against a route table. Patterns are
 * matched segment by segment on the raw path; parameters are
 * percent-decoded only after a match, so an encoded '/' (%2F) stays
 * inside its segment. The first route of the request's method wins; HEAD
 * takes a GET route. No state: the table is the caller's.
 */
#include "router.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cors.h"
#include "str.h"

/* Length of the segment at p (up to '/' or the end). */
static size_t seglen(const char *p)
{
	const char *s = strchr(p, '/');

	return s != NULL ? (size_t)(s - p) : strlen(p);
}

/*
 * Compares a pattern with a path; on a match stores the [start,len) of
 * each parameter segment. Returns the number of parameters, or -1.
 */
static int match_pattern(const char *pat, const char *path, const char **pstart, size_t *plen)
{
	int np = 0;

	while (*pat == '/' && *path == '/') {
		size_t pl;
		size_t sl;

		pat++;
		path++;
		pl = seglen(pat);
		sl = seglen(path);
		if (pl > 0 && pat[0] == '{') {
			if (sl == 0 || (size_t)np >= GW_MAX_PATH_PARAMS)
				return -1;
			pstart[np] = path;
			plen[np] = sl;
			np++;
		} else if (pl != sl || strncmp(pat, path, pl) != 0) {
			return -1;
		}
		pat += pl;
		path += sl;
	}
	return (*pat == '\0' && *path == '\0') ? np : -1;
}

/* Decodes the matched parameters into the request's arena (decoding never lengthens). */
static enum gw_err take_params(struct gw_request *req, const char **ps, const size_t *pl, int np)
{
	int i;

	req->n_params = 0;
	for (i = 0; i < np; i++) {
		char *d = gw_arena_alloc_aligned(req->arena, pl[i] + 1, 1);

		if (d == NULL) {
			req->n_params = 0;
			return gw_arena_error(req->arena);
		}
		if (gw_str_pct_decode_into(ps[i], pl[i], false, d) != GW_OK) {
			req->n_params = 0;
			return GW_E_BAD_PATH_PARAM;
		}
		req->params[i] = d;
		req->n_params = (size_t)i + 1;
	}
	return GW_OK;
}

enum gw_err gw_router_match(const struct gw_route_table *table, struct gw_request *req,
			    unsigned *allowed)
{
	const char *ps[GW_MAX_PATH_PARAMS];
	size_t pl[GW_MAX_PATH_PARAMS];
	const struct gw_route *hit = NULL;
	int hit_np = 0;
	unsigned mask = 0;
	size_t i;

	for (i = 0; i < table->n; i++) {
		const struct gw_route *r = &table->routes[i];
		const char *s[GW_MAX_PATH_PARAMS];
		size_t l[GW_MAX_PATH_PARAMS];
		int np = match_pattern(r->pattern, req->path, s, l);

		if (np < 0)
			continue;
		mask |= r->method;
		if (hit == NULL && (r->method == req->method || (req->method == GW_METHOD_HEAD &&
								 r->method == GW_METHOD_GET))) {
			hit = r;
			hit_np = np;
			memcpy(ps, s, sizeof(s));
			memcpy(pl, l, sizeof(l));
		}
	}
	if (mask == 0)
		return GW_E_NOT_FOUND;
	if (mask & GW_METHOD_GET)
		mask |= GW_METHOD_HEAD;
	if (hit == NULL) {
		/* OPTIONS is answered (as a CORS preflight) on /v1 paths only. */
		*allowed = mask | (gw_cors_preflight_path(req->path) ? GW_METHOD_OPTIONS : 0u);
		return GW_E_METHOD_NOT_ALLOWED;
	}
	req->route = hit;
	return take_params(req, ps, pl, hit_np);
}

size_t gw_router_patterns(const struct gw_route_table *table, const char **out, size_t max)
{
	size_t i;

	for (i = 0; i < table->n && i < max; i++)
		out[i] = table->routes[i].pattern;
	return i;
}

size_t gw_router_index(const struct gw_route_table *table, const struct gw_route *route)
{
	size_t i;

	if (table == NULL || route == NULL)
		return SIZE_MAX;
	/* Compared one by one: pointer subtraction across objects is undefined. */
	for (i = 0; i < table->n; i++) {
		if (&table->routes[i] == route)
			return i;
	}
	return SIZE_MAX;
}
