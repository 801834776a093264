/*
 * err.c - one table maps every gateway error to the HTTP status, the
 * problem+json `code` slug and the title a client sees.
 */
#include "err.h"

#include <stddef.h>

#include "compiler.h"

static const struct gw_err_info table[GW_E__COUNT] = {
	[GW_OK] = {200, "ok", "OK"},
	[GW_E_NOMEM] = {500, "out_of_memory", "Out of memory"},
	[GW_E_INTERNAL] = {500, "internal_error", "Internal error"},
	[GW_E_IO] = {500, "io_error", "I/O error"},
	[GW_E_CONFIG] = {500, "config_error", "Configuration error"},
	[GW_E_TOO_LARGE] = {500, "limit_exceeded", "Internal limit exceeded"},
	[GW_E_PARSE] = {500, "parse_error", "Parse error"},
	[GW_E_BAD_REQUEST] = {400, "bad_request", "Bad request"},
	[GW_E_BAD_PATH_PARAM] = {400, "bad_path_parameter", "Bad path parameter"},
	[GW_E_UNAUTHORIZED] = {401, "unauthorized", "Unauthorized"},
	[GW_E_TOKEN_INVALID] = {401, "token_invalid", "The bearer token is not valid"},
	[GW_E_TOKEN_EXPIRED] = {401, "token_expired", "The bearer token has expired"},
	[GW_E_TOKEN_NOT_YET_VALID] = {401, "token_not_yet_valid",
				      "The bearer token is not valid yet"},
	[GW_E_TOKEN_REVOKED] = {401, "token_revoked", "The bearer token was revoked"},
	[GW_E_FORBIDDEN] = {403, "forbidden", "Forbidden"},
	[GW_E_MEETING_NOT_ALLOWED] = {403, "meeting_not_allowed",
				      "The token does not allow this meeting"},
	[GW_E_ROLE_NOT_ALLOWED] = {403, "role_not_allowed", "The token does not allow this role"},
	[GW_E_CLAIM_MISMATCH] = {403, "claim_mismatch", "The request contradicts the token"},
	[GW_E_SCOPE_EXCEEDED] = {403, "scope_exceeded", "More than the caller's own rights"},
	[GW_E_ORIGIN_NOT_ALLOWED] = {403, "origin_not_allowed",
				     "Origin not allowed for this token"},
	[GW_E_NOT_FOUND] = {404, "not_found", "Not found"},
	[GW_E_METHOD_NOT_ALLOWED] = {405, "method_not_allowed", "Method not allowed"},
	[GW_E_BODY_TOO_LARGE] = {413, "body_too_large", "Request body too large"},
	[GW_E_URI_TOO_LONG] = {414, "uri_too_long", "Request target too long"},
	[GW_E_HEADERS_TOO_LARGE] = {431, "headers_too_large", "Request headers too large"},
	[GW_E_EXPECTATION_FAILED] = {417, "expectation_failed", "Expectation failed"},
	[GW_E_UNSUPPORTED_MEDIA_TYPE] = {415, "unsupported_media_type", "Unsupported media type"},
	[GW_E_RATE_LIMITED] = {429, "rate_limited", "Too many requests"},
	[GW_E_TOO_MANY_STREAMS] = {429, "too_many_streams", "Too many event streams"},
	[GW_E_PARAM_DENIED] = {400, "param_denied", "The tenant does not allow this parameter"},
	[GW_E_QUOTA_EXCEEDED] = {429, "quota_exceeded",
				 "The tenant has all the meetings it may have"},
	[GW_E_BBB_NOT_FOUND] = {404, "bbb_not_found", "Not found on the BBB server"},
	[GW_E_BBB_CONFLICT] = {409, "bbb_conflict", "Conflict on the BBB server"},
	[GW_E_BBB_INVALID_INPUT] = {400, "bbb_rejected_input", "BBB rejected the request"},
	[GW_E_BBB_FAILED] = {502, "bbb_failed", "BBB failed the request"},
	[GW_E_BBB_CHECKSUM] = {502, "bbb_checksum_error", "BBB rejected the gateway's checksum"},
	[GW_E_BBB_UNSUPPORTED] = {501, "bbb_unsupported_call",
				  "The BBB server does not support this call"},
	[GW_E_UPSTREAM_CONNECT] = {502, "upstream_unreachable", "BBB server unreachable"},
	[GW_E_UPSTREAM_TIMEOUT] = {504, "upstream_timeout", "BBB server did not answer in time"},
	[GW_E_UPSTREAM_TOO_LARGE] = {502, "upstream_reply_too_large", "BBB reply too large"},
	[GW_E_UPSTREAM_BAD_REPLY] = {502, "upstream_bad_reply", "Invalid reply from BBB"},
	[GW_E_UPSTREAM_HTTP] = {502, "upstream_http_error", "BBB answered with an HTTP error"},
	[GW_E_UNAVAILABLE] = {503, "unavailable", "Service unavailable"},
	[GW_E_CIRCUIT_OPEN] = {503, "upstream_circuit_open",
			       "BBB is failing; calls are paused for a moment"},
};

const struct gw_err_info *gw_err_info(enum gw_err err)
{
	if ((unsigned)err >= GW_ARRAY_SIZE(table) || table[err].code == NULL)
		return &table[GW_E_INTERNAL];
	return &table[err];
}

const char *gw_err_str(enum gw_err err)
{
	return gw_err_info(err)->title;
}
