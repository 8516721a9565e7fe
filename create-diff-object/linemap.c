// SPDX-License-Identifier: GPL-2.0
/*
 * Layer 0 (read by phase 1): --line-map FILE, how the patch moved the lines of the object's source
 * file, as kpatch-build computed it from the patch.  Each line of FILE is
 * "FIRST LAST DELTA": original lines FIRST..LAST are at line + DELTA in the
 * patched file.  Only moved ranges are listed, sorted and disjoint; '#'
 * starts a comment.
 *
 * lines.c asks it whether a changed immediate passed to a variadic printer
 * (_printk(), _dev_err(), ...) is a __LINE__ that moved with its code: no
 * table can say which variadic argument is a line, the patch can.
 */
#include "cdo.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct line_range {
	long first, last, delta;
};

struct line_map {
	struct line_range *ranges;
	size_t nr;
	const char *path;
};

/* One decimal number (a sign only where @is_signed) and the blanks after it. */
static bool parse_number(char **s, bool is_signed, long *v)
{
	char *end;

	while (**s == ' ' || **s == '\t')
		(*s)++;
	if (!(**s >= '0' && **s <= '9') && !(is_signed && (**s == '-' || **s == '+')))
		return false;
	errno = 0;
	*v = strtol(*s, &end, 10);
	if (errno || end == *s || *v > INT_MAX || *v < -INT_MAX)
		return false;
	*s = end;
	return true;
}

static bool is_blank(const char *s)
{
	return s[strspn(s, " \t\r\n")] == '\0';
}

static enum kpb_status check_range(struct cdo *c, const struct line_map *m, size_t ln,
				   const struct line_range *r)
{
	const struct line_range *prev = m->nr ? &m->ranges[m->nr - 1] : NULL;

	if (r->first < 1 || r->last < r->first)
		return fail(c, KPB_ERROR, "%s:%zu: range %ld-%ld is empty or starts below line 1",
			    m->path, ln, r->first, r->last);
	if (r->delta == 0)
		return fail(c, KPB_ERROR, "%s:%zu: DELTA is 0: list only the ranges that moved",
			    m->path, ln);
	if (r->first + r->delta < 1)
		return fail(c, KPB_ERROR, "%s:%zu: range %ld-%ld moved by %ld would start below "
			    "line 1", m->path, ln, r->first, r->last, r->delta);
	if (prev && r->first <= prev->last)
		return fail(c, KPB_ERROR, "%s:%zu: range %ld-%ld is not after the previous range "
			    "%ld-%ld (ranges must be sorted and disjoint)", m->path, ln, r->first,
			    r->last, prev->first, prev->last);
	return KPB_OK;
}

/* Parse line @ln of the map (its comment already cut off) into @r; @r->first 0 if blank. */
static enum kpb_status parse_range(struct cdo *c, const struct line_map *m, size_t ln, char *s,
				   struct line_range *r)
{
	r->first = 0;
	if (is_blank(s))
		return KPB_OK;
	if (!parse_number(&s, false, &r->first) || !parse_number(&s, false, &r->last) ||
	    !parse_number(&s, true, &r->delta) || !is_blank(s))
		return fail(c, KPB_ERROR, "%s:%zu: expected 'FIRST LAST DELTA' (decimal line "
			    "numbers and a signed shift)", m->path, ln);
	return check_range(c, m, ln, r);
}

static enum kpb_status read_ranges(struct cdo *c, struct line_map *m, FILE *f)
{
	char *line = NULL;
	size_t cap = 0, alloc = 0, ln = 0;

	while (getline(&line, &cap, f) != -1) {
		struct line_range r;

		ln++;
		line[strcspn(line, "#")] = '\0';
		if (parse_range(c, m, ln, line, &r)) {
			free(line);
			return c->status;
		}
		if (!r.first)
			continue;
		if (m->nr == alloc) {
			alloc = alloc ? 2 * alloc : 16;
			m->ranges = xrealloc(m->ranges, alloc * sizeof(*m->ranges));
		}
		m->ranges[m->nr++] = r;
	}
	free(line);
	return KPB_OK;
}

enum kpb_status read_line_map(struct cdo *c)
{
	struct line_map *m;
	FILE *f;

	if (!c->args.line_map_path)
		return KPB_OK;
	f = fopen(c->args.line_map_path, "r");
	if (!f)
		return fail(c, KPB_ERROR, "%s: cannot read the line map: %s",
			    c->args.line_map_path, strerror(errno));
	m = xcalloc(1, sizeof(*m));
	m->path = c->args.line_map_path;
	c->line_map = m;
	if (read_ranges(c, m, f) == KPB_OK && ferror(f))
		fail(c, KPB_ERROR, "%s: cannot read the line map: %s", m->path, strerror(errno));
	fclose(f);
	if (!c->status)
		DEBUG(DBG_COMPARE, "%s: %zu moved line range(s)", m->path, m->nr);
	return c->status;
}

void free_line_map(struct line_map *m)
{
	if (!m)
		return;
	free(m->ranges);
	free(m);
}

/* Is @new where the patch moved original line @old? */
bool line_moved(const struct line_map *m, uint32_t old, uint32_t new)
{
	size_t lo = 0, hi = m ? m->nr : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct line_range *r = &m->ranges[mid];

		if ((long)old < r->first)
			hi = mid;
		else if ((long)old > r->last)
			lo = mid + 1;
		else
			return (long)old + r->delta == (long)new;
	}
	return false;
}
