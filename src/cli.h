/*
 * cli.h - the command line: option parsing, --help, --version and the
 * `token new` subcommand. main.c turns the result into actions.
 */
#ifndef GW_CLI_H
#define GW_CLI_H

#include <stdbool.h>

enum gw_cli_action {
	GW_CLI_RUN,
	GW_CLI_CHECK_CONFIG,
	GW_CLI_TOKEN_NEW,
	GW_CLI_KEY_NEW,
	GW_CLI_HELP,
	GW_CLI_VERSION,
	GW_CLI_HEALTHCHECK,
	GW_CLI_ERROR,
};

struct gw_cli {
	enum gw_cli_action action;
	const char *config_path; /* borrowed from argv */
	const char *token_name;  /* token new NAME */
	const char *key_path;    /* key new FILE */
	const char *scopes;      /* --scopes a,b (default "*") */
	const char *health_url;  /* --healthcheck URL */
};

/* Parses argv into cli. Errors are printed to stderr and give GW_CLI_ERROR. */
void gw_cli_parse(int argc, char **argv, struct gw_cli *cli);

/* Prints the usage text to stdout. */
void gw_cli_usage(void);

/*
 * `bbb-gateway token new NAME --scopes ...`: prints a new token once and
 * the config entry that holds its hash. Returns the exit status.
 */
int gw_cli_token_new(const struct gw_cli *cli);

/*
 * `bbb-gateway key new FILE`: writes 32 random bytes as 64 lowercase hex
 * characters and a newline to a new FILE created with mode 0600 (an
 * existing file is left alone: exit 1). Returns the exit status.
 */
int gw_cli_key_new(const struct gw_cli *cli);

#endif
