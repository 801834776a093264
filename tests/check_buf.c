#include "testutil.h"

static Suite *buf_suite(void)
{
	return suite_create("buf");
}

GW_TEST_MAIN(buf_suite)
