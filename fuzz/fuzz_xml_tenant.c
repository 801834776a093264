/*
 * fuzz_xml_tenant.c - bytes as a BBB reply through the tenant rewrite
 * (gw_xml_tenant_*) for the prefix "lms~". A first byte '0'..'9' picks the
 * item cap (16 bytes to 1 MiB) and is not part of the reply; otherwise the
 * cap is 1 MiB.
 *
 * Checks: no crash, leak or sanitizer report; a failure is a bad reply (or
 * out of memory) and leaves gw_xml_tenant_rewrite's buffer as it was; fed
 * whole, a byte at a time and in three pieces (split where the input says)
 * the verdict is the same, and so is the output on success, which is never
 * longer than the reply; a sink error sticks and stops the sink; with a
 * prefix that never starts in the reply and no list container names in it,
 * what comes out is the reply itself (up to where an error stopped it) and
 * the verdict is the same as for "lms~".
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "gw_limits.h"
#include "xml_tenant.h"

#define PREFIX "lms~"
#define MAX_OUT (64u * 1024u * 1024u)

static const size_t caps[] = {16, 32, 64, 128, 256, 1024, 4096, 65536, 262144, 1u << 20};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

void fuzz_cleanup(void)
{
}

struct sink {
	struct gw_buf b;
	unsigned calls;
	unsigned fail_at; /* the call that fails (0: none) */
};

static enum gw_err collect(void *arg, const char *p, size_t n)
{
	struct sink *s = arg;

	FUZZ_CHECK(n > 0);
	FUZZ_CHECK(s->fail_at == 0 || s->calls < s->fail_at);
	s->calls++;
	if (s->calls == s->fail_at)
		return GW_E_IO;
	return gw_buf_append(&s->b, p, n);
}

/* Feeds the reply in pieces of step bytes (0: whole) or at cuts a and b, then finishes. */
static enum gw_err run(const char *prefix, const char *xml, size_t len, size_t cap, size_t step,
		       size_t a, size_t b, struct sink *s)
{
	struct gw_xml_tenant *t = NULL;
	enum gw_err err;
	size_t at = 0;
	size_t cuts[3] = {a, b, len};
	size_t i;

	FUZZ_CHECK(gw_xml_tenant_new(prefix, cap, &t) == GW_OK);
	err = GW_OK;
	if (step > 0) {
		for (at = 0; at < len && err == GW_OK; at += step)
			err = gw_xml_tenant_feed(t, xml + at, len - at < step ? len - at : step,
						 collect, s);
	} else {
		for (i = 0; i < 3 && err == GW_OK; i++) {
			err = gw_xml_tenant_feed(t, xml + at, cuts[i] - at, collect, s);
			at = cuts[i];
		}
	}
	if (err == GW_OK)
		err = gw_xml_tenant_finish(t, collect, s);
	/* an error sticks */
	if (err != GW_OK)
		FUZZ_CHECK(gw_xml_tenant_feed(t, "<a/>", 4, collect, s) == err);
	gw_xml_tenant_free(t);
	return err;
}

static void check_same(const struct sink *s, enum gw_err err, const struct gw_buf *whole,
		       enum gw_err whole_err)
{
	FUZZ_CHECK(err == whole_err);
	if (err == GW_OK)
		FUZZ_CHECK(s->b.len == whole->len &&
			   (s->b.len == 0 || memcmp(s->b.data, whole->data, s->b.len) == 0));
}

/* A one-byte prefix that is nowhere in the reply, or false. */
static bool absent_prefix(const char *xml, size_t len, char out[2])
{
	static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				    "0123456789._~-";
	size_t i;

	for (i = 0; i < sizeof(chars) - 1; i++) {
		if (memchr(xml, chars[i], len) == NULL) {
			out[0] = chars[i];
			out[1] = '\0';
			return true;
		}
	}
	return false;
}

static bool has_lists(const char *xml, size_t len)
{
	return memmem(xml, len, "meetings", 8) != NULL ||
	       memmem(xml, len, "recordings", 10) != NULL || memmem(xml, len, "hooks", 5) != NULL;
}

/* Without lists and with a prefix that never starts, the reply passes as it is. */
static void check_unchanged(const char *xml, size_t len, size_t cap, enum gw_err whole_err)
{
	struct sink s;
	char prefix[2];
	enum gw_err err;

	if (len == 0 || has_lists(xml, len) || !absent_prefix(xml, len, prefix))
		return;
	memset(&s, 0, sizeof(s));
	gw_buf_init(&s.b, MAX_OUT);
	err = run(prefix, xml, len, cap, 0, len / 3, len / 2, &s);
	FUZZ_CHECK(err == whole_err);
	FUZZ_CHECK(s.b.len <= len && (s.b.len == 0 || memcmp(s.b.data, xml, s.b.len) == 0));
	if (err == GW_OK)
		FUZZ_CHECK(s.b.len == len);
	gw_buf_deinit(&s.b);
}

/* A sink that fails at its call k: the rewrite stops there and says so. */
static void check_sink_error(const char *xml, size_t len, size_t cap, unsigned k)
{
	struct sink s;
	enum gw_err err;

	memset(&s, 0, sizeof(s));
	gw_buf_init(&s.b, MAX_OUT);
	s.fail_at = k;
	err = run(PREFIX, xml, len, cap, 1, 0, 0, &s);
	FUZZ_CHECK(s.calls <= k);
	if (s.calls == k)
		FUZZ_CHECK(err == GW_E_IO);
	else
		FUZZ_CHECK(err != GW_E_IO);
	gw_buf_deinit(&s.b);
}

/*
 * The reference: the same rules read off the whole reply at once, as the
 * header states them, in a second and plainer way: the reply cut into
 * tokens (text, start tag, empty tag, end tag, other markup), then items
 * found with a stack and decided, then the output written.
 */
enum { T_TEXT, T_STAG, T_EMPTY, T_ETAG, T_OTHER };

struct tok {
	size_t b; /* [b, e) of the reply */
	size_t e;
	size_t strip;  /* a prefix starts here and is cut out (SIZE_MAX: none) */
	size_t lead;   /* text before a dropped item: its last `lead` bytes go */
	size_t name_b; /* a start tag's local name */
	size_t name_e;
	bool drop; /* in a dropped item */
	unsigned char kind;
};

struct ref {
	const char *x;
	size_t n;
	size_t cap;
	struct tok *t;
	size_t nt;
	bool bad;
};

static bool ref_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool ref_starts(const struct ref *r, size_t at, const char *s)
{
	size_t n = strlen(s);

	return at <= r->n && r->n - at >= n && memcmp(r->x + at, s, n) == 0;
}

/* Just past s at or after from, or SIZE_MAX. */
static size_t ref_past(const struct ref *r, size_t from, const char *s)
{
	const char *q;

	if (from > r->n)
		return SIZE_MAX;
	q = memmem(r->x + from, r->n - from, s, strlen(s));
	return q != NULL ? (size_t)(q - r->x) + strlen(s) : SIZE_MAX;
}

/* Just past the first '>' outside quotes at or after from, or SIZE_MAX. */
static size_t ref_gt(const struct ref *r, size_t from)
{
	char quote = 0;
	size_t i;

	for (i = from; i < r->n; i++) {
		if (quote != 0) {
			if (r->x[i] == quote)
				quote = 0;
		} else if (r->x[i] == '"' || r->x[i] == '\'') {
			quote = r->x[i];
		} else if (r->x[i] == '>') {
			return i + 1;
		}
	}
	return SIZE_MAX;
}

/* The markup at i (a '<'): its end (SIZE_MAX: cut off) and kind. */
static size_t ref_markup(const struct ref *r, size_t i, struct tok *t)
{
	size_t j;

	if (i + 1 >= r->n)
		return SIZE_MAX;
	t->kind = T_OTHER;
	switch (r->x[i + 1]) {
	case '/':
		t->kind = T_ETAG;
		return ref_past(r, i + 2, ">");
	case '?':
		return ref_past(r, i + 2, "?>");
	case '!':
		if (ref_starts(r, i + 2, "--"))
			return ref_past(r, i + 4, "-->");
		if (ref_starts(r, i + 2, "[CDATA["))
			return ref_past(r, i + 9, "]]>");
		/* cut off where "--" or "[CDATA[" could still follow */
		j = r->n - i - 2;
		if ((j < 2 && memcmp(r->x + i + 2, "--", j) == 0) ||
		    (j < 7 && memcmp(r->x + i + 2, "[CDATA[", j) == 0))
			return SIZE_MAX;
		return ref_gt(r, i + 2);
	default:
		for (j = i + 1; j < r->n && !ref_space(r->x[j]) && r->x[j] != '/' && r->x[j] != '>';
		     j++)
			continue;
		t->name_e = j;
		for (t->name_b = j; t->name_b > i + 1 && r->x[t->name_b - 1] != ':'; t->name_b--)
			continue;
		j = ref_gt(r, j);
		if (j != SIZE_MAX)
			t->kind = r->x[j - 2] == '/' && j - 2 > i ? T_EMPTY : T_STAG;
		return j;
	}
}

static void ref_tokens(struct ref *r)
{
	size_t i = 0;
	size_t e;
	struct tok *t;

	while (i < r->n && !r->bad) {
		t = &r->t[r->nt++];
		memset(t, 0, sizeof(*t));
		t->b = i;
		t->strip = SIZE_MAX;
		if (r->x[i] != '<') {
			const char *q = memchr(r->x + i, '<', r->n - i);

			t->kind = T_TEXT;
			e = q != NULL ? (size_t)(q - r->x) : r->n;
		} else {
			e = ref_markup(r, i, t);
		}
		if (e == SIZE_MAX)
			r->bad = true;
		t->e = e;
		i = e;
	}
}

static bool ref_named(const struct ref *r, const struct tok *t, const char *s)
{
	return t->name_e - t->name_b == strlen(s) && memcmp(r->x + t->name_b, s, strlen(s)) == 0;
}

static bool ref_target(const struct ref *r, const struct tok *t)
{
	return ref_named(r, t, "meetingID") || ref_named(r, t, "parentMeetingID") ||
	       ref_named(r, t, "meetingId");
}

/* The target's content (after token k) starts with the prefix: where, or SIZE_MAX. */
static size_t ref_prefix_at(const struct ref *r, size_t k)
{
	size_t c = r->t[k].e;

	if (ref_starts(r, c, PREFIX))
		return c;
	if (ref_starts(r, c, "<![CDATA[") && ref_starts(r, c + 9, PREFIX))
		return c + 9;
	return SIZE_MAX;
}

/* Held from the item's start s through its decision d: all bytes but the prefixes cut out. */
static size_t ref_held(const struct ref *r, size_t s, size_t d)
{
	size_t held = 0;
	size_t k;

	for (k = s; k <= d; k++)
		held += r->t[k].e - r->t[k].b - (r->t[k].strip != SIZE_MAX ? strlen(PREFIX) : 0);
	return held;
}

/* The item from token s to e, decided at token d by the meetingID at token k (or none). */
static void ref_item(struct ref *r, size_t s, size_t e, size_t d, size_t k)
{
	bool keep = k != SIZE_MAX && r->t[k].kind == T_STAG && ref_prefix_at(r, k) != SIZE_MAX;
	size_t held = ref_held(r, s, d);
	size_t lead = 0;
	size_t i;

	if (held > r->cap)
		r->bad = true;
	if (keep)
		return;
	for (i = s; i <= e; i++)
		r->t[i].drop = true;
	if (s == 0 || r->t[s - 1].kind != T_TEXT)
		return;
	while (lead < r->t[s - 1].e - r->t[s - 1].b && ref_space(r->x[r->t[s - 1].e - lead - 1]))
		lead++;
	/* the blanks go with the item when they were held with it */
	if (lead + held <= r->cap)
		r->t[s - 1].lead = lead;
}

static bool ref_list_name(const struct ref *r, const struct tok *t)
{
	return ref_named(r, t, "meetings") || ref_named(r, t, "recordings") ||
	       ref_named(r, t, "hooks");
}

/* Depths, lists, items and their decisions, with a stack of open tokens. */
static void ref_structure(struct ref *r)
{
	size_t open[GW_XML_MAX_DEPTH];
	bool list = false;      /* the depth-2 element is a list */
	size_t item = SIZE_MAX; /* the open item's start token */
	size_t k = SIZE_MAX;    /* its deciding meetingID */
	size_t d = SIZE_MAX;    /* where that decides */
	size_t depth = 0;
	size_t i;

	for (i = 0; i < r->nt && !r->bad; i++) {
		struct tok *t = &r->t[i];

		if (t->kind == T_STAG && ref_target(r, t) && i + 1 < r->nt)
			t[1].strip = ref_prefix_at(r, i);
		if (t->kind == T_STAG || t->kind == T_EMPTY) {
			if (depth == 2 && list) {
				item = i;
				k = SIZE_MAX;
				d = SIZE_MAX;
			}
			if (depth == 3 && item != SIZE_MAX && k == SIZE_MAX &&
			    ref_named(r, t, "meetingID")) {
				k = i;
				d = t->kind == T_EMPTY ? i : SIZE_MAX;
			}
			if (t->kind == T_EMPTY) {
				if (item == i) {
					ref_item(r, i, i, i, SIZE_MAX);
					item = SIZE_MAX;
				}
				continue;
			}
			if (depth == GW_XML_MAX_DEPTH) {
				r->bad = true;
				break;
			}
			if (depth == 1)
				list = ref_list_name(r, t);
			open[depth++] = i;
		} else if (t->kind == T_ETAG && depth > 0) {
			size_t o = open[--depth];

			if (o == k)
				d = i;
			if (o == item) {
				ref_item(r, item, i, d != SIZE_MAX ? d : i,
					 d != SIZE_MAX ? k : SIZE_MAX);
				item = SIZE_MAX;
			}
		}
	}
	if (depth > 0)
		r->bad = true;
}

/* The reference's verdict (true: a bad reply) and, when good, its output in out. */
static bool ref_rewrite(const char *x, size_t n, size_t cap, struct gw_buf *out)
{
	struct ref r = {x, n, cap, calloc(n + 1, sizeof(struct tok)), 0, false};
	size_t i;

	FUZZ_CHECK(r.t != NULL);
	ref_tokens(&r);
	if (!r.bad)
		ref_structure(&r);
	for (i = 0; i < r.nt && !r.bad; i++) {
		const struct tok *t = &r.t[i];
		size_t e = t->e - t->lead;

		if (t->drop)
			continue;
		if (t->strip != SIZE_MAX) {
			FUZZ_CHECK(gw_buf_append(out, x + t->b, t->strip - t->b) == GW_OK);
			FUZZ_CHECK(gw_buf_append(out, x + t->strip + strlen(PREFIX),
						 e - t->strip - strlen(PREFIX)) == GW_OK);
		} else {
			FUZZ_CHECK(gw_buf_append(out, x + t->b, e - t->b) == GW_OK);
		}
	}
	free(r.t);
	return r.bad;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *xml = size > 0 ? (const char *)data : ""; /* never NULL, even empty */
	size_t len = size;
	size_t cap = 1u << 20;
	struct gw_buf whole;
	struct sink s;
	enum gw_err err;
	enum gw_err e;
	size_t a;
	size_t b;

	if (len > 0 && xml[0] >= '0' && xml[0] <= '9') {
		cap = caps[xml[0] - '0'];
		xml++;
		len--;
	}
	gw_buf_init(&whole, MAX_OUT);
	FUZZ_CHECK(gw_buf_append_str(&whole, "kept") == GW_OK);
	err = gw_xml_tenant_rewrite(PREFIX, xml, len, cap, &whole);
	FUZZ_CHECK(err == GW_OK || err == GW_E_UPSTREAM_BAD_REPLY || err == GW_E_NOMEM);
	FUZZ_CHECK(memcmp(whole.data, "kept", 4) == 0);
	if (err != GW_OK)
		FUZZ_CHECK(whole.len == 4);
	FUZZ_CHECK(whole.len - 4 <= len);
	memmove(whole.data, whole.data + 4, whole.len - 4);
	gw_buf_truncate(&whole, whole.len - 4);

	memset(&s, 0, sizeof(s));
	gw_buf_init(&s.b, MAX_OUT);
	e = run(PREFIX, xml, len, cap, 1, 0, 0, &s);
	check_same(&s, e, &whole, err);
	gw_buf_deinit(&s.b);

	a = len > 0 ? (unsigned char)xml[len - 1] % (len + 1) : 0;
	b = a + (len - a) / 2;
	memset(&s, 0, sizeof(s));
	gw_buf_init(&s.b, MAX_OUT);
	e = run(PREFIX, xml, len, cap, 0, a, b, &s);
	check_same(&s, e, &whole, err);
	/* the sink's calls so far, for a sink failing at one of them */
	if (s.calls > 0)
		check_sink_error(xml, len, cap, 1 + (unsigned)(a % s.calls));

	check_unchanged(xml, len, cap, err);
	/* the reference reads the rules the same */
	gw_buf_reset(&s.b);
	if (ref_rewrite(xml, len, cap, &s.b))
		FUZZ_CHECK(err == GW_E_UPSTREAM_BAD_REPLY);
	else
		check_same(&s, GW_OK, &whole, err);
	gw_buf_deinit(&s.b);
	gw_buf_deinit(&whole);
	return 0;
}
