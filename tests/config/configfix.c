/*
 * configfix.c - what the config suites share: the data fixtures loaded,
 * config text written as gw.conf into a temporary directory (with the key
 * and secret files it names) and loaded, the environment the loader reads
 * cleared, and checks on the loader's messages.
 */
#include "configfix.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "testutil.h"

/* ---- the fixtures of tests/data/config ---- */

struct gw_config *load_data_ok(const char *rel)
{
	struct gw_config *cfg = NULL;
	struct gw_buf msg;
	enum gw_err err;

	gw_buf_init(&msg, 64 * 1024);
	err = gw_config_load(gw_test_data_path(rel), &cfg, &msg);
	ck_assert_msg(err == GW_OK, "%s: %s\n%s", rel, gw_err_str(err), gw_buf_str(&msg));
	ck_assert_uint_eq(msg.len, 0);
	gw_buf_deinit(&msg);
	ck_assert_ptr_nonnull(cfg);
	return cfg;
}

char *load_data_fail(const char *rel)
{
	struct gw_config *cfg = NULL;
	struct gw_buf msg;
	enum gw_err err;

	gw_buf_init(&msg, 64 * 1024);
	err = gw_config_load(gw_test_data_path(rel), &cfg, &msg);
	ck_assert_int_eq(err, GW_E_CONFIG);
	ck_assert_ptr_null(cfg);
	return gw_buf_take(&msg, NULL);
}

char *load_string_fail(const char *text)
{
	struct gw_config *cfg = NULL;
	struct gw_buf msg;

	gw_buf_init(&msg, 64 * 1024);
	ck_assert_int_eq(gw_config_load_string(text, "mem.conf", &cfg, &msg), GW_E_CONFIG);
	ck_assert_ptr_null(cfg);
	return gw_buf_take(&msg, NULL);
}

/* ---- config text in the test's directory ---- */

char dir[256];

void dir_init(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/gw-config-XXXXXX", tmp != NULL ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

void dir_deinit(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

void put(const char *name, const void *data, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

void put_str(const char *name, const char *text)
{
	put(name, text, strlen(text));
}

enum gw_err load(const char *text, struct gw_config **cfg, char **msg)
{
	char path[512];
	struct gw_buf buf;
	enum gw_err err;

	put_str("gw.conf", text);
	snprintf(path, sizeof(path), "%s/gw.conf", dir);
	gw_buf_init(&buf, 64 * 1024);
	*cfg = NULL;
	err = gw_config_load(path, cfg, &buf);
	*msg = gw_buf_take(&buf, NULL);
	return err;
}

struct gw_config *load_ok(const char *text)
{
	struct gw_config *cfg;
	char *msg;
	enum gw_err err = load(text, &cfg, &msg);

	ck_assert_msg(err == GW_OK, "%s\n%s", gw_err_str(err), msg != NULL ? msg : "");
	ck_assert_ptr_nonnull(cfg);
	free(msg);
	return cfg;
}

char *load_fail(const char *text)
{
	struct gw_config *cfg;
	char *msg;

	ck_assert_int_eq(load(text, &cfg, &msg), GW_E_CONFIG);
	ck_assert_ptr_null(cfg);
	ck_assert_ptr_nonnull(msg);
	return msg;
}

/* ---- the environment and the messages ---- */

void clear_env(void)
{
	unsetenv("BBB_GATEWAY_BBB_URL");
	unsetenv("BBB_GATEWAY_BBB_SECRET");
}

void assert_has(const char *msg, const char *needle)
{
	ck_assert_msg(strstr(msg, needle) != NULL, "expected \"%s\" in:\n%s", needle, msg);
}

size_t count_lines(const char *msg)
{
	size_t n = 0;

	for (const char *p = msg; *p != '\0'; p++)
		n += *p == '\n';
	return n;
}
