// A function of a named section that takes the RIP-relative address of a
// static one of the same section (inline assembly, as the kernel's own asm
// does with lea): the assembler resolves the operand itself. The patch
// changes the function that takes the address.
#define __shared __attribute__((section(".sched.text")))

void (*shared_hook)(int);
int shared_seen;

static void __shared __attribute__((noinline, used)) shared_target(int x)
{
	shared_seen = x;
}

void __shared shared_install(int x)
{
	void (*fn)(int);

#ifdef PATCHED
	shared_seen = -x;
#endif
	asm("lea shared_target(%%rip), %0" : "=r"(fn));
	shared_hook = fn;
}
