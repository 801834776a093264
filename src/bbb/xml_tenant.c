/*
 * xml_tenant.c - a byte lexer that rewrites one BBB XML reply for a tenant
 * as it streams: prefixes off meeting IDs, other tenants' list items out.
 *
 * The lexer keeps its position between chunks in a few fields (state, the
 * quote of a tag, how many bytes of a terminator or of "<![CDATA[" it has
 * seen, the local name of the tag being read, one flag byte per open
 * element), so it never needs input bytes back. Bytes are routed by the
 * item being read: out to the sink (no item, or a kept one), into the hold
 * buffer (an item not decided yet) or nowhere (a dropped one). Within a
 * chunk, bytes are not copied or handed on one by one: a span runs from
 * the first unrouted byte and is routed in one piece when the routing
 * changes, when bytes must be cut out, and at the chunk's end.
 *
 * Three things wait across chunks without input bytes: a '<' at list level
 * (whether it opens an item is known from the next byte; it is always
 * '<'), the bytes of a meeting ID that match the prefix so far (they are
 * the prefix's first pm_k bytes, so they are rebuilt from it on a
 * mismatch), and the whitespace run before a possible item (in the hold
 * buffer, in front of the item it may belong to).
 */
#include "xml_tenant.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gw_limits.h"

/* Where the lexer is. */
enum {
	S_TEXT,    /* content */
	S_LT,      /* just past '<' */
	S_BANG,    /* past "<!": a comment, a CDATA section or a declaration */
	S_COMMENT, /* until "-->" */
	S_CDATA,   /* until "]]>" */
	S_PI,      /* until "?>" */
	S_DECL,    /* "<!" other than the two: until '>' outside quotes */
	S_STAG,    /* a start tag's name */
	S_ATTRS,   /* the rest of a start tag, until '>' outside quotes */
	S_ETAG,    /* an end tag, until '>' */
};

/* The list item being read, and so where bytes go. */
enum {
	ITEM_NONE, /* none: out */
	ITEM_HOLD, /* not decided: held */
	ITEM_KEEP, /* the tenant's: out */
	ITEM_DROP, /* another's: nowhere */
};

/* What an open element is. */
enum {
	F_CONTAINER = 1, /* meetings, recordings or hooks at depth 2 */
	F_ITEM = 2,      /* an element at depth 3 in a container */
	F_TARGET = 4,    /* meetingID, parentMeetingID or meetingId: its prefix goes */
	F_DECIDER = 8,   /* the first meetingID directly in an undecided item */
};

/* Bytes of a local name kept: the longest name looked for is parentMeetingID (15). */
#define NAME_KEPT 16u

struct gw_xml_tenant {
	enum gw_err err; /* the first error, kept */
	bool done;       /* finished */
	unsigned char state;
	unsigned char item;
	char quote;           /* the open quote in a tag or declaration, or 0 */
	bool slash;           /* a start tag's last byte outside quotes was '/' */
	bool lt_pending;      /* a '<' at list level, not routed yet */
	bool cdata_cand;      /* a target's content opens with '<': maybe "<![CDATA[" */
	bool pm_on;           /* comparing a target's content with the prefix */
	bool pm_decider;      /* ... and the target decides its item */
	bool decider_matched; /* the deciding meetingID started with the prefix */
	bool lead_over;       /* the whitespace run is longer than the cap: it passes */
	unsigned char bang;   /* in S_BANG, the byte after "<!" */
	unsigned run;         /* in S_BANG bytes matched; in a section, terminator bytes seen */
	unsigned depth;       /* open elements */
	size_t pm_k;          /* content bytes that matched the prefix so far */
	size_t pm_held;       /* ... of them from earlier chunks, not in the input at hand */
	size_t name_len;      /* of the local name; NAME_KEPT + 1: longer */
	size_t prefix_len;
	size_t lead_len;    /* hold's first bytes: the whitespace run before an item */
	struct gw_buf hold; /* an undecided item, capped at max_item_bytes; reused */
	unsigned char open[GW_XML_MAX_DEPTH]; /* F_* of each open element */
	char name[NAME_KEPT];
	char prefix[GW_XML_TENANT_MAX_PREFIX];
};

/* One feed: the input at hand and where its unrouted bytes start. */
struct run {
	struct gw_xml_tenant *t;
	const char *span;       /* the first byte not routed yet */
	const char *match_from; /* where this chunk's bytes matching the prefix start */
	gw_xml_tenant_sink_fn sink;
	void *arg;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void fail(struct gw_xml_tenant *t, enum gw_err err)
{
	if (t->err == GW_OK)
		t->err = err;
}

static void to_sink(struct run *r, const char *p, size_t n)
{
	enum gw_err err;

	if (n == 0 || r->t->err != GW_OK)
		return;
	err = r->sink(r->arg, p, n);
	if (err != GW_OK)
		fail(r->t, err);
}

/* The whitespace held before an item goes out after all. */
static void flush_lead(struct run *r)
{
	struct gw_xml_tenant *t = r->t;
	size_t rest;

	if (t->lead_len == 0)
		return;
	to_sink(r, t->hold.data, t->lead_len);
	rest = t->hold.len - t->lead_len;
	memmove(t->hold.data, t->hold.data + t->lead_len, rest);
	gw_buf_truncate(&t->hold, rest);
	t->lead_len = 0;
}

/*
 * Into the undecided item. When the item no longer fits beside the
 * whitespace held before it, that whitespace goes out first (it comes
 * before the item, so order holds); an item alone over the cap is refused.
 */
static void hold_bytes(struct run *r, const char *p, size_t n)
{
	struct gw_xml_tenant *t = r->t;
	enum gw_err err;

	if (n == 0)
		return;
	if (n > t->hold.max - t->hold.len)
		flush_lead(r);
	err = gw_buf_append(&t->hold, p, n);
	if (err != GW_OK)
		fail(t, err == GW_E_TOO_LARGE ? GW_E_UPSTREAM_BAD_REPLY : err);
}

/* Bytes where the item being read sends them. */
static void out(struct run *r, const char *p, size_t n)
{
	switch (r->t->item) {
	case ITEM_HOLD:
		hold_bytes(r, p, n);
		break;
	case ITEM_DROP:
		break;
	default:
		to_sink(r, p, n);
		break;
	}
}

/* Routes the span up to `to`. */
static void route(struct run *r, const char *to)
{
	out(r, r->span, (size_t)(to - r->span));
	r->span = to;
}

/* Text at list level: between items, where whitespace may be dropped with the next item. */
static bool list_level(const struct gw_xml_tenant *t)
{
	return t->depth == 2 && (t->open[1] & F_CONTAINER) != 0 && t->item == ITEM_NONE;
}

/*
 * Whitespace at list level up to `to`: held as the lead of an item that
 * may follow. A run longer than the cap passes whole, whatever the chunks.
 */
static void lead_ws(struct run *r, const char *to)
{
	struct gw_xml_tenant *t = r->t;
	size_t n = (size_t)(to - r->span);
	enum gw_err err;

	if (!t->lead_over && n > t->hold.max - t->hold.len) {
		flush_lead(r);
		t->lead_over = true;
	}
	if (t->lead_over) {
		route(r, to);
		return;
	}
	err = gw_buf_append(&t->hold, r->span, n);
	if (err != GW_OK)
		fail(t, err);
	t->lead_len = t->hold.len;
	r->span = to;
}

/* A decision on the undecided item: what is held goes out or away, and so does the rest. */
static void decide(struct run *r, bool keep)
{
	struct gw_xml_tenant *t = r->t;

	if (keep)
		to_sink(r, t->hold.data, t->hold.len);
	t->item = keep ? ITEM_KEEP : ITEM_DROP;
	gw_buf_reset(&t->hold);
	t->lead_len = 0;
}

/* The item's end: one still undecided had no meetingID and is dropped. */
static void end_item(struct gw_xml_tenant *t)
{
	if (t->item == ITEM_HOLD) {
		gw_buf_reset(&t->hold);
		t->lead_len = 0;
	}
	t->item = ITEM_NONE;
}

/* Prefix bytes held from earlier chunks go out after all: the content is not the prefix. */
static void mismatch(struct run *r)
{
	struct gw_xml_tenant *t = r->t;

	/* only when the match began in an earlier chunk, so no byte of this one is routed yet */
	out(r, t->prefix, t->pm_held);
	t->pm_held = 0;
	t->pm_on = false;
}

/*
 * A target's content at p compared with the prefix; returns past the
 * bytes it took. A full match cuts them out. The prefix has none of
 * '<', '&', ']', so the bytes taken never matter to the lexer.
 */
static const char *match(struct run *r, const char *p, const char *end)
{
	struct gw_xml_tenant *t = r->t;

	while (p < end && t->pm_k < t->prefix_len && *p == t->prefix[t->pm_k]) {
		p++;
		t->pm_k++;
	}
	if (t->pm_k == t->prefix_len) {
		route(r, r->match_from);
		r->span = p;
		t->pm_held = 0;
		t->pm_on = false;
		if (t->pm_decider)
			t->decider_matched = true;
	} else if (p < end) {
		if (t->pm_k == 0 && *p == '<' && t->state == S_TEXT)
			t->cdata_cand = true;
		mismatch(r);
	}
	return p;
}

/* List-level text: whitespace before '<' waits for what the '<' opens; the rest passes. */
static const char *list_text(struct run *r, const char *p, const char *end)
{
	struct gw_xml_tenant *t = r->t;
	const char *q = memchr(p, '<', (size_t)(end - p));
	const char *stop = q != NULL ? q : end;
	const char *ws = stop;

	route(r, p);
	while (ws > p && is_space(ws[-1]))
		ws--;
	if (ws > p) {
		/* not whitespace: the run before the next item starts after it */
		flush_lead(r);
		t->lead_over = false;
		route(r, ws);
	}
	lead_ws(r, stop);
	if (q == NULL)
		return end;
	r->span = q + 1; /* the '<' itself is rebuilt once the next byte is known */
	t->lt_pending = true;
	t->state = S_LT;
	return q + 1;
}

static const char *text(struct run *r, const char *p, const char *end)
{
	struct gw_xml_tenant *t = r->t;
	const char *q;

	if (t->pm_on) {
		p = match(r, p, end);
		if (p >= end)
			return p;
	}
	if (list_level(t))
		return list_text(r, p, end);
	q = memchr(p, '<', (size_t)(end - p));
	if (q == NULL)
		return end;
	t->state = S_LT;
	return q + 1;
}

/* The byte after '<' says what it opens; at list level, whether an item starts. */
static const char *after_lt(struct run *r, const char *p)
{
	struct gw_xml_tenant *t = r->t;
	char c = *p;
	bool tag = c != '/' && c != '!' && c != '?';

	if (t->lt_pending) {
		t->lt_pending = false;
		t->lead_over = false;
		if (tag)
			t->item = ITEM_HOLD; /* the whitespace held stays in front of it */
		else
			flush_lead(r);
		out(r, "<", 1);
	}
	if (c != '!')
		t->cdata_cand = false;
	t->run = 0;
	switch (c) {
	case '/':
		t->state = S_ETAG;
		return p + 1;
	case '!':
		t->state = S_BANG;
		return p + 1;
	case '?':
		t->state = S_PI;
		return p + 1;
	default:
		t->state = S_STAG;
		t->name_len = 0;
		return p;
	}
}

/* Past "<!": "--" opens a comment, "[CDATA[" a section, anything else a declaration. */
static const char *bang(struct run *r, const char *p)
{
	static const char cdata[] = "[CDATA[";
	struct gw_xml_tenant *t = r->t;
	char c = *p;

	if (t->run == 0)
		t->bang = (unsigned char)c;
	if (t->bang == '-' && c == '-') {
		if (++t->run == 2) {
			t->state = S_COMMENT;
			t->run = 0;
			t->cdata_cand = false;
		}
		return p + 1;
	}
	if (t->bang == '[' && c == cdata[t->run]) {
		if (++t->run < sizeof(cdata) - 1)
			return p + 1;
		t->state = S_CDATA;
		t->run = 0;
		if (t->cdata_cand) {
			/* a target's content in CDATA: the prefix is looked for inside */
			t->cdata_cand = false;
			t->pm_on = true;
			t->pm_k = 0;
			t->pm_held = 0;
			r->match_from = p + 1;
		}
		return p + 1;
	}
	t->state = S_DECL;
	t->quote = 0;
	t->cdata_cand = false;
	return p; /* the byte is the declaration's */
}

/* How many of the bytes just before end are c, at most need; prev of them came before p. */
static unsigned trailing(const char *p, const char *end, char c, unsigned prev, unsigned need)
{
	unsigned n = 0;

	while (end > p && n < need && end[-1] == c) {
		end--;
		n++;
	}
	if (end == p && n < need)
		n = n + prev < need ? n + prev : need;
	return n;
}

/* A comment, CDATA section or PI: to past "-->", "]]>" or "?>", a '>' at a time. */
static const char *section(struct run *r, const char *p, const char *end)
{
	struct gw_xml_tenant *t = r->t;
	char c = t->state == S_COMMENT ? '-' : t->state == S_CDATA ? ']' : '?';
	unsigned need = t->state == S_PI ? 1 : 2;
	const char *q;

	if (t->pm_on) {
		p = match(r, p, end);
		if (p >= end)
			return p;
	}
	for (;;) {
		q = memchr(p, '>', (size_t)(end - p));
		if (q == NULL) {
			t->run = trailing(p, end, c, t->run, need);
			return end;
		}
		if (trailing(p, q, c, t->run, need) == need) {
			t->state = S_TEXT;
			return q + 1;
		}
		t->run = 0;
		p = q + 1;
	}
}

static const char *decl(struct run *r, const char *p, const char *end)
{
	struct gw_xml_tenant *t = r->t;

	for (; p < end; p++) {
		if (t->quote != 0) {
			if (*p == t->quote)
				t->quote = 0;
		} else if (*p == '"' || *p == '\'') {
			t->quote = *p;
		} else if (*p == '>') {
			t->state = S_TEXT;
			return p + 1;
		}
	}
	return end;
}

/* A start tag's name; its local part (after the last ':') is kept when short. */
static const char *tag_name(struct run *r, const char *p, const char *end)
{
	struct gw_xml_tenant *t = r->t;
	char c;

	for (; p < end; p++) {
		c = *p;
		if (is_space(c) || c == '/' || c == '>') {
			t->state = S_ATTRS;
			t->quote = 0;
			t->slash = false;
			return p;
		}
		if (c == ':') {
			t->name_len = 0;
			continue;
		}
		if (t->name_len < NAME_KEPT)
			t->name[t->name_len] = c;
		if (t->name_len <= NAME_KEPT)
			t->name_len++;
	}
	return end;
}

static bool named(const struct gw_xml_tenant *t, const char *s)
{
	size_t n = strlen(s);

	return t->name_len == n && memcmp(t->name, s, n) == 0;
}

/* What the element whose start tag was just read is, by its depth and name. */
static unsigned char kind(const struct gw_xml_tenant *t)
{
	unsigned d = t->depth + 1;
	unsigned char f = 0;

	if (d == 2 && (named(t, "meetings") || named(t, "recordings") || named(t, "hooks")))
		f |= F_CONTAINER;
	if (d == 3 && t->item != ITEM_NONE)
		f |= F_ITEM;
	if (named(t, "meetingID") || named(t, "parentMeetingID") || named(t, "meetingId"))
		f |= F_TARGET;
	if (d == 4 && t->item == ITEM_HOLD && named(t, "meetingID"))
		f |= F_DECIDER;
	return f;
}

/* A start tag ended just before p: opens the element (or not, for "/>"). */
static const char *open_tag(struct run *r, const char *p)
{
	struct gw_xml_tenant *t = r->t;
	unsigned char f = kind(t);

	t->state = S_TEXT;
	if (t->slash) {
		/* empty: an item without a meetingID, or a meetingID without the prefix */
		if ((f & (F_ITEM | F_DECIDER)) != 0)
			route(r, p);
		if ((f & F_ITEM) != 0)
			end_item(t);
		else if ((f & F_DECIDER) != 0)
			decide(r, false);
		return p;
	}
	if (t->depth == GW_XML_MAX_DEPTH) {
		fail(t, GW_E_UPSTREAM_BAD_REPLY);
		return p;
	}
	t->open[t->depth++] = f;
	if ((f & F_DECIDER) != 0)
		t->decider_matched = false;
	if ((f & F_TARGET) != 0) {
		t->pm_on = true;
		t->pm_k = 0;
		t->pm_held = 0;
		t->pm_decider = (f & F_DECIDER) != 0;
		r->match_from = p;
	}
	return p;
}

static const char *attrs(struct run *r, const char *p, const char *end)
{
	struct gw_xml_tenant *t = r->t;
	const char *q;
	char c;

	while (p < end) {
		if (t->quote != 0) {
			q = memchr(p, t->quote, (size_t)(end - p));
			if (q == NULL)
				return end;
			t->quote = 0;
			t->slash = false;
			p = q + 1;
			continue;
		}
		c = *p++;
		if (c == '>')
			return open_tag(r, p);
		t->slash = c == '/';
		if (c == '"' || c == '\'')
			t->quote = c;
	}
	return end;
}

/* An end tag closes the innermost element, whatever its name (a stray one at depth 0 passes). */
static const char *close_tag(struct run *r, const char *p, const char *end)
{
	struct gw_xml_tenant *t = r->t;
	const char *q = memchr(p, '>', (size_t)(end - p));
	unsigned char f;

	if (q == NULL)
		return end;
	t->state = S_TEXT;
	if (t->depth == 0)
		return q + 1;
	f = t->open[--t->depth];
	if ((f & (F_DECIDER | F_ITEM)) != 0)
		route(r, q + 1);
	if ((f & F_DECIDER) != 0)
		decide(r, t->decider_matched);
	else if ((f & F_ITEM) != 0)
		end_item(t);
	return q + 1;
}

static const char *step(struct run *r, const char *p, const char *end)
{
	switch (r->t->state) {
	case S_TEXT:
		return text(r, p, end);
	case S_LT:
		return after_lt(r, p);
	case S_BANG:
		return bang(r, p);
	case S_STAG:
		return tag_name(r, p, end);
	case S_ATTRS:
		return attrs(r, p, end);
	case S_ETAG:
		return close_tag(r, p, end);
	case S_DECL:
		return decl(r, p, end);
	default:
		return section(r, p, end);
	}
}

bool gw_xml_tenant_prefix_ok(const char *prefix)
{
	size_t n = strlen(prefix);
	size_t i;
	char c;

	if (n == 0 || n > GW_XML_TENANT_MAX_PREFIX)
		return false;
	for (i = 0; i < n; i++) {
		c = prefix[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '~' || c == '-'))
			return false;
	}
	return true;
}

enum gw_err gw_xml_tenant_new(const char *prefix, size_t max_item_bytes, struct gw_xml_tenant **out)
{
	struct gw_xml_tenant *t;

	/* the cap's half of SIZE_MAX keeps gw_buf's max + 1 from wrapping */
	if (!gw_xml_tenant_prefix_ok(prefix) || max_item_bytes == 0 ||
	    max_item_bytes > SIZE_MAX / 2)
		return GW_E_CONFIG;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return GW_E_NOMEM;
	t->state = S_TEXT;
	t->item = ITEM_NONE;
	t->prefix_len = strlen(prefix);
	memcpy(t->prefix, prefix, t->prefix_len);
	gw_buf_init(&t->hold, max_item_bytes);
	*out = t;
	return GW_OK;
}

enum gw_err gw_xml_tenant_feed(struct gw_xml_tenant *t, const char *p, size_t n,
			       gw_xml_tenant_sink_fn sink, void *arg)
{
	struct run r = {t, p, p, sink, arg};
	const char *end;

	if (t->err != GW_OK)
		return t->err;
	if (t->done)
		return GW_E_INTERNAL;
	if (n == 0)
		return GW_OK; /* p may be NULL then */
	end = p + n;
	while (p < end && t->err == GW_OK)
		p = step(&r, p, end);
	if (t->err != GW_OK)
		return t->err;
	/* the chunk's end: the span goes, but not the bytes matching the prefix so far */
	if (t->pm_on) {
		route(&r, r.match_from);
		t->pm_held = t->pm_k;
	} else {
		route(&r, end);
	}
	return t->err;
}

enum gw_err gw_xml_tenant_finish(struct gw_xml_tenant *t, gw_xml_tenant_sink_fn sink, void *arg)
{
	(void)sink;
	(void)arg;
	if (t->err != GW_OK)
		return t->err;
	t->done = true;
	/* every element closed in text: nothing is held (no item, no lead, no prefix bytes) */
	if (t->state != S_TEXT || t->depth > 0)
		t->err = GW_E_UPSTREAM_BAD_REPLY;
	return t->err;
}

void gw_xml_tenant_free(struct gw_xml_tenant *t)
{
	if (t == NULL)
		return;
	gw_buf_deinit(&t->hold);
	free(t);
}

static enum gw_err append_to(void *arg, const char *p, size_t n)
{
	return gw_buf_append(arg, p, n);
}

enum gw_err gw_xml_tenant_rewrite(const char *prefix, const char *xml, size_t len,
				  size_t max_item_bytes, struct gw_buf *out)
{
	struct gw_xml_tenant *t = NULL;
	size_t start = out->len;
	enum gw_err err;

	err = gw_xml_tenant_new(prefix, max_item_bytes, &t);
	if (err == GW_OK)
		err = gw_xml_tenant_feed(t, xml, len, append_to, out);
	if (err == GW_OK)
		err = gw_xml_tenant_finish(t, append_to, out);
	if (err != GW_OK)
		gw_buf_truncate(out, start);
	gw_xml_tenant_free(t);
	return err;
}
