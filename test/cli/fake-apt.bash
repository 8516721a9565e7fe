# shellcheck shell=bash
# apt faked for the CLI tests of kpatch-build (kpatch-build.bats,
# kpb-triage.bats): the archive is a directory of .debs named as apt-get
# download names them.

# fake_apt BIN ARCHIVE CALLS: BIN/apt-get "downloads" ARCHIVE's
# PKG_VER_all.deb into the current directory (each call logged in CALLS;
# an unknown version fails as apt's does), BIN/apt-cache madison lists
# ARCHIVE's versions of a package.
fake_apt() {
	local bin=$1 archive=$2 calls=$3
	mkdir -p "$bin" "$archive"
	cat >"$bin/apt-get" <<FAKE
#!/bin/bash
echo "\$*" >>"$calls"
[[ \$1 == download ]] || exit 100
pkg=\${2%%=*} ver=\${2#*=}
[[ -f "$archive/\${pkg}_\${ver}_all.deb" ]] || { echo "E: Version '\$ver' for '\$pkg' was not found" >&2; exit 100; }
echo "Get:1 fake \$pkg all \$ver"
cp "$archive/\${pkg}_\${ver}_all.deb" .
FAKE
	cat >"$bin/apt-cache" <<FAKE
#!/bin/bash
[[ \$1 == madison ]] || exit 100
for d in "$archive"/\${2}_*_all.deb; do
	[[ -f \$d ]] || continue
	v=\${d##*/\${2}_}
	echo " \$2 | \${v%_all.deb} | fake"
done
FAKE
	chmod +x "$bin/apt-get" "$bin/apt-cache"
}
