# shellcheck shell=bash
# Installed patches: $KPATCH_LIBDIR/<release>/<module>.ko, one directory per
# kernel release (the release in the module's vermagic), loaded at boot by
# `kpatch load-installed` for the running release.

release_dir() { echo "$STORE_DIR/$1"; }

installed_files() {
	local release=$1 f
	for f in "$STORE_DIR/$release"/*.ko; do
		[[ -f $f ]] && echo "$f"
	done
	return 0
}

installed_releases() {
	local d
	for d in "$STORE_DIR"/*/; do
		[[ -d $d ]] || continue
		d=${d%/}
		echo "${d##*/}"
	done
	return 0
}

# find_installed NAME RELEASE: the installed file whose module is NAME.
find_installed() {
	local name=$1 release=$2 f
	while read -r f; do
		[[ $(module_name_of "$f") == "$name" ]] && { echo "$f"; return 0; }
	done < <(installed_files "$release")
	return 1
}

# install_module FILE: copy into the directory of its release (atomic
# rename), replacing an installed module of the same name.
install_module() {
	local file=$1 name release dir old dest tmp
	name=$(module_file_name "$file")
	release=$(module_release "$file")
	[[ -n $release ]] || die "$EXIT_WRONG_MODULE" "$file has no vermagic (modinfo -F vermagic): not a kernel module"
	dir=$(release_dir "$release")
	mkdir -p "$dir" || die "cannot create $dir"
	# The file keeps its name when that name says which module it is.
	dest=$dir/${file##*/}
	[[ $(module_name_of "$dest") == "$name" ]] || dest=$dir/$name.ko
	old=$(find_installed "$name" "$release") || old=''
	tmp=$(mktemp "$dir/.install.XXXXXX") || die "cannot write in $dir"
	if ! cp "$file" "$tmp"; then
		rm -f "$tmp"
		die "cannot copy $file to $dir"
	fi
	chmod 644 "$tmp"
	mv -f "$tmp" "$dest" || { rm -f "$tmp"; die "cannot install $dest"; }
	[[ -n $old && $old != "$dest" ]] && rm -f "$old"
	echo "$dest"
}
