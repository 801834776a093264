/*
 * bbbsim_meeting.c - the BBB simulator's meeting model: the list of live
 * meetings on struct bbbsim, their attendees, metadata and customdata, and
 * the moments bbb-webhooks events happen (bbbsim_events.c builds them).
 *
 * A meeting is created by a successful create and removed at once by end
 * (with its breakout rooms), so a later create with the same meetingID
 * starts a new session: new createTime, new internalMeetingID
 * (sha1_hex(meetingID) "-" createTime). Passwords default to 8 random
 * alphanumerics and the voice bridge to a free random 5-digit number. A
 * meeting counts as running once someone joined, as in BBB, and stays so
 * when everyone left (BBB ends an empty meeting only after a delay, which
 * the simulator does not model). A join sends user-joined, a leave
 * user-left, end user-left for everyone still there and then
 * meeting-ended (breakout rooms first). Lists keep insertion order.
 * Callers hold sim->lock (the bbbsim_* functions here take it).
 */
#include "bbbsim_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ALNUM "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
#define LOWER_ALNUM "abcdefghijklmnopqrstuvwxyz0123456789"

/* --- name/value lists ------------------------------------------------- */

void sim_kv_append(struct sim_kv **head, const char *key, const char *value)
{
	struct sim_kv *kv = sim_xmalloc(sizeof(*kv));

	kv->key = sim_xstrdup(key);
	kv->value = sim_xstrdup(value);
	kv->next = NULL;
	while (*head != NULL)
		head = &(*head)->next;
	*head = kv;
}

struct sim_kv *sim_kv_find(struct sim_kv *kv, const char *key)
{
	for (; kv != NULL; kv = kv->next)
		if (strcmp(kv->key, key) == 0)
			return kv;
	return NULL;
}

/* Replaces the value of key in place, or appends it. */
void sim_kv_set(struct sim_kv **head, const char *key, const char *value)
{
	struct sim_kv *kv = sim_kv_find(*head, key);

	if (kv == NULL) {
		sim_kv_append(head, key, value);
		return;
	}
	free(kv->value);
	kv->value = sim_xstrdup(value);
}

void sim_kv_remove(struct sim_kv **head, const char *key)
{
	while (*head != NULL) {
		struct sim_kv *kv = *head;

		if (strcmp(kv->key, key) == 0) {
			*head = kv->next;
			kv->next = NULL;
			sim_kv_free(kv);
			return;
		}
		head = &kv->next;
	}
}

void sim_kv_free(struct sim_kv *kv)
{
	while (kv != NULL) {
		struct sim_kv *next = kv->next;

		free(kv->key);
		free(kv->value);
		free(kv);
		kv = next;
	}
}

/* --- meetings and attendees -------------------------------------------- */

struct sim_meeting *sim_meeting_find(struct bbbsim *sim, const char *id)
{
	struct sim_meeting *m;

	for (m = sim->meetings; m != NULL; m = m->next)
		if (strcmp(m->meeting_id, id) == 0)
			return m;
	return NULL;
}

static void attendees_free(struct sim_attendee *a)
{
	while (a != NULL) {
		struct sim_attendee *next = a->next;

		free(a->user_id);
		free(a->internal_id);
		free(a->session_token);
		free(a->full_name);
		sim_kv_free(a->custom);
		free(a);
		a = next;
	}
}

static void meeting_free(struct sim_meeting *m)
{
	free(m->meeting_id);
	free(m->name);
	free(m->internal_id);
	free(m->parent_id);
	free(m->attendee_pw);
	free(m->moderator_pw);
	free(m->voice_bridge);
	free(m->dial_number);
	free(m->create_date);
	sim_kv_free(m->meta);
	attendees_free(m->attendees);
	free(m->modules);
	free(m);
}

void sim_meetings_free(struct sim_meeting *head)
{
	while (head != NULL) {
		struct sim_meeting *next = head->next;

		meeting_free(head);
		head = next;
	}
}

/* Removes m and the breakout rooms whose parent it is. */
void sim_meeting_remove(struct bbbsim *sim, struct sim_meeting *m)
{
	char *parent = sim_xstrdup(m->internal_id);
	struct sim_meeting **pp = &sim->meetings;

	while (*pp != NULL) {
		struct sim_meeting *cur = *pp;

		if (cur == m || (cur->is_breakout && strcmp(cur->parent_id, parent) == 0)) {
			*pp = cur->next;
			meeting_free(cur);
		} else {
			pp = &cur->next;
		}
	}
	free(parent);
}

/* Sends user-left for each attendee of m and meeting-ended. */
static void end_events(struct bbbsim *sim, const struct sim_meeting *m)
{
	const struct sim_attendee *a;

	for (a = m->attendees; a != NULL; a = a->next)
		sim_event_user_left(sim, m, a);
	sim_event_meeting_ended(sim, m);
}

void sim_meeting_end(struct bbbsim *sim, struct sim_meeting *m)
{
	const struct sim_meeting *c;

	for (c = sim->meetings; c != NULL; c = c->next)
		if (c->is_breakout && strcmp(c->parent_id, m->internal_id) == 0)
			end_events(sim, c);
	end_events(sim, m);
	sim_meeting_remove(sim, m);
}

struct sim_attendee *sim_attendee_add(struct bbbsim *sim, struct sim_meeting *m,
				      const char *user_id, const char *full_name, bool moderator)
{
	struct sim_attendee *a = sim_xmalloc(sizeof(*a));
	struct sim_attendee **pp = &m->attendees;
	char internal[15] = "w_";

	memset(a, 0, sizeof(*a));
	sim_random_chars(internal + 2, 12, LOWER_ALNUM);
	if (user_id == NULL || user_id[0] == '\0')
		user_id = internal;
	a->user_id = sim_xstrdup(user_id);
	a->internal_id = sim_xstrdup(internal);
	a->full_name = sim_xstrdup(full_name != NULL ? full_name : "");
	a->moderator = moderator;
	while (*pp != NULL)
		pp = &(*pp)->next;
	*pp = a;
	m->running = true;
	sim_event_user_joined(sim, m, a);
	return a;
}

size_t sim_attendee_leave(struct bbbsim *sim, struct sim_meeting *m, const char *user_id)
{
	struct sim_attendee **pp = &m->attendees;
	size_t n = 0;

	while (*pp != NULL) {
		struct sim_attendee *a = *pp;

		if (strcmp(a->user_id, user_id) != 0 && strcmp(a->internal_id, user_id) != 0) {
			pp = &a->next;
			continue;
		}
		sim_event_user_left(sim, m, a);
		*pp = a->next;
		a->next = NULL;
		attendees_free(a);
		n++;
	}
	return n;
}

bool bbbsim_add_attendee(struct bbbsim *sim, const char *meeting_id, const char *user_id,
			 const char *full_name, bool moderator)
{
	struct sim_meeting *m;

	pthread_mutex_lock(&sim->lock);
	m = meeting_id != NULL ? sim_meeting_find(sim, meeting_id) : NULL;
	if (m != NULL)
		sim_attendee_add(sim, m, user_id, full_name, moderator);
	pthread_mutex_unlock(&sim->lock);
	return m != NULL;
}

bool bbbsim_user_leave(struct bbbsim *sim, const char *meeting_id, const char *user_id)
{
	struct sim_meeting *m;
	size_t n = 0;

	if (meeting_id == NULL || user_id == NULL)
		return false;
	pthread_mutex_lock(&sim->lock);
	m = sim_meeting_find(sim, meeting_id);
	if (m != NULL)
		n = sim_attendee_leave(sim, m, user_id);
	pthread_mutex_unlock(&sim->lock);
	return n > 0;
}

bool sim_voice_bridge_used(const struct bbbsim *sim, const char *vb)
{
	const struct sim_meeting *m;

	for (m = sim->meetings; m != NULL; m = m->next)
		if (strcmp(m->voice_bridge, vb) == 0)
			return true;
	return false;
}

static char *new_voice_bridge(const struct bbbsim *sim)
{
	char vb[6];

	do {
		sim_random_chars(vb, 1, "123456789");
		sim_random_chars(vb + 1, 4, "0123456789");
	} while (sim_voice_bridge_used(sim, vb));
	return sim_xstrdup(vb);
}

static unsigned long long next_create_time(struct bbbsim *sim)
{
	struct timespec ts;
	unsigned long long ms;

	clock_gettime(CLOCK_REALTIME, &ts);
	ms = (unsigned long long)ts.tv_sec * 1000ull + (unsigned long long)ts.tv_nsec / 1000000ull;
	if (ms <= sim->last_create_time)
		ms = sim->last_create_time + 1;
	sim->last_create_time = ms;
	return ms;
}

/* Java Date.toString() in UTC, e.g. "Thu May 09 13:35:28 UTC 2024". */
static char *java_date(unsigned long long ms)
{
	time_t t = (time_t)(ms / 1000ull);
	struct tm tm;
	char s[64];

	gmtime_r(&t, &tm);
	strftime(s, sizeof(s), "%a %b %d %H:%M:%S UTC %Y", &tm);
	return sim_xstrdup(s);
}

/* meta_[A-Za-z][A-Za-z0-9-]*, lower-cased without the prefix; first occurrence wins. */
static void collect_meta(const struct sim_params *p, struct sim_meeting *m)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		char *key = sim_meta_key(p->names[i]);

		if (key != NULL && sim_kv_find(m->meta, key) == NULL)
			sim_kv_append(&m->meta, key, p->values[i]);
		free(key);
	}
}

static char *password_or_random(const struct sim_params *p, const char *name)
{
	const char *v = sim_param_set(p, name);
	char pw[9];

	if (v != NULL)
		return sim_xstrdup(v);
	sim_random_chars(pw, 8, ALNUM);
	return sim_xstrdup(pw);
}

struct sim_meeting *sim_meeting_add(struct bbbsim *sim, const struct sim_params *p,
				    const char *body, size_t body_len)
{
	struct sim_meeting *m = sim_xmalloc(sizeof(*m));
	const char *id = sim_param(p, "meetingID");
	const char *vb = sim_param_set(p, "voiceBridge");
	const char *dial = sim_param(p, "dialNumber");
	char *sha = sim_digest_hex("sha1", id, strlen(id));
	struct sim_meeting **pp;

	memset(m, 0, sizeof(*m));
	m->meeting_id = sim_xstrdup(id);
	m->name = sim_xstrdup(sim_param(p, "name"));
	m->create_time = next_create_time(sim);
	m->internal_id = sim_xasprintf("%s-%llu", sha, m->create_time);
	m->is_breakout = sim_param_true(p, "isBreakout");
	m->parent_id = sim_xstrdup(m->is_breakout ? sim_param(p, "parentMeetingID") : "bbb-none");
	m->attendee_pw = password_or_random(p, "attendeePW");
	m->moderator_pw = password_or_random(p, "moderatorPW");
	m->voice_bridge = vb != NULL ? sim_xstrdup(vb) : new_voice_bridge(sim);
	m->dial_number = sim_xstrdup(dial != NULL ? dial : "613-555-1234");
	m->create_date = java_date(m->create_time);
	m->duration = sim_param_ulong(p, "duration");
	m->max_users = sim_param_ulong(p, "maxParticipants");
	m->sequence = sim_param_ulong(p, "sequence");
	m->free_join = sim_param_true(p, "freeJoin");
	m->record = sim_param_true(p, "record");
	collect_meta(p, m);
	if (body_len > 0) {
		m->modules = sim_xstrndup(body, body_len);
		m->modules_len = body_len;
	}
	free(sha);
	for (pp = &sim->meetings; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = m;
	sim_event_meeting_created(sim, m);
	return m;
}

/* userdata-<key> with exactly one '-' in the name; first occurrence wins. */
void sim_attendee_userdata(struct sim_attendee *a, const struct sim_params *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		const char *n = p->names[i];
		const char *dash = strchr(n, '-');

		if (strncmp(n, "userdata", 8) != 0 || dash == NULL || dash[1] == '\0' ||
		    strchr(dash + 1, '-') != NULL)
			continue;
		a->has_custom = true;
		if (sim_kv_find(a->custom, dash + 1) == NULL)
			sim_kv_append(&a->custom, dash + 1, p->values[i]);
	}
}
