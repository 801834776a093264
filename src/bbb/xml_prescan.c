/*
 * xml_prescan.c - one linear pass over a raw BBB reply before libxml2 sees
 * it, refusing the shapes libxml2 2.9.14 spends super-linear time on.
 *
 * Measured on Debian's 2.9.14 (xmlReadMemory, one core): attributes on one
 * element cost time quadratic in their count, namespace declarations and
 * prefixed attributes included (20,000: 0.4 s; 300,000: minutes). Long
 * names (capped by libxml2 at 50,000 bytes), long attribute values, many
 * character references, siblings, distinct names, comments and PIs are
 * linear; depth is capped by libxml2 and xml2json. So the pass counts
 * attributes per tag against GW_XML_MAX_ATTRIBUTES. libxml2 goes on parsing
 * after most errors, so the pass must find every tag libxml2 could parse,
 * including after broken constructs; over-counting malformed input is fine.
 *
 * The pass runs on a reply as it arrives: its position (in text, just past
 * a '<', in a tag with its quote and count, in a comment or CDATA section)
 * is kept between chunks, and bytes are handed on to the parser only once
 * they are scanned. Where a decision needs bytes that have not arrived yet
 * (the 8 of "![CDATA[", the 3 of "-->", the XML declaration) those few
 * bytes wait for the next chunk, so the parser never sees a byte the scan
 * has not cleared.
 */
#include "xml_prescan.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "compiler.h"
#include "gw_limits.h"

/* Just past the first occurrence of s at or after p, or NULL. */
static const char *after(const char *p, const char *end, const char *s)
{
	const char *q = memmem(p, (size_t)(end - p), s, strlen(s));

	return q != NULL ? q + strlen(s) : NULL;
}

static bool ascii_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * The pre-scan reads markup as ASCII bytes, so the encoding must keep ASCII
 * as it is: UTF-8 (BBB's), US-ASCII, ISO-8859-* and windows-125*. Others
 * (UTF-7, UTF-16, EBCDIC, ISO-2022, ...) could hide tags from it.
 */
static bool encoding_ok(const char *name, size_t n)
{
	static const char *const exact[] = {"UTF-8", "US-ASCII", "ASCII"};
	static const char *const prefix[] = {"ISO-8859-", "windows-125"};
	size_t i;

	for (i = 0; i < GW_ARRAY_SIZE(exact); i++)
		if (n == strlen(exact[i]) && strncasecmp(name, exact[i], n) == 0)
			return true;
	for (i = 0; i < GW_ARRAY_SIZE(prefix); i++)
		if (n > strlen(prefix[i]) && strncasecmp(name, prefix[i], strlen(prefix[i])) == 0)
			return true;
	return false;
}

/* The encoding named by an XML declaration at p (which starts "<?xml"), if any. */
static bool declaration_ok(const char *p, const char *end)
{
	const char *close = after(p, end, "?>");
	const char *e;
	const char *q;

	if (close == NULL)
		return true; /* libxml2 refuses it */
	e = memmem(p, (size_t)(close - p), "encoding", 8);
	if (e == NULL)
		return true; /* UTF-8 */
	for (e += 8; e < close && (ascii_space(*e) || *e == '='); e++)
		continue;
	if (e >= close || (*e != '"' && *e != '\''))
		return true; /* malformed: libxml2 refuses it */
	q = memchr(e + 1, *e, (size_t)(close - e - 1));
	return q != NULL && encoding_ok(e + 1, (size_t)(q - e - 1));
}

/*
 * A character at which libxml2 stops a comment or CDATA section early (one
 * XML does not allow: a control character, a surrogate, U+FFFE/U+FFFF,
 * past U+10FFFF) and goes on parsing markup from there. Checked on the raw
 * bytes, so in a single-byte encoding a few letters stop the skip too:
 * that only means scanning on as content, which is safe.
 */
static bool stops_section(const unsigned char *p, const unsigned char *end)
{
	if (*p < 0x20)
		return *p != '\t' && *p != '\n' && *p != '\r';
	if (*p >= 0xf4)
		return true;
	if (*p == 0xed)
		return end - p > 1 && p[1] >= 0xa0;
	return *p == 0xef && end - p > 2 && p[1] == 0xbf && p[2] >= 0xbe;
}

enum { PH_HEAD, PH_BODY };
enum { M_TEXT, M_LT, M_TAG, M_COMMENT, M_CDATA };

void gw_xml_prescan_init(struct gw_xml_prescan *s)
{
	memset(s, 0, sizeof(*s));
	s->phase = PH_HEAD;
	s->mode = M_TEXT;
}

/* How n bytes at p compare with the start of word: 1 all of word, 0 a proper prefix, -1 no. */
static int match(const char *p, size_t n, const char *word)
{
	size_t w = strlen(word);

	if (n >= w)
		return memcmp(p, word, w) == 0 ? 1 : -1;
	return memcmp(p, word, n) == 0 ? 0 : -1;
}

/* Just past '<': a comment, a CDATA section, a DOCTYPE (refused) or a tag. */
static const char *after_lt(struct gw_xml_prescan *s, const char *p, const char *end, bool final)
{
	size_t n = (size_t)(end - p);
	int comment = match(p, n, "!--");
	int cdata = match(p, n, "![CDATA[");

	if (comment == 1) {
		/*
		 * "<!-->" and "<!--->": libxml2 2.9's push parser takes the "-->"
		 * they hold for the comment's end when a chunk ends inside the
		 * comment, and then refuses it, while a parse of the whole reply
		 * reads on to the real end. BBB never writes either: refused in
		 * every mode, so the answer does not depend on where chunks end.
		 */
		int gt = match(p, n, "!-->");
		int dash_gt = match(p, n, "!--->");

		if (gt == 1 || dash_gt == 1) {
			s->err = GW_E_UPSTREAM_BAD_REPLY;
			return end;
		}
		if (!final && (gt == 0 || dash_gt == 0))
			return NULL; /* wait for the bytes that decide */
		s->mode = M_COMMENT;
		return p + 3;
	}
	if (cdata == 1) {
		s->mode = M_CDATA;
		return p + 8;
	}
	if (!final && (comment == 0 || cdata == 0))
		return NULL; /* wait for the bytes that decide */
	if (*p == '!') {
		s->err = GW_E_UPSTREAM_BAD_REPLY; /* DOCTYPE: BBB never sends one */
		return end;
	}
	s->mode = M_TAG;
	s->quote = 0;
	s->attrs = 0;
	return p;
}

/* Bytes that matter in a tag: '<' '>' '"' '\'' '=' (a lookup, not five compares). */
static const unsigned char special[256] = {['<'] = 1, ['>'] = 1, ['"'] = 1, ['\''] = 1, ['='] = 1};

/*
 * The first byte at or after p that may be special, or end. Sixteen bytes
 * at a time with SSE2 (every x86-64), then eight at a time where the byte
 * order allows: a byte of 0x3c-0x3f ('<' '=' '>' '?')
 * or 0x20-0x27 (' ' to '\'') is flagged by the usual has-zero-byte test on
 * the word, whose lowest flag is exact; the caller checks the byte, so a
 * '?' or a space only costs a look.
 */
static const char *next_special(const char *p, const char *end)
{
#if defined(__SSE2__)
	/* sixteen bytes at a time, exactly the five */
	const __m128i lt = _mm_set1_epi8('<');
	const __m128i gt = _mm_set1_epi8('>');
	const __m128i eq = _mm_set1_epi8('=');
	const __m128i dq = _mm_set1_epi8('"');
	const __m128i sq = _mm_set1_epi8('\'');
	__m128i v;
	__m128i hit;
	unsigned mask;

	while (end - p >= 16) {
		v = _mm_loadu_si128((const void *)p);
		hit = _mm_or_si128(
			_mm_or_si128(_mm_cmpeq_epi8(v, lt), _mm_cmpeq_epi8(v, gt)),
			_mm_or_si128(_mm_cmpeq_epi8(v, eq),
				     _mm_or_si128(_mm_cmpeq_epi8(v, dq), _mm_cmpeq_epi8(v, sq))));
		mask = (unsigned)_mm_movemask_epi8(hit);
		if (mask != 0)
			return p + __builtin_ctz(mask);
		p += 16;
	}
#endif
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const uint64_t ones = 0x0101010101010101u;
	const uint64_t highs = 0x8080808080808080u;
	uint64_t w;
	uint64_t x;
	uint64_t y;
	uint64_t z;

	while (end - p >= 8) {
		memcpy(&w, p, 8);
		x = (w ^ (0x3cu * ones)) & (0xfcu * ones);
		y = (w ^ (0x20u * ones)) & (0xf8u * ones);
		z = (((x - ones) & ~x) | ((y - ones) & ~y)) & highs;
		if (z != 0)
			return p + (__builtin_ctzll(z) >> 3);
		p += 8;
	}
#endif
	while (p < end && !special[(unsigned char)*p])
		p++;
	return p;
}

/*
 * Text and tags, the bulk of a reply, in one loop with the position's
 * state in locals; returns where a comment, CDATA section or DOCTYPE may
 * start (mode M_LT, just past its '<'), or end. Each '=' outside quoted
 * values is one attribute (names cannot hold '='; namespace declarations
 * count too). A tag ends after '>' or at the next '<', and so does a
 * quoted value: '<' is never inside a tag, and libxml2 resumes there after
 * a broken one.
 */
static const char *text_and_tags(struct gw_xml_prescan *s, const char *p, const char *end)
{
	unsigned char mode = s->mode;
	char quote = s->quote;
	unsigned attrs = s->attrs;
	char c;

	while (p < end) {
		p = next_special(p, end);
		if (p >= end)
			break;
		c = *p++;
		if (c == '<') {
			/* most '<' open a tag: only '!' needs after_lt's look at what follows */
			if (p >= end || *p == '!') {
				mode = M_LT;
				break;
			}
			mode = M_TAG;
			quote = 0;
			attrs = 0;
		} else if (mode == M_TEXT) {
			continue;
		} else if (quote != 0) {
			if (c == quote)
				quote = 0;
		} else if (c == '"' || c == '\'') {
			quote = c;
		} else if (c == '>') {
			mode = M_TEXT;
		} else if (c == '=' && ++attrs > GW_XML_MAX_ATTRIBUTES) {
			s->err = GW_E_UPSTREAM_BAD_REPLY;
			return end;
		}
	}
	s->mode = mode;
	s->quote = quote;
	s->attrs = attrs;
	return p;
}

/* In a comment or CDATA section: past its terminator, or where libxml2 stops it. */
static const char *in_section(struct gw_xml_prescan *s, const char *p, const char *end, bool final)
{
	const char *term = s->mode == M_COMMENT ? "-->" : "]]>";
	const unsigned char *u = (const unsigned char *)p;
	const unsigned char *e = (const unsigned char *)end;

	for (; u < e; u++) {
		/* the three bytes that decide may not all be here yet */
		if (!final && e - u < 3 &&
		    (*u == 0xed || *u == 0xef || *u == (unsigned char)term[0]))
			return (const char *)u;
		if (stops_section(u, e)) {
			s->mode = M_TEXT;
			return (const char *)u;
		}
		if (e - u >= 3 && memcmp(u, term, 3) == 0) {
			s->mode = M_TEXT;
			return (const char *)u + 3;
		}
	}
	return (const char *)u;
}

/*
 * Scans from p; returns how many bytes are cleared. Fewer than n only when
 * the rest (at most 7 bytes) needs bytes that have not arrived (never when
 * final).
 */
static size_t scan(struct gw_xml_prescan *s, const char *start, size_t n, bool final)
{
	const char *p = start;
	const char *end = start + n;
	const char *q;

	while (p < end && s->err == GW_OK) {
		switch (s->mode) {
		case M_TEXT:
		case M_TAG:
			p = text_and_tags(s, p, end);
			break;
		case M_LT:
			q = after_lt(s, p, end, final);
			if (q == NULL)
				return (size_t)(p - start);
			p = q;
			break;
		default:
			q = in_section(s, p, end, final);
			if (q == p && s->mode != M_TEXT)
				return (size_t)(p - start);
			p = q;
			break;
		}
	}
	return n;
}

static enum gw_err hand_on(struct gw_xml_prescan *s, const char *p, size_t n,
			   gw_xml_prescan_pass_fn pass, void *arg)
{
	enum gw_err err = GW_OK;

	if (n > 0 && pass != NULL)
		err = pass(arg, p, n);
	if (err != GW_OK && s->err == GW_OK)
		s->err = err;
	return err;
}

/* The body scan, with the few bytes held back from the last chunk in front of p. */
static enum gw_err body(struct gw_xml_prescan *s, const char *p, size_t n, bool final,
			gw_xml_prescan_pass_fn pass, void *arg)
{
	char tmp[sizeof(s->carry) + 64];
	size_t take;
	size_t tlen;
	size_t c;

	while (s->err == GW_OK && s->carry_len > 0 && (n > 0 || final)) {
		take = n < 64 ? n : 64;
		memcpy(tmp, s->carry, s->carry_len);
		memcpy(tmp + s->carry_len, p, take);
		tlen = s->carry_len + take;
		c = scan(s, tmp, tlen, final && take == n);
		if (s->err != GW_OK || hand_on(s, tmp, c, pass, arg) != GW_OK)
			return s->err;
		if (c >= s->carry_len) {
			p += c - s->carry_len;
			n -= c - s->carry_len;
			s->carry_len = 0;
			break;
		}
		memmove(s->carry, tmp + c, tlen - c);
		s->carry_len = tlen - c;
		p += take;
		n -= take;
		if (final && n == 0)
			break;
	}
	if (s->err != GW_OK || s->carry_len > 0)
		return s->err;
	c = scan(s, p, n, final);
	if (s->err != GW_OK || hand_on(s, p, c, pass, arg) != GW_OK)
		return s->err;
	memcpy(s->carry, p + c, n - c);
	s->carry_len = n - c;
	return GW_OK;
}

/*
 * Whether the reply's start is known to be fine: 1 yes, 0 not yet, and
 * s->err set when it is not. The start is a BOM, blanks, then '<'; an XML
 * declaration must name an ASCII-based encoding.
 */
static int head_ok(struct gw_xml_prescan *s, bool final)
{
	const char *p = s->head;
	const char *end = s->head + s->head_len;
	int decl;

	final = final || s->head_len == sizeof(s->head);
	if (s->head_len < 3 && !final && match(p, s->head_len, "\xef\xbb\xbf") == 0)
		return 0;
	if (match(p, (size_t)(end - p), "\xef\xbb\xbf") == 1)
		p += 3;
	while (p < end && ascii_space(*p))
		p++;
	if (p >= end && !final)
		return 0;
	/* EBCDIC and anything else without an ASCII '<' first is not a BBB reply */
	if (p >= end || *p != '<') {
		s->err = GW_E_UPSTREAM_BAD_REPLY;
		return 0;
	}
	decl = match(p, (size_t)(end - p), "<?xml");
	if (decl == 0 && !final)
		return 0;
	if (decl != 1)
		return 1;
	if (!final && after(p, end, "?>") == NULL)
		return 0;
	if (!declaration_ok(p, end)) {
		s->err = GW_E_UPSTREAM_BAD_REPLY;
		return 0;
	}
	return 1;
}

static enum gw_err feed(struct gw_xml_prescan *s, const char *p, size_t n, bool final,
			gw_xml_prescan_pass_fn pass, void *arg)
{
	size_t take;
	int ok;

	if (s->err != GW_OK)
		return s->err;
	/* NUL is never in XML text in an ASCII-compatible encoding: this refuses UTF-16/32. */
	if (n > 0 && memchr(p, '\0', n) != NULL)
		return s->err = GW_E_UPSTREAM_BAD_REPLY;
	if (s->phase == PH_HEAD) {
		take = sizeof(s->head) - s->head_len;
		take = take < n ? take : n;
		memcpy(s->head + s->head_len, p, take);
		s->head_len += take;
		p += take;
		n -= take;
		ok = head_ok(s, final && n == 0);
		if (ok == 0)
			return s->err;
		s->phase = PH_BODY;
		if (body(s, s->head, s->head_len, final && n == 0, pass, arg) != GW_OK)
			return s->err;
		if (n == 0)
			return s->err;
	}
	return body(s, p, n, final, pass, arg);
}

enum gw_err gw_xml_prescan_feed(struct gw_xml_prescan *s, const char *p, size_t n,
				gw_xml_prescan_pass_fn pass, void *arg)
{
	return feed(s, p, n, false, pass, arg);
}

enum gw_err gw_xml_prescan_finish(struct gw_xml_prescan *s, gw_xml_prescan_pass_fn pass, void *arg)
{
	return feed(s, "", 0, true, pass, arg);
}

enum gw_err gw_xml_prescan(const char *p, size_t len)
{
	struct gw_xml_prescan s;

	gw_xml_prescan_init(&s);
	if (gw_xml_prescan_feed(&s, p, len, NULL, NULL) != GW_OK)
		return s.err;
	return gw_xml_prescan_finish(&s, NULL, NULL);
}
