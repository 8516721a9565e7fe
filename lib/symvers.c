// SPDX-License-Identifier: GPL-2.0
/*
 * Module.symvers reader.  The file is read once; entries point into that
 * buffer and are kept sorted by name for bsearch.
 */
#include "symvers.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 5

struct symvers {
	char *text;
	struct symvers_entry *entries;
	size_t count;
};

struct symvers_parse {
	const char *path;
	unsigned line;
	char *err;
	size_t errlen;
};

static bool __attribute__((format(printf, 2, 3)))
fail_at(const struct symvers_parse *p, const char *fmt, ...)
{
	size_t used;
	va_list ap;

	if (!p->err || !p->errlen)
		return false;
	used = snprintf(p->err, p->errlen, "%s:%u: ", p->path, p->line);
	if (used >= p->errlen)
		return false;
	va_start(ap, fmt);
	vsnprintf(p->err + used, p->errlen - used, fmt, ap);
	va_end(ap);
	return false;
}

static bool parse_export(const char *s, enum symvers_export *out)
{
	static const struct { const char *s; enum symvers_export e; } map[] = {
		{ "EXPORT_SYMBOL", SYMVERS_EXPORT },
		{ "EXPORT_SYMBOL_NS", SYMVERS_EXPORT },
		{ "EXPORT_SYMBOL_GPL", SYMVERS_EXPORT_GPL },
		{ "EXPORT_SYMBOL_NS_GPL", SYMVERS_EXPORT_GPL },
		{ "EXPORT_SYMBOL_GPL_FUTURE", SYMVERS_EXPORT_GPL_FUTURE },
		{ "EXPORT_UNUSED_SYMBOL", SYMVERS_EXPORT_UNUSED },
		{ "EXPORT_UNUSED_SYMBOL_GPL", SYMVERS_EXPORT_UNUSED_GPL },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(s, map[i].s)) {
			*out = map[i].e;
			return true;
		}
	return false;
}

/* "0x" and up to 8 hex digits; 0x00000000 without CONFIG_MODVERSIONS. */
static bool parse_crc(const char *s, uint32_t *crc)
{
	size_t len = strlen(s);
	char *end;

	if (len < 3 || len > 10 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') ||
	    strspn(s + 2, "0123456789abcdefABCDEF") != len - 2)
		return false;
	errno = 0;
	*crc = strtoul(s + 2, &end, 16);
	return !errno && !*end;
}

static size_t split_tabs(char *line, char **fields)
{
	size_t n = 0;

	for (char *p = line; n < MAX_FIELDS + 1; ) {
		char *tab = strchr(p, '\t');

		fields[n++] = p;
		if (!tab)
			break;
		*tab = '\0';
		p = tab + 1;
	}
	return n;
}

static bool is_export_word(const char *s)
{
	return !strncmp(s, "EXPORT_", 7);
}

static const char *module_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Map the two historic column orders onto one entry. */
static bool fill_entry(const struct symvers_parse *p, char **f, size_t n,
		       struct symvers_entry *e)
{
	bool ns_third;
	const char *module, *export;

	if (n < 4 || n > MAX_FIELDS)
		return fail_at(p, "expected 4 or 5 tab-separated fields, found %zu", n);
	ns_third = n == 5 && !is_export_word(f[3]) && is_export_word(f[4]);
	module = ns_third ? f[3] : f[2];
	export = ns_third ? f[4] : f[3];
	if (!parse_crc(f[0], &e->crc))
		return fail_at(p, "bad CRC '%s'", f[0]);
	if (!f[1][0] || strpbrk(f[1], " \t"))
		return fail_at(p, "bad symbol name '%s'", f[1]);
	if (!module[0] || module[strlen(module) - 1] == '/')
		return fail_at(p, "empty module path for '%s'", f[1]);
	if (!parse_export(export, &e->export))
		return fail_at(p, "unknown export type '%s'", export);
	e->name = f[1];
	e->module_path = module;
	e->module = module_basename(module);
	e->ns = ns_third ? f[2] : n == 5 ? f[4] : "";
	e->line = p->line;
	return true;
}

static bool parse_line(struct symvers *sv, struct symvers_parse *p, char *line)
{
	char *fields[MAX_FIELDS + 1];
	size_t len = strlen(line);

	if (len && line[len - 1] == '\r')
		line[--len] = '\0';
	if (!len)
		return true;
	if (!fill_entry(p, fields, split_tabs(line, fields),
			&sv->entries[sv->count]))
		return false;
	sv->count++;
	return true;
}

static int compare_entries(const void *a, const void *b)
{
	const struct symvers_entry *ea = a, *eb = b;
	int c = strcmp(ea->name, eb->name);

	return c ? c : (ea->line > eb->line) - (ea->line < eb->line);
}

/* Identical repeats (concatenated files) are fine; conflicting ones are not. */
static bool drop_duplicates(struct symvers *sv, struct symvers_parse *p)
{
	size_t out = 0;

	for (size_t i = 0; i < sv->count; i++) {
		struct symvers_entry *prev = out ? &sv->entries[out - 1] : NULL;
		struct symvers_entry *e = &sv->entries[i];

		if (prev && !strcmp(prev->name, e->name)) {
			p->line = e->line;
			if (strcmp(prev->module_path, e->module_path))
				return fail_at(p, "'%s' exported again by %s (first by %s at line %u)",
					       e->name, e->module_path,
					       prev->module_path, prev->line);
			continue;
		}
		sv->entries[out++] = *e;
	}
	sv->count = out;
	return true;
}

static char *read_text_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	mem = open_memstream(&buf, &len);
	if (mem) {
		char chunk[65536];
		size_t n;

		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			fwrite(chunk, 1, n, mem);
		fclose(mem);
	}
	if (!mem || ferror(f) || memchr(buf, '\0', len)) {
		snprintf(err, errlen, "%s: %s", path, !mem || ferror(f)
			 ? "read error" : "binary data, not a Module.symvers");
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static bool parse_symvers(struct symvers *sv, struct symvers_parse *p)
{
	size_t lines = 1;

	for (const char *c = sv->text; *c; c++)
		lines += *c == '\n';
	sv->entries = calloc(lines, sizeof(*sv->entries));
	if (!sv->entries) {
		snprintf(p->err, p->errlen, "%s: out of memory", p->path);
		return false;
	}
	for (char *line = sv->text, *nl; line; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		p->line++;
		if (!parse_line(sv, p, line))
			return false;
	}
	qsort(sv->entries, sv->count, sizeof(*sv->entries), compare_entries);
	return drop_duplicates(sv, p);
}

struct symvers *symvers_load(const char *path, char *err, size_t errlen)
{
	struct symvers_parse p = { .path = path, .err = err, .errlen = errlen };
	struct symvers *sv = calloc(1, sizeof(*sv));

	if (!sv) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	sv->text = read_text_file(path, err, errlen);
	if (!sv->text || !parse_symvers(sv, &p)) {
		symvers_free(sv);
		return NULL;
	}
	return sv;
}

void symvers_free(struct symvers *sv)
{
	if (!sv)
		return;
	free(sv->entries);
	free(sv->text);
	free(sv);
}

size_t symvers_count(const struct symvers *sv)
{
	return sv->count;
}

const struct symvers_entry *symvers_entry(const struct symvers *sv, size_t i)
{
	return i < sv->count ? &sv->entries[i] : NULL;
}

static int compare_name_to_entry(const void *key, const void *elem)
{
	return strcmp(key, ((const struct symvers_entry *)elem)->name);
}

const struct symvers_entry *symvers_find(const struct symvers *sv,
					 const char *name)
{
	return bsearch(name, sv->entries, sv->count, sizeof(*sv->entries),
		       compare_name_to_entry);
}

bool symvers_is_vmlinux(const struct symvers_entry *e)
{
	return !strcmp(e->module_path, "vmlinux");
}

char *module_name_normalize(char *name)
{
	for (char *p = name; *p; p++)
		if (*p == '-')
			*p = '_';
	return name;
}

bool module_names_equal(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (*a != *b && !((*a == '-' || *a == '_') &&
				  (*b == '-' || *b == '_')))
			return false;
	return *a == *b;
}
