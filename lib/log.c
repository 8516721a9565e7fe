// SPDX-License-Identifier: GPL-2.0
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *log_progname = "kpatch-build";
unsigned int log_debug;

static void vlog(const char *level, const char *fmt, va_list ap)
{
	if (level)
		fprintf(stderr, "%s: %s: ", log_progname, level);
	else
		fprintf(stderr, "%s: ", log_progname);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void log_msg(const char *level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

void log_status_msg(enum kpb_status status, const char *fmt, va_list ap)
{
	vlog(status == KPB_UNSUPPORTED ? "unsupported" : "error", fmt, ap);
}

_Noreturn void die(enum kpb_status status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_status_msg(status, fmt, ap);
	va_end(ap);
	exit(status);
}

static const struct {
	const char *name;
	unsigned int mask;
} debug_names[] = {
	{ "read", DBG_READ },		{ "correlate", DBG_CORRELATE },
	{ "compare", DBG_COMPARE },	{ "include", DBG_INCLUDE },
	{ "special", DBG_SPECIAL },	{ "klp", DBG_KLP },
	{ "write", DBG_WRITE },		{ "all", DBG_ALL },
};

static int debug_mask_of(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(debug_names) / sizeof(debug_names[0]); i++)
		if (strlen(debug_names[i].name) == len &&
		    !strncmp(debug_names[i].name, name, len))
			return (int)debug_names[i].mask;
	return -1;
}

int log_parse_debug(const char *list)
{
	int mask = 0;

	while (*list) {
		size_t len = strcspn(list, ",");
		int m = debug_mask_of(list, len);

		if (m < 0)
			return -1;
		mask |= m;
		list += len;
		if (*list == ',')
			list++;
	}
	return mask;
}

void format_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void *check_alloc(void *p)
{
	if (!p) {
		fprintf(stderr, "%s: error: out of memory\n", log_progname);
		exit(KPB_ERROR);
	}
	return p;
}

void *xmalloc(size_t size)
{
	return check_alloc(malloc(size ? size : 1));
}

void *xcalloc(size_t n, size_t size)
{
	return check_alloc(calloc(n ? n : 1, size ? size : 1));
}

void *xrealloc(void *p, size_t size)
{
	return check_alloc(realloc(p, size ? size : 1));
}

char *xstrdup(const char *s)
{
	return check_alloc(strdup(s));
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return check_alloc(n < 0 ? NULL : s);
}
