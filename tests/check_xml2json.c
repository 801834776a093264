#include "testutil.h"

static Suite *xml2json_suite(void)
{
	return suite_create("xml2json");
}

GW_TEST_MAIN(xml2json_suite)
