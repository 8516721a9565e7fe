// SPDX-License-Identifier: GPL-2.0
/*
 * Layer 0, refusals: unsupported() reports a change that cannot be
 * livepatched and counts it; main() stops with status 2 after the phase
 * (stop_if_unsupported), so that every refusal of a phase is reported.
 */
#include "cdo.h"

#include <stdarg.h>
#include <stdio.h>

void unsupported(struct cdo *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: unsupported: %s: ", log_progname, c->args.path[PATCHED]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	c->nr_unsupported++;
}
