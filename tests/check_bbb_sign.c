#include "testutil.h"

static Suite *bbb_sign_suite(void)
{
	return suite_create("bbb_sign");
}

GW_TEST_MAIN(bbb_sign_suite)
