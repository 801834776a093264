/*
 * recfix.c - see recfix.h.
 */
#include "recfix.h"

#include <check.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

struct bbbsim *sim;
unsigned other_port;
static const char *secret = SECRET;

/* --- requests ------------------------------------------------------------ */

struct bbbsim_resp http(const char *method, const char *target, const char *ctype, const char *body,
			size_t len)
{
	unsigned port = other_port != 0 ? other_port : bbbsim_port(sim);
	struct bbbsim_resp r = bbbsim_http(port, method, target, ctype, body, len);

	ck_assert_msg(r.status != 0, "no response to %s %s", method, target);
	return r;
}

struct bbbsim_resp get(const char *target)
{
	return http("GET", target, NULL, NULL, 0);
}

/* Hex digest of call + query + secret; upper: in capitals. malloc'd. */
char *checksum(const char *alg, const char *call, const char *query, bool upper)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	size_t n = strlen(call) + strlen(query) + strlen(secret) + 1;
	char *in = malloc(n);
	unsigned int len = 0;
	unsigned int i;
	char *hex;

	snprintf(in, n, "%s%s%s", call, query, secret);
	ck_assert_int_eq(EVP_Digest(in, strlen(in), md, &len, EVP_get_digestbyname(alg), NULL), 1);
	hex = malloc(2 * len + 1);
	for (i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, upper ? "%02X" : "%02x", md[i]);
	free(in);
	return hex;
}

/* "/bigbluebutton/api/<call>?<query>&checksum=<hex>", malloc'd. */
char *signed_target(const char *alg, const char *call, const char *query, bool upper)
{
	char *hex = checksum(alg, call, query, upper);
	size_t n = strlen(call) + strlen(query) + strlen(hex) + 40;
	char *t = malloc(n);

	snprintf(t, n, API "%s?%s%schecksum=%s", call, query, query[0] != '\0' ? "&" : "", hex);
	free(hex);
	return t;
}

struct bbbsim_resp call_as(const char *alg, bool upper, const char *method, const char *call,
			   const char *query, const char *ctype, const char *body, size_t len)
{
	char *t = signed_target(alg, call, query, upper);
	struct bbbsim_resp r = http(method, t, ctype, body, len);

	free(t);
	return r;
}

struct bbbsim_resp post(const char *call, const char *query, const char *ctype, const char *body,
			size_t len)
{
	return call_as("sha1", false, "POST", call, query, ctype, body, len);
}

struct bbbsim_resp call(const char *call_name, const char *query)
{
	return call_as("sha1", false, "GET", call_name, query, NULL, NULL, 0);
}

struct bbbsim_resp hook(const char *alg, const char *verb, const char *query)
{
	char name[32];

	snprintf(name, sizeof(name), "hooks/%s", verb);
	return call_as(alg, false, "GET", name, query, NULL, NULL, 0);
}

/* --- assertions ---------------------------------------------------------- */

unsigned count(const char *s, const char *needle)
{
	unsigned n = 0;

	for (s = strstr(s, needle); s != NULL; s = strstr(s + 1, needle))
		n++;
	return n;
}

/* Each check takes the response and frees it. */
void is(struct bbbsim_resp r, const char *want)
{
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body, want);
	bbbsim_resp_free(&r);
}

void has(struct bbbsim_resp r, const char *want)
{
	assert_has(r.body, want);
	bbbsim_resp_free(&r);
}

void status(struct bbbsim_resp r, int want)
{
	ck_assert_int_eq(r.status, want);
	bbbsim_resp_free(&r);
}

void content_type(const struct bbbsim_resp *r, const char *want)
{
	char *ct = bbbsim_resp_header(r, "Content-Type");

	if (want == NULL) {
		ck_assert_ptr_null(ct);
		return;
	}
	ck_assert_msg(ct != NULL && strcmp(ct, want) == 0, "Content-Type %s", ct);
	free(ct);
}

/* --- fixture ------------------------------------------------------------- */

struct bbbsim *start(struct bbbsim_opts o)
{
	struct bbbsim *s;

	if (o.secret == NULL)
		o.secret = SECRET;
	if (o.recordings_file == NULL)
		o.recordings_file = gw_test_data_path("bbbsim/recordings.txt");
	secret = o.secret;
	s = bbbsim_start(&o);
	ck_assert_ptr_nonnull(s);
	return s;
}

void restart(struct bbbsim_opts o)
{
	bbbsim_stop(sim);
	sim = start(o);
}

void setup(void)
{
	struct bbbsim_opts o = {0};

	signal(SIGPIPE, SIG_IGN);
	sim = start(o);
}

void teardown(void)
{
	bbbsim_stop(sim);
	sim = NULL;
}
