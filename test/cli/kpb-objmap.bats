#!/usr/bin/env bats
# kpb-objmap: the include index and the affected objects on a small
# synthetic source tree with a hand-written object map; the object map
# itself against a real prepared kernel tree when KPB_OBJMAP_REAL_TREE
# names one (SRC:OBJDIR[:MODULES_ORDER]), skipped visibly otherwise.

bats_require_minimum_version 1.5.0

setup() {
	OBJMAP=$BATS_TEST_DIRNAME/../../kpatch-build/kpb-objmap
	T=$BATS_TEST_TMPDIR
	S=$T/src
	export TMPDIR=$T
	mkdir -p "$S/scripts" "$S/include/linux" "$S/include/asm-generic" \
		"$S/arch/x86/include/asm" "$S/arch/arm/include/asm" \
		"$S/fs/proc" "$S/drivers/foo/include" "$S/kernel/sched" "$S/lib"
	cat >"$S/Makefile" <<'EOF'
LINUXINCLUDE := -I$(srctree)/include \
		-include $(srctree)/include/linux/kconfig.h
EOF
	cat >"$S/scripts/Makefile.lib" <<'EOF'
c_flags = $(LINUXINCLUDE) -include $(srctree)/include/linux/compiler_types.h
EOF
	echo '#define IS_ENABLED(x) x' >"$S/include/linux/kconfig.h"
	echo '#include <linux/compiler_attributes.h>' >"$S/include/linux/compiler_types.h"
	echo '#define __must_check' >"$S/include/linux/compiler_attributes.h"
	printf '#include <linux/types.h>\n#include <asm/barrier.h>\n' >"$S/include/linux/seq_file.h"
	echo 'typedef int u32;' >"$S/include/linux/types.h"
	echo '#include <asm/bitops.h>' >"$S/include/linux/kernel.h"
	# <asm/barrier.h> has no x86 header: kbuild generates a wrapper.
	echo '#define mb()' >"$S/include/asm-generic/barrier.h"
	echo '#define set_bit(n, p)' >"$S/arch/x86/include/asm/bitops.h"
	echo '#include <linux/seq_file.h>' >"$S/arch/arm/include/asm/bitops.h"
	printf '#include <linux/seq_file.h>\n#include "internal.h"\n' >"$S/fs/proc/uptime.c"
	echo '# include   <linux/kernel.h>' >"$S/fs/proc/cmdline.c"
	echo '#include "../../include/linux/types.h"' >"$S/fs/proc/internal.h"
	echo '#include <foo_regs.h>' >"$S/drivers/foo/foo.c"
	echo '#define FOO 1' >"$S/drivers/foo/include/foo_regs.h"
	echo '#include "fair.c"' >"$S/kernel/sched/build_policy.c"
	echo '#include <linux/kernel.h>' >"$S/kernel/sched/fair.c"
	echo 'int x;' >"$S/lib/unbuilt.c"
	echo 'int y;' >"$S/lib/dump_stack.c"

	cat >"$T/map" <<'EOF'
drivers/foo/foo.o drivers/foo/foo -
drivers/foo/foo.o vmlinux drivers/foo/foo.c
fs/proc/cmdline.o vmlinux fs/proc/cmdline.c
fs/proc/uptime.o vmlinux fs/proc/uptime.c
kernel/sched/build_policy.o vmlinux kernel/sched/build_policy.c
lib/dump_stack.o vmlinux lib/dump_stack.c
EOF
}

index_tree() {
	run "$OBJMAP" includes "$S" "$T/index"
	[ "$status" -eq 0 ]
}

@test "--help documents every command and exit status" {
	run "$OBJMAP" --help
	[ "$status" -eq 0 ]
	[[ $output == *"map [-j N] SRC OBJDIR OUT"* ]]
	[[ $output == *"includes SRC OUT"* ]]
	[[ $output == *"affected MAP INDEX FILE..."* ]]
	for s in 0 1 2 3 4; do [[ $output == *$'\n  '"$s  "* ]]; done
}

@test "usage errors exit 2" {
	run "$OBJMAP"
	[ "$status" -eq 2 ]
	run "$OBJMAP" frobnicate
	[ "$status" -eq 2 ]
	[[ $output == *"unknown command 'frobnicate'"* ]]
	run "$OBJMAP" affected "$T/map"
	[ "$status" -eq 2 ]
	run "$OBJMAP" map -j 0 a b c
	[ "$status" -eq 2 ]
}

@test "includes: the index lists the forced includes and resolved edges" {
	index_tree
	run cat "$T/index"
	[[ $output == *"!forced include/linux/compiler_types.h"* ]]
	[[ $output == *"!forced include/linux/kconfig.h"* ]]
	grep -qxF 'include/linux/seq_file.h fs/proc/uptime.c' "$T/index"
	# quoted, relative to the including file, with ../
	grep -qxF 'fs/proc/internal.h fs/proc/uptime.c' "$T/index"
	grep -qxF 'include/linux/types.h fs/proc/internal.h' "$T/index"
	# spaces inside the directive
	grep -qxF 'include/linux/kernel.h fs/proc/cmdline.c' "$T/index"
	# an x86 header hides the other architectures' ones
	grep -qxF 'arch/x86/include/asm/bitops.h include/linux/kernel.h' "$T/index"
	run grep -F 'arch/arm/include/asm/bitops.h include/linux/kernel.h' "$T/index"
	[ "$status" -eq 1 ]
	# the generated asm-generic wrapper
	grep -qxF 'include/asm-generic/barrier.h include/linux/seq_file.h' "$T/index"
	# found through a directory Makefile's -I only: by suffix
	grep -qxF 'drivers/foo/include/foo_regs.h drivers/foo/foo.c' "$T/index"
	# a .c file including a .c file
	grep -qxF 'kernel/sched/fair.c kernel/sched/build_policy.c' "$T/index"
}

@test "includes: written atomically, errors name the tree" {
	index_tree
	[ -z "$(find "$T" -maxdepth 1 -name '.index.*')" ]
	run "$OBJMAP" includes "$T/nosuch" "$T/index2"
	[ "$status" -eq 1 ]
	[[ $output == *"$T/nosuch: no such directory"* ]]
	[ ! -e "$T/index2" ]
	rm "$S/include/linux/kconfig.h"
	run "$OBJMAP" includes "$S" "$T/index2"
	[ "$status" -eq 1 ]
	[[ $output == *"include/linux/kconfig.h: passed with -include by kbuild but missing"* ]]
	[ ! -e "$T/index2" ]
}

@test "affected: a .c file gives the objects built from it" {
	index_tree
	run "$OBJMAP" affected "$T/map" "$T/index" fs/proc/uptime.c
	[ "$status" -eq 0 ]
	[ "$output" = "fs/proc/uptime.o vmlinux" ]
	run "$OBJMAP" affected "$T/map" "$T/index" ./lib/dump_stack.c
	[ "$status" -eq 0 ]
	[ "$output" = "lib/dump_stack.o vmlinux" ]
}

@test "affected: a header gives every object including it transitively" {
	index_tree
	run "$OBJMAP" affected "$T/map" "$T/index" include/linux/types.h
	[ "$status" -eq 0 ]
	# uptime.c: through seq_file.h and through internal.h; nothing else
	[ "$output" = "fs/proc/uptime.o vmlinux" ]
	run "$OBJMAP" affected "$T/map" "$T/index" arch/x86/include/asm/bitops.h
	[ "$status" -eq 0 ]
	[ "$output" = $'fs/proc/cmdline.o vmlinux\nkernel/sched/build_policy.o vmlinux' ]
}

@test "affected: a .c file included by another .c file affects the includer" {
	index_tree
	run "$OBJMAP" affected "$T/map" "$T/index" kernel/sched/fair.c
	[ "$status" -eq 0 ]
	[ "$output" = "kernel/sched/build_policy.o vmlinux" ]
}

@test "affected: an object with two parents is listed with each" {
	index_tree
	run "$OBJMAP" affected "$T/map" "$T/index" drivers/foo/include/foo_regs.h
	[ "$status" -eq 0 ]
	[ "$output" = "drivers/foo/foo.o vmlinux" ]
	sed -i 's|^drivers/foo/foo.o drivers/foo/foo -$|drivers/foo/foo.o drivers/foo/foo drivers/foo/foo.c|' "$T/map"
	run "$OBJMAP" affected "$T/map" "$T/index" drivers/foo/foo.c
	[ "$status" -eq 0 ]
	[ "$output" = $'drivers/foo/foo.o drivers/foo/foo\ndrivers/foo/foo.o vmlinux' ]
}

@test "affected: a header included by nothing built gives nothing, exit 0" {
	index_tree
	run "$OBJMAP" affected "$T/map" "$T/index" include/asm-generic/nosuch.h
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "affected: a file reached from a forced include exits 3, prints nothing" {
	index_tree
	for f in include/linux/kconfig.h include/linux/compiler_attributes.h; do
		run --separate-stderr "$OBJMAP" affected "$T/map" "$T/index" fs/proc/uptime.c "$f"
		[ "$status" -eq 3 ]
		[ -z "$output" ]
		# shellcheck disable=SC2154 # set by bats' run --separate-stderr
		[[ $stderr == *"$f is included by every object"* ]]
	done
}

@test "affected: a .c file built by no object exits 4 and names it" {
	index_tree
	run --separate-stderr "$OBJMAP" affected "$T/map" "$T/index" lib/unbuilt.c fs/proc/uptime.c
	[ "$status" -eq 4 ]
	[ "$output" = "fs/proc/uptime.o vmlinux" ]
	[ "$stderr" = "kpb-objmap: no object of this configuration is built from lib/unbuilt.c" ]
	run "$OBJMAP" affected "$T/map" "$T/index" lib/unbuilt.c include/linux/kconfig.h
	[ "$status" -eq 4 ]
}

@test "affected: bad inputs exit 1 naming the file" {
	index_tree
	run "$OBJMAP" affected "$T/nomap" "$T/index" fs/proc/uptime.c
	[ "$status" -eq 1 ]
	[[ $output == *"$T/nomap: no such readable file (object map)"* ]]
	run "$OBJMAP" affected "$T/map" "$T/map" fs/proc/uptime.c
	[ "$status" -eq 1 ]
	[[ $output == *"$T/map: not an include index"* ]]
	run "$OBJMAP" affected "$T/index" "$T/index" fs/proc/uptime.c
	[ "$status" -eq 1 ]
	[[ $output == *"not an object map"* ]]
	run "$OBJMAP" affected "$T/map" "$T/index" /abs/path.c
	[ "$status" -eq 2 ]
}

@test "map: errors name the directory" {
	run "$OBJMAP" map "$T/nosuch" "$T" "$T/out"
	[ "$status" -eq 1 ]
	[[ $output == *"$T/nosuch: no such directory"* ]]
	touch "$S/Kbuild" "$S/scripts/Makefile.build"
	mkdir "$T/obj"
	run "$OBJMAP" map "$S" "$T/obj" "$T/out"
	[ "$status" -eq 1 ]
	[[ $output == *"$T/obj/include/config/auto.conf: no such readable file (run 'make O=$T/obj olddefconfig modules_prepare' first)"* ]]
	[ ! -e "$T/out" ]
}

# KPB_OBJMAP_REAL_TREE=SRC:OBJDIR[:MODULES_ORDER], OBJDIR prepared with
# 'make O=OBJDIR olddefconfig modules_prepare'.
@test "map: a real prepared kernel tree" {
	if [[ -z ${KPB_OBJMAP_REAL_TREE:-} ]]; then
		skip "set KPB_OBJMAP_REAL_TREE=SRC:OBJDIR[:MODULES_ORDER] to run"
	fi
	local src objdir order
	IFS=: read -r src objdir order <<<"$KPB_OBJMAP_REAL_TREE"
	run "$OBJMAP" map "$src" "$objdir" "$T/map"
	[ "$status" -eq 0 ]
	grep -qxF 'lib/dump_stack.o vmlinux lib/dump_stack.c' "$T/map"
	grep -qxF 'lib/vsprintf.o vmlinux lib/vsprintf.c' "$T/map"
	grep -qxF 'fs/proc/uptime.o vmlinux fs/proc/uptime.c' "$T/map"
	grep -qE '^arch/x86/lib/[^ ]+\.o vmlinux arch/x86/lib/[^ ]+\.S$' "$T/map"
	# every line: object, parent, source
	awk 'NF != 3 || $1 !~ /\.o$/ { print "bad line: " $0; bad = 1 } END { exit bad }' "$T/map"
	LC_ALL=C sort -c "$T/map"
	if [[ -n $order ]]; then
		diff <(sed 's|^kernel/||; s|\.ko$||' "$order" | LC_ALL=C sort -u) \
			<(awk '$2 != "vmlinux" && $2 != "?" { print $2 }' "$T/map" | LC_ALL=C sort -u)
	fi
}

@test "reach: each file's objects on its own, as affected finds them, in one pass" {
	local f files=(fs/proc/uptime.c include/linux/types.h arch/x86/include/asm/bitops.h
		kernel/sched/fair.c drivers/foo/include/foo_regs.h lib/unbuilt.c include/linux/compiler_attributes.h)
	index_tree
	run --separate-stderr "$OBJMAP" reach "$T/map" "$T/index" "${files[@]}"
	[ "$status" -eq 0 ]
	for f in "${files[@]}"; do
		[[ $f == include/linux/compiler_attributes.h || $f == lib/unbuilt.c ]] && continue
		diff <(awk -v f="$f" '$1 == f { print $2, $3 }' <<<"$output") <("$OBJMAP" affected "$T/map" "$T/index" "$f")
	done
	# not built: no line; a forced include's: every object of the map
	[[ $output != *lib/unbuilt.c* ]]
	[ "$(grep -c '^include/linux/compiler_attributes.h ' <<<"$output")" -eq "$(wc -l <"$T/map")" ]
	[ "$(grep -c '^fs/proc/uptime.c fs/proc/uptime.o vmlinux$' <<<"$output")" -eq 1 ]
	run "$OBJMAP" reach "$T/map" "$T/index"
	[ "$status" -eq 2 ]
	[[ $output == *"reach needs MAP INDEX FILE..."* ]]
}
