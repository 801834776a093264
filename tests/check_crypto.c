#include "testutil.h"

static Suite *crypto_suite(void)
{
	return suite_create("crypto");
}

GW_TEST_MAIN(crypto_suite)
