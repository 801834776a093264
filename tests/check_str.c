#include "testutil.h"

static Suite *str_suite(void)
{
	return suite_create("str");
}

GW_TEST_MAIN(str_suite)
