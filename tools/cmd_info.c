/* chronolens info MODEL_DIR — what a checkpoint is: sizes, dtype, parameters, tokenizer
 * (Chronos-T5) or patches and quantiles (Chronos-Bolt, Chronos-2). */
#include "cli.h"
#include "opt.h"

#include <string.h>

typedef struct info_args {
    cli_ui ui;
    const char *dir;
} info_args;

static void init(void *a) { ((info_args *)a)->dir = NULL; }

/* the model folder as a plain argument, once (or --model) */
static int positional(void *a, const char *v) {
    info_args *x = a;
    if (x->dir) return cli_fail("info: more than one model directory given"), -1;
    x->dir = v;
    return 0;
}

static const cli_opt OPTS[] = {
    {.name = "--model", .arg = "DIR", .type = OPT_STR, .off = offsetof(info_args, dir), .def = CLI_MODEL_DEFAULT,
     .help = "the checkpoint folder"},
    {NULL},
};

const cli_cmd CMD_INFO = {
    .name = "info",
    .summary = "sizes, dtype, parameters and tokenizer settings of a checkpoint (Chronos-Bolt: patches and quantiles too)",
    .example = "chronolens info models/chronos-nano",
    .positional = "[MODEL_DIR]",
    .opts = OPTS, .size = sizeof(info_args), .init = init, .pos = positional, .run = cmd_info,
};

/* The lines both families share, from the folder to the feed-forward. */
static void print_stacks(const cl_model *m, const char *dir, const char *architecture) {
    const cl_config *c = cl_model_config(m);
    size_t np = cl_model_param_count(m);
    printf("model            %s\n", dir);
    printf("architecture     %s\n", architecture);
    printf("parameters       %zu (%.1f M)\n", np, np / 1e6);
    printf("dtype            %s%s\n", cl_model_dtype(m),
           strcmp(cl_model_dtype(m), "F32") ? " (widened to F32 at load)" : " (used in place, mmapped)");
    printf("d_model          %d\n", c->d_model);
    printf("d_ff             %d\n", c->d_ff);
    printf("heads x d_kv     %d x %d = %d\n", c->num_heads, c->d_kv, c->num_heads * c->d_kv);
    printf("layers           encoder %d, decoder %d\n", c->num_layers, c->num_decoder_layers);
    printf("feed-forward     %s%s\n", c->gated ? "gated-" : "",
           c->act_gelu == 0 ? "relu" : c->act_gelu == 1 ? "gelu_new" : "gelu");
}

static void print_bolt(const cl_model *m, const char *dir) {
    const cl_config *c = cl_model_config(m);
    print_stacks(m, dir, "T5 encoder-decoder on patches (Chronos-Bolt)");
    printf("position buckets %d, max distance %d\n", c->num_buckets, c->max_distance);
    printf("patches          size %d, stride %d, [REG] token %s\n", c->patch_size, c->patch_stride,
           c->use_reg_token ? "yes" : "no");
    printf("context length   %d values (%d patches)\n", c->context_length, cl_bolt_num_patches(c, c->context_length));
    printf("prediction       %d steps x %d quantiles (", c->prediction_length, c->n_quantiles);
    for (int i = 0; i < c->n_quantiles; i++) printf("%s%g", i ? ", " : "", c->quantiles[i]);
    printf(")\n");
}

static void print_chronos2(const cl_model *m, const char *dir) {
    const cl_config *c = cl_model_config(m);
    print_stacks(m, dir, "encoder-only, time and group attention on patches (Chronos-2)");
    printf("attention        time: RoPE (theta %g), group: across the series of a group; unscaled\n",
           (double)c->rope_theta);
    printf("patches          size %d, stride %d, [REG] token yes, features [time | values | mask], arcsinh %s\n",
           c->patch_size, c->patch_stride, c->use_arcsinh ? "yes" : "no");
    printf("context length   %d values (%d patches), time encoding scale %g\n", c->context_length,
           cl_chronos2_num_tokens(c, c->context_length, 0) - 1, (double)c->time_encoding_scale);
    printf("prediction       up to %d output patches (%d steps) per pass x %d quantiles (", c->max_output_patches,
           c->max_output_patches * c->patch_size, c->n_quantiles);
    for (int i = 0; i < c->n_quantiles; i++) printf("%s%g", i ? ", " : "", c->quantiles[i]);
    printf(")\n");
}

int cmd_info(int argc, char **argv) {
    info_args a;
    cli_parsed p;
    if (cli_parse(&CMD_INFO, &a, argc, argv, &p)) return EXIT_BAD;
    const char *dir = a.dir ? a.dir : cli_default_model();
    cl_error err;
    cl_model *m;
    if (cl_model_load(dir, NULL, &m, &err)) return cli_fail_err(&err);
    if (cl_model_is_bolt(m)) { print_bolt(m, dir); cl_model_free(m); return 0; }
    if (cl_model_is_chronos2(m)) { print_chronos2(m, dir); cl_model_free(m); return 0; }
    const cl_config *c = cl_model_config(m);
    print_stacks(m, dir, "T5 encoder-decoder (Chronos)");
    printf("output head      %s\n", c->tied ? "tied to shared embedding (scaled by d_model^-0.5)" : "untied lm_head");
    printf("position buckets %d, max distance %d\n", c->num_buckets, c->max_distance);
    printf("vocabulary       %d\n", c->vocab_size);
    printf("tokenizer        MeanScaleUniformBins [%g, %g], %d tokens (%d special), pad %d, eos %d%s\n",
           c->low_limit, c->high_limit, c->n_tokens, c->n_special_tokens, c->tok_pad_id, c->tok_eos_id,
           c->use_eos_token ? "" : " (no EOS)");
    printf("context length   %d\n", c->context_length);
    printf("prediction       %d steps, %d samples, temperature %g, top-k %d, top-p %g\n", c->prediction_length,
           c->num_samples, c->temperature, c->top_k, c->top_p);
    cl_model_free(m);
    return 0;
}
