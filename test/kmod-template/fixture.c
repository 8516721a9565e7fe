// SPDX-License-Identifier: GPL-2.0
/*
 * Stands in for a create-diff-object output: one replacement function with
 * its .kpatch.funcs entry, plus a callback and a state entry as the macros in
 * kpatch-macros.h emit them.  Built with plain gcc, not kbuild, because the
 * real outputs also reach the module build as prebuilt objects.
 */
struct klp_object;

struct kpatch_func_entry {
	unsigned long new_func;
	const char *old_name;
	const char *objname;
	unsigned long old_sympos;
};

struct kpatch_callback_entry {
	void *fn;
	const char *objname;
};

struct kpatch_state_entry {
	unsigned long id;
	unsigned long version;
};

int livepatch_cmdline_proc_show(void *m, void *v);
int livepatch_cmdline_proc_show(void *m, void *v)
{
	return 0;
}

static int fixture_pre_patch(struct klp_object *obj)
{
	return 0;
}

static const char old_name[] __attribute__((section(".kpatch.strings"))) =
	"cmdline_proc_show";
static const char objname[] __attribute__((section(".kpatch.strings"))) =
	"vmlinux";

static struct kpatch_func_entry func_entries[2]
	__attribute__((used, aligned(8), section(".kpatch.funcs"))) = {
	{ (unsigned long)livepatch_cmdline_proc_show, old_name, objname, 0 },
	{ (unsigned long)livepatch_cmdline_proc_show, old_name, objname, 2 },
};

static struct kpatch_callback_entry pre_patch_entry
	__attribute__((used, aligned(8), section(".kpatch.callbacks.pre_patch"))) = {
	(void *)fixture_pre_patch, 0,
};

static struct kpatch_state_entry state_entry
	__attribute__((used, aligned(8), section(".kpatch.states"))) = { 7, 1 };
