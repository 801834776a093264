/*
 * check_integration_api.c - the routes beyond the meeting lifecycle,
 * end to end against the BBB simulator: documents, chat, presentations on
 * create, recordings, caption tracks, webhooks and the legacy calls. Each
 * test checks the exact request BBB received and the JSON returned.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "testutil.h"

/* Decoded parameter name of the last simulator request (malloc'd) or NULL. */
static char *last_param(const char *name)
{
	struct bbbsim_request q;
	char *v;

	last_sim_request(&q);
	v = bbbsim_query_param(q.query, name);
	bbbsim_request_free(&q);
	return v;
}

static void assert_last_call(const char *call, const char *method)
{
	struct bbbsim_request q;

	last_sim_request(&q);
	ck_assert_str_eq(q.call, call);
	ck_assert_str_eq(q.method, method);
	ck_assert_msg(q.checksum_ok, "checksum rejected for %s?%s", q.call, q.query);
	bbbsim_request_free(&q);
}

START_TEST(test_integration_api_chat)
{
	struct reply r;
	char *v;

	create_meeting("chat-1");
	call(&r, "POST", "/v1/meetings/chat-1/chat", tok_all,
	     "{\"message\":\"Hello <all> & welcome\",\"userName\":\"Bot\"}");
	ck_assert_int_eq(r.status, 202);
	ck_assert_str_eq(jstr(&r, "meetingID"), "chat-1");
	reply_free(&r);
	assert_last_call("sendChatMessage", "GET");
	v = last_param("message");
	ck_assert_str_eq(v, "Hello <all> & welcome");
	free(v);
	v = last_param("userName");
	ck_assert_str_eq(v, "Bot");
	free(v);
	call(&r, "POST", "/v1/meetings/chat-1/chat", tok_all, "{\"message\":\"\"}");
	assert_problem(&r, 400, "bad_request");
	ck_assert_str_eq(jstr(&r, "field"), "message");
	reply_free(&r);
	call(&r, "POST", "/v1/meetings/chat-1/chat", tok_read, "{\"message\":\"x\"}");
	assert_problem(&r, 403, "forbidden");
	ck_assert_str_eq(jstr(&r, "scope"), "meetings:write");
	reply_free(&r);
	call(&r, "POST", "/v1/meetings/no-such/chat", tok_all, "{\"message\":\"x\"}");
	assert_problem(&r, 404, "bbb_not_found");
	reply_free(&r);
}
END_TEST

START_TEST(test_integration_api_chat_length)
{
	struct reply r;
	char body[1200];
	size_t i;

	create_meeting("chat-2");
	memcpy(body, "{\"message\":\"", 12);
	for (i = 0; i < 501; i++)
		body[12 + i] = 'a';
	memcpy(body + 12 + 501, "\"}", 3);
	call(&r, "POST", "/v1/meetings/chat-2/chat", tok_all, body);
	assert_problem(&r, 400, "bad_request");
	ck_assert_uint_eq(bbbsim_request_count(sim), 1); /* only the create */
	reply_free(&r);
}
END_TEST

START_TEST(test_integration_api_documents)
{
	struct reply r;
	struct bbbsim_request q;

	create_meeting("doc-1");
	call(&r, "POST", "/v1/meetings/doc-1/documents", tok_all,
	     "{\"presentations\":[{\"url\":\"https://files.example.org/a&b.pdf\","
	     "\"filename\":\"a.pdf\",\"current\":true},"
	     "{\"filename\":\"notes.txt\",\"content\":\"aGVsbG8=\",\"downloadable\":false}]}");
	ck_assert_int_eq(r.status, 202);
	reply_free(&r);
	last_sim_request(&q);
	ck_assert_str_eq(q.call, "insertDocument");
	ck_assert_str_eq(q.method, "POST");
	ck_assert(q.checksum_ok);
	ck_assert_str_eq(q.content_type, "application/xml");
	ck_assert_str_eq(q.body,
			 "<modules><module name=\"presentation\">"
			 "<document url=\"https://files.example.org/a&amp;b.pdf\" "
			 "filename=\"a.pdf\" current=\"true\"/>"
			 "<document name=\"notes.txt\" downloadable=\"false\">aGVsbG8=</document>"
			 "</module></modules>");
	ck_assert_ptr_null(strstr(q.query, "presentations"));
	bbbsim_request_free(&q);
	call(&r, "POST", "/v1/meetings/none-1/documents", tok_all,
	     "{\"presentations\":[{\"url\":\"https://x.example.org/a.pdf\"}]}");
	assert_problem(&r, 404, "bbb_not_found");
	reply_free(&r);
	call(&r, "POST", "/v1/meetings/doc-1/documents", tok_all,
	     "{\"presentations\":[{\"url\":\"ftp://x/a.pdf\"}]}");
	assert_problem(&r, 400, "bad_request");
	ck_assert_str_eq(jstr(&r, "field"), "presentations[0].url");
	reply_free(&r);
	call(&r, "POST", "/v1/meetings/doc-1/documents", tok_all,
	     "{\"presentations\":[{\"filename\":\"a.pdf\",\"content\":\"not base64!\"}]}");
	assert_problem(&r, 400, "bad_request");
	ck_assert_str_eq(jstr(&r, "field"), "presentations[0].content");
	reply_free(&r);
}
END_TEST

START_TEST(test_integration_api_create_with_presentations)
{
	struct reply r;
	struct bbbsim_request q;

	call(&r, "POST", "/v1/meetings", tok_all,
	     "{\"name\":\"With slides\",\"meetingID\":\"pres-1\",\"record\":false,"
	     "\"presentations\":[{\"url\":\"https://files.example.org/deck.pdf\"}]}");
	ck_assert_int_eq(r.status, 201);
	reply_free(&r);
	last_sim_request(&q);
	ck_assert_str_eq(q.call, "create");
	ck_assert_str_eq(q.method, "POST");
	ck_assert(q.checksum_ok);
	ck_assert_str_eq(q.content_type, "application/xml");
	ck_assert_ptr_nonnull(strstr(q.body, "url=\"https://files.example.org/deck.pdf\""));
	ck_assert_ptr_nonnull(strstr(q.query, "name=With+slides&meetingID=pres-1&record=false"));
	bbbsim_request_free(&q);
}
END_TEST

static Suite *integration_api_suite(void)
{
	Suite *s = suite_create("integration_api");
	TCase *tc = tcase_create("api");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_integration_api_chat);
	tcase_add_test(tc, test_integration_api_chat_length);
	tcase_add_test(tc, test_integration_api_documents);
	tcase_add_test(tc, test_integration_api_create_with_presentations);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(integration_api_suite)
