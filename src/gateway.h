/*
 * gateway.h - the top-level object: owns the current configuration
 * snapshot, the upstream pool and the HTTP server; starts them, reloads
 * the configuration, drains and stops in reverse order. Tests create it
 * in-process.
 */
#ifndef GW_GATEWAY_H
#define GW_GATEWAY_H

#include "compiler.h"
#include "config.h"
#include "err.h"

struct gw_gateway;

/*
 * Starts a gateway with cfg (a reference is taken; the caller keeps its
 * own). listen_fd is an inherited listening socket or -1. out written on
 * success; free with gw_gateway_stop.
 */
enum gw_err gw_gateway_start(struct gw_config *cfg, int listen_fd, struct gw_gateway **out) GW_WUR;

/* The port the HTTP server is bound to. */
unsigned gw_gateway_port(const struct gw_gateway *gw);

struct gw_http_loop_stats;

/*
 * Each event loop's counters (http_server.h) into out[0..*n); *n becomes
 * the number of loops written. For tests and diagnostics.
 */
void gw_gateway_loop_stats(struct gw_gateway *gw, struct gw_http_loop_stats *out, unsigned *n);

/* A new reference to the current configuration (caller unrefs). */
struct gw_config *gw_gateway_config(struct gw_gateway *gw);

/*
 * Re-reads the config file of the current configuration. A valid one is
 * published for new requests (in-flight ones finish on the old one); an
 * invalid one is logged with file:line and the old one stays.
 */
enum gw_err gw_gateway_reload(struct gw_gateway *gw) GW_WUR;

/*
 * Stops accepting, lets in-flight requests finish within the configured
 * shutdown_timeout_ms, cancels what remains (503), stops and frees.
 * NULL is fine.
 */
void gw_gateway_stop(struct gw_gateway *gw);

/*
 * Checks now (instead of at the next events.hooks_check_s) that the
 * gateway's callback is registered with bbb-webhooks, registering it again
 * when not. Returns at once; the check runs on its own thread.
 */
void gw_gateway_check_hooks(struct gw_gateway *gw);

/*
 * Runs the signal loop on the calling thread (the signals must already be
 * blocked in every thread): SIGHUP reloads, SIGTERM/SIGINT stop. Returns
 * the process exit status after gw_gateway_stop.
 */
int gw_gateway_run(struct gw_gateway *gw);

/* Blocks SIGHUP, SIGTERM, SIGINT in the calling thread (call before any thread starts). */
void gw_gateway_block_signals(void);

#endif
