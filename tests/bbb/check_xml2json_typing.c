/*
 * check_xml2json_typing.c - the XML -> JSON converter's output rules:
 * typing by element name (IDs stay strings, integers, booleans, lists and
 * maps, repeated names, unknown elements kept, text decoding) and the
 * envelope (returncode, messageKey and message kept out of the body, the
 * errors list, one envelope per reply).
 */
#include <check.h>
#include <jansson.h>

#include "buf.h"
#include "testutil.h"
#include "xml2json.h"
#include "xml2jsonfix.h"

/* ---- typing ---- */

/* Converts a <response> with SUCCESS and the given children; compares the body. */
static void expect_body(const char *children, const char *want_json)
{
	struct gw_bbb_reply r;
	struct gw_buf b;
	json_t *want = parse_json(want_json);

	gw_buf_init(&b, 1u << 20);
	ck_assert_int_eq(gw_buf_appendf(&b,
					"<response>\n<returncode>SUCCESS</returncode>\n%s\n"
					"</response>",
					children),
			 GW_OK);
	convert_ok(gw_buf_str(&b), &r);
	assert_json_eq(children, body_of(&r), want);
	json_decref(want);
	gw_bbb_reply_deinit(&r);
	gw_buf_deinit(&b);
}

START_TEST(test_xml2json_ids_stay_strings)
{
	expect_body("<meetingID>0042</meetingID><voiceBridge>00123</voiceBridge>"
		    "<dialNumber>613-555-1234</dialNumber><attendeePW>1234</attendeePW>"
		    "<hookID>7</hookID>",
		    "{\"meetingID\":\"0042\",\"voiceBridge\":\"00123\","
		    "\"dialNumber\":\"613-555-1234\",\"attendeePW\":\"1234\",\"hookID\":\"7\"}");
}
END_TEST

START_TEST(test_xml2json_int_grouping)
{
	expect_body("<participantCount>1,500</participantCount><listenerCount>12,345,678"
		    "</listenerCount><videoCount>-7</videoCount><maxUsers>0042</maxUsers>",
		    "{\"participantCount\":1500,\"listenerCount\":12345678,\"videoCount\":-7,"
		    "\"maxUsers\":42}");
}
END_TEST

START_TEST(test_xml2json_int_not_numeric_kept)
{
	expect_body("<size>1,5</size><size>1,5000</size><size>,100</size><size>100,</size>"
		    "<size> 5</size><size>5 </size><size>-</size><size>+5</size><size>1e3</size>"
		    "<size>9223372036854775807</size><size>9223372036854775808</size>"
		    "<size>-9223372036854775808</size><size>-9223372036854775809</size>"
		    "<size></size><size/>",
		    "{\"size\":[\"1,5\",\"1,5000\",\",100\",\"100,\",\" 5\",\"5 \",\"-\",\"+5\","
		    "\"1e3\",9223372036854775807,\"9223372036854775808\","
		    "-9223372036854775808,\"-9223372036854775809\",null,null]}");
}
END_TEST

START_TEST(test_xml2json_bool_values)
{
	expect_body("<running>true</running><published>false</published><deleted>TRUE</deleted>"
		    "<updated>yes</updated><removed></removed><hasVideo> true</hasVideo>",
		    "{\"running\":true,\"published\":false,\"deleted\":\"TRUE\",\"updated\":"
		    "\"yes\","
		    "\"removed\":null,\"hasVideo\":\" true\"}");
}
END_TEST

START_TEST(test_xml2json_unknown_leaf_kept)
{
	expect_body("<newField>42</newField><newFlag>true</newFlag><emptyOne></emptyOne>"
		    "<emptyTwo/><spaced>  two  spaces </spaced>",
		    "{\"newField\":\"42\",\"newFlag\":\"true\",\"emptyOne\":\"\",\"emptyTwo\":\"\","
		    "\"spaced\":\"  two  spaces \"}");
}
END_TEST

START_TEST(test_xml2json_unknown_nested_object)
{
	expect_body("<features>\n<chat>true</chat>\n<notes><enabled>false</enabled><size>3</size>"
		    "</notes>\n</features>",
		    "{\"features\":{\"chat\":\"true\",\"notes\":{\"enabled\":\"false\",\"size\":3}}"
		    "}");
}
END_TEST

START_TEST(test_xml2json_repeated_names_become_array)
{
	expect_body("<groups><group>a</group><group>b</group><group>c</group><other>x</other>"
		    "</groups><single><group>only</group></single>",
		    "{\"groups\":{\"group\":[\"a\",\"b\",\"c\"],\"other\":\"x\"},"
		    "\"single\":{\"group\":\"only\"}}");
}
END_TEST

/* A repeated list container is an array of arrays, not one merged array. */
START_TEST(test_xml2json_repeated_list_not_merged)
{
	expect_body("<x><attendees/><attendees><attendee><userID>u</userID></attendee>"
		    "</attendees><attendees/></x>",
		    "{\"x\":{\"attendees\":[[],[{\"userID\":\"u\"}],[]]}}");
}
END_TEST

START_TEST(test_xml2json_list_items_by_general_rules)
{
	expect_body("<breakoutRooms>\n<breakout>id-1</breakout>\n</breakoutRooms>"
		    "<tracks><track><kind>captions</kind><lang>en-US</lang></track></tracks>"
		    "<hooks> \n </hooks><data>stray text</data>",
		    "{\"breakoutRooms\":[\"id-1\"],\"tracks\":[{\"kind\":\"captions\","
		    "\"lang\":\"en-US\"}],\"hooks\":[],\"data\":[]}");
}
END_TEST

START_TEST(test_xml2json_map_values_are_strings)
{
	expect_body("<metadata><isBreakout>false</isBreakout><size>12</size><UPPER>x</UPPER>"
		    "<empty-one></empty-one><nested><a>1</a></nested></metadata>",
		    "{\"metadata\":{\"isBreakout\":\"false\",\"size\":\"12\",\"UPPER\":\"x\","
		    "\"empty-one\":\"\",\"nested\":{\"a\":\"1\"}}}");
}
END_TEST

START_TEST(test_xml2json_text_decoding)
{
	expect_body("<name>O&apos;Brien &amp; &quot;Co&quot; &lt;3 &#x41;&#66;</name>"
		    "<url><![CDATA[https://x/?a=1&b=<2>]]></url>"
		    "<joined>a<!-- split -->b<![CDATA[c]]>d</joined><pi>x<?pi y?>z</pi>",
		    "{\"name\":\"O'Brien & \\\"Co\\\" <3 AB\",\"url\":\"https://x/?a=1&b=<2>\","
		    "\"joined\":\"abcd\",\"pi\":\"xz\"}");
}
END_TEST

START_TEST(test_xml2json_image_attributes)
{
	expect_body("<preview><images><image alt=\"A &amp; B\" width=\"10\">u1</image>"
		    "<image>u2</image><image width=\"wide\" height=\"\" extra=\"e\">u3</image>"
		    "</images></preview>",
		    "{\"preview\":{\"images\":[{\"url\":\"u1\",\"width\":10,\"alt\":\"A & B\"},"
		    "{\"url\":\"u2\"},{\"url\":\"u3\",\"width\":\"wide\",\"height\":null,"
		    "\"extra\":\"e\"}]}}");
}
END_TEST

START_TEST(test_xml2json_pagination_limit_form)
{
	expect_body("<pagination><pageable><offset>10</offset><limit>5</limit><paged>true</paged>"
		    "<unpaged>false</unpaged></pageable><totalElements>1,234</totalElements>"
		    "<empty>false</empty></pagination>",
		    "{\"pagination\":{\"offset\":10,\"limit\":5,\"totalElements\":1234}}");
}
END_TEST

START_TEST(test_xml2json_latin1_declaration)
{
	static const char xml[] = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"
				  "<response><returncode>SUCCESS</returncode>"
				  "<meetingName>Caf\xe9</meetingName></response>";

	struct gw_bbb_reply r;

	convert_ok(xml, &r);
	ck_assert_str_eq(json_string_value(json_object_get(body_of(&r), "meetingName")), "Caf\xc3"
											 "\xa9");
	gw_bbb_reply_deinit(&r);
}
END_TEST

/* ---- envelope ---- */

START_TEST(test_xml2json_envelope_not_in_body)
{
	struct gw_bbb_reply r;

	convert_ok("<response><returncode>FAILED</returncode><messageKey>notFound</messageKey>"
		   "<message>A meeting with that ID does not exist</message></response>",
		   &r);
	ck_assert(!r.success);
	ck_assert_str_eq(r.message_key, "notFound");
	ck_assert_str_eq(r.message, "A meeting with that ID does not exist");
	ck_assert_uint_eq(json_object_size(body_of(&r)), 0);
	ck_assert_ptr_null(r.errors);
	gw_bbb_reply_deinit(&r);
}
END_TEST

START_TEST(test_xml2json_returncode_other_is_failure)
{
	struct gw_bbb_reply r;

	convert_ok("<response><returncode>success</returncode></response>", &r);
	ck_assert(!r.success);
	gw_bbb_reply_deinit(&r);
	convert_ok("<response><returncode></returncode><running>true</running></response>", &r);
	ck_assert(!r.success);
	gw_bbb_reply_deinit(&r);
}
END_TEST

/* One envelope per reply: a second returncode (FAILED then SUCCESS) is not a success. */
START_TEST(test_xml2json_duplicate_envelope_refused)
{
	expect_bad("FAILED then SUCCESS", "<response><returncode>FAILED</"
					  "returncode><messageKey>checksumError"
					  "</messageKey><returncode>SUCCESS</returncode></"
					  "response>");
	expect_bad("SUCCESS then FAILED", "<response><returncode>SUCCESS</returncode>"
					  "<returncode>FAILED</returncode></response>");
	expect_bad("SUCCESS twice", "<response><returncode>SUCCESS</returncode><running>true"
				    "</running><returncode>SUCCESS</returncode></response>");
	expect_bad("two messageKeys", "<response><returncode>FAILED</returncode><messageKey>a"
				      "</messageKey><messageKey>b</messageKey></response>");
	expect_bad("two messages", "<response><returncode>FAILED</returncode><message>a</message>"
				   "<message>b</message></response>");
}
END_TEST

START_TEST(test_xml2json_warning_without_message)
{
	expect_body("<messageKey>noMeetings</messageKey><meetings/>", "{\"meetings\":[],"
								      "\"warning\":{\"messageKey\":"
								      "\"noMeetings\",\"message\":"
								      "\"\"}}");
}
END_TEST

START_TEST(test_xml2json_errors_child_elements)
{
	struct gw_bbb_reply r;
	json_t *want = parse_json("[{\"key\":\"MissingParam\",\"message\":\"You must specify a "
				  "meeting ID.\"},{\"key\":\"k2\",\"message\":\"\"},"
				  "{\"key\":\"\",\"message\":\"m3\"}]");

	convert_ok("<response>\n<returncode>FAILED</returncode>\n<errors>\n<error>\n"
		   "<key>MissingParam</key>\n<message>You must specify a meeting ID.</message>\n"
		   "</error>\n<error key=\"k2\"/>\n<error><message>m3</message></error>\n"
		   "<note>ignored</note>\n</errors>\n</response>",
		   &r);
	assert_json_eq("errors", r.errors, want);
	ck_assert_str_eq(r.message_key, "MissingParam");
	ck_assert_str_eq(r.message, "You must specify a meeting ID.");
	ck_assert_uint_eq(json_object_size(body_of(&r)), 0);
	json_decref(want);
	gw_bbb_reply_deinit(&r);
}
END_TEST

START_TEST(test_xml2json_errors_keep_top_level_key)
{
	struct gw_bbb_reply r;

	convert_ok("<response><returncode>FAILED</returncode><messageKey>checksumError"
		   "</messageKey><errors><error key=\"a\" message=\"b\"/></errors></response>",
		   &r);
	ck_assert_str_eq(r.message_key, "checksumError");
	ck_assert_ptr_null(r.message);
	ck_assert_uint_eq(json_array_size(r.errors), 1);
	gw_bbb_reply_deinit(&r);
	convert_ok("<response><returncode>FAILED</returncode><errors>\n</errors></response>", &r);
	ck_assert_ptr_null(r.message_key);
	ck_assert_ptr_null(r.message);
	ck_assert(json_is_array(r.errors));
	ck_assert_uint_eq(json_array_size(r.errors), 0);
	gw_bbb_reply_deinit(&r);
}
END_TEST

START_TEST(test_xml2json_deinit_twice)
{
	struct gw_bbb_reply r = {0};

	gw_bbb_reply_deinit(&r);
	convert_ok("<response><returncode>SUCCESS</returncode></response>", &r);
	gw_bbb_reply_deinit(&r);
	gw_bbb_reply_deinit(&r);
	ck_assert_ptr_null(r.body);
}
END_TEST

static Suite *xml2json_typing_suite(void)
{
	Suite *s = suite_create("xml2json_typing");
	TCase *typing = tcase(s, "typing");
	TCase *envelope = tcase(s, "envelope");

	tcase_add_test(typing, test_xml2json_ids_stay_strings);
	tcase_add_test(typing, test_xml2json_int_grouping);
	tcase_add_test(typing, test_xml2json_int_not_numeric_kept);
	tcase_add_test(typing, test_xml2json_bool_values);
	tcase_add_test(typing, test_xml2json_unknown_leaf_kept);
	tcase_add_test(typing, test_xml2json_unknown_nested_object);
	tcase_add_test(typing, test_xml2json_repeated_names_become_array);
	tcase_add_test(typing, test_xml2json_repeated_list_not_merged);
	tcase_add_test(typing, test_xml2json_list_items_by_general_rules);
	tcase_add_test(typing, test_xml2json_map_values_are_strings);
	tcase_add_test(typing, test_xml2json_text_decoding);
	tcase_add_test(typing, test_xml2json_image_attributes);
	tcase_add_test(typing, test_xml2json_pagination_limit_form);
	tcase_add_test(typing, test_xml2json_latin1_declaration);

	tcase_add_test(envelope, test_xml2json_envelope_not_in_body);
	tcase_add_test(envelope, test_xml2json_returncode_other_is_failure);
	tcase_add_test(envelope, test_xml2json_duplicate_envelope_refused);
	tcase_add_test(envelope, test_xml2json_warning_without_message);
	tcase_add_test(envelope, test_xml2json_errors_child_elements);
	tcase_add_test(envelope, test_xml2json_errors_keep_top_level_key);
	tcase_add_test(envelope, test_xml2json_deinit_twice);
	return s;
}

GW_TEST_MAIN(xml2json_typing_suite)
