/*
 * xml2json_speed.c - conversion speed and memory of the streaming XML ->
 * JSON converter on one reply file, outside the gateway.
 *
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Isrc/core -Isrc/bbb -I/usr/include/libxml2 \
 *      bench/xml2json_speed.c build/src/libgwcore.a -lxml2 -ljansson -o /tmp/xml2json_speed
 *   /tmp/xml2json_speed FILE [REPEATS [CHUNK_BYTES]]
 *
 * Feeds the file in CHUNK_BYTES pieces (default 16384, curl's usual write
 * size) REPEATS times (default 20) and prints MB/s, then the peak RSS
 * growth of one more conversion over the process with the file loaded. Run
 * it under `valgrind --tool=callgrind` with REPEATS = 1 for instructions
 * per XML byte.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "xml2json.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long max_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static size_t convert(const char *xml, size_t len, size_t chunk)
{
	struct gw_xml2json *c;
	struct gw_bbb_reply r;
	size_t off;
	size_t out;
	enum gw_err err;

	if (gw_xml2json_new(0, len, &c) != GW_OK)
		exit(1);
	err = GW_OK;
	for (off = 0; off < len && err == GW_OK; off += chunk)
		err = gw_xml2json_feed(c, xml + off, len - off < chunk ? len - off : chunk);
	if (err == GW_OK)
		err = gw_xml2json_finish(c, &r);
	gw_xml2json_free(c);
	if (err != GW_OK) {
		fprintf(stderr, "conversion failed: %s\n", gw_err_str(err));
		exit(1);
	}
	out = r.body_len;
	gw_bbb_reply_deinit(&r);
	return out;
}

int main(int argc, char **argv)
{
	FILE *f;
	char *xml;
	long len;
	int reps = argc > 2 ? atoi(argv[2]) : 20;
	size_t chunk = argc > 3 ? (size_t)atol(argv[3]) : 16384;
	size_t out = 0;
	long rss0;
	double t0;
	double t;
	int i;

	if (argc < 2 || reps < 1 || chunk < 1) {
		fprintf(stderr, "usage: %s FILE [REPEATS [CHUNK_BYTES]]\n", argv[0]);
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) <= 0)
		return 1;
	rewind(f);
	xml = malloc((size_t)len);
	if (xml == NULL || fread(xml, 1, (size_t)len, f) != (size_t)len)
		return 1;
	fclose(f);
	memset(xml + len, 0, 0);
	gw_xml2json_global_init();
	rss0 = max_rss_kib();
	out = convert(xml, (size_t)len, chunk);
	printf("%s: %ld bytes XML -> %zu bytes JSON; peak RSS growth of one conversion %ld KiB "
	       "(%.2fx the XML)\n",
	       argv[1], len, out, max_rss_kib() - rss0,
	       (double)(max_rss_kib() - rss0) * 1024.0 / (double)len);
	t0 = now_s();
	for (i = 0; i < reps; i++)
		convert(xml, (size_t)len, chunk);
	t = (now_s() - t0) / reps;
	printf("%.3f ms per conversion, %.1f MB/s of XML (chunks of %zu bytes)\n", t * 1e3,
	       (double)len / t / 1e6, chunk);
	free(xml);
	gw_xml2json_global_cleanup();
	return 0;
}
