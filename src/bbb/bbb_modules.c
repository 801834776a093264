/*
 * bbb_modules.c - builds BBB's <modules> XML from validated JSON. Every
 * value is XML-escaped; URLs must be http(s); inline content must be
 * base64. The body is sent as bare application/xml. Document URLs are
 * fetched by BBB, so they pass the fetch policy first.
 */
#include "bbb_modules.h"

#include <stdio.h>
#include <string.h>

/* The allow list of the call being built (bbb.fetch_allow). */
struct allow {
	char *const *v;
	size_t n;
};
static void esc(struct gw_buf *out, const char *s, enum gw_err *err)
{
	for (; *s != '\0' && *err == GW_OK; s++) {
		switch (*s) {
		case '&':
			*err = gw_buf_append_str(out, "&amp;");
			break;
		case '<':
			*err = gw_buf_append_str(out, "&lt;");
			break;
		case '>':
			*err = gw_buf_append_str(out, "&gt;");
			break;
		case '"':
			*err = gw_buf_append_str(out, "&quot;");
			break;
		case '\'':
			*err = gw_buf_append_str(out, "&apos;");
			break;
		default:
			*err = gw_buf_append_byte(out, *s);
			break;
		}
	}
}

static bool base64_ok(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++) {
		char c = *s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '+' || c == '/' || c == '=')
			n++;
		else if (c != '\r' && c != '\n' && c != ' ')
			return false;
	}
	return n > 0;
}

/* One string member; "" when absent. false (and qb failed) when of the wrong type. */
static bool member(struct gw_query *qb, json_t *doc, const char *key, const char *field,
		   const char **out)
{
	json_t *v = json_object_get(doc, key); /* borrowed */
	char detail[320];

	*out = "";
	if (v == NULL)
		return true;
	if (!json_is_string(v) || json_string_length(v) == 0) {
		snprintf(detail, sizeof(detail), "'%.256s' must be a non-empty string", field);
		gw_query_fail(qb, GW_E_BAD_REQUEST, field, detail);
		return false;
	}
	*out = json_string_value(v);
	return true;
}

static void flag(struct gw_query *qb, struct gw_buf *out, json_t *doc, const char *key,
		 const char *prefix, enum gw_err *err)
{
	json_t *v = json_object_get(doc, key); /* borrowed */
	char field[320];

	if (v == NULL || *err != GW_OK)
		return;
	if (!json_is_boolean(v)) {
		snprintf(field, sizeof(field), "%s.%s", prefix, key);
		gw_query_fail(qb, GW_E_BAD_REQUEST, field, "Must be a boolean");
		return;
	}
	*err = gw_buf_appendf(out, " %s=\"%s\"", key, json_is_true(v) ? "true" : "false");
}

static bool known_key(const char *k)
{
	static const char *const keys[] = {"url",     "filename",     "content",
					   "current", "downloadable", "removable"};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(k, keys[i]) == 0)
			return true;
	}
	return false;
}

/* False (and qb failed) when BBB must not fetch url. */
static bool url_ok(struct gw_query *qb, const char *url, const char *field,
		   const struct allow *allow)
{
	return gw_query_fetch_url_ok(qb, field, url, allow->v, allow->n);
}

static void document(struct gw_query *qb, json_t *doc, const char *prefix,
		     const struct allow *allow, struct gw_buf *out, enum gw_err *err)
{
	char f_url[300], f_name[300], f_content[300];
	const char *url, *name, *content, *key;
	json_t *v;

	snprintf(f_url, sizeof(f_url), "%s.url", prefix);
	snprintf(f_name, sizeof(f_name), "%s.filename", prefix);
	snprintf(f_content, sizeof(f_content), "%s.content", prefix);
	if (!json_is_object(doc)) {
		gw_query_fail(qb, GW_E_BAD_REQUEST, prefix, "Each document must be an object");
		return;
	}
	json_object_foreach (doc, key, v) {
		if (!known_key(key)) {
			gw_query_fail(qb, GW_E_BAD_REQUEST, prefix,
				      "Unknown member in a document (url, filename, content, "
				      "current, downloadable, removable)");
			return;
		}
	}
	if (!member(qb, doc, "url", f_url, &url) || !member(qb, doc, "filename", f_name, &name) ||
	    !member(qb, doc, "content", f_content, &content))
		return;
	if ((*url == '\0') == (*content == '\0')) {
		gw_query_fail(qb, GW_E_BAD_REQUEST, prefix,
			      "A document needs exactly one of 'url' or 'content'");
		return;
	}
	if (*url != '\0' && !url_ok(qb, url, f_url, allow))
		return;
	if (*content != '\0' && (*name == '\0' || !base64_ok(content))) {
		gw_query_fail(qb, GW_E_BAD_REQUEST, *name == '\0' ? f_name : f_content,
			      *name == '\0' ? "Inline content needs a 'filename'"
					    : "'content' must be base64");
		return;
	}
	*err = gw_buf_append_str(out, "<document");
	if (*url != '\0' && *err == GW_OK) {
		*err = gw_buf_append_str(out, " url=\"");
		esc(out, url, err);
		if (*err == GW_OK)
			*err = gw_buf_append_byte(out, '"');
	}
	if (*name != '\0' && *err == GW_OK) {
		*err = gw_buf_append_str(out, *url != '\0' ? " filename=\"" : " name=\"");
		esc(out, name, err);
		if (*err == GW_OK)
			*err = gw_buf_append_byte(out, '"');
	}
	flag(qb, out, doc, "current", prefix, err);
	flag(qb, out, doc, "downloadable", prefix, err);
	flag(qb, out, doc, "removable", prefix, err);
	if (*err != GW_OK)
		return;
	if (*content != '\0') {
		*err = gw_buf_append_byte(out, '>');
		esc(out, content, err);
		if (*err == GW_OK)
			*err = gw_buf_append_str(out, "</document>");
	} else {
		*err = gw_buf_append_str(out, "/>");
	}
}

void gw_bbb_modules_xml(struct gw_query *qb, json_t *docs, const char *member_name,
			char *const *allow_v, size_t n_allow, struct gw_buf *out)
{
	const struct allow allow = {allow_v, n_allow};
	enum gw_err err;
	char prefix[280];
	size_t i;
	json_t *doc;

	if (!json_is_array(docs) || json_array_size(docs) == 0) {
		gw_query_fail(qb, GW_E_BAD_REQUEST, member_name,
			      "Must be a non-empty array of documents");
		return;
	}
	err = gw_buf_append_str(out, "<modules><module name=\"presentation\">");
	json_array_foreach (docs, i, doc) {
		if (err != GW_OK || qb->err != GW_OK)
			break;
		snprintf(prefix, sizeof(prefix), "%s[%zu]", member_name, i);
		document(qb, doc, prefix, &allow, out, &err);
	}
	if (err == GW_OK)
		err = gw_buf_append_str(out, "</module></modules>");
	if (err == GW_E_TOO_LARGE)
		gw_query_fail(qb, GW_E_BODY_TOO_LARGE, member_name, "The documents are too large");
	else if (err != GW_OK)
		gw_query_fail(qb, err, member_name, "Out of memory");
}
