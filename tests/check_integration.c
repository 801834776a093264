#include "testutil.h"

static Suite *integration_suite(void)
{
	return suite_create("integration");
}

GW_TEST_MAIN(integration_suite)
