/*
 * fuzz_fetch_policy.c - the URL check for what BBB may fetch
 * (fetch_policy.c) and the URL splitter under it (str.c). The input up to
 * the first NUL is the URL; it is also tried as an allow-list entry.
 *
 * Checks: the split's offsets stay inside the string and in order (host
 * after any user-info, port after the host, all before the authority's
 * end); the check answers the same twice; a URL with user-info, a '%' in
 * the authority or a scheme other than http(s) is never accepted, with or
 * without an allow list; whatever is accepted without a list is accepted
 * with one (a list only widens); an entry accepted by
 * gw_fetch_policy_entry_problem is usable as a list.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fetch_policy.h"
#include "fuzz.h"
#include "str.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

void fuzz_cleanup(void)
{
}

static void check_split(const char *url)
{
	struct gw_str_url u;
	size_t len = strlen(url);

	if (gw_str_url_split(url, &u) != GW_OK)
		return;
	FUZZ_CHECK(u.scheme_len > 0 && u.end <= len);
	FUZZ_CHECK(!u.has_userinfo || u.userinfo + u.userinfo_len + 1 == u.host);
	FUZZ_CHECK(u.host + u.host_len <= u.end);
	FUZZ_CHECK(!u.has_port ||
		   (u.port == u.host + u.host_len + 1 && u.port + u.port_len == u.end));
	FUZZ_CHECK(memchr(url + u.host, '@', u.end - u.host) == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *allow[] = {"10.0.0.0/8", "::/0", "0.0.0.0/0", "localhost", "a.localhost"};
	char *url = malloc(size + 1);
	struct gw_str_url u;
	const char *plain;
	const char *listed;
	bool split;

	if (url == NULL)
		return 0;
	memcpy(url, data, size);
	url[size] = '\0';
	check_split(url);
	plain = gw_fetch_policy_check(url, NULL, 0);
	FUZZ_CHECK(plain == gw_fetch_policy_check(url, NULL, 0));
	listed = gw_fetch_policy_check(url, allow, sizeof(allow) / sizeof(allow[0]));
	FUZZ_CHECK(plain != NULL || listed == NULL);
	split = gw_str_url_split(url, &u) == GW_OK;
	if (!split || u.has_userinfo || memchr(url + u.host, '%', u.end - u.host) != NULL ||
	    !((u.scheme_len == 4 && strncasecmp(url, "http", 4) == 0) ||
	      (u.scheme_len == 5 && strncasecmp(url, "https", 5) == 0)))
		FUZZ_CHECK(plain != NULL && listed != NULL);
	if (gw_fetch_policy_entry_problem(url) == NULL) {
		char *one[] = {url};

		(void)gw_fetch_policy_check("http://10.1.2.3/", one, 1);
		(void)gw_fetch_policy_check("http://[fd00::1]/", one, 1);
		(void)gw_fetch_policy_check("http://localhost./", one, 1);
	}
	free(url);
	return 0;
}
