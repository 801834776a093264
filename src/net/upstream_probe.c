/*
 * upstream_probe.c - the blocking probe behind --healthcheck: one GET on a
 * plain easy handle, outside any pool, its body thrown away.
 */
#include "upstream.h"

#include <curl/curl.h>

static size_t probe_sink(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

enum gw_err gw_upstream_probe(const char *url, unsigned timeout_ms, long *status)
{
	CURL *e = curl_easy_init();
	CURLcode rc;

	if (e == NULL)
		return GW_E_NOMEM;
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, probe_sink);
	rc = curl_easy_perform(e);
	if (rc == CURLE_OK)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(e);
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return GW_E_UPSTREAM_TIMEOUT;
	return rc == CURLE_OK ? GW_OK : GW_E_UPSTREAM_CONNECT;
}
