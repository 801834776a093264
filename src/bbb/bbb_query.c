/*
 * bbb_query.c - the encoded query of a BBB call, built from validated JSON.
 * Encoding is bbb_sign's; types come from bbb_api's parameter tables.
 */
#include "bbb_query.h"

#include <stdio.h>
#include <string.h>

#include "bbb_sign.h"
#include "config.h"
#include "fetch_policy.h"
#include "gw_limits.h"
#include "str.h"

void gw_query_deinit(struct gw_query *qb)
{
	gw_buf_deinit(&qb->q);
}

const char *gw_query_str(const struct gw_query *qb)
{
	return gw_buf_str(&qb->q);
}

void gw_query_init(struct gw_query *qb)
{
	gw_buf_init(&qb->q, GW_MAX_QUERY_BYTES);
	qb->err = GW_OK;
	qb->detail[0] = '\0';
	qb->field[0] = '\0';
}

void gw_query_fail(struct gw_query *qb, enum gw_err err, const char *field, const char *detail)
{
	if (qb->err != GW_OK)
		return;
	qb->err = err;
	gw_str_copy(qb->field, sizeof(qb->field), field != NULL ? field : "");
	gw_str_copy(qb->detail, sizeof(qb->detail), detail);
}

void gw_query_add(struct gw_query *qb, const char *name, const char *value)
{
	enum gw_err err;

	if (qb->err != GW_OK)
		return;
	err = gw_bbb_query_add(&qb->q, name, value);
	if (err == GW_E_TOO_LARGE)
		gw_query_fail(qb, GW_E_BODY_TOO_LARGE, name, "The parameters are too long for BBB");
	else if (err != GW_OK)
		gw_query_fail(qb, err, name, "Out of memory");
}

/* Adds a typed JSON value as parameter `name`; field names the JSON member. */
void gw_query_add_json(struct gw_query *qb, const char *name, const char *field,
		       enum gw_param_type t, bool lenient, json_t *v)
{
	static const char *const want[] = {
		[GW_PARAM_STRING] = "a string",
		[GW_PARAM_INT] = "a non-negative integer",
		[GW_PARAM_BOOL] = "a boolean",
		[GW_PARAM_LIST] = "an array of strings without commas",
		[GW_PARAM_JSON] = "JSON",
	};
	char detail[192];
	char *text = NULL;
	enum gw_err err;

	if (qb->err != GW_OK)
		return;
	err = gw_bbb_param_text(t, lenient, v, &text);
	if (err != GW_OK) {
		snprintf(detail, sizeof(detail), "'%s' must be %s", field,
			 lenient ? "a string, number or boolean" : want[t]);
		gw_query_fail(qb, err, field, detail);
		return;
	}
	gw_query_add(qb, name, text);
	free(text);
}

/* Writes the query's error as a problem; true when there was one. */
bool gw_query_failed(struct gw_exchange *x, struct gw_query *qb)
{
	if (qb->err == GW_OK)
		return false;
	gw_response_problem(x, qb->err, qb->detail, qb->field[0] ? qb->field : NULL);
	return true;
}

/* A name BBB would accept as a parameter (forwarded unknown fields). */
static bool param_name_ok(const char *name)
{
	const char *p;

	if (strcmp(name, "checksum") == 0 || strncmp(name, "meta_", 5) == 0 ||
	    strncmp(name, "userdata", 8) == 0)
		return false;
	for (p = name; *p != '\0'; p++) {
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			return false;
	}
	return p != name && p - name <= 64;
}

void gw_query_add_unknown(struct gw_query *qb, const struct gw_config *cfg, const char *key,
			  const char *field, json_t *v)
{
	char detail[192];

	if (!cfg->forward_unknown_params || !param_name_ok(key) ||
	    !(json_is_string(v) || json_is_integer(v) || json_is_boolean(v))) {
		snprintf(detail, sizeof(detail), "Unknown or unsupported field '%s'", field);
		gw_query_fail(qb, GW_E_BAD_REQUEST, field, detail);
		return;
	}
	gw_query_add_json(qb, key, field, GW_PARAM_STRING, true, v);
}

/* Adds an object of strings as <prefix><key> parameters. */
void gw_query_add_map(struct gw_query *qb, json_t *obj, const char *member, const char *prefix,
		      bool (*name_ok)(const char *))
{
	char name[256];
	char field[256];
	const char *key;
	json_t *v;

	if (!json_is_object(obj)) {
		snprintf(field, sizeof(field), "'%s' must be an object of strings", member);
		gw_query_fail(qb, GW_E_BAD_REQUEST, member, field);
		return;
	}
	json_object_foreach (obj, key, v) {
		snprintf(field, sizeof(field), "%s.%s", member, key);
		if (!name_ok(key) || strlen(key) > 200) {
			char detail[400];
			int w;

			w = snprintf(detail, sizeof(detail),
				     "'%s' is not a key BBB keeps (letters, digits%s)", field,
				     prefix[0] == 'm' ? " and '-', starting with a letter"
						      : " and '_', no '-'");
			if (w < 0)
				detail[0] = '\0';
			gw_query_fail(qb, GW_E_BAD_REQUEST, field, detail);
			return;
		}
		snprintf(name, sizeof(name), "%s%s", prefix, key);
		gw_query_add_json(qb, name, field, GW_PARAM_STRING, false, v);
	}
}

bool gw_query_fetch_url_ok(struct gw_query *qb, const char *field, const char *url,
			   char *const *allow, size_t n)
{
	const char *why;
	char detail[320];

	if (!gw_str_is_http_url(url)) {
		snprintf(detail, sizeof(detail), "'%s' must be an http(s) URL", field);
		gw_query_fail(qb, GW_E_BAD_REQUEST, field, detail);
		return false;
	}
	why = gw_fetch_policy_check(url, allow, n);
	if (why == NULL)
		return true;
	snprintf(detail, sizeof(detail), "BBB may not be told to fetch or call this URL: %s", why);
	gw_query_fail(qb, GW_E_BAD_REQUEST, field, detail);
	return false;
}
