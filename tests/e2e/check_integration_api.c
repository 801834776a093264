/*
 * check_integration_api.c - the routes beyond the meeting lifecycle,
 * end to end against the BBB simulator: documents, chat, presentations on
 * create, recordings (a reply of several MB converted while it streams),
 * caption tracks, webhooks and the legacy calls. Each test checks the
 * exact request BBB received and the JSON returned. The URLs BBB would
 * fetch or call are check_integration_api_fetch.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "harness.h"
#include "xml2json.h"
#include "testutil.h"

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
	v = harness_sim_param("message");
	ck_assert_str_eq(v, "Hello <all> & welcome");
	free(v);
	v = harness_sim_param("userName");
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
	ck_assert_str_eq(q.body, "<modules><module name=\"presentation\">"
				 "<document url=\"https://files.example.org/a&amp;b.pdf\" "
				 "filename=\"a.pdf\" current=\"true\"/>"
				 "<document name=\"notes.txt\" "
				 "downloadable=\"false\">aGVsbG8=</document>"
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

#define REC1 "be50234e1c66bebcfce306edca2e3a65c2133730-1715261728123"
#define REC4 "a72c17c66bc6234721b377d1d5a5dc32f199c749-1715179200000"

static char recordings_path[4096];

static void api_setup(void)
{
	snprintf(recordings_path, sizeof(recordings_path), "%s",
		 gw_test_data_path("bbbsim/recordings.txt"));
	harness_sim_opts.recordings_file = recordings_path;
	harness_sim_opts.legacy_config = false;
	setup();
}

/* Recordings the simulator holds for the large-reply case: enough for a reply of several MB. */
#define MANY_RECORDINGS 4000u

static char many_path[64];

/*
 * Writing, sending and converting some 4 MB takes a few seconds under the
 * sanitizers and valgrind: the harness's 3 s BBB deadline would end it.
 */
static void many_tweak(struct gw_config *c)
{
	c->bbb_timeout_ms = 60000;
}

/* A recordings file of MANY_RECORDINGS published recordings, each with a format and previews. */
static void many_setup(void)
{
	FILE *f;
	int fd;
	unsigned i;

	snprintf(many_path, sizeof(many_path), "/tmp/gw-many-recordings-XXXXXX");
	fd = mkstemp(many_path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	for (i = 0; i < MANY_RECORDINGS; i++) {
		fprintf(f,
			"recording %040u-1715%09u\nmeeting m-%u \"Meeting %u & <co>\"\n"
			"state published\ntimes 1715000000000 1715003600000\nparticipants %u\n"
			"rawSize 1048576\nmeta bbb-origin Moodle\nmeta note \"tab\\there\"\n"
			"format presentation https://bbb.example.com/p/%u processingTime=7 "
			"duration=3540000 size=5242880\n",
			i, i, i % 50, i, i % 7, i);
		fprintf(f,
			"image https://bbb.example.com/t/%u/1.png width=176 height=136 "
			"\"alt=Slide \\\"1\\\"\"\nimage https://bbb.example.com/t/%u/2.png\n\n",
			i, i);
	}
	ck_assert_int_eq(fclose(f), 0);
	harness_sim_opts.recordings_file = many_path;
	harness_sim_opts.legacy_config = false;
	harness_tweak = many_tweak;
	setup();
	harness_tweak = NULL;
}

static void many_teardown(void)
{
	teardown();
	unlink(many_path);
}

static void legacy_setup(void)
{
	harness_sim_opts.recordings_file = NULL;
	harness_sim_opts.legacy_config = true;
	setup();
}

/*
 * A getRecordings reply of several MB is converted while it arrives (in
 * whatever chunks the sockets give) to exactly what converting BBB's whole
 * reply at once gives.
 */
START_TEST(test_integration_api_many_recordings_streamed)
{
	struct req q = {.method = "GET",
			.path = "/v1/recordings",
			.token = tok_all,
			.extra_header = "Accept: application/xml"};
	struct gw_bbb_reply whole;
	struct reply xml;
	struct reply r;
	json_t *rec;

	do_request(&q, &xml);
	ck_assert_int_eq(xml.status, 200);
	ck_assert_uint_gt(xml.body.len, 3u * 1024u * 1024u);
	ck_assert_int_eq(gw_xml2json_convert(gw_buf_str(&xml.body), xml.body.len, 0, &whole),
			 GW_OK);
	call(&r, "GET", "/v1/recordings", tok_all, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(r.json);
	ck_assert_uint_eq(json_array_size(json_object_get(r.json, "recordings")), MANY_RECORDINGS);
	ck_assert(json_equal(r.json, gw_bbb_reply_body_json(&whole)));
	rec = json_array_get(json_object_get(r.json, "recordings"), MANY_RECORDINGS - 1);
	ck_assert(json_is_true(json_object_get(rec, "published")));
	ck_assert_int_eq(json_integer_value(json_object_get(rec, "rawSize")), 1048576);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(rec, "metadata"), "not"
											     "e")),
			 "tab\there");
	gw_bbb_reply_deinit(&whole);
	reply_free(&xml);
	reply_free(&r);
}
END_TEST

static json_t *recording(const struct reply *r, const char *id)
{
	json_t *list = json_object_get(r->json, "recordings");
	json_t *rec;
	size_t i;

	json_array_foreach (list, i, rec) {
		if (strcmp(json_string_value(json_object_get(rec, "recordID")), id) == 0)
			return rec;
	}
	return NULL;
}

START_TEST(test_integration_api_recordings_list)
{
	struct reply r;
	json_t *rec;
	json_t *fmt;
	json_t *img;

	call(&r, "GET", "/v1/recordings", tok_all, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_uint_eq(json_array_size(json_object_get(r.json, "recordings")), 4);
	rec = recording(&r, REC1);
	ck_assert_ptr_nonnull(rec);
	ck_assert(json_is_true(json_object_get(rec, "published")));
	ck_assert(json_is_integer(json_object_get(rec, "startTime")));
	ck_assert(json_is_object(json_object_get(rec, "metadata")));
	ck_assert(json_is_array(json_object_get(rec, "playback")));
	ck_assert(json_is_array(json_object_get(rec, "breakoutRooms")));
	fmt = json_array_get(json_object_get(rec, "playback"), 0);
	ck_assert(json_is_integer(json_object_get(fmt, "length")));
	img = json_array_get(json_object_get(json_object_get(fmt, "preview"), "images"), 0);
	ck_assert(json_is_string(json_object_get(img, "url")));
	ck_assert(json_is_integer(json_object_get(img, "width")));
	reply_free(&r);
	assert_last_call("getRecordings", "GET");
	call(&r, "GET", "/v1/recordings?meetingID=chem-202&state=any", tok_all, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_uint_eq(json_array_size(json_object_get(r.json, "recordings")), 2);
	reply_free(&r);
	call(&r, "GET", "/v1/recordings?meetingID=nobody", tok_all, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_uint_eq(json_array_size(json_object_get(r.json, "recordings")), 0);
	reply_free(&r);
}
END_TEST

START_TEST(test_integration_api_recordings_filters_and_paging)
{
	struct reply r;
	char *v;
	json_t *page;

	call(&r, "GET", "/v1/recordings?meta.bbb-origin=green%25", tok_all, NULL);
	ck_assert_int_eq(r.status, 200);
	v = harness_sim_param("meta_bbb-origin");
	ck_assert_str_eq(v, "green%");
	free(v);
	ck_assert_uint_eq(json_array_size(json_object_get(r.json, "recordings")), 2);
	reply_free(&r);
	/* the deepObject spelling (openapi-fetch's default), brackets encoded or not */
	call(&r, "GET", "/v1/recordings?meta%5Bbbb-origin%5D=green%25", tok_all, NULL);
	ck_assert_int_eq(r.status, 200);
	v = harness_sim_param("meta_bbb-origin");
	ck_assert_str_eq(v, "green%");
	free(v);
	ck_assert_uint_eq(json_array_size(json_object_get(r.json, "recordings")), 2);
	reply_free(&r);
	call(&r, "GET", "/v1/recordings?meta[bbb-origin]=nobody", tok_all, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_uint_eq(json_array_size(json_object_get(r.json, "recordings")), 0);
	reply_free(&r);
	call(&r, "GET", "/v1/recordings?meta.bbb-origin=a&meta[bbb-origin]=b", tok_all, NULL);
	assert_problem(&r, 400, "bad_request");
	ck_assert_str_eq(jstr(&r, "field"), "meta[bbb-origin]");
	reply_free(&r);
	call(&r, "GET", "/v1/recordings?limit=2&offset=0", tok_all, NULL);
	ck_assert_int_eq(r.status, 200);
	page = json_object_get(r.json, "pagination");
	ck_assert(json_is_object(page));
	ck_assert_int_eq(json_integer_value(json_object_get(page, "limit")), 2);
	ck_assert(json_is_integer(json_object_get(page, "totalElements")));
	reply_free(&r);
	call(&r, "GET", "/v1/recordings?limit=500", tok_all, NULL);
	assert_problem(&r, 400, "bad_request");
	ck_assert_str_eq(jstr(&r, "field"), "limit");
	reply_free(&r);
	call(&r, "GET", "/v1/recordings?state=lost", tok_all, NULL);
	assert_problem(&r, 400, "bad_request");
	reply_free(&r);
	call(&r, "GET", "/v1/recordings?sort=name", tok_all, NULL);
	assert_problem(&r, 400, "bad_request");
	ck_assert_str_eq(jstr(&r, "field"), "sort");
	reply_free(&r);
	call(&r, "GET", "/v1/recordings", tok_read, NULL);
	assert_problem(&r, 403, "forbidden");
	reply_free(&r);
}
END_TEST

START_TEST(test_integration_api_recording_get)
{
	struct reply r;

	call(&r, "GET", "/v1/recordings/" REC4, tok_all, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(jstr(&r, "recordID"), REC4);
	ck_assert_str_eq(jstr(&r, "meetingID"), "chem-202");
	reply_free(&r);
	/* BBB matches prefixes; the gateway wants the exact ID. */
	call(&r, "GET", "/v1/recordings/a72c17c66bc6234721b377d1d5a5dc32f199c749", tok_all, NULL);
	assert_problem(&r, 404, "bbb_not_found");
	reply_free(&r);
	call(&r, "GET", "/v1/recordings/" REC4 ",x", tok_all, NULL);
	assert_problem(&r, 400, "bad_path_parameter");
	reply_free(&r);
}
END_TEST

START_TEST(test_integration_api_recording_patch)
{
	struct reply r;
	char *v;

	call(&r, "PATCH", "/v1/recordings/" REC4, tok_all, "{\"published\":false}");
	ck_assert_int_eq(r.status, 200);
	ck_assert(json_is_false(json_object_get(r.json, "published")));
	reply_free(&r);
	v = bbbsim_recording_state(sim, REC4);
	ck_assert_str_eq(v, "unpublished");
	free(v);
	call(&r, "PATCH", "/v1/recordings/" REC4, tok_all,
	     "{\"published\":true,\"metadata\":{\"course\":\"CHEM 202\",\"bbb-origin\":null}}");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(
		json_string_value(json_object_get(json_object_get(r.json, "metadata"), "course")),
		"CHEM 202");
	reply_free(&r);
	v = bbbsim_recording_meta(sim, REC4, "course");
	ck_assert_str_eq(v, "CHEM 202");
	free(v);
	ck_assert_ptr_null(bbbsim_recording_meta(sim, REC4, "bbb-origin"));
	v = bbbsim_recording_state(sim, REC4);
	ck_assert_str_eq(v, "published");
	free(v);
	call(&r, "PATCH", "/v1/recordings/" REC4, tok_all, "{}");
	assert_problem(&r, 400, "bad_request");
	reply_free(&r);
	call(&r, "PATCH", "/v1/recordings/" REC4, tok_all, "{\"metadata\":{\"a_b\":\"x\"}}");
	assert_problem(&r, 400, "bad_request");
	ck_assert_str_eq(jstr(&r, "field"), "metadata.a_b");
	reply_free(&r);
	call(&r, "PATCH", "/v1/recordings/nope-1", tok_all, "{\"published\":true}");
	assert_problem(&r, 404, "bbb_not_found");
	reply_free(&r);
}
END_TEST

/* A recordID with ',' would reach BBB as a list and change several recordings. */
START_TEST(test_integration_api_recording_patch_comma)
{
	struct reply r;
	char *v;

	bbbsim_clear_log(sim);
	call(&r, "PATCH", "/v1/recordings/" REC4 "," REC1, tok_all, "{\"published\":false}");
	assert_problem(&r, 400, "bad_path_parameter");
	reply_free(&r);
	call(&r, "PATCH", "/v1/recordings/" REC4 "%2C" REC1, tok_all,
	     "{\"metadata\":{\"course\":\"x\"}}");
	assert_problem(&r, 400, "bad_path_parameter");
	reply_free(&r);
	ck_assert_uint_eq(bbbsim_request_count(sim), 0);
	v = bbbsim_recording_state(sim, REC4);
	ck_assert_str_eq(v, "published");
	free(v);
	v = bbbsim_recording_state(sim, REC1);
	ck_assert_str_eq(v, "published");
	free(v);
}
END_TEST

/* The change went through; a re-read that misses the recording must not say 404. */
START_TEST(test_integration_api_recording_patch_not_read_back)
{
	static const struct bbbsim_fault empty = {.kind = BBBSIM_FAULT_BODY,
						  .count = 1,
						  .body = "<response>\n<returncode>SUCCESS</"
							  "returncode>\n<recordings>\n</"
							  "recordings>\n"
							  "<messageKey>noRecordings</messageKey>\n"
							  "<message>There are no recordings for "
							  "the meeting(s).</message>\n"
							  "</response>"};
	static const struct bbbsim_fault failed = {.kind = BBBSIM_FAULT_FAILED,
						   .count = 1,
						   .message_key = "noRecordings",
						   .message = "There are no recordings for the "
							      "meeting(s)."};
	static const struct bbbsim_fault broken = {
		.kind = BBBSIM_FAULT_HTTP_STATUS, .count = 1, .http_status = 500};
	struct reply r;
	json_t *meta;
	char *v;

	bbbsim_set_fault(sim, "getRecordings", &empty);
	call(&r, "PATCH", "/v1/recordings/" REC4, tok_all,
	     "{\"published\":false,\"metadata\":{\"course\":\"CHEM 9\",\"bbb-origin\":null}}");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(jstr(&r, "recordID"), REC4);
	ck_assert(json_is_false(json_object_get(r.json, "published")));
	meta = json_object_get(r.json, "metadata");
	ck_assert_str_eq(json_string_value(json_object_get(meta, "course")), "CHEM 9");
	ck_assert(json_is_null(json_object_get(meta, "bbb-origin")));
	ck_assert_str_eq(json_string_value(
				 json_object_get(json_object_get(r.json, "warning"), "messageKey")),
			 "notReadBack");
	reply_free(&r);
	v = bbbsim_recording_state(sim, REC4);
	ck_assert_str_eq(v, "unpublished");
	free(v);
	assert_last_call("getRecordings", "GET");
	bbbsim_set_fault(sim, "getRecordings", &failed);
	call(&r, "PATCH", "/v1/recordings/" REC4, tok_all, "{\"published\":true}");
	ck_assert_int_eq(r.status, 200);
	ck_assert(json_is_true(json_object_get(r.json, "published")));
	ck_assert_ptr_null(json_object_get(r.json, "metadata"));
	reply_free(&r);
	v = bbbsim_recording_state(sim, REC4);
	ck_assert_str_eq(v, "published");
	free(v);
	/* The read-back breaks down (BBB answers 500): the write still happened. */
	bbbsim_set_fault(sim, "getRecordings", &broken);
	call(&r, "PATCH", "/v1/recordings/" REC4, tok_all, "{\"published\":false}");
	ck_assert_int_eq(r.status, 200);
	ck_assert(json_is_false(json_object_get(r.json, "published")));
	ck_assert_str_eq(json_string_value(
				 json_object_get(json_object_get(r.json, "warning"), "messageKey")),
			 "notReadBack");
	reply_free(&r);
	v = bbbsim_recording_state(sim, REC4);
	ck_assert_str_eq(v, "unpublished");
	free(v);
}
END_TEST

START_TEST(test_integration_api_recording_delete)
{
	struct reply r;
	char *v;

	call(&r, "DELETE", "/v1/recordings/" REC4, tok_all, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert(json_is_true(json_object_get(r.json, "deleted")));
	reply_free(&r);
	assert_last_call("deleteRecordings", "GET");
	v = bbbsim_recording_state(sim, REC4);
	ck_assert_str_eq(v, "deleted");
	free(v);
	call(&r, "DELETE", "/v1/recordings/nope-1", tok_all, NULL);
	assert_problem(&r, 404, "bbb_not_found");
	reply_free(&r);
}
END_TEST

START_TEST(test_integration_api_text_tracks)
{
	struct reply r;
	json_t *t;

	call(&r, "GET", "/v1/recordings/" REC1 "/text-tracks", tok_all, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_uint_eq(json_array_size(json_object_get(r.json, "tracks")), 2);
	t = json_array_get(json_object_get(r.json, "tracks"), 0);
	ck_assert_ptr_nonnull(json_string_value(json_object_get(t, "href")));
	ck_assert_ptr_nonnull(json_string_value(json_object_get(t, "lang")));
	ck_assert_ptr_null(json_object_get(r.json, "returncode"));
	reply_free(&r);
	assert_last_call("getRecordingTextTracks", "GET");
	call(&r, "GET", "/v1/recordings/" REC4 "/text-tracks", tok_all, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_uint_eq(json_array_size(json_object_get(r.json, "tracks")), 0);
	reply_free(&r);
	call(&r, "GET", "/v1/recordings/nope-1/text-tracks", tok_all, NULL);
	assert_problem(&r, 404, "bbb_not_found");
	ck_assert_str_eq(jstr(&r, "messageKey"), "noRecordings");
	reply_free(&r);
}
END_TEST

#define BOUNDARY "----form7MA4YWxkTrZu0gW"
static const char upload_body[] = "--" BOUNDARY "\r\n"
				  "Content-Disposition: form-data; "
				  "name=\"kind\"\r\n\r\nsubtitles\r\n"
				  "--" BOUNDARY "\r\n"
				  "Content-Disposition: form-data; name=\"lang\"\r\n\r\nde-DE\r\n"
				  "--" BOUNDARY "\r\n"
				  "Content-Disposition: form-data; name=\"file\"; "
				  "filename=\"de.vtt\"\r\n"
				  "Content-Type: text/vtt\r\n\r\n"
				  "WEBVTT\n\n00:00.000 --> 00:01.000\nHallo\n\r\n"
				  "--" BOUNDARY "--\r\n";

START_TEST(test_integration_api_text_track_upload)
{
	struct req q = {.method = "POST",
			.path = "/v1/recordings/" REC4 "/text-tracks",
			.token = tok_all,
			.body = upload_body,
			.content_type = "multipart/form-data; boundary=" BOUNDARY};
	struct bbbsim_upload u;
	struct bbbsim_request sr;
	struct reply r;

	do_request(&q, &r);
	ck_assert_int_eq(r.status, 202);
	reply_free(&r);
	last_sim_request(&sr);
	ck_assert_str_eq(sr.call, "putRecordingTextTrack");
	ck_assert(sr.checksum_ok);
	ck_assert_ptr_nonnull(strstr(sr.content_type, "multipart/form-data; boundary="));
	ck_assert_ptr_nonnull(strstr(sr.query, "kind=subtitles"));
	ck_assert_ptr_nonnull(strstr(sr.query, "lang=de-DE"));
	bbbsim_request_free(&sr);
	ck_assert_uint_eq(bbbsim_upload_count(sim), 1);
	ck_assert(bbbsim_upload_get(sim, 0, &u));
	ck_assert_str_eq(u.data, "WEBVTT\n\n00:00.000 --> 00:01.000\nHallo\n");
	ck_assert_str_eq(u.record_id, REC4);
	bbbsim_upload_free(&u);
	q.content_type = "application/json";
	do_request(&q, &r);
	assert_problem(&r, 415, "unsupported_media_type");
	reply_free(&r);
	q.content_type = "multipart/form-data; boundary=" BOUNDARY;
	q.path = "/v1/recordings/" REC4 "/text-tracks?kind=chapters";
	q.body = "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"file\"; "
		 "filename=\"a.vtt\"\r\n\r\nWEBVTT\r\n--" BOUNDARY "--\r\n";
	do_request(&q, &r);
	assert_problem(&r, 400, "bad_request");
	ck_assert_str_eq(jstr(&r, "field"), "kind");
	reply_free(&r);
}
END_TEST

START_TEST(test_integration_api_hooks)
{
	struct reply r;
	struct bbbsim_request sr;
	char path[128];
	char hook_id[64];

	call(&r, "POST", "/v1/hooks", tok_all,
	     "{\"callbackURL\":\"https://lms.example.org/bbb-events?x=1&y=2\","
	     "\"eventID\":[\"meeting-created\",\"meeting-ended\"],\"getRaw\":false}");
	ck_assert_int_eq(r.status, 201);
	ck_assert_ptr_nonnull(jstr(&r, "hookID"));
	snprintf(hook_id, sizeof(hook_id), "%s", jstr(&r, "hookID"));
	reply_free(&r);
	last_sim_request(&sr);
	ck_assert_str_eq(sr.call, "hooks/create");
	ck_assert(sr.checksum_ok);
	ck_assert_str_eq(sr.algorithm, "sha1");
	bbbsim_request_free(&sr);
	call(&r, "POST", "/v1/hooks", tok_all,
	     "{\"callbackURL\":\"https://lms.example.org/bbb-events?x=1&y=2\"}");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(
				 json_object_get(json_object_get(r.json, "warning"), "messageKey")),
			 "duplicateWarning");
	reply_free(&r);
	call(&r, "GET", "/v1/hooks", tok_all, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_uint_eq(json_array_size(json_object_get(r.json, "hooks")), 1);
	reply_free(&r);
	snprintf(path, sizeof(path), "/v1/hooks/%s", hook_id);
	call(&r, "DELETE", path, tok_all, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	ck_assert_uint_eq(bbbsim_hook_count(sim), 0);
	call(&r, "DELETE", path, tok_all, NULL);
	assert_problem(&r, 404, "bbb_not_found");
	ck_assert_str_eq(jstr(&r, "messageKey"), "destroyMissingHook");
	reply_free(&r);
	call(&r, "POST", "/v1/hooks", tok_all, "{\"callbackURL\":\"javascript:alert(1)\"}");
	assert_problem(&r, 400, "bad_request");
	reply_free(&r);
	call(&r, "GET", "/v1/hooks", tok_read, NULL);
	assert_problem(&r, 403, "forbidden");
	ck_assert_str_eq(jstr(&r, "scope"), "hooks");
	reply_free(&r);
}
END_TEST

START_TEST(test_integration_api_hooks_checksum_algorithm)
{
	struct reply r;
	struct bbbsim_request sr;

	cfg->hooks_checksum = GW_DIGEST_SHA512;
	call(&r, "GET", "/v1/hooks", tok_all, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	last_sim_request(&sr);
	ck_assert(sr.checksum_ok);
	ck_assert_str_eq(sr.algorithm, "sha512");
	bbbsim_request_free(&sr);
}
END_TEST

START_TEST(test_integration_api_legacy_unsupported)
{
	struct reply r;

	call(&r, "GET", "/v1/legacy/default-config-xml", tok_all, NULL);
	assert_problem(&r, 501, "bbb_unsupported_call");
	reply_free(&r);
}
END_TEST

START_TEST(test_integration_api_legacy_config)
{
	struct reply r;
	struct bbbsim_request sr;
	char *stored;

	call(&r, "GET", "/v1/legacy/default-config-xml", tok_all, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(header(&r, "Content-Type"), "application/xml"));
	ck_assert_ptr_nonnull(strstr(gw_buf_str(&r.body), "<config"));
	reply_free(&r);
	create_meeting("legacy-1");
	call(&r, "POST", "/v1/legacy/config-xml", tok_all,
	     "{\"meetingID\":\"legacy-1\",\"configXML\":\"<config><x a=\\\"1\\\"/></config>\"}");
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(jstr(&r, "configToken"));
	last_sim_request(&sr);
	ck_assert_str_eq(sr.call, "setConfigXML");
	ck_assert_str_eq(sr.method, "POST");
	ck_assert(sr.checksum_ok);
	ck_assert_str_eq(sr.query, "");
	ck_assert_ptr_eq(strstr(sr.body, "configXML="), sr.body);
	bbbsim_request_free(&sr);
	stored = bbbsim_config_xml(sim, jstr(&r, "configToken"));
	ck_assert_str_eq(stored, "<config><x a=\"1\"/></config>");
	free(stored);
	reply_free(&r);
}
END_TEST

static Suite *integration_api_suite(void)
{
	Suite *s = suite_create("integration_api");
	TCase *tc = tcase_create("api");

	TCase *legacy = tcase_create("legacy");
	TCase *many = tcase_create("many_recordings");

	tcase_add_checked_fixture(tc, api_setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_integration_api_chat);
	tcase_add_test(tc, test_integration_api_chat_length);
	tcase_add_test(tc, test_integration_api_documents);
	tcase_add_test(tc, test_integration_api_create_with_presentations);
	tcase_add_test(tc, test_integration_api_recordings_list);
	tcase_add_test(tc, test_integration_api_recordings_filters_and_paging);
	tcase_add_test(tc, test_integration_api_recording_get);
	tcase_add_test(tc, test_integration_api_recording_patch);
	tcase_add_test(tc, test_integration_api_recording_patch_comma);
	tcase_add_test(tc, test_integration_api_recording_patch_not_read_back);
	tcase_add_test(tc, test_integration_api_recording_delete);
	tcase_add_test(tc, test_integration_api_text_tracks);
	tcase_add_test(tc, test_integration_api_text_track_upload);
	tcase_add_test(tc, test_integration_api_hooks);
	tcase_add_test(tc, test_integration_api_hooks_checksum_algorithm);
	tcase_add_test(tc, test_integration_api_legacy_unsupported);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(legacy, legacy_setup, teardown);
	tcase_add_checked_fixture(many, many_setup, many_teardown);
	tcase_set_timeout(many, 60);
	tcase_add_test(many, test_integration_api_many_recordings_streamed);
	suite_add_tcase(s, many);
	tcase_add_test(legacy, test_integration_api_legacy_config);
	suite_add_tcase(s, legacy);
	return s;
}

GW_TEST_MAIN(integration_api_suite)
