/*
 * bbbsim_legacy.c - the Flash client's config calls of BBB before 2.4:
 * getDefaultConfigXML and setConfigXML. They exist only when the
 * simulator runs with legacy_config (newer BBB answers 404, and so does
 * the route table otherwise).
 *
 * Model: ApiController of BBB 2.2/2.3. getDefaultConfigXML verifies the
 * checksum over the URL query (isChecksumSame) and answers the config.xml
 * document itself (not a <response>). setConfigXML takes its parameters
 * from the URL and a form-urlencoded body together (Grails merges them);
 * after its parameter checks it verifies isPostChecksumSame: the call name,
 * then every parameter but checksum sorted by name, values re-encoded with
 * java.net.URLEncoder, joined "k=v&k=v", then the secret, compared
 * case-sensitively. (BBB hashed that with SHA-1 only; the simulator takes
 * the algorithm from the checksum's length like everywhere else.) The
 * configXML value is URL-decoded once more and stored under a random
 * 8-character token. Errors come from Grails' XML builder: one line.
 */
#include "bbbsim_int.h"

#include <stdlib.h>
#include <string.h>

#define ALNUM "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
#define LEGACY_CHECKSUM "You did not pass the checksum security check"

/* The URL parameters, then those of a form-urlencoded body. */
static void merged_params(const struct sim_call *c, struct sim_params *p)
{
	sim_params_parse(p, c->query);
	if (c->body != NULL && c->body_len > 0 && c->content_type != NULL &&
	    sim_media_is(c->content_type, "application/x-www-form-urlencoded"))
		sim_params_parse(p, c->body);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* call + the sorted, re-encoded parameters without checksum (malloc'd). */
static char *canonical(const char *call, const struct sim_params *p)
{
	struct sim_buf b = {0};
	char **names = sim_xmalloc((p->n + 1) * sizeof(*names));
	size_t n = 0;
	size_t i;
	size_t j;

	for (i = 0; i < p->n; i++) {
		for (j = 0; j < n; j++)
			if (strcmp(names[j], p->names[i]) == 0)
				break;
		if (j == n && strcmp(p->names[i], "checksum") != 0)
			names[n++] = p->names[i];
	}
	qsort(names, n, sizeof(*names), name_cmp);
	sim_buf_puts(&b, call);
	for (i = 0; i < n; i++)
		for (j = 0; j < p->n; j++) {
			if (strcmp(p->names[j], names[i]) != 0)
				continue;
			if (b.len > strlen(call))
				sim_buf_puts(&b, "&");
			sim_buf_printf(&b, "%s=", names[i]);
			sim_url_encode_java(&b, p->values[j]);
		}
	free(names);
	return b.p;
}

enum sim_checksum sim_legacy_verify(const struct bbbsim *sim, const struct sim_call *c,
				    const char **alg_out)
{
	struct sim_params p = {0};
	enum sim_checksum res = SIM_CHECKSUM_MISMATCH;
	const char *cs;
	char *base;
	char *input;
	char *hex;

	*alg_out = NULL;
	merged_params(c, &p);
	cs = sim_param(&p, "checksum");
	if (sim->secret[0] == '\0') {
		res = SIM_CHECKSUM_OK;
	} else if (cs == NULL || cs[0] == '\0') {
		res = SIM_CHECKSUM_MISSING;
	} else {
		*alg_out = sim_algorithm_by_length(strlen(cs));
		if (*alg_out != NULL && strstr(sim->algorithms, *alg_out) != NULL) {
			base = canonical(c->call, &p);
			input = sim_xasprintf("%s%s", base, sim->secret);
			hex = sim_digest_hex(*alg_out, input, strlen(input));
			if (hex != NULL && strcmp(hex, cs) == 0)
				res = SIM_CHECKSUM_OK;
			free(hex);
			free(input);
			free(base);
		}
	}
	sim_params_free(&p);
	return res;
}

/* A Grails builder <response>: one line, no declaration. */
static void builder_reply(struct sim_ctx *x, const char *returncode, const char *key,
			  const char *message)
{
	char *body = sim_xasprintf("<response><returncode>%s</returncode><messageKey>%s</"
				   "messageKey>"
				   "<message>%s</message></response>",
				   returncode, key, message);

	sim_reply_xml(x, body, strlen(body));
}

/* The config.xml of a BBB 2.x server, abridged. */
static const char config_xml[] =
	"<?xml version=\"1.0\" ?>\n"
	"<config>\n"
	"    <localeversion suppressWarning=\"false\">0.9.0</localeversion>\n"
	"    <version>@VERSION@</version>\n"
	"    <help url=\"http://@HOST@/help.html\"/>\n"
	"    <javaTest url=\"http://@HOST@/testjava.html\"/>\n"
	"    <porttest host=\"@HOST@\" application=\"video/portTest\" timeout=\"10000\"/>\n"
	"    <bwMon server=\"@HOST@\" application=\"video/bwTest\"/>\n"
	"    <application uri=\"rtmp://@HOST@/bigbluebutton\" "
	"host=\"http://@HOST@/bigbluebutton/api/enter\"/>\n"
	"    <language userSelectionEnabled=\"true\" />\n"
	"    <skinning url=\"http://@HOST@/client/branding/css/V2Theme.css.swf\" />\n"
	"    <branding logo=\"logos/logo.swf\" copyright=\"&#169; 2019 &lt;u&gt;&lt;a "
	"href=&quot;http://@HOST@/home.html&quot; target=&quot;_blank&quot;&gt;BigBlueButton "
	"Inc.&lt;/a&gt;&lt;/u&gt;\" background=\"\" toolbarColor=\"\" showQuote=\"true\"/>\n"
	"    <shortcutKeys showButton=\"true\" />\n"
	"    <layout showLogButton=\"false\" defaultLayout=\"bbb.layout.name.defaultlayout\"\n"
	"            showToolbar=\"true\" showFooter=\"true\" showMeetingName=\"true\"\n"
	"            showHelpButton=\"true\" showLogoutWindow=\"true\" showLayoutTools=\"true\"\n"
	"            confirmLogout=\"true\" showRecordingNotification=\"true\"/>\n"
	"    <meeting muteOnStart=\"false\" />\n"
	"    <breakoutRooms enabled=\"true\" record=\"false\" privateChateEnabled=\"true\"/>\n"
	"    <lock disableCam=\"false\" disableMic=\"false\" disablePrivateChat=\"false\"\n"
	"          disablePublicChat=\"false\" lockedLayout=\"false\" lockOnJoin=\"true\"\n"
	"          lockOnJoinConfigurable=\"false\"/>\n"
	"\n"
	"    <modules>\n"
	"        <module name=\"ChatModule\" url=\"http://@HOST@/client/ChatModule.swf\"\n"
	"            uri=\"rtmp://@HOST@/bigbluebutton\"\n"
	"            dependsOn=\"UsersModule\"\n"
	"            privateEnabled=\"true\"\n"
	"            fontSize=\"12\"\n"
	"            maxMessageLength=\"1024\"\n"
	"        />\n"
	"\n"
	"        <module name=\"UsersModule\" url=\"http://@HOST@/client/UsersModule.swf\"\n"
	"            uri=\"rtmp://@HOST@/bigbluebutton\"\n"
	"            allowKickUser=\"true\"\n"
	"            enableEmojiStatus=\"true\"\n"
	"        />\n"
	"\n"
	"        <module name=\"PresentModule\" url=\"http://@HOST@/client/PresentModule.swf\"\n"
	"            uri=\"rtmp://@HOST@/bigbluebutton\"\n"
	"            host=\"http://@HOST@\"\n"
	"            showPresentWindow=\"true\"\n"
	"            dependsOn=\"UsersModule\"\n"
	"            maxFileSize=\"30\"\n"
	"        />\n"
	"    </modules>\n"
	"</config>\n";

/* s with every "@HOST@" and "@VERSION@" replaced (malloc'd). */
static char *fill(const char *s, const char *host, const char *version)
{
	struct sim_buf b = {0};

	while (*s != '\0') {
		if (strncmp(s, "@HOST@", 6) == 0) {
			sim_buf_puts(&b, host);
			s += 6;
		} else if (strncmp(s, "@VERSION@", 9) == 0) {
			sim_buf_puts(&b, version);
			s += 9;
		} else {
			sim_buf_add(&b, s++, 1);
		}
	}
	return b.p;
}

void sim_h_default_config(struct sim_ctx *x)
{
	char *body;

	if (x->c->checksum != SIM_CHECKSUM_OK) {
		builder_reply(x, "FAILED", "checksumError", LEGACY_CHECKSUM);
		return;
	}
	body = fill(config_xml, x->c->host, x->sim->bbb_version);
	sim_reply_xml(x, body, strlen(body));
}

static bool token_used(const struct bbbsim *sim, const char *token)
{
	const struct sim_config *c;

	for (c = sim->configs; c != NULL; c = c->next)
		if (strcmp(c->token, token) == 0)
			return true;
	return false;
}

static void store(struct bbbsim *sim, const char *meeting_id, const char *token, char *xml)
{
	struct sim_config *c = sim_xmalloc(sizeof(*c));
	struct sim_config **pp = &sim->configs;

	c->meeting_id = sim_xstrdup(meeting_id);
	c->token = sim_xstrdup(token);
	c->xml = xml;
	c->next = NULL;
	while (*pp != NULL)
		pp = &(*pp)->next;
	*pp = c;
}

/* StringUtils.strip of a parameter (malloc'd), NULL when absent. */
static char *stripped(const struct sim_params *p, const char *name)
{
	const char *v = sim_param(p, name);
	size_t n;

	if (v == NULL)
		return NULL;
	while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r')
		v++;
	n = strlen(v);
	while (n > 0 &&
	       (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\n' || v[n - 1] == '\r'))
		n--;
	return sim_xstrndup(v, n);
}

void sim_h_set_config(struct sim_ctx *x)
{
	struct sim_params p = {0};
	const char *cs;
	const char *xml;
	char *id;
	char *decoded = NULL;
	char *body;
	char token[9];

	merged_params(x->c, &p);
	cs = sim_param(&p, "checksum");
	xml = sim_param(&p, "configXML");
	id = stripped(&p, "meetingID");
	if (x->sim->secret[0] != '\0' && (cs == NULL || cs[0] == '\0')) {
		builder_reply(x, "FAILED", "checksumError", LEGACY_CHECKSUM);
		goto out;
	}
	if (xml == NULL || xml[0] == '\0') {
		builder_reply(x, "FAILED", "configXMLError", "You did not pass a config XML");
		goto out;
	}
	if (id == NULL || id[0] == '\0') {
		builder_reply(x, "FAILED", "missingParamMeetingID",
			      "You must specify a meeting ID for the meeting.");
		goto out;
	}
	if (sim_meeting_find(x->sim, id) == NULL) {
		builder_reply(x, "FAILED", "invalidMeetingIdentifier",
			      "The meeting ID that you supplied did not match any existing "
			      "meetings");
		goto out;
	}
	decoded = sim_url_decode_strict(xml);
	if (decoded == NULL) {
		sim_reply_html(x, 500); /* URLDecoder threw */
		goto out;
	}
	if (x->c->checksum != SIM_CHECKSUM_OK) {
		builder_reply(x, "FAILED", "configXMLChecksumError",
			      "configXMLChecksumError: request did not pass the checksum security "
			      "check.");
		goto out;
	}
	do
		sim_random_chars(token, 8, ALNUM);
	while (token_used(x->sim, token));
	store(x->sim, id, token, decoded);
	decoded = NULL;
	body = sim_xasprintf("<response><returncode>SUCCESS</returncode><configToken>%s</"
			     "configToken></response>",
			     token);
	sim_reply_xml(x, body, strlen(body));
out:
	free(decoded);
	free(id);
	sim_params_free(&p);
}

void sim_configs_free(struct sim_config *c)
{
	while (c != NULL) {
		struct sim_config *next = c->next;

		free(c->meeting_id);
		free(c->token);
		free(c->xml);
		free(c);
		c = next;
	}
}

char *bbbsim_config_xml(struct bbbsim *sim, const char *token)
{
	const struct sim_config *c;
	char *xml = NULL;

	pthread_mutex_lock(&sim->lock);
	for (c = sim->configs; c != NULL && xml == NULL; c = c->next)
		if (strcmp(c->token, token) == 0)
			xml = sim_xstrdup(c->xml);
	pthread_mutex_unlock(&sim->lock);
	return xml;
}
