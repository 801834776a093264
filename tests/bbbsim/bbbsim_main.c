/*
 * bbbsim_main.c - the bbb-sim command: runs the BBB simulator by hand or
 * from a test that needs it in another process.
 *
 *   bbb-sim [--address A] [--port N] [--secret S] [--algorithms LIST]
 *           [--bbb-version V] [--recordings FILE] [--hooks-algorithms LIST]
 *           [--domain D] [--hooks-checksum ALG] [--hooks-bearer]
 *           [--legacy-config] [--verbose]
 *
 * Defaults: 127.0.0.1, port 8080 (0 picks a free port), secret from
 * BBBSIM_SECRET (one of the two is required; "" disables checksums). It
 * prints one line "bbb-sim listening on http://A:PORT/bigbluebutton/api"
 * once it accepts connections, runs until SIGINT or SIGTERM (blocked in
 * every thread and taken with sigwait) and exits 0. Callbacks to the
 * registered bbb-webhooks hooks carry domain D (default: the address) and
 * are signed with ALG (default sha1), or with --hooks-bearer carry the
 * secret as a Bearer token.
 */
#include "bbbsim.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: bbb-sim [--address A] [--port N] [--secret S] [--algorithms LIST]\n"
		   "               [--bbb-version V] [--recordings FILE] [--hooks-algorithms "
		   "LIST]\n"
		   "               [--domain D] [--hooks-checksum ALG] [--hooks-bearer]\n"
		   "               [--legacy-config] [--verbose]\n"
		   "The secret defaults to $BBBSIM_SECRET; an empty secret disables checksums.\n"
		   "--recordings seeds getRecordings (tests/data/bbbsim/recordings.txt);\n"
		   "--legacy-config answers getDefaultConfigXML/setConfigXML as BBB < 2.4.\n"
		   "Registered hooks get bbb-webhooks callbacks (meeting-created, user-joined,\n"
		   "user-left, meeting-ended) with domain D (default: the address), signed with\n"
		   "ALG (sha1, the default, sha256, sha384 or sha512) over callbackURL + body +\n"
		   "secret, or with --hooks-bearer sent with 'Authorization: Bearer <secret>'.\n"
		   "A user leaves with GET /bigbluebutton/api/sim/leave?meetingID=M&userID=U\n"
		   "(simulator only, no checksum), or with the link on the page a join's\n"
		   "client URL shows.\n");
}

static int parse_port(const char *s, unsigned *port)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v > 65535)
		return -1;
	*port = (unsigned)v;
	return 0;
}

/* 0 on success, 1 for --help, -1 on a usage error. */
static int parse_args(int argc, char **argv, struct bbbsim_opts *o)
{
	static const struct option longopts[] = {
		{"address", required_argument, NULL, 'a'},
		{"port", required_argument, NULL, 'p'},
		{"secret", required_argument, NULL, 's'},
		{"algorithms", required_argument, NULL, 'g'},
		{"bbb-version", required_argument, NULL, 'b'},
		{"recordings", required_argument, NULL, 'r'},
		{"hooks-algorithms", required_argument, NULL, 'k'},
		{"domain", required_argument, NULL, 'd'},
		{"hooks-checksum", required_argument, NULL, 'c'},
		{"hooks-bearer", no_argument, NULL, 'e'},
		{"legacy-config", no_argument, NULL, 'l'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	for (;;) {
		c = getopt_long(argc, argv, "a:p:s:g:b:r:k:d:c:elvh", longopts, NULL);
		if (c == -1)
			break;
		switch (c) {
		case 'a':
			o->address = optarg;
			break;
		case 'p':
			if (parse_port(optarg, &o->port) != 0)
				return -1;
			break;
		case 's':
			o->secret = optarg;
			break;
		case 'g':
			o->algorithms = optarg;
			break;
		case 'b':
			o->bbb_version = optarg;
			break;
		case 'r':
			o->recordings_file = optarg;
			break;
		case 'k':
			o->hooks_algorithms = optarg;
			break;
		case 'd':
			o->domain = optarg;
			break;
		case 'c':
			o->hooks_checksum = optarg;
			break;
		case 'e':
			o->hooks_bearer = true;
			break;
		case 'l':
			o->legacy_config = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			return 1;
		default:
			return -1;
		}
	}
	return optind == argc ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct bbbsim_opts o = {.address = "127.0.0.1", .port = 8080};
	struct bbbsim *sim;
	const char *host;
	sigset_t set;
	int rc;
	int sig;

	rc = parse_args(argc, argv, &o);
	if (rc != 0) {
		usage(rc > 0 ? stdout : stderr);
		return rc > 0 ? 0 : 2;
	}
	if (o.hooks_checksum != NULL && strcmp(o.hooks_checksum, "sha1") != 0 &&
	    strcmp(o.hooks_checksum, "sha256") != 0 && strcmp(o.hooks_checksum, "sha384") != 0 &&
	    strcmp(o.hooks_checksum, "sha512") != 0) {
		fprintf(stderr, "bbb-sim: --hooks-checksum: sha1, sha256, sha384 or sha512\n");
		return 2;
	}
	if (o.secret == NULL)
		o.secret = getenv("BBBSIM_SECRET");
	if (o.secret == NULL) {
		fprintf(stderr, "bbb-sim: no secret: pass --secret or set BBBSIM_SECRET\n");
		return 2;
	}
	/* Blocked before MHD starts its threads, so only sigwait sees them. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	sim = bbbsim_start(&o);
	if (sim == NULL) {
		fprintf(stderr, "bbb-sim: cannot start on %s port %u\n", o.address, o.port);
		return 1;
	}
	host = o.address;
	printf(strchr(host, ':') != NULL ? "bbb-sim listening on http://[%s]:%u/bigbluebutton/api\n"
					 : "bbb-sim listening on http://%s:%u/bigbluebutton/api\n",
	       host, bbbsim_port(sim));
	fflush(stdout);
	do {
		rc = sigwait(&set, &sig);
	} while (rc != 0);
	bbbsim_stop(sim);
	return 0;
}
