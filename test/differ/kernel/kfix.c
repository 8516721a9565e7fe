// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel-object fixtures for the differ: built against the real 6.1
 * headers as an external module, once plain and once with -DPATCHED.
 * Each function exercises one special section; the PATCHED_* macros pick
 * which ones change, so one source serves every test.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/uaccess.h>
#include <linux/jump_label.h>
#include <linux/static_call.h>
#include <linux/bug.h>
#include <linux/sched.h>
#include <linux/ioport.h>
#include <asm/alternative.h>
#include <asm/cpufeatures.h>

static DEFINE_STATIC_KEY_FALSE(kfix_key);

static int kfix_target(int x) { return x + 1; }
DEFINE_STATIC_CALL(kfix_call, kfix_target);

/* __bug_table, and __LINE__ in might_sleep(). */
noinline int kfix_warn(int x)
{
#ifdef PATCHED_LINES
#line 500
#endif
	might_sleep();
	WARN_ON(x > 100);
#ifdef PATCHED_WARN
	return x * 2;
#else
	return x;
#endif
}

/* __ex_table. */
noinline int kfix_user(int __user *p)
{
	int v = 0;

	if (!user_access_begin(p, sizeof(*p)))
		return -EFAULT;
	unsafe_get_user(v, p, efault);
	user_access_end();
#ifdef PATCHED_USER
	return v + 7;
#else
	return v;
#endif
efault:
	user_access_end();
	return -EFAULT;
}

/* .altinstructions and .altinstr_replacement. */
noinline int kfix_alt(int x)
{
#ifdef PATCHED_ALT_ONLY
	alternative("", "mfence", X86_FEATURE_LFENCE_RDTSC);
#else
	alternative("", "lfence", X86_FEATURE_LFENCE_RDTSC);
#endif
#ifdef PATCHED_ALT
	return x - 3;
#else
	return x;
#endif
}

/* __jump_table, with a key of this module. */
noinline int kfix_jump(int x)
{
	if (static_branch_unlikely(&kfix_key))
		x++;
#ifdef PATCHED_JUMP
	return x * 5;
#else
	return x;
#endif
}

/* .static_call_sites, with a key of this module. */
noinline int kfix_scall(int x)
{
#ifdef PATCHED_SCALL
	return static_call(kfix_call)(x) * 3;
#else
	return static_call(kfix_call)(x);
#endif
}

/* .printk_index, when built with -DCONFIG_PRINTK_INDEX (the header's own pi_entry). */
noinline int kfix_print(int x)
{
#ifdef PATCHED_PRINT
	pr_info("kfix: %d (patched)\n", x);
#else
	pr_info("kfix: %d\n", x);
#endif
	return x;
}

/* A namespaced export (CXL in 6.1's Module.symvers), used only by the patch. */
#ifdef PATCHED_NS
MODULE_IMPORT_NS(CXL);
#endif
noinline int kfix_ns(struct resource *root, struct resource *res)
{
#ifdef PATCHED_NS
	insert_resource_expand_to_fit(root, res);
#endif
	return root == res;
}

static int __init kfix_init(void)
{
	static_branch_enable(&kfix_key);
	return kfix_warn(1) + kfix_alt(2) + kfix_jump(3) + kfix_scall(4) +
	       kfix_user(NULL) + kfix_print(5);
}
module_init(kfix_init);
MODULE_LICENSE("GPL");
