// SPDX-License-Identifier: GPL-2.0
/*
 * kpb-origcheck: is the "original" object kpatch-build compiled the code
 * the target runs?
 *
 * A livepatch replaces functions of the running kernel with versions built
 * from a source tree.  If that tree is not the one the kernel was built
 * from (another Debian revision, a config or compiler flag that differs, a
 * distribution patch not applied), create-diff-object diffs against code
 * the kernel does not run, and the module silently undoes or breaks
 * whatever differs.  So every function the module replaces, with its
 * .cold and .part pieces, is compared with the same function in the
 * target's binary, instruction bytes and references:
 *
 * - vmlinux (ET_EXEC, linked): the bytes outside the original's
 *   relocations must be equal; at each relocation the linked value is
 *   decoded (PC32/PLT32/PC64: the place plus the value; 32S/32/64: the
 *   value) into the address the original's S + A became, and there must be
 *   a symbol of the original's name at the address that makes S + A (a
 *   local of the same name, an alias: any symbol of that name there).
 * - a module (ET_REL, ld -r): the relocations are still there; each must
 *   be of the same type, at the same place, and refer to the same thing.
 *
 * What a relocation of the original refers to ("referent"):
 * - a named symbol, defined or not: its name and the addend;
 * - a section symbol (or a .L label): the named function or object of that
 *   section nearest the target, and the offset from it: the section moves
 *   as one piece in the link, so that symbol's address pins it down;
 * - in a string section (SHF_MERGE|SHF_STRINGS: .rodata.str1.1), the
 *   string: the linker merges and moves strings, so they are compared by
 *   their text;
 * - anonymous data, a section with no named symbol (.rodata.cst16, a
 *   switch table, UBSAN's .data..Lubsan_* records): its bytes from the
 *   target to the end of the section, at most ANON_BYTES, outside the
 *   relocations of both ends (their own references are not followed: one
 *   level is enough to tell another table, and following them would make
 *   the check recursive over all data).  In SHT_NOBITS there is nothing to
 *   compare: only the code referring to it is.
 *
 * What the kernel's build changes between the object and the binary, and
 * nothing else, is tolerated:
 * - `call __fentry__` in the object, a 5-byte NOP in the binary: objtool
 *   --mnop on vmlinux.o (with X86_KERNEL_IBT objtool runs on vmlinux.o, not
 *   on each object, so the original, compiled by kbuild, is pre-objtool);
 * - a jump label's `jmp` (rel32 or rel8) in the object, a NOP of the same
 *   length in the binary: objtool --hack=jump_label, for the __jump_table
 *   entries whose key carries the hack bit (2: arch_static_branch()'s
 *   "i" (2 | branch) under CONFIG_HAVE_JUMP_LABEL_HACK); in a module objtool
 *   also makes the jmp's relocation R_X86_64_NONE.  Needed where objtool
 *   runs on vmlinux.o rather than on each object: X86_KERNEL_IBT, as in
 *   Debian's 6.12 (kernel/time/hrtimer.o: 8 such sites in 45 functions);
 *   Debian's 6.1 cloud kernel has no IBT, its objects are NOPed by objtool
 *   as kbuild compiles them, the original too.  Neither Debian kernel
 *   needs the __fentry__ one (FTRACE_MCOUNT_USE_CC keeps the calls).
 * - in a module, a call the assembler resolved (below).
 *
 * Exit status: 0 every function is the same (or accepted); 1 error; 2 a
 * function differs (each difference printed, naming the function, the
 * object and the first offset that differs).
 */
#include "origcheck-binary.h"
#include "log.h"
#include "x86.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { KPB_DIFFERS = 2 };

/* Anonymous data is compared this far from where the code points. */
#define ANON_BYTES 64
/* A piece of a function (GCC's names): foo.cold, foo.cold.N, foo.part.N. */
static const char *const piece_suffixes[] = { ".cold", ".part." };

static const char usage_text[] =
	"Usage: kpb-origcheck [--accept FUNC]... [--funcs OUTPUT.o] ORIGINAL.o BINARY\n"
	"                     [FUNC[,SYMPOS]]...\n"
	"\n"
	"Compare each function FUNC of ORIGINAL.o (and its .cold/.part pieces) with\n"
	"the same function of BINARY (vmlinux or a module), instruction bytes and\n"
	"what relocations refer to.  --funcs adds the functions a create-diff-object\n"
	"output replaces (its .kpatch.funcs, with their sympos).  SYMPOS picks one of\n"
	"several same-named locals as the livepatch core counts them (0: unique).\n"
	"--accept FUNC: a difference of FUNC is a warning, not an error.\n"
	"\n"
	"Exit status: 0 the same; 1 error; 2 a function differs.\n";

enum ref_kind { REF_SYM, REF_STR, REF_DATA, REF_NOBITS };

/* What a relocation of the original refers to. */
struct referent {
	enum ref_kind kind;
	const char *name;	/* REF_SYM: the target is name + k */
	int64_t k;
	const struct section *sec;	/* REF_STR/REF_DATA: the original's bytes ... */
	uint64_t at;		/* ... from here */
	int64_t delta;		/* target - where the compared bytes start */
};

struct check {
	struct elf_obj *orig;
	struct binary *bin;
	const char *const *accept;
	size_t nr_accept;
	unsigned int nr_differ, nr_accepted, nr_checked;
	/* What real code needed: how often each tolerance applied. */
	unsigned int nr_fentry_nops, nr_jump_nops, nr_resolved;
};

/* One function to compare (a piece is queued by the function that uses it). */
struct job {
	const char *owner;	/* the replaced function, for messages and --accept */
	struct symbol *o;
	struct bplace b;
};

struct jobs {
	struct job *v;
	size_t nr, cap;
	bool *queued;		/* by the original's symbol index */
};

/* ---- what the original refers to --------------------------------------- */

static bool is_named(const struct symbol *s)
{
	return s->name[0] && !is_section_sym(s) && s->type != STT_FILE &&
	       strncmp(s->name, ".L", 2);
}

static bool is_string_section(const struct section *sec)
{
	return (sec->sh.sh_flags & (SHF_MERGE | SHF_STRINGS)) == (SHF_MERGE | SHF_STRINGS);
}

/*
 * The named symbol of SEC to pin a reference at T by: the nearest at or
 * before WHERE (the instruction's target, T + 4 for a PC-relative operand
 * that ends its instruction), else the first named one.  Any symbol of the
 * section would do, as the section moves as one piece; the nearest makes
 * the messages read well.
 */
static const struct symbol *pin_symbol(const struct section *sec, int64_t where)
{
	const struct symbol *best = NULL;

	for (size_t i = 0; i < sec->nr_syms; i++) {
		const struct symbol *s = sec->syms[i];

		if (!is_named(s))
			continue;
		if ((int64_t)s->value <= where || !best)
			best = s;
		if ((int64_t)s->value > where)
			break;
	}
	return best;
}

static struct referent original_referent(const struct rela *r)
{
	const struct symbol *s = r->sym;
	const struct section *sec = s->sec;
	int64_t t = (int64_t)s->value + r->addend;
	int64_t bias = rela_is_pcrel(r->type) ? X86_REL32_PC_BIAS : 0;
	struct referent ref = { 0 };

	if (!sec || is_named(s))
		return (struct referent){ .kind = REF_SYM, .name = s->name, .k = r->addend };
	if (is_string_section(sec) && sec->data) {
		/* A .L label names the string itself; a section symbol, through the target. */
		int64_t e = is_section_sym(s) ? t + bias : (int64_t)s->value;

		if (e < 0 || (uint64_t)e >= sec->size ||
		    !memchr(sec->data + e, 0, sec->size - (uint64_t)e))
			ERROR("%s: a reference to %s%+" PRId64 " is outside its strings",
			      sec->elf->path, sec->name, r->addend);
		return (struct referent){ .kind = REF_STR, .sec = sec, .at = (uint64_t)e,
					  .delta = t - e };
	}
	const struct symbol *pin = pin_symbol(sec, t + bias);

	if (pin)
		return (struct referent){ .kind = REF_SYM, .name = pin->name,
					  .k = t - (int64_t)pin->value };
	ref.kind = sec->data ? REF_DATA : REF_NOBITS;
	ref.sec = sec;
	int64_t e = t + bias;

	if (e < 0)
		e = 0;
	if ((uint64_t)e > sec->size)
		e = (int64_t)sec->size;
	ref.at = (uint64_t)e;
	ref.delta = t - e;
	return ref;
}

/* A string for a message: C escapes, at most 60 characters. */
static char *quote_string(const char *s)
{
	char *q = xmalloc(60 * 4 + 8), *p = q;

	*p++ = '"';
	for (size_t i = 0; s[i] && i < 60; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '\n')
			p += sprintf(p, "\\n");
		else if (ch == '"' || ch == '\\')
			p += sprintf(p, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			p += sprintf(p, "\\x%02x", ch);
		else
			*p++ = (char)ch;
	}
	*p++ = '"';
	*p = 0;
	return q;
}

/* NAME+K as the instruction sees it: a PC-relative operand ends it, 4 bytes on. */
static char *describe_sym(const char *name, int64_t k, uint32_t type)
{
	if (rela_is_pcrel(type) && rela_width(type) == 4)
		k += X86_REL32_PC_BIAS;
	return k ? xasprintf("%s%+" PRId64, name, k) : xstrdup(name);
}

static char *describe_referent(const struct referent *ref, uint32_t type)
{
	char *q, *d;

	switch (ref->kind) {
	case REF_SYM:
		return describe_sym(ref->name, ref->k, type);
	case REF_STR:
		q = quote_string((const char *)ref->sec->data + ref->at);
		d = xasprintf("the string %s", q);
		free(q);
		return d;
	default:
		return xasprintf("%s+0x%" PRIx64 " (anonymous data)", ref->sec->name, ref->at);
	}
}

/* Bytes of SEC at [from, from + len) that a relocation of SEC fills. */
static void mask_relocations(const struct section *sec, uint64_t from, uint64_t len, bool *mask)
{
	if (!sec || !sec->rela)
		return;
	for (const struct rela *r = find_rela_from(sec, from > 8 ? from - 8 : 0);
	     r && r < sec->rela->relas + sec->rela->nr_relas && r->offset < from + len; r++)
		for (uint64_t i = r->offset; i < r->offset + rela_width(r->type); i++)
			if (i >= from && i < from + len)
				mask[i - from] = true;
}

/*
 * Compare REF's bytes (a string or anonymous data) with the binary's at
 * THEIRS (bytes, up to AVAIL), whose relocations (a module's) are in
 * THEIR_SEC at THEIR_OFF.
 */
static bool same_bytes(const struct referent *ref, const unsigned char *theirs, uint64_t avail,
		       const struct section *their_sec, uint64_t their_off)
{
	const unsigned char *ours = ref->sec->data + ref->at;
	uint64_t len;
	bool mask[ANON_BYTES] = { false };

	if (ref->kind == REF_STR) {
		len = strlen((const char *)ours) + 1;
		return len <= avail && !memcmp(ours, theirs, len);
	}
	len = ref->sec->size - ref->at;
	if (len > ANON_BYTES)
		len = ANON_BYTES;
	if (len > avail)
		return false;
	mask_relocations(ref->sec, ref->at, len, mask);
	mask_relocations(their_sec, their_off, len, mask);
	for (uint64_t i = 0; i < len; i++)
		if (!mask[i] && ours[i] != theirs[i])
			return false;
	return true;
}

/* ---- comparing one function -------------------------------------------- */

static bool is_piece_of(const char *piece, const char *func)
{
	size_t n = strlen(func);

	if (strncmp(piece, func, n))
		return false;
	for (size_t i = 0; i < sizeof(piece_suffixes) / sizeof(*piece_suffixes); i++)
		if (!strncmp(piece + n, piece_suffixes[i], strlen(piece_suffixes[i])))
			return true;
	return false;
}

static void queue_job(struct jobs *q, const char *owner, struct symbol *o, struct bplace b)
{
	if (!q->queued)
		q->queued = xcalloc(o->sec->elf->nr_symbols, sizeof(*q->queued));
	if (q->queued[o->index])
		return;
	q->queued[o->index] = true;
	if (q->nr == q->cap) {
		q->cap = q->cap ? 2 * q->cap : 16;
		q->v = xrealloc(q->v, q->cap * sizeof(*q->v));
	}
	q->v[q->nr++] = (struct job){ owner, o, b };
}

/* A piece of the function that REF names, found at ADDR (linked) or SEC+OFF. */
static void queue_piece(struct check *c, struct jobs *q, const struct job *j,
			const struct referent *ref, uint64_t addr, struct section *sec, int64_t off)
{
	struct symbol *o;
	struct bplace b = { 0 };

	if (ref->kind != REF_SYM || !is_piece_of(ref->name, j->o->name))
		return;
	o = find_symbol(c->orig, ref->name);
	if (!o || !is_func(o) || !o->sec || !o->sec->data)
		return;
	b.size = o->size;
	if (c->bin->linked) {
		const struct bsec *s = bsec_at(c->bin, addr - (uint64_t)ref->k, o->size);

		if (!s || !s->data)
			return;
		b.addr = addr - (uint64_t)ref->k;
		b.data = s->data + (b.addr - s->addr);
	} else {
		int64_t start = off - ref->k;

		if (!sec->data || start < 0 || (uint64_t)start + o->size > sec->size)
			return;
		b.sec = sec;
		b.off = (uint64_t)start;
		b.data = sec->data + start;
	}
	queue_job(q, j->owner, o, b);
}

static int64_t read_value(const unsigned char *p, uint32_t type)
{
	int32_t v32;
	uint32_t u32;
	int64_t v64;

	switch (rela_width(type)) {
	case 8:
		memcpy(&v64, p, 8);
		return v64;
	case 4:
		if (rela_is_zero_extended(type)) {
			memcpy(&u32, p, 4);
			return (int64_t)u32;
		}
		memcpy(&v32, p, 4);
		return v32;
	default:
		return 0;
	}
}

/*
 * The reference at offset OFF of the function: NULL if the binary's is the
 * same, else a message.  A piece it leads to is queued.
 */
static char *compare_reference(struct check *c, struct jobs *q, const struct job *j,
			       const struct rela *r, uint64_t off)
{
	struct referent ref = original_referent(r);
	char *want = describe_referent(&ref, r->type), *got = NULL, *msg = NULL;

	if (c->bin->linked) {
		uint64_t place = j->b.addr + off;
		int64_t v = read_value(j->b.data + off, r->type);
		uint64_t t = rela_is_pcrel(r->type) ? place + (uint64_t)v : (uint64_t)v;
		const struct bsec *s = NULL;

		switch (ref.kind) {
		case REF_SYM:
			if (linked_has_symbol(c->bin, ref.name, t - (uint64_t)ref.k)) {
				queue_piece(c, q, j, &ref, t, NULL, 0);
				goto same;
			}
			break;
		case REF_STR:
		case REF_DATA:
			s = bsec_at(c->bin, t - (uint64_t)ref.delta, 1);
			if (s && s->data &&
			    same_bytes(&ref, s->data + (t - (uint64_t)ref.delta - s->addr),
				       s->size - (t - (uint64_t)ref.delta - s->addr), NULL, 0))
				goto same;
			break;
		case REF_NOBITS:
			s = bsec_at(c->bin, t - (uint64_t)ref.delta, 1);
			if (s && !s->data)
				goto same;
			break;
		}
		if (ref.kind == REF_SYM && rela_is_pcrel(r->type))
			got = describe_linked_addr(c->bin, t + X86_REL32_PC_BIAS);
		else
			got = describe_linked_addr(c->bin, t - (uint64_t)(ref.kind == REF_SYM ? 0 : ref.delta));
		if (ref.kind == REF_STR && s && s->data) {
			char *qs = quote_string((const char *)s->data + (t - (uint64_t)ref.delta - s->addr));

			msg = xasprintf("the original refers to %s, %s to the string %s at 0x%" PRIx64,
					want, c->bin->path, qs, t - (uint64_t)ref.delta);
			free(qs);
		} else
			msg = xasprintf("the original refers to %s, %s to %s", want, c->bin->path, got);
	} else {
		const struct rela *br = find_rela_at(j->b.sec, j->b.off + off);
		const struct symbol *bs;
		int64_t loc;

		if (!br || br->type == R_X86_64_NONE) {
			/*
			 * Resolved by the assembler: a module is built without
			 * -ffunction-sections, so a call from one function to a
			 * local one of the same object's .text has no relocation
			 * (Debian 6.1's nfsd.ko: nfsd4_sequence calls
			 * find_in_sessionid_hashtbl and nfsd4_put_session_locked
			 * so; kpatch-build's original has relocations to
			 * .text.find_in_sessionid_hashtbl, ...).
			 */
			uint64_t t = j->b.off + off + (uint64_t)read_value(j->b.data + off, r->type);

			if (rela_is_pcrel(r->type) && ref.kind == REF_SYM &&
			    section_has_symbol(j->b.sec, ref.name, (int64_t)t - ref.k)) {
				c->nr_resolved++;
				queue_piece(c, q, j, &ref, 0, j->b.sec, (int64_t)t);
				goto same;
			}
			msg = xasprintf("the original refers to %s, %s has no relocation there",
					want, c->bin->path);
			goto out;
		}
		bs = br->sym;
		if (br->type != r->type) {
			msg = xasprintf("relocation type %u in the original, %u in %s", r->type,
					br->type, c->bin->path);
			goto out;
		}
		loc = (int64_t)bs->value + br->addend;
		switch (ref.kind) {
		case REF_SYM:
			if (!bs->sec) {
				if (!strcmp(bs->name, ref.name) && br->addend == ref.k)
					goto same;
			} else if (section_has_symbol(bs->sec, ref.name, loc - ref.k)) {
				queue_piece(c, q, j, &ref, 0, bs->sec, loc);
				goto same;
			}
			break;
		case REF_STR:
		case REF_DATA:
			if (bs->sec && bs->sec->data && loc - ref.delta >= 0 &&
			    (uint64_t)(loc - ref.delta) < bs->sec->size) {
				uint64_t at = (uint64_t)(loc - ref.delta);

				if (ref.kind == REF_DATA || !bs->sec->rela ||
				    is_string_section(bs->sec)) {
					if (same_bytes(&ref, bs->sec->data + at, bs->sec->size - at,
						       bs->sec, at))
						goto same;
				}
			}
			break;
		case REF_NOBITS:
			if (bs->sec && !bs->sec->data)
				goto same;
			break;
		}
		if (ref.kind == REF_STR && bs->sec && bs->sec->data && is_string_section(bs->sec) &&
		    loc - ref.delta >= 0 && (uint64_t)(loc - ref.delta) < bs->sec->size &&
		    memchr(bs->sec->data + loc - ref.delta, 0, bs->sec->size - (uint64_t)(loc - ref.delta))) {
			char *qs = quote_string((const char *)bs->sec->data + loc - ref.delta);

			got = xasprintf("the string %s", qs);
			free(qs);
		} else if (is_named(bs) || !bs->sec) {
			got = describe_sym(bs->name, br->addend, br->type);
		} else {
			got = xasprintf("%s+0x%" PRIx64, bs->sec->name, (uint64_t)loc);
		}
		msg = xasprintf("the original refers to %s, %s to %s", want, c->bin->path, got);
	}
out:
	free(want);
	free(got);
	return msg;
same:
	free(want);
	free(got);
	return NULL;
}

/* Jump label sites objtool may have NOPed: offsets in O's section. */
struct sites {
	uint64_t *v;
	size_t nr;
};

static int cmp_site(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The code addresses of the __jump_table entries (x86_64's relative
 * layout, as every kernel since 5.0 has it: { s32 code, s32 target, s64
 * key }, create-diff-object/special.c jump_layouts) whose key has the
 * hack bit: the `jmp` sites objtool turns into NOPs.  An object without
 * that layout gets no tolerance, so a NOP there is a difference.
 */
static struct sites jump_sites(const struct elf_obj *orig)
{
	const struct section *jt = find_section(orig, "__jump_table");
	struct sites s = { 0 };

	if (!jt || !jt->rela || jt->size % 16)
		return s;
	s.v = xcalloc(jt->rela->nr_relas + 1, sizeof(*s.v));
	for (const struct rela *r = jt->rela->relas; r < jt->rela->relas + jt->rela->nr_relas; r++) {
		const struct rela *key;

		if (r->offset % 16 || r->type != R_X86_64_PC32 || !r->sym->sec)
			continue;
		key = find_rela_at(jt, r->offset + 8);
		if (!key || !(key->addend & 2))
			continue;
		/* Offset within the code's section, tagged with its index. */
		s.v[s.nr++] = ((uint64_t)r->sym->sec->index << 40) |
			      (uint64_t)((int64_t)r->sym->value + r->addend);
	}
	qsort(s.v, s.nr, sizeof(*s.v), cmp_site);
	return s;
}

static bool is_jump_site(const struct sites *s, const struct section *sec, uint64_t off)
{
	uint64_t key = ((uint64_t)sec->index << 40) | off;

	return s->nr && bsearch(&key, s->v, s->nr, sizeof(*s->v), cmp_site);
}

/*
 * A tolerated rewrite at OFF (the original's bytes OURS, the binary's
 * THEIRS, LEFT bytes left): its length, else 0.
 */
static size_t tolerated_rewrite(struct check *c, const struct job *j, const struct sites *jumps,
				const unsigned char *ours, const unsigned char *theirs,
				uint64_t off, uint64_t left)
{
	static const unsigned char nop5[] = X86_NOP5, nop2[] = X86_NOP2;
	const struct rela *r;

	if (ours[0] == X86_CALL_REL32 && left >= X86_NOP5_LEN && !memcmp(theirs, nop5, X86_NOP5_LEN)) {
		r = find_rela_at(j->o->sec, j->o->value + off + 1);	/* its rel32 */
		if (r && !strcmp(r->sym->name, "__fentry__")) {
			c->nr_fentry_nops++;
			return X86_NOP5_LEN;
		}
	}
	if (ours[0] == X86_JMP_REL32 && left >= X86_NOP5_LEN && !memcmp(theirs, nop5, X86_NOP5_LEN) &&
	    is_jump_site(jumps, j->o->sec, j->o->value + off)) {
		c->nr_jump_nops++;
		return X86_NOP5_LEN;
	}
	if (ours[0] == X86_JMP_REL8 && left >= X86_NOP2_LEN && !memcmp(theirs, nop2, X86_NOP2_LEN) &&
	    is_jump_site(jumps, j->o->sec, j->o->value + off)) {
		c->nr_jump_nops++;
		return X86_NOP2_LEN;
	}
	return 0;
}

static char *hex_bytes(const unsigned char *p, uint64_t n)
{
	char *s = xmalloc(n * 3 + 1), *w = s;

	*w = 0;
	for (uint64_t i = 0; i < n; i++)
		w += sprintf(w, i ? " %02x" : "%02x", p[i]);
	return s;
}

/*
 * Not tolerated, but named when a difference is found: the target's objects
 * are built without -ffunction-sections, so a jmp (a tail call) to another
 * function of the same .text within 127 bytes is shortened by the assembler
 * to 2 bytes, where the original's, a relocation to another section, keeps
 * 5; the code after it moves, and the branches across it change (Debian
 * 6.1's nfsd.ko: nfsd4_lm_put_owner's `jmp nfs4_put_stateowner`, `eb 94`
 * for `e9` + relocation, and the `je` over it).  Telling that from a real
 * difference needs every branch decoded: the user is told what was seen.
 * The first such jmp at or after FROM, as " (...)", else "".
 */
static char *relaxed_jump_hint(const struct check *c, const struct job *j, uint64_t from)
{
	const unsigned char *ours = j->o->sec->data + j->o->value;
	const struct rela *end = j->o->sec->rela->relas + j->o->sec->rela->nr_relas;

	for (const struct rela *r = find_rela_from(j->o->sec, j->o->value + (from ? from : 1));
	     r && r < end && r->offset < j->o->value + j->b.size - 1; r++) {
		uint64_t p = r->offset - j->o->value;
		int64_t d = (int8_t)j->b.data[p];
		struct referent ref;
		bool lands;

		if (ours[p - 1] != X86_JMP_REL32 || j->b.data[p - 1] != X86_JMP_REL8 ||
		    !rela_is_pcrel(r->type) || rela_width(r->type) != 4)
			continue;
		ref = original_referent(r);
		if (ref.kind != REF_SYM)
			continue;
		/* The jmp's target: the end of its 2 bytes plus the displacement. */
		if (c->bin->linked)
			lands = linked_has_symbol(c->bin, ref.name,
						  j->b.addr + p + 1 + (uint64_t)d -
						  (uint64_t)(ref.k + X86_REL32_PC_BIAS));
		else
			lands = section_has_symbol(j->b.sec, ref.name, (int64_t)(j->b.off + p + 1) + d -
						   (ref.k + X86_REL32_PC_BIAS));
		if (lands)
			return xasprintf(" (at +0x%" PRIx64 " the target's assembler shortened the "
					 "jmp to %s to 2 bytes, as it does in objects built without "
					 "-ffunction-sections: the code after it moves; if that is "
					 "the only difference, --accept-original)", p - 1, ref.name);
	}
	return xstrdup("");
}

/* A message for the first byte that differs, at OFF. */
static char *byte_difference(const struct check *c, const struct job *j, uint64_t off,
			     uint64_t size)
{
	uint64_t n = size - off < 8 ? size - off : 8;
	char *ours = hex_bytes(j->o->sec->data + j->o->value + off, n);
	char *theirs = hex_bytes(j->b.data + off, n);
	char *hint = j->o->sec->rela ? relaxed_jump_hint(c, j, off) : xstrdup("");
	char *msg = xasprintf("the original has %s, %s has %s%s", ours, c->bin->path, theirs, hint);

	free(ours);
	free(theirs);
	free(hint);
	return msg;
}

/* NULL when J's function is the same, else the message; sets *AT. */
static char *compare_function(struct check *c, struct jobs *q, const struct job *j,
			      const struct sites *jumps, uint64_t *at)
{
	const unsigned char *ours = j->o->sec->data + j->o->value;
	uint64_t size = j->o->size < j->b.size ? j->o->size : j->b.size;
	const struct rela *r = find_rela_from(j->o->sec, j->o->value);
	const struct rela *end = j->o->sec->rela ? j->o->sec->rela->relas + j->o->sec->rela->nr_relas
						 : NULL;

	for (uint64_t off = 0; off < size;) {
		size_t skip = tolerated_rewrite(c, j, jumps, ours + off, j->b.data + off, off, size - off);
		char *msg;

		while (r && r < end && r->offset < j->o->value + off)
			r++;
		*at = off;
		if (skip) {
			off += skip;
			continue;
		}
		if (r && r < end && r->offset == j->o->value + off && rela_width(r->type)) {
			if (off + rela_width(r->type) > size)
				return byte_difference(c, j, off, size);
			msg = compare_reference(c, q, j, r, off);
			if (msg)
				return msg;
			off += rela_width(r->type);
			continue;
		}
		if (ours[off] != j->b.data[off])
			return byte_difference(c, j, off, size);
		off++;
	}
	*at = size;
	if (j->o->size != j->b.size)
		return xasprintf("%" PRIu64 " bytes in the original, %" PRIu64 " in %s",
				 j->o->size, j->b.size, c->bin->path);
	return NULL;
}

static bool is_accepted(const struct check *c, const char *name)
{
	for (size_t i = 0; i < c->nr_accept; i++)
		if (!strcmp(c->accept[i], name))
			return true;
	return false;
}

static void run_jobs(struct check *c, struct jobs *q)
{
	struct sites jumps = jump_sites(c->orig);

	for (size_t i = 0; i < q->nr; i++) {
		struct job j = q->v[i];
		uint64_t at = 0;
		char *msg = compare_function(c, q, &j, &jumps, &at);

		c->nr_checked++;
		if (!msg)
			continue;
		if (is_accepted(c, j.owner)) {
			WARN("%s: function %s differs in %s: at %s+0x%" PRIx64 " %s "
			     "(accepted: --accept-original %s)",
			     c->orig->path, j.o->name, c->bin->path, j.o->name, at, msg, j.owner);
			c->nr_accepted++;
		} else {
			log_msg("error", "%s: function %s differs in %s: at %s+0x%" PRIx64 " %s",
				c->orig->path, j.o->name, c->bin->path, j.o->name, at, msg);
			c->nr_differ++;
		}
		free(msg);
	}
	free(jumps.v);
}

/* ---- which functions --------------------------------------------------- */

static void add_function(struct check *c, struct jobs *q, const char *name, unsigned long sympos)
{
	struct symbol *o = find_symbol(c->orig, name);

	if (!o || !is_func(o) || !o->sec || !o->sec->data ||
	    o->value + o->size > o->sec->size)
		ERROR("%s: defines no function %s", c->orig->path, name);
	queue_job(q, o->name, o, binary_function(c->bin, name, sympos));
}

static void add_function_arg(struct check *c, struct jobs *q, const char *arg)
{
	char *name = xstrdup(arg), *comma = strrchr(name, ',');
	unsigned long sympos = 0;

	if (comma) {
		char *end;

		*comma = 0;
		sympos = strtoul(comma + 1, &end, 10);
		if (!comma[1] || *end)
			ERROR("%s: bad sympos", arg);
	}
	add_function(c, q, name, sympos);
	free(name);
}

/*
 * The functions a create-diff-object output replaces: its .kpatch.funcs
 * entries { new_func, old_name, objname, old_sympos } (kmod-template/
 * README.md), old_name a relocation into .kpatch.strings.
 */
static void add_output_functions(struct check *c, struct jobs *q, const char *path)
{
	struct elf_obj *out = elf_read(path);
	const struct section *funcs = find_section(out, ".kpatch.funcs");

	if (!funcs || !funcs->rela || funcs->size % 32)
		ERROR("%s: no .kpatch.funcs table of 32-byte entries", path);
	for (uint64_t e = 0; e < funcs->size; e += 32) {
		const struct rela *r = find_rela_at(funcs, e + 8);
		const struct section *str;
		uint64_t sympos;

		if (!r || !r->sym->sec || !r->sym->sec->data)
			ERROR("%s: .kpatch.funcs entry %" PRIu64 " has no name", path, e / 32);
		str = r->sym->sec;
		if (r->sym->value + (uint64_t)r->addend >= str->size ||
		    !memchr(str->data + r->sym->value + r->addend, 0,
			    str->size - r->sym->value - (uint64_t)r->addend))
			ERROR("%s: .kpatch.funcs entry %" PRIu64 ": bad name", path, e / 32);
		memcpy(&sympos, funcs->data + e + 24, sizeof(sympos));
		add_function(c, q, (const char *)str->data + r->sym->value + r->addend, sympos);
	}
	elf_free(out);	/* the jobs name the original's symbols */
}

int main(int argc, char **argv)
{
	struct check c = { 0 };
	struct binary bin = { 0 };
	struct jobs q = { 0 };
	const char **accept, **outputs;
	size_t nr_outputs = 0;
	int i = 1;

	log_progname = "kpb-origcheck";
	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage_text, stdout);
		return KPB_OK;
	}
	accept = xcalloc((size_t)argc, sizeof(*accept));
	outputs = xcalloc((size_t)argc, sizeof(*outputs));
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--accept") && i + 1 < argc) {
			accept[c.nr_accept++] = argv[++i];
		} else if (!strcmp(argv[i], "--funcs") && i + 1 < argc) {
			outputs[nr_outputs++] = argv[++i];
		} else {
			i = argc;	/* usage */
			break;
		}
	}
	if (argc - i < 2) {
		free(accept);
		free(outputs);
		fputs(usage_text, stderr);
		return KPB_ERROR;
	}
	c.accept = accept;
	c.orig = elf_read(argv[i]);
	open_binary(&bin, argv[i + 1]);
	c.bin = &bin;
	for (size_t k = 0; k < nr_outputs; k++)
		add_output_functions(&c, &q, outputs[k]);
	for (int k = i + 2; k < argc; k++)
		add_function_arg(&c, &q, argv[k]);
	run_jobs(&c, &q);
	if (!c.nr_differ)
		INFO("%s: %u function(s) the same in %s%s (NOPs over call __fentry__: %u, "
		     "over jump labels: %u; calls the assembler resolved: %u)",
		     c.orig->path, c.nr_checked - c.nr_accepted, bin.path,
		     c.nr_accepted ? ", the others' differences accepted" : "",
		     c.nr_fentry_nops, c.nr_jump_nops, c.nr_resolved);
	free(q.v);
	free(q.queued);
	free(accept);
	free(outputs);
	close_binary(&bin);
	elf_free(c.orig);
	return c.nr_differ ? KPB_DIFFERS : KPB_OK;
}
