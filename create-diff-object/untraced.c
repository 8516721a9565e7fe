// SPDX-License-Identifier: GPL-2.0
/*
 * Phase 3b (layer 2): changed untraced functions, which ftrace cannot
 * patch, patched through their callers.
 *
 * The livepatch core redirects a function through the __fentry__ call at
 * its entry.  Some functions have none: on x86 the body of SYSCALL_DEFINEn
 * (n >= 1) is a "static inline" __do_sys_NAME() (the kernel's inline
 * implies notrace).  GCC 12 inlines it into the traced stubs
 * __x64_sys_NAME and __ia32_sys_NAME, or keeps it out of line and has both
 * stubs tail-call it ("jmp", R_X86_64_PC32 to its section): in Debian's
 * 6.1 and 6.12 kernel/sys.o, 9 and 10 bodies (getpriority, newuname,
 * prctl...).  SYSCALL_DEFINE0's stubs are aliases of a traced __do_sys_.
 * notrace helpers are the same case.  Such a function is carried in the
 * output as a new local copy, and every traced function that calls it
 * (walking up through callers that are untraced themselves, which are
 * carried too) is replaced, so that once the transition is over no task
 * enters the old body through a patched path.  A task inside the old body
 * when it ends finishes that call there: a tail-called body leaves no
 * replaced caller on its stack for the consistency check to wait for.
 *
 * The walk runs on the original object, whose code the running kernel
 * executes.  It is impossible, and refused, when a path stays that the
 * patch cannot redirect: its address is taken (a pointer in a table, a
 * "lea" in code), or a caller is a module's __init code (vmlinux's is freed
 * before any livepatch loads, and skipped), entry or noinstr code, or an
 * untraced function nothing in this object calls.  A global one has callers
 * in other objects: without --untraced-out it is refused; with it, it is
 * carried under a module-internal name unless exported, and kpatch-build
 * runs the differ with --untraced-in on every object that calls it, whose
 * callers are changed here too (change_callers_of_carried(); untraced_list.c).
 */
#include "cdo.h"
#include "x86.h"

#include <stdlib.h>
#include <string.h>

enum ref_kind {
	REF_CALL,		/* call, jmp or jcc to the function's entry */
	REF_ADDRESS,		/* any other use of its address, in code or data */
	REF_STRAY_CODE,		/* from code outside any function (.altinstr_replacement) */
};

/* One reference to a function's entry. */
struct func_ref {
	struct symbol *from;		/* the function it is in (a cold part's parent), or NULL */
	const struct section *sec;
	uint64_t offset;
	enum ref_kind kind;
};

/* The references to each function of one object, by target: built once. */
struct ref_graph {
	size_t *first;			/* [sym index]: refs[first[i]..first[i+1]) target i */
	struct func_ref *refs;
};

struct walk {
	struct cdo *c;
	struct ref_graph graph;		/* of the original object */
	bool *seen;			/* [orig sym index] */
	struct symbol **queue;		/* untraced original functions to walk up from */
	size_t nr_queued;
};

/* ".noinstr.text" and friends: code the kernel keeps out of any tracing. */
static bool is_noinstr_section(const struct section *sec)
{
	static const char *const prefixes[] = { ".noinstr.text", ".entry.text", ".cpuidle.text" };

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++)
		if (!strncmp(sec->name, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

/*
 * A rel32 right after E8 (call), E9 (jmp) or 0F 8x (jcc).  A RIP-relative
 * operand is preceded by its ModRM byte, 05/0D/.../3D, never one of these.
 */
static bool is_branch(const struct section *sec, const struct rela *r)
{
	const unsigned char *d = sec->data;
	uint64_t off = r->offset;

	if ((r->type != R_X86_64_PC32 && r->type != R_X86_64_PLT32) || !d || off < 1 ||
	    off + 4 > sec->size)
		return false;
	if (d[off - 1] == X86_CALL_REL32 || d[off - 1] == X86_JMP_REL32)
		return true;
	return off >= 2 && d[off - 2] == X86_JCC_REL32_ESC &&
	       (d[off - 1] & X86_CC_MASK) == X86_JCC_REL32_OP;
}

/* The function @r points at the entry of, or NULL. */
static struct symbol *entry_target(const struct section *from, const struct rela *r)
{
	int64_t add;
	struct symbol *t = resolve_reloc(from, r, &add);

	if (!t->sec || t->type != STT_FUNC || add + pcrel_bias(from, r->type) != 0)
		return NULL;
	return primary_alias(t);
}

/* The function whose code holds @offset of @sec: a cold part counts as its parent. */
static struct symbol *calling_function(const struct elf_obj *elf, const struct section *sec,
				       uint64_t offset)
{
	struct symbol *f = find_symbol_containing(sec, offset);
	struct symbol *parent;

	if (!f && (parent = cold_section_parent(sec)))
		return primary_alias(parent);
	if (!f || f->type != STT_FUNC)
		return NULL;
	f = primary_alias(f);
	parent = cold_parent(elf, f);
	return parent ? primary_alias(parent) : f;
}

/* Tables of code positions (ORC, return sites, ...) point at code without calling it. */
static bool is_reference_source(const struct section *sec)
{
	if (!(sec->sh.sh_flags & SHF_ALLOC))
		return false;
	return (sec->sh.sh_flags & SHF_EXECINSTR) || !is_special_section(sec);
}

static void describe_ref(const struct elf_obj *elf, const struct section *sec,
			 const struct rela *r, struct func_ref *out)
{
	out->sec = sec;
	out->offset = r->offset;
	out->from = is_text_section(sec) ? calling_function(elf, sec, r->offset) : NULL;
	if (!is_text_section(sec))
		out->kind = REF_ADDRESS;
	else if (!out->from)
		out->kind = REF_STRAY_CODE;
	else
		out->kind = is_branch(sec, r) ? REF_CALL : REF_ADDRESS;
}

/* Pass 1 counts the references to each function, pass 2 fills them in. */
static void scan_refs(const struct elf_obj *elf, struct ref_graph *g, size_t *fill)
{
	struct section *rs;

	for_each_section(elf, rs) {
		struct rela *r;

		if (!is_rela_section(rs) || !rs->base || !is_reference_source(rs->base))
			continue;
		for_each_rela(rs, r) {
			struct symbol *t = entry_target(rs->base, r);

			if (!t)
				continue;
			if (fill)
				describe_ref(elf, rs->base, r, &g->refs[fill[t->index]++]);
			else
				g->first[t->index + 1]++;
		}
	}
}

static void build_ref_graph(const struct elf_obj *elf, struct ref_graph *g)
{
	size_t n = elf->nr_symbols;
	size_t *fill;

	g->first = xcalloc(n + 1, sizeof(size_t));
	scan_refs(elf, g, NULL);
	for (size_t i = 0; i < n; i++)
		g->first[i + 1] += g->first[i];
	g->refs = xcalloc(g->first[n] ? g->first[n] : 1, sizeof(struct func_ref));
	fill = xmalloc(n * sizeof(size_t));
	memcpy(fill, g->first, n * sizeof(size_t));
	scan_refs(elf, g, fill);
	free(fill);
}

static void free_ref_graph(struct ref_graph *g)
{
	free(g->first);
	free(g->refs);
}

#define for_each_ref(g, fn, ref)						\
	for ((ref) = (g)->refs + (g)->first[(fn)->index];			\
	     (ref) < (g)->refs + (g)->first[(fn)->index + 1]; (ref)++)

bool is_carried_function(const struct cdo *c, const struct symbol *p)
{
	return c->untraced.carried && c->untraced.carried[p->index];
}

static struct symbol *patched_twin(const struct cdo *c, const struct symbol *o)
{
	return sym_twin(c, ORIG, o);
}

static void report_address_use(struct cdo *c, const struct symbol *o, const struct func_ref *ref)
{
	const struct symbol *obj;

	if (ref->kind == REF_STRAY_CODE) {
		unsupported(c, "function %s has no __fentry__ call and %s+0x%lx, code outside any "
			    "function, calls it: that call cannot be redirected", o->name,
			    ref->sec->name, (unsigned long)ref->offset);
		return;
	}
	if (ref->from) {
		unsupported(c, "function %s has no __fentry__ call and %s+0x%lx takes its "
			    "address: calls through that pointer cannot be redirected", o->name,
			    ref->from->name, (unsigned long)(ref->offset - ref->from->value));
		return;
	}
	obj = find_symbol_containing(ref->sec, ref->offset);
	if (obj)
		unsupported(c, "function %s has no __fentry__ call and its address is stored "
			    "in %s+0x%lx (%s): calls through that pointer cannot be redirected",
			    o->name, obj->name, (unsigned long)(ref->offset - obj->value),
			    ref->sec->name);
	else
		unsupported(c, "function %s has no __fentry__ call and its address is stored "
			    "in %s+0x%lx: calls through that pointer cannot be redirected",
			    o->name, ref->sec->name, (unsigned long)ref->offset);
}

/*
 * vmlinux frees its __init code before userspace runs, so before any
 * livepatch can load: such a caller can never run the old body again.  A
 * module's __init code runs when the module loads, after the livepatch
 * may have been applied to it, and calls what it calls directly.
 */
static bool is_freed_init_caller(const struct cdo *c, const struct symbol *f)
{
	return f && f->sec && is_init_section(f->sec) && !strcmp(c->args.parent, "vmlinux");
}

/* A global @o is carried under a module-internal name unless that cannot work. */
static bool is_carriable_global(struct cdo *c, const struct symbol *o)
{
	if (!may_carry_globals(c)) {
		unsupported(c, "function %s has no __fentry__ call and is global: its callers "
			    "in other objects cannot be redirected", o->name);
		return false;
	}
	if (symvers_find(c->parent.symvers, o->name)) {
		unsupported(c, "function %s has no __fentry__ call and is exported (%s lists "
			    "it): its callers in modules cannot all be found and redirected",
			    o->name, c->args.symvers_path);
		return false;
	}
	return true;
}

/* Can every path to @o go through its callers?  Reports each one that cannot. */
static bool reachable_only_by_calls(struct walk *w, const struct symbol *o)
{
	const struct func_ref *ref;
	bool ok = true, called = false, freed = false;

	if (is_noinstr_section(o->sec)) {
		unsupported(w->c, "function %s is entry or noinstr code (%s): it cannot be "
			    "patched", o->name, o->sec->name);
		return false;
	}
	if (o->bind != STB_LOCAL && !is_carriable_global(w->c, o))
		return false;
	for_each_ref(&w->graph, o, ref) {
		if (ref->kind == REF_CALL) {
			called |= ref->from != o && !is_freed_init_caller(w->c, ref->from);
			freed |= is_freed_init_caller(w->c, ref->from);
			continue;
		}
		report_address_use(w->c, o, ref);
		ok = false;
	}
	/* A global's callers may all be in other objects (untraced_list.c). */
	if (o->bind != STB_LOCAL)
		return ok;
	if (ok && !called && freed)
		unsupported(w->c, "function %s has no __fentry__ call and only vmlinux __init code, "
			    "freed at boot, calls it: the change could never run", o->name);
	else if (ok && !called)
		unsupported(w->c, "function %s has no __fentry__ call and nothing in this object "
			    "calls it: no traced caller can be patched instead", o->name);
	return ok && called;
}

/* Copy the patched @p as a new function, and walk up from its original @o. */
static void carry(struct walk *w, struct symbol *o, struct symbol *p)
{
	if (!reachable_only_by_calls(w, o))
		return;
	w->c->untraced.carried[p->index] = true;
	w->c->untraced.nr_carried++;
	if (o->bind != STB_LOCAL)
		note_carried_global(w->c, o);
	w->queue[w->nr_queued++] = o;
	DEBUG(DBG_COMPARE, "%s: no __fentry__: carried as a new function", p->name);
}

static bool is_patchable_caller(struct cdo *c, const struct symbol *o, const struct symbol *f)
{
	if (is_freed_init_caller(c, f)) {
		DEBUG(DBG_COMPARE, "%s: caller %s is vmlinux __init code, freed at boot: skipped",
		      o->name, f->name);
		return false;
	}
	if (is_init_section(f->sec)) {
		unsupported(c, "function %s has no __fentry__ call and its caller %s is __init "
			    "code (%s): it cannot be patched", o->name, f->name, f->sec->name);
		return false;
	}
	if (is_noinstr_section(f->sec)) {
		unsupported(c, "function %s has no __fentry__ call and its caller %s is entry or "
			    "noinstr code (%s), which is never traced: it cannot be patched",
			    o->name, f->name, f->sec->name);
		return false;
	}
	if (!patched_twin(c, f)) {
		unsupported(c, "function %s has no __fentry__ call and its caller %s is gone "
			    "from the patched object", o->name, f->name);
		return false;
	}
	return true;
}

/* Each caller of the untraced @o is replaced if traced, else carried in turn. */
static void walk_callers(struct walk *w, struct symbol *o)
{
	const struct func_ref *ref;

	for_each_ref(&w->graph, o, ref) {
		struct symbol *f = ref->from, *pf;

		if (ref->kind != REF_CALL || f == o || w->seen[f->index])
			continue;
		w->seen[f->index] = true;
		if (!is_patchable_caller(w->c, o, f))
			continue;
		pf = primary_alias(patched_twin(w->c, f));
		if (is_fentry_traced(f)) {
			mark_changed(w->c, pf, "calls untraced %s", o->name);
			continue;
		}
		mark_changed(w->c, pf, "untraced, calls untraced %s", o->name);
		carry(w, f, pf);
	}
}

/* A changed function whose original ftrace cannot redirect. */
static bool is_untraced_change(const struct cdo *c, const struct symbol *p)
{
	const struct symbol *o = sym_twin(c, PATCHED, p);

	return p->type == STT_FUNC && p->sec && change_of(c, p) == CHANGED && o &&
	       o->sec && !is_init_section(p->sec) && !is_cold_part(p) && !is_prefix_symbol(p) &&
	       primary_alias(p) == p && !is_fentry_traced(o);
}

static bool has_untraced_changes(const struct cdo *c)
{
	struct symbol *p;

	for_each_symbol(c->elf[PATCHED], p)
		if (is_untraced_change(c, p))
			return true;
	return false;
}

/* A reference of the patched object to @f, which another output carries (untraced_list.c). */
static void change_caller_of_carried(struct cdo *c, const struct section *sec,
				     const struct rela *r, const char *f)
{
	struct func_ref ref;
	struct symbol *p;

	describe_ref(c->elf[PATCHED], sec, r, &ref);
	if (ref.kind != REF_CALL) {
		report_address_use(c, r->sym, &ref);
		return;
	}
	p = ref.from;
	if (is_freed_init_caller(c, p)) {
		DEBUG(DBG_COMPARE, "%s: caller %s is vmlinux __init code, freed at boot: skipped",
		      f, p->name);
		return;
	}
	if (is_init_section(p->sec)) {
		unsupported(c, "function %s has no __fentry__ call and its caller %s is __init "
			    "code (%s): it cannot be patched", f, p->name, p->sec->name);
		return;
	}
	if (is_noinstr_section(p->sec)) {
		unsupported(c, "function %s has no __fentry__ call and its caller %s is entry or "
			    "noinstr code (%s), which is never traced: it cannot be patched",
			    f, p->name, p->sec->name);
		return;
	}
	if (change_of(c, p) == NEW)
		return;
	mark_changed(c, p, "calls untraced %s", f);
}

/* Every function calling a function of --untraced-in is changed. */
static void change_callers_of_carried(struct cdo *c)
{
	struct elf_obj *patched = c->elf[PATCHED];
	struct section *rs;
	struct symbol *s;
	bool *listed;

	if (!c->untraced.nr_called)
		return;
	/* Looked up by name once per symbol, not once per relocation. */
	listed = xcalloc(patched->nr_symbols, sizeof(bool));
	for_each_symbol(patched, s)
		listed[s->index] = is_undefined(s) && is_listed_untraced(c, s->name);
	for_each_section(patched, rs) {
		struct rela *r;

		if (!is_rela_section(rs) || !rs->base || !is_reference_source(rs->base))
			continue;
		for_each_rela(rs, r)
			if (listed[r->sym->index])
				change_caller_of_carried(c, rs->base, r, r->sym->name);
	}
	free(listed);
}

enum kpb_status patch_untraced_through_callers(struct cdo *c)
{
	struct elf_obj *orig = c->elf[ORIG];
	struct walk w = { .c = c };
	struct symbol *p;

	c->untraced.carried = xcalloc(c->elf[PATCHED]->nr_symbols, sizeof(bool));
	change_callers_of_carried(c);
	if (!has_untraced_changes(c))
		return c->status;
	build_ref_graph(orig, &w.graph);
	w.seen = xcalloc(orig->nr_symbols, sizeof(bool));
	w.queue = xcalloc(orig->nr_symbols, sizeof(struct symbol *));
	for_each_symbol(c->elf[PATCHED], p) {
		struct symbol *o;

		if (!is_untraced_change(c, p))
			continue;
		o = sym_twin(c, PATCHED, p);
		w.seen[o->index] = true;
		carry(&w, o, p);
	}
	while (w.nr_queued)
		walk_callers(&w, w.queue[--w.nr_queued]);
	/* The callers replaced now take their .cold parts along. */
	bundle_cold_parts(c);
	free(w.queue);
	free(w.seen);
	free_ref_graph(&w.graph);
	return c->status;
}
