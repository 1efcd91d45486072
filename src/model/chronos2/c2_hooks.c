/* c2_hooks.c — Chronos-2's hook points (docs/python.md, the table): its names of the per-layer
 * kinds (family.h's hook_kinds: the time attention in the self-attention's slots, the group
 * attention in the cross-attention's) and the group attention run with its maps formed whole
 * (token, head, query series, key series) for the points group_attn.hook_attn_scores and
 * hook_pattern. forward.c runs the group attention group by group otherwise, never forming
 * (S, H, B, B); this path is taken only when something is registered at one of those two. */
#include "model/chronos2/chronos2.h"
#include "model/hooks.h"
#include "model/attention.h"
#include "core/core.h"

#include <float.h>
#include <string.h>

const char *const cl_c2_hook_kinds[HK_NKINDS] = {
    [HK_RESID_PRE] = "hook_resid_pre",
    [HK_Q] = "time_attn.hook_q",
    [HK_K] = "time_attn.hook_k",
    [HK_V] = "time_attn.hook_v",
    [HK_SCORES] = "time_attn.hook_attn_scores",
    [HK_PATTERN] = "time_attn.hook_pattern",
    [HK_Z] = "time_attn.hook_z",
    [HK_ATTN_OUT] = "hook_time_attn_out",
    [HK_RESID_MID] = "hook_resid_mid",
    [HK_XQ] = "group_attn.hook_q",
    [HK_XK] = "group_attn.hook_k",
    [HK_XV] = "group_attn.hook_v",
    [HK_XSCORES] = "group_attn.hook_attn_scores",
    [HK_XPATTERN] = "group_attn.hook_pattern",
    [HK_XZ] = "group_attn.hook_z",
    [HK_XATTN_OUT] = "hook_group_attn_out",
    [HK_RESID_MID_CROSS] = "hook_resid_mid_group",
    [HK_MLP_PRE] = "mlp.hook_pre",
    [HK_MLP_PRE_LINEAR] = NULL, /* upstream refuses a gated feed-forward */
    [HK_MLP_POST] = "mlp.hook_post",
    [HK_MLP_OUT] = "hook_mlp_out",
    [HK_RESID_POST] = "hook_resid_post",
};

const char *const cl_c2_hook_names[] = {"input_patch_embedding.hook_out", "output_patch_embedding.hook_out", NULL};

void cl_c2_group_attention_hooked(cl_hooks *hk, int l, const cl_c2_groups *g, int H, int dk, const float *q,
                                  const float *k, const float *v, float *out, float *gbuf, const int *gtok, int nt,
                                  double *flops) {
    const int S = g->S, B = g->B, HD = H * dk;
    const size_t BB = (size_t)B * B;
    float *full = cl_hooks_scratch(hk, (size_t)S * H * BB);
    if (!full) return; /* the set holds the error */
    /* row of series b at token t in the group layout (forward.c's struct c2_scratch) */
#define GROW(b, t) ((size_t)S * g->gstart[g->gof[b]] + (size_t)(t) * (g->gstart[g->gof[b] + 1] - g->gstart[g->gof[b]]) + \
                    g->gpos[b])
    /* scores: q·k (no 1/sqrt(dk)) between series of one group whose key token is real; float32
     * min elsewhere (another group's series, a padded key), as upstream's additive mask — so a
     * query whose group has no real key there is uniform over all B series (method.md pitfall 3) */
    for (int t = 0; t < S; t++)
        for (int bi = 0; bi < B; bi++) {
            const float *qr = q + GROW(bi, t) * HD;
            for (int h = 0; h < H; h++) {
                float *r = full + (((size_t)t * H + h) * B + bi) * B;
                for (int bj = 0; bj < B; bj++) {
                    const size_t kj = GROW(bj, t);
                    if (g->gof[bj] != g->gof[bi] || !g->gmask[kj]) { r[bj] = -FLT_MAX; continue; }
                    const float *kr = k + kj * HD + (size_t)h * dk, *qh = qr + (size_t)h * dk;
                    float sacc = 0;
                    for (int i = 0; i < dk; i++) sacc += qh[i] * kr[i];
                    r[bj] = sacc;
                }
            }
        }
    const int sh[4] = {S, H, B, B};
    cl_hooks_fire(hk, cl_hk_id(hk, HK_ENC, l, HK_XSCORES), full, 4, sh, 0);
    cl_softmax_rows(full, S * H * B, B);
    cl_hooks_fire(hk, cl_hk_id(hk, HK_ENC, l, HK_XPATTERN), full, 4, sh, 0);
    for (int ti = 0; gbuf && ti < nt; ti++) /* the capture of chosen tokens: (nt, H, B, B) */
        memcpy(gbuf + (size_t)ti * H * BB, full + (size_t)gtok[ti] * H * BB, sizeof(float) * H * BB);
    /* out (query series bi, token t, head h) = Σ_bj pattern · v (bj, t, h) */
    for (int t = 0; t < S; t++)
        for (int bi = 0; bi < B; bi++) {
            float *o = out + GROW(bi, t) * HD;
            memset(o, 0, sizeof(float) * HD);
            for (int h = 0; h < H; h++) {
                const float *p = full + (((size_t)t * H + h) * B + bi) * B;
                for (int bj = 0; bj < B; bj++) {
                    if (p[bj] == 0.0f) continue;
                    const float *vr = v + GROW(bj, t) * HD + (size_t)h * dk;
                    for (int i = 0; i < dk; i++) o[h * dk + i] += p[bj] * vr[i];
                }
            }
        }
#undef GROW
    if (flops) *flops += 4.0 * S * H * (double)BB * dk;
}
