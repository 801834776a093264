/*
 * testutil.h - helpers shared by the Check suites: a main() that runs one
 * suite with TAP output, paths to test data, small HTTP client helpers.
 */
#ifndef GW_TESTUTIL_H
#define GW_TESTUTIL_H

#include <check.h>
#include <stddef.h>

/* Runs the suite; exit status 0 when every test passed. */
int gw_test_run(Suite *s);

#define GW_TEST_MAIN(suite_fn)                                                                     \
	int main(void)                                                                             \
	{                                                                                          \
		return gw_test_run(suite_fn());                                                    \
	}

/*
 * Reads tests/data/<rel> into a malloc'd NUL-terminated buffer (caller
 * frees); *len gets the size when len is not NULL. Aborts the test on error.
 */
char *gw_test_read_data(const char *rel, size_t *len);

/* Absolute path of tests/data/<rel> in a static buffer. */
const char *gw_test_data_path(const char *rel);

#endif
