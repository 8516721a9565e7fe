# shellcheck shell=bash
# Helpers of the packaging tests (test/cli/kpatch-package*.bats and
# test/packaging/run-packaging): fake livepatch modules, fake kernel
# packages, a scratch root for dpkg --root and rpm --root.

# shellcheck disable=SC2034 # read by the bats files that load this
PACKAGING_TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# fake_module DIR NAME RELEASE [REPLACE [EXTRA-TAG...]]: DIR/NAME.ko, a
# relocatable ELF object whose .modinfo says what a livepatch module's does
# (kpatch-package reads nothing else).  REPLACE "-" leaves the tag out.
fake_module() {
	local dir=$1 name=$2 release=$3 replace=${4:-Y} tag i=0
	shift 4 || shift $#
	{
		echo '#define TAG(n, v) static const char n[] __attribute__((section(".modinfo"), used, aligned(1))) = v'
		for tag in livepatch=Y "vermagic=$release SMP preempt mod_unload modversions " \
			"name=${name//-/_}" ${replace:+"livepatch_replace=$replace"} "$@"; do
			[[ $tag == livepatch_replace=- ]] && continue
			echo "TAG(t$((i++)), \"$tag\");"
		done
		echo 'int livepatch_fake_data;'
	} >"$dir/$name.c"
	gcc -c -o "$dir/$name.ko" "$dir/$name.c"
}

# fake_deb DIR PACKAGE VERSION [FILE-IN-PACKAGE SOURCE]: DIR/PACKAGE.deb
fake_deb() {
	local dir=$1 pkg=$2 ver=$3 root=$1/$2-root
	mkdir -p "$root/DEBIAN"
	printf 'Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: Test <test@example.org>\nDescription: a stand-in for the tests\n' \
		"$pkg" "$ver" >"$root/DEBIAN/control"
	if [[ -n ${4:-} ]]; then
		install -D -m755 "$5" "$root$4"
	fi
	dpkg-deb --root-owner-group --build "$root" "$dir/$pkg.deb" >/dev/null
}

# scratch_root DIR: a root where dpkg --root and rpm --root can run
# maintainer scripts (busybox sh), with the stub manager as /usr/sbin/kpatch
# and /sys/module a plain directory.  busybox runs its own uname, so the
# "running" release in the root is the host's (uname -r).
scratch_root() {
	local root=$1 a
	mkdir -p "$root"/{bin,usr/sbin,sys/module,tmp,etc,var/log,var/lib/dpkg/info,var/lib/dpkg/updates}
	touch "$root/var/lib/dpkg/status" "$root/var/lib/dpkg/available"
	cp "$(command -v busybox)" "$root/bin/busybox"
	for a in sh cat rm mkdir rmdir dirname basename tr echo ls mv cp uname; do
		ln -s busybox "$root/bin/$a"
	done
}

# The manager's calls so far in the scratch root, one a line.
manager_calls() { cat "$1/var/log/kpatch.calls" 2>/dev/null || true; }
