/*
 * check_bbb_calls.c - the table of BBB calls: sorted and unique, every
 * enum index names the entry it says, idempotency as the gateway has
 * always retried, the metric labels, and every call the handlers make
 * (read from their sources) is an entry of the table.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bbb_calls.h"
#include "compiler.h"
#include "testutil.h"

/* Each enum index with its identifier, so the test can tie the two together. */
#define ID(id)                        \
	{                             \
		GW_BBB_CALL_##id, #id \
	}
static const struct {
	enum gw_bbb_call_id id;
	const char *ident;
} ids[] = {
	ID(apiRoot),
	ID(apiRoot_probe),
	ID(create),
	ID(deleteRecordings),
	ID(end),
	ID(getDefaultConfigXML),
	ID(getMeetingInfo),
	ID(getMeetings),
	ID(getRecordingTextTracks),
	ID(getRecordings),
	ID(hooks_create),
	ID(hooks_destroy),
	ID(hooks_list),
	ID(insertDocument),
	ID(isMeetingRunning),
	ID(join),
	ID(publishRecordings),
	ID(putRecordingTextTrack),
	ID(sendChatMessage),
	ID(setConfigXML),
	ID(updateRecordings),
};
#undef ID

/* The identifier's entry as its spelling says: '_' is '/', a "_probe" suffix the probe. */
static void ident_call(const char *ident, char *name, size_t n, bool *probe)
{
	size_t len = strlen(ident);
	size_t i;

	*probe = len > 6 && strcmp(ident + len - 6, "_probe") == 0;
	if (*probe)
		len -= 6;
	ck_assert_uint_lt(len, n);
	for (i = 0; i < len; i++)
		name[i] = ident[i] == '_' ? '/' : ident[i];
	name[len] = '\0';
}

static int cmp_call(const struct gw_bbb_call_def *a, const struct gw_bbb_call_def *b)
{
	int c = strcmp(a->name, b->name);

	return c != 0 ? c : (int)a->probe - (int)b->probe;
}

START_TEST(test_bbb_calls_sorted_and_unique)
{
	size_t i;

	for (i = 1; i < GW_BBB_N_CALLS; i++)
		ck_assert_msg(cmp_call(&gw_bbb_calls[i - 1], &gw_bbb_calls[i]) < 0, "%s before %s",
			      gw_bbb_calls[i - 1].name, gw_bbb_calls[i].name);
}
END_TEST

START_TEST(test_bbb_calls_index_names_its_entry)
{
	char name[64];
	bool probe;
	size_t i;

	ck_assert_uint_eq(GW_ARRAY_SIZE(ids), GW_BBB_N_CALLS);
	for (i = 0; i < GW_ARRAY_SIZE(ids); i++) {
		const struct gw_bbb_call_def *c = &gw_bbb_calls[ids[i].id];

		ck_assert_uint_eq((size_t)ids[i].id, i);
		ck_assert_ptr_nonnull(c->name);
		ck_assert_ptr_nonnull(c->label);
		ident_call(ids[i].ident, name, sizeof(name), &probe);
		ck_assert_str_eq(c->name, name);
		ck_assert(c->probe == probe);
	}
	ck_assert_ptr_eq(GW_BBB_CALL(hooks_list), &gw_bbb_calls[GW_BBB_CALL_hooks_list]);
	ck_assert_str_eq(GW_BBB_CALL(hooks_list)->name, "hooks/list");
}
END_TEST

START_TEST(test_bbb_calls_idempotent_as_before)
{
	/* The calls the gateway has always retried after sending them, and no other. */
	static const char *const idempotent[] = {
		"apiRoot",
		"getMeetings",
		"getMeetingInfo",
		"isMeetingRunning",
		"getRecordings",
		"getRecordingTextTracks",
		"getDefaultConfigXML",
		"hooks/list",
		"create",
	};
	size_t i;
	size_t k;

	for (i = 0; i < GW_BBB_N_CALLS; i++) {
		bool want = false;

		for (k = 0; k < GW_ARRAY_SIZE(idempotent); k++)
			want = want || strcmp(idempotent[k], gw_bbb_calls[i].name) == 0;
		ck_assert_msg(gw_bbb_calls[i].idempotent == want, "%s", gw_bbb_calls[i].name);
	}
}
END_TEST

START_TEST(test_bbb_calls_columns)
{
	size_t i;

	for (i = 0; i < GW_BBB_N_CALLS; i++) {
		const struct gw_bbb_call_def *c = &gw_bbb_calls[i];

		/* the root is the only unsigned call, and reads only */
		ck_assert((c->signing == GW_BBB_SIGN_NONE) == (strcmp(c->name, "apiRoot") == 0));
		ck_assert((c->signing == GW_BBB_SIGN_HOOKS) ==
			  (strncmp(c->name, "hooks/", 6) == 0));
		if (c->signing == GW_BBB_SIGN_FORM)
			ck_assert_int_eq(c->method, GW_BBB_POST);
		if (c->probe)
			ck_assert_int_eq(c->reply, GW_BBB_REPLY_XML);
	}
	ck_assert_int_eq(GW_BBB_CALL(setConfigXML)->signing, GW_BBB_SIGN_FORM);
	ck_assert_int_eq(GW_BBB_CALL(getDefaultConfigXML)->reply, GW_BBB_REPLY_RAW);
	ck_assert_int_eq(GW_BBB_CALL(getRecordingTextTracks)->reply, GW_BBB_REPLY_JSON);
	ck_assert_int_eq(GW_BBB_CALL(putRecordingTextTrack)->reply, GW_BBB_REPLY_JSON);
	ck_assert_int_eq(GW_BBB_CALL(create)->method, GW_BBB_GET_OR_POST);
	ck_assert_int_eq(GW_BBB_CALL(insertDocument)->method, GW_BBB_POST);
}
END_TEST

START_TEST(test_bbb_calls_labels)
{
	/* the series /metrics has always had, "other" apart */
	static const char *const want[] = {
		"apiRoot",
		"create",
		"join",
		"end",
		"isMeetingRunning",
		"getMeetingInfo",
		"getMeetings",
		"getRecordings",
		"publishRecordings",
		"deleteRecordings",
		"updateRecordings",
		"getRecordingTextTracks",
		"putRecordingTextTrack",
		"insertDocument",
		"sendChatMessage",
		"hooks/create",
		"hooks/list",
		"hooks/destroy",
		"getDefaultConfigXML",
		"setConfigXML",
	};
	const char *got[GW_BBB_N_CALLS];
	size_t n = gw_bbb_call_labels(got, GW_ARRAY_SIZE(got));
	size_t i;
	size_t k;

	ck_assert_uint_eq(n, GW_ARRAY_SIZE(want));
	for (i = 0; i < GW_ARRAY_SIZE(want); i++) {
		for (k = 0; k < n && strcmp(got[k], want[i]) != 0; k++)
			;
		ck_assert_msg(k < n, "no label %s", want[i]);
	}
	ck_assert_uint_eq(gw_bbb_call_labels(got, 1), n);
}
END_TEST

/* Counts the GW_BBB_CALL(id) uses in file, failing on one that is not in ids. */
static size_t scan_file(const char *path)
{
	static const char mark[] = "GW_BBB_CALL(";
	FILE *f = fopen(path, "r");
	char line[512];
	size_t uses = 0;

	ck_assert_msg(f != NULL, "cannot read %s", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		const char *p = line;

		/* a call is never named by a string: no literal next to gw_bbb_request */
		ck_assert_msg(strstr(line, "gw_bbb_request(x, \"") == NULL, "%s: %s", path, line);
		while ((p = strstr(p, mark)) != NULL) {
			char ident[64];
			size_t n = strcspn(p + strlen(mark), ")");
			size_t i;

			ck_assert_uint_lt(n, sizeof(ident));
			memcpy(ident, p + strlen(mark), n);
			ident[n] = '\0';
			for (i = 0; i < GW_ARRAY_SIZE(ids) && strcmp(ids[i].ident, ident) != 0; i++)
				;
			ck_assert_msg(i < GW_ARRAY_SIZE(ids), "%s: unknown call %s", path, ident);
			uses++;
			p += strlen(mark) + n;
		}
	}
	fclose(f);
	return uses;
}

START_TEST(test_bbb_calls_handlers_use_only_table_entries)
{
	const char *src = getenv("GW_TEST_SRC"); /* src/, set by meson */
	char dir[1024];
	DIR *d;
	struct dirent *e;
	size_t uses = 0;
	char path[1300];

	ck_assert_msg(src != NULL, "GW_TEST_SRC is not set");
	snprintf(dir, sizeof(dir), "%s/handlers", src);
	d = opendir(dir);
	ck_assert_msg(d != NULL, "cannot open %s", dir);
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);

		if (n < 3 || strcmp(e->d_name + n - 2, ".c") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		uses += scan_file(path);
	}
	closedir(d);
	/* every handler family names its calls through the table */
	ck_assert_uint_ge(uses, 20);
}
END_TEST

static Suite *bbb_calls_suite(void)
{
	Suite *s = suite_create("bbb_calls");
	TCase *t = tcase_create("table");

	tcase_add_test(t, test_bbb_calls_sorted_and_unique);
	tcase_add_test(t, test_bbb_calls_index_names_its_entry);
	tcase_add_test(t, test_bbb_calls_idempotent_as_before);
	tcase_add_test(t, test_bbb_calls_columns);
	tcase_add_test(t, test_bbb_calls_labels);
	tcase_add_test(t, test_bbb_calls_handlers_use_only_table_entries);
	suite_add_tcase(s, t);
	return s;
}

GW_TEST_MAIN(bbb_calls_suite)
