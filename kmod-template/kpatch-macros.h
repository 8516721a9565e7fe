/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kpatch-macros.h - what a patch author may use from a kpatch-build patch.
 *
 * Include it from the patched kernel source file:
 *
 *	#include "kpatch-macros.h"
 *
 * kpatch-build puts this header on the include path of both the original
 * and the patched kernel build.  Everything here only emits entries into
 * named sections; create-diff-object and the livepatch module template
 * (livepatch-patch.c) give those entries their meaning.  The layout of each
 * entry is the ABI between the three and is described in README.md.
 *
 * Patches written for kpatch build as they are: every macro and type of
 * kpatch's kpatch-macros.h is here (patch_object, the four callbacks,
 * KPATCH_PRINTK, KPATCH_PRINTK_DEFERRED, KPATCH_STATIC_CALL, the ignore and
 * force markers), and, as with kpatch, this header brings in
 * kpatch-syscall.h (KPATCH_SYSCALL_DEFINE0..6).  Where a macro means
 * something else here than in kpatch, its comment says so.
 */
#ifndef _KPATCH_MACROS_H_
#define _KPATCH_MACROS_H_

#include <linux/compiler.h>
#include <linux/jiffies.h>
#include <linux/livepatch.h>
#include <linux/printk.h>

/* ---- ABI: entry layouts (must match create-diff-object) ---------------- */

/* .kpatch.funcs, written by create-diff-object, 32 bytes each. */
struct kpatch_func_entry {
	unsigned long new_func;
	const char *old_name;
	const char *objname;		/* "vmlinux" or the module name */
	unsigned long old_sympos;
};

/* .kpatch.callbacks.{pre,post}_{patch,unpatch}, 16 bytes each. */
struct kpatch_callback_entry {
	void *fn;
	const char *objname;		/* NULL: vmlinux, else the module name */
};

/* .kpatch.states, 16 bytes each. */
struct kpatch_state_entry {
	unsigned long id;
	unsigned long version;
};

/* The klp_patch the template module registers; set before klp_enable_patch(). */
extern struct klp_patch *kpatch_klp_patch;

/* ---- internal helpers --------------------------------------------------- */

/* The object a callback belongs to is the object its source file links into. */
#ifdef MODULE
#define __KPATCH_OBJNAME	KBUILD_MODNAME
#else
#define __KPATCH_OBJNAME	NULL
#endif

#define __KPATCH_CALLBACK(_section, _fn, _type)					\
	_Static_assert(__builtin_types_compatible_p(typeof(&(_fn)), _type),	\
		       "callback " #_fn " must be of type " #_type);		\
	static struct kpatch_callback_entry					\
	__UNIQUE_ID(kpatch_callback_##_fn) __used __aligned(8)			\
	__section(_section) = {							\
		.fn = (_fn),							\
		.objname = __KPATCH_OBJNAME,					\
	}

/* ---- callbacks (Documentation/livepatch/callbacks.rst) ------------------ */

/*
 * kpatch's name for the object a callback is given: here it is always the
 * kernel's struct klp_object (kpatch also had its own, for its pre-livepatch
 * core module, which no 6.x kernel uses).
 */
typedef struct klp_object patch_object;

/* kpatch's callback types; the macros below check a callback against them. */
typedef int (*kpatch_pre_patch_call_t)(patch_object *obj);
typedef void (*kpatch_post_patch_call_t)(patch_object *obj);
typedef void (*kpatch_pre_unpatch_call_t)(patch_object *obj);
typedef void (*kpatch_post_unpatch_call_t)(patch_object *obj);

/*
 * kpatch's entry types of the four callback sections, by name: each is the
 * 16-byte { fn, objname } of struct kpatch_callback_entry.  Here the macro
 * fills in objname (kpatch leaves it to create-diff-object).
 */
#define __KPATCH_CALLBACK_TYPE(_kind)						\
	struct kpatch_##_kind##_callback {					\
		kpatch_##_kind##_call_t fn;					\
		char *objname;							\
	};									\
	_Static_assert(sizeof(struct kpatch_##_kind##_callback) ==		\
		       sizeof(struct kpatch_callback_entry),			\
		       "struct kpatch_" #_kind "_callback is a callback entry")
__KPATCH_CALLBACK_TYPE(pre_patch);
__KPATCH_CALLBACK_TYPE(post_patch);
__KPATCH_CALLBACK_TYPE(pre_unpatch);
__KPATCH_CALLBACK_TYPE(post_unpatch);
#undef __KPATCH_CALLBACK_TYPE

/*
 * int fn(patch_object *obj) (patch_object is struct klp_object): non-zero
 * refuses patching this object.
 */
#define KPATCH_PRE_PATCH_CALLBACK(_fn)						\
	__KPATCH_CALLBACK(".kpatch.callbacks.pre_patch", _fn,			\
			  kpatch_pre_patch_call_t)

/* void fn(patch_object *obj) */
#define KPATCH_POST_PATCH_CALLBACK(_fn)						\
	__KPATCH_CALLBACK(".kpatch.callbacks.post_patch", _fn,			\
			  kpatch_post_patch_call_t)

#define KPATCH_PRE_UNPATCH_CALLBACK(_fn)					\
	__KPATCH_CALLBACK(".kpatch.callbacks.pre_unpatch", _fn,			\
			  kpatch_pre_unpatch_call_t)

#define KPATCH_POST_UNPATCH_CALLBACK(_fn)					\
	__KPATCH_CALLBACK(".kpatch.callbacks.post_unpatch", _fn,		\
			  kpatch_post_unpatch_call_t)

/* ---- system state (Documentation/livepatch/system-state.rst) ------------ */

/*
 * Declare that this patch handles system state @_id at @_version.  @_id
 * must be non-zero (0 terminates the kernel's klp_state array) and
 * @_version must fit in an unsigned int (struct klp_state.version).
 */
#define KPATCH_STATE(_id, _version)						\
	_Static_assert((_id) != 0, "KPATCH_STATE: id 0 is reserved");		\
	_Static_assert((unsigned long)(_version) <= 0xffffffffUL,		\
		       "KPATCH_STATE: version must fit in unsigned int");	\
	static struct kpatch_state_entry					\
	__UNIQUE_ID(kpatch_state) __used __aligned(8)				\
	__section(".kpatch.states") = {						\
		.id = (_id),							\
		.version = (_version),						\
	}

static inline struct klp_state *kpatch_get_state(unsigned long id)
{
	return klp_get_state(kpatch_klp_patch, id);
}

static inline struct klp_state *kpatch_get_prev_state(unsigned long id)
{
	return klp_get_prev_state(id);
}

/* ---- directions to create-diff-object (consumed, not copied) ------------ */

/* Changes to @_fn are not included in the livepatch. */
#define KPATCH_IGNORE_FUNCTION(_fn)						\
	static void *__UNIQUE_ID(kpatch_ignore_func_##_fn) __used __aligned(8)	\
	__section(".kpatch.ignore.functions") = (void *)(_fn)

/* Changes to section @_name (a string literal) are ignored. */
#define KPATCH_IGNORE_SECTION(_name)						\
	static const char *__UNIQUE_ID(kpatch_ignore_section) __used		\
	__aligned(8) __section(".kpatch.ignore.sections") = (_name)

/*
 * Include @_fn even if create-diff-object would refuse the change.  (In
 * kpatch the mark skipped its own core module's stack check at load; the
 * kernel's livepatch core has no such per-function switch, so here it is
 * the differ's refusals the author takes over.)
 */
#define KPATCH_FORCE_UNSAFE(_fn)						\
	static void *__UNIQUE_ID(kpatch_force_##_fn) __used __aligned(8)	\
	__section(".kpatch.force") = (void *)(_fn)

/*
 * The patch changes the layout of @_type ("struct foo", "union bar", or the
 * name of a typedef'd anonymous struct, "Node") and copes with it: objects
 * allocated before the livepatch loads keep the old layout, so the patched
 * code must not read or write them at the new offsets (typically the new
 * member lives in a shadow variable instead, see below).  Without this,
 * kpatch-build refuses (exit 6) a patch that moves, removes, resizes or
 * retypes a member, or changes the size, of a type the original object
 * has; a member added into padding, every offset and the size unchanged,
 * needs no mark.  kpatch-build's layout check (kpb-layout) reads the
 * type's name from section .kpatch.layout_change_ok of the patched objects
 * of all the patch's files; create-diff-object never copies that section
 * into the livepatch module.  The sizeof makes a misspelt type an error.
 */
#define KPATCH_LAYOUT_CHANGE_OK(_type)						\
	_Static_assert(sizeof(_type) > 0, "KPATCH_LAYOUT_CHANGE_OK: " #_type);	\
	static const char __UNIQUE_ID(kpatch_layout_change_ok)[] __used		\
	__aligned(1) __section(".kpatch.layout_change_ok") = #_type

/* ---- code generation helpers (kpatch's, same meaning) ------------------- */

/*
 * printk() is __cold: GCC treats a path that calls it as unlikely, and may
 * move the code around it into .text.unlikely or stop inlining what it
 * calls there, which changes far more than the patch did.  These call the
 * printer behind a test GCC cannot fold (jiffies is volatile), so only the
 * call itself is on a cold path.
 */
#define KPATCH_PRINTK(_fmt, ...)						\
	({ if (jiffies != 0UL) printk(_fmt, ##__VA_ARGS__); })

/* The same for printk_deferred(), for callers that hold the runqueue lock. */
#define KPATCH_PRINTK_DEFERRED(_fmt, ...)					\
	({ if (jiffies != 0UL) printk_deferred(_fmt, ##__VA_ARGS__); })

/*
 * static_call(@name)(...) as an ordinary indirect call through the key's
 * current target: for a static call whose key lives in a module (the
 * module's .static_call_sites entries cannot be written for a livepatch).
 * Needs <linux/static_call.h>, as static_call() does.
 */
#define KPATCH_STATIC_CALL(name)						\
	((typeof(&STATIC_CALL_TRAMP(name)))READ_ONCE(STATIC_CALL_KEY(name).func))

/*
 * Shadow variables: use the kernel's API from <linux/livepatch.h> directly
 * (klp_shadow_alloc, klp_shadow_get_or_alloc, klp_shadow_get,
 * klp_shadow_free, klp_shadow_free_all); see README.md.
 */

/* System calls: KPATCH_SYSCALL_DEFINE0..6, as kpatch's header brings them. */
#include "kpatch-syscall.h"

#endif /* _KPATCH_MACROS_H_ */
