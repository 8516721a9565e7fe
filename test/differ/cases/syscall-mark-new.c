/*
 * KPATCH_SYSCALL_DEFINE1(added, ...) of a system call the original object
 * does not have: its stub would be a function no syscall table entry
 * reaches.  Refused, naming the stub.
 */
struct pt_regs { unsigned long bx, cx, dx, si, di; };
long __x64_sys_kept(const struct pt_regs *regs)
{
	return (long)regs->di;
}
#ifdef PATCHED
long __x64_sys_added(const struct pt_regs *regs)
{
	return (long)regs->di + 1;
}
static void *kpatch_syscall_added_1 __attribute__((used, aligned(8), section(".kpatch.syscalls")))
	= (void *)__x64_sys_added;
#endif
