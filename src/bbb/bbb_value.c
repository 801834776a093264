/*
 * bbb_value.c - text to typed JSON for BBB's values (see bbb_value.h).
 */
#include "bbb_value.h"

#include <stdint.h>
#include <string.h>

#include "jsonw.h"

/* Decimal integer with an optional '-' and optional ',' thousands grouping. */
bool gw_bbb_value_int(const char *s, size_t n, json_int_t *out)
{
	uint64_t v = 0;
	uint64_t lim = INT64_MAX;
	size_t i = 0;
	size_t run = 0;
	bool grouped = false;
	bool neg = false;

	if (n > 0 && s[0] == '-') {
		neg = true;
		lim = (uint64_t)INT64_MAX + 1;
		i = 1;
	}
	for (; i < n; i++) {
		unsigned d;

		if (s[i] == ',') {
			if (run == 0 || run > 3 || (grouped && run != 3))
				return false;
			grouped = true;
			run = 0;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			return false;
		d = (unsigned)(s[i] - '0');
		if (v > (lim - d) / 10)
			return false;
		v = v * 10 + d;
		run++;
	}
	if (run == 0 || (grouped && run != 3))
		return false;
	if (!neg)
		*out = (json_int_t)v;
	else if (v == lim)
		*out = INT64_MIN;
	else
		*out = -(json_int_t)v;
	return true;
}

/* jansson returns NULL for invalid UTF-8 (and on OOM, which cannot be told apart). */
static enum gw_err new_string(const char *s, size_t n, json_t **out)
{
	*out = json_stringn(s, n);
	return *out != NULL ? GW_OK : GW_E_UPSTREAM_BAD_REPLY;
}

enum gw_err gw_bbb_value(enum gw_bbb_value_type t, const char *s, size_t n, json_t **out)
{
	json_int_t v;

	if ((t == GW_BBB_VALUE_BOOL || t == GW_BBB_VALUE_INT) && n == 0) {
		*out = json_null();
		return GW_OK;
	}
	if (t == GW_BBB_VALUE_BOOL && n == 4 && memcmp(s, "true", 4) == 0) {
		*out = json_true();
		return GW_OK;
	}
	if (t == GW_BBB_VALUE_BOOL && n == 5 && memcmp(s, "false", 5) == 0) {
		*out = json_false();
		return GW_OK;
	}
	if (t == GW_BBB_VALUE_INT && gw_bbb_value_int(s, n, &v)) {
		*out = json_integer(v);
		return *out != NULL ? GW_OK : GW_E_NOMEM;
	}
	return new_string(s, n, out);
}

enum gw_err gw_bbb_value_write(enum gw_bbb_value_type t, const char *s, size_t n,
			       struct gw_buf *out)
{
	json_int_t v;
	enum gw_err err;

	if ((t == GW_BBB_VALUE_BOOL || t == GW_BBB_VALUE_INT) && n == 0)
		return gw_buf_append(out, "null", 4);
	if (t == GW_BBB_VALUE_BOOL && n == 4 && memcmp(s, "true", 4) == 0)
		return gw_buf_append(out, "true", 4);
	if (t == GW_BBB_VALUE_BOOL && n == 5 && memcmp(s, "false", 5) == 0)
		return gw_buf_append(out, "false", 5);
	if (t == GW_BBB_VALUE_INT && gw_bbb_value_int(s, n, &v))
		return gw_jsonw_int(out, (int64_t)v);
	err = gw_jsonw_string(out, s, n);
	return err == GW_E_PARSE ? GW_E_UPSTREAM_BAD_REPLY : err;
}
