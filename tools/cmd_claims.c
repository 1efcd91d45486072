/* chronolens claims — the study's claims (method.md §5, docs/claims.md) from a scores table:
 * anyone's results (the study's notebooks can export the table) get the same tests as a
 * report. Thin: cl_claims_from_tables decides, cl_claims_save writes. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#define USAGE "claims: usage: chronolens claims --scores FILE.csv [--scores FILE2.csv ...] [--multisine DIR] --out DIR [--threshold 0.3] [--alpha 0.05]"
#define MAX_SCORES 16

int cmd_claims(int argc, char **argv) {
    const char *scores[MAX_SCORES], *one = NULL, *msdir = NULL, *out = NULL;
    int n_scores = 0;
    cl_claims_opts o;
    cl_claims_default(&o);
    cli_ui ui = CLI_UI_INIT;
    for (int i = 1; i < argc; i++) {
        int r = opt_common(argc, argv, &i, &ui);
        if (!r && (r = opt_str(argc, argv, &i, "--scores", &one)) == 1) { /* repeatable: an induction's and a sweep's */
            if (n_scores == MAX_SCORES) return cli_fail("claims: option --scores: at most %d tables", MAX_SCORES);
            scores[n_scores++] = one;
        }
        if (!r) r = opt_str(argc, argv, &i, "--multisine", &msdir);
        if (!r) r = opt_str(argc, argv, &i, "--out", &out);
        if (!r) r = opt_double(argc, argv, &i, "--threshold", 0, 1, &o.threshold);
        if (!r) r = opt_double(argc, argv, &i, "--alpha", 1e-12, 0.5, &o.alpha);
        if (r < 0) return EXIT_BAD;
        if (!r) return cli_fail("claims: unknown argument '%s' (%s)", argv[i], USAGE + 8);
    }
    if (!n_scores || !out) return cli_fail("%s", USAGE);
    struct stat st;
    if (msdir && (stat(msdir, &st) != 0 || !S_ISDIR(st.st_mode)))
        return cli_fail("claims: --multisine %s: not a folder", msdir);
    if (cli_out_dir_staged("claims", &out)) return EXIT_BAD;
    cl_error err = {0};
    cl_verdicts v = {0};
    int rc = cl_claims_from_tables(scores, n_scores, msdir, &o, &v, &err);
    if (!rc) rc = cl_claims_save(&v, out, &err);
    if (!rc && !ui.quiet) cl_verdicts_print(&v, stdout);
    cl_verdicts_free(&v);
    return rc ? cli_fail_err(&err) : 0;
}
