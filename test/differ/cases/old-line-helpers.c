/*
 * Code above moved: only the __LINE__ passed to the helpers of older
 * kernels differs: ___might_sleep() (to 5.14, called by might_sleep()),
 * warn_slowpath_null() (to 4.18), and __warn_printk()'s format argument
 * (WARN() with "%s:%d").  changed() also prints another value.
 */
// EXPORTS: ___might_sleep warn_slowpath_null __warn_printk
extern void ___might_sleep(const char *file, int line, int preempt_offset);
extern void warn_slowpath_null(const char *file, int line);
extern int __warn_printk(const char *fmt, ...);

#ifdef PATCHED
#line 300
#endif
int sleeper(int x)
{
	___might_sleep("old-line-helpers.c", __LINE__, 0);
	return x + 3;
}

int warner(int x)
{
	if (x > 9)
		warn_slowpath_null("old-line-helpers.c", __LINE__);
	if (x > 99)
		__warn_printk("%s:%d: too big\n", "old-line-helpers.c", __LINE__);
	return x;
}

int changed(int x)
{
#ifdef PATCHED
	__warn_printk("%s:%d: %d\n", "old-line-helpers.c", __LINE__, x + 1);
#else
	__warn_printk("%s:%d: %d\n", "old-line-helpers.c", __LINE__, x);
#endif
	return x;
}
