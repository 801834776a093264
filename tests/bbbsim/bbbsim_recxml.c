/*
 * bbbsim_recxml.c - the recording replies in BBB's byte layouts: the
 * getRecordings document and the JSON of the caption-track calls.
 *
 * getRecordings is a Scala XML literal in bbb-web (RecMetaXmlHelper): the
 * outer <response> keeps the source indentation ("\n          " before
 * each child, "\n        " before </response>), each <recording> is one
 * line, empty elements are written <x></x>, and text and attribute values
 * escape & < > " but not '. A <preview> keeps the whitespace of the
 * metadata.xml it was read from. A paginated reply is that document
 * re-parsed and re-serialised by a JAXP Transformer with <pagination>
 * appended as the last child of <response> (XmlServiceImpl): empty
 * elements become <x/>, text escapes only & < >, and attributes come out
 * sorted by name (the Xerces DOM keeps them so).
 *
 * The JSON is Gson's (compact, HTML-safe: < > & = ' as \u003c ...) for
 * the normal replies and Groovy JsonBuilder.toPrettyString (4-space
 * indent, non-ASCII as \uXXXX) for putRecordingTextTrack's errors.
 */
#include "bbbsim_int.h"

#include <stdlib.h>
#include <string.h>

#define HEX_LOWER "0123456789abcdef"

struct w {
	struct sim_buf *b;
	bool jaxp; /* the paginated, re-serialised form */
};

/* --- XML --------------------------------------------------------------- */

static void escape(struct w *w, const char *s, bool attr)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			sim_buf_puts(w->b, "&amp;");
			break;
		case '<':
			sim_buf_puts(w->b, "&lt;");
			break;
		case '>':
			sim_buf_puts(w->b, "&gt;");
			break;
		case '"':
			sim_buf_puts(w->b, attr || !w->jaxp ? "&quot;" : "\"");
			break;
		default:
			sim_buf_add(w->b, s, 1);
			break;
		}
	}
}

static void elem(struct w *w, const char *name, const char *value)
{
	if (value[0] == '\0') {
		sim_buf_printf(w->b, w->jaxp ? "<%s/>" : "<%s></%s>", name, name);
		return;
	}
	sim_buf_printf(w->b, "<%s>", name);
	escape(w, value, false);
	sim_buf_printf(w->b, "</%s>", name);
}

static void elem_num(struct w *w, const char *name, unsigned long long v)
{
	sim_buf_printf(w->b, "<%s>%llu</%s>", name, v, name);
}

static void elem_bool(struct w *w, const char *name, bool v)
{
	elem(w, name, v ? "true" : "false");
}

/* Opens <name>, or writes <name/> (JAXP) / <name></name> (Scala) when empty; false then. */
static bool open_list(struct w *w, const char *name, bool empty)
{
	if (empty)
		sim_buf_printf(w->b, w->jaxp ? "<%s/>" : "<%s></%s>", name, name);
	else
		sim_buf_printf(w->b, "<%s>", name);
	return !empty;
}

static int attr_cmp(const void *a, const void *b)
{
	const struct sim_kv *const *x = a;
	const struct sim_kv *const *y = b;

	return strcmp((*x)->key, (*y)->key);
}

static void image(struct w *w, const struct sim_image *img)
{
	const struct sim_kv *kv;
	const struct sim_kv **v;
	size_t n = 0;
	size_t i;

	for (kv = img->attrs; kv != NULL; kv = kv->next)
		n++;
	v = sim_xmalloc((n + 1) * sizeof(*v));
	n = 0;
	for (kv = img->attrs; kv != NULL; kv = kv->next)
		v[n++] = kv;
	if (w->jaxp)
		qsort(v, n, sizeof(*v), attr_cmp);
	sim_buf_puts(w->b, "        <image");
	for (i = 0; i < n; i++) {
		sim_buf_printf(w->b, " %s=\"", v[i]->key);
		escape(w, v[i]->value, true);
		sim_buf_puts(w->b, "\"");
	}
	if (img->url[0] == '\0' && w->jaxp) {
		sim_buf_puts(w->b, "/>\n");
	} else {
		sim_buf_puts(w->b, ">");
		escape(w, img->url, false);
		sim_buf_puts(w->b, "</image>\n");
	}
	free(v);
}

static void format(struct w *w, const struct sim_format *f, bool data)
{
	const struct sim_image *img;

	sim_buf_puts(w->b, "<format>");
	elem(w, "type", f->type);
	elem(w, "url", f->url);
	if (!data) {
		elem_num(w, "processingTime", f->processing_time);
		elem_num(w, "length", f->duration / 60000);
		elem_num(w, "size", f->size);
	}
	if (f->images != NULL) {
		/* the extension nodes with their metadata.xml whitespace */
		sim_buf_puts(w->b, "\n    <preview>\n      <images>\n");
		for (img = f->images; img != NULL; img = img->next)
			image(w, img);
		sim_buf_puts(w->b, "      </images>\n    </preview>\n  ");
	}
	sim_buf_puts(w->b, "</format>");
}

static void breakout(struct w *w, const struct sim_recording *r)
{
	const struct sim_kv *kv;

	if (r->has_breakout) {
		sim_buf_puts(w->b, "<breakout>");
		elem(w, "parentId", r->parent_id);
		elem_num(w, "sequence", r->sequence);
		elem_bool(w, "freeJoin", r->free_join);
		sim_buf_puts(w->b, "</breakout>");
	}
	if (r->rooms != NULL) {
		sim_buf_puts(w->b, "<breakoutRooms>");
		for (kv = r->rooms; kv != NULL; kv = kv->next)
			elem(w, "breakoutRoom", kv->key);
		sim_buf_puts(w->b, "</breakoutRooms>");
	}
}

/* One <recording> with the formats of items that belong to r. */
static void recording(struct w *w, const struct sim_recording *r, const struct sim_rec_item *items,
		      size_t n)
{
	const struct sim_format *f;
	const struct sim_kv *kv;
	unsigned long long size = 0;
	bool any = false;
	size_t i;

	for (i = 0; i < n; i++)
		if (items[i].rec == r && items[i].fmt != NULL) {
			size += items[i].fmt->size;
			any = true;
		}
	sim_buf_puts(w->b, "<recording>");
	elem(w, "recordID", r->record_id);
	elem(w, "meetingID", r->meeting_id);
	elem(w, "internalMeetingID", r->record_id);
	elem(w, "name", r->name);
	elem_bool(w, "isBreakout", r->is_breakout);
	elem_bool(w, "published", r->published);
	elem(w, "state", r->state);
	elem_num(w, "startTime", r->start_time);
	elem_num(w, "endTime", r->end_time);
	elem_num(w, "participants", r->participants);
	elem_num(w, "rawSize", r->raw_size);
	if (open_list(w, "metadata", r->meta == NULL)) {
		for (kv = r->meta; kv != NULL; kv = kv->next)
			elem(w, kv->key, kv->value);
		sim_buf_puts(w->b, "</metadata>");
	}
	breakout(w, r);
	elem_num(w, "size", size);
	if (open_list(w, "playback", !any)) {
		for (i = 0; i < n; i++)
			if (items[i].rec == r && items[i].fmt != NULL)
				format(w, items[i].fmt, false);
		sim_buf_puts(w->b, "</playback>");
	}
	if (open_list(w, "data", r->data == NULL)) {
		for (f = r->data; f != NULL; f = f->next)
			format(w, f, true);
		sim_buf_puts(w->b, "</data>");
	}
	sim_buf_puts(w->b, "</recording>");
}

char *sim_xml_recordings(const struct sim_rec_item *items, size_t n,
			 const struct sim_page_info *page, size_t *len)
{
	struct sim_buf b = {0};
	struct w w = {.b = &b, .jaxp = page != NULL};
	size_t i;
	size_t j;

	sim_buf_puts(&b, "<response>\n          <returncode>SUCCESS</returncode>\n          ");
	if (n == 0) {
		open_list(&w, "recordings", true);
		sim_buf_puts(&b, "\n          <messageKey>noRecordings</messageKey>\n"
				 "          <message>There are no recordings for the meeting(s)."
				 "</message>");
	} else {
		sim_buf_puts(&b, "<recordings>");
		for (i = 0; i < n; i++) {
			for (j = 0; j < i; j++) /* merged by record ID: first appearance only */
				if (items[j].rec == items[i].rec)
					break;
			if (j == i)
				recording(&w, items[i].rec, items, n);
		}
		sim_buf_puts(&b, "</recordings>");
	}
	sim_buf_puts(&b, "\n        ");
	if (page != NULL)
		sim_buf_printf(&b,
			       "<pagination><pageable><offset>%lu</offset><limit>%lu</limit>"
			       "<paged>true</paged><unpaged>false</unpaged></pageable>"
			       "<totalElements>%lu</totalElements><empty>%s</empty></pagination>",
			       page->offset, page->limit, page->total, n == 0 ? "true" : "false");
	sim_buf_puts(&b, "</response>");
	*len = b.len;
	return b.p;
}

/* --- JSON -------------------------------------------------------------- */

void sim_json_gson(struct sim_buf *b, const char *s)
{
	sim_buf_puts(b, "\"");
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			sim_buf_printf(b, "\\%c", c);
		} else if (c == '\n') {
			sim_buf_puts(b, "\\n");
		} else if (c == '\r') {
			sim_buf_puts(b, "\\r");
		} else if (c == '\t') {
			sim_buf_puts(b, "\\t");
		} else if (c == '\b') {
			sim_buf_puts(b, "\\b");
		} else if (c == '\f') {
			sim_buf_puts(b, "\\f");
		} else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '=' || c == '\'') {
			sim_buf_printf(b, "\\u%04x", c);
		} else if (c == 0xe2 && (unsigned char)s[1] == 0x80 &&
			   ((unsigned char)s[2] == 0xa8 || (unsigned char)s[2] == 0xa9)) {
			sim_buf_printf(b, "\\u%04x", 0x2000u + ((unsigned char)s[2] - 0x80u));
			s += 2; /* U+2028, U+2029 */
		} else {
			sim_buf_add(b, s, 1);
		}
	}
	sim_buf_puts(b, "\"");
}

/* The next code point of UTF-8 s (advancing it); a bad byte counts as itself. */
static unsigned long next_cp(const char **s)
{
	const unsigned char *p = (const unsigned char *)*s;
	unsigned long cp = p[0];
	size_t n = 0;
	size_t i;

	if (cp >= 0xf0 && cp < 0xf8)
		n = 3;
	else if (cp >= 0xe0)
		n = 2;
	else if (cp >= 0xc0)
		n = 1;
	if (n > 0 && cp < 0xf8)
		cp &= 0x3fu >> n;
	for (i = 1; i <= n; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			*s += 1;
			return p[0];
		}
		cp = cp << 6 | (p[i] & 0x3fu);
	}
	*s += n + 1;
	return cp;
}

void sim_json_groovy(struct sim_buf *b, const char *s)
{
	sim_buf_puts(b, "\"");
	while (*s != '\0') {
		unsigned long cp = next_cp(&s);

		if (cp == '"' || cp == '\\')
			sim_buf_printf(b, "\\%c", (char)cp);
		else if (cp == '\n')
			sim_buf_puts(b, "\\n");
		else if (cp == '\r')
			sim_buf_puts(b, "\\r");
		else if (cp == '\t')
			sim_buf_puts(b, "\\t");
		else if (cp == '\b')
			sim_buf_puts(b, "\\b");
		else if (cp == '\f')
			sim_buf_puts(b, "\\f");
		else if (cp >= 0x10000) /* a surrogate pair, each escaped */
			sim_buf_printf(b, "\\u%04lX\\u%04lX", 0xd800 + ((cp - 0x10000) >> 10),
				       0xdc00 + ((cp - 0x10000) & 0x3ff));
		else if (cp < 0x20 || cp > 126)
			sim_buf_printf(b, "\\u%04lX", cp);
		else
			sim_buf_printf(b, "%c", (char)cp);
	}
	sim_buf_puts(b, "\"");
}

char *sim_json_failed(const char *key, const char *message, bool pretty, size_t *len)
{
	struct sim_buf b = {0};

	if (pretty) {
		sim_buf_puts(&b, "{\n    \"response\": {\n        \"returncode\": \"FAILED\",\n"
				 "        \"messageKey\": ");
		sim_json_groovy(&b, key);
		sim_buf_puts(&b, ",\n        \"message\": ");
		sim_json_groovy(&b, message);
		sim_buf_puts(&b, "\n    }\n}");
	} else {
		sim_buf_puts(&b, "{\"response\":{\"returncode\":\"FAILED\",\"messageKey\":");
		sim_json_gson(&b, key);
		sim_buf_puts(&b, ",\"message\":");
		sim_json_gson(&b, message);
		sim_buf_puts(&b, "}}");
	}
	*len = b.len;
	return b.p;
}

char *sim_json_tracks(const struct sim_recording *r, const char *host, size_t *len)
{
	struct sim_buf b = {0};
	const struct sim_track *t;
	char token[33];

	sim_buf_puts(&b, "{\"response\":{\"returncode\":\"SUCCESS\",\"tracks\":[");
	for (t = r->tracks; t != NULL; t = t->next) {
		char *href;

		sim_random_chars(token, 32, HEX_LOWER);
		href = sim_xasprintf("http://%s/bigbluebutton/textTrack/%s/%s/%s_%s.vtt", host,
				     token, r->record_id, t->kind, t->lang);
		sim_buf_puts(&b, t == r->tracks ? "{\"href\":" : ",{\"href\":");
		sim_json_gson(&b, href);
		sim_buf_puts(&b, ",\"kind\":");
		sim_json_gson(&b, t->kind);
		sim_buf_puts(&b, ",\"label\":");
		sim_json_gson(&b, t->label);
		sim_buf_puts(&b, ",\"lang\":");
		sim_json_gson(&b, t->lang);
		sim_buf_puts(&b, ",\"source\":");
		sim_json_gson(&b, t->source);
		sim_buf_puts(&b, "}");
		free(href);
	}
	sim_buf_puts(&b, "]}}");
	*len = b.len;
	return b.p;
}
