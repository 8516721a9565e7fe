// SPDX-License-Identifier: GPL-2.0
/* lib/typediff: two layouts of a type compared, on hand-made types. */
#include "typediff.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

#define M(path, byte, bytes, type) { (char *)(path), (byte) * 8, (bytes) * 8, false, (char *)(type) }

static struct dw_type make(const char *key, uint64_t size, struct dw_member *m, size_t n)
{
	return (struct dw_type){ .key = (char *)key, .size = size, .members = m, .nr_members = n };
}

static bool described(const struct layout_change *c, const char *want)
{
	char *s = describe_change(c);
	bool ok = !strcmp(s, want);

	if (!ok)
		fprintf(tap, "# got: %s\n# want: %s\n", s, want);
	free(s);
	return ok;
}

static void test_same_and_padding(void)
{
	struct dw_member o[] = { M("key", 0, 8, "long int"), M("kind", 8, 1, "char") };
	struct dw_member p[] = { M("key", 0, 8, "long int"), M("kind", 8, 1, "char"),
				 M("extra", 9, 1, "char") };
	struct dw_type a = make("struct e", 16, o, 2), b = make("struct e", 16, p, 3);
	struct layout_change *c;

	check(diff_layout(&a, &a, &c) == 0 && !c, "a type against itself: no change");
	check(diff_layout(&a, &b, &c) == 0 && !c, "a member in padding, size and offsets kept: no change");
	check(diff_layout(&b, &a, &c) == 1 && c[0].kind == CHANGE_REMOVED &&
	      described(&c[0], "member extra removed (was at offset 9, size 1)"),
	      "removing the padding member again is a change");
	free(c);
}

static void test_union_member(void)
{
	struct dw_member o[] = { M("i", 0, 4, "int"), M("l", 0, 8, "long int") };
	struct dw_member p[] = { M("i", 0, 4, "int"), M("l", 0, 8, "long int"), M("s", 0, 2, "short int") };
	struct dw_type a = make("union u", 8, o, 2), b = make("union u", 8, p, 3);
	struct layout_change *c;

	check(diff_layout(&a, &b, &c) == 0, "a union member within the union's size: no change");
}

static void test_order_and_words(void)
{
	struct dw_member o[] = { M("id", 0, 4, "int"), M("bytes", 4, 4, "int") };
	struct dw_member p[] = { M("id", 0, 4, "unsigned int"), M("flags", 4, 4, "int"),
				 M("bytes", 8, 8, "long int") };
	struct dw_type a = make("struct conn", 8, o, 2), b = make("struct conn", 16, p, 3);
	struct layout_change *c;
	size_t n = diff_layout(&a, &b, &c);

	check(n == 4, "retyped, moved, inserted, size: 4 changes (%zu)", n);
	if (n == 4) {
		check(c[0].kind == CHANGE_RETYPED &&
		      described(&c[0], "member id retyped at offset 0 (size 4): int -> unsigned int"),
		      "retyped, at offset 0 first");
		check(c[1].kind == CHANGE_MOVED &&
		      described(&c[1], "member bytes moved from offset 4 to 8 (size 4 -> 8)"),
		      "moved and grown, at its old offset 4");
		check(c[2].kind == CHANGE_INSERTED &&
		      described(&c[2], "member flags inserted at offset 4 (size 4)"),
		      "the inserted member after the old one at the same offset");
		check(c[3].kind == CHANGE_SIZE && described(&c[3], "size 8 -> 16 bytes"), "the size last");
	}
	free(c);
}

int main(void)
{
	if (!tap_begin("test_typediff"))
		return 1;
	test_same_and_padding();
	test_union_member();
	test_order_and_words();
	return tap_end();
}
