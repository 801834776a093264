#include "testutil.h"

static Suite *auth_suite(void)
{
	return suite_create("auth");
}

GW_TEST_MAIN(auth_suite)
