/*
 * bbb_fanout.c - a list call (getMeetings, getRecordings, hooks/list) on
 * every server of the fleet at once, merged into one reply (see
 * bbb_api_int.h). Every server that is not disabled is asked; an
 * unhealthy one is skipped. Each reply is converted as a one-server reply
 * would be (the tenant's view, passwords as the token may see them), the
 * lists are joined in configuration order, a recordings page (offset,
 * limit) is cut from the merged list (ordered by startTime, then
 * recordID), and "incomplete" names every server whose part is missing.
 * The call's finish function then gets the merged reply as if one server
 * had sent it.
 */
#include "bbb_api.h"
#include "bbb_api_int.h"

#include <stdlib.h>
#include <string.h>

#include "bbb_route.h"
#include "bbb_sign.h"
#include "config.h"
#include "fleet.h"
#include "log.h"
#include "str.h"
#include "xml2json.h"

struct part {
	struct fan *fan;
	struct gw_fleet_server *srv;
	char name[GW_FLEET_NAME_MAX + 1];
	bool asked;
	struct gw_upstream_call call;
	struct gw_buf url;
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

static int by_start(const void *a, const void *b)
{
	json_t *ra = *(json_t *const *)a, *rb = *(json_t *const *)b;
	json_int_t sa = json_integer_value(json_object_get(ra, "startTime"));
	json_int_t sb = json_integer_value(json_object_get(rb, "startTime"));
	const char *ia = json_string_value(json_object_get(ra, "recordID"));
	const char *ib = json_string_value(json_object_get(rb, "recordID"));

	if (sa != sb)
		return sa < sb ? -1 : 1;
	return strcmp(ia != NULL ? ia : "", ib != NULL ? ib : "");
}

/* Cuts the page [offset, offset + limit) from the merged recordings. */
static void cut_page(json_t *body, json_t *list, long long offset, long long limit)
{
	size_t n = json_array_size(list), i;
	json_t **items = n > 0 ? malloc(n * sizeof(*items)) : NULL;
	json_t *page = json_array();
	json_t *pagination;

	if ((n > 0 && items == NULL) || page == NULL) {
		free(items);
		json_decref(page);
		return;
	}
	for (i = 0; i < n; i++)
		items[i] = json_array_get(list, i);
	qsort(items, n, sizeof(*items), by_start);
	for (i = (size_t)offset; i < n && (long long)(i - (size_t)offset) < limit; i++)
		json_array_append(page, items[i]);
	free(items);
	/* as one server's page reads once converted */
	pagination = json_pack("{s:I, s:I, s:I}", "offset", (json_int_t)offset, "limit",
			       (json_int_t)limit, "totalElements", (json_int_t)n);
	json_object_set_new(body, "recordings", page);
	if (pagination != NULL)
		json_object_set_new(body, "pagination", pagination);
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

/* Every server answered or failed: the merged reply to the call's finish. */
static void merge(struct fan *fan)
{
	struct gw_exchange *x = fan->x;
	const char *key = list_key(x->bbb.def);
	json_t *merged = NULL, *incomplete = json_array();
	struct gw_bbb_reply failed = {0}, r;
	bool have_failed = false;

	for (size_t i = 0; i < fan->n; i++) {
		struct part *p = &fan->parts[i];
		json_t *body;

		if (!part_reply(x, p, &r)) {
			json_array_append_new(incomplete, json_string(p->name));
			continue;
		}
		if (!r.success) {
			json_array_append_new(incomplete, json_string(p->name));
			if (!have_failed)
				failed = r;
			else
				gw_bbb_reply_deinit(&r);
			have_failed = true;
			continue;
		}
		body = gw_bbb_reply_body_json(&r); /* borrowed */
		if (merged == NULL)
			merged = json_deep_copy(body);
		else if (json_is_array(json_object_get(body, key)))
			json_array_extend(json_object_get(merged, key), json_object_get(body, key));
		if (merged != NULL && !json_is_array(json_object_get(merged, key)))
			json_object_set_new(merged, key, json_array());
		gw_bbb_reply_deinit(&r);
	}
	if (merged == NULL) {
		/* no server's list: one server's refusal, or 502 */
		if (have_failed) {
			if (x->bbb.on_failed != NULL)
				x->bbb.on_failed(x, &failed);
			else
				gw_bbb_fail(x, &failed);
		} else {
			gw_response_problem(x, GW_E_UPSTREAM_CONNECT,
					    "No BBB server answered the list", NULL);
		}
		if (have_failed)
			gw_bbb_reply_deinit(&failed);
		json_decref(incomplete);
		return;
	}
	if (have_failed)
		gw_bbb_reply_deinit(&failed);
	if (json_array_size(json_object_get(merged, key)) > 0)
		json_object_del(merged, "warning"); /* noRecordings: some server has them */
	if (json_object_get(merged, "totalElements") != NULL)
		json_object_set_new(
			merged, "totalElements",
			json_integer((json_int_t)json_array_size(json_object_get(merged, key))));
	if (fan->limit >= 0 && x->bbb.def == GW_BBB_CALL(getRecordings))
		cut_page(merged, json_object_get(merged, key), fan->offset, fan->limit);
	if (json_array_size(incomplete) > 0)
		json_object_set(merged, "incomplete", incomplete);
	json_decref(incomplete);
	memset(&r, 0, sizeof(r));
	r.success = true;
	r.body = json_dumps(merged, JSON_COMPACT);
	r.body_len = r.body != NULL ? strlen(r.body) : 0;
	json_decref(merged);
	if (r.body == NULL)
		gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
	else
		x->bbb.finish(x, &r);
	gw_bbb_reply_deinit(&r);
}

static void fan_end(struct fan *fan)
{
	struct gw_exchange *x = fan->x;

	merge(fan);
	for (size_t i = 0; i < fan->n; i++) {
		gw_upstream_call_deinit(&fan->parts[i].call);
		gw_buf_deinit(&fan->parts[i].url);
		gw_fleet_server_unref(fan->parts[i].srv);
	}
	free(fan);
	gw_bbb_calls_go_on(x);
}

static void part_done(struct gw_upstream_call *call, void *arg)
{
	struct part *p = arg;

	(void)call;
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

void gw_bbb_fan_out(struct gw_exchange *x)
{
	struct gw_fleet *f = x->req.svc->fleet;
	struct gw_fleet_view *v = calloc(GW_MAX_SERVERS, sizeof(*v));
	size_t n = v != NULL ? gw_fleet_view(f, 0, v, GW_MAX_SERVERS) : 0, i;
	struct fan *fan;
	const char *query;

	if (n > GW_MAX_SERVERS)
		n = GW_MAX_SERVERS;
	fan = v != NULL ? calloc(1, sizeof(*fan) + n * sizeof(struct part)) : NULL;
	x->bbb.fan = false;
	x->bbb.pending = false;
	if (fan == NULL) {
		free(v);
		gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
		gw_bbb_calls_go_on(x);
		return;
	}
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
	free(v);
	if (--fan->pending == 0)
		fan_end(fan);
}
