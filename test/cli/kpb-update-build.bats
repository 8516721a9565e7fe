#!/usr/bin/env bats
# kpatch-build --update-from NEW without --triage-only: the build of the
# update's selection (lib/triage.sh, then the normal pipeline), on the two
# small trees of update-trees.bash: the selection (--only, --exclude, a
# directory), a PATH the update does not change (exit 2 before the tree is
# prepared), each change the triage can tell cannot be livepatched refused
# before anything is compiled (exit 6, naming the file, the function or the
# type and the --exclude PATH), the statuses the triage JSON then says, and
# the patch the pipeline is given.  No compiler runs on these trees: a run
# that passes the refusals stops at the first compile (exit 5), after
# writing the patch (--keep-tmp keeps it).  The module's modinfo of an
# update (livepatch_from, livepatch_to, livepatch_cves) is compiled here
# from what kmod.sh writes and read with the real modinfo.

bats_require_minimum_version 1.5.0
load update-trees

setup() {
	update_trees_setup
	# uptime.c changes too: a selected file with nothing to refuse.
	sed -i 's/return how;/return how + 1;/' "$T/new/fs/proc/uptime.c"
	ARGS=(-s "$T/base" -c "$T/config" -v "$T/vmlinux" -n upd -o "$T/out" --update-from "$T/new")
}

json() { jq -r "$1" "$T/out/livepatch-upd.triage.json"; }
statuses() { json ".files[] | select(.path == \"$1\") | [.functions[] | \"\(.name) \(.status)\"] | join(\";\")"; }
nothing_compiled() { [[ "$output" != *"compiling"* && "$output" != *"must not run"* ]]; }
# The patch the pipeline was given (the run's kept temporary directory).
update_patch() { cat "$T"/kpatch-build.*/update-6.1.193-1.patch; }

@test "the whole update: every change that cannot be livepatched named, exit 6 before any compile, with the --exclude PATHs" {
	run --separate-stderr "$KPB" "${ARGS[@]}"
	[ "$status" -eq 6 ]
	nothing_compiled
	# shellcheck disable=SC2154 # set by bats' run --separate-stderr
	[[ "$stderr" == *"fs/proc/Makefile: a build or configuration change cannot be livepatched"* ]]
	[[ "$stderr" == *"fs/proc/cmdline.c: proc_cmdline_init: __init code"* ]]
	[[ "$stderr" == *"fs/proc/old.c: the update removes it"* ]]
	[[ "$stderr" == *"include/linux/widget.h: the members of struct widget change"* ]]
	[[ "$stderr" == *"5 selected file(s) of the update cannot be livepatched"*"leave them out: --exclude Makefile --exclude fs/proc/Makefile --exclude fs/proc/cmdline.c --exclude fs/proc/old.c --exclude include/linux/widget.h"* ]]
	# nothing to refuse in uptime.c; the not-built and new files are not refusals
	[[ "$stderr" != *"fs/proc/uptime.c:"* && "$stderr" != *"drivers/bar/bar.c:"* && "$stderr" != *"fs/proc/new.c:"* ]]
	# the triage says why, per row
	[ "$(statuses fs/proc/cmdline.c)" = "cmdline_proc_show refused;proc_cmdline_init refused" ]
	[[ "$(json '.files[] | select(.path == "fs/proc/cmdline.c") | .functions[0].reason')" == *"its file is refused"*"--exclude fs/proc/cmdline.c leaves it out"* ]]
	[[ "$(json '.files[] | select(.path == "fs/proc/cmdline.c") | .functions[1].reason')" == *"__init code"* ]]
	[ "$(statuses include/linux/widget.h)" = "widget_id refused" ]
	[[ "$(json '.files[] | select(.path == "include/linux/widget.h") | .functions[0].reason')" == *"the members of struct widget change"* ]]
	[ "$(statuses fs/proc/uptime.c)" = "__do_compat_sys_uptime carried;__do_sys_uptime carried" ]
	[ "$(statuses drivers/bar/bar.c)" = "bar_probe not-built" ]
}

@test "--exclude: what is left out is excluded, the rest built; a directory leaves out all its files" {
	run --separate-stderr "$KPB" "${ARGS[@]}" --keep-tmp --exclude Makefile --exclude fs/proc/Makefile \
		--exclude fs/proc/cmdline.c --exclude fs/proc/old.c --exclude include/
	echo "$stderr"
	# past the refusals: the patch is given to the pipeline, whose first compile fails here
	[ "$status" -eq 5 ]
	[[ "$output" == *"update: building the change of 1 file(s)"* ]]
	[[ "$output" == *"checking that 1 patch(es) apply"* ]]
	[ "$(update_patch | grep '^+++ ')" = "+++ b/fs/proc/uptime.c" ]
	update_patch | grep -q '^+	return how + 1;'
	[[ "$stderr" == *"drivers/bar/bar.c: not built by the target's config (skipped)"* ]]
	[[ "$stderr" == *"fs/proc/new.c: new in the update, not built by the target's config (skipped)"* ]]
	[[ "$stderr" == *"debian/changelog: not kernel code, skipped"* ]]
	[ "$(statuses fs/proc/cmdline.c)" = "cmdline_proc_show excluded;proc_cmdline_init excluded" ]
	[ "$(json '.files[] | select(.path == "fs/proc/cmdline.c") | .functions[0].reason')" = "left out with --exclude fs/proc/cmdline.c" ]
	[ "$(json '.files[] | select(.path == "include/linux/widget.h") | .functions[0].reason')" = "left out with --exclude include/" ]
	[ "$(statuses fs/proc/uptime.c)" = "__do_compat_sys_uptime carried;__do_sys_uptime carried" ]
	[ "$(statuses drivers/bar/bar.c)" = "bar_probe not-built" ]
}

@test "--only: only the chosen files; the others are excluded" {
	run --separate-stderr "$KPB" "${ARGS[@]}" --keep-tmp --only fs/proc/uptime.c --only drivers/bar/bar.c
	[ "$status" -eq 5 ]
	[ "$(update_patch | grep '^+++ ')" = "+++ b/fs/proc/uptime.c" ]
	[ "$(statuses fs/proc/cmdline.c)" = "cmdline_proc_show excluded;proc_cmdline_init excluded" ]
	[ "$(json '.files[] | select(.path == "fs/proc/cmdline.c") | .functions[0].reason')" = "not chosen with --only" ]
	[ "$(statuses drivers/bar/bar.c)" = "bar_probe not-built" ]
	[ "$(statuses fs/proc/old.c)" = "old_helper excluded" ]
}

@test "--only a file with an __init change: exit 6 naming the file and the function, before any compile" {
	run --separate-stderr "$KPB" "${ARGS[@]}" --only fs/proc/cmdline.c
	[ "$status" -eq 6 ]
	nothing_compiled
	[[ "$stderr" == *"fs/proc/cmdline.c: proc_cmdline_init: __init code: a changed __init function is refused"* ]]
	[[ "$stderr" == *"1 selected file(s) of the update cannot be livepatched"*"leave them out: --exclude fs/proc/cmdline.c"* ]]
}

@test "--only a header whose struct's members change: exit 6 naming the type" {
	run --separate-stderr "$KPB" "${ARGS[@]}" --only include/linux/widget.h
	[ "$status" -eq 6 ]
	nothing_compiled
	[[ "$stderr" == *"include/linux/widget.h: the members of struct widget change: a type whose layout changes cannot be livepatched"* ]]
	[[ "$stderr" == *"leave them out: --exclude include/linux/widget.h"* ]]
}

@test "a selection of nothing the config builds: exit 7, naming the triage" {
	run --separate-stderr "$KPB" "${ARGS[@]}" --only drivers/bar --only fs/proc/new.c
	[ "$status" -eq 7 ]
	nothing_compiled
	[[ "$stderr" == *"the selection of the update changes no file the target's config builds (the triage: $T/out/livepatch-upd.triage.json)"* ]]
}

@test "a PATH the update does not change: exit 2, naming it, before the tree is prepared" {
	run --separate-stderr "$KPB" "${ARGS[@]}" --only fs/proc/nosuch.c
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--only fs/proc/nosuch.c: the update 6.1.192 -> 6.1.193-1 does not change fs/proc/nosuch.c"* ]]
	[ ! -e "$T/out/livepatch-upd.triage.json" ]
	! ls "$T"/cache/targets/*/.kpb-prepared 2>/dev/null || false
	run --separate-stderr "$KPB" "${ARGS[@]}" --only fs/proc/uptime.c --exclude fs/pro
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--exclude fs/pro: the update 6.1.192 -> 6.1.193-1 does not change fs/pro "* ]]
	# --triage-only checks them too
	run --separate-stderr "$KPB" "${ARGS[@]}" --triage-only --exclude nosuch
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--exclude nosuch: the update"* ]]
}

@test "--only and --exclude without --update-from: exit 2" {
	run "$KPB" -s "$T/base" -c "$T/config" -v "$T/vmlinux" --only fs/proc/uptime.c "$T/vmlinux.c"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--only, --exclude: only with --update-from NEW"* ]]
}

@test "--triage-only with a selection: the excluded rows say so, nothing refused or built" {
	run --separate-stderr "$KPB" "${ARGS[@]}" --triage-only --exclude fs/proc/cmdline.c
	[ "$status" -eq 0 ]
	[ "$(statuses fs/proc/cmdline.c)" = "cmdline_proc_show excluded;proc_cmdline_init excluded" ]
	[ "$(statuses fs/proc/old.c)" = "old_helper refused" ]
}

# ---- the module's record of the update ---------------------------------------

# What kmod.sh writes for an update, compiled against a <linux/module.h>
# whose MODULE_INFO is the kernel's (a "tag=value" string in .modinfo).
compile_update_modinfo() {
	mkdir -p "$T/inc/linux" "$T/mdir"
	cat >"$T/inc/linux/module.h" <<'EOF'
#define __stringify_1(x) #x
#define __stringify(x) __stringify_1(x)
#define __cat2(a, b) a##b
#define __cat(a, b) __cat2(a, b)
#define MODULE_INFO(tag, info) static const char __cat(__mod_##tag, __LINE__)[] \
	__attribute__((section(".modinfo"), used, aligned(1))) = __stringify(tag) "=" info
EOF
	(
		LIB=$BATS_TEST_DIRNAME/../../kpatch-build/lib
		PROG=kpatch-build OPT_DEBUG=0 OPT_KEEP_TMP=0
		# shellcheck source=shlib/msg.sh
		source "$LIB/../../shlib/msg.sh"
		# shellcheck source=kpatch-build/lib/common.sh
		source "$LIB/common.sh"
		# shellcheck source=kpatch-build/lib/triage.sh
		source "$LIB/triage.sh"
		# shellcheck source=kpatch-build/lib/kmod.sh
		source "$LIB/kmod.sh"
		TARGET_DEB_VERSION=$1 UPDATE_VERSION=$2
		shift 2
		UPDATE_CVES=("$@")
		write_update_modinfo "$T/mdir"
	) || return 1
	gcc -c -I"$T/inc" -o "$T/mdir/livepatch-update.ko" "$T/mdir/livepatch-update.c"
}

@test "modinfo of an update: livepatch_from, livepatch_to, livepatch_cves" {
	compile_update_modinfo 6.1.192-2 6.1.192-3 CVE-2026-1111 CVE-2026-2222
	[ "$(modinfo -F livepatch_from "$T/mdir/livepatch-update.ko")" = 6.1.192-2 ]
	[ "$(modinfo -F livepatch_to "$T/mdir/livepatch-update.ko")" = 6.1.192-3 ]
	[ "$(modinfo -F livepatch_cves "$T/mdir/livepatch-update.ko")" = CVE-2026-1111,CVE-2026-2222 ]
	# no CVE named: no livepatch_cves
	rm -rf "$T/mdir"
	compile_update_modinfo 6.1.192-2 6.1.192-3
	[ "$(modinfo -F livepatch_to "$T/mdir/livepatch-update.ko")" = 6.1.192-3 ]
	[ -z "$(modinfo -F livepatch_cves "$T/mdir/livepatch-update.ko")" ]
	# the template links it in only for an update
	grep -q 'livepatch-$(KPATCH_NAME)-$(KPATCH_UPDATE) += livepatch-update.o' "$BATS_TEST_DIRNAME/../../kmod-template/Kbuild"
}

@test "modinfo of patches: no update recorded, no livepatch-update.c" {
	run compile_update_modinfo 6.1.192-2 ''
	[ "$status" -ne 0 ]
	[ ! -e "$T/mdir/livepatch-update.c" ]
}
