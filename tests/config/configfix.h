/*
 * configfix.h - what the config suites share (configfix.c): the fixtures
 * of tests/data/config and config text loaded with the loader's messages,
 * a temporary directory per test for gw.conf and the key and secret files
 * it names, the caller's BBB_GATEWAY_* variables kept out, and checks on
 * the messages.
 */
#ifndef GW_TEST_CONFIGFIX_H
#define GW_TEST_CONFIGFIX_H

#include <stddef.h>

#include "config.h"
#include "err.h"

/* bbb.url of the fixtures in tests/data/config. */
#define URL "http://127.0.0.1:8080/bigbluebutton/api"

/* Loads tests/data/<rel>, which must load without a message. Caller unrefs. */
struct gw_config *load_data_ok(const char *rel);

/* Loads tests/data/<rel>, which must fail; returns the messages (caller frees). */
char *load_data_fail(const char *rel);

/* Loads text (named "mem.conf"), which must fail; returns the messages (caller frees). */
char *load_string_fail(const char *text);

/* The test's directory (dir_init, a checked fixture's start; dir_deinit removes it and its files). */
extern char dir[256];
void dir_init(void);
void dir_deinit(void);

/* Writes len bytes of data to the file name in the test's directory. */
void put(const char *name, const void *data, size_t len);
void put_str(const char *name, const char *text);

/* Writes text as gw.conf and loads it; the messages go to *msg (caller frees). */
enum gw_err load(const char *text, struct gw_config **cfg, char **msg);

/* text as gw.conf loads (the test fails with the messages when not). Caller unrefs. */
struct gw_config *load_ok(const char *text);

/* text as gw.conf is refused; returns the messages (caller frees). */
char *load_fail(const char *text);

/* Unsets BBB_GATEWAY_BBB_URL and BBB_GATEWAY_BBB_SECRET, which the loader reads. */
void clear_env(void);

/* msg holds needle (the test fails, showing msg, when not). */
void assert_has(const char *msg, const char *needle);

/* The number of lines (messages) in msg. */
size_t count_lines(const char *msg);

#endif
