# shellcheck shell=bash
# kpatch-build: an out-of-tree module (oot.sh) built and diffed: its source
# copied into the run's temporary directory (the user's directory is never
# written) and built there twice with `make M=<copy> modules` through the
# driver's own kbuild command (kpb-cc, the target's compiler and release,
# -ffunction-sections -fdata-sections): as it is, then patched.  The
# objects kbuild lists in <module>.mod whose patched build differs are
# diffed against the user's .ko, the klp object being the module's name.
#
#   $TMP_DIR/oot/src        the private copy, built original then patched
#   $TMP_DIR/oot/orig/      the original objects, saved before patching
#   $TMP_DIR/oot/pristine/  the files the patches touch, as they were
#
# Layer 8 (README, "Layout"): calls common.sh, target.sh, oot.sh,
# module.sh, patches.sh, build.sh, layout.sh and diff.sh; called by the
# driver (patch_oot_module).
#
# Owns: OOT_DIR, OOT_COPY, OOT_OBJECTS, OOT_CHANGED.  Constant:
# OOT_COPY_EXCLUDES.

OOT_DIR='' OOT_COPY=''
declare -a OOT_OBJECTS=()	# the module's objects, relative to the copy
declare -a OOT_CHANGED=()	# those the patched build changed

# Build products of an earlier build in the user's directory: copied, they
# would be taken for up to date, or name the user's paths in their .cmd.
readonly OOT_COPY_EXCLUDES=(.git '*.o' '*.ko' '*.mod' '*.mod.c' '.*.cmd' '*.a' '*.dwo'
	modules.order Module.symvers .tmp_versions '.cache.mk' '*.o.d')

oot_kbuild() {
	kmake M="$OOT_COPY" KBUILD_MODPOST_WARN=1 modules
}

copy_oot_source() {
	local -a excludes=()
	local e
	OOT_DIR=$TMP_DIR/oot OOT_COPY=$TMP_DIR/oot/src
	for e in "${OOT_COPY_EXCLUDES[@]}"; do excludes+=(--exclude="$e"); done
	mkdir -p "$OOT_COPY" "$OOT_DIR/orig" "$OOT_DIR/pristine"
	# Links that leave the directory become files: a patch applied to the
	# copy must never write through one into the user's files.
	run_logged rsync -a --copy-unsafe-links "${excludes[@]}" "$OOT_SRC/" "$OOT_COPY/" ||
		die "copying $OOT_SRC to $OOT_COPY failed"
}

build_oot_original() {
	local obj
	copy_oot_source
	stage "compiling $OOT_NAME (original) in $OOT_COPY"
	oot_kbuild || die "$EXIT_BUILD" "building the module in $OOT_SRC against the target's tree failed"
	find_oot_objects
	for obj in "${OOT_OBJECTS[@]}"; do
		mkdir -p "$OOT_DIR/orig/$(dirname "$obj")"
		cp -p "$OOT_COPY/$obj" "$OOT_DIR/orig/$obj"
	done
	copy_touched_files "$OOT_COPY" "$OOT_DIR/pristine"
	debug "objects of $OOT_NAME: ${OOT_OBJECTS[*]}"
}

# kbuild's modules.order lists the modules built (.ko up to 6.1, .o
# since); <module>.mod lists the objects linked into each, one a line,
# with the directory kbuild built them in (absolute for M= up to 6.12).
find_oot_objects() {
	local order=$OOT_COPY/modules.order entry mod='' built=() obj
	[[ -f $order ]] || die "$EXIT_BUILD" "the build of $OOT_SRC wrote no modules.order (no obj-m?)"
	while IFS= read -r entry; do
		entry=${entry#"$OOT_COPY"/}
		entry=${entry%.ko} entry=${entry%.o}
		built+=("$(module_name_of "$entry")")
		[[ $(module_name_of "$entry") == "$OOT_NAME" ]] && mod=$entry
	done <"$order"
	[[ -n $mod ]] ||
		die "$EXIT_USAGE" "--oot-module-src $OOT_SRC builds ${built[*]:-no module}, not $OOT_NAME (the module of $OOT_KO)"
	[[ -f $OOT_COPY/$mod.mod ]] || die "$EXIT_BUILD" "kbuild wrote no $mod.mod in $OOT_COPY"
	OOT_OBJECTS=()
	while IFS= read -r obj; do
		[[ -n $obj ]] || continue
		obj=${obj#"$OOT_COPY"/} obj=${obj#./}
		[[ -f $OOT_COPY/$obj ]] || die "$EXIT_BUILD" "$mod.mod lists $obj, which kbuild did not build"
		OOT_OBJECTS+=("$obj")
	done < <(tr ' ' '\n' <"$OOT_COPY/$mod.mod")
	((${#OOT_OBJECTS[@]})) || die "$EXIT_BUILD" "$OOT_COPY/$mod.mod lists no object"
}

apply_oot_patches() {
	stage "applying patches to the module's copy"
	apply_patches_to "$OOT_COPY"
}

# The objects the patched build changed (kbuild recompiled them and they
# differ from the original); an unchanged object cannot hold a change.
rebuild_oot_patched() {
	local obj
	stage "compiling $OOT_NAME (patched)"
	oot_kbuild || die "$EXIT_BUILD" "building the patched module failed"
	OOT_CHANGED=()
	for obj in "${OOT_OBJECTS[@]}"; do
		cmp -s "$OOT_DIR/orig/$obj" "$OOT_COPY/$obj" || OOT_CHANGED+=("$obj")
	done
	((${#OOT_CHANGED[@]})) || die "$EXIT_NO_CHANGE" "the patches change no object of $OOT_NAME (${OOT_OBJECTS[*]})"
	debug "changed: ${OOT_CHANGED[*]}"
}

# --line-map for OBJ when the source it is named after was patched.
oot_line_map_args() {
	local obj=$1 src map
	for src in "${obj%.o}.c" "${obj%.o}.S"; do
		[[ -f $OOT_DIR/pristine/$src ]] && break
	done
	[[ -f $OOT_DIR/pristine/$src ]] && cdo_has_line_map || return 0
	map=$TMP_DIR/outputs/$(tr / - <<<"${obj%.o}").lines
	if write_line_map "$OOT_DIR/pristine/$src" "$OOT_COPY/$src" "$map"; then printf '%s\n' --line-map "$map"; fi
}

diff_oot_objects() {
	local obj nchanged=0
	local -a lines=()
	stage "diffing ${#OOT_CHANGED[@]} changed object(s) of $OOT_NAME against $OOT_KO"
	mkdir -p "$TMP_DIR/outputs"
	for obj in "${OOT_CHANGED[@]}"; do
		mapfile -t lines < <(oot_line_map_args "$obj")
		if diff_one_object "$obj" "$OOT_DIR/orig/$obj" "$OOT_COPY/$obj" "$OOT_NAME" "$OOT_KO" "${lines[@]}"; then
			nchanged=$((nchanged + 1))
		fi
	done
	((nchanged)) || die "$EXIT_NO_CHANGE" "no changed functions in ${OOT_CHANGED[*]}"
}

# Every stage of an out-of-tree patch from the prepared tree to the outputs.
patch_oot_module() {
	build_oot_original
	probe_struct_sizes
	apply_oot_patches
	rebuild_oot_patched
	check_layouts "$OOT_DIR/orig" "$OOT_COPY" "${OOT_CHANGED[@]}"
	diff_oot_objects
}
