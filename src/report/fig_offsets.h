/* fig_offsets.h — the figure of the RRP offsets sweep (Chronos-Bolt, method.md §4.1). */
#ifndef CL_FIG_OFFSETS_H
#define CL_FIG_OFFSETS_H

#include "chronolens_study.h"

/* dir/offsets.png and dir/offsets.svg: one row per model, against the offset of the
 * repeated block (values, 0 = aligned to the patch grid): left, the largest mean score over
 * heads for cross-attention and encoder self-attention, current and to-right patch, with
 * the threshold; right, the heads >= threshold (either criterion) of each stack. A whole
 * set only (s->done NULL): a part's figure would miss units. */
int cl_fig_offsets(const cl_rrp_offsets_set *s, const char *dir, cl_error *err);

#endif
