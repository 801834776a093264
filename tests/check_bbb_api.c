#include "testutil.h"

static Suite *bbb_api_suite(void)
{
	return suite_create("bbb_api");
}

GW_TEST_MAIN(bbb_api_suite)
