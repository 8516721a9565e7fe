# shellcheck shell=bash
# kpatch-build: type layouts, original against patched (kpb-layout).
#
# A livepatch cannot change the layout of a type the running kernel has
# objects of: kpb-layout compares the DWARF of each recompiled object with
# its original's and refuses (exit 6) a member moved, removed, resized or
# retyped, or a changed size, unless the patch marks the type
# KPATCH_LAYOUT_CHANGE_OK (kpatch-macros.h; a mark in any patched object
# counts for all).  Objects compile with DWARF: the target's config has
# DEBUG_INFO, else build.sh adds -g (which changes no code).
#
# Refused before the long build: when the patches affect more objects than
# the first ones (check_layouts_first), those are compiled original and
# patched and compared first, then the cache is put back and the whole set
# is built; a header change that recompiles 319 objects is refused after
# --jobs of them.  The first objects: those built from a patched .c file
# (their file-local types and the patch's marks), and for each patched
# header that none of them includes, --jobs objects that include it
# (directly first).
#
# Layer 6 (README, "Layout"): calls common.sh, oot.sh, cache.sh (the
# journal restored after the first objects) and build.sh (the compiles);
# called by oot-build.sh and the driver.
#
# Owns: LAYOUT_FIRST, LAYOUT_WHEN.

declare -a LAYOUT_FIRST=()	# compared before the other affected objects
LAYOUT_WHEN=''			# said with a refusal of the first objects

# ---- the first objects ------------------------------------------------------
choose_first_objects() {
	local f obj
	declare -A chosen=()
	while read -r obj; do
		[[ -n $obj && -z ${chosen[$obj]:-} ]] || continue
		chosen[$obj]=1
		LAYOUT_FIRST+=("$obj")
	done < <(objects_built_from "${TOUCHED[@]}")
	for f in "${TOUCHED[@]}"; do
		[[ $f == *.h ]] || continue
		while read -r obj; do
			[[ -n $obj && -z ${chosen[$obj]:-} ]] || continue
			chosen[$obj]=1
			LAYOUT_FIRST+=("$obj")
		done < <(first_includers "$f" "${LAYOUT_FIRST[@]}")
	done
	debug "layouts first: ${LAYOUT_FIRST[*]}"
}

# The affected objects built from one of the FILEs (objects.map's source).
objects_built_from() {
	awk -v files="$*" -v affected="${AFFECTED[*]}" '
		BEGIN { n = split(files, f, " "); for (i = 1; i <= n; i++) want[f[i]]
			n = split(affected, a, " "); for (i = 1; i <= n; i++) aff[a[i]] }
		($3 in want) && ($1 in aff) { print $1 }' "$TARGET_DIR/objects.map"
}

# first_includers HEADER CHOSEN...: nothing when a CHOSEN object includes
# HEADER already (or every object does), else --jobs affected objects that
# include it, those whose source includes it directly first.  An object has
# a type in its DWARF only if it uses it (fs/proc/array.o of a tinyconfig
# has no struct proc_inode, fs/proc/base.o has): --jobs of them compile in
# the time of one.
first_includers() {
	local header=$1 out status=0
	shift
	out=$("$KPB_OBJMAP" affected "$TARGET_DIR/objects.map" "$TARGET_DIR/includes.idx" "$header" \
		2>>"$LOG") || status=$?
	((status == 0 || status == 4)) || return 0
	awk -v h="$header" -v chosen="$*" -v n="$OPT_JOBS" '
		BEGIN { k = split(chosen, c, " "); for (i = 1; i <= k; i++) have[c[i]] }
		FILENAME == ARGV[1] { if ($1 == h) direct[$2]; next }
		FILENAME == ARGV[2] { src[$1] = $3; next }
		{ if ($1 in have) found = 1
		  if (src[$1] in direct) first[++nd] = $1; else other[++no] = $1 }
		END { if (found) exit
		      for (i = 1; i <= nd && n > 0; i++) { print first[i]; n-- }
		      for (i = 1; i <= no && n > 0; i++) { print other[i]; n-- } }' \
		"$TARGET_DIR/includes.idx" "$TARGET_DIR/objects.map" - <<<"$out"
}

# ---- the checks ---------------------------------------------------------------
# Compile the first objects original and patched, compare them, and put the
# cache back as it was (patches off, originals restored) for the full build.
check_layouts_first() {
	choose_first_objects
	((${#LAYOUT_FIRST[@]} && ${#LAYOUT_FIRST[@]} < ${#AFFECTED[@]})) || return 0
	stage "comparing type layouts first in ${#LAYOUT_FIRST[@]} of ${#AFFECTED[@]} affected object(s)"
	build_originals "${LAYOUT_FIRST[@]}"
	apply_patches
	compile_patched "${LAYOUT_FIRST[@]}"
	LAYOUT_WHEN=" (before the other $((${#AFFECTED[@]} - ${#LAYOUT_FIRST[@]})) affected object(s) were compiled)"
	check_layouts "$JOURNAL/obj" "$OBJ_DIR" "${CHANGED[@]}"
	LAYOUT_WHEN=''
	restore_cache
	forget_changed_objects
}

# check_layouts ORIG_DIR PATCHED_DIR OBJECT...: every C object compared
# (--jobs at a time: 0.1-0.3 s each for fs/proc/base.o or mm/page_alloc.o);
# refused (exit 6) on a layout change no mark covers, naming every object
# that has one.
check_layouts() {
	local orig=$1 patched=$2 dir=$TMP_DIR/layout mark i status msg
	shift 2
	local -a objs=() safe=() refused=()
	mapfile -t objs < <(c_objects "$@")
	((${#objs[@]})) || return 0
	stage "comparing the type layouts of ${#objs[@]} object(s)"
	rm -rf "$dir"
	mkdir -p "$dir"
	"$TOOLS_DIR/kpb-layout" --markers "${objs[@]/#/$patched/}" >"$dir/marks" 2>>"$LOG" ||
		die "kpb-layout could not read the marks of ${objs[*]}"
	while IFS= read -r mark; do
		[[ -n $mark ]] && safe+=(--safe "$mark")
	done < <(sort -u "$dir/marks")
	for i in "${!objs[@]}"; do
		compare_layouts "$orig" "$patched" "${objs[i]}" "$dir/$i" "${safe[@]}" &
		(((i + 1) % OPT_JOBS)) || wait
	done
	wait
	for i in "${!objs[@]}"; do
		[[ -e $dir/$i.status ]] || continue
		status=$(<"$dir/$i.status")
		msg=$(<"$dir/$i.out")
		msg=${msg//"$COPY_DIR/"/}
		# An out-of-tree module's sources are its copy's (oot-build.sh).
		! oot_mode || msg=${msg//"$patched/"/}
		echo "$msg" >>"$LOG"
		case $status in
		0) [[ -z $msg ]] || indent "$msg" ;;
		2) # Every refused object, the members of the first one only
		   # (a header's type is the same in each object).
		   ((${#refused[@]})) && msg=$(grep -F 'layout changed;' <<<"$msg" || true)
		   indent "$msg"
		   refused+=("${objs[i]}") ;;
		*) indent "$msg"
		   die "kpb-layout failed on ${objs[i]} (status $status)" ;;
		esac
	done
	((${#refused[@]} == 0)) ||
		die "$EXIT_UNSUPPORTED" "${refused[*]}: the patch changes the layout of a type the running kernel has objects of$LAYOUT_WHEN"
}

# compare_layouts ORIG_DIR PATCHED_DIR OBJ OUT [--safe TYPE]...: kpb-layout's
# messages in OUT.out, its status in OUT.status (none: no original).
compare_layouts() {
	local orig=$1 patched=$2 obj=$3 out=$4 status=0
	shift 4
	[[ -e $orig/$obj ]] || return 0
	"$TOOLS_DIR/kpb-layout" --name "$obj" "$@" "$orig/$obj" "$patched/$obj" >"$out.out" 2>&1 ||
		status=$?
	echo "$status" >"$out.status"
}

# The objects compiled from C: kernel objects by objects.map's source,
# anything else (an out-of-tree module's) is taken as C.
c_objects() {
	if [[ -n ${TARGET_DIR:-} && -f $TARGET_DIR/objects.map ]] && ! oot_mode; then
		awk -v objs="$*" '
			BEGIN { n = split(objs, o, " "); for (i = 1; i <= n; i++) want[o[i]] }
			($1 in want) && $3 ~ /\.c$/ && !seen[$1]++ { print $1 }' "$TARGET_DIR/objects.map"
	else
		printf '%s\n' "$@"
	fi
}
