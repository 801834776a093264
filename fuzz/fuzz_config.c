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
 * timeout, tokens with names); GW_E_CONFIG comes with at least one
 * "path:line: ..." message line and no snapshot; nothing leaks except
 * libconfig 1.5's own leaks on some syntax errors (fuzz/lsan.supp).
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
