// SPDX-License-Identifier: GPL-2.0
/* Every macro of kpatch-macros.h used once, as a patch author would. */
#include <linux/kernel.h>
#include "kpatch-macros.h"

static int pre_patch(struct klp_object *obj) { return kpatch_get_state(7) ? 0 : -EINVAL; }
static void post_patch(struct klp_object *obj) { kpatch_get_prev_state(7); }
static void pre_unpatch(struct klp_object *obj) { }
static void post_unpatch(struct klp_object *obj) { }
static int ignored(void) { return 1; }
static int forced(void) { return 2; }

KPATCH_PRE_PATCH_CALLBACK(pre_patch);
KPATCH_POST_PATCH_CALLBACK(post_patch);
KPATCH_PRE_UNPATCH_CALLBACK(pre_unpatch);
KPATCH_POST_UNPATCH_CALLBACK(post_unpatch);
KPATCH_STATE(8, 2);
KPATCH_IGNORE_FUNCTION(ignored);
KPATCH_IGNORE_SECTION(".discard.example");
KPATCH_FORCE_UNSAFE(forced);
struct layout_example { int a; };
KPATCH_LAYOUT_CHANGE_OK(struct layout_example);
