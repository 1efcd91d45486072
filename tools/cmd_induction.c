/* chronolens induction — induction heads with repeated random tokens (method.md §2) for one
 * or more models: options into cl_induction_study_opts, cl_induction_study_run,
 * cl_induction_write (induction.json/csv) and the figures (mosaics, layer distribution). */
#include "cli.h"
#include "rrt_cli.h"

#include <stdio.h>

#define USAGE "induction: usage: chronolens induction [--model DIR ...] --out DIR [--seq-len L] " \
              "[--reps R] [--batch N] [--token-range LO:HI | --sampling band|all] [--threshold T] [--seed S] [--seeds K] [--no-strict] [--shard K/N] [--offset N] [--offsets 0,4,8,12] (chronolens induction --help)"

int cmd_induction(int argc, char **argv) {
    cli_ui ui = CLI_UI_INIT;
    long offs[CL_RRP_MAX_OFFSETS];
    int offsets[CL_RRP_MAX_OFFSETS], n_off = 0;
    rrt_cli c;
    rrt_cli_init(&c, "induction");
    for (int i = 1; i < argc; i++) {
        long x;
        int r = opt_common(argc, argv, &i, &ui);
        if (!r) r = rrt_cli_opt(argc, argv, &i, &c);
        if (!r && (r = opt_int(argc, argv, &i, "--seq-len", 2, 100000, &x)) == 1) c.o.base.rrt.seq_len = (int)x;
        if (!r && (r = opt_int(argc, argv, &i, "--reps", 2, 100000, &x)) == 1) c.o.base.rrt.reps = (int)x;
        if (!r && opt_flag(argv, i, "--no-strict")) { c.o.base.strict = 0; r = 1; }
        if (!r && (r = opt_long_list(argc, argv, &i, "--offsets", 0, 100000, offs, CL_RRP_MAX_OFFSETS, &n_off)) == 1)
            for (int j = 0; j < n_off; j++) offsets[j] = (int)offs[j];
        if (r < 0) return EXIT_BAD;
        if (!r) return cli_fail("induction: unknown argument '%s'", argv[i]);
    }
    if (!c.n_models) c.dirs[c.n_models++] = cli_default_model();
    if (!c.out) return cli_fail(USAGE);
    for (int i = 0; i < n_off; i++) /* before --out is claimed: a bad list leaves nothing behind */
        for (int j = 0; j < i; j++)
            if (offsets[i] == offsets[j]) return cli_fail("induction: --offsets: %d given twice", offsets[i]);
    if (cli_out_dir_staged("induction", &c.out)) return EXIT_BAD;
    cl_model *m[CL_STUDY_MAX_MODELS];
    cl_study_model info[CL_STUDY_MAX_MODELS];
    /* with --offsets a part's units are the models (induction.json) and the (model, offset)
     * pairs (offsets.json): every model is loaded, --shard up to models x offsets parts */
    if (rrt_models_load(&c, m, info, n_off ? n_off : 1, NULL, "induction")) return EXIT_BAD;
    c.o.base.progress = cli_progress_of(&ui);
    cl_induction_set s;
    cl_error err = {0};
    int rc = 0;
    const cl_save_part part = {c.o.shard, c.n_models}; /* a part: shard.json, the merge draws the figures */
    if (n_off) { /* Chronos-Bolt: the test over the block's offset against the patch grid */
        cl_rrp_offsets_set os;
        rc = cl_rrp_offsets_run(m, info, c.n_models, &c.o, offsets, n_off, &os, &err);
        if (!rc) rc = cl_rrp_offsets_save(&os, c.out, &part, &err);
        if (!rc) cl_rrp_offsets_free(&os);
        if (rc) { cli_progress_done(&ui); rrt_models_free(m, c.n_models); return cli_fail("induction: %s", err.msg); }
    }
    rc = cl_induction_study_run(m, info, c.n_models, &c.o, &s, &err);
    cli_progress_done(&ui);
    rrt_models_free(m, c.n_models);
    if (!rc) rc = cl_induction_save(&s, c.out, &part, c.n_models * n_off, &err);
    if (!rc && !ui.quiet)
        for (int k = 0; k < s.n; k++) {
            const cl_induction_result *x = &s.res[k];
            fprintf(stderr, "%s: %d/%d cross-attention heads >= %.2g (current token %d, token to right %d)",
                    s.models[k].name, x->cross[CL_ANY].n, x->layers * x->heads, x->threshold, x->cross[CL_CUR].n,
                    x->cross[CL_RIGHT].n);
            if (x->strict) fprintf(stderr, ", strict %d", x->strict_count[CL_ANY].n);
            fprintf(stderr, "; encoder %d; %.2fs\n", x->enc[CL_ANY].n, s.models[k].seconds);
        }
    int skipped = 0;
    if (!rc) rc = cl_induction_scores_skipped(&s, &skipped, &err); /* the models scores.csv left out */
    cl_induction_set_free(&s);
    if (rc) return cli_fail_err(&err);
    if (!ui.quiet) {
        fprintf(stderr, "wrote %s/induction.json, induction.csv, scores.csv%s and figures\n", cli_out_shown(c.out),
                n_off ? ", offsets.json, offsets.csv" : "");
        if (skipped)
            fprintf(stderr, "scores.csv: %d model(s) left out (a token range that is neither the band nor all tokens, "
                    "or a Chronos-Bolt repeat off the patch grid, --offset != 0)\n", skipped);
    }
    return 0;
}
