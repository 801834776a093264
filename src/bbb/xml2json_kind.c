/*
 * xml2json_kind.c - what the converter knows about BBB's XML before it
 * sees a reply: the table of element names whose JSON shape or type is
 * fixed (everything else is kept as it is), and attribute text decoded as
 * the DOM decoded it. No state: pure functions of their input.
 */
#include "xml2json_kind.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"

/* Sorted by name (strcmp order) for the binary search in kind_of. */
static const struct {
	const char *name;
	enum gw_xml2json_kind kind;
} kinds[] = {
	{"attendees", GW_XML2JSON_K_LIST},
	{"breakoutRooms", GW_XML2JSON_K_LIST},
	{"createTime", GW_XML2JSON_K_INT},
	{"customdata", GW_XML2JSON_K_MAP},
	{"data", GW_XML2JSON_K_LIST},
	{"deleted", GW_XML2JSON_K_BOOL},
	{"duration", GW_XML2JSON_K_INT},
	{"empty", GW_XML2JSON_K_BOOL},
	{"endTime", GW_XML2JSON_K_INT},
	{"freeJoin", GW_XML2JSON_K_BOOL},
	{"hasBeenForciblyEnded", GW_XML2JSON_K_BOOL},
	{"hasJoinedVoice", GW_XML2JSON_K_BOOL},
	{"hasUserJoined", GW_XML2JSON_K_BOOL},
	{"hasVideo", GW_XML2JSON_K_BOOL},
	{"height", GW_XML2JSON_K_INT},
	{"hooks", GW_XML2JSON_K_LIST},
	{"image", GW_XML2JSON_K_IMAGE},
	{"images", GW_XML2JSON_K_LIST},
	{"isBreakout", GW_XML2JSON_K_BOOL},
	{"isListeningOnly", GW_XML2JSON_K_BOOL},
	{"isPresenter", GW_XML2JSON_K_BOOL},
	{"length", GW_XML2JSON_K_INT},
	{"limit", GW_XML2JSON_K_INT},
	{"listenerCount", GW_XML2JSON_K_INT},
	{"maxUsers", GW_XML2JSON_K_INT},
	{"meetings", GW_XML2JSON_K_LIST},
	{"metadata", GW_XML2JSON_K_MAP},
	{"moderatorCount", GW_XML2JSON_K_INT},
	{"offset", GW_XML2JSON_K_INT},
	{"paged", GW_XML2JSON_K_BOOL},
	{"pagination", GW_XML2JSON_K_PAGINATION},
	{"participantCount", GW_XML2JSON_K_INT},
	{"participants", GW_XML2JSON_K_INT},
	{"permanentHook", GW_XML2JSON_K_BOOL},
	{"playback", GW_XML2JSON_K_LIST},
	{"processingTime", GW_XML2JSON_K_INT},
	{"published", GW_XML2JSON_K_BOOL},
	{"rawData", GW_XML2JSON_K_BOOL},
	{"rawSize", GW_XML2JSON_K_INT},
	{"recording", GW_XML2JSON_K_BOOL},
	{"recordings", GW_XML2JSON_K_LIST},
	{"removed", GW_XML2JSON_K_BOOL},
	{"running", GW_XML2JSON_K_BOOL},
	{"sequence", GW_XML2JSON_K_INT},
	{"size", GW_XML2JSON_K_INT},
	{"startTime", GW_XML2JSON_K_INT},
	{"totalElements", GW_XML2JSON_K_INT},
	{"tracks", GW_XML2JSON_K_LIST},
	{"unpaged", GW_XML2JSON_K_BOOL},
	{"updated", GW_XML2JSON_K_BOOL},
	{"videoCount", GW_XML2JSON_K_INT},
	{"voiceParticipantCount", GW_XML2JSON_K_INT},
	{"width", GW_XML2JSON_K_INT},
};

enum gw_xml2json_kind gw_xml2json_kind_of(const xmlChar *name)
{
	size_t lo = 0;
	size_t hi = GW_ARRAY_SIZE(kinds);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(kinds[mid].name, (const char *)name);

		if (c == 0)
			return kinds[mid].kind;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return GW_XML2JSON_K_PLAIN;
}

static void put_utf8(char *o, size_t *k, unsigned long v)
{
	if (v < 0x80) {
		o[(*k)++] = (char)v;
	} else if (v < 0x800) {
		o[(*k)++] = (char)(0xc0 | (v >> 6));
		o[(*k)++] = (char)(0x80 | (v & 0x3f));
	} else if (v < 0x10000) {
		o[(*k)++] = (char)(0xe0 | (v >> 12));
		o[(*k)++] = (char)(0x80 | ((v >> 6) & 0x3f));
		o[(*k)++] = (char)(0x80 | (v & 0x3f));
	} else {
		o[(*k)++] = (char)(0xf0 | (v >> 18));
		o[(*k)++] = (char)(0x80 | ((v >> 12) & 0x3f));
		o[(*k)++] = (char)(0x80 | ((v >> 6) & 0x3f));
		o[(*k)++] = (char)(0x80 | (v & 0x3f));
	}
}

/* A character reference or predefined entity at p (just past '&'): its length, 0 if none. */
static size_t reference(const char *p, const char *end, char *o, size_t *k)
{
	static const struct {
		const char *name;
		char c;
	} predefined[] = {
		{"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'}, {"quot;", '"'}, {"apos;", '\''}};
	const char *q = p + 1;
	unsigned long v = 0;
	bool hex = false;
	size_t i;

	for (i = 0; i < GW_ARRAY_SIZE(predefined); i++) {
		size_t n = strlen(predefined[i].name);

		if ((size_t)(end - p) >= n && memcmp(p, predefined[i].name, n) == 0) {
			o[(*k)++] = predefined[i].c;
			return n;
		}
	}
	if (p >= end || *p != '#')
		return 0;
	if (q < end && *q == 'x') {
		hex = true;
		q++;
	}
	for (; q < end && *q != ';' && v <= 0x10ffff; q++) {
		int d = *q >= '0' && *q <= '9'          ? *q - '0'
			: hex && *q >= 'a' && *q <= 'f' ? *q - 'a' + 10
			: hex && *q >= 'A' && *q <= 'F' ? *q - 'A' + 10
							: -1;

		if (d < 0)
			return 0;
		v = v * (hex ? 16u : 10u) + (unsigned long)d;
	}
	if (q >= end || *q != ';' || v == 0 || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	put_utf8(o, k, v);
	return (size_t)(q + 1 - p);
}

enum gw_err gw_xml2json_attr_value(struct gw_buf *b, const xmlChar *v, const xmlChar *vend)
{
	const char *p = (const char *)v;
	const char *end = (const char *)vend;
	size_t n = (size_t)(end - p);
	char *o;
	size_t k = 0;
	size_t used;
	enum gw_err err;

	if (memchr(p, '&', n) == NULL) {
		err = gw_buf_append(b, p, n);
		return err == GW_OK ? gw_buf_append_byte(b, '\0') : err;
	}
	/* a reference never decodes to more bytes than it takes */
	o = malloc(n + 1);
	if (o == NULL)
		return GW_E_NOMEM;
	while (p < end) {
		used = *p == '&' ? reference(p + 1, end, o, &k) : 0;
		if (used == 0)
			o[k++] = *p++;
		else
			p += used + 1;
	}
	o[k++] = '\0';
	err = gw_buf_append(b, o, k);
	free(o);
	return err;
}
