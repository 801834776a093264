#include "testutil.h"

static Suite *log_suite(void)
{
	return suite_create("log");
}

GW_TEST_MAIN(log_suite)
