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

TARGET_RELEASE='' TARGET_ROOT='' TARGET_CONFIG='' TARGET_VMLINUX=''
TARGET_SYMVERS='' TARGET_MODULES='' TARGET_CC='' TARGET_CC_TEXT=''

# The release written in a vmlinux's banner ("Linux version REL (...").
vmlinux_release() {
	local banner
	banner=$(grep -a -o -m1 'Linux version [^ ]* (' "$1" 2>/dev/null) || return 1
	banner=${banner#Linux version }
	echo "${banner% (}"
}

# One line naming the Debian package that provides a missing piece.
need_target_file() {
	local path=$1 what=$2 package=$3 option=$4
	[[ -f $path && -r $path ]] && return 0
	die "$EXIT_USAGE" "$what $path not found: install $package (or unpack it under --target-root, or give $option)"
}

resolve_target() {
	TARGET_ROOT=${OPT_TARGET_ROOT:-}
	[[ -z $TARGET_ROOT || -d $TARGET_ROOT ]] || die "$EXIT_USAGE" "--target-root $TARGET_ROOT: not a directory"
	TARGET_RELEASE=$OPT_RELEASE
	if [[ -z $TARGET_RELEASE && -n $OPT_VMLINUX ]]; then
		need_target_file "$OPT_VMLINUX" vmlinux "the kernel's debug symbols" --vmlinux
		TARGET_RELEASE=$(vmlinux_release "$OPT_VMLINUX") ||
			die "$EXIT_USAGE" "$OPT_VMLINUX: no 'Linux version' banner (not a vmlinux?)"
	fi
	[[ -n $TARGET_RELEASE ]] || TARGET_RELEASE=$(uname -r)
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

# "gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0" -> "(Debian 12.2.0-14+deb12u1) 12.2.0":
# the compiler's identity, whatever name it was called by.
cc_identity() { sed -E 's/^[^ ]+ //' <<<"$1"; }

# The compiler must be the one that built the target, or the original
# objects will not match the running code.  The config names it (its first
# line of --version); prefer that very program so that kbuild computes the
# same CONFIG_CC_VERSION_TEXT, else any gcc of the same identity.
check_compiler() {
	local want prog cand text comment
	want=$(config_value CONFIG_CC_VERSION_TEXT "$TARGET_CONFIG")
	[[ -n $want ]] || die "$EXIT_MISMATCH" "$TARGET_CONFIG has no CONFIG_CC_VERSION_TEXT (not a kernel .config?)"
	prog=${want%% *}
	[[ $prog == *gcc* ]] || die "$EXIT_MISMATCH" "$TARGET_CONFIG: the target was built by '$want'; only gcc is supported"
	for cand in "$prog" "${KPB_CC:-}" gcc "gcc-$(sed -E 's/.* ([0-9]+)\.[0-9.]+$/\1/' <<<"$want")"; do
		[[ -n $cand ]] || continue
		command -v "$cand" >/dev/null || continue
		text=$("$cand" --version 2>/dev/null | sed -n 1p) || continue
		if [[ $(cc_identity "$text") == "$(cc_identity "$want")" ]]; then
			TARGET_CC=$cand TARGET_CC_TEXT=$text
			break
		fi
	done
	if [[ -z $TARGET_CC ]]; then
		text=$(gcc --version 2>/dev/null | sed -n 1p || echo 'no gcc')
		if ((OPT_SKIP_COMPILER_CHECK)); then
			warn "compiler differs from the target's ('$text' vs '$want'); going on as asked (--skip-compiler-check)"
			TARGET_CC=gcc TARGET_CC_TEXT=$text
		else
			die "$EXIT_MISMATCH" "compiler differs from the target's: gcc is '$text', the config says '$want' (install that compiler, or --skip-compiler-check)"
		fi
	fi
	comment=$(readelf -p .comment "$TARGET_VMLINUX" 2>/dev/null |
		sed -n 's/^ *\[ *[0-9a-f]*\] *GCC: //p' | sed -n 1p) || true
	if [[ -n $comment && $comment != "$(cc_identity "$TARGET_CC_TEXT")" ]] && ((!OPT_SKIP_COMPILER_CHECK)); then
		die "$EXIT_MISMATCH" "compiler differs from the target's: $TARGET_CC is '$TARGET_CC_TEXT', vmlinux was built by 'gcc $comment'"
	fi
	debug "compiler $TARGET_CC: $TARGET_CC_TEXT"
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
	readelf -sW "$TARGET_VMLINUX" | awk '$7 != "UND" { print $8 }' | sort -u >"$syms"
	readelf -SW "$TARGET_VMLINUX" | sed -n 's/^ *\[ *[0-9]*\] \([^ ]*\) .*/\1/p' >"$secs"
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
	case $src in
	*.xz) xz -dc "$src" >"$out.tmp" ;;
	*.zst) zstd -qdc "$src" >"$out.tmp" ;;
	*.gz) gzip -dc "$src" >"$out.tmp" ;;
	*) cp "$src" "$out.tmp" ;;
	esac || die "cannot decompress $src"
	mv "$out.tmp" "$out"
	echo "$out"
}
