# shellcheck shell=bash
# The running kernel's view of livepatches: /sys/kernel/livepatch/<name>/
# (enabled, transition, signal, force, <object>/<function,sympos>/),
# /sys/module/<name> and /proc/<pid>/patch_state for the tasks that hold a
# transition up.  See Documentation/livepatch/livepatch.rst, "Sysfs".

patch_dir() { echo "$LIVEPATCH_DIR/$1"; }

# Registered with the livepatch core: enabled, or in an unpatching
# transition.  Once disabled, the kernel unregisters the patch and removes
# its directory; the module stays loaded until rmmod.
is_patch_registered() { [[ -d $LIVEPATCH_DIR/$1 ]]; }
is_module_loaded() { [[ -d $SYSFS/module/$1 ]]; }

read_attr() {
	local v=''
	read -r v 2>/dev/null <"$LIVEPATCH_DIR/$1/$2" || true
	echo "$v"
}

write_attr() {
	local name=$1 attr=$2 value=$3
	echo "$value" >"$LIVEPATCH_DIR/$name/$attr" 2>/dev/null ||
		die "cannot write $value to $LIVEPATCH_DIR/$name/$attr"
}

is_patch_enabled() { [[ $(read_attr "$1" enabled) == 1 ]]; }
# A patch whose directory went away has finished its (unpatching) transition.
is_in_transition() { is_patch_registered "$1" && [[ $(read_attr "$1" transition) == 1 ]]; }

registered_patches() {
	local d
	for d in "$LIVEPATCH_DIR"/*/; do
		[[ -d $d ]] || continue
		d=${d%/}
		echo "${d##*/}"
	done
}

# The patched functions of a registered patch: "<object> <function> <sympos>".
patched_functions() {
	local objdir fndir obj fn
	for objdir in "$LIVEPATCH_DIR/$1"/*/; do
		[[ -d $objdir ]] || continue
		obj=${objdir%/}
		obj=${obj##*/}
		for fndir in "$objdir"*,*/; do
			[[ -d $fndir ]] || continue
			fn=${fndir%/}
			fn=${fn##*/}
			printf '%s %s %s\n' "$obj" "${fn%,*}" "${fn##*,}"
		done
	done
}

# After an unpatching transition (disable) or an atomic replace, the kernel
# frees the patch from a workqueue (klp_free_patch_async): its directory
# goes, and the module reference it holds is dropped, a moment later.
# rmmod before that fails with "in use".  0 once NAME is gone, 1 after 10 s.
wait_for_unregistered() {
	local name=$1 i
	for ((i = 0; i < 100; i++)); do
		is_patch_registered "$name" || return 0
		sleep 0.1
	done
	return 1
}

# ---- tasks that block a transition ----------------------------------------

# Every task's directory: /proc/<pid>/task/<tid> (threads too), or
# /proc/<pid> where the task/ view is not there.
task_dirs() {
	local p t
	for p in "$PROCFS"/[0-9]*; do
		[[ -d $p ]] || continue
		if [[ -d $p/task ]]; then
			for t in "$p"/task/[0-9]*; do
				[[ -d $t ]] && echo "$t"
			done
		else
			echo "$p"
		fi
	done
}

# A task blocks while its patch_state is not the state the transition goes
# to: 1 when patching (enabled=1), 0 when unpatching (enabled=0); -1 means
# no transition.
blocking_task_dirs() {
	local name=$1 target state d
	target=$(read_attr "$name" enabled)
	while read -r d; do
		state=''
		read -r state 2>/dev/null <"$d/patch_state" || continue
		[[ $state == 0 || $state == 1 ]] || continue
		[[ $state != "$target" ]] && echo "$d"
	done < <(task_dirs)
}

# Where /proc/<pid>/stack is readable (root), the patched functions on it.
patched_functions_on_stack() {
	local name=$1 dir=$2 fn hits=()
	[[ -r $dir/stack ]] || return 0
	while read -r _ fn _; do
		# Lines look like "[<0>] do_nanosleep+0x6b/0x190".
		if grep -qE "[[:space:]]$fn\\+0x" "$dir/stack" 2>/dev/null; then
			hits+=("$fn")
		fi
	done < <(patched_functions "$name")
	local joined
	printf -v joined '%s, ' "${hits[@]}"
	((${#hits[@]} == 0)) || echo "${joined%, }"
	return 0
}

# One line per blocking task: "pid <tid> (<comm>)[ in <patched function>]".
describe_blocking_tasks() {
	local name=$1 d comm fns line
	while read -r d; do
		comm=''
		read -r comm 2>/dev/null <"$d/comm" || comm='?'
		fns=$(patched_functions_on_stack "$name" "$d")
		line="pid ${d##*/} ($comm)"
		[[ -n $fns ]] && line+=" sleeping in $fns"
		echo "$line"
	done < <(blocking_task_dirs "$name")
}

count_blocking_tasks() { blocking_task_dirs "$1" | wc -l; }

# ---- waiting for a transition ---------------------------------------------

# wait_for_transition NAME TIMEOUT: 0 once NAME is out of transition (or
# gone), EXIT_TIMEOUT after TIMEOUT seconds with the blocking tasks named.
# A progress line on a terminal, a line every 10 s otherwise.
wait_for_transition() {
	local name=$1 timeout=$2 start=$SECONDS last=-1 elapsed what
	is_in_transition "$name" || return 0
	if ((timeout == 0)); then
		note "$name: transition in progress, not waiting (--timeout 0); see: kpatch list"
		return 0
	fi
	what=patching
	is_patch_enabled "$name" || what=unpatching
	while is_in_transition "$name"; do
		elapsed=$((SECONDS - start))
		if ((elapsed >= timeout)); then
			report_stuck_transition "$name" "$what" "$elapsed"
			return "$EXIT_TIMEOUT"
		fi
		if ((elapsed != last)); then
			show_progress "$name" "$what" "$elapsed" "$timeout"
			last=$elapsed
		fi
		sleep 0.2
	done
	end_progress
	return 0
}

show_progress() {
	local name=$1 what=$2 elapsed=$3 timeout=$4 line
	line="$name: $what transition, ${elapsed}s of ${timeout}s, $(count_blocking_tasks "$name") task(s) pending"
	if [[ -t 2 ]]; then
		printf '\r%s ' "$line" >&2
		PROGRESS_SHOWN=1
	elif ((elapsed % 10 == 0)); then
		echo "$PROG: $line" >&2
	fi
}

PROGRESS_SHOWN=0
end_progress() {
	((PROGRESS_SHOWN)) && echo >&2
	PROGRESS_SHOWN=0
	return 0
}

report_stuck_transition() {
	local name=$1 what=$2 elapsed=$3 tasks
	end_progress
	tasks=$(describe_blocking_tasks "$name")
	echo "$PROG: error: $name: the $what transition did not complete within ${elapsed}s" >&2
	if [[ -n $tasks ]]; then
		echo "$PROG: tasks that block it (not yet switched to the new patch state):" >&2
		indent "$tasks"
	else
		echo "$PROG: no blocking task found in $PROCFS/*/patch_state" >&2
	fi
	echo "$PROG: the transition goes on in the kernel; to push it along: kpatch signal $name" >&2
	[[ $what == patching ]] &&
		echo "$PROG: or cancel it: kpatch disable $name" >&2
	return 0
}
