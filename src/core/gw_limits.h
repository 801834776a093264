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
#define GW_DEFAULT_PER_IP_CONNECTIONS 64u /* 0 behind a reverse proxy */
#define GW_DEFAULT_CONNECTION_RESERVE \
	64u /* slow connections make room for new ones past max - this */
#define GW_DEFAULT_IDLE_TIMEOUT_S 30u
#define GW_DEFAULT_HEADER_TIMEOUT_S 10u /* request line + headers */
/*
 * Of a connection's memory (limits.max_header_bytes), what a request head
 * may not use: the response head shares it. Our headers (security, CORS,
 * request id, Location, Retry-After) take about 1 KiB; MHD may still hold
 * one read increment of an early body.
 */
#define GW_HTTP_RESPONSE_RESERVE (2u * 1024u)
#define GW_DEFAULT_SHUTDOWN_TIMEOUT_MS 10000u
#define GW_DEFAULT_MAX_INFLIGHT 1024u
#define GW_DEFAULT_READYZ_CACHE_MS 1000u
#define GW_DEFAULT_MAX_UPLOAD_BYTES (8u * 1024u * 1024u) /* caption uploads */

/* Upstream (defaults; configurable under `bbb`). */
#define GW_DEFAULT_BBB_TIMEOUT_MS 10000u
#define GW_DEFAULT_BBB_CONNECT_TIMEOUT_MS 2000u
#define GW_DEFAULT_BBB_MAX_REPLY_BYTES (64u * 1024u * 1024u)
#define GW_DEFAULT_BBB_MAX_CONNECTIONS 256u

/* Redis (defaults of struct gw_redis_opts, redis.h). */
#define GW_DEFAULT_REDIS_PORT 6379u
#define GW_DEFAULT_REDIS_CONNECT_TIMEOUT_MS 1000u /* connect, AUTH and SELECT */
#define GW_DEFAULT_REDIS_COMMAND_TIMEOUT_MS 1000u
#define GW_DEFAULT_REDIS_MAX_PENDING 1024u /* commands in flight on one event loop's client */
#define GW_BUS_START_WAIT_MS 3000u         /* a start waits this long for the shared state */

/* Fixed ceilings. */
#define GW_MAX_EVENT_TYPES 32u /* live event types the counters have room for */
#define GW_MAX_REQUEST_ID_LEN 128u
#define GW_MAX_PATH_PARAMS 4u
#define GW_MAX_PATH_LEN 2048u
#define GW_MAX_QUERY_BYTES (16u * 1024u) /* signed BBB query built by the gateway */
#define GW_MAX_URL_BYTES (64u * 1024u)   /* full signed BBB URL */
/*
 * An exchange's arena (request.h) holds its request head three times over
 * at most (path, raw and decoded query, header copies; all within
 * limits.max_header_bytes), the signed URLs of its BBB calls (a handler
 * chains two at most; each one is kept) and small strings: response
 * headers, path parameters, BBB's messageKey.
 */
#define GW_EXCHANGE_ARENA_URLS 4u
#define GW_EXCHANGE_ARENA_SLACK (16u * 1024u)
#define GW_MAX_TOKENS 4096u
#define GW_MAX_ISSUERS 64u                  /* issuers[] entries (keys) */
#define GW_MAX_TENANTS 256u                 /* tenants[] entries */
#define GW_MAX_SERVERS 64u                  /* servers[] entries: the BBB fleet */
#define GW_MAX_SERVER_TAGS 16u              /* servers[].tags */
#define GW_MAX_TENANT_PARAMS 64u            /* parameters in one create policy list */
#define GW_MAX_TENANT_PREFIX_LEN 32u        /* tenants[].meeting_prefix */
#define GW_MAX_KEY_FILE_BYTES (64u * 1024u) /* an issuer's or the minting key's file */
#define GW_MAX_TOKEN_LEN 256u
#define GW_MAX_CORS_ORIGINS 256u
#define GW_MAX_FETCH_ALLOW 256u    /* bbb.fetch_allow entries */
#define GW_MAX_FETCH_HOST_LEN 255u /* a URL host BBB may fetch: DNS names are <= 253 */
#define GW_MAX_SECRET_LEN 1024u
#define GW_MAX_METRICS_BYTES (4u * 1024u * 1024u)

/* XML -> JSON converter. */
#define GW_XML_MAX_DEPTH 32u
#define GW_XML_MAX_NODES 1000000u
/*
 * Attributes (namespace declarations included) on one element. BBB's widest
 * element is <image width height alt> (3); <error key message> has 2. 32 is
 * ten times that, and libxml2 2.9.14 handles attributes in quadratic time
 * (60,000 on one element: seconds; 300,000: minutes), so a reply past the
 * cap is refused before libxml2 sees it.
 */
#define GW_XML_MAX_ATTRIBUTES 32u

#endif
