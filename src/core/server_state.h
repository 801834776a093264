/*
 * server_state.h - the states an operator gives a BBB server of the fleet
 * (servers[].state, PATCH /v1/servers/{name}), named once: config.h's
 * enum gw_server_state and the config key's names, the shared store's and
 * the metrics' labels all come from this list.
 */
#ifndef GW_SERVER_STATE_H
#define GW_SERVER_STATE_H

/* X(ENUM_SUFFIX, "name") for each state, in the enum's order. */
#define GW_SERVER_STATE_LIST(X)                                            \
	X(ENABLED, "enabled")   /* gets new meetings */                    \
	X(CORDONED, "cordoned") /* keeps its meetings, gets no new ones */ \
	X(DISABLED, "disabled") /* gets no calls: its meetings are unreachable until enabled */

#endif
