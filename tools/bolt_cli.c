/* bolt_cli.c — what `info` prints for a Chronos-Bolt model (forward and embed: the studies
 * cl_forward_run, cl_embed_run). */
#include "bolt_cli.h"
#include "cli.h"
#include "../src/core/core.h"

#include <stdlib.h>
#include <string.h>

void bolt_info(const cl_model *m, const char *dir) {
    const cl_config *c = cl_model_config(m);
    size_t np = cl_model_param_count(m);
    printf("model            %s\n", dir);
    printf("architecture     T5 encoder-decoder on patches (Chronos-Bolt)\n");
    printf("parameters       %zu (%.1f M)\n", np, np / 1e6);
    printf("dtype            %s%s\n", cl_model_dtype(m),
           strcmp(cl_model_dtype(m), "F32") ? " (widened to F32 at load)" : " (used in place, mmapped)");
    printf("d_model          %d\n", c->d_model);
    printf("d_ff             %d\n", c->d_ff);
    printf("heads x d_kv     %d x %d = %d\n", c->num_heads, c->d_kv, c->num_heads * c->d_kv);
    printf("layers           encoder %d, decoder %d\n", c->num_layers, c->num_decoder_layers);
    printf("feed-forward     %s%s\n", c->gated ? "gated-" : "",
           c->act_gelu == 0 ? "relu" : c->act_gelu == 1 ? "gelu_new" : "gelu");
    printf("position buckets %d, max distance %d\n", c->num_buckets, c->max_distance);
    printf("patches          size %d, stride %d, [REG] token %s\n", c->patch_size, c->patch_stride,
           c->use_reg_token ? "yes" : "no");
    printf("context length   %d values (%d patches)\n", c->context_length, cl_bolt_num_patches(c, c->context_length));
    printf("prediction       %d steps x %d quantiles (", c->prediction_length, c->n_quantiles);
    for (int i = 0; i < c->n_quantiles; i++) printf("%s%g", i ? ", " : "", c->quantiles[i]);
    printf(")\n");
}
