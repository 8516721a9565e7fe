/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Messages, exit statuses and allocation helpers shared by every tool.
 *
 * Each message is one line "PROG: LEVEL: context: what" where the context
 * names the file, section or symbol; callers put it first in the format.
 */
#ifndef KPB_LOG_H
#define KPB_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* Documented exit statuses (create-diff-object(1)). */
enum kpb_status {
	KPB_OK = 0,
	KPB_ERROR = 1,		/* tool error or bad input */
	KPB_UNSUPPORTED = 2,	/* the change cannot be livepatched */
	KPB_NO_CHANGE = 3,	/* nothing changed in this object */
};

/* Debug categories for --debug[=LIST]. */
enum debug_cat {
	DBG_READ = 1 << 0,
	DBG_CORRELATE = 1 << 1,
	DBG_COMPARE = 1 << 2,
	DBG_INCLUDE = 1 << 3,
	DBG_SPECIAL = 1 << 4,
	DBG_KLP = 1 << 5,
	DBG_WRITE = 1 << 6,
	DBG_ALL = (1 << 7) - 1,
};

extern const char *log_progname;
extern unsigned int log_debug;

void log_msg(const char *level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The line die(@status, ...) prints, without exiting. */
void log_status_msg(enum kpb_status status, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* For a tool's own checks; a library and a phase return their error instead. */
_Noreturn void die(enum kpb_status status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Parse "correlate,compare" or "all" into a category mask; -1 if unknown. */
int log_parse_debug(const char *list);

#define ERROR(...)	die(KPB_ERROR, __VA_ARGS__)
#define WARN(...)	log_msg("warning", __VA_ARGS__)
#define INFO(...)	log_msg(NULL, __VA_ARGS__)
#define DEBUG(cat, ...)							\
	do {								\
		if (log_debug & (cat))					\
			log_msg("debug", __VA_ARGS__);			\
	} while (0)
/* libelf failed: add its own text to the message. */
#define ERROR_ELF(file, what) \
	ERROR("%s: %s: %s", (file), (what), elf_errmsg(-1))

/* For code that reports errors to its caller: print into @err (if any). */
void format_error(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
