# Build kfix.c as an external module of the 6.1 target tree, plain (the
# parent module and ORIG) and with PATCHED_* defines (PATCHED).
# shellcheck shell=bash

: "${KPB_KERNEL_BUILD:?run through make check-kernel (needs the built target kernel)}"

# kfix_build DIR DEFINES...: kfix.o and kfix.ko in DIR.
kfix_build() {
	local dir=$1
	shift
	mkdir -p "$dir"
	cp "$BATS_TEST_DIRNAME/kfix.c" "$BATS_TEST_DIRNAME/Kbuild" "$dir/"
	make -s -C "$KPB_KERNEL_BUILD" M="$dir" KFIX_DEFINES="$*" modules >"$dir/build.log" 2>&1 ||
		{ cat "$dir/build.log"; return 1; }
}

# kfix_case DEFINES...: ORIG/PATCHED in $T, runs the differ into $T/out.o.
kfix_case() {
	T=$BATS_TEST_TMPDIR
	[[ -f $BATS_FILE_TMPDIR/orig/kfix.ko ]] || kfix_build "$BATS_FILE_TMPDIR/orig"
	kfix_build "$T/patched" "$@"
	run "$KPB_BIN/create-diff-object" "$BATS_FILE_TMPDIR/orig/kfix.o" "$T/patched/kfix.o" \
		kfix "$BATS_FILE_TMPDIR/orig/kfix.ko" "$KPB_KERNEL_BUILD/Module.symvers" test "$T/out.o"
}

# Relocations of output section NAME as "offset symbol".
relocs_of() {
	readelf -rW "$T/out.o" | awk -v s="'.rela$1'" '/^Relocation section/ { f = ($3 == s); next }
		f && $1 ~ /^[0-9a-f]+$/ { print $1, $5 }'
}
