/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TAP output for the unit tests: results go to a temporary stream and are
 * printed after the plan ("1..N"), which is only known at the end.
 */
#ifndef KPB_TAP_H
#define KPB_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *tap;		/* results, printed after the plan */
static int nr_tests, nr_failed;
static char *tap_results;
static size_t tap_len;
static char dir[64];		/* the test's scratch directory */

static void __attribute__((format(printf, 2, 3)))
check(bool cond, const char *fmt, ...)
{
	va_list ap;

	nr_tests++;
	nr_failed += !cond;
	fprintf(tap, "%s %d - ", cond ? "ok" : "not ok", nr_tests);
	va_start(ap, fmt);
	vfprintf(tap, fmt, ap);
	va_end(ap);
	fputc('\n', tap);
}

/* Open the result stream and make the scratch directory /tmp/<name>.XXXXXX. */
static bool tap_begin(const char *name)
{
	tap = open_memstream(&tap_results, &tap_len);
	snprintf(dir, sizeof(dir), "/tmp/%s.XXXXXX", name);
	if (!tap || !mkdtemp(dir)) {
		perror(name);
		return false;
	}
	return true;
}

/* Print the plan and the results, remove the scratch directory. */
static int tap_end(void)
{
	char rm[128];

	fclose(tap);
	printf("1..%d\n%s", nr_tests, tap_results);
	free(tap_results);
	snprintf(rm, sizeof(rm), "rm -rf '%s'", dir);
	if (system(rm))
		fprintf(stderr, "could not remove %s\n", dir);
	return nr_failed ? 1 : 0;
}

#endif
