# shellcheck shell=bash
# Build (or find in the cache) the kernel that the integration guest boots.
#
#   kernel_build_target <version> <fragment>
#
# unpacks /usr/src/linux-source-<version>.tar.xz once into $KPB_CACHE/src,
# configures an out-of-tree build with `tinyconfig` + <fragment> +
# `olddefconfig`, checks that every option of the fragment kept its value,
# builds bzImage and modules, and sets (and records in
# <build dir>/kpb-kernel.env):
#
#   KPB_KERNEL_VERSION   the kernel line, e.g. 6.1
#   KPB_KERNEL_RELEASE   `make kernelrelease`, e.g. 6.1.192
#   KPB_KERNEL_SRC       pristine unpacked source (shared by every config)
#   KPB_KERNEL_BUILD     the O= build dir; `make -C $KPB_KERNEL_BUILD M=<dir> modules`
#   KPB_KERNEL_CONFIG    $KPB_KERNEL_BUILD/.config
#   KPB_KERNEL_BZIMAGE   arch/x86/boot/bzImage
#   KPB_KERNEL_VMLINUX   vmlinux
#   KPB_KERNEL_CC        the CC string the kernel was built with
#   KPB_KERNEL_MAKE      extra make variables of every kernel make (e.g. LLVM=1)
#
# The booted kernel is built the normal way: no -ffunction-sections or
# -fdata-sections (a kernel built with -fdata-sections hangs at its first
# printk); the kpatch-build driver makes its own instrumented copy.
#
# CC is "ccache gcc". ccache is transparent to the kernel's compiler check:
# CONFIG_CC_VERSION_TEXT is the first line of `$(CC) --version`, which is
# gcc's own, so external modules built with plain CC=gcc get no "compiler
# differs" warning, and vermagic does not name the compiler at all.
#
# A fragment line "# kpb-make: LLVM=1" builds with the LLVM toolchain
# instead: LLVM=1 on every kernel make (ld.lld, llvm-objcopy, ...) and CC
# "ccache clang"; the cell's fragment asks for CONFIG_CC_IS_CLANG=y so that
# kernel_verify_config proves it. Only LLVM=1 is accepted: anything else
# would have to be thought through for kpatch-build too.
#
# The build is cached under a key made of the tarball's identity (its dpkg
# version, or size+mtime), the fragment's sha256, the compiler's version,
# the make variables and KPB_KERNEL_RECIPE; bump the latter when this recipe
# changes.

# shellcheck source=test/integration/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

KPB_KERNEL_RECIPE=1
KPB_KERNEL_CC_DEFAULT="ccache gcc"

kernel_tarball() {
	local version=$1
	echo "/usr/src/linux-source-$version.tar.xz"
}

# What identifies the tarball's contents without hashing 140 MB.
kernel_tarball_identity() {
	local tarball=$1 pkg ver
	if pkg=$(dpkg-query -S "$tarball" 2>/dev/null); then
		pkg=${pkg%%:*}
		if ver=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null) && [[ -n "$ver" ]]; then
			echo "$pkg-$ver"
			return
		fi
	fi
	local size mtime
	read -r size mtime < <(file_stamp "$tarball")
	echo "size$size-mtime$mtime"
}

compiler_identity() {
	if [[ "$KPB_KERNEL_MAKE" == *LLVM=1* ]]; then
		cc_version_text clang || true
	else
		cc_version_text gcc || true
	fi
}

# The fragment's "# kpb-make:" line: sets KPB_KERNEL_MAKE and KPB_KERNEL_CC.
kernel_read_make_vars() {
	local fragment=$1 word
	KPB_KERNEL_MAKE=$(sed -n 's/^# kpb-make: *//p' "$fragment" | tr '\n' ' ' | sed 's/ *$//')
	KPB_KERNEL_CC=$KPB_KERNEL_CC_DEFAULT
	for word in $KPB_KERNEL_MAKE; do
		case $word in
		LLVM=1) KPB_KERNEL_CC="ccache clang" ;;
		*) die "$fragment: kpb-make: $word is not supported (only LLVM=1)" ;;
		esac
	done
	export KPB_KERNEL_MAKE KPB_KERNEL_CC
}

# Unpack the tarball once; concurrent callers wait on a lock.
kernel_unpack_source() {
	local version=$1 tarball id srcroot top
	tarball=$(kernel_tarball "$version")
	[[ -r "$tarball" ]] || die "no source for kernel $version: $tarball is missing (install linux-source-$version)"
	id=$(kernel_tarball_identity "$tarball")
	srcroot="$KPB_CACHE/src/$id"
	mkdir -p "$KPB_CACHE/src"
	(
		flock 9
		[[ -e "$srcroot/.kpb-unpacked" ]] && exit 0
		info "unpacking $tarball into $srcroot"
		rm -rf "$srcroot" "$srcroot.tmp"
		mkdir -p "$srcroot.tmp"
		tar -xJf "$tarball" -C "$srcroot.tmp"
		mv "$srcroot.tmp" "$srcroot"
		touch "$srcroot/.kpb-unpacked"
	) 9>"$srcroot.lock"
	top=$(find "$srcroot" -mindepth 1 -maxdepth 1 -type d -name 'linux*' | head -n1)
	[[ -n "$top" && -e "$top/Makefile" ]] || die "$tarball unpacked into $srcroot but holds no linux*/Makefile"
	KPB_KERNEL_SRC=$top
}

# kernel_source_file <version> <path in the tree>: one file of the
# installed linux-source-<version> tarball, extracted once into
# $KPB_CACHE/src-files/<tarball identity>/ (under a lock); its path on
# stdout. For a tool that needs one file of the source and not the 1.3 GB
# tree (make demo: usr/gen_init_cpio.c; tar stops at the first match).
kernel_source_file() {
	local version=$1 path=$2 tarball dir top
	tarball=$(kernel_tarball "$version")
	[[ -r "$tarball" ]] || die "no source for kernel $version: $tarball is missing (install linux-source-$version)"
	dir=$KPB_CACHE/src-files/$(kernel_tarball_identity "$tarball")
	top=linux-source-$version
	mkdir -p "$KPB_CACHE/src-files"
	(
		flock 9
		[[ -e "$dir/$top/$path" ]] && exit 0
		rm -rf "$dir.tmp"
		mkdir -p "$dir.tmp"
		tar -xJf "$tarball" -C "$dir.tmp" --occurrence=1 "$top/$path" ||
			die "$tarball holds no $top/$path"
		mkdir -p "$dir/$top/$(dirname "$path")"
		mv "$dir.tmp/$top/$path" "$dir/$top/$path"
		rm -rf "$dir.tmp"
	) 9>"$dir.lock" || exit 1
	echo "$dir/$top/$path"
}

# Everything that decides what the build produces; its sha256 names the build dir.
kernel_cache_key_text() {
	local version=$1 fragment=$2
	echo "recipe $KPB_KERNEL_RECIPE"
	echo "tarball $(kernel_tarball_identity "$(kernel_tarball "$version")")"
	echo "fragment $(sha256sum <"$fragment" | cut -d' ' -f1)"
	if [[ -n "$KPB_KERNEL_MAKE" ]]; then
		echo "clang $(compiler_identity)"
	else
		echo "gcc $(compiler_identity)"
	fi
	echo "cc $KPB_KERNEL_CC"
	# Absent for plain gcc builds, so that their keys (and caches) stay as they were.
	[[ -z "$KPB_KERNEL_MAKE" ]] || echo "make $KPB_KERNEL_MAKE"
}

kernel_make() {
	local -a vars
	read -r -a vars <<<"$KPB_KERNEL_MAKE"
	make -C "$KPB_KERNEL_SRC" O="$KPB_KERNEL_BUILD" "${vars[@]}" CC="$KPB_KERNEL_CC" "$@"
}

# tinyconfig, then the fragment merged over it by the kernel's own
# merge_config.sh (which drops earlier values of the same symbol), then
# olddefconfig to settle dependencies.
kernel_configure() {
	local fragment=$1
	local log=$KPB_KERNEL_BUILD/kpb-config.log
	info "configuring $KPB_KERNEL_BUILD (tinyconfig + $(basename "$fragment"); log: $log)"
	{
		kernel_make tinyconfig &&
			"$KPB_KERNEL_SRC/scripts/kconfig/merge_config.sh" -m -O "$KPB_KERNEL_BUILD" \
				"$KPB_KERNEL_BUILD/.config" "$fragment" &&
			kernel_make olddefconfig
	} >"$log" 2>&1 || die "configuring kernel failed, see $log"
}

# Every option of the fragment must have survived olddefconfig unchanged:
# Kconfig silently drops an option whose dependencies are not met. The last
# line of a symbol is what it asks for (a kpb-base fragment may be overridden).
kernel_verify_config() {
	local config=$1 fragment=$2 line sym want got bad=0 name
	local -A wanted=()
	local -a order=()
	name=$(basename "$fragment")
	while IFS= read -r line; do
		if [[ "$line" =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
			sym=${BASH_REMATCH[1]} want=${BASH_REMATCH[2]}
		elif [[ "$line" =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
			sym=${BASH_REMATCH[1]} want=n
		else
			continue
		fi
		[[ -n "${wanted[$sym]+set}" ]] || order+=("$sym")
		wanted[$sym]=$want
	done <"$fragment"
	for sym in "${order[@]}"; do
		want=${wanted[$sym]}
		got=$(sed -n "s/^$sym=//p" "$config")
		[[ -n "$got" ]] || got=n
		if [[ "$got" != "$want" ]]; then
			warn "$name: $sym: requested $want, got $got after olddefconfig (unmet dependency or renamed option?)"
			bad=1
		fi
	done
	((bad == 0)) || die "$config does not match $fragment (see the options named above)"
}

kernel_build_images() {
	local log=$KPB_KERNEL_BUILD/kpb-build.log start
	start=$(now_seconds)
	info "building bzImage and modules in $KPB_KERNEL_BUILD (-j$(nproc), CC=\"$KPB_KERNEL_CC\"${KPB_KERNEL_MAKE:+ $KPB_KERNEL_MAKE}; log: $log)"
	if ! kernel_make -j"$(nproc)" bzImage modules >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		die "kernel build failed, see $log"
	fi
	info "kernel build took $(($(now_seconds) - start)) s"
}

kernel_check_outputs() {
	local f
	for f in "$KPB_KERNEL_BZIMAGE" "$KPB_KERNEL_VMLINUX" "$KPB_KERNEL_BUILD/Module.symvers" \
		"$KPB_KERNEL_BUILD/samples/livepatch/livepatch-sample.ko"; do
		[[ -e "$f" ]] || die "kernel build finished but $f is missing"
	done
}

kernel_write_env() {
	local env=$KPB_KERNEL_BUILD/kpb-kernel.env var
	export KPB_KERNEL_RELEASE KPB_KERNEL_SRC KPB_KERNEL_BUILD KPB_KERNEL_CONFIG \
		KPB_KERNEL_BZIMAGE KPB_KERNEL_VMLINUX
	: >"$env.tmp"
	for var in KPB_KERNEL_VERSION KPB_KERNEL_RELEASE KPB_KERNEL_SRC KPB_KERNEL_BUILD \
		KPB_KERNEL_CONFIG KPB_KERNEL_BZIMAGE KPB_KERNEL_VMLINUX KPB_KERNEL_CC KPB_KERNEL_MAKE; do
		printf '%s=%q\n' "$var" "${!var}" >>"$env.tmp"
	done
	mv "$env.tmp" "$env"
}

kernel_set_paths() {
	KPB_KERNEL_CONFIG=$KPB_KERNEL_BUILD/.config
	KPB_KERNEL_BZIMAGE=$KPB_KERNEL_BUILD/arch/x86/boot/bzImage
	KPB_KERNEL_VMLINUX=$KPB_KERNEL_BUILD/vmlinux
}

# A fragment may start from another one of its directory: a line
# "# kpb-base: config-<name>" puts that file's lines before its own (one
# level; merge_config.sh lets the later value of a symbol win). The merged
# text is what names, configures and verifies the build.
kernel_expand_fragment() {
	local fragment=$1 out=$2 base tmp
	base=$(sed -n 's/^# kpb-base: *//p' "$fragment")
	if [[ -n "$base" ]]; then
		[[ "$base" == config-* && "$base" != */* && -r "$(dirname "$fragment")/$base" ]] ||
			die "$fragment: kpb-base names $base, which is not a config-* file beside it"
	fi
	tmp="$out.$$.tmp"
	{
		[[ -z "$base" ]] || cat "$(dirname "$fragment")/$base"
		cat "$fragment"
	} >"$tmp"
	mv "$tmp" "$out"
}

kernel_build_target() {
	local version=$1 fragment=$2 keytext key merged
	[[ -r "$fragment" ]] || die "no config fragment $fragment"
	mkdir -p "$KPB_CACHE/fragments"
	merged="$KPB_CACHE/fragments/$version-$(basename "$fragment")"
	kernel_expand_fragment "$fragment" "$merged"
	export KPB_KERNEL_VERSION=$version
	kernel_read_make_vars "$merged"
	kernel_unpack_source "$version"
	keytext=$(kernel_cache_key_text "$version" "$merged")
	key=$(sha256sum <<<"$keytext" | cut -c1-16)
	KPB_KERNEL_BUILD="$KPB_CACHE/build/$version-$(basename "$fragment")-$key"
	kernel_set_paths
	mkdir -p "$KPB_KERNEL_BUILD"
	echo "$keytext" >"$KPB_KERNEL_BUILD/kpb-key.txt"
	(
		flock 9
		[[ -e "$KPB_KERNEL_BUILD/.kpb-built" ]] && exit 0
		kernel_configure "$merged"
		kernel_verify_config "$KPB_KERNEL_CONFIG" "$merged"
		kernel_build_images
		kernel_check_outputs
		touch "$KPB_KERNEL_BUILD/.kpb-built"
	) 9>"$KPB_KERNEL_BUILD.lock"
	[[ -e "$KPB_KERNEL_BUILD/.kpb-built" ]] || die "kernel $version was not built"
	# A cache hit still re-checks the config: a hand-edited build dir must not pass.
	kernel_verify_config "$KPB_KERNEL_CONFIG" "$merged"
	kernel_check_outputs
	KPB_KERNEL_RELEASE=$(cat "$KPB_KERNEL_BUILD/include/config/kernel.release")
	kernel_write_env
	info "kernel $KPB_KERNEL_RELEASE ready: $KPB_KERNEL_BUILD"
}
