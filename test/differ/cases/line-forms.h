/*
 * The forms in which __LINE__ reaches an object, as the kernel's headers of
 * 6.1 and 6.12 write them (x86_64), for the line-* cases: each case moves
 * the lines of its functions (#line LINE, 5 more in the patched build) and
 * nothing else, unless it says so.
 */
#ifndef LINE_FORMS_H
#define LINE_FORMS_H

#ifdef PATCHED
#define LINE 105	/* as if 5 lines were added above */
#else
#define LINE 100
#endif

#define ___stringify(x...) #x
#define __stringify(x...) ___stringify(x)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* arch/x86/include/asm/bug.h: a __bug_table entry with the file and line. */
struct bug_entry {
	int bug_addr_disp;
	int file_disp;
	unsigned short line;
	unsigned short flags;
};

#define BUGFLAG_WARNING (1 << 0)
#define BUGFLAG_ONCE (1 << 1)
#define BUGFLAG_NO_CUT_HERE (1 << 3)
#define BUGFLAG_TAINT(taint) ((taint) << 8)
#define TAINT_WARN 9

#define _BUG_FLAGS(ins, flags)							\
	do {									\
		asm volatile("1:\t" ins "\n"					\
			     ".pushsection __bug_table,\"aw\"\n"		\
			     "2:\t.long 1b - 2b\t# bug_entry::bug_addr\n"	\
			     "\t.long %c0 - 2b\t# bug_entry::file\n"		\
			     "\t.word %c1\t# bug_entry::line\n"			\
			     "\t.word %c2\t# bug_entry::flags\n"		\
			     "\t.org 2b+%c3\n"					\
			     ".popsection"					\
			     : : "i"(__FILE__), "i"(__LINE__), "i"(flags),	\
			       "i"(sizeof(struct bug_entry)));			\
	} while (0)

#define BUG() do { _BUG_FLAGS("ud2", 0); __builtin_unreachable(); } while (0)
#define __WARN_FLAGS(flags) _BUG_FLAGS("ud2", BUGFLAG_WARNING | (flags))
#define __WARN() __WARN_FLAGS(BUGFLAG_TAINT(TAINT_WARN))

void __warn_printk(const char *fmt, ...);

#define __WARN_printf(taint, arg...)						\
	do {									\
		__warn_printk(arg);						\
		__WARN_FLAGS(BUGFLAG_NO_CUT_HERE | BUGFLAG_TAINT(taint));	\
	} while (0)

#define BUG_ON(c) do { if (unlikely(c)) BUG(); } while (0)

#define WARN_ON(c)								\
	({ int __ret = !!(c); if (unlikely(__ret)) __WARN(); unlikely(__ret); })

#define WARN(c, format...)							\
	({ int __ret = !!(c); if (unlikely(__ret)) __WARN_printf(TAINT_WARN, format); \
	   unlikely(__ret); })

#define WARN_ON_ONCE(c)								\
	({ int __ret = !!(c);							\
	   if (unlikely(__ret)) __WARN_FLAGS(BUGFLAG_ONCE | BUGFLAG_TAINT(TAINT_WARN)); \
	   unlikely(__ret); })

/* include/linux/once_lite.h: the once-flag of WARN_ONCE(), pr_*_once(). */
#define DO_ONCE_LITE_IF(condition, func, ...)					\
	({									\
		_Bool __ret_do_once = !!(condition);				\
		static _Bool __attribute__((section(".data.once"))) __already_done; \
		if (unlikely(__ret_do_once && !__already_done)) {		\
			__already_done = 1;					\
			func(__VA_ARGS__);					\
		}								\
		unlikely(__ret_do_once);					\
	})

#define WARN_ONCE(c, format...) DO_ONCE_LITE_IF(c, WARN, 1, format)

/*
 * include/linux/fortify-string.h's memcpy() into a field that may be too
 * small: WARN_ONCE() names the field with __FILE__ ":" __stringify(__LINE__)
 * (6.12: FILE_LINE).
 */
#define fortify_memcpy(p, q, size, field_size)					\
	({									\
		unsigned long __size = (size);					\
		int __bad = WARN_ONCE(__size > (field_size),			\
			"memcpy: detected field-spanning write (size %lu) of single %s (size %u)\n", \
			__size, "field \"" #p "\" at " __FILE__ ":" __stringify(__LINE__), \
			(unsigned int)(field_size));				\
		if (!__bad)							\
			__builtin_memcpy(p, q, __size & 15);			\
		__bad;								\
	})

/* include/linux/build_bug.h: nothing of it reaches the object. */
#define BUILD_BUG_ON(c)								\
	do {									\
		extern void __compiletime_assert(void)				\
			__attribute__((error("BUILD_BUG_ON failed: " #c)));	\
		if (c)								\
			__compiletime_assert();					\
	} while (0)

#endif
