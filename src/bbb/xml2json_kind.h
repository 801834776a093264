/*
 * xml2json_kind.h - the converter's fixed knowledge of BBB's element
 * names, and attribute text as the DOM read it. Internal to xml2json.
 */
#ifndef GW_XML2JSON_KIND_H
#define GW_XML2JSON_KIND_H

#include <libxml/xmlstring.h>

#include "buf.h"
#include "compiler.h"
#include "err.h"

enum gw_xml2json_kind {
	GW_XML2JSON_K_PLAIN,      /* leaf -> string, element children -> object */
	GW_XML2JSON_K_LIST,       /* array of the converted element children */
	GW_XML2JSON_K_MAP,        /* object of strings keyed by child name */
	GW_XML2JSON_K_BOOL,       /* "true"/"false" -> bool, "" -> null, else string */
	GW_XML2JSON_K_INT,        /* digits (',' grouping) -> int, "" -> null, else string */
	GW_XML2JSON_K_IMAGE,      /* text + attributes -> {url, width, height, alt} */
	GW_XML2JSON_K_PAGINATION, /* getRecordings paging -> {offset, limit, totalElements} */
};

/* The kind of element name (borrowed); GW_XML2JSON_K_PLAIN when not in the table. */
enum gw_xml2json_kind gw_xml2json_kind_of(const xmlChar *name);

/*
 * Appends the attribute value from v to vend (borrowed) and a NUL to b.
 * Without entity substitution libxml2 hands "&amp;" in a value on as
 * "&#38;", which the DOM's attribute text then decoded: so does this
 * (character references and the five predefined entities).
 * GW_E_TOO_LARGE past b's cap, GW_E_NOMEM.
 */
enum gw_err gw_xml2json_attr_value(struct gw_buf *b, const xmlChar *v, const xmlChar *vend) GW_WUR;

#endif
