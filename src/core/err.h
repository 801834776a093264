/*
 * err.h - the one error enum of the gateway and its HTTP mapping.
 *
 * Fallible functions return enum gw_err (GW_OK == 0). Values that reach a
 * client are mapped to a status, a stable `code` slug and a title by one
 * table in err.c.
 */
#ifndef GW_ERR_H
#define GW_ERR_H

enum gw_err {
	GW_OK = 0,
	/* internal */
	GW_E_NOMEM,
	GW_E_INTERNAL,
	GW_E_IO,
	GW_E_CONFIG,
	GW_E_TOO_LARGE, /* a capped buffer or value is over its limit */
	GW_E_PARSE,     /* malformed data (internal use) */
	/* client errors */
	GW_E_BAD_REQUEST, /* malformed JSON, wrong type, missing field */
	GW_E_BAD_PATH_PARAM,
	GW_E_UNAUTHORIZED,
	GW_E_TOKEN_INVALID,       /* 401: malformed, unsigned, bad signature or claims */
	GW_E_TOKEN_EXPIRED,       /* 401 */
	GW_E_TOKEN_NOT_YET_VALID, /* 401: nbf in the future */
	GW_E_TOKEN_REVOKED,       /* 401 */
	GW_E_FORBIDDEN,
	GW_E_MEETING_NOT_ALLOWED, /* 403: the token is bound to other meetings */
	GW_E_ROLE_NOT_ALLOWED,    /* 403: a join role above the token's */
	GW_E_CLAIM_MISMATCH,      /* 403: the body contradicts a bound claim */
	GW_E_SCOPE_EXCEEDED,      /* 403: minting more than the caller holds */
	GW_E_ORIGIN_NOT_ALLOWED,  /* 403: the browser origin is not the token's */
	GW_E_NOT_FOUND,           /* no such route */
	GW_E_METHOD_NOT_ALLOWED,
	GW_E_BODY_TOO_LARGE,
	GW_E_URI_TOO_LONG,       /* request target over the head limit */
	GW_E_HEADERS_TOO_LARGE,  /* request line + headers over limits.max_header_bytes */
	GW_E_EXPECTATION_FAILED, /* an Expect other than 100-continue */
	GW_E_UNSUPPORTED_MEDIA_TYPE,
	GW_E_RATE_LIMITED,
	GW_E_TOO_MANY_STREAMS, /* 429: events.max_streams or max_streams_per_token */
	GW_E_PARAM_DENIED,     /* 400: a parameter the tenant's policy refuses */
	GW_E_QUOTA_EXCEEDED,   /* 429: the tenant's max_meetings */
	/* BBB answered FAILED */
	GW_E_BBB_NOT_FOUND,
	GW_E_BBB_CONFLICT,
	GW_E_BBB_INVALID_INPUT,
	GW_E_BBB_FAILED,
	GW_E_BBB_CHECKSUM,
	GW_E_BBB_UNSUPPORTED, /* BBB does not know the call (HTTP 404 from BBB) */
	/* transport to BBB */
	GW_E_UPSTREAM_CONNECT,
	GW_E_UPSTREAM_TIMEOUT,
	GW_E_UPSTREAM_TOO_LARGE,
	GW_E_UPSTREAM_BAD_REPLY,
	GW_E_UPSTREAM_HTTP,
	/* gateway state */
	GW_E_UNAVAILABLE,  /* shutting down, overloaded */
	GW_E_CIRCUIT_OPEN, /* BBB failed repeatedly; calls fail fast for a while */
	GW_E__COUNT
};

/* Static description of an error; never NULL for a valid enum value. */
struct gw_err_info {
	int status;        /* HTTP status a client sees */
	const char *code;  /* stable machine-readable slug */
	const char *title; /* short human title */
};

/* The table entry for err (GW_E_INTERNAL's entry for out-of-range values). */
const struct gw_err_info *gw_err_info(enum gw_err err);

/* Short English text for logs. Never NULL. */
const char *gw_err_str(enum gw_err err);

#endif
