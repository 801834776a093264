/*
 * xml_prescan.h - a linear check of a raw XML reply before it is parsed.
 */
#ifndef GW_XML_PRESCAN_H
#define GW_XML_PRESCAN_H

#include <stddef.h>

#include "compiler.h"
#include "err.h"

/*
 * Looks at len bytes of p (borrowed) in time linear in len. Returns
 * GW_E_UPSTREAM_BAD_REPLY when a tag has more than GW_XML_MAX_ATTRIBUTES
 * attributes (counted wherever libxml2 could parse a tag, not inside
 * comments, CDATA sections or quoted values), for a DOCTYPE, or when the
 * encoding is not ASCII-based (UTF-16/32, EBCDIC, or declared other than
 * UTF-8, US-ASCII, ISO-8859-*, windows-125*); GW_OK otherwise. Other
 * malformations are left to the parser.
 */
enum gw_err gw_xml_prescan(const char *p, size_t len) GW_WUR;

/* A pre-scan in progress: its position is kept between chunks. Embed it; no heap. */
struct gw_xml_prescan {
	enum gw_err err; /* the first refusal, kept */
	unsigned char phase;
	unsigned char mode;
	char quote;
	unsigned attrs; /* attributes of the tag being scanned */
	size_t head_len;
	size_t carry_len;
	char head[1024]; /* the reply's start, until its XML declaration is read */
	char carry[8];   /* bytes held back until the bytes that decide them arrive */
};

/* Receives the bytes the scan has cleared, in order; a non-GW_OK return stops the scan. */
typedef enum gw_err (*gw_xml_prescan_pass_fn)(void *arg, const char *p, size_t n);

void gw_xml_prescan_init(struct gw_xml_prescan *s);

/*
 * Scans the next n bytes (borrowed) of a reply and hands every byte it has
 * cleared to pass (NULL: none), in order; a few bytes may be held back
 * until the next call. The reply's first 1024 bytes are held until its XML
 * declaration (if any) is read, so a reply that is blank that long is
 * refused. Returns the refusal (as gw_xml_prescan) or pass's error, which
 * every later call returns too.
 */
enum gw_err gw_xml_prescan_feed(struct gw_xml_prescan *s, const char *p, size_t n,
				gw_xml_prescan_pass_fn pass, void *arg) GW_WUR;

/* The end of the reply: decides and hands on what was held back. */
enum gw_err gw_xml_prescan_finish(struct gw_xml_prescan *s, gw_xml_prescan_pass_fn pass,
				  void *arg) GW_WUR;

#endif
