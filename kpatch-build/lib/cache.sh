# shellcheck shell=bash
# kpatch-build: the cache and its journal.
#
#   $CACHE/src/<src key>/linux       private copy of the source (patched, then restored)
#   $CACHE/src/<src key>.lock        one run per source copy at a time
#   $CACHE/src/<src key>.child       process group of the running build step
#   $CACHE/targets/<REL>-<key>/      one prepared tree per target:
#       obj/                         the O= directory (config, generated headers,
#                                    host tools, the objects compiled so far)
#       bin/kpb-cc, include/         the compiler wrapper, kpatch-macros.h, kpatch-syscall.h
#       objects.map, includes.idx    kpb-objmap's map and include index
#       kmake.args                   the kmake arguments the .cmd files newer
#                                    than it were recorded with (build.sh)
#       journal/                     what a run changed, to undo on exit
#
# Every change to the copy and to obj/ while patched is journaled and undone
# on exit, error or signal (its exit hook, registered by lock_source), and
# after a SIGKILL by the next run.
#
# Layer 3 (README, "Layout"): calls common.sh, target.sh (the target's
# config, compiler, debug-info flags) and source.sh (the source chosen,
# check_tree_version); called by patches.sh, build.sh, layout.sh, callers.sh
# and the driver.
#
# Owns: SRC_KEY, COPY_DIR, TARGET_DIR, OBJ_DIR, JOURNAL, LOCK_FD.
# Constant: CACHE_RECIPE.

# Bump when the way the prepared tree is made changes.
readonly CACHE_RECIPE=4

# The source (SRC_DIR or SRC_TARBALL, SRC_IDENTITY) is chosen by source.sh.
COPY_DIR='' TARGET_DIR='' OBJ_DIR='' JOURNAL='' LOCK_FD='' SRC_KEY=''

# The private copy of the source resolve_source chose.
choose_source_copy() {
	SRC_KEY=$(short_sum <<<"$SRC_IDENTITY")
	COPY_DIR=$OPT_CACHE/src/$SRC_KEY/linux
	debug "source $SRC_IDENTITY: $COPY_DIR"
}

# The source copy is locked before the patches are checked against it.
lock_source() {
	mkdir -p "$OPT_CACHE/src" "$OPT_CACHE/targets"
	on_cleanup restore_cache_on_exit
	take_source_lock
	recover_journals
}

# shellcheck disable=SC2317 # reached through cleanup
restore_cache_on_exit() {
	[[ -n $JOURNAL ]] || return 0
	restore_cache
}

prepare_cache() {
	local cfg_sum key dbg
	cfg_sum=$(short_sum <"$TARGET_CONFIG")
	# The debug-info flags the objects get (build.sh) are part of what the
	# tree's objects are: a tree whose originals were compiled without them
	# is another tree (kbuild would recompile its prepare objects, and
	# kpb-layout would find no DWARF in the kept originals). Empty for a
	# config with DEBUG_INFO (Debian's): those keys are as they were.
	dbg=$(debug_info_cflags)
	key=$(short_sum <<<"recipe $CACHE_RECIPE src $SRC_KEY config $cfg_sum cc $TARGET_CC $TARGET_CC_TEXT${TARGET_MAKE_VARS[*]:+ ${TARGET_MAKE_VARS[*]}} release $TARGET_RELEASE${dbg:+ cflags$dbg}")
	TARGET_DIR=$OPT_CACHE/targets/$TARGET_RELEASE-$key
	OBJ_DIR=$TARGET_DIR/obj
	JOURNAL=$TARGET_DIR/journal
	[[ -d $TARGET_DIR ]] || discard_on_failure "$TARGET_DIR"
	mkdir -p "$TARGET_DIR"
	printf 'source %s\nconfig %s\ncompiler %s %s\nrelease %s\nmake %s\n' "$SRC_IDENTITY" "$TARGET_CONFIG" \
		"$TARGET_CC" "$TARGET_CC_TEXT" "$TARGET_RELEASE" "${TARGET_MAKE_VARS[*]}" >"$TARGET_DIR/key.txt"
	copy_source
	install_build_helpers
}

# One kpatch-build per source copy at a time (every target of that source
# shares it).  A build step left running by a SIGKILLed run no longer holds
# the lock (run_logged closes it in children), but it still writes to the
# cache: end its process group before recovering.
take_source_lock() {
	local lockfile=$OPT_CACHE/src/$SRC_KEY.lock
	exec {LOCK_FD}>"$lockfile"
	add_lock_fd "$LOCK_FD"
	if ! flock -n "$LOCK_FD"; then
		stage "waiting for another kpatch-build using $COPY_DIR"
		wait_for_lock "$LOCK_FD"
	fi
	record_children_in "$OPT_CACHE/src/$SRC_KEY.child"
	end_orphaned_build "$OPT_CACHE/src/$SRC_KEY.child"
}

# end_orphaned_build PIDFILE
end_orphaned_build() {
	local pidfile=$1 pgid
	[[ -s $pidfile ]] || return 0
	pgid=$(cat "$pidfile")
	rm -f "$pidfile"
	[[ $pgid =~ ^[0-9]+$ ]] || return 0
	kill -0 -- "-$pgid" 2>/dev/null || return 0
	warn "ending build step $pgid left running by an interrupted kpatch-build"
	kill -TERM -- "-$pgid" 2>/dev/null || true
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		kill -0 -- "-$pgid" 2>/dev/null || return 0
		sleep 0.5
	done
	kill -KILL -- "-$pgid" 2>/dev/null || true
}

# A run that was killed (SIGKILL, power loss) left its journal: undo it now.
recover_journals() {
	local j
	for j in "$OPT_CACHE"/targets/*/journal; do
		[[ -d $j && -e $j/source-dir && $(cat "$j/source-dir") == "$COPY_DIR" ]] || continue
		warn "restoring cache left modified by an interrupted run ($j)"
		JOURNAL=$j OBJ_DIR=$(dirname "$j")/obj restore_cache
		JOURNAL=''

	done
}

# A tarball's copy is checked as a -s tree is: a package whose tarball is
# of another version than the package says is no one's source.
copy_source() {
	if [[ ! -e $COPY_DIR/.kpb-complete ]]; then
		stage "copying the source into the cache ($COPY_DIR)"
		rm -rf "$COPY_DIR"
		mkdir -p "$COPY_DIR"
		if [[ -n $SRC_DIR ]]; then
			run_logged rsync -a --exclude=/.git "$SRC_DIR/" "$COPY_DIR/" ||
				die "copying $SRC_DIR failed"
		else
			# Debian's tarball is xz of many blocks: decompressed --jobs
			# at once (27 s -> 18 s for linux-source-6.1 at a load of 10).
			run_logged tar -I "xz -T$OPT_JOBS" -xf "$SRC_TARBALL" -C "$COPY_DIR" --strip-components=1 ||
				die "unpacking $SRC_TARBALL failed"
		fi
		touch "$COPY_DIR/.kpb-complete"
	fi
	[[ -n $SRC_DIR ]] || check_tree_version "$COPY_DIR" "$SRC_TARBALL ($SRC_PACKAGE $SRC_VERSION)"
}

# The compiler wrapper and kpatch-macros.h live at fixed paths of the cache
# entry: they are part of every recorded compile command, and a changed
# command line would make kbuild rebuild everything.
install_build_helpers() {
	local h
	mkdir -p "$TARGET_DIR/bin" "$TARGET_DIR/include"
	cmp -s "$KPB_CC_WRAPPER" "$TARGET_DIR/bin/kpb-cc" ||
		install -m755 "$KPB_CC_WRAPPER" "$TARGET_DIR/bin/kpb-cc"
	for h in kpatch-macros.h kpatch-syscall.h; do
		cmp -s "$TEMPLATE_DIR/$h" "$TARGET_DIR/include/$h" ||
			install -m644 "$TEMPLATE_DIR/$h" "$TARGET_DIR/include/$h"
	done
}

# ---- the journal -----------------------------------------------------------
# start_journal FILE...: the source files (relative to the copy) about to
# be patched, saved (or noted as new) before they change.
start_journal() {
	local f
	rm -rf "$JOURNAL"
	mkdir -p "$JOURNAL/src" "$JOURNAL/obj"
	echo "$COPY_DIR" >"$JOURNAL/source-dir"
	: >"$JOURNAL/new-files"
	for f in "$@"; do
		if [[ -e $COPY_DIR/$f ]]; then
			mkdir -p "$JOURNAL/src/$(dirname "$f")"
			cp -p "$COPY_DIR/$f" "$JOURNAL/src/$f"
		else
			echo "$f" >>"$JOURNAL/new-files"
		fi
	done
}

# Put the cache back as the original build left it: the patched sources,
# then everything the rebuild wrote (deleted; kbuild remakes it on demand),
# then the original objects the wrapper saved.
restore_cache() {
	local f
	[[ -d $JOURNAL ]] || return 0
	debug "restoring from $JOURNAL"
	if [[ -d $JOURNAL/src ]]; then
		(cd "$JOURNAL/src" && find . -type f -print0) | while IFS= read -r -d '' f; do
			cp -p "$JOURNAL/src/$f" "$COPY_DIR/$f"
		done
	fi
	if [[ -s $JOURNAL/new-files ]]; then
		while IFS= read -r f; do rm -f "${COPY_DIR:?}/$f"; done <"$JOURNAL/new-files"
	fi
	# Every make rewrites the O= dir's Makefile and source link; they are
	# not build products and `make -C <obj> M=...` needs them.
	if [[ -e $JOURNAL/rebuild-started ]]; then
		find "$OBJ_DIR" -newer "$JOURNAL/rebuild-started" \( -type f -o -type l \) \
			! -path "$OBJ_DIR/Makefile" ! -path "$OBJ_DIR/source" ! -path "$OBJ_DIR/.gitignore" -delete
	fi
	if [[ -d $JOURNAL/obj ]]; then
		(cd "$JOURNAL/obj" && find . -type f ! -name '*.tmp' -print0) | while IFS= read -r -d '' f; do
			cp -p "$JOURNAL/obj/$f" "$OBJ_DIR/$f"
		done
	fi
	rm -rf "$JOURNAL"
}

# Unchanged sources: the objects are originals.  The journal would delete
# them with everything compiled after the patches were applied; kept there,
# they are put back for the next runs, as kpb-cc keeps the changed ones'
# (the callers' objects, callers.sh).
keep_as_originals() {
	local obj cmd
	[[ -n ${JOURNAL:-} && -d $JOURNAL ]] || return 0
	for obj in "$@"; do
		cmd=$(dirname "$obj")/.$(basename "$obj").cmd
		[[ -e $JOURNAL/obj/$obj ]] && continue
		mkdir -p "$JOURNAL/obj/$(dirname "$obj")"
		cp -p "$OBJ_DIR/$cmd" "$JOURNAL/obj/$cmd" 2>/dev/null || true
		cp -p "$OBJ_DIR/$obj" "$JOURNAL/obj/$obj.tmp"
		mv "$JOURNAL/obj/$obj.tmp" "$JOURNAL/obj/$obj"
	done
}
