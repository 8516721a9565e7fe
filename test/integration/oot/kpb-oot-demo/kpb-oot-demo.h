/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KPB_OOT_DEMO_H
#define KPB_OOT_DEMO_H

struct seq_file;

void kpb_oot_demo_show(struct seq_file *m);

#endif
