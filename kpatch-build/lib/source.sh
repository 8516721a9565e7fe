# shellcheck shell=bash
# kpatch-build: the source the target was built from, chosen (and fetched)
# before anything is built.  The target's version (target.sh,
# resolve_target_version) names it:
#
#   -s DIR    the tree's Makefile VERSION.PATCHLEVEL.SUBLEVEL must be the
#             target's upstream version (a tree cannot name its Debian
#             revision: the compiled code is what tells that apart)
#   default   Debian's linux-source-X.Y of exactly the target's version VER,
#             the first of:
#     ROOT/linux-source-X.Y_VER_all.deb        a .deb in --target-root
#     ROOT/usr/src/linux-source-X.Y.tar.xz     unpacked there; its version
#                                              from ROOT/usr/share/doc/
#                                              linux-source-X.Y/changelog.Debian.gz
#                                              (or ROOT's dpkg database)
#     /usr/src/linux-source-X.Y.tar.xz         when dpkg-query says VER is
#                                              the installed version
#     CACHE/debs/linux-source-X.Y_VER/         a .deb taken before
#     apt-get download linux-source-X.Y=VER    fetched into CACHE/debs/
#             Of a .deb only the tarball and the changelog are kept, in
#             CACHE/debs/linux-source-X.Y_VER/usr/...; copy_source
#             (cache.sh) unpacks the tarball.  A kernel built from source
#             (no Debian version) takes the first of these whose upstream
#             version is its own, and nothing is fetched.  None: exit 4
#             before any build, naming both versions and the command that
#             gets the right source.
#
# The source copy's identity holds the package and version (and the
# tarball's size and time), so two versions never share a copy, and one
# version's copy serves every path it came by (cache.sh keys the copy by it).
#
# Layer 2 (README, "Layout"): calls common.sh, dpkg.sh and target.sh (the
# target's version); called by cache.sh, patches.sh and the driver.
#
# Owns: SRC_DIR, SRC_TARBALL, SRC_IDENTITY, SRC_PACKAGE, SRC_VERSION,
# SOURCE_SEEN, SOURCE_SEEN_VERSIONS, FETCH_LOCK_FD.

SRC_DIR='' SRC_TARBALL='' SRC_IDENTITY='' SRC_PACKAGE='' SRC_VERSION=''
# What was found and not taken, one "where: what" a line, and the versions
# among it, for the refusal.
SOURCE_SEEN=() SOURCE_SEEN_VERSIONS=()

resolve_source() {
	if [[ -n $OPT_SOURCE ]]; then
		resolve_source_dir
	else
		resolve_source_package
	fi
}

resolve_source_dir() {
	[[ -f $OPT_SOURCE/Makefile ]] || die "$EXIT_USAGE" "source dir $OPT_SOURCE: no Makefile (not a kernel tree)"
	SRC_DIR=$(realpath "$OPT_SOURCE")
	check_tree_version "$SRC_DIR" "-s $SRC_DIR"
	[[ -e $SRC_DIR/.config || -d $SRC_DIR/include/config ]] &&
		die "$EXIT_USAGE" "$SRC_DIR is configured or built in-tree; O= builds need a clean tree (make mrproper)"
	SRC_IDENTITY="dir $SRC_DIR $(source_tree_fingerprint "$SRC_DIR")"
}

# VERSION.PATCHLEVEL.SUBLEVEL of a kernel tree's top Makefile.
tree_kernel_version() {
	awk -F '[ \t]*=[ \t]*' '
		$1 == "VERSION" && v == "" { v = $2 }
		$1 == "PATCHLEVEL" && p == "" { p = $2 }
		$1 == "SUBLEVEL" && s == "" { s = $2 }
		END { if (v !~ /^[0-9]+$/ || p !~ /^[0-9]+$/ || s !~ /^[0-9]*$/) exit 1
		      print v "." p "." (s == "" ? 0 : s) }' "$1"
}

# The tree DIR (WHAT names it in messages) is of the target's upstream version.
check_tree_version() {
	local dir=$1 what=$2 have
	have=$(tree_kernel_version "$dir/Makefile") ||
		die "$EXIT_USAGE" "$what: $dir/Makefile names no VERSION, PATCHLEVEL and SUBLEVEL (not a kernel tree)"
	[[ $have == "$TARGET_UPSTREAM_VERSION" ]] && return 0
	die "$EXIT_MISMATCH" "$what is Linux $have (its Makefile), the target $TARGET_RELEASE is $(target_version_text): give the source of $TARGET_UPSTREAM_VERSION$(source_hint)"
}

# Where the right source comes from, for a refusal's message.
source_hint() {
	local pkg
	pkg=$(source_package_name)
	if [[ -n $TARGET_DEB_VERSION ]]; then
		echo " (Debian's: apt-get download $pkg=$TARGET_DEB_VERSION, then put the .deb in the target root, --target-root DIR, or give -s the tree its usr/src/$pkg.tar.xz unpacks to)"
	else
		echo " with -s (apt-cache policy $pkg lists Debian's versions)"
	fi
}

# linux-source-X.Y of the target's upstream version.
source_package_name() {
	echo "linux-source-${TARGET_UPSTREAM_VERSION%.*}"
}

# Cheap identity of a source tree: names, sizes and mtimes of its files.
source_tree_fingerprint() {
	(cd "$1" && find . -path ./.git -prune -o -type f -printf '%P %s %T@\n' | LC_ALL=C sort | sha256sum | cut -c1-16)
}

resolve_source_package() {
	SRC_PACKAGE=$(source_package_name)
	SOURCE_SEEN=() SOURCE_SEEN_VERSIONS=()
	source_from_root_deb || source_from_root_unpacked || source_from_installed ||
		source_from_cache || source_from_apt || refuse_missing_source
	# shellcheck disable=SC2034 # the source copy's key (cache.sh)
	SRC_IDENTITY="package $SRC_PACKAGE $SRC_VERSION tarball $(file_stamp "$SRC_TARBALL")"
}

# Is a package of version VER the target's source?  Exactly its Debian
# version; for a kernel built from source, its upstream version.
source_version_fits() {
	if [[ -n $TARGET_DEB_VERSION ]]; then
		[[ $1 == "$TARGET_DEB_VERSION" ]]
	else
		[[ $(kernel_version_triplet "$(deb_upstream_version "$1")") == "$TARGET_UPSTREAM_VERSION" ]]
	fi
}

# take_source TARBALL VERSION FROM: the source found (and what was not
# taken before it, for a user who put it there).
take_source() {
	local s
	SRC_TARBALL=$1 SRC_VERSION=$2
	for s in "${SOURCE_SEEN[@]}"; do note "not taken: $s"; done
	stage "source: $SRC_PACKAGE $SRC_VERSION, $3"
	[[ -n $TARGET_DEB_VERSION ]] ||
		warn "the target names no Debian version: $SRC_PACKAGE $SRC_VERSION taken by its upstream version $TARGET_UPSTREAM_VERSION"
	return 0
}

# seen_source WHAT [VERSION]
seen_source() {
	SOURCE_SEEN+=("$1")
	[[ -z ${2:-} ]] || SOURCE_SEEN_VERSIONS+=("$2")
}

source_from_root_deb() {
	local deb pv ver
	[[ -n $TARGET_ROOT ]] || return 1
	for deb in "${TARGET_ROOT%/}/${SRC_PACKAGE}"_*.deb; do
		[[ -f $deb ]] || continue
		if ! pv=$(deb_package_version "$deb"); then
			seen_source "$deb: not a .deb"
			continue
		fi
		ver=${pv#* }
		if [[ ${pv% *} != "$SRC_PACKAGE" ]]; then
			seen_source "$deb: package ${pv% *}, not $SRC_PACKAGE"
		elif source_version_fits "$ver"; then
			lock_fetch "$ver"
			unpack_source_deb "$deb" "$ver"
			unlock_fetch
			take_source "$(cached_source_dir "$ver")/usr/src/$SRC_PACKAGE.tar.xz" "$ver" "from $deb"
			return 0
		else
			seen_source "$deb is $ver" "$ver"
		fi
	done
	return 1
}

source_from_root_unpacked() {
	local root=${TARGET_ROOT%/} ver
	[[ -n $root && -f $root/usr/src/$SRC_PACKAGE.tar.xz ]] || return 1
	ver=$(unpacked_source_version "$root")
	if [[ -z $ver ]]; then
		seen_source "$root/usr/src/$SRC_PACKAGE.tar.xz: of no known version (no $root/usr/share/doc/$SRC_PACKAGE/changelog.Debian.gz, not in $root's dpkg database)"
		return 1
	fi
	source_version_fits "$ver" || { seen_source "$root/usr/src/$SRC_PACKAGE.tar.xz is $ver" "$ver"; return 1; }
	take_source "$root/usr/src/$SRC_PACKAGE.tar.xz" "$ver" "unpacked in $root"
}

# The version of linux-source-X.Y unpacked under ROOT: its changelog's, else
# ROOT's dpkg database's.
unpacked_source_version() {
	local root=$1 ver
	ver=$(changelog_version "$root/usr/share/doc/$SRC_PACKAGE")
	[[ -n $ver || ! -d $root/var/lib/dpkg ]] || ver=$(dpkg_version "$SRC_PACKAGE" --admindir="$root/var/lib/dpkg")
	echo "$ver"
}

# The machine's /usr/src (KPB_TEST_HOST_ROOT stands for / in the tests).
source_from_installed() {
	local tarball=${KPB_TEST_HOST_ROOT:-}/usr/src/$SRC_PACKAGE.tar.xz ver
	[[ -f $tarball ]] || return 1
	ver=$(dpkg_version "$SRC_PACKAGE")
	if [[ -z $ver ]]; then
		seen_source "$tarball: of no known version ($SRC_PACKAGE is not installed, says dpkg-query)"
		return 1
	fi
	source_version_fits "$ver" || { seen_source "$tarball is $ver (the installed $SRC_PACKAGE)" "$ver"; return 1; }
	take_source "$tarball" "$ver" "$tarball (the installed package)"
}

# The cache's copy of linux-source-X.Y of version VER (the target's line:
# SRC_PACKAGE when a package was taken, also for a -s target's update).
cached_source_dir() { echo "$OPT_CACHE/debs/$(source_package_name)_$1"; }

source_from_cache() {
	local dir
	[[ -n $TARGET_DEB_VERSION ]] || return 1
	dir=$(cached_source_dir "$TARGET_DEB_VERSION")
	[[ -e $dir/.kpb-complete ]] || return 1
	take_source "$dir/usr/src/$SRC_PACKAGE.tar.xz" "$TARGET_DEB_VERSION" "fetched before into $dir"
}

# Debian's archive keeps the older versions of a release's kernel (in
# bookworm-security, for instance): fetch the target's.
source_from_apt() {
	local dir rc=0
	[[ -n $TARGET_DEB_VERSION ]] || return 1
	command -v apt-get >/dev/null ||
		{ seen_source "apt-get download $SRC_PACKAGE=$TARGET_DEB_VERSION: no apt-get here"; return 1; }
	dir=$(cached_source_dir "$TARGET_DEB_VERSION")
	lock_fetch "$TARGET_DEB_VERSION"
	# Under the lock: another run may have fetched it meanwhile.
	[[ -e $dir/.kpb-complete ]] || fetch_source_deb "$TARGET_DEB_VERSION" || rc=$?
	unlock_fetch
	((rc == 0)) || return 1
	take_source "$dir/usr/src/$SRC_PACKAGE.tar.xz" "$TARGET_DEB_VERSION" "fetched into $dir"
}

# apt-get download into a temporary directory of the cache, then the
# tarball and the changelog out of the .deb; the .deb is not kept. What an
# interrupted fetch left is nobody's (the caller holds the lock).
# VER: the target's or another version of its line (triage.sh,
# --update-from VER).
fetch_source_deb() {
	local ver=$1 pkg dir fetch deb pv rc=0 why want
	pkg=$(source_package_name)
	want=$pkg=$ver
	dir=$(cached_source_dir "$ver")
	rm -rf "$dir".fetch.*
	fetch=$(mktemp -d "$dir.fetch.XXXXXX")
	discard_on_failure "$fetch"
	stage "fetching $([[ $ver == "$TARGET_DEB_VERSION" ]] && echo "the target's source" || echo "$pkg $ver"): apt-get download $want (into $OPT_CACHE/debs)"
	run_to "$fetch/apt-get.log" env -C "$fetch" apt-get download "$want" || rc=$?
	deb=$(compgen -G "$fetch/${pkg}_*.deb" | sed -n 1p) || true
	if ((rc != 0)) || [[ -z $deb ]]; then
		why=$(grep -E '^E: ' "$fetch/apt-get.log" | sed -n 1p) || true
		seen_source "apt-get download $want failed (status $rc): ${why:-$(tail -n1 "$fetch/apt-get.log")}"
		rm -rf "$fetch"
		discard_on_failure ''
		return 1
	fi
	pv=$(deb_package_version "$deb") || die "apt-get download $want wrote $deb, which is no .deb"
	[[ $pv == "$pkg $ver" ]] || die "apt-get download $want wrote $deb, which is $pv"
	note "fetched $(basename "$deb") ($(($(stat -c %s "$deb") / 1048576)) MB) with apt-get download"
	unpack_source_deb "$deb" "$ver"
	rm -rf "$fetch"
	discard_on_failure ''
}

# One fetch or unpacking of a version at a time.
FETCH_LOCK_FD=''
lock_fetch() {
	local lockfile
	lockfile=$(cached_source_dir "$1").lock
	mkdir -p "$OPT_CACHE/debs"
	exec {FETCH_LOCK_FD}>"$lockfile"
	add_lock_fd "$FETCH_LOCK_FD"
	flock -n "$FETCH_LOCK_FD" && return 0
	stage "waiting for another kpatch-build fetching $(source_package_name) $1"
	wait_for_lock "$FETCH_LOCK_FD"
}

unlock_fetch() {
	[[ -n $FETCH_LOCK_FD ]] || return 0
	exec {FETCH_LOCK_FD}>&-
	FETCH_LOCK_FD=''
}

# Of a linux-source .deb, the tarball and the changelog, into the cache
# (once per version; a temporary directory renamed when complete). The
# caller holds the version's lock_fetch.
unpack_source_deb() {
	local deb=$1 ver=$2 dir tmp pkg
	pkg=$(source_package_name)
	dir=$(cached_source_dir "$ver")
	[[ -e $dir/.kpb-complete ]] && return 0
	rm -rf "$dir".tmp.*
	tmp=$(mktemp -d "$dir.tmp.XXXXXX")
	discard_on_failure "$tmp"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" "./usr/src/$pkg.tar.xz" \
		"./usr/share/doc/$pkg/changelog.Debian.gz" ||
		die "$deb: cannot extract usr/src/$pkg.tar.xz and its changelog"
	touch "$tmp/.kpb-complete"
	rm -rf "$dir"
	mv "$tmp" "$dir"
	discard_on_failure ''
}

refuse_missing_source() {
	local found
	((${#SOURCE_SEEN[@]} == 0)) || printf '  %s\n' "${SOURCE_SEEN[@]}" >&2
	found=$(printf '%s\n' "${SOURCE_SEEN_VERSIONS[@]}" | sed '/^$/d' | sort -uV | paste -sd, - | sed 's/,/, /g')
	if [[ -n $TARGET_DEB_VERSION ]]; then
		die "$EXIT_MISMATCH" "kernel $TARGET_RELEASE is Debian $TARGET_DEB_VERSION, but its source $SRC_PACKAGE $TARGET_DEB_VERSION is not here${found:+ (found $found: the source of other kernels)}; get it with: apt-get download $SRC_PACKAGE=$TARGET_DEB_VERSION, then put the .deb in the target root (--target-root DIR) or give -s the tree its usr/src/$SRC_PACKAGE.tar.xz unpacks to"
	fi
	die "$EXIT_MISMATCH" "kernel $TARGET_RELEASE is Linux $TARGET_UPSTREAM_VERSION built from source (no Debian version in its banner), and no $SRC_PACKAGE of $TARGET_UPSTREAM_VERSION is here${found:+ (found $found)}: give the kernel's source tree with -s"
}
