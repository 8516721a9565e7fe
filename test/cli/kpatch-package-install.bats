#!/usr/bin/env bats
# The patch packages' maintainer scripts, run for real: the .deb through
# dpkg --root and the .rpm through rpm --root, in a scratch root (busybox
# sh) whose /usr/sbin/kpatch is test/packaging/stub-kpatch.  A stub, not
# manager/kpatch: no livepatch kernel runs in the root, and the tests are
# about which calls the scripts make and in which order (the stub logs
# them, "loads" into /sys/module/NAME and errs as the manager does).
# Needs root (dpkg and rpm chroot into the scratch root for the scripts).

load ../packaging/helpers

setup() {
	[[ $(id -u) -eq 0 ]] || skip "dpkg --root runs maintainer scripts in a chroot: needs root"
	command -v busybox >/dev/null || skip "busybox (busybox-static) is not installed"
	KPP=$BATS_TEST_DIRNAME/../../kpatch-build/kpatch-package
	T=$BATS_TEST_TMPDIR
	R=$T/root
	export TMPDIR=$T
	# busybox's uname in the root reports the host's kernel: the modules
	# are "for the running kernel" when built for this release.
	RUNNING=$(uname -r)
	scratch_root "$R"
	fake_deb "$T" kpatch 0.0-stub /usr/sbin/kpatch "$PACKAGING_TESTS/stub-kpatch"
	fake_deb "$T" "linux-image-$RUNNING" 1.0-test
	mkdir -p "$T/v1" "$T/v2" "$T/out"
}

dpkg_root() { dpkg --root="$R" --log=/dev/null --force-unsafe-io "$@"; }

# patch_package DIR MODULE RELEASE REPLACE VERSION [FORMAT]
patch_package() {
	fake_module "$1" "$2" "$3" "$4"
	"$KPP" -o "$1" -f "${6:-deb}" --name livepatch-fix --version "$5" --kernel-version 1.0-test "$1/$2.ko" >/dev/null
}

install_base() {
	dpkg_root -i "$T/kpatch.deb" "$T/linux-image-$RUNNING.deb" >/dev/null
}

calls() { manager_calls "$R"; }
clear_calls() { rm -f "$R/var/log/kpatch.calls"; }

@test ".deb install: kpatch install, then load of the running kernel's patch" {
	install_base
	patch_package "$T/v1" livepatch-fix-v1 "$RUNNING" Y 1
	run dpkg_root -i "$T/v1/livepatch-fix_1_amd64.deb"
	[ "$status" -eq 0 ]
	[ "$(calls)" = "install /usr/lib/kpatch-package/livepatch-fix/livepatch-fix-v1.ko
load livepatch-fix-v1" ]
	[ -d "$R/sys/module/livepatch_fix_v1" ]
	[ -f "$R/var/lib/kpatch-stub/livepatch-fix-v1.ko" ]
	dpkg_root -s livepatch-fix | grep -q '^Status: install ok installed'
}

@test ".deb: no manager call when the exact kernel package is not there" {
	dpkg_root -i "$T/kpatch.deb" >/dev/null
	fake_deb "$T" "linux-image-$RUNNING" 0.9-other
	dpkg_root -i "$T/linux-image-$RUNNING.deb" >/dev/null
	patch_package "$T/v1" livepatch-fix-v1 "$RUNNING" Y 1
	run dpkg_root -i "$T/v1/livepatch-fix_1_amd64.deb"
	[ "$status" -ne 0 ]
	[[ $output == *"depends on linux-image-$RUNNING (= 1.0-test)"* ]]
	[ -z "$(calls)" ]
}

@test ".deb upgrade of a cumulative patch: the new one loads before the old one goes" {
	install_base
	patch_package "$T/v1" livepatch-fix-v1 "$RUNNING" Y 1
	patch_package "$T/v2" livepatch-fix-v2 "$RUNNING" Y 2
	dpkg_root -i "$T/v1/livepatch-fix_1_amd64.deb" >/dev/null
	clear_calls
	run dpkg_root -i "$T/v2/livepatch-fix_2_amd64.deb"
	[ "$status" -eq 0 ]
	# The old prerm (upgrade) unloads nothing; the new postinst loads v2 with
	# atomic replace, then cleans v1 up.
	[ "$(calls)" = "install /usr/lib/kpatch-package/livepatch-fix/livepatch-fix-v2.ko
--replace-ok load livepatch-fix-v2
unload livepatch-fix-v1
uninstall livepatch-fix-v1" ]
	[ "$(ls "$R/usr/lib/kpatch-package/livepatch-fix")" = livepatch-fix-v2.ko ]
	[ "$(ls "$R/sys/module")" = livepatch_fix_v2 ]
	[ ! -e "$R/var/lib/kpatch-package/livepatch-fix.previous" ]
}

@test ".deb remove and purge: unload, uninstall, nothing left" {
	install_base
	patch_package "$T/v1" livepatch-fix-v1 "$RUNNING" Y 1
	dpkg_root -i "$T/v1/livepatch-fix_1_amd64.deb" >/dev/null
	clear_calls
	run dpkg_root --purge livepatch-fix
	[ "$status" -eq 0 ]
	[ "$(calls)" = "unload livepatch-fix-v1
uninstall livepatch-fix-v1" ]
	[ ! -e "$R/usr/lib/kpatch-package" ]
	[ ! -e "$R/var/lib/kpatch-package" ]
	[ -z "$(find "$R/sys/module" "$R/var/lib/kpatch-stub" -mindepth 1)" ]
}

@test ".deb remove fails, and says why, when the manager cannot unload" {
	install_base
	patch_package "$T/v1" livepatch-fix-v1 "$RUNNING" Y 1
	dpkg_root -i "$T/v1/livepatch-fix_1_amd64.deb" >/dev/null
	# A manager whose unload fails (a transition that does not finish).
	printf '#!/bin/sh\necho "kpatch: transition timed out" >&2\nexit 1\n' >"$R/usr/sbin/kpatch"
	run dpkg_root -r livepatch-fix
	[ "$status" -ne 0 ]
	[[ $output == *"kpatch: transition timed out"* ]]
	# Still installed (dpkg ran postinst abort-remove), the patch still loaded.
	dpkg_root -s livepatch-fix | grep -q '^Status: deinstall ok installed$'
	[ -d "$R/sys/module/livepatch_fix_v1" ]
}

@test ".deb for another kernel: installed, not loaded, and the script says when it loads" {
	install_base
	fake_deb "$T" linux-image-6.1.0-57-cloud-amd64 1.0-test
	dpkg_root -i "$T/linux-image-6.1.0-57-cloud-amd64.deb" >/dev/null
	fake_module "$T/v1" livepatch-other 6.1.0-57-cloud-amd64 Y
	"$KPP" -o "$T/v1" -f deb --kernel-version 1.0-test "$T/v1/livepatch-other.ko" >/dev/null
	run dpkg_root -i "$T/v1/livepatch-other_1_amd64.deb"
	[ "$status" -eq 0 ]
	[ "$(calls)" = "install /usr/lib/kpatch-package/livepatch-other/livepatch-other.ko" ]
	[[ $output == *"livepatch-other is for Linux 6.1.0-57-cloud-amd64, running $RUNNING: it loads when 6.1.0-57-cloud-amd64 boots"* ]]
	clear_calls
	dpkg_root -r livepatch-other >/dev/null
	[ "$(calls)" = "uninstall livepatch-other" ]
}

@test ".deb upgrade with the same module name: reloaded, not atomic, and said so" {
	install_base
	patch_package "$T/v1" livepatch-fix "$RUNNING" Y 1
	patch_package "$T/v2" livepatch-fix "$RUNNING" Y 2
	dpkg_root -i "$T/v1/livepatch-fix_1_amd64.deb" >/dev/null
	clear_calls
	run dpkg_root -i "$T/v2/livepatch-fix_2_amd64.deb"
	[ "$status" -eq 0 ]
	[[ $output == *"livepatch-fix has the name of the version it upgrades: reloading it (not atomic"* ]]
	[ "$(calls)" = "unload livepatch-fix
uninstall livepatch-fix
install /usr/lib/kpatch-package/livepatch-fix/livepatch-fix.ko
load livepatch-fix" ]
}

@test ".deb upgrade of a non-replace patch: the previous one goes first" {
	install_base
	patch_package "$T/v1" livepatch-fix-v1 "$RUNNING" N 1
	patch_package "$T/v2" livepatch-fix-v2 "$RUNNING" N 2
	dpkg_root -i "$T/v1/livepatch-fix_1_amd64.deb" >/dev/null
	clear_calls
	run dpkg_root -i "$T/v2/livepatch-fix_2_amd64.deb"
	[ "$status" -eq 0 ]
	[[ $output == *"livepatch-fix-v2 is not an atomic-replace patch: removing the previous version first"* ]]
	[ "$(calls)" = "unload livepatch-fix-v1
uninstall livepatch-fix-v1
install /usr/lib/kpatch-package/livepatch-fix/livepatch-fix-v2.ko
load livepatch-fix-v2" ]
}

@test ".rpm install, upgrade (new loaded first, old %preun idle) and erase" {
	command -v rpm >/dev/null || skip "rpm is not installed"
	mkdir -p "$R/usr/sbin"
	install -m755 "$PACKAGING_TESTS/stub-kpatch" "$R/usr/sbin/kpatch"
	rpm --root "$R" --initdb
	patch_package "$T/v1" livepatch-fix-v1 "$RUNNING" Y 1 rpm
	patch_package "$T/v2" livepatch-fix-v2 "$RUNNING" Y 2 rpm
	# --nodeps: the root has no rpm-packaged kernel or manager.
	rpm --root "$R" -i --nodeps "$T/v1/livepatch-fix-1-1.x86_64.rpm" 2>/dev/null
	[ "$(calls)" = "install /usr/lib/kpatch-package/livepatch-fix/livepatch-fix-v1.ko
load livepatch-fix-v1" ]
	clear_calls
	rpm --root "$R" -U --nodeps "$T/v2/livepatch-fix-2-1.x86_64.rpm" 2>/dev/null
	[ "$(calls)" = "install /usr/lib/kpatch-package/livepatch-fix/livepatch-fix-v2.ko
--replace-ok load livepatch-fix-v2
unload livepatch-fix-v1
uninstall livepatch-fix-v1" ]
	[ "$(ls "$R/usr/lib/kpatch-package/livepatch-fix")" = livepatch-fix-v2.ko ]
	clear_calls
	rpm --root "$R" -e livepatch-fix 2>/dev/null
	[ "$(calls)" = "unload livepatch-fix-v2
uninstall livepatch-fix-v2" ]
	[ -z "$(ls "$R/sys/module")" ]
}
