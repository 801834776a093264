#include "testutil.h"

static Suite *bbbsim_suite(void)
{
	return suite_create("bbbsim");
}

GW_TEST_MAIN(bbbsim_suite)
