/*
 * pr_debug() as kernels before 4.9 built it with CONFIG_DYNAMIC_DEBUG: a
 * static local struct _ddebug named "descriptor" (GCC numbers it
 * descriptor.N) in the section __verbose, the older name of __dyndbg;
 * no class_id, no static key.  The patch adds lines to changed_fn, which
 * shifts the line of quiet's descriptor after it.
 */
// EXPORTS: __dynamic_pr_debug
struct _ddebug {
	const char *modname, *function, *filename, *format;
	unsigned int lineno:18, flags:8;
} __attribute__((aligned(8)));
extern void __dynamic_pr_debug(struct _ddebug *descriptor, const char *fmt, ...);

#define pr_debug(fmt, ...) do {							\
	static struct _ddebug __attribute__((aligned(8), section("__verbose"))) descriptor = { \
		"verbose", __func__, __FILE__, fmt, __LINE__, 0 };		\
	if (__builtin_expect(descriptor.flags & 1, 0))				\
		__dynamic_pr_debug(&descriptor, fmt, ##__VA_ARGS__);		\
} while (0)

int changed_fn(int x)
{
	pr_debug("start %d\n", x);
#ifdef PATCHED
	x += 1;

	x *= 3;
#endif
	return x + 2;
}

int quiet(int x)
{
	pr_debug("quiet %d\n", x);
	return x - 1;
}
