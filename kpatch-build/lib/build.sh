# shellcheck shell=bash
# kpatch-build: the prepared tree and the compiles.
#
# No kernel is built.  A target's tree is prepared once (its config,
# olddefconfig, modules_prepare: generated headers and host tools; the
# target's Module.symvers; its vmlinux for the modules' BTF; the object map
# and include index of kpb-objmap), then only the objects the patches affect
# are compiled: original, then patched.
#
# Layer 5 (README, "Layout"): calls common.sh, target.sh, cache.sh and
# patches.sh (TOUCHED); called by layout.sh, diff.sh, callers.sh,
# oot-build.sh, kmod.sh and the driver.
#
# Owns: AFFECTED, CHANGED, PARENT.  Constant: KCFLAGS_INSTRUMENT.

readonly KCFLAGS_INSTRUMENT="-ffunction-sections -fdata-sections"

declare -a AFFECTED=()	# objects built from them
declare -a CHANGED=()	# objects the patched compile recompiled
declare -A PARENT=()	# object -> vmlinux or module path (fs/ext4/ext4)

# make in the prepared tree as the target was built: its compiler (through
# kpb-cc), its toolchain's make variables (LLVM=1 for a clang kernel: the
# module is linked by ld.lld like the target's) and its release, whatever
# `make kernelrelease` of the source says.
kbuild_command() {
	printf '%s\0' env KPB_REAL_CC="$TARGET_CC" make -C "$COPY_DIR" O="$OBJ_DIR" -j"$OPT_JOBS" \
		"${TARGET_MAKE_VARS[@]}" CC="$TARGET_DIR/bin/kpb-cc" KERNELRELEASE="$TARGET_RELEASE"
}

kbuild() {
	local -a cmd
	mapfile -d '' -t cmd < <(kbuild_command)
	run_logged "${cmd[@]}" "$@"
}

# The kernel's objects, compiled for create-diff-object and kpb-layout.
kmake() { kbuild KCFLAGS="$KCFLAGS_INSTRUMENT$(debug_info_cflags) -I$TARGET_DIR/include" "$@"; }

# ---- prepare the target's tree (once per target) ---------------------------
prepare_target_tree() {
	if [[ -e $TARGET_DIR/.kpb-prepared ]] && cmp -s "$TARGET_CONFIG" "$OBJ_DIR/.kpb-config-as-given"; then
		stage "prepared tree: cached ($OBJ_DIR)"
		return 0
	fi
	rm -f "$TARGET_DIR/.kpb-prepared"
	stage "preparing the tree for $TARGET_RELEASE ($OBJ_DIR; log: $LOG)"
	mkdir -p "$OBJ_DIR"
	configure_tree
	# The include index reads only the source: index it while kbuild
	# prepares (both in one process group, so a signal stops both).
	local -a cmd
	mapfile -d '' -t cmd < <(kbuild_command)
	# shellcheck disable=SC2016 # the inner shell's own $1..$3 and $@
	run_logged bash -c '"$1" includes "$2" "$3" & index=$!; shift 3; "$@"; status=$?; wait "$index" || exit 99; exit "$status"' \
		kpb-prepare "$KPB_OBJMAP" "$COPY_DIR" "$TARGET_DIR/includes.idx" "${cmd[@]}" modules_prepare || {
		local status=$?
		((status == 99)) && die "$EXIT_BUILD" "kpb-objmap could not index the includes of $COPY_DIR"
		die "$EXIT_BUILD" "make modules_prepare failed for $TARGET_RELEASE"
	}
	[[ $(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' "$OBJ_DIR/include/generated/utsrelease.h") == "$TARGET_RELEASE" ]] ||
		die "$EXIT_BUILD" "the prepared tree's UTS_RELEASE is not $TARGET_RELEASE"
	stage "mapping the objects of this configuration"
	run_logged "$KPB_OBJMAP" map -j "$OPT_JOBS" "$COPY_DIR" "$OBJ_DIR" "$TARGET_DIR/objects.map" ||
		die "$EXIT_BUILD" "kpb-objmap could not map the objects of $TARGET_CONFIG"
	touch "$TARGET_DIR/.kpb-prepared"
	discard_on_failure ''
}

# The target's config must survive olddefconfig against this source, up
# to the lines kbuild derives by itself (target.sh, CONFIG_DERIVED_RE).
configure_tree() {
	cp "$TARGET_CONFIG" "$OBJ_DIR/.config"
	cp "$TARGET_CONFIG" "$OBJ_DIR/.kpb-config-as-given"
	kmake olddefconfig || die "$EXIT_BUILD" "make olddefconfig failed"
	compare_configs "$TARGET_CONFIG" "$OBJ_DIR/.config" "what olddefconfig makes of it with this source and toolchain" ||
		die "$EXIT_MISMATCH" "$TARGET_CONFIG does not match the source (< given, > after olddefconfig; a CONFIG_PAHOLE_* or *_BTF_* line means: install dwarves)"
}

# Link the target's files into the tree: modpost reads Module.symvers for
# the CRCs of __versions; Makefile.modfinal builds a module's BTF against
# ./vmlinux (and skips it, saying so, when there is none).
link_target_files() {
	cmp -s "$TARGET_SYMVERS" "$OBJ_DIR/Module.symvers" || cp "$TARGET_SYMVERS" "$OBJ_DIR/Module.symvers"
	rm -f "$OBJ_DIR/vmlinux"
	if [[ $(config_value CONFIG_DEBUG_INFO_BTF_MODULES "$TARGET_CONFIG") == y ]] && ((!OPT_NO_BTF)); then
		ln -s "$TARGET_VMLINUX" "$OBJ_DIR/vmlinux"
	fi
}

# ---- which objects the patches affect --------------------------------------
find_affected_objects() {
	local status=0 out obj parent
	out=$("$KPB_OBJMAP" affected "$TARGET_DIR/objects.map" "$TARGET_DIR/includes.idx" \
		"${TOUCHED[@]}" 2>"$TMP_DIR/affected.err") || status=$?
	cat "$TMP_DIR/affected.err" >>"$LOG"
	case $status in
	0 | 4) ;;
	3)
		# Objects linked nowhere (the EFI stub's) run no code a livepatch
		# could replace: left out of the full compile, said so.
		warn "a patched file is included by every object of the kernel: compiling all of them (a full build)"
		warn "$(awk '$2 == "?"' "$TARGET_DIR/objects.map" | wc -l) object(s) linked into neither vmlinux nor a module are left out"
		out=$(awk '$2 != "?" { print $1, $2 }' "$TARGET_DIR/objects.map") ;;
	*) indent "$(cat "$TMP_DIR/affected.err")"; die "kpb-objmap affected failed (status $status)" ;;
	esac
	while read -r obj parent; do
		[[ -n $obj ]] || continue
		# One output per object and parent is not supported: patching
		# only one of them would drop the change from the other.
		[[ -z ${PARENT[$obj]:-} ]] ||
			die "$EXIT_UNSUPPORTED" "$obj is linked into both ${PARENT[$obj]} and $parent: an object with several parents cannot be patched"
		AFFECTED+=("$obj")
		PARENT[$obj]=$parent
	done <<<"$out"
	if ((${#AFFECTED[@]} == 0)); then
		die "$EXIT_NO_CHANGE" "no object of this configuration is built from the patched files: ${TOUCHED[*]}"
	fi
	((status == 4)) && note "$(sed -n 1p "$TMP_DIR/affected.err")"
	check_parents
	debug "affected: ${AFFECTED[*]}"
}

# An object that ends up nowhere we can tell cannot be patched, and must
# not be skipped in silence.
check_parents() {
	local obj bad=()
	for obj in "${AFFECTED[@]}"; do
		[[ ${PARENT[$obj]} == "?" ]] && bad+=("$obj")
	done
	((${#bad[@]} == 0)) ||
		die "$EXIT_UNSUPPORTED" "cannot tell whether vmlinux or which module links ${bad[*]}"
}

# ---- compiles --------------------------------------------------------------
# An original object compiled by an earlier run is up to date: the source
# copy is pristine (restored from the journal) and kbuild writes an
# object's .cmd only after the object is complete.
original_is_built() {
	local obj=$OBJ_DIR/$1 cmd
	cmd=$(dirname "$obj")/.$(basename "$obj").cmd
	[[ -f $obj && -f $cmd && ! $obj -nt $cmd ]]
}

# build_originals OBJECT...: those not compiled yet.
build_originals() {
	local obj missing=()
	for obj in "$@"; do
		original_is_built "$obj" || missing+=("$obj")
	done
	if ((${#missing[@]} == 0)); then
		stage "original objects: compiled by an earlier run ($#)"
		return 0
	fi
	stage "compiling ${#missing[@]} original object(s)"
	kmake "${missing[@]}" || die "$EXIT_BUILD" "compiling the original objects failed"
}

apply_patches() {
	stage "applying patches to the private copy"
	start_journal "${TOUCHED[@]}"
	apply_patches_to "$COPY_DIR"
}

rebuild_patched() {
	compile_patched "${AFFECTED[@]}"
	((${#CHANGED[@]})) || die "$EXIT_NO_CHANGE" "the patches recompiled no object"
}

# The objects compiled patched are no longer what the cache holds (the
# journal was restored: layout.sh's first objects).
forget_changed_objects() { CHANGED=(); }

# compile_patched OBJECT...: CHANGED, the objects kbuild recompiled.
compile_patched() {
	stage "compiling the patched object(s)"
	touch "$JOURNAL/rebuild-started"
	: >"$JOURNAL/compiled"
	KPB_JOURNAL=$JOURNAL kmake "$@" || {
		# The compiler's own words first (a kpatch-macros.h misuse is a
		# static assertion naming the macro).
		grep -m5 ': error: ' "$LOG" | while IFS= read -r l; do warn "$l"; done || true
		die "$EXIT_BUILD" "compiling the patched objects failed"
	}
	mapfile -t CHANGED < <(sort -u "$JOURNAL/compiled")
	debug "recompiled: ${CHANGED[*]}"
}

# ---- probe the kernel's special-section entry sizes ------------------------
# create-diff-object needs the entry sizes of __bug_table, __ex_table, ...;
# they depend on the kernel and its config, so ask its own headers.
probe_struct_sizes() {
	local dir=$TMP_DIR/probe sizes=$TARGET_DIR/struct-sizes var value
	[[ -s $sizes ]] || run_struct_probe "$dir" "$sizes"
	while read -r var value; do
		[[ -n ${!var:-} ]] && continue
		export "$var=$value"
		debug "$var=$value"
	done <"$sizes"
}

# The sizes depend only on the prepared tree: probed once per target.
run_struct_probe() {
	local dir=$1 sizes=$2 size name
	stage "probing special section entry sizes"
	mkdir -p "$dir"
	cp "$TEMPLATE_DIR/struct-probe.c" "$dir/"
	echo 'obj-m := struct-probe.o' >"$dir/Kbuild"
	kbuild M="$dir" struct-probe.o ||
		die "$EXIT_BUILD" "the struct size probe does not build against this kernel"
	nm -S --defined-only "$dir/struct-probe.o" | awk '$4 ~ /^kpb_size_/' |
		while read -r _ size _ name; do
			echo "${name#kpb_size_} $((16#$size))"
		done >"$sizes.tmp"
	[[ -s $sizes.tmp ]] || die "$EXIT_BUILD" "the struct size probe defines no kpb_size_* symbol"
	mv "$sizes.tmp" "$sizes"
}
