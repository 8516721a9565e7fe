# shellcheck shell=bash
# kpatch-package: what the module and the patch say about the package.
#
#   read_module FILE         MOD_FILE MOD_NAME MOD_KNAME MOD_RELEASE
#                            MOD_MACHINE MOD_REPLACE MOD_UPDATE, or exit 3 naming
#                            what is wrong with FILE
#   read_patch_header FILE   PATCH_SUMMARY PATCH_DESCRIPTION PATCH_VERSION
#                            (empty without a patch)

MOD_FILE='' MOD_NAME='' MOD_KNAME='' MOD_RELEASE='' MOD_MACHINE='' MOD_REPLACE=''
MOD_UPDATE=''	# the update it carries (kpatch-build --update-from), or empty
PATCH_SUMMARY='' PATCH_DESCRIPTION='' PATCH_VERSION=''

not_livepatch() { die "$EXIT_NOT_LIVEPATCH" "$MOD_FILE: $*"; }

read_module() {
	MOD_FILE=$(realpath "$1")
	read_elf_header
	[[ $MOD_NAME == *.ko ]] || not_livepatch "not a kernel module file name (*.ko)"
	MOD_NAME=${MOD_NAME%.ko}
	has_section "$MOD_FILE" .modinfo || not_livepatch "no .modinfo section: not a kernel module"
	[[ $(modinfo_field "$MOD_FILE" livepatch) == Y ]] || not_livepatch "not a livepatch module (modinfo has no livepatch=Y)"
	read_vermagic
	MOD_KNAME=$(modinfo_field "$MOD_FILE" name)
	[[ -n $MOD_KNAME ]] || not_livepatch "modinfo has no module name"
	[[ $(module_name_of "$MOD_KNAME") == "$(module_name_of "$MOD_NAME")" ]] ||
		not_livepatch "the file name $MOD_NAME.ko does not match the module name $MOD_KNAME (insmod would load $MOD_KNAME)"
	read_replace
	MOD_UPDATE=$(module_update "$MOD_FILE")
}

# The packages' description: the patch's (or DEFAULT), then the update the
# module carries, when it records one.
package_description() {
	printf '%s\n' "${PATCH_DESCRIPTION:-$1}"
	[[ -z $MOD_UPDATE ]] || printf '\nThe kernel update %s.\n' "$MOD_UPDATE"
}

# An x86-64 (or other) relocatable ELF object.
read_elf_header() {
	local header type
	MOD_NAME=$(basename "$MOD_FILE")
	header=$(LC_ALL=C readelf -h "$MOD_FILE" 2>/dev/null) || not_livepatch "not an ELF file"
	type=$(awk -F: '$1 ~ /^ *Type$/ { sub(/^ */, "", $2); print $2 }' <<<"$header")
	[[ $type == REL* ]] || not_livepatch "ELF type ${type:-unknown}, not a relocatable kernel module"
	# shellcheck disable=SC2034 # read by package-rpm.sh
	MOD_MACHINE=$(awk -F: '$1 ~ /^ *Machine$/ { sub(/^ */, "", $2); print $2 }' <<<"$header")
}

# "6.1.0-57-cloud-amd64 SMP preempt mod_unload modversions " -> the release.
read_vermagic() {
	local vermagic
	vermagic=$(modinfo_field "$MOD_FILE" vermagic)
	[[ -n $vermagic ]] || not_livepatch "no vermagic in modinfo (not built against a kernel tree?)"
	MOD_RELEASE=$(vermagic_release "$vermagic")
	[[ $MOD_RELEASE =~ ^[0-9]+\.[0-9]+[A-Za-z0-9.+_~-]*$ ]] ||
		not_livepatch "vermagic '$vermagic' does not start with a kernel release"
}

# kmod-template's livepatch_replace tag; older modules lack it and were
# built with kpatch-build's default, atomic replace.
read_replace() {
	MOD_REPLACE=$(modinfo_field "$MOD_FILE" livepatch_replace)
	case $MOD_REPLACE in
	Y | N) ;;
	'') MOD_REPLACE=Y; note "$MOD_FILE: no livepatch_replace tag, assuming an atomic-replace patch" ;;
	*) not_livepatch "livepatch_replace is '$MOD_REPLACE', not Y or N" ;;
	esac
}

# The header is the text before the first diff: a git format-patch mail
# (Subject: is the summary, the body after the headers the description, up
# to its "---" line) or free text (first line the summary).  A "Version:"
# line gives the package version and is not part of the description.
read_patch_header() {
	local file=$1 header
	[[ -n $file ]] || return 0
	header=$(patch_header_text "$file")
	# shellcheck disable=SC2034 # read by kpatch-package
	PATCH_VERSION=$(sed -nE 's/^(Livepatch-)?Version:[[:space:]]*([^[:space:]]+).*/\2/Ip' <<<"$header" | head -n1)
	header=$(sed -E '/^(Livepatch-)?Version:/Id' <<<"$header")
	if grep -qE '^Subject: ' <<<"$header"; then
		PATCH_SUMMARY=$(mail_subject <<<"$header")
		PATCH_DESCRIPTION=$(sed '1,/^$/d' <<<"$header")
	else
		PATCH_SUMMARY=$(sed -n '/[^[:space:]]/{p;q}' <<<"$header")
		PATCH_DESCRIPTION=$(sed '0,/[^[:space:]]/d' <<<"$header")
	fi
	PATCH_DESCRIPTION=$(trim_blank_lines <<<"$PATCH_DESCRIPTION")
	[[ -n $PATCH_SUMMARY ]] || warn "$file: no text before the first diff, the description is generic"
	((${#PATCH_SUMMARY} <= 72)) || PATCH_SUMMARY=${PATCH_SUMMARY:0:69}...
}

patch_header_text() {
	awk '/^diff --git / || /^--- / || /^---$/ || /^Index: / { exit } { print }' "$1"
}

# "Subject: [PATCH v2 1/3] proc: fix" (folded lines joined) -> "proc: fix"
mail_subject() {
	awk '/^Subject: / { s = substr($0, 10); on = 1; next }
	     on && /^[ \t]/ { sub(/^[ \t]+/, " "); s = s $0; next }
	     { on = 0 }
	     END { sub(/^(\[[^]]*\] *)+/, "", s); print s }'
}

trim_blank_lines() { sed -e '/[^[:space:]]/,$!d' | tac | sed -e '/[^[:space:]]/,$!d' | tac; }
