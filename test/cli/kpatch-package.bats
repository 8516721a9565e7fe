#!/usr/bin/env bats
# kpatch-package: a livepatch module to a .deb and an .rpm.  The modules are
# tiny relocatable objects whose .modinfo says what a livepatch module's
# does (test/packaging/helpers.bash); the packages are inspected with
# dpkg-deb and rpm.  Installing them is test/cli/kpatch-package-install.bats.

load ../packaging/helpers

REL=6.1.0-57-cloud-amd64

setup() {
	KPP=$BATS_TEST_DIRNAME/../../kpatch-build/kpatch-package
	T=$BATS_TEST_TMPDIR
	export TMPDIR=$T DEBEMAIL=kernel@example.org DEBFULLNAME='Kernel Team'
	mkdir -p "$T/out"
	fake_module "$T" livepatch-fix "$REL" Y
	cat >"$T/fix.patch" <<'PATCH'
From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001
From: Kernel Team <kernel@example.org>
Date: Mon, 30 Nov 2026 10:00:00 +0000
Subject: [PATCH v2] proc: say that the kernel
 is livepatched

/proc/version gains a line, so that a test can see the patch.

It is cumulative: it replaces the previous fix.
Version: 3
---
 fs/proc/version.c | 1 +
 1 file changed, 1 insertion(+)

diff --git a/fs/proc/version.c b/fs/proc/version.c
--- a/fs/proc/version.c
+++ b/fs/proc/version.c
@@ -1 +1,2 @@
 x
+y
PATCH
}

# run kpatch-package with --kernel-version so that nothing is looked up.
package() { run "$KPP" -o "$T/out" "$@"; }

field() { dpkg-deb -f "$1" "$2"; }

@test "a .deb and an .rpm, named from the module, version 1 without a patch" {
	package --kernel-version 6.1.192-3 "$T/livepatch-fix.ko"
	[ "$status" -eq 0 ]
	[ -f "$T/out/livepatch-fix_1_amd64.deb" ]
	[ -f "$T/out/livepatch-fix-1-1.x86_64.rpm" ]
	[ "$(ls "$T/out" | wc -l)" -eq 2 ]
}

@test ".deb: exact kernel dependency, manager, control fields" {
	package --kernel-version 6.1.192-3 -f deb "$T/livepatch-fix.ko"
	[ "$status" -eq 0 ]
	deb=$T/out/livepatch-fix_1_amd64.deb
	[ "$(field "$deb" Package)" = livepatch-fix ]
	[ "$(field "$deb" Architecture)" = amd64 ]
	[ "$(field "$deb" Depends)" = "kpatch, linux-image-$REL (= 6.1.192-3)" ]
	[ "$(field "$deb" Maintainer)" = "Kernel Team <kernel@example.org>" ]
	[ "$(field "$deb" Section)" = kernel ]
	[ ! -e "$T/out/livepatch-fix-1-1.x86_64.rpm" ]
}

@test ".deb: the module, a README, and the four maintainer scripts" {
	package --kernel-version 6.1.192-3 -f deb "$T/livepatch-fix.ko"
	deb=$T/out/livepatch-fix_1_amd64.deb
	run dpkg-deb -c "$deb"
	[[ $output == *"-rw-r--r-- root/root"*"./usr/lib/kpatch-package/livepatch-fix/livepatch-fix.ko"* ]]
	[[ $output == *"./usr/share/doc/livepatch-fix/README"* ]]
	run dpkg-deb -I "$deb"
	for s in preinst postinst prerm postrm; do
		[[ $output == *"$s"*"#!/bin/sh"* ]]
	done
	cmp "$T/livepatch-fix.ko" <(dpkg-deb --fsys-tarfile "$deb" |
		tar -xO ./usr/lib/kpatch-package/livepatch-fix/livepatch-fix.ko)
}

@test "the maintainer scripts are POSIX sh and shellcheck clean" {
	package --kernel-version 6.1.192-3 -f deb "$T/livepatch-fix.ko"
	dpkg-deb -e "$T/out/livepatch-fix_1_amd64.deb" "$T/ctl"
	for s in preinst postinst prerm postrm; do
		sh -n "$T/ctl/$s"
		shellcheck -s sh "$T/ctl/$s"
	done
	grep -q "kpatch install \"\$DIR/\$MOD.ko\"" "$T/ctl/postinst"
	grep -q "^MOD='livepatch-fix'$" "$T/ctl/postinst"
	grep -q "^RELEASE='$REL'$" "$T/ctl/postinst"
}

@test ".rpm: name, version, requires, files, scriptlets" {
	package --kernel-version 6.1.192-3 -f rpm "$T/livepatch-fix.ko"
	[ "$status" -eq 0 ]
	rpm=$T/out/livepatch-fix-1-1.x86_64.rpm
	run rpm -qp --qf '%{NAME} %{VERSION} %{RELEASE} %{ARCH} %{LICENSE}\n' "$rpm"
	[ "$output" = "livepatch-fix 1 1 x86_64 GPL-2.0-only" ]
	run rpm -qp --requires "$rpm"
	[[ $output == *kpatch* ]]
	# 6.1.0-57-cloud-amd64 is no RPM version-release: a file dependency.
	[[ $output == *"/lib/modules/$REL/modules.order"* ]]
	run rpm -qlp "$rpm"
	[[ $output == *"/usr/lib/kpatch-package/livepatch-fix/livepatch-fix.ko"* ]]
	run rpm -qp --scripts "$rpm"
	[[ $output == *"postinstall scriptlet"*"upgrade_from"* ]]
	[[ $output == *"preuninstall scriptlet"*"remove_module \"\$MOD\""* ]]
	[ ! -e "$T/out/livepatch-fix_1_amd64.deb" ]
}

@test "a release in RPM form: kernel-uname-r = REL; unversioned linux-image-REL in the .deb" {
	fake_module "$T" livepatch-fc 6.5.6-300.fc39.x86_64 Y
	package "$T/livepatch-fc.ko"
	[ "$status" -eq 0 ]
	[ "$(field "$T/out/livepatch-fc_1_amd64.deb" Depends)" = "kpatch, linux-image-6.5.6-300.fc39.x86_64" ]
	run rpm -qp --requires "$T/out/livepatch-fc-1-1.x86_64.rpm"
	[[ $output == *"kernel-uname-r = 6.5.6-300.fc39.x86_64"* ]]
}

@test "description and version from a git format-patch header" {
	package --kernel-version 6.1.192-3 -p "$T/fix.patch" "$T/livepatch-fix.ko"
	[ "$status" -eq 0 ]
	deb=$T/out/livepatch-fix_3_amd64.deb
	[ "$(field "$deb" Version)" = 3 ]
	run field "$deb" Description
	[ "${lines[0]}" = "proc: say that the kernel is livepatched" ]
	[[ $output == *"/proc/version gains a line"* ]]
	[[ $output == *"It is cumulative"* ]]
	[[ $output != *Version:* && $output != *version.c* && $output != *From:* ]]
	run rpm -qp --qf '%{SUMMARY}|%{VERSION}\n' "$T/out/livepatch-fix-3-1.x86_64.rpm"
	[ "$output" = "proc: say that the kernel is livepatched|3" ]
}

@test "a module of an update (kpatch-build --update-from): the descriptions record its versions and CVE ids" {
	fake_module "$T" livepatch-upd "$REL" Y livepatch_from=6.1.192-2 livepatch_to=6.1.192-3 livepatch_cves=CVE-2026-1111,CVE-2026-2222
	package --kernel-version 6.1.192-3 "$T/livepatch-upd.ko"
	[ "$status" -eq 0 ]
	run field "$T/out/livepatch-upd_1_amd64.deb" Description
	[[ $output == *" The kernel update 6.1.192-2 -> 6.1.192-3 (CVE-2026-1111 CVE-2026-2222)."* ]]
	[[ $output == *" Livepatch module livepatch-upd.ko for Linux $REL."* ]]
	run rpm -qp --qf '%{DESCRIPTION}\n' "$T/out/livepatch-upd-1-1.x86_64.rpm"
	[[ $output == *"The kernel update 6.1.192-2 -> 6.1.192-3 (CVE-2026-1111 CVE-2026-2222)."* ]]
	# a module of patches says nothing of an update
	package --kernel-version 6.1.192-3 "$T/livepatch-fix.ko"
	run field "$T/out/livepatch-fix_1_amd64.deb" Description
	[[ $output != *"kernel update"* ]]
}

@test "a plain patch: its first line is the summary, the rest the description" {
	printf 'Fix the frobnicator.\n\nIt leaked 100%% of a page.\n\n--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+b\n' >"$T/plain.patch"
	package --kernel-version 6.1.192-3 -p "$T/plain.patch" "$T/livepatch-fix.ko"
	[ "$status" -eq 0 ]
	run field "$T/out/livepatch-fix_1_amd64.deb" Description
	[ "${lines[0]}" = "Fix the frobnicator." ]
	[ "${lines[1]}" = " It leaked 100% of a page." ]
	run rpm -qp --qf '%{DESCRIPTION}\n' "$T/out/livepatch-fix-1-1.x86_64.rpm"
	[ "$output" = "It leaked 100% of a page." ]
}

@test "--name and --version win over the module and the patch" {
	package --kernel-version 6.1.192-3 --name livepatch-cumulative --version 7.1 -p "$T/fix.patch" "$T/livepatch-fix.ko"
	[ "$status" -eq 0 ]
	[ -f "$T/out/livepatch-cumulative_7.1_amd64.deb" ]
	[ -f "$T/out/livepatch-cumulative-7.1-1.x86_64.rpm" ]
	dpkg-deb -c "$T/out/livepatch-cumulative_7.1_amd64.deb" | grep -q './usr/lib/kpatch-package/livepatch-cumulative/livepatch-fix.ko'
}

@test "the Debian kernel version from the target root's dpkg database" {
	mkdir -p "$T/root/var/lib/dpkg"
	printf 'Package: linux-image-%s\nStatus: install ok installed\nVersion: 6.1.192-9\nArchitecture: amd64\n\n' "$REL" \
		>"$T/root/var/lib/dpkg/status"
	package -f deb --target-root "$T/root" "$T/livepatch-fix.ko"
	[ "$status" -eq 0 ]
	[ "$(field "$T/out/livepatch-fix_1_amd64.deb" Depends)" = "kpatch, linux-image-$REL (= 6.1.192-9)" ]
}

@test "the Debian kernel version from an unpacked signed image's changelog" {
	mkdir -p "$T/root/usr/share/doc/linux-image-$REL"
	printf 'linux-signed-amd64 (6.1.192+3) bookworm-security; urgency=high\n\n  * Sign kernel from linux 6.1.192-3\n' |
		gzip >"$T/root/usr/share/doc/linux-image-$REL/changelog.gz"
	package -f deb --target-root "$T/root" "$T/livepatch-fix.ko"
	[ "$status" -eq 0 ]
	[ "$(field "$T/out/livepatch-fix_1_amd64.deb" Depends)" = "kpatch, linux-image-$REL (= 6.1.192-3)" ]
}

@test "the Debian kernel version from --kernel-deb, whose package must be the module's kernel" {
	fake_deb "$T" "linux-image-$REL" 6.1.192-7
	package -f deb --kernel-deb "$T/linux-image-$REL.deb" "$T/livepatch-fix.ko"
	[ "$status" -eq 0 ]
	[ "$(field "$T/out/livepatch-fix_1_amd64.deb" Depends)" = "kpatch, linux-image-$REL (= 6.1.192-7)" ]
	fake_deb "$T" linux-image-6.1.0-58-cloud-amd64 6.1.193-1
	package -f deb --kernel-deb "$T/linux-image-6.1.0-58-cloud-amd64.deb" "$T/livepatch-fix.ko"
	[ "$status" -eq 2 ]
	[[ $output == *"--kernel-deb $T/linux-image-6.1.0-58-cloud-amd64.deb: package linux-image-6.1.0-58-cloud-amd64, not linux-image-$REL (the module is for $REL)"* ]]
}

@test "the Debian kernel version from a downloaded linux-image .deb next to the target root" {
	mkdir -p "$T/dl/root"
	touch "$T/dl/linux-image-${REL}_6.1.192-5_amd64.deb" "$T/dl/linux-image-$REL-dbg_6.1.192-5_amd64.deb"
	package -f deb --target-root "$T/dl/root" "$T/livepatch-fix.ko"
	[ "$status" -eq 0 ]
	[ "$(field "$T/out/livepatch-fix_1_amd64.deb" Depends)" = "kpatch, linux-image-$REL (= 6.1.192-5)" ]
	# Two versions there: which one is unknown.
	touch "$T/dl/linux-image-${REL}_6.1.192-6_amd64.deb"
	package -f deb --target-root "$T/dl/root" "$T/livepatch-fix.ko"
	[ "$status" -eq 4 ]
}

@test "--kernel-package, --manager-package and --no-kernel-depends" {
	package -f deb --kernel-package my-kernel --kernel-version 2.0 --manager-package kpatch-build "$T/livepatch-fix.ko"
	[ "$status" -eq 0 ]
	[ "$(field "$T/out/livepatch-fix_1_amd64.deb" Depends)" = "kpatch-build, my-kernel (= 2.0)" ]
	rm "$T/out"/*
	package --no-kernel-depends "$T/livepatch-fix.ko"
	[ "$status" -eq 0 ]
	[ "$(field "$T/out/livepatch-fix_1_amd64.deb" Depends)" = kpatch ]
	run rpm -qp --requires "$T/out/livepatch-fix-1-1.x86_64.rpm"
	[[ $output != *modules.order* && $output != *kernel-uname-r* ]]
}

@test "a module without the livepatch_replace tag is taken as atomic replace, and says so" {
	fake_module "$T" livepatch-old "$REL" -
	package -f deb --kernel-version 6.1.192-3 "$T/livepatch-old.ko"
	[ "$status" -eq 0 ]
	[[ $output == *"livepatch-old.ko: no livepatch_replace tag, assuming an atomic-replace patch"* ]]
	dpkg-deb -e "$T/out/livepatch-old_1_amd64.deb" "$T/ctl"
	grep -q "^REPLACE='Y'$" "$T/ctl/postinst"
}

# ---- errors ----------------------------------------------------------------

@test "exit 3: not an ELF file" {
	echo 'not elf' >"$T/livepatch-x.ko"
	package "$T/livepatch-x.ko"
	[ "$status" -eq 3 ]
	[[ $output == *"livepatch-x.ko: not an ELF file"* ]]
	[ -z "$(ls "$T/out")" ]
}

@test "exit 3: an ELF executable, not a relocatable module" {
	echo 'int main(void) { return 0; }' >"$T/m.c"
	gcc -o "$T/livepatch-x.ko" "$T/m.c"
	package "$T/livepatch-x.ko"
	[ "$status" -eq 3 ]
	[[ $output == *"livepatch-x.ko: ELF type"*"not a relocatable kernel module"* ]]
}

@test "exit 3: an object without .modinfo" {
	echo 'int x;' >"$T/m.c"
	gcc -c -o "$T/livepatch-x.ko" "$T/m.c"
	package "$T/livepatch-x.ko"
	[ "$status" -eq 3 ]
	[[ $output == *"livepatch-x.ko: no .modinfo section: not a kernel module"* ]]
}

@test "exit 3: a module that is not a livepatch" {
	printf 'static const char v[] __attribute__((section(".modinfo"), used)) = "vermagic=%s ";\n' "$REL" >"$T/m.c"
	gcc -c -o "$T/ext4.ko" "$T/m.c"
	package "$T/ext4.ko"
	[ "$status" -eq 3 ]
	[[ $output == *"ext4.ko: not a livepatch module (modinfo has no livepatch=Y)"* ]]
}

@test "exit 3: no vermagic" {
	printf 'static const char v[] __attribute__((section(".modinfo"), used)) = "livepatch=Y";\n' >"$T/m.c"
	gcc -c -o "$T/livepatch-x.ko" "$T/m.c"
	package "$T/livepatch-x.ko"
	[ "$status" -eq 3 ]
	[[ $output == *"livepatch-x.ko: no vermagic in modinfo"* ]]
}

@test "exit 3: a file name that is not the module's name" {
	cp "$T/livepatch-fix.ko" "$T/livepatch-other.ko"
	package --kernel-version 1 "$T/livepatch-other.ko"
	[ "$status" -eq 3 ]
	[[ $output == *"the file name livepatch-other.ko does not match the module name livepatch_fix"* ]]
}

@test "exit 4: a Debian kernel whose package version cannot be found" {
	fake_module "$T" livepatch-y 6.1.0-99-nosuch-amd64 Y
	package --target-root "$T" "$T/livepatch-y.ko"
	[ "$status" -eq 4 ]
	[[ $output == *"livepatch-y.ko: built for Debian's 6.1.0-99-nosuch-amd64, but the version of linux-image-6.1.0-99-nosuch-amd64 is unknown: give --kernel-version"* ]]
	[ -z "$(ls "$T/out")" ]
}

@test "exit 2: usage errors name what is wrong" {
	package "$T/nosuch.ko"
	[ "$status" -eq 2 ]
	[[ $output == *"module $T/nosuch.ko: not found or not readable"* ]]
	package
	[ "$status" -eq 2 ]
	[[ $output == *"give exactly one module"* ]]
	package --format zip "$T/livepatch-fix.ko"
	[ "$status" -eq 2 ]
	[[ $output == *"--format zip: not deb, rpm or all"* ]]
	package --kernel-version 1 --version 1-2 "$T/livepatch-fix.ko"
	[ "$status" -eq 2 ]
	[[ $output == *"version '1-2': must start with a digit"* ]]
	package --kernel-version 1 --name Bad_Name "$T/livepatch-fix.ko"
	[ "$status" -eq 2 ]
	[[ $output == *"package name 'Bad_Name': only lowercase"* ]]
	package -p "$T/nosuch.patch" "$T/livepatch-fix.ko"
	[ "$status" -eq 2 ]
	[[ $output == *"patch $T/nosuch.patch: not found or not readable"* ]]
	run "$KPP" -o "$T/nosuch-dir" "$T/livepatch-fix.ko"
	[ "$status" -eq 2 ]
	[[ $output == *"output directory $T/nosuch-dir: not a writable directory"* ]]
	package --bogus "$T/livepatch-fix.ko"
	[ "$status" -eq 2 ]
	[ -z "$(ls "$T/out")" ]
}

@test "--help documents the options and exit statuses" {
	run "$KPP" --help
	[ "$status" -eq 0 ]
	for o in --patch --name --version --format --output --kernel-version --target-root \
		--kernel-package --no-kernel-depends --maintainer --manager-package; do
		[[ $output == *"$o"* ]]
	done
	[[ $output == *"3  not a livepatch module"* ]]
}

@test "exit 1: rpmbuild missing for the .rpm, the message says what to do; --format deb needs none" {
	# A PATH with every command of this machine but rpmbuild.
	mkdir -p "$T/path"
	for d in /usr/local/bin /usr/bin /bin /usr/sbin /sbin; do
		for t in "$d"/*; do
			[[ -x $t && ! -e $T/path/${t##*/} ]] && ln -s "$t" "$T/path/${t##*/}"
		done
	done
	rm "$T/path/rpmbuild"
	PATH=$T/path run "$KPP" -o "$T/out" --kernel-version 1 "$T/livepatch-fix.ko"
	[ "$status" -eq 1 ]
	[[ $output == *"rpmbuild is required for the .rpm but not installed (apt install rpm, or give --format deb)"* ]]
	[ -z "$(ls "$T/out")" ]
	PATH=$T/path run "$KPP" -o "$T/out" --kernel-version 1 -f deb "$T/livepatch-fix.ko"
	[ "$status" -eq 0 ]
	[ "$(ls "$T/out")" = livepatch-fix_1_amd64.deb ]
}
