#include "testutil.h"

static Suite *handler_meetings_suite(void)
{
	return suite_create("handler_meetings");
}

GW_TEST_MAIN(handler_meetings_suite)
