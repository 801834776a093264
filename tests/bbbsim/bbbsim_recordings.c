/*
 * bbbsim_recordings.c - the BBB simulator's recording store: the seed
 * fixture file, the recordings list on struct bbbsim, caption tracks and
 * the putRecordingTextTrack uploads, and the public inspection helpers.
 *
 * The fixture is a line format (tests/data/bbbsim/recordings.txt documents
 * it): "recording <recordID>" starts a block, the lines after it set
 * fields; tokens are separated by blanks, "..." quotes a token holding
 * blanks (\" \\ \n \t escapes), name=value tokens set options, and '#'
 * starts a comment. A recording plays the part of one
 * /var/bigbluebutton/<state>/<format>/<recordID>/metadata.xml set: the
 * formats are the playback directories, the tracks its captions.json.
 * Callers hold sim->lock (the bbbsim_* functions take it).
 */
#include "bbbsim_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOKENS 16

struct line {
	char *tok[MAX_TOKENS];
	size_t n;
};

struct loader {
	struct bbbsim *sim;
	const char *path;
	unsigned lineno;
	struct sim_recording *rec; /* the block being read */
	struct sim_format *fmt;    /* its last format (for image lines) */
	bool published_set;
	const char *error;
};

/* --- freeing --------------------------------------------------------- */

static void formats_free(struct sim_format *f)
{
	while (f != NULL) {
		struct sim_format *next = f->next;

		while (f->images != NULL) {
			struct sim_image *in = f->images->next;

			free(f->images->url);
			sim_kv_free(f->images->attrs);
			free(f->images);
			f->images = in;
		}
		free(f->type);
		free(f->url);
		free(f);
		f = next;
	}
}

static void tracks_free(struct sim_track *t)
{
	while (t != NULL) {
		struct sim_track *next = t->next;

		free(t->kind);
		free(t->lang);
		free(t->label);
		free(t->source);
		free(t);
		t = next;
	}
}

void sim_recordings_free(struct sim_recording *r)
{
	while (r != NULL) {
		struct sim_recording *next = r->next;

		free(r->record_id);
		free(r->meeting_id);
		free(r->name);
		free(r->state);
		free(r->parent_id);
		sim_kv_free(r->meta);
		sim_kv_free(r->rooms);
		formats_free(r->formats);
		formats_free(r->data);
		tracks_free(r->tracks);
		free(r);
		r = next;
	}
}

void sim_uploads_free(struct sim_upload *u)
{
	while (u != NULL) {
		struct sim_upload *next = u->next;

		free(u->record_id);
		free(u->kind);
		free(u->lang);
		free(u->label);
		free(u->filename);
		free(u->content_type);
		free(u->data);
		free(u);
		u = next;
	}
}

/* --- the fixture file ------------------------------------------------ */

static char unescape_char(char c)
{
	return c == 'n' ? '\n' : c == 't' ? '\t' : c;
}

static void line_free(struct line *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->tok[i]);
	l->n = 0;
}

/* Splits s into tokens; false on an unterminated quote or too many tokens. */
static bool tokenize(const char *s, struct line *l)
{
	l->n = 0;
	for (;;) {
		struct sim_buf t = {0};

		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0' || *s == '#')
			return true;
		if (l->n == MAX_TOKENS)
			return false;
		while (*s != '\0' && *s != ' ' && *s != '\t') {
			if (*s != '"') {
				sim_buf_add(&t, s++, 1);
				continue;
			}
			for (s++; *s != '"'; s++) {
				char c;

				if (*s == '\0') {
					free(t.p);
					return false;
				}
				c = *s == '\\' && s[1] != '\0' ? unescape_char(*++s) : *s;
				sim_buf_add(&t, &c, 1);
			}
			s++;
		}
		l->tok[l->n++] = t.p != NULL ? t.p : sim_xstrdup("");
	}
}

static bool number(const char *s, unsigned long long *out)
{
	if (!sim_all_digits(s))
		return false;
	errno = 0;
	*out = strtoull(s, NULL, 10);
	return errno == 0;
}

static bool boolean(const char *s, bool *out)
{
	if (strcmp(s, "true") != 0 && strcmp(s, "false") != 0)
		return false;
	*out = strcmp(s, "true") == 0;
	return true;
}

/* Splits "name=value" in place: returns the value, or NULL when there is no '='. */
static char *option(char *tok)
{
	char *eq = strchr(tok, '=');

	if (eq == NULL)
		return NULL;
	*eq = '\0';
	return eq + 1;
}

static void finish_block(struct loader *ld)
{
	if (ld->rec != NULL && !ld->published_set)
		ld->rec->published = strcmp(ld->rec->state, "published") == 0;
	ld->published_set = false;
	ld->fmt = NULL;
}

static void start_block(struct loader *ld, const char *id)
{
	struct sim_recording *r = sim_xmalloc(sizeof(*r));
	struct sim_recording **pp = &ld->sim->recordings;

	finish_block(ld);
	memset(r, 0, sizeof(*r));
	r->record_id = sim_xstrdup(id);
	r->meeting_id = sim_xstrdup(id); /* RecMeta's fallbacks without a <meeting> */
	r->name = sim_xstrdup("unknown");
	r->state = sim_xstrdup("published");
	while (*pp != NULL)
		pp = &(*pp)->next;
	*pp = r;
	ld->rec = r;
}

static void replace(char **field, const char *value)
{
	free(*field);
	*field = sim_xstrdup(value);
}

static bool cmd_format(struct loader *ld, struct line *l, struct sim_format **list)
{
	struct sim_format *f = sim_xmalloc(sizeof(*f));
	size_t i;

	memset(f, 0, sizeof(*f));
	f->type = sim_xstrdup(l->tok[1]);
	f->url = sim_xstrdup(l->tok[2]);
	while (*list != NULL)
		list = &(*list)->next;
	*list = f;
	for (i = 3; i < l->n; i++) {
		char *v = option(l->tok[i]);
		unsigned long long *dst = NULL;

		if (v != NULL && strcmp(l->tok[i], "processingTime") == 0)
			dst = &f->processing_time;
		else if (v != NULL && strcmp(l->tok[i], "duration") == 0)
			dst = &f->duration;
		else if (v != NULL && strcmp(l->tok[i], "size") == 0)
			dst = &f->size;
		if (dst == NULL || !number(v, dst)) {
			ld->error = "format options are processingTime=, duration=, size= "
				    "(numbers)";
			return false;
		}
	}
	ld->fmt = f;
	return true;
}

static bool cmd_image(struct loader *ld, struct line *l)
{
	struct sim_image *img;
	struct sim_image **pp;
	size_t i;

	if (ld->fmt == NULL) {
		ld->error = "image before any format line";
		return false;
	}
	img = sim_xmalloc(sizeof(*img));
	memset(img, 0, sizeof(*img));
	img->url = sim_xstrdup(l->tok[1]);
	for (pp = &ld->fmt->images; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = img;
	for (i = 2; i < l->n; i++) {
		char *v = option(l->tok[i]);

		if (v == NULL) {
			ld->error = "image attributes are name=value";
			return false;
		}
		sim_kv_append(&img->attrs, l->tok[i], v);
	}
	return true;
}

static bool cmd_breakout(struct loader *ld, struct line *l)
{
	struct sim_recording *r = ld->rec;
	unsigned long long seq = 0;
	size_t i;

	r->has_breakout = true;
	for (i = 1; i < l->n; i++) {
		char *v = option(l->tok[i]);
		bool ok = v != NULL;

		if (ok && strcmp(l->tok[i], "parent") == 0)
			replace(&r->parent_id, v);
		else if (ok && strcmp(l->tok[i], "sequence") == 0)
			ok = number(v, &seq);
		else if (ok && strcmp(l->tok[i], "freeJoin") == 0)
			ok = boolean(v, &r->free_join);
		else
			ok = false;
		if (!ok) {
			ld->error = "breakout options are parent=, sequence=, freeJoin=";
			return false;
		}
	}
	r->sequence = (unsigned long)seq;
	if (r->parent_id == NULL) {
		ld->error = "breakout needs parent=";
		return false;
	}
	return true;
}

static bool cmd_meeting(struct loader *ld, struct line *l)
{
	size_t i;

	replace(&ld->rec->meeting_id, l->tok[1]);
	replace(&ld->rec->name, l->tok[2]);
	for (i = 3; i < l->n; i++) {
		char *v = option(l->tok[i]);

		if (v == NULL || strcmp(l->tok[i], "breakout") != 0 ||
		    !boolean(v, &ld->rec->is_breakout)) {
			ld->error = "meeting <externalID> <name> [breakout=true|false]";
			return false;
		}
	}
	return true;
}

static bool cmd_state(struct loader *ld, struct line *l)
{
	static const char *const states[] = {"published", "unpublished", "processing", "processed",
					     "deleted"};
	char *v = l->n > 2 ? option(l->tok[2]) : NULL;
	size_t i;

	for (i = 0; i < 5; i++)
		if (strcmp(l->tok[1], states[i]) == 0)
			break;
	if (i == 5 || (l->n > 2 && (v == NULL || strcmp(l->tok[2], "published") != 0 ||
				    !boolean(v, &ld->rec->published)))) {
		ld->error = "state published|unpublished|processing|processed|deleted "
			    "[published=bool]";
		return false;
	}
	replace(&ld->rec->state, l->tok[1]);
	ld->published_set = l->n > 2;
	return true;
}

/* One "<name> <args>" line of a recording block; min/max count tokens after the name. */
struct command {
	const char *name;
	size_t min;
	size_t max;
};

static const struct command commands[] = {
	{"recording", 1, 1},
	{"meeting", 2, 3},
	{"state", 1, 2},
	{"times", 2, 2},
	{"participants", 1, 1},
	{"rawSize", 1, 1},
	{"meta", 2, 2},
	{"breakout", 1, 3},
	{"breakoutRoom", 1, 1},
	{"format", 2, 5},
	{"image", 1, MAX_TOKENS - 1},
	{"data", 2, 2},
	{"track", 4, 4},
};

static bool run(struct loader *ld, struct line *l)
{
	const char *c = l->tok[0];
	struct sim_recording *r = ld->rec;
	unsigned long long a = 0;
	unsigned long long b = 0;

	if (strcmp(c, "recording") == 0) {
		start_block(ld, l->tok[1]);
		return true;
	}
	if (r == NULL) {
		ld->error = "a line before the first \"recording\"";
		return false;
	}
	if (strcmp(c, "meeting") == 0)
		return cmd_meeting(ld, l);
	if (strcmp(c, "state") == 0)
		return cmd_state(ld, l);
	if (strcmp(c, "times") == 0 || strcmp(c, "participants") == 0 ||
	    strcmp(c, "rawSize") == 0) {
		if (!number(l->tok[1], &a) || (l->n > 2 && !number(l->tok[2], &b))) {
			ld->error = "not a number";
			return false;
		}
		if (strcmp(c, "times") == 0) {
			r->start_time = a;
			r->end_time = b;
		} else if (strcmp(c, "participants") == 0) {
			r->participants = (unsigned long)a;
		} else {
			r->raw_size = a;
		}
		return true;
	}
	if (strcmp(c, "meta") == 0) {
		sim_kv_set(&r->meta, l->tok[1], l->tok[2]);
		return true;
	}
	if (strcmp(c, "breakout") == 0)
		return cmd_breakout(ld, l);
	if (strcmp(c, "breakoutRoom") == 0) {
		sim_kv_append(&r->rooms, l->tok[1], "");
		return true;
	}
	if (strcmp(c, "format") == 0)
		return cmd_format(ld, l, &r->formats);
	if (strcmp(c, "data") == 0) {
		struct sim_format *keep = ld->fmt;
		bool ok = cmd_format(ld, l, &r->data);

		ld->fmt = keep;
		return ok;
	}
	if (strcmp(c, "image") == 0)
		return cmd_image(ld, l);
	sim_track_put(r, l->tok[1], l->tok[2], l->tok[3], l->tok[4]); /* track */
	return true;
}

static bool load_line(struct loader *ld, const char *text)
{
	struct line l;
	size_t i;
	bool ok;

	if (!tokenize(text, &l)) {
		line_free(&l);
		ld->error = "unterminated quote or too many tokens";
		return false;
	}
	if (l.n == 0)
		return true;
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, l.tok[0]) == 0)
			break;
	if (i == sizeof(commands) / sizeof(commands[0])) {
		ld->error = "unknown line";
		ok = false;
	} else if (l.n - 1 < commands[i].min || l.n - 1 > commands[i].max) {
		ld->error = "wrong number of fields";
		ok = false;
	} else {
		ok = run(ld, &l);
	}
	line_free(&l);
	return ok;
}

bool sim_recordings_load(struct bbbsim *sim, const char *path)
{
	struct loader ld = {.sim = sim, .path = path};
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	bool ok = true;

	if (f == NULL) {
		fprintf(stderr, "bbb-sim: cannot open %s\n", path);
		return false;
	}
	while (ok) {
		n = getline(&buf, &cap, f);
		if (n < 0)
			break;
		ld.lineno++;
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			buf[--n] = '\0';
		ok = load_line(&ld, buf);
	}
	finish_block(&ld);
	free(buf);
	fclose(f);
	if (!ok)
		fprintf(stderr, "bbb-sim: %s:%u: %s\n", path, ld.lineno, ld.error);
	return ok;
}

/* --- lookups and tracks ---------------------------------------------- */

struct sim_recording *sim_recording_find(struct bbbsim *sim, const char *id)
{
	struct sim_recording *r;

	for (r = sim->recordings; r != NULL; r = r->next)
		if (strcmp(r->record_id, id) == 0)
			return r;
	return NULL;
}

void sim_track_put(struct sim_recording *r, const char *kind, const char *lang, const char *label,
		   const char *source)
{
	struct sim_track **pp;
	struct sim_track *t;

	for (pp = &r->tracks; *pp != NULL; pp = &(*pp)->next) {
		t = *pp;
		if (strcmp(t->kind, kind) == 0 && strcmp(t->lang, lang) == 0) {
			replace(&t->label, label);
			replace(&t->source, source);
			return;
		}
	}
	t = sim_xmalloc(sizeof(*t));
	t->kind = sim_xstrdup(kind);
	t->lang = sim_xstrdup(lang);
	t->label = sim_xstrdup(label);
	t->source = sim_xstrdup(source);
	t->next = NULL;
	*pp = t;
}

char *bbbsim_recording_state(struct bbbsim *sim, const char *record_id)
{
	struct sim_recording *r;
	char *s = NULL;

	pthread_mutex_lock(&sim->lock);
	r = sim_recording_find(sim, record_id);
	if (r != NULL)
		s = sim_xstrdup(r->state);
	pthread_mutex_unlock(&sim->lock);
	return s;
}

char *bbbsim_recording_meta(struct bbbsim *sim, const char *record_id, const char *key)
{
	struct sim_recording *r;
	const struct sim_kv *kv = NULL;
	char *s = NULL;

	pthread_mutex_lock(&sim->lock);
	r = sim_recording_find(sim, record_id);
	if (r != NULL)
		kv = sim_kv_find(r->meta, key);
	if (kv != NULL)
		s = sim_xstrdup(kv->value);
	pthread_mutex_unlock(&sim->lock);
	return s;
}

/* --- uploads --------------------------------------------------------- */

static char *dup_or_null(const char *s)
{
	return s != NULL ? sim_xstrdup(s) : NULL;
}

size_t bbbsim_upload_count(struct bbbsim *sim)
{
	const struct sim_upload *u;
	size_t n = 0;

	pthread_mutex_lock(&sim->lock);
	for (u = sim->uploads; u != NULL; u = u->next)
		n++;
	pthread_mutex_unlock(&sim->lock);
	return n;
}

bool bbbsim_upload_get(struct bbbsim *sim, size_t i, struct bbbsim_upload *out)
{
	const struct sim_upload *u;

	pthread_mutex_lock(&sim->lock);
	for (u = sim->uploads; u != NULL && i > 0; u = u->next)
		i--;
	if (u != NULL) {
		out->record_id = sim_xstrdup(u->record_id);
		out->kind = sim_xstrdup(u->kind);
		out->lang = sim_xstrdup(u->lang);
		out->label = sim_xstrdup(u->label);
		out->filename = dup_or_null(u->filename);
		out->content_type = dup_or_null(u->content_type);
		out->data = sim_xstrndup(u->data, u->len);
		out->len = u->len;
	}
	pthread_mutex_unlock(&sim->lock);
	return u != NULL;
}

void bbbsim_upload_free(struct bbbsim_upload *u)
{
	if (u == NULL)
		return;
	free(u->record_id);
	free(u->kind);
	free(u->lang);
	free(u->label);
	free(u->filename);
	free(u->content_type);
	free(u->data);
	memset(u, 0, sizeof(*u));
}
