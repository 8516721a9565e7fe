/*
 * What SYSCALL_DEFINE2(thing, ...) expands to on x86: the body is a
 * static inline (the kernel's inline implies notrace) __do_sys_thing();
 * the traced __x64_sys_thing and __ia32_sys_thing unpack the registers and
 * tail-call it (jmp), so GCC keeps it out of line.
 */
#define notrace __attribute__((no_instrument_function))
struct pt_regs { unsigned long bx, cx, dx, si, di; };
extern long find_thing(int which);
static inline notrace __attribute__((noinline)) long __do_sys_thing(int which, int who)
{
	long ret = find_thing(which);

	if (ret < 0)
		return ret;
#ifdef PATCHED
	if (who < 0)
		return -22;
#endif
	return ret + who;
}
long __x64_sys_thing(const struct pt_regs *regs)
{
	return __do_sys_thing((int)regs->di, (int)regs->si);
}
long __ia32_sys_thing(const struct pt_regs *regs)
{
	return __do_sys_thing((int)regs->bx, (int)regs->cx);
}
