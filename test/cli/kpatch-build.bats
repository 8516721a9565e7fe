#!/usr/bin/env bats
# kpatch-build's command line and its checks that run before any kernel
# build: options, files, patches against a tiny fake source tree, the
# compiler check.  No kernel is built; create-diff-object and
# create-klp-module are stand-ins that must never be reached.

setup() {
	KPB=$BATS_TEST_DIRNAME/../../kpatch-build/kpatch-build
	T=$BATS_TEST_TMPDIR
	export KPB_BIN=$T/bin KPATCH_BUILD_CACHE=$T/cache TMPDIR=$T
	mkdir -p "$KPB_BIN" "$T/src/fs/proc"
	for tool in create-diff-object create-klp-module; do
		printf '#!/bin/sh\necho "%s must not run in these tests" >&2\nexit 1\n' "$tool" >"$KPB_BIN/$tool"
		chmod +x "$KPB_BIN/$tool"
	done

	echo 'VERSION = 6' >"$T/src/Makefile"
	cat >"$T/src/fs/proc/cmdline.c" <<'SRC'
static int cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, saved_command_line);
	seq_putc(m, '\n');
	return 0;
}
SRC
	cat >"$T/good.patch" <<'PATCH'
--- a/fs/proc/cmdline.c
+++ b/fs/proc/cmdline.c
@@ -1,6 +1,7 @@
 static int cmdline_proc_show(struct seq_file *m, void *v)
 {
 	seq_puts(m, saved_command_line);
+	seq_puts(m, " livepatched");
 	seq_putc(m, '\n');
 	return 0;
 }
PATCH
	sed 's/seq_putc(m, .\\n.);/seq_putc(m, 0);/' "$T/good.patch" >"$T/bad-hunk.patch"
	sed 's|fs/proc/cmdline.c|fs/proc/nosuch.c|' "$T/good.patch" >"$T/no-file.patch"

	# A fake vmlinux: only its banner and .comment are read before building.
	printf 'int x;\nconst char b[] = "Linux version 6.1.192 (fake@host) (%s) #1";\n' \
		"$(gcc --version | head -n1)" >"$T/vmlinux.c"
	gcc -c -o "$T/vmlinux" "$T/vmlinux.c"
	printf 'CONFIG_CC_VERSION_TEXT="%s"\nCONFIG_64BIT=y\n' "$(gcc --version | head -n1)" >"$T/config"
	ARGS=(-s "$T/src" -c "$T/config" -v "$T/vmlinux")
}

@test "--help prints usage and the exit statuses, exit 0" {
	run "$KPB" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"Usage: kpatch-build [options] PATCH..."* ]]
	[[ "$output" == *"--sourcedir"* && "$output" == *"--no-replace"* && "$output" == *"--cache"* ]]
	[[ "$output" == *"3  a patch does not apply"* ]]
}

@test "-h is --help" {
	run "$KPB" -h
	[ "$status" -eq 0 ]
	[[ "$output" == *"Usage:"* ]]
}

@test "unknown option: usage error, exit 2" {
	run "$KPB" --frobnicate x.patch
	[ "$status" -eq 2 ]
	[[ "$output" == *"unrecognized option"*"frobnicate"* ]]
}

@test "option missing its argument: exit 2" {
	run "$KPB" x.patch --jobs
	[ "$status" -eq 2 ]
	[[ "$output" == *"requires an argument"* ]]
}

@test "no patch: exit 2" {
	run "$KPB" "${ARGS[@]}"
	[ "$status" -eq 2 ]
	[[ "$output" == *"no patch given"* ]]
}

@test "missing patch file: exit 2, names the file" {
	run "$KPB" "${ARGS[@]}" "$T/nosuch.patch"
	[ "$status" -eq 2 ]
	[[ "$output" == *"patch file $T/nosuch.patch: not found"* ]]
}

@test "--jobs must be a positive number" {
	run "$KPB" "${ARGS[@]}" -j 0 "$T/good.patch"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--jobs: not a positive number"* ]]
}

@test "missing --vmlinux: exit 2" {
	run "$KPB" -s "$T/src" -c "$T/config" "$T/good.patch"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--vmlinux is required"* ]]
}

@test "a file without a kernel banner is not a vmlinux: exit 2" {
	run "$KPB" -s "$T/src" -c "$T/config" -v "$T/config" "$T/good.patch"
	[ "$status" -eq 2 ]
	[[ "$output" == *"no 'Linux version' banner"* ]]
}

@test "source dir without Makefile: exit 2" {
	run "$KPB" -s "$T/src/fs" -c "$T/config" -v "$T/vmlinux" "$T/good.patch"
	[ "$status" -eq 2 ]
	[[ "$output" == *"not a kernel tree"* ]]
}

@test "a hunk that does not apply: exit 3, names file and hunk, tree untouched" {
	before=$(cd "$T/src" && find . -type f -exec sha256sum {} + | sort)
	run "$KPB" "${ARGS[@]}" "$T/bad-hunk.patch"
	[ "$status" -eq 3 ]
	[[ "$output" == *"bad-hunk.patch does not apply: fs/proc/cmdline.c: hunk #1 failed"* ]]
	after=$(cd "$T/src" && find . -type f -exec sha256sum {} + | sort)
	[ "$before" = "$after" ]
	[ ! -e "$T/cache/src" ]
}

@test "a patch for a file the tree lacks: exit 3" {
	run "$KPB" "${ARGS[@]}" "$T/no-file.patch"
	[ "$status" -eq 3 ]
	[[ "$output" == *"no-file.patch does not apply: file not found"* ]]
}

@test "the second of two patches does not apply on top of the first: exit 3" {
	run "$KPB" "${ARGS[@]}" "$T/good.patch" "$T/good.patch"
	[ "$status" -eq 3 ]
	[[ "$output" == *"good.patch does not apply: fs/proc/cmdline.c: already applied"* ]]
}

@test "not a diff: exit 3" {
	echo "hello" >"$T/text.patch"
	run "$KPB" "${ARGS[@]}" "$T/text.patch"
	[ "$status" -eq 3 ]
	[[ "$output" == *"no file names found"* ]]
}

@test "compiler differs from the config's: exit 4" {
	sed -i 's/^CONFIG_CC_VERSION_TEXT=.*/CONFIG_CC_VERSION_TEXT="gcc (Other) 9.9.9"/' "$T/config"
	run "$KPB" "${ARGS[@]}" "$T/good.patch"
	[ "$status" -eq 4 ]
	[[ "$output" == *"compiler differs from the target's"*"gcc (Other) 9.9.9"* ]]
}

@test "compiler differs from the vmlinux's .comment: exit 4" {
	printf 'int x;\nconst char b[] = "Linux version 6.1.192 (fake@host) #1";\n' >"$T/v.c"
	gcc -c -o "$T/vmlinux" "$T/v.c"
	objcopy --remove-section .comment "$T/vmlinux"
	printf 'GCC: (Other) 9.9.9\0' >"$T/comment"
	objcopy --add-section .comment="$T/comment" "$T/vmlinux"
	run "$KPB" "${ARGS[@]}" "$T/good.patch"
	[ "$status" -eq 4 ]
	[[ "$output" == *"vmlinux was built by 'gcc (Other) 9.9.9'"* ]]
}

@test "a configured in-tree source is refused: exit 2" {
	touch "$T/src/.config"
	run "$KPB" "${ARGS[@]}" "$T/good.patch"
	[ "$status" -eq 2 ]
	[[ "$output" == *"make mrproper"* ]]
}

@test "tools missing: exit 1" {
	rm "$KPB_BIN/create-klp-module"
	run "$KPB" "${ARGS[@]}" "$T/good.patch"
	[ "$status" -eq 1 ]
	[[ "$output" == *"create-klp-module not found"* ]]
}
