/*
 * xmlmergefix.h - what the xml_merge suites share: merges made and
 * finished with checks, the merged text read back with libxml2, its items
 * listed, and recordings replies written from a short spec.
 */
#ifndef GW_TEST_XMLMERGEFIX_H
#define GW_TEST_XMLMERGEFIX_H

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdbool.h>
#include <stddef.h>

#include "xml_merge.h"

#define OUT_MAX (4u * 1024u * 1024u)
#define READ_OPTS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

#define OK_MEETINGS "<response><returncode>SUCCESS</returncode>"
#define NO_MEETINGS                                                              \
	"<response><returncode>SUCCESS</returncode><meetings/>"                  \
	"<messageKey>noMeetings</messageKey><message>no meetings were found on " \
	"this server</message></response>"
#define PAGINATION(o, l, t, e)                                                                     \
	"<pagination><pageable><offset>" o "</offset><limit>" l "</limit><paged>true"              \
	"</paged><unpaged>false</unpaged></pageable><totalElements>" t "</totalElements><empty>" e \
	"</empty></pagination></response>"

/* The recordIDs of the simulator's replies (tests/data/bbbsim), by startTime. */
#define SIM_A72_1 "a72c17c66bc6234721b377d1d5a5dc32f199c749-1715179200000"
#define SIM_BE5 "be50234e1c66bebcfce306edca2e3a65c2133730-1715261728123"
#define SIM_64D "64d2edb774ea928c8bf42a99bd453f35c16cb15e-1715262000456"
#define SIM_A72_2 "a72c17c66bc6234721b377d1d5a5dc32f199c749-1715784000000"
/* and of two in tests/data/xml */
#define MANY_D41 "d41e3f7c9b2a8e6d5c4b3a291807f6e5d4c3b2a1-1715262000456"
#define PAGED_3C5 "3c5a8f1d2b7e9a4c6d0f1e2b3a4c5d6e7f8a9b0c-1715262000456"
#define LIST_FIRST OK_MEETINGS "<recordings><recording>"

/* tests/data/<rel>. Caller frees. */
char *data(const char *rel);

struct gw_xml_merge *new_merge(const char *list, long long offset, long long limit);

void add(struct gw_xml_merge *m, const char *xml, const char *qualify, enum gw_xml_part want);

/* m's merged reply (m freed). Caller frees. */
char *finish(struct gw_xml_merge *m);

/* The merge of n replies, every one added, each hook qualified with qualify. Caller frees. */
char *merge(const char *list, long long offset, long long limit, const char *const *xml, size_t n,
	    const char *qualify);

/* text read back; its root is <response>. Caller frees with xmlFreeDoc. */
xmlDocPtr reread(const char *text);

bool is_element(xmlNodePtr n, const char *name);

/* parent's first child element called name, or NULL. */
xmlNodePtr elem(xmlNodePtr parent, const char *name);

/* The root's child elements called name. */
size_t count_elems(const char *text, const char *name);

/* The name of the root's last child element. Caller frees. */
char *last_elem(const char *text);

/*
 * The text of field in each item of the list element list of text, joined
 * by ','; "-" for an item without it, NULL without a list. Caller frees.
 */
char *items(const char *text, const char *list, const char *field);

void assert_items(const char *text, const char *list, const char *field, const char *want);

/* text ends with tail. */
void assert_ends(const char *text, const char *tail);

/* A getRecordings reply with the recordings "id@start ..." of spec. Caller frees. */
char *recordings_reply(const char *spec);

#endif
