#include "testutil.h"

static Suite *router_suite(void)
{
	return suite_create("router");
}

GW_TEST_MAIN(router_suite)
