#!/usr/bin/env bats
# kpatch-build --update-from NEW --triage-only: the triage of an update
# from the source (lib/triage.sh), on two small kernel trees that differ in
# a .c file, a header (a struct's members, an inline), a Makefile only, a
# new file and a removed one, with a changelog naming CVE ids; and each
# refusal of NEW (exit 2, naming it) before anything long runs.
#
# The trees are real enough for the real steps: the driver prepares the
# target's tree (its top Makefile's olddefconfig and modules_prepare write
# what kbuild would: the config, utsrelease.h, auto.conf) and kpb-objmap maps
# it through a minimal scripts/Makefile.build and indexes its includes.  No
# compiler runs; the C tools are stand-ins that must never be reached.

bats_require_minimum_version 1.5.0
load fake-apt
load update-trees

setup() {
	update_trees_setup
	ARGS=(-s "$T/base" -c "$T/config" -v "$T/vmlinux" --triage-only -n upd -o "$T/out")
}

json() { jq -r "$1" "$T/out/livepatch-upd.triage.json"; }

@test "triage of a directory: the JSON has the issue's schema, one entry per changed file" {
	run --separate-stderr "$KPB" "${ARGS[@]}" --update-from "$T/new"
	echo "$output"
	[ "$status" -eq 0 ]
	# exactly the schema's keys
	[ "$(json 'keys_unsorted | join(",")')" = "target,from,to,cves,files" ]
	[ "$(json '[.files[] | keys_unsorted | join(",")] | unique | join(";")')" = "path,built,objects,reach,types,functions" ]
	[ "$(json '[.files[].functions[] | keys_unsorted | join(",")] | unique | join(";")')" = "name,object,status,reason" ]
	[ "$(json '.target')" = 6.1.192 ]
	[ "$(json '.from')" = 6.1.192 ]
	[ "$(json '.to')" = 6.1.193-1 ]
	[ "$(json '[.files[].path] | join(" ")')" = "Makefile debian/changelog drivers/bar/bar.c fs/proc/Makefile fs/proc/cmdline.c fs/proc/new.c fs/proc/old.c include/linux/widget.h" ]
}

@test "triage: a .c file the config builds: its object, its functions, the __init one refused" {
	"$KPB" "${ARGS[@]}" --update-from "$T/new"
	[ "$(json '.files[] | select(.path == "fs/proc/cmdline.c") | [.built, (.objects | join(",")), .reach] | map(tostring) | join(" ")')" = "true fs/proc/cmdline.o 1" ]
	[ "$(json '.files[] | select(.path == "fs/proc/cmdline.c") | [.functions[] | "\(.name) \(.object) \(.status)"] | join(";")')" = "cmdline_proc_show vmlinux carried;proc_cmdline_init vmlinux refused" ]
	[[ "$(json '.files[] | select(.path == "fs/proc/cmdline.c") | .functions[1].reason')" == *"__init code"* ]]
}

@test "triage: a header's reach through the include index; a struct whose members change is flagged, a comment is not" {
	"$KPB" "${ARGS[@]}" --update-from "$T/new"
	[ "$(json '.files[] | select(.path == "include/linux/widget.h") | [.built, (.objects | length), .reach] | map(tostring) | join(" ")')" = "true 0 2" ]
	[ "$(json '.files[] | select(.path == "include/linux/widget.h") | .types | join(",")')" = "struct widget" ]
	# widget_id: an inline reaching vmlinux (cmdline.o) and foo.ko
	[ "$(json '.files[] | select(.path == "include/linux/widget.h") | [.functions[] | "\(.name) \(.object) \(.status)"] | join(";")')" = "widget_id vmlinux carried" ]
	[[ "$(json '.files[] | select(.path == "include/linux/widget.h") | .functions[0].reason')" == *"the members of struct widget change"* ]]
}

@test "triage: not built, Makefile only, new and removed files" {
	"$KPB" "${ARGS[@]}" --update-from "$T/new"
	[ "$(json '.files[] | select(.path == "drivers/bar/bar.c") | [.built, .reach, (.functions[] | "\(.name) \(.status)")] | map(tostring) | join(" ")')" = "false 0 bar_probe not-built" ]
	[[ "$(json '.files[] | select(.path == "drivers/bar/bar.c") | .functions[0].reason')" == *"builds no object from drivers/bar/bar.c"* ]]
	[ "$(json '.files[] | select(.path == "fs/proc/Makefile") | [.built, .reach, (.functions | length)] | map(tostring) | join(" ")')" = "false 0 0" ]
	[ "$(json '.files[] | select(.path == "fs/proc/new.c") | [.built, (.functions[] | "\(.name) \(.status)")] | map(tostring) | join(" ")')" = "false new_helper not-built" ]
	[[ "$(json '.files[] | select(.path == "fs/proc/new.c") | .functions[0].reason')" == *"new in the update"* ]]
	[ "$(json '.files[] | select(.path == "fs/proc/old.c") | [.built, (.objects | join(",")), (.functions[] | "\(.name) \(.object) \(.status)")] | map(tostring) | join(" ")')" = "true fs/proc/old.o old_helper vmlinux refused" ]
}

@test "triage: a SYSCALL_DEFINE body is named __do_sys_NAME (__do_compat_sys_NAME)" {
	sed -i 's/return how;/return how + 1;/' "$T/new/fs/proc/uptime.c"
	"$KPB" "${ARGS[@]}" --update-from "$T/new"
	[ "$(json '.files[] | select(.path == "fs/proc/uptime.c") | [.functions[] | "\(.name) \(.object) \(.status)"] | join(";")')" = "__do_compat_sys_uptime vmlinux carried;__do_sys_uptime vmlinux carried" ]
}

@test "triage: a module's functions name the module; the CVE ids of the entries after the target's version" {
	sed -i 's/return widget_id(w);/return widget_id(w) * 2;/' "$T/new/drivers/foo/foo_main.c"
	"$KPB" "${ARGS[@]}" --update-from "$T/new"
	[ "$(json '.files[] | select(.path == "drivers/foo/foo_main.c") | [(.objects | join(",")), (.functions[] | "\(.name) \(.object) \(.status)")] | join(" ")')" = "drivers/foo/foo_main.o foo_probe foo carried" ]
	[ "$(json '.cves | join(" ")')" = "CVE-2026-1111 CVE-2026-2222" ]
}

@test "triage: the table names each file, its change, reach, types and functions" {
	run --separate-stderr "$KPB" "${ARGS[@]}" --update-from "$T/new"
	[ "$status" -eq 0 ]
	[[ "$output" == *"triage of 6.1.192: 6.1.192 -> 6.1.193-1: 8 file(s), 3 built by its config"* ]]
	[[ "$output" == *"CVEs: CVE-2026-1111 CVE-2026-2222"* ]]
	[[ "$output" =~ FILE\ +CHANGE\ +BUILT\ +REACH ]]
	[[ "$output" =~ include/linux/widget.h\ +M\ header\ +yes\ +2\ +\!struct\ widget\ +widget_id\ \(vmlinux:\ carried\) ]]
	[[ "$output" =~ fs/proc/new.c\ +A\ source\ +no\ +0\ +-\ +new_helper\ \(vmlinux:\ not-built\) ]]
	[[ "$output" =~ fs/proc/Makefile\ +M\ build\ +no\ +0\ +-\ +- ]]
	[[ "$output" == *"triage written: $T/out/livepatch-upd.triage.json"* ]]
}

# ---- refusals: exit 2, naming NEW, before anything long ----------------------

refused_early() {
	[ "$status" -eq 2 ]
	# nothing prepared, nothing copied, no triage
	[ ! -e "$T/cache/targets" ] && [ ! -e "$T/cache/src" ] && [ ! -e "$T/out/livepatch-upd.triage.json" ]
}

@test "refused: a directory that is not a kernel source" {
	mkdir -p "$T/notkernel"
	echo 'all:' >"$T/notkernel/Makefile"
	run "$KPB" "${ARGS[@]}" --update-from "$T/notkernel"
	refused_early
	[[ "$output" == *"--update-from $T/notkernel: not a kernel source ($T/notkernel/Makefile names no VERSION, PATCHLEVEL and SUBLEVEL)"* ]]
}

@test "refused: a tree older than or equal to the target, or of another line" {
	sed -i 's/SUBLEVEL = 193/SUBLEVEL = 191/' "$T/new/Makefile"
	rm "$T/new/debian/changelog"
	run "$KPB" "${ARGS[@]}" --update-from "$T/new"
	refused_early
	[[ "$output" == *"--update-from $T/new: 6.1.191 is not newer than the target 6.1.192 (6.1.192)"* ]]
	sed -i 's/SUBLEVEL = 191/SUBLEVEL = 192/' "$T/new/Makefile"
	run "$KPB" "${ARGS[@]}" --update-from "$T/new"
	refused_early
	[[ "$output" == *"6.1.192 is not newer than the target"* ]]
	sed -i 's/PATCHLEVEL = 1/PATCHLEVEL = 12/' "$T/new/Makefile"
	run "$KPB" "${ARGS[@]}" --update-from "$T/new"
	refused_early
	[[ "$output" == *"Linux 6.12.192 (its Makefile) is not of the target's line 6.1"* ]]
}

@test "refused: options that do not go with --update-from" {
	run "$KPB" "${ARGS[@]}" --update-from "$T/new" "$T/vmlinux.c"
	refused_early
	[[ "$output" == *"takes no PATCH"* ]]
	run "$KPB" -s "$T/base" -c "$T/config" -v "$T/vmlinux" --triage-only --update-from "$T/new"
	refused_early
	[[ "$output" == *"-n NAME is required"* ]]
	run "$KPB" -s "$T/base" -c "$T/config" -v "$T/vmlinux" --triage-only "$T/vmlinux.c"
	refused_early
	[[ "$output" == *"--triage-only: only with --update-from NEW"* ]]
	run "$KPB" "${ARGS[@]}" --update-from 'not a version'
	refused_early
	[[ "$output" == *"--update-from not a version: not a version of linux-source-6.1, a .deb or a directory"* ]]
}

# ---- Debian: a target root, linux-source .debs, apt ---------------------------

# linux-source-6.1 VER's .deb in DIR, of TREE, with a changelog naming CVEs
# in its newest entry (PKG another package name).
fake_source_deb() {
	local ver=$1 tree=$2 dir=$3 pkg=${4:-linux-source-6.1} root=$T/pkg-$1
	rm -rf "$root" "$T/tar-$ver"
	mkdir -p "$root/DEBIAN" "$root/usr/src" "$root/usr/share/doc/linux-source-6.1" "$dir" "$T/tar-$ver"
	cp -r "$tree" "$T/tar-$ver/linux-source-6.1"
	rm -rf "$T/tar-$ver/linux-source-6.1/debian"
	tar -cJf "$root/usr/src/linux-source-6.1.tar.xz" -C "$T/tar-$ver" linux-source-6.1
	printf 'linux (%s) bookworm-security; urgency=high\n\n  * Fix (CVE-2026-3333).\n\n -- Fake <f@example.org>  Mon, 01 Dec 2026 10:00:00 +0000\n\nlinux (6.1.192-3) bookworm-security; urgency=high\n\n  * The target (CVE-2025-0001).\n' "$ver" |
		gzip -9n >"$root/usr/share/doc/linux-source-6.1/changelog.Debian.gz"
	printf 'Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: Fake <fake@example.org>\nDescription: Linux kernel source (fake)\n' \
		"$pkg" "$ver" >"$root/DEBIAN/control"
	dpkg-deb -b --root-owner-group "$root" "$dir/${pkg}_${ver}_all.deb" >/dev/null
}

# Debian's 6.1.0-57-cloud-amd64 (6.1.192-3) unpacked in $T/root with its
# source's .deb; apt-cache and apt-get on PATH know what $T/archive holds.
fake_debian_target() {
	local rel=6.1.0-57-cloud-amd64 root=$T/root
	mkdir -p "$root/boot" "$root/usr/lib/debug/boot" "$root/usr/src/linux-headers-$rel" "$T/fakebin" "$T/archive"
	cp "$T/config" "$root/boot/config-$rel"
	printf 'int x;\nconst char b[] = "Linux version %s (fake@host) (%s) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-3 (2026-01-10)\\n";\n' \
		"$rel" "$(gcc --version | head -n1)" >"$T/v.c"
	gcc -c -o "$root/usr/lib/debug/boot/vmlinux-$rel" "$T/v.c"
	cp "$T/Module.symvers" "$root/usr/src/linux-headers-$rel/"
	fake_source_deb 6.1.192-3 "$T/base" "$root"
	export PATH=$T/fakebin:$PATH
	fake_apt "$T/fakebin" "$T/archive" "$T/apt-get.calls"
	TARGET=(--release "$rel" --target-root "$root" --triage-only -n upd -o "$T/out")
}

@test "Debian: NEW a version apt knows, fetched once into the cache; the CVEs of its changelog after the target's" {
	fake_debian_target
	fake_source_deb 6.1.193-1 "$T/new" "$T/archive"
	run --separate-stderr "$KPB" "${TARGET[@]}" --update-from 6.1.193-1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(json '[.target, .from, .to] | join(" ")')" = "6.1.0-57-cloud-amd64 6.1.192-3 6.1.193-1" ]
	[ "$(json '.cves | join(" ")')" = CVE-2026-3333 ]
	[ "$(json '.files[] | select(.path == "fs/proc/cmdline.c") | .functions[0] | "\(.name) \(.status)"')" = "cmdline_proc_show carried" ]
	[ "$(grep -c 'download linux-source-6.1=6.1.193-1' "$T/apt-get.calls")" -eq 1 ]
	# again: nothing fetched, nothing unpacked
	run --separate-stderr "$KPB" "${TARGET[@]}" --update-from 6.1.193-1
	[ "$status" -eq 0 ]
	[ "$(grep -c 'download linux-source-6.1=6.1.193-1' "$T/apt-get.calls")" -eq 1 ]
	[[ "$output" != *"unpacking"* ]]
}

@test "Debian: NEW a .deb of the target's line" {
	fake_debian_target
	fake_source_deb 6.1.193-1 "$T/new" "$T/debs"
	run --separate-stderr "$KPB" "${TARGET[@]}" --update-from "$T/debs/linux-source-6.1_6.1.193-1_all.deb"
	[ "$status" -eq 0 ]
	[ "$(json '.to')" = 6.1.193-1 ]
	[ "$(json '[.files[].path] | length')" = 7 ]
}

@test "Debian: an update that changes no file of the source: exit 7, an empty triage" {
	fake_debian_target
	fake_source_deb 6.1.192-4 "$T/base" "$T/debs"
	run --separate-stderr "$KPB" "${TARGET[@]}" --update-from "$T/debs/linux-source-6.1_6.1.192-4_all.deb"
	[ "$status" -eq 7 ]
	[ "$(json '[.from, .to, (.files | length)] | map(tostring) | join(" ")')" = "6.1.192-3 6.1.192-4 0" ]
	[ "$(json '.cves | join(" ")')" = CVE-2026-3333 ]
}

# refuses NEW MESSAGE: --update-from NEW of the Debian target, refused early.
refuses() {
	run "$KPB" "${TARGET[@]}" --update-from "$1"
	refused_early
	[[ "$output" == *"$2"* ]] || { echo "$output"; return 1; }
}

@test "Debian refusals: a version apt does not know, one not newer, another line's .deb, no .deb" {
	fake_debian_target
	fake_source_deb 6.1.193-1 "$T/new" "$T/archive"
	refuses 6.1.199-1 "--update-from 6.1.199-1: apt knows no linux-source-6.1 6.1.199-1 (it knows: 6.1.193-1; apt-cache policy linux-source-6.1)"
	refuses 6.1.192-3 "--update-from 6.1.192-3: 6.1.192-3 is not newer than the target 6.1.0-57-cloud-amd64 (6.1.192-3)"
	refuses 6.1.192-2 "6.1.192-2 is not newer than the target"
	refuses 6.12.117-1 "--update-from 6.12.117-1: not a version of linux-source-6.1"
	fake_source_deb 6.12.117-1 "$T/new" "$T/debs" linux-source-6.12
	refuses "$T/debs/linux-source-6.12_6.12.117-1_all.deb" \
		"--update-from $T/debs/linux-source-6.12_6.12.117-1_all.deb: package linux-source-6.12 6.12.117-1, not linux-source-6.1"
	echo junk >"$T/debs/junk.deb"
	refuses "$T/debs/junk.deb" "--update-from $T/debs/junk.deb: not a .deb"
	refuses "$T/debs/nosuch.deb" "--update-from $T/debs/nosuch.deb: no such readable file"
	[ ! -e "$T/apt-get.calls" ]
}
