/*
 * bbb_passthrough.c - BBB's replies passed on as BBB wrote them, for the
 * BBB-compatible API (gw_bbb_req.facade) and a tenant's raw XML: the XML
 * rewritten for the exchange's tenant while it arrives (xml_tenant.h),
 * never parsed or converted; the envelope a finish function needs read
 * off the text.
 */
#include "bbb_api_int.h"

#include <stdlib.h>
#include <string.h>

#include "bbb_api.h"
#include "bbb_route.h"
#include "bbb_reply.h"
#include "config.h"
#include "fleet.h"
#include "xml_tenant.h"

/* The BBB-compatible API's reply in progress: BBB's XML rewritten for the tenant. */
struct facade_stream {
	struct gw_xml_tenant *rw; /* NULL: no tenant, passed as it is */
	struct gw_buf out;
};

static void facade_stream_free(void *stream)
{
	struct facade_stream *f = stream;

	if (f == NULL)
		return;
	gw_xml_tenant_free(f->rw);
	gw_buf_deinit(&f->out);
	free(f);
}

static enum gw_err facade_out(void *arg, const char *p, size_t n)
{
	struct facade_stream *f = arg;

	return gw_buf_append(&f->out, p, n);
}

static enum gw_err buf_out(void *arg, const char *p, size_t n)
{
	return gw_buf_append(arg, p, n);
}

/* A rewrite of a reply of at most max bytes for x's tenant; NULL on OOM. */
static struct facade_stream *facade_stream_new(struct gw_exchange *x, size_t max)
{
	struct facade_stream *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return NULL;
	/* the prefix only removes bytes: the rewrite is never longer than the reply */
	gw_buf_init(&f->out, max);
	if (x->req.tenant != NULL &&
	    gw_xml_tenant_new(x->req.tenant->prefix, max, &f->rw) != GW_OK) {
		facade_stream_free(f);
		return NULL;
	}
	return f;
}

static bool facade_begin(void *arg, long status, const char *content_type)
{
	struct gw_exchange *x = arg;

	gw_bbb_drop_stream(x);
	if (status != 200 || !gw_bbb_xml_type(content_type))
		return false;
	x->bbb.stream = facade_stream_new(x, x->up.reply.max);
	return x->bbb.stream != NULL;
}

/* The next n bytes of the reply, rewritten (or kept as they are without a tenant). */
static enum gw_err pass(struct facade_stream *f, const char *p, size_t n)
{
	if (f->rw == NULL)
		return gw_buf_append(&f->out, p, n);
	return gw_xml_tenant_feed(f->rw, p, n, facade_out, f);
}

static enum gw_err facade_data(void *arg, const char *p, size_t n)
{
	struct gw_exchange *x = arg;

	return pass(x->bbb.stream, p, n);
}

static void facade_reset(void *arg)
{
	gw_bbb_drop_stream(arg);
}

const struct gw_upstream_sink *gw_bbb_passthrough_sink(struct gw_exchange *x)
{
	x->bbb.sink.begin = facade_begin;
	x->bbb.sink.data = facade_data;
	x->bbb.sink.reset = facade_reset;
	x->bbb.sink.arg = x;
	x->bbb.stream_free = facade_stream_free;
	return &x->bbb.sink;
}

/* The first text of element name in xml (a copy in the arena), or NULL. */
static char *element_text(struct gw_exchange *x, const char *xml, const char *open,
			  const char *close)
{
	const char *a = strstr(xml, open);
	const char *b = a != NULL ? strstr(a, close) : NULL;

	if (b == NULL)
		return NULL;
	a += strlen(open);
	return gw_arena_strndup(&x->arena, a, (size_t)(b - a));
}

/*
 * A fleet's hook: the reply's first hookID becomes "<server>:<id>" (as the
 * merged hooks/list and hooks/destroy name it). Text work: bbb-webhooks
 * writes <hookID>n</hookID>.
 */
static enum gw_err qualify_hook_id(struct gw_exchange *x, struct gw_buf *out)
{
	const char *server = gw_bbb_server_name(x);
	const char *text = gw_buf_str(out);
	const char *at = strstr(text, "<hookID>");
	const char *end = at != NULL ? strstr(at, "</hookID>") : NULL;
	char own[64], both[GW_FLEET_NAME_MAX + sizeof(own) + 1];
	struct gw_buf q;
	enum gw_err err;
	size_t head;

	if (x->bbb.def != GW_BBB_CALL(hooks_create) || x->req.cfg->n_servers <= 1 ||
	    server == NULL || end == NULL || (size_t)(end - at) - 8 >= sizeof(own))
		return GW_OK;
	head = (size_t)(at - text) + 8;
	memcpy(own, at + 8, (size_t)(end - at) - 8);
	own[(size_t)(end - at) - 8] = '\0';
	gw_bbb_hook_id(server, own, both, sizeof(both));
	gw_buf_init(&q, out->max);
	err = gw_buf_append(&q, text, head);
	if (err == GW_OK)
		err = gw_buf_append_str(&q, both);
	if (err == GW_OK)
		err = gw_buf_append(&q, end, out->len - (size_t)(end - text));
	if (err == GW_OK) {
		gw_buf_deinit(out);
		*out = q;
	} else {
		gw_buf_deinit(&q);
	}
	return err;
}

enum gw_err gw_bbb_passthrough_rewrite(struct gw_exchange *x, const char *xml, size_t len,
				       struct gw_buf *out)
{
	struct gw_xml_tenant *rw = NULL;
	enum gw_err err;

	if (x->req.tenant == NULL)
		return gw_buf_append(out, xml, len);
	err = gw_xml_tenant_new(x->req.tenant->prefix, len + 1, &rw);
	if (err == GW_OK)
		err = gw_xml_tenant_feed(rw, xml, len, buf_out, out);
	if (err == GW_OK)
		err = gw_xml_tenant_finish(rw, buf_out, out);
	gw_xml_tenant_free(rw);
	return err;
}

void gw_bbb_passthrough_respond(struct gw_exchange *x, const char *xml, size_t len)
{
	struct gw_bbb_reply reply = {0};

	if (!x->bbb.facade) {
		gw_response_raw(x, 200, "application/xml; charset=utf-8", xml, len);
		return;
	}
	gw_response_raw(x, 200, "text/xml; charset=utf-8", xml, len);
	if (x->bbb.finish != NULL) {
		reply.success = strstr(xml, "<returncode>SUCCESS</returncode>") != NULL;
		reply.message_key = element_text(x, xml, "<messageKey>", "</messageKey>");
		x->bbb.finish(x, &reply);
	}
}

void gw_bbb_passthrough_complete(struct gw_exchange *x)
{
	struct gw_upstream_call *up = &x->up;
	struct facade_stream *f = x->bbb.stream;
	enum gw_err err = GW_OK;
	bool json = !gw_bbb_xml_type(up->reply_content_type);

	x->bbb.stream = NULL;
	if (json) {
		facade_stream_free(f);
		gw_response_raw(x, 200, "application/json; charset=utf-8", gw_buf_str(&up->reply),
				up->reply.len);
		return;
	}
	if (f == NULL) {
		f = facade_stream_new(x, up->reply.max);
		err = f == NULL ? GW_E_NOMEM : pass(f, gw_buf_str(&up->reply), up->reply.len);
	}
	if (err == GW_OK && f->rw != NULL)
		err = gw_xml_tenant_finish(f->rw, facade_out, f);
	if (err == GW_OK)
		err = qualify_hook_id(x, &f->out);
	if (err != GW_OK) {
		facade_stream_free(f);
		gw_bbb_reply_refused(x, err);
		return;
	}
	gw_bbb_passthrough_respond(x, gw_buf_str(&f->out), f->out.len);
	facade_stream_free(f);
}
