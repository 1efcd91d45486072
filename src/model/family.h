/* family.h — what a model family fills for the generic model code: one table of data and
 * functions per family (Chronos-T5 in t5/, Chronos-Bolt in bolt/, Chronos-2 in chronos2/), so that
 * config.json, `chronolens init`, the loader, a state and the context check never call a
 * family by name. Generic code gets a table from families.c only (tests/check_layers.py
 * holds it to that); a family may call generic model code, never another family.
 *
 * A table's function pointers are a link-time edge from families.c to the family's files.
 * Generic files that a family calls (the stacks, the binder, the config readers) must not
 * reach back to families.c, or the files would make a circle: the stacks read the table
 * through the state (cl_state.fam, set by cl_state_new), not through cl_family_of. */
#ifndef CL_FAMILY_H
#define CL_FAMILY_H

#include "chronolens.h"

#include <cjson/cJSON.h>
#include <stddef.h>

typedef struct cl_binder cl_binder; /* binder.h */
typedef struct cl_maker cl_maker;   /* maker.h */

/* preset: not one of this family's sizes (another family may have it) */
#define CL_FAMILY_NOT_MINE (-1)

typedef struct cl_family {
    int id;             /* cfg.family of its models: CL_FAMILY_T5, CL_FAMILY_BOLT */
    const char *name;   /* "Chronos-T5", "Chronos-Bolt": in messages */
    const char *reads;  /* what its encoder reads when not token ids ("patches"); NULL: token ids */

    /* ---- how the shared T5-style stacks (stack.c) run it */
    int lm_head;        /* an output head over the vocabulary gives logits; tied, lm_head.weight may
                         * be the embedding's name. 0: the decoder's final state is the output */
    int cross_direct;   /* the decoder's cross-attention by reassociation (cross_direct.c: few
                         * queries), with no per-row keys/values of the encoder output */

    /* ---- config.json (config.c) */
    int min_vocab;      /* the smallest vocab_size it may give */
    /* 1 when root describes this family; NULL: the family of a config no other one claims */
    int (*detect)(const cJSON *root);
    /* Its part of the config: cfg holds the T5 stack's keys already (and family = id); cc is
     * the chronos_config block. A one-line error naming path. */
    int (*parse)(const cJSON *root, const cJSON *cc, cl_config *cfg, const char *path, cl_error *err);
    /* Writes config.json for cfg atomically, as the published checkpoints ship it. */
    int (*config_save)(const char *path, const cl_config *cfg, cl_error *err);

    /* ---- `chronolens init` (init.c) */
    const char *sizes;  /* its preset names, for the message of an unknown one ("tiny, mini, ...") */
    /* Fills cfg with the exact configuration of a published size: 0, CL_FAMILY_NOT_MINE, or
     * an error (a size of its own naming scheme that does not exist). */
    int (*preset)(const char *size, cl_config *cfg, cl_error *err);
    /* A random checkpoint's tensors of its own, drawn after shared.weight and before the
     * stacks (cl_maker_add, maker.h); init_values: how many of their values count towards
     * the progress total (init.c). */
    void (*init_tensors)(cl_maker *mk, const cl_config *cfg);
    size_t (*init_values)(const cl_config *cfg);
    int own_stacks;     /* 1: init_tensors draws the whole model after shared.weight, init.c no
                         * T5 stacks (Chronos-2: its layers are not T5's) */

    /* ---- loading (load.c) */
    /* Binds every tensor of m (its own, the embedding and head, the stacks through
     * cl_bind_t5_stacks) with binder b and adds the parameters to *np. 0 or the error; the
     * loader then refuses any tensor left unbound. */
    int (*bind)(cl_model *m, cl_binder *b, size_t *np, cl_error *err);

    /* ---- a state (state.c, stack.c) */
    /* Its scratch (cl_state.family_scratch) for B series of T encoder positions: B *
     * per_series + fixed bytes (NULL: none); scratch_free releases it (NULL: nothing). */
    void (*footprint)(const cl_config *cfg, int T, size_t *per_series, size_t *fixed);
    void (*scratch_free)(void *scratch);
    /* Its own hook points beyond the stacks' (hooks.c), NULL-terminated, at most
     * CL_HOOK_FAMILY_MAX: the first is listed before hook_embed (an input), the others after
     * the decoder (outputs); the family fires them with cl_hooks_fire(CL_HK_FAMILY(i)). NULL: none */
    const char *const *hook_names;
    /* Its own names of the per-layer hook kinds (HK_NKINDS entries, hooks.h's order: the
     * name after "encoder.{l}."; NULL: a kind it does not have), encoder only; NULL: the
     * stacks' names (cl_hk_kinds). Chronos-2 runs its group attention in the cross-attention
     * kinds' slots (group_attn.*), its maps (token, head, query row, key row). */
    const char *const *hook_kinds;

    /* ---- a context (context_check.c) */
    /* The scale it divides series x (its last n values) by, NaN where the arithmetic leaves
     * float32; scratch: n floats. rule: what overflowed, for the message ("mean |x| of the
     * last 512 values ...") */
    float (*context_scale)(const cl_config *cfg, const float *x, int n, float *scratch);
    void (*scale_rule)(const cl_config *cfg, int n, char *buf, size_t len);
} cl_family;

/* families.c: the family of cfg.family id (an id no family has: the default, Chronos-T5,
 * as every `family == CL_FAMILY_BOLT` test treated it before the table); the family a
 * config.json describes; the n-th family (NULL past the last), in a fixed order. */
const cl_family *cl_family_of(int id);
const cl_family *cl_family_detect(const cJSON *root);
const cl_family *cl_family_at(int i);

#endif
