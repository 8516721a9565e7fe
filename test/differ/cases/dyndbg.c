/*
 * pr_debug() as CONFIG_DYNAMIC_DEBUG with jump labels builds it: a struct
 * _ddebug in __dyndbg named __UNIQUE_ID_ddebugN, and a __jump_table entry
 * whose key is the descriptor's static key.  The patch adds a pr_debug to
 * changed_fn, which renumbers and moves the descriptors after it, and
 * rewords the one of reworded (whose code is the same).
 */
// EXPORTS: __dynamic_pr_debug
struct static_key {
	int enabled;
	union { unsigned long type; void *entries; };
};
struct _ddebug {
	const char *modname, *function, *filename, *format;
	unsigned int lineno:18, class_id:6, flags:8;
	struct static_key key;
} __attribute__((aligned(8)));
extern void __dynamic_pr_debug(struct _ddebug *descriptor, const char *fmt, ...);

static inline __attribute__((always_inline)) _Bool branch_unlikely(struct static_key *key)
{
	asm goto("1: .byte 0x0f,0x1f,0x44,0x00,0x00\n\t"
		 ".pushsection __jump_table, \"aw\"\n\t"
		 ".balign 8\n\t"
		 ".long 1b - ., %l[l_yes] - .\n\t"
		 ".quad %c0 - .\n\t"
		 ".popsection\n\t"
		 : : "i" (key) : : l_yes);
	return 0;
l_yes:
	return 1;
}

#define ___PASTE(a, b) a##b
#define __PASTE(a, b) ___PASTE(a, b)
#define __UNIQUE_ID(prefix) __PASTE(__PASTE(__UNIQUE_ID_, prefix), __COUNTER__)
#define __pr_debug(id, fmt, ...) do {						\
	static struct _ddebug __attribute__((aligned(8), section("__dyndbg"))) id = {	\
		"dyndbg", __func__, __FILE__, fmt, __LINE__, 63, 0, { 0, { 0 } } };	\
	if (branch_unlikely(&id.key))						\
		__dynamic_pr_debug(&id, fmt, ##__VA_ARGS__);			\
} while (0)
#define pr_debug(fmt, ...) __pr_debug(__UNIQUE_ID(ddebug), fmt, ##__VA_ARGS__)

int changed_fn(int x)
{
	pr_debug("start %d\n", x);
#ifdef PATCHED
	pr_debug("new message %d\n", x);
	x += 1;
#endif
	return x * 3;
}

int quiet(int x)
{
	pr_debug("quiet %d\n", x);
	return x - 1;
}

int reworded(int x)
{
#ifdef PATCHED
	pr_debug("reworded %d\n", x);
#else
	pr_debug("original %d\n", x);
#endif
	return x + 5;
}
