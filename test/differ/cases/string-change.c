/* A changed string in a /proc-style show function. */
// EXPORTS: seq_puts printk
struct seq_file;
extern void seq_puts(struct seq_file *m, const char *s);
extern const char *saved_command_line;

int cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, saved_command_line);
#ifdef PATCHED
	seq_puts(m, " (livepatched)\n");
#else
	seq_puts(m, "\n");
#endif
	return 0;
}

int untouched(struct seq_file *m)
{
	seq_puts(m, "same");
	return 1;
}
