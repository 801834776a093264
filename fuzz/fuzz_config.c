/*
 * fuzz_config.c - bytes as configuration text through
 * gw_config_load_string (libconfig's parser, then the key table's
 * validation).
 *
 * The text is named /nonexistent/bbb-gateway-fuzz/fuzz.conf, so @include
 * (which libconfig 1.5 always resolves under the include directory) and a
 * relative bbb.secret_file find nothing; stdin is /dev/null so that an
 * absolute secret_file of /dev/stdin ends at once. The environment
 * overrides are unset.
 *
 * Checks: GW_OK comes with a snapshot that holds what the loader
 * promises (URL, public URL, secret, connect timeout within the total
 * timeout, tokens with names, 1..64 servers with unique names, each
 * complete and in range, the first one's copied into bbb_url,
 * bbb_public_url and bbb_secret, a state.redis that gw_config_redis_url
 * reads); GW_E_CONFIG comes with at least one "path:line: ..." message
 * line and no snapshot; nothing leaks except libconfig 1.5's own leaks on
 * some syntax errors (fuzz/lsan.supp).
 */
#include <string.h>

#include "buf.h"
#include "config.h"
#include "fuzz.h"

#define FUZZ_CONFIG_PATH "/nonexistent/bbb-gateway-fuzz/fuzz.conf"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	unsetenv("BBB_GATEWAY_BBB_URL");
	unsetenv("BBB_GATEWAY_BBB_SECRET");
	FUZZ_CHECK(freopen("/dev/null", "r", stdin) != NULL);
	return 0;
}

void fuzz_cleanup(void)
{
}

static void check_servers(const struct gw_config *cfg)
{
	struct gw_redis_addr addr;
	enum gw_err err;

	FUZZ_CHECK(cfg->n_servers >= 1 && cfg->n_servers <= 64 && cfg->servers != NULL);
	for (size_t i = 0; i < cfg->n_servers; i++) {
		const struct gw_bbb_server *s = &cfg->servers[i];

		FUZZ_CHECK(s->name != NULL && s->name[0] != '\0');
		FUZZ_CHECK(s->url != NULL && s->url[0] != '\0');
		FUZZ_CHECK(s->public_url != NULL && s->public_url[0] != '\0');
		FUZZ_CHECK(s->secret != NULL && s->secret[0] != '\0');
		FUZZ_CHECK(s->weight > 0.0 && s->weight <= 1000.0);
		FUZZ_CHECK(s->state == GW_SERVER_ENABLED || s->state == GW_SERVER_CORDONED ||
			   s->state == GW_SERVER_DISABLED);
		FUZZ_CHECK(s->n_tags <= 16 && (s->n_tags == 0 || s->tags != NULL));
		for (size_t j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(s->name, cfg->servers[j].name) != 0);
	}
	FUZZ_CHECK(strcmp(cfg->bbb_url, cfg->servers[0].url) == 0);
	FUZZ_CHECK(strcmp(cfg->bbb_public_url, cfg->servers[0].public_url) == 0);
	FUZZ_CHECK(strcmp(cfg->bbb_secret, cfg->servers[0].secret) == 0);
	/* poll_s 0 never polls; the rest within their keys' ranges */
	FUZZ_CHECK(cfg->fleet_poll_s <= 3600 && cfg->fleet_reservation_decay_s >= 1);
	FUZZ_CHECK(cfg->fleet_max_meetings >= 1000 && cfg->state_placement_ttl_s >= 60);
	if (cfg->state_redis == NULL)
		return;
	err = gw_config_redis_url(cfg->state_redis, &addr);
	FUZZ_CHECK(err == GW_OK || err == GW_E_NOMEM);
	if (err != GW_OK)
		return;
	FUZZ_CHECK((addr.host != NULL) != (addr.unix_path != NULL));
	FUZZ_CHECK(addr.db <= GW_REDIS_MAX_DB);
	FUZZ_CHECK(addr.host == NULL || (addr.port >= 1 && addr.port <= 65535));
	gw_config_redis_addr_deinit(&addr);
}

static void check_config(const struct gw_config *cfg)
{
	size_t i;

	FUZZ_CHECK(cfg->path != NULL && strcmp(cfg->path, FUZZ_CONFIG_PATH) == 0);
	FUZZ_CHECK(cfg->bbb_url != NULL && cfg->bbb_url[0] != '\0');
	FUZZ_CHECK(cfg->bbb_public_url != NULL && cfg->bbb_public_url[0] != '\0');
	FUZZ_CHECK(cfg->bbb_secret != NULL && cfg->bbb_secret[0] != '\0');
	FUZZ_CHECK(cfg->listen_address != NULL);
	FUZZ_CHECK(cfg->bbb_connect_timeout_ms <= cfg->bbb_timeout_ms);
	FUZZ_CHECK(cfg->n_tokens == 0 || cfg->tokens != NULL);
	for (i = 0; i < cfg->n_tokens; i++) {
		FUZZ_CHECK(cfg->tokens[i].name != NULL && cfg->tokens[i].name[0] != '\0');
		FUZZ_CHECK(cfg->tokens[i].scopes != 0);
	}
	for (i = 0; i < cfg->n_cors_origins; i++)
		FUZZ_CHECK(cfg->cors_origins[i] != NULL);
	check_servers(cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct gw_config *cfg = NULL;
	struct gw_buf errmsg;
	enum gw_err err;

	FUZZ_CHECK(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';
	gw_buf_init(&errmsg, 1u << 20);
	err = gw_config_load_string(text, FUZZ_CONFIG_PATH, &cfg, &errmsg);
	if (err == GW_OK) {
		FUZZ_CHECK(cfg != NULL);
		check_config(cfg);
		gw_config_unref(cfg);
	} else {
		FUZZ_CHECK(err == GW_E_CONFIG || err == GW_E_NOMEM);
		FUZZ_CHECK(cfg == NULL);
		if (err == GW_E_CONFIG)
			FUZZ_CHECK(errmsg.len > 0 && gw_buf_str(&errmsg)[errmsg.len - 1] == '\n');
	}
	gw_buf_deinit(&errmsg);
	free(text);
	return 0;
}
