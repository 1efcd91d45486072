/* report_run.c — the whole induction-head study of one or more models as one page
 * (cl_report_run): the induction, sweep, multisine and multisine-sweep studies run in memory,
 * their files written under data/<step>/ and their figures under figures/<step>/ of a
 * temporary folder beside the output, data/setup.json, then the claims and index.html from
 * the same in-memory results (report_html.c). The folder is renamed into place only when
 * everything succeeded, so a failure leaves no half-written page. */
#include "report/report_html.h"
#include "report/report_data.h"
#include "report/fig_induction.h"
#include "report/fig_multisine.h"
#include "report/fig_group_attention.h"
#include "study/group_attention/group_attention.h"
#include "study/common/rrt.h"
#include "core/core.h"
#include "io/outlock.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void cl_report_default(cl_report_opts *o) {
    memset(o, 0, sizeof *o);
    o->out = "report";
    o->batch = o->sweep_batch = o->configs = -1;
}

static int is_empty_dir(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d))) n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n == 0;
}

/* Copies file src to dst (written atomically). */
static int copy_file(const char *src, const char *dst, cl_error *err) {
    char *d;
    size_t n;
    if (cl_read_file(src, (size_t)1 << 28, &d, &n, err)) return CL_EIO;
    cl_out out;
    int rc = cl_out_open(&out, dst, err);
    if (!rc && fwrite(d, 1, n, (FILE *)out.fp) != n) {
        cl_out_abort(&out);
        rc = cl_error_set(err, CL_EIO, "%s: write failed", dst);
    } else if (!rc) rc = cl_out_commit(&out, err);
    free(d);
    return rc;
}

/* A model folder written by `chronolens train` + `chronolens formation` holds formation.csv
 * (and formation.png/.svg): the induction heads over its training. The report shows them:
 * data/formation/<name>.csv, figures/formation/<name>.png/.svg. Models without them: nothing. */
static int copy_formation(const cl_report_opts *o, const cl_report_setup *su, const char *data, const char *figs,
                          cl_error *err) {
    char src[PATH_MAX], dst[PATH_MAX], dd[PATH_MAX], fd[PATH_MAX], file[300];
    struct stat st;
    int rc = 0;
    cl_path_join(dd, sizeof dd, data, "formation");
    cl_path_join(fd, sizeof fd, figs, "formation");
    for (int k = 0; k < o->n && !rc; k++) {
        if (stat(cl_path_join(src, sizeof src, o->dirs[k], "formation.csv"), &st) != 0) continue;
        if ((mkdir(dd, 0777) && errno != EEXIST) || (mkdir(fd, 0777) && errno != EEXIST))
            return cl_error_set(err, CL_EIO, "%s: cannot create (%s)", dd, strerror(errno));
        snprintf(file, sizeof file, "%s.csv", su->models[k].name);
        rc = copy_file(src, cl_path_join(dst, sizeof dst, dd, file), err);
        static const char *EXT[2] = {"png", "svg"};
        for (int e = 0; e < 2 && !rc; e++) {
            snprintf(file, sizeof file, "formation.%s", EXT[e]);
            if (stat(cl_path_join(src, sizeof src, o->dirs[k], file), &st) != 0) continue;
            snprintf(file, sizeof file, "%s.%s", su->models[k].name, EXT[e]);
            rc = copy_file(src, cl_path_join(dst, sizeof dst, fd, file), err);
        }
    }
    return rc;
}

/* shares of the whole run, measured on random tiny, mini, small, base checkpoints at the defaults */
static const double SHARE[CL_REPORT_STEPS + 1] = {0, 0.2, 0.26, 0.8, 0.84, 0.88, 1.0};

/* one step's progress as a share of the whole report: "report: step 2/4 sweep: <inner>";
 * the caller's answer (cancel) goes back to the step's run */
typedef struct { const cl_progress *up; int step; double from, to; } step_progress;

static int on_step_progress(void *ctx, const char *stage, double done, double total) {
    const step_progress *p = ctx;
    char label[512];
    /* the step's name first: two steps of one study (induction, induction-all) read apart */
    snprintf(label, sizeof label, "report: step %d/%d %s (%s)", p->step + 1, CL_REPORT_STEPS, CL_REPORT_STEP_NAMES[p->step], stage);
    double f = total > 0 ? done / total : 0;
    return cl_progress_ask(p->up, label, p->from + (p->to - p->from) * (f < 1 ? f : 1), 1.0);
}

static int mkdir_err(const char *dir, cl_error *err) {
    return mkdir(dir, 0777) && errno != EEXIST ? cl_error_set(err, CL_EIO, "%s: cannot create (%s)", dir, strerror(errno)) : 0;
}

/* The models of one family (Chronos-T5, Chronos-Bolt, Chronos-2: FAM_*), in the report's
 * order: the all-token induction step is Chronos-T5's only, each family's multisine input is
 * its own (tokens vs patches, method.md §4.2), the group-attention step Chronos-2's only. */
enum { FAM_T5, FAM_BOLT, FAM_C2, FAMS };
static const char *const FAM_SUFFIX[FAMS] = {"", "-bolt", "-chronos2"}; /* data/<step><suffix>/ */

static int family_of(const cl_model *m) { return cl_model_is_chronos2(m) ? FAM_C2 : cl_model_is_bolt(m) ? FAM_BOLT : FAM_T5; }

typedef struct family {
    int n, idx[CL_REPORT_MAX_MODELS];
    const char *dirs[CL_REPORT_MAX_MODELS], *names[CL_REPORT_MAX_MODELS];
    cl_model *m[CL_REPORT_MAX_MODELS];
    cl_study_model info[CL_REPORT_MAX_MODELS];
} family;

static void make_families(const cl_report_opts *o, cl_model *const *m, const cl_study_model *info, family fam[FAMS]) {
    memset(fam, 0, FAMS * sizeof *fam);
    for (int k = 0; k < o->n; k++) {
        family *f = &fam[family_of(m[k])];
        f->idx[f->n] = k;
        f->dirs[f->n] = o->dirs[k];
        f->names[f->n] = info[k].name;
        f->m[f->n] = m[k];
        f->info[f->n++] = info[k];
    }
}

/* The settings of each step, built once: checked against every model before the first
 * step runs, then run. */
typedef struct step_opts {
    family fam[FAMS];               /* the models of each family (FAM_*) */
    cl_induction_study_opts ind;
    cl_induction_study_opts ind_all; /* the claim `band`: every non-special token, scores only (T5) */
    cl_sweep_study_opts sweep;      /* cells too long for a model's context are skipped for it */
    cl_multisine_opts ms[FAMS];     /* per family: input fitted to the shortest context (cl_multisine_fit_models) */
    cl_multisine_opts ms_nb[FAMS];  /* the same with the author's notebooks' amplitudes */
    cl_group_attention_opts ga;     /* Chronos-2 models only */
} step_opts;

static void make_step_opts(const cl_report_opts *o, cl_model *const *m, const cl_study_model *info, step_opts *so) {
    make_families(o, m, info, so->fam);
    const int perms = o->quick ? 1000 : 10000;
    cl_induction_study_default(&so->ind);
    so->ind.base.rrt.batch = o->batch;
    so->ind.base.rrt.seed = o->seed;
    cl_sweep_study_default(&so->sweep);
    so->sweep.base.base.rrt.batch = o->sweep_batch;
    so->sweep.base.base.rrt.seed = o->seed;
    if (o->quick) {
        so->sweep.n_reps = so->sweep.n_lens = 3;
        for (int i = 0; i < 3; i++) so->sweep.reps[i] = so->sweep.lens[i] = 2 + 4 * i;
    }
    so->sweep.skip_unfit = 1; /* e.g. a Chronos-Bolt context of 32 patches holds R x L + 1 <= 32 only */
    for (int f = 0; f < FAMS; f++) {
        cl_multisine_default(&so->ms[f]);
        so->ms[f].seed = o->seed;
        so->ms[f].permutations = perms;
        so->ms[f].names = so->fam[f].names;
        so->ms[f].precision = o->precision;
    }
    /* the group-attention study's defaults; --quick: fewer groups, lags and noise levels */
    cl_group_attention_default(&so->ga);
    so->ga.seed = o->seed;
    so->ga.precision = o->precision;
    so->ga.names = so->fam[FAM_C2].names;
    /* Holm over a base model's 144 heads needs p below 0.05/144, which 1,000 shuffles cannot
     * give (1/1001); 10,000 even --quick: the shuffles cost nothing beside the passes (a
     * chronos2-small group-attention run: 27.0 s at 10,000, 28.5 s at 1,000, load ~16) */
    so->ga.permutations = 10000;
    if (o->quick) {
        so->ga.groups = 16;
        so->ga.n_lags = 3;
        so->ga.lags[0] = 0; so->ga.lags[1] = 1; so->ga.lags[2] = 2;
        so->ga.n_noises = 2;
        so->ga.noises[0] = 0; so->ga.noises[1] = 1;
    }
    so->ind_all = so->ind;
    so->ind_all.sampling_all = 1;
    so->ind_all.base.strict = 0;
}

/* Every step's settings against every model, before the first step runs: a report that
 * would fail at its third step fails now (R x L + 1 values of the induction step and of the
 * sweep's largest cell within each context_length; the multisine input fitted to it). */
static int check_steps(const cl_report_opts *o, cl_model *const *m, const cl_study_model *info, step_opts *so,
                       cl_error *err) {
    int rc = cl_induction_study_check(m, info, o->n, &so->ind, err);
    if (!rc) rc = cl_sweep_study_check(m, info, o->n, &so->sweep, err);
    for (int f = 0; f < FAMS && !rc; f++) {
        if (!so->fam[f].n) continue;
        rc = cl_multisine_fit_models(so->fam[f].dirs, so->fam[f].n, &so->ms[f], err);
        if (!rc) { /* the notebooks' amplitudes on the same (fitted) input */
            static const double AMPS[4] = {1, 0.75, 0.5, 0.5};
            so->ms_nb[f] = so->ms[f];
            for (int i = 0; i < so->ms_nb[f].input.n && i < 4; i++) so->ms_nb[f].input.amps[i] = AMPS[i];
        }
    }
    for (int k = 0; k < so->fam[FAM_C2].n && !rc; k++) { /* the group-attention step's lags within each context */
        int patches;
        if ((rc = cl_ga_check(cl_model_config(so->fam[FAM_C2].m[k]), &so->ga, &patches, err)))
            rc = cl_error_prefix(err, so->fam[FAM_C2].dirs[k]);
    }
    if (rc) {
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        snprintf(err->msg, sizeof err->msg, "%.700s; no report for it", msg);
    }
    return rc;
}

/* The setup of the run (its times are filled in as the steps end). */
/* The multisine input of a family's result as its run read it (Chronos-Bolt: at the patch
 * rate, cl_bolt_ms_input), described for the setup table; "" when the family has no models. */
static void describe_input(const cl_multisine_result *r, const char *amps, char *out, size_t n) {
    const cl_multisine *in = &r->opts.input;
    if (!r->n) out[0] = 0;
    else if (!r->bolt)
        snprintf(out, n, "5, 10, 20, 40 Hz, amplitudes %s, phases 0, %d points over %.4g s%s", amps, in->points,
                 in->duration, in->points < 301 ? " (the reference's 301 points per 3 s, cut to the shortest context)" : "");
    else
        snprintf(out, n, "5, 10, 20, 40 Hz, amplitudes %s, phases 0, %d values (%d per patch: %d patches, one attention "
                 "sample each) over %.4g s — the reference's rate of %.4g per second read as patches per second",
                 amps, in->points, r->stride, r->sig_points, in->duration, r->sig_points / in->duration);
}

/* The setup's multisine inputs, from the steps' results. */
static void describe_inputs(cl_report_inputs *in) {
    static const char *TEXT = "1, 0.5, 0.25, 0.25", *NB = "1, 0.75, 0.5, 0.5 (the author's notebooks)";
    cl_report_setup *s = &in->setup;
    describe_input(&in->ms, TEXT, s->ms_input, sizeof s->ms_input);
    describe_input(&in->ms_nb, NB, s->ms_nb_input, sizeof s->ms_nb_input);
    describe_input(&in->ms_bolt, TEXT, s->ms_input_bolt, sizeof s->ms_input_bolt);
    describe_input(&in->ms_nb_bolt, NB, s->ms_nb_input_bolt, sizeof s->ms_nb_input_bolt);
    describe_input(&in->ms_c2, TEXT, s->ms_input_c2, sizeof s->ms_input_c2);
    describe_input(&in->ms_nb_c2, NB, s->ms_nb_input_c2, sizeof s->ms_nb_input_c2);
}

static void fill_setup(const cl_report_opts *o, cl_model *const *m, const cl_study_model *info, int perms,
                       const step_opts *so, cl_report_setup *s) {
    snprintf(s->version, sizeof s->version, "%s", CHRONOLENS_VERSION);
    time_t t = time(NULL);
    strftime(s->created, sizeof s->created, "%Y-%m-%d %H:%M:%S UTC", gmtime(&t));
    s->quick = o->quick;
    s->seed = o->seed;
    s->threads = cl_get_threads();
    s->ind_seq_len = 10;
    s->ind_reps = 2;
    s->ind_batch = o->batch;
    s->ind_threshold = 0.3;
    snprintf(s->ind_tokens, sizeof s->ind_tokens, "band of the vocabulary around 0 (1910..2187 for 4096 tokens)");
    snprintf(s->ind_all_tokens, sizeof s->ind_all_tokens, "every non-special token (the claim band: band against all)");
    snprintf(s->sweep_reps, sizeof s->sweep_reps, "%s", o->quick ? "2,6,10" : "2,4,6,8,10");
    snprintf(s->sweep_lens, sizeof s->sweep_lens, "%s", o->quick ? "2,6,10" : "2,4,6,8,10");
    s->sweep_batch = o->sweep_batch;
    if (so->fam[FAM_BOLT].n || so->fam[FAM_C2].n)
        snprintf(s->ind_patches, sizeof s->ind_patches, "%s: repeated random patches, i.i.d. N(0, 1) values, "
                 "offset 0 (method.md §4.1)%s", so->fam[FAM_BOLT].n && so->fam[FAM_C2].n ? "Chronos-Bolt, Chronos-2"
                 : so->fam[FAM_BOLT].n ? "Chronos-Bolt" : "Chronos-2",
                 so->fam[FAM_C2].n ? "; Chronos-2: one future token, rows encoder and future" : "");
    s->ms_permutations = perms;
    s->mss_configs = o->configs;
    s->mss_permutations = perms;
    for (int k = 0; k < s->n; k++) {
        const cl_config *c = cl_model_config(m[k]);
        cl_report_model *x = &s->models[k];
        memcpy(x->name, info[k].name, sizeof x->name); /* same size, NUL-terminated */
        memcpy(x->path, info[k].path, sizeof x->path);
        x->parameters = (double)cl_model_param_count(m[k]);
        snprintf(x->dtype, sizeof x->dtype, "%s", cl_model_dtype(m[k]));
        x->d_model = c->d_model;
        x->d_ff = c->d_ff;
        x->d_kv = c->d_kv;
        x->heads = c->num_heads;
        x->encoder_layers = c->num_layers;
        x->decoder_layers = c->num_decoder_layers;
        x->vocab_size = c->vocab_size;
        x->precision = cl_model_precision(m[k]);
        x->chronos2 = cl_model_is_chronos2(m[k]);
        x->bolt = cl_model_is_bolt(m[k]) || x->chronos2; /* both read patches */
        x->context_length = c->context_length;
        x->patch_size = x->bolt ? c->patch_size : 0;
        x->patch_stride = x->bolt ? c->patch_stride : 0;
        x->reg_token = x->bolt && c->use_reg_token;
    }
    s->precision = s->n ? s->models[0].precision : CL_FP32; /* one for all (cl_induction_study_run checks) */
}

/* The four steps into tmp: each study run, its files and figures written. */
static int run_steps(const cl_report_opts *o, cl_model *const *m, const cl_study_model *info, step_opts *so,
                     const char *tmp, cl_report_inputs *in, int *heads, cl_error *err) {
    const int n = o->n, perms = o->quick ? 1000 : 10000;
    char data[PATH_MAX], figs[PATH_MAX], d[PATH_MAX], f[PATH_MAX];
    cl_path_join(data, sizeof data, tmp, "data");
    cl_path_join(figs, sizeof figs, tmp, "figures");
    int rc = mkdir_err(data, err);
    if (!rc) rc = mkdir_err(figs, err);
    for (int s = 0; s < CL_REPORT_STEPS && !rc; s++) {
        rc = mkdir_err(cl_path_join(d, sizeof d, data, CL_REPORT_STEP_NAMES[s]), err);
        if (!rc) rc = mkdir_err(cl_path_join(f, sizeof f, figs, CL_REPORT_STEP_NAMES[s]), err);
        step_progress sp = {&o->progress, s, SHARE[s], SHARE[s + 1]};
        cl_progress pr = {.ctx = &sp, .fn = on_step_progress};
        double t0 = cl_now();
        if (rc) break;
        if (s == CL_REPORT_INDUCTION || (s == CL_REPORT_INDUCTION_ALL && so->fam[0].n)) {
            /* induction-all: Chronos-T5's token sampling only (Bolt's patches have no band) */
            cl_induction_study_opts *io = s == CL_REPORT_INDUCTION ? &so->ind : &so->ind_all;
            cl_induction_set *set = s == CL_REPORT_INDUCTION ? &in->ind : &in->ind_all;
            const family *t5 = &so->fam[0];
            io->base.progress = pr;
            rc = s == CL_REPORT_INDUCTION ? cl_induction_study_run(m, info, n, io, set, err)
                                          : cl_induction_study_run(t5->m, t5->info, t5->n, io, set, err);
            if (!rc) rc = cl_induction_write(set, d, err);
            if (!rc) rc = cl_fig_induction_set(set, f, err);
        } else if (s == CL_REPORT_INDUCTION_ALL) { /* Chronos-Bolt models only: no token sampling to compare */
        } else if (s == CL_REPORT_SWEEP) {
            so->sweep.base.base.progress = pr;
            rc = cl_sweep_study_run(m, info, n, &so->sweep, &in->sweep, err);
            if (!rc) rc = cl_sweep_write(&in->sweep, d, err);
            if (!rc) rc = cl_fig_sweep_set(&in->sweep, heads, f, err);
        } else if (s == CL_REPORT_MULTISINE || s == CL_REPORT_MULTISINE_NB) {
            /* one run per family (data/<step>/ Chronos-T5, data/<step>-bolt/ Chronos-Bolt,
             * data/<step>-chronos2/ Chronos-2); the figures of all in figures/<step>/, by model name */
            cl_multisine_result *const RES[2][FAMS] = {{&in->ms, &in->ms_bolt, &in->ms_c2},
                                                       {&in->ms_nb, &in->ms_nb_bolt, &in->ms_nb_c2}};
            int fams = 0;
            for (int fa = 0; fa < FAMS; fa++) fams += so->fam[fa].n > 0;
            for (int fa = 0; fa < FAMS && !rc; fa++) {
                const family *fm = &so->fam[fa];
                if (!fm->n) continue;
                cl_multisine_opts *mo = s == CL_REPORT_MULTISINE ? &so->ms[fa] : &so->ms_nb[fa];
                cl_multisine_result *r = RES[s != CL_REPORT_MULTISINE][fa];
                char db[PATH_MAX + 16];
                snprintf(db, sizeof db, "%s%s", d, FAM_SUFFIX[fa]);
                step_progress spf = {&o->progress, s, SHARE[s] + (SHARE[s + 1] - SHARE[s]) * fm->idx[0] / n,
                                     SHARE[s] + (SHARE[s + 1] - SHARE[s]) * (fm->idx[0] + fm->n) / n};
                mo->progress = (cl_progress){.ctx = fams > 1 ? (void *)&spf : (void *)&sp,
                                             .fn = on_step_progress};
                if (fa) rc = mkdir_err(db, err);
                if (!rc) rc = cl_multisine_run(fm->dirs, fm->n, mo, r, err);
                if (!rc) rc = cl_multisine_write(r, db, err);
                if (!rc) rc = cl_fig_multisine_result(r, f, err);
            }
        } else {
            if (!(in->mss = calloc((size_t)n, sizeof *in->mss))) rc = cl_error_set(err, CL_ENOMEM, "report: out of memory");
            for (int k = 0; k < n && !rc; k++) {
                char md[PATH_MAX], mf[PATH_MAX];
                cl_path_join(md, sizeof md, d, info[k].name);
                cl_path_join(mf, sizeof mf, f, info[k].name);
                step_progress spk = {&o->progress, s, SHARE[s] + (SHARE[s + 1] - SHARE[s]) * k / n,
                                     SHARE[s] + (SHARE[s + 1] - SHARE[s]) * (k + 1) / n};
                cl_mssweep_opts wo;
                cl_mssweep_default(&wo);
                wo.seed = o->seed;
                wo.configs = o->configs;
                wo.permutations = perms;
                wo.progress = (cl_progress){.ctx = &spk, .fn = on_step_progress};
                wo.precision = o->precision;
                wo.name = info[k].name;
                rc = mkdir_err(md, err);
                if (!rc) rc = mkdir_err(mf, err);
                if (!rc) rc = cl_mssweep_run(o->dirs[k], &wo, &in->mss[k], err);
                if (!rc) rc = cl_mssweep_write(&in->mss[k], md, err);
                if (!rc) rc = cl_fig_mssweep_result(&in->mss[k], mf, err);
            }
        }
        in->setup.step_seconds[s] = cl_now() - t0;
    }
    return rc;
}

/* progress of the group-attention step, after the six steps: "report: group-attention (<stage>)" */
static int on_ga_progress(void *ctx, const char *stage, double done, double total) {
    char label[512];
    snprintf(label, sizeof label, "report: group-attention (%s)", stage);
    return cl_progress_ask(ctx, label, total > 0 ? done / total : 0, 1.0);
}

/* The group-attention study of the Chronos-2 models (docs/group_attention.md): its files under
 * data/group-attention/, its figures under figures/group-attention/, its settings in the setup. */
static int run_group_attention(const cl_report_opts *o, step_opts *so, const char *data, const char *figs,
                               cl_report_inputs *in, cl_error *err) {
    const family *c2 = &so->fam[FAM_C2];
    if (!c2->n) return 0;
    char d[PATH_MAX], f[PATH_MAX];
    int rc = mkdir_err(cl_path_join(d, sizeof d, data, "group-attention"), err);
    if (!rc) rc = mkdir_err(cl_path_join(f, sizeof f, figs, "group-attention"), err);
    const double t0 = cl_now();
    so->ga.progress = (cl_progress){.ctx = (void *)&o->progress, .fn = on_ga_progress};
    if (!rc) rc = cl_group_attention_run(c2->dirs, c2->n, &so->ga, &in->ga, err);
    if (!rc) rc = cl_group_attention_write(&in->ga, d, err);
    if (!rc) rc = cl_fig_group_attention(&in->ga, f, err);
    cl_report_setup *s = &in->setup;
    const cl_group_attention_opts *g = &in->ga.opts;
    s->ga_groups = g->groups;
    s->ga_group_size = g->group_size;
    s->ga_permutations = g->permutations;
    int len = 0;
    for (int i = 0; i < g->n_lags; i++) len += snprintf(s->ga_lags + len, sizeof s->ga_lags - len, "%s%d", i ? "," : "", g->lags[i]);
    len = 0;
    for (int i = 0; i < g->n_noises; i++)
        len += snprintf(s->ga_noises + len, sizeof s->ga_noises - len, "%s%g", i ? "," : "", g->noises[i]);
    s->ga_seconds = cl_now() - t0;
    return rc;
}

/* The attention patterns of every model on one input (report_pattern.c): data/patterns/NAME.json
 * and in->patterns, the page's section 8. */
static int run_patterns(const cl_report_opts *o, cl_model *const *m, const cl_study_model *info, const char *data,
                        cl_report_inputs *in, cl_error *err) {
    char d[PATH_MAX];
    int rc = mkdir_err(cl_path_join(d, sizeof d, data, "patterns"), err);
    cl_context csv = {0};
    if (!rc && o->context) rc = cl_context_read(o->context, &csv, err);
    if (!rc && !(in->patterns = calloc((size_t)o->n, sizeof *in->patterns)))
        rc = cl_error_set(err, CL_ENOMEM, "report: out of memory");
    for (int k = 0; k < o->n && !rc; k++) {
        cl_report_pattern pat;
        rc = cl_report_pattern_run(m[k], o->pattern_input, o->context ? &csv : NULL, o->seed, &pat, err);
        if (rc) { rc = cl_error_prefix(err, o->dirs[k]); break; }
        size_t len = 0;
        FILE *mf = open_memstream(&in->patterns[k], &len);
        if (!mf) { cl_report_pattern_free(&pat); rc = cl_error_set(err, CL_ENOMEM, "report: out of memory"); break; }
        cl_report_pattern_json(mf, &pat);
        fclose(mf);
        cl_report_pattern_free(&pat);
        char path[PATH_MAX + 300], name[300];
        snprintf(name, sizeof name, "%.255s.json", info[k].name);
        cl_path_join(path, sizeof path, d, name);
        FILE *f = fopen(path, "w");
        if (!f || fwrite(in->patterns[k], 1, len, f) != len) rc = cl_error_set(err, CL_EIO, "%s: cannot write", path);
        if (f && fclose(f) && !rc) rc = cl_error_set(err, CL_EIO, "%s: cannot write", path);
    }
    cl_context_free(&csv);
    return rc;
}

int cl_report_run(const cl_report_opts *oin, char *index, size_t index_n, cl_error *err) {
    cl_report_opts o = *oin;
    if (!o.out || !*o.out) return cl_error_set(err, CL_EINVAL, "option --out: empty path");
    if (o.n < 1 || o.n > CL_REPORT_MAX_MODELS) return cl_error_set(err, CL_EINVAL, "--model: 1 to %d models", CL_REPORT_MAX_MODELS);
    /* defaults: the study's batch for the induction steps and the sweep; the multisine sweep
     * sized to keep a report of tiny-to-base checkpoints within minutes (docs/report.md) */
    if (o.batch < 0) o.batch = o.quick ? 20 : 100;
    if (o.sweep_batch < 0) o.sweep_batch = o.quick ? 10 : 100; /* the study's batch: a count moves by a head at 25 */
    if (o.configs < 0) o.configs = o.quick ? 8 : 30;
    struct stat st;
    if (stat(o.out, &st) == 0) { /* replace only an earlier report or an empty folder */
        if (!S_ISDIR(st.st_mode)) return cl_error_set(err, CL_EINVAL, "--out %s: exists and is not a folder", o.out);
        char p[PATH_MAX];
        if (!is_empty_dir(o.out) && stat(cl_path_join(p, sizeof p, o.out, "data/setup.json"), &st) != 0)
            return cl_error_set(err, CL_EINVAL, "--out %s: exists and holds no earlier report (choose another folder)", o.out);
    }
    cl_model *m[CL_REPORT_MAX_MODELS] = {0};
    cl_study_model info[CL_REPORT_MAX_MODELS];
    int heads[CL_REPORT_MAX_MODELS];
    /* every model loads, has a token band and a unique name; kept for the sizes */
    const cl_load_opts lo = {o.precision};
    int rc = cl_study_models_load(o.dirs, o.names, o.n, NULL, &lo, m, info, err);
    for (int k = 0; k < o.n && !rc; k++) {
        int lo, hi;
        const cl_config *c = cl_model_config(m[k]);
        /* the heads the sweep counts: the decoder's (Chronos-2: the time attention of every layer) */
        heads[k] = (family_of(m[k]) == FAM_C2 ? c->num_layers : c->num_decoder_layers) * c->num_heads;
        /* Chronos-T5: its token band; Chronos-Bolt and Chronos-2: repeated random patches, no tokens */
        if (family_of(m[k]) == FAM_T5 && cl_rrt_token_band(cl_model_config(m[k]), &lo, &hi, err)) rc = cl_error_prefix(err, o.dirs[k]);
    }
    step_opts *so = rc ? NULL : calloc(1, sizeof *so); /* ~150 kB: the family lists */
    if (!rc && !so) rc = cl_error_set(err, CL_ENOMEM, "report: out of memory");
    if (!rc) make_step_opts(&o, m, info, so);
    if (!rc) rc = check_steps(&o, m, info, so, err);
    if (!rc && o.context) { /* the patterns' CSV: read and checked against every model before any work */
        cl_context csv;
        rc = cl_context_read(o.context, &csv, err);
        for (int k = 0; k < o.n && !rc; k++) rc = cl_context_check_model(&csv, m[k], err);
        if (!rc) cl_context_free(&csv);
    }
    if (!rc && (o.pattern_input < 0 || o.pattern_input > 1))
        rc = cl_error_set(err, CL_EINVAL, "report: pattern input %d (0: rrt, 1: multisine)", o.pattern_input);
    if (rc) {
        for (int k = 0; k < o.n; k++) cl_model_free(m[k]);
        free(so);
        return rc;
    }
    cl_outdir od; /* the whole report in a temporary folder beside --out, renamed in at the end */
    rc = cl_outdir_begin(&od, o.out, err);
    const char *tmp = od.tmp;
    cl_report_inputs in;
    memset(&in, 0, sizeof in);
    in.setup.n = o.n;
    if (!rc && !(in.setup.models = calloc((size_t)o.n, sizeof *in.setup.models)))
        rc = cl_error_set(err, CL_ENOMEM, "report: out of memory");
    const double t_all = cl_now();
    if (!rc) fill_setup(&o, m, info, o.quick ? 1000 : 10000, so, &in.setup);
    if (!rc) rc = run_steps(&o, m, info, so, tmp, &in, heads, err);
    if (!rc) describe_inputs(&in);
    char a[PATH_MAX], data[PATH_MAX], figs[PATH_MAX];
    cl_path_join(data, sizeof data, tmp, "data");
    cl_path_join(figs, sizeof figs, tmp, "figures");
    if (!rc && !(in.formation = calloc((size_t)o.n, sizeof *in.formation)))
        rc = cl_error_set(err, CL_ENOMEM, "report: out of memory");
    for (int k = 0; k < o.n && !rc; k++) { /* a model trained here: its induction heads over training */
        struct stat fst;
        char fp[PATH_MAX];
        if (stat(cl_path_join(fp, sizeof fp, o.dirs[k], "formation.csv"), &fst) == 0) rc = cl_formation_read(o.dirs[k], &in.formation[k], err);
    }
    if (!rc) rc = copy_formation(&o, &in.setup, data, figs, err);
    if (!rc) rc = run_group_attention(&o, so, data, figs, &in, err);
    if (!rc) rc = run_patterns(&o, m, info, data, &in, err);
    in.setup.seconds = cl_now() - t_all;
    if (!rc) rc = cl_report_setup_write(&in.setup, cl_path_join(a, sizeof a, data, "setup.json"), err);
    if (!rc) rc = cl_report_write(tmp, &in, err);
    if (!rc) rc = cl_outdir_commit(&od, CL_OUTDIR_REPLACE, err); /* docs/report.md: an earlier report is replaced */
    cl_outdir_abort(&od);
    for (int k = 0; k < o.n; k++) cl_model_free(m[k]);
    free(so);
    cl_report_inputs_free(&in);
    if (rc) return rc;
    char *full = realpath(o.out, NULL);
    snprintf(index, index_n, "%s/index.html", full ? full : o.out);
    free(full);
    return 0;
}
