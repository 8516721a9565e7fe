# shellcheck shell=bash
# Debian package versions, for kpatch-build (which source is the target's)
# and kpatch-package (which kernel package a module depends on): what dpkg
# says is installed, what a package's changelog or a .deb says, and the
# upstream part of a version.  Reports to the caller; never exits.
#
# Layer 1, the target's facts (README, "Layout"): calls no other lib/*.sh;
# called by target.sh and source.sh (and kpatch-package's libs).  Owns no
# state.

# The installed version of PKG (dpkg-query; options such as --admindir=DIR
# after the name), or nothing.
dpkg_version() {
	local pkg=$1
	shift
	command -v dpkg-query >/dev/null || return 0
	dpkg-query "$@" -W -f='${Status} ${Version}\n' "$pkg" 2>/dev/null |
		awk '$3 == "installed" { print $4 }' || true
}

# The version a package's changelog (DIR/changelog.Debian.gz, as in
# /usr/share/doc/PKG) begins with: "linux (6.1.192-3) bookworm-security;
# ..." -> 6.1.192-3.  A linux-signed-* changelog says "Sign kernel from
# linux VERSION": the version its binary packages carry.
changelog_version() {
	local dir=$1 f text
	for f in "$dir/changelog.Debian.gz" "$dir/changelog.gz"; do
		[[ -r $f ]] || continue
		# head ends the pipe early: gzip dies of SIGPIPE, which is no error here.
		text=$(gzip -dc "$f" 2>/dev/null | head -n 5 || true)
		if [[ $text =~ Sign\ kernel\ from\ linux\ ([^[:space:]]+) ]]; then
			echo "${BASH_REMATCH[1]}"
		elif [[ $text =~ ^linux\ \(([^\)]+)\) ]]; then
			echo "${BASH_REMATCH[1]}"
		fi
		return 0
	done
}

# "PACKAGE VERSION" of a .deb's control fields; 1 if it is no .deb.
deb_package_version() {
	local name ver
	name=$(dpkg-deb -f "$1" Package 2>/dev/null) && ver=$(dpkg-deb -f "$1" Version 2>/dev/null) || return 1
	[[ -n $name && -n $ver ]] || return 1
	echo "$name $ver"
}

# The upstream part of a Debian version: no epoch, no Debian revision
# (6.1.192-3 -> 6.1.192, 6.12.117-1~deb12u1 -> 6.12.117, 1:2.0-1 -> 2.0).
deb_upstream_version() {
	local v=${1#*:}
	[[ $v == *-* ]] && v=${v%-*}
	echo "$v"
}
