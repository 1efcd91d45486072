/* state.c — a cl_state's life and settings: creation (with its model's family table),
 * freeing, what to capture, head gates, progress, FLOP counts and the read accessors. The
 * buffers it frees are sized by the passes (stack.c). */
#include "model/state.h"
#include "core/core.h"

#include <stdlib.h>
#include <string.h>

int cl_state_new(const cl_model *m, cl_state **out, cl_error *err) {
    cl_state *s = calloc(1, sizeof *s);
    if (!s) return cl_error_set(err, CL_ENOMEM, "state: out of memory");
    s->m = m;
    s->fam = cl_family_of(m->cfg.family);
    *out = s;
    return 0;
}

static void capture_clear(capture *c) {
    free(c->layers); free(c->heads); free(c->rows);
    free(c->layer_sel); free(c->head_sel); free(c->row_idx);
    cl_free(c->buf);
    memset(c, 0, sizeof *c);
}

void cl_state_free(cl_state *s) {
    if (!s) return;
    cl_free(s->ex);
    free(s->enc_ids);
    free(s->enc_mask);
    cl_free(s->enc_bias);
    cl_free(s->xdir);
    cl_free(s->dx);
    cl_free(s->dec_bias);
    cl_free(s->logits);
    cl_free(s->scores);
    if (s->fam->scratch_free) s->fam->scratch_free(s->family_scratch);
    for (int i = 0; i < CL_NSTACKS; i++) { capture_clear(&s->cap[i]); free(s->gates[i]); }
    free(s);
}

static int stack_layers(const cl_config *c, cl_stack st) {
    return st == CL_ENC_SELF ? c->num_layers : c->num_decoder_layers;
}

static int *dup_ints(const int *a, int n) {
    if (!a || n <= 0) return NULL;
    int *r = malloc(sizeof(int) * (size_t)n);
    if (r) memcpy(r, a, sizeof(int) * (size_t)n);
    return r;
}

int cl_state_set_capture(cl_state *s, cl_stack st, const cl_capture_spec *spec, cl_error *err) {
    if (st < 0 || st >= CL_NSTACKS) return cl_error_set(err, CL_EINVAL, "capture: bad stack %d", (int)st);
    const cl_config *c = &s->m->cfg;
    capture *cp = &s->cap[st];
    capture_clear(cp);
    if (!spec || !spec->enabled) return 0;
    int nl = stack_layers(c, st);
    for (int i = 0; spec->layers && i < spec->n_layers; i++)
        if (cl_layer_check(c, st, spec->layers[i], "capture", err)) return CL_EINVAL;
    for (int i = 0; spec->heads && i < spec->n_heads; i++)
        if (cl_head_check(c, spec->heads[i], "capture", err)) return CL_EINVAL;
    cp->spec = *spec;
    cp->layers = dup_ints(spec->layers, spec->n_layers);
    cp->heads = dup_ints(spec->heads, spec->n_heads);
    cp->rows = dup_ints(spec->rows, spec->n_rows);
    cp->spec.layers = cp->layers;
    cp->spec.heads = cp->heads;
    cp->spec.rows = cp->rows;
    if (!cp->layers) cp->spec.n_layers = nl;
    if (!cp->heads) cp->spec.n_heads = c->num_heads;
    cp->layer_sel = malloc(sizeof(int) * (size_t)nl);
    cp->head_sel = malloc(sizeof(int) * (size_t)c->num_heads);
    if (!cp->layer_sel || !cp->head_sel) return cl_error_set(err, CL_ENOMEM, "capture: out of memory");
    for (int l = 0; l < nl; l++) cp->layer_sel[l] = cp->layers ? -1 : l;
    for (int i = 0; cp->layers && i < spec->n_layers; i++) cp->layer_sel[cp->layers[i]] = i;
    for (int h = 0; h < c->num_heads; h++) cp->head_sel[h] = cp->heads ? -1 : h;
    for (int i = 0; cp->heads && i < spec->n_heads; i++) cp->head_sel[cp->heads[i]] = i;
    return 0;
}

void cl_state_capture_all(cl_state *s) {
    cl_capture_spec all = {.enabled = 1};
    for (int st = 0; st < CL_NSTACKS; st++) cl_state_set_capture(s, (cl_stack)st, &all, NULL);
}

const float *cl_state_attn(const cl_state *s, cl_stack st, int shape[5]) {
    if (st < 0 || st >= CL_NSTACKS || !s->cap[st].valid) return NULL;
    if (shape) memcpy(shape, s->cap[st].shape, sizeof(int) * 5);
    return s->cap[st].buf;
}

int cl_state_set_head_gate(cl_state *s, cl_stack st, int layer, int head, float gate, cl_error *err) {
    const cl_config *c = &s->m->cfg;
    if (st < 0 || st >= CL_NSTACKS) return cl_error_set(err, CL_EINVAL, "gate: bad stack");
    int nl = stack_layers(c, st);
    if (cl_layer_check(c, st, layer, "gate", err) || cl_head_check(c, head, "gate", err)) return CL_EINVAL;
    if (!s->gates[st]) {
        s->gates[st] = malloc(sizeof(float) * (size_t)nl * c->num_heads);
        if (!s->gates[st]) return cl_error_set(err, CL_ENOMEM, "gate: out of memory");
        for (int i = 0; i < nl * c->num_heads; i++) s->gates[st][i] = 1.0f;
    }
    s->gates[st][layer * c->num_heads + head] = gate;
    return 0;
}

void cl_state_reset_gates(cl_state *s) {
    for (int i = 0; i < CL_NSTACKS; i++) { free(s->gates[i]); s->gates[i] = NULL; }
}

void cl_state_set_progress(cl_state *s, const cl_progress *p) {
    s->progress = p ? *p : (cl_progress){0};
}

double cl_state_flops(const cl_state *s) { return s->flops; }
void cl_state_reset_flops(cl_state *s) { s->flops = 0; }

const float *cl_state_encoder_hidden(const cl_state *s, int *B, int *T) {
    if (B) *B = s->B;
    if (T) *T = s->T;
    return s->enc_out;
}

const float *cl_state_logits(const cl_state *s, int *B, int *Td, int *V) {
    if (!s->fam->lm_head) { /* Chronos-Bolt: no logits */
        if (B) *B = 0;
        if (Td) *Td = 0;
        if (V) *V = 0;
        return NULL;
    }
    if (B) *B = s->B;
    if (Td) *Td = s->logits_rows;
    if (V) *V = s->m->cfg.vocab_size;
    return s->logits;
}

const cl_model *cl_state_model(const cl_state *s) { return s->m; }
