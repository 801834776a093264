/*
 * config_servers.c - the BBB fleet: the servers[] entries, and the lone
 * bbb group that is a fleet of one.
 *
 * An entry's secret comes from exactly one of secret and secret_file (read
 * as bbb.secret_file is), its public_url defaults to its url without
 * user-info, as bbb.public_url does, and its checksum to bbb.checksum,
 * known only once the whole file is walked. No two entries share a name,
 * nor a URL once user-info is left out. Without a servers list, the bbb
 * group's url, public_url, secret and checksum become the one server
 * "default"; with one, those bbb keys (K_LONE_BBB) must be absent and
 * cfg->bbb_url, bbb_public_url and bbb_secret are copies of the first
 * server's. Neither a secret nor a URL (it may hold credentials) appears
 * in a message.
 */
#include "config_walk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "str.h"

#define DEFAULT_SERVER "default"

void gw_config_server_deinit(struct gw_bbb_server *s)
{
	free(s->name);
	free(s->url);
	free(s->public_url);
	gw_config_free_secret(s->secret);
	gw_config_free_strv(s->tags, s->n_tags);
	memset(s, 0, sizeof(*s));
}

bool gw_config_has_servers(const struct gw_config_ctx *c)
{
	return c->seen[gw_config_key_index("servers")] != NULL;
}

void gw_config_default_public_url(struct gw_config_ctx *c, char **public_url, const char *url)
{
	/* Credentials in a url are for curl alone, never for the join URLs browsers get. */
	if (*public_url != NULL || url == NULL)
		return;
	*public_url = gw_str_url_mask_userinfo(url, "");
	c->oom = c->oom || *public_url == NULL;
}

/* True when a and b reach one server: equal once user-info is left out (host in any case). */
static bool same_server(const char *a, const char *b)
{
	struct gw_str_url ua;
	struct gw_str_url ub;

	if (gw_str_url_split(a, &ua) != GW_OK || gw_str_url_split(b, &ub) != GW_OK)
		return strcmp(a, b) == 0;
	return ua.scheme_len == ub.scheme_len && strncmp(a, b, ua.scheme_len) == 0 &&
	       ua.host_len == ub.host_len &&
	       strncasecmp(a + ua.host, b + ub.host, ua.host_len) == 0 &&
	       strcmp(a + ua.host + ua.host_len, b + ub.host + ub.host_len) == 0;
}

/* Exactly one of servers[i].secret and servers[i].secret_file; reads the file. */
static void server_secret(struct gw_config_ctx *c, size_t i, const config_setting_t *g,
			  const config_setting_t *const *seen)
{
	const config_setting_t *inl = seen[gw_config_key_index("servers[].secret")];
	const config_setting_t *file = seen[gw_config_key_index("servers[].secret_file")];
	char name[48];

	snprintf(name, sizeof(name), "servers[%zu].secret_file", i);
	if (inl != NULL && file != NULL) {
		gw_config_problem(c, file, name, "set secret or secret_file, not both");
	} else if (file != NULL) {
		gw_config_read_secret_file(c, file, name, &c->cfg->servers[i].secret);
	} else if (inl == NULL) {
		snprintf(name, sizeof(name), "servers[%zu].secret", i);
		gw_config_problem(c, g, name, "missing: set secret or secret_file");
	}
}

void gw_config_finish_server(struct gw_config_ctx *c, size_t i, const config_setting_t *g,
			     const config_setting_t *const *seen)
{
	struct gw_bbb_server *s = c->cfg->servers;
	char name[48];

	server_secret(c, i, g, seen);
	gw_config_default_public_url(c, &s[i].public_url, s[i].url);
	for (size_t j = 0; j < i; j++) {
		if (s[i].name != NULL && s[j].name != NULL && strcmp(s[i].name, s[j].name) == 0) {
			snprintf(name, sizeof(name), "servers[%zu].name", i);
			gw_config_problem(c, seen[gw_config_key_index("servers[].name")], name,
					  "duplicate name (also servers[%zu])", j);
		}
		if (s[i].url != NULL && s[j].url != NULL && same_server(s[i].url, s[j].url)) {
			snprintf(name, sizeof(name), "servers[%zu].url", i);
			gw_config_problem(c, seen[gw_config_key_index("servers[].url")], name,
					  "the same server as servers[%zu]'s url", j);
		}
	}
}

/* *dst becomes a copy of src (a secret's old value is zeroed). */
static void copy_into(struct gw_config_ctx *c, char **dst, const char *src, bool secret)
{
	char *p = strdup(src);

	if (p == NULL) {
		c->oom = true;
		return;
	}
	if (secret)
		gw_config_free_secret(*dst);
	else
		free(*dst);
	*dst = p;
}

/* Without servers: the bbb group's url, public_url, secret and checksum are the server "default". */
static void lone_bbb(struct gw_config_ctx *c)
{
	struct gw_config *cfg = c->cfg;
	struct gw_bbb_server *s;

	/* without a URL or a secret (reported already) there is no server to make */
	if (cfg->bbb_url == NULL || cfg->bbb_public_url == NULL || cfg->bbb_secret == NULL)
		return;
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		c->oom = true;
		return;
	}
	/* Published first: gw_config_unref frees whatever it comes to hold. */
	cfg->servers = s;
	cfg->n_servers = 1;
	if (gw_config_defaults(s, GW_CONFIG_SERVERS) != GW_OK) {
		c->oom = true;
		return;
	}
	copy_into(c, &s->name, DEFAULT_SERVER, false);
	copy_into(c, &s->url, cfg->bbb_url, false);
	copy_into(c, &s->public_url, cfg->bbb_public_url, false);
	copy_into(c, &s->secret, cfg->bbb_secret, true);
	s->checksum = cfg->checksum;
}

/* With servers: the lone bbb group's keys are refused, wherever they were set. */
static void refuse_lone_bbb(struct gw_config_ctx *c)
{
	for (size_t i = 0; i < GW_CONFIG_N_KEYS; i++) {
		if ((gw_config_keys[i].flags & K_LONE_BBB) != 0 && c->seen[i] != NULL)
			gw_config_problem(c, c->seen[i], gw_config_keys[i].path,
					  "set per server in servers, not in the bbb group");
	}
}

void gw_config_finish_servers(struct gw_config_ctx *c)
{
	const config_setting_t *list = c->seen[gw_config_key_index("servers")];
	struct gw_config *cfg = c->cfg;
	const struct gw_bbb_server *first = cfg->servers;

	if (list == NULL) {
		lone_bbb(c);
		return;
	}
	refuse_lone_bbb(c);
	/* a list of another shape was reported by the walk */
	if ((config_setting_is_list(list) || config_setting_is_array(list)) &&
	    config_setting_length(list) == 0)
		gw_config_problem(c, list, "servers",
				  "lists no server: list at least one, or leave servers out and "
				  "set bbb.url");
	for (size_t i = 0; i < cfg->n_servers; i++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);

		if (config_setting_get_member(g, "checksum") == NULL)
			cfg->servers[i].checksum = cfg->checksum;
	}
	/* an entry without these was reported by its walk */
	if (cfg->n_servers == 0 || first->url == NULL || first->public_url == NULL ||
	    first->secret == NULL)
		return;
	copy_into(c, &cfg->bbb_url, first->url, false);
	copy_into(c, &cfg->bbb_public_url, first->public_url, false);
	copy_into(c, &cfg->bbb_secret, first->secret, true);
}
