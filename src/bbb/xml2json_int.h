/*
 * xml2json_int.h - the state of one conversion, shared by the files of the
 * xml2json module (xml2json.c: the push API; xml2json_sax.c: libxml2's
 * callbacks and the envelope; xml2json_write.c: JSON text, values and the
 * regrouping of repeated names; xml2json_kind.c: the name table). Nothing
 * outside the module includes it.
 */
#ifndef GW_XML2JSON_INT_H
#define GW_XML2JSON_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>

#include "buf.h"
#include "bbb_reply.h"
#include "bbb_value.h"
#include "xml_prescan.h"
#include "xml2json.h"
#include "xml2json_kind.h"
/* the project's limits.h shadows the system one on -Isrc: bounds come from stdint.h */
#include "gw_limits.h"

enum role {
	RO_RESPONSE,    /* <response>: the body object */
	RO_VALUE,       /* an element converted by its kind */
	RO_INT,         /* pagination's numbers: direct text as GW_XML2JSON_K_INT */
	RO_ENVELOPE,    /* returncode, messageKey, message: text into the struct */
	RO_ERRORS,      /* <errors>: the errors array */
	RO_ERROR,       /* one <error> */
	RO_ERROR_FIELD, /* <key> or <message> in an <error> */
	RO_PAGEABLE,    /* <pageable> in <pagination>: its numbers go to pagination */
	RO_SKIP,        /* content nothing reads */
};

enum shape {
	SH_LEAF,   /* no element child yet: text collected */
	SH_OBJECT, /* repeated names become arrays */
	SH_LIST,
	SH_MAP, /* a repeated name keeps its last value */
	SH_PAGINATION,
};

enum { F_RETURNCODE, F_MESSAGE_KEY, F_MESSAGE }; /* RO_ENVELOPE */
enum { F_KEY, F_MSG };                           /* RO_ERROR_FIELD */

struct frame {
	const xmlChar *name; /* interned by libxml2's dictionary */
	unsigned char role;
	unsigned char kind;
	unsigned char shape;
	unsigned char field;
	bool plain_leaf; /* a <metadata> value: as a leaf, a plain string */
	bool text;       /* collects its direct text */
	bool maybe_dup;  /* the name filter saw a name twice */
	uint64_t names;  /* filter of member names */
	size_t text_start;
	size_t attr_start;
	size_t out_start;    /* objects: just past '{' */
	size_t first_member; /* objects: its first entry on the member stack */
	size_t items;        /* members or items written */
	/* a tenant's list item (gw_xml2json_tenant): kept only when its meetingID is the tenant's */
	bool tenant_item;
	bool tenant_ok;
	size_t item_start; /* where the item (its ',') starts in out */
};

struct member {
	const xmlChar *name;
	size_t start; /* where its ',' or '"' is in out */
	size_t value; /* where its value starts */
	bool replace; /* replaces earlier values of its name */
};

/* Names the callbacks compare by pointer (the parser's dictionary interns every name). */
struct names {
	const xmlChar *response, *returncode, *message_key, *message, *errors, *error, *key,
		*total_elements, *pageable, *offset, *limit, *page_size, *warning, *attendee_pw,
		*moderator_pw, *meeting_id, *parent_meeting_id, *meeting_id_meta, *meetings,
		*recordings, *hooks;
};

/* What the converter needs of an element name, worked out once per name. */
struct name_info {
	const xmlChar *name; /* interned by libxml2's dictionary; NULL: an empty slot */
	size_t len;
	unsigned char kind;
	bool plain; /* its JSON string is '"' name '"' (printable ASCII but '"' and '\\') */
};

struct gw_xml2json {
	xmlParserCtxt *ctxt;
	struct gw_xml_prescan scan;
	uint64_t deadline_ms;
	enum gw_err err;
	unsigned long elements;
	size_t nodes;
	bool in_text;
	bool done;           /* </response> seen */
	bool hide_passwords; /* drop attendeePW and moderatorPW wherever they are */
	const char *tenant;  /* a tenant's meeting prefix (gw_xml2json_tenant), or NULL */
	size_t tenant_len;
	bool seen[3]; /* returncode, messageKey, message */
	unsigned depth;
	struct frame frames[GW_XML_MAX_DEPTH];
	struct gw_buf out;   /* the body's JSON text */
	struct gw_buf text;  /* direct text of open elements, stacked */
	struct gw_buf attrs; /* open images' attributes: name NUL value NUL ... */
	struct gw_buf tmp;   /* regrouping */
	struct member *members;
	size_t n_members;
	size_t cap_members;
	char *error_field[2]; /* the <error> being read: key, message */
	bool error_attr[2];
	struct gw_bbb_reply r;
	struct names n;
	struct name_info names_seen[256]; /* a cache keyed by the interned name's address */
};

/* ---- deadline, failure ---- */

static inline uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static inline bool past(uint64_t deadline_ms)
{
	return deadline_ms != 0 && now_ms() >= deadline_ms;
}

/* Records the first error and stops the parser: no callback runs after this. */
static inline void fail(struct gw_xml2json *c, enum gw_err err)
{
	if (c->err == GW_OK)
		c->err = err == GW_E_TOO_LARGE || err == GW_E_PARSE ? GW_E_UPSTREAM_BAD_REPLY : err;
	xmlStopParser(c->ctxt);
}

static inline bool ok(struct gw_xml2json *c, enum gw_err err)
{
	if (err != GW_OK)
		fail(c, err);
	return err == GW_OK;
}

/* Fills slot i of the name cache for name (xml2json_write.c). */
const struct name_info *gw_xml2json_name_fill(struct gw_xml2json *c, size_t i, const xmlChar *name);

/*
 * What is known of an element name. libxml2 interns every name, and BBB
 * uses a few dozen: after the first few elements this is a hit, with no
 * string compared.
 */
static inline const struct name_info *name_info(struct gw_xml2json *c, const xmlChar *name)
{
	size_t h = (size_t)(((uint64_t)(uintptr_t)name * 0x9e3779b97f4a7c15u) >> 56);

	if (c->names_seen[h].name == name)
		return &c->names_seen[h];
	return gw_xml2json_name_fill(c, h, name);
}

/* ---- writing (xml2json_write.c) ---- */

/* Most writes are a few bytes into room the buffer already has: no call for those. */
static inline bool put(struct gw_xml2json *c, const char *s, size_t n)
{
	struct gw_buf *b = &c->out;

	if (b->data != NULL && n < b->cap - b->len && n <= b->max - b->len) {
		memcpy(b->data + b->len, s, n);
		b->len += n;
		b->data[b->len] = '\0';
		return true;
	}
	return ok(c, gw_buf_append(b, s, n));
}

static inline bool put_byte(struct gw_xml2json *c, char ch)
{
	return put(c, &ch, 1);
}

/* The direct text frame f collected (borrowed), n bytes. */
static inline const char *text_of(const struct gw_xml2json *c, const struct frame *f, size_t *n)
{
	*n = c->text.len - f->text_start;
	return gw_buf_str(&c->text) + f->text_start;
}

/* Writes the value of n bytes of text s typed as t. */
static inline bool put_value(struct gw_xml2json *c, enum gw_bbb_value_type t, const char *s,
			     size_t n)
{
	return ok(c, gw_bbb_value_write(t, s, n, &c->out));
}

/* Starts a member of object p: ',' when needed, its name, ':'. */
bool gw_xml2json_member(struct gw_xml2json *c, struct frame *p, const xmlChar *name, bool replace);

/* Starts an item of list p: ',' when needed. */
bool gw_xml2json_item(struct gw_xml2json *c, struct frame *p);

/* Closes object f: its repeated names regrouped, then '}'. */
bool gw_xml2json_close_object(struct gw_xml2json *c, struct frame *f);

/* A leaf element's first child arrives: it becomes a container of its kind. */
bool gw_xml2json_become_container(struct gw_xml2json *c, struct frame *f);

/* Frame f is a value converted by its kind; attrs are its n_attrs attributes (libxml2's 5 each). */
void gw_xml2json_value_start(struct gw_xml2json *c, struct frame *f, bool plain_leaf, int n_attrs,
			     const xmlChar **attrs);

/* The end of value f: its leaf value, or the end of its container. */
bool gw_xml2json_end_value(struct gw_xml2json *c, struct frame *f);

/* ---- the callbacks (xml2json_sax.c) ---- */

/* Fills sax with the converter's callbacks; their context is the struct gw_xml2json. */
void gw_xml2json_sax_init(xmlSAXHandler *sax);

#endif
