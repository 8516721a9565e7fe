# shellcheck shell=bash
# kpatch-build: patching an out-of-tree module (--oot-module, --oot-module-src).
#
# The patches apply to the module's source directory (paths relative to it).
# The target's tree is prepared as for any patch (cached); the module's
# source is copied into the run's temporary directory (the user's directory
# is never written) and built there twice with `make M=<copy> modules`
# through the driver's own kbuild command (kpb-cc, the target's compiler and
# release, -ffunction-sections -fdata-sections): as it is, then patched.
# The objects kbuild lists in <module>.mod whose patched build differs are
# diffed against the user's .ko, the klp object being the module's name.
#
#   $TMP_DIR/oot/src        the private copy, built original then patched
#   $TMP_DIR/oot/orig/      the original objects, saved before patching
#   $TMP_DIR/oot/pristine/  the files the patches touch, as they were

OOT_KO='' OOT_SRC='' OOT_NAME='' OOT_DIR='' OOT_COPY=''
declare -a OOT_OBJECTS=()	# the module's objects, relative to the copy

oot_mode() { [[ -n $OOT_KO ]]; }

# Build products of an earlier build in the user's directory: copied, they
# would be taken for up to date, or name the user's paths in their .cmd.
readonly OOT_COPY_EXCLUDES=(.git '*.o' '*.ko' '*.mod' '*.mod.c' '.*.cmd' '*.a' '*.dwo'
	modules.order Module.symvers .tmp_versions '.cache.mk' '*.o.d')

# ---- checks (before anything is built) -------------------------------------
# Both options or none; a relocatable ELF module with a .modinfo; a source
# directory kbuild can build.
check_oot_options() {
	[[ -z $OPT_OOT_MODULE && -z $OPT_OOT_MODULE_SRC ]] && return 0
	[[ -n $OPT_OOT_MODULE_SRC ]] ||
		die "$EXIT_USAGE" "--oot-module needs --oot-module-src (the directory of the module's source)"
	[[ -n $OPT_OOT_MODULE ]] ||
		die "$EXIT_USAGE" "--oot-module-src needs --oot-module (the module's .ko as built for the target)"
	local ko=$OPT_OOT_MODULE src=$OPT_OOT_MODULE_SRC
	[[ -f $ko && -r $ko ]] || die "$EXIT_USAGE" "--oot-module $ko: not found or not readable"
	[[ $(readelf -h "$ko" 2>/dev/null | awk '$1 == "Type:" { print $2 }') == REL ]] ||
		die "$EXIT_USAGE" "--oot-module $ko: not an ELF relocatable object (a .ko; decompress a .ko.xz or .ko.zst first)"
	has_section "$ko" .modinfo || die "$EXIT_USAGE" "--oot-module $ko: no .modinfo section (not a kernel module)"
	[[ -n $(modinfo -F vermagic "$ko" 2>/dev/null) ]] ||
		die "$EXIT_USAGE" "--oot-module $ko: its .modinfo has no vermagic (not built by kbuild?)"
	[[ -d $src ]] || die "$EXIT_USAGE" "--oot-module-src $src: not a directory"
	[[ -f $src/Makefile || -f $src/Kbuild ]] ||
		die "$EXIT_USAGE" "--oot-module-src $src: no Makefile or Kbuild (not a module's source directory)"
	OOT_KO=$(realpath "$ko") OOT_SRC=$(realpath "$src")
	OOT_NAME=$(oot_module_name "$OOT_KO")
	debug "out-of-tree module $OOT_NAME: $OOT_KO, source $OOT_SRC"
}

# The klp object name: the module's own name (modinfo's name=, which modpost
# writes), - as _ as the kernel keeps it; else the file's name.
oot_module_name() {
	local name
	name=$(modinfo -F name "$1" 2>/dev/null) || name=''
	if [[ -z $name ]]; then
		name=$(basename "$1" .ko)
		note "$1: no name= in its .modinfo, taking $name from the file name"
	fi
	module_name_of "$name"
}

# After check_target: the module must be built for the target release, and
# by the target's compiler, or the originals compiled here would not be
# the code it runs.
check_oot_module_matches() {
	local vermagic
	oot_mode || return 0
	vermagic=$(modinfo -F vermagic "$OOT_KO")
	[[ $(vermagic_release "$vermagic") == "$TARGET_RELEASE" ]] ||
		die "$EXIT_MISMATCH" "--oot-module $OOT_KO is built for kernel $(vermagic_release "$vermagic"), the target is $TARGET_RELEASE"
	check_elf_compiler "$OOT_KO" "--oot-module $OOT_KO" "$(config_value CONFIG_CC_VERSION_TEXT "$TARGET_CONFIG")"
}

# ---- build -----------------------------------------------------------------
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
	local p
	stage "applying patches to the module's copy"
	for p in "${PATCHES[@]}"; do
		run_logged patch -d "$OOT_COPY" -p1 --batch --forward --no-backup-if-mismatch \
			-r - -i "$(realpath "$p")" || die "$EXIT_PATCH" "$p does not apply to $OOT_COPY"
	done
}

# The objects the patched build changed (kbuild recompiled them and they
# differ from the original); an unchanged object cannot hold a change.
rebuild_oot_patched() {
	local obj
	stage "compiling $OOT_NAME (patched)"
	oot_kbuild || die "$EXIT_BUILD" "building the patched module failed"
	CHANGED=()
	for obj in "${OOT_OBJECTS[@]}"; do
		cmp -s "$OOT_DIR/orig/$obj" "$OOT_COPY/$obj" || CHANGED+=("$obj")
	done
	((${#CHANGED[@]})) || die "$EXIT_NO_CHANGE" "the patches change no object of $OOT_NAME (${OOT_OBJECTS[*]})"
	debug "changed: ${CHANGED[*]}"
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
	stage "diffing ${#CHANGED[@]} changed object(s) of $OOT_NAME against $OOT_KO"
	mkdir -p "$TMP_DIR/outputs"
	for obj in "${CHANGED[@]}"; do
		mapfile -t lines < <(oot_line_map_args "$obj")
		if diff_one_object "$obj" "$OOT_DIR/orig/$obj" "$OOT_COPY/$obj" "$OOT_NAME" "$OOT_KO" "${lines[@]}"; then
			nchanged=$((nchanged + 1))
		fi
	done
	((nchanged)) || die "$EXIT_NO_CHANGE" "no changed functions in ${CHANGED[*]}"
}

# The symbol table of the module named in a .klp.sym (verify_module).
oot_symtab_by_name() {
	oot_mode && [[ $1 == "$OOT_NAME" ]] || return 1
	echo "$OOT_KO"
}

# Every stage of an out-of-tree patch from the prepared tree to the outputs.
patch_oot_module() {
	build_oot_original
	probe_struct_sizes
	apply_oot_patches
	rebuild_oot_patched
	check_layouts "$OOT_DIR/orig" "$OOT_COPY" "${CHANGED[@]}"
	diff_oot_objects
}
