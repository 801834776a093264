/*
 * fuzz_xml2json.c - bytes as a BBB reply through gw_xml2json_convert,
 * the converter the gateway runs on every upstream reply (with its exact
 * libxml2 options, DTD refusal and depth/node caps).
 *
 * Checks: no crash, leak or sanitizer report; a failure is one of the two
 * documented errors; on success the body is an object, `errors` (when
 * present) an array, every string valid UTF-8, the JSON no deeper than the
 * XML cap allows, and json_dumps -> json_loads gives an equal value back.
 */
#include <jansson.h>
#include <string.h>

#include "fuzz.h"
#include "gw_limits.h"
#include "str.h"
#include "xml2json.h"

/* Each XML level may add an object and an array (repeated elements). */
#define MAX_JSON_DEPTH (2u * GW_XML_MAX_DEPTH + 2u)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	gw_xml2json_global_init();
	return 0;
}

void fuzz_cleanup(void)
{
	gw_xml2json_global_cleanup();
}

/* Depth of a JSON value (a scalar is 0); checks every string on the way. */
static unsigned depth_of(json_t *v)
{
	unsigned d = 0;
	unsigned sub;
	const char *key;
	json_t *m;
	size_t i;

	if (json_is_string(v)) {
		FUZZ_CHECK(gw_str_utf8_valid(json_string_value(v), json_string_length(v)));
		FUZZ_CHECK(strlen(json_string_value(v)) == json_string_length(v));
		return 0;
	}
	if (json_is_object(v)) {
		json_object_foreach (v, key, m) {
			FUZZ_CHECK(gw_str_utf8_valid(key, strlen(key)));
			sub = depth_of(m);
			d = sub > d ? sub : d;
		}
		return d + 1;
	}
	if (json_is_array(v)) {
		json_array_foreach (v, i, m) {
			sub = depth_of(m);
			d = sub > d ? sub : d;
		}
		return d + 1;
	}
	return 0;
}

/* The value survives serialisation: it dumps, and the text parses back to an equal value. */
static void check_round_trip(json_t *v)
{
	json_error_t jerr;
	char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	json_t *back;

	FUZZ_CHECK(text != NULL);
	back = json_loads(text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	if (back == NULL)
		fprintf(stderr, "json_loads: %s\n", jerr.text);
	FUZZ_CHECK(back != NULL);
	FUZZ_CHECK(json_equal(v, back));
	json_decref(back);
	free(text);
}

/* Fed in three pieces (split where the input says), the reply converts to the same text. */
static void check_chunked(const char *data, size_t size, const struct gw_bbb_reply *whole)
{
	struct gw_xml2json *c;
	struct gw_bbb_reply r;
	size_t a = size > 0 ? (unsigned char)data[size - 1] % size : 0;
	size_t b = a + (size - a) / 2;
	enum gw_err err;

	FUZZ_CHECK(gw_xml2json_new(0, size, &c) == GW_OK);
	err = gw_xml2json_feed(c, data, a);
	if (err == GW_OK)
		err = gw_xml2json_feed(c, data + a, b - a);
	if (err == GW_OK)
		err = gw_xml2json_feed(c, data + b, size - b);
	if (err == GW_OK)
		err = gw_xml2json_finish(c, &r);
	FUZZ_CHECK(err == GW_OK);
	FUZZ_CHECK(r.body_len == whole->body_len && memcmp(r.body, whole->body, r.body_len) == 0);
	FUZZ_CHECK(r.success == whole->success);
	gw_bbb_reply_deinit(&r);
	gw_xml2json_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gw_bbb_reply r;
	enum gw_err err;
	json_t *body;

	memset(&r, 0, sizeof(r));
	err = gw_xml2json_convert((const char *)data, size, 0, &r);
	if (err != GW_OK) {
		FUZZ_CHECK(err == GW_E_UPSTREAM_BAD_REPLY || err == GW_E_NOMEM);
		/* out is written only on success */
		FUZZ_CHECK(r.body == NULL && r.errors == NULL && r.message_key == NULL);
		return 0;
	}
	body = json_loadb(r.body, r.body_len, 0, NULL);
	FUZZ_CHECK(strlen(r.body) == r.body_len);
	FUZZ_CHECK(json_is_object(body));
	FUZZ_CHECK(depth_of(body) <= MAX_JSON_DEPTH);
	check_round_trip(body);
	json_decref(body);
	check_chunked((const char *)data, size, &r);
	if (r.errors != NULL) {
		FUZZ_CHECK(json_is_array(r.errors));
		FUZZ_CHECK(depth_of(r.errors) <= MAX_JSON_DEPTH);
		check_round_trip(r.errors);
	}
	if (r.message_key != NULL)
		FUZZ_CHECK(r.message_key[0] != '\0' &&
			   gw_str_utf8_valid(r.message_key, strlen(r.message_key)));
	if (r.message != NULL)
		FUZZ_CHECK(r.message[0] != '\0' && gw_str_utf8_valid(r.message, strlen(r.message)));
	gw_bbb_reply_deinit(&r);
	return 0;
}
