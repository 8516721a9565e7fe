// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/kpb_oot_demo: one line, written by kpb_oot_demo_show() (message.c),
 * the function fix.patch changes.
 */
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "kpb-oot-demo.h"

static int kpb_oot_demo_proc_show(struct seq_file *m, void *v)
{
	kpb_oot_demo_show(m);
	return 0;
}

static int __init kpb_oot_demo_init(void)
{
	if (!proc_create_single("kpb_oot_demo", 0444, NULL, kpb_oot_demo_proc_show))
		return -ENOMEM;
	return 0;
}

static void __exit kpb_oot_demo_exit(void)
{
	remove_proc_entry("kpb_oot_demo", NULL);
}

module_init(kpb_oot_demo_init);
module_exit(kpb_oot_demo_exit);
MODULE_DESCRIPTION("kpatch-build test: an out-of-tree module to livepatch");
MODULE_LICENSE("GPL");
