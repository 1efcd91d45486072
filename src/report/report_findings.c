/* report_findings.c — the findings table that opens the report page (report_findings.h):
 * every claim of the study against every model, each cell its verdict (linked to the claim's
 * full row in the Claims section: test, numbers, reason), the one number the verdict rests on
 * and a link to the section whose figures show the evidence. */
#include "report/report_findings.h"
#include "report/svg_heatmap.h"

#include <math.h>
#include <string.h>

/* The section with the evidence of a claim, by its id. */
static const char *section_of(const char *id) {
    static const char *const MAP[][2] = {
        {"exist", "mosaics"}, {"strict", "counts"}, {"band", "mosaics"}, {"size", "counts"},
        {"longer_more", "sweep"}, {"more_reps_fewer", "sweep"}, {"most_at_r2_l10", "sweep"}, {"spread", "sweep"},
        {"period_is_gap", "multisine"}, {"amplitude_is_induction", "multisine"},
        {"group_partner", "group"}, {"group_lead_lag", "group"}};
    for (size_t i = 0; id && i < sizeof MAP / sizeof MAP[0]; i++)
        if (!strcmp(id, MAP[i][0])) return MAP[i][1];
    return "claims";
}

/* The number a verdict rests on: the first of its numbers whose name begins with one of these
 * (the tested difference, the count or share the claim is about), else its first number. */
static int key_number(const cl_verdict *c) {
    static const char *const PREF[] = {"difference (claimed", "difference (band", "total difference", "largest minus",
                                       "shortfall", "of the heads, spreading", "of the heads >= ", "share at the smallest gap",
                                       "p (hypergeometric), amplitude", "heads >= ",
                                       "largest partner share"};
    for (size_t p = 0; p < sizeof PREF / sizeof PREF[0]; p++)
        for (int j = 0; j < c->n; j++)
            if (!strncmp(c->name[j], PREF[p], strlen(PREF[p]))) return j;
    for (int j = 0; j < c->n; j++)
        if (isfinite(c->value[j])) return j;
    return c->n ? 0 : -1;
}

static int cross_model(const cl_verdict *c) { return c->n_models != 1 || (c->id && !strcmp(c->id, "size")); }

/* verdict (linked to its row v<i>), the key number, the evidence's section */
static void cell(FILE *f, const cl_verdicts *v, int i, const char *model) {
    const cl_verdict *c = &v->v[i];
    const int cls = c->verdict == 1 ? 0 : c->verdict == 0 ? 1 : 2;
    static const char *const CLS[3] = {"yes", "no", "und"};
    fprintf(f, "<a class=\"%s\" href=\"#v%d\"", CLS[cls], i);
    if (model) {
        fputs(" data-select=\"", f);
        cl_html_escape(f, model);
        fputc('"', f);
    }
    fprintf(f, " title=\"the claim's test, numbers and reason\">%s</a>", cl_verdict_word(c->verdict));
    const int j = key_number(c);
    if (j >= 0) {
        fputs(" <span class=\"num\">", f);
        cl_html_escape(f, c->name[j]);
        if (isfinite(c->value[j])) fprintf(f, ": <b>%.4g</b>", c->value[j]);
        else fputs(": –", f);
        fputs("</span>", f);
    }
    fprintf(f, " <a class=\"sec\" href=\"#%s\"", section_of(c->id));
    if (model) {
        fputs(" data-select=\"", f);
        cl_html_escape(f, model);
        fputc('"', f);
    }
    fprintf(f, ">§ %s</a>", section_of(c->id));
}

void cl_report_findings(FILE *f, const cl_verdicts *v, const char *const *names, int n) {
    fputs("<section id=\"findings\"><h2>1. Findings</h2>\n<p class=\"note\">Each claim of the study against each "
          "model: the verdict (click it for the test, every number and the reason, section 9), the one number it rests "
          "on, and the section whose figures show the evidence. Claims that compare models have one verdict for the set "
          "(per family).</p>\n<table class=\"findings\"><tr><th class=\"l claim\">claim</th>", f);
    for (int k = 0; k < n; k++) {
        fputs("<th class=\"l\" data-model=\"", f);
        cl_html_escape(f, names[k]);
        fputs("\">", f);
        cl_html_escape(f, names[k]);
        fputs("</th>", f);
    }
    fputs("</tr>\n", f);
    /* per-model claims, one row per claim id in the order of the verdicts */
    for (int i = 0; i < v->n; i++) {
        const cl_verdict *c = &v->v[i];
        if (cross_model(c)) continue;
        int seen = 0;
        for (int j = 0; j < i && !seen; j++) seen = !cross_model(&v->v[j]) && !strcmp(v->v[j].id, c->id);
        if (seen) continue;
        fprintf(f, "<tr data-claim=\"%s\"><td class=\"l claim\">", c->id);
        cl_html_escape(f, c->claim);
        fputs("</td>", f);
        for (int k = 0; k < n; k++) {
            int at = -1;
            for (int j = i; j < v->n && at < 0; j++)
                if (!cross_model(&v->v[j]) && !strcmp(v->v[j].id, c->id) && !strcmp(v->v[j].model[0], names[k])) at = j;
            fputs("<td class=\"l\" data-model=\"", f);
            cl_html_escape(f, names[k]);
            fputs("\">", f);
            if (at >= 0) cell(f, v, at, names[k]);
            else fputs("<span class=\"und\">does not apply</span>", f);
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    /* the claims across models: one cell for the set */
    for (int i = 0; i < v->n; i++) {
        const cl_verdict *c = &v->v[i];
        if (!cross_model(c)) continue;
        fprintf(f, "<tr data-claim=\"%s\"><td class=\"l claim\">", c->id);
        cl_html_escape(f, c->claim);
        fprintf(f, " <span class=\"note\">(%s models)</span></td><td class=\"l\" colspan=\"%d\">",
                c->family == CL_FAMILY_CHRONOS2 ? "Chronos-2" : c->family == CL_FAMILY_BOLT ? "Chronos-Bolt" : "Chronos-T5", n);
        cell(f, v, i, NULL);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n</section>\n", f);
}
