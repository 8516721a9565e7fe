# shellcheck shell=bash
# kpatch-build: the triage of an update (--update-from NEW), from the
# source, before anything is compiled: every file the update adds, removes
# or changes; whether the target's configuration builds it (the object map
# and the include index of the prepared tree); the functions and types each
# hunk touches (a type whose members change is flagged); the CVE ids the
# changelog entries between the two versions name.
#
#   NEW   a version of the target's linux-source-X.Y (apt-get download into
#         the cache, as the target's own source is fetched: source.sh), a
#         linux-source-X.Y_VER_all.deb, or a kernel source directory (its
#         version: debian/changelog, else its Makefile's).
#   base  the target's own source (source.sh, copied by cache.sh); the
#         driver hands its copy, the map and the index to triage_update.
#
# check_update_from refuses a bad NEW (exit 2, naming it) before any long
# step: unknown to apt, of another line, older than or equal to the
# target's version, not a kernel tree.  fetch_update then gets it (a .deb
# or a version: its tarball unpacked once into CACHE/update/PKG_VER/linux).
#
# Layer 2 (README, "Layout"), after source.sh: calls common.sh, dpkg.sh,
# target.sh (the target's version) and source.sh (the line's package, its
# fetch and unpacking); called by the driver, which passes it cache.sh's
# source copy and map and the functions the module carries (it reads no
# state of the layers above), by diff.sh (update_exclude_hint) and kmod.sh
# (update_modinfo).
#
# The build of an update (the driver, without --triage-only) takes the
# files the selection chooses (--only PATH, --exclude PATH: select_update),
# refuses from the triage what cannot be livepatched before anything is
# compiled (refuse_unlivepatchable_selection, exit 6, naming the
# --exclude PATH that leaves it out), and writes the selected files' diff as
# the one patch the normal pipeline builds (write_update_patch); after the
# build, record_build_statuses gives each row the build's status.
#
# Owns: UPDATE_KIND, UPDATE_VERSION, UPDATE_DEB, UPDATE_TREE,
# UPDATE_CHANGELOG, UPDATE_CVES, UPDATE_PATCH, TRIAGE_FILES.  Reads the
# driver's OPT_UPDATE_FROM, OPT_ONLY, OPT_EXCLUDE, OPT_NAME, OPT_OUTPUT.

UPDATE_KIND='' UPDATE_VERSION='' UPDATE_DEB='' UPDATE_TREE='' UPDATE_CHANGELOG=''
UPDATE_PATCH=''	# the selected files' diff, the patch the build takes
UPDATE_CVES=()	# the CVE ids of the changelog entries after the target's version
# The files the update changes: "A|D|M PATH", sorted by path.
TRIAGE_FILES=()

# The version the target is (the triage's "from").
target_triage_version() { echo "${TARGET_DEB_VERSION:-$TARGET_UPSTREAM_VERSION}"; }

# X.Y of a version (6.1.192-3 -> 6.1).
version_line() {
	local v
	v=$(deb_upstream_version "$1")
	[[ $v =~ ^([0-9]+\.[0-9]+)(\.|$) ]] && echo "${BASH_REMATCH[1]}"
}

# ---- NEW, checked before any long step ---------------------------------------
check_update_from() {
	local new=$OPT_UPDATE_FROM
	if [[ -d $new ]]; then
		check_update_dir "$new"
	elif [[ $new == *.deb ]]; then
		check_update_deb "$new"
	elif [[ $new =~ ^[0-9][0-9A-Za-z.+~:-]*$ ]]; then
		check_update_version "$new"
	else
		die "$EXIT_USAGE" "--update-from $new: not a version of $(source_package_name), a .deb or a directory"
	fi
	check_update_is_newer
	[[ $UPDATE_KIND != version ]] || check_update_known "$new"
	stage "update: $(target_triage_version) -> $UPDATE_VERSION ($UPDATE_KIND $new)"
}

check_update_dir() {
	local dir=$1 have
	UPDATE_KIND=dir UPDATE_TREE=$(realpath "$dir")
	have=$(tree_kernel_version "$UPDATE_TREE/Makefile" 2>/dev/null) ||
		die "$EXIT_USAGE" "--update-from $dir: not a kernel source ($UPDATE_TREE/Makefile names no VERSION, PATCHLEVEL and SUBLEVEL)"
	[[ -f $UPDATE_TREE/Kbuild || -f $UPDATE_TREE/Kconfig ]] ||
		die "$EXIT_USAGE" "--update-from $dir: not a kernel source (no Kbuild or Kconfig next to its Makefile)"
	[[ $(version_line "$have") == "$(version_line "$TARGET_UPSTREAM_VERSION")" ]] ||
		die "$EXIT_USAGE" "--update-from $dir: Linux $have (its Makefile) is not of the target's line $(version_line "$TARGET_UPSTREAM_VERSION") ($TARGET_RELEASE)"
	UPDATE_VERSION=$have
	if [[ -f $UPDATE_TREE/debian/changelog ]]; then
		UPDATE_CHANGELOG=$UPDATE_TREE/debian/changelog
		UPDATE_VERSION=$(sed -n '1s/^linux[^ ]* (\([^)]*\)).*/\1/p' "$UPDATE_CHANGELOG")
		[[ -n $UPDATE_VERSION ]] ||
			die "$EXIT_USAGE" "--update-from $dir: $UPDATE_CHANGELOG does not begin with 'linux (VERSION)'"
		[[ $(kernel_version_triplet "$(deb_upstream_version "$UPDATE_VERSION")") == "$have" ]] ||
			die "$EXIT_USAGE" "--update-from $dir: its changelog says $UPDATE_VERSION, its Makefile Linux $have"
	fi
}

check_update_deb() {
	local deb=$1 pv pkg
	pkg=$(source_package_name)
	[[ -f $deb && -r $deb ]] || die "$EXIT_USAGE" "--update-from $deb: no such readable file"
	pv=$(deb_package_version "$deb") || die "$EXIT_USAGE" "--update-from $deb: not a .deb (dpkg-deb cannot read its control fields)"
	[[ ${pv% *} == "$pkg" ]] ||
		die "$EXIT_USAGE" "--update-from $deb: package ${pv% *} ${pv#* }, not $pkg (the line of the target $TARGET_RELEASE)"
	UPDATE_KIND=deb UPDATE_DEB=$(realpath "$deb") UPDATE_VERSION=${pv#* }
}

# A version of the target's line; one apt knows (asked before anything is
# downloaded: check_update_known).
check_update_version() {
	local ver=$1 pkg
	pkg=$(source_package_name)
	[[ $(version_line "$ver") == "$(version_line "$TARGET_UPSTREAM_VERSION")" ]] ||
		die "$EXIT_USAGE" "--update-from $ver: not a version of $pkg (the line of the target $TARGET_RELEASE)"
	UPDATE_KIND=version UPDATE_VERSION=$ver
}

check_update_known() {
	local ver=$1 pkg known
	pkg=$(source_package_name)
	[[ -e $(cached_source_dir "$ver")/.kpb-complete ]] && return 0
	command -v apt-cache >/dev/null || die "$EXIT_USAGE" "--update-from $ver: no apt-cache here to find $pkg $ver (give the .deb)"
	known=$(apt-cache madison "$pkg" 2>/dev/null | awk -F'|' '{ gsub(/ /, "", $2); print $2 }' | sort -uV | paste -sd' ' -)
	[[ " $known " == *" $ver "* ]] && return 0
	die "$EXIT_USAGE" "--update-from $ver: apt knows no $pkg $ver (it knows: ${known:-none}; apt-cache policy $pkg)"
}

check_update_is_newer() {
	local from
	from=$(target_triage_version)
	dpkg --compare-versions "$UPDATE_VERSION" gt "$from" && return 0
	die "$EXIT_USAGE" "--update-from $OPT_UPDATE_FROM: $UPDATE_VERSION is not newer than the target $TARGET_RELEASE ($from): an update goes from the target's version to a later one"
}

# ---- NEW, fetched and unpacked -------------------------------------------------
fetch_update() {
	local dir pkg
	[[ $UPDATE_KIND == dir ]] && return 0
	pkg=$(source_package_name)
	dir=$(cached_source_dir "$UPDATE_VERSION")
	lock_fetch "$UPDATE_VERSION"
	if [[ ! -e $dir/.kpb-complete ]]; then
		if [[ $UPDATE_KIND == deb ]]; then
			unpack_source_deb "$UPDATE_DEB" "$UPDATE_VERSION"
		elif ! fetch_source_deb "$UPDATE_VERSION"; then
			die "--update-from $OPT_UPDATE_FROM: ${SOURCE_SEEN[-1]}"
		fi
	fi
	unlock_fetch
	UPDATE_CHANGELOG=$dir/usr/share/doc/$pkg/changelog.Debian.gz
	unpack_update_tree "$dir/usr/src/$pkg.tar.xz" "$OPT_CACHE/update/${pkg}_$UPDATE_VERSION"
}

# The tarball unpacked once per version (the next triage diffs it at once).
unpack_update_tree() {
	local tarball=$1 dir=$2 tmp have
	UPDATE_TREE=$dir/linux
	if [[ ! -e $UPDATE_TREE/.kpb-complete ]]; then
		stage "unpacking $(basename "$tarball") of $UPDATE_VERSION ($dir)"
		mkdir -p "$dir"
		rm -rf "$dir"/linux.tmp.*
		tmp=$(mktemp -d "$dir/linux.tmp.XXXXXX")
		discard_on_failure "$tmp"
		run_logged tar -xJf "$tarball" -C "$tmp" --strip-components=1 || die "unpacking $tarball failed"
		touch "$tmp/.kpb-complete"
		rm -rf "$UPDATE_TREE"
		mv "$tmp" "$UPDATE_TREE"
		discard_on_failure ''
	fi
	have=$(tree_kernel_version "$UPDATE_TREE/Makefile") || die "$tarball: no kernel tree (its Makefile names no version)"
	[[ $have == "$(kernel_version_triplet "$(deb_upstream_version "$UPDATE_VERSION")")" ]] ||
		die "$tarball ($UPDATE_VERSION): its Makefile says Linux $have"
}

# ---- the files, and the selection ------------------------------------------
# list_update BASE: the files the update changes from BASE, the target's
# source (TRIAGE_FILES); a --only or --exclude PATH that names none of
# them is refused (exit 2) before the tree is prepared.
list_update() {
	local p
	stage "triage: the files $(target_triage_version) -> $UPDATE_VERSION changes"
	list_update_files "$1" "$UPDATE_TREE"
	for p in "${OPT_ONLY[@]}"; do check_selection_path --only "$p"; done
	for p in "${OPT_EXCLUDE[@]}"; do check_selection_path --exclude "$p"; done
}

check_selection_path() {
	local entry
	for entry in "${TRIAGE_FILES[@]}"; do path_under "${entry#* }" "$2" && return 0; done
	die "$EXIT_USAGE" "$1 $2: the update $(target_triage_version) -> $UPDATE_VERSION does not change $2 (--triage-only lists the files it changes)"
}

# path_under FILE PATH: FILE is PATH or under the directory PATH.
path_under() { local p=${2%/}; [[ $1 == "$p" || $1 == "$p"/* ]]; }

# Why the selection leaves FILE out (--exclude PATH, or not chosen with
# --only); 1 when it takes it.
exclusion_reason() {
	local p
	for p in "${OPT_EXCLUDE[@]}"; do
		path_under "$1" "$p" && { echo "left out with --exclude $p"; return 0; }
	done
	((${#OPT_ONLY[@]})) || return 1
	for p in "${OPT_ONLY[@]}"; do path_under "$1" "$p" && return 1; done
	echo "not chosen with --only"
}

# ---- the triage ------------------------------------------------------------
# triage_rows: the records of the triage (triage_files), in the temporary
# directory, read again by the build's checks.
triage_rows() { echo "$TMP_DIR/triage"; }
triage_json() { echo "$OPT_OUTPUT/livepatch-$OPT_NAME.triage.json"; }

# triage_update BASE MAP INDEX: BASE the target's source (a pristine copy,
# listed by list_update), MAP and INDEX kpb-objmap's of the prepared tree.
# Writes OPT_OUTPUT/livepatch-OPT_NAME.triage.json (the rows the selection
# leaves out: excluded) and prints the table; 7 if the update changes no
# file.
triage_update() {
	local base=$1 map=$2 index=$3 out rows entry why
	rows=$(triage_rows)
	mkdir -p "$rows"
	drop_from_kept_tmp triage
	triage_files "$base" "$map" "$index" "$rows"
	update_cves >"$rows/cves"
	mapfile -t UPDATE_CVES <"$rows/cves"
	for entry in "${TRIAGE_FILES[@]}"; do
		why=$(exclusion_reason "${entry#* }") && printf '%s\t%s\n' "${entry#* }" "$why"
	done >"$rows/excluded"
	out=$(triage_json)
	mkdir -p "$OPT_OUTPUT"
	write_triage_json "$rows" | mark_excluded "$rows/excluded" >"$out.tmp"
	mv "$out.tmp" "$out"
	print_triage_table "$out" "$rows"
	stage "triage written: $out"
	((${#TRIAGE_FILES[@]})) || return "$EXIT_NO_CHANGE"
}

# The rows of the files the selection leaves out (EXCLUDED: "path\treason"):
# excluded, with the reason.
mark_excluded() {
	jq --rawfile ex "$1" '
		($ex | split("\n") | map(select(. != "") | split("\t") | {key: .[0], value: .[1]}) | from_entries) as $ex
		| .files |= map(.path as $p | if $ex[$p] then
			.functions |= map(.status = "excluded" | .reason = $ex[$p]) else . end)'
}

# "A|D|M PATH" of every file that differs (symbolic links by their target).
list_update_files() {
	local old=$1 new=$2
	mapfile -t TRIAGE_FILES < <(
		{ LC_ALL=C diff -rq --no-dereference -x .kpb-complete -x .git "$old" "$new" || true; } |
			awk -v old="$old/" -v new="$new/" '
			function rel(p, root) { return substr(p, length(root) + 1) }
			/^Files .* and .* differ$/ || /^Symbolic links .* and .* differ$/ {
				p = $0; sub(/^(Files|Symbolic links) /, "", p); sub(/ and .*/, "", p)
				print "M " rel(p, old); next }
			/^Only in / {
				d = $0; sub(/^Only in /, "", d); n = d; sub(/: [^:]*$/, "", d); sub(/.*: /, "", n)
				side = (index(d "/", old) == 1) ? "D" : "A"
				root = (side == "D") ? old : new
				print side " " (d "/" == root ? "" : rel(d, root) "/") n; next }
			/^File .* is a / { p = $0; sub(/^File /, "", p); sub(/ is a .*/, "", p)
				print "M " rel(p, old); next }' |
			expand_update_dirs "$old" "$new" | LC_ALL=C sort -k2 -u)
}

# A directory only one side has: each of its files.
expand_update_dirs() {
	local old=$1 new=$2 kind path root
	while read -r kind path; do
		root=$old
		[[ $kind == A ]] && root=$new
		if [[ $kind != M && -d $root/$path && ! -L $root/$path ]]; then
			(cd "$root" && find "$path" \( -type f -o -type l \) -print) | sed "s|^|$kind |"
		else
			echo "$kind $path"
		fi
	done
}

# What kind of file: source (.c/.S, compiled), header, build (Makefile,
# Kbuild, Kconfig: the rules), other (documentation, scripts, tools).
file_kind() {
	case $1 in
	tools/* | scripts/* | Documentation/*) echo other ;;
	*.[cS]) echo source ;;
	*.h) echo header ;;
	*/Makefile* | Makefile* | */Kbuild* | Kbuild* | */Kconfig* | Kconfig* | *.mk) echo build ;;
	*) echo other ;;
	esac
}

# One record file per changed file: rows/N.{file,objects,functions,types}.
# The objects each file reaches come from one kpb-objmap reach over all of
# them (a stable update changes some 2,000 files).
triage_files() {
	local base=$1 map=$2 index=$3 rows=$4 i=0 entry path
	: >"$rows/paths"
	for entry in "${TRIAGE_FILES[@]}"; do
		path=${entry#* }
		: >"$rows/$i.objects"
		if [[ ${entry%% *} != A ]] && [[ $(file_kind "$path") == source || $(file_kind "$path") == header ]]; then
			printf '%s\t%s\n' "$i" "$path" >>"$rows/paths"
		fi
		i=$((i + 1))
	done
	if [[ -s $rows/paths ]]; then
		stage "triage: the objects $(wc -l <"$rows/paths") source file(s) and header(s) reach"
		cut -f2 "$rows/paths" | xargs -d '\n' "$KPB_OBJMAP" reach "$map" "$index" >"$rows/reach" ||
			die "kpb-objmap reach $map $index failed"
		awk -F'\t' -v rows="$rows" 'FILENAME == ARGV[1] { n[$2] = $1; next }
			{ split($0, w, " "); if (w[1] != last) { if (out != "") close(out); out = rows "/" n[w[1]] ".objects"; last = w[1] }
			  print w[2], w[3] > out }' "$rows/paths" "$rows/reach"
	fi
	stage "triage: the functions and types the hunks of ${#TRIAGE_FILES[@]} file(s) touch"
	i=0
	for entry in "${TRIAGE_FILES[@]}"; do
		triage_file "$base" "${entry%% *}" "${entry#* }" "$rows/$i"
		i=$((i + 1))
	done
}

# triage_file BASE A|D|M PATH PREFIX (PREFIX.objects written before)
triage_file() {
	local base=$1 change=$2 path=$3 p=$4 kind old new
	kind=$(file_kind "$path")
	old=$base/$path new=$UPDATE_TREE/$path
	[[ $change == A ]] && old=/dev/null
	[[ $change == D ]] && new=/dev/null
	printf '%s\t%s\t%s\t%s\n' "$change" "$path" "$kind" "$(wc -l <"$p.objects")" >"$p.file"
	: >"$p.types" && : >"$p.functions"
	if [[ $kind == source || $kind == header ]] && [[ -f $old || -f $new ]]; then
		touched_items "$old" "$new" "$p"
	fi
}

# The functions and types of FILE (ctags): "kind start end name pattern".
tags_of() {
	[[ -f $1 && $1 != /dev/null ]] || return 0
	ctags -x --_xformat='%{kind} %{line} %{end} %{name} %{pattern}' --language-force=C \
		--kinds-C=fsugt -f - "$1" 2>/dev/null | awk '$2 ~ /^[0-9]+$/ && $3 ~ /^[0-9]+$/'
}

# The changed lines of OLD and NEW, one hunk a line: "o1 o2 n1 n2" (a side
# with o2 < o1 is empty).
hunk_ranges() {
	{ diff -U0 "$1" "$2" || true; } | sed -n 's/^@@ -\([0-9,]*\) +\([0-9,]*\) @@.*/\1 \2/p' |
		awk '{ split($1, o, ","); split($2, n, ",")
			oc = (2 in o) ? o[2] : 1; nc = (2 in n) ? n[2] : 1
			print o[1], o[1] + oc - 1, n[1], n[1] + nc - 1 }'
}

# Of the tags on stdin, those whose lines a hunk of side S (1 old, 3 new)
# of RANGES touches: "kind name pattern".
tags_touched() {
	awk -v side="$2" 'FNR == NR { lo[++n] = $side; hi[n] = $(side + 1); next }
		{ for (i = 1; i <= n; i++) if (lo[i] <= hi[i] && lo[i] <= $3 && hi[i] >= $2) {
			pat = $0; sub(/^[^ ]+ [^ ]+ [^ ]+ [^ ]+ /, "", pat)
			print $1, $2, $3, $4, pat; break } }' "$1" -
}

# touched_items OLD NEW PREFIX: PREFIX.functions ("name\tinit|-"), PREFIX.types.
touched_items() {
	local old=$1 new=$2 p=$3 kind start end name pat
	hunk_ranges "$old" "$new" >"$p.ranges"
	tags_of "$old" >"$p.old-tags"
	tags_of "$new" >"$p.new-tags"
	{ tags_touched "$p.ranges" 1 <"$p.old-tags" | sed 's/^/old /'
	  tags_touched "$p.ranges" 3 <"$p.new-tags" | sed 's/^/new /'; } >"$p.touched"
	while read -r side kind start end name pat; do
		case $kind in
		function)
			echo "$(function_name "$name" "$pat")"$'\t'"$(function_section "$pat")" >>"$p.functions"
			;;
		struct | union | enum | typedef)
			[[ $name == __anon* ]] && continue
			type_members_changed "$kind" "$name" "$old" "$new" "$p" && type_label "$kind" "$name" >>"$p.types"
			;;
		esac
		: "$side $start $end"
	done <"$p.touched"
	sort -u -o "$p.functions" "$p.functions"
	sort -u -o "$p.types" "$p.types"
}

# A SYSCALL_DEFINEn(name, ...) body is the kernel's __do_sys_name.
function_name() {
	local name=$1 pat=$2 kind=sys
	[[ $name == COMPAT_* ]] && kind=compat_sys
	if [[ $name =~ ^(COMPAT_)?SYSCALL_DEFINE[0-6]$ && $pat =~ SYSCALL_DEFINE[0-6]\(([A-Za-z0-9_]+) ]]; then
		echo "__do_${kind}_${BASH_REMATCH[1]}"
		return 0
	fi
	echo "$name"
}

# init or exit when the definition's line marks it __init/__exit.
function_section() {
	if [[ $1 =~ (^|[^A-Za-z0-9_])__(init|exit)([^A-Za-z0-9_]|$) ]]; then echo "${BASH_REMATCH[2]}"; else echo -; fi
}

type_label() {
	case $1 in
	typedef) echo "$2" ;;
	*) echo "$1 $2" ;;
	esac
}

# The members of a type as written, without comments and white space; a
# type only one side has (new or gone) is no member change of a type the
# original objects use, when new, and is one when gone.
type_members_changed() {
	local kind=$1 name=$2 old=$3 new=$4 p=$5 a b
	a=$(type_body "$kind" "$name" "$p.old-tags" "$old")
	b=$(type_body "$kind" "$name" "$p.new-tags" "$new")
	[[ -z $a ]] && return 1
	[[ $a != "$b" ]]
}

type_body() {
	local kind=$1 name=$2 tags=$3 file=$4 range
	range=$(awk -v k="$kind" -v n="$name" '$1 == k && $4 == n { print $2 "," $3; exit }' "$tags")
	[[ -n $range ]] || return 0
	sed -n "${range}p" "$file" | sed -z -E 's#/\*([^*]|\*+[^*/])*\*+/##g; s#//[^\n]*##g' | tr -d ' \t\n'
}

# The CVE ids the changelog entries after the target's version name.
update_cves() {
	local from
	from=$(target_triage_version)
	[[ -n $UPDATE_CHANGELOG && -r $UPDATE_CHANGELOG ]] || return 0
	changelog_entries_after "$UPDATE_CHANGELOG" "$from" | grep -oE 'CVE-[0-9]{4}-[0-9]{4,}' | sort -uV || true
}

# The text of the entries newer than FROM (each entry begins "linux (VER)").
changelog_entries_after() {
	local file=$1 from=$2 line ver
	while IFS= read -r line; do
		if [[ $line =~ ^linux[^[:space:]]*\ \(([^\)]+)\) ]]; then
			ver=${BASH_REMATCH[1]}
			dpkg --compare-versions "$ver" gt "$from" || return 0
		fi
		printf '%s\n' "$line"
	done < <(if [[ $file == *.gz ]]; then gzip -dc "$file"; else cat "$file"; fi)
}

# ---- the outputs -----------------------------------------------------------
# The status of a function before a build: not-built when no object of the
# configuration is built from its file; refused when the source already
# says (a file the update removes, __init/__exit code); else carried: the
# default build takes the whole update, and the build replaces it with its
# own (no-change when the compiled code is the same, refused with its reason).
write_triage_json() {
	local rows=$1 f
	for f in "$rows"/*.file; do
		[[ -e $f ]] || continue
		triage_file_json "${f%.file}"
	done | jq -s --arg target "$TARGET_RELEASE" --arg from "$(target_triage_version)" \
		--arg to "$UPDATE_VERSION" --rawfile cves "$rows/cves" \
		'{target: $target, from: $from, to: $to, cves: ($cves | split("\n") | map(select(. != ""))), files: .}'
}

# One file's object: its objects (a .c/.S: the objects built from it; a
# header: none), its reach (the objects it affects) and its functions, one
# row per function and parent.
triage_file_json() {
	local p=$1 change path kind reach
	IFS=$'\t' read -r change path kind reach <"$p.file"
	jq -n --arg change "$change" --arg path "$path" --arg kind "$kind" --argjson reach "$reach" \
		--rawfile objects "$p.objects" --rawfile types "$p.types" --rawfile functions "$p.functions" '
		def lines: split("\n") | map(select(. != ""));
		def modname: split("/") | last | gsub("-"; "_");
		($objects | lines | map(split(" "))) as $objs
		| ($objs | map(.[1] | if . == "vmlinux" then . else modname end) | unique) as $parents
		| ($objs | map(.[0]) | unique) as $names
		| (($parents | index("vmlinux")) != null) as $in_vmlinux
		| ($types | lines) as $types
		| {path: $path,
		   built: ($reach > 0),
		   objects: (if $kind == "source" then $names else [] end),
		   reach: $reach,
		   types: $types,
		   functions: [($functions | lines | map(split("\t")))[] as [$fn, $section]
			| (if $reach == 0 then ["vmlinux"]
			   elif $kind == "header" then [if $in_vmlinux then "vmlinux" else $parents[0] end]
			   else $parents end)[] as $obj
			| {name: $fn, object: $obj}
			+ (if $reach == 0 and $change != "A" then
				{status: "not-built", reason: (if $kind == "header"
					then "no object of the target'"'"'s config includes \($path)"
					else "the target'"'"'s config builds no object from \($path)" end)}
			   elif $change == "A" then
				{status: "not-built", reason: "new in the update: the target'"'"'s config builds no object from \($path) yet (its Makefile decides)"}
			   elif $change == "D" then
				{status: "refused", reason: "the update removes \($path)"}
			   elif $section != "-" then
				{status: "refused", reason: "__\($section) code: a changed __\($section) function is refused (vmlinux'"'"'s is freed after boot)"}
			   else
				{status: "carried", reason: ("before the build: carried if its compiled code changes"
					+ (if $kind == "header" then ", in \($reach) object(s) including \($path)" else "" end)
					+ (if ($types | length) > 0 then "; the members of \($types | join(", ")) change: the layout check decides" else "" end))}
			   end)]}'
}

# The table: the totals and the CVE ids, then one line per file: what
# changed (A added, D removed, M changed) and what kind of file it is.
print_triage_table() {
	local json=$1 rows=$2 f
	for f in "$rows"/*.file; do [[ -e $f ]] && cut -f1-3 "$f"; done >"$rows/changes"
	jq -r '"triage of \(.target): \(.from) -> \(.to): \(.files | length) file(s), \([.files[] | select(.built)] | length) built by its config; \([.files[].functions[]] | length) function row(s), \([.files[].functions[] | select(.status == "carried")] | length) to carry before the build",
		"CVEs: \(if (.cves | length) > 0 then .cves | join(" ") else "none named" end)"' "$json"
	jq -r --rawfile changes "$rows/changes" '
		($changes | split("\n") | map(select(. != "") | split("\t") | {key: .[1], value: "\(.[0]) \(.[2])"}) | from_entries) as $c
		| (["FILE", "CHANGE", "BUILT", "REACH", "TYPES(!members)", "FUNCTIONS (object: status)"] | @tsv),
		(.files[] | [.path, $c[.path], (if .built then "yes" else "no" end), (.reach | tostring),
			(if (.types | length) > 0 then "!" + (.types | join(",")) else "-" end),
			(if (.functions | length) > 0 then [.functions[] | "\(.name) (\(.object): \(.status))"] | join(", ") else "-" end)] | @tsv)' "$json" |
		awk -F'\t' '{ for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } n = NR; nf[NR] = NF }
			END { for (r = 1; r <= n; r++) { line = ""
				for (i = 1; i <= nf[r]; i++) line = line (i < nf[r] ? sprintf("%-*s  ", w[i], cell[r, i]) : cell[r, i])
				print line } }'
}

# ---- the build of the selection ----------------------------------------------
# The selected files (not excluded), "change\tpath\tkind\treach" each.
selected_files() {
	local rows f
	rows=$(triage_rows)
	for f in "$rows"/*.file; do [[ -e $f ]] && cat "$f"; done |
		awk -F'\t' 'FILENAME == ARGV[1] { ex[$1] = 1; next } !($2 in ex)' "$rows/excluded" -
}

# What the triage already knows cannot be livepatched, of the selection:
# "path\treason" (a removed file, a build or configuration change, a type
# whose members change, a refused function: __init/__exit code).
unlivepatchable_selection() {
	local json=$1
	selected_files | while IFS=$'\t' read -r change path kind reach; do
		[[ $change == D ]] && printf '%s\t%s\n' "$path" "the update removes it: removing a source file cannot be livepatched"
		[[ $kind == build ]] && printf '%s\t%s\n' "$path" "a build or configuration change cannot be livepatched"
		jq -r --arg p "$path" --arg change "$change" --argjson reach "$reach" '.files[] | select(.path == $p)
			| (if $reach > 0 and (.types | length) > 0 then "\(.path)\tthe members of \(.types | join(", ")) change: a type whose layout changes cannot be livepatched" else empty end),
			  (.functions[] | select(.status == "refused" and $change != "D") | "\($p)\t\(.name): \(.reason)")' "$json"
	done
}

# Every refusal of the selection the triage can tell, each named, then one
# exit 6 naming the --exclude PATH that leaves them out; the triage JSON
# says refused, with the reason, for each of their rows.
refuse_unlivepatchable_selection() {
	local json refusals path why
	json=$(triage_json)
	refusals=$(unlivepatchable_selection "$json")
	[[ -n $refusals ]] || return 0
	while IFS=$'\t' read -r path why; do printf '  %s: %s\n' "$path" "$why"; done <<<"$refusals" >&2
	jq --arg r "$refusals" '($r | split("\n") | map(split("\t")) | group_by(.[0])
		| map({key: .[0][0], value: (map(.[1]) | join("; "))}) | from_entries) as $r
		| .files |= map(.path as $p | if $r[$p] then .functions |= map(if .status == "refused" then . else
			.status = "refused" | .reason = "its file is refused (\($r[$p])): --exclude \($p) leaves it out" end) else . end)' \
		"$json" >"$json.tmp" && mv "$json.tmp" "$json"
	die "$EXIT_UNSUPPORTED" "$(cut -f1 <<<"$refusals" | sort -u | wc -l) selected file(s) of the update cannot be livepatched (above; the triage: $json); leave them out: $(cut -f1 <<<"$refusals" | sort -u | sed 's/^/--exclude /' | paste -sd' ' -)"
}

# write_update_patch BASE: the diff, BASE to NEW, of the selected files the
# target's config builds (a .c/.S or a header it includes), as the patch
# the build takes (UPDATE_PATCH); the others are said and skipped: not
# built, new (no object is built from it yet), not kernel code.
write_update_patch() {
	local base=$1 change path kind reach n=0 status
	UPDATE_PATCH=$TMP_DIR/update-$UPDATE_VERSION.patch
	printf 'The update %s -> %s of %s, the files selected.\n\n' "$(target_triage_version)" "$UPDATE_VERSION" \
		"$(source_package_name)" >"$UPDATE_PATCH"
	while IFS=$'\t' read -r change path kind reach; do
		if [[ $kind != source && $kind != header ]]; then
			note "$path: not kernel code, skipped"
		elif [[ $change == A ]]; then
			note "$path: new in the update, not built by the target's config (skipped)"
		elif ((reach == 0)); then
			note "$path: not built by the target's config (skipped)"
		else
			status=0
			LC_ALL=C diff -u --label "a/$path" --label "b/$path" "$base/$path" "$UPDATE_TREE/$path" >>"$UPDATE_PATCH" || status=$?
			((status == 1)) || die "diff of $path ($base, $UPDATE_TREE) failed (status $status)"
			n=$((n + 1))
		fi
	done < <(selected_files)
	((n)) || die "$EXIT_NO_CHANGE" "the selection of the update changes no file the target's config builds (the triage: $(triage_json))"
	stage "update: building the change of $n file(s) ($UPDATE_PATCH)"
}

# record_build_statuses FUNCTIONS: after the build, a row the triage would
# carry is carried when the module carries a function of its name (FUNCTIONS,
# one a line; a compiler's clone, cmdline_proc_show.isra.0, by its
# function's), else no-change.
record_build_statuses() {
	local json
	json=$(triage_json)
	jq --rawfile f "$1" '($f | split("\n") | map(select(. != "") | split(".")[0]) | map({key: ., value: true}) | from_entries) as $f
		| .files |= map(.functions |= map(if .status != "carried" then .
			elif $f[.name] then .reason = "carried: the module replaces it"
			else .status = "no-change" | .reason = "the module carries no function of this name: its compiled code is the same (or it is inlined into the callers the module carries)" end))' \
		"$json" >"$json.tmp" && mv "$json.tmp" "$json"
	jq -r '"update: \([.files[].functions[] | select(.status == "carried")] | length) function(s) carried, \([.files[].functions[] | select(.status == "no-change")] | length) unchanged in the build (\(input_filename))"' "$json" >&2
}

# After a refusal of the build (diff.sh) of the object built from SRC: the
# --exclude PATH that leaves the change out, when --update-from.
update_exclude_hint() {
	local src=$1 files
	[[ -n $UPDATE_PATCH ]] || return 0
	files=$(patch_paths_of_update)
	if grep -qxF -- "$src" <<<"$files"; then
		echo " (the update's change to $src: leave it out with --exclude $src)"
	else
		echo " (the update changes it through: $(paste -sd' ' - <<<"$files"); leave that one out with --exclude PATH)"
	fi
}

# The files the update's patch changes, one a line.
patch_paths_of_update() { sed -n 's|^+++ b/\([^\t]*\).*|\1|p' "$UPDATE_PATCH"; }

# The module's record of the update (modinfo, written by kmod.sh):
# "livepatch_from VER", "livepatch_to VER", "livepatch_cves ID,ID".
update_modinfo() {
	[[ -n $UPDATE_VERSION ]] || return 0
	printf 'livepatch_from %s\nlivepatch_to %s\n' "$(target_triage_version)" "$UPDATE_VERSION"
	((${#UPDATE_CVES[@]} == 0)) || printf 'livepatch_cves %s\n' "$(IFS=,; echo "${UPDATE_CVES[*]}")"
}
