/*
 * fuzz_query.c - BBB query encoding (bbb_sign.c) against the gateway's own
 * decoder (str.c): the input is split at NUL bytes into name, value, name,
 * value, ...; each pair goes through gw_bbb_query_add, and the whole input
 * through gw_bbb_encode.
 *
 * Checks: the query holds only java.net.URLEncoder's output alphabet
 * (A-Z a-z 0-9 . - * _ + and %XX with upper-case hex), one '&' between
 * pairs and one '=' in each; decoding every name and value with
 * gw_str_pct_decode(plus_is_space=true) gives the input back exactly when
 * it is valid UTF-8 and fails otherwise; an append that passes the cap
 * fails with GW_E_TOO_LARGE and leaves the buffer as it was.
 */
#include <string.h>

#include "bbb_sign.h"
#include "buf.h"
#include "fuzz.h"
#include "gw_limits.h"
#include "str.h"

#define MAX_FIELDS 16

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

void fuzz_cleanup(void)
{
}

static bool is_hex_upper(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

/* n bytes of encoder output use only the form-encoding alphabet. */
static void check_alphabet(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '%') {
			FUZZ_CHECK(i + 2 < n && is_hex_upper(s[i + 1]) && is_hex_upper(s[i + 2]));
			i += 2;
			continue;
		}
		FUZZ_CHECK((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			   (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '*' || c == '_' ||
			   c == '+');
	}
}

/* The encoded bytes decode back to the original, or fail exactly when it is not UTF-8. */
static void check_decodes_to(const char *enc, size_t n, const char *orig)
{
	char *dec = NULL;
	enum gw_err err;

	check_alphabet(enc, n);
	err = gw_str_pct_decode(enc, n, true, &dec);
	if (gw_str_utf8_valid(orig, strlen(orig))) {
		FUZZ_CHECK(err == GW_OK);
		FUZZ_CHECK(strcmp(dec, orig) == 0);
		free(dec);
	} else {
		FUZZ_CHECK(err == GW_E_PARSE);
		FUZZ_CHECK(dec == NULL);
	}
}

/* Splits the query at '&' and checks pair i against fields[2i], fields[2i+1]. */
static void check_query(const struct gw_buf *q, char **fields, const bool *added, size_t npairs)
{
	const char *p = gw_buf_str(q);
	const char *end = p + q->len;
	size_t i;

	for (i = 0; i < npairs; i++) {
		const char *amp;
		const char *eq;

		if (!added[i])
			continue;
		FUZZ_CHECK(p < end); /* an added pair is at least "=" */
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		eq = memchr(p, '=', (size_t)(amp - p));
		FUZZ_CHECK(eq != NULL);
		FUZZ_CHECK(memchr(eq + 1, '=', (size_t)(amp - eq - 1)) == NULL);
		check_decodes_to(p, (size_t)(eq - p), fields[2 * i]);
		check_decodes_to(eq + 1, (size_t)(amp - eq - 1), fields[2 * i + 1]);
		p = amp < end ? amp + 1 : end;
	}
	FUZZ_CHECK(p == end);
}

static void check_pairs(char **fields, size_t nfields)
{
	bool added[MAX_FIELDS / 2];
	size_t npairs = nfields / 2;
	struct gw_buf q;
	size_t i;

	gw_buf_init(&q, GW_MAX_QUERY_BYTES);
	for (i = 0; i < npairs; i++) {
		size_t before = q.len;
		char *copy = strdup(gw_buf_str(&q));
		enum gw_err err;

		FUZZ_CHECK(copy != NULL);
		err = gw_bbb_query_add(&q, fields[2 * i], fields[2 * i + 1]);
		added[i] = err == GW_OK;
		if (err != GW_OK) {
			FUZZ_CHECK(err == GW_E_TOO_LARGE);
			FUZZ_CHECK(q.len == before && strcmp(gw_buf_str(&q), copy) == 0);
		}
		free(copy);
	}
	check_query(&q, fields, added, npairs);
	gw_buf_deinit(&q);
}

/* gw_bbb_encode over all the bytes, NULs included, into a roomy and into a tight buffer. */
static void check_encode(const uint8_t *data, size_t size)
{
	struct gw_buf b;
	size_t want = 0;
	char *dec = NULL;
	size_t i;
	enum gw_err err;

	for (i = 0; i < size; i++) {
		unsigned char c = data[i];
		bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			    (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '*' ||
			    c == '_' || c == ' ';

		want += keep ? 1 : 3;
	}
	gw_buf_init(&b, 3 * size + 16);
	FUZZ_CHECK(gw_bbb_encode(&b, (const char *)data, size) == GW_OK);
	FUZZ_CHECK(b.len == want);
	check_alphabet(gw_buf_str(&b), b.len);
	err = gw_str_pct_decode(gw_buf_str(&b), b.len, true, &dec);
	if (memchr(data, '\0', size) == NULL && gw_str_utf8_valid((const char *)data, size)) {
		FUZZ_CHECK(err == GW_OK && strlen(dec) == size && memcmp(dec, data, size) == 0);
		free(dec);
	} else {
		FUZZ_CHECK(err == GW_E_PARSE);
	}
	gw_buf_deinit(&b);

	/* Past a small cap: all or nothing. */
	gw_buf_init(&b, 24);
	FUZZ_CHECK(gw_buf_append_str(&b, "call=x") == GW_OK);
	err = gw_bbb_encode(&b, (const char *)data, size);
	if (want + 6 <= 24) {
		FUZZ_CHECK(err == GW_OK && b.len == want + 6);
	} else {
		FUZZ_CHECK(err == GW_E_TOO_LARGE);
		FUZZ_CHECK(b.len == 6 && strcmp(gw_buf_str(&b), "call=x") == 0);
	}
	gw_buf_deinit(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	char *fields[MAX_FIELDS];
	size_t nfields = 0;
	size_t i = 0;

	FUZZ_CHECK(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';
	/* NUL-separated fields; an odd last name gets an empty value. */
	while (nfields < MAX_FIELDS) {
		fields[nfields++] = text + i;
		i += strlen(text + i);
		if (i >= size)
			break;
		i++;
	}
	if (nfields % 2 != 0 && nfields < MAX_FIELDS)
		fields[nfields++] = text + size;
	check_pairs(fields, nfields);
	check_encode(data, size);
	free(text);
	return 0;
}
