/* abi.c — cl_abi_sizeof: the sizes of the public structs, for bindings that mirror them
 * (python/chronolens checks each of its ctypes mirrors against these when it loads). */
#include "chronolens_study.h"

#include <string.h>

#define T(type) {#type, sizeof(type)}

/* every struct of include/chronolens.h and include/chronolens_study.h (opaque ones aside);
 * python/tests/test_abi.py checks that none is missing */
static const struct { const char *name; size_t size; } TYPES[] = {
    /* chronolens.h */
    T(cl_error), T(cl_progress), T(cl_config), T(cl_load_opts), T(cl_capture_spec), T(cl_hook_info), T(cl_intervention), T(cl_iv_kind), T(cl_outdir), T(cl_outdir_mode),
    T(cl_model_init_opts), T(cl_chronos2_input), T(cl_chronos2_result),
    /* chronolens_study.h */
    T(cl_shard), T(cl_save_part), T(cl_study_model),
    T(cl_rrt_opts), T(cl_induction_opts), T(cl_stat), T(cl_count), T(cl_induction_result), T(cl_induction_set),
    T(cl_induction_study_opts),
    T(cl_sweep_opts), T(cl_sweep_cell), T(cl_sweep_extra), T(cl_sweep_result), T(cl_sweep_set), T(cl_sweep_study_opts),
    T(cl_rrp_offsets_set),
    T(cl_multisine), T(cl_spacing_opts), T(cl_spacing), T(cl_ms_head), T(cl_ms_arrays), T(cl_multisine_opts),
    T(cl_multisine_model), T(cl_multisine_result),
    T(cl_mssweep_stats), T(cl_mssweep_opts), T(cl_mssweep_result),
    T(cl_formation_point), T(cl_formation_opts), T(cl_formation_result),
    T(cl_eval_opts), T(cl_eval_group), T(cl_eval_series), T(cl_eval_result),
    T(cl_context),
    T(cl_forecast_study_opts), T(cl_parrot_info), T(cl_forecast_result), T(cl_forecast_files),
    T(cl_forecast_df_opts), T(cl_forecast_df),
    T(cl_patch_metric), T(cl_patch_mode), T(cl_patching_input), T(cl_patching_opts), T(cl_patching_result),
    T(cl_embed_opts), T(cl_embed_result),
    T(cl_forward_opts), T(cl_forward_tensor), T(cl_forward_result),
    T(cl_claims_opts), T(cl_train_opts), T(cl_train_row), T(cl_eval_row),
    T(cl_report_opts),
    T(cl_group_attention_opts), T(cl_ga_head), T(cl_group_attention_model), T(cl_group_attention_result),
};

size_t cl_abi_sizeof(const char *type_name) {
    if (!type_name) return 0;
    for (size_t i = 0; i < sizeof TYPES / sizeof TYPES[0]; i++)
        if (!strcmp(TYPES[i].name, type_name)) return TYPES[i].size;
    return 0;
}
