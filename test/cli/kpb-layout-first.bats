#!/usr/bin/env bats
# kpatch-build's lib/layout.sh on a small synthetic tree: which objects are
# compared first (those of a patched .c file; for a patched header, one
# object whose source includes it directly), a layout change refused (exit
# 6) after those only, and the cache put back for the full build when they
# pass.  kbuild is stood in for by gcc -g, kpb-cc's journal by kmake itself.

bats_require_minimum_version 1.5.0

LIB=$BATS_TEST_DIRNAME/../../kpatch-build/lib
# shellcheck source=shlib/msg.sh
source "$LIB/../../shlib/msg.sh"
# shellcheck source=kpatch-build/lib/common.sh
source "$LIB/common.sh"
# shellcheck source=kpatch-build/lib/cache.sh
source "$LIB/cache.sh"
# shellcheck source=kpatch-build/lib/patches.sh
source "$LIB/patches.sh"
# shellcheck source=kpatch-build/lib/build.sh
source "$LIB/build.sh"
# shellcheck source=kpatch-build/lib/layout.sh
source "$LIB/layout.sh"
PROG=kpatch-build
oot_mode() { false; }
stage() { echo "[stage] $*"; }
# What kbuild and kpb-cc do: compile what its source or the header changed
# since (by content), saving the original object into the journal first.
kmake() {
	local o src sum
	for o in "$@"; do
		src=$COPY_DIR/${o%.o}.c
		sum=$(cat "$src" "$COPY_DIR/include/conn.h" | sha256sum)
		[[ -f $OBJ_DIR/$o && $(cat "$OBJ_DIR/$o.sum" 2>/dev/null) == "$sum" ]] && continue
		if [[ -n ${KPB_JOURNAL:-} ]]; then
			echo "$o" >>"$KPB_JOURNAL/compiled"
			mkdir -p "$KPB_JOURNAL/obj/$(dirname "$o")"
			[[ -e $KPB_JOURNAL/obj/$o ]] || cp -p "$OBJ_DIR/$o" "$OBJ_DIR/$o.sum" "$KPB_JOURNAL/obj/$(dirname "$o")/"
		fi
		mkdir -p "$OBJ_DIR/$(dirname "$o")"
		gcc -O2 -g -w -ffunction-sections -I"$COPY_DIR/include" -c "$src" -o "$OBJ_DIR/$o" || return 1
		echo "$sum" >"$OBJ_DIR/$o.sum"
		echo "$o" >>"$T/compiles"
	done
}
original_is_built() { [[ -f $OBJ_DIR/$1 ]]; }

setup() {
	T=$BATS_TEST_TMPDIR
	COPY_DIR=$T/src TARGET_DIR=$T/target OBJ_DIR=$T/target/obj TMP_DIR=$T/tmp
	JOURNAL=$TARGET_DIR/journal LOG=$T/log TOOLS_DIR=$KPB_BIN OPT_JOBS=2
	KPB_OBJMAP=$BATS_TEST_DIRNAME/../../kpatch-build/kpb-objmap
	mkdir -p "$COPY_DIR"/{include,net,fs} "$TARGET_DIR" "$OBJ_DIR" "$TMP_DIR"
	: >"$LOG"
	cat >"$COPY_DIR/include/conn.h" <<'H'
struct conn {
	int id;
	int bytes;
};
H
	# net/tcp.c and fs/nfs.c include conn.h directly, net/udp.c through net/proto.h.
	printf '#include "conn.h"\n' >"$COPY_DIR/net/proto.h"
	printf '#include "proto.h"\nint udp_bytes(struct conn *c) { return c->bytes; }\n' >"$COPY_DIR/net/udp.c"
	printf '#include <conn.h>\nint tcp_bytes(struct conn *c) { return c->bytes + 1; }\n' >"$COPY_DIR/net/tcp.c"
	printf '#include <conn.h>\nint nfs_bytes(struct conn *c) { return c->bytes + 2; }\n' >"$COPY_DIR/fs/nfs.c"
	printf 'int other(int x) { return x; }\n' >"$COPY_DIR/fs/other.c"
	# The top Makefile and Makefile.lib name the -include files.
	echo 'LINUXINCLUDE := -I$(srctree)/include -include $(srctree)/include/kconfig.h' >"$COPY_DIR/Makefile"
	mkdir -p "$COPY_DIR/scripts"
	echo 'c_flags = $(LINUXINCLUDE)' >"$COPY_DIR/scripts/Makefile.lib"
	: >"$COPY_DIR/include/kconfig.h"
	cat >"$TARGET_DIR/objects.map" <<'M'
fs/nfs.o fs/nfs/nfs fs/nfs.c
fs/other.o vmlinux fs/other.c
net/tcp.o vmlinux net/tcp.c
net/udp.o vmlinux net/udp.c
M
	"$KPB_OBJMAP" includes "$COPY_DIR" "$TARGET_DIR/includes.idx"
	AFFECTED=(fs/nfs.o net/tcp.o net/udp.o)
	TOUCHED=(include/conn.h)
	PATCHES=("$T/fix.patch")
	LAYOUT_FIRST=()
}

# A patch that inserts a member in the middle of struct conn (or, with
# "padding", one that changes only a function).
write_patch() {
	if [[ ${1:-} == padding ]]; then
		TOUCHED=(fs/other.c)
		cat >"$T/fix.patch" <<'P'
--- a/fs/other.c
+++ b/fs/other.c
@@ -1 +1 @@
-int other(int x) { return x; }
+int other(int x) { return x + 1; }
P
		return 0
	fi
	cat >"$T/fix.patch" <<'P'
--- a/include/conn.h
+++ b/include/conn.h
@@ -1,4 +1,5 @@
 struct conn {
 	int id;
+	int flags;
 	int bytes;
 };
P
}

write_mark_patch() {
	write_patch
	cat >>"$T/fix.patch" <<'P'
--- a/net/tcp.c
+++ b/net/tcp.c
@@ -1,2 +1,3 @@
 #include <conn.h>
 int tcp_bytes(struct conn *c) { return c->bytes + 1; }
+static const char mark[] __attribute__((used, section(".kpatch.layout_change_ok"))) = "struct conn";
P
	TOUCHED=(include/conn.h net/tcp.c)
}

@test "first objects: a patched header gives --jobs objects that include it, directly first" {
	OPT_JOBS=1
	choose_first_objects
	[ "${LAYOUT_FIRST[*]}" = "fs/nfs.o" ]
	LAYOUT_FIRST=() OPT_JOBS=2
	choose_first_objects
	[ "${LAYOUT_FIRST[*]}" = "fs/nfs.o net/tcp.o" ]
	LAYOUT_FIRST=() OPT_JOBS=4
	choose_first_objects
	[ "${LAYOUT_FIRST[*]}" = "fs/nfs.o net/tcp.o net/udp.o" ]
}

@test "first objects: the objects of a patched .c file, and no other for a header one of them includes" {
	TOUCHED=(include/conn.h net/udp.c)
	choose_first_objects
	[ "${LAYOUT_FIRST[*]}" = "net/udp.o" ]
}

@test "a header's layout change is refused (exit 6) after the first objects, the others never compiled" {
	write_patch
	run -6 check_layouts_first
	[[ $output == *"[stage] comparing type layouts first in 2 of 3 affected object(s)"* ]]
	[[ $output == *"fs/nfs.o: struct conn: member bytes moved from offset 4 to 8 (size 4)"* ]]
	[[ $output == *"first changed function using it: nfs_bytes"* ]]
	[[ $output == *"kpatch-build: error: fs/nfs.o net/tcp.o: the patch changes the layout of a type the running kernel has objects of (before the other 1 affected object(s) were compiled)"* ]]
	# Each refused object says which function; the members once.
	[[ $output == *"net/tcp.o: struct conn (include/conn.h:1): layout changed; first changed function using it: tcp_bytes"* ]]
	[ "$(grep -c 'member bytes moved' <<<"$output")" -eq 1 ]
	# fs/nfs.o and net/tcp.o twice (original, patched), net/udp.o never.
	[ "$(sort "$T/compiles" | uniq -c | awk '{ print $1, $2 }' | tr '\n' ' ')" = "2 fs/nfs.o 2 net/tcp.o " ]
}

@test "the same change is refused after the full build too (check_layouts on every object)" {
	write_patch
	build_originals "${AFFECTED[@]}"
	apply_patches
	rebuild_patched
	run -6 check_layouts "$JOURNAL/obj" "$OBJ_DIR" "${CHANGED[@]}"
	[[ $output == *"[stage] comparing the type layouts of 3 object(s)"* ]]
	[[ $output == *"struct conn: member bytes moved from offset 4 to 8"* ]]
	[[ $output != *"(before the other"* ]]
	restore_cache
}

@test "a mark in a patched .c file: that object first, the change let through, noted" {
	write_mark_patch
	run check_layouts_first
	[ "$status" -eq 0 ]
	[[ $output == *"comparing type layouts first in 1 of 3 affected object(s)"* ]]
	[[ $output == *"net/tcp.o: struct conn ("*"marked KPATCH_LAYOUT_CHANGE_OK: accepted"* ]]
}

@test "a mark in one patched object counts for all of them" {
	write_mark_patch
	build_originals "${AFFECTED[@]}"
	apply_patches
	rebuild_patched
	run check_layouts "$JOURNAL/obj" "$OBJ_DIR" "${CHANGED[@]}"
	[ "$status" -eq 0 ]
	[[ $output == *"comparing the type layouts of 3 object(s)"* ]]
	[[ $output == *"fs/nfs.o: struct conn ("*"marked KPATCH_LAYOUT_CHANGE_OK: accepted"* ]]
	[[ $output == *"net/udp.o: struct conn ("*"marked KPATCH_LAYOUT_CHANGE_OK: accepted"* ]]
	restore_cache
}

@test "when the first objects pass, the cache is put back: pristine source, original objects" {
	write_patch padding
	AFFECTED=(fs/other.o net/tcp.o)
	cp "$COPY_DIR/fs/other.c" "$T/other.c.orig"
	check_layouts_first
	[ "${LAYOUT_FIRST[*]}" = "fs/other.o" ]
	[ ! -d "$JOURNAL" ]
	cmp "$COPY_DIR/fs/other.c" "$T/other.c.orig"
	# The restored object is the original: other() returns x.
	objdump -d "$OBJ_DIR/fs/other.o" | grep -q 'mov *%edi,%eax'
	[ ${#CHANGED[@]} -eq 0 ]
}

@test "nothing first when the first objects are all the affected ones" {
	write_patch padding
	AFFECTED=(fs/other.o)
	run check_layouts_first
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ ! -e "$T/compiles" ]
}
