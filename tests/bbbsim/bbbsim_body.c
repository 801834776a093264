/*
 * bbbsim_body.c - what the BBB simulator reads from request bodies: the
 * <modules> XML of a POST create or insertDocument (its presentation
 * <document>s are kept in sim->documents so a test can check what the
 * gateway sent), base64 content, and multipart/form-data
 * (putRecordingTextTrack's file part).
 *
 * Model: a small forward-only XML scanner, enough for <modules>: tags with
 * single- or double-quoted attributes, character and the five named
 * entities, CDATA, comments, processing instructions. It does not
 * validate; on malformed input it stops and keeps what it found. The
 * multipart reader follows RFC 7578: the boundary from the Content-Type,
 * CRLF line ends, Content-Disposition name/filename parameters.
 */
#include "bbbsim_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* --- XML ------------------------------------------------------------- */

static void put_utf8(struct sim_buf *b, unsigned long cp)
{
	unsigned char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (unsigned char)(0xc0 | (cp >> 6));
		u[1] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (unsigned char)(0xe0 | (cp >> 12));
		u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (unsigned char)(0xf0 | (cp >> 18));
		u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	sim_buf_add(b, u, n);
}

/* Appends [s, s+n) with entities decoded; an unknown entity stays literal. */
static void unescape(struct sim_buf *b, const char *s, size_t n)
{
	static const char *const names[] = {"amp;", "lt;", "gt;", "quot;", "apos;"};
	static const char chars[] = "&<>\"'";
	size_t i = 0;

	while (i < n) {
		const char *semi;
		size_t k;

		if (s[i] != '&') {
			sim_buf_add(b, s + i++, 1);
			continue;
		}
		semi = memchr(s + i, ';', n - i);
		for (k = 0; semi != NULL && k < 5; k++)
			if ((size_t)(semi - (s + i)) == strlen(names[k]) &&
			    strncmp(s + i + 1, names[k], strlen(names[k])) == 0)
				break;
		if (semi != NULL && k < 5) {
			sim_buf_add(b, chars + k, 1);
		} else if (semi != NULL && s[i + 1] == '#' && semi > s + i + 2) {
			bool hex = s[i + 2] == 'x' || s[i + 2] == 'X';
			char *end;
			unsigned long cp = strtoul(s + i + (hex ? 3 : 2), &end, hex ? 16 : 10);

			if (end != semi || cp > 0x10ffff) {
				sim_buf_add(b, s + i++, 1);
				continue;
			}
			put_utf8(b, cp);
		} else {
			sim_buf_add(b, s + i++, 1);
			continue;
		}
		i = (size_t)(semi - s) + 1;
	}
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Parses name="v" / name='v' pairs in [p, end); false when malformed. */
static bool parse_attrs(const char *p, const char *end, struct sim_kv **attrs)
{
	for (;;) {
		const char *name;
		const char *close;
		struct sim_buf v = {0};
		char *key;

		while (p < end && is_space(*p))
			p++;
		if (p == end || *p == '/')
			return true;
		name = p;
		while (p < end && *p != '=' && !is_space(*p))
			p++;
		key = sim_xstrndup(name, (size_t)(p - name));
		while (p < end && is_space(*p))
			p++;
		if (p == end || *p != '=' || p + 1 >= end || (p[1] != '"' && p[1] != '\'')) {
			free(key);
			return false;
		}
		close = memchr(p + 2, p[1], (size_t)(end - p - 2));
		if (close == NULL) {
			free(key);
			return false;
		}
		unescape(&v, p + 2, (size_t)(close - p - 2));
		if (sim_kv_find(*attrs, key) == NULL)
			sim_kv_append(attrs, key, v.p != NULL ? v.p : "");
		free(v.p);
		free(key);
		p = close + 1;
	}
}

/* The end of a start tag (its '>'), skipping quoted attribute values; NULL if none. */
static const char *tag_end(const char *p, const char *end)
{
	char quote = 0;

	for (; p < end; p++) {
		if (quote != 0) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '"' || *p == '\'') {
			quote = *p;
		} else if (*p == '>') {
			return p;
		}
	}
	return NULL;
}

static const char *find(const char *p, const char *end, const char *needle)
{
	return memmem(p, (size_t)(end - p), needle, strlen(needle));
}

static bool b64_value(char c, unsigned *v)
{
	if (c >= 'A' && c <= 'Z')
		*v = (unsigned)(c - 'A');
	else if (c >= 'a' && c <= 'z')
		*v = (unsigned)(c - 'a' + 26);
	else if (c >= '0' && c <= '9')
		*v = (unsigned)(c - '0' + 52);
	else if (c == '+')
		*v = 62;
	else if (c == '/')
		*v = 63;
	else
		return false;
	return true;
}

/* Standard base64 with padding; false when s is not valid base64. */
static bool b64_decode(const char *s, unsigned char **out, size_t *out_len)
{
	size_t n = strlen(s);
	unsigned char *o;
	size_t len = 0;
	size_t i;

	if (n == 0 || n % 4 != 0)
		return false;
	o = sim_xmalloc(n / 4 * 3);
	for (i = 0; i < n; i += 4) {
		unsigned v[4] = {0, 0, 0, 0};
		size_t pad = 0;
		size_t k;

		for (k = 0; k < 4; k++) {
			if (s[i + k] == '=' && i + 4 == n && k >= 2) {
				pad++;
			} else if (pad > 0 || !b64_value(s[i + k], &v[k])) {
				free(o);
				return false;
			}
		}
		o[len++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
		if (pad < 2)
			o[len++] = (unsigned char)((v[1] & 0xf) << 4 | v[2] >> 2);
		if (pad < 1)
			o[len++] = (unsigned char)((v[2] & 0x3) << 6 | v[3]);
	}
	*out = o;
	*out_len = len;
	return true;
}

static void doc_finish(struct bbbsim *sim, struct sim_document *d, const struct sim_buf *text)
{
	struct sim_document **pp = &sim->documents;
	struct sim_buf b64 = {0};
	size_t i;

	for (i = 0; text->p != NULL && i < text->len; i++)
		if (!is_space(text->p[i]))
			sim_buf_add(&b64, text->p + i, 1);
	d->base64 = b64.p;
	if (d->base64 != NULL)
		d->content_ok = b64_decode(d->base64, &d->content, &d->content_len);
	while (*pp != NULL)
		pp = &(*pp)->next;
	*pp = d;
}

static struct sim_document *doc_new(const char *call, const char *meeting_id, struct sim_kv *attrs)
{
	struct sim_document *d = sim_xmalloc(sizeof(*d));

	memset(d, 0, sizeof(*d));
	d->call = sim_xstrdup(call);
	d->meeting_id = sim_xstrdup(meeting_id);
	d->attrs = attrs;
	return d;
}

struct doc_scan {
	struct bbbsim *sim;
	const char *call;
	const char *meeting_id;
	bool in_presentation;
	struct sim_document *doc; /* open <document>, or NULL */
	struct sim_buf text;
};

/* One start tag <name attrs> (self_closing: <.../>). false when malformed. */
static bool start_tag(struct doc_scan *s, const char *p, const char *gt)
{
	bool self_closing = gt > p && gt[-1] == '/';
	const char *name = p;
	struct sim_kv *attrs = NULL;
	const struct sim_kv *kind;
	size_t n;

	while (p < gt && !is_space(*p) && *p != '/')
		p++;
	n = (size_t)(p - name);
	if (n == 0 || !parse_attrs(p, self_closing ? gt - 1 : gt, &attrs)) {
		sim_kv_free(attrs);
		return false;
	}
	if (n == 6 && strncmp(name, "module", 6) == 0) {
		kind = sim_kv_find(attrs, "name");
		s->in_presentation = !self_closing && kind != NULL &&
				     strcmp(kind->value, "presentation") == 0;
	} else if (n == 8 && strncmp(name, "document", 8) == 0 && s->in_presentation &&
		   s->doc == NULL) {
		s->doc = doc_new(s->call, s->meeting_id, attrs);
		attrs = NULL;
		s->text.len = 0;
		if (self_closing) {
			doc_finish(s->sim, s->doc, &s->text);
			s->doc = NULL;
		}
	}
	sim_kv_free(attrs);
	return true;
}

static void end_tag(struct doc_scan *s, const char *name, size_t n)
{
	if (n == 8 && strncmp(name, "document", 8) == 0 && s->doc != NULL) {
		doc_finish(s->sim, s->doc, &s->text);
		s->doc = NULL;
	} else if (n == 6 && strncmp(name, "module", 6) == 0) {
		s->in_presentation = false;
	}
}

static void text(struct doc_scan *s, const char *p, size_t n, bool raw)
{
	if (s->doc == NULL)
		return;
	if (raw)
		sim_buf_add(&s->text, p, n);
	else
		unescape(&s->text, p, n);
}

void sim_documents_parse(struct bbbsim *sim, const char *call, const char *meeting_id,
			 const char *body, size_t len)
{
	struct doc_scan s = {.sim = sim, .call = call, .meeting_id = meeting_id};
	const char *p = body;
	const char *end = body + len;

	while (p != NULL && p < end) {
		const char *lt = memchr(p, '<', (size_t)(end - p));
		const char *q;

		if (lt == NULL) {
			text(&s, p, (size_t)(end - p), false);
			break;
		}
		text(&s, p, (size_t)(lt - p), false);
		if (end - lt >= 4 && strncmp(lt, "<!--", 4) == 0) {
			q = find(lt + 4, end, "-->");
			p = q != NULL ? q + 3 : NULL;
		} else if (end - lt >= 9 && strncmp(lt, "<![CDATA[", 9) == 0) {
			q = find(lt + 9, end, "]]>");
			if (q != NULL)
				text(&s, lt + 9, (size_t)(q - lt - 9), true);
			p = q != NULL ? q + 3 : NULL;
		} else if (end - lt >= 2 && (lt[1] == '?' || lt[1] == '!')) {
			q = memchr(lt, '>', (size_t)(end - lt));
			p = q != NULL ? q + 1 : NULL;
		} else if (end - lt >= 2 && lt[1] == '/') {
			q = memchr(lt, '>', (size_t)(end - lt));
			if (q != NULL) {
				const char *ne = lt + 2;

				while (ne < q && !is_space(*ne))
					ne++;
				end_tag(&s, lt + 2, (size_t)(ne - lt - 2));
			}
			p = q != NULL ? q + 1 : NULL;
		} else {
			q = tag_end(lt + 1, end);
			p = q != NULL && start_tag(&s, lt + 1, q) ? q + 1 : NULL;
		}
	}
	sim_documents_free(s.doc); /* an unterminated <document> is dropped */
	free(s.text.p);
}

void sim_documents_free(struct sim_document *d)
{
	while (d != NULL) {
		struct sim_document *next = d->next;

		free(d->meeting_id);
		free(d->call);
		sim_kv_free(d->attrs);
		free(d->base64);
		free(d->content);
		free(d);
		d = next;
	}
}

static char *attr_dup(const struct sim_document *d, const char *name)
{
	const struct sim_kv *kv = sim_kv_find(d->attrs, name);

	return kv != NULL ? sim_xstrdup(kv->value) : NULL;
}

size_t bbbsim_document_count(struct bbbsim *sim)
{
	const struct sim_document *d;
	size_t n = 0;

	pthread_mutex_lock(&sim->lock);
	for (d = sim->documents; d != NULL; d = d->next)
		n++;
	pthread_mutex_unlock(&sim->lock);
	return n;
}

bool bbbsim_document_get(struct bbbsim *sim, size_t i, struct bbbsim_document *out)
{
	const struct sim_document *d;

	pthread_mutex_lock(&sim->lock);
	for (d = sim->documents; d != NULL && i > 0; d = d->next)
		i--;
	if (d != NULL) {
		memset(out, 0, sizeof(*out));
		out->meeting_id = sim_xstrdup(d->meeting_id);
		out->call = sim_xstrdup(d->call);
		out->url = attr_dup(d, "url");
		out->filename = attr_dup(d, "filename");
		out->name = attr_dup(d, "name");
		out->current = attr_dup(d, "current");
		out->downloadable = attr_dup(d, "downloadable");
		out->removable = attr_dup(d, "removable");
		out->base64 = d->base64 != NULL ? sim_xstrdup(d->base64) : NULL;
		if (d->content_ok) {
			out->content = sim_xmalloc(d->content_len + 1);
			memcpy(out->content, d->content, d->content_len);
			out->content[d->content_len] = '\0';
			out->content_len = d->content_len;
		}
	}
	pthread_mutex_unlock(&sim->lock);
	return d != NULL;
}

void bbbsim_document_free(struct bbbsim_document *d)
{
	if (d == NULL)
		return;
	free(d->meeting_id);
	free(d->call);
	free(d->url);
	free(d->filename);
	free(d->name);
	free(d->current);
	free(d->downloadable);
	free(d->removable);
	free(d->base64);
	free(d->content);
	memset(d, 0, sizeof(*d));
}

/* --- multipart/form-data -------------------------------------------- */

/*
 * The value of parameter name in a header value of the form
 * "token; a=b; c="d"" (malloc'd), or NULL. Quoted values may hold ';'.
 */
static char *header_param(const char *v, size_t n, const char *name)
{
	const char *end = v + n;
	const char *p = memchr(v, ';', n);
	size_t nl = strlen(name);

	while (p != NULL && p < end) {
		const char *k;
		struct sim_buf val = {0};

		p++;
		while (p < end && is_space(*p))
			p++;
		k = p;
		while (p < end && *p != '=' && *p != ';')
			p++;
		if (p == end || *p == ';')
			continue;
		if ((size_t)(p - k) == nl && strncasecmp(k, name, nl) == 0) {
			p++;
			if (p < end && *p == '"') {
				for (p++; p < end && *p != '"'; p++) {
					if (*p == '\\' && p + 1 < end)
						p++;
					sim_buf_add(&val, p, 1);
				}
			} else {
				const char *s = p;

				while (p < end && *p != ';' && !is_space(*p))
					p++;
				sim_buf_add(&val, s, (size_t)(p - s));
			}
			return val.p != NULL ? val.p : sim_xstrdup("");
		}
		while (p < end && *p != ';') {
			if (*p == '"') { /* skip a quoted value */
				for (p++; p < end && *p != '"'; p++)
					if (*p == '\\' && p + 1 < end)
						p++;
			}
			if (p < end)
				p++;
		}
	}
	return NULL;
}

/* Reads the headers of one part up to the blank line; returns the data start or NULL. */
static const char *part_headers(const char *p, const char *end, struct sim_part *part)
{
	for (;;) {
		const char *eol = find(p, end, "\r\n");
		const char *colon;
		size_t n;

		if (eol == NULL)
			return NULL;
		if (eol == p)
			return p + 2;
		colon = memchr(p, ':', (size_t)(eol - p));
		if (colon != NULL) {
			const char *v = colon + 1;

			while (v < eol && is_space(*v))
				v++;
			n = (size_t)(eol - v);
			if ((size_t)(colon - p) == 19 &&
			    strncasecmp(p, "Content-Disposition", 19) == 0) {
				free(part->name);
				free(part->filename);
				part->name = header_param(v, n, "name");
				part->filename = header_param(v, n, "filename");
			} else if ((size_t)(colon - p) == 12 &&
				   strncasecmp(p, "Content-Type", 12) == 0) {
				free(part->content_type);
				part->content_type = sim_xstrndup(v, n);
			}
		}
		p = eol + 2;
	}
}

struct sim_part *sim_multipart_parse(const char *content_type, const char *body, size_t len)
{
	const char *end = body + len;
	struct sim_part *head = NULL;
	struct sim_part **tail = &head;
	char *boundary;
	char *delim;
	const char *p;
	size_t dl;

	if (content_type == NULL || body == NULL ||
	    !sim_media_is(content_type, "multipart/form-data"))
		return NULL;
	boundary = header_param(content_type, strlen(content_type), "boundary");
	if (boundary == NULL || boundary[0] == '\0') {
		free(boundary);
		return NULL;
	}
	delim = sim_xasprintf("\r\n--%s", boundary);
	dl = strlen(delim);
	/* the first delimiter may start the body (no preamble, no leading CRLF) */
	if (len >= dl - 2 && memcmp(body, delim + 2, dl - 2) == 0) {
		p = body + dl - 2;
	} else {
		p = find(body, end, delim);
		if (p != NULL)
			p += dl;
	}
	while (p != NULL) {
		struct sim_part *part;
		const char *data;
		const char *next;

		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			break; /* close delimiter */
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
			goto bad;
		part = sim_xmalloc(sizeof(*part));
		memset(part, 0, sizeof(*part));
		*tail = part;
		tail = &part->next;
		data = part_headers(p + 2, end, part);
		next = data != NULL ? find(data, end, delim) : NULL;
		if (next == NULL)
			goto bad;
		part->data = data;
		part->len = (size_t)(next - data);
		p = next + dl;
	}
	free(delim);
	free(boundary);
	return head;
bad:
	free(delim);
	free(boundary);
	sim_parts_free(head);
	return NULL;
}

const struct sim_part *sim_part_find(const struct sim_part *parts, const char *name)
{
	for (; parts != NULL; parts = parts->next)
		if (parts->name != NULL && strcmp(parts->name, name) == 0)
			return parts;
	return NULL;
}

void sim_parts_free(struct sim_part *p)
{
	while (p != NULL) {
		struct sim_part *next = p->next;

		free(p->name);
		free(p->filename);
		free(p->content_type);
		free(p);
		p = next;
	}
}
