/*
 * share.c - see share.h.
 */
#include "share.h"

#include <stdlib.h>

#include "fleet_bus.h"
#include "log.h"
#include "redis.h"

struct share {
	struct gw_exchange *x;
	struct gw_share_revoke revoke;
	struct gw_share_state state;
	bool is_revoke;
	void (*answer)(struct gw_exchange *x, void *arg);
	void *arg;
};

static void not_shared(struct gw_exchange *x)
{
	gw_response_retry(x, GW_E_UNAVAILABLE, 2,
			  "Done on this gateway, but the gateways' shared state is unreachable: "
			  "repeat the request to share it");
}

static void sent(enum gw_err err, const struct gw_redis_reply *r, void *arg)
{
	struct share *sh = arg;
	struct gw_exchange *x = sh->x;

	if (gw_bus_sent(err, r)) {
		sh->answer(x, sh->arg);
	} else {
		gw_log_warn("the shared store did not take a %s: %s",
			    sh->is_revoke ? "revocation" : "server state",
			    err != GW_OK ? gw_err_str(err) : "an error reply");
		not_shared(x);
	}
	free(sh);
	gw_exchange_done(x);
}

/* The command went out with the handler; its reply completes the exchange. */
static void start(struct gw_exchange *x)
{
	(void)x;
}

void gw_share_then(struct gw_exchange *x, const struct gw_share_revoke *revoke,
		   const struct gw_share_state *state,
		   void (*answer)(struct gw_exchange *x, void *arg), void *arg)
{
	size_t maxlen = x->req.cfg->events_buffer;
	struct share *sh;
	enum gw_err err;

	if (x->redis == NULL) {
		answer(x, arg);
		return;
	}
	sh = calloc(1, sizeof(*sh));
	if (sh == NULL) {
		gw_response_problem(x, GW_E_NOMEM, NULL, NULL);
		return;
	}
	sh->x = x;
	sh->is_revoke = revoke != NULL;
	if (revoke != NULL)
		sh->revoke = *revoke;
	if (state != NULL)
		sh->state = *state;
	sh->answer = answer;
	sh->arg = arg;
	/*
	 * Sent from the handler: the reply arrives in a later turn of the loop,
	 * after the transport parked the deferred exchange.
	 */
	err = sh->is_revoke ? gw_bus_send_revoke(x->redis, maxlen, sh->revoke.jti, sh->revoke.until,
						 sent, sh)
			    : gw_bus_send_state(x->redis, maxlen, sh->state.name, sh->state.state,
						sent, sh);
	if (err != GW_OK) {
		gw_log_warn("the shared store did not take a %s: %s",
			    sh->is_revoke ? "revocation" : "server state", gw_err_str(err));
		free(sh);
		not_shared(x);
		return;
	}
	gw_exchange_defer(x, start);
}
