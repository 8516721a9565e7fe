// SPDX-License-Identifier: GPL-2.0
/*
 * Built against the kernel being patched, this object tells create-diff-object
 * the entry sizes of its special sections: each kpb_size_<VAR> array is as
 * large as the structure, so its st_size is the size (nm -S reads it), and
 * kpatch-build exports it as <VAR> unless the user already set <VAR>.
 */
#include <linux/module.h>
#include <linux/version.h>
#include <linux/bug.h>
#include <linux/extable.h>
#include <linux/jump_label.h>
#include <linux/printk.h>
#include <linux/static_call.h>
#include <asm/alternative.h>
#include <asm/extable.h>
#ifdef CONFIG_UNWINDER_ORC
#include <asm/orc_types.h>
#endif
#ifdef CONFIG_PARAVIRT
#include <asm/paravirt_types.h>
#endif

#define KPB_SIZE(var, type) char kpb_size_##var[sizeof(type)]

#ifdef CONFIG_GENERIC_BUG
KPB_SIZE(BUG_STRUCT_SIZE, struct bug_entry);
#endif
KPB_SIZE(EX_STRUCT_SIZE, struct exception_table_entry);
KPB_SIZE(ALT_STRUCT_SIZE, struct alt_instr);
#ifdef CONFIG_JUMP_LABEL
KPB_SIZE(JUMP_STRUCT_SIZE, struct jump_entry);
#endif
#ifdef CONFIG_UNWINDER_ORC
KPB_SIZE(ORC_STRUCT_SIZE, struct orc_entry);
#endif
/* 6.8 replaced paravirt patch sites with alternatives. */
#if defined(CONFIG_PARAVIRT) && LINUX_VERSION_CODE < KERNEL_VERSION(6, 8, 0)
KPB_SIZE(PARA_STRUCT_SIZE, struct paravirt_patch_site);
#endif
#ifdef CONFIG_HAVE_STATIC_CALL_INLINE
KPB_SIZE(STATIC_CALL_STRUCT_SIZE, struct static_call_site);
#endif
#ifdef CONFIG_PRINTK_INDEX
/* .printk_index holds pointers; this is the struct they point to. */
KPB_SIZE(PRINTK_INDEX_STRUCT_SIZE, struct pi_entry);
#endif

MODULE_LICENSE("GPL");
