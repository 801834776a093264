/*
 * bbbsim_hooks.c - the bbb-webhooks API as its Express app answers under
 * /bigbluebutton/api/hooks/: create, list, destroy and ping.
 *
 * Model: bbb-webhooks' api.js, responses.js and utils.js. Replies are built
 * by string concatenation without XML escaping (callbackURL and meetingID
 * inside CDATA, eventID raw) and passed through its cleanupXML (trim, then
 * drop every run of whitespace after a '>'), Content-Type
 * "text/xml; charset=utf-8". The checksum rule is the service's own: the
 * call name includes "hooks/", the query is the raw URL with the first
 * "&checksum=...", "checksum=...&" and "checksum=...$" cut out by regex,
 * the algorithm comes from the checksum's length and must be in its own
 * list, and the comparison is case-sensitive. A missing checksum is
 * checksumError (with a trailing period); a length no algorithm has makes
 * the validator throw, so Express answers its 500 page. Only GET (and
 * HEAD) routes exist; anything else is Express's 404 page. Hook IDs count
 * from 1, as bbb-webhooks 2.x numbered them. Runs with sim->lock held.
 */
#include "bbbsim_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HOOKS_XML_TYPE "text/xml; charset=utf-8"
#define HTML_TYPE "text/html; charset=utf-8"
#define API_PATH "/bigbluebutton/api/"

/* --- checksum ---------------------------------------------------------- */

/* s.replace(/&checksum=[^&]{0,}/, '') */
static void cut_amp(char *s)
{
	char *p = strstr(s, "&checksum=");
	char *e;

	if (p == NULL)
		return;
	e = p + 10;
	while (*e != '\0' && *e != '&')
		e++;
	memmove(p, e, strlen(e) + 1);
}

/* s.replace(/checksum=[^&]{0,}&/, ''): the leftmost occurrence followed by an '&'. */
static void cut_mid(char *s)
{
	char *p;

	for (p = strstr(s, "checksum="); p != NULL; p = strstr(p + 1, "checksum=")) {
		char *e = strchr(p + 9, '&');

		if (e != NULL) {
			memmove(p, e + 1, strlen(e + 1) + 1);
			return;
		}
	}
}

/* s.replace(/checksum=[^&]{0,}$/, '') */
static void cut_end(char *s)
{
	char *p;

	for (p = strstr(s, "checksum="); p != NULL; p = strstr(p + 1, "checksum=")) {
		if (strchr(p + 9, '&') == NULL) {
			*p = '\0';
			return;
		}
	}
}

enum sim_checksum sim_hooks_verify(const struct bbbsim *sim, const char *call, const char *query,
				   const char **alg_out)
{
	const char *cur = query;
	enum sim_checksum res = SIM_CHECKSUM_MISMATCH;
	unsigned count = 0;
	char *cs = NULL;
	char *k;
	char *v;
	char *url;
	char *q;
	char *input;
	char *hex;

	*alg_out = NULL;
	if (sim->secret[0] == '\0')
		return SIM_CHECKSUM_OK;
	while (sim_query_next(&cur, &k, &v)) {
		if (strcmp(k, "checksum") == 0)
			count++;
		if (count == 1 && cs == NULL && strcmp(k, "checksum") == 0)
			cs = v;
		else
			free(v);
		free(k);
	}
	if (count > 1) { /* querystring.parse makes an array: not a string */
		free(cs);
		return SIM_CHECKSUM_MISMATCH;
	}
	if (cs == NULL || cs[0] == '\0') {
		free(cs);
		return SIM_CHECKSUM_MISSING;
	}
	*alg_out = sim_algorithm_by_length(strlen(cs));
	if (*alg_out == NULL) {
		free(cs);
		return SIM_CHECKSUM_INVALID;
	}
	if (!sim_algorithm_listed(sim->hooks_algorithms, *alg_out)) {
		free(cs);
		return SIM_CHECKSUM_MISMATCH;
	}
	url = sim_xasprintf(API_PATH "%s?%s", call, query);
	cut_amp(url);
	cut_mid(url);
	cut_end(url);
	q = strchr(url, '?');
	input = sim_xasprintf("%s%s%s", call, q != NULL ? q + 1 : "", sim->secret);
	hex = sim_digest_hex(*alg_out, input, strlen(input));
	if (hex != NULL && strcmp(hex, cs) == 0)
		res = SIM_CHECKSUM_OK;
	free(hex);
	free(input);
	free(url);
	free(cs);
	return res;
}

/* --- replies ----------------------------------------------------------- */

static void set_reply(struct sim_reply *out, int status, const char *type, char *body)
{
	out->status = status;
	out->content_type = type;
	out->body = body;
	out->len = strlen(body);
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* respondWithXML: cleanupXML = trim, then /> followed by \s{0,}/ becomes '>'. */
static void respond(struct sim_reply *out, const char *msg)
{
	struct sim_buf b = {0};
	const char *p = msg;
	const char *end;

	while (is_ws(*p))
		p++;
	end = p + strlen(p);
	while (end > p && is_ws(end[-1]))
		end--;
	sim_buf_puts(&b, "");
	while (p < end) {
		char ch = *p++;

		sim_buf_add(&b, &ch, 1);
		if (ch == '>')
			while (p < end && is_ws(*p))
				p++;
	}
	set_reply(out, 200, HOOKS_XML_TYPE, b.p);
}

static void failure(struct sim_reply *out, const char *key, const char *msg)
{
	char *s = sim_xasprintf("<response> <returncode>FAILED</returncode> "
				"<messageKey>%s</messageKey> <message>%s</message> </response>",
				key, msg);

	respond(out, s);
	free(s);
}

/* Express's finalhandler page (production mode). */
static void express_page(struct sim_reply *out, int status, const char *method, const char *call)
{
	char *text = status == 404 ? sim_xasprintf("Cannot %s " API_PATH "%s", method, call)
				   : sim_xstrdup("Internal Server Error");
	struct sim_buf b = {0};
	const char *p;

	sim_buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
			 "<title>Error</title>\n</head>\n<body>\n<pre>");
	for (p = text; *p != '\0'; p++) {
		if (*p == '<')
			sim_buf_puts(&b, "&lt;");
		else if (*p == '>')
			sim_buf_puts(&b, "&gt;");
		else if (*p == '&')
			sim_buf_puts(&b, "&amp;");
		else if (*p == '"')
			sim_buf_puts(&b, "&quot;");
		else if (*p == '\'')
			sim_buf_puts(&b, "&#39;");
		else
			sim_buf_add(&b, p, 1);
	}
	sim_buf_puts(&b, "</pre>\n</body>\n</html>\n");
	set_reply(out, status, HTML_TYPE, b.p);
	free(text);
}

/* --- the hooks --------------------------------------------------------- */

void sim_hooks_free(struct sim_hook *h)
{
	while (h != NULL) {
		struct sim_hook *next = h->next;

		free(h->callback_url);
		free(h->meeting_id);
		free(h->event_id);
		free(h);
		h = next;
	}
}

void sim_hook_drop(struct bbbsim *sim, unsigned long id)
{
	struct sim_hook **pp;

	for (pp = &sim->hooks; *pp != NULL; pp = &(*pp)->next) {
		struct sim_hook *h = *pp;

		if (h->id != id)
			continue;
		*pp = h->next;
		h->next = NULL;
		sim_hooks_free(h);
		return;
	}
}

static void h_create(struct bbbsim *sim, const struct sim_params *p, struct sim_reply *out)
{
	const char *url = sim_param(p, "callbackURL");
	const char *meeting = sim_param(p, "meetingID");
	const char *event = sim_param(p, "eventID");
	const char *raw = sim_param(p, "getRaw");
	struct sim_hook **pp;
	struct sim_hook *h;
	char *msg;
	size_t i;

	if (url == NULL) {
		failure(out, "missingParamCallbackURL",
			"You must specify a callbackURL in the parameters.");
		return;
	}
	for (pp = &sim->hooks; *pp != NULL; pp = &(*pp)->next) {
		if (strcmp((*pp)->callback_url, url) != 0)
			continue;
		msg = sim_xasprintf("<response> <returncode>SUCCESS</returncode> "
				    "<hookID>%lu</hookID> "
				    "<messageKey>duplicateWarning</messageKey> "
				    "<message>There is already a hook for this callback "
				    "URL.</message> "
				    "</response>",
				    (*pp)->id);
		respond(out, msg);
		free(msg);
		return;
	}
	h = sim_xmalloc(sizeof(*h));
	memset(h, 0, sizeof(*h));
	h->id = sim->next_hook_id++;
	h->callback_url = sim_xstrdup(url);
	h->meeting_id = meeting != NULL ? sim_xstrdup(meeting) : NULL;
	if (event != NULL) {
		h->event_id = sim_xstrdup(event);
		for (i = 0; h->event_id[i] != '\0'; i++)
			if (h->event_id[i] >= 'A' && h->event_id[i] <= 'Z')
				h->event_id[i] = (char)(h->event_id[i] - 'A' + 'a');
	}
	h->raw = raw != NULL && strcasecmp(raw, "true") == 0;
	*pp = h;
	msg = sim_xasprintf("<response> <returncode>SUCCESS</returncode> <hookID>%lu</hookID> "
			    "<permanentHook>false</permanentHook> <rawData>%s</rawData> "
			    "</response>",
			    h->id, h->raw ? "true" : "false");
	respond(out, msg);
	free(msg);
}

static void h_list(struct bbbsim *sim, const struct sim_params *p, struct sim_reply *out)
{
	const char *meeting = sim_param(p, "meetingID");
	const struct sim_hook *h;
	struct sim_buf b = {0};

	sim_buf_puts(&b, "<response><returncode>SUCCESS</returncode><hooks>");
	for (h = sim->hooks; h != NULL; h = h->next) {
		if (meeting != NULL && h->meeting_id != NULL && strcmp(h->meeting_id, meeting) != 0)
			continue; /* with meetingID: the global hooks and that meeting's */
		sim_buf_printf(&b,
			       "<hook><hookID>%lu</hookID><callbackURL><![CDATA[%s]]></"
			       "callbackURL>",
			       h->id, h->callback_url);
		if (h->meeting_id != NULL)
			sim_buf_printf(&b, "<meetingID><![CDATA[%s]]></meetingID>", h->meeting_id);
		if (h->event_id != NULL)
			sim_buf_printf(&b, "<eventID>%s</eventID>", h->event_id);
		sim_buf_printf(&b,
			       "<permanentHook>false</permanentHook><rawData>%s</rawData></hook>",
			       h->raw ? "true" : "false");
	}
	sim_buf_puts(&b, "</hooks></response>");
	respond(out, b.p);
	free(b.p);
}

static void h_destroy(struct bbbsim *sim, const struct sim_params *p, struct sim_reply *out)
{
	const char *id = sim_param(p, "hookID");
	struct sim_hook **pp;

	if (id == NULL) {
		failure(out, "missingParamHookID", "You must specify a hookID in the parameters.");
		return;
	}
	for (pp = &sim->hooks; *pp != NULL; pp = &(*pp)->next) {
		struct sim_hook *h = *pp;
		char num[32];

		snprintf(num, sizeof(num), "%lu", h->id);
		if (strcmp(num, id) != 0)
			continue;
		*pp = h->next;
		h->next = NULL;
		sim_hooks_free(h);
		respond(out, "<response> <returncode>SUCCESS</returncode> <removed>true</removed> "
			     "</response>");
		return;
	}
	failure(out, "destroyMissingHook", "The hook informed was not found.");
}

void sim_hooks_handle(struct bbbsim *sim, const struct sim_call *c, struct sim_reply *out)
{
	const char *verb = c->call + 6;
	bool get = strcmp(c->method, "GET") == 0 || strcmp(c->method, "HEAD") == 0;
	struct sim_params p = {0};

	if (!get || (strcmp(verb, "create") != 0 && strcmp(verb, "list") != 0 &&
		     strcmp(verb, "destroy") != 0 && strcmp(verb, "ping") != 0)) {
		express_page(out, 404, c->method, c->call);
		return;
	}
	if (strcmp(verb, "ping") == 0) { /* res.write: no Content-Type */
		set_reply(out, 200, NULL, sim_xstrdup("bbb-webhooks API up!"));
		return;
	}
	if (c->checksum == SIM_CHECKSUM_INVALID) {
		express_page(out, 500, c->method, c->call);
		return;
	}
	if (c->checksum != SIM_CHECKSUM_OK) {
		failure(out, "checksumError", "You did not pass the checksum security check.");
		return;
	}
	sim_params_parse(&p, c->query);
	if (strcmp(verb, "create") == 0)
		h_create(sim, &p, out);
	else if (strcmp(verb, "list") == 0)
		h_list(sim, &p, out);
	else
		h_destroy(sim, &p, out);
	sim_params_free(&p);
}

size_t bbbsim_hook_count(struct bbbsim *sim)
{
	const struct sim_hook *h;
	size_t n = 0;

	pthread_mutex_lock(&sim->lock);
	for (h = sim->hooks; h != NULL; h = h->next)
		n++;
	pthread_mutex_unlock(&sim->lock);
	return n;
}
