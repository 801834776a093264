#include "testutil.h"

static Suite *upstream_suite(void)
{
	return suite_create("upstream");
}

GW_TEST_MAIN(upstream_suite)
