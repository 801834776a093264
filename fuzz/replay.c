/*
 * replay.c - main() for a fuzz harness built without libFuzzer: runs every
 * file in the directories (or the files) named on the command line through
 * LLVMFuzzerTestOneInput, in name order, and prints TAP ("ok N - file").
 * A missing directory counts as empty (fuzz/regressions/<target>/ exists
 * only once a crasher was kept). A broken property aborts the process, so
 * the TAP stream stops short and the test fails; the "# running" line
 * before it names the input.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define MAX_INPUT_BYTES (64u * 1024u * 1024u)

struct list {
	char **paths;
	size_t n;
	size_t cap;
};

static void add_path(struct list *l, const char *dir, const char *name)
{
	size_t len = strlen(dir) + 1 + strlen(name) + 1;
	char *p = malloc(len);

	if (p == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	if (dir[0] != '\0')
		snprintf(p, len, "%s/%s", dir, name);
	else
		snprintf(p, len, "%s", name);
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char **np = realloc(l->paths, cap * sizeof(*np));

		if (np == NULL) {
			fprintf(stderr, "out of memory\n");
			exit(2);
		}
		l->paths = np;
		l->cap = cap;
	}
	l->paths[l->n++] = p;
}

/* Regular files only; dot files and README* are not inputs. */
static int is_input(const struct dirent *d)
{
	return d->d_name[0] != '.' && strncmp(d->d_name, "README", 6) != 0;
}

static void collect(struct list *l, const char *arg)
{
	struct dirent **names;
	struct stat st;
	int n;
	int i;

	if (stat(arg, &st) != 0) {
		printf("# %s: %s (skipped)\n", arg, errno == ENOENT ? "absent" : "unreadable");
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		add_path(l, "", arg);
		return;
	}
	n = scandir(arg, &names, is_input, alphasort);
	if (n < 0) {
		printf("# %s: cannot list (skipped)\n", arg);
		return;
	}
	for (i = 0; i < n; i++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", arg, names[i]->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			add_path(l, arg, names[i]->d_name);
		free(names[i]);
	}
	free(names);
}

/* Reads a whole file into an exactly sized buffer, so ASan sees reads past the end. */
static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n = -1;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0)
		n = ftell(f);
	if (n >= 0 && (size_t)n <= MAX_INPUT_BYTES && fseek(f, 0, SEEK_SET) == 0)
		buf = malloc(n > 0 ? (size_t)n : 1);
	if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf != NULL)
		*len = (size_t)n;
	return buf;
}

int main(int argc, char **argv)
{
	struct list l = {NULL, 0, 0};
	int failed = 0;
	size_t i;
	int a;

	for (a = 1; a < argc; a++)
		collect(&l, argv[a]);
	LLVMFuzzerInitialize(&argc, &argv);
	printf("1..%zu\n", l.n);
	for (i = 0; i < l.n; i++) {
		size_t len = 0;
		uint8_t *data = slurp(l.paths[i], &len);

		if (data == NULL) {
			printf("not ok %zu - %s (cannot read)\n", i + 1, l.paths[i]);
			failed = 1;
		} else {
			printf("# running %s\n", l.paths[i]);
			fflush(stdout);
			LLVMFuzzerTestOneInput(data, len);
			printf("ok %zu - %s\n", i + 1, l.paths[i]);
			free(data);
		}
		fflush(stdout);
		free(l.paths[i]);
	}
	free(l.paths);
	fuzz_cleanup();
	return failed;
}
