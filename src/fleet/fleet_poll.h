/*
 * fleet_poll.h - polls every BBB server of the fleet: at start and every
 * fleet.poll_s, getMeetings on all servers at once (one thread of its
 * own, its calls concurrent on one upstream pool of the gateway's group),
 * each reply turned into the server's health, counts and meetings
 * (gw_fleet_polled). A slow or dead server delays only its own answer,
 * never a request: no request waits on the poller.
 */
#ifndef GW_FLEET_POLL_H
#define GW_FLEET_POLL_H

#include <stddef.h>

#include "compiler.h"
#include "err.h"

struct gw_config;
struct gw_fleet;
struct gw_fleet_server;
struct gw_upstream_group;
struct gw_fleet_poller;

/*
 * The meetings of a getMeetings reply converted to JSON ({"meetings":
 * [{"meetingID", "participantCount", ...}]}): *ids and *users (malloc'd
 * arrays; ids point into *keep, which the caller frees with json_decref)
 * and their count. GW_E_PARSE when the text is not that shape.
 */
enum gw_err gw_fleet_poll_parse(const char *body_json, void **keep, const char ***ids,
				unsigned **users, size_t *n) GW_WUR;

/*
 * Starts polling f's servers with the configuration config_get(arg)
 * returns (a reference the poller drops); fleet.poll_s = 0 polls never.
 */
enum gw_err gw_fleet_poller_start(struct gw_fleet *f, struct gw_upstream_group *group,
				  struct gw_config *(*config_get)(void *arg), void *arg,
				  struct gw_fleet_poller **out) GW_WUR;

/* A round now (after a reload, or from a test). */
void gw_fleet_poller_kick(struct gw_fleet_poller *p);

/* Rounds finished so far. */
unsigned long gw_fleet_poller_rounds(struct gw_fleet_poller *p);

/* Stops the thread (calls in flight end within their timeout) and frees. NULL ok. */
void gw_fleet_poller_stop(struct gw_fleet_poller *p);

#endif
