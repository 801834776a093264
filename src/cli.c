/*
 * cli.c - command-line parsing and the commands that need no running
 * gateway (help, version, token minting).
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth.h"
#include "config.h"
#include "crypto.h"
#include "gw_version.h"

void gw_cli_usage(void)
{
	printf("Usage: bbb-gateway [-c FILE]                 run the gateway\n"
	       "       bbb-gateway --check-config [-c FILE]  validate the configuration\n"
	       "       bbb-gateway token new NAME [--scopes LIST]\n"
	       "                                             mint a client token\n"
	       "       bbb-gateway key new FILE               write a random signing key\n"
	       "                                             (mode 0600; tokens_mint, issuers)\n"
	       "       bbb-gateway --healthcheck [URL]        exit 0 when URL answers 200\n"
	       "                                             (default "
	       "http://127.0.0.1:8090/healthz)\n"
	       "       bbb-gateway --version | --help\n"
	       "\n"
	       "Options:\n"
	       "  -c, --config FILE  configuration file (default %s)\n"
	       "  --scopes LIST      comma-separated scopes for `token new` (default \"*\"):\n"
	       "                     meetings:read meetings:create meetings:join meetings:end\n"
	       "                     meetings:write recordings:read recordings:write hooks\n"
	       "                     metrics meetings:passwords tokens:mint events:read *\n"
	       "\n"
	       "Environment: BBB_GATEWAY_BBB_URL and BBB_GATEWAY_BBB_SECRET override\n"
	       "bbb.url and bbb.secret.\n"
	       "Signals: SIGHUP reloads the configuration; SIGTERM/SIGINT drain and stop.\n",
	       GW_CONFIG_DEFAULT_PATH);
}

static void parse_token(int argc, char **argv, int i, struct gw_cli *cli)
{
	if (i + 1 >= argc || strcmp(argv[i], "new") != 0) {
		fprintf(stderr, "bbb-gateway: usage: bbb-gateway token new NAME [--scopes LIST]\n");
		cli->action = GW_CLI_ERROR;
		return;
	}
	cli->action = GW_CLI_TOKEN_NEW;
	cli->token_name = argv[i + 1];
	for (i += 2; i < argc; i++) {
		if (strcmp(argv[i], "--scopes") == 0 && i + 1 < argc) {
			cli->scopes = argv[++i];
		} else if (strncmp(argv[i], "--scopes=", 9) == 0) {
			cli->scopes = argv[i] + 9;
		} else {
			fprintf(stderr, "bbb-gateway: unexpected argument '%s'\n", argv[i]);
			cli->action = GW_CLI_ERROR;
			return;
		}
	}
}

void gw_cli_parse(int argc, char **argv, struct gw_cli *cli)
{
	int i;

	cli->action = GW_CLI_RUN;
	cli->config_path = GW_CONFIG_DEFAULT_PATH;
	cli->token_name = NULL;
	cli->key_path = NULL;
	cli->scopes = "*";
	cli->health_url = "http://127.0.0.1:8090/healthz";
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if ((strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) && i + 1 < argc) {
			cli->config_path = argv[++i];
		} else if (strncmp(a, "--config=", 9) == 0) {
			cli->config_path = a + 9;
		} else if (strcmp(a, "--check-config") == 0 || strcmp(a, "-n") == 0) {
			cli->action = GW_CLI_CHECK_CONFIG;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			cli->action = GW_CLI_HELP;
			return;
		} else if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
			cli->action = GW_CLI_VERSION;
			return;
		} else if (strcmp(a, "--healthcheck") == 0) {
			cli->action = GW_CLI_HEALTHCHECK;
			if (i + 1 < argc && argv[i + 1][0] != '-')
				cli->health_url = argv[++i];
		} else if (strcmp(a, "key") == 0) {
			if (i + 3 != argc || strcmp(argv[i + 1], "new") != 0) {
				fprintf(stderr, "bbb-gateway: usage: bbb-gateway key new FILE\n");
				cli->action = GW_CLI_ERROR;
				return;
			}
			cli->action = GW_CLI_KEY_NEW;
			cli->key_path = argv[i + 2];
			return;
		} else if (strcmp(a, "token") == 0) {
			parse_token(argc, argv, i + 1, cli);
			return;
		} else {
			fprintf(stderr, "bbb-gateway: unknown argument '%s' (see --help)\n", a);
			cli->action = GW_CLI_ERROR;
			return;
		}
	}
}

static bool name_ok(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++) {
		char c = s[n];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return n > 0 && n <= 64;
}

/* Checks the scope list and prints it as a libconfig array body into out. */
static bool scopes_config(const char *list, char *out, size_t outlen)
{
	char item[64];
	size_t used = 0;
	const char *p = list;

	out[0] = '\0';
	while (*p != '\0') {
		size_t n = strcspn(p, ",");
		unsigned bits;
		int w;

		if (n == 0 || n >= sizeof(item))
			return false;
		memcpy(item, p, n);
		item[n] = '\0';
		if (gw_auth_scope_parse(item, &bits) != GW_OK) {
			fprintf(stderr, "bbb-gateway: unknown scope '%s'\n", item);
			return false;
		}
		w = snprintf(out + used, outlen - used, "%s\"%s\"", used ? ", " : "", item);
		if (w < 0 || (size_t)w >= outlen - used)
			return false;
		used += (size_t)w;
		p += n;
		if (*p == ',')
			p++;
	}
	return used > 0;
}

int gw_cli_token_new(const struct gw_cli *cli)
{
	char token[GW_AUTH_TOKEN_LEN + 1];
	char hash[7 + 2 * GW_AUTH_HASH_LEN + 1];
	char scopes[512];

	if (!name_ok(cli->token_name)) {
		fprintf(stderr, "bbb-gateway: token name must be 1-64 of A-Z a-z 0-9 . _ -\n");
		return 2;
	}
	if (!scopes_config(cli->scopes, scopes, sizeof(scopes))) {
		fprintf(stderr, "bbb-gateway: --scopes needs a comma-separated list of scopes\n");
		return 2;
	}
	if (gw_auth_token_new(token, hash) != GW_OK) {
		fprintf(stderr, "bbb-gateway: no random bytes available\n");
		return 1;
	}
	printf("Token for \"%s\" (shown only now; give it to the client):\n\n  %s\n\n"
	       "Add this entry to `tokens` in the configuration, then reload (SIGHUP):\n\n"
	       "  { name = \"%s\"; hash = \"%s\"; scopes = [ %s ]; }\n",
	       cli->token_name, token, cli->token_name, hash, scopes);
	return 0;
}

int gw_cli_key_new(const struct gw_cli *cli)
{
	unsigned char raw[32];
	char text[2 * sizeof(raw) + 2];
	ssize_t w;
	int fd;
	int rc = 0;

	if (gw_crypto_random(raw, sizeof(raw)) != GW_OK) {
		fprintf(stderr, "bbb-gateway: no random bytes available\n");
		return 1;
	}
	gw_crypto_hex(raw, sizeof(raw), text);
	explicit_bzero(raw, sizeof(raw));
	text[2 * sizeof(raw)] = '\n';
	text[2 * sizeof(raw) + 1] = '\0';
	fd = open(cli->key_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		char eb[128];
		int e = errno;

		fprintf(stderr, "bbb-gateway: %s: %s%s\n", cli->key_path,
			strerror_r(e, eb, sizeof(eb)), e == EEXIST ? " (not overwritten)" : "");
		explicit_bzero(text, sizeof(text));
		return 1;
	}
	/* the umask may have narrowed the mode, never widened it; make it exactly 0600 */
	if (fchmod(fd, 0600) != 0)
		rc = 1;
	w = write(fd, text, sizeof(text) - 1);
	if (w != (ssize_t)(sizeof(text) - 1) || fsync(fd) != 0)
		rc = 1;
	if (close(fd) != 0)
		rc = 1;
	explicit_bzero(text, sizeof(text));
	if (rc != 0) {
		fprintf(stderr, "bbb-gateway: %s: could not be written\n", cli->key_path);
		unlink(cli->key_path);
		return 1;
	}
	printf("Wrote a new 256-bit key to %s (mode 0600).\n", cli->key_path);
	return 0;
}
