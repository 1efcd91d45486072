/* group_attention.h — the group-attention study's inner pieces (the public run, files and
 * types are in chronolens_study.h): the checks of the options against a model and the
 * lead–lag groups. */
#ifndef CL_GROUP_ATTENTION_H
#define CL_GROUP_ATTENTION_H

#include "chronolens_study.h"

/* Checks a Chronos-2 config and the options; *patches = the context's patches (opts.patches,
 * or min(32, context_length / patch_size) when 0). */
int cl_ga_check(const cl_config *c, const cl_group_attention_opts *o, int *patches, cl_error *err);

/* ng groups (global indices g0 .. g0+ng−1) of G series of P patches each into x (ng*G, P*ps):
 * row 0 of a group is B, row 1 A, rows 2.. distractors, B[t] = A[t − lag·ps] + noise·N(0, 1)
 * (the first lag·ps values of B fresh N(0, 1) before it); every value otherwise i.i.d.
 * N(0, 1), one stream per group seeded by seed and g. gid (ng*G): the group ids. */
void cl_ga_make(const cl_config *c, int P, int G, int lag, double noise, uint64_t seed, int g0, int ng, float *x,
                int *gid);

/* The parts of one run (--shard K/N, units: the cells; study/common/shard.h) joined into out
 * (group_attention_merge.c); free with cl_group_attention_free. */
typedef struct cl_shard_part cl_shard_part;
int cl_group_attention_merge_parts(const char *const *dirs, const cl_shard_part *p, int n, cl_group_attention_result *out,
                                   cl_error *err);

#endif
