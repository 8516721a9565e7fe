// SPDX-License-Identifier: GPL-2.0
/*
 * kpatch's patch API as kpatch's patches write it: patch_object callbacks,
 * kpatch's callback types, KPATCH_PRINTK(_DEFERRED), KPATCH_STATIC_CALL,
 * the ignore and force markers, from a bare #include "kpatch-macros.h".
 */
#include <linux/kernel.h>
#include <linux/static_call.h>
#include "kpatch-macros.h"

static int kpb_kpatch_pre(patch_object *obj)
{
	KPATCH_PRINTK(KERN_INFO "pre_patch %s\n", obj->name ? obj->name : "vmlinux");
	return 0;
}
static void kpb_kpatch_post(patch_object *obj)
{
	KPATCH_PRINTK_DEFERRED(KERN_INFO "post_patch\n");
}
static void kpb_kpatch_pre_un(patch_object *obj) { }
static void kpb_kpatch_post_un(patch_object *obj) { }

KPATCH_PRE_PATCH_CALLBACK(kpb_kpatch_pre);
KPATCH_POST_PATCH_CALLBACK(kpb_kpatch_post);
KPATCH_PRE_UNPATCH_CALLBACK(kpb_kpatch_pre_un);
KPATCH_POST_UNPATCH_CALLBACK(kpb_kpatch_post_un);

/* kpatch's types, as a patch may name them. */
kpatch_pre_patch_call_t kpb_kpatch_pre_ptr = kpb_kpatch_pre;
struct kpatch_post_unpatch_callback kpb_kpatch_entry = { .fn = kpb_kpatch_post_un };

static int kpb_kpatch_target(int x) { return x + 1; }
DEFINE_STATIC_CALL(kpb_kpatch_call, kpb_kpatch_target);

int kpb_kpatch_static_call_user(int x)
{
	return KPATCH_STATIC_CALL(kpb_kpatch_call)(x);
}

static int kpb_kpatch_ignored(void) { return 1; }
static int kpb_kpatch_forced(void) { return 2; }
KPATCH_IGNORE_FUNCTION(kpb_kpatch_ignored);
KPATCH_IGNORE_SECTION(".discard.kpb_kpatch");
KPATCH_FORCE_UNSAFE(kpb_kpatch_forced);
