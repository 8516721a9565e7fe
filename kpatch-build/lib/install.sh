# shellcheck shell=bash
# kpatch-build: the output directory: checked up front, locked for the
# run, and the module renamed into it atomically at the end.  Its exit
# hook (registered by install_module) removes a half-written copy.
#
# Layer 13, the top library (README, "Layout"): calls common.sh; called by
# the driver.
#
# Owns: INSTALL_TMP, OUTPUT_LOCK_FD.  (The driver's check_options makes
# OPT_OUTPUT absolute.)

INSTALL_TMP=''

# -o is checked before anything is built: it exists and is writable, or can
# be created; it is created only now.
check_output_dir() {
	local d=$OPT_OUTPUT
	while [[ ! -e $d ]]; do d=$(dirname "$d"); done
	[[ -d $d ]] || die "$EXIT_USAGE" "output $OPT_OUTPUT: $d is not a directory"
	[[ -w $d ]] || die "$EXIT_USAGE" "output dir $d is not writable"
}

# Two runs writing the same module would overwrite each other's work.
lock_output() {
	local lock
	mkdir -p "$OPT_CACHE/locks"
	lock=$OPT_CACHE/locks/$(short_sum <<<"$OPT_OUTPUT/livepatch-$OPT_NAME.ko").lock
	exec {OUTPUT_LOCK_FD}>"$lock"
	add_lock_fd "$OUTPUT_LOCK_FD"
	flock -n "$OUTPUT_LOCK_FD" ||
		die "another kpatch-build is writing $OPT_OUTPUT/livepatch-$OPT_NAME.ko"
}

# The exit hook: a copy not yet renamed into place is nobody's.
# shellcheck disable=SC2317 # reached through cleanup
discard_install_tmp() {
	[[ -n $INSTALL_TMP ]] && rm -f "$INSTALL_TMP"
	INSTALL_TMP=''
}

# Signals wait while the module is copied and renamed: the run ends either
# with the module in place (status 0) or with nothing left in -o.
install_module() {
	local dest=$OPT_OUTPUT/livepatch-$OPT_NAME.ko
	trap '' INT TERM HUP
	on_cleanup discard_install_tmp
	mkdir -p "$OPT_OUTPUT" || die "cannot create output dir $OPT_OUTPUT"
	INSTALL_TMP=$dest.tmp.$$
	if ! cp "$TMP_DIR/livepatch-$OPT_NAME.ko" "$INSTALL_TMP" 2>"$TMP_DIR/cp.err"; then
		die "cannot write $dest: $(sed -n 1p "$TMP_DIR/cp.err")"
	fi
	mv -f "$INSTALL_TMP" "$dest" || die "cannot rename $INSTALL_TMP to $dest"
	INSTALL_TMP=''
	stage "wrote $dest"
}
