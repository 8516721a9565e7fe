// SPDX-License-Identifier: GPL-2.0
/*
 * The .symtab table of `readelf -s --wide` text, for corpora that kept
 * only that.  readelf's layout varies by binutils version and arch, so
 * each field is parsed for what it can be, and anything else inside the
 * table is an error with file:line rather than a guess.
 */
#include "log.h"
#include "symtab_text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* A whitespace-delimited word of the current line. */
struct word {
	const char *p;
	size_t len;
};

static struct word next_word(const char **cur)
{
	const char *p = *cur;
	struct word w;

	while (*p == ' ' || *p == '\t')
		p++;
	w.p = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	w.len = p - w.p;
	*cur = p;
	return w;
}

static bool word_is(struct word w, const char *s)
{
	return w.len == strlen(s) && !memcmp(w.p, s, w.len);
}

/* readelf spells unnamed values "<processor specific>: 13"; eat it whole. */
static struct word next_field(const char **cur)
{
	struct word w = next_word(cur);

	if (w.len && w.p[0] == '<') {
		while (!memchr(w.p, ':', w.len) && **cur)
			w = next_word(cur);
		next_word(cur);
		return (struct word){ "<", 1 };
	}
	return w;
}

static bool parse_u64(struct word w, int base, uint64_t *out)
{
	char buf[32], *end;

	if (!w.len || w.len >= sizeof(buf) || w.p[0] == '-')
		return false;
	memcpy(buf, w.p, w.len);
	buf[w.len] = '\0';
	errno = 0;
	*out = strtoull(buf, &end, base);
	return !errno && *end == '\0';
}

/* DEC_5 in readelf: decimal up to 99999, "0x..." above. */
static bool parse_size(struct word w, uint64_t *out)
{
	if (w.len > 2 && w.p[0] == '0' && (w.p[1] == 'x' || w.p[1] == 'X'))
		return parse_u64((struct word){ w.p + 2, w.len - 2 }, 16, out);
	return parse_u64(w, 10, out);
}

static bool parse_type(struct word w, enum ksym_type *type)
{
	static const struct { const char *s; enum ksym_type t; } map[] = {
		{ "NOTYPE", KSYM_NOTYPE }, { "OBJECT", KSYM_OBJECT },
		{ "FUNC", KSYM_FUNC }, { "SECTION", KSYM_SECTION },
		{ "FILE", KSYM_FILE }, { "TLS", KSYM_TLS },
		{ "COMMON", KSYM_TYPE_OTHER }, { "IFUNC", KSYM_TYPE_OTHER },
		{ "GNU_IFUNC", KSYM_TYPE_OTHER }, { "<", KSYM_TYPE_OTHER },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (word_is(w, map[i].s)) {
			*type = map[i].t;
			return true;
		}
	return false;
}

static bool parse_bind(struct word w, enum ksym_bind *bind)
{
	static const struct { const char *s; enum ksym_bind b; } map[] = {
		{ "LOCAL", KSYM_LOCAL }, { "GLOBAL", KSYM_GLOBAL },
		{ "WEAK", KSYM_WEAK }, { "UNIQUE", KSYM_BIND_OTHER },
		{ "<", KSYM_BIND_OTHER },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (word_is(w, map[i].s)) {
			*bind = map[i].b;
			return true;
		}
	return false;
}

/* Ndx: UND, ABS, COM, a number, or PRC[..]/OS [..]/RSV[..] specials. */
static bool parse_ndx(const char **cur, struct ksym *s)
{
	struct word w = next_word(cur);
	uint64_t n;

	if (word_is(w, "UND"))
		s->place = KSYM_UNDEF;
	else if (word_is(w, "COM"))
		s->place = KSYM_COMMON;
	else if (word_is(w, "ABS") || starts_with(w.p, "PRC[") ||
		 starts_with(w.p, "RSV["))
		s->place = KSYM_ABS;
	else if (word_is(w, "OS")) {
		next_word(cur);
		s->place = KSYM_ABS;
	} else if (parse_u64(w, 10, &n) && n <= UINT32_MAX) {
		s->place = KSYM_IN_SECTION;
		s->shndx = n;
	} else
		return false;
	return true;
}

/* ppc64's "[<localentry>: 8]", aarch64's "[VARIANT_PCS]" and the like. */
static void skip_st_other_notes(const char **cur)
{
	const char *p = *cur;
	struct word w = next_word(&p);

	while (w.len && w.p[0] == '[') {
		while (w.len && !memchr(w.p, ']', w.len))
			w = next_word(&p);
		*cur = p;
		w = next_word(&p);
	}
}

/* The rest of the line; a dynsym-style " (2)" version suffix is dropped. */
static const char *take_name(char *p)
{
	char *end, *paren;

	while (*p == ' ' || *p == '\t')
		p++;
	end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\r'))
		*--end = '\0';
	paren = strrchr(p, ' ');
	if (paren && strchr(p, '@') && paren[1] == '(' && end[-1] == ')')
		*paren = '\0';
	return p;
}

/* Parse "  N: VALUE SIZE TYPE BIND VIS [notes] NDX NAME"; NULL if OK. */
static const char *parse_entry(char *line, struct ksym *s, uint64_t *num)
{
	const char *cur = line;
	struct word w = next_word(&cur);

	if (w.len < 2 || w.p[w.len - 1] != ':' ||
	    !parse_u64((struct word){ w.p, w.len - 1 }, 10, num))
		return "expected \"NUM:\"";
	if (!parse_u64(next_word(&cur), 16, &s->value))
		return "bad value";
	if (!parse_size(next_word(&cur), &s->size))
		return "bad size";
	if (!parse_type(next_field(&cur), &s->type))
		return "unknown symbol type";
	if (!parse_bind(next_field(&cur), &s->bind))
		return "unknown symbol binding";
	if (!next_field(&cur).len)
		return "missing visibility";
	skip_st_other_notes(&cur);
	if (!parse_ndx(&cur, s))
		return "bad section index";
	s->name = take_name((char *)cur);
	if (strlen(s->name) >= 5 && !strcmp(s->name + strlen(s->name) - 5, "[...]"))
		return "name truncated by readelf; produce the text with readelf -s --wide";
	return NULL;
}

enum table_state { TABLE_NONE, TABLE_SYMTAB, TABLE_OTHER, TABLE_DONE };

struct text_parse {
	struct ksym_list *out;
	enum table_state state;
	size_t expected;
	size_t line_no;
	bool saw_dynsym;
	char *err;
	size_t errlen;
};

static bool fail_line(struct text_parse *tp, const char *why)
{
	format_error(tp->err, tp->errlen, "%s:%zu: %s", tp->out->path, tp->line_no, why);
	return false;
}

/* "Symbol table '.symtab' contains 1234 entries:" */
static bool parse_table_header(struct text_parse *tp, const char *line)
{
	const char *name = strchr(line, '\'');
	const char *close = name ? strchr(name + 1, '\'') : NULL;
	uint64_t n;
	char *end;

	if (!close || !starts_with(close, "' contains "))
		return fail_line(tp, "malformed \"Symbol table\" header");
	n = strtoull(close + strlen("' contains "), &end, 10);
	if (!starts_with(end, " entr"))
		return fail_line(tp, "malformed \"Symbol table\" header");
	if (close - name - 1 != 7 || strncmp(name + 1, ".symtab", 7)) {
		tp->saw_dynsym = true;
		tp->state = tp->state == TABLE_DONE ? TABLE_DONE : TABLE_OTHER;
		return true;
	}
	if (tp->out->syms)
		return fail_line(tp, "a second '.symtab' table (output for more than one file?)");
	if (n > (1u << 30))
		return fail_line(tp, "implausible symbol count");
	tp->out->syms = calloc(n ? n : 1, sizeof(*tp->out->syms));
	if (!tp->out->syms)
		return fail_line(tp, "out of memory");
	tp->expected = n;
	tp->state = n ? TABLE_SYMTAB : TABLE_DONE;
	return true;
}

static bool parse_symtab_line(struct text_parse *tp, char *line)
{
	struct ksym_list *t = tp->out;
	struct ksym *s = &t->syms[t->nr_syms];
	const char *why;
	uint64_t num;

	if (starts_with(line + strspn(line, " "), "Num:"))
		return true;
	why = parse_entry(line, s, &num);
	if (why)
		return fail_line(tp, why);
	if (num != t->nr_syms)
		return fail_line(tp, "symbol numbers out of sequence");
	s->index = t->nr_syms++;
	if (t->nr_syms == tp->expected)
		tp->state = TABLE_DONE;
	return true;
}

static bool is_blank(const char *line)
{
	return line[strspn(line, " \t\r")] == '\0';
}

static bool parse_text_line(struct text_parse *tp, char *line)
{
	if (starts_with(line, "Symbol table '"))
		return parse_table_header(tp, line);
	if (is_blank(line) || starts_with(line, "readelf:") ||
	    starts_with(line, "File: "))
		return true;
	if (tp->state == TABLE_SYMTAB)
		return parse_symtab_line(tp, line);
	return true;
}

bool parse_readelf_symtab(struct ksym_list *t, char *text, char *err,
			  size_t errlen)
{
	struct text_parse tp = { .out = t, .err = err, .errlen = errlen };

	for (char *line = text, *nl; line; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		tp.line_no++;
		if (!parse_text_line(&tp, line))
			return false;
	}
	if (!t->syms) {
		format_error(err, errlen, tp.saw_dynsym
			? "%s: readelf output has no '.symtab' table (stripped?)"
			: "%s: neither an ELF file nor `readelf -s --wide` output", t->path);
		return false;
	}
	if (t->nr_syms != tp.expected) {
		format_error(err, errlen, "%s: truncated: '.symtab' declares %zu entries, found %zu",
			t->path, tp.expected, t->nr_syms);
		return false;
	}
	return true;
}
