#!/usr/bin/env bats
# Man pages and bash completion: every page lints clean (groff -ww and
# mandoc -T lint), carries the version in its footer and an EXAMPLES
# section; every command on PATH has a page; the options the commands
# accept are documented and completed.

TOP=$BATS_TEST_DIRNAME/../..

setup() {
	VERSION=$(<"$TOP/VERSION")
	mapfile -t PAGES < <(ls "$TOP"/man/*.[1-8])
}

# The long options of a command's --help, without those it refuses.
help_options() {
	"$TOP/kpatch-build/$1" --help | sed '/^Refused/,$d' | grep -oE -- '--[a-z][a-z-]+' | sort -u
}

@test "there are man pages for the toolchain's commands" {
	for p in kpatch-build.1 kpatch-package.1 create-diff-object.1 create-klp-module.1; do
		[ -f "$TOP/man/$p" ]
	done
	# The manager's page comes with the manager.
	[ ! -e "$TOP/manager/kpatch" ] || [ -f "$TOP/man/kpatch.8" ]
}

@test "groff -ww -z -man: no warning on any page" {
	for p in "${PAGES[@]}"; do
		out=$(groff -ww -z -man "$p" 2>&1)
		[ -z "$out" ] || { echo "$p: $out"; false; }
	done
}

@test "mandoc -T lint: no warning on any page" {
	command -v mandoc >/dev/null || skip "mandoc is not installed (test/install-deps installs it)"
	for p in "${PAGES[@]}"; do
		out=$(mandoc -T lint -W warning "$p" 2>&1) || true
		[ -z "$out" ] || { echo "$out"; false; }
	done
}

@test "every page has the version in its footer and an EXAMPLES section" {
	for p in "${PAGES[@]}"; do
		grep -qE "^\.TH [^ ]+ [1-8] \"[0-9-]+\" \"[^\"]* $VERSION\"" "$p" ||
			{ echo "$p: .TH has no \"... $VERSION\" source field"; false; }
		grep -qE '^\.SH EXAMPLES?$' "$p" || { echo "$p: no EXAMPLES section"; false; }
	done
}

@test "kpatch-build(1) and kpatch-package(1) document every option of --help" {
	for cmd in kpatch-build kpatch-package; do
		page=$(sed 's/\\-/-/g' "$TOP/man/$cmd.1")
		while read -r o; do
			[[ $page == *"$o"* ]] || { echo "$cmd.1 lacks $o"; false; }
		done < <(help_options "$cmd")
	done
}

@test "kpatch-build --version is the project's version" {
	run "$TOP/kpatch-build/kpatch-build" --version
	[ "$status" -eq 0 ]
	[ "$output" = "kpatch-build $VERSION" ]
}

# COMP_WORDS as typed; the completion's replies on stdout, one a line.
complete_line() {
	local file=$1 fn=$2
	shift 2
	bash -c 'source /usr/share/bash-completion/bash_completion
		source "$1"; fn=$2; shift 2
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		"$fn"; printf "%s\n" "${COMPREPLY[@]}"' _ "$file" "$fn" "$@"
}

@test "bash completion: every option of kpatch-build and kpatch-package" {
	[ -f /usr/share/bash-completion/bash_completion ] || skip "bash-completion is not installed"
	for cmd in kpatch-build kpatch-package; do
		fn=_${cmd//-/_}
		replies=$(complete_line "$TOP/completion/$cmd" "$fn" "$cmd" --)
		while read -r o; do
			grep -qx -- "$o" <<<"$replies" || { echo "completion/$cmd lacks $o"; false; }
		done < <(help_options "$cmd")
	done
}

@test "bash completion: kpatch-package --format, kpatch subcommands" {
	[ -f /usr/share/bash-completion/bash_completion ] || skip "bash-completion is not installed"
	run complete_line "$TOP/completion/kpatch-package" _kpatch_package kpatch-package --format r
	[ "$output" = rpm ]
	run complete_line "$TOP/completion/kpatch" _kpatch kpatch un
	[ "$output" = "$(printf 'unload\nuninstall')" ]
	run complete_line "$TOP/completion/kpatch" _kpatch kpatch ''
	for s in load unload enable disable list info signal force install uninstall load-installed version; do
		grep -qx "$s" <<<"$output"
	done
}

@test "--oot-module and --oot-module-src: options of --help (not refused), in the man page and completed" {
	run help_options kpatch-build
	grep -qx -- --oot-module <<<"$output"
	grep -qx -- --oot-module-src <<<"$output"
	! "$TOP/kpatch-build/kpatch-build" --help | sed -n '/^Refused/,/^$/p' | grep -q -- --oot-module || false
	page=$(sed 's/\\-/-/g' "$TOP/man/kpatch-build.1")
	[[ $page == *".SH OUT-OF-TREE MODULES"* ]]
	[[ $page != *"Out-of-tree modules are not supported"* ]]
	[ -f /usr/share/bash-completion/bash_completion ] || skip "bash-completion is not installed"
	mkdir -p "$BATS_TEST_TMPDIR/d/src"
	touch "$BATS_TEST_TMPDIR/d/mymod.ko" "$BATS_TEST_TMPDIR/d/notes.txt"
	cd "$BATS_TEST_TMPDIR/d"
	run complete_line "$TOP/completion/kpatch-build" _kpatch_build kpatch-build --oot-module ''
	grep -qx mymod.ko <<<"$output"
	! grep -qx notes.txt <<<"$output" || false
	run complete_line "$TOP/completion/kpatch-build" _kpatch_build kpatch-build --oot-module-src ''
	grep -qx src <<<"$output"
	! grep -qx mymod.ko <<<"$output" || false
}
