# shellcheck shell=bash
# shlib/kmod.sh: the facts about kernel modules and the compilers that
# build them that the driver (kpatch-build), the packager (kpatch-package),
# the manager (kpatch) and the test libraries all need, in one place.
# The bottom layer, beside msg.sh: it knows no tool, no phase and no exit
# policy.  Each function prints its answer; one that can fail returns
# non-zero, and the caller decides what that means.
#
#   modinfo_field FILE FIELD   the first FIELD= of FILE's .modinfo, or nothing
#   vermagic_release VERMAGIC  the kernel release a vermagic starts with
#   module_release FILE        the release FILE's vermagic names, or nothing
#   module_update FILE         the update FILE carries (kpatch-build
#                              --update-from): "FROM -> TO (CVE...)", or nothing
#   module_name_of NAME|PATH   the kernel's name of a module (- as _)
#   ko_decompress SRC OUT      SRC (.ko, .ko.xz, .ko.zst, .ko.gz) as a plain .ko
#   cc_version_text PROG       the first line of PROG --version
#   cc_identity TEXT           a --version line without the program's name
#   file_stamp FILE            "SIZE MTIME": a cheap identity of a big file
#
# KMOD_MODINFO (default modinfo) is the command modinfo_field runs: the
# manager's tests give it a stand-in.

# modinfo -F prints every FIELD= line (a module may repeat one); the first
# is the one that counts.
modinfo_field() {
	local file=$1 field=$2 out
	out=$("${KMOD_MODINFO:-modinfo}" -F "$field" "$file" 2>/dev/null) || out=''
	printf '%s' "$out" | head -n1
}

# kpatch-build --update-from records the update a module carries in its
# modinfo: livepatch_from, livepatch_to, livepatch_cves (comma-separated).
module_update() {
	local from to cves
	from=$(modinfo_field "$1" livepatch_from) to=$(modinfo_field "$1" livepatch_to)
	[[ -n $from && -n $to ]] || return 0
	cves=$(modinfo_field "$1" livepatch_cves)
	echo "$from -> $to${cves:+ (${cves//,/ })}"
}

# "6.1.0-57-cloud-amd64 SMP preempt mod_unload modversions " -> the release.
vermagic_release() { echo "${1%% *}"; }

# Nothing (status 0) when FILE has no vermagic: the caller names the refusal.
module_release() {
	local vermagic
	vermagic=$(modinfo_field "$1" vermagic)
	[[ -z $vermagic ]] || vermagic_release "$vermagic"
}

# The kernel keeps a module's name with - as _ (livepatch-foo.ko.xz and
# livepatch_foo are both livepatch_foo): the name of a file, or a name.
module_name_of() {
	local base=${1##*/}
	base=${base%.gz} base=${base%.xz} base=${base%.zst}
	base=${base%.ko}
	echo "${base//-/_}"
}

# A module as installed (kernel/<path>.ko, .ko.xz, .ko.zst or .ko.gz) as a
# plain .ko that readelf and insmod read; OUT is only written when all of
# it was.  Status 1 if SRC cannot be read or decompressed.
ko_decompress() {
	local src=$1 out=$2
	case $src in
	*.xz) xz -dc "$src" >"$out.tmp" ;;
	*.zst) zstd -qdc "$src" >"$out.tmp" ;;
	*.gz) gzip -dc "$src" >"$out.tmp" ;;
	*) cp "$src" "$out.tmp" ;;
	esac || { rm -f "$out.tmp"; return 1; }
	mv "$out.tmp" "$out"
}

# What CONFIG_CC_VERSION_TEXT holds for a kernel built by PROG; status 1
# if PROG does not run.
cc_version_text() {
	local text
	text=$("$1" --version 2>/dev/null | sed -n 1p) || return 1
	[[ -n $text ]] || return 1
	echo "$text"
}

# "gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0" -> "(Debian 12.2.0-14+deb12u1) 12.2.0":
# the compiler's identity, whatever name it was called by.
cc_identity() { sed -E 's/^[^ ]+ //' <<<"$1"; }

# Size and modification time: what identifies a source tarball's contents
# without hashing 140 MB of it.
file_stamp() { stat -c '%s %Y' "$1"; }
