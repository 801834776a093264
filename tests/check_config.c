#include "testutil.h"

static Suite *config_suite(void)
{
	return suite_create("config");
}

GW_TEST_MAIN(config_suite)
