/* mssweep.h — the numbers of the multisine sweep: over (configuration, head) pairs, how often
 * the detected spacing equals the smallest input gap, the error distribution, and the rank
 * correlation of spectral amplitude with induction score. */
#ifndef CL_MSSWEEP_H
#define CL_MSSWEEP_H

#include "study/multisine/msheads.h"

#include <stdint.h>


extern const double CL_MSSWEEP_QUANTILES[5];

/* h (C, G): per configuration and head; gap, gcd, fund (C): smallest gap, gcd of the gaps and
 * gcd of the frequencies of each configuration (gcd, fund may be NULL); use (C, may be NULL = all): which configurations to include; topk: 0 =
 * every head, else only the topk heads of largest amplitude in each configuration; ind (G);
 * tol: match tolerance in Hz. Returns 0, or -1 if out of memory. */
int cl_mssweep_summarise(const cl_ms_head *h, const double *gap, const double *gcd, const double *fund,
                       const unsigned char *use, int C, int G, int topk, const double *ind, double tol, int perms, uint64_t seed, cl_mssweep_stats *out);

/* The random configurations of o (seed, counts) into r (cfg, gap, gcd, fund, nd; C set);
 * series (C, points) to *series (caller frees) when series != NULL. */
int cl_mssweep_configs(const cl_mssweep_opts *o, cl_mssweep_result *r, float **series, cl_error *err);
/* The summary rows of r (h, ind, configurations and opts set). */
int cl_mssweep_summary(cl_mssweep_result *r, cl_error *err);

/* A multisine-sweep part: dir/mssweep-part.safetensors (its pairs, exactly) and shard.json. */
int cl_mssweep_write_part(const cl_mssweep_result *r, const cl_shard *s, const char *dir, cl_error *err);
/* The parts of one run (--shard K/N, study/common/shard.h), joined (multisine_merge.c);
 * the result is the caller's to free. */
typedef struct cl_shard_part cl_shard_part;
int cl_multisine_merge_parts(const char *const *dirs, const cl_shard_part *p, int n, cl_multisine_result *out, cl_error *err);
int cl_mssweep_merge_parts(const char *const *dirs, const cl_shard_part *p, int n, cl_mssweep_result *out, cl_error *err);

#endif
