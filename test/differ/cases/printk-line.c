/*
 * A printer is variadic: which argument is a __LINE__ no table can say
 * ("%s (%d): error creating kset\n", __FILE__, __LINE__ in kernel/params.c).
 * The patched build moves everything from line 100 on by +5 (as if 5 lines
 * were added above); --line-map "100 1000 5" says so, and only then is
 * report_kset's shifted line no change.  count_things' printed integer
 * really changes: never a line, with or without the map.
 */
// EXPORTS: _printk _dev_err
extern int _printk(const char *fmt, ...);
struct device;
extern void _dev_err(const struct device *dev, const char *fmt, ...);

#ifdef PATCHED
#define FIRST_LINE 105	/* as if 5 lines were added above */
#else
#define FIRST_LINE 100
#endif
#line FIRST_LINE
int report_kset(int err)
{
	if (err)
		_printk("\0014%s (%d): error creating kset\n", "printk-line.c", __LINE__);
	return err;
}

void report_dev(const struct device *dev, int err)
{
	if (err)
		_dev_err(dev, "%s:%d: failed: %d\n", "printk-line.c", __LINE__, err);
}

void count_things(void)
{
#ifdef PATCHED
	_printk("\0016counted %d things\n", 6);
#else
	_printk("\0016counted %d things\n", 5);
#endif
}
