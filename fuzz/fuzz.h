/*
 * fuzz.h - what every harness in fuzz/ shares: the libFuzzer entry points
 * and a check that aborts (so libFuzzer and the replay runner both see a
 * crash) with the failed condition on stderr.
 *
 * Each fuzz_<target>.c builds two ways: with clang and -fsanitize=fuzzer
 * as a libFuzzer target, and with the project's compiler plus replay.c as
 * a program that runs every file of its corpus (a meson test).
 */
#ifndef GW_FUZZ_H
#define GW_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Called once before the first input. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Runs one input; returns 0. Aborts through FUZZ_CHECK on a broken property. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Releases global state after the last input (replay runner only, for leak checks). */
void fuzz_cleanup(void);

#define FUZZ_CHECK(cond)                                                                      \
	do {                                                                                  \
		if (!(cond)) {                                                                \
			fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                                       \
			abort();                                                              \
		}                                                                             \
	} while (0)

#endif
