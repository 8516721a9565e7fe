/*
 * KPATCH_SYSCALL_DEFINE2(thing, ...) of kpatch-syscall.h: the kernel's
 * SYSCALL_DEFINE2 (its x86_64 expansion is untraced-syscall.c's) plus a
 * pointer to the stub in .kpatch.syscalls, which create-diff-object checks
 * (the original object defines the stub) and never copies.
 */
#include "untraced-syscall.c"
#ifdef PATCHED
static void *kpatch_syscall_thing_1 __attribute__((used, aligned(8), section(".kpatch.syscalls")))
	= (void *)__x64_sys_thing;
#endif
