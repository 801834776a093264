/*
 * revoke.h - the deny list of revoked JWTs, by jti, each until a time
 * after which the token would be expired anyway. An interface, so that a
 * shared store can back it; gw_revoke_new_memory() is the in-process one
 * (bounded, thread-safe, expired entries dropped as it goes).
 */
#ifndef GW_REVOKE_H
#define GW_REVOKE_H

#include <stdbool.h>
#include <stddef.h>

#include "compiler.h"
#include "err.h"

/* The longest jti a JWT may carry (bearer.c refuses longer ones) and the list keeps. */
#define GW_REVOKE_MAX_JTI_LEN 128u

struct gw_revoke_ops {
	/* True when jti is revoked at Unix time now. */
	bool (*is_revoked)(void *impl, const char *jti, long long now);
	/*
	 * Revokes jti until Unix time until (a later until extends an entry;
	 * until <= now keeps nothing: the token is expired anyway). The
	 * verifier accepts a token until exp + auth.leeway_s, so until should
	 * be at least that.
	 * GW_E_TOO_LARGE when the list is full, GW_E_PARSE for an empty jti or
	 * one longer than GW_REVOKE_MAX_JTI_LEN, GW_E_NOMEM.
	 */
	enum gw_err (*revoke)(void *impl, const char *jti, long long until, long long now);
	void (*free)(void *impl);
};

struct gw_revoke {
	const struct gw_revoke_ops *ops;
	void *impl;
};

/*
 * An in-memory deny list of at most max_entries live entries (expired ones
 * are dropped as they are met and when it is full). Free with
 * gw_revoke_free. NULL on OOM.
 */
struct gw_revoke *gw_revoke_new_memory(size_t max_entries);

static inline bool gw_revoke_is_revoked(struct gw_revoke *r, const char *jti, long long now)
{
	return r != NULL && jti != NULL && r->ops->is_revoked(r->impl, jti, now);
}

static inline enum gw_err gw_revoke_add(struct gw_revoke *r, const char *jti, long long until,
					long long now)
{
	return r->ops->revoke(r->impl, jti, until, now);
}

/* Frees the list. NULL is fine. */
void gw_revoke_free(struct gw_revoke *r);

#endif
