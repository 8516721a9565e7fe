# shellcheck shell=bash
# kpatch-build: which kernel the module is for, where its pieces are, and
# the checks that compare them before anything is built.
#
# A target is a release and the files of its packages, installed (root /)
# or unpacked with dpkg-deb -x under --target-root:
#   config         boot/config-REL                         linux-image-REL
#   vmlinux        usr/lib/debug/boot/vmlinux-REL          linux-image-REL-dbg
#   Module.symvers usr/src/linux-headers-REL/Module.symvers linux-headers-REL
#   modules        lib/modules/REL/                        linux-image-REL
# A kernel built from source gives -c, -v (and Module.symvers and its
# modules sit next to its vmlinux).
#
# Its version names its source (source.sh): resolve_target_version.
#
# Layer 1, the target's facts (README, "Layout"): calls common.sh and
# dpkg.sh; called by every layer above.  Its TARGET_* are written here
# only, by resolve_target and the checks (check_target in the driver),
# before anything is built; read-only after.
#
# Owns: TARGET_RELEASE, TARGET_ROOT, TARGET_CONFIG, TARGET_VMLINUX,
# TARGET_SYMVERS, TARGET_MODULES, TARGET_CC, TARGET_CC_TEXT,
# TARGET_CC_FAMILY, TARGET_MAKE_VARS, TARGET_IS_RUNNING, TARGET_DEB_VERSION,
# TARGET_UPSTREAM_VERSION.  Constants: CONFIG_EVIDENCE, CONFIG_DERIVED_RE.

TARGET_RELEASE='' TARGET_ROOT='' TARGET_CONFIG='' TARGET_VMLINUX=''
TARGET_SYMVERS='' TARGET_MODULES='' TARGET_CC='' TARGET_CC_TEXT=''
# gcc or clang; the make variables of its toolchain (LLVM=1), for every make.
TARGET_CC_FAMILY='' TARGET_MAKE_VARS=()
# The target is the running kernel (no --release, no --vmlinux).
TARGET_IS_RUNNING=0
# Its Debian package version (6.1.192-3; empty for a kernel built from
# source) and the upstream version its source must have (6.1.192).
TARGET_DEB_VERSION='' TARGET_UPSTREAM_VERSION=''

# The banner of a vmlinux or /proc/version, on one line: "Linux version REL
# (BY@HOST) (COMPILER) #N SMP ... Debian 6.1.192-3 (2026-01-10)".
kernel_banner() {
	local banner
	banner=$(grep -a -o -m1 'Linux version [^ ]* ([^[:cntrl:]]*' "$1" 2>/dev/null) || return 1
	sed -n 1p <<<"$banner"
}

# The release written in a vmlinux's banner ("Linux version REL (...").
vmlinux_release() {
	local banner
	banner=$(kernel_banner "$1") || return 1
	banner=${banner#Linux version }
	echo "${banner%% (*}"
}

# The Debian version a banner ends with: Debian's kernels have UTS_VERSION
# "#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-3 (2026-01-10)" (6.12's: "#
# SMP ..."). Only after the build number: the compiler's "(Debian
# 12.2.0-14)" is not the kernel's.
banner_debian_version() {
	sed -n -E 's/.*\) #[0-9]* ([^()]* )?Debian ([0-9][^ ]*).*/\2/p' <<<"$1"
}

# VERSION.PATCHLEVEL.SUBLEVEL of a version that begins with it (a missing
# SUBLEVEL is 0: "6.13~rc4" -> 6.13.0); 1 if it does not begin so.
kernel_version_triplet() {
	[[ $1 =~ ^([0-9]+)\.([0-9]+)(\.([0-9]+))? ]] || return 1
	echo "${BASH_REMATCH[1]}.${BASH_REMATCH[2]}.${BASH_REMATCH[4]:-0}"
}

# Debian's ABI releases keep the line's .0 whatever the stable update
# (6.1.0-57-cloud-amd64 is 6.1.192; 6.1.0-0.deb11.21-amd64): no version in them.
is_debian_abi_release() { [[ $1 =~ ^[0-9]+\.[0-9]+\.0-[0-9]+([.-]|$) ]]; }

# The target's version, the one fact its source is chosen by:
# - "Debian VER" in vmlinux's banner: the package version VER, and its
#   upstream part (6.1.192-3 -> 6.1.192);
# - else a kernel built from source, whose release kbuild begins with
#   VERSION.PATCHLEVEL.SUBLEVEL (6.1.192, 6.1.192-kpb, 6.13.0-rc4): that;
# - else (a Debian ABI release, or a release that does not begin with a
#   version, with no Debian version in the banner) the source cannot be
#   told: refused, exit 4.
# For the running kernel, /proc/version must be vmlinux's banner.
resolve_target_version() {
	local banner
	banner=$(kernel_banner "$TARGET_VMLINUX") ||
		die "$EXIT_USAGE" "$TARGET_VMLINUX: no 'Linux version' banner (not a vmlinux?)"
	TARGET_DEB_VERSION=$(banner_debian_version "$banner")
	if [[ -n $TARGET_DEB_VERSION ]]; then
		TARGET_UPSTREAM_VERSION=$(kernel_version_triplet "$(deb_upstream_version "$TARGET_DEB_VERSION")") ||
			die "$EXIT_MISMATCH" "$TARGET_VMLINUX: 'Debian $TARGET_DEB_VERSION' in its banner is no kernel version"
	elif is_debian_abi_release "$TARGET_RELEASE"; then
		die "$EXIT_MISMATCH" "$TARGET_VMLINUX: the banner of $TARGET_RELEASE names no Debian version ('... Debian X.Y.Z-N (DATE)'), and a Debian ABI release does not say which X.Y.Z it is: cannot tell the kernel's source (is this the -dbg package's vmlinux?)"
	else
		TARGET_UPSTREAM_VERSION=$(kernel_version_triplet "$TARGET_RELEASE") ||
			die "$EXIT_MISMATCH" "$TARGET_VMLINUX: release $TARGET_RELEASE does not begin with VERSION.PATCHLEVEL.SUBLEVEL and its banner names no Debian version: cannot tell the kernel's source"
	fi
	((TARGET_IS_RUNNING)) && check_running_kernel "$banner"
	debug "target version: $(target_version_text)"
}

debian_version_text() {
	if [[ -n $1 ]]; then echo "Debian $1"; else echo "no Debian version"; fi
}

# "6.1.192 (Debian 6.1.192-3)" or "6.1.192 (built from source: ...)".
target_version_text() {
	if [[ -n $TARGET_DEB_VERSION ]]; then
		echo "$TARGET_UPSTREAM_VERSION (Debian $TARGET_DEB_VERSION)"
	else
		echo "$TARGET_UPSTREAM_VERSION (built from source: no Debian version in its banner)"
	fi
}

# The running kernel is the build vmlinux is of: its /proc/version is
# vmlinux's banner, byte for byte (another Debian version of the same ABI
# release, or another build of the same source, differs).
check_running_kernel() {
	local vmlinux_banner=$1 proc=${KPB_TEST_HOST_ROOT:-}/proc/version banner running_deb
	banner=$(kernel_banner "$proc") || die "$EXIT_ERROR" "$proc: no 'Linux version' banner"
	[[ $banner == "$vmlinux_banner" ]] && return 0
	running_deb=$(banner_debian_version "$banner")
	if [[ $running_deb != "$TARGET_DEB_VERSION" ]]; then
		die "$EXIT_MISMATCH" "the running kernel $TARGET_RELEASE is $(debian_version_text "$running_deb") ($proc), but $TARGET_VMLINUX is $(debian_version_text "$TARGET_DEB_VERSION"): install the vmlinux of the running kernel${running_deb:+ (apt-get install linux-image-$TARGET_RELEASE-dbg=$running_deb)}, or give --release and the target's files"
	fi
	indent "running: $banner"$'\n'"vmlinux: $vmlinux_banner"
	die "$EXIT_MISMATCH" "the running kernel ($proc) is another build than $TARGET_VMLINUX (banners above): give the vmlinux of the running kernel, or --release"
}

# One line naming the Debian package that provides a missing piece.
need_target_file() {
	local path=$1 what=$2 package=$3 option=$4
	[[ -f $path && -r $path ]] && return 0
	die "$EXIT_USAGE" "$what $path not found: install $package (or unpack it under --target-root, or give $option)"
}

resolve_target() {
	# The decompressed modules (target_module_symtab) are bulk.
	drop_from_kept_tmp modsyms
	TARGET_ROOT=${OPT_TARGET_ROOT:-}
	[[ -z $TARGET_ROOT || -d $TARGET_ROOT ]] || die "$EXIT_USAGE" "--target-root $TARGET_ROOT: not a directory"
	TARGET_RELEASE=$OPT_RELEASE
	if [[ -z $TARGET_RELEASE && -n $OPT_VMLINUX ]]; then
		need_target_file "$OPT_VMLINUX" vmlinux "the kernel's debug symbols" --vmlinux
		TARGET_RELEASE=$(vmlinux_release "$OPT_VMLINUX") ||
			die "$EXIT_USAGE" "$OPT_VMLINUX: no 'Linux version' banner (not a vmlinux?)"
	fi
	if [[ -z $TARGET_RELEASE ]]; then
		TARGET_RELEASE=$(uname -r) TARGET_IS_RUNNING=1
	fi
	[[ $TARGET_RELEASE =~ ^[A-Za-z0-9][A-Za-z0-9._+~-]*$ ]] ||
		die "$EXIT_USAGE" "release '$TARGET_RELEASE': not a kernel release name"
	local rel=$TARGET_RELEASE root=${TARGET_ROOT%/}
	TARGET_CONFIG=${OPT_CONFIG:-$root/boot/config-$rel}
	need_target_file "$TARGET_CONFIG" "kernel config" "linux-image-$rel" --config
	TARGET_VMLINUX=${OPT_VMLINUX:-$root/usr/lib/debug/boot/vmlinux-$rel}
	need_target_file "$TARGET_VMLINUX" "vmlinux with symbols" "linux-image-$rel-dbg" --vmlinux
	TARGET_SYMVERS=${OPT_SYMVERS:-$(first_existing "$root/usr/src/linux-headers-$rel/Module.symvers" \
		"$(dirname "$TARGET_VMLINUX")/Module.symvers")}
	need_target_file "${TARGET_SYMVERS:-$root/usr/src/linux-headers-$rel/Module.symvers}" \
		Module.symvers "linux-headers-$rel" --symvers
	TARGET_MODULES=${OPT_MODULES_DIR:-$(first_existing "$root/lib/modules/$rel/kernel" \
		"$(dirname "$TARGET_VMLINUX")")}
	TARGET_MODULES=${TARGET_MODULES%/kernel}
	TARGET_CONFIG=$(realpath "$TARGET_CONFIG") TARGET_VMLINUX=$(realpath "$TARGET_VMLINUX")
	TARGET_SYMVERS=$(realpath "$TARGET_SYMVERS")
	debug "target $TARGET_RELEASE: config $TARGET_CONFIG, vmlinux $TARGET_VMLINUX," \
		"symvers $TARGET_SYMVERS, modules ${TARGET_MODULES:-none}"
}

first_existing() {
	local p
	for p in "$@"; do
		[[ -e $p ]] && { echo "$p"; return 0; }
	done
	return 0
}

# ---- checks: everything that can refuse runs before the first build --------
check_vmlinux() {
	local release
	readelf -h "$TARGET_VMLINUX" >/dev/null 2>&1 ||
		die "$EXIT_USAGE" "$TARGET_VMLINUX: not an ELF file (give the vmlinux with symbols, not vmlinuz)"
	[[ $(readelf -h "$TARGET_VMLINUX") == *Machine:*X86-64* ]] ||
		die "$EXIT_USAGE" "$TARGET_VMLINUX: not an x86-64 vmlinux"
	has_section "$TARGET_VMLINUX" .symtab ||
		die "$EXIT_USAGE" "$TARGET_VMLINUX: no .symtab (stripped; use the -dbg package's vmlinux)"
	release=$(vmlinux_release "$TARGET_VMLINUX") ||
		die "$EXIT_USAGE" "$TARGET_VMLINUX: no 'Linux version' banner (not a vmlinux?)"
	[[ $release == "$TARGET_RELEASE" ]] ||
		die "$EXIT_MISMATCH" "$TARGET_VMLINUX is kernel $release, the target is $TARGET_RELEASE"
}

# The compilers a config can name: gcc, or clang (CONFIG_CC_IS_CLANG, or a
# version text such as "Debian clang version 14.0.6").
config_cc_family() {
	if [[ $(config_value CONFIG_CC_IS_CLANG "$1") == y || $(config_value CONFIG_CC_VERSION_TEXT "$1") == *"clang version"* ]]; then
		echo clang
	else
		echo gcc
	fi
}

# The compiler that built a file, from its .comment, in the form of its
# --version line: "GCC: (Debian 12.2.0-14) 12.2.0" -> "gcc (Debian 12.2.0-14)
# 12.2.0" (gcc records no program name), or clang's own line ("Debian clang
# version 14.0.6"). Nothing if the file records neither.
elf_cc_comments() {
	readelf -p .comment "$1" 2>/dev/null | sed -n -E \
		-e 's/^ *\[ *[0-9a-f]*\] *GCC: (.*)$/gcc \1/p' \
		-e 's/^ *\[ *[0-9a-f]*\] *(.*clang version .*)$/\1/p' | sort -u
}

# Does a .comment line (from elf_cc_comments) name the compiler of TEXT (its
# --version line)? gcc's by identity (the program name differs), clang's
# line whole: it is the same whatever clang-N it was called by.
cc_comment_is() {
	local comment=$1 text=$2
	case $comment in
	gcc\ *) [[ $(cc_identity "$comment") == "$(cc_identity "$text")" ]] ;;
	*) [[ $comment == "$text" ]] ;;
	esac
}

# The compiler must be the one that built the target, or the original
# objects will not match the running code.  The config names it (its first
# line of --version).  For gcc, prefer the very program it names so that
# kbuild computes the same CONFIG_CC_VERSION_TEXT, else any gcc of the same
# identity; clang's line names no program: KPB_CC, clang or clang-<major>.
# Everything here refuses before the first build step, naming both sides.
check_compiler() {
	local want
	want=$(config_value CONFIG_CC_VERSION_TEXT "$TARGET_CONFIG")
	[[ -n $want ]] || die "$EXIT_MISMATCH" "$TARGET_CONFIG has no CONFIG_CC_VERSION_TEXT (not a kernel .config?)"
	TARGET_CC_FAMILY=$(config_cc_family "$TARGET_CONFIG")
	if [[ $TARGET_CC_FAMILY == clang ]]; then
		find_target_clang "$want"
	else
		find_target_gcc "$want"
	fi
	check_elf_compiler "$TARGET_VMLINUX" vmlinux "$want"
	debug "compiler $TARGET_CC: $TARGET_CC_TEXT${TARGET_MAKE_VARS[*]:+ (${TARGET_MAKE_VARS[*]})}"
}

# The first .comment line of the target's compiler family must name the
# compiler found; a file with lines of the other family only was built by
# another compiler than the config says.
check_elf_compiler() {
	local file=$1 what=$2 want=$3 comments first
	((OPT_SKIP_COMPILER_CHECK)) && return 0
	comments=$(elf_cc_comments "$file")
	[[ -n $comments ]] || return 0
	if [[ $TARGET_CC_FAMILY == gcc ]]; then
		first=$(grep -m1 '^gcc ' <<<"$comments") || true
	else
		first=$(grep -m1 -v '^gcc ' <<<"$comments") || true
	fi
	[[ -n $first ]] || first=$(sed -n 1p <<<"$comments")
	cc_comment_is "$first" "$TARGET_CC_TEXT" ||
		die "$EXIT_MISMATCH" "compiler differs from the target's: $what was built by '$first', the target's compiler is '$TARGET_CC_TEXT' (the config says '$want'; or --skip-compiler-check)"
}

# first_matching_cc WANT CANDIDATE...: the first candidate whose --version
# line matches WANT (whole, or by identity for gcc), as "prog<TAB>line".
first_matching_cc() {
	local want=$1 cand text
	shift
	for cand in "$@"; do
		[[ -n $cand ]] || continue
		command -v "$cand" >/dev/null || continue
		text=$(cc_version_text "$cand") || continue
		if [[ $text == "$want" || ($text == *gcc* && $(cc_identity "$text") == "$(cc_identity "$want")") ]]; then
			printf '%s\t%s\n' "$cand" "$text"
			return 0
		fi
	done
	return 1
}

cc_version_line() { cc_version_text "$1" || echo "not installed"; }

find_target_gcc() {
	local want=$1 found text
	if found=$(first_matching_cc "$want" "${want%% *}" "${KPB_CC:-}" gcc "gcc-$(sed -E 's/.* ([0-9]+)\.[0-9.]+$/\1/' <<<"$want")"); then
		IFS=$'\t' read -r TARGET_CC TARGET_CC_TEXT <<<"$found"
		return 0
	fi
	text=$(cc_version_line gcc)
	if ((OPT_SKIP_COMPILER_CHECK)); then
		warn "compiler differs from the target's ('$text' vs '$want'); going on as asked (--skip-compiler-check)"
		TARGET_CC=gcc TARGET_CC_TEXT=$text
	else
		die "$EXIT_MISMATCH" "compiler differs from the target's: gcc is '$text', the config says '$want' (install that compiler, or --skip-compiler-check)"
	fi
}

# A clang kernel is built with the LLVM toolchain that built it: LLVM=1
# (ld.lld, llvm-ar, llvm-nm, llvm-objcopy, ...) when it was linked by ld.lld
# (CONFIG_LD_IS_LLD), with the suffix or directory of the clang found
# (clang-14 -> LLVM=-14); LLVM_IAS=0 when GNU as assembled it.  Without
# these a clang kernel's modules would be linked by GNU ld and its objects
# assembled differently from the target's.
find_target_clang() {
	local want=$1 found major tool have
	major=$(sed -n -E 's/.*clang version ([0-9]+).*/\1/p' <<<"$want")
	if found=$(first_matching_cc "$want" "${KPB_CC:-}" clang ${major:+"clang-$major"}); then
		IFS=$'\t' read -r TARGET_CC TARGET_CC_TEXT <<<"$found"
	elif ((OPT_SKIP_COMPILER_CHECK)) && command -v clang >/dev/null; then
		TARGET_CC=clang TARGET_CC_TEXT=$(cc_version_line clang)
		warn "compiler differs from the target's ('$TARGET_CC_TEXT' vs '$want'); going on as asked (--skip-compiler-check)"
	else
		have="clang is '$(cc_version_line clang)'"
		[[ -z $major ]] || have+=", clang-$major is '$(cc_version_line "clang-$major")'"
		die "$EXIT_MISMATCH" "the target was built by clang ('$want'): $have, gcc is '$(cc_version_line gcc)' (install that clang, or set KPB_CC)"
	fi
	TARGET_MAKE_VARS=()
	if [[ $(config_value CONFIG_LD_IS_LLD "$TARGET_CONFIG") == y ]]; then
		case $TARGET_CC in
		*/clang) TARGET_MAKE_VARS=("LLVM=${TARGET_CC%clang}") tool=${TARGET_CC%clang}ld.lld ;;
		clang-*) TARGET_MAKE_VARS=("LLVM=${TARGET_CC#clang}") tool=ld.lld${TARGET_CC#clang} ;;
		*) TARGET_MAKE_VARS=(LLVM=1) tool=ld.lld ;;
		esac
		command -v "$tool" >/dev/null ||
			die "$EXIT_MISMATCH" "the target was linked by ld.lld (CONFIG_LD_IS_LLD, $(config_value CONFIG_LLD_VERSION "$TARGET_CONFIG")): $tool not found (install lld)"
	fi
	[[ $(config_value CONFIG_AS_IS_GNU "$TARGET_CONFIG") == y ]] && TARGET_MAKE_VARS+=(LLVM_IAS=0)
	return 0
}

# The debug-info flags the objects get (build.sh's kmake; part of the
# prepared tree's cache key, cache.sh). kpb-layout compares the objects' DWARF, with every type in each object:
# -g where the config has no DEBUG_INFO (GCC's -g changes no code: its
# -fcompare-debug guarantee; the tinyconfig cells), no split or reduced
# debug info where it has.  Flags that only change the debug sections.
debug_info_cflags() {
	if [[ $(config_value CONFIG_DEBUG_INFO "$TARGET_CONFIG") != y ]]; then
		printf ' -g'
		return 0
	fi
	[[ $(config_value CONFIG_DEBUG_INFO_SPLIT "$TARGET_CONFIG") != y ]] || printf ' -gno-split-dwarf'
	[[ $(config_value CONFIG_DEBUG_INFO_REDUCED "$TARGET_CONFIG") != y ]] ||
		printf ' -femit-struct-debug-detailed=any'
}

# Options whose presence in vmlinux a symbol (or section) shows: a config
# that says otherwise belongs to another build of the kernel.
readonly CONFIG_EVIDENCE=(
	"CONFIG_LIVEPATCH sym klp_enable_patch"
	"CONFIG_MODVERSIONS sec __kcrctab"
	"CONFIG_DYNAMIC_DEBUG sym __dynamic_pr_debug"
	"CONFIG_FUNCTION_TRACER sym __fentry__"
	"CONFIG_RETHUNK|CONFIG_MITIGATION_RETHUNK sym __x86_return_thunk"
	"CONFIG_PARAVIRT_SPINLOCKS sym __pv_queued_spin_lock_slowpath"
	"CONFIG_KASAN sym __asan_report_load8_noabort"
	"CONFIG_DEBUG_INFO_BTF sec .BTF"
	"CONFIG_X86_KERNEL_IBT sec .ibt_endbr_seal"
)

# Compare the config with the vmlinux: its embedded config (IKCONFIG) when
# it has one, else the evidence above.
check_config_matches_vmlinux() {
	local syms=$TMP_DIR/vmlinux.syms secs=$TMP_DIR/vmlinux.secs line opt kind name want have bad=()
	if extract_ikconfig "$TARGET_VMLINUX" >"$TMP_DIR/ikconfig" 2>/dev/null && [[ -s $TMP_DIR/ikconfig ]]; then
		compare_configs "$TARGET_CONFIG" "$TMP_DIR/ikconfig" "the config embedded in $TARGET_VMLINUX" ||
			die "$EXIT_MISMATCH" "$TARGET_CONFIG is not the config $TARGET_VMLINUX was built with (< given, > embedded)"
		return 0
	fi
	# Global symbols only: with MITIGATION_RETHUNK off, clang emits a local
	# copy of the header's empty inline __x86_return_thunk (static_call.c
	# takes its address). Non-empty sections only: ld.lld keeps an empty
	# __kcrctab output section where GNU ld drops it.
	readelf -sW "$TARGET_VMLINUX" | awk '$7 != "UND" && $5 != "LOCAL" { print $8 }' | sort -u >"$syms"
	readelf -SW "$TARGET_VMLINUX" | sed 's/^ *\[ *[0-9]*\]//' |
		awk 'NF >= 6 && $5 ~ /^[0-9a-f]+$/ && $5 !~ /^0+$/ { print $1 }' >"$secs"
	for line in "${CONFIG_EVIDENCE[@]}"; do
		read -r opt kind name <<<"$line"
		want=n have=n
		config_any_y "$opt" && want=y
		if [[ $kind == sym ]]; then grep -qxF "$name" "$syms" && have=y; else grep -qxF "$name" "$secs" && have=y; fi
		[[ $want == "$have" ]] || bad+=("$opt is $want in the config, but vmlinux $([[ $have == y ]] && echo has || echo lacks) $name")
	done
	((${#bad[@]} == 0)) && return 0
	printf '  %s\n' "${bad[@]}" >&2
	die "$EXIT_MISMATCH" "$TARGET_CONFIG does not describe $TARGET_VMLINUX (another build of the kernel?)"
}

# config_any_y "CONFIG_A|CONFIG_B": one of the names (options renamed
# between kernel lines) is y in the target's config.
config_any_y() {
	local o
	for o in ${1//|/ }; do
		[[ $(config_value "$o" "$TARGET_CONFIG") == y ]] && return 0
	done
	return 1
}

# IKCONFIG: gzip data between the IKCFG_ST and IKCFG_ED markers.
extract_ikconfig() {
	local off
	off=$(grep -abo -m1 'IKCFG_ST' "$1" | cut -d: -f1) || return 1
	[[ -n $off ]] || return 1
	tail -c +$((off + 9)) "$1" | gzip -dc 2>/dev/null || true
}

# Lines kbuild derives from the build machine, or fills in itself, are not
# the target's identity: the compiler's and tools' versions and abilities,
# and the signing and salt settings that distributions strip from the
# config they ship.  Everything else must be equal.
readonly CONFIG_DERIVED_RE='^(# )?CONFIG_((CC|GCC|CLANG|AS|LD|LLD|RUSTC|RUSTC_LLVM|PAHOLE|BINDGEN)_VERSION(_TEXT)?|(CC|AS|LD|PAHOLE|RUSTC|TOOLS)_(HAS|IS|CAN|SUPPORTS?)_[A-Z0-9_]*|TOOLS_SUPPORT_[A-Z0-9_]*|CC_IMPLICIT_FALLTHROUGH|CC_NO_[A-Z0-9_]*|GCC[0-9]*_NO_[A-Z0-9_]*|RUST_IS_AVAILABLE|BUILD_SALT|MODULE_SIG_KEY|MODULE_SIG_ALL|SYSTEM_TRUSTED_KEYS|SYSTEM_REVOCATION_KEYS)[= ]'

config_lines() {
	grep -E '^(CONFIG_|# CONFIG_[A-Za-z0-9_]+ is not set)' "$1" | grep -vE "$CONFIG_DERIVED_RE" | sort
}

# compare_configs GIVEN OTHER DESCRIPTION: 0 if equal up to derived lines,
# else prints the first differences.
compare_configs() {
	local diff
	diff=$(diff <(config_lines "$1") <(config_lines "$2")) && return 0
	echo "kpatch-build: $1 differs from $3:" >&2
	grep '^[<>]' <<<"$diff" | sed -n 1,20p | sed 's/^/  /' >&2
	return 1
}

# Where a module's .ko lives for the target: the -dbg package's unstripped
# copy (Debian strips the STT_FILE symbols from the installed modules, which
# tell apart static functions of the same name), the installed layout
# (kernel/<path>.ko, compressed or not) or a build directory (<path>.ko).
target_module_file() {
	local path=$1 f
	[[ -n $TARGET_MODULES ]] || return 1
	for f in "${TARGET_ROOT%/}/usr/lib/debug/lib/modules/$TARGET_RELEASE/kernel/$path.ko" \
		"$TARGET_MODULES/kernel/$path.ko"{,.xz,.zst,.gz} "$TARGET_MODULES/$path.ko"; do
		[[ -f $f ]] && { echo "$f"; return 0; }
	done
	return 1
}

# A readable, uncompressed copy of the target's module PATH (fs/ext4/ext4).
target_module_symtab() {
	local path=$1 src out
	out=$TMP_DIR/modsyms/${path//\//-}.ko
	[[ -e $out ]] && { echo "$out"; return 0; }
	src=$(target_module_file "$path") ||
		die "$EXIT_USAGE" "module $path.ko of $TARGET_RELEASE not found under ${TARGET_MODULES:-(no modules dir)}: install linux-image-$TARGET_RELEASE (or give --modules-dir)"
	mkdir -p "$TMP_DIR/modsyms"
	ko_decompress "$src" "$out" || die "cannot decompress $src"
	echo "$out"
}
