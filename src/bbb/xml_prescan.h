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

#endif
