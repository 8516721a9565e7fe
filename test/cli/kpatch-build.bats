#!/usr/bin/env bats
# kpatch-build's command line and its checks that run before any kernel
# build: options, files, patches against a tiny fake source tree, the
# compiler check.  No kernel is built; create-diff-object and
# create-klp-module are stand-ins that must never be reached.

load fake-apt

setup() {
	KPB=$BATS_TEST_DIRNAME/../../kpatch-build/kpatch-build
	T=$BATS_TEST_TMPDIR
	export KPB_BIN=$T/bin KPATCH_BUILD_CACHE=$T/cache TMPDIR=$T
	mkdir -p "$KPB_BIN" "$T/src/fs/proc"
	for tool in create-diff-object create-klp-module kpb-callsites kpb-layout kpb-origcheck; do
		printf '#!/bin/sh\necho "%s must not run in these tests" >&2\nexit 1\n' "$tool" >"$KPB_BIN/$tool"
		chmod +x "$KPB_BIN/$tool"
	done

	fake_makefile "$T/src" 192
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
	# Module.symvers next to vmlinux, as in a kernel build tree.
	printf '0x12345678\tprintk\tvmlinux\tEXPORT_SYMBOL\t\n' >"$T/Module.symvers"
	ARGS=(-s "$T/src" -c "$T/config" -v "$T/vmlinux")
}

# No file matches the glob. (A bare `! compgen` fails no bats test: errexit
# ignores a negated command that is not a test's last.)
no_match() {
	if compgen -G "$1" >/dev/null; then
		echo "expected nothing to match $1: $(compgen -G "$1" | head -n3)"
		return 1
	fi
}

# The top of a kernel tree's Makefile: 6.1.SUBLEVEL.
fake_makefile() {
	mkdir -p "$1"
	printf 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = %s\nEXTRAVERSION =\nNAME = Curry Ramen\n' "$2" >"$1/Makefile"
}

# A fake vmlinux with this banner release, these extra C lines, and this
# UTS_VERSION (default "#1"; Debian's: "#1 SMP PREEMPT_DYNAMIC Debian VER (DATE)").
fake_vmlinux() {
	printf '%s\nconst char b[] = "Linux version %s (fake@host) (%s) %s\\n";\n' "$2" "$1" \
		"$(gcc --version | head -n1)" "${3:-#1}" >"$T/v.c"
	gcc -c -o "$T/vmlinux" "$T/v.c"
}

# An unpacked Debian target: config, -dbg vmlinux, headers' Module.symvers;
# the package version in its banner (default 6.1.192-3).
fake_target_root() {
	local root=$T/root rel=$1 ver=${2:-6.1.192-3}
	mkdir -p "$root/boot" "$root/usr/lib/debug/boot" "$root/usr/src/linux-headers-$rel"
	cp "$T/config" "$root/boot/config-$rel"
	fake_vmlinux "$rel" 'int x;' "#1 SMP PREEMPT_DYNAMIC Debian $ver (2026-01-10)"
	cp "$T/vmlinux" "$root/usr/lib/debug/boot/vmlinux-$rel"
	cp "$T/Module.symvers" "$root/usr/src/linux-headers-$rel/"
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

@test "no vmlinux given or installed: exit 2, names the -dbg package" {
	run "$KPB" -s "$T/src" -c "$T/config" --release 6.1.0-99-amd64 "$T/good.patch"
	[ "$status" -eq 2 ]
	[[ "$output" == *"/usr/lib/debug/boot/vmlinux-6.1.0-99-amd64 not found: install linux-image-6.1.0-99-amd64-dbg"* ]]
}

@test "--target-root: each missing piece names its Debian package" {
	fake_target_root 6.1.0-57-cloud-amd64
	rm "$T/root/usr/src/linux-headers-6.1.0-57-cloud-amd64/Module.symvers" "$T/Module.symvers"
	run "$KPB" -s "$T/src" --release 6.1.0-57-cloud-amd64 --target-root "$T/root" "$T/good.patch"
	[ "$status" -eq 2 ]
	[[ "$output" == *"install linux-headers-6.1.0-57-cloud-amd64"* ]]
	rm "$T/root/boot/config-6.1.0-57-cloud-amd64"
	run "$KPB" -s "$T/src" --release 6.1.0-57-cloud-amd64 --target-root "$T/root" "$T/good.patch"
	[ "$status" -eq 2 ]
	[[ "$output" == *"config $T/root/boot/config-6.1.0-57-cloud-amd64 not found: install linux-image-6.1.0-57-cloud-amd64"* ]]
}

@test "--target-root: the target's files are found and checked (a bad hunk is the first refusal)" {
	fake_target_root 6.1.0-57-cloud-amd64
	run "$KPB" -s "$T/src" --release 6.1.0-57-cloud-amd64 --target-root "$T/root" -o "$T/out" "$T/bad-hunk.patch"
	[ "$status" -eq 3 ]
	[ ! -e "$T/out" ]
}

@test "a vmlinux of another release than --release: exit 4 before building" {
	fake_target_root 6.1.0-57-cloud-amd64
	fake_vmlinux 6.12.117+deb12-cloud-amd64 'int x;'
	cp "$T/vmlinux" "$T/root/usr/lib/debug/boot/vmlinux-6.1.0-57-cloud-amd64"
	run "$KPB" -s "$T/src" --release 6.1.0-57-cloud-amd64 --target-root "$T/root" "$T/good.patch"
	[ "$status" -eq 4 ]
	[[ "$output" == *"is kernel 6.12.117+deb12-cloud-amd64, the target is 6.1.0-57-cloud-amd64"* ]]
}

@test "a vmlinux that holds the banner but is no ELF: exit 2 with a message" {
	printf 'Linux version 6.1.192 (x) #1\n' >"$T/vmlinux"
	run "$KPB" "${ARGS[@]}" "$T/good.patch"
	[ "$status" -eq 2 ]
	[[ "$output" == *"not an ELF file"* ]]
}

@test "a stripped vmlinux: exit 2 up front" {
	strip "$T/vmlinux"
	run "$KPB" "${ARGS[@]}" "$T/good.patch"
	[ "$status" -eq 2 ]
	[[ "$output" == *"no .symtab (stripped"* ]]
}

@test "the compiler's name does not matter, its identity does (gcc-N vs gcc)" {
	local text
	text=$(gcc --version | head -n1)
	sed -i "s/^CONFIG_CC_VERSION_TEXT=.*/CONFIG_CC_VERSION_TEXT=\"gcc-99 ${text#* }\"/" "$T/config"
	run "$KPB" "${ARGS[@]}" "$T/bad-hunk.patch"
	[ "$status" -eq 3 ]
}

@test "--skip-compiler-check builds past a different compiler, with a warning" {
	sed -i 's/^CONFIG_CC_VERSION_TEXT=.*/CONFIG_CC_VERSION_TEXT="gcc (Other) 9.9.9"/' "$T/config"
	run "$KPB" "${ARGS[@]}" --skip-compiler-check "$T/bad-hunk.patch"
	[ "$status" -eq 3 ]
	[[ "$output" == *"going on as asked (--skip-compiler-check)"* ]]
}

@test "a config that vmlinux contradicts (LIVEPATCH=y, no klp_enable_patch): exit 4" {
	echo CONFIG_LIVEPATCH=y >>"$T/config"
	run "$KPB" "${ARGS[@]}" "$T/good.patch"
	[ "$status" -eq 4 ]
	[[ "$output" == *"CONFIG_LIVEPATCH is y in the config, but vmlinux lacks klp_enable_patch"* ]]
}

@test "a local __x86_return_thunk and an empty __kcrctab are no evidence (clang, ld.lld)" {
	# As a clang/ld.lld kernel without MITIGATION_RETHUNK and MODVERSIONS has them.
	fake_vmlinux 6.1.192 'static void __attribute__((used)) __x86_return_thunk(void) {}'
	objcopy --add-section __kcrctab=/dev/null "$T/vmlinux"
	run "$KPB" "${ARGS[@]}" "$T/bad-hunk.patch"
	[ "$status" -eq 3 ]
	# A global one is evidence.
	fake_vmlinux 6.1.192 'void __x86_return_thunk(void) {}'
	run "$KPB" "${ARGS[@]}" "$T/good.patch"
	[ "$status" -eq 4 ]
	[[ "$output" == *"is n in the config, but vmlinux has __x86_return_thunk"* ]]
}

@test "a config that differs from the one embedded in vmlinux (IKCONFIG): exit 4, names the line" {
	local gz
	cp "$T/config" "$T/embedded"
	echo CONFIG_MODVERSIONS=y >>"$T/embedded"
	gz=$(gzip -c "$T/embedded" | od -An -v -tx1 | tr -d ' \n' | sed 's/../\\x&/g')
	fake_vmlinux 6.1.192 "const char ik[] = \"IKCFG_ST$gz\" \"IKCFG_ED\";"
	run "$KPB" "${ARGS[@]}" "$T/good.patch"
	[ "$status" -eq 4 ]
	[[ "$output" == *"> CONFIG_MODVERSIONS=y"* ]]
	[[ "$output" == *"is not the config"*"was built with"* ]]
}

@test "kbuild-derived config lines are not compared (PAHOLE_VERSION, BUILD_SALT)" {
	cp "$T/config" "$T/embedded"
	echo CONFIG_PAHOLE_VERSION=0 >>"$T/config"
	echo 'CONFIG_BUILD_SALT="x"' >>"$T/embedded"
	echo CONFIG_PAHOLE_VERSION=124 >>"$T/embedded"
	local gz
	gz=$(gzip -c "$T/embedded" | od -An -v -tx1 | tr -d ' \n' | sed 's/../\\x&/g')
	fake_vmlinux 6.1.192 "const char ik[] = \"IKCFG_ST$gz\" \"IKCFG_ED\";"
	run "$KPB" "${ARGS[@]}" "$T/bad-hunk.patch"
	[ "$status" -eq 3 ]
}

@test "-n with a newline or a slash: exit 2" {
	run "$KPB" "${ARGS[@]}" -n $'a\nb' "$T/good.patch"
	[ "$status" -eq 2 ]
	[[ "$output" == *"only letters, digits"* ]]
	run "$KPB" "${ARGS[@]}" -n a/b "$T/good.patch"
	[ "$status" -eq 2 ]
}

@test "-o under a regular file: exit 2 up front" {
	touch "$T/afile"
	run "$KPB" "${ARGS[@]}" -o "$T/afile/out" "$T/good.patch"
	[ "$status" -eq 2 ]
	[[ "$output" == *"is not a directory"* ]]
}

@test "a patch that deletes a source file: exit 6, names the file" {
	cat >"$T/delete.patch" <<'PATCH'
--- a/fs/proc/cmdline.c
+++ /dev/null
@@ -1,6 +0,0 @@
-static int cmdline_proc_show(struct seq_file *m, void *v)
-{
-	seq_puts(m, saved_command_line);
-	seq_putc(m, '\n');
-	return 0;
-}
PATCH
	run "$KPB" "${ARGS[@]}" "$T/delete.patch"
	[ "$status" -eq 6 ]
	[[ "$output" == *"deletes fs/proc/cmdline.c"* ]]
	[ -f "$T/src/fs/proc/cmdline.c" ]
}

@test "a patch to a Makefile or Kconfig: exit 6" {
	printf 'obj-y += cmdline.o\n' >"$T/src/fs/proc/Makefile"
	cat >"$T/mk.patch" <<'PATCH'
--- a/fs/proc/Makefile
+++ b/fs/proc/Makefile
@@ -1 +1,2 @@
 obj-y += cmdline.o
+obj-y += new.o
PATCH
	run "$KPB" "${ARGS[@]}" "$T/mk.patch"
	[ "$status" -eq 6 ]
	[[ "$output" == *"changes fs/proc/Makefile: a build or configuration change cannot be livepatched"* ]]
}

@test "--sign-key without --sign-cert, or a cert that is no certificate: exit 2" {
	openssl req -new -x509 -newkey rsa:2048 -nodes -subj /CN=test -days 1 \
		-keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null
	run "$KPB" "${ARGS[@]}" --sign-key "$T/key.pem" "$T/good.patch"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--sign-key and --sign-cert go together"* ]]
	run "$KPB" "${ARGS[@]}" --sign-key "$T/key.pem" --sign-cert "$T/config" "$T/good.patch"
	[ "$status" -eq 2 ]
	[[ "$output" == *"not an X.509 certificate"* ]]
	run "$KPB" "${ARGS[@]}" --sign-key "$T/key.pem" --sign-cert "$T/cert.pem" "$T/bad-hunk.patch"
	[ "$status" -eq 3 ]
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
	# no source copy and no target tree were made
	no_match "$T/cache/src/*/linux"
	no_match "$T/cache/targets/*"
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

# A clang target: config and fake vmlinux as a LLVM=1 build writes them.
clang_target() {
	local text
	text=$(clang --version | head -n1)
	printf 'int x;\nconst char b[] = "Linux version 6.1.192 (fake@host) (%s) #1";\n' "$text" >"$T/v.c"
	clang -c -o "$T/vmlinux" "$T/v.c"
	printf 'CONFIG_CC_VERSION_TEXT="%s"\nCONFIG_CC_IS_CLANG=y\nCONFIG_LD_IS_LLD=y\nCONFIG_64BIT=y\n' "$text" >"$T/config"
}

@test "a clang target passes the compiler check with this clang" {
	command -v clang >/dev/null || skip "no clang"
	clang_target
	run "$KPB" "${ARGS[@]}" --debug "$T/bad-hunk.patch"
	[ "$status" -eq 3 ]
	[[ "$output" == *"compiler clang: $(clang --version | head -n1) (LLVM=1)"* ]]
}

@test "a clang target without that clang: exit 4, naming the target's clang and the compilers here" {
	command -v clang >/dev/null || skip "no clang"
	clang_target
	sed -i 's/^CONFIG_CC_VERSION_TEXT=.*/CONFIG_CC_VERSION_TEXT="Other clang version 99.0.0"/' "$T/config"
	run "$KPB" "${ARGS[@]}" "$T/good.patch"
	[ "$status" -eq 4 ]
	[[ "$output" == *"the target was built by clang ('Other clang version 99.0.0'): clang is '$(clang --version | head -n1)'"*"gcc is '$(gcc --version | head -n1)'"* ]]
}

@test "a clang config with a gcc-built vmlinux, and the reverse: exit 4" {
	command -v clang >/dev/null || skip "no clang"
	clang_target
	fake_vmlinux 6.1.192 'int x;'
	run "$KPB" "${ARGS[@]}" "$T/good.patch"
	[ "$status" -eq 4 ]
	[[ "$output" == *"vmlinux was built by '$(gcc --version | head -n1 | sed 's/^[^ ]* /gcc /')', the target's compiler is '$(clang --version | head -n1)'"* ]]
	clang_target
	printf 'CONFIG_CC_VERSION_TEXT="%s"\nCONFIG_64BIT=y\n' "$(gcc --version | head -n1)" >"$T/config"
	run "$KPB" "${ARGS[@]}" "$T/good.patch"
	[ "$status" -eq 4 ]
	[[ "$output" == *"vmlinux was built by '$(clang --version | head -n1)'"* ]]
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

@test "two runs writing the same module: the second is refused, naming it" {
	local lock
	mkdir -p "$T/cache/locks"
	lock=$T/cache/locks/$(sha256sum <<<"$T/out/livepatch-good.ko" | cut -c1-16).lock
	flock "$lock" sleep 30 &
	local holder=$!
	sleep 0.5
	run "$KPB" "${ARGS[@]}" -o "$T/out" "$T/good.patch"
	kill "$holder" 2>/dev/null || true
	[ "$status" -eq 1 ]
	[[ "$output" == *"another kpatch-build is writing $T/out/livepatch-good.ko"* ]]
	[ ! -e "$T/out" ]
}

@test "a tree whose preparation fails leaves no cache entry and no -o: exit 5" {
	run "$KPB" "${ARGS[@]}" -o "$T/out" "$T/good.patch"
	[ "$status" -eq 5 ]
	[[ "$output" == *"make olddefconfig failed"* ]]
	no_match "$T/cache/targets/*"
	[ ! -e "$T/out" ]
	# the source copy is complete and pristine: it is reused, not remade
	compgen -G "$T/cache/src/*/linux/.kpb-complete"
	cmp "$T/src/fs/proc/cmdline.c" "$(echo "$T"/cache/src/*/linux)/fs/proc/cmdline.c"
}

# ---- the source is the target's own (lib/source.sh) -------------------------

# Debian's linux-source-6.1 of version VER (6.1.SUB-N) unpacked under DIR as
# dpkg leaves it: usr/src/linux-source-6.1.tar.xz (the fake tree, its
# Makefile of SUB, or of the third argument) and the changelog naming VER.
fake_source_unpacked() {
	local dir=$1 ver=$2 sub tree=$T/tree-$2
	sub=${ver%-*}
	sub=${3:-${sub##*.}}
	rm -rf "$tree"
	mkdir -p "$tree/linux-source-6.1" "$dir/usr/src" "$dir/usr/share/doc/linux-source-6.1"
	cp -r "$T/src/." "$tree/linux-source-6.1/"
	fake_makefile "$tree/linux-source-6.1" "$sub"
	tar -cJf "$dir/usr/src/linux-source-6.1.tar.xz" -C "$tree" linux-source-6.1
	printf 'linux (%s) bookworm-security; urgency=high\n\n  * Fake.\n' "$ver" |
		gzip -9n >"$dir/usr/share/doc/linux-source-6.1/changelog.Debian.gz"
}

# Its .deb (dpkg-deb -b), named as apt-get download names it, in DIR.
fake_source_deb() {
	local ver=$1 dir=$2 pkg=$T/pkg-$1
	rm -rf "$pkg"
	fake_source_unpacked "$pkg" "$ver"
	mkdir -p "$pkg/DEBIAN" "$dir"
	printf 'Package: linux-source-6.1\nVersion: %s\nArchitecture: all\nMaintainer: Fake <fake@example.org>\nDescription: Linux kernel source (fake)\n' \
		"$ver" >"$pkg/DEBIAN/control"
	dpkg-deb -b --root-owner-group "$pkg" "$dir/linux-source-6.1_${ver}_all.deb" >/dev/null
}

# The machine kpatch-build runs on, faked: KPB_TEST_HOST_ROOT stands for /
# (its /usr/src/linux-source-6.1.tar.xz, of version INSTALLED as dpkg-query
# on PATH says), and apt-get on PATH "downloads" what $T/archive holds
# (each call logged in $T/apt-get.calls). The target: Debian's
# 6.1.0-54-cloud-amd64, version 6.1.190-1, unpacked in $T/root.
fake_debian_host() {
	local installed=${1:-6.1.192-3}
	mkdir -p "$T/fakebin" "$T/archive" "$T/host"
	export KPB_TEST_HOST_ROOT=$T/host PATH=$T/fakebin:$PATH
	fake_source_unpacked "$T/host" "$installed"
	echo "$installed" >"$T/installed-version"
	cat >"$T/fakebin/dpkg-query" <<FAKE
#!/bin/bash
[[ -s "$T/installed-version" && "\${!#}" == linux-source-6.1 ]] || exit 1
echo "install ok installed \$(cat "$T/installed-version")"
FAKE
	chmod +x "$T/fakebin/dpkg-query"
	fake_apt "$T/fakebin" "$T/archive" "$T/apt-get.calls"
	fake_target_root 6.1.0-54-cloud-amd64 6.1.190-1
	TARGET=(--release 6.1.0-54-cloud-amd64 --target-root "$T/root")
}

# SUBLEVEL of the cache's source copy (there must be one).
copy_sublevel() {
	local copies=("$T"/cache/src/*/linux)
	[ "${#copies[@]}" -eq 1 ] && [ -f "${copies[0]}/Makefile" ] || return 1
	sed -n 's/^SUBLEVEL = //p' "${copies[0]}/Makefile"
}

@test "the target's version: Debian's from the banner, a kernel built from source's from its release" {
	fake_target_root 6.1.0-57-cloud-amd64 6.1.192-3
	run "$KPB" -s "$T/src" --release 6.1.0-57-cloud-amd64 --target-root "$T/root" --debug "$T/bad-hunk.patch"
	[ "$status" -eq 3 ]
	[[ "$output" == *"debug: target version: 6.1.192 (Debian 6.1.192-3)"* ]]
	# 6.12's banner has no build number after '#'; the compiler's "(Debian ...)" is not the kernel's.
	fake_vmlinux 6.12.117+deb12-cloud-amd64 'int x;' "# SMP PREEMPT_DYNAMIC Debian 6.12.117-1~deb12u1 (2026-11-14)"
	run "$KPB" -s "$T/src" -c "$T/config" -v "$T/vmlinux" --debug "$T/bad-hunk.patch"
	[ "$status" -eq 4 ]
	[[ "$output" == *"debug: target version: 6.12.117 (Debian 6.12.117-1~deb12u1)"* ]]
	[[ "$output" == *"-s $T/src is Linux 6.1.192 (its Makefile), the target 6.12.117+deb12-cloud-amd64 is 6.12.117 (Debian 6.12.117-1~deb12u1)"* ]]
	fake_vmlinux 6.1.192-kpb 'int x;' "#3 SMP PREEMPT_DYNAMIC Tue Dec  1 10:00:00 UTC 2026"
	run "$KPB" -s "$T/src" -c "$T/config" -v "$T/vmlinux" --debug "$T/bad-hunk.patch"
	[ "$status" -eq 3 ]
	[[ "$output" == *"debug: target version: 6.1.192 (built from source: no Debian version in its banner)"* ]]
	# A "Debian VER" that is no kernel version.
	fake_vmlinux 6.1.0-57-cloud-amd64 'int x;' "#1 SMP PREEMPT_DYNAMIC Debian 7-1 (2026-01-10)"
	run "$KPB" -s "$T/src" -c "$T/config" -v "$T/vmlinux" "$T/bad-hunk.patch"
	[ "$status" -eq 4 ]
	[[ "$output" == *"error: $T/vmlinux: 'Debian 7-1' in its banner is no kernel version"* ]]
}

@test "a Debian ABI release whose banner names no Debian version, or a release of no version: exit 4" {
	fake_target_root 6.1.0-57-cloud-amd64
	fake_vmlinux 6.1.0-57-cloud-amd64 'int x;' "#1 SMP PREEMPT_DYNAMIC"
	cp "$T/vmlinux" "$T/root/usr/lib/debug/boot/vmlinux-6.1.0-57-cloud-amd64"
	run "$KPB" -s "$T/src" --release 6.1.0-57-cloud-amd64 --target-root "$T/root" "$T/good.patch"
	[ "$status" -eq 4 ]
	[[ "$output" == *"the banner of 6.1.0-57-cloud-amd64 names no Debian version ('... Debian X.Y.Z-N (DATE)'), and a Debian ABI release does not say which X.Y.Z it is: cannot tell the kernel's source"* ]]
	fake_vmlinux custom 'int x;'
	run "$KPB" -s "$T/src" -c "$T/config" -v "$T/vmlinux" "$T/good.patch"
	[ "$status" -eq 4 ]
	[[ "$output" == *"release custom does not begin with VERSION.PATCHLEVEL.SUBLEVEL and its banner names no Debian version"* ]]
	no_match "$T/cache/*"
}

@test "-s: a tree of another sublevel than the target is refused (exit 4, naming both); of the same, taken" {
	fake_makefile "$T/src" 190
	# A kernel built from source (release 6.1.192).
	run "$KPB" "${ARGS[@]}" -o "$T/out" "$T/good.patch"
	[ "$status" -eq 4 ]
	[[ "$output" == *"error: -s $T/src is Linux 6.1.190 (its Makefile), the target 6.1.192 is 6.1.192 (built from source"*"give the source of 6.1.192 with -s"* ]]
	# A Debian kernel.
	fake_target_root 6.1.0-57-cloud-amd64 6.1.192-3
	run "$KPB" -s "$T/src" --release 6.1.0-57-cloud-amd64 --target-root "$T/root" -o "$T/out" "$T/good.patch"
	[ "$status" -eq 4 ]
	[[ "$output" == *"error: -s $T/src is Linux 6.1.190 (its Makefile), the target 6.1.0-57-cloud-amd64 is 6.1.192 (Debian 6.1.192-3): give the source of 6.1.192 (Debian's: apt-get download linux-source-6.1=6.1.192-3, then put the .deb in the target root"* ]]
	[ ! -e "$T/out" ]
	no_match "$T/cache/*"
	fake_vmlinux 6.1.192 'int x;'
	# A Makefile without the version is no kernel tree.
	echo 'VERSION = 6' >"$T/src/Makefile"
	run "$KPB" "${ARGS[@]}" "$T/good.patch"
	[ "$status" -eq 2 ]
	[[ "$output" == *"-s $T/src: $T/src/Makefile names no VERSION, PATCHLEVEL and SUBLEVEL (not a kernel tree)"* ]]
	# The target's sublevel goes on (to the patch check).
	fake_makefile "$T/src" 192
	run "$KPB" -s "$T/src" --release 6.1.0-57-cloud-amd64 --target-root "$T/root" "$T/bad-hunk.patch"
	[ "$status" -eq 3 ]
	[[ "$output" == *"bad-hunk.patch does not apply"* ]]
}

@test "default source: a linux-source .deb of the target's version in the target root, not the installed one" {
	fake_debian_host 6.1.192-3
	fake_source_deb 6.1.187-1 "$T/root"
	fake_source_deb 6.1.190-1 "$T/root"
	run "$KPB" "${TARGET[@]}" "$T/bad-hunk.patch"
	[ "$status" -eq 3 ]
	[[ "$output" == *"kpatch-build: not taken: $T/root/linux-source-6.1_6.1.187-1_all.deb is 6.1.187-1"* ]]
	[[ "$output" == *"source: linux-source-6.1 6.1.190-1, from $T/root/linux-source-6.1_6.1.190-1_all.deb"* ]]
	[[ "$output" == *"bad-hunk.patch does not apply"* ]]
	[ "$(copy_sublevel)" = 190 ]
	[ ! -e "$T/apt-get.calls" ]
	# Its tarball and changelog were kept in the cache, the .deb was not copied.
	[ -f "$T/cache/debs/linux-source-6.1_6.1.190-1/usr/src/linux-source-6.1.tar.xz" ]
	no_match "$T/cache/debs/*.deb"
	no_match "$T/cache/debs/*.tmp.*"
}

@test "default source: unpacked in the target root, its version from its changelog" {
	fake_debian_host 6.1.192-3
	fake_source_unpacked "$T/root" 6.1.190-1
	run "$KPB" "${TARGET[@]}" "$T/bad-hunk.patch"
	[ "$status" -eq 3 ]
	[[ "$output" == *"source: linux-source-6.1 6.1.190-1, unpacked in $T/root"* ]]
	[ "$(copy_sublevel)" = 190 ]
	# Another version unpacked there is not taken (and apt-get fails here).
	rm -rf "$T/cache"
	fake_source_unpacked "$T/root" 6.1.187-1
	run "$KPB" "${TARGET[@]}" "$T/bad-hunk.patch"
	[ "$status" -eq 4 ]
	[[ "$output" == *"  $T/root/usr/src/linux-source-6.1.tar.xz is 6.1.187-1"* ]]
	[[ "$output" == *"(found 6.1.187-1, 6.1.192-3: the source of other kernels)"* ]]
	# A tarball of no known version is not taken either.
	rm "$T/root/usr/share/doc/linux-source-6.1/changelog.Debian.gz"
	run "$KPB" "${TARGET[@]}" "$T/bad-hunk.patch"
	[ "$status" -eq 4 ]
	[[ "$output" == *"  $T/root/usr/src/linux-source-6.1.tar.xz: of no known version"* ]]
}

@test "default source: the installed /usr/src/linux-source-X.Y.tar.xz only at the target's version" {
	fake_debian_host 6.1.190-1
	run "$KPB" "${TARGET[@]}" "$T/bad-hunk.patch"
	[ "$status" -eq 3 ]
	[[ "$output" == *"source: linux-source-6.1 6.1.190-1, $T/host/usr/src/linux-source-6.1.tar.xz (the installed package)"* ]]
	[ "$(copy_sublevel)" = 190 ]
	[ ! -e "$T/apt-get.calls" ]
	# Installed at another version: not taken (apt-get is asked, and fails).
	fake_source_unpacked "$T/host" 6.1.192-3
	echo 6.1.192-3 >"$T/installed-version"
	run "$KPB" "${TARGET[@]}" "$T/bad-hunk.patch"
	[ "$status" -eq 4 ]
	[[ "$output" == *"  $T/host/usr/src/linux-source-6.1.tar.xz is 6.1.192-3 (the installed linux-source-6.1)"* ]]
	# Not installed at all (dpkg-query knows no version): not taken either.
	: >"$T/installed-version"
	run "$KPB" "${TARGET[@]}" "$T/bad-hunk.patch"
	[ "$status" -eq 4 ]
	[[ "$output" == *"  $T/host/usr/src/linux-source-6.1.tar.xz: of no known version (linux-source-6.1 is not installed, says dpkg-query)"* ]]
}

@test "default source: the package's tarball must be of its version (exit 4, naming both)" {
	fake_debian_host 6.1.190-1
	fake_source_unpacked "$T/host" 6.1.190-1 192
	run "$KPB" "${TARGET[@]}" "$T/bad-hunk.patch"
	[ "$status" -eq 4 ]
	[[ "$output" == *"error: $T/host/usr/src/linux-source-6.1.tar.xz (linux-source-6.1 6.1.190-1) is Linux 6.1.192 (its Makefile), the target 6.1.0-54-cloud-amd64 is 6.1.190 (Debian 6.1.190-1)"* ]]
}

@test "default source: fetched with apt-get download into the cache, saying so, once" {
	fake_debian_host 6.1.192-3
	fake_source_deb 6.1.190-1 "$T/archive"
	run "$KPB" "${TARGET[@]}" "$T/bad-hunk.patch"
	[ "$status" -eq 3 ]
	[[ "$output" == *"fetching the target's source: apt-get download linux-source-6.1=6.1.190-1 (into $T/cache/debs)"* ]]
	[[ "$output" == *"fetched linux-source-6.1_6.1.190-1_all.deb (0 MB) with apt-get download"* ]]
	[[ "$output" == *"source: linux-source-6.1 6.1.190-1, fetched into $T/cache/debs/linux-source-6.1_6.1.190-1"* ]]
	[ "$(cat "$T/apt-get.calls")" = "download linux-source-6.1=6.1.190-1" ]
	[ "$(copy_sublevel)" = 190 ]
	# Only the tarball and the changelog are kept, no .deb, no temporary.
	[ -f "$T/cache/debs/linux-source-6.1_6.1.190-1/usr/share/doc/linux-source-6.1/changelog.Debian.gz" ]
	[ -z "$(find "$T/cache/debs" -name '*.deb' -o -name '*.fetch.*' -o -name '*.tmp.*')" ]
	# The next run takes it from the cache, and shares the source copy.
	run "$KPB" "${TARGET[@]}" "$T/bad-hunk.patch"
	[ "$status" -eq 3 ]
	[[ "$output" == *"source: linux-source-6.1 6.1.190-1, fetched before into $T/cache/debs/linux-source-6.1_6.1.190-1"* ]]
	[[ "$output" != *"copying the source"* ]]
	[ "$(wc -l <"$T/apt-get.calls")" -eq 1 ]
	# A root .deb of that version is the same source: the same copy.
	fake_source_deb 6.1.190-1 "$T/root"
	run "$KPB" "${TARGET[@]}" "$T/bad-hunk.patch"
	[ "$status" -eq 3 ]
	[[ "$output" == *"source: linux-source-6.1 6.1.190-1, from $T/root/linux-source-6.1_6.1.190-1_all.deb"* ]]
	[[ "$output" != *"copying the source"* ]]
}

@test "default source: a .deb that lacks the tarball, or apt-get writing another version: exit 1, naming it" {
	fake_debian_host 6.1.192-3
	mkdir -p "$T/empty/DEBIAN"
	printf 'Package: linux-source-6.1\nVersion: 6.1.190-1\nArchitecture: all\nMaintainer: F <f@example.org>\nDescription: x\n' >"$T/empty/DEBIAN/control"
	dpkg-deb -b --root-owner-group "$T/empty" "$T/root/linux-source-6.1_6.1.190-1_all.deb" >/dev/null
	run "$KPB" "${TARGET[@]}" "$T/bad-hunk.patch"
	[ "$status" -eq 1 ]
	[[ "$output" == *"error: $T/root/linux-source-6.1_6.1.190-1_all.deb: cannot extract usr/src/linux-source-6.1.tar.xz and its changelog"* ]]
	[ -z "$(find "$T/cache/debs" -mindepth 1 -type d)" ]
	rm "$T/root/linux-source-6.1_6.1.190-1_all.deb"
	fake_source_deb 6.1.187-1 "$T/pkgs"
	cp "$T/pkgs/linux-source-6.1_6.1.187-1_all.deb" "$T/archive/linux-source-6.1_6.1.190-1_all.deb"
	run "$KPB" "${TARGET[@]}" "$T/bad-hunk.patch"
	[ "$status" -eq 1 ]
	[[ "$output" == *"error: apt-get download linux-source-6.1=6.1.190-1 wrote $T/cache/debs/linux-source-6.1_6.1.190-1.fetch."*"/linux-source-6.1_6.1.190-1_all.deb, which is linux-source-6.1 6.1.187-1"* ]]
	[ -z "$(find "$T/cache/debs" -mindepth 1 -type d)" ]
}

@test "default source: none of the target's version and apt-get fails: exit 4 before any build, naming both versions and the command" {
	fake_debian_host 6.1.192-3
	fake_source_deb 6.1.192-3 "$T/root"
	run "$KPB" "${TARGET[@]}" -o "$T/out" "$T/good.patch"
	[ "$status" -eq 4 ]
	[[ "$output" == *"  $T/root/linux-source-6.1_6.1.192-3_all.deb is 6.1.192-3"* ]]
	[[ "$output" == *"  $T/host/usr/src/linux-source-6.1.tar.xz is 6.1.192-3 (the installed linux-source-6.1)"* ]]
	[[ "$output" == *"  apt-get download linux-source-6.1=6.1.190-1 failed (status 100): E: Version '6.1.190-1' for 'linux-source-6.1' was not found"* ]]
	[[ "$output" == *"error: kernel 6.1.0-54-cloud-amd64 is Debian 6.1.190-1, but its source linux-source-6.1 6.1.190-1 is not here (found 6.1.192-3: the source of other kernels); get it with: apt-get download linux-source-6.1=6.1.190-1, then put the .deb in the target root (--target-root DIR) or give -s the tree its usr/src/linux-source-6.1.tar.xz unpacks to"* ]]
	[ ! -e "$T/out" ]
	no_match "$T/cache/src/*"
	no_match "$T/cache/targets/*"
	[ -z "$(find "$T/cache/debs" -mindepth 1 -type d)" ]
}

@test "default source for a kernel built from source: the installed one of its upstream version, with a warning; else exit 4" {
	fake_debian_host 6.1.192-3
	fake_vmlinux 6.1.192-kpb 'int x;'
	run "$KPB" -c "$T/config" -v "$T/vmlinux" "$T/bad-hunk.patch"
	[ "$status" -eq 3 ]
	[[ "$output" == *"source: linux-source-6.1 6.1.192-3, $T/host/usr/src/linux-source-6.1.tar.xz (the installed package)"* ]]
	[[ "$output" == *"warning: the target names no Debian version: linux-source-6.1 6.1.192-3 taken by its upstream version 6.1.192"* ]]
	fake_vmlinux 6.1.191-kpb 'int x;'
	run "$KPB" -c "$T/config" -v "$T/vmlinux" "$T/bad-hunk.patch"
	[ "$status" -eq 4 ]
	[[ "$output" == *"error: kernel 6.1.191-kpb is Linux 6.1.191 built from source (no Debian version in its banner), and no linux-source-6.1 of 6.1.191 is here (found 6.1.192-3): give the kernel's source tree with -s"* ]]
	# Nothing is fetched for it.
	[ ! -e "$T/apt-get.calls" ]
}

@test "the running kernel (no --release): /proc/version must be vmlinux's banner" {
	fake_debian_host 6.1.190-1
	printf '#!/bin/sh\necho 6.1.0-54-cloud-amd64\n' >"$T/fakebin/uname"
	chmod +x "$T/fakebin/uname"
	mkdir -p "$T/host/proc"
	local banner
	banner="Linux version 6.1.0-54-cloud-amd64 (fake@host) ($(gcc --version | head -n1))"
	printf '%s #1 SMP PREEMPT_DYNAMIC Debian 6.1.190-1 (2026-01-10)\n' "$banner" >"$T/host/proc/version"
	run "$KPB" --target-root "$T/root" "$T/bad-hunk.patch"
	[ "$status" -eq 3 ]
	[[ "$output" == *"checking the target 6.1.0-54-cloud-amd64"* ]]
	[[ "$output" == *"source: linux-source-6.1 6.1.190-1, $T/host/usr/src/linux-source-6.1.tar.xz (the installed package)"* ]]
	# Running another Debian version of that ABI than the vmlinux's.
	printf '%s #1 SMP PREEMPT_DYNAMIC Debian 6.1.190-2 (2026-01-12)\n' "$banner" >"$T/host/proc/version"
	run "$KPB" --target-root "$T/root" "$T/bad-hunk.patch"
	[ "$status" -eq 4 ]
	[[ "$output" == *"error: the running kernel 6.1.0-54-cloud-amd64 is Debian 6.1.190-2 ($T/host/proc/version), but $T/root/usr/lib/debug/boot/vmlinux-6.1.0-54-cloud-amd64 is Debian 6.1.190-1: install the vmlinux of the running kernel (apt-get install linux-image-6.1.0-54-cloud-amd64-dbg=6.1.190-2)"* ]]
	# Another build of the same version.
	printf '%s #1 SMP PREEMPT_DYNAMIC Debian 6.1.190-1 (2026-01-11)\n' "$banner" >"$T/host/proc/version"
	run "$KPB" --target-root "$T/root" "$T/bad-hunk.patch"
	[ "$status" -eq 4 ]
	[[ "$output" == *"running: $banner #1 SMP PREEMPT_DYNAMIC Debian 6.1.190-1 (2026-01-11)"* ]]
	[[ "$output" == *"error: the running kernel ($T/host/proc/version) is another build than $T/root/usr/lib/debug/boot/vmlinux-6.1.0-54-cloud-amd64 (banners above)"* ]]
	# A /proc/version without a banner.
	: >"$T/host/proc/version"
	run "$KPB" --target-root "$T/root" "$T/bad-hunk.patch"
	[ "$status" -eq 1 ]
	[[ "$output" == *"error: $T/host/proc/version: no 'Linux version' banner"* ]]
	# --release names the target: the running kernel is not looked at.
	run "$KPB" "${TARGET[@]}" "$T/bad-hunk.patch"
	[ "$status" -eq 3 ]
	no_match "$T/cache/targets/*"
}

# ---- options users of other livepatch builders type ------------------------

@test "-R, --non-replace and --no-replace build a non-replace patch; the default replaces" {
	run "$KPB" "${ARGS[@]}" --debug "$T/bad-hunk.patch"
	[ "$status" -eq 3 ]
	[[ "$output" == *"debug: atomic replace: yes"* ]]
	for opt in -R --non-replace --no-replace; do
		run "$KPB" "${ARGS[@]}" --debug "$opt" "$T/bad-hunk.patch"
		[ "$status" -eq 3 ]
		[[ "$output" == *"debug: atomic replace: no"* ]]
	done
}

@test "--skip-gcc-check is --skip-compiler-check" {
	sed -i 's/^CONFIG_CC_VERSION_TEXT=.*/CONFIG_CC_VERSION_TEXT="gcc (Other) 9.9.9"/' "$T/config"
	run "$KPB" "${ARGS[@]}" --skip-gcc-check "$T/bad-hunk.patch"
	[ "$status" -eq 3 ]
	[[ "$output" == *"going on as asked (--skip-compiler-check)"* ]]
}

@test "--skip-cleanup and --keep-tmp keep the temporary directory and print it" {
	for opt in --skip-cleanup --keep-tmp; do
		run "$KPB" "${ARGS[@]}" "$opt" "$T/bad-hunk.patch"
		[ "$status" -eq 3 ]
		[[ "$output" =~ temporary\ files\ kept\ in\ ($T/kpatch-build\.[A-Za-z0-9]+) ]]
		[ -d "${BASH_REMATCH[1]}" ]
		rm -rf "${BASH_REMATCH[1]}"
	done
	# Without: a refusal up front keeps nothing.
	run "$KPB" "${ARGS[@]}" "$T/bad-hunk.patch"
	[[ "$output" != *"temporary files kept"* ]]
	no_match "$T/kpatch-build.*"
}

@test "-t/--target is refused, saying why: exit 2" {
	run "$KPB" "${ARGS[@]}" -t vmlinux -t modules "$T/good.patch"
	[ "$status" -eq 2 ]
	[[ "$output" == *"-t: kernel make targets do not apply: kpatch-build compiles only the objects the patches affect"* ]]
	run "$KPB" "${ARGS[@]}" --target vmlinux "$T/good.patch"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--target: kernel make targets do not apply"* ]]
	no_match "$T/cache/*"
}

# ---- out-of-tree modules (--oot-module, --oot-module-src) ------------------

# An out-of-tree module's source and a fake .ko of it: a relocatable ELF
# object with a .modinfo of this vermagic (default: the fake vmlinux's).
fake_oot_module() {
	local vermagic=${1:-6.1.192 SMP mod_unload }
	mkdir -p "$T/mymod"
	printf 'obj-m := my-mod.o\n' >"$T/mymod/Kbuild"
	cat >"$T/mymod/my-mod.c" <<'SRC'
static int answer(void)
{
	return 41;
}
SRC
	echo 'int answer(void) { return 41; }' >"$T/ko.c"
	gcc -c -o "$T/ko.o" "$T/ko.c"
	printf 'vermagic=%s\0name=my_mod\0license=GPL\0' "$vermagic" >"$T/modinfo"
	objcopy --add-section .modinfo="$T/modinfo" "$T/ko.o" "$T/my-mod.ko"
	cat >"$T/oot.patch" <<'PATCH'
--- a/my-mod.c
+++ b/my-mod.c
@@ -1,4 +1,4 @@
 static int answer(void)
 {
-	return 41;
+	return 42;
 }
PATCH
	OOT=(--oot-module "$T/my-mod.ko" --oot-module-src "$T/mymod")
}

# The user's module source, as it was (compare before and after a run).
oot_tree_sum() {
	(cd "$T/mymod" && find . -exec stat -c '%n %s %Y' {} + | sort | sha256sum)
}

@test "--oot-module without --oot-module-src, and the reverse: exit 2, naming the missing one" {
	fake_oot_module
	run "$KPB" "${ARGS[@]}" --oot-module "$T/my-mod.ko" "$T/oot.patch"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--oot-module needs --oot-module-src"* ]]
	run "$KPB" "${ARGS[@]}" --oot-module-src "$T/mymod" "$T/oot.patch"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--oot-module-src needs --oot-module"* ]]
	no_match "$T/cache/*"
}

@test "--oot-module that is missing, no ELF relocatable, or has no .modinfo: exit 2, naming the file" {
	fake_oot_module
	run "$KPB" "${ARGS[@]}" --oot-module "$T/nosuch.ko" --oot-module-src "$T/mymod" "$T/oot.patch"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--oot-module $T/nosuch.ko: not found or not readable"* ]]
	xz -k "$T/my-mod.ko"
	run "$KPB" "${ARGS[@]}" --oot-module "$T/my-mod.ko.xz" --oot-module-src "$T/mymod" "$T/oot.patch"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--oot-module $T/my-mod.ko.xz: not an ELF relocatable object"* ]]
	gcc -o "$T/prog" -x c - <<<'int main(void) { return 0; }'
	run "$KPB" "${ARGS[@]}" --oot-module "$T/prog" --oot-module-src "$T/mymod" "$T/oot.patch"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--oot-module $T/prog: not an ELF relocatable object"* ]]
	run "$KPB" "${ARGS[@]}" --oot-module "$T/ko.o" --oot-module-src "$T/mymod" "$T/oot.patch"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--oot-module $T/ko.o: no .modinfo section"* ]]
	no_match "$T/cache/*"
}

@test "--oot-module-src that is no directory or has no Makefile or Kbuild: exit 2" {
	fake_oot_module
	run "$KPB" "${ARGS[@]}" --oot-module "$T/my-mod.ko" --oot-module-src "$T/nosuch" "$T/oot.patch"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--oot-module-src $T/nosuch: not a directory"* ]]
	rm "$T/mymod/Kbuild"
	run "$KPB" "${ARGS[@]}" "${OOT[@]}" "$T/oot.patch"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--oot-module-src $T/mymod: no Makefile or Kbuild"* ]]
	# A Makefile is enough.
	printf 'obj-m := my-mod.o\n' >"$T/mymod/Makefile"
	sed -i 's/return 41;/return 40;/' "$T/oot.patch"
	run "$KPB" "${ARGS[@]}" "${OOT[@]}" "$T/oot.patch"
	[ "$status" -eq 3 ]
}

@test "--oot-module built for another release than the target: exit 4, naming both" {
	fake_oot_module "6.1.0-99-amd64 SMP mod_unload "
	run "$KPB" "${ARGS[@]}" "${OOT[@]}" "$T/oot.patch"
	[ "$status" -eq 4 ]
	[[ "$output" == *"--oot-module $T/my-mod.ko is built for kernel 6.1.0-99-amd64, the target is 6.1.192"* ]]
	no_match "$T/cache/*"
}

@test "--oot-module built by another compiler than the target's: exit 4, unless --skip-compiler-check" {
	fake_oot_module
	objcopy --remove-section .comment "$T/my-mod.ko"
	printf 'GCC: (Other) 9.9.9\0' >"$T/comment"
	objcopy --add-section .comment="$T/comment" "$T/my-mod.ko"
	run "$KPB" "${ARGS[@]}" "${OOT[@]}" "$T/oot.patch"
	[ "$status" -eq 4 ]
	[[ "$output" == *"--oot-module $T/my-mod.ko was built by 'gcc (Other) 9.9.9', the target's compiler is '$(gcc --version | head -n1)'"* ]]
	sed 's/return 41;/return 40;/' "$T/oot.patch" >"$T/oot-bad.patch"
	run "$KPB" "${ARGS[@]}" "${OOT[@]}" --skip-compiler-check "$T/oot-bad.patch"
	[ "$status" -eq 3 ]
}

@test "--oot-module: the patch applies to the module's source, which stays untouched" {
	fake_oot_module
	local before
	before=$(oot_tree_sum)
	# Against the module's source, not the kernel tree: a kernel patch
	# does not apply there.
	run "$KPB" "${ARGS[@]}" "${OOT[@]}" "$T/good.patch"
	[ "$status" -eq 3 ]
	[[ "$output" == *"good.patch does not apply: file not found"* ]]
	sed 's/return 41;/return 40;/' "$T/oot.patch" >"$T/oot-bad.patch"
	run "$KPB" "${ARGS[@]}" "${OOT[@]}" "$T/oot-bad.patch"
	[ "$status" -eq 3 ]
	[[ "$output" == *"oot-bad.patch does not apply: my-mod.c: hunk #1 failed"* ]]
	# A patch that applies goes on to build (and fails on the fake target
	# tree): the user's directory was never written.
	run "$KPB" "${ARGS[@]}" "${OOT[@]}" -o "$T/out" "$T/oot.patch"
	[ "$status" -eq 5 ]
	[[ "$output" == *"make olddefconfig failed"* ]]
	[ "$(oot_tree_sum)" = "$before" ]
	[ ! -e "$T/out" ]
}

@test "--oot-module: a patch to the module's Makefile or Kbuild, or a file outside its directory, is refused" {
	fake_oot_module
	cat >"$T/kbuild.patch" <<'PATCH'
--- a/Kbuild
+++ b/Kbuild
@@ -1 +1,2 @@
 obj-m := my-mod.o
+ccflags-y += -DX
PATCH
	run "$KPB" "${ARGS[@]}" "${OOT[@]}" "$T/kbuild.patch"
	[ "$status" -eq 6 ]
	[[ "$output" == *"the patch changes Kbuild: a build or configuration change cannot be livepatched"* ]]
	sed 's|a/my-mod.c|a/../src/fs/proc/cmdline.c|; s|b/my-mod.c|b/../src/fs/proc/cmdline.c|' "$T/oot.patch" >"$T/out.patch"
	run "$KPB" "${ARGS[@]}" "${OOT[@]}" "$T/out.patch"
	[ "$status" -eq 3 ]
	[[ "$output" == *"patch names a file outside the module source $T/mymod: ../src/fs/proc/cmdline.c"* ]]
	# refused before any tree was prepared
	no_match "$T/cache/targets/*"
}

@test "--version prints the project's version, exit 0" {
	run "$KPB" --version
	[ "$status" -eq 0 ]
	[ "$output" = "kpatch-build $(cat "$BATS_TEST_DIRNAME/../../VERSION")" ]
}
