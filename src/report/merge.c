/* merge.c — `chronolens merge`: the parts of a study run with --shard K/N, joined into exactly
 * the files of one run — the same numbers for the same seed — and their figures drawn again.
 * Each study module joins its own units (study/<module>/<module>_merge.c); this file only chooses the
 * study from shard.json, writes the joined result and draws. */
#include "study/common/shard.h"
#include "study/induction/induction.h"
#include "study/induction/sweep.h"
#include "study/multisine/mssweep.h"
#include "study/multisine/multisine.h"
#include "study/group_attention/group_attention.h"
#include "report/fig_group_attention.h"
#include "report/fig_induction.h"
#include "report/fig_multisine.h"
#include "report/fig_offsets.h"
#include "core/core.h"

#include <stdlib.h>
#include <string.h>

static int merge_induction(const char *const *dirs, const cl_shard_part *p, int n, const char *out, cl_error *err) {
    int rc = 0;
    /* offsets first, as `induction --offsets` draws them: cairo numbers the SVG surfaces of a
     * process in order, so the same order gives the same bytes */
    if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(p[0].root, "offset_units"))) {
        cl_rrp_offsets_set o;
        memset(&o, 0, sizeof o);
        rc = cl_rrp_offsets_merge_parts(dirs, p, n, &o, err);
        if (!rc) rc = cl_rrp_offsets_write(&o, out, err);
        if (!rc) rc = cl_fig_offsets(&o, out, err);
        cl_rrp_offsets_free(&o);
    }
    cl_induction_set m;
    memset(&m, 0, sizeof m);
    if (!rc) rc = cl_induction_merge_parts(dirs, p, n, &m, err);
    if (!rc) rc = cl_induction_write(&m, out, err);
    if (!rc) rc = cl_fig_induction_set(&m, out, err);
    cl_induction_set_free(&m);
    return rc;
}

static int merge_sweep(const char *const *dirs, const cl_shard_part *p, int n, const char *out, cl_error *err) {
    cl_sweep_set m;
    memset(&m, 0, sizeof m);
    int heads[CL_STUDY_MAX_MODELS];
    int rc = cl_sweep_merge_parts(dirs, p, n, &m, heads, err);
    if (!rc) rc = cl_sweep_write(&m, out, err);
    if (!rc) rc = cl_fig_sweep_set(&m, heads, out, err);
    cl_sweep_set_free(&m);
    return rc;
}

static int merge_multisine(const char *const *dirs, const cl_shard_part *p, int n, const char *out, cl_error *err) {
    cl_multisine_result m;
    memset(&m, 0, sizeof m);
    int rc = cl_multisine_merge_parts(dirs, p, n, &m, err);
    if (!rc) rc = cl_multisine_write(&m, out, err);
    if (!rc) rc = cl_fig_multisine_result(&m, out, err);
    cl_multisine_free(&m);
    return rc;
}

static int merge_mssweep(const char *const *dirs, const cl_shard_part *p, int n, const char *out, cl_error *err) {
    cl_mssweep_result r;
    memset(&r, 0, sizeof r);
    int rc = cl_mssweep_merge_parts(dirs, p, n, &r, err);
    if (!rc) rc = cl_mssweep_write(&r, out, err);
    if (!rc) rc = cl_fig_mssweep_result(&r, out, err);
    cl_mssweep_free(&r);
    return rc;
}

static int merge_group_attention(const char *const *dirs, const cl_shard_part *p, int n, const char *out, cl_error *err) {
    cl_group_attention_result r;
    memset(&r, 0, sizeof r);
    int rc = cl_group_attention_merge_parts(dirs, p, n, &r, err);
    if (!rc) rc = cl_group_attention_write(&r, out, err);
    if (!rc) rc = cl_fig_group_attention(&r, out, err);
    cl_group_attention_free(&r);
    return rc;
}

int cl_merge(const char *const *dirs, int n, const char *out, cl_error *err) {
    if (n < 1) return cl_error_set(err, CL_EINVAL, "merge: no part folders");
    cl_shard_part *p = calloc((size_t)n, sizeof *p);
    if (!p) return cl_error_set(err, CL_ENOMEM, "merge: out of memory");
    int rc = cl_shard_parts_load(dirs, n, p, err);
    if (!rc) rc = cl_mkdirs(out, err);
    if (!rc) {
        const char *s = p[0].study;
        if (!strcmp(s, "induction")) rc = merge_induction(dirs, p, n, out, err);
        else if (!strcmp(s, "sweep")) rc = merge_sweep(dirs, p, n, out, err);
        else if (!strcmp(s, "multisine")) rc = merge_multisine(dirs, p, n, out, err);
        else if (!strcmp(s, "multisine-sweep")) rc = merge_mssweep(dirs, p, n, out, err);
        else if (!strcmp(s, "group-attention")) rc = merge_group_attention(dirs, p, n, out, err);
        else rc = cl_error_set(err, CL_EFORMAT, "%s/" CL_SHARD_FILE ": unknown study '%s'", dirs[0], s);
    }
    cl_shard_parts_free(p, n);
    free(p);
    return rc;
}
