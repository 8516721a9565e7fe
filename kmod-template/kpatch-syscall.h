/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kpatch-syscall.h - KPATCH_SYSCALL_DEFINE0..6: patching a system call.
 *
 * Part of the patch author's API (kmod-template/, with kpatch-macros.h,
 * which includes this header as kpatch's does).  A patch that changes a
 * system call replaces the kernel's macro by kpatch's name for it:
 *
 *	-SYSCALL_DEFINE1(newuname, struct new_utsname __user *, name)
 *	+KPATCH_SYSCALL_DEFINE1(newuname, struct new_utsname __user *, name)
 *
 * What the syscall table reaches on x86_64 (6.1, 6.12): the stub
 * __x64_sys_NAME(const struct pt_regs *), and __ia32_sys_NAME with
 * IA32_EMULATION (Debian's configs), each unpacking the registers and
 * calling __se_sys_NAME(long...), which casts the arguments for the body
 * __do_sys_NAME(typed args).  The kernel declares the body `static inline',
 * and the kernel's `inline' is notrace: where GCC keeps it out of line it
 * has no __fentry__ and cannot be redirected itself.
 *
 * kpatch renames the body (__kpatch_do_sys_NAME) so that its differ sees a
 * new function, and stubs out the tracing metadata.  Here that is not
 * needed: create-diff-object carries a changed untraced body into the
 * module and replaces the stubs that call it, which are the functions the
 * syscall table reaches (create-diff-object(1), "Functions ftrace cannot
 * redirect").
 * So KPATCH_SYSCALL_DEFINEn is the kernel's SYSCALL_DEFINEn, with the
 * metadata the original has (unchanged, so left out of the module), plus a
 * mark create-diff-object checks (.kpatch.syscalls, a pointer to
 * __x64_sys_NAME, not copied into the module): the stub must be one the
 * original object defines, since a livepatch cannot add an entry to the
 * syscall table.  A new one is refused, exit 6, naming it.
 *
 * Refused at compile time (the build fails, exit 5, with the message):
 * another architecture than x86_64 (the stub names above are x86_64's),
 * and a file built into a module (system calls are vmlinux's).
 *
 * Like SYSCALL_DEFINEn, the macros need <linux/syscalls.h>, which every
 * file defining a system call includes.
 */
#ifndef _KPATCH_SYSCALL_H_
#define _KPATCH_SYSCALL_H_

#include <linux/compiler.h>

struct pt_regs;

#if !defined(CONFIG_X86_64)
#define __KPATCH_SYSCALL_MARK(_name)						\
	_Static_assert(0, "KPATCH_SYSCALL_DEFINE(" #_name "): only x86_64 "	\
		       "system calls are supported (__x64_sys_" #_name ")")
#elif defined(MODULE)
#define __KPATCH_SYSCALL_MARK(_name)						\
	_Static_assert(0, "KPATCH_SYSCALL_DEFINE(" #_name "): system calls "	\
		       "are defined in vmlinux, this file is built into "	\
		       "module " KBUILD_MODNAME)
#else
#define __KPATCH_SYSCALL_MARK(_name)						\
	long __x64_sys_##_name(const struct pt_regs *regs);			\
	static void *__UNIQUE_ID(kpatch_syscall_##_name) __used __aligned(8)	\
	__section(".kpatch.syscalls") = (void *)__x64_sys_##_name
#endif

#define KPATCH_SYSCALL_DEFINE0(_name)						\
	__KPATCH_SYSCALL_MARK(_name);						\
	SYSCALL_DEFINE0(_name)

#define __KPATCH_SYSCALL_DEFINEn(_n, _name, ...)				\
	__KPATCH_SYSCALL_MARK(_name);						\
	SYSCALL_DEFINE##_n(_name, __VA_ARGS__)

#define KPATCH_SYSCALL_DEFINE1(_name, ...) __KPATCH_SYSCALL_DEFINEn(1, _name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE2(_name, ...) __KPATCH_SYSCALL_DEFINEn(2, _name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE3(_name, ...) __KPATCH_SYSCALL_DEFINEn(3, _name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE4(_name, ...) __KPATCH_SYSCALL_DEFINEn(4, _name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE5(_name, ...) __KPATCH_SYSCALL_DEFINEn(5, _name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE6(_name, ...) __KPATCH_SYSCALL_DEFINEn(6, _name, __VA_ARGS__)

#endif /* _KPATCH_SYSCALL_H_ */
