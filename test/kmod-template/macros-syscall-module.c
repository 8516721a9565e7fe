// SPDX-License-Identifier: GPL-2.0
/* Must not compile: KPATCH_SYSCALL_DEFINE in a module (system calls are vmlinux's). */
#include <linux/syscalls.h>
#include "kpatch-syscall.h"

KPATCH_SYSCALL_DEFINE1(kpb_in_module, int, x)
{
	return x;
}
