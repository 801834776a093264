/*
 * fleetfix_int.h - what fleetfix.c (the processes) and fleetfix_io.c (the
 * config text and the clients) share; private to the two.
 */
#ifndef GW_TEST_FLEETFIX_INT_H
#define GW_TEST_FLEETFIX_INT_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "fleetfix.h"

/* A process the fixture starts. */
struct fleetfix_proc {
	char name[16];      /* "bbb1", "redis", "gw1": its log is <dir>/<name>.log */
	pid_t pid;          /* 0: not running (reaped) */
	unsigned port;      /* where it listens, kept across a kill for its restart */
	char log[PATH_MAX]; /* stdout and stderr, appended by every run */
	long log_off;       /* the log's size when the current run started */
};

struct fleetfix_state {
	char dir[PATH_MAX / 2];
	bool curl; /* curl_global_init done */
	struct fleetfix_proc sim[FLEETFIX_SIMS];
	char sim_secret[FLEETFIX_SIMS][64];
	char sim_url[FLEETFIX_SIMS][64];
	struct fleetfix_proc redis;
	struct fleetfix_proc gw[FLEETFIX_GATEWAYS];
	char gw_url[FLEETFIX_GATEWAYS][32];
	char *gw_extra[FLEETFIX_GATEWAYS]; /* extra_config of the last start, malloc'd */
	char hash_all[80];                 /* the tokens' hashes, "sha256:..." */
	char hash_admin[80];
};
extern struct fleetfix_state fleetfix;

/* File path from byte off on, malloc'd ("" when it is shorter or missing). */
char *fleetfix_read_from(const char *path, long off);

/*
 * The config of a gateway listening on port (0: any) from fleetfix_opts
 * and the processes' state, then extra (may be NULL). malloc'd.
 */
char *fleetfix_gateway_config(unsigned port, const char *extra);

#endif
