/*
 * check_xml_tenant.c - the tenant rewrite of BBB XML replies: prefixes off
 * meeting IDs, other tenants' list items out, everything else byte for
 * byte, for real reply shapes, fed whole, at every split point and a byte
 * at a time; caps, truncation, depth, sink errors and garbage.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "gw_limits.h"
#include "testutil.h"
#include "xml_tenant.h"

#define BIG (1u << 20) /* an item cap no test item reaches */

/* ---- helpers ---- */

struct sink {
	struct gw_buf b;
	unsigned calls;
	unsigned fail_at; /* the call that fails with GW_E_IO (0: none) */
};

static enum gw_err collect(void *arg, const char *p, size_t n)
{
	struct sink *s = arg;

	s->calls++;
	ck_assert_uint_gt(n, 0);
	if (s->fail_at != 0 && s->calls == s->fail_at)
		return GW_E_IO;
	return gw_buf_append(&s->b, p, n);
}

static void sink_init(struct sink *s)
{
	memset(s, 0, sizeof(*s));
	gw_buf_init(&s->b, 64u * 1024u * 1024u);
}

static struct gw_xml_tenant *new_tenant(const char *prefix, size_t max)
{
	struct gw_xml_tenant *t = NULL;

	ck_assert_int_eq(gw_xml_tenant_new(prefix, max, &t), GW_OK);
	ck_assert_ptr_nonnull(t);
	return t;
}

/* Feeds xml in pieces ending at cuts[] (ascending), then finishes; the sink keeps the output. */
static enum gw_err feed_cuts(const char *prefix, const char *xml, size_t len, size_t max,
			     const size_t *cuts, size_t ncuts, struct sink *s)
{
	struct gw_xml_tenant *t = new_tenant(prefix, max);
	enum gw_err err = GW_OK;
	size_t at = 0;
	size_t i;

	for (i = 0; i <= ncuts && err == GW_OK; i++) {
		size_t to = i < ncuts ? cuts[i] : len;

		err = gw_xml_tenant_feed(t, xml + at, to - at, collect, s);
		at = to;
	}
	if (err == GW_OK)
		err = gw_xml_tenant_finish(t, collect, s);
	gw_xml_tenant_free(t);
	return err;
}

/* The whole reply through gw_xml_tenant_rewrite; the output (caller frees) or NULL on error. */
static char *rewrite(const char *prefix, const char *xml, size_t max, enum gw_err *err)
{
	struct gw_buf out;
	char *s;

	gw_buf_init(&out, 64u * 1024u * 1024u);
	*err = gw_xml_tenant_rewrite(prefix, xml, strlen(xml), max, &out);
	if (*err != GW_OK) {
		ck_assert_uint_eq(out.len, 0);
		gw_buf_deinit(&out);
		return NULL;
	}
	s = gw_buf_take(&out, NULL);
	ck_assert_ptr_nonnull(s);
	return s;
}

static void assert_text(const char *what, const char *got, const char *want)
{
	if (strcmp(got, want) == 0)
		return;
	fprintf(stderr, "%s:\n--- got\n%s\n--- want\n%s\n---\n", what, got, want);
	ck_abort_msg("%s: output differs", what);
}

/* The rewrite of xml is want, whole, at every split point and a byte at a time. */
static void expect_max(const char *prefix, const char *xml, size_t max, const char *want)
{
	size_t len = strlen(xml);
	size_t *cuts = malloc((len + 1) * sizeof(*cuts));
	struct sink s;
	enum gw_err err;
	char *got = rewrite(prefix, xml, max, &err);
	size_t i;

	ck_assert_msg(err == GW_OK, "rewrite: %s", gw_err_str(err));
	assert_text("whole", got, want);
	free(got);
	ck_assert_ptr_nonnull(cuts);
	for (i = 0; i <= len; i++) {
		sink_init(&s);
		err = feed_cuts(prefix, xml, len, max, &i, 1, &s);
		ck_assert_msg(err == GW_OK, "split at %zu: %s", i, gw_err_str(err));
		if (strcmp(gw_buf_str(&s.b), want) != 0) {
			fprintf(stderr, "split at %zu\n", i);
			assert_text("split", gw_buf_str(&s.b), want);
		}
		gw_buf_deinit(&s.b);
	}
	for (i = 0; i < len; i++)
		cuts[i] = i + 1;
	sink_init(&s);
	err = feed_cuts(prefix, xml, len, max, cuts, len, &s);
	ck_assert_msg(err == GW_OK, "byte by byte: %s", gw_err_str(err));
	assert_text("byte by byte", gw_buf_str(&s.b), want);
	gw_buf_deinit(&s.b);
	free(cuts);
}

static void expect(const char *prefix, const char *xml, const char *want)
{
	expect_max(prefix, xml, BIG, want);
}

/* xml is refused with err whole, at every split point and a byte at a time. */
static void expect_err_max(const char *prefix, const char *xml, size_t max, enum gw_err want)
{
	size_t len = strlen(xml);
	size_t *cuts = malloc((len + 1) * sizeof(*cuts));
	struct sink s;
	enum gw_err err;
	char *got = rewrite(prefix, xml, max, &err);
	size_t i;

	ck_assert_ptr_null(got);
	ck_assert_msg(err == want, "whole: %s, want %s", gw_err_str(err), gw_err_str(want));
	ck_assert_ptr_nonnull(cuts);
	for (i = 0; i <= len; i++) {
		sink_init(&s);
		err = feed_cuts(prefix, xml, len, max, &i, 1, &s);
		ck_assert_msg(err == want, "split at %zu: %s", i, gw_err_str(err));
		gw_buf_deinit(&s.b);
	}
	for (i = 0; i < len; i++)
		cuts[i] = i + 1;
	sink_init(&s);
	ck_assert_int_eq(feed_cuts(prefix, xml, len, max, cuts, len, &s), want);
	gw_buf_deinit(&s.b);
	free(cuts);
}

static void expect_err(const char *prefix, const char *xml, enum gw_err want)
{
	expect_err_max(prefix, xml, BIG, want);
}

/* s with its first `from` replaced by `to`; caller frees. */
static char *replace_once(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	struct gw_buf b;

	ck_assert_ptr_nonnull(at);
	gw_buf_init(&b, 64u * 1024u * 1024u);
	ck_assert_int_eq(gw_buf_append(&b, s, (size_t)(at - s)), GW_OK);
	ck_assert_int_eq(gw_buf_append_str(&b, to), GW_OK);
	ck_assert_int_eq(gw_buf_append_str(&b, at + strlen(from)), GW_OK);
	return gw_buf_take(&b, NULL);
}

/* ---- real reply shapes ---- */

#define MEETINGS_HEAD                                              \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<response>\n" \
	"  <returncode>SUCCESS</returncode>\n  <meetings>"
#define MEETINGS_TAIL "\n  </meetings>\n</response>\n"

#define BIO(id)                                                                                  \
	"\n    <meeting>\n      <meetingName>Bio 101 &quot;Cells&quot; &amp; more</meetingName>" \
	"\n      <meetingID>" id "</meetingID>"                                                  \
	"\n      <internalMeetingID>be50234e1c66bebcfce306edca2e3a65c2133730-1715261728123"      \
	"</internalMeetingID>\n      <createTime>1715261728123</createTime>"                     \
	"\n      <attendeePW>ap8KfJ2x</attendeePW>\n      <running>true</running>"               \
	"\n      <attendees>\n        <attendee>\n          <userID>u-ada</userID>"              \
	"\n          <fullName>Ada Lovelace</fullName>\n        </attendee>"                     \
	"\n      </attendees>\n      <metadata>\n        <bbb-origin>Moodle</bbb-origin>"        \
	"\n      </metadata>\n      <isBreakout>false</isBreakout>\n    </meeting>"

#define CHEM(id)                                                                            \
	"\n    <meeting>\n      <meetingName>Chem 202</meetingName>"                        \
	"\n      <meetingID>" id "</meetingID>"                                             \
	"\n      <internalMeetingID>a72c17c66bc6234721b377d1d5a5dc32f199c749-1715265100042" \
	"</internalMeetingID>\n      <running>false</running>"                              \
	"\n      <attendees>\n      </attendees>\n      <isBreakout>false</isBreakout>"     \
	"\n    </meeting>"

/* A breakout room: BBB names it after its parent, with the parent's internal ID. */
#define BIO_ROOM(id)                                                                         \
	"\n    <meeting>\n      <meetingName>Bio 101 (Room 1)</meetingName>"                 \
	"\n      <meetingID>" id "</meetingID>"                                              \
	"\n      <internalMeetingID>3c5a8f1d2b7e9a4c6d0f1e2b3a4c5d6e7f8a9b0c-1715262000456"  \
	"</internalMeetingID>\n      <isBreakout>true</isBreakout>"                          \
	"\n      <parentMeetingID>be50234e1c66bebcfce306edca2e3a65c2133730-1715261728123"    \
	"</parentMeetingID>\n      <sequence>1</sequence>\n      <freeJoin>false</freeJoin>" \
	"\n    </meeting>"

START_TEST(test_xml_tenant_get_meetings_pretty)
{
	expect("lms~",
	       MEETINGS_HEAD BIO("lms~bio-101") CHEM("gl~chem-202") BIO_ROOM("lms~bio-101-1")
		       CHEM("gl~chem-202-1") MEETINGS_TAIL,
	       MEETINGS_HEAD BIO("bio-101") BIO_ROOM("bio-101-1") MEETINGS_TAIL);
	/* the other tenant sees only its own */
	expect("gl~",
	       MEETINGS_HEAD BIO("lms~bio-101") CHEM("gl~chem-202") BIO_ROOM("lms~bio-101-1")
		       MEETINGS_TAIL,
	       MEETINGS_HEAD CHEM("chem-202") MEETINGS_TAIL);
}
END_TEST

START_TEST(test_xml_tenant_get_meetings_single_line)
{
	static const char in[] = "<response><returncode>SUCCESS</returncode><meetings>"
				 "<meeting><meetingName>A</meetingName><meetingID>gl~a</meetingID>"
				 "<running>true</running></meeting>"
				 "<meeting><meetingName>B</meetingName><meetingID>lms~b</meetingID>"
				 "<running>false</running></meeting>"
				 "<meeting><meetingName>C</meetingName><meetingID>lms~c</meetingID>"
				 "<parentMeetingID>lms~b</parentMeetingID></meeting>"
				 "<meeting><meetingName>D</meetingName><meetingID>d</meetingID>"
				 "</meeting>"
				 "</meetings></response>";
	static const char want[] = "<response><returncode>SUCCESS</returncode><meetings>"
				   "<meeting><meetingName>B</meetingName><meetingID>b</meetingID>"
				   "<running>false</running></meeting>"
				   "<meeting><meetingName>C</meetingName><meetingID>c</meetingID>"
				   "<parentMeetingID>b</parentMeetingID></meeting>"
				   "</meetings></response>";

	expect("lms~", in, want);
}
END_TEST

/* A breakout's own meetingID decides; a parentMeetingID with the prefix only loses it. */
START_TEST(test_xml_tenant_breakout_parent_id)
{
	static const char in[] = "<response><meetings>"
				 "<meeting><meetingID>x-1</meetingID>"
				 "<parentMeetingID>lms~x</parentMeetingID></meeting>"
				 "<meeting><meetingID>lms~x-1</meetingID>"
				 "<parentMeetingID>lms~x</parentMeetingID></meeting>"
				 "</meetings></response>";

	expect("lms~", in,
	       "<response><meetings>"
	       "<meeting><meetingID>x-1</meetingID><parentMeetingID>x</parentMeetingID></meeting>"
	       "</meetings></response>");
}
END_TEST

START_TEST(test_xml_tenant_get_meeting_info)
{
	char *in = gw_test_read_data("xml/get_meeting_info_one_attendee.xml", NULL);
	char *mine = replace_once(in, "<meetingID>bio-101<", "<meetingID>lms~bio-101<");

	/* the tenant's meeting: the prefix goes; not a list, nothing else changes */
	expect("lms~", mine, in);
	/* another tenant's ID stays as it is */
	expect("lms~", in, in);
	free(in);
	free(mine);
}
END_TEST

#define RECORDING(id, meta_id)                                                                  \
	"\n      <recording>\n         <recordID>ffbfc4cc2442-1530718721124</recordID>"         \
	"\n         <meetingID>" id "</meetingID>"                                              \
	"\n         <internalMeetingID>ffbfc4cc2442-1530718721124</internalMeetingID>"          \
	"\n         <name>Fred's Room</name>\n         <published>true</published>"             \
	"\n         <metadata>\n            <isBreakout>false</isBreakout>"                     \
	"\n            <meetingName>Fred's Room</meetingName>"                                  \
	"\n            <meetingId>" meta_id "</meetingId>\n         </metadata>"                \
	"\n         <playback>\n            <format>\n               <type>presentation</type>" \
	"\n               <url>https://demo.bigbluebutton.org/playback/presentation/2.0/"       \
	"playback.html?meetingId=ffbfc4cc2442-1530718721124</url>"                              \
	"\n               <preview>\n                  <images>"                                \
	"\n                     <image alt=\"Welcome &amp; &lt;hi&gt;\" height=\"136\" "        \
	"width=\"176\">https://demo.bigbluebutton.org/thumb-1.png</image>"                      \
	"\n                  </images>\n               </preview>\n            </format>"       \
	"\n         </playback>\n      </recording>"
#define RECORDINGS_HEAD "<response>\n   <returncode>SUCCESS</returncode>\n   <recordings>"
#define RECORDINGS_TAIL "\n   </recordings>\n</response>\n"

START_TEST(test_xml_tenant_get_recordings)
{
	static const char in[] = RECORDINGS_HEAD RECORDING("gl~fred", "gl~fred")
		RECORDING("lms~bio-101", "lms~bio-101") RECORDING("c637ba2", "c637ba2")
			RECORDINGS_TAIL;
	static const char meta[] = RECORDINGS_HEAD RECORDING("gl~fred", "lms~x") RECORDINGS_TAIL;

	expect("lms~", in, RECORDINGS_HEAD RECORDING("bio-101", "bio-101") RECORDINGS_TAIL);
	/* the metadata's meetingId does not decide (not a direct child, other case) */
	expect("lms~", meta, RECORDINGS_HEAD RECORDINGS_TAIL);
}
END_TEST

START_TEST(test_xml_tenant_hooks_list_cdata)
{
	static const char in[] =
		"<response><returncode>SUCCESS</returncode><hooks>"
		"<hook><hookID>1</hookID>"
		"<callbackURL><![CDATA[https://hooks.example.com/global]]></callbackURL>"
		"<permanentHook>true</permanentHook><rawData>false</rawData></hook>"
		"<hook><hookID>2</hookID>"
		"<callbackURL><![CDATA[https://lms.example.edu/bbb/events]]></callbackURL>"
		"<meetingID><![CDATA[lms~bio-101]]></meetingID>"
		"<eventID>meeting-created,user-joined</eventID>"
		"<permanentHook>false</permanentHook><rawData>false</rawData></hook>"
		"<hook><hookID>3</hookID>"
		"<callbackURL><![CDATA[https://gl.example.com/raw]]></callbackURL>"
		"<meetingID><![CDATA[gl~chem-202]]></meetingID>"
		"<permanentHook>false</permanentHook><rawData>true</rawData></hook>"
		"</hooks></response>";
	static const char want[] = "<response><returncode>SUCCESS</returncode><hooks>"
				   "<hook><hookID>2</hookID>"
				   "<callbackURL><![CDATA[https://lms.example.edu/bbb/events]]>"
				   "</callbackURL><meetingID><![CDATA[bio-101]]></meetingID>"
				   "<eventID>meeting-created,user-joined</eventID>"
				   "<permanentHook>false</permanentHook>"
				   "<rawData>false</rawData></hook>"
				   "</hooks></response>";

	expect("lms~", in, want);
}
END_TEST

START_TEST(test_xml_tenant_empty_lists)
{
	char *empty = gw_test_read_data("xml/get_meetings_empty.xml", NULL);
	char *rec = gw_test_read_data("xml/get_recordings_empty.xml", NULL);
	char *hooks = gw_test_read_data("xml/hooks_list_empty.xml", NULL);

	expect("lms~", empty, empty);
	expect("lms~", rec, rec);
	expect("lms~", hooks, hooks);
	expect("lms~", "<response><meetings>\n  \n</meetings></response>",
	       "<response><meetings>\n  \n</meetings></response>");
	free(empty);
	free(rec);
	free(hooks);
}
END_TEST

/* Every item another tenant's: the list is left empty, its closing line as it was. */
START_TEST(test_xml_tenant_all_items_dropped)
{
	expect("lms~", MEETINGS_HEAD CHEM("gl~a") CHEM("b") MEETINGS_TAIL,
	       MEETINGS_HEAD MEETINGS_TAIL);
}
END_TEST

START_TEST(test_xml_tenant_failed_reply)
{
	static const char *const names[] = {"xml/get_meeting_info_not_found.xml",
					    "xml/checksum_error.xml",
					    "xml/hooks_checksum_error.xml",
					    "xml/create_errors_list.xml"};
	size_t i;

	for (i = 0; i < GW_ARRAY_SIZE(names); i++) {
		char *in = gw_test_read_data(names[i], NULL);

		expect("lms~", in, in);
		free(in);
	}
}
END_TEST

/* The tenant's real replies without prefixes and without lists come back as they are. */
START_TEST(test_xml_tenant_replies_without_lists_unchanged)
{
	static const char *const names[] = {"xml/api_root.xml", "xml/create_success.xml",
					    "xml/end_success.xml", "xml/join_redirect_false.xml",
					    "xml/hooks_create.xml"};
	size_t i;

	for (i = 0; i < GW_ARRAY_SIZE(names); i++) {
		char *in = gw_test_read_data(names[i], NULL);

		expect("lms~", in, in);
		free(in);
	}
}
END_TEST

/* The meetingID comes after everything else: the item is held until then. */
START_TEST(test_xml_tenant_meeting_id_last)
{
	static const char in[] = "<response><meetings>\n"
				 "<meeting><a>1</a><b><c/></b><!-- x --><meetingID>lms~m1"
				 "</meetingID></meeting>\n"
				 "<meeting><a>2</a><b><c/></b><meetingID>gl~m2</meetingID>"
				 "</meeting>\n"
				 "<meeting><a>3</a></meeting>\n"
				 "</meetings></response>";

	expect("lms~", in,
	       "<response><meetings>\n"
	       "<meeting><a>1</a><b><c/></b><!-- x --><meetingID>m1</meetingID></meeting>\n"
	       "</meetings></response>");
	/*
	 * ... and the cap counts it all: 63 bytes held up to the first item's
	 * decision, without the "\n" before it (which goes out first when
	 * the two do not fit) and the prefix (cut out as it comes)
	 */
	expect_max("lms~", in, 63,
		   "<response><meetings>\n"
		   "<meeting><a>1</a><b><c/></b><!-- x --><meetingID>m1</meetingID></meeting>\n"
		   "</meetings></response>");
	expect_err_max("lms~", in, 62, GW_E_UPSTREAM_BAD_REPLY);
}
END_TEST

/* Only the first direct meetingID decides; one deeper or after it does not. */
START_TEST(test_xml_tenant_first_direct_meeting_id_decides)
{
	expect("lms~",
	       "<response><meetings>"
	       "<meeting><x><meetingID>lms~deep</meetingID></x></meeting>"
	       "<meeting><meetingID>gl~a</meetingID><meetingID>lms~b</meetingID></meeting>"
	       "<meeting><meetingID>lms~c</meetingID><meetingID>gl~d</meetingID></meeting>"
	       "<meeting><meetingID/></meeting><meeting/>"
	       "<meeting><meetingID></meetingID></meeting>"
	       "</meetings></response>",
	       "<response><meetings>"
	       "<meeting><meetingID>c</meetingID><meetingID>gl~d</meetingID></meeting>"
	       "</meetings></response>");
}
END_TEST

/* ---- prefixes and names ---- */

START_TEST(test_xml_tenant_prefix_only_at_start)
{
	expect("lms~",
	       "<r><meetingID>xlms~a</meetingID><meetingID>lms~lms~a</meetingID>"
	       "<meetingID>lms</meetingID><meetingID>lms~</meetingID><meetingID>LMS~a</meetingID>"
	       "<meetingID> lms~a</meetingID><meetingID>lms&#126;a</meetingID>"
	       "<meetingID>lm<b/>s~a</meetingID><meetingID><!---->lms~a</meetingID>"
	       "<meetingID>lms~a<![CDATA[lms~b]]></meetingID>"
	       "<meetingID><![CDATA[]]>lms~a</meetingID><meetingID><![CDATA[lm]]></meetingID>"
	       "<meetingID><![CDATA[lms~]]></meetingID><meetingID><?pi?>lms~a</meetingID></r>",
	       "<r><meetingID>xlms~a</meetingID><meetingID>lms~a</meetingID>"
	       "<meetingID>lms</meetingID><meetingID></meetingID><meetingID>LMS~a</meetingID>"
	       "<meetingID> lms~a</meetingID><meetingID>lms&#126;a</meetingID>"
	       "<meetingID>lm<b/>s~a</meetingID><meetingID><!---->lms~a</meetingID>"
	       "<meetingID>a<![CDATA[lms~b]]></meetingID>"
	       "<meetingID><![CDATA[]]>lms~a</meetingID><meetingID><![CDATA[lm]]></meetingID>"
	       "<meetingID><![CDATA[]]></meetingID><meetingID><?pi?>lms~a</meetingID></r>");
}
END_TEST

START_TEST(test_xml_tenant_element_names)
{
	expect("t.1_-~",
	       "<r><meetingId>t.1_-~a</meetingId><parentMeetingID>t.1_-~b</parentMeetingID>"
	       "<MeetingID>t.1_-~c</MeetingID><meetingid>t.1_-~d</meetingid>"
	       "<bbb:meetingID xmlns:bbb=\"u\">t.1_-~e</bbb:meetingID>"
	       "<meetingIDs>t.1_-~f</meetingIDs><x-meetingID>t.1_-~g</x-meetingID>"
	       "<meetingID a=\"x>y/\" b='/>'>t.1_-~h</meetingID ><meetingID/>"
	       "<meetingID\n>t.1_-~i</meetingID><averyveryverylongname:meetingID>t.1_-~j"
	       "</averyveryverylongname:meetingID><x:meetingIDmeetingIDmeetingID>t.1_-~k"
	       "</x:meetingIDmeetingIDmeetingID></r>",
	       "<r><meetingId>a</meetingId><parentMeetingID>b</parentMeetingID>"
	       "<MeetingID>t.1_-~c</MeetingID><meetingid>t.1_-~d</meetingid>"
	       "<bbb:meetingID xmlns:bbb=\"u\">e</bbb:meetingID>"
	       "<meetingIDs>t.1_-~f</meetingIDs><x-meetingID>t.1_-~g</x-meetingID>"
	       "<meetingID a=\"x>y/\" b='/>'>h</meetingID ><meetingID/>"
	       "<meetingID\n>i</meetingID><averyveryverylongname:meetingID>j"
	       "</averyveryverylongname:meetingID><x:meetingIDmeetingIDmeetingID>t.1_-~k"
	       "</x:meetingIDmeetingIDmeetingID></r>");
}
END_TEST

/* Lists are found by depth and name: namespaced, end tags with blanks, any root. */
START_TEST(test_xml_tenant_list_shapes)
{
	expect("lms~",
	       "<a:response xmlns:a=\"u\"><a:recordings><a:recording><a:meetingID>gl~x"
	       "</a:meetingID></a:recording ><a:recording a=\"1\"><a:meetingID>lms~y"
	       "</a:meetingID></a:recording\n></a:recordings></a:response>",
	       "<a:response xmlns:a=\"u\"><a:recordings><a:recording a=\"1\"><a:meetingID>y"
	       "</a:meetingID></a:recording\n></a:recordings></a:response>");
	/* a list one level deeper or shallower is no list */
	expect("lms~",
	       "<response><x><meetings><meeting><meetingID>gl~a</meetingID></meeting></meetings>"
	       "</x></response><meetings><meeting/></meetings>",
	       "<response><x><meetings><meeting><meetingID>gl~a</meetingID></meeting></meetings>"
	       "</x></response><meetings><meeting/></meetings>");
	/* under another root name, lists are filtered all the same */
	expect("lms~",
	       "<other><hooks><hook/><hook><meetingID>lms~h</meetingID></hook></hooks></other>",
	       "<other><hooks><hook><meetingID>h</meetingID></hook></hooks></other>");
	/* Meetings is not meetings */
	expect("lms~", "<response><Meetings><meeting/></Meetings></response>",
	       "<response><Meetings><meeting/></Meetings></response>");
	/* anything at depth 3 of a list is an item, whatever its name */
	expect("lms~",
	       "<response><meetings><x/><!--c--><?p?><![CDATA[t]]>text<y><meetingID>lms~1"
	       "</meetingID></y></meetings></response>",
	       "<response><meetings><!--c--><?p?><![CDATA[t]]>text<y><meetingID>1"
	       "</meetingID></y></meetings></response>");
}
END_TEST

/* Comments, PIs, declarations, CDATA, references and attributes pass untouched. */
START_TEST(test_xml_tenant_markup_passes)
{
	static const char in[] = "\xef\xbb\xbf<?xml version=\"1.0\"?>\n<!DOCTYPE response>\n"
				 "<!-- <meetingID>lms~a --><?pi <meetingID>lms~b ?>"
				 "<response a=\"<meetingID>lms~c\" b='&amp;'>"
				 "<x><![CDATA[<meetingID>lms~d</meetingID>]]></x>"
				 "&lt;meetingID&gt;lms~e<!-- -- > --><!--->-->"
				 "<y>&#x41;&amp;</y><![CDATA[]]]]><![CDATA[>]]>"
				 "<!-->-->--></response>\n<!-- trailer -->\n";

	expect("lms~", in, in);
}
END_TEST

/* ---- whitespace ---- */

START_TEST(test_xml_tenant_whitespace_before_item)
{
	/* text other than whitespace stays; only the blanks right before the item go */
	expect("lms~",
	       "<response><meetings> x \t<meeting/>\r\n<!-- c -->\n "
	       "<meeting/>\n</meetings></response>",
	       "<response><meetings> x\r\n<!-- c -->\n</meetings></response>");
	expect("lms~",
	       "<response><meetings>\n<meeting><meetingID>lms~a</meetingID></meeting>\n  "
	       "<meeting/>  \n</meetings></response>",
	       "<response><meetings>\n<meeting><meetingID>a</meetingID></meeting>  \n"
	       "</meetings></response>");
}
END_TEST

/* A whitespace run longer than the cap stays whole, however it is cut. */
START_TEST(test_xml_tenant_long_whitespace_run)
{
	char in[400];
	char want[400];

	/* 60 blanks stay; 20 fit with their item (10) under the cap, and go */
	snprintf(in, sizeof(in),
		 "<response><meetings>%60s<meeting/>%20s<meeting/></meetings>"
		 "</response>",
		 "", "");
	snprintf(want, sizeof(want), "<response><meetings>%60s</meetings></response>", "");
	expect_max("lms~", in, 40, want);
	/* the blanks and an item that fits beside them: the blanks go out first */
	snprintf(in, sizeof(in),
		 "<response><meetings>%30s<meeting><meetingID>lms~a</meetingID>"
		 "</meeting></meetings></response>",
		 "");
	snprintf(want, sizeof(want),
		 "<response><meetings>%30s<meeting><meetingID>a</meetingID>"
		 "</meeting></meetings></response>",
		 "");
	/* held until decided: 33 bytes (the prefix is not held) */
	expect_max("lms~", in, 33, want);
	expect_err_max("lms~", in, 32, GW_E_UPSTREAM_BAD_REPLY);
}
END_TEST

/* ---- caps and refusals ---- */

/* Held bytes are capped; once decided an item streams, so only the undecided part counts. */
#define LIST_HEAD "<response><meetings>"
#define LIST_TAIL "</meetings></response>"

/* One meeting of 1,000 attendees, its meetingID first or last; caller frees. */
static char *big_item(bool id_first)
{
	static const char id[] = "<meetingID>lms~a</meetingID>";
	struct gw_buf b;
	int i;

	gw_buf_init(&b, 1u << 20);
	ck_assert_int_eq(gw_buf_append_str(&b, LIST_HEAD "<meeting>"), GW_OK);
	ck_assert_int_eq(gw_buf_append_str(&b, id_first ? id : ""), GW_OK);
	for (i = 0; i < 1000; i++)
		ck_assert_int_eq(gw_buf_append_str(&b, "<attendee><userID>u</userID></attendee>"),
				 GW_OK);
	ck_assert_int_eq(gw_buf_append_str(&b, id_first ? "" : id), GW_OK);
	ck_assert_int_eq(gw_buf_append_str(&b, "</meeting>" LIST_TAIL), GW_OK);
	return gw_buf_take(&b, NULL);
}

/* Held bytes are capped; once decided an item streams, so only the undecided part counts. */
START_TEST(test_xml_tenant_item_over_cap)
{
	char *early = big_item(true);
	char *late = big_item(false);
	/* held until the decision: all of it but "</meeting>" and the prefix */
	size_t late_held = strlen(late) - strlen(LIST_HEAD "</meeting>" LIST_TAIL) - 4;
	enum gw_err err;
	char *got;

	/* the tenant's: decided after 33 bytes ("<meeting><meetingID>a</meetingID>"), then streamed */
	got = rewrite("lms~", early, 33, &err);
	ck_assert_int_eq(err, GW_OK);
	ck_assert_uint_eq(strlen(got), strlen(early) - 4);
	free(got);
	ck_assert_ptr_null(rewrite("lms~", early, 32, &err));
	ck_assert_int_eq(err, GW_E_UPSTREAM_BAD_REPLY);
	/* another tenant's: decided after 37 bytes too, then skipped */
	got = rewrite("gl~", early, 37, &err);
	ck_assert_int_eq(err, GW_OK);
	assert_text("other", got, LIST_HEAD LIST_TAIL);
	free(got);
	ck_assert_ptr_null(rewrite("gl~", early, 36, &err));
	ck_assert_int_eq(err, GW_E_UPSTREAM_BAD_REPLY);
	/* the meetingID last: all of it is held */
	ck_assert_ptr_null(rewrite("lms~", late, late_held - 1, &err));
	ck_assert_int_eq(err, GW_E_UPSTREAM_BAD_REPLY);
	got = rewrite("lms~", late, late_held, &err);
	ck_assert_int_eq(err, GW_OK);
	ck_assert_uint_eq(strlen(got), strlen(late) - 4);
	free(got);
	free(early);
	free(late);
}
END_TEST

START_TEST(test_xml_tenant_truncated)
{
	static const char *const cut[] = {
		"<response",
		"<response><returncode>SUCCESS</returncode>",
		"<response></response><",
		"<response/><!-- x",
		"<response/><!-- x --",
		"<r><x><![CDATA[ x ]]</x></r>",
		"<response/><?pi ?",
		"<response/><!DOCTYPE x",
		"<response/><a b=\">\"",
		"<response/></response",
		"<response><meetings><meeting><meetingID>lms~a</meetingID></meeting>",
		"<response><meetings><meeting>",
		"<response><meetings>\n",
		"<response><meetingID>lm",
		"<response><meetingID><![CDATA[lms~",
	};
	size_t i;

	for (i = 0; i < GW_ARRAY_SIZE(cut); i++)
		expect_err("lms~", cut[i], GW_E_UPSTREAM_BAD_REPLY);
	expect("lms~", "", "");
	expect("lms~", "not xml at all", "not xml at all");
	expect("lms~", "</stray><a/>x", "</stray><a/>x");
}
END_TEST

/* depth elements, one in the other, with middle in the innermost; caller frees. */
static char *nested(unsigned depth, const char *middle)
{
	struct gw_buf b;
	unsigned i;

	gw_buf_init(&b, 64u * 1024u * 1024u);
	for (i = 0; i < depth; i++)
		ck_assert_int_eq(gw_buf_append_str(&b, "<a>"), GW_OK);
	ck_assert_int_eq(gw_buf_append_str(&b, middle), GW_OK);
	for (i = 0; i < depth; i++)
		ck_assert_int_eq(gw_buf_append_str(&b, "</a >"), GW_OK);
	return gw_buf_take(&b, NULL);
}

START_TEST(test_xml_tenant_deep_nesting)
{
	/* at the cap: self-closing elements and other markup open nothing */
	char *ok = nested(GW_XML_MAX_DEPTH, "<b/><!--c--><?p?><![CDATA[<x>]]>t</c>");
	char *deep = nested(GW_XML_MAX_DEPTH + 1, "");
	char *deeper = nested(100000, "");
	enum gw_err err;

	expect("lms~", ok, ok);
	expect_err("lms~", deep, GW_E_UPSTREAM_BAD_REPLY);
	ck_assert_ptr_null(rewrite("lms~", deeper, BIG, &err));
	ck_assert_int_eq(err, GW_E_UPSTREAM_BAD_REPLY);
	free(ok);
	free(deep);
	free(deeper);
}
END_TEST

START_TEST(test_xml_tenant_bad_setup)
{
	struct gw_xml_tenant *t = NULL;

	ck_assert_int_eq(gw_xml_tenant_new("", 10, &t), GW_E_CONFIG);
	ck_assert_int_eq(gw_xml_tenant_new("a b", 10, &t), GW_E_CONFIG);
	ck_assert_int_eq(gw_xml_tenant_new("a<", 10, &t), GW_E_CONFIG);
	ck_assert_int_eq(gw_xml_tenant_new("\xc3\xa9", 10, &t), GW_E_CONFIG);
	ck_assert_int_eq(gw_xml_tenant_new("123456789012345678901234567890123", 10, &t),
			 GW_E_CONFIG);
	ck_assert_int_eq(gw_xml_tenant_new("lms~", 0, &t), GW_E_CONFIG);
	ck_assert_int_eq(gw_xml_tenant_new("lms~", SIZE_MAX, &t), GW_E_CONFIG);
	ck_assert_ptr_null(t);
	ck_assert(gw_xml_tenant_prefix_ok("12345678901234567890123456789012"));
	ck_assert(gw_xml_tenant_prefix_ok("aZ09._~-"));
	t = new_tenant("12345678901234567890123456789012", 1);
	gw_xml_tenant_free(t);
	gw_xml_tenant_free(NULL);
}
END_TEST

/* ---- the sink ---- */

START_TEST(test_xml_tenant_sink_calls)
{
	static const char doc[] = "<response><meetingID>gl~a</meetingID><x>y</x></response>";
	struct gw_xml_tenant *t = new_tenant("lms~", 100);
	struct sink s;

	/* unchanged bytes: one call per chunk */
	sink_init(&s);
	ck_assert_int_eq(gw_xml_tenant_feed(t, doc, 20, collect, &s), GW_OK);
	ck_assert_int_eq(gw_xml_tenant_feed(t, doc + 20, sizeof(doc) - 21, collect, &s), GW_OK);
	ck_assert_int_eq(gw_xml_tenant_feed(t, NULL, 0, collect, &s), GW_OK);
	ck_assert_int_eq(gw_xml_tenant_finish(t, collect, &s), GW_OK);
	ck_assert_uint_eq(s.calls, 2);
	assert_text("calls", gw_buf_str(&s.b), doc);
	ck_assert_int_eq(gw_xml_tenant_feed(t, "x", 1, collect, &s), GW_E_INTERNAL);
	gw_buf_deinit(&s.b);
	gw_xml_tenant_free(t);
	/* a cut-out prefix splits the chunk in two */
	t = new_tenant("gl~", 100);
	sink_init(&s);
	ck_assert_int_eq(gw_xml_tenant_feed(t, doc, sizeof(doc) - 1, collect, &s), GW_OK);
	ck_assert_int_eq(gw_xml_tenant_finish(t, collect, &s), GW_OK);
	ck_assert_uint_eq(s.calls, 2);
	assert_text("cut", gw_buf_str(&s.b),
		    "<response><meetingID>a</meetingID><x>y</x></response>");
	gw_buf_deinit(&s.b);
	gw_xml_tenant_free(t);
}
END_TEST

START_TEST(test_xml_tenant_sink_error_sticks)
{
	static const char doc[] = "<response><meetings><meeting><meetingID>lms~a</meetingID>"
				  "</meeting></meetings></response>";
	unsigned fail;

	for (fail = 1; fail <= 3; fail++) {
		struct gw_xml_tenant *t = new_tenant("lms~", 100);
		struct sink s;
		enum gw_err err = GW_OK;
		size_t i;

		sink_init(&s);
		s.fail_at = fail;
		for (i = 0; i < sizeof(doc) - 1 && err == GW_OK; i++)
			err = gw_xml_tenant_feed(t, doc + i, 1, collect, &s);
		ck_assert_int_eq(err, GW_E_IO);
		ck_assert_uint_eq(s.calls, fail);
		ck_assert_int_eq(gw_xml_tenant_feed(t, "<a/>", 4, collect, &s), GW_E_IO);
		ck_assert_int_eq(gw_xml_tenant_finish(t, collect, &s), GW_E_IO);
		ck_assert_uint_eq(s.calls, fail);
		gw_buf_deinit(&s.b);
		gw_xml_tenant_free(t);
	}
}
END_TEST

/* rewrite appends to what out holds, and leaves it as it was on error (its cap included). */
START_TEST(test_xml_tenant_rewrite_appends)
{
	struct gw_buf out;

	gw_buf_init(&out, 40);
	ck_assert_int_eq(gw_buf_append_str(&out, "head:"), GW_OK);
	ck_assert_int_eq(
		gw_xml_tenant_rewrite("lms~", "<meetingID>lms~a</meetingID>", 28, 10, &out), GW_OK);
	assert_text("appended", gw_buf_str(&out), "head:<meetingID>a</meetingID>");
	ck_assert_int_eq(gw_xml_tenant_rewrite("lms~", "<a>", 3, 10, &out),
			 GW_E_UPSTREAM_BAD_REPLY);
	ck_assert_int_eq(gw_xml_tenant_rewrite("lms~", "<a>0123456789</a>", 17, 10, &out),
			 GW_E_TOO_LARGE);
	ck_assert_int_eq(gw_xml_tenant_rewrite("", "<a/>", 4, 10, &out), GW_E_CONFIG);
	assert_text("unchanged", gw_buf_str(&out), "head:<meetingID>a</meetingID>");
	gw_buf_deinit(&out);
}
END_TEST

/* ---- garbage ---- */

static uint64_t next_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/*
 * Random soup of markup pieces: no crash; whole and in random chunks agree;
 * with no list names and a prefix that never starts, what passes is the
 * input (all of it on success).
 */
START_TEST(test_xml_tenant_garbage)
{
	static const char *const piece[] = {
		"<",    ">",         "/",         "/>",       "</",          "<!--",
		"-->",  "-",         "<![CDATA[", "]]>",      "]",           "<?",
		"?>",   "<!",        "\"",        "'",        " ",           "\n",
		"a",    "meetingID", "x:",        "meetings", "meeting",     "=",
		"lms~", "lm",        "&amp;",     "hooks",    "<meetingID>", "</meetingID>",
		"\0",   "\xff",
	};
	uint64_t x = 0x9e3779b97f4a7c15u;
	char doc[256];
	size_t cuts[8];
	int round;

	for (round = 0; round < 10000; round++) {
		size_t len = 0;
		size_t ncuts;
		size_t cap;
		size_t i;
		bool lists;
		struct sink whole;
		struct sink parts;
		enum gw_err e1;
		enum gw_err e2;

		while (len < 200) {
			const char *p = piece[next_rand(&x) % GW_ARRAY_SIZE(piece)];
			size_t n = p[0] == '\0' ? 1 : strlen(p);

			memcpy(doc + len, p, n);
			len += n;
		}
		ncuts = next_rand(&x) % 8;
		for (i = 0; i < ncuts; i++)
			cuts[i] = next_rand(&x) % (len + 1);
		for (i = 1; i < ncuts; i++) {
			size_t j = i;

			while (j > 0 && cuts[j - 1] > cuts[j]) {
				size_t tmp = cuts[j];

				cuts[j] = cuts[j - 1];
				cuts[j - 1] = tmp;
				j--;
			}
		}
		cap = 1 + next_rand(&x) % 64;
		sink_init(&whole);
		sink_init(&parts);
		e1 = feed_cuts("lms~", doc, len, cap, NULL, 0, &whole);
		e2 = feed_cuts("lms~", doc, len, cap, cuts, ncuts, &parts);
		ck_assert(e1 == GW_OK || e1 == GW_E_UPSTREAM_BAD_REPLY);
		ck_assert_int_eq(e1, e2);
		if (e1 == GW_OK)
			ck_assert(whole.b.len == parts.b.len &&
				  (whole.b.len == 0 ||
				   memcmp(whole.b.data, parts.b.data, whole.b.len) == 0));
		gw_buf_deinit(&parts.b);
		sink_init(&parts);
		lists = memmem(doc, len, "meetings", 8) != NULL ||
			memmem(doc, len, "hooks", 5) != NULL;
		e2 = feed_cuts("Q", doc, len, 8, cuts, ncuts, &parts);
		ck_assert(e2 == GW_OK || e2 == GW_E_UPSTREAM_BAD_REPLY);
		if (!lists) {
			ck_assert(parts.b.len <= len);
			ck_assert(parts.b.len == 0 || memcmp(parts.b.data, doc, parts.b.len) == 0);
			if (e2 == GW_OK)
				ck_assert_uint_eq(parts.b.len, len);
		}
		gw_buf_deinit(&whole.b);
		gw_buf_deinit(&parts.b);
	}
}
END_TEST

static Suite *xml_tenant_suite(void)
{
	Suite *s = suite_create("xml_tenant");
	TCase *shapes = tcase_create("shapes");
	TCase *rules = tcase_create("rules");
	TCase *limits = tcase_create("limits");

	tcase_add_test(shapes, test_xml_tenant_get_meetings_pretty);
	tcase_add_test(shapes, test_xml_tenant_get_meetings_single_line);
	tcase_add_test(shapes, test_xml_tenant_breakout_parent_id);
	tcase_add_test(shapes, test_xml_tenant_get_meeting_info);
	tcase_add_test(shapes, test_xml_tenant_get_recordings);
	tcase_add_test(shapes, test_xml_tenant_hooks_list_cdata);
	tcase_add_test(shapes, test_xml_tenant_empty_lists);
	tcase_add_test(shapes, test_xml_tenant_all_items_dropped);
	tcase_add_test(shapes, test_xml_tenant_failed_reply);
	tcase_add_test(shapes, test_xml_tenant_replies_without_lists_unchanged);
	tcase_set_timeout(shapes, 120);
	suite_add_tcase(s, shapes);

	tcase_add_test(rules, test_xml_tenant_meeting_id_last);
	tcase_add_test(rules, test_xml_tenant_first_direct_meeting_id_decides);
	tcase_add_test(rules, test_xml_tenant_prefix_only_at_start);
	tcase_add_test(rules, test_xml_tenant_element_names);
	tcase_add_test(rules, test_xml_tenant_list_shapes);
	tcase_add_test(rules, test_xml_tenant_markup_passes);
	tcase_add_test(rules, test_xml_tenant_whitespace_before_item);
	tcase_add_test(rules, test_xml_tenant_long_whitespace_run);
	tcase_set_timeout(rules, 120);
	suite_add_tcase(s, rules);

	tcase_add_test(limits, test_xml_tenant_item_over_cap);
	tcase_add_test(limits, test_xml_tenant_truncated);
	tcase_add_test(limits, test_xml_tenant_deep_nesting);
	tcase_add_test(limits, test_xml_tenant_bad_setup);
	tcase_add_test(limits, test_xml_tenant_sink_calls);
	tcase_add_test(limits, test_xml_tenant_sink_error_sticks);
	tcase_add_test(limits, test_xml_tenant_rewrite_appends);
	tcase_add_test(limits, test_xml_tenant_garbage);
	tcase_set_timeout(limits, 300);
	suite_add_tcase(s, limits);
	return s;
}

GW_TEST_MAIN(xml_tenant_suite)
