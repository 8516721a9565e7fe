// Two functions of one named section (as the kernel's __sched puts them in
// .sched.text whatever -ffunction-sections says): the assembler resolves
// the call from the global caller to the static callee itself, with no
// relocation. The patch grows the callee, so the caller's call changes
// too, and the copy of the caller alone would call other code.
#define __shared __attribute__((section(".sched.text")))

int shared_count;

static int __shared __attribute__((noinline)) shared_callee(int x)
{
#ifdef PATCHED
	shared_count += x;
	return x * 7 + shared_count;
#else
	return x * 3 + 1;
#endif
}

int __shared shared_caller(int x)
{
	return shared_callee(x) + 2;
}
