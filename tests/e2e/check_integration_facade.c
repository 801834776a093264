/*
 * check_integration_facade.c - the BBB-compatible API end to end: BBB-style
 * requests signed here (OpenSSL, not the gateway's code) with each
 * tenant's secret and SHA-1/256/384/512, verified as bbb-web verifies
 * them, re-signed towards the simulator (which verifies the gateway's
 * checksum), and answered with BBB's XML as the tenant sees it: its
 * meetings without the prefix, no other tenant's meetings, recordings or
 * hooks, its create policy and quota, and every refusal as BBB's FAILED
 * XML with HTTP 200 (a join's as BBB's redirect with errors=).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "harness.h"
#include "jwtutil.h"
#include "testutil.h"

#define LMS_SECRET "lms-facade-secret-0123456789abcdef0123"
#define PORTAL_SECRET "portal-facade-secret-0123456789abcdef"
#define NOSECRET_NAME "internal"

#define REC_LMS "1111111111111111111111111111111111111111-1715261728001"
#define REC_PORTAL "2222222222222222222222222222222222222222-1715261728002"

static char recordings_path[4096];
static bool default_tenant;

static void tenant(struct gw_tenant *t, const char *name, const char *prefix, const char *secret)
{
	t->name = strdup(name);
	t->prefix = strdup(prefix);
	t->prefix_len = strlen(prefix);
	t->secret = secret != NULL ? strdup(secret) : NULL;
	t->checksums = 0xf;
}

static void facade_tweak(struct gw_config *c)
{
	struct gw_tenant *t = calloc(3, sizeof(*t));

	ck_assert_ptr_nonnull(t);
	tenant(&t[0], "lms", "lms~", LMS_SECRET);
	t[0].deny = calloc(2, sizeof(char *));
	t[0].deny[0] = strdup("dialNumber");
	t[0].n_deny = 1;
	t[0].max_participants = 100;
	t[0].max_meetings = 3;
	tenant(&t[1], "portal", "portal~", PORTAL_SECRET);
	t[1].checksums = (1u << GW_DIGEST_SHA256) | (1u << GW_DIGEST_SHA512);
	tenant(&t[2], NOSECRET_NAME, "int~", NULL);
	c->tenants = t;
	c->n_tenants = 3;
	c->tenant_count_ms = 0;
	c->facade_enabled = true;
	c->facade_public_url = strdup("https://gw.example.org");
	if (default_tenant)
		c->facade_default_tenant = strdup("lms");
	/* the client's callbacks go to this test on loopback */
	c->fetch_allow = calloc(1, sizeof(char *));
	c->fetch_allow[0] = strdup("127.0.0.1");
	c->n_fetch_allow = 1;
}

static void facade_setup(void)
{
	snprintf(recordings_path, sizeof(recordings_path), "%s",
		 gw_test_data_path("bbbsim/recordings-tenants.txt"));
	harness_sim_opts.recordings_file = recordings_path;
	harness_tweak = facade_tweak;
	setup();
}

static void default_setup(void)
{
	default_tenant = true;
	facade_setup();
}

static void facade_teardown(void)
{
	teardown();
	harness_tweak = NULL;
	harness_sim_opts.recordings_file = NULL;
	default_tenant = false;
}

/* hex(H(call + query + secret)) with OpenSSL, into out. */
static void checksum(const EVP_MD *md, const char *call, const char *query, const char *secret,
		     char *out)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	ck_assert_ptr_nonnull(ctx);
	ck_assert(EVP_DigestInit_ex(ctx, md, NULL) == 1);
	EVP_DigestUpdate(ctx, call, strlen(call));
	EVP_DigestUpdate(ctx, query, strlen(query));
	EVP_DigestUpdate(ctx, secret, strlen(secret));
	ck_assert(EVP_DigestFinal_ex(ctx, d, &n) == 1);
	EVP_MD_CTX_free(ctx);
	for (unsigned int i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

/* GET base + call + "?" + query + checksum (with md and secret); Host header host when not NULL. */
static void bbb_get_as(struct reply *r, const char *base, const char *call, const char *query,
		       const char *secret, const EVP_MD *md, const char *host)
{
	char sum[2 * EVP_MAX_MD_SIZE + 1];
	char path[4096];
	char hosthdr[256];
	struct req q = {.method = "GET", .path = path};

	checksum(md, call, query, secret, sum);
	snprintf(path, sizeof(path), "%s/bigbluebutton/api/%s?%s%schecksum=%s", base, call, query,
		 query[0] != '\0' ? "&" : "", sum);
	if (host != NULL) {
		snprintf(hosthdr, sizeof(hosthdr), "Host: %s", host);
		q.extra_header = hosthdr;
	}
	do_request(&q, r);
}

static void lms_get(struct reply *r, const char *call, const char *query)
{
	bbb_get_as(r, "/lms", call, query, LMS_SECRET, EVP_sha1(), NULL);
}

static void portal_get(struct reply *r, const char *call, const char *query)
{
	bbb_get_as(r, "/portal", call, query, PORTAL_SECRET, EVP_sha256(), NULL);
}

/* The reply is BBB's XML with returncode rc (and messageKey key when not NULL), HTTP 200. */
static void assert_xml(const struct reply *r, const char *rc, const char *key)
{
	char want[128];
	const char *body = gw_buf_str(&r->body);

	ck_assert_msg(r->status == 200, "status %ld: %s", r->status, body);
	ck_assert_ptr_nonnull(strstr(header(r, "Content-Type"), "xml"));
	snprintf(want, sizeof(want), "<returncode>%s</returncode>", rc);
	ck_assert_msg(strstr(body, want) != NULL, "want %s: %s", rc, body);
	if (key != NULL) {
		snprintf(want, sizeof(want), "<messageKey>%s</messageKey>", key);
		ck_assert_msg(strstr(body, want) != NULL, "want %s: %s", key, body);
	}
}

static bool has(const struct reply *r, const char *text)
{
	return strstr(gw_buf_str(&r->body), text) != NULL;
}

START_TEST(test_facade_checksums)
{
	struct reply r;

	/* every algorithm, by the checksum's length */
	bbb_get_as(&r, "/lms", "getMeetings", "", LMS_SECRET, EVP_sha1(), NULL);
	assert_xml(&r, "SUCCESS", NULL);
	reply_free(&r);
	bbb_get_as(&r, "/lms", "getMeetings", "", LMS_SECRET, EVP_sha256(), NULL);
	assert_xml(&r, "SUCCESS", NULL);
	reply_free(&r);
	bbb_get_as(&r, "/lms", "getMeetings", "", LMS_SECRET, EVP_sha384(), NULL);
	assert_xml(&r, "SUCCESS", NULL);
	reply_free(&r);
	bbb_get_as(&r, "/lms", "isMeetingRunning", "meetingID=x", LMS_SECRET, EVP_sha512(), NULL);
	assert_xml(&r, "SUCCESS", NULL);
	reply_free(&r);
	/* the gateway signs towards BBB with its own secret: the simulator checked it */
	{
		struct bbbsim_request q;

		last_sim_request(&q);
		ck_assert(q.checksum_ok);
		ck_assert_str_eq(q.algorithm, "sha256");
		bbbsim_request_free(&q);
	}
	/* the portal accepts SHA-256 and SHA-512 only */
	bbb_get_as(&r, "/portal", "getMeetings", "", PORTAL_SECRET, EVP_sha1(), NULL);
	assert_xml(&r, "FAILED", "checksumError");
	reply_free(&r);
	bbb_get_as(&r, "/portal", "getMeetings", "", PORTAL_SECRET, EVP_sha512(), NULL);
	assert_xml(&r, "SUCCESS", NULL);
	reply_free(&r);
	/* another tenant's secret, an unknown tenant, one without a secret: the same answer */
	bbb_get_as(&r, "/lms", "getMeetings", "", PORTAL_SECRET, EVP_sha256(), NULL);
	assert_xml(&r, "FAILED", "checksumError");
	ck_assert(has(&r, "Checksums do not match"));
	reply_free(&r);
	bbb_get_as(&r, "/nobody", "getMeetings", "", LMS_SECRET, EVP_sha256(), NULL);
	assert_xml(&r, "FAILED", "checksumError");
	ck_assert(has(&r, "Checksums do not match"));
	reply_free(&r);
	bbb_get_as(&r, "/" NOSECRET_NAME, "getMeetings", "", "", EVP_sha256(), NULL);
	assert_xml(&r, "FAILED", "checksumError");
	reply_free(&r);
	/* no tenant by host or path, and no default */
	bbb_get_as(&r, "", "getMeetings", "", LMS_SECRET, EVP_sha256(), NULL);
	assert_xml(&r, "FAILED", "checksumError");
	reply_free(&r);
	call(&r, "GET", "/lms/bigbluebutton/api/getMeetings", NULL, NULL);
	assert_xml(&r, "FAILED", "checksumError");
	ck_assert(has(&r, "You must provide the checksum"));
	reply_free(&r);
	/* the call is part of what is signed */
	{
		char sum[2 * EVP_MAX_MD_SIZE + 1];
		char path[512];

		checksum(EVP_sha256(), "getMeetingInfo", "meetingID=x", LMS_SECRET, sum);
		snprintf(path, sizeof(path), "/lms/bigbluebutton/api/end?meetingID=x&checksum=%s",
			 sum);
		call(&r, "GET", path, NULL, NULL);
		assert_xml(&r, "FAILED", "checksumError");
		reply_free(&r);
		/* the checksum may come first, in upper case */
		checksum(EVP_sha256(), "isMeetingRunning", "meetingID=x", LMS_SECRET, sum);
		for (char *p = sum; *p != '\0'; p++)
			*p = *p >= 'a' && *p <= 'f' ? (char)(*p - 'a' + 'A') : *p;
		snprintf(path, sizeof(path),
			 "/lms/bigbluebutton/api/isMeetingRunning?checksum=%s&meetingID=x", sum);
		call(&r, "GET", path, NULL, NULL);
		assert_xml(&r, "SUCCESS", NULL);
		reply_free(&r);
	}
	/* the tenant by the first label of Host */
	bbb_get_as(&r, "", "getMeetings", "", LMS_SECRET, EVP_sha256(), "lms.bbb.example.org");
	assert_xml(&r, "SUCCESS", NULL);
	reply_free(&r);
	bbb_get_as(&r, "", "getMeetings", "", LMS_SECRET, EVP_sha256(), "portal.bbb.example.org");
	assert_xml(&r, "FAILED", "checksumError");
	reply_free(&r);
}
END_TEST

START_TEST(test_facade_default_tenant)
{
	struct reply r;

	bbb_get_as(&r, "", "getMeetings", "", LMS_SECRET, EVP_sha1(), NULL);
	assert_xml(&r, "SUCCESS", NULL);
	reply_free(&r);
	/* the API's root answers without a checksum */
	call(&r, "GET", "/bigbluebutton/api", NULL, NULL);
	assert_xml(&r, "SUCCESS", NULL);
	ck_assert(has(&r, "<apiVersion>"));
	reply_free(&r);
}
END_TEST

/* BBB sees the prefix and the policy; the tenant sees its own meetings without it. */
START_TEST(test_facade_meetings)
{
	struct reply r;

	lms_get(&r, "create", "name=Bio+101&meetingID=bio-101&maxParticipants=0&meta_origin=x");
	assert_xml(&r, "SUCCESS", NULL);
	ck_assert(has(&r, "<meetingID>bio-101</meetingID>"));
	ck_assert(!has(&r, "lms~"));
	reply_free(&r);
	harness_assert_sim_param("meetingID", "lms~bio-101");
	harness_assert_sim_param("meta_bbb-gateway-tenant", "lms");
	harness_assert_sim_param("maxParticipants", "100");
	harness_assert_sim_param("meta_origin", "x");
	portal_get(&r, "create", "name=Town+hall&meetingID=bio-101");
	assert_xml(&r, "SUCCESS", NULL);
	reply_free(&r);
	harness_assert_sim_param("meetingID", "portal~bio-101");

	lms_get(&r, "getMeetings", "");
	assert_xml(&r, "SUCCESS", NULL);
	ck_assert(has(&r, "<meetingID>bio-101</meetingID>"));
	ck_assert(has(&r, "Bio 101"));
	ck_assert(!has(&r, "Town hall"));
	ck_assert(!has(&r, "~"));
	reply_free(&r);
	portal_get(&r, "getMeetingInfo", "meetingID=bio-101");
	assert_xml(&r, "SUCCESS", NULL);
	ck_assert(has(&r, "Town hall"));
	reply_free(&r);

	/* refusals */
	lms_get(&r, "create", "name=X&meetingID=x1&dialNumber=555");
	assert_xml(&r, "FAILED", "paramDenied");
	reply_free(&r);
	lms_get(&r, "getMeetingInfo", "meetingID=portal~bio-101");
	assert_xml(&r, "FAILED", "paramDenied");
	reply_free(&r);
	lms_get(&r, "frobnicate", "");
	assert_xml(&r, "FAILED", "notFound");
	reply_free(&r);
	/* parameters come in the URL only: a form body would reach BBB unchecked */
	{
		char sum[2 * EVP_MAX_MD_SIZE + 1];
		char path[512];
		struct req q = {.method = "POST",
				.path = path,
				.body = "meetingID=portal~bio-101",
				.content_type = "application/x-www-form-urlencoded"};

		checksum(EVP_sha1(), "create", "name=X", LMS_SECRET, sum);
		snprintf(path, sizeof(path), "/lms/bigbluebutton/api/create?name=X&checksum=%s",
			 sum);
		do_request(&q, &r);
		assert_xml(&r, "FAILED", "unsupportedContentType");
		reply_free(&r);
		/* create with documents: BBB's <modules> body passed on with the re-signed URL */
		checksum(EVP_sha1(), "create", "name=Docs&meetingID=docs", LMS_SECRET, sum);
		snprintf(path, sizeof(path),
			 "/lms/bigbluebutton/api/create?name=Docs&meetingID=docs&checksum=%s", sum);
		q.body = "<modules><module name=\"presentation\"><document "
			 "url=\"https://files.example.org/a.pdf\"/></module></modules>";
		q.content_type = "application/xml";
		do_request(&q, &r);
		assert_xml(&r, "SUCCESS", NULL);
		reply_free(&r);
		{
			struct bbbsim_request sq;

			last_sim_request(&sq);
			ck_assert_str_eq(sq.method, "POST");
			ck_assert_ptr_nonnull(strstr(sq.body, "files.example.org/a.pdf"));
			ck_assert(sq.checksum_ok);
			bbbsim_request_free(&sq);
		}
		harness_assert_sim_param("meetingID", "lms~docs");
	}

	/* the quota: 3 meetings (bio-101, docs, two), a repeated create answered as BBB does */
	lms_get(&r, "create", "name=Two&meetingID=two");
	assert_xml(&r, "SUCCESS", NULL);
	reply_free(&r);
	lms_get(&r, "create", "name=Three&meetingID=three");
	assert_xml(&r, "FAILED", "quotaExceeded");
	reply_free(&r);
	lms_get(&r, "create", "name=Two&meetingID=two");
	assert_xml(&r, "SUCCESS", "duplicateWarning");
	reply_free(&r);

	lms_get(&r, "end", "meetingID=bio-101");
	assert_xml(&r, "SUCCESS", "sentEndMeetingRequest");
	reply_free(&r);
	harness_assert_sim_param("meetingID", "lms~bio-101");
	portal_get(&r, "isMeetingRunning", "meetingID=bio-101");
	assert_xml(&r, "SUCCESS", NULL);
	reply_free(&r);
}
END_TEST

/* join: 302 to BBB's join URL, re-signed; refused, a 302 with errors= as BBB does. */
START_TEST(test_facade_join)
{
	struct reply r;
	const char *loc;

	lms_get(&r, "create", "name=Bio&meetingID=bio");
	reply_free(&r);
	lms_get(&r, "join", "fullName=Ada+L&meetingID=bio&password=x&role=MODERATOR");
	ck_assert_int_eq(r.status, 302);
	loc = header(&r, "Location");
	ck_assert_ptr_nonnull(loc);
	{
		static const char want[] = "https://bbb.example.org/bigbluebutton/api/join?"
					   "fullName=Ada+L&meetingID=lms%7Ebio&password=x&"
					   "role=MODERATOR&checksum=";

		ck_assert_msg(strncmp(loc, want, sizeof(want) - 1) == 0, "%s", loc);
	}
	reply_free(&r);
	bbb_get_as(&r, "/lms", "join", "fullName=Ada&meetingID=bio", PORTAL_SECRET, EVP_sha1(),
		   NULL);
	ck_assert_int_eq(r.status, 302);
	loc = header(&r, "Location");
	ck_assert_ptr_nonnull(strstr(loc, "https://bbb.example.org/?errors="));
	ck_assert_ptr_nonnull(strstr(loc, "checksumError"));
	reply_free(&r);
	/* redirect=false: BBB's XML */
	bbb_get_as(&r, "/lms", "join", "fullName=Ada&meetingID=bio&redirect=false", PORTAL_SECRET,
		   EVP_sha1(), NULL);
	assert_xml(&r, "FAILED", "checksumError");
	reply_free(&r);
}
END_TEST

/* Recordings: the tenant's only, by its metadata key; others' IDs never reach BBB. */
START_TEST(test_facade_recordings)
{
	struct reply r;

	lms_get(&r, "getRecordings", "");
	assert_xml(&r, "SUCCESS", NULL);
	ck_assert(has(&r, REC_LMS));
	ck_assert(!has(&r, REC_PORTAL));
	ck_assert(has(&r, "<meetingID>bio-101</meetingID>"));
	reply_free(&r);
	harness_assert_sim_param("meta_bbb-gateway-tenant", "lms");
	lms_get(&r, "getRecordings", "meta_bbb-gateway-tenant=portal");
	assert_xml(&r, "FAILED", "paramDenied");
	reply_free(&r);

	lms_get(&r, "publishRecordings", "recordID=" REC_PORTAL "&publish=false");
	assert_xml(&r, "FAILED", "notFound");
	reply_free(&r);
	lms_get(&r, "publishRecordings", "recordID=" REC_PORTAL "," REC_LMS "&publish=false");
	assert_xml(&r, "SUCCESS", NULL);
	reply_free(&r);
	harness_assert_sim_param("recordID", REC_LMS);
	{
		char *st = bbbsim_recording_state(sim, REC_PORTAL);

		ck_assert_str_eq(st, "published");
		free(st);
	}
	lms_get(&r, "deleteRecordings", "recordID=" REC_PORTAL);
	assert_xml(&r, "FAILED", "notFound");
	reply_free(&r);
	/* the text-track calls answer in JSON, as BBB's do */
	lms_get(&r, "getRecordingTextTracks", "recordID=" REC_PORTAL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r.json, "response"),
							   "messageKe"
							   "y")),
			 "noRecordings");
	reply_free(&r);
	/* an upload's recordID in the form body never reaches BBB: only the file part does */
	{
		static const char form[] = "--b0\r\nContent-Disposition: form-data; "
					   "name=\"recordID\"\r\n\r\n" REC_PORTAL
					   "\r\n--b0\r\nContent-Disposition: form-data; "
					   "name=\"file\"; "
					   "filename=\"c.vtt\"\r\nContent-Type: "
					   "text/vtt\r\n\r\nWEBVTT\r\n\r\n--b0--\r\n";
		char sum[2 * EVP_MAX_MD_SIZE + 1];
		char path[512];
		struct req q = {.method = "POST",
				.path = path,
				.body = form,
				.content_type = "multipart/form-data; boundary=b0"};

		checksum(EVP_sha1(), "putRecordingTextTrack", "kind=subtitles&lang=en-US",
			 LMS_SECRET, sum);
		snprintf(path, sizeof(path),
			 "/lms/bigbluebutton/api/putRecordingTextTrack?kind=subtitles&lang=en-US&"
			 "checksum=%s",
			 sum);
		do_request(&q, &r);
		ck_assert_ptr_null(strstr(gw_buf_str(&r.body), "SUCCESS"));
		reply_free(&r);
		ck_assert_uint_eq(bbbsim_upload_count(sim), 0);
	}
}
END_TEST

START_TEST(test_facade_hooks)
{
	struct reply r;

	lms_get(&r, "hooks/create", "callbackURL=https%3A%2F%2Flms.example.org%2Fh");
	assert_xml(&r, "FAILED", "paramDenied");
	reply_free(&r);
	/* bbb-webhooks would post to an internal address: refused as on the JSON API */
	lms_get(&r, "hooks/create", "callbackURL=http%3A%2F%2F192.168.1.1%2Fh&meetingID=bio");
	assert_xml(&r, "FAILED", "paramDenied");
	reply_free(&r);
	lms_get(&r, "create", "name=Bio&meetingID=bio&meetingEndedURL=http%3A%2F%2Flocalhost%2Fx");
	assert_xml(&r, "FAILED", "paramDenied");
	reply_free(&r);
	lms_get(&r, "hooks/create", "callbackURL=https%3A%2F%2Flms.example.org%2Fh&meetingID=bio");
	assert_xml(&r, "SUCCESS", NULL);
	reply_free(&r);
	harness_assert_sim_param("meetingID", "lms~bio");
	portal_get(&r, "hooks/create",
		   "callbackURL=https%3A%2F%2Fportal.example.org%2Fh&meetingID=town");
	assert_xml(&r, "SUCCESS", NULL);
	reply_free(&r);
	lms_get(&r, "hooks/list", "");
	assert_xml(&r, "SUCCESS", NULL);
	ck_assert(has(&r, "<meetingID><![CDATA[bio]]></meetingID>"));
	ck_assert(!has(&r, "portal"));
	reply_free(&r);
	/* hook 2 is the portal's */
	lms_get(&r, "hooks/destroy", "hookID=2");
	assert_xml(&r, "FAILED", "destroyMissingHook");
	reply_free(&r);
	ck_assert_uint_eq(bbbsim_hook_count(sim), 2);
	portal_get(&r, "hooks/destroy", "hookID=2");
	assert_xml(&r, "SUCCESS", NULL);
	reply_free(&r);
	ck_assert_uint_eq(bbbsim_hook_count(sim), 1);
}
END_TEST

/* ---- a client's callback receiver: one request at a time, answered with rx_status ---- */

static int rx_fd = -1;
static unsigned rx_port;
static int rx_status = 200;
static char rx_request[16384]; /* the last request, head and body */
static pthread_t rx_thread;

static void *rx_main(void *arg)
{
	(void)arg;
	for (;;) {
		int c = accept(rx_fd, NULL, NULL);
		char reply[128];
		size_t n = 0;
		ssize_t k;

		if (c < 0)
			return NULL;
		memset(rx_request, 0, sizeof(rx_request));
		/* the head, then as much body as Content-Length says */
		while (n + 1 < sizeof(rx_request) &&
		       (k = read(c, rx_request + n, sizeof(rx_request) - 1 - n)) > 0) {
			const char *end = strstr(rx_request, "\r\n\r\n");
			const char *cl = strcasestr(rx_request, "Content-Length:");

			n += (size_t)k;
			if (end != NULL &&
			    (cl == NULL || cl > end ||
			     n >= (size_t)(end + 4 - rx_request) + strtoul(cl + 15, NULL, 10)))
				break;
		}
		snprintf(reply, sizeof(reply),
			 "HTTP/1.1 %d X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
			 rx_status);
		(void)!write(c, reply, strlen(reply));
		close(c);
	}
}

static void rx_start(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);

	rx_fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(rx_fd, 0);
	ck_assert_int_eq(bind(rx_fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(rx_fd, 8), 0);
	ck_assert_int_eq(getsockname(rx_fd, (struct sockaddr *)&a, &len), 0);
	rx_port = ntohs(a.sin_port);
	ck_assert_int_eq(pthread_create(&rx_thread, NULL, rx_main, NULL), 0);
}

static void rx_stop(void)
{
	shutdown(rx_fd, SHUT_RDWR);
	close(rx_fd);
	pthread_join(rx_thread, NULL);
}

/* The gateway URL BBB got for a callback parameter, as a path on the gateway (malloc'd). */
static char *callback_path(const char *param)
{
	char *v = harness_sim_param(param);
	const char *base = "https://gw.example.org";
	char *path;

	ck_assert_msg(v != NULL && strncmp(v, base, strlen(base)) == 0, "%s: %s", param,
		      v != NULL ? v : "(absent)");
	path = strdup(v + strlen(base));
	free(v);
	return path;
}

/* The callbacks BBB makes for a tenant's client reach it, signed with the tenant's secret. */
START_TEST(test_facade_callbacks)
{
	char query[1024];
	char path[4096];
	char *end_path;
	char *rec_path;
	char *jwt;
	char *body;
	const char *field;
	struct reply r;

	rx_start();
	snprintf(query, sizeof(query),
		 "name=Bio&meetingID=bio&meta_endCallbackUrl=http%%3A%%2F%%2F127.0.0.1%%3A%u%%"
		 "2Fend%%3F"
		 "course%%3D7&meta_bbb-recording-ready-url=http%%3A%%2F%%2F127.0.0.1%%3A%u%%2Frec",
		 rx_port, rx_port);
	lms_get(&r, "create", query);
	assert_xml(&r, "SUCCESS", NULL);
	reply_free(&r);
	end_path = callback_path("meta_endCallbackUrl");
	rec_path = callback_path("meta_bbb-recording-ready-url");
	ck_assert_ptr_nonnull(strstr(end_path, "/bigbluebutton/gateway/callback/meeting-ended?"));

	/* meeting-ended: BBB's GET, passed on as a GET with BBB's parameters */
	snprintf(path, sizeof(path), "%s&recordingmarks=true", end_path);
	call(&r, "GET", path, NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	ck_assert_msg(strncmp(rx_request, "GET /end?course=7&recordingmarks=true HTTP/1.1", 46) ==
			      0,
		      "%s", rx_request);

	/* a URL not made by the gateway calls nobody */
	rx_request[0] = '\0';
	snprintf(path, sizeof(path), "%s", end_path);
	path[strlen(path) - 1] = path[strlen(path) - 1] == '0' ? '1' : '0';
	call(&r, "GET", path, NULL, NULL);
	ck_assert_int_eq(r.status, 401);
	reply_free(&r);
	ck_assert_str_eq(rx_request, "");

	/* recording-ready: BBB's JWT (its secret) becomes the client's (the tenant's secret) */
	jwt = jt_hs256("{\"meeting_id\":\"lms~bio\",\"record_id\":\"r-1\"}", HARNESS_SECRET);
	body = malloc(strlen(jwt) + 32);
	sprintf(body, "signed_parameters=%s", jwt);
	{
		struct req q = {.method = "POST",
				.path = rec_path,
				.body = body,
				.content_type = "application/x-www-form-urlencoded"};

		rx_status = 200;
		do_request(&q, &r);
	}
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	ck_assert_msg(strncmp(rx_request, "POST /rec HTTP/1.1", 18) == 0, "%s", rx_request);
	field = strstr(rx_request, "signed_parameters=");
	ck_assert_ptr_nonnull(field);
	{
		const char *tok = field + 18;
		size_t n = strcspn(tok, "&\r\n");
		char *copy = strndup(tok, n);
		char *dot = strrchr(copy, '.');
		char *payload;
		char *want;

		ck_assert_ptr_nonnull(dot);
		*dot = '\0';
		/* the signature is the tenant's */
		want = jt_sign(copy, JT_HS256, LMS_SECRET, strlen(LMS_SECRET), NULL);
		*dot = '.';
		ck_assert_str_eq(want, copy);
		payload = jt_b64url_decode(strchr(copy, '.') + 1,
					   (size_t)(dot - strchr(copy, '.') - 1), NULL);
		ck_assert_ptr_nonnull(strstr(payload, "\"meeting_id\":\"bio\""));
		ck_assert_ptr_nonnull(strstr(payload, "\"record_id\":\"r-1\""));
		free(payload);
		free(want);
		free(copy);
	}
	/* the client's 410 reaches BBB (it stops trying); a JWT not signed by BBB is refused */
	{
		struct req q = {.method = "POST",
				.path = rec_path,
				.body = body,
				.content_type = "application/x-www-form-urlencoded"};

		rx_status = 410;
		do_request(&q, &r);
		ck_assert_int_eq(r.status, 410);
		reply_free(&r);
		free(body);
		free(jwt);
		jwt = jt_hs256("{\"meeting_id\":\"lms~bio\",\"record_id\":\"r-1\"}", LMS_SECRET);
		body = malloc(strlen(jwt) + 32);
		sprintf(body, "signed_parameters=%s", jwt);
		q.body = body;
		do_request(&q, &r);
		ck_assert_int_eq(r.status, 401);
		reply_free(&r);
	}
	/* a callback to an internal address is refused at create */
	lms_get(&r, "create",
		"name=Bio&meetingID=bio2&meta_endCallbackUrl=http%3A%2F%2F10.0.0.1%2Fend");
	assert_xml(&r, "FAILED", "paramDenied");
	reply_free(&r);
	free(body);
	free(jwt);
	free(end_path);
	free(rec_path);
	rx_stop();
}
END_TEST

static Suite *integration_facade_suite(void)
{
	Suite *s = suite_create("integration_facade");
	TCase *tc = tcase_create("facade");
	TCase *def = tcase_create("default_tenant");

	tcase_add_checked_fixture(tc, facade_setup, facade_teardown);
	tcase_add_test(tc, test_facade_checksums);
	tcase_add_test(tc, test_facade_meetings);
	tcase_add_test(tc, test_facade_join);
	tcase_add_test(tc, test_facade_recordings);
	tcase_add_test(tc, test_facade_hooks);
	tcase_add_test(tc, test_facade_callbacks);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(def, default_setup, facade_teardown);
	tcase_add_test(def, test_facade_default_tenant);
	suite_add_tcase(s, def);
	return s;
}

GW_TEST_MAIN(integration_facade_suite)
