# shellcheck shell=bash
# kpatch-build: signing (--sign-key, --sign-cert): the options checked up
# front, the module signed with the prepared tree's scripts/sign-file.
#
# Layer 11 (README, "Layout"): calls common.sh; reads the target's config
# (target.sh) and the prepared tree (cache.sh's OBJ_DIR); called by the
# driver.  Owns no state (the driver's check_options makes the key and
# certificate paths absolute).

check_sign_options() {
	[[ -z $OPT_SIGN_KEY && -z $OPT_SIGN_CERT ]] && return 0
	[[ -n $OPT_SIGN_KEY && -n $OPT_SIGN_CERT ]] || die "$EXIT_USAGE" "--sign-key and --sign-cert go together"
	[[ -r $OPT_SIGN_KEY ]] || die "$EXIT_USAGE" "signing key $OPT_SIGN_KEY: not found or not readable"
	[[ -r $OPT_SIGN_CERT ]] || die "$EXIT_USAGE" "signing certificate $OPT_SIGN_CERT: not found or not readable"
	command -v openssl >/dev/null || die "openssl is required to check the signing key"
	openssl x509 -noout -in "$OPT_SIGN_CERT" 2>/dev/null || openssl x509 -noout -inform DER -in "$OPT_SIGN_CERT" 2>/dev/null ||
		die "$EXIT_USAGE" "$OPT_SIGN_CERT: not an X.509 certificate (PEM or DER)"
	openssl pkey -noout -in "$OPT_SIGN_KEY" 2>/dev/null ||
		die "$EXIT_USAGE" "$OPT_SIGN_KEY: not a private key readable without a passphrase"
}

sign_module() {
	local ko=$TMP_DIR/livepatch-$OPT_NAME.ko hash
	[[ -n $OPT_SIGN_KEY ]] || return 0
	hash=$(config_value CONFIG_MODULE_SIG_HASH "$TARGET_CONFIG")
	stage "signing livepatch-$OPT_NAME.ko (${hash:-sha256})"
	[[ -x $OBJ_DIR/scripts/sign-file ]] ||
		die "$EXIT_BUILD" "$OBJ_DIR/scripts/sign-file was not built (the target has no CONFIG_MODULE_SIG_FORMAT?)"
	run_logged "$OBJ_DIR/scripts/sign-file" "${hash:-sha256}" "$OPT_SIGN_KEY" "$OPT_SIGN_CERT" "$ko" ||
		die "$EXIT_BUILD" "sign-file failed on $ko"
}
