/*
 * check_bbbsim_records.c - tests of the BBB simulator's recording calls
 * (getRecordings, publish/delete/updateRecordings, the caption-track
 * calls), the <modules> documents it records, the pre-2.4 config XML
 * calls and the bbb-sim options for them. The bbb-webhooks API is in
 * check_bbbsim_hooks_api.c.
 *
 * Each test runs its own simulator seeded from
 * tests/data/bbbsim/recordings.txt in a checked fixture (recfix.h).
 * Requests go through bbbsim_client.h; checksums are computed with
 * OpenSSL, independently of the simulator and the gateway.
 */
#include "recfix.h"
#include "testutil.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define R1 "be50234e1c66bebcfce306edca2e3a65c2133730-1715261728123"
#define R2 "64d2edb774ea928c8bf42a99bd453f35c16cb15e-1715262000456"
#define R3 "be50234e1c66bebcfce306edca2e3a65c2133730-1715866528000"
#define R4 "a72c17c66bc6234721b377d1d5a5dc32f199c749-1715179200000"
#define R5 "a72c17c66bc6234721b377d1d5a5dc32f199c749-1715784000000"
#define R6 "a5bc39a05a452cb2b00ebb7492bdb928b270d113-1714999000000"
#define LEGACY "You did not pass the checksum security check"

/* --- assertions ---------------------------------------------------------- */

/* FreeMarker's FAILED document. */
static void failed(struct bbbsim_resp r, const char *key, const char *message)
{
	char want[1024];

	snprintf(want, sizeof(want),
		 "<response>\n<returncode>FAILED</returncode>\n<messageKey>%s</messageKey>\n"
		 "<message>%s</message>\n</response>",
		 key, message);
	is(r, want);
}

/* Groovy JsonBuilder.toPrettyString of a FAILED reply. */
static void pretty(struct bbbsim_resp r, const char *key, const char *message)
{
	char want[1024];

	snprintf(want, sizeof(want),
		 "{\n    \"response\": {\n        \"returncode\": \"FAILED\",\n"
		 "        \"messageKey\": \"%s\",\n        \"message\": \"%s\"\n    }\n}",
		 key, message);
	is(r, want);
}

static void assert_state(const char *id, const char *want)
{
	char *s = bbbsim_recording_state(sim, id);

	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, want);
	free(s);
}

static void assert_meta(const char *id, const char *key, const char *want)
{
	char *v = bbbsim_recording_meta(sim, id, key);

	if (want == NULL)
		ck_assert_ptr_null(v);
	else
		ck_assert_str_eq(v, want);
	free(v);
}

/* The record IDs getRecordings?query lists, in order, separated by ' '. */
static void ids(const char *query, const char *want)
{
	struct bbbsim_resp r = call("getRecordings", query);
	char got[1024] = "";
	const char *p;
	size_t n = 0;

	ck_assert_int_eq(r.status, 200);
	for (p = strstr(r.body, "<recordID>"); p != NULL; p = strstr(p + 1, "<recordID>"))
		n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%.54s", n > 0 ? " " : "",
				      p + 10);
	ck_assert_msg(strcmp(got, want) == 0, "%s: got [%s], want [%s]", query, got, want);
	bbbsim_resp_free(&r);
}

static char *golden(const char *name)
{
	return gw_test_read_data(name, NULL);
}

/* --- getRecordings ------------------------------------------------------- */

START_TEST(test_rec_fixture_load_errors)
{
	static const char *const bad[] = {
		"meeting x y\n",                          /* before any recording */
		"recording a-1\nformat video u size=x\n", /* not a number */
		"recording a-1\nimage u alt=x\n",         /* image without a format */
		"recording a-1\nstate weird\n",
		"recording a-1\nmeta k \"unterminated\n",
		"recording a-1\nfrobnicate\n",
	};
	struct bbbsim_opts o = {.secret = SECRET, .recordings_file = "/nonexistent/recordings.txt"};
	char path[] = "/tmp/bbbsim-rec-XXXXXX";
	size_t i;
	int fd;

	ck_assert_ptr_null(bbbsim_start(&o));
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	o.recordings_file = path;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		FILE *f = fopen(path, "w");

		fputs(bad[i], f);
		fclose(f);
		ck_assert_msg(bbbsim_start(&o) == NULL, "accepted: %s", bad[i]);
	}
	unlink(path);
}
END_TEST

START_TEST(test_rec_get_layout)
{
	struct bbbsim_resp r = call("getRecordings", "");
	char *want = golden("bbbsim/get_recordings_default.xml");

	content_type(&r, "text/xml;charset=utf-8");
	is(r, want); /* recordings 1, 2, 4, 5 in Scala's layout */
	free(want);
	is(call("getRecordings", "meetingID=hist-303"), "<response>\n          "
							"<returncode>SUCCESS</returncode>\n"
							"          <recordings></recordings>\n"
							"          "
							"<messageKey>noRecordings</messageKey>\n"
							"          <message>There are no "
							"recordings for the meeting(s).</message>\n"
							"        </response>");
	/* POST with the parameters in the URL works too; other body types do not */
	r = post("getRecordings", "recordID=" R2, FORM, "", 0);
	ck_assert_uint_eq(count(r.body, "<recording>"), 1);
	bbbsim_resp_free(&r);
	failed(post("getRecordings", "", "application/json", "{}", 2), "unsupportedContentType",
	       "POST request Content-Type is missing or unsupported");
	/* the legacy checksum message, for a missing and for a wrong checksum */
	failed(get(API "getRecordings?meetingID=bio-101"), "checksumError", LEGACY);
	failed(get(API "getRecordings?meetingID=bio-101&checksum="
		       "0123456789012345678901234567890123456789"),
	       "checksumError", LEGACY);
}
END_TEST

START_TEST(test_rec_get_filters)
{
	ids("meetingID=bio-101", R1);
	ids("meetingID=chem-202,bio-101", R4 " " R5 " " R1);
	ids("meetingID=bio-101&state=any", R1 " " R3);
	ids("meetingID=bio-101&state=processing", R3);
	ids("state=deleted", R6);
	ids("state=deleted,unpublished", R2 " " R5 " " R6);
	ids("state=bogus", "");
	/* recordID prefixes; meetingID is then ignored */
	ids("recordID=a72c", R4 " " R5);
	ids("recordID=" R2 "&meetingID=chem-202", R2);
	ids("recordID=nothing", "");
	/* IDs are URL-decoded a second time: %252C arrives as %2C, then ',' */
	ids("recordID=64d2%252Ca5bc&state=any", R2 " " R6);
	/* meta_ filters: exact, %suffix, prefix%, %infix%, ANDed; names lower-cased */
	ids("meta_gl-listed=false", R4 " " R5);
	ids("meta_GL-Listed=true", R1);
	ids("meta_bbb-context=%25101", R1);
	ids("meta_bbb-context=CHEM%25", R4);
	ids("meta_bbb-context=%25iology%25", R1);
	ids("meta_bbb-origin=greenlight&meta_gl-listed=false", R4 " " R5);
	ids("meta_bbb_context=x", R1 " " R2 " " R4 " " R5); /* '_' in the name: ignored */
	ids("meta_meetingId=bio-101", ""); /* lower-cased, so camelCase keys never match */
	/* uncaught exceptions in bbb-web */
	status(call("getRecordings", "meta_bbb-context="), 500); /* charAt(0) of "" */
	status(call("getRecordings", "recordID=%25zz"), 500);    /* second URLDecoder pass */
}
END_TEST

START_TEST(test_rec_get_pagination)
{
	char *want = golden("bbbsim/get_recordings_page.xml");
	struct bbbsim_resp r;

	is(call("getRecordings", "limit=2&offset=2"), want); /* R1 split: its video, then R2 */
	free(want);
	want = golden("bbbsim/get_recordings_chem_paged.xml");
	is(call("getRecordings", "meetingID=chem-202&limit=5"), want); /* JAXP: <data/>, '"' raw */
	free(want);
	r = call("getRecordings", "limit=2");
	ck_assert_uint_eq(count(r.body, "<recording>"), 1);
	ck_assert_uint_eq(count(r.body, "<format>"), 3); /* presentation, podcast + data */
	has(r, "</recordings>\n        <pagination><pageable><offset>0</offset><limit>2</limit>"
	       "<paged>true</paged><unpaged>false</unpaged></pageable><totalElements>7"
	       "</totalElements><empty>false</empty></pagination></response>");
	r = call("getRecordings", "limit=0&state=any");
	assert_has(r.body, "<limit>1</limit>");
	has(r, "<totalElements>9</totalElements>");
	r = call("getRecordings", "limit=1000&offset=-4");
	ck_assert_uint_eq(count(r.body, "<recording>"), 4);
	has(r, "<offset>0</offset><limit>100</limit>");
	is(call("getRecordings", "offset=7&limit=10"),
	   "<response>\n          <returncode>SUCCESS</returncode>\n          <recordings/>\n"
	   "          <messageKey>noRecordings</messageKey>\n"
	   "          <message>There are no recordings for the meeting(s).</message>\n"
	   "        <pagination><pageable><offset>7</offset><limit>10</limit><paged>true</paged>"
	   "<unpaged>false</unpaged></pageable><totalElements>7</totalElements><empty>true"
	   "</empty></pagination></response>");
	status(call("getRecordings", "offset=8&limit=10"), 500); /* subList throws */
	/* no valid integer limit: no pagination, offset ignored */
	r = call("getRecordings", "offset=3&limit=ten");
	ck_assert_ptr_null(strstr(r.body, "pagination"));
	ck_assert_uint_eq(count(r.body, "<recording>"), 4);
	bbbsim_resp_free(&r);
	r = call("getRecordings", "offset=99");
	ck_assert_uint_eq(count(r.body, "<recording>"), 4);
	bbbsim_resp_free(&r);
}
END_TEST

/* --- publish, delete, update --------------------------------------------- */

START_TEST(test_rec_publish)
{
	is(call("publishRecordings", "recordID=" R5 "&publish=true"), "<response><returncode>"
								      "SUCCESS</"
								      "returncode><published>true</"
								      "published></response>");
	assert_state(R5, "published");
	ids("recordID=" R5, R5);
	/* Groovy toBoolean: "<maybe>" is false; the raw value is echoed, unescaped */
	is(call("publishRecordings", "recordID=" R1 ",unknown&publish=%3Cmaybe%3E"),
	   "<response><returncode>SUCCESS</returncode><published><maybe></published></response>");
	assert_state(R1, "unpublished");
	has(call("publishRecordings", "recordID=" R1 "&publish=1"), "<published>1</published>");
	assert_state(R1, "published");
	/* only published/unpublished recordings count, by exact ID */
	failed(call("publishRecordings", "recordID=" R6 "," R3 "&publish=true"), "notFound",
	       "We could not find recordings");
	assert_state(R6, "deleted");
	failed(call("publishRecordings", "recordID=a72c&publish=true"), "notFound",
	       "We could not find recordings");
	failed(call("publishRecordings", "publish=true"), "missingParamRecordID",
	       "You must specify a recordID.");
	failed(call("publishRecordings", "recordID=" R5), "missingParamPublish",
	       "You must specify a publish value true or false.");
	failed(get(API "publishRecordings?recordID=" R5 "&publish=true"), "checksumError", LEGACY);
	/* the parameters are checked before a wrong checksum */
	failed(get(API "publishRecordings?recordID=" R5 "&checksum=abc"), "missingParamPublish",
	       "You must specify a publish value true or false.");
	failed(get(API "publishRecordings?recordID=" R5 "&publish=true&checksum=abc"),
	       "checksumError", LEGACY);
	status(post("publishRecordings", "recordID=" R5 "&publish=true", NULL, NULL, 0), 405);
}
END_TEST

START_TEST(test_rec_delete_update)
{
	is(call("deleteRecordings", "recordID=" R2), "<response><returncode>SUCCESS</"
						     "returncode><deleted>true</deleted></"
						     "response>");
	assert_state(R2, "deleted");
	ids("state=deleted", R2 " " R6); /* still listed */
	failed(call("deleteRecordings", "recordID=" R2), "notFound",
	       "We could not find recordings");
	failed(call("deleteRecordings", ""), "missingParamRecordID",
	       "You must specify a recordID.");
	/* update: set, add (name lower-cased), delete with an empty value */
	is(call("updateRecordings", "recordID=" R1 "&meta_bbb-context=Bio+I&meta_Term=Fall&meta_gl-"
				    "listed="),
	   "<response><returncode>SUCCESS</returncode><updated>true</updated></response>");
	assert_meta(R1, "bbb-context", "Bio I");
	assert_meta(R1, "term", "Fall");
	assert_meta(R1, "gl-listed", NULL);
	ids("meta_term=Fall", R1);
	/* a deleted recording alone is notFound, but is updated next to an existing one */
	failed(call("updateRecordings", "recordID=" R6 "&meta_x=1"), "notFound",
	       "We could not find recordings");
	has(post("updateRecordings", "recordID=" R6 "," R4 "&meta_x=2", FORM, "", 0), "<updated>"
										      "true</"
										      "updated>");
	assert_meta(R6, "x", "2");
	ck_assert_ptr_null(bbbsim_recording_state(sim, "nope"));
	assert_meta("nope", "x", NULL);
}
END_TEST

/* --- caption tracks ------------------------------------------------------- */

START_TEST(test_rec_text_tracks_get)
{
	struct bbbsim_resp r = call("getRecordingTextTracks", "recordID=" R1);
	char prefix[256];

	content_type(&r, "application/json;charset=utf-8");
	snprintf(prefix, sizeof(prefix),
		 "{\"response\":{\"returncode\":\"SUCCESS\",\"tracks\":[{\"href\":\"http://"
		 "127.0.0.1:%u/bigbluebutton/textTrack/",
		 bbbsim_port(sim));
	ck_assert_msg(strncmp(r.body, prefix, strlen(prefix)) == 0, "%s", r.body);
	assert_has(r.body, "/" R1 "/subtitles_en-US.vtt\",\"kind\":\"subtitles\",\"label\":"
			   "\"English\","
			   "\"lang\":\"en-US\",\"source\":\"live\"},{\"href\":");
	/* Gson: < > & = ' escaped, non-ASCII raw */
	has(r, "/captions_pt-BR.vtt\",\"kind\":\"captions\",\"label\":\"Português - Ana\\u0027s "
	       "\\u003cauto\\u003e \\u0026 "
	       "\\u003d\",\"lang\":\"pt-BR\",\"source\":\"automatic\"}]}}");
	is(call("getRecordingTextTracks", "recordID=" R4),
	   "{\"response\":{\"returncode\":\"FAILED\",\"messageKey\":\"noCaptionsFound\","
	   "\"message\":\"No captions found for " R4 "\"}}");
	is(call("getRecordingTextTracks", "recordID=x%3Dy"), "{\"response\":{\"returncode\":"
							     "\"FAILED\",\"messageKey\":"
							     "\"noRecordings\","
							     "\"message\":\"No recording found for "
							     "x\\u003dy\"}}");
	/* the XML errors of the generic path; recordID is checked before a wrong checksum */
	failed(call("getRecordingTextTracks", ""), "missingParamRecordID",
	       "You must specify a recordID.");
	failed(get(API "getRecordingTextTracks?checksum=00"), "missingParamRecordID",
	       "You must specify a recordID.");
	failed(get(API "getRecordingTextTracks?recordID=" R1), "checksumError", LEGACY);
	failed(get(API "getRecordingTextTracks?checksum=00&recordID=" R1), "checksumError", LEGACY);
}
END_TEST

static const char vtt[] = "WEBVTT\r\n\r\n00:00.000 --> 00:01.000\r\nHi\0there\r\n";

/* POSTs a multipart body: text fields (already framed), then a "file" part holding file. */
static struct bbbsim_resp upload(const char *query, const char *fields, const char *file, size_t n)
{
	static const char head[] = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
				   "filename=\"cap;s.vtt\"\r\nContent-Type: text/vtt\r\n\r\n";
	static const char tail[] = "\r\n--XyZ--\r\n";
	size_t fl = strlen(fields);
	size_t len = fl + sizeof(head) - 1 + n + sizeof(tail) - 1;
	char *b = malloc(len + 1);
	struct bbbsim_resp r;

	memcpy(b, fields, fl);
	memcpy(b + fl, head, sizeof(head) - 1);
	memcpy(b + fl + sizeof(head) - 1, file, n);
	memcpy(b + fl + sizeof(head) - 1 + n, tail, sizeof(tail));
	r = post("putRecordingTextTrack", query, "multipart/form-data; boundary=\"XyZ\"", b, len);
	free(b);
	return r;
}

START_TEST(test_rec_text_track_put)
{
	struct bbbsim_resp r = upload("recordID=" R4 "&kind=subtitles&lang=de-DE&label=Deutsch", "",
				      vtt, sizeof(vtt) - 1);
	struct bbbsim_upload u;

	content_type(&r, "application/json;charset=utf-8");
	is(r, "{\"response\":{\"returncode\":\"SUCCESS\",\"recordId\":\"" R4 "\",\"messageKey\":"
	      "\"upload_text_track_success\",\"message\":\"Text track uploaded successfully\"}}");
	ck_assert_uint_eq(bbbsim_upload_count(sim), 1);
	ck_assert(bbbsim_upload_get(sim, 0, &u));
	ck_assert_str_eq(u.record_id, R4);
	ck_assert_str_eq(u.kind, "subtitles");
	ck_assert_str_eq(u.lang, "de-DE");
	ck_assert_str_eq(u.label, "Deutsch");
	ck_assert_str_eq(u.filename, "cap;s.vtt");
	ck_assert_str_eq(u.content_type, "text/vtt");
	ck_assert_uint_eq(u.len, sizeof(vtt) - 1);
	ck_assert_mem_eq(u.data, vtt, sizeof(vtt) - 1); /* binary-safe, NUL included */
	bbbsim_upload_free(&u);
	ck_assert(!bbbsim_upload_get(sim, 1, &u));
	has(call("getRecordingTextTracks", "recordID=" R4), "/" R4 "/subtitles_de-DE.vtt\","
							    "\"kind\":\"subtitles\","
							    "\"label\":\"Deutsch\","
							    "\"lang\":\"de-DE\",\"source\":"
							    "\"upload\"}]}}");
	/* kind and lang as form fields; the label defaults to lang; same kind+lang replaces */
	has(upload("recordID=" R1,
		   "--XyZ\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nsubtitles\r\n"
		   "--XyZ\r\nContent-Disposition: form-data; name=\"lang\"\r\n\r\nen-US\r\n",
		   "WEBVTT\n", 7),
	    "upload_text_track_success");
	r = call("getRecordingTextTracks", "recordID=" R1);
	ck_assert_uint_eq(count(r.body, "\"href\""), 2);
	has(r, "\"kind\":\"subtitles\",\"label\":\"en-US\",\"lang\":\"en-US\",\"source\":"
	       "\"upload\"},{");
	ck_assert_uint_eq(bbbsim_upload_count(sim), 2);
}
END_TEST

START_TEST(test_rec_text_track_put_errors)
{
	static const char *const cases[][3] = {
		{"kind=captions&lang=en", "paramError", "Missing param recordID."},
		{"recordID=nope-1&kind=captions&lang=en", "noRecordings",
		 "No recording was found for nope-1"},
		{"recordID=" R1 "&lang=en", "paramError", "Missing param kind."},
		{"recordID=" R1 "&kind=chapters&lang=en", "invalidKind",
		 "The kind parameter is not set to a permitted value."},
		{"recordID=" R1 "&kind=captions", "paramError", "Missing param lang."},
		{"recordID=" R1 "&kind=captions&lang=en_US", "invalidLang",
		 "The lang parameter is not a well-formed language tag."},
		{"recordID=" R1 "&kind=captions&lang=x-klingon", "invalidLang",
		 "The lang parameter is not a valid language tag."},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		pretty(upload(cases[i][0], "", "x", 1), cases[i][1], cases[i][2]);
	pretty(upload("recordID=" R1 "&kind=captions&lang=en", "", "", 0),
	       "empty_uploaded_text_track", "Empty uploaded text track.");
	pretty(post("putRecordingTextTrack", "recordID=" R1 "&kind=captions&lang=en", "text/vtt",
		    "WEBVTT", 6),
	       "empty_uploaded_text_track", "Empty uploaded text track.");
	pretty(http("POST", API "putRecordingTextTrack?recordID=" R1, "text/vtt", "W", 1),
	       "paramError", "Missing param checksum.");
	failed(http("POST", API "putRecordingTextTrack?recordID=" R1 "&checksum=12", "text/vtt",
		    "W", 1),
	       "checksumError", LEGACY);
	status(call("putRecordingTextTrack", "recordID=" R1), 405);
	ck_assert_uint_eq(bbbsim_upload_count(sim), 0);
}
END_TEST

/* --- <modules> documents -------------------------------------------------- */

START_TEST(test_rec_documents)
{
	static const char modules[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<modules>\n"
		"  <module name=\"clientSettingsOverride\"><![CDATA[{\"a\":1}]]></module>\n"
		"  <module name=\"other\"><document url=\"https://skip.example/x.pdf\"/></module>\n"
		"  <module name=\"presentation\">\n"
		"    <document url=\"https://files.example/a.pdf?x=1&amp;y=2\" filename='a b.pdf' "
		"downloadable=\"true\"/>\n"
		"    <!-- a comment <document url=\"nope\"/> -->\n"
		"    <document name=\"slides.pdf\" current=\"true\" removable=\"false\">\n"
		"      SGVsbG8s\n      IHdvcmxkIQ==\n    </document>\n"
		"  </module>\n</modules>";
	static const char insert[] = "<modules><module name=\"presentation\"><document "
				     "name=\"bad.pdf\"><![CDATA[not base64!]]></document>"
				     "</module></modules>";
	struct bbbsim_document d;

	has(post("create", "name=Docs&meetingID=docs-1", "application/xml", modules,
		 strlen(modules)),
	    "<returncode>SUCCESS</returncode>");
	ck_assert_uint_eq(bbbsim_document_count(sim), 2);
	ck_assert(bbbsim_document_get(sim, 0, &d));
	ck_assert_str_eq(d.meeting_id, "docs-1");
	ck_assert_str_eq(d.call, "create");
	ck_assert_str_eq(d.url, "https://files.example/a.pdf?x=1&y=2");
	ck_assert_str_eq(d.filename, "a b.pdf");
	ck_assert_str_eq(d.downloadable, "true");
	ck_assert(d.name == NULL && d.base64 == NULL && d.content == NULL);
	bbbsim_document_free(&d);
	ck_assert(bbbsim_document_get(sim, 1, &d));
	ck_assert_str_eq(d.name, "slides.pdf");
	ck_assert_str_eq(d.current, "true");
	ck_assert_str_eq(d.removable, "false");
	ck_assert_str_eq(d.base64, "SGVsbG8sIHdvcmxkIQ==");
	ck_assert_uint_eq(d.content_len, 13);
	ck_assert_mem_eq(d.content, "Hello, world!", 13);
	ck_assert_ptr_null(d.url);
	bbbsim_document_free(&d);
	/* a repeated create ignores its documents; an accepted insertDocument adds */
	has(post("create", "name=Docs&meetingID=docs-1", "text/xml", modules, strlen(modules)),
	    "duplicateWarning");
	has(post("insertDocument", "meetingID=docs-1", "application/xml", insert, strlen(insert)),
	    "Presentation is being uploaded");
	has(post("insertDocument", "meetingID=docs-9", "application/xml", insert, strlen(insert)),
	    "<returncode>FAILED</returncode>");
	ck_assert_uint_eq(bbbsim_document_count(sim), 3);
	ck_assert(bbbsim_document_get(sim, 2, &d));
	ck_assert_str_eq(d.call, "insertDocument");
	ck_assert_str_eq(d.base64, "notbase64!");
	ck_assert_ptr_null(d.content);
	bbbsim_document_free(&d);
	ck_assert(!bbbsim_document_get(sim, 3, &d));
}
END_TEST

/* --- pre-2.4 config XML ---------------------------------------------------- */

START_TEST(test_legacy_config_off)
{
	status(call("getDefaultConfigXML", ""), 404);
	status(post("setConfigXML", "", FORM, "a=b", 3), 404);
}
END_TEST

static struct bbbsim_resp set_config(const char *query, const char *form)
{
	char target[64];

	snprintf(target, sizeof(target), API "setConfigXML%s%s", query[0] != '\0' ? "?" : "",
		 query);
	return http("POST", target, FORM, form, strlen(form));
}

static void builder_failed(struct bbbsim_resp r, const char *key, const char *message)
{
	char want[512];

	snprintf(want, sizeof(want),
		 "<response><returncode>FAILED</returncode><messageKey>%s</messageKey>"
		 "<message>%s</message></response>",
		 key, message);
	is(r, want);
}

START_TEST(test_legacy_config_on)
{
	/* bbb-api.md 2.4, vector 2: the sorted, re-encoded form; sha1 */
	static const char form[] = "configXML=%3Cconfig%3E%3Clocaleversion+suppressWarning%3D%"
				   "22false%22%3E0.9.0%3C%2F"
				   "localeversion%3E%3C%2Fmodules%3E%3C%2Fconfig%3E&meetingID="
				   "random-8228800"
				   "&checksum=51db6f55ffa080f42f5727386beb66adb4e5cf81";
	static const char ok[] = "<response><returncode>SUCCESS</returncode><configToken>";
	struct bbbsim_opts o = {.secret = "aae06642a13942004fd83b3ba6e4o9s8",
				.legacy_config = true};
	struct bbbsim_resp r;
	char *token;
	char *xml;

	restart(o);
	builder_failed(set_config("", form), "invalidMeetingIdentifier",
		       "The meeting ID that you supplied did not match any existing meetings");
	has(call("create", "name=Room&meetingID=random-8228800"), "<returncode>SUCCESS");
	r = set_config("", form);
	ck_assert_msg(strncmp(r.body, ok, strlen(ok)) == 0 &&
			      strcmp(r.body + strlen(ok) + 8, "</configToken></response>") == 0,
		      "%s", r.body);
	token = strndup(r.body + strlen(ok), 8);
	xml = bbbsim_config_xml(sim, token);
	ck_assert_str_eq(xml, "<config><localeversion "
			      "suppressWarning=\"false\">0.9.0</localeversion>"
			      "</modules></config>");
	free(xml);
	free(token);
	bbbsim_resp_free(&r);
	ck_assert_ptr_null(bbbsim_config_xml(sim, "nope"));
	/* the checksum is checked after the parameters and the meeting */
	builder_failed(set_config("", "configXML=x&meetingID=random-8228800&checksum="
				      "0000000000000000000000000000000000000000"),
		       "configXMLChecksumError",
		       "configXMLChecksumError: request did not pass the checksum security check.");
	builder_failed(set_config("checksum=1", "meetingID=m"), "configXMLError",
		       "You did not pass a config XML");
	builder_failed(set_config("checksum=1", "configXML=x"), "missingParamMeetingID",
		       "You must specify a meeting ID for the meeting.");
	builder_failed(set_config("", "configXML=x"), "checksumError", LEGACY);
	/* getDefaultConfigXML: the config document itself, not a <response> */
	r = call("getDefaultConfigXML", "");
	ck_assert_int_eq(r.status, 200);
	ck_assert_msg(strncmp(r.body, "<?xml version=\"1.0\" ?>\n<config>\n", 32) == 0, "%s",
		      r.body);
	ck_assert_str_eq(r.body + r.len - 10, "</config>\n");
	has(r, "<module name=\"PresentModule\"");
	builder_failed(get(API "getDefaultConfigXML"), "checksumError", LEGACY);
}
END_TEST

/* --- bbb-sim ---------------------------------------------------------------- */

/* Runs bbb-sim with args; returns its pid and sets other_port, or 0 (and *st) if it exits. */
static pid_t run_program(const char *const *args, int *st)
{
	const char *path = getenv("GW_BBBSIM_BINARY");
	char *argv[16] = {(char *)path};
	char line[256] = {0};
	int pipefd[2];
	size_t i;
	pid_t pid;
	FILE *out;

	ck_assert_msg(path != NULL, "GW_BBBSIM_BINARY not set");
	for (i = 0; args[i] != NULL; i++)
		argv[i + 1] = (char *)args[i];
	ck_assert_int_eq(pipe(pipefd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		close(pipefd[0]);
		execv(path, argv);
		_exit(127);
	}
	close(pipefd[1]);
	out = fdopen(pipefd[0], "r");
	if (fgets(line, sizeof(line), out) == NULL) {
		ck_assert_int_eq(waitpid(pid, st, 0), pid);
		pid = 0;
	} else {
		ck_assert_int_eq(
			sscanf(line, "bbb-sim listening on http://127.0.0.1:%u/", &other_port), 1);
	}
	fclose(out);
	return pid;
}

START_TEST(test_rec_program_options)
{
	const char *const good[] = {"--port",
				    "0",
				    "--secret",
				    SECRET,
				    "--recordings",
				    gw_test_data_path("bbbsim/recordings.txt"),
				    "--hooks-algorithms",
				    "sha256",
				    "--legacy-config",
				    NULL};
	const char *const bad[] = {
		"--port", "0", "--secret", SECRET, "--recordings", "/nonexistent/recordings.txt",
		NULL};
	int st = 0;
	pid_t pid = run_program(bad, &st);

	ck_assert_int_eq(pid, 0);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	pid = run_program(good, &st);
	ck_assert_int_gt(pid, 0);
	ids("state=any", R1 " " R2 " " R3 " " R4 " " R5 " " R6);
	has(hook("sha1", "list", ""), "checksumError");
	has(hook("sha256", "list", ""), "<returncode>SUCCESS</returncode>");
	has(call("getDefaultConfigXML", ""), "<config>");
	other_port = 0;
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}
END_TEST

static Suite *bbbsim_records_suite(void)
{
	Suite *s = suite_create("bbbsim_records");
	TCase *tc = tcase_create("bbbsim_records");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_rec_fixture_load_errors);
	tcase_add_test(tc, test_rec_get_layout);
	tcase_add_test(tc, test_rec_get_filters);
	tcase_add_test(tc, test_rec_get_pagination);
	tcase_add_test(tc, test_rec_publish);
	tcase_add_test(tc, test_rec_delete_update);
	tcase_add_test(tc, test_rec_text_tracks_get);
	tcase_add_test(tc, test_rec_text_track_put);
	tcase_add_test(tc, test_rec_text_track_put_errors);
	tcase_add_test(tc, test_rec_documents);
	tcase_add_test(tc, test_legacy_config_off);
	tcase_add_test(tc, test_legacy_config_on);
	tcase_add_test(tc, test_rec_program_options);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(bbbsim_records_suite)
