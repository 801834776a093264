/*
 * main.c - process entry: argv, library global initialisation before any
 * thread, signal blocking, exit status. The only exit() is here.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "config.h"
#include "gateway.h"
#include "gw_version.h"
#include "log.h"
#include "notify.h"
#include "upstream.h"
#include "xml2json.h"

static struct gw_config *load_config(const char *path)
{
	struct gw_config *cfg = NULL;
	struct gw_buf msg;

	gw_buf_init(&msg, 64 * 1024);
	if (gw_config_load(path, &cfg, &msg) != GW_OK) {
		fprintf(stderr, "%s", gw_buf_str(&msg));
		if (msg.len > 0 && gw_buf_str(&msg)[msg.len - 1] != '\n')
			fputc('\n', stderr);
		cfg = NULL;
	}
	gw_buf_deinit(&msg);
	return cfg;
}

static int run(const char *path)
{
	struct gw_config *cfg = load_config(path);
	struct gw_gateway *gw = NULL;
	int status = 1;
	int fd;

	if (cfg == NULL)
		return 1;
	fd = gw_notify_listen_fds(); /* systemd socket activation; before any thread */
	if (fd >= 0)
		gw_log_notice("using the socket passed by systemd; listen.* is ignored");
	gw_gateway_block_signals();
	if (gw_upstream_global_init() != GW_OK) {
		fprintf(stderr, "bbb-gateway: libcurl initialisation failed\n");
		goto out;
	}
	gw_xml2json_global_init();
	json_object_seed(0);
	if (gw_gateway_start(cfg, fd, &gw) == GW_OK)
		status = gw_gateway_run(gw);
	gw_upstream_global_cleanup();
	gw_xml2json_global_cleanup();
out:
	gw_config_unref(cfg);
	return status;
}

static int healthcheck(const char *url)
{
	long status = 0;
	enum gw_err err;

	if (gw_upstream_global_init() != GW_OK)
		return 1;
	err = gw_upstream_probe(url, 2000, &status);
	gw_upstream_global_cleanup();
	if (err != GW_OK || status != 200) {
		fprintf(stderr, "bbb-gateway: healthcheck %s: %s (HTTP %ld)\n", url,
			err != GW_OK ? gw_err_str(err) : "unhealthy", status);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct gw_cli cli;
	struct gw_config *cfg;

	gw_cli_parse(argc, argv, &cli);
	switch (cli.action) {
	case GW_CLI_HELP:
		gw_cli_usage();
		exit(0);
	case GW_CLI_VERSION:
		printf("bbb-gateway %s\n", GW_VERSION);
		exit(0);
	case GW_CLI_ERROR:
		exit(2);
	case GW_CLI_TOKEN_NEW:
		exit(gw_cli_token_new(&cli));
	case GW_CLI_KEY_NEW:
		exit(gw_cli_key_new(&cli));
	case GW_CLI_CHECK_CONFIG:
		cfg = load_config(cli.config_path);
		if (cfg != NULL)
			printf("%s: configuration OK\n", cli.config_path);
		gw_config_unref(cfg);
		exit(cfg != NULL ? 0 : 1);
	case GW_CLI_HEALTHCHECK:
		exit(healthcheck(cli.health_url));
	case GW_CLI_RUN:
		break;
	}
	exit(run(cli.config_path));
}
