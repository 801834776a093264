/*
 * check_request.c - the transport-neutral exchange: method names, query
 * parsing, request ids, response headers, JSON and problem+json bodies and
 * the JSON object body reader.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "request.h"
#include "testutil.h"

static struct gw_config *cfg;
static struct gw_exchange *x;

static void setup(void)
{
	cfg = gw_config_new_defaults();
	ck_assert_ptr_nonnull(cfg);
	x = gw_exchange_new(cfg);
	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_eq(x->req.cfg, cfg);
}

static void teardown(void)
{
	gw_exchange_free(x);
	gw_config_unref(cfg);
}

static bool is_lower_hex(const char *s, size_t n)
{
	size_t i;

	if (strlen(s) != n)
		return false;
	for (i = 0; i < n; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return true;
}

/* Asserts the problem+json shape for err with the given detail and field (NULL = absent). */
static void assert_problem(enum gw_err err, const char *detail, const char *field)
{
	const struct gw_err_info *info = gw_err_info(err);
	json_t *p;
	const char *type;
	size_t tl;
	size_t cl;

	ck_assert_int_eq(x->resp.status, info->status);
	ck_assert_str_eq(x->resp.content_type, "application/problem+json");
	p = gw_test_json_body(x);
	ck_assert(json_is_object(p));
	type = gw_test_jstr(p, "type");
	ck_assert_ptr_nonnull(type);
	tl = strlen(type);
	cl = strlen(info->code);
	ck_assert_msg(tl > cl && strcmp(type + tl - cl, info->code) == 0,
		      "type '%s' does not name the code '%s'", type, info->code);
	ck_assert_str_eq(gw_test_jstr(p, "title"), info->title);
	ck_assert(json_is_integer(json_object_get(p, "status")));
	ck_assert_int_eq(json_integer_value(json_object_get(p, "status")), info->status);
	ck_assert_str_eq(gw_test_jstr(p, "detail"), detail != NULL ? detail : info->title);
	ck_assert_str_eq(gw_test_jstr(p, "code"), info->code);
	ck_assert_str_eq(gw_test_jstr(p, "requestId"), x->req.request_id);
	if (field != NULL)
		ck_assert_str_eq(gw_test_jstr(p, "field"), field);
	else
		ck_assert_ptr_null(json_object_get(p, "field"));
	json_decref(p);
}

/* ---- methods ---- */

START_TEST(test_request_method_parse_known)
{
	ck_assert_int_eq(gw_method_parse("GET"), GW_METHOD_GET);
	ck_assert_int_eq(gw_method_parse("HEAD"), GW_METHOD_HEAD);
	ck_assert_int_eq(gw_method_parse("POST"), GW_METHOD_POST);
	ck_assert_int_eq(gw_method_parse("PUT"), GW_METHOD_PUT);
	ck_assert_int_eq(gw_method_parse("PATCH"), GW_METHOD_PATCH);
	ck_assert_int_eq(gw_method_parse("DELETE"), GW_METHOD_DELETE);
	ck_assert_int_eq(gw_method_parse("OPTIONS"), GW_METHOD_OPTIONS);
}
END_TEST

START_TEST(test_request_method_parse_unknown)
{
	/* Method names are case-sensitive (RFC 9110 §9.1). */
	ck_assert_int_eq(gw_method_parse("get"), GW_METHOD_OTHER);
	ck_assert_int_eq(gw_method_parse("Post"), GW_METHOD_OTHER);
	ck_assert_int_eq(gw_method_parse("GETX"), GW_METHOD_OTHER);
	ck_assert_int_eq(gw_method_parse("GE"), GW_METHOD_OTHER);
	ck_assert_int_eq(gw_method_parse("CONNECT"), GW_METHOD_OTHER);
	ck_assert_int_eq(gw_method_parse("TRACE"), GW_METHOD_OTHER);
	ck_assert_int_eq(gw_method_parse(""), GW_METHOD_OTHER);
	ck_assert_int_eq(gw_method_parse(NULL), GW_METHOD_OTHER);
}
END_TEST

START_TEST(test_request_method_list_names_in_order)
{
	char out[96];

	gw_method_list(GW_METHOD_GET | GW_METHOD_POST | GW_METHOD_HEAD | GW_METHOD_OPTIONS, out,
		       sizeof(out));
	ck_assert_str_eq(out, "GET, HEAD, POST, OPTIONS");
	gw_method_list(GW_METHOD_DELETE, out, sizeof(out));
	ck_assert_str_eq(out, "DELETE");
	gw_method_list(0x7f, out, sizeof(out));
	ck_assert_str_eq(out, "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
	gw_method_list(0, out, sizeof(out));
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_request_method_list_bounded)
{
	char out[16];

	memset(out, 'Z', sizeof(out));
	gw_method_list(0x7f, out, 8);
	ck_assert_uint_lt(strlen(out), 8);
	ck_assert(strncmp(out, "GET", 3) == 0);
	ck_assert_int_eq(out[8], 'Z');
	/* outlen 0 writes nothing */
	memset(out, 'Z', sizeof(out));
	gw_method_list(GW_METHOD_GET, out, 0);
	ck_assert_int_eq(out[0], 'Z');
}
END_TEST

/* ---- query ---- */

START_TEST(test_request_parse_query_decodes_pairs)
{
	ck_assert_int_eq(gw_request_parse_query(&x->req, "a=1&b=%20x&c=+&d"), GW_OK);
	ck_assert_uint_eq(x->req.n_query, 4);
	ck_assert_str_eq(x->req.query[0].name, "a");
	ck_assert_str_eq(x->req.query[0].value, "1");
	ck_assert_str_eq(x->req.query[1].name, "b");
	ck_assert_str_eq(x->req.query[1].value, " x");
	ck_assert_str_eq(x->req.query[2].name, "c");
	ck_assert_str_eq(x->req.query[2].value, " ");
	ck_assert_str_eq(x->req.query[3].name, "d");
	ck_assert_str_eq(x->req.query[3].value, "");
}
END_TEST

START_TEST(test_request_parse_query_names_and_values_decoded)
{
	ck_assert_int_eq(gw_request_parse_query(&x->req, "meta%2Ekey=a+b%2Bc&x=1=2&e="), GW_OK);
	ck_assert_uint_eq(x->req.n_query, 3);
	ck_assert_str_eq(x->req.query[0].name, "meta.key");
	ck_assert_str_eq(x->req.query[0].value, "a b+c");
	ck_assert_str_eq(x->req.query[1].name, "x");
	ck_assert_str_eq(x->req.query[1].value, "1=2");
	ck_assert_str_eq(x->req.query[2].name, "e");
	ck_assert_str_eq(x->req.query[2].value, "");
}
END_TEST

START_TEST(test_request_parse_query_empty_pieces_skipped)
{
	ck_assert_int_eq(gw_request_parse_query(&x->req, "&&a=1&&b=2&"), GW_OK);
	ck_assert_uint_eq(x->req.n_query, 2);
	ck_assert_str_eq(x->req.query[0].name, "a");
	ck_assert_str_eq(x->req.query[1].name, "b");
	ck_assert_int_eq(gw_request_parse_query(&x->req, ""), GW_OK);
	ck_assert_int_eq(gw_request_parse_query(&x->req, "&&&"), GW_OK);
	ck_assert_uint_eq(x->req.n_query, 2);
}
END_TEST

/* A query of n parameters "p0=0&p1=1&..." (caller frees). */
static char *many_params(size_t n)
{
	size_t cap = n * 16 + 1;
	char *s = malloc(cap);
	size_t len = 0;
	size_t i;

	ck_assert_ptr_nonnull(s);
	s[0] = '\0';
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len, "%sp%zu=%zu", i ? "&" : "", i, i);
	return s;
}

START_TEST(test_request_parse_query_param_cap)
{
	char *ok = many_params(GW_MAX_QUERY_PARAMS);
	char *over = many_params(GW_MAX_QUERY_PARAMS + 1);
	struct gw_exchange *y = gw_exchange_new(cfg);

	ck_assert_int_eq(gw_request_parse_query(&x->req, ok), GW_OK);
	ck_assert_uint_eq(x->req.n_query, GW_MAX_QUERY_PARAMS);
	ck_assert_str_eq(gw_request_query(&x->req, "p63"), "63");
	ck_assert_ptr_nonnull(y);
	ck_assert_int_eq(gw_request_parse_query(&y->req, over), GW_E_TOO_LARGE);
	ck_assert_uint_le(y->req.n_query, GW_MAX_QUERY_PARAMS);
	gw_exchange_free(y);
	free(ok);
	free(over);
}
END_TEST

START_TEST(test_request_parse_query_bad_escapes)
{
	static const char *const bad[] = {"a=%zz",  "a=%",      "a=%4",        "%=1",       "a=%00",
					  "a%00=1", "a=%C0%AF", "a=%ED%A0%80", "ok=1&a=%FF"};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct gw_exchange *y = gw_exchange_new(cfg);

		ck_assert_ptr_nonnull(y);
		ck_assert_msg(gw_request_parse_query(&y->req, bad[i]) == GW_E_PARSE,
			      "'%s' accepted", bad[i]);
		gw_exchange_free(y);
	}
}
END_TEST

START_TEST(test_request_query_lookup)
{
	ck_assert_int_eq(gw_request_parse_query(&x->req, "a=1&a=2&state=published&d"), GW_OK);
	ck_assert_str_eq(gw_request_query(&x->req, "a"), "1");
	ck_assert_str_eq(gw_request_query(&x->req, "state"), "published");
	ck_assert_str_eq(gw_request_query(&x->req, "d"), "");
	ck_assert_ptr_null(gw_request_query(&x->req, "A"));
	ck_assert_ptr_null(gw_request_query(&x->req, "missing"));
	ck_assert_ptr_null(gw_request_query(&x->req, ""));
}
END_TEST

/* ---- request id ---- */

START_TEST(test_request_set_id_keeps_sane_client_value)
{
	char id128[GW_MAX_REQUEST_ID_LEN + 1];

	gw_request_set_id(&x->req, "abc-123_XYZ.:/~");
	ck_assert_str_eq(x->req.request_id, "abc-123_XYZ.:/~");
	memset(id128, 'r', GW_MAX_REQUEST_ID_LEN);
	id128[GW_MAX_REQUEST_ID_LEN] = '\0';
	gw_request_set_id(&x->req, id128);
	ck_assert_str_eq(x->req.request_id, id128);
}
END_TEST

START_TEST(test_request_set_id_replaces_bad_client_value)
{
	static const char *const bad[] = {"has space", "tab\there",   "crlf\r\nX-Evil: 1",
					  "",          "caf\xc3\xa9", "\x7f"};
	char id129[GW_MAX_REQUEST_ID_LEN + 2];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		gw_request_set_id(&x->req, bad[i]);
		ck_assert_msg(is_lower_hex(x->req.request_id, 24), "'%s' kept as '%s'", bad[i],
			      x->req.request_id);
	}
	memset(id129, 'r', GW_MAX_REQUEST_ID_LEN + 1);
	id129[GW_MAX_REQUEST_ID_LEN + 1] = '\0';
	gw_request_set_id(&x->req, id129);
	ck_assert(is_lower_hex(x->req.request_id, 24));
	gw_request_set_id(&x->req, NULL);
	ck_assert(is_lower_hex(x->req.request_id, 24));
}
END_TEST

START_TEST(test_request_set_id_generated_ids_differ)
{
	char first[GW_MAX_REQUEST_ID_LEN + 1];

	gw_request_set_id(&x->req, NULL);
	ck_assert(is_lower_hex(x->req.request_id, 24));
	memcpy(first, x->req.request_id, sizeof(first));
	gw_request_set_id(&x->req, NULL);
	ck_assert(is_lower_hex(x->req.request_id, 24));
	ck_assert_str_ne(first, x->req.request_id);
}
END_TEST

/* ---- response headers ---- */

START_TEST(test_request_response_header_add_and_replace)
{
	gw_response_header(&x->resp, "Retry-After", "1");
	gw_response_header(&x->resp, "Location", "/v1/meetings/a");
	ck_assert_uint_eq(x->resp.n_headers, 2);
	ck_assert_str_eq(gw_test_header(x, "Retry-After"), "1");
	/* Same name in another case replaces the value instead of adding a header. */
	gw_response_header(&x->resp, "retry-after", "5");
	ck_assert_uint_eq(x->resp.n_headers, 2);
	ck_assert_int_eq(strcasecmp(x->resp.headers[0].name, "Retry-After"), 0);
	ck_assert_str_eq(x->resp.headers[0].value, "5");
	ck_assert_str_eq(gw_test_header(x, "Location"), "/v1/meetings/a");
}
END_TEST

START_TEST(test_request_response_header_copies_strings)
{
	char name[] = "X-Test";
	char value[] = "one";

	gw_response_header(&x->resp, name, value);
	name[0] = 'Y';
	value[0] = 'Z';
	ck_assert_str_eq(x->resp.headers[0].name, "X-Test");
	ck_assert_str_eq(x->resp.headers[0].value, "one");
}
END_TEST

START_TEST(test_request_response_header_cap)
{
	char name[32];
	size_t i;

	for (i = 0; i < GW_MAX_RESPONSE_HEADERS + 3; i++) {
		snprintf(name, sizeof(name), "X-H%zu", i);
		gw_response_header(&x->resp, name, "v");
	}
	ck_assert_uint_eq(x->resp.n_headers, GW_MAX_RESPONSE_HEADERS);
	ck_assert_ptr_null(gw_test_header(x, "X-H12"));
	/* A full table still lets an existing header change. */
	gw_response_header(&x->resp, "x-h0", "changed");
	ck_assert_uint_eq(x->resp.n_headers, GW_MAX_RESPONSE_HEADERS);
	ck_assert_str_eq(gw_test_header(x, "X-H0"), "changed");
}
END_TEST

/* ---- bodies ---- */

START_TEST(test_request_response_json_compact)
{
	gw_response_json(x, 201, json_pack("{s:i, s:[s]}", "a", 1, "b", "x y"));
	ck_assert_int_eq(x->resp.status, 201);
	ck_assert_str_eq(x->resp.content_type, "application/json; charset=utf-8");
	ck_assert_str_eq(x->resp.body, "{\"a\":1,\"b\":[\"x y\"]}");
	ck_assert_uint_eq(x->resp.body_len, strlen(x->resp.body));
}
END_TEST

START_TEST(test_request_response_json_replaces_previous_body)
{
	gw_response_json(x, 200, json_pack("{s:s}", "first", "1"));
	gw_response_json(x, 202, json_pack("{s:s}", "second", "2"));
	ck_assert_int_eq(x->resp.status, 202);
	ck_assert_str_eq(x->resp.body, "{\"second\":\"2\"}");
}
END_TEST

START_TEST(test_request_response_raw_copies_bytes)
{
	char data[] = "<r>\0</r>";

	gw_response_raw(x, 200, "application/xml; charset=utf-8", data, sizeof(data) - 1);
	data[0] = 'X';
	ck_assert_int_eq(x->resp.status, 200);
	ck_assert_str_eq(x->resp.content_type, "application/xml; charset=utf-8");
	ck_assert_uint_eq(x->resp.body_len, sizeof(data) - 1);
	ck_assert(memcmp(x->resp.body, "<r>\0</r>", sizeof(data) - 1) == 0);
}
END_TEST

START_TEST(test_request_problem_fields)
{
	json_t *p;

	gw_request_set_id(&x->req, "req-42");
	gw_response_problem(x, GW_E_BAD_REQUEST, "'name' is required", "name");
	assert_problem(GW_E_BAD_REQUEST, "'name' is required", "name");
	ck_assert_int_eq(x->resp.status, 400);
	p = gw_test_json_body(x);
	ck_assert_str_eq(gw_test_jstr(p, "requestId"), "req-42");
	ck_assert_str_eq(gw_test_jstr(p, "code"), "bad_request");
	ck_assert_uint_eq(json_object_size(p), 7);
	json_decref(p);
}
END_TEST

START_TEST(test_request_problem_without_field_or_detail)
{
	json_t *p;

	gw_request_set_id(&x->req, NULL);
	gw_response_problem(x, GW_E_NOT_FOUND, NULL, NULL);
	assert_problem(GW_E_NOT_FOUND, NULL, NULL);
	ck_assert_int_eq(x->resp.status, 404);
	p = gw_test_json_body(x);
	ck_assert_uint_eq(json_object_size(p), 6);
	json_decref(p);
}
END_TEST

START_TEST(test_request_problem_status_follows_error_table)
{
	static const enum gw_err errs[] = {
		GW_E_UNAUTHORIZED,
		GW_E_FORBIDDEN,
		GW_E_METHOD_NOT_ALLOWED,
		GW_E_BODY_TOO_LARGE,
		GW_E_UNSUPPORTED_MEDIA_TYPE,
		GW_E_BBB_CONFLICT,
		GW_E_UPSTREAM_TIMEOUT,
		GW_E_UPSTREAM_CONNECT,
		GW_E_UNAVAILABLE,
	};
	static const int status[] = {401, 403, 405, 413, 415, 409, 504, 502, 503};
	size_t i;

	gw_request_set_id(&x->req, "r");
	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		gw_response_problem(x, errs[i], "d", NULL);
		ck_assert_int_eq(x->resp.status, status[i]);
		assert_problem(errs[i], "d", NULL);
	}
}
END_TEST

START_TEST(test_request_problem_replaces_json_body)
{
	gw_response_json(x, 200, json_pack("{s:b}", "ok", 1));
	gw_response_problem(x, GW_E_BAD_REQUEST, "late error", NULL);
	assert_problem(GW_E_BAD_REQUEST, "late error", NULL);
}
END_TEST

START_TEST(test_request_problem_extra_merges_members)
{
	json_t *extra = json_pack("{s:s, s:s, s:[{s:s}]}", "messageKey", "notFound", "message",
				  "A meeting with that ID does not exist", "errors", "key", "k");
	json_t *p;

	ck_assert_ptr_nonnull(extra);
	gw_request_set_id(&x->req, "rid");
	gw_response_problem_extra(x, GW_E_BBB_NOT_FOUND, "gone", "meetingID", extra);
	assert_problem(GW_E_BBB_NOT_FOUND, "gone", "meetingID");
	p = gw_test_json_body(x);
	ck_assert_str_eq(gw_test_jstr(p, "messageKey"), "notFound");
	ck_assert_str_eq(gw_test_jstr(p, "message"), "A meeting with that ID does not exist");
	ck_assert(json_is_array(json_object_get(p, "errors")));
	ck_assert_uint_eq(json_object_size(p), 10);
	json_decref(p);
	/* extra is borrowed: still whole and still ours */
	ck_assert_uint_eq(json_object_size(extra), 3);
	ck_assert_uint_eq(extra->refcount, 1);
	json_decref(extra);
}
END_TEST

START_TEST(test_request_problem_extra_null_is_plain_problem)
{
	gw_request_set_id(&x->req, "rid");
	gw_response_problem_extra(x, GW_E_FORBIDDEN, "no", NULL, NULL);
	assert_problem(GW_E_FORBIDDEN, "no", NULL);
}
END_TEST

/* ---- JSON object bodies ---- */

static void set_body(const char *s)
{
	free(x->req.body);
	x->req.body = strdup(s);
	ck_assert_ptr_nonnull(x->req.body);
	x->req.body_len = strlen(s);
}

START_TEST(test_request_json_object_parses_object)
{
	json_t *out = NULL;

	set_body("{\"name\":\"Bio 101\",\"record\":true}");
	ck_assert_int_eq(gw_request_json_object(x, true, &out), GW_OK);
	ck_assert(json_is_object(out));
	ck_assert_str_eq(gw_test_jstr(out, "name"), "Bio 101");
	ck_assert(json_is_true(json_object_get(out, "record")));
	ck_assert_int_eq(x->resp.status, 0);
	json_decref(out);
}
END_TEST

START_TEST(test_request_json_object_no_body_optional)
{
	json_t *out = json_object();
	json_t *keep = out;

	ck_assert_int_eq(gw_request_json_object(x, false, &out), GW_OK);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(x->resp.status, 0);
	ck_assert_ptr_null(x->resp.body);
	json_decref(keep);
}
END_TEST

START_TEST(test_request_json_object_no_body_required)
{
	json_t *sentinel = json_object();
	json_t *out = sentinel;

	gw_request_set_id(&x->req, "rid");
	ck_assert_int_eq(gw_request_json_object(x, true, &out), GW_E_BAD_REQUEST);
	ck_assert_ptr_eq(out, sentinel);
	ck_assert_int_eq(x->resp.status, 400);
	ck_assert_str_eq(x->resp.content_type, "application/problem+json");
	json_decref(sentinel);
}
END_TEST

START_TEST(test_request_json_object_malformed_has_position)
{
	json_t *sentinel = json_object();
	json_t *out = sentinel;
	json_t *p;
	const char *detail;

	gw_request_set_id(&x->req, "rid");
	set_body("{\"a\": 1,\n \"b\": }");
	ck_assert_int_eq(gw_request_json_object(x, true, &out), GW_E_BAD_REQUEST);
	ck_assert_ptr_eq(out, sentinel);
	ck_assert_int_eq(x->resp.status, 400);
	p = gw_test_json_body(x);
	ck_assert_str_eq(gw_test_jstr(p, "code"), "bad_request");
	detail = gw_test_jstr(p, "detail");
	ck_assert_ptr_nonnull(detail);
	ck_assert_msg(strstr(detail, "line 2") != NULL, "no line in '%s'", detail);
	ck_assert_msg(strstr(detail, "column 7") != NULL, "no column in '%s'", detail);
	json_decref(p);
	json_decref(sentinel);
}
END_TEST

START_TEST(test_request_json_object_malformed_even_when_optional)
{
	json_t *out = NULL;

	set_body("{\"a\":");
	ck_assert_int_eq(gw_request_json_object(x, false, &out), GW_E_BAD_REQUEST);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(x->resp.status, 400);
}
END_TEST

START_TEST(test_request_json_object_duplicate_keys_rejected)
{
	json_t *out = NULL;
	json_t *p;

	gw_request_set_id(&x->req, "rid");
	set_body("{\"name\":\"a\",\"name\":\"b\"}");
	ck_assert_int_eq(gw_request_json_object(x, true, &out), GW_E_BAD_REQUEST);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(x->resp.status, 400);
	p = gw_test_json_body(x);
	ck_assert_str_eq(gw_test_jstr(p, "code"), "bad_request");
	json_decref(p);
}
END_TEST

START_TEST(test_request_json_object_non_object_rejected)
{
	static const char *const bodies[] = {"[]", "[{\"a\":1}]", "\"text\"", "42", "null"};
	size_t i;

	gw_request_set_id(&x->req, "rid");
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		json_t *out = NULL;

		set_body(bodies[i]);
		x->resp.status = 0;
		ck_assert_msg(gw_request_json_object(x, true, &out) == GW_E_BAD_REQUEST,
			      "'%s' accepted", bodies[i]);
		ck_assert_ptr_null(out);
		ck_assert_int_eq(x->resp.status, 400);
	}
}
END_TEST

START_TEST(test_request_json_object_uses_body_len)
{
	json_t *out = NULL;

	/* Only body_len bytes are the body; what follows is not parsed. */
	set_body("{\"a\":1}garbage");
	x->req.body_len = 7;
	ck_assert_int_eq(gw_request_json_object(x, true, &out), GW_OK);
	ck_assert_int_eq(json_integer_value(json_object_get(out, "a")), 1);
	json_decref(out);
}
END_TEST

START_TEST(test_request_string_member)
{
	json_t *body =
		json_pack("{s:s, s:s, s:i, s:n}", "name", "Bio 101", "empty", "", "num", 5, "nul");
	const char *out = "sentinel";

	ck_assert_ptr_nonnull(body);
	gw_request_set_id(&x->req, "rid");
	ck_assert(gw_request_string(x, body, "name", true, &out));
	ck_assert_str_eq(out, "Bio 101");
	ck_assert_ptr_eq(out, json_string_value(json_object_get(body, "name")));
	ck_assert(gw_request_string(x, body, "missing", false, &out));
	ck_assert_ptr_null(out);
	ck_assert_int_eq(x->resp.status, 0);
	json_decref(body);
}
END_TEST

START_TEST(test_request_string_member_errors_name_field)
{
	static const char *const keys[] = {"missing", "empty", "num", "nul"};
	json_t *body = json_pack("{s:s, s:i, s:n}", "empty", "", "num", 5, "nul");
	json_t *p;
	const char *out = "sentinel";

	ck_assert_ptr_nonnull(body);
	gw_request_set_id(&x->req, "rid");
	ck_assert(!gw_request_string(x, body, keys[_i], true, &out));
	ck_assert_ptr_null(out);
	p = gw_test_json_body(x);
	ck_assert_ptr_nonnull(gw_test_jstr(p, "detail"));
	ck_assert_ptr_nonnull(strstr(gw_test_jstr(p, "detail"), keys[_i]));
	assert_problem(GW_E_BAD_REQUEST, gw_test_jstr(p, "detail"), keys[_i]);
	json_decref(p);
	/* present but bad is an error even when optional */
	if (_i > 0) {
		x->resp.status = 0;
		ck_assert(!gw_request_string(x, body, keys[_i], false, &out));
		ck_assert_int_eq(x->resp.status, 400);
	}
	json_decref(body);
}
END_TEST

START_TEST(test_request_exchange_free_null)
{
	gw_exchange_free(NULL);
}
END_TEST

static Suite *request_suite(void)
{
	Suite *s = suite_create("request");
	TCase *m = tcase_create("methods");
	TCase *q = tcase_create("query");
	TCase *id = tcase_create("request_id");
	TCase *r = tcase_create("response");
	TCase *j = tcase_create("json_body");

	tcase_add_test(m, test_request_method_parse_known);
	tcase_add_test(m, test_request_method_parse_unknown);
	tcase_add_test(m, test_request_method_list_names_in_order);
	tcase_add_test(m, test_request_method_list_bounded);
	tcase_add_test(m, test_request_exchange_free_null);
	suite_add_tcase(s, m);

	tcase_add_checked_fixture(q, setup, teardown);
	tcase_add_test(q, test_request_parse_query_decodes_pairs);
	tcase_add_test(q, test_request_parse_query_names_and_values_decoded);
	tcase_add_test(q, test_request_parse_query_empty_pieces_skipped);
	tcase_add_test(q, test_request_parse_query_param_cap);
	tcase_add_test(q, test_request_parse_query_bad_escapes);
	tcase_add_test(q, test_request_query_lookup);
	suite_add_tcase(s, q);

	tcase_add_checked_fixture(id, setup, teardown);
	tcase_add_test(id, test_request_set_id_keeps_sane_client_value);
	tcase_add_test(id, test_request_set_id_replaces_bad_client_value);
	tcase_add_test(id, test_request_set_id_generated_ids_differ);
	suite_add_tcase(s, id);

	tcase_add_checked_fixture(r, setup, teardown);
	tcase_add_test(r, test_request_response_header_add_and_replace);
	tcase_add_test(r, test_request_response_header_copies_strings);
	tcase_add_test(r, test_request_response_header_cap);
	tcase_add_test(r, test_request_response_json_compact);
	tcase_add_test(r, test_request_response_json_replaces_previous_body);
	tcase_add_test(r, test_request_response_raw_copies_bytes);
	tcase_add_test(r, test_request_problem_fields);
	tcase_add_test(r, test_request_problem_without_field_or_detail);
	tcase_add_test(r, test_request_problem_status_follows_error_table);
	tcase_add_test(r, test_request_problem_replaces_json_body);
	tcase_add_test(r, test_request_problem_extra_merges_members);
	tcase_add_test(r, test_request_problem_extra_null_is_plain_problem);
	suite_add_tcase(s, r);

	tcase_add_checked_fixture(j, setup, teardown);
	tcase_add_test(j, test_request_json_object_parses_object);
	tcase_add_test(j, test_request_json_object_no_body_optional);
	tcase_add_test(j, test_request_json_object_no_body_required);
	tcase_add_test(j, test_request_json_object_malformed_has_position);
	tcase_add_test(j, test_request_json_object_malformed_even_when_optional);
	tcase_add_test(j, test_request_json_object_duplicate_keys_rejected);
	tcase_add_test(j, test_request_json_object_non_object_rejected);
	tcase_add_test(j, test_request_json_object_uses_body_len);
	tcase_add_test(j, test_request_string_member);
	tcase_add_loop_test(j, test_request_string_member_errors_name_field, 0, 4);
	suite_add_tcase(s, j);
	return s;
}

GW_TEST_MAIN(request_suite)
