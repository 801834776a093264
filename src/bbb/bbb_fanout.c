/*
 * bbb_fanout.c - a list call (getMeetings, getRecordings, hooks/list) on
 * every server of the fleet at once, merged into one reply (see
 * bbb_api_int.h). Every server that is not disabled is asked; an
 * unhealthy one is skipped. Each reply is converted as a one-server reply
 * would be (the tenant's view, passwords as the token may see them), the
 * lists are joined in configuration order (bbb_merge.c, on the converted
 * text, which no tree is parsed from), a recordings page (offset,
 * limit) is cut from the merged list (ordered by startTime, then
 * recordID), and "incomplete" names every server whose part is missing.
 * The call's finish function then gets the merged reply as if one server
 * had sent it. A caller of BBB's XML (the BBB-compatible API, Accept:
 * application/xml) gets the servers' XML merged instead (xml_merge.h),
 * each part rewritten for the tenant first, hookIDs qualified likewise.
 */
#include "bbb_api.h"
#include "bbb_api_int.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "bbb_merge.h"
#include "bbb_route.h"
#include "bbb_sign.h"
#include "config.h"
#include "fleet.h"
#include "log.h"
#include "str.h"
#include "xml2json.h"
#include "xml_merge.h"

struct part {
	struct fan *fan;
	struct gw_fleet_server *srv;
	char name[GW_FLEET_NAME_MAX + 1];
	bool asked;
	struct gw_upstream_call call;
	struct gw_buf url;
	char *body; /* the converted list's text, which the merge reads in place */
	size_t body_len;
	struct gw_bbb_reply r; /* the converted reply (JSON callers), made as it arrived */
	bool converted;        /* r holds it; false: the part is missing */
};

struct fan {
	struct gw_exchange *x;
	size_t n, pending;
	long long offset, limit; /* the page asked for; limit < 0 = none */
	struct part parts[];
};

/* The list member of the call's reply. */
static const char *list_key(const struct gw_bbb_call_def *c)
{
	if (c == GW_BBB_CALL(getMeetings))
		return "meetings";
	if (c == GW_BBB_CALL(getRecordings))
		return "recordings";
	return "hooks";
}

/* The query without offset and limit (the page is cut after the merge), in the arena. */
static char *without_page(struct gw_exchange *x, const char *query, long long *offset,
			  long long *limit)
{
	char *out = gw_arena_alloc(&x->arena, strlen(query) + 1);
	const char *p = query;
	size_t len = 0;

	*offset = 0;
	*limit = -1;
	if (out == NULL)
		return NULL;
	while (*p != '\0') {
		size_t n = strcspn(p, "&");
		uint64_t v;
		char num[24];

		if ((n > 7 && strncmp(p, "offset=", 7) == 0) ||
		    (n > 6 && strncmp(p, "limit=", 6) == 0)) {
			size_t k = p[0] == 'o' ? 7 : 6;

			if (n - k < sizeof(num)) {
				memcpy(num, p + k, n - k);
				num[n - k] = '\0';
				if (gw_str_parse_u64(num, &v) == GW_OK && v < 1000000000u)
					*(k == 7 ? offset : limit) = (long long)v;
			}
		} else {
			if (len > 0)
				out[len++] = '&';
			memcpy(out + len, p, n);
			len += n;
		}
		p += n;
		if (*p == '&')
			p++;
	}
	out[len] = '\0';
	return out;
}

/* Whether the caller gets BBB's XML (the BBB-compatible API, Accept: application/xml). */
static bool wants_xml(const struct gw_exchange *x)
{
	return x->bbb.facade || x->bbb.raw_reply;
}

/* The reply of one server converted, or false when its part is missing. */
static bool part_reply(struct gw_exchange *x, struct part *p, struct gw_bbb_reply *r)
{
	const struct gw_upstream_call *c = &p->call;

	if (!p->asked || c->result != GW_OK || c->http_status != 200)
		return false;
	return gw_xml2json_convert_for(gw_buf_str(&c->reply), c->reply.len,
				       gw_upstream_deadline_ms(c), !gw_bbb_sees_passwords(x),
				       x->req.tenant != NULL ? x->req.tenant->prefix : NULL,
				       r) == GW_OK;
}

/*
 * Each server numbers its hooks: in the merged list a hookID is
 * "<server>:<id>" (gw_bbb_hook_id), which DELETE /v1/hooks/{hookID} takes
 * back apart. Hook lists are short: the body is parsed and written again.
 */
static void qualify_hooks(struct part *p)
{
	json_t *body = json_loadb(p->body, p->body_len, 0, NULL);
	json_t *hooks = json_object_get(body, "hooks"), *h;
	size_t i;
	char *text;

	json_array_foreach (hooks, i, h) {
		json_t *id = json_object_get(h, "hookID");
		char own[32], both[GW_FLEET_NAME_MAX + 34];

		if (json_is_integer(id))
			snprintf(own, sizeof(own), "%" JSON_INTEGER_FORMAT, json_integer_value(id));
		else if (json_is_string(id))
			gw_str_copy(own, sizeof(own), json_string_value(id));
		else
			continue;
		gw_bbb_hook_id(p->name, own, both, sizeof(both));
		json_object_set_new(h, "hookID", json_string(both));
	}
	text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (text != NULL) {
		free(p->body);
		p->body = text;
		p->body_len = strlen(text);
	}
}

/*
 * Converts every part: a list's body is kept in its part and added to m,
 * a missing part named; the first refusal goes to *failed (*have_failed).
 */
static enum gw_err gather(struct fan *fan, struct gw_bbb_merge *m, struct gw_bbb_reply *failed,
			  bool *have_failed)
{
	struct gw_exchange *x = fan->x;
	enum gw_err err = GW_OK;

	for (size_t i = 0; i < fan->n && err == GW_OK; i++) {
		struct part *p = &fan->parts[i];

		if (!p->converted) {
			err = gw_bbb_merge_missing(m, p->name);
			continue;
		}
		p->converted = false;
		if (!p->r.success) {
			err = gw_bbb_merge_missing(m, p->name);
			if (!*have_failed)
				*failed = p->r;
			else
				gw_bbb_reply_deinit(&p->r);
			*have_failed = true;
			continue;
		}
		/* the merge reads the text where it is: the part keeps it until the fan-out ends */
		p->body = gw_bbb_reply_take_body(&p->r, &p->body_len);
		gw_bbb_reply_deinit(&p->r);
		if (p->body != NULL && x->bbb.def == GW_BBB_CALL(hooks_list))
			qualify_hooks(p);
		if (p->body != NULL)
			gw_bbb_merge_add(m, p->body, p->body_len);
	}
	return err;
}

/* Every server answered or failed: the merged reply to the call's finish. */
static void merge(struct fan *fan)
{
	struct gw_exchange *x = fan->x;
	bool recordings = x->bbb.def == GW_BBB_CALL(getRecordings);
	struct gw_bbb_reply failed = {0}, r = {0};
	bool have_failed = false;
	struct gw_bbb_merge m;
	enum gw_err err;

	gw_bbb_merge_init(&m, list_key(x->bbb.def), fan->offset, recordings ? fan->limit : -1);
	err = gather(fan, &m, &failed, &have_failed);
	if (err == GW_OK && !gw_bbb_merge_any(&m)) {
		/* no server's list: one server's refusal, or 502 */
		if (have_failed && x->bbb.on_failed != NULL)
			x->bbb.on_failed(x, &failed);
		else if (have_failed)
			gw_bbb_fail(x, &failed);
		else
			gw_response_problem(x, GW_E_UPSTREAM_CONNECT,
					    "No BBB server answered the list", NULL);
	} else {
		if (err == GW_OK)
			err = gw_bbb_merge_finish(&m, &r.body, &r.body_len);
		r.success = true;
		if (err != GW_OK)
			gw_response_problem(x, err, NULL, NULL);
		else
			x->bbb.finish(x, &r);
		gw_bbb_reply_deinit(&r);
	}
	if (have_failed)
		gw_bbb_reply_deinit(&failed);
	gw_bbb_merge_deinit(&m);
}

/*
 * Each part's XML, rewritten for the tenant, into m (a missing part
 * named); the first refusal's text into failed. GW_E_NOMEM.
 */
static enum gw_err gather_xml(struct fan *fan, struct gw_xml_merge *m, struct gw_buf *failed)
{
	struct gw_exchange *x = fan->x;
	bool hooks = x->bbb.def == GW_BBB_CALL(hooks_list);
	enum gw_err err = GW_OK;

	for (size_t i = 0; i < fan->n && err == GW_OK; i++) {
		struct part *p = &fan->parts[i];
		const struct gw_upstream_call *c = &p->call;
		enum gw_xml_part got = GW_XML_PART_BAD;
		struct gw_buf t;

		gw_buf_init(&t, c->reply.len + 1);
		if (p->asked && c->result == GW_OK && c->http_status == 200 &&
		    gw_bbb_xml_type(c->reply_content_type)) {
			err = gw_bbb_passthrough_rewrite(x, gw_buf_str(&c->reply), c->reply.len,
							 &t);
			if (err == GW_OK)
				got = gw_xml_merge_add(m, gw_buf_str(&t), t.len,
						       hooks ? p->name : NULL);
			else if (err != GW_E_NOMEM)
				err = GW_OK; /* a reply the rewrite refuses: the part is missing */
		}
		if (got == GW_XML_PART_NOMEM)
			err = GW_E_NOMEM;
		else if (got == GW_XML_PART_FAILED && failed->len == 0)
			err = gw_buf_append(failed, gw_buf_str(&t), t.len);
		if (err == GW_OK && got != GW_XML_PART_ADDED)
			err = gw_xml_merge_missing(m, p->name);
		gw_buf_deinit(&t);
	}
	return err;
}

/* Every server answered or failed: the merged XML to the caller. */
static void merge_xml(struct fan *fan)
{
	struct gw_exchange *x = fan->x;
	bool recordings = x->bbb.def == GW_BBB_CALL(getRecordings);
	struct gw_xml_merge *m =
		gw_xml_merge_new(list_key(x->bbb.def), fan->offset, recordings ? fan->limit : -1);
	struct gw_buf failed, out;
	enum gw_err err;

	gw_buf_init(&failed, x->req.cfg->bbb_max_reply_bytes + 1);
	gw_buf_init(&out, (fan->n + 1) * (x->req.cfg->bbb_max_reply_bytes + 1));
	err = m != NULL ? gather_xml(fan, m, &failed) : GW_E_NOMEM;
	if (err == GW_OK && !gw_xml_merge_any(m) && failed.len > 0)
		gw_bbb_passthrough_respond(x, gw_buf_str(&failed), failed.len);
	else if (err == GW_OK && !gw_xml_merge_any(m))
		gw_response_problem(x, GW_E_UPSTREAM_CONNECT, "No BBB server answered the list",
				    NULL);
	else if (err == GW_OK && (err = gw_xml_merge_finish(m, &out)) == GW_OK)
		gw_bbb_passthrough_respond(x, gw_buf_str(&out), out.len);
	if (err != GW_OK)
		gw_response_problem(x, err, NULL, NULL);
	gw_buf_deinit(&out);
	gw_buf_deinit(&failed);
	gw_xml_merge_free(m);
}

static void fan_end(struct fan *fan)
{
	struct gw_exchange *x = fan->x;

	if (wants_xml(x))
		merge_xml(fan);
	else
		merge(fan);
	for (size_t i = 0; i < fan->n; i++) {
		gw_upstream_call_deinit(&fan->parts[i].call);
		gw_buf_deinit(&fan->parts[i].url);
		free(fan->parts[i].body);
		if (fan->parts[i].converted)
			gw_bbb_reply_deinit(&fan->parts[i].r);
		gw_fleet_server_unref(fan->parts[i].srv);
	}
	free(fan);
	gw_bbb_calls_go_on(x);
}

/*
 * A server answered (or failed): a JSON caller's part is converted now,
 * while the slower servers are still awaited, and BBB's text freed.
 */
static void part_done(struct gw_upstream_call *call, void *arg)
{
	struct part *p = arg;

	if (!wants_xml(p->fan->x)) {
		p->converted = part_reply(p->fan->x, p, &p->r);
		gw_buf_deinit(&call->reply);
	}
	if (--p->fan->pending == 0)
		fan_end(p->fan);
}

/* Signs and sends the call to p's server; false when it did not go out. */
static bool ask(struct fan *fan, struct part *p, const char *query)
{
	struct gw_exchange *x = fan->x;
	const struct gw_config *cfg = x->req.cfg;
	const struct gw_bbb_server *c = gw_fleet_server_config(p->srv, cfg);
	struct gw_bbb_target t;

	if (c == NULL)
		return false;
	t = (struct gw_bbb_target){c->name, c->url, c->public_url, c->secret, c->checksum};
	if (gw_bbb_call_url(cfg, &t, x->bbb.def, query, &p->url) != GW_OK)
		return false;
	p->call.url = gw_buf_str(&p->url);
	p->call.lane = gw_fleet_server_lane(p->srv);
	p->call.timeout_ms = cfg->bbb_timeout_ms;
	p->call.idempotent = true;
	p->call.max_reply_bytes = cfg->bbb_max_reply_bytes;
	p->call.done = part_done;
	p->call.arg = p;
	fan->pending++;
	if (x->upstream != NULL && gw_upstream_submit(x->upstream, &p->call) == GW_OK)
		return true;
	fan->pending--;
	return false;
}

/* The servers' views follow the parts in the fan-out's one allocation. */
_Static_assert(sizeof(struct part) % _Alignof(struct gw_fleet_view) == 0 &&
		       offsetof(struct fan, parts) % _Alignof(struct gw_fleet_view) == 0,
	       "fleet views after the parts are aligned");

void gw_bbb_fan_out(struct gw_exchange *x)
{
	struct gw_fleet *f = x->req.svc->fleet;
	size_t max = gw_fleet_count(f), n, i;
	struct gw_fleet_view *v;
	struct fan *fan;
	const char *query;

	if (max > GW_MAX_SERVERS)
		max = GW_MAX_SERVERS;
	fan = calloc(1, sizeof(*fan) + max * (sizeof(struct part) + sizeof(*v)));
	x->bbb.fan = false;
	x->bbb.pending = false;
	if (fan == NULL) {
		gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
		gw_bbb_calls_go_on(x);
		return;
	}
	v = (struct gw_fleet_view *)(void *)&fan->parts[max];
	/* a reload may have added servers since the count: the first max are asked */
	n = gw_fleet_view(f, 0, v, max);
	if (n > max)
		n = max;
	fan->x = x;
	query = without_page(x, x->bbb.find_query, &fan->offset, &fan->limit);
	/* one more than the calls: nothing ends the fan-out before every call is out */
	fan->pending = 1;
	for (i = 0; i < n; i++) {
		struct part *p = &fan->parts[fan->n];

		if (v[i].state == GW_SERVER_DISABLED)
			continue;
		fan->n++;
		p->fan = fan;
		gw_str_copy(p->name, sizeof(p->name), v[i].name);
		gw_buf_init(&p->url, GW_MAX_URL_BYTES);
		gw_upstream_call_init(&p->call);
		/* an unhealthy server is skipped: its part is missing */
		if (!v[i].healthy || query == NULL ||
		    (p->srv = gw_fleet_server_named(f, v[i].name)) == NULL)
			continue;
		p->asked = ask(fan, p, query);
	}
	if (--fan->pending == 0)
		fan_end(fan);
}
