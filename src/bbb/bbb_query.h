/*
 * bbb_query.h - building the encoded query of a BBB call from JSON: typed
 * parameters from bbb_api's tables, maps (meta_, userdata-), forwarded
 * unknown scalars. The first error sticks, names the JSON field, and is
 * reported once as a 400 problem.
 */
#ifndef GW_BBB_QUERY_H
#define GW_BBB_QUERY_H

#include <jansson.h>
#include <stdbool.h>

#include "bbb_api.h"
#include "buf.h"
#include "err.h"
#include "request.h"

struct gw_config;

/* A query under construction. */
struct gw_query {
	struct gw_buf q; /* the encoded query so far */
	enum gw_err err; /* first error, GW_OK while none */
	char detail[320];
	char field[256];
};

/* Starts an empty query (capped at GW_MAX_QUERY_BYTES). Release with gw_query_deinit. */
void gw_query_init(struct gw_query *qb);

/* Frees the query's buffer. */
void gw_query_deinit(struct gw_query *qb);

/* The encoded query so far (borrowed). */
const char *gw_query_str(const struct gw_query *qb);

/* Records the first error; later calls are ignored. */
void gw_query_fail(struct gw_query *qb, enum gw_err err, const char *field, const char *detail);

/*
 * Fails qb (400 naming field) unless url is an http(s) URL that BBB may
 * fetch or call under the fetch policy and the allow list (allow, n:
 * bbb.fetch_allow; borrowed). Returns true when it may.
 */
bool gw_query_fetch_url_ok(struct gw_query *qb, const char *field, const char *url,
			   char *const *allow, size_t n);

/* Adds name=value (both encoded). */
void gw_query_add(struct gw_query *qb, const char *name, const char *value);

/*
 * Adds a JSON value of type t as parameter name; field names the JSON
 * member in errors. lenient accepts any scalar for a string.
 */
void gw_query_add_json(struct gw_query *qb, const char *name, const char *field,
		       enum gw_param_type t, bool lenient, json_t *v);

/*
 * Adds parameter key (a member the gateway does not know, at field of the
 * body) when the config forwards unknown scalars and key is a name BBB
 * takes, else fails naming field.
 */
void gw_query_add_unknown(struct gw_query *qb, const struct gw_config *cfg, const char *key,
			  const char *field, json_t *v);

/*
 * Adds each member of an object of strings as <prefix><key>; keys must pass
 * name_ok. A JSON null value is sent as an empty value when allow_null.
 */
void gw_query_add_map(struct gw_query *qb, json_t *obj, const char *member, const char *prefix,
		      bool (*name_ok)(const char *));

/* Writes the query's error as a problem response; true when there was one. */
bool gw_query_failed(struct gw_exchange *x, struct gw_query *qb);

#endif
