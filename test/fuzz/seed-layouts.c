/*
 * A second unit of the fuzz seeds (linked with string-change.c by ld -r):
 * the special-section layouts of older kernels, a short last entry, a
 * printk index and UBSAN records, so that mutations reach layout.c,
 * units.c and the per-call-site data of callsite.c.
 */
struct pi_entry {
	const char *fmt, *func, *file;
	unsigned int line;
	const char *level, *subsys_fmt_prefix;
} __attribute__((packed));

int _printk(const char *fmt, ...);
extern int feature_key;

#define printk(_fmt, ...)						\
	({								\
		static const struct pi_entry _entry __attribute__((used)) = { \
			.fmt = (_fmt), .func = __func__, .file = __FILE__, .line = __LINE__, \
		};							\
		static const struct pi_entry *_entry_ptr		\
			__attribute__((used, section(".printk_index"))) = &_entry; \
		_printk(_fmt, ##__VA_ARGS__);				\
	})

static int counter;

int seed_site(int x, int s)
{
	asm goto("1: .byte 0x0f, 0x1f, 0x44, 0x00, 0x00\n"
		 ".pushsection __jump_table, \"aw\"\n .balign 8\n .quad 1b, %l[on], %c0\n"
		 ".popsection\n"
		 ".pushsection __ex_table, \"a\"\n .balign 4\n"
		 " .long 1b - ., 1b - ., ex_handler_default - .\n.popsection\n"
		 ".pushsection .parainstructions, \"a\"\n .balign 8\n .quad 1b\n .byte 1, 5\n"
		 ".popsection\n"
		 : : "i" (&feature_key) : : on);
#ifdef PATCHED
	printk("seed: %d\n", x + 1);
#else
	printk("seed: %d\n", x);
#endif
	counter++;
	return x << s;
on:
	return x * s;
}
