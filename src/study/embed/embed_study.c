/* embed_study.c — ChronosPipeline.embed / ChronosBoltPipeline.embed / Chronos2Pipeline.embed (cl_embed_run): the
 * encoder's last hidden state of each series, (B, tokens, d_model), and the scales the
 * inputs were divided by; its two .npy files. */
#include "chronolens_study.h"
#include "study/common/family_check.h"
#include "core/core.h"
#include "io/npy.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void cl_embed_default(cl_embed_opts *o) {
    memset(o, 0, sizeof *o);
    o->batch = 16;
}

void cl_embed_free(cl_embed_result *r) {
    if (!r) return;
    free(r->emb);
    free(r->scale);
    memset(r, 0, sizeof *r);
}

/* Bolt: patches [+ REG] per series, and (loc, scale) (B, 2) */
static int run_bolt(const cl_model *m, const cl_context *x, int batch, const cl_progress *pr, cl_embed_result *r,
                    cl_error *err) {
    const int B = x->B, L = x->L;
    const size_t T = (size_t)r->T, d = (size_t)r->d;
    cl_state *s = NULL;
    int rc = cl_state_new(m, &s, err);
    for (int b0 = 0; b0 < B && !rc; b0 += batch) {
        int nb = B - b0 < batch ? B - b0 : batch;
        if ((rc = cl_progress_point(pr, "embed", b0, B, err))) break;
        if ((rc = cl_bolt_encode(s, x->values + (size_t)b0 * L, nb, L, err))) break;
        memcpy(r->emb + (size_t)b0 * T * d, cl_state_encoder_hidden(s, NULL, NULL), sizeof(float) * nb * T * d);
        for (int b = 0; b < nb; b++) {
            r->scale[2 * (size_t)(b0 + b)] = cl_bolt_loc(s)[b];
            r->scale[2 * (size_t)(b0 + b) + 1] = cl_bolt_scale(s)[b];
        }
    }
    cl_state_free(s);
    return rc;
}

/* Chronos-2 (Chronos2Pipeline.embed: the model's encode, one output patch): context patches,
 * [REG] and the masked output token per series; (loc, scale). The rows sharing a group id are
 * one task (NULL: each row its own); tasks, in the order their ids first appear, join a pass
 * while it has fewer than `batch` rows (upstream's Chronos2Dataset), group id = the task's
 * index in its pass, or 0 for every row with cross_learning. Tasks never see each other
 * (without cross_learning), so the passes change nothing but the tokens padded in every row. */
static int run_c2(const cl_model *m, const cl_context *x, const cl_embed_opts *o, cl_embed_result *r, cl_error *err) {
    const int B = x->B, L = x->L, batch = o->batch;
    const size_t T = (size_t)r->T, d = (size_t)r->d;
    int *task = malloc(sizeof(int) * B), *order = malloc(sizeof(int) * B), *gid = malloc(sizeof(int) * B);
    float *bx = malloc(sizeof(float) * (size_t)B * L);
    cl_state *s = NULL;
    int rc = !task || !order || !gid || !bx ? cl_error_set(err, CL_ENOMEM, "embed: out of memory") : 0;
    int NT = 0;
    for (int b = 0; b < B && !rc; b++) { /* task[b]: its task's index (ids of a CSV's columns: quadratic is fine) */
        int t = -1;
        for (int j = 0; j < b && t < 0 && o->group_ids; j++)
            if (o->group_ids[j] == o->group_ids[b]) t = task[j];
        task[b] = t >= 0 ? t : NT++;
    }
    for (int t = 0, i = 0; t < NT && !rc; t++) /* rows by task, each task's in column order */
        for (int b = 0; b < B; b++) if (task[b] == t) order[i++] = b;
    if (!rc) rc = cl_state_new(m, &s, err);
    for (int i0 = 0; i0 < B && !rc;) {
        if ((rc = cl_progress_point(&o->progress, "embed", i0, B, err))) break;
        int nb = 0; /* whole tasks while the pass has fewer than batch rows */
        while (i0 + nb < B && (nb < batch || task[order[i0 + nb]] == task[order[i0 + nb - 1]])) nb++;
        for (int i = 0; i < nb; i++) {
            memcpy(bx + (size_t)i * L, x->values + (size_t)order[i0 + i] * L, sizeof(float) * L);
            gid[i] = o->cross_learning ? 0 : task[order[i0 + i]] - task[order[i0]];
        }
        cl_chronos2_input in = {.context = bx, .B = nb, .L = L, .group_ids = gid, .num_output_patches = 1};
        cl_chronos2_result res;
        if ((rc = cl_chronos2_forward(s, &in, &res, err))) break;
        for (int i = 0; i < nb; i++) {
            const int b = order[i0 + i];
            memcpy(r->emb + (size_t)b * T * d, res.encoder_hidden + (size_t)i * T * d, sizeof(float) * T * d);
            r->scale[2 * (size_t)b] = res.loc[i];
            r->scale[2 * (size_t)b + 1] = res.scale[i];
        }
        i0 += nb;
    }
    cl_state_free(s);
    free(task); free(order); free(gid); free(bx);
    return rc;
}

/* T5: the mean-scaled, quantized tokens + EOS through the encoder */
static int run_t5(const cl_model *m, const cl_context *x, int batch, const cl_progress *pr, cl_embed_result *r,
                  cl_error *err) {
    const cl_config *c = cl_model_config(m);
    const int B = x->B, T = r->T, d = r->d;
    int32_t *ids = malloc(sizeof(int32_t) * (size_t)B * T);
    uint8_t *mask = malloc((size_t)B * T);
    cl_state *s = NULL;
    int rc = 0;
    if (!ids || !mask) rc = cl_error_set(err, CL_ENOMEM, "embed: out of memory");
    if (!rc) rc = cl_tokenizer_encode(c, x->values, B, x->L, ids, mask, r->scale, err);
    if (!rc) rc = cl_state_new(m, &s, err);
    for (int b0 = 0; b0 < B && !rc; b0 += batch) {
        int nb = B - b0 < batch ? B - b0 : batch;
        if ((rc = cl_progress_point(pr, "embed", b0, B, err))) break;
        if ((rc = cl_encode(s, ids + (size_t)b0 * T, mask + (size_t)b0 * T, nb, T, err))) break;
        memcpy(r->emb + (size_t)b0 * T * d, cl_state_encoder_hidden(s, NULL, NULL), sizeof(float) * (size_t)nb * T * d);
    }
    cl_state_free(s);
    free(ids);
    free(mask);
    return rc;
}

int cl_embed_run(const cl_model *m, const cl_context *x, const cl_embed_opts *o, cl_embed_result *r, cl_error *err) {
    memset(r, 0, sizeof *r);
    if (o->batch < 1) return cl_error_set(err, CL_EINVAL, "embed: batch %d is not >= 1", o->batch);
    int rc = cl_context_check_model(x, m, err);
    if (rc) return rc;
    const cl_config *c = cl_model_config(m);
    r->B = x->B;
    const int c2 = cl_model_is_chronos2(m);
    if (!c2 && (o->group_ids || o->cross_learning))
        return cl_error_set(err, CL_EINVAL, "embed: group ids and cross-learning are Chronos-2's (this model is not one)");
    r->bolt = cl_model_is_bolt(m) || c2; /* (loc, scale) per series */
    r->T = c2 ? cl_chronos2_num_tokens(c, x->L, 1) : r->bolt ? cl_bolt_num_tokens(c, x->L) : cl_tokenizer_length(c, x->L);
    r->d = c->d_model;
    size_t n;
    if (cl_mul_size((size_t)r->B * r->T, (size_t)r->d, &n) || !(r->emb = malloc(sizeof(float) * n))) {
        rc = cl_error_set(err, CL_ENOMEM, "embed: %d series x %d tokens x %d is too large", r->B, r->T, r->d);
        cl_embed_free(r);
        return rc;
    }
    if (!(r->scale = malloc(sizeof(float) * (r->bolt ? 2 : 1) * (size_t)r->B)))
        rc = cl_error_set(err, CL_ENOMEM, "embed: out of memory");
    if (!rc) rc = c2 ? run_c2(m, x, o, r, err)
                     : r->bolt ? run_bolt(m, x, o->batch, &o->progress, r, err) : run_t5(m, x, o->batch, &o->progress, r, err);
    if (rc) cl_embed_free(r);
    return rc;
}

int cl_embed_write(const cl_embed_result *r, const char *out, const char *scales, cl_error *err) {
    int64_t sh[3] = {r->B, r->T, r->d}, sb[2] = {r->B, 2};
    int rc = 0;
    if (scales && (rc = npy_write_f32(scales, r->scale, r->bolt ? 2 : 1, sb, err))) return rc;
    rc = npy_write_f32(out, r->emb, 3, sh, err);
    if (rc && scales) unlink(scales);
    return rc;
}
