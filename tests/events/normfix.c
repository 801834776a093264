/*
 * normfix.c - see normfix.h.
 */
#include "normfix.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

char *form_encode(const char *s)
{
	char *out = malloc(3 * strlen(s) + 1);
	char *o = out;

	ck_assert_ptr_nonnull(out);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '*' || c == '-' || c == '.' || c == '_')
			*o++ = (char)c;
		else if (c == ' ')
			*o++ = '+';
		else
			o += snprintf(o, 4, "%%%02X", c);
	}
	*o = '\0';
	return out;
}

char *callback_body(const char *array)
{
	char *enc = form_encode(array);
	size_t len = strlen(enc) + 64;
	char *body = malloc(len);

	ck_assert_ptr_nonnull(body);
	snprintf(body, len, DOMAIN_FIELD "&event=%s&" TIMESTAMP_FIELD, enc);
	free(enc);
	return body;
}

enum gw_err parse_body(const char *body, struct gw_event_batch *b)
{
	return gw_event_parse_callback(body, strlen(body), MAX_EVENTS, b);
}

void parse_array(const char *array, struct gw_event_batch *b)
{
	char *body = callback_body(array);

	ck_assert_int_eq(parse_body(body, b), GW_OK);
	free(body);
}

void parse_one(const char *el, struct gw_event_batch *b)
{
	size_t len = strlen(el) + 3;
	char *array = malloc(len);

	ck_assert_ptr_nonnull(array);
	snprintf(array, len, "[%s]", el);
	parse_array(array, b);
	free(array);
}

void read_lines(const char *rel, struct lines *l)
{
	char *p;

	l->text = gw_test_read_data(rel, NULL);
	l->n = 0;
	for (p = l->text; *p != '\0';) {
		char *nl = strchr(p, '\n');

		ck_assert_uint_lt(l->n, GW_ARRAY_SIZE(l->line));
		l->line[l->n++] = p;
		if (nl == NULL)
			break;
		*nl = '\0';
		p = nl + 1;
	}
}

char *user_joined(const char *user)
{
	size_t len = strlen(user) + 160;
	char *el = malloc(len);

	ck_assert_ptr_nonnull(el);
	snprintf(el, len,
		 "{\"data\":{\"type\":\"event\",\"id\":\"user-joined\",\"attributes\":{\"meeting\":"
		 "{\"external-meeting-id\":\"m\"},\"user\":%s},\"event\":{\"ts\":1}}}",
		 user);
	return el;
}
