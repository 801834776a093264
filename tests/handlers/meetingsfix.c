/*
 * meetingsfix.c - see meetingsfix.h.
 */
#include "meetingsfix.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "bbb_api.h"
#include "bbb_calls.h"
#include "testutil.h"

struct gw_config *cfg;
struct gw_exchange *x;
FILE *log_file;

struct qp q;

static void qp_clear(void)
{
	size_t i;

	for (i = 0; i < q.n; i++) {
		free(q.name[i]);
		free(q.value[i]);
	}
	q.n = 0;
}

void setup(void)
{
	cfg = gw_test_config("bbb = { url = \"" BBB_URL "\"; public_url = \"" PUBLIC_URL "\";\n"
			     "  secret = \"" SECRET "\"; forward_unknown_params = true; };\n");
	x = gw_exchange_new(cfg);
	ck_assert_ptr_nonnull(x);
	gw_request_set_id(&x->req, "meetings-test");
	q.n = 0;
	/* keep the handlers' warnings out of the TAP stream, and readable by tests */
	log_file = tmpfile();
	ck_assert_ptr_nonnull(log_file);
	gw_log_set_fd(fileno(log_file));
}

void teardown(void)
{
	gw_log_set_fd(2);
	fclose(log_file);
	qp_clear();
	gw_exchange_free(x);
	gw_config_unref(cfg);
}

/* A fresh exchange (same config). */
void restart(void)
{
	gw_exchange_free(x);
	x = gw_exchange_new(cfg);
	ck_assert_ptr_nonnull(x);
	gw_request_set_id(&x->req, "meetings-test");
	qp_clear();
}

void set_meeting(const char *id)
{
	x->req.params[0] = gw_test_xstrdup(x, id);
	x->req.n_params = 1;
}

void set_body(const char *json)
{
	gw_test_set_json_body(x, json);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Form-decodes n bytes ('+' is a space, %XX a byte). */
static char *form_decode(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	size_t i;
	size_t j = 0;

	ck_assert_ptr_nonnull(d);
	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			ck_assert_msg(i + 2 < n, "broken escape in %.*s", (int)n, s);
			ck_assert(hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0);
			d[j++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else if (s[i] == '+') {
			d[j++] = ' ';
		} else {
			d[j++] = s[i];
		}
	}
	d[j] = '\0';
	return d;
}

/* Splits an encoded query into q. */
static void parse_query(const char *query)
{
	const char *p = query;

	qp_clear();
	while (*p != '\0') {
		const char *amp = strchr(p, '&');
		size_t n = amp != NULL ? (size_t)(amp - p) : strlen(p);
		const char *eq = memchr(p, '=', n);

		ck_assert_msg(eq != NULL, "parameter without '=' in %s", query);
		ck_assert_uint_lt(q.n, MAX_QP);
		q.name[q.n] = form_decode(p, (size_t)(eq - p));
		q.value[q.n] = form_decode(eq + 1, n - (size_t)(eq - p) - 1);
		q.n++;
		p = amp != NULL ? amp + 1 : p + n;
	}
}

/* The decoded value of parameter name in q, or NULL. */
const char *qget(const char *name)
{
	size_t i;

	for (i = 0; i < q.n; i++) {
		if (strcmp(q.name[i], name) == 0)
			return q.value[i];
	}
	return NULL;
}

static const EVP_MD *md_of(enum gw_digest alg)
{
	switch (alg) {
	case GW_DIGEST_SHA1:
		return EVP_sha1();
	case GW_DIGEST_SHA384:
		return EVP_sha384();
	case GW_DIGEST_SHA512:
		return EVP_sha512();
	default:
		return EVP_sha256();
	}
}

/* lowercase hex of H(call + query + secret), with OpenSSL's EVP API. */
static void checksum_hex(const EVP_MD *md, const char *call, const char *query, size_t qlen,
			 char *hex)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dl = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int i;

	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(EVP_DigestInit_ex(ctx, md, NULL), 1);
	ck_assert_int_eq(EVP_DigestUpdate(ctx, call, strlen(call)), 1);
	ck_assert_int_eq(EVP_DigestUpdate(ctx, query, qlen), 1);
	ck_assert_int_eq(EVP_DigestUpdate(ctx, SECRET, strlen(SECRET)), 1);
	ck_assert_int_eq(EVP_DigestFinal_ex(ctx, d, &dl), 1);
	EVP_MD_CTX_free(ctx);
	for (i = 0; i < dl; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

/*
 * Checks that url is base/call?<query>[&]checksum=<H(call+query+secret)>
 * and decodes the query into q.
 */
void verify_signed(const char *url, const char *base, const char *call)
{
	char prefix[512];
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	const char *rest;
	const char *sum;
	size_t qlen;
	char *query;

	ck_assert_ptr_nonnull(url);
	snprintf(prefix, sizeof(prefix), "%s/%s?", base, call);
	ck_assert_msg(strncmp(url, prefix, strlen(prefix)) == 0, "url %s, want prefix %s", url,
		      prefix);
	rest = url + strlen(prefix);
	sum = strstr(rest, "checksum=");
	ck_assert_ptr_nonnull(sum);
	/* the checksum is the last parameter; anything after it would be unsigned */
	ck_assert_ptr_null(strchr(sum, '&'));
	ck_assert(sum == rest || sum[-1] == '&');
	qlen = sum == rest ? 0 : (size_t)(sum - rest) - 1;
	checksum_hex(md_of(cfg->checksum), call, rest, qlen, hex);
	ck_assert_str_eq(sum + strlen("checksum="), hex);
	query = malloc(qlen + 1);
	ck_assert_ptr_nonnull(query);
	memcpy(query, rest, qlen);
	query[qlen] = '\0';
	parse_query(query);
	free(query);
}

/* The handler asked for BBB call `call`; its query is decoded into q. */
void assert_call(const char *call)
{
	ck_assert_msg(x->resp.status == 0, "status %d: %s", x->resp.status,
		      x->resp.body != NULL ? x->resp.body : "");
	ck_assert_ptr_nonnull(x->up.url);
	ck_assert_str_eq(x->bbb.name, call);
	/* named by its entry in the table of calls */
	ck_assert_ptr_nonnull(x->bbb.def);
	ck_assert(x->bbb.def >= gw_bbb_calls && x->bbb.def < gw_bbb_calls + GW_BBB_N_CALLS);
	ck_assert_str_eq(x->bbb.def->name, call);
	ck_assert(x->bbb.finish != NULL);
	verify_signed(x->up.url, BBB_URL, call);
}

/* A 400 bad_request naming field (NULL: no "field" member); no BBB call. */
void assert_bad_request(const char *field)
{
	json_t *p;

	ck_assert_msg(x->resp.status == 400, "status %d for %s", x->resp.status,
		      x->req.body != NULL ? x->req.body : "(no body)");
	ck_assert_str_eq(x->resp.content_type, "application/problem+json");
	ck_assert_ptr_null(x->up.url);
	p = gw_test_json_body(x);
	ck_assert_str_eq(gw_test_jstr(p, "code"), "bad_request");
	ck_assert_str_eq(gw_test_jstr(p, "requestId"), "meetings-test");
	if (field != NULL) {
		ck_assert_msg(gw_test_jstr(p, "field") != NULL, "no field in %s", x->resp.body);
		ck_assert_str_eq(gw_test_jstr(p, "field"), field);
	} else {
		ck_assert_ptr_null(json_object_get(p, "field"));
	}
	json_decref(p);
}

/* Lets the requested call finish with an HTTP 200 reply and builds the response. */
void bbb_replies(const char *xml)
{
	ck_assert_ptr_nonnull(x->up.url);
	x->up.result = GW_OK;
	x->up.http_status = 200;
	/* upstream.c sets the cap when it submits; this call never went through it */
	x->up.reply.max = GW_DEFAULT_BBB_MAX_REPLY_BYTES;
	ck_assert_int_eq(gw_buf_append(&x->up.reply, xml, strlen(xml)), GW_OK);
	free(x->up.reply_content_type);
	x->up.reply_content_type = strdup("text/xml;charset=utf-8");
	gw_bbb_complete(x);
}

void bbb_replies_file(const char *rel)
{
	char *xml = gw_test_read_data(rel, NULL);

	bbb_replies(xml);
	free(xml);
}

char *create_reply(const char *id, bool dup)
{
	char *s = malloc(2048);

	ck_assert_ptr_nonnull(s);
	snprintf(s, 2048,
		 "<response>\n"
		 "<returncode>SUCCESS</returncode>\n"
		 "<meetingID>%s</meetingID>\n"
		 "<internalMeetingID>be50234e1c66bebcfce306edca2e3a65c2133730-1715261728123"
		 "</internalMeetingID>\n"
		 "<parentMeetingID>bbb-none</parentMeetingID>\n"
		 "<attendeePW>ap8KfJ2x</attendeePW>\n"
		 "<moderatorPW>mp3Lq9Zt</moderatorPW>\n"
		 "<createTime>1715261728123</createTime>\n"
		 "<voiceBridge>70123</voiceBridge>\n"
		 "<dialNumber>613-555-1234</dialNumber>\n"
		 "<createDate>Thu May 09 13:35:28 UTC 2024</createDate>\n"
		 "<hasUserJoined>false</hasUserJoined>\n"
		 "<duration>0</duration>\n"
		 "<hasBeenForciblyEnded>false</hasBeenForciblyEnded>\n"
		 "<messageKey>%s</messageKey>\n"
		 "<message>%s</message>\n"
		 "</response>",
		 id, dup ? "duplicateWarning" : "",
		 dup ? "This conference was already in existence and may currently be in "
		       "progress."
		     : "");
	return s;
}

json_t *join_ok(void)
{
	json_t *j;
	const char *url;

	ck_assert_msg(x->resp.status == 200, "status %d: %s", x->resp.status,
		      x->resp.body != NULL ? x->resp.body : "");
	ck_assert_ptr_null(x->up.url);
	ck_assert_str_eq(x->resp.content_type, "application/json; charset=utf-8");
	j = gw_test_json_body(x);
	url = gw_test_jstr(j, "url");
	ck_assert_ptr_nonnull(url);
	ck_assert_msg(strncmp(url, PUBLIC_URL "/join?", strlen(PUBLIC_URL "/join?")) == 0, "url %s",
		      url);
	verify_signed(url, PUBLIC_URL, "join");
	return j;
}
