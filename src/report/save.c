/* save.c — a study run's files as its command leaves them, one call per study: the result's
 * files, then its figures — or, for a part of a sharded run, shard.json, since the merge
 * (merge.c) draws the figures of the joined run. Shared by the command line and any binding. */
#include "study/common/shard.h"
#include "study/formation/formation.h"
#include "study/multisine/mssweep.h"
#include "report/fig_induction.h"
#include "report/fig_multisine.h"
#include "report/fig_offsets.h"
#include "report/fig_group_attention.h"
#include "core/core.h"

static int is_part(const cl_save_part *p) { return p && p->shard.n; }

int cl_induction_save(const cl_induction_set *s, const char *dir, const cl_save_part *part, int offset_units,
                      cl_error *err) {
    int rc = cl_mkdirs(dir, err);
    if (!rc) rc = cl_induction_write(s, dir, err);
    if (rc) return rc;
    if (!is_part(part)) return cl_fig_induction_set(s, dir, err);
    cJSON *x = cJSON_CreateObject(); /* --offsets: the merge joins offsets.json too */
    if (offset_units) cJSON_AddNumberToObject(x, "offset_units", offset_units);
    return cl_shard_write(dir, "induction", &part->shard, part->units, x, err);
}

int cl_rrp_offsets_save(const cl_rrp_offsets_set *s, const char *dir, const cl_save_part *part, cl_error *err) {
    int rc = cl_mkdirs(dir, err);
    if (!rc) rc = cl_rrp_offsets_write(s, dir, err);
    if (!rc && !is_part(part)) rc = cl_fig_offsets(s, dir, err);
    return rc;
}

int cl_sweep_save(const cl_sweep_set *s, const int *heads, const char *dir, const cl_save_part *part, cl_error *err) {
    int rc = cl_mkdirs(dir, err);
    if (!rc) rc = cl_sweep_write(s, dir, err);
    if (rc) return rc;
    if (!is_part(part)) return cl_fig_sweep_set(s, heads, dir, err);
    /* the merge draws the figures, with each model's heads (a part's set names every model) */
    cJSON *x = cJSON_CreateObject();
    cJSON_AddItemToObject(x, "heads", cJSON_CreateIntArray(heads, s->n));
    return cl_shard_write(dir, "sweep", &part->shard, part->units, x, err);
}

int cl_multisine_save(const cl_multisine_result *r, const char *dir, const cl_save_part *part, cl_error *err) {
    int rc = cl_mkdirs(dir, err);
    if (!rc) rc = cl_multisine_write(r, dir, err);
    if (rc) return rc;
    if (is_part(part)) return cl_shard_write(dir, "multisine", &part->shard, part->units, NULL, err);
    return cl_fig_multisine_result(r, dir, err);
}

int cl_mssweep_save(const cl_mssweep_result *r, const char *dir, const cl_save_part *part, cl_error *err) {
    int rc = cl_mkdirs(dir, err);
    if (rc) return rc;
    if (is_part(part)) return cl_mssweep_write_part(r, &part->shard, dir, err); /* the merge summarises */
    rc = cl_mssweep_write(r, dir, err);
    if (!rc) rc = cl_fig_mssweep_result(r, dir, err);
    return rc;
}

int cl_formation_save(const cl_formation_result *r, const char *dir, cl_error *err) {
    char base[4096];
    int rc = cl_formation_write(r, dir, err);
    if (!rc)
        rc = cl_formation_plot(r->pts, r->n, r->train_step, r->train_loss, r->ntrain,
                               cl_path_join(base, sizeof base, dir, "formation"), err);
    return rc;
}

int cl_group_attention_save(const cl_group_attention_result *r, const char *dir, const cl_save_part *part,
                            cl_error *err) {
    int rc = cl_mkdirs(dir, err);
    if (!rc) rc = cl_group_attention_write(r, dir, err);
    if (rc) return rc;
    if (is_part(part)) return cl_shard_write(dir, "group-attention", &part->shard, part->units, NULL, err);
    return cl_fig_group_attention(r, dir, err);
}
