/* fig_group_attention.h — the figures of the group-attention study (Chronos-2). */
#ifndef CL_FIG_GROUP_ATTENTION_H
#define CL_FIG_GROUP_ATTENTION_H

#include "chronolens_study.h"

/* Per model, in dir: <name>_heads (partner share per layer and head at the first cell, the
 * significant heads framed), <name>_lag and <name>_noise (the partner share of the five
 * strongest heads over the lags at the first noise level, over the noise levels at the first
 * lag, against 1/group_size); PNG and SVG each. */
int cl_fig_group_attention(const cl_group_attention_result *r, const char *dir, cl_error *err);

#endif
