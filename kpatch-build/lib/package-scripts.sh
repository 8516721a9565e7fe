# shellcheck shell=bash
# kpatch-package: the maintainer scripts of a patch package (POSIX sh).
#
#   write_maintainer_scripts DIR   DIR/{preinst,postinst,prerm,postrm} for
#                                  the .deb, DIR/rpm-{post,preun} for the .rpm
#
# The module is shipped in $PKG_LIBROOT/PACKAGE/ and handed to the manager:
#   install:  kpatch install MOD.ko; kpatch load MOD when its release runs
#   remove:   kpatch unload MOD (if loaded); kpatch uninstall MOD
#   upgrade:  an atomic-replace module is loaded first (the kernel replaces
#             the previous patch in one transition), then the previous
#             version's module is unloaded and uninstalled; the old prerm
#             does nothing.  A non-replace module, or one with the same name
#             as the previous version's, cannot take over atomically: the
#             previous one is removed first, and the scripts say so.
# The previous version's modules are the *.ko of the package's directory
# before the upgrade: recorded by the new .deb's preinst (dpkg removes the
# old files before postinst), seen directly by the .rpm's %post (rpm
# removes them after it).

PKG_LIBROOT=/usr/lib/kpatch-package
PKG_STATEDIR=/var/lib/kpatch-package

write_maintainer_scripts() {
	local dir=$1
	mkdir -p "$dir"
	script_functions >"$dir/functions"
	write_script "$dir" preinst deb_preinst
	write_script "$dir" postinst deb_postinst
	write_script "$dir" prerm deb_prerm
	write_script "$dir" postrm deb_postrm
	write_script "$dir" rpm-post rpm_post
	write_script "$dir" rpm-preun rpm_preun
}

# DIR NAME BODY-FUNCTION: the shebang, the shared functions, the body.
write_script() {
	local dir=$1 name=$2 body=$3
	{
		printf '#!/bin/sh\n# shellcheck disable=SC2317,SC2034 # each script uses some of the shared functions and variables\n# %s of %s %s, written by kpatch-package.\nset -e\n\n' \
			"$name" "$PKG_NAME" "$PKG_VERSION"
		cat "$dir/functions"
		echo
		"$body"
	} >"$dir/$name"
	chmod 755 "$dir/$name"
}

script_functions() {
	cat <<EOF
PKG='$PKG_NAME'
MOD='$MOD_NAME'
RELEASE='$MOD_RELEASE'
REPLACE='$MOD_REPLACE'
DIR='$PKG_LIBROOT/$PKG_NAME'
STATE='$PKG_STATEDIR/$PKG_NAME.previous'
EOF
	cat <<'SH'

say() { echo "$PKG: $*" >&2; }
is_running() { [ "$(uname -r)" = "$RELEASE" ]; }
is_loaded() { [ -d "/sys/module/$(echo "$1" | tr - _)" ]; }

# $1 (optional): --replace-ok when the patch replaces the package's own
# previous version (the manager refuses to drop loaded patches unasked).
install_module() {
	kpatch install "$DIR/$MOD.ko"
	if ! is_running; then
		say "$MOD is for Linux $RELEASE, running $(uname -r): it loads when $RELEASE boots"
	elif is_loaded "$MOD"; then
		say "$MOD is already loaded"
	else
		# shellcheck disable=SC2086 # no option is no word
		kpatch ${1:-} load "$MOD"
	fi
}

remove_module() {
	if is_loaded "$1"; then
		kpatch unload "$1"
	fi
	kpatch uninstall "$1"
}

# After atomic replace the previous patch is disabled; failing to clean it
# up leaves a harmless module behind, not an unpatched kernel.
remove_replaced() {
	if is_loaded "$1" && ! kpatch unload "$1"; then
		say "warning: could not unload the replaced $1 (the new patch is active)"
	fi
	kpatch uninstall "$1" || say "warning: could not uninstall the replaced $1"
}

# $@: the previous version's modules.
upgrade_from() {
	others='' same=no
	for old in "$@"; do
		if [ "$old" = "$MOD" ]; then same=yes; else others="$others $old"; fi
	done
	if [ "$REPLACE" = Y ] && [ "$same" = no ]; then
		install_module --replace-ok
		for old in $others; do remove_replaced "$old"; done
		return 0
	fi
	if [ "$same" = yes ]; then
		say "$MOD has the name of the version it upgrades: reloading it (not atomic; build each version with its own kpatch-build -n NAME)"
	else
		say "$MOD is not an atomic-replace patch: removing the previous version first"
	fi
	for old in "$@"; do remove_module "$old"; done
	install_module
}

# The modules this package ships now, one name a line.
shipped_modules() {
	for ko in "$DIR"/*.ko; do
		if [ -e "$ko" ]; then basename "$ko" .ko; fi
	done
}
SH
}

deb_preinst() {
	cat <<'SH'
case "$1" in
upgrade)
	mkdir -p "$(dirname "$STATE")"
	shipped_modules >"$STATE"
	;;
esac
exit 0
SH
}

deb_postinst() {
	cat <<'SH'
case "$1" in
configure)
	if [ -f "$STATE" ]; then
		# shellcheck disable=SC2046 # one module name a word
		upgrade_from $(cat "$STATE")
		rm -f "$STATE"
	else
		install_module
	fi
	;;
esac
exit 0
SH
}

deb_prerm() {
	cat <<'SH'
case "$1" in
remove | deconfigure)
	remove_module "$MOD"
	;;
upgrade | failed-upgrade)
	# The new version's postinst replaces this patch, loaded.
	;;
esac
exit 0
SH
}

deb_postrm() {
	cat <<'SH'
case "$1" in
remove | purge | abort-install | abort-upgrade)
	rm -f "$STATE"
	rmdir "$(dirname "$STATE")" 2>/dev/null || true
	;;
esac
exit 0
SH
}

# $1: 1 on install, 2 or more on upgrade.  The previous version's module
# is still in DIR (rpm removes it after %post); one of the same name is
# still loaded.
rpm_post() {
	cat <<'SH'
if [ "$1" -ge 2 ]; then
	previous=''
	for m in $(shipped_modules); do
		if [ "$m" != "$MOD" ] || is_loaded "$m"; then previous="$previous $m"; fi
	done
	# shellcheck disable=SC2086 # one module name a word
	upgrade_from $previous
else
	install_module
fi
exit 0
SH
}

# $1: 0 on erase, 1 or more on upgrade (the new %post has replaced it).
rpm_preun() {
	cat <<'SH'
if [ "$1" -eq 0 ]; then
	remove_module "$MOD"
fi
exit 0
SH
}
