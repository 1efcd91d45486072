/* chronolens claims — the study's claims (method.md §5, docs/claims.md) from a scores table:
 * anyone's results (the study's notebooks can export the table) get the same tests as a
 * report. Thin: cl_claims_from_tables decides, cl_claims_save writes. */
#include "cli.h"
#include "opt.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#define MAX_SCORES 16

typedef struct claims_args {
    cli_ui ui;
    const char *scores[MAX_SCORES], *msdir, *gadir, *out;
    int n_scores;
    cl_claims_opts o; /* cl_claims_default */
} claims_args;

static void init(void *p) { cl_claims_default(&((claims_args *)p)->o); }

/* repeatable: an induction's and a sweep's tables */
static int add_scores(const cli_opt *o, void *p, const char *v, const char *cmd) {
    claims_args *a = p;
    if (a->n_scores == MAX_SCORES) return cli_fail("claims: option --scores: at most %d tables", MAX_SCORES), -1;
    a->scores[a->n_scores++] = v;
    return 0;
}

#define A claims_args
static const cli_opt OPTS[] = {
    {.name = "--scores", .arg = "CSV", .type = OPT_FN, .fn = add_scores, .flags = OPT_REPEAT,
     .help = "one row per model, sampling, reps, seq_len, layer, head, criterion: mean [, std, n] [, family]; "
             "repeatable (an induction's and a sweep's tables: the first's row wins); required unless "
             "--group-attention is given"},
    {.name = "--multisine", .arg = "DIR", .type = OPT_STR, .off = offsetof(A, msdir),
     .help = "the multisine results (a report's data/): period_is_gap, amplitude_is_induction (and a report's "
             "group-attention claims)"},
    {.name = "--group-attention", .arg = "DIR", .type = OPT_STR, .off = offsetof(A, gadir),
     .help = "a `chronolens group-attention` folder (group_attention.json): the Chronos-2 claims group_partner and "
             "group_lead_lag"},
    {.name = "--out", .arg = "DIR", .type = OPT_STR, .off = offsetof(A, out), .flags = OPT_REQUIRED,
     .help = "folder for claims.json and claims.csv (created)"},
    {.name = "--threshold", .arg = "T", .type = OPT_NUM, .off = offsetof(A, o.threshold), .dlo = 0, .dhi = 1,
     .help = "a head counts when its mean score is >= T"},
    {.name = "--alpha", .arg = "A", .type = OPT_NUM, .off = offsetof(A, o.alpha), .dlo = 1e-12, .dhi = 0.5,
     .help = "significance level of the tests with p-values"},
    {NULL},
};
#undef A

const cli_cmd CMD_CLAIMS = {
    .name = "claims",
    .summary = "the study's claims as tests (method.md §5, docs/claims.md) from a scores table: claims.json, claims.csv",
    .example = "chronolens claims --scores out/report/data/scores.csv --multisine out/report/data --out out/claims",
    .opts = OPTS, .size = sizeof(claims_args), .init = init, .run = cmd_claims,
};

int cmd_claims(int argc, char **argv) {
    claims_args a;
    cli_parsed p;
    if (cli_parse(&CMD_CLAIMS, &a, argc, argv, &p)) return EXIT_BAD;
    const char *out = a.out;
    struct stat st;
    if (a.msdir && (stat(a.msdir, &st) != 0 || !S_ISDIR(st.st_mode)))
        return cli_fail("claims: --multisine %s: not a folder", a.msdir);
    if (!a.n_scores && !a.gadir) return cli_fail("claims: --scores (or --group-attention) is required");
    if (!a.n_scores && a.msdir) return cli_fail("claims: --multisine goes with --scores");
    if (a.gadir && (stat(a.gadir, &st) != 0 || !S_ISDIR(st.st_mode)))
        return cli_fail("claims: --group-attention %s: not a folder", a.gadir);
    if (cli_out_dir_staged("claims", &out)) return EXIT_BAD;
    cl_error err = {0};
    cl_verdicts v = {0};
    int rc = a.n_scores ? cl_claims_from_tables(a.scores, a.n_scores, a.msdir, &a.o, &v, &err) : 0;
    if (!rc && a.gadir) rc = cl_claims_group_dir(a.gadir, &a.o, &v, &err);
    if (!rc) rc = cl_claims_save(&v, out, &err);
    if (!rc && !a.ui.quiet) cl_verdicts_print(&v, stdout);
    cl_verdicts_free(&v);
    return rc ? cli_fail_err(&err) : 0;
}
