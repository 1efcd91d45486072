/* init.c — `chronolens init`: the published configurations (each family's presets), their
 * config.json (the family's config_save) and random checkpoints with the exact tensor names
 * and shapes of the published models, loadable by chronolens and by Hugging Face
 * transformers: the T5 stacks drawn here, a family's own tensors by its table. */
#include "model/init.h"
#include "model/family.h"
#include "model/maker.h"
#include "core/core.h"
#include "io/safetensors.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int cl_config_preset(const char *size, cl_config *c, cl_error *err) {
    char names[512] = "";
    size_t k = 0;
    for (int i = 0; cl_family_at(i); i++) {
        const cl_family *f = cl_family_at(i);
        int rc = f->preset(size, c, err);
        if (rc != CL_FAMILY_NOT_MINE) return rc;
        if (f->sizes[0]) /* a family without published sizes names none */
            k += (size_t)snprintf(names + k, k < sizeof names ? sizeof names - k : 0, "%s%s", k ? ", " : "", f->sizes);
    }
    return cl_error_set(err, CL_EINVAL, "unknown size '%s' (%s)", size, names);
}

int cl_config_save(const char *path, const cl_config *c, cl_error *err) {
    return cl_family_of(c->family)->config_save(path, c, err);
}

int cl_checkpoint_init_random(const char *dir, const cl_config *c, uint64_t seed, int bf16,
                              const cl_progress *progress, cl_error *err) {
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return cl_error_set(err, CL_EIO, "%s: cannot create directory: %s", dir, strerror(errno));
    const int d = c->d_model, HD = c->num_heads * c->d_kv, F = c->d_ff, V = c->vocab_size;
    int nl = c->num_layers, nd = c->num_decoder_layers;
    const cl_family *fam = cl_family_of(c->family);
    cl_maker mk = {.w = st_writer_new(), .bf16 = bf16, .progress = progress};
    cl_rng_seed(&mk.rng, seed);
    if (fam->own_stacks) nl = nd = 0; /* its init_tensors draws its layers */
    mk.total = (size_t)V * d * (c->tied || fam->own_stacks ? 1 : 2) +
               (size_t)(nl + 2 * nd) * (4 * (size_t)HD * d) + (size_t)(nl + nd) * (c->gated ? 3 : 2) * F * d +
               (fam->init_values ? fam->init_values(c) : 0);
    /* standard deviations of HF T5PreTrainedModel._init_weights with factor 1 */
    const double s_d = 1.0 / sqrt(d), s_q = 1.0 / sqrt((double)d * c->d_kv), s_o = 1.0 / sqrt(HD), s_f = 1.0 / sqrt(F);
    char n[256];
    cl_maker_add(&mk, "shared.weight", V, d, 1.0);
    if (fam->init_tensors) fam->init_tensors(&mk, c); /* its own, between the embedding and the stacks */
    for (int s = 0; s < 2 && !fam->own_stacks; s++) {
        const char *stk = s ? "decoder" : "encoder";
        int layers = s ? nd : nl;
        for (int i = 0; i < layers; i++) {
            for (int a = 0; a < (s ? 2 : 1); a++) {
                const char *an = a ? "1.EncDecAttention" : "0.SelfAttention";
                snprintf(n, sizeof n, "%s.block.%d.layer.%s.q.weight", stk, i, an); cl_maker_add(&mk, n, HD, d, s_q);
                snprintf(n, sizeof n, "%s.block.%d.layer.%s.k.weight", stk, i, an); cl_maker_add(&mk, n, HD, d, s_d);
                snprintf(n, sizeof n, "%s.block.%d.layer.%s.v.weight", stk, i, an); cl_maker_add(&mk, n, HD, d, s_d);
                snprintf(n, sizeof n, "%s.block.%d.layer.%s.o.weight", stk, i, an); cl_maker_add(&mk, n, d, HD, s_o);
                snprintf(n, sizeof n, "%s.block.%d.layer.%d.layer_norm.weight", stk, i, a); cl_maker_add(&mk, n, d, 0, 0);
            }
            if (i == 0) {
                snprintf(n, sizeof n, "%s.block.0.layer.0.SelfAttention.relative_attention_bias.weight", stk);
                cl_maker_add(&mk, n, c->num_buckets, c->num_heads, s_d);
            }
            int fl = s ? 2 : 1;
            if (c->gated) {
                snprintf(n, sizeof n, "%s.block.%d.layer.%d.DenseReluDense.wi_0.weight", stk, i, fl); cl_maker_add(&mk, n, F, d, s_d);
                snprintf(n, sizeof n, "%s.block.%d.layer.%d.DenseReluDense.wi_1.weight", stk, i, fl); cl_maker_add(&mk, n, F, d, s_d);
            } else {
                snprintf(n, sizeof n, "%s.block.%d.layer.%d.DenseReluDense.wi.weight", stk, i, fl); cl_maker_add(&mk, n, F, d, s_d);
            }
            snprintf(n, sizeof n, "%s.block.%d.layer.%d.DenseReluDense.wo.weight", stk, i, fl); cl_maker_add(&mk, n, d, F, s_f);
            snprintf(n, sizeof n, "%s.block.%d.layer.%d.layer_norm.weight", stk, i, fl); cl_maker_add(&mk, n, d, 0, 0);
        }
        snprintf(n, sizeof n, "%s.final_layer_norm.weight", stk); cl_maker_add(&mk, n, d, 0, 0);
    }
    int rc = mk.rc ? cl_error_set(err, CL_ENOMEM, "%s: out of memory drawing weights", dir) : 0;
    char path[4096];
    if (!rc) rc = st_writer_save(mk.w, cl_path_join(path, sizeof path, dir, "model.safetensors"), "pt", err);
    if (!rc) rc = cl_config_save(cl_path_join(path, sizeof path, dir, "config.json"), c, err);
    for (int i = 0; i < mk.n; i++) cl_free(mk.bufs[i]);
    free(mk.bufs);
    st_writer_free(mk.w);
    return rc;
}
