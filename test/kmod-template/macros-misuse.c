// SPDX-License-Identifier: GPL-2.0
/* Must not compile: a pre-patch callback returns int. */
#include "kpatch-macros.h"

static void wrong(struct klp_object *obj) { }
KPATCH_PRE_PATCH_CALLBACK(wrong);
