/*
 * check_config_servers.c - the BBB fleet in the config: servers[] entries
 * (every member and its default, the secret from a file), the fleet and
 * state groups, the lone bbb group as the server "default", servers[0]
 * copied into bbb_url/bbb_public_url/bbb_secret, what is refused with a
 * message naming the key (and never a secret, a server's URL credentials
 * or the Redis password), which keys a reload can change, and the Redis
 * URL parser gw_config_redis_url.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "configfix.h"
#include "gw_limits.h"
#include "testutil.h"

#define URL1 "https://bbb1.example.org/bigbluebutton/api"
#define URL2 "https://bbb2.example.org/bigbluebutton/api"
/* Secrets and passwords: none of them may appear in a message. */
#define SECRET1 "srv1-secret-0123456789abcdef"
#define SECRET2 "srv2-secret-fedcba9876543210"
#define FILE_SECRET "file-secret-0123456789abcdef"
#define URL_PW "UrlPw-0123xyz"
#define REDIS_PW "RedisPw-0123xyz"
#define BBB_SECRET "bbb-secret-0123456789"

#define S1 "{ name = \"bbb1\"; url = \"" URL1 "\"; secret = \"" SECRET1 "\"; }"
#define S2 "{ name = \"bbb2\"; url = \"" URL2 "\"; secret = \"" SECRET2 "\"; }"
#define BBB "bbb = { url = \"" URL1 "\"; secret = \"" BBB_SECRET "\"; };\n"
/* The longest label: 64 characters. */
#define LABEL_64 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._"

static void setup(void)
{
	clear_env();
	dir_init();
	put_str("bbb2.secret", FILE_SECRET " \n\n");
	put_str("bad.secret", "has a space " FILE_SECRET "\n");
}

static void teardown(void)
{
	dir_deinit();
	clear_env();
}

static void assert_no_secret(const char *msg)
{
	static const char *const secrets[] = {SECRET1, SECRET2,  FILE_SECRET,
					      URL_PW,  REDIS_PW, BBB_SECRET};

	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		ck_assert_msg(strstr(msg, secrets[i]) == NULL, "\"%s\" in:\n%s", secrets[i], msg);
}

/* text is refused with a message holding want, and no secret. */
static void assert_refused(const char *text, const char *want)
{
	char *msg = load_fail(text);

	assert_has(msg, want);
	assert_no_secret(msg);
	free(msg);
}

START_TEST(test_config_servers_all_members)
{
	struct gw_config *cfg = load_ok(
		"bbb = { checksum = \"sha1\"; timeout_ms = 5000; };\n"
		"servers = (\n"
		"  { name = \"bbb1\"; url = \"https://gw:" URL_PW "@bbb1.example.org/api/\";\n"
		"    public_url = \"https://join1.example.org/api/\"; secret = \"" SECRET1 "\";\n"
		"    checksum = \"sha512\"; weight = 2.5; state = \"cordoned\";\n"
		"    tags = [ \"eu\", \"big-rooms_2.x\" ]; },\n"
		"  { name = \"bbb2\"; url = \"" URL2 "\"; secret_file = \"bbb2.secret\";\n"
		"    weight = 3; state = \"disabled\"; }\n"
		");\n"
		"fleet = { poll_s = 10; reservation_seats = 0; reservation_decay_s = 60;\n"
		"  meeting_weight = 0; };\n"
		"state = { redis = \"redis://:" REDIS_PW "@127.0.0.1:6380/2\"; };\n");
	const struct gw_bbb_server *s = cfg->servers;

	ck_assert_uint_eq(cfg->n_servers, 2);
	ck_assert_str_eq(s[0].name, "bbb1");
	ck_assert_str_eq(s[0].url, "https://gw:" URL_PW "@bbb1.example.org/api");
	ck_assert_str_eq(s[0].public_url, "https://join1.example.org/api");
	ck_assert_str_eq(s[0].secret, SECRET1);
	ck_assert_int_eq(s[0].checksum, GW_DIGEST_SHA512);
	ck_assert_double_eq(s[0].weight, 2.5);
	ck_assert_int_eq(s[0].state, GW_SERVER_CORDONED);
	ck_assert_uint_eq(s[0].n_tags, 2);
	ck_assert_str_eq(s[0].tags[0], "eu");
	ck_assert_str_eq(s[0].tags[1], "big-rooms_2.x");
	ck_assert_str_eq(s[1].name, "bbb2");
	ck_assert_str_eq(s[1].secret, FILE_SECRET);      /* trailing whitespace dropped */
	ck_assert_int_eq(s[1].checksum, GW_DIGEST_SHA1); /* bbb.checksum */
	ck_assert_double_eq(s[1].weight, 3.0);
	ck_assert_int_eq(s[1].state, GW_SERVER_DISABLED);
	ck_assert_uint_eq(cfg->fleet_poll_s, 10);
	ck_assert_uint_eq(cfg->fleet_reservation_seats, 0);
	ck_assert_uint_eq(cfg->fleet_reservation_decay_s, 60);
	ck_assert_uint_eq(cfg->fleet_meeting_weight, 0);
	ck_assert_str_eq(cfg->state_redis, "redis://:" REDIS_PW "@127.0.0.1:6380/2");
	/* bbb_url, bbb_public_url and bbb_secret are copies of the first server's */
	ck_assert_str_eq(cfg->bbb_url, s[0].url);
	ck_assert_str_eq(cfg->bbb_public_url, s[0].public_url);
	ck_assert_str_eq(cfg->bbb_secret, s[0].secret);
	ck_assert_ptr_ne(cfg->bbb_url, s[0].url);
	ck_assert_ptr_ne(cfg->bbb_secret, s[0].secret);
	ck_assert_int_eq(cfg->checksum, GW_DIGEST_SHA1); /* stays bbb.checksum */
	ck_assert_uint_eq(cfg->bbb_timeout_ms, 5000);
	gw_config_unref(cfg);
}
END_TEST

START_TEST(test_config_servers_defaults)
{
	struct gw_config *cfg = load_ok("servers = ( { name = \"a\"; url = \"http://u:" URL_PW
					"@10.0.0.1/bigbluebutton/api\";\n"
					"  secret = \"" SECRET1 "\"; } );\n");
	const struct gw_bbb_server *s = cfg->servers;

	ck_assert_uint_eq(cfg->n_servers, 1);
	ck_assert_str_eq(s->public_url, "http://10.0.0.1/bigbluebutton/api");
	ck_assert_int_eq(s->checksum, GW_DIGEST_SHA256);
	ck_assert_double_eq(s->weight, 1.0);
	ck_assert_int_eq(s->state, GW_SERVER_ENABLED);
	ck_assert_uint_eq(s->n_tags, 0);
	ck_assert_uint_eq(cfg->fleet_poll_s, 5);
	ck_assert_uint_eq(cfg->fleet_reservation_seats, 15);
	ck_assert_uint_eq(cfg->fleet_reservation_decay_s, 1800);
	ck_assert_uint_eq(cfg->fleet_meeting_weight, 5);
	ck_assert_ptr_null(cfg->state_redis);
	ck_assert_str_eq(cfg->bbb_public_url, "http://10.0.0.1/bigbluebutton/api");
	ck_assert_int_eq(cfg->checksum, GW_DIGEST_SHA256);
	gw_config_unref(cfg);
}
END_TEST

START_TEST(test_config_servers_new_defaults)
{
	struct gw_config *cfg = gw_config_new_defaults();

	ck_assert_ptr_nonnull(cfg);
	ck_assert_ptr_null(cfg->servers);
	ck_assert_uint_eq(cfg->n_servers, 0);
	ck_assert_uint_eq(cfg->fleet_poll_s, 5);
	ck_assert_uint_eq(cfg->fleet_reservation_seats, 15);
	ck_assert_uint_eq(cfg->fleet_reservation_decay_s, 1800);
	ck_assert_uint_eq(cfg->fleet_meeting_weight, 5);
	ck_assert_ptr_null(cfg->state_redis);
	gw_config_unref(cfg);
}
END_TEST

static void assert_default_server(const struct gw_config *cfg)
{
	const struct gw_bbb_server *s = cfg->servers;

	ck_assert_uint_eq(cfg->n_servers, 1);
	ck_assert_str_eq(s->name, "default");
	ck_assert_str_eq(s->url, cfg->bbb_url);
	ck_assert_str_eq(s->public_url, cfg->bbb_public_url);
	ck_assert_str_eq(s->secret, cfg->bbb_secret);
	ck_assert_int_eq(s->checksum, cfg->checksum);
	ck_assert_double_eq(s->weight, 1.0);
	ck_assert_int_eq(s->state, GW_SERVER_ENABLED);
	ck_assert_uint_eq(s->n_tags, 0);
	ck_assert_ptr_null(s->tags);
	/* deep copies: the config frees both */
	ck_assert_ptr_ne(s->url, cfg->bbb_url);
	ck_assert_ptr_ne(s->public_url, cfg->bbb_public_url);
	ck_assert_ptr_ne(s->secret, cfg->bbb_secret);
}

START_TEST(test_config_servers_lone_bbb)
{
	struct gw_config *cfg = load_ok(BBB);

	assert_default_server(cfg);
	ck_assert_str_eq(cfg->servers[0].url, URL1);
	ck_assert_str_eq(cfg->servers[0].public_url, URL1);
	ck_assert_str_eq(cfg->servers[0].secret, BBB_SECRET);
	ck_assert_int_eq(cfg->servers[0].checksum, GW_DIGEST_SHA256);
	gw_config_unref(cfg);
	cfg = load_ok("bbb = { url = \"https://u:" URL_PW "@bbb.internal/api\";\n"
		      "  secret_file = \"bbb2.secret\"; checksum = \"sha384\"; };\n");
	assert_default_server(cfg);
	ck_assert_str_eq(cfg->servers[0].public_url, "https://bbb.internal/api");
	ck_assert_str_eq(cfg->servers[0].secret, FILE_SECRET);
	ck_assert_int_eq(cfg->servers[0].checksum, GW_DIGEST_SHA384);
	gw_config_unref(cfg);
	cfg = load_ok("bbb = { url = \"" URL1 "\"; public_url = \"https://join.example.org/api\";\n"
		      "  secret = \"" BBB_SECRET "\"; };\n");
	assert_default_server(cfg);
	ck_assert_str_eq(cfg->servers[0].public_url, "https://join.example.org/api");
	gw_config_unref(cfg);
	/* the environment's URL and secret make the default server too */
	ck_assert_int_eq(setenv("BBB_GATEWAY_BBB_URL", URL2, 1), 0);
	ck_assert_int_eq(setenv("BBB_GATEWAY_BBB_SECRET", SECRET2, 1), 0);
	cfg = load_ok("log = { level = \"info\"; };\n");
	assert_default_server(cfg);
	ck_assert_str_eq(cfg->servers[0].url, URL2);
	ck_assert_str_eq(cfg->servers[0].secret, SECRET2);
	gw_config_unref(cfg);
}
END_TEST

/* Each value accepted at the edges of its range. */
START_TEST(test_config_servers_ranges_accepted)
{
	struct gw_config *cfg = load_ok(
		"servers = ( { name = \"a\"; url = \"" URL1 "\"; secret = \"" SECRET1 "\"; weight "
		"= 0.001; "
		"},\n"
		"  { name = \"b\"; url = \"" URL2 "\"; secret = \"" SECRET2 "\"; weight = 1000; "
		"tags = [ \"t1\", "
		"\"t2\", \"t3\", "
		"\"t4\", \"t5\", "
		"\"t6\", \"t7\", \"t8\", \"t9\", \"t10\", \"t11\", \"t12\", \"t13\", "
		"\"t14\", \"t15\", \"" LABEL_64 "\" ]; } );\n"
		"fleet = { poll_s = 3600; reservation_seats = 10000; "
		"reservation_decay_s = 86400; meeting_weight = 10000; };\n");

	ck_assert_double_eq(cfg->servers[0].weight, 0.001);
	ck_assert_double_eq(cfg->servers[1].weight, 1000.0);
	ck_assert_uint_eq(cfg->servers[1].n_tags, GW_MAX_SERVER_TAGS);
	ck_assert_uint_eq(cfg->fleet_poll_s, 3600);
	ck_assert_uint_eq(cfg->fleet_reservation_seats, 10000);
	ck_assert_uint_eq(cfg->fleet_reservation_decay_s, 86400);
	ck_assert_uint_eq(cfg->fleet_meeting_weight, 10000);
	gw_config_unref(cfg);
	cfg = load_ok(BBB "fleet = { poll_s = 1; reservation_decay_s = 1; };\n");
	ck_assert_uint_eq(cfg->fleet_poll_s, 1);
	ck_assert_uint_eq(cfg->fleet_reservation_decay_s, 1);
	gw_config_unref(cfg);
	/* 0: never polled */
	cfg = load_ok(BBB "fleet = { poll_s = 0; };\n");
	ck_assert_uint_eq(cfg->fleet_poll_s, 0);
	gw_config_unref(cfg);
}
END_TEST

/* A server entry with the given extra members (after name, url and secret). */
#define ONE(extra)                                                                               \
	"servers = ( { name = \"a\"; url = \"" URL1 "\"; secret = \"" SECRET1 "\"; " extra " } " \
	");\n"

static const struct {
	const char *text;
	const char *want;
} refused[] = {
	{"fleet = { poll_s = 3601; };\n" ONE(""), "gw.conf:1: fleet.poll_s: 3601 is out of range "
						  "(0..3600)"},
	{"fleet = { reservation_seats = 10001; };\n" ONE(""), "fleet.reservation_seats: 10001 is "
							      "out of range (0..10000)"},
	{"fleet = { reservation_seats = -1; };\n" ONE(""), "fleet.reservation_seats: -1 is out"},
	{"fleet = { reservation_decay_s = 0; };\n" ONE(""), "fleet.reservation_decay_s: 0 is out "
							    "of range (1..86400)"},
	{"fleet = { reservation_decay_s = 86401; };\n" ONE(""), "fleet.reservation_decay_s: 86401"},
	{"fleet = { meeting_weight = 10001; };\n" ONE(""), "fleet.meeting_weight: 10001 is out of "
							   "range (0..10000)"},
	{"fleet = { poll_s = \"5\"; };\n" ONE(""), "fleet.poll_s: expected an integer"},
	{"fleet = { colour = 1; };\n" ONE(""), "fleet.colour: unknown key"},
	{"state = { colour = 1; };\n" ONE(""), "state.colour: unknown key"},
	{ONE("weight = 0;"), "gw.conf:1: servers[0].weight: must be more than 0 (up to 1000)"},
	{ONE("weight = 0.0;"), "servers[0].weight: must be more than 0"},
	{ONE("weight = -1;"), "servers[0].weight: -1 is out of range"},
	{ONE("weight = 1000.5;"), "servers[0].weight: 1000.5 is out of range (0..1000)"},
	{ONE("weight = \"1\";"), "servers[0].weight: expected a number"},
	{ONE("state = \"drained\";"), "servers[0].state: must be one of enabled, cordoned, "
				      "disabled"},
	{ONE("checksum = \"md5\";"), "servers[0].checksum: must be one of sha1"},
	{ONE("tags = [ \"eu west\" ];"), "servers[0].tags[0]: must be 1 to 64 characters from A-Z "
					 "a-z 0-9 . _ -"},
	{ONE("tags = [ \"\" ];"), "servers[0].tags[0]: must be 1 to 64"},
	{ONE("tags = [ \"" LABEL_64 "x\" ];"), "servers[0].tags[0]: must be 1 to 64"},
	{ONE("tags = [ 1 ];"), "servers[0].tags[0]: expected a string"},
	{ONE("tags = \"eu\";"), "servers[0].tags: expected an array of at most 16 tags"},
	{ONE("tags = [ \"1\", \"2\", \"3\", \"4\", \"5\", \"6\", \"7\", \"8\", \"9\", \"10\", "
	     "\"11\", \"12\", \"13\", \"14\", \"15\", \"16\", \"17\" ];"),
	 "servers[0].tags: expected an array of at most 16 tags"},
	{ONE("secret_file = \"bbb2.secret\";"), "servers[0].secret_file: set secret or "
						"secret_file, not both"},
	{ONE("public_url = \"https://u:" URL_PW "@join.example.org/api\";"), "servers[0].public_"
									     "url: must not "
									     "contain user-info"},
	{ONE("colour = 1;"), "servers[0].colour: unknown key"},
	{ONE("token = \"x\";"), "servers[0].token: plaintext tokens must not be stored"},
	{"servers = ( { name = \"a\"; url = \"" URL1 "\"; } );\n", "servers[0].secret: missing: "
								   "set secret or secret_file"},
	{"servers = ( { name = \"a\"; url = \"" URL1 "\"; secret_file = \"bad.secret\"; } );\n",
	 "servers[0].secret_file: bad.secret: contains whitespace or control characters"},
	{"servers = ( { name = \"a\"; url = \"" URL1 "\"; secret_file = \"absent\"; } );\n",
	 "servers[0].secret_file: cannot open "},
	{"servers = ( { name = \"a\"; url = \"" URL1 "\"; secret = \"has space\"; } );\n", "servers"
											   "[0]."
											   "secret:"
											   " contai"
											   "ns "
											   "whitesp"
											   "ace"},
	{"servers = ( { url = \"" URL1 "\"; secret = \"" SECRET1 "\"; } );\n", "servers[0].name: "
									       "missing "
									       "(required)"},
	{"servers = ( { name = \"a\"; secret = \"" SECRET1 "\"; } );\n", "servers[0].url: missing "
									 "(required)"},
	{"servers = ( { name = \"a b\"; url = \"" URL1 "\"; secret = \"" SECRET1 "\"; } );\n",
	 "servers[0].name: must be 1 to 64 characters"},
	{"servers = ( { name = \"a\"; url = \"ftp://x.example.org\"; secret = \"" SECRET1 "\"; } "
	 ");\n",
	 "servers[0].url: must start with http:// or https://"},
	{"servers = ( { name = \"a\"; url = \"https://x.example.org/api?x=1\"; secret = \"" SECRET1
	 "\"; } );\n",
	 "servers[0].url: must not contain spaces, control characters, a query"},
	{"servers = ( " S1 ",\n  { name = \"bbb1\"; url = \"" URL2 "\"; secret = \"" SECRET2 "\"; "
	 "} "
	 ");\n",
	 "gw.conf:2: servers[1].name: duplicate name (also servers[0])"},
	{"servers = ( " S1 ",\n  { name = \"b\"; url = \"" URL1 "/\"; secret = \"" SECRET2 "\"; } "
	 ");\n",
	 "gw.conf:2: servers[1].url: the same server as servers[0]'s url"},
	{"servers = ( " S1 ",\n  { name = \"b\"; url = \"https://u:" URL_PW
	 "@BBB1.example.org/bigbluebutton/api\"; secret = \"" SECRET2 "\"; } );\n",
	 "servers[1].url: the same server as servers[0]'s url"},
	{"servers = ( " S1 ", \"bbb2\" );\n", "servers[1]: expected a group { name = ...; url"},
	{"servers = { name = \"a\"; };\n", "servers: expected a list: servers = ( {"},
	{"servers = ();\n", "gw.conf:1: servers: lists no server"},
	{"servers = [];\n", "servers: lists no server"},
	{BBB "servers = ( " S1 " );\n", "gw.conf:1: bbb.url: set per server in servers"},
	{"bbb = { public_url = \"https://join.example.org\"; };\nservers = ( " S1 " );\n",
	 "gw.conf:1: bbb.public_url: set per server in servers"},
	{"bbb = {\n secret = \"" BBB_SECRET "\"; };\nservers = ( " S1 " );\n", "gw.conf:2: "
									       "bbb.secret: set "
									       "per server in "
									       "servers"},
	{"bbb = { secret_file = \"bbb2.secret\"; };\nservers = ( " S1 " );\n", "bbb.secret_file: "
									       "set per server in "
									       "servers"},
	{"log = { level = \"info\"; };\n", "bbb.url: missing (required); or set "
					   "BBB_GATEWAY_BBB_URL; or list the BBB servers in "
					   "servers"},
	{ONE("") "state = { redis = \"redis://:" REDIS_PW "@127.0.0.1:99999/0\"; };\n", "gw.conf:2:"
											" state."
											"redis: "
											"has a bad "
											"port "
											"(1.."
											"65535)"},
	{ONE("") "state = { redis = \"redis://:" REDIS_PW "@[::1/0\"; };\n", "state.redis: is not "
									     "a URL"},
	{ONE("") "state = { redis = \"https://:" REDIS_PW "@redis.example.org\"; };\n", "state."
											"redis: "
											"must be "
											"redis://"},
	{ONE("") "state = { redis = \"redis://user:" REDIS_PW "@redis.example.org\"; };\n", "state."
											    "redis:"
											    " may "
											    "hold "
											    "only "
											    "a "
											    "passwo"
											    "rd"},
	{ONE("") "state = { redis = 6379; };\n", "state.redis: expected a string"},
};

START_TEST(test_config_servers_refused)
{
	assert_refused(refused[_i].text, refused[_i].want);
}
END_TEST

/* 65 servers: one more than the cap. */
START_TEST(test_config_servers_too_many)
{
	struct gw_buf text;

	gw_buf_init(&text, 64 * 1024);
	ck_assert_int_eq(gw_buf_append_str(&text, "servers = (\n"), GW_OK);
	for (unsigned i = 0; i <= GW_MAX_SERVERS; i++)
		ck_assert_int_eq(gw_buf_appendf(&text,
						"%s{ name = \"s%u\"; url = "
						"\"https://bbb%u.example.org/api\"; secret = "
						"\"" SECRET1 "\"; }\n",
						i > 0 ? ", " : "", i, i),
				 GW_OK);
	ck_assert_int_eq(gw_buf_append_str(&text, ");\n"), GW_OK);
	assert_refused(gw_buf_str(&text), "gw.conf:1: servers: more than 64 servers");
	gw_buf_deinit(&text);
}
END_TEST

/* The environment overrides replace the lone bbb group's keys: with servers they are refused. */
START_TEST(test_config_servers_env_refused)
{
	ck_assert_int_eq(setenv("BBB_GATEWAY_BBB_URL", URL2, 1), 0);
	assert_refused("servers = ( " S1 " );\n", "environment: BBB_GATEWAY_BBB_URL: replaces "
						  "bbb.url, which is set per "
						  "server in servers: unset it");
	unsetenv("BBB_GATEWAY_BBB_URL");
	ck_assert_int_eq(setenv("BBB_GATEWAY_BBB_SECRET", SECRET2, 1), 0);
	assert_refused("servers = ( " S1 " );\n", "environment: BBB_GATEWAY_BBB_SECRET: replaces "
						  "bbb.secret");
}
END_TEST

/* Several problems, several secrets: every problem reported, no secret shown. */
START_TEST(test_config_servers_secrets_never_echoed)
{
	struct gw_config *cfg;
	char *msg;

	ck_assert_int_eq(load("bbb = { secret = \"" BBB_SECRET "\"; };\n"
			      "servers = (\n"
			      "  { name = \"a\"; url = \"https://u:" URL_PW "@a.example.org/"
			      "api\";\n"
			      "    secret = \"" SECRET1 "\"; secret_file = \"bbb2.secret\"; },\n"
			      "  { name = \"a\"; url = \"https://a.example.org/api\";\n"
			      "    secret = \"" SECRET2 " x\"; weight = 0; },\n"
			      "  { name = \"c\"; url = \"https://c.example.org/api\";\n"
			      "    secret_file = \"bad.secret\"; }\n"
			      ");\n"
			      "state = { redis = \"redis://:" REDIS_PW "@redis.example.org:0\"; "
			      "};\n",
			      &cfg, &msg),
			 GW_E_CONFIG);
	ck_assert_ptr_null(cfg);
	ck_assert_ptr_nonnull(strstr(msg, "gw.conf:1: bbb.secret: set per server"));
	ck_assert_ptr_nonnull(strstr(msg, "gw.conf:4: servers[0].secret_file: set secret or"));
	ck_assert_ptr_nonnull(strstr(msg, "gw.conf:5: servers[1].name: duplicate name"));
	ck_assert_ptr_nonnull(strstr(msg, "gw.conf:5: servers[1].url: the same server"));
	ck_assert_ptr_nonnull(strstr(msg, "gw.conf:6: servers[1].secret: contains whitespace"));
	ck_assert_ptr_nonnull(strstr(msg, "gw.conf:6: servers[1].weight: must be more than 0"));
	ck_assert_ptr_nonnull(strstr(msg, "gw.conf:8: servers[2].secret_file: bad.secret: "));
	ck_assert_ptr_nonnull(strstr(msg, "gw.conf:10: state.redis: has a bad port"));
	assert_no_secret(msg);
	free(msg);
}
END_TEST

/* Servers and the fleet change on reload; state.redis is read at start only. */
START_TEST(test_config_servers_reload_flags)
{
	struct gw_config *a = load_ok("servers = ( " S1 " );\n");
	struct gw_config *b = load_ok("servers = ( " S2 ", { name = \"c\"; url = "
				      "\"https://c.example.org/api\"; "
				      "secret = \"" SECRET1 "\"; state = \"cordoned\"; weight = 4; "
				      "} );\n"
				      "fleet = { poll_s = 30; meeting_weight = 1; };\n");
	struct gw_config *c = load_ok("servers = ( " S1 " );\nstate = { redis = "
				      "\"unix:/run/redis/redis.sock?db=1\"; "
				      "};\n");
	struct gw_config *d = load_ok("servers = ( " S1 " );\n"
				      "state = { redis = \"redis://127.0.0.1\"; };\n");
	const char *keys[GW_CONFIG_RESTART_KEYS_MAX];

	ck_assert_uint_eq(gw_config_restart_changes(a, b, keys, GW_CONFIG_RESTART_KEYS_MAX), 0);
	ck_assert_uint_eq(gw_config_restart_changes(a, c, keys, GW_CONFIG_RESTART_KEYS_MAX), 1);
	ck_assert_str_eq(keys[0], "state.redis");
	ck_assert_uint_eq(gw_config_restart_changes(c, d, keys, GW_CONFIG_RESTART_KEYS_MAX), 1);
	ck_assert_str_eq(keys[0], "state.redis");
	ck_assert_uint_eq(gw_config_restart_changes(d, d, keys, GW_CONFIG_RESTART_KEYS_MAX), 0);
	gw_config_unref(a);
	gw_config_unref(b);
	gw_config_unref(c);
	gw_config_unref(d);
}
END_TEST

static const struct {
	const char *url;
	const char *host;
	unsigned port;
	const char *path;
	unsigned db;
	const char *password;
} redis_good[] = {
	{"redis://127.0.0.1:6379/0", "127.0.0.1", 6379, NULL, 0, NULL},
	{"redis://127.0.0.1:6379", "127.0.0.1", 6379, NULL, 0, NULL},
	{"redis://localhost", "localhost", GW_DEFAULT_REDIS_PORT, NULL, 0, NULL},
	{"redis://localhost/", "localhost", 6379, NULL, 0, NULL},
	{"redis://redis.internal:7000/15", "redis.internal", 7000, NULL, 15, NULL},
	{"redis://my_redis-1.svc.Cluster.local:1/3", "my_redis-1.svc.Cluster.local", 1, NULL, 3,
	 NULL},
	{"redis://[::1]:6380/2", "::1", 6380, NULL, 2, NULL},
	{"redis://[fd00::12:34]", "fd00::12:34", 6379, NULL, 0, NULL},
	{"redis://:" REDIS_PW "@10.1.2.3:65535/0", "10.1.2.3", 65535, NULL, 0, REDIS_PW},
	{"redis://:p@ss:w@rd@h", "h", 6379, NULL, 0, "p@ss:w@rd"},
	{"unix:/run/redis/redis.sock", NULL, 0, "/run/redis/redis.sock", 0, NULL},
	{"unix:/run/redis.sock?db=7", NULL, 0, "/run/redis.sock", 7, NULL},
};

START_TEST(test_config_redis_url_good)
{
	struct gw_redis_addr a;

	ck_assert_int_eq(gw_config_redis_url(redis_good[_i].url, &a), GW_OK);
	if (redis_good[_i].host != NULL)
		ck_assert_str_eq(a.host, redis_good[_i].host);
	else
		ck_assert_ptr_null(a.host);
	ck_assert_uint_eq(a.port, redis_good[_i].port);
	if (redis_good[_i].path != NULL)
		ck_assert_str_eq(a.unix_path, redis_good[_i].path);
	else
		ck_assert_ptr_null(a.unix_path);
	ck_assert_uint_eq(a.db, redis_good[_i].db);
	if (redis_good[_i].password != NULL)
		ck_assert_str_eq(a.password, redis_good[_i].password);
	else
		ck_assert_ptr_null(a.password);
	gw_config_redis_addr_deinit(&a);
	ck_assert_ptr_null(a.host);
	ck_assert_ptr_null(a.password);
	gw_config_redis_addr_deinit(&a); /* twice is fine */
	gw_config_redis_addr_deinit(NULL);
}
END_TEST

static const struct {
	const char *url;
	const char *why;
} redis_bad[] = {
	{"", "must be redis://"},
	{"127.0.0.1:6379", "must be redis://"},
	{"rediss://redis.example.org", "must be redis://"},
	{"REDIS://redis.example.org", "must be redis://"},
	{"redis://", "has no host"},
	{"redis:///0", "has no host"},
	{"redis://:6379", "has no host"},
	{"redis://h:0", "has a bad port"},
	{"redis://h:65536", "has a bad port"},
	{"redis://h:", "has a bad port"},
	{"redis://h:123456", "has a bad port"},
	{"redis://h:6x", "has a bad port"},
	{"redis://h/16", "has a bad database number (0..15)"},
	{"redis://h/x", "has a bad database number"},
	{"redis://h/0/1", "has a bad database number"},
	{"redis://h/-1", "has a bad database number"},
	{"redis://h?db=1", "must not have a query or a fragment"},
	{"redis://h/0#x", "must not have a query or a fragment"},
	{"redis://user:" REDIS_PW "@h", "may hold only a password"},
	{"redis://" REDIS_PW "@h", "may hold only a password"},
	{"redis://:@h", "has an empty password"},
	{"redis://[::1", "is not a URL"},
	{"redis://[::1]x:1", "is not a URL"},
	{"redis://[zz::1]:1", "has a malformed IPv6 address"},
	{"redis://[]", "has a malformed IPv6 address"},
	{"redis://999.1.1.1", "has a malformed IPv4 address"},
	{"redis://1.2.3", "has a malformed IPv4 address"},
	{"redis://-h", "has a bad host name"},
	{"redis://h-.example", "has a bad host name"},
	{"redis://a..b", "has a bad host name"},
	{"redis://h%41", "has a bad host name"},
	{"redis://h st", "must not contain spaces or control characters"},
	{"redis://h\t", "must not contain spaces or control characters"},
	{"unix:relative.sock", "must name an absolute socket path"},
	{"unix://host/redis.sock", "must name an absolute socket path"},
	{"unix:", "must name an absolute socket path"},
	{"unix:/r.sock?db=16", "has a bad database number"},
	{"unix:/r.sock?db=", "has a bad database number"},
	{"unix:/r.sock?password=x", "takes only ?db=N"},
	{"unix:/r.sock#x", "must not have a fragment"},
};

/* Refused by the parser (out untouched) and by the loader, with the reason and no password. */
START_TEST(test_config_redis_url_bad)
{
	struct gw_redis_addr a = {.port = 4242};
	struct gw_config *cfg = NULL;
	struct gw_buf msg;
	char text[512];
	char want[128];

	ck_assert_int_eq(gw_config_redis_url(redis_bad[_i].url, &a), GW_E_PARSE);
	ck_assert_uint_eq(a.port, 4242);
	ck_assert_ptr_null(a.host);
	snprintf(text, sizeof(text), "servers = ( " S1 " );\nstate = { redis = \"%s\"; };\n",
		 redis_bad[_i].url);
	snprintf(want, sizeof(want), "mem.conf:2: state.redis: %s", redis_bad[_i].why);
	gw_buf_init(&msg, 4096);
	ck_assert_int_eq(gw_config_load_string(text, "mem.conf", &cfg, &msg), GW_E_CONFIG);
	ck_assert_ptr_null(cfg);
	ck_assert_msg(strstr(gw_buf_str(&msg), want) != NULL, "want \"%s\" in:\n%s", want,
		      gw_buf_str(&msg));
	assert_no_secret(gw_buf_str(&msg));
	gw_buf_deinit(&msg);
}
END_TEST

/* Caps: a host name of 253 bytes and labels of 63, a socket path of 107 bytes. */
START_TEST(test_config_redis_url_lengths)
{
	char url[400];
	char label[70];
	struct gw_redis_addr a;

	memset(label, 'a', 63);
	label[63] = '\0';
	snprintf(url, sizeof(url), "redis://%s.%s.%s.%.61s", label, label, label, label);
	ck_assert_int_eq(gw_config_redis_url(url, &a), GW_OK); /* 253 bytes */
	ck_assert_uint_eq(strlen(a.host), 253);
	gw_config_redis_addr_deinit(&a);
	snprintf(url, sizeof(url), "redis://%s.%s.%s.%.62s", label, label, label, label);
	ck_assert_int_eq(gw_config_redis_url(url, &a), GW_E_PARSE); /* 254 bytes */
	snprintf(url, sizeof(url), "redis://%sa.example", label);
	ck_assert_int_eq(gw_config_redis_url(url, &a), GW_E_PARSE); /* a label of 64 */
	memset(url, 'x', sizeof(url));
	memcpy(url, "unix:/", 6);
	url[5 + GW_REDIS_MAX_UNIX_PATH] = '\0';
	ck_assert_int_eq(gw_config_redis_url(url, &a), GW_OK);
	ck_assert_uint_eq(strlen(a.unix_path), GW_REDIS_MAX_UNIX_PATH);
	gw_config_redis_addr_deinit(&a);
	url[5 + GW_REDIS_MAX_UNIX_PATH] = 'x';
	url[6 + GW_REDIS_MAX_UNIX_PATH] = '\0';
	ck_assert_int_eq(gw_config_redis_url(url, &a), GW_E_PARSE);
}
END_TEST

static Suite *config_servers_suite(void)
{
	Suite *s = suite_create("config_servers");
	TCase *tc = tcase_create("servers");
	TCase *redis = tcase_create("redis");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_config_servers_all_members);
	tcase_add_test(tc, test_config_servers_defaults);
	tcase_add_test(tc, test_config_servers_new_defaults);
	tcase_add_test(tc, test_config_servers_lone_bbb);
	tcase_add_test(tc, test_config_servers_ranges_accepted);
	tcase_add_loop_test(tc, test_config_servers_refused, 0,
			    (int)(sizeof(refused) / sizeof(refused[0])));
	tcase_add_test(tc, test_config_servers_too_many);
	tcase_add_test(tc, test_config_servers_env_refused);
	tcase_add_test(tc, test_config_servers_secrets_never_echoed);
	tcase_add_test(tc, test_config_servers_reload_flags);
	suite_add_tcase(s, tc);
	tcase_add_loop_test(redis, test_config_redis_url_good, 0,
			    (int)(sizeof(redis_good) / sizeof(redis_good[0])));
	tcase_add_loop_test(redis, test_config_redis_url_bad, 0,
			    (int)(sizeof(redis_bad) / sizeof(redis_bad[0])));
	tcase_add_test(redis, test_config_redis_url_lengths);
	suite_add_tcase(s, redis);
	return s;
}

GW_TEST_MAIN(config_servers_suite)
