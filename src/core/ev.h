/*
 * ev.h - one entry of an event loop's epoll set.
 *
 * Whoever adds a file descriptor to a loop's epoll set (the HTTP loop,
 * the upstream pool for its sockets) stores a pointer to an embedded
 * struct gw_ev in epoll_data.ptr; the loop calls fn with the events
 * epoll reported. fn runs on the loop's thread.
 */
#ifndef GW_EV_H
#define GW_EV_H

#include <stdint.h>

struct gw_ev {
	void (*fn)(struct gw_ev *ev, uint32_t events);
};

#endif
