// SPDX-License-Identifier: GPL-2.0
/*
 * Layer 0, refusals and errors, the one place that prints them and records
 * the run's status (c->status, written here only):
 *   unsupported() reports a change that cannot be livepatched and counts
 *     it; the phase goes on, so that every refusal is reported, and
 *     stop_if_unsupported() ends the run with status 2 after the phase;
 *   fail() reports what stops the run now (a bad input, status 1) and
 *     returns the status, which the phase returns to main().
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

enum kpb_status fail(struct cdo *c, enum kpb_status status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_status_msg(status, fmt, ap);
	va_end(ap);
	if (c->status == KPB_OK)
		c->status = status;
	return status;
}

enum kpb_status stop_if_unsupported(struct cdo *c)
{
	if (c->nr_unsupported)
		return fail(c, KPB_UNSUPPORTED, "%s: %zu change(s) cannot be livepatched",
			    c->args.path[PATCHED], c->nr_unsupported);
	return c->status;
}
