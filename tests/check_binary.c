#include "testutil.h"

static Suite *binary_suite(void)
{
	return suite_create("binary");
}

GW_TEST_MAIN(binary_suite)
