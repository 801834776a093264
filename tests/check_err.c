#include "testutil.h"

static Suite *err_suite(void)
{
	return suite_create("err");
}

GW_TEST_MAIN(err_suite)
