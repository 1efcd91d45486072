/* bolt_cli.c — what info, forward, embed print and write for a Chronos-Bolt model. */
#include "bolt_cli.h"
#include "cli.h"
#include "../src/core/core.h"
#include "../src/io/safetensors.h"

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

int bolt_forward(const cl_model *m, const float *ctx, int B, int L, const char *out_path, cl_error *err) {
    const cl_config *c = cl_model_config(m);
    cl_state *s = NULL;
    st_writer *w = NULL;
    int64_t *mask64 = NULL;
    int rc = cl_state_new(m, &s, err);
    if (rc) return rc;
    cl_state_capture_all(s);
    if ((rc = cl_bolt_forward(s, ctx, B, L, err))) goto done;
    const int T = cl_bolt_num_tokens(c, L), d = c->d_model;
    if (!(mask64 = malloc(sizeof *mask64 * (size_t)B * T))) { rc = cl_error_set(err, CL_ENOMEM, "%s: out of memory", out_path); goto done; }
    const uint8_t *mk = cl_bolt_mask(s);
    for (size_t i = 0; i < (size_t)B * T; i++) mask64[i] = mk[i];
    w = st_writer_new();
    int64_t sb[1] = {B}, sm[2] = {B, T}, se[3] = {B, T, d}, sd[3] = {B, 1, d},
            sq[3] = {B, c->n_quantiles, c->prediction_length};
    st_writer_add(w, "loc", ST_F32, 1, sb, cl_bolt_loc(s));
    st_writer_add(w, "scale", ST_F32, 1, sb, cl_bolt_scale(s));
    st_writer_add(w, "attention_mask", ST_I64, 2, sm, mask64);
    st_writer_add(w, "input_embeds", ST_F32, 3, se, cl_bolt_input_embeds(s));
    st_writer_add(w, "encoder_hidden", ST_F32, 3, se, cl_state_encoder_hidden(s, NULL, NULL));
    static const char *names[CL_NSTACKS] = {"enc_attn", "dec_attn", "cross_attn"};
    char name[64];
    for (int st = 0; st < CL_NSTACKS; st++) {
        int shape[5];
        const float *a = cl_state_attn(s, (cl_stack)st, shape);
        size_t per = (size_t)shape[1] * shape[2] * shape[3] * shape[4];
        int64_t s4[4] = {shape[1], shape[2], shape[3], shape[4]};
        for (int l = 0; l < shape[0]; l++) {
            snprintf(name, sizeof name, "%s.%d", names[st], l);
            st_writer_add(w, name, ST_F32, 4, s4, a + l * per);
        }
    }
    st_writer_add(w, "decoder_hidden", ST_F32, 3, sd, cl_bolt_decoder_hidden(s));
    st_writer_add(w, "quantile_preds", ST_F32, 3, sq, cl_bolt_quantiles(s));
    rc = st_writer_save(w, out_path, NULL, err);
done:
    st_writer_free(w);
    free(mask64);
    cl_state_free(s);
    return rc;
}

int bolt_embed(const cl_model *m, const float *ctx, int B, int L, int batch, float *emb, float *ls,
               const cl_progress *pr, cl_error *err) {
    const cl_config *c = cl_model_config(m);
    const size_t T = (size_t)cl_bolt_num_tokens(c, L), d = (size_t)c->d_model;
    cl_state *s = NULL;
    int rc = cl_state_new(m, &s, err);
    for (int b0 = 0; b0 < B && !rc; b0 += batch) {
        int nb = B - b0 < batch ? B - b0 : batch;
        cl_progress_report(pr, "embed", b0, B);
        if ((rc = cl_bolt_encode(s, ctx + (size_t)b0 * L, nb, L, err))) break;
        memcpy(emb + (size_t)b0 * T * d, cl_state_encoder_hidden(s, NULL, NULL), sizeof(float) * nb * T * d);
        for (int b = 0; b < nb; b++) {
            ls[2 * (size_t)(b0 + b)] = cl_bolt_loc(s)[b];
            ls[2 * (size_t)(b0 + b) + 1] = cl_bolt_scale(s)[b];
        }
    }
    cl_state_free(s);
    return rc;
}
