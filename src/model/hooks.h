/* hooks.h — the engine's side of the hook layer (hooks.c): hook points by id, what the stacks
 * (stack.c, attention.c, blocks.c, kvcache.c) and the families call where an activation is
 * ready, and the test they make first so that a state with no hooks pays one branch.
 *
 * A point is one of a few global ones (hook_embed, the final norms, a family's own) or a
 * per-layer kind of the encoder (stack 0) or the decoder (stack 1):
 *   id = HK_NGLOBAL + CL_HOOK_FAMILY_MAX + ((stack * max_layers + layer) * HK_NKINDS + kind). */
#ifndef CL_HOOKS_H
#define CL_HOOKS_H

#include "chronolens.h"
#include "core/export.h"

enum { HK_EMBED, HK_ENC_FINAL, HK_DEC_FINAL, HK_NGLOBAL };
#define CL_HOOK_FAMILY_MAX 4 /* a family's own global points (family.h's hook_names) */

/* per-layer kinds; the order is the order of hook_names() within a layer */
enum {
    HK_RESID_PRE, HK_Q, HK_K, HK_V, HK_SCORES, HK_PATTERN, HK_Z, HK_ATTN_OUT, HK_RESID_MID,
    HK_XQ, HK_XK, HK_XV, HK_XSCORES, HK_XPATTERN, HK_XZ, HK_XATTN_OUT, HK_RESID_MID_CROSS,
    HK_MLP_PRE, HK_MLP_PRE_LINEAR, HK_MLP_POST, HK_MLP_OUT, HK_RESID_POST, HK_NKINDS
};
#define HK_ENC 0
#define HK_DEC 1

/* the id of a per-layer point, of a family's i-th point */
static inline int cl_hk_id(const cl_hooks *hk, int stack, int layer, int kind);
#define CL_HK_FAMILY(i) (HK_NGLOBAL + (i))

/* a per-layer kind: its name after "encoder.{l}." / "decoder.{l}.", its layout, decoder only */
enum { L_RESID, L_HEADS, L_MAP, L_FF, L_QUANT, L_GMAP }; /* (B,T,d) (B,T,H,dk) (B,H,q,k) (B,T,d_ff) a head's own;
                                                          * L_GMAP: Chronos-2's group maps (T,H,B,B) */
typedef struct cl_hk_kind { const char *suffix; int layout, dec_only; } cl_hk_kind;
extern const cl_hk_kind cl_hk_kinds[HK_NKINDS];
/* the kind of point id (-1: a global or a family's), its layout */
int cl_hk_kind_of(const cl_hooks *hk, int id);
int cl_hk_layout(const cl_hooks *hk, int id);

/* one registration (hooks.c fills it, hook_fire.c runs it) */
typedef struct hk_entry {
    int id, kind, head;         /* kind: a cl_iv_kind, or -1 for a callback */
    char name[96];
    cl_hook_fn fn;
    void *user;
    int *pos, n_pos;
    float *value;
    int n_value;
    float *src;
    size_t n_src;
    int src_batch, src_pos;
    int *rows, n_rows;
    float *cache;               /* CACHE: the last activation seen */
    size_t cache_cap;
    cl_hook_info cinfo;
    int cvalid;
} hk_entry;

struct cl_hooks {
    const cl_model *m;
    int max_layers, npoints;
    unsigned char *on;          /* (npoints): something registered there */
    struct hk_entry *e;         /* what is registered, in order */
    int n, cap;
    int series0, rep;           /* batch row r is series series0 + r / rep */
    int rc;                     /* the first error of a pass (a callback's or a source's shape) */
    char msg[512];
    float *scratch;             /* full score maps when scores/pattern are hooked */
    size_t scratch_cap;
    /* CACHE buffers of cleared entries, reused by later ones (a set cleared and refilled for
     * each pass does not fault in fresh pages for every activation it keeps) */
    float **pool;
    size_t *pool_cap;
    int npool, pool_max;
    int gmap;                   /* the cross kinds are a family's group attention (family.h's
                                 * hook_kinds): their maps are L_GMAP */
};

/* a buffer of at least n floats from hk's pool (removed from it), or NULL */
float *cl_hk_pool_take(cl_hooks *hk, size_t n, size_t *cap);

static inline int cl_hk_id(const cl_hooks *hk, int stack, int layer, int kind) {
    /* no set: any id (every cl_hk_* call is a no-op on a NULL set), so callers need no branch */
    return hk ? HK_NGLOBAL + CL_HOOK_FAMILY_MAX + (stack * hk->max_layers + layer) * HK_NKINDS + kind : 0;
}
/* 1 when something is registered at point id (hk may be NULL) */
static inline int cl_hk_on(const cl_hooks *hk, int id) { return hk && hk->on[id]; }
static inline int cl_hk_layer_on(const cl_hooks *hk, int stack, int layer, int kind) {
    return hk && hk->on[cl_hk_id(hk, stack, layer, kind)];
}

/* Runs what is registered at point id on act, in the TransformerLens layout of ndim (3 or 4)
 * extents shape; pos0: the absolute position of index 0 on the position axis (the query axis
 * of scores/pattern). Errors are kept in hk->rc (the pass checks cl_hooks_status). */
CL_INTERNAL void cl_hooks_fire(cl_hooks *hk, int id, float *act, int ndim, const int *shape, int pos0);
/* The residual-stream and per-head shorthands of cl_hooks_fire (no-op when nothing is on). */
CL_INTERNAL void cl_hk_resid(cl_hooks *hk, int id, float *x, int B, int T, int d, int pos0);
CL_INTERNAL void cl_hk_heads(cl_hooks *hk, int id, float *x, int B, int T, int H, int dk, int pos0);
/* 1 when hk holds a PATCH or RESAMPLE (indexed by series: an entry point whose passes reorder
 * the series refuses them), else 0 (hk may be NULL). */
CL_INTERNAL int cl_hooks_has_source(const cl_hooks *hk);
/* 1 when what is registered at point id only zeroes or scales rows (ZERO, SCALE: no cache,
 * callback or value), so that the point may fire piece by piece (Chronos-2's group maps, a
 * group at a time), else 0. */
CL_INTERNAL int cl_hooks_rowwise(const cl_hooks *hk, int id);
/* hk->rc with its message into err, and clears it: 0 when the pass's hooks all ran */
CL_INTERNAL int cl_hooks_status(cl_hooks *hk, cl_error *err);
/* A buffer of n floats owned by hk (full score maps), NULL without memory (hk->rc set). */
CL_INTERNAL float *cl_hooks_scratch(cl_hooks *hk, size_t n);

#endif
