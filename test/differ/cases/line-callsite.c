/*
 * Per-call-site records that hold a line, below lines added above: a
 * tracepoint (its __jump_table entry on the tracepoint's key, its static
 * call: no line of their own), pr_debug()'s struct _ddebug (lineno, with
 * CONFIG_DYNAMIC_DEBUG), printk()'s struct pi_entry (line, with
 * CONFIG_PRINTK_INDEX).  No change.
 */
// EXPORTS: __dynamic_pr_debug _printk __tracepoint_thing_done __SCT__tp_func_thing_done
#include "line-forms.h"

struct static_key {
	int enabled;
	union { unsigned long type; void *entries; };
};
struct tracepoint {
	const char *name;
	struct static_key key;
};
struct _ddebug {
	const char *modname, *function, *filename, *format;
	unsigned int lineno:18, class_id:6, flags:8;
	struct static_key key;
} __attribute__((aligned(8)));
struct pi_entry {
	const char *fmt, *func, *file;
	unsigned int line;
	const char *level, *subsys_fmt_prefix;
} __attribute__((packed));

extern struct tracepoint __tracepoint_thing_done;
extern void __SCT__tp_func_thing_done(int x);
extern void __dynamic_pr_debug(struct _ddebug *descriptor, const char *fmt, ...);
extern int _printk(const char *fmt, ...);

/* arch/x86/include/asm/jump_label.h, 6.1: the key's address + branch. */
static inline __attribute__((always_inline)) _Bool arch_static_branch(struct static_key *key,
								      _Bool branch)
{
	asm goto("1: .byte 0x0f,0x1f,0x44,0x00,0x00\n\t"
		 ".pushsection __jump_table, \"aw\"\n\t.balign 8\n\t"
		 ".long 1b - ., %l[l_yes] - .\n\t.quad %c0 + %c1 - .\n\t.popsection\n\t"
		 : : "i"(key), "i"(branch) : : l_yes);
	return 0;
l_yes:
	return 1;
}
#define branch_unlikely(key) arch_static_branch(key, 0)

#define trace_thing_done(x)							\
	do {									\
		if (branch_unlikely(&__tracepoint_thing_done.key))		\
			__SCT__tp_func_thing_done(x);				\
	} while (0)

#define pr_debug(fmt, ...) do {							\
	static struct _ddebug __attribute__((aligned(8), section("__dyndbg"))) __ddebug = { \
		"test", __func__, __FILE__, fmt, __LINE__, 63, 0, { 0, { 0 } } };	\
	if (branch_unlikely(&__ddebug.key))					\
		__dynamic_pr_debug(&__ddebug, fmt, ##__VA_ARGS__);		\
} while (0)

#define printk(_fmt, ...)							\
	({									\
		static const struct pi_entry _entry __attribute__((used)) = {	\
			.fmt = (_fmt), .func = __func__, .file = __FILE__,	\
			.line = __LINE__ };					\
		static const struct pi_entry *_entry_ptr			\
			__attribute__((used, section(".printk_index"))) = &_entry; \
		_printk(_fmt, ##__VA_ARGS__);					\
	})

#line LINE
int do_thing(int x)
{
	trace_thing_done(x);
	pr_debug("thing %d\n", x);
	printk("\0016did thing %d\n", x);
	return x + 1;
}
