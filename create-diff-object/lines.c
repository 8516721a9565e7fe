// SPDX-License-Identifier: GPL-2.0
/*
 * Layer 0 (asked by compare.c): is a function's only difference the __LINE__ it passes
 * to a helper that reports where it was called from?  Lines added above a
 * function shift those immediates without changing what it does.
 *
 * The helper is recognised by name, and its table row says which argument
 * carries the line: a changed "mov $imm32, %reg" counts as a line only when
 * %reg is that argument's register and the next call is to that helper.
 * Prototypes checked against Linux 6.1 and 6.12, older ones where noted.
 *
 * A printer (printk() and friends) takes the line as any variadic argument:
 * there a changed immediate counts as a line only when --line-map says the
 * patch moved original line "old" to "new" (linemap.c).  So does a
 * "file.c:LINE" inside a string literal (same.c asks, at the end below).
 */
#include "cdo.h"
#include "x86.h"

#include <string.h>

#define ARG(n) (1u << (n))	/* from 6 on, the argument is on the stack */
#define REG_ARGS 0x3fu
#define STACK_ARGS (~REG_ARGS)
#define ANY_ARG (~0u)		/* a variadic helper: the line may be any argument */

struct line_callee {
	const char *name;
	unsigned int line_args;	/* bit N: argument N may carry the line */
	/*
	 * Where kernel versions put the line in different arguments, what one
	 * version passes in the other's line argument is a small constant (a
	 * handle type, an error tag): an immediate below this is not a line.
	 */
	uint32_t min_line;
};

static const struct line_callee line_callees[] = {
	/* include/linux/kernel.h, sched.h, lockdep.h, bug.h */
	{ "__might_sleep", ARG(1), 0 },
	/* to 5.14: (file, line, preempt_offset), which __might_sleep() called */
	{ "___might_sleep", ARG(1), 0 },
	/* to 4.18: WARN_ON() without a format */
	{ "warn_slowpath_null", ARG(1), 0 },
	{ "__might_resched", ARG(1), 0 },
	{ "__might_fault", ARG(1), 0 },
	{ "__cant_sleep", ARG(1), 0 },
	{ "__cant_migrate", ARG(1), 0 },
	{ "warn_slowpath_fmt", ARG(1), 0 },
	{ "lockdep_rcu_suspicious", ARG(1), 0 },
	{ "__warn_printk", ANY_ARG, 0 },
	{ "__might_sleep_ret", ANY_ARG, 0 },
	{ "__cant_sleep_ret", ANY_ARG, 0 },
	/* include/net/xdp.h's XDP_WARN(); cred.h's validate_creds() (CONFIG_DEBUG_CREDENTIALS, 6.1) */
	{ "xdp_warn", ARG(2), 0 },
	{ "__validate_creds", ARG(2), 0 },
	{ "__validate_process_creds", ARG(2), 0 },
	/* fs/ext4: super.c, ext4_jbd2.c, inode.c, namei.c, dir.c, extents.c, xattr.c */
	{ "__ext4_error", ARG(2), 0 },
	{ "__ext4_error_inode", ARG(2), 0 },
	{ "__ext4_error_file", ARG(2), 0 },
	{ "__ext4_std_error", ARG(2), 0 },
	{ "__ext4_warning", ARG(2), 0 },
	{ "__ext4_warning_inode", ARG(2), 0 },
	{ "__ext4_grp_locked_error", ARG(1), 0 },
	{ "__ext4_journal_get_write_access", ARG(1), 0 },
	{ "__ext4_journal_get_create_access", ARG(1), 0 },
	{ "__ext4_handle_dirty_metadata", ARG(1), 0 },
	{ "__ext4_forget", ARG(1), 0 },
	/* 6.1: (sb, line, ...); 6.12: (inode, sb, line, ...) */
	{ "__ext4_journal_start_sb", ARG(1) | ARG(2), 16 },	/* EXT4_HT_* < 16 */
	{ "__ext4_journal_start_reserved", ARG(1), 0 },
	{ "__ext4_journal_stop", ARG(1), 0 },
	{ "__ext4_mark_inode_dirty", ARG(3), 0 },
	{ "__ext4_iget", ARG(4), 0 },
	{ "__ext4_check_dir_entry", ARG(1), 0 },
	{ "__ext4_read_dirblock", ARG(4), 0 },
	{ "__ext4_ext_check", ARG(1), 0 },
	{ "__ext4_ext_dirty", ARG(1), 0 },
	{ "__read_extent_tree_block", ARG(1), 0 },
	{ "__ext4_xattr_check_block", ARG(3), 0 },
	{ "__xattr_check_inode", ARG(4), 0 },
	{ "__check_block_validity", ARG(2), 0 },
	{ "__dump_mmp_msg", ARG(3), 0 },
	{ "__warn_no_space_for_csum", ARG(2), 0 },
	{ "ext4_check_blockref", ARG(1), 0 },
	{ "__ext4_new_inode", ARG(9), 0 },
	{ "check_igot_inode", ARG(3), 0 },
	{ "__jbd2_debug", ARG(3), 0 },
	/* fs/btrfs: ctree.h (6.1), messages.h and transaction.h (6.12) */
	{ "__btrfs_handle_fs_error", ARG(2), 0 },
	{ "__btrfs_abort_transaction", ARG(2), 0 },
	{ "__btrfs_panic", ARG(2), 0 },
	{ "btrfs_assertfail", ARG(2), 0 },
	/* fs/xfs: xfs_error.h, xfs_message.h, xfs_mount.h */
	{ "xfs_error_report", ARG(4), 0 },
	{ "xfs_corruption_error", ARG(6), 0 },
	{ "xfs_do_force_shutdown", ARG(3), 0 },
	{ "asswarn", ARG(3), 0 },
	{ "assfail", ARG(3), 0 },
	/* 6.1: (mp, expr, file, line, tag); 6.12: (mp, file, line, tag) */
	{ "xfs_errortag_test", ARG(2) | ARG(3), 128 },	/* XFS_ERRTAG_* < 128 */
};

static const struct line_callee any_clone = { "", ANY_ARG, 0 };

/* The row of @name (a function or its clone), or NULL. */
static const struct line_callee *find_line_callee(const char *name)
{
	size_t base = strcspn(name, ".");

	for (size_t i = 0; i < sizeof(line_callees) / sizeof(*line_callees); i++) {
		if (strncmp(name, line_callees[i].name, base) || line_callees[i].name[base])
			continue;
		/* A clone (.isra, .constprop) may have dropped arguments before it. */
		return name[base] ? &any_clone : &line_callees[i];
	}
	return NULL;
}

#define ON_STACK 16

/* The arguments x86 register number @reg (rax=0 .. r15=15; ON_STACK) may be. */
static unsigned int arguments_of_register(unsigned int reg)
{
	static const int arg[16] = { -1, 3, 2, -1, -1, -1, 1, 0, 4, 5, -1, -1, -1, -1, -1, -1 };

	if (reg == ON_STACK)
		return STACK_ARGS;
	return arg[reg & 15] < 0 ? 0 : ARG(arg[reg & 15]);
}

struct mov_imm {
	uint64_t end;		/* offset after the instruction */
	unsigned int reg;	/* ON_STACK: pushed or stored to (%rsp) */
	uint32_t old, new;	/* the immediate in either version */
};

static void read_imms(const unsigned char *o, const unsigned char *p, uint64_t at,
		      struct mov_imm *m)
{
	memcpy(&m->old, o + at, sizeof(m->old));
	memcpy(&m->new, p + at, sizeof(m->new));
}

/* "push $imm32", "movl $imm32, (%rsp)", "movl $imm32, d8(%rsp)": a stack argument. */
static bool in_stack_imm32(const unsigned char *o, const unsigned char *p, uint64_t i,
			   uint64_t size, struct mov_imm *m)
{
	static const struct { unsigned char op[3]; unsigned int len, imm; } forms[] = {
		{ { X86_PUSH_IMM32 }, 1, 1 },
		{ { X86_MOVL_IMM32_RM, X86_MODRM_SIB_RSP, X86_SIB_RSP }, 3, 3 },
		{ { X86_MOVL_IMM32_RM, X86_MODRM_SIB_RSP_D8, X86_SIB_RSP }, 3, 4 },
	};

	for (size_t f = 0; f < sizeof(forms) / sizeof(*forms); f++) {
		unsigned int imm = forms[f].imm;

		for (uint64_t j = i >= imm + 3 ? i - imm - 3 : 0; j + imm <= i; j++) {
			if (j + imm + 4 > size || i < j + imm ||
			    memcmp(p + j, forms[f].op, forms[f].len) ||
			    memcmp(o + j, p + j, imm))
				continue;
			m->end = j + imm + 4;
			m->reg = ON_STACK;
			read_imms(o, p, j + imm, m);
			return true;
		}
	}
	return false;
}

/* Is byte @i inside the imm32 of a "mov $imm32, %r32" in both versions? */
static bool in_mov_imm32(const unsigned char *o, const unsigned char *p, uint64_t i,
			 uint64_t size, struct mov_imm *m)
{
	for (uint64_t j = i >= 4 ? i - 4 : 0; j < i; j++) {
		if (o[j] != p[j] || p[j] < X86_MOV_IMM32_REG || p[j] > X86_MOV_IMM32_REG + 7 ||
		    j + X86_MOV_IMM32_LEN > size)
			continue;
		if (j && p[j - 1] >= X86_REX_W_FIRST && p[j - 1] <= X86_REX_W_LAST)
			continue;	/* REX.W: a 64-bit immediate, not a line */
		m->end = j + X86_MOV_IMM32_LEN;
		m->reg = (p[j] - (unsigned int)X86_MOV_IMM32_REG) +
			 (j && o[j - 1] == X86_REX_B && p[j - 1] == X86_REX_B ? 8 : 0);
		read_imms(o, p, j + 1, m);
		return true;
	}
	return false;
}

static bool is_call_or_jump(const struct symbol *func, const struct rela *r)
{
	unsigned char op;

	if (r->type != R_X86_64_PLT32 && r->type != R_X86_64_PC32)
		return false;
	if (r->offset == 0 || r->offset - 1 < func->value)
		return false;
	op = func->sec->data[r->offset - 1];
	return op == X86_CALL_REL32 || op == X86_JMP_REL32;
}

/*
 * GCC merges the tails of error paths: "mov $LINE, %edx; jmp <shared call>".
 * Where the instruction after @m is a jump within the function, the call
 * is looked for from its target.
 */
static uint64_t after_jump(const struct symbol *func, uint64_t at)
{
	const unsigned char *d = func->sec->data + func->value;
	int64_t to = (int64_t)at;

	if (at + X86_BRANCH_REL8_LEN <= func->size && d[at] == X86_JMP_REL8)
		to = (int64_t)at + X86_BRANCH_REL8_LEN + (int8_t)d[at + 1];
	else if (at + X86_CALL_REL32_LEN <= func->size && d[at] == X86_JMP_REL32 &&
		 !find_rela_at(func->sec, func->value + at + 1)) {
		int32_t rel;

		memcpy(&rel, d + at + 1, sizeof(rel));
		to = (int64_t)at + X86_CALL_REL32_LEN + rel;
	}
	return to >= 0 && (uint64_t)to < func->size ? (uint64_t)to : at;
}

/* The function the first call (or tail jump) after @m goes to, or NULL. */
static const char *next_callee(const struct symbol *func, const struct mov_imm *m)
{
	const struct section *rs = func->sec->rela;

	if (!rs)
		return NULL;
	for (const struct rela *r = find_rela_from(func->sec, func->value + after_jump(func, m->end));
	     r && r < rs->relas + rs->nr_relas && r->offset < func->value + func->size; r++) {
		int64_t add;

		if (is_call_or_jump(func, r))
			return resolve_reloc(func->sec, r, &add)->name;
	}
	return NULL;
}

/*
 * The kernel's variadic printers: a caller may pass __LINE__ as any %d
 * argument ("%s (%d): error creating kset\n", __FILE__, __LINE__ in
 * kernel/params.c's param_sysfs_init()), so only the line map can tell a
 * moved line from a changed value.  include/linux/printk.h, dev_printk.h,
 * dynamic_debug.h, panic.h and include/net/net_debug.h of 6.1 and 6.12.
 */
static const char *const printers[] = {
	"printk", "_printk", "_printk_deferred", "early_printk", "panic",
	"dev_printk_emit", "_dev_printk", "_dev_emerg", "_dev_alert", "_dev_crit",
	"_dev_err", "_dev_warn", "_dev_notice", "_dev_info", "dev_err_probe",
	"dev_warn_probe", "__dynamic_pr_debug", "__dynamic_dev_dbg",
	"__dynamic_netdev_dbg", "__dynamic_ibdev_dbg", "netdev_printk", "netdev_emerg",
	"netdev_alert", "netdev_crit", "netdev_err", "netdev_warn", "netdev_notice",
	"netdev_info",
};

static bool is_printer(const char *name)
{
	for (size_t i = 0; i < sizeof(printers) / sizeof(*printers); i++)
		if (!strcmp(name, printers[i]))
			return true;
	return false;
}

/*
 * Is @m's immediate the line argument of the call after it?  A table
 * helper's line argument always is, map or not: the map is not asked to
 * let a small constant below min_line through (an EXT4_HT_* type 2 -> 3
 * fits any map that moves line 2, as adding an #include at the top does).
 * A printer's argument is a line only where the map moved it.
 */
static bool passes_line(const struct symbol *func, const struct mov_imm *m,
			const struct line_map *map)
{
	unsigned int args = arguments_of_register(m->reg);
	const char *callee = args ? next_callee(func, m) : NULL;
	const struct line_callee *lc;

	if (!callee)
		return false;
	lc = find_line_callee(callee);
	if (lc)
		return (lc->line_args & args) && m->old >= lc->min_line &&
		       m->new >= lc->min_line;
	return is_printer(callee) && line_moved(map, m->old, m->new);
}

bool only_line_numbers_differ(const struct symbol *o, const struct symbol *p,
			      const struct line_map *map)
{
	const unsigned char *ob = o->sec->data + o->value;
	const unsigned char *pb = p->sec->data + p->value;
	struct mov_imm m;
	bool any = false;

	for (uint64_t i = 0; i < p->size; i++) {
		if (ob[i] == pb[i])
			continue;
		if ((!in_mov_imm32(ob, pb, i, p->size, &m) &&
		     !in_stack_imm32(ob, pb, i, p->size, &m)) || !passes_line(p, &m, map)) {
			DEBUG(DBG_COMPARE, "%s+0x%lx: differs, not in a line argument", p->name,
			      (unsigned long)i);
			return false;
		}
		any = true;
	}
	return any;
}

/*
 * __FILE__ ":" __stringify(__LINE__) puts the line into a string literal:
 * include/linux/fortify-string.h's memcpy() check (6.1: "field \"" #p "\"
 * at " __FILE__ ":" __stringify(__LINE__); 6.12: its FILE_LINE), WARN_ONCE's
 * argument in every fortified memcpy() into a flexible field, and with
 * CONFIG_LOCKDEP timer.h's DEFINE_TIMER ("file.c:LINE") and regmap.h's lock
 * names (KBUILD_BASENAME ":" LINE ":(name)->lock").
 *
 * A run of digits that differs counts as a line only where all of these
 * hold: a ':' right before it, and before that the object's source file
 * (its STT_FILE name, "x86.c", at the end of a path) or its KBUILD_BASENAME
 * ("x86"); and the line map moved that line there.  A header's __FILE__ is
 * not the source file: a string naming a header line stays a change (the
 * map knows only the source file's lines).
 */

/* Does @s[0..@end) end with @name, preceded by nothing or a path separator? */
static bool ends_with_file(const char *s, size_t end, const char *name, size_t len)
{
	if (!len || end < len || strncmp(s + end - len, name, len))
		return false;
	return end == len || s[end - len - 1] == '/' || s[end - len - 1] == ' ' ||
	       s[end - len - 1] == '"' || s[end - len - 1] == '(';
}

/* Is the digit run of @p at @at preceded by "<source>:" or "<stem>:"? */
static bool follows_source_name(const char *p, size_t at, const char *source)
{
	const char *dot = strrchr(source, '.');
	const char *base = strrchr(source, '/');
	size_t len, stem;

	source = base ? base + 1 : source;
	len = strlen(source);
	stem = dot && dot > source ? (size_t)(dot - source) : len;
	if (at < 2 || p[at - 1] != ':')
		return false;
	return ends_with_file(p, at - 1, source, len) || ends_with_file(p, at - 1, source, stem);
}

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* The digit run at @s (at most @max bytes), its value in @v; its length. */
static size_t digit_run(const char *s, size_t max, uint32_t *v)
{
	size_t n = 0;
	uint64_t val = 0;

	while (n < max && is_digit(s[n])) {
		if (val <= UINT32_MAX)
			val = val * 10 + (uint64_t)(s[n] - '0');
		n++;
	}
	*v = val > UINT32_MAX ? UINT32_MAX : (uint32_t)val;
	return n;
}

bool only_lines_differ_in_string(const char *o, size_t olen, const char *p, size_t plen,
				 const char *source, const struct line_map *map)
{
	size_t i = 0, j = 0;
	bool any = false;

	olen = strnlen(o, olen);
	plen = strnlen(p, plen);
	if (!source || !map)
		return false;
	while (i < olen && j < plen) {
		uint32_t ov, pv;
		size_t on, pn;

		if (!is_digit(o[i]) && !is_digit(p[j])) {
			if (o[i] != p[j])
				return false;
			i++, j++;
			continue;
		}
		on = digit_run(o + i, olen - i, &ov);
		pn = digit_run(p + j, plen - j, &pv);
		if (on != pn || strncmp(o + i, p + j, on)) {
			if (!on || !pn || !follows_source_name(p, j, source) ||
			    !line_moved(map, ov, pv))
				return false;
			any = true;
		}
		i += on, j += pn;
	}
	return any && i == olen && j == plen;
}
