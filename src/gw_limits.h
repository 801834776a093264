/*
 * gw_limits.h - every hard cap of the gateway in one place.
 *
 * Values that an operator may need to change are only defaults here; the
 * config module reads the live value and validates it against the
 * GW_MAX_* ceilings below.
 */
#ifndef GW_GW_LIMITS_H
#define GW_GW_LIMITS_H

/* Client side (defaults; configurable under `limits`). */
#define GW_DEFAULT_MAX_BODY_BYTES (64u * 1024u)
#define GW_MAX_MAX_BODY_BYTES (64u * 1024u * 1024u)
#define GW_DEFAULT_MAX_HEADER_BYTES (8u * 1024u) /* MHD keeps and zeroes this per connection */
#define GW_DEFAULT_MAX_CONNECTIONS 1000u
#define GW_DEFAULT_PER_IP_CONNECTIONS 0u
#define GW_DEFAULT_IDLE_TIMEOUT_S 30u
#define GW_DEFAULT_SHUTDOWN_TIMEOUT_MS 10000u
#define GW_DEFAULT_MAX_INFLIGHT 1024u
#define GW_DEFAULT_MAX_UPLOAD_BYTES (8u * 1024u * 1024u) /* caption uploads */

/* Upstream (defaults; configurable under `bbb`). */
#define GW_DEFAULT_BBB_TIMEOUT_MS 10000u
#define GW_DEFAULT_BBB_CONNECT_TIMEOUT_MS 2000u
#define GW_DEFAULT_BBB_MAX_REPLY_BYTES (8u * 1024u * 1024u)
#define GW_DEFAULT_BBB_MAX_CONNECTIONS 256u

/* Fixed ceilings. */
#define GW_MAX_REQUEST_ID_LEN 128u
#define GW_MAX_PATH_PARAMS 4u
#define GW_MAX_PATH_LEN 2048u
#define GW_MAX_QUERY_BYTES (16u * 1024u)  /* signed BBB query built by the gateway */
#define GW_MAX_URL_BYTES (64u * 1024u)    /* full signed BBB URL */
#define GW_MAX_TOKENS 4096u
#define GW_MAX_TOKEN_LEN 256u
#define GW_MAX_CORS_ORIGINS 256u
#define GW_MAX_FETCH_ALLOW 256u           /* bbb.fetch_allow entries */
#define GW_MAX_FETCH_HOST_LEN 255u        /* a URL host BBB may fetch: DNS names are <= 253 */
#define GW_MAX_SECRET_LEN 1024u
#define GW_MAX_METRICS_BYTES (4u * 1024u * 1024u)

/* XML -> JSON converter. */
#define GW_XML_MAX_DEPTH 32u
#define GW_XML_MAX_NODES 1000000u

#endif
