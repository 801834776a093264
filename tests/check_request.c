#include "testutil.h"

static Suite *request_suite(void)
{
	return suite_create("request");
}

GW_TEST_MAIN(request_suite)
