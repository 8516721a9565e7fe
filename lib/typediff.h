/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whether a type's layout changed between an original and a patched object
 * (dwtypes.h), and how: what code compiled against one layout gets wrong
 * on an object laid out by the other.
 *
 * A layout changes when its size changes, or when a member of the original
 * is gone, has moved, has another size or another type.  A member that is
 * only in the patched type is reported (as inserted) when the layout
 * changed anyway; alone it is no change: it fits in what was padding,
 * every original member and the size are as they were.
 */
#ifndef KPB_TYPEDIFF_H
#define KPB_TYPEDIFF_H

#include <stddef.h>
#include <stdint.h>

#include "dwtypes.h"

enum layout_change_kind {
	CHANGE_REMOVED,		/* old only */
	CHANGE_MOVED,		/* old and new: offset */
	CHANGE_RESIZED,		/* old and new: size */
	CHANGE_RETYPED,		/* old and new: type, same offset and size */
	CHANGE_INSERTED,	/* new only */
	CHANGE_SIZE,		/* the type's size */
};

struct layout_change {
	enum layout_change_kind kind;
	const struct dw_member *old, *new;	/* per kind, else NULL */
	uint64_t old_size, new_size;		/* CHANGE_SIZE: bytes */
};

/*
 * The changes from @old to @new (same key): the members' in offset order
 * (an inserted member at its new offset), then the size.  Returns how many (0: the
 * layout is the same); *@changes is malloc'd (NULL when 0).
 */
size_t diff_layout(const struct dw_type *old, const struct dw_type *new,
		   struct layout_change **changes);

/* One change in words: "member b moved from offset 4 to 8 (size 4)". */
char *describe_change(const struct layout_change *c);

#endif
