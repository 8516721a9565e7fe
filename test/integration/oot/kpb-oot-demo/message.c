// SPDX-License-Identifier: GPL-2.0
/*
 * The line /proc/kpb_oot_demo shows, computed from a static variable of
 * the module: its livepatch reaches it through a .klp.rela section.
 */
#include <linux/seq_file.h>

#include "kpb-oot-demo.h"

static unsigned int kpb_oot_demo_reads;

void kpb_oot_demo_show(struct seq_file *m)
{
	kpb_oot_demo_reads++;
	seq_printf(m, "kpb-oot-demo original %u\n", kpb_oot_demo_reads);
}
