# shellcheck shell=bash
# kpatch-build: the patches checked before anything is built: the files
# they touch, that they apply (a dry run against the pristine files), that
# they delete no file, and which of the touched files can be livepatched;
# then, for real, applied to a copy (apply_patches_to).
#
# Layer 4 (README, "Layout"): calls common.sh, oot.sh (the module's
# source), source.sh (a -s tree) and cache.sh (the source copy); called by
# build.sh (TOUCHED, apply_patches_to), oot-build.sh (copy_touched_files,
# apply_patches_to) and the driver.
#
# Owns: TOUCHED.  Reads the driver's PATCHES.

declare -a TOUCHED=()	# files (relative to the source) the patches touch

# The source-relative files a patch touches (GNU patch -p1 names).
patch_files() {
	awk '/^\+\+\+ / { f = $2; sub(/\t.*/, "", f);
		if (f == "/dev/null") next; sub(/^[^\/]*\//, "", f); print f }
	     /^--- / { g = $2; sub(/\t.*/, "", g);
		if (g == "/dev/null") next; sub(/^[^\/]*\//, "", g); print g }' "$1" | sort -u
}

copy_touched_files() {
	local from=$1 to=$2 f
	for f in "${TOUCHED[@]}"; do
		[[ -e $from/$f ]] || continue
		mkdir -p "$to/$(dirname "$f")"
		cp -p "$from/$f" "$to/$f"
	done
}

# Dry-run every patch, in order, against a scratch copy of only the files
# they touch: a patch that does not apply is reported before any build.
check_patches_apply() {
	local scratch=$TMP_DIR/scratch p f out
	stage "checking that ${#PATCHES[@]} patch(es) apply"
	drop_from_kept_tmp scratch
	mkdir -p "$scratch"
	for p in "${PATCHES[@]}"; do
		mapfile -t -O "${#TOUCHED[@]}" TOUCHED < <(patch_files "$p")
	done
	mapfile -t TOUCHED < <(printf '%s\n' "${TOUCHED[@]}" | sed '/^$/d' | sort -u)
	((${#TOUCHED[@]})) || die "$EXIT_PATCH" "${PATCHES[0]}: no file names found (not a unified diff?)"
	for f in "${TOUCHED[@]}"; do
		[[ $f == *..* ]] && die "$EXIT_PATCH" "patch names a file outside the $(patched_tree_name): $f"
	done
	# The pristine files: the module's source, the user's tree, else the
	# cache's copy of the tarball (locked, restored; unpacked now if this is
	# the first run: a scan of the tarball for the few files would cost as
	# much).
	if oot_mode; then
		copy_touched_files "$OOT_SRC" "$scratch"
	elif [[ -n $SRC_DIR ]]; then
		copy_touched_files "$SRC_DIR" "$scratch"
	else
		copy_source
		copy_touched_files "$COPY_DIR" "$scratch"
	fi
	for p in "${PATCHES[@]}"; do
		if ! out=$(patch -d "$scratch" -p1 --batch --forward --no-backup-if-mismatch \
			-r - <"$(realpath "$p")" 2>&1); then
			indent "$out"
			die "$EXIT_PATCH" "$p does not apply: $(describe_patch_failure "$out")"
		fi
	done
}

patched_tree_name() {
	if oot_mode; then echo "module source $OOT_SRC"; else echo "kernel tree"; fi
}

describe_patch_failure() {
	awk '/^patching file / { file = $3 }
	     /^can.t find file to patch/ { print "file not found in the source tree"; exit }
	     /^Hunk #[0-9]+ FAILED/ { print file ": hunk " $2 " failed"; exit }
	     /Reversed \(or previously applied\) patch detected/ { print file ": already applied"; exit }
	     /^patch: \*\*\*\*/ { sub(/^patch: \*+ */, ""); print; exit }' <<<"$1"
}


# Files a patch deletes ("--- a/f" then "+++ /dev/null").
deleted_files() {
	awk '/^--- / { g = $2; sub(/\t.*/, "", g); sub(/^[^\/]*\//, "", g); next }
	     /^\+\+\+ \/dev\/null/ { if (g != "") print g }' "$1"
}

# Removing a file the target links cannot be livepatched as such.
refuse_deleted_files() {
	local p f
	for p in "${PATCHES[@]}"; do
		while IFS= read -r f; do
			[[ -n $f ]] && die "$EXIT_UNSUPPORTED" "$p deletes $f: removing a source file cannot be livepatched (change the code that uses it instead)"
		done < <(deleted_files "$p")
	done
	return 0
}

# apply_patches_to DIR: every patch, in order, for real (build.sh's source
# copy under its journal, oot-build.sh's copy of the module's source).
apply_patches_to() {
	local dir=$1 p
	for p in "${PATCHES[@]}"; do
		run_logged patch -d "$dir" -p1 --batch --forward --no-backup-if-mismatch \
			-r - -i "$(realpath "$p")" || die "$EXIT_PATCH" "$p does not apply to $dir"
	done
}

# Which of the touched files can be livepatched: C, assembler and headers;
# documentation and tools are ignored, a build or config change refused.
classify_touched_files() {
	local f
	for f in "${TOUCHED[@]}"; do
		case $f in
		*.c | *.h | *.S) ;;
		Documentation/* | *.rst | *.txt | MAINTAINERS | tools/* | */selftests/*)
			note "$f: not kernel code, ignored" ;;
		Makefile | */Makefile | */Kbuild | Kbuild | */Kconfig* | Kconfig*)
			die "$EXIT_UNSUPPORTED" "the patch changes $f: a build or configuration change cannot be livepatched" ;;
		*) note "$f: not C, assembler or a header; ignored" ;;
		esac
	done
}

