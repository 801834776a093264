/*
 * bbbapifix.c - what the bbb_api suites share: see bbbapifix.h. The
 * finish function and the transfer's end stand in for the handlers and
 * upstream.c, so a call is completed without sockets.
 */
#include "bbbapifix.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "gw_limits.h"
#include "handlers.h"
#include "log.h"
#include "testutil.h"

struct gw_config *cfg;
struct gw_exchange *x;
FILE *log_file;

int finish_calls;
json_t *finish_body;

void setup(void)
{
	cfg = gw_test_config("bbb = { url = \"" BBB_URL "\"; secret = \"" SECRET "\";\n"
			     "  public_url = \"https://public.test/bigbluebutton/api\"; };\n");
	x = gw_exchange_new(cfg);
	ck_assert_ptr_nonnull(x);
	gw_request_set_id(&x->req, "bbb-api-test");
	finish_calls = 0;
	finish_body = NULL;
	/* keep warnings out of the TAP stream, and readable by tests */
	log_file = tmpfile();
	ck_assert_ptr_nonnull(log_file);
	gw_log_set_fd(fileno(log_file));
}

void teardown(void)
{
	gw_log_set_fd(2);
	fclose(log_file);
	json_decref(finish_body);
	finish_body = NULL;
	gw_exchange_free(x);
	gw_config_unref(cfg);
}

void record_finish(struct gw_exchange *ex, struct gw_bbb_reply *r)
{
	finish_calls++;
	ck_assert_ptr_nonnull(r->body);
	json_decref(finish_body);
	finish_body = json_incref(gw_bbb_reply_body_json(r));
	gw_response_json(ex, 200, json_pack("{s:s}", "finished", "yes"));
}

/* Asserts a problem response with status and code; returns the body (caller decrefs). */
json_t *assert_problem(int status, const char *code)
{
	gw_test_assert_problem(x, status, code);
	return gw_test_json_body(x);
}

/* Asks for call c with query q and the test finish function. */
void request(const struct gw_bbb_call_def *c, const char *q)
{
	gw_bbb_request(x, &(struct gw_bbb_req){.call = c, .query = q, .finish = record_finish});
}

/* The upstream call finished with result, HTTP status and reply body. */
void upstream_done(enum gw_err result, long http_status, const char *reply)
{
	x->up.result = result;
	x->up.http_status = http_status;
	/* upstream.c sets the cap when it submits; the call here never went through it */
	x->up.reply.max = GW_DEFAULT_BBB_MAX_REPLY_BYTES;
	if (reply != NULL)
		ck_assert_int_eq(gw_buf_append(&x->up.reply, reply, strlen(reply)), GW_OK);
	free(x->up.reply_content_type);
	x->up.reply_content_type = strdup(reply != NULL && reply[0] == '{' ? "application/"
									     "json;charset=utf-8"
									   : "text/"
									     "xml;charset=utf-8");
}

/* A getMeetingInfo call whose reply then goes through gw_bbb_complete. */
void complete_with(enum gw_err result, long http_status, const char *reply)
{
	request(GW_BBB_CALL(getMeetingInfo), "meetingID=m1");
	ck_assert_ptr_nonnull(x->up.url);
	upstream_done(result, http_status, reply);
	gw_bbb_complete(x);
}

/* ---- BBB replies in BBB's own layout ---- */

const char checksum_xml[] = "<response>\n"
			    "<returncode>FAILED</returncode>\n"
			    "<messageKey>checksumError</messageKey>\n"
			    "<message>Checksums do not match</message>\n"
			    "</response>";

const char api_root_xml[] = "<response>\n"
			    "<returncode>SUCCESS</returncode>\n"
			    "<version>2.0</version>\n"
			    "<apiVersion>2.0</apiVersion>\n"
			    "<bbbVersion>3.0.4</bbbVersion>\n"
			    "</response>";
