/*
 * CONFIG_PRINTK_INDEX as include/linux/printk.h (6.1, 6.12) builds it:
 * each printk() makes a static struct pi_entry (44 bytes, packed) and puts
 * a pointer to it in .printk_index.  The patch changes what loud() prints,
 * and adds a line above quiet(), whose entry's line moves.
 */
// EXPORTS: _printk
struct pi_entry {
	const char *fmt;
	const char *func;
	const char *file;
	unsigned int line;
	const char *level;
	const char *subsys_fmt_prefix;
} __attribute__((packed));

int _printk(const char *fmt, ...);

#define printk(_fmt, ...)						\
	({								\
		static const struct pi_entry _entry			\
			__attribute__((used)) = {			\
			.fmt = (_fmt), .func = __func__,			\
			.file = __FILE__, .line = __LINE__,		\
		};							\
		static const struct pi_entry *_entry_ptr		\
			__attribute__((used, section(".printk_index"))) = &_entry; \
		_printk(_fmt, ##__VA_ARGS__);				\
	})

int loud(int x)
{
#ifdef PATCHED
	printk("loud: %d (patched)\n", x);
#else
	printk("loud: %d\n", x);
#endif
	return x;
}

#ifdef PATCHED
/* one more line */
#endif
int quiet(int x)
{
	printk("quiet: %d\n", x);
	return x + 1;
}
