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
 */
#include "xml_prescan.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "compiler.h"
#include "gw_limits.h"


static bool has_prefix(const char *p, const char *end, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(end - p) >= n && memcmp(p, s, n) == 0;
}

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
 * A tag from just after its '<'. Each '=' outside quoted values is one
 * attribute (names cannot hold '='; namespace declarations count too).
 * The tag ends after '>' or before the next '<', and so does a quoted value:
 * '<' is never inside a tag, and libxml2 resumes there after a broken one.
 * Returns where scanning goes on.
 */
static const char *scan_tag(const char *p, const char *end, enum gw_err *err)
{
	unsigned attrs = 0;
	char quote = 0;

	for (; p < end && *p != '<'; p++) {
		if (quote != 0) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '"' || *p == '\'') {
			quote = *p;
		} else if (*p == '>') {
			return p + 1;
		} else if (*p == '=' && ++attrs > GW_XML_MAX_ATTRIBUTES) {
			*err = GW_E_UPSTREAM_BAD_REPLY;
			return end;
		}
	}
	return p;
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

/* From the body of a comment or CDATA section: just past its terminator, or where libxml2 stops it. */
static const char *skip_section(const char *p, const char *end, const char *terminator)
{
	const unsigned char *u = (const unsigned char *)p;
	const unsigned char *e = (const unsigned char *)end;
	size_t n = strlen(terminator);

	for (; u < e; u++) {
		if (stops_section(u, e))
			break;
		if ((size_t)(e - u) >= n && memcmp(u, terminator, n) == 0)
			return (const char *)u + n;
	}
	return (const char *)u;
}

/*
 * One pass over the raw reply that keeps in step with where libxml2 can
 * start a tag: at every '<' except inside a comment or CDATA section it
 * cannot leave early. Markup-like text in those sections and in quoted
 * values is not counted. Processing instructions are scanned like tags
 * (BBB sends only the XML declaration). Each byte is looked at a bounded
 * number of times. Anything else malformed is left for libxml2 to refuse.
 */
enum gw_err gw_xml_prescan(const char *p, size_t len)
{
	const char *end = p + len;
	enum gw_err err = GW_OK;

	/* NUL is never in XML text in an ASCII-compatible encoding: this refuses UTF-16/32. */
	if (memchr(p, '\0', len) != NULL)
		return GW_E_UPSTREAM_BAD_REPLY;
	if (has_prefix(p, end, "\xef\xbb\xbf"))
		p += 3;
	while (p < end && ascii_space(*p))
		p++;
	/* EBCDIC and anything else without an ASCII '<' first is not a BBB reply */
	if (p >= end || *p != '<')
		return GW_E_UPSTREAM_BAD_REPLY;
	if (has_prefix(p, end, "<?xml") && !declaration_ok(p, end))
		return GW_E_UPSTREAM_BAD_REPLY;
	while (err == GW_OK && (p = memchr(p, '<', (size_t)(end - p))) != NULL) {
		p++;
		if (has_prefix(p, end, "!--"))
			p = skip_section(p + 3, end, "-->");
		else if (has_prefix(p, end, "![CDATA["))
			p = skip_section(p + 8, end, "]]>");
		else if (has_prefix(p, end, "!"))
			return GW_E_UPSTREAM_BAD_REPLY; /* DOCTYPE: BBB never sends one */
		else
			p = scan_tag(p, end, &err);
	}
	return err;
}
