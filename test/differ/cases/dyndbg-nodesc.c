/*
 * print_hex_dump_debug() as CONFIG_DYNAMIC_DEBUG with jump labels builds it
 * (the kernel's _dynamic_func_call_no_desc): a struct _ddebug in __dyndbg
 * that the code never names; only the __jump_table entry's key points into
 * it.  The patch adds such a call to changed_dump, a new descriptor reached
 * through its jump label alone.
 */
// EXPORTS: dump_bytes
struct static_key {
	int enabled;
	union { unsigned long type; void *entries; };
};
struct _ddebug {
	const char *modname, *function, *filename, *format;
	unsigned int lineno:18, class_id:6, flags:8;
	struct static_key key;
} __attribute__((aligned(8)));
extern void dump_bytes(const void *buf, int len);

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
#define __dump_debug(id, fmt, buf, len) do {					\
	static struct _ddebug __attribute__((aligned(8), section("__dyndbg"))) id = {	\
		"dyndbg", __func__, __FILE__, fmt, __LINE__, 63, 0, { 0, { 0 } } };	\
	if (branch_unlikely(&id.key))						\
		dump_bytes(buf, len);						\
} while (0)
#define dump_debug(fmt, buf, len) __dump_debug(__UNIQUE_ID(ddebug), fmt, buf, len)

int changed_dump(const char *buf, int len)
{
	dump_debug("head", buf, len);
#ifdef PATCHED
	dump_debug("tail", buf + len / 2, len / 2);
	len += 1;
#endif
	return len * 3;
}

int quiet_dump(const char *buf, int len)
{
	dump_debug("quiet", buf, len);
	return len - 1;
}
