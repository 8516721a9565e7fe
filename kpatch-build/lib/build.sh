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
kmake() {
	local kcflags
	kcflags=$(kmake_kcflags)
	note_kmake_args "$kcflags"
	kbuild KCFLAGS="$kcflags" "$@"
}

kmake_kcflags() { echo "$KCFLAGS_INSTRUMENT$(debug_info_cflags) -I$TARGET_DIR/include"; }

# The tree's kmake arguments (all but -j), rewritten only when they change:
# a .cmd file newer than it was written by a kmake of these arguments
# (compile_recorded trusts no other).
kmake_args_file() { echo "$TARGET_DIR/kmake.args"; }
note_kmake_args() {
	local file args
	file=$(kmake_args_file)
	args=$(kbuild_command | tr '\0' '\n' | grep -v '^-j'; echo "KCFLAGS=$1")
	[[ -f $file && $(<"$file") == "$args" ]] && return 0
	printf '%s\n' "$args" >"$file.tmp"
	mv "$file.tmp" "$file"
}

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
	# With kmake's KCFLAGS, as the objects are compiled: kbuild would
	# otherwise compile the prepare step's own objects (asm-offsets,
	# bounds, scripts/mod) again at the first compile, and relink modpost.
	local -a cmd
	mapfile -d '' -t cmd < <(kbuild_command)
	# shellcheck disable=SC2016 # the inner shell's own $1..$3 and $@
	run_logged bash -c '"$1" includes "$2" "$3" & index=$!; shift 3; "$@"; status=$?; wait "$index" || exit 99; exit "$status"' \
		kpb-prepare "$KPB_OBJMAP" "$COPY_DIR" "$TARGET_DIR/includes.idx" "${cmd[@]}" \
		"KCFLAGS=$(kmake_kcflags)" modules_prepare || {
		local status=$?
		((status == 99)) && die "$EXIT_BUILD" "kpb-objmap could not index the includes of $COPY_DIR"
		die "$EXIT_BUILD" "make modules_prepare failed for $TARGET_RELEASE"
	}
	[[ $(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' "$OBJ_DIR/include/generated/utsrelease.h") == "$TARGET_RELEASE" ]] ||
		die "$EXIT_BUILD" "the prepared tree's UTS_RELEASE is not $TARGET_RELEASE"
	stage "mapping the objects of this configuration"
	# The tree's own CC is kpb-cc (kpb-objmap gives the top Makefile the
	# variables the config was made with): the target's compiler behind it.
	run_logged env KPB_REAL_CC="$TARGET_CC" "$KPB_OBJMAP" map -j "$OPT_JOBS" "$COPY_DIR" "$OBJ_DIR" "$TARGET_DIR/objects.map" ||
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

# compile_patched OBJECT...: CHANGED, the objects recompiled: with the
# command kbuild recorded for them where it can be trusted, the others
# through kbuild.
compile_patched() {
	local -a unrecorded=()
	stage "compiling the patched object(s)"
	touch "$JOURNAL/rebuild-started"
	: >"$JOURNAL/compiled"
	split_recorded "$TMP_DIR/recorded" "$@"
	mapfile -t unrecorded <"$TMP_DIR/recorded/unrecorded"
	compile_recorded "$TMP_DIR/recorded" || patched_compile_failed
	if ((${#unrecorded[@]})); then
		KPB_JOURNAL=$JOURNAL kmake "${unrecorded[@]}" || patched_compile_failed
	fi
	mapfile -t CHANGED < <(sort -u "$JOURNAL/compiled")
	debug "recompiled: ${CHANGED[*]}"
}

patched_compile_failed() {
	# The compiler's own words first (a kpatch-macros.h misuse is a
	# static assertion naming the macro).
	grep -m5 ': error: ' "$LOG" | while IFS= read -r l; do warn "$l"; done || true
	die "$EXIT_BUILD" "compiling the patched objects failed"
}

# ---- compiles with the command kbuild recorded -----------------------------
# kbuild writes the command it compiled an object with (objtool included
# where it runs per object) into the object's .cmd file (cmd_OBJ, or
# savedcmd_OBJ since Linux 6.3).  Recompiling a patched object with it skips
# a top-level make: 2-3 s of kbuild's prepare checks for a compile of half
# a second.  It is taken only when it cannot be stale or wrong, else the
# object goes to kbuild:
#   - the .cmd is newer than the tree's kmake arguments (note_kmake_args):
#     recorded by a kmake of exactly these arguments (compiler wrapper,
#     KCFLAGS, release, toolchain variables), and the command holds them;
#   - its source_ line is the object's source in the private copy
#     (objects.map), and the object is that .cmd's (original_is_built);
#   - the command holds no make expansion but kbuild's escapes ($$ and
#     $(pound)).
# An object whose recorded dependencies (source_ and deps_ lines) hold none
# of the patched files is not recompiled: kbuild would not recompile it.

# split_recorded DIR OBJECT...: DIR/N.sh per object to compile with its
# recorded command, DIR/unrecorded lists the others.
split_recorded() {
	local dir=$1 obj n=0 args
	shift
	rm -rf "$dir"
	mkdir -p "$dir"
	: >"$dir/unrecorded"
	args=$(kmake_args_file)
	for obj in "$@"; do
		if [[ -f $args ]] && recorded_command "$obj" "$args" >"$dir/cmd"; then
			[[ -s $dir/cmd ]] || continue	# no patched file among its dependencies
			n=$((n + 1))
			mv "$dir/cmd" "$dir/$n.sh"
		else
			echo "$obj" >>"$dir/unrecorded"
		fi
	done
	rm -f "$dir/cmd"
	debug "recorded commands: $n, through kbuild: $(wc -l <"$dir/unrecorded")"
}

# recorded_command OBJECT ARGS_FILE: the shell command kbuild recorded for
# OBJECT, nothing if none of TOUCHED is among its dependencies; status 1
# when the record cannot be trusted.
recorded_command() {
	local obj=$1 args=$2 cmd src kcflags
	cmd=$OBJ_DIR/$(dirname "$obj")/.$(basename "$obj").cmd
	[[ -f $cmd && $cmd -nt $args ]] && original_is_built "$obj" || return 1
	src=$(object_source_of "$obj")
	[[ -n $src && $src != - ]] || return 1
	kcflags=$(kmake_kcflags)
	awk -v obj="$obj" -v src="$COPY_DIR/$src" -v cc="$TARGET_DIR/bin/kpb-cc " -v kcflags=" $kcflags " \
		-v touched="$(printf "$COPY_DIR/%s\n" "${TOUCHED[@]}")" '
		BEGIN { n = split(touched, t, "\n"); for (i = 1; i <= n; i++) if (t[i] != "") want[t[i]] = 1 }
		# savedcmd_ since Linux 6.3 (the 6.12 line), cmd_ before.
		index($0, "cmd_" obj " := ") == 1 { command = substr($0, length("cmd_" obj " := ") + 1); next }
		index($0, "savedcmd_" obj " := ") == 1 { command = substr($0, length("savedcmd_" obj " := ") + 1); next }
		index($0, "source_" obj " := ") == 1 {
			source = substr($0, length("source_" obj " := ") + 1)
			if (source in want) hit = 1
			next }
		$1 in want { hit = 1 }
		END {
			if (source != src || index(command, cc) != 1 || !index(command, kcflags)) exit 1
			gsub(/\$\(pound\)/, "#", command)
			gsub(/\$\$/, "\001", command)
			if (index(command, "$")) exit 1
			gsub(/\001/, "$", command)
			if (hit) print command
		}' "$cmd"
}

# The source file OBJECT is built from (objects.map's third column).
object_source_of() { awk -v o="$1" '$1 == o { print $3; exit }' "$TARGET_DIR/objects.map"; }

# compile_recorded DIR: DIR/*.sh, --jobs at once, in the build directory
# under `set -e` as kbuild runs them, through kpb-cc's journal.
compile_recorded() {
	local dir=$1
	compgen -G "$dir/*.sh" >/dev/null || return 0
	printf '%s\0' "$dir"/*.sh >"$dir/list"
	stage "compiling $(compgen -G "$dir/*.sh" | wc -l) object(s) with kbuild's recorded command"
	run_logged env -C "$OBJ_DIR" KPB_REAL_CC="$TARGET_CC" KPB_JOURNAL="$JOURNAL" \
		xargs -0 -r -a "$dir/list" -P "$OPT_JOBS" -n 1 bash -e
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
