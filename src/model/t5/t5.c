/* t5.c — the Chronos-T5 family's table (family.h) and its encoder entry on token ids
 * (cl_encode): the shared stacks (stack.c) with an LM head, cross-attention through the
 * cached keys/values of every encoder row, no scratch of its own. */
#include "model/t5/t5.h"
#include "model/blocks.h"
#include "model/state.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int cl_encode(cl_state *s, const int32_t *ids, const uint8_t *mask, int B, int T, cl_error *err) {
    const cl_model *m = s->m;
    const cl_config *c = &m->cfg;
    if (s->fam->reads) /* a family built on these stacks that reads something else */
        return cl_error_set(err, CL_EINVAL, "encode: a %s model reads %s, not token ids", s->fam->name, s->fam->reads);
    if (B <= 0 || T <= 0) return cl_error_set(err, CL_EINVAL, "encode: bad shape (%d, %d)", B, T);
    int rc = cl_check_ids(c, ids, (size_t)B * T, "encoder input", err);
    if (!rc) rc = cl_encoder_prepare(s, B, T, err);
    if (rc) return rc;
    const size_t rows = (size_t)B * T;
    memcpy(s->enc_ids, ids, sizeof(int32_t) * rows);
    memcpy(s->enc_mask, mask, rows);
    cl_embed(m, ids, rows, s->ex);
    rc = cl_encoder_run(s, err);
    return rc ? rc : cl_model_check_files(m, err); /* a weight file truncated meanwhile: an error */
}

/* The tokenizer's scale, NaN where a forecast (a center times the scale: at most the
 * outermost center) would leave float32. */
static float context_scale(const cl_config *c, const float *x, int n, float *scratch) {
    const float s = cl_tokenizer_scale(x, n, scratch);
    const float lim = fmaxf(fabsf(c->low_limit), fabsf(c->high_limit));
    return isfinite(s) && isfinite(s * lim) ? s : NAN;
}

static void scale_rule(const cl_config *c, int n, char *buf, size_t len) {
    snprintf(buf, len, "mean |x| of the last %d values times the tokenizer's limit %g", n,
             (double)fmaxf(fabsf(c->low_limit), fabsf(c->high_limit)));
}

const cl_family cl_family_t5 = {
    .id = CL_FAMILY_T5,
    .name = "Chronos-T5",
    .reads = NULL,
    .lm_head = 1,
    .cross_direct = 0,
    .min_vocab = 2,
    .detect = NULL, /* a config no other family claims */
    .parse = cl_t5_config_parse,
    .config_save = cl_t5_config_save,
    .sizes = "tiny, mini, small, base, large",
    .preset = cl_t5_preset,
    .init_tensors = cl_t5_init_tensors,
    .init_values = NULL, /* lm_head.weight is in init.c's count of the embedding (tied ? 1 : 2) */
    .bind = cl_t5_bind,
    .footprint = NULL,
    .scratch_free = NULL,
    .context_scale = context_scale,
    .scale_rule = scale_rule,
};
