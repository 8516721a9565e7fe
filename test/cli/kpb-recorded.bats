#!/usr/bin/env bats
# kpatch-build's lib/build.sh: a patched object recompiled with the command
# kbuild recorded in its .cmd file, only when that record cannot be stale or
# wrong; every other object goes to kbuild (kmake, stood in for here).

bats_require_minimum_version 1.5.0

LIB=$BATS_TEST_DIRNAME/../../kpatch-build/lib
# shellcheck source=shlib/msg.sh
source "$LIB/../../shlib/msg.sh"
# shellcheck source=kpatch-build/lib/common.sh
source "$LIB/common.sh"
# shellcheck source=kpatch-build/lib/build.sh
source "$LIB/build.sh"
PROG=kpatch-build
OPT_DEBUG=0
stage() { :; }
debug_info_cflags() { :; }
original_is_built() { [[ -f $OBJ_DIR/$1 ]]; }
# kbuild: each object it is asked for, noted.
kmake() { printf '%s\n' "$@" >>"$T/kmake"; }

setup() {
	T=$BATS_TEST_TMPDIR
	COPY_DIR=$T/src TARGET_DIR=$T/target OBJ_DIR=$T/target/obj TMP_DIR=$T/tmp
	JOURNAL=$TARGET_DIR/journal LOG=$T/log OPT_JOBS=2 TARGET_CC=gcc TARGET_RELEASE=6.1.0-kpb
	TARGET_MAKE_VARS=()
	mkdir -p "$COPY_DIR"/{fs,include} "$OBJ_DIR/fs" "$TARGET_DIR/bin" "$TMP_DIR" "$JOURNAL"
	: >"$LOG"
	# The compiler wrapper: the object, from its source, and the journal's list.
	cat >"$TARGET_DIR/bin/kpb-cc" <<'EOF'
#!/bin/bash
out='' src=''
while (($#)); do case $1 in -o) out=$2; shift 2 ;; *.c) src=$1; shift ;; *) shift ;; esac; done
echo "$out" >>"$KPB_JOURNAL/compiled"
cp "$src" "$out"
EOF
	chmod +x "$TARGET_DIR/bin/kpb-cc"
	printf 'int a;\n' >"$COPY_DIR/fs/a.c"
	printf 'int b;\n' >"$COPY_DIR/fs/b.c"
	printf '#define X 1\n' >"$COPY_DIR/include/x.h"
	printf 'fs/a.o vmlinux fs/a.c\nfs/b.o vmlinux fs/b.c\n' >"$TARGET_DIR/objects.map"
	note_kmake_args "$(kmake_kcflags)"
	sleep 0.05
	record fs/a.o fs/a.c include/x.h
	record fs/b.o fs/b.c
	TOUCHED=(include/x.h)
}

# record OBJECT SOURCE [DEP...]: the object and the .cmd kbuild writes for it.
record() {
	local obj=$1 src=$2 dep
	shift 2
	cp "$COPY_DIR/$src" "$OBJ_DIR/$obj"
	{
		echo "cmd_$obj := $TARGET_DIR/bin/kpb-cc -Wp,-MMD,fs/.x.d $(kmake_kcflags) -DS='\"\$\$x\$(pound)\"' -c -o $obj $COPY_DIR/$src"
		echo
		echo "source_$obj := $COPY_DIR/$src"
		echo
		echo "deps_$obj := \\"
		for dep in "$@"; do echo "  $COPY_DIR/$dep \\"; done
		echo "    \$(wildcard include/config/FOO) \\"
		echo
		echo "$obj: \$(deps_$obj)"
	} >"$OBJ_DIR/$(dirname "$obj")/.$(basename "$obj").cmd"
}

@test "recorded: a patched header's includer compiled with kbuild's command, make's escapes undone" {
	printf 'int a_patched;\n' >"$COPY_DIR/fs/a.c"
	TOUCHED=(include/x.h fs/a.c)
	compile_patched fs/a.o fs/b.o
	[[ ${CHANGED[*]} == fs/a.o ]]
	[[ $(cat "$OBJ_DIR/fs/a.o") == 'int a_patched;' ]]
	[[ ! -e $T/kmake ]]
	grep -qF -- "-DS='\"\$x#\"'" "$TMP_DIR/recorded/1.sh"
}

@test "recorded: kbuild's savedcmd_ line (Linux 6.3 on) is taken as its cmd_ line" {
	sed -i 's/^cmd_fs/savedcmd_fs/' "$OBJ_DIR/fs/.a.o.cmd"
	printf 'int a_612;\n' >"$COPY_DIR/fs/a.c"
	compile_patched fs/a.o
	[[ ${CHANGED[*]} == fs/a.o && ! -e $T/kmake ]]
	[[ $(cat "$OBJ_DIR/fs/a.o") == 'int a_612;' ]]
}

@test "recorded: an object none of whose dependencies is patched is not recompiled" {
	compile_patched fs/b.o
	[[ ! -s $JOURNAL/compiled && ! -e $T/kmake ]]
}

@test "recorded: a .cmd older than the kmake arguments goes to kbuild" {
	sleep 0.05
	note_kmake_args "$(kmake_kcflags) -DOTHER"
	compile_patched fs/a.o
	[[ $(cat "$T/kmake") == fs/a.o ]]
}

@test "recorded: a command without the kmake flags, of another source, or with make expansions goes to kbuild" {
	sed -i 's/-ffunction-sections //' "$OBJ_DIR/fs/.a.o.cmd"
	compile_patched fs/a.o
	[[ $(cat "$T/kmake") == fs/a.o ]]
	rm "$T/kmake"
	record fs/a.o fs/a.c include/x.h
	sed -i "s|^source_fs/a.o := .*|source_fs/a.o := $COPY_DIR/fs/b.c|" "$OBJ_DIR/fs/.a.o.cmd"
	compile_patched fs/a.o
	[[ $(cat "$T/kmake") == fs/a.o ]]
	rm "$T/kmake"
	record fs/a.o fs/a.c include/x.h
	# shellcheck disable=SC2016 # a make expansion, literally
	sed -i 's|^cmd_fs/a.o := .*|& $(CFLAGS_EXTRA)|' "$OBJ_DIR/fs/.a.o.cmd"
	compile_patched fs/a.o
	[[ $(cat "$T/kmake") == fs/a.o ]]
}

@test "recorded: an object without its .cmd, or newer than it, goes to kbuild" {
	rm "$OBJ_DIR/fs/.a.o.cmd"
	compile_patched fs/a.o
	[[ $(cat "$T/kmake") == fs/a.o ]]
	rm "$T/kmake"
	record fs/a.o fs/a.c include/x.h
	original_is_built() { false; }
	compile_patched fs/a.o
	[[ $(cat "$T/kmake") == fs/a.o ]]
}

@test "recorded: a failing command fails the patched compile (exit 5)" {
	printf 'exit 1\n' >>"$TARGET_DIR/bin/kpb-cc"
	run compile_patched fs/a.o
	[[ $status -eq 5 ]]
	[[ $output == *"compiling the patched objects failed"* ]]
}
