// SPDX-License-Identifier: GPL-2.0
/*
 * The phases in order (layer 2, then emission, layer 3), for main() and
 * for the in-process callers (test/unit/test_phases.c, the fuzzer): each
 * returns a status, and the run stops at the first that is not KPB_OK,
 * its message printed already (report.c).  Changes that cannot be
 * livepatched are all reported before the run stops at the next
 * stop_if_unsupported().
 */
#include "cdo.h"

typedef enum kpb_status phase_fn(struct cdo *c);

static phase_fn no_change;

static phase_fn *const phases[] = {
	read_line_map,
	read_untraced_list,
	read_objects,
	read_parent,
	correlate_objects,
	read_markers,
	compare_objects,
	patch_untraced_through_callers,
	check_unsupported_changes,
	stop_if_unsupported,
	no_change,
	include_changed_functions,
	stop_if_unsupported,
	create_output,
	rebuild_special_sections,
	stop_if_unsupported,
	write_func_table,
	write_untraced_list,
	write_output,
};

/* Nothing changed: the run ends here with KPB_NO_CHANGE, which is not an error. */
static enum kpb_status no_change(struct cdo *c)
{
	if (c->cmp.nr_changed || c->cmp.nr_new)
		return KPB_OK;
	INFO("%s: no changed functions", c->args.path[PATCHED]);
	return KPB_NO_CHANGE;
}

enum kpb_status run_phases(struct cdo *c)
{
	for (size_t i = 0; i < sizeof(phases) / sizeof(phases[0]); i++) {
		enum kpb_status st = phases[i](c);

		if (st != KPB_OK)
			return st;
	}
	return KPB_OK;
}
