# shellcheck shell=bash
# Fetch Debian's own kernel image of a kernel line and unpack it into a
# target root that looks like an installed system (what kpatch-build
# --target-root expects):
#
#   debian_prepare_target <version> <flavour>      e.g. 6.1 cloud-amd64
#
# picks the linux-image-<abi>-<flavour> whose version equals the installed
# linux-source-<version> package's (the source the suite's patches apply
# to), downloads it, its -dbg package and linux-headers-<abi>-<flavour>
# with `apt-get download` (running `apt-get update` once if apt does not
# know them), and unpacks them with `dpkg-deb -x` into
# $KPB_CACHE/debian/<release>_<package version>/root:
#
#   boot/vmlinuz-REL  boot/config-REL  lib/modules/REL/...
#   usr/lib/debug/boot/vmlinux-REL     (only this file of the -dbg package)
#   usr/src/linux-headers-REL/{Module.symvers,.config,...}
#
# The .debs are deleted once unpacked; the root is reused while the release
# and version stay the same. Sets and exports:
#
#   KPB_KERNEL_VERSION   the kernel line, e.g. 6.1
#   KPB_KERNEL_DEB_VERSION  the package version, e.g. 6.1.192-3
#   KPB_KERNEL_RELEASE   uname -r of the image, e.g. 6.1.0-57-cloud-amd64
#   KPB_TARGET_ROOT      the unpacked root
#   KPB_KERNEL_BZIMAGE   root/boot/vmlinuz-REL (Debian's signed image)
#   KPB_KERNEL_VMLINUX   root/usr/lib/debug/boot/vmlinux-REL
#   KPB_KERNEL_CONFIG    root/boot/config-REL
#   KPB_KERNEL_MODULES   root/lib/modules/REL

# shellcheck source=test/integration/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# What a boot of Debian's image adds to the kernel command line (the cells'
# and make demo's guests: KPB_GUEST_APPEND_CELL of lib/guest.sh).
# cryptomgr.notests: Debian's kernel runs the crypto self-tests at boot;
# under software emulation on a loaded host one of them once spun for
# minutes (soft lockup in cryptomgr_test), and they prove nothing about
# livepatching. rcupdate.rcu_cpu_stall_timeout=120: under a host load of 14
# qemu's one vCPU thread once got no time for 23 s and the guest reported
# an RCU stall at boot (Debian's timeout is 21 s), before any livepatch; a
# stall of the guest's own making that lasts 2 minutes is still reported.
# shellcheck disable=SC2034 # read by run-integration and demo-run
DEBIAN_GUEST_APPEND="cryptomgr.notests rcupdate.rcu_cpu_stall_timeout=120"

# The version of the installed linux-source-<version>, e.g. 6.1.192-3.
debian_source_version() {
	local version=$1 ver
	ver=$(dpkg-query -W -f='${Version}' "linux-source-$version" 2>/dev/null) || true
	[[ -n "$ver" ]] || die "linux-source-$version is not installed (the Debian cell needs the source its patches apply to)"
	echo "$ver"
}

# "<package> <version>" of every linux-image-*-<flavour> of this kernel line
# that apt knows; the signed images only (not -dbg, not -unsigned).
debian_list_images() {
	local version=$1 flavour=$2 names
	mapfile -t names < <(apt-cache search --names-only "^linux-image-${version//./\\.}[.+-].*-$flavour\$" |
		awk '{ print $1 }')
	((${#names[@]})) || return 0
	apt-cache show "${names[@]}" 2>/dev/null |
		awk '/^Package: / { p = $2 } /^Version: / { print p, $2 }'
}

# The image package whose version is <package version>; the newest ABI if
# several are (they cannot be in one archive, but a mirror may be odd).
debian_find_image() {
	local version=$1 flavour=$2 pkgver=$3
	debian_list_images "$version" "$flavour" |
		awk -v want="$pkgver" '$2 == want { print $1 }' | sort -V | tail -n1
}

# debian_imaged_source_version <line> <flavour>: the newest version of
# linux-source-<line> in apt's sources that a signed linux-image-*-<flavour>
# of the same version exists for; nothing if none. Debian publishes a
# security update's source before its signed images (linux-source-6.12
# 6.12.118-1~deb12u1 was in bookworm-security while the newest signed
# cloud image was 6.12.117's), so the newest source is not always a
# kernel anyone runs. test/install-deps installs this version.
debian_imaged_source_version() {
	local line=$1 flavour=$2 best='' v images
	images=$(debian_list_images "$line" "$flavour" | awk '{ print $2 }')
	while read -r v; do
		[[ -n $v ]] || continue
		grep -qxF -- "$v" <<<"$images" || continue
		if [[ -z $best ]] || dpkg --compare-versions "$v" gt "$best"; then best=$v; fi
	done < <(apt-cache madison "linux-source-$line" 2>/dev/null | awk -F'|' '{ gsub(/ /, "", $2); print $2 }')
	[[ -z $best ]] || echo "$best"
}

# Like debian_find_image, but refreshes apt's lists once if nothing matches.
debian_resolve_image() {
	local version=$1 flavour=$2 pkgver=$3 image imaged
	image=$(debian_find_image "$version" "$flavour" "$pkgver")
	if [[ -z "$image" ]]; then
		info "apt knows no linux-image-*-$flavour $pkgver; running apt-get update"
		apt-get update >&2 || die "apt-get update failed"
		image=$(debian_find_image "$version" "$flavour" "$pkgver")
	fi
	if [[ -z "$image" ]]; then
		imaged=$(debian_imaged_source_version "$version" "$flavour")
		[[ -n $imaged ]] ||
			die "no linux-image-$version*-$flavour of version $pkgver in apt's sources (linux-source-$version is $pkgver), nor of any version of linux-source-$version apt knows"
		die "linux-source-$version $pkgver is installed, but apt has no signed linux-image-$version*-$flavour of that version (Debian publishes an update's source before its signed images); the newest source with an image is $imaged: run test/install-deps, or apt-get install --allow-downgrades linux-source-$version=$imaged"
	fi
	echo "$image"
}

# apt-get download into <dir>; the .deb paths on stdout.
debian_download() {
	local dir=$1 pkgver=$2 pkg
	shift 2
	mkdir -p "$dir"
	(
		cd "$dir" || exit 1
		for pkg in "$@"; do
			apt-get download "$pkg=$pkgver" >&2 || die "apt-get download $pkg=$pkgver failed"
		done
	) || return 1
	for pkg in "$@"; do
		compgen -G "$dir/${pkg}_*.deb" | head -n1 | grep . ||
			die "apt-get download $pkg=$pkgver left no ${pkg}_*.deb in $dir"
	done
}

# Unpack the three packages into <root>: the image and headers whole, of the
# -dbg package only the vmlinux (it is 300 MB of module debug info besides).
# vmlinux comes near the start of the -dbg archive: tar stops there
# (--occurrence), which leaves dpkg-deb writing into a closed pipe; the file
# itself is checked instead (6.1's: 16 s of CPU instead of 46).
debian_unpack_packages() {
	local root=$1 release=$2 image_deb=$3 dbg_deb=$4 headers_deb=$5
	local vmlinux=./usr/lib/debug/boot/vmlinux-$release
	dpkg-deb -x "$image_deb" "$root"
	dpkg-deb -x "$headers_deb" "$root"
	{ dpkg-deb --fsys-tarfile "$dbg_deb" 2>/dev/null || true; } |
		tar -x -C "$root" --occurrence=1 "$vmlinux" || true
	[[ -s "$root/$vmlinux" ]] || die "$dbg_deb holds no ${vmlinux#./}"
}

debian_check_root() {
	local root=$1 release=$2 f
	for f in "boot/vmlinuz-$release" "boot/config-$release" "usr/lib/debug/boot/vmlinux-$release" \
		"usr/src/linux-headers-$release/Module.symvers" "usr/src/linux-headers-$release/.config" \
		"lib/modules/$release/kernel"; do
		[[ -e "$root/$f" ]] || die "Debian target root $root lacks $f"
	done
}

# Download and unpack, under a lock; a finished root has .kpb-unpacked.
debian_fetch_target() {
	local dir=$1 release=$2 pkgver=$3 image=$4 start debs
	local -a debs_list
	(
		flock 9
		[[ -e "$dir/.kpb-unpacked" ]] && exit 0
		rm -rf "$dir/root" "$dir/debs"
		start=$(now_seconds)
		debs=$(debian_download "$dir/debs" "$pkgver" "$image" "$image-dbg" "${image/linux-image-/linux-headers-}") ||
			exit 1
		mapfile -t debs_list <<<"$debs"
		((${#debs_list[@]} == 3)) || die "downloading $image $pkgver gave ${#debs_list[@]} packages, not 3"
		info "downloaded $image $pkgver (+ -dbg, headers) in $(($(now_seconds) - start)) s"
		start=$(now_seconds)
		mkdir -p "$dir/root"
		debian_unpack_packages "$dir/root" "$release" "${debs_list[@]}" || exit 1
		debian_check_root "$dir/root" "$release" || exit 1
		info "unpacked into $dir/root in $(($(now_seconds) - start)) s"
		rm -rf "$dir/debs"
		touch "$dir/.kpb-unpacked"
	) 9>"$dir.lock"
	[[ -e "$dir/.kpb-unpacked" ]] || die "Debian target $release was not prepared"
}

debian_prepare_target() {
	local version=$1 flavour=$2 pkgver image release dir
	# Run as (run_cell ...) || warn: errexit is off here, so every step
	# that can fail says so itself.
	pkgver=$(debian_source_version "$version") || exit 1
	image=$(debian_resolve_image "$version" "$flavour" "$pkgver") || exit 1
	release=${image#linux-image-}
	dir=$KPB_CACHE/debian/${release}_$pkgver
	mkdir -p "$KPB_CACHE/debian"
	debian_fetch_target "$dir" "$release" "$pkgver" "$image"
	debian_check_root "$dir/root" "$release"
	export KPB_KERNEL_VERSION=$version KPB_KERNEL_RELEASE=$release KPB_TARGET_ROOT=$dir/root
	export KPB_KERNEL_DEB_VERSION=$pkgver
	export KPB_KERNEL_BZIMAGE=$dir/root/boot/vmlinuz-$release
	export KPB_KERNEL_VMLINUX=$dir/root/usr/lib/debug/boot/vmlinux-$release
	export KPB_KERNEL_CONFIG=$dir/root/boot/config-$release
	export KPB_KERNEL_MODULES=$dir/root/lib/modules/$release
	info "Debian kernel $release ($image $pkgver) ready: $KPB_TARGET_ROOT"
}

# debian_source_tree <line> <package version>: the kernel tree of Debian's
# linux-source-<line> of that version (another revision than the installed
# one, e.g. 6.1.192-2), fetched with `apt-get download` and its tarball
# unpacked once into $KPB_CACHE/debian-source/<version>/ (under a lock;
# a finished tree has .kpb-unpacked); its path on stdout. For tests that
# give kpatch-build another source with -s.
debian_source_tree() {
	local line=$1 pkgver=$2 dir=$KPB_CACHE/debian-source/$2 deb start
	mkdir -p "$KPB_CACHE/debian-source"
	(
		flock 9
		[[ -e "$dir/.kpb-unpacked" ]] && exit 0
		rm -rf "$dir"
		start=$(now_seconds)
		deb=$(debian_download "$dir/debs" "$pkgver" "linux-source-$line")
		[[ -f "$deb" ]] || die "apt-get download linux-source-$line=$pkgver wrote no .deb"
		mkdir -p "$dir/pkg"
		dpkg-deb -x "$deb" "$dir/pkg"
		tar -xf "$dir/pkg/usr/src/linux-source-$line.tar.xz" -C "$dir" ||
			die "cannot unpack linux-source-$line.tar.xz of $pkgver"
		rm -rf "$dir/debs" "$dir/pkg"
		[[ -f "$dir/linux-source-$line/Makefile" ]] || die "linux-source-$line $pkgver has no linux-source-$line/Makefile"
		touch "$dir/.kpb-unpacked"
		info "fetched and unpacked linux-source-$line $pkgver in $(($(now_seconds) - start)) s"
	) 9>"$dir.lock" >&2
	[[ -e "$dir/.kpb-unpacked" ]] || die "linux-source-$line $pkgver was not unpacked"
	echo "$dir/linux-source-$line"
}

# debian_target_module <workdir> <path under lib/modules/REL, without .xz>:
# the path of the module as a plain .ko for the guest's initramfs (the 6.12
# image ships .ko.xz; busybox insmod hands the file to the kernel as is).
debian_target_module() {
	local workdir=$1 rel=$2 src=$KPB_KERNEL_MODULES/$2 out
	if [[ -f "$src" ]]; then
		echo "$src"
		return
	fi
	out=$workdir/target-modules/$(basename "$rel")
	mkdir -p "$workdir/target-modules"
	if [[ -f "$src.xz" ]]; then
		ko_decompress "$src.xz" "$out" || die "cannot decompress $src.xz"
	elif [[ -f "$src.zst" ]]; then
		ko_decompress "$src.zst" "$out" || die "cannot decompress $src.zst"
	else
		die "$KPB_KERNEL_RELEASE ships no $rel (nor .xz, .zst) under $KPB_KERNEL_MODULES"
	fi
	echo "$out"
}

# ---- another version's source ---------------------------------------------
# For the tests that give kpatch-build the source of another kernel than the
# target (debian-patches/other-version-source): Debian's real
# linux-source-<version> of the newest version apt knows whose upstream
# version differs from the target's (6.1.192-3 -> 6.1.190-1), fetched once
# into $KPB_CACHE/debian/other-source-<version>/:
#
#   linux-source-<version>_<ver>_all.deb   as apt-get download writes it
#   tree/Makefile                          only this file of its tarball (a -s
#                                          tree that kpatch-build must refuse
#                                          by its version, before anything else)
#   version                                <ver>
#
#   debian_other_source <version>          prints the directory
#   debian_other_source_root <version> <dir>
#       a target root at <dir>: the cell's (KPB_TARGET_ROOT) linked, with
#       the other version's .deb in it

# The upstream part of a Debian version (6.12.117-1~deb12u1 -> 6.12.117).
debian_upstream_version() {
	local v=${1#*:}
	echo "${v%-*}"
}

# The newest version of <package> apt knows whose upstream part is not <upstream>.
debian_other_version() {
	local package=$1 upstream=$2
	apt-cache madison "$package" 2>/dev/null | awk -F' [|] ' '{ print $2 }' | sort -uV |
		while read -r v; do
			[[ "$(debian_upstream_version "$v")" == "$upstream" ]] || echo "$v"
		done | tail -n1
}

debian_other_source() {
	local version=$1 package=linux-source-$1 dir upstream ver start
	dir=$KPB_CACHE/debian/other-source-$version
	upstream=$(debian_upstream_version "${KPB_KERNEL_DEB_VERSION:?the cell has no Debian target}")
	mkdir -p "$KPB_CACHE/debian"
	(
		flock 9
		if [[ -e "$dir/.kpb-ready" && "$(debian_upstream_version "$(cat "$dir/version")")" != "$upstream" ]]; then
			exit 0
		fi
		rm -rf "$dir"
		mkdir -p "$dir/tree"
		ver=$(debian_other_version "$package" "$upstream")
		if [[ -z "$ver" ]]; then
			info "apt knows no $package but of $upstream; running apt-get update"
			apt-get update >&2 || die "apt-get update failed"
			ver=$(debian_other_version "$package" "$upstream")
		fi
		[[ -n "$ver" ]] || die "apt knows no $package of another upstream version than $upstream"
		start=$(now_seconds)
		(cd "$dir" && apt-get download "$package=$ver" >&2) || die "apt-get download $package=$ver failed"
		info "downloaded $package $ver ($(du -m "$dir/${package}_"*.deb | cut -f1) MB) in $(($(now_seconds) - start)) s"
		start=$(now_seconds)
		# Only the top Makefile: tar stops at its first occurrence (the
		# pipe's writers then die of SIGPIPE, which is no error here).
		dpkg-deb --fsys-tarfile "$dir/${package}_"*.deb 2>/dev/null | tar -xO "./usr/src/$package.tar.xz" 2>/dev/null |
			tar -xJ -C "$dir/tree" --strip-components=1 --occurrence=1 "$package/Makefile" 2>/dev/null || true
		grep -q '^SUBLEVEL = ' "$dir/tree/Makefile" 2>/dev/null || die "$package $ver: no Makefile in its tarball"
		info "extracted its Makefile in $(($(now_seconds) - start)) s"
		echo "$ver" >"$dir/version"
		touch "$dir/.kpb-ready"
	) 9>"$dir.lock"
	[[ -e "$dir/.kpb-ready" ]] || die "the other version's source was not prepared"
	echo "$dir"
}

debian_other_source_root() {
	local version=$1 root=$2 src entry
	src=$(debian_other_source "$version")
	rm -rf "$root"
	mkdir -p "$root"
	for entry in "${KPB_TARGET_ROOT:?}"/*; do
		ln -s "$entry" "$root/$(basename "$entry")"
	done
	ln -s "$src/linux-source-${version}_$(cat "$src/version")_all.deb" "$root/"
	echo "$root"
}
