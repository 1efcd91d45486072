/*
 * chronolens.h — the public C API of chronolens.
 *
 * chronolens loads Chronos checkpoints (T5 encoder-decoders over tokenized time
 * series), tokenizes series exactly as Chronos' MeanScaleUniformBins does, runs the
 * encoder-decoder in fp32 and captures any attention map the caller asks for.
 *
 * Conventions
 *  - Functions that can fail return 0 on success and a non-zero status otherwise;
 *    they then fill the caller's `cl_error` with one line naming the file (if any)
 *    and the problem. The library never exits and never prints.
 *  - Objects follow `cl_<noun>_<verb>` with `_load/_new` and `_free`.
 *  - A `cl_model` is immutable once loaded (weights are mmapped: fp32 tensors are used
 *    in place, bf16/fp16 widened once). Its precision (fp32, the exact default, or bf16,
 *    see cl_load_opts) is chosen at load and holds for every state running it. A `cl_state` holds scratch buffers, caches and
 *    captured attention; several states may share one model (one state per thread).
 *  - Shapes are written row-major, outermost first: (B, T, d_model).
 */
#ifndef CHRONOLENS_H
#define CHRONOLENS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CHRONOLENS_VERSION "0.1.0"

/* CL_API marks the public API. The libraries are compiled with -fvisibility=hidden, so their
 * shared builds export the functions declared with it and nothing else of the library
 * (internal functions keep their module prefixes and stay internal; tests/exports.sh checks
 * that libchronolens.so and libchronolens_study.so export only cl_ names). */
#if defined(__GNUC__) || defined(__clang__)
#define CL_API __attribute__((visibility("default")))
#else
#define CL_API
#endif

/* ---------------------------------------------------------------- errors */

enum {
    CL_OK = 0,
    CL_EIO = 1,      /* a file could not be opened/read/written */
    CL_EFORMAT = 2,  /* a file is malformed (bad header, bad JSON, bad CSV cell) */
    CL_EINVAL = 3,   /* a caller's argument is out of range */
    CL_ENOMEM = 4,   /* an allocation failed or would exceed a documented limit */
    CL_ECANCELED = 5, /* the caller's progress callback asked to stop (cl_progress) */
};

typedef struct cl_error {
    int code;
    char msg[768];
} cl_error;

/* Fills err (if non-NULL) with a printf-style message; returns code. */
CL_API int cl_error_set(cl_error *err, int code, const char *fmt, ...)
           __attribute__((format(printf, 3, 4)));

/* ---------------------------------------------------------------- progress */

/* The one progress callback of chronolens (as llama.cpp's progress_callback): every
 * long-running function (engine passes, studies, training, checkpoint writing) calls it with
 * the caller's ctx, the name of the stage that runs ("encoder+decoder", "induction",
 * "multisine", ...), and how many of total units are done (done == total at the end; total
 * may change between stages). It is carried in the function's opts (or set on the object
 * that runs); fn NULL = none. It is called on the calling thread, never from a worker.
 *
 * It returns 0 to go on, non-zero to cancel: at every progress point where it answers
 * non-zero the run stops, frees what it made and fails with CL_ECANCELED ("<stage>:
 * cancelled"); points are at most one batch, chunk, decoder step or layer apart, so a run
 * stops within one such unit. Once it has asked to stop it should keep answering non-zero:
 * a relay point that cannot stop (a closing report) lets the next point do it. */
typedef int (*cl_progress_fn)(void *ctx, const char *stage, double done, double total);
typedef struct cl_progress {
    cl_progress_fn fn;
    void *ctx;
} cl_progress;

/* Reports to p (when p and its fn are set) and returns its answer: non-zero = the caller
 * asked to stop. For relays that pass a report on to an outer cl_progress. */
static inline int cl_progress_ask(const cl_progress *p, const char *stage, double done, double total) {
    return p && p->fn ? p->fn(p->ctx, stage, done, total) != 0 : 0;
}

/* Reports to p where the run cannot stop (the answer is left to the next point). */
static inline void cl_progress_report(const cl_progress *p, const char *stage, double done, double total) {
    (void)cl_progress_ask(p, stage, done, total);
}

/* A progress point where the run may stop: reports to p and returns 0, or CL_ECANCELED
 * with err set to "<stage>: cancelled" when its fn asked to stop. */
CL_API int cl_progress_point(const cl_progress *p, const char *stage, double done, double total, cl_error *err);

/* ---------------------------------------------------------------- option values */

/* Strict parsers of option values that hold lists or ranges (`--freqs 5,10,20`,
 * `--quantiles 0.1,0.5,0.9`, `--token-range 1910:2187`), shared by the command line and any
 * binding. Untrusted text: every item is checked, nothing is read past the terminating NUL,
 * nothing is allocated.
 * cl_parse_double_list: comma-separated finite numbers, each in [lo, hi], at most max of
 * them, written to out[0..*n). Spaces around items are allowed; empty items, "nan", "inf",
 * trailing garbage and more than max items are not. Returns 0, or -1 (out and n then
 * unspecified). cl_parse_long_list: integers in [lo, hi], the same way.
 * cl_parse_int_range: "A:B" (decimal, optional sign) with lo <= A <= B <= hi; whether B is
 * inclusive is the caller's convention (say it in the option's help). 0 or -1. */
CL_API int cl_parse_double_list(const char *s, double lo, double hi, double *out, int max, int *n);
CL_API int cl_parse_long_list(const char *s, long lo, long hi, long *out, int max, int *n);
CL_API int cl_parse_int_range(const char *s, long lo, long hi, long *a, long *b);

/* ---------------------------------------------------------------- outputs */

/* Outputs a researcher can trust (src/io/outlock.c): every output path checked before any
 * work, one run owning an output at a time (a lock file .NAME.lock beside it), the process's
 * temporaries removed on SIGINT/SIGTERM, stale temporaries of dead runs removed by the next.
 * cl_out_check: a file output is not a folder, its folder exists and is writable.
 * cl_out_check_dir: a folder output is a folder or missing, and its parent (or itself) writable.
 * cl_out_claim: takes the lock beside path's real path (another run holding it: an error
 * naming that run's pid) and removes stale temporaries of its name; released by
 * cl_out_release_all, at a signal, or when the process ends.
 * cl_signals_install: the SIGINT/SIGTERM/SIGHUP handler that removes every temporary and
 * held lock of this process, then dies of the same signal (exit status 128 + signal). */
CL_API int cl_out_check(const char *path, cl_error *err);
CL_API int cl_out_check_dir(const char *dir, cl_error *err);
CL_API int cl_out_claim(const char *path, int is_dir, cl_error *err);
CL_API void cl_out_release_all(void);
CL_API void cl_signals_install(void);

/* A folder output built whole (src/io/outdir.c): every file of a run is written in a
 * temporary folder beside out (.chronolens-tmp.PID.NAME.XXXXXX) and moved into place only when
 * all of them were written, so a failed run (a full disk, a bad figure) leaves nothing at out. */
#define CL_PATH_MAX 4096
typedef struct cl_outdir {
    char out[CL_PATH_MAX];  /* as given, for messages */
    char real[CL_PATH_MAX]; /* where it is moved to (links resolved) */
    char tmp[CL_PATH_MAX];  /* where the run writes; "" when none */
} cl_outdir;
/* What an existing out folder becomes at the commit. */
typedef enum {
    CL_OUTDIR_MERGE,   /* the run's files moved in (replacing same-named ones), the others kept */
    CL_OUTDIR_REPLACE, /* replaced whole by the run's folder (report) */
} cl_outdir_mode;
/* Creates the temporary folder beside out (and out's missing parents, as mkdir -p) and
 * registers it for removal at SIGINT/SIGTERM. 0 or a cl_error naming out. */
CL_API int cl_outdir_begin(cl_outdir *d, const char *out, cl_error *err);
/* Moves the temporary folder's contents into place; the temporary is gone afterwards, also
 * on failure (a cl_error naming out). */
CL_API int cl_outdir_commit(cl_outdir *d, cl_outdir_mode mode, cl_error *err);
/* Removes the temporary folder and everything in it; nothing at out is touched. */
CL_API void cl_outdir_abort(cl_outdir *d);

/* ---------------------------------------------------------------- threads */

/* Number of threads of the library's pool (products, attention, norms). n <= 0: the cores
 * this process may use (its CPU affinity: a Slurm task's, a cpuset's, taskset's).
 * Results do not depend on it, bit for bit: products are cut into blocks from their shape
 * alone and OpenBLAS is kept single-threaded (docs/numerics.md).
 * Until the first call the pool has one thread. */
CL_API void cl_set_threads(int n);
CL_API int cl_get_threads(void);

/* Seconds on the monotonic clock (differences only: run times, progress rates). */
CL_API double cl_now(void);

/* ---------------------------------------------------------------- config */

typedef struct cl_config {
    /* T5 */
    int vocab_size, d_model, d_kv, num_heads, d_ff;
    int num_layers;          /* encoder layers */
    int num_decoder_layers;  /* decoder layers (defaults to num_layers) */
    int num_buckets, max_distance;
    float eps;
    int gated;               /* 1: gated-gelu (wi_0, wi_1), 0: relu (wi) */
    int act_gelu;            /* activation: 0 relu, 1 gelu_new (tanh), 2 gelu (erf) */
    int tied;                /* tie_word_embeddings (default 1) */
    int decoder_start_token_id, pad_token_id, eos_token_id;
    /* chronos_config (MeanScaleUniformBins) */
    float low_limit, high_limit;
    int n_tokens, n_special_tokens;
    int tok_pad_id, tok_eos_id, use_eos_token;
    int context_length, prediction_length, num_samples;
    float temperature, top_p;
    int top_k;
    /* Chronos-Bolt (family CL_FAMILY_BOLT; see the Chronos-Bolt section below) */
    int family;              /* CL_FAMILY_T5 (0) or CL_FAMILY_BOLT */
    int patch_size, patch_stride, use_reg_token, n_quantiles;
    double quantiles[32];    /* n_quantiles levels, strictly increasing in (0, 1) */
    /* Chronos-2 (family CL_FAMILY_CHRONOS2; see the Chronos-2 section below). patch_size,
     * patch_stride, use_reg_token (must be 1), the quantiles and context_length above are its
     * chronos_config's too; prediction_length = max_output_patches * patch_size (one pass). */
    int max_output_patches;  /* most future tokens of one pass (chronos_config, default 1) */
    int use_arcsinh;         /* asinh after the instance norm, sinh on the output */
    float rope_theta;        /* the time attention's RoPE base (default 10000) */
    float time_encoding_scale; /* divisor of the time features (default context_length) */
} cl_config;

/* Parses a T5 config.json with a chronos_config block. */
CL_API int cl_config_load(const char *path, cl_config *cfg, cl_error *err);

/* ---------------------------------------------------------------- model */

typedef struct cl_model cl_model;

/* Precision of the matrix products.
 *  CL_FP32  the exact path (default): every product in fp32 (OpenBLAS sgemm).
 *  CL_BF16  the inputs of every weight product (q, k, v, o, feed-forward, output head;
 *           Chronos-Bolt's residual blocks and its one-query cross-attention's W_k, W_v) are
 *           rounded to bf16 (round to nearest even) and multiplied with fp32 accumulation
 *           (oneDNN). Weights are rounded once at load; a bf16 checkpoint is used as stored,
 *           with no fp32 copy of its matrices. Activations are rounded per product. The
 *           attention products (q k^T, probabilities x v), norms, softmax, activations and
 *           residual adds stay fp32. Measured deviations: docs/precision.md.
 * bf16 needs a CPU with AVX512-BF16 or AMX (cl_bf16_supported): elsewhere a bf16 request
 * loads the model in fp32 (cl_model_precision says which one a model got). */
typedef enum { CL_FP32 = 0, CL_BF16 = 1 } cl_precision;

typedef struct cl_load_opts {
    cl_precision precision;
} cl_load_opts;

/* Loads a Hugging Face folder: config.json + model.safetensors (or a sharded
 * model.safetensors.index.json), of any family (cfg.family says which). Validates every
 * header completely. opts NULL: the defaults (fp32). */
CL_API int cl_model_load(const char *dir, const cl_load_opts *opts, cl_model **out, cl_error *err);
/* The precision a model's products run in (CL_FP32 where bf16 was asked but unsupported). */
CL_API cl_precision cl_model_precision(const cl_model *m);
/* 1 when this CPU runs bf16 products natively (AVX512-BF16 or AMX, through oneDNN). */
CL_API int cl_bf16_supported(void);
/* "fp32" / "bf16"; cl_precision_parse returns 0 and sets *p for those names, else -1. */
CL_API const char *cl_precision_name(cl_precision p);
CL_API int cl_precision_parse(const char *name, cl_precision *p);
CL_API void cl_model_free(cl_model *m);
CL_API const cl_config *cl_model_config(const cl_model *m);
/* Total number of parameters (tied embedding counted once). */
CL_API size_t cl_model_param_count(const cl_model *m);
/* Storage dtype of the weights on disk ("F32", "BF16", "F16", or "mixed"). */
CL_API const char *cl_model_dtype(const cl_model *m);
/* Bytes of weights held in memory that are not mmapped in place (widened copies). */
CL_API size_t cl_model_owned_bytes(const cl_model *m);

/* The range of one sampling setting: the one rule of config.json's chronos_config, the
 * forecast options and the Python API. NULL when v is allowed, else the rule to print after
 * the value ("must be > 0"). */
typedef enum { CL_SAMPLING_TEMPERATURE, CL_SAMPLING_TOP_K, CL_SAMPLING_TOP_P } cl_sampling_key;
CL_API const char *cl_sampling_rule(cl_sampling_key key, double v);

/* ---------------------------------------------------------------- random checkpoints */

/* Fills cfg with the exact configuration of chronos-t5-{tiny,mini,small,base,large}, of
 * amazon/chronos-bolt-{tiny,mini,small,base} for size "bolt-tiny" ... "bolt-base", or of
 * amazon/chronos-2 ("chronos2-base") and autogluon/chronos-2-small ("chronos2-small", its
 * shape assumed: docs/chronos2.md). */
CL_API int cl_config_preset(const char *size, cl_config *cfg, cl_error *err);

typedef struct cl_model_init_opts {
    uint64_t seed;         /* of the weights (0) */
    int bf16;              /* 1: the weights stored as BF16; 0: F32 (0) */
    cl_progress progress;  /* stage "init": values drawn of all */
} cl_model_init_opts;
CL_API void cl_model_init_default(cl_model_init_opts *o);
/* `chronolens init`: dir/config.json and dir/model.safetensors of a model of shape cfg (T5 or
 * Chronos-Bolt: weights drawn as Hugging Face's initialiser does, factor 1; Chronos-2: scaled
 * N(0, 1/fan_in) weights, docs/chronos2.md). */
CL_API int cl_model_init(const char *dir, const cl_config *cfg, const cl_model_init_opts *o, cl_error *err);
/* The rule of init's output folder, before any work: out is missing, empty or holds only a
 * checkpoint (config.json, model.safetensors; it is replaced). Anything else would describe
 * the new random weights with another model's files: refused (CL_EINVAL, naming the first
 * such entry) unless force (they are then kept). */
CL_API int cl_model_init_out_check(const char *out, int force, cl_error *err);

/* ---------------------------------------------------------------- tokenizer */

/* MeanScaleUniformBins. context: (B, L) with NaN = missing. Keeps the last
 * context_length values; T = min(L, context_length) + use_eos_token.
 * ids: (B, T) int32, mask: (B, T) uint8, scale: (B). */
CL_API int cl_tokenizer_encode(const cl_config *cfg, const float *context, int B, int L,
                               int32_t *ids, uint8_t *mask, float *scale, cl_error *err);
/* Number of tokens T that cl_tokenizer_encode produces for L values. */
CL_API int cl_tokenizer_length(const cl_config *cfg, int L);
/* values[i] = center(ids[i]) * scale; n ids with one scale. */
CL_API void cl_tokenizer_decode(const cl_config *cfg, const int32_t *ids, int n, float scale,
                                float *values);
/* Center (scaled value) of a token id, with the same clamping as decode. */
CL_API float cl_tokenizer_center(const cl_config *cfg, int id);

/* ---------------------------------------------------------------- contexts */

/* Checks a context (B, L) row-major (NaN = missing) before a model reads it: every value
 * finite in float32 or NaN and, with cfg, each series' scale over its last context_length
 * values as that model computes it finite in float32 (Chronos-T5: the tokenizer's mean |x|
 * times its outermost center, the largest value a forecast can take; Chronos-Bolt: the
 * instance norm's loc and scale). cfg NULL: the values only. The one check of contexts,
 * whether they come from a CSV (the studies) or an array (the Python package). Errors name
 * the series: "PATH: series 'NAME' (column K)" (CL_EFORMAT; names NULL: by index), or with
 * path NULL "context: series B" (CL_EINVAL). */
CL_API int cl_context_check(const cl_config *cfg, const float *context, int B, int L, const char *path,
                            char *const *names, cl_error *err);
/* One cell of a context as the context CSV reader reads it (the Python package reads text
 * values with it too): 0 a number (empty, "nan", "NA": NaN, missing), 1 not a number
 * ("non-numeric cell"), 2 a number not finite in float32 (inf, 1e39: refused). */
CL_API int cl_parse_cell(const char *s, float *out);

/* T5 relative position bucket of (key - query). */
CL_API int cl_relative_bucket(int rel, int bidirectional, int num_buckets, int max_distance);
/* The exact buckets of that arithmetic (distances below it get a bucket each): num_buckets/2
 * causal, num_buckets/4 bidirectional; max_distance must exceed it. */
CL_API int cl_relative_exact(int num_buckets, int bidirectional);

/* ---------------------------------------------------------------- capture */

typedef enum { CL_ENC_SELF = 0, CL_DEC_SELF = 1, CL_CROSS = 2, CL_NSTACKS = 3 } cl_stack;

/* Which attention probabilities of one stack to keep. A NULL list means "all".
 * Rows are query positions; a negative row r means T + r (so -2 is the token
 * before EOS in the encoder). Captured maps have shape
 *   (n_layers_sel, B, n_heads_sel, n_rows_sel, Tk)
 * where Tk is the number of keys (encoder T for ENC_SELF and CROSS, Td for DEC_SELF). */
typedef struct cl_capture_spec {
    int enabled;
    int n_layers; const int *layers;
    int n_heads;  const int *heads;
    int n_rows;   const int *rows;
} cl_capture_spec;

/* ---------------------------------------------------------------- state */

typedef struct cl_state cl_state;

CL_API int cl_state_new(const cl_model *m, cl_state **out, cl_error *err);
CL_API void cl_state_free(cl_state *s);
/* The model a state runs. */
CL_API const cl_model *cl_state_model(const cl_state *s);

/* Sets what the next cl_encode/cl_decode keep for one stack (copied). */
CL_API int cl_state_set_capture(cl_state *s, cl_stack stack, const cl_capture_spec *spec,
                                cl_error *err);
/* Keeps every attention map of every stack (as the `forward` command does). */
CL_API void cl_state_capture_all(cl_state *s);
/* Captured maps of a stack after the last pass, and their shape
 * (n_layers_sel, B, n_heads_sel, n_rows_sel, Tk); NULL if nothing captured. */
CL_API const float *cl_state_attn(const cl_state *s, cl_stack stack, int shape[5]);

/* Multiplies head h of layer l of a stack by gate (0 = ablate) before the output
 * projection. Gates persist until cl_state_reset_gates. */
CL_API int cl_state_set_head_gate(cl_state *s, cl_stack stack, int layer, int head, float gate,
                                  cl_error *err);
CL_API void cl_state_reset_gates(cl_state *s);
/* A layer of a stack / a head index against the model, one message whoever asks (forward's
 * --layers and --heads, capture, head gates, Python): "WHAT: layer L is outside the model's
 * N encoder|decoder layers [0, N)", "WHAT: head H is outside the model's N heads [0, N)". */
CL_API int cl_layer_check(const cl_config *cfg, cl_stack stack, int layer, const char *what, cl_error *err);
CL_API int cl_head_check(const cl_config *cfg, int head, const char *what, cl_error *err);

/* Runs the encoder. ids, mask: (B, T). The output (B, T, d_model) stays in the
 * state for the following cl_decode calls and is returned by cl_state_encoder_hidden. */
CL_API int cl_encode(cl_state *s, const int32_t *ids, const uint8_t *mask, int B, int T,
                     cl_error *err);
CL_API const float *cl_state_encoder_hidden(const cl_state *s, int *B, int *T);

/* Runs the decoder on dec_ids (B, Td) against the last encoder output, with the
 * causal mask. Cross-attention keys/values are computed once per encoder output and
 * reused by later cl_decode calls. logits (B, Td, vocab) are returned by
 * cl_state_logits. If last_only, logits are computed for the last position only
 * (shape (B, 1, vocab)). */
CL_API int cl_decode(cl_state *s, const int32_t *dec_ids, int Td, int last_only, cl_error *err);
CL_API const float *cl_state_logits(const cl_state *s, int *B, int *Td, int *V);

/* Reported after every encoder and decoder layer (stage "forward": layers done of the
 * pass's layers) so long passes can show progress; NULL or fn NULL (default) disables it.
 * The struct is copied. Its answer may stop cl_encode / cl_decode between layers
 * (CL_ECANCELED): the state then holds no encoder output, maps or logits until the next
 * cl_encode. */
CL_API void cl_state_set_progress(cl_state *s, const cl_progress *p);

/* FLOPs (2 * multiply-adds) of every matrix product of the last encode + decode. */
CL_API double cl_state_flops(const cl_state *s);
CL_API void cl_state_reset_flops(cl_state *s);

/* ---------------------------------------------------------------- hooks
 * Hook points named as TransformerLens's HookedEncoderDecoder names them (docs/c-api.md,
 * docs/python.md: the table): hook_embed; encoder.{l}.hook_resid_pre|hook_resid_mid|
 * hook_resid_post, encoder.{l}.attn.hook_q|k|v|z|attn_scores|pattern, encoder.{l}.hook_attn_out,
 * encoder.{l}.mlp.hook_pre|hook_pre_linear (gated)|hook_post, encoder.{l}.hook_mlp_out; the
 * decoder's the same plus decoder.{l}.cross_attn.*, hook_cross_attn_out, hook_resid_mid_cross;
 * encoder_final_ln.hook_normalized, decoder_final_ln.hook_normalized; a family's own
 * (Chronos-Bolt: input_patch_embedding.hook_out, output_patch_embedding.hook_out).
 * Chronos-2 (an encoder only): its time attention as encoder.{l}.time_attn.* and
 * hook_time_attn_out, its group attention as encoder.{l}.group_attn.* (scores and pattern
 * (token, head, query series, key series): an intervention's positions there are tokens),
 * hook_group_attn_out and hook_resid_mid_group; the MLP, residual and final-norm points as
 * above; input_patch_embedding.hook_out, output_patch_embedding.hook_out (its head, normalised).
 * Layouts: residual (batch, pos, d_model); q/k/v/z (batch, pos, head, d_head); scores and
 * pattern (batch, head, query_pos, key_pos); mlp (batch, pos, d_ff); the Bolt head (batch,
 * quantiles, horizon), normalised. A cl_hooks set is attached to a state (cl_state_set_hooks)
 * or given to the forecast study; everything registered runs on the calling thread, in the
 * order registered, on the activation in place (editing it is an intervention). With nothing
 * registered at a point the engine runs as without hooks; a sublayer output that is added to
 * the residual stream in one product (hook_attn_out, hook_cross_attn_out, hook_mlp_out) is
 * computed apart and added when something is registered there (equal to float rounding). */
typedef struct cl_hooks cl_hooks;

typedef struct cl_hook_info {
    const char *name;  /* the point's name */
    int ndim;          /* 3 or 4 */
    int shape[4];      /* the layout above */
    int pos0;          /* absolute position of index 0 of the position (query) axis: cached
                        * decoding runs one position a step */
    int series0, rep;  /* batch row r holds series series0 + r / rep (forecast: rep samples) */
} cl_hook_info;
/* A callback: act in place; nonzero stops the pass (the pass fails with CL_ECANCELED). */
typedef int (*cl_hook_fn)(float *act, const cl_hook_info *info, void *user);

/* The interventions, declared (their arrays copied by cl_hooks_add_intervention):
 *   ZERO      act = 0
 *   MEAN      act = value (the mean over a dataset, given)
 *   SET       act = value
 *   ADD       act += value (a steering vector)
 *   SCALE     act *= value[0] (a head gate: 0 = ablated)
 *   PATCH     act = src[series] (another run's activation at this point, same layout)
 *   RESAMPLE  act = src[src_rows[series]] (rows of another run, chosen)
 *   CACHE     a copy kept in the set (cl_hooks_cached), the activation untouched
 * value: n_value floats, the point's inner extent (d_model; d_head with a head, H*d_head
 * without on q/k/v/z; key_pos on scores/pattern) broadcast over batch and positions, or
 * (positions, inner) indexed by absolute position. src: (src_batch, src_pos, inner) as the
 * point's layout puts them (scores/pattern: (src_batch, H, src_pos, key_pos)), indexed by
 * absolute position. head: -1 all, else one head of a per-head point (q/k/v/z/scores/
 * pattern); on hook_attn_out / hook_cross_attn_out a head means that head's z (its
 * contribution through W_O): the spec moves to the layer's hook_z, so its value or source is
 * z's (ZERO, SCALE, PATCH, RESAMPLE only). pos: absolute positions (query positions on
 * scores/pattern), NULL all. */
typedef enum {
    CL_IV_ZERO, CL_IV_MEAN, CL_IV_SET, CL_IV_ADD, CL_IV_SCALE, CL_IV_PATCH, CL_IV_RESAMPLE, CL_IV_CACHE
} cl_iv_kind;
typedef struct cl_intervention {
    cl_iv_kind kind;
    const char *name;
    int head;
    int n_pos; const int *pos;
    int n_value; const float *value;
    int src_batch, src_pos; const float *src;
    int n_src_rows; const int *src_rows;
} cl_intervention;

CL_API int cl_hooks_new(const cl_model *m, cl_hooks **out, cl_error *err);
CL_API void cl_hooks_free(cl_hooks *hk);
/* Registers a callback / an intervention at a point; an unknown name (or one the model's
 * family does not have) is an error naming the point. */
CL_API int cl_hooks_add(cl_hooks *hk, const char *name, cl_hook_fn fn, void *user, cl_error *err);
CL_API int cl_hooks_add_intervention(cl_hooks *hk, const cl_intervention *iv, cl_error *err);
/* Forgets everything registered (the memory its caches held is kept for the next ones). */
CL_API void cl_hooks_clear(cl_hooks *hk);
/* Batch row r of the next passes is series series0 + r / rep (default 0, 1): what PATCH and
 * RESAMPLE index their source by, and what a callback is told. */
CL_API void cl_hooks_set_rows(cl_hooks *hk, int series0, int rep);
/* The copy a CACHE kept at point name in the last pass (its layout in info), or NULL. */
CL_API const float *cl_hooks_cached(const cl_hooks *hk, const char *name, cl_hook_info *info);
/* The model's hook points, in execution order: returns how many there are and writes the
 * i-th name into buf (len bytes) when 0 <= i < that count. */
CL_API int cl_hook_name(const cl_model *m, int i, char *buf, size_t len);
/* Attaches hk (not owned; NULL detaches) to a state: its next passes run it. */
CL_API void cl_state_set_hooks(cl_state *s, cl_hooks *hk);
/* Per-head outputs of an attention sublayer: out (rows, H, d_model) = z_h (rows, d_head) ·
 * W_O[:, h] for z (rows, H*d_head) of `stack` (CL_ENC_SELF, CL_DEC_SELF, CL_CROSS) layer
 * (TransformerLens's hook_result; their sum over h is hook_attn_out). */
CL_API int cl_attn_head_results(const cl_model *m, cl_stack stack, int layer, const float *z, int rows, float *out,
                                cl_error *err);
/* Direct logit attribution (Chronos-T5): out (n, d_model) = the directions whose dot product
 * with the decoder's final residual stream divided by its RMS (the final norm's scale) gives
 * the logit of tokens[i]: W_U[token] * the final norm's weight (* d_model^-0.5 for a tied
 * head). A component's contribution is component / rms(final stream) · direction. */
CL_API int cl_logit_directions(const cl_model *m, const int32_t *tokens, int n, float *out, cl_error *err);

/* ================================================================ Chronos-Bolt
 * Chronos-Bolt (amazon/chronos-bolt-*, method.md §4): the same T5 stacks reading patches of
 * the instance-normalised series, one decoder query, a residual-block quantile head.
 * cl_model_load recognises a Bolt folder (architectures ChronosBoltModelForForecasting, or
 * a chronos_config with input_patch_size) and sets cfg.family = CL_FAMILY_BOLT; Bolt models
 * have no tokenizer and no LM head: cl_encode / cl_tokenizer_encode refuse them. */

enum { CL_FAMILY_T5 = 0, CL_FAMILY_BOLT = 1, CL_FAMILY_CHRONOS2 = 2 };
#define CL_BOLT_MAX_QUANTILES 32

/* 1 when the model (config) is a Chronos-Bolt. */
CL_API int cl_model_is_bolt(const cl_model *m);
/* For code that runs Chronos-T5 models only: when m is a Bolt model, sets a one-line error
 * naming dir and what ("induction", "report", ...) and returns CL_EINVAL; else 0. */
CL_API int cl_model_require_t5(const cl_model *m, const char *dir, const char *what, cl_error *err);

/* Patches P of a context of L values (the last context_length kept, left-padded with NaN to
 * a multiple of patch_size, cut with the stride); tokens T = P + use_reg_token. */
CL_API int cl_bolt_num_patches(const cl_config *cfg, int L);
CL_API int cl_bolt_num_tokens(const cl_config *cfg, int L);

/* The encoder on embeddings instead of token ids (the layer loop cl_encode runs):
 * x (B, T, d_model), mask (B, T) (0 = masked key). */
CL_API int cl_encode_embeds(cl_state *s, const float *x, const uint8_t *mask, int B, int T, cl_error *err);

/* Instance norm, patching, input residual block, [REG], then the encoder (capture as set).
 * context (B, L), NaN = missing. Afterwards: cl_state_encoder_hidden (B, T, d_model) and
 * the accessors below. */
CL_API int cl_bolt_encode(cl_state *s, const float *context, int B, int L, cl_error *err);
/* The one-query decoder on the last cl_bolt_encode and the quantile head:
 * quantiles (B, Q, prediction_length) in data units (× scale + loc). */
CL_API int cl_bolt_decode(cl_state *s, cl_error *err);
/* cl_bolt_encode then cl_bolt_decode. */
CL_API int cl_bolt_forward(cl_state *s, const float *context, int B, int L, cl_error *err);

/* After cl_bolt_encode: loc, scale (B); attention mask (B, T) (1 = attended); the encoder's
 * input embeddings (B, T, d_model). After cl_bolt_decode: the decoder's final state
 * (B, 1, d_model) and the quantiles (B, Q, prediction_length). NULL before. */
CL_API const float *cl_bolt_loc(const cl_state *s);
CL_API const float *cl_bolt_scale(const cl_state *s);
CL_API const uint8_t *cl_bolt_mask(const cl_state *s);
CL_API const float *cl_bolt_input_embeds(const cl_state *s);
CL_API const float *cl_bolt_decoder_hidden(const cl_state *s);
CL_API const float *cl_bolt_quantiles(const cl_state *s);

/* ChronosBoltPipeline.predict and predict_quantiles: src/study/forecast/bolt_forecast.h. */

/* ================================================================ Chronos-2
 * Chronos-2 (amazon/chronos-2; ../shared/docs/chronos2_method.md): an encoder-only T5-style
 * model on patches [time | values | mask] of the instance-normalised (and asinh-ed) series,
 * [REG], then N future tokens; every layer a RoPE time self-attention (no 1/sqrt(d_kv)), a
 * group self-attention across the rows of one group at each token position, and a
 * feed-forward; a residual-block quantile head read at the future tokens, sinh-ed and
 * de-normalised. cl_model_load recognises it by architectures ["Chronos2Model"] and sets
 * cfg.family = CL_FAMILY_CHRONOS2; it refuses what upstream refuses (a gated feed-forward,
 * use_reg_token false, output_patch_size != input_patch_size). It has no tokenizer and no
 * decoder: cl_encode, cl_encode_embeds and the Chronos-T5/Bolt entries refuse it. */

/* 1 when the model is a Chronos-2. */
CL_API int cl_model_is_chronos2(const cl_model *m);

/* One pass's inputs. The tokens are S = P + 1 + N: P context patches (cl_bolt_num_patches'
 * rule: the last context_length values, left-padded with NaN to a multiple of patch_size),
 * [REG], N future tokens. */
typedef struct cl_chronos2_input {
    const float *context;            /* (B, L), NaN = missing */
    int B, L;
    const int *group_ids;            /* (B): rows with equal ids attend to each other; NULL:
                                      * every row its own group */
    const float *future_covariates;  /* (B, F) in data units, NaN = unknown; NULL: none */
    int F;                           /* F <= N * patch_size */
    int num_output_patches;          /* N in [1, max_output_patches]; 0: max_output_patches */
    int capture_group;               /* 1: keep the group-attention maps (result.group_attn) */
    int capture_hidden;              /* 1: keep the residual stream after each sub-block */
    /* capture by specification: with capture_group, the maps of these token positions only
     * (n_group_tokens of them, distinct; a negative t means S + t, so -1 is the last future
     * token): result.group_attn is (layers, n_group_tokens, heads, B, B) in this order.
     * n_group_tokens = 0: every token (layers, S, heads, B, B). */
    int n_group_tokens;
    const int *group_tokens;
    int head_only;                   /* 1: only the forecast is wanted (quantile_preds, loc, scale):
                                      * the last layer runs at the future tokens alone (their
                                      * queries over every key), so encoder_hidden holds only
                                      * those and that layer's maps are not kept; not with
                                      * capture_group or capture_hidden */
} cl_chronos2_input;

/* One pass's outputs, owned by the state (valid until its next pass or cl_state_free). The
 * time-attention maps are the state's CL_ENC_SELF capture (cl_state_set_capture, read with
 * cl_state_attn: (layers, B, heads, rows, S)). */
typedef struct cl_chronos2_result {
    int B, P, S, N, Q, ps;           /* rows, context patches, tokens, future tokens, quantiles, patch */
    const float *loc, *scale;        /* (B): the instance norm */
    const uint8_t *attention_mask;   /* (B, S): 1 = a real token (a patch with a value, [REG], future) */
    const float *patches;            /* (B, P, 3*ps): [time | values | mask] */
    const float *future_patches;     /* (B, N, 3*ps) */
    const float *input_embeds;       /* (B, S, d_model) */
    const float *encoder_hidden;     /* (B, S, d_model): after the final norm */
    const float *quantile_preds_normalized; /* (B, Q, N*ps): the head's output before sinh */
    const float *quantile_preds;     /* (B, Q, N*ps): in data units */
    const float *group_attn;         /* (layers, S, heads, B, B) [token, head, query row, key row]; NULL
                                      * unless capture_group; (layers, n_group_tokens, ...) when the
                                      * input names its tokens */
    int n_group_tokens;              /* the captured tokens (S when every one) */
    const float *hidden_time, *hidden_group, *hidden; /* (layers, B, S, d_model) after the time
                                      * attention, group attention and feed-forward; NULL unless
                                      * capture_hidden */
} cl_chronos2_result;

/* Tokens S = P + 1 + N of a pass on L values with N future tokens. */
CL_API int cl_chronos2_num_tokens(const cl_config *cfg, int L, int N);
/* One exact fp32 forward (bf16 products with a bf16 model) of a Chronos-2 model. */
CL_API int cl_chronos2_forward(cl_state *s, const cl_chronos2_input *in, cl_chronos2_result *out, cl_error *err);

#ifdef __cplusplus
}
#endif
#endif /* CHRONOLENS_H */
