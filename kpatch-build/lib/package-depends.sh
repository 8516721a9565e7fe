# shellcheck shell=bash
# kpatch-package: the kernel package a livepatch module depends on.
#
#   resolve_kernel_dependency   DEB_KERNEL_DEPENDS (e.g. "linux-image-6.1.0-57-
#                               cloud-amd64 (= 6.1.192-3)", or empty) and
#                               RPM_KERNEL_REQUIRES ("kernel-uname-r = REL")
#
# A Debian kernel (release X.Y.Z-ABI-FLAVOUR or X.Y.Z+debN-FLAVOUR) is
# depended on exactly: the package version from --kernel-version, else
# --kernel-deb FILE, else the target root's dpkg database, else its
# linux-image package's changelog, else the name of a downloaded
# linux-image-REL_VERSION_ARCH.deb (in the current directory or next to
# the target root), else this machine's dpkg, else apt when it knows one
# version only.  Any
# other release: linux-image-REL without a version in the .deb (the name
# kernel's `make bindeb-pkg` and Ubuntu use).  The .rpm requires
# kernel-uname-r = REL (what Fedora's and RHEL's kernels provide) when REL
# is an RPM version-release (at most one '-'), else the file
# /lib/modules/REL/modules.order that every packaged kernel ships.
# (dpkg_version and changelog_version: lib/dpkg.sh.)

DEB_KERNEL_DEPENDS='' RPM_KERNEL_REQUIRES=''

is_debian_release() { [[ $1 =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9]+|\+deb[0-9]+)-[a-z0-9]+(-[a-z0-9]+)*$ ]]; }

resolve_kernel_dependency() {
	local pkg=${OPT_KERNEL_PACKAGE:-linux-image-$MOD_RELEASE} ver=$OPT_KERNEL_VERSION
	RPM_KERNEL_REQUIRES=$(rpm_kernel_requires "$MOD_RELEASE")
	if ((OPT_NO_KERNEL_DEPENDS)); then
		RPM_KERNEL_REQUIRES='' DEB_KERNEL_DEPENDS=''
		return 0
	fi
	if [[ -z $ver && -n $OPT_KERNEL_DEB ]]; then
		check_kernel_deb "$pkg" "$OPT_KERNEL_DEB"
		ver=$(dpkg-deb -f "$OPT_KERNEL_DEB" Version)
	fi
	if [[ -n $ver ]] || { [[ -z $OPT_KERNEL_PACKAGE ]] && is_debian_release "$MOD_RELEASE"; }; then
		[[ -n $ver ]] || ver=$(find_kernel_package_version "$pkg")
		[[ -n $ver ]] || die "$EXIT_KERNEL_VERSION" "$MOD_FILE: built for Debian's $MOD_RELEASE, but the version of $pkg is unknown: give --kernel-version VER, --kernel-deb FILE, or --target-root DIR with its packages (or --no-kernel-depends)"
		[[ $ver =~ ^[0-9][A-Za-z0-9.+~:-]*$ ]] || die "$EXIT_USAGE" "kernel package version '$ver' is not a Debian version"
		DEB_KERNEL_DEPENDS="$pkg (= $ver)"
	else
		DEB_KERNEL_DEPENDS=$pkg
	fi
	note "depends on $DEB_KERNEL_DEPENDS (.deb), ${RPM_KERNEL_REQUIRES} (.rpm)"
}

# --kernel-deb must be the package the module is for.
check_kernel_deb() {
	local pkg=$1 deb=$2 name
	name=$(dpkg-deb -f "$deb" Package 2>/dev/null) || die "$EXIT_USAGE" "--kernel-deb $deb: not a .deb"
	[[ $name == "$pkg" ]] || die "$EXIT_USAGE" "--kernel-deb $deb: package $name, not $pkg (the module is for $MOD_RELEASE)"
}

rpm_kernel_requires() {
	if [[ $1 =~ ^[^-]+(-[^-]+)?$ ]]; then
		echo "kernel-uname-r = $1"
	else
		echo "/lib/modules/$1/modules.order"
	fi
}

find_kernel_package_version() {
	local pkg=$1 ver=''
	if [[ -n $OPT_TARGET_ROOT ]]; then
		ver=$(dpkg_version "$pkg" --admindir="$OPT_TARGET_ROOT/var/lib/dpkg")
		[[ -n $ver ]] || ver=$(changelog_version "$OPT_TARGET_ROOT/usr/share/doc/$pkg")
		[[ -n $ver ]] || ver=$(deb_name_version "$pkg" . "$(dirname "$OPT_TARGET_ROOT")")
	else
		ver=$(dpkg_version "$pkg")
		[[ -n $ver ]] || ver=$(deb_name_version "$pkg" .)
		[[ -n $ver ]] || ver=$(apt_single_version "$pkg")
	fi
	echo "$ver"
}

# PKG_VERSION_ARCH.deb as apt-get download names it (an epoch's ':' as %3a),
# when the directories hold exactly one version.
deb_name_version() {
	local pkg=$1 versions
	shift
	versions=$(for d in "$@"; do
		for f in "$d/${pkg}_"*.deb; do
			[[ -f $f ]] || continue
			f=${f##*/}
			f=${f#"${pkg}_"}
			f=${f%_*.deb}
			echo "${f//%3a/:}"
		done
	done | sort -u)
	[[ -n $versions && $(wc -l <<<"$versions") -eq 1 ]] && echo "$versions"
	return 0
}

apt_single_version() {
	local versions
	command -v apt-cache >/dev/null || return 0
	versions=$(apt-cache show "$1" 2>/dev/null | awk '/^Version: / { print $2 }' | sort -u)
	[[ -n $versions && $(wc -l <<<"$versions") -eq 1 ]] && echo "$versions"
	return 0
}
