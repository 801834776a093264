/*
 * bbbsim_query.c - what the BBB simulator reads from a request's query
 * string: form decoding, the parameter list (first occurrence of a name
 * wins, as bbb-web's params.get(x)[0]), and checksum verification exactly
 * as bbb-web does it (bbb-api.md section 2.2), dispatching to the
 * bbb-webhooks and setConfigXML variants. Also Java's URL coding rules,
 * the OpenSSL digest and random helpers the simulator uses; never the
 * gateway's signing code.
 */
#include "bbbsim_int.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* --- query strings ---------------------------------------------------- */

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* application/x-www-form-urlencoded decoding; a malformed %XX stays literal. */
static char *form_decode(const char *s, size_t n)
{
	char *out = sim_xmalloc(n + 1);
	size_t o = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int hi = i + 2 < n ? hex_value(s[i + 1]) : -1;
		int lo = i + 2 < n ? hex_value(s[i + 2]) : -1;

		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] == '%' && hi >= 0 && lo >= 0) {
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return out;
}

bool sim_query_next(const char **cursor, char **name, char **value)
{
	const char *p = *cursor;
	const char *end;
	const char *eq;

	while (*p == '&')
		p++;
	if (*p == '\0') {
		*cursor = p;
		return false;
	}
	end = strchr(p, '&');
	if (end == NULL)
		end = p + strlen(p);
	eq = memchr(p, '=', (size_t)(end - p));
	if (eq != NULL) {
		*name = form_decode(p, (size_t)(eq - p));
		*value = form_decode(eq + 1, (size_t)(end - eq - 1));
	} else {
		*name = form_decode(p, (size_t)(end - p));
		*value = sim_xstrdup("");
	}
	*cursor = end;
	return true;
}

char *bbbsim_query_param(const char *query, const char *name)
{
	const char *cur = query != NULL ? query : "";
	char *k;
	char *v;

	while (sim_query_next(&cur, &k, &v)) {
		bool hit = strcmp(k, name) == 0;

		free(k);
		if (hit)
			return v;
		free(v);
	}
	return NULL;
}

char *sim_url_decode_strict(const char *s)
{
	size_t n = strlen(s);
	char *out = sim_xmalloc(n + 1);
	size_t o = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] != '%') {
			out[o++] = s[i];
		} else if (i + 2 < n && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
			out[o++] = (char)(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
			i += 2;
		} else {
			free(out);
			return NULL;
		}
	}
	out[o] = '\0';
	return out;
}

void sim_url_encode_java(struct sim_buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '-' || c == '*' || c == '_')
			sim_buf_add(b, s, 1);
		else if (c == ' ')
			sim_buf_puts(b, "+");
		else
			sim_buf_printf(b, "%%%02X", c);
	}
}

bool sim_groovy_true(const char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	n = strlen(s);
	while (n > 0 &&
	       (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	return (n == 4 && strncasecmp(s, "true", 4) == 0) || (n == 1 && (*s == 'y' || *s == 'Y')) ||
	       (n == 1 && *s == '1');
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

char *sim_meta_key(const char *name)
{
	char *key;
	size_t j;

	if (strncmp(name, "meta_", 5) != 0 || !is_alpha(name[5]))
		return NULL;
	name += 5;
	for (j = 1; name[j] != '\0'; j++)
		if (!is_alpha(name[j]) && !(name[j] >= '0' && name[j] <= '9') && name[j] != '-')
			return NULL;
	key = sim_xstrdup(name);
	for (j = 0; key[j] != '\0'; j++)
		if (key[j] >= 'A' && key[j] <= 'Z')
			key[j] = (char)(key[j] - 'A' + 'a');
	return key;
}

/* --- parameter lists ------------------------------------------------- */

void sim_params_parse(struct sim_params *p, const char *query)
{
	const char *cur = query;
	char *k;
	char *v;

	while (sim_query_next(&cur, &k, &v)) {
		p->names = sim_xrealloc(p->names, (p->n + 1) * sizeof(*p->names));
		p->values = sim_xrealloc(p->values, (p->n + 1) * sizeof(*p->values));
		p->names[p->n] = k;
		p->values[p->n] = v;
		p->n++;
	}
}

void sim_params_free(struct sim_params *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->names[i]);
		free(p->values[i]);
	}
	free(p->names);
	free(p->values);
	memset(p, 0, sizeof(*p));
}

const char *sim_param(const struct sim_params *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->names[i], name) == 0)
			return p->values[i];
	return NULL;
}

const char *sim_param_set(const struct sim_params *p, const char *name)
{
	const char *v = sim_param(p, name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

bool sim_all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

unsigned long sim_param_ulong(const struct sim_params *p, const char *name)
{
	const char *v = sim_param(p, name);

	return v != NULL && sim_all_digits(v) ? strtoul(v, NULL, 10) : 0;
}

bool sim_param_true(const struct sim_params *p, const char *name)
{
	const char *v = sim_param(p, name);

	return v != NULL && strcasecmp(v, "true") == 0;
}

/* --- digests, randomness ------------------------------------------------ */

static const EVP_MD *digest_by_name(const char *alg)
{
	if (strcmp(alg, "sha1") == 0)
		return EVP_sha1();
	if (strcmp(alg, "sha256") == 0)
		return EVP_sha256();
	if (strcmp(alg, "sha384") == 0)
		return EVP_sha384();
	if (strcmp(alg, "sha512") == 0)
		return EVP_sha512();
	return NULL;
}

char *sim_digest_hex(const char *alg, const void *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	const EVP_MD *type = digest_by_name(alg);
	unsigned int n = 0;
	unsigned int i;
	char *hex;

	if (type == NULL || EVP_Digest(data, len, md, &n, type, NULL) != 1)
		return NULL;
	hex = sim_xmalloc(2 * (size_t)n + 1);
	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 0x0f];
	}
	hex[2 * n] = '\0';
	return hex;
}

void sim_random_chars(char *out, size_t n, const char *set)
{
	size_t k = strlen(set);
	unsigned limit = 256u - 256u % (unsigned)k;
	size_t i = 0;

	while (i < n) {
		unsigned char byte;

		if (RAND_bytes(&byte, 1) != 1)
			abort();
		if (byte >= limit)
			continue; /* rejection keeps the choice unbiased */
		out[i++] = set[byte % k];
	}
	out[n] = '\0';
}

/* --- checksum (bbb-api.md section 2.2) ------------------------------- */

const char *sim_algorithm_by_length(size_t n)
{
	switch (n) {
	case 40:
		return "sha1";
	case 64:
		return "sha256";
	case 96:
		return "sha384";
	case 128:
		return "sha512";
	default:
		return NULL;
	}
}

/* Java String.replace(target, ""): removes every non-overlapping occurrence. */
static char *remove_all(char *s, const char *needle)
{
	struct sim_buf b = {0};
	size_t nl = strlen(needle);
	const char *p = s;

	for (;;) {
		const char *hit = strstr(p, needle);

		if (hit == NULL)
			break;
		sim_buf_add(&b, p, (size_t)(hit - p));
		p = hit + nl;
	}
	sim_buf_puts(&b, p);
	free(s);
	return b.p;
}

static char *strip_checksum(const char *query, const char *checksum)
{
	char *rest = sim_xstrdup(query);
	char *needle;

	needle = sim_xasprintf("&checksum=%s", checksum);
	rest = remove_all(rest, needle);
	free(needle);
	needle = sim_xasprintf("checksum=%s&", checksum);
	rest = remove_all(rest, needle);
	free(needle);
	needle = sim_xasprintf("checksum=%s", checksum);
	rest = remove_all(rest, needle);
	free(needle);
	return rest;
}

enum sim_checksum sim_verify(const struct bbbsim *sim, const char *call, const char *query,
			     const char **alg_out)
{
	char *cs = bbbsim_query_param(query, "checksum");
	enum sim_checksum res = SIM_CHECKSUM_MISMATCH;
	const char *alg;
	char *rest;
	char *input;
	char *hex;

	*alg_out = NULL;
	if (cs == NULL || cs[0] == '\0') {
		free(cs);
		return sim->secret[0] == '\0' ? SIM_CHECKSUM_OK : SIM_CHECKSUM_MISSING;
	}
	alg = sim_algorithm_by_length(strlen(cs));
	*alg_out = alg;
	if (sim->secret[0] == '\0') {
		free(cs);
		return SIM_CHECKSUM_OK;
	}
	if (alg == NULL || strstr(sim->algorithms, alg) == NULL) {
		free(cs);
		return SIM_CHECKSUM_MISMATCH;
	}
	rest = strip_checksum(query, cs);
	input = sim_xasprintf("%s%s%s", call, rest, sim->secret);
	hex = sim_digest_hex(alg, input, strlen(input));
	if (hex != NULL && strcasecmp(hex, cs) == 0)
		res = SIM_CHECKSUM_OK;
	free(hex);
	free(input);
	free(rest);
	free(cs);
	return res;
}

bool sim_algorithm_listed(const char *list, const char *alg)
{
	size_t n = strlen(alg);
	const char *p = list;

	while (*p != '\0') {
		const char *end = strchr(p, ',');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

		while (len > 0 && *p == ' ') {
			p++;
			len--;
		}
		while (len > 0 && p[len - 1] == ' ')
			len--;
		if (len == n && strncmp(p, alg, n) == 0)
			return true;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return false;
}

enum sim_checksum sim_verify_call(const struct bbbsim *sim, const struct sim_call *c,
				  const char **alg_out)
{
	*alg_out = NULL;
	if (strncmp(c->call, "hooks/", 6) == 0)
		return sim_hooks_verify(sim, c->call, c->query, alg_out);
	if (strcmp(c->call, "setConfigXML") == 0)
		return sim_legacy_verify(sim, c, alg_out);
	return sim_verify(sim, c->call, c->query, alg_out);
}
