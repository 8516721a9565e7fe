// SPDX-License-Identifier: GPL-2.0
/*
 * livepatch-patch.c - the module part of every livepatch kpatch-build makes.
 *
 * create-diff-object's outputs are linked with this file.  They carry the
 * patched functions and the tables described in kpatch-macros.h; kpatch.lds
 * brackets each table with start/end symbols.  At load time this file turns
 * the tables into the kernel's struct klp_patch / klp_object / klp_func /
 * klp_state and calls klp_enable_patch().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/livepatch.h>

#include "kpatch-macros.h"

/* Defined by kpatch.lds around the input sections of the same name. */
extern struct kpatch_func_entry __kpatch_funcs[], __kpatch_funcs_end[];
extern struct kpatch_state_entry __kpatch_states[], __kpatch_states_end[];
extern struct kpatch_callback_entry
	__kpatch_callbacks_pre_patch[], __kpatch_callbacks_pre_patch_end[],
	__kpatch_callbacks_post_patch[], __kpatch_callbacks_post_patch_end[],
	__kpatch_callbacks_pre_unpatch[], __kpatch_callbacks_pre_unpatch_end[],
	__kpatch_callbacks_post_unpatch[], __kpatch_callbacks_post_unpatch_end[];

/*
 * A zero-length array in each table section: a table no object contributed
 * to is then still an allocated (SHF_ALLOC) section, so its start and end
 * symbols point into the module's memory rather than into a non-allocated
 * empty section that ld would otherwise create for the symbols.
 */
#define TABLE_ANCHOR(_type, _section)						\
	static _type __UNIQUE_ID(kpatch_anchor)[0] __used __aligned(8)		\
	__section(_section)

TABLE_ANCHOR(struct kpatch_func_entry, ".kpatch.funcs");
TABLE_ANCHOR(struct kpatch_callback_entry, ".kpatch.callbacks.pre_patch");
TABLE_ANCHOR(struct kpatch_callback_entry, ".kpatch.callbacks.post_patch");
TABLE_ANCHOR(struct kpatch_callback_entry, ".kpatch.callbacks.pre_unpatch");
TABLE_ANCHOR(struct kpatch_callback_entry, ".kpatch.callbacks.post_unpatch");
TABLE_ANCHOR(struct kpatch_state_entry, ".kpatch.states");

enum callback_kind {
	CALLBACK_PRE_PATCH,
	CALLBACK_POST_PATCH,
	CALLBACK_PRE_UNPATCH,
	CALLBACK_POST_UNPATCH,
	NR_CALLBACK_KINDS,
};

/* One row per callback section: where its entries are and what it is called. */
static const struct {
	const char *name;
	struct kpatch_callback_entry *start, *end;
} callback_tables[NR_CALLBACK_KINDS] = {
	[CALLBACK_PRE_PATCH] = { "pre_patch",
		__kpatch_callbacks_pre_patch, __kpatch_callbacks_pre_patch_end },
	[CALLBACK_POST_PATCH] = { "post_patch",
		__kpatch_callbacks_post_patch, __kpatch_callbacks_post_patch_end },
	[CALLBACK_PRE_UNPATCH] = { "pre_unpatch",
		__kpatch_callbacks_pre_unpatch, __kpatch_callbacks_pre_unpatch_end },
	[CALLBACK_POST_UNPATCH] = { "post_unpatch",
		__kpatch_callbacks_post_unpatch, __kpatch_callbacks_post_unpatch_end },
};

struct klp_patch *kpatch_klp_patch;

static struct klp_patch patch;

/* kpatch objnames say "vmlinux"; struct klp_object says NULL. */
static const char *klp_object_name(const char *objname)
{
	if (!objname || !strcmp(objname, "vmlinux"))
		return NULL;
	return objname;
}

static bool same_object(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

static struct klp_object *find_object(struct klp_object *objs, size_t nr,
				      const char *name)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (same_object(objs[i].name, name))
			return &objs[i];
	return NULL;
}

/* Append the object named @name to @objs[0..*nr) unless it is there. */
static void add_object(struct klp_object *objs, size_t *nr, const char *name)
{
	if (!find_object(objs, *nr, name))
		objs[(*nr)++].name = name;
}

/* Upper bound of distinct objects: every func and callback entry may name one. */
static size_t count_entries(void)
{
	size_t nr = __kpatch_funcs_end - __kpatch_funcs;
	int kind;

	for (kind = 0; kind < NR_CALLBACK_KINDS; kind++)
		nr += callback_tables[kind].end - callback_tables[kind].start;
	return nr;
}

static void collect_objects(struct klp_object *objs, size_t *nr_objs)
{
	struct kpatch_callback_entry *cb;
	struct kpatch_func_entry *f;
	int kind;

	for (f = __kpatch_funcs; f < __kpatch_funcs_end; f++)
		add_object(objs, nr_objs, klp_object_name(f->objname));

	/* Objects with callbacks but no changed function are patched too. */
	for (kind = 0; kind < NR_CALLBACK_KINDS; kind++)
		for (cb = callback_tables[kind].start;
		     cb < callback_tables[kind].end; cb++)
			add_object(objs, nr_objs, klp_object_name(cb->objname));
}

/*
 * Each object gets a zero-terminated klp_func array, even an empty one:
 * klp_enable_patch() rejects objects whose funcs pointer is NULL, and
 * klp_for_each_object_static() stops at the first object with neither name
 * nor funcs (so vmlinux with callbacks only would end the list).
 */
static int fill_object_funcs(struct klp_object *obj)
{
	struct kpatch_func_entry *f;
	struct klp_func *funcs;
	size_t nr = 0;

	for (f = __kpatch_funcs; f < __kpatch_funcs_end; f++)
		if (same_object(klp_object_name(f->objname), obj->name))
			nr++;

	funcs = kcalloc(nr + 1, sizeof(*funcs), GFP_KERNEL);
	if (!funcs)
		return -ENOMEM;

	nr = 0;
	for (f = __kpatch_funcs; f < __kpatch_funcs_end; f++) {
		if (!same_object(klp_object_name(f->objname), obj->name))
			continue;
		funcs[nr].old_name = f->old_name;
		funcs[nr].new_func = (void *)f->new_func;
		funcs[nr].old_sympos = f->old_sympos;
		nr++;
	}
	obj->funcs = funcs;
	return 0;
}

static int attach_callback(struct klp_object *obj, enum callback_kind kind,
			   void *fn)
{
	struct klp_callbacks *cbs = &obj->callbacks;
	void **slot;

	switch (kind) {
	case CALLBACK_PRE_PATCH:
		slot = (void **)&cbs->pre_patch;
		break;
	case CALLBACK_POST_PATCH:
		slot = (void **)&cbs->post_patch;
		break;
	case CALLBACK_PRE_UNPATCH:
		slot = (void **)&cbs->pre_unpatch;
		break;
	case CALLBACK_POST_UNPATCH:
		slot = (void **)&cbs->post_unpatch;
		break;
	default:
		return -EINVAL;
	}

	/* struct klp_callbacks has room for one function of each kind. */
	if (*slot) {
		pr_err("more than one %s callback for object %s\n",
		       callback_tables[kind].name,
		       obj->name ? obj->name : "vmlinux");
		return -EINVAL;
	}
	*slot = fn;
	return 0;
}

static int attach_callbacks(struct klp_object *objs, size_t nr_objs)
{
	struct kpatch_callback_entry *cb;
	int kind, ret;

	/* collect_objects() added every callback's object. */
	for (kind = 0; kind < NR_CALLBACK_KINDS; kind++) {
		for (cb = callback_tables[kind].start;
		     cb < callback_tables[kind].end; cb++) {
			struct klp_object *obj = find_object(objs, nr_objs,
					klp_object_name(cb->objname));

			ret = attach_callback(obj, kind, cb->fn);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static struct klp_state *build_states(void)
{
	size_t nr = __kpatch_states_end - __kpatch_states;
	struct klp_state *states;
	size_t i;

	states = kcalloc(nr + 1, sizeof(*states), GFP_KERNEL);
	if (!states)
		return ERR_PTR(-ENOMEM);

	for (i = 0; i < nr; i++) {
		const struct kpatch_state_entry *s = &__kpatch_states[i];

		if (!s->id || s->version > UINT_MAX) {
			pr_err("invalid state id %lu version %lu\n",
			       s->id, s->version);
			kfree(states);
			return ERR_PTR(-EINVAL);
		}
		states[i].id = s->id;
		states[i].version = s->version;
	}
	return states;
}

static void free_objects(struct klp_object *objs)
{
	struct klp_object *obj;

	if (!objs)
		return;
	for (obj = objs; obj->funcs; obj++)
		kfree(obj->funcs);
	kfree(objs);
}

static void free_patch(void)
{
	free_objects(patch.objs);
	kfree(patch.states);
	patch.objs = NULL;
	patch.states = NULL;
	kpatch_klp_patch = NULL;
}

static int build_patch(void)
{
	struct klp_object *objs;
	size_t nr_objs = 0, i;
	int ret;

	/* One spare zeroed object terminates the array. */
	objs = kcalloc(count_entries() + 1, sizeof(*objs), GFP_KERNEL);
	if (!objs)
		return -ENOMEM;
	patch.objs = objs;

	collect_objects(objs, &nr_objs);
	if (!nr_objs) {
		pr_err("no patched functions and no callbacks\n");
		ret = -EINVAL;
		goto err;
	}
	for (i = 0; i < nr_objs; i++) {
		ret = fill_object_funcs(&objs[i]);
		if (ret)
			goto err;
	}
	ret = attach_callbacks(objs, nr_objs);
	if (ret)
		goto err;

	patch.states = build_states();
	if (IS_ERR(patch.states)) {
		ret = PTR_ERR(patch.states);
		patch.states = NULL;
		goto err;
	}

	patch.mod = THIS_MODULE;
#ifdef KPATCH_NO_REPLACE
	patch.replace = false;
#else
	patch.replace = true;
#endif
	return 0;
err:
	free_patch();
	return ret;
}

static int __init livepatch_init(void)
{
	int ret;

	ret = build_patch();
	if (ret)
		return ret;

	/* Patch code may call kpatch_get_state() from its callbacks. */
	kpatch_klp_patch = &patch;

	ret = klp_enable_patch(&patch);
	if (ret)
		free_patch();
	return ret;
}

/*
 * The livepatch core holds a reference on this module while the patch is
 * registered, so by the time exit runs the structures are no longer used.
 */
static void __exit livepatch_exit(void)
{
	free_patch();
}

module_init(livepatch_init);
module_exit(livepatch_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
/*
 * Whether loading this patch disables every other livepatch (.replace):
 * the manager (kpatch load refuses to drop loaded patches unasked) and
 * kpatch-package read it with modinfo -F livepatch_replace.
 */
#ifdef KPATCH_NO_REPLACE
MODULE_INFO(livepatch_replace, "N");
#else
MODULE_INFO(livepatch_replace, "Y");
#endif
