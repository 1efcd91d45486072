/* opt.c — the commands' option tables at work: parsing argv into a command's arguments, the
 * nearest option of a mistyped one, the help (wrapped to the terminal), the usage lines and
 * docs/cli.md. What each option means and where it goes is in its command's table (cmd_*.c). */
#include "opt.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* ------------------------------------------------------------------ common options */

static int set_threads(const cli_opt *o, void *args, const char *value, const char *cmd) {
    (void)o; (void)value; (void)cmd;
    cl_set_threads(((cli_ui *)args)->threads);
    return 0;
}

/* Every command's, after its own (the arguments begin with a cli_ui: offsets into it). */
static const cli_opt COMMON[] = {
    {.name = "--threads", .arg = "N", .type = OPT_INT, .off = offsetof(cli_ui, threads), .ilo = 1, .ihi = 1024,
     .fn = set_threads, .def = "the usable cores", .help = "worker threads"},
    {.name = "--quiet", .alias = "-q", .type = OPT_FLAG, .off = offsetof(cli_ui, quiet),
     .help = "no progress or summary on stderr (also -q)"},
    {.name = "--progress", .type = OPT_FLAG, .off = offsetof(cli_ui, progress),
     .help = "progress on stderr also when it is no terminal (a file, pipe, notebook or Slurm log): one line per stage "
             "and 10% step, no carriage returns"},
    {.name = "--help", .alias = "-h", .type = OPT_HELP, .def = "", .help = "this help (also -h)"},
    {NULL},
};

/* ------------------------------------------------------------------ shared option handlers */

#define FIELD(args, o, type) CLI_FIELD(o, args, type)

int cli_opt_precision(const cli_opt *o, void *args, const char *value, const char *cmd) {
    (void)cmd;
    if (cl_precision_parse(value, FIELD(args, o, cl_precision)))
        return cli_fail("option --precision: '%.200s' is not fp32 or bf16", value), -1;
    return 0;
}

const char *cli_show_precision(const cli_opt *o, const void *args, char *buf, size_t n) {
    (void)buf; (void)n;
    return cl_precision_name(*(const cl_precision *)((const char *)args + o->off));
}

int cli_opt_shard(const cli_opt *o, void *args, const char *value, const char *cmd) {
    (void)cmd;
    cl_error err;
    if (cl_shard_parse(value, FIELD(args, o, cl_shard), &err)) return cli_fail("%s", err.msg), -1;
    return 0;
}

int cli_opt_model(const cli_opt *o, void *args, const char *value, const char *cmd) {
    (void)cmd;
    cli_models *m = FIELD(args, o, cli_models);
    if (m->n == m->max) return cli_fail(m->too_many, m->max), -1;
    m->dirs[m->n++] = value;
    return 0;
}

int cli_opt_name(const cli_opt *o, void *args, const char *value, const char *cmd) {
    cli_models *m = FIELD(args, o, cli_models);
    cl_error err;
    if (!m->n || m->names[m->n - 1])
        return cli_fail("%s: --name %s: give it after the --model it names (one --name per --model)", cmd, value), -1;
    if (cl_study_name_check(value, &err)) return cli_fail("%s: --%s", cmd, err.msg), -1;
    m->names[m->n - 1] = value;
    return 0;
}

/* ------------------------------------------------------------------ parsing */

/* the command's option, then the common ones: NULL-terminated tables walked as one */
static const cli_opt *find_opt(const cli_cmd *c, const char *a, int *index) {
    int k = 0;
    for (const cli_opt *o = c->opts; o->name; o++, k++)
        if (!strcmp(a, o->name) || (o->alias && !strcmp(a, o->alias))) return *index = k, o;
    for (const cli_opt *o = COMMON; o->name; o++, k++)
        if (!strcmp(a, o->name) || (o->alias && !strcmp(a, o->alias))) return *index = k, o;
    return NULL;
}

/* Levenshtein distance of two short strings (names of at most 63 characters) */
static int edits(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63) return 1 << 20;
    int d[64][64];
    for (size_t i = 0; i <= la; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int x = d[i - 1][j] + 1, y = d[i][j - 1] + 1, z = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            d[i][j] = x < y ? (x < z ? x : z) : (y < z ? y : z);
        }
    return d[la][lb];
}

const char *cli_nearest(const char *s, const char *const *list, int n) {
    const char *best = NULL;
    int bd = 1 << 20;
    for (int i = 0; i < n; i++) {
        int d = edits(s, list[i]);
        if (d < bd) bd = d, best = list[i];
    }
    /* a typo, not another word: two edits, three in a long name */
    return best && bd <= (strlen(s) >= 12 ? 3 : 2) ? best : NULL;
}

static int unknown(const cli_cmd *c, const char *a) {
    const char *names[2 * CLI_MAX_OPTS];
    int n = 0;
    for (const cli_opt *o = c->opts; o->name; o++) names[n++] = o->name;
    for (const cli_opt *o = COMMON; o->name; o++) names[n++] = o->name;
    const char *near = a[0] == '-' ? cli_nearest(a, names, n) : NULL;
    if (near) return cli_fail("%s: unknown argument '%s' (did you mean %s?)", c->name, a, near);
    return cli_fail("%s: unknown argument '%s'", c->name, a);
}

static int bad_int(const cli_opt *o, const char *v) {
    return cli_fail("option %s: '%s' is not an integer in [%ld, %ld]", o->name, v, o->ilo, o->ihi), -1;
}

/* the value v of typed option o into its field */
static int store(const cli_opt *o, void *args, const char *v) {
    char *end;
    switch (o->type) {
    case OPT_STR: *FIELD(args, o, const char *) = v; return 0;
    case OPT_INT: case OPT_LONG: case OPT_U64: {
        errno = 0;
        long x = strtol(v, &end, 10);
        if (!*v || *end || errno || x < o->ilo || x > o->ihi) return bad_int(o, v);
        if (o->type == OPT_INT) *FIELD(args, o, int) = (int)x;
        else if (o->type == OPT_LONG) *FIELD(args, o, long) = x;
        else *FIELD(args, o, uint64_t) = (uint64_t)x;
        return 0;
    }
    case OPT_NUM: {
        double x = strtod(v, &end);
        if (!*v || *end || !isfinite(x) || x < o->dlo || x > o->dhi)
            return cli_fail("option %s: '%s' is not a number in [%g, %g]", o->name, v, o->dlo, o->dhi), -1;
        *FIELD(args, o, double) = x;
        return 0;
    }
    case OPT_INTS: {
        long x[1024];
        int n = 0, *count = (int *)((char *)args + o->noff);
        if (o->max > 1024 || cl_parse_long_list(v, o->ilo, o->ihi, x, o->max, &n) != 0)
            return cli_fail("option %s: '%.200s' is not a comma-separated list of at most %d integers in [%ld, %ld]",
                            o->name, v, o->max, o->ilo, o->ihi), -1;
        for (int i = 0; i < n; i++) FIELD(args, o, int)[i] = (int)x[i];
        *count = n;
        return 0;
    }
    default: return 0;
    }
}

int cli_parse(const cli_cmd *c, void *args, int argc, char **argv, cli_parsed *p) {
    memset(args, 0, c->size);
    *(cli_ui *)args = (cli_ui)CLI_UI_INIT;
    if (c->init) c->init(args);
    memset(p, 0, sizeof *p);
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        int k;
        const cli_opt *o = find_opt(c, argv[i], &k);
        if (!o) {
            if (argv[i][0] == '-' || !c->pos) return unknown(c, argv[i]);
            if (c->pos(args, argv[i]) < 0) return EXIT_BAD;
            npos++;
            continue;
        }
        const char *v = NULL;
        if (o->type == OPT_FLAG || o->type == OPT_CLEAR) {
            *FIELD(args, o, int) = o->type == OPT_FLAG;
        } else if (o->type != OPT_HELP) {
            if (i + 1 >= argc) return cli_fail("option %s needs a value", argv[i]);
            v = argv[++i];
            if (store(o, args, v) < 0) return EXIT_BAD;
        }
        p->given[k] = 1;
        if (o->fn && o->fn(o, args, v, c->name) < 0) return EXIT_BAD;
    }
    for (const cli_opt *o = c->opts; o->name; o++)
        if ((o->flags & OPT_REQUIRED) && !p->given[o - c->opts]) return cli_usage_fail(c);
    if (c->need_positional && !npos) return cli_usage_fail(c);
    return 0;
}

int cli_given(const cli_cmd *c, const cli_parsed *p, const char *name) {
    int k;
    return find_opt(c, name, &k) && p->given[k];
}

/* ------------------------------------------------------------------ usage lines */

/* A usage word's spaces are NB (wrap() breaks lines between words only, and prints NB as a
 * space): "[--seq-len L]" stays on one line. */
#define NB '\x01'
static void unbreak(char *s) {
    for (; *s; s++)
        if (*s == NB) *s = ' ';
}

/* "chronolens CMD" and its words: plain arguments, then the options (all: every option; else
 * the required ones and "[options]") */
static size_t usage_words(const cli_cmd *c, int all, const char **w, char (*buf)[96], size_t max) {
    size_t n = 0;
    if (c->positional) w[n++] = c->positional;
    for (const cli_opt *o = c->opts; o->name && n + 3 < max; o++) {
        int req = o->flags & OPT_REQUIRED;
        if (!all && !req) continue;
        const char *arg = o->arg ? o->arg : "";
        const char *sp = o->arg ? "\x01" : "";
        if (req && (o->flags & OPT_REPEAT))
            snprintf(buf[n], sizeof buf[n], "%s%s%s\x01[%s%s%s\x01...]", o->name, sp, arg, o->name, sp, arg);
        else if (req) snprintf(buf[n], sizeof buf[n], "%s%s%s", o->name, sp, arg);
        else snprintf(buf[n], sizeof buf[n], "[%s%s%s%s]", o->name, sp, arg, o->flags & OPT_REPEAT ? "\x01..." : "");
        w[n] = buf[n];
        n++;
    }
    if (all) w[n++] = "[--threads\x01N]", w[n++] = "[--quiet]", w[n++] = "[--progress]";
    else w[n++] = "[options]";
    return n;
}

int cli_usage_fail(const cli_cmd *c) {
    const char *w[2 * CLI_MAX_OPTS];
    char buf[2 * CLI_MAX_OPTS][96];
    size_t n = usage_words(c, 0, w, buf, sizeof w / sizeof w[0]);
    char line[2048];
    size_t len = (size_t)snprintf(line, sizeof line, "%s: usage: chronolens %s", c->name, c->name);
    for (size_t i = 0; i < n && len < sizeof line; i++) len += (size_t)snprintf(line + len, sizeof line - len, " %s", w[i]);
    unbreak(line);
    return cli_fail("%s (chronolens %s --help)", line, c->name);
}

/* ------------------------------------------------------------------ the default of an option */

static const char *default_of(const cli_opt *o, const void *args, char *buf, size_t n) {
    if (o->flags & OPT_REQUIRED) return "required";
    if (o->def) return o->def;
    if (o->show) return o->show(o, args, buf, n);
    const char *f = (const char *)args + o->off;
    switch (o->type) {
    case OPT_FLAG: return *(const int *)f ? "on" : "off";
    case OPT_CLEAR: return *(const int *)f ? "off" : "on";
    case OPT_STR: return *(const char *const *)f ? *(const char *const *)f : "none";
    case OPT_INT: snprintf(buf, n, "%d", *(const int *)f); return buf;
    case OPT_LONG: snprintf(buf, n, "%ld", *(const long *)f); return buf;
    case OPT_U64: snprintf(buf, n, "%" PRIu64, *(const uint64_t *)f); return buf;
    case OPT_NUM: snprintf(buf, n, "%g", *(const double *)f); return buf;
    case OPT_INTS: {
        const int count = *(const int *)((const char *)args + o->noff);
        if (!count) return "none";
        size_t len = 0;
        buf[0] = 0;
        for (int i = 0; i < count && len < n; i++)
            len += (size_t)snprintf(buf + len, n - len, "%s%d", i ? "," : "", ((const int *)f)[i]);
        return buf;
    }
    default: return "";
    }
}

/* the command's arguments with their defaults (for the help); NULL when out of memory */
static void *defaults(const cli_cmd *c) {
    void *a = calloc(1, c->size);
    if (!a) return NULL;
    *(cli_ui *)a = (cli_ui)CLI_UI_INIT;
    if (c->init) c->init(a);
    return a;
}

/* ------------------------------------------------------------------ the help */

/* columns of f: the terminal's when f is one, else 80 */
static int width_of(FILE *f) {
    struct winsize ws;
    if (isatty(fileno(f)) && ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40) return ws.ws_col;
    return 80;
}

/* text from column col on, its words wrapped at width, continuation lines indented by indent */
static void wrap(FILE *f, const char *text, int col, int indent, int width) {
    const char *p = text;
    int first = 1;
    while (*p) {
        while (*p == ' ') p++;
        if (!*p) break;
        size_t len = strcspn(p, " ");
        if (!first && col + 1 + (int)len > width) {
            fprintf(f, "\n%*s", indent, "");
            col = indent;
        } else if (!first) {
            fputc(' ', f);
            col++;
        }
        for (size_t k = 0; k < len; k++) fputc(p[k] == NB ? ' ' : p[k], f);
        col += (int)len;
        p += len;
        first = 0;
    }
    fputc('\n', f);
}

/* an example command line, still one command when wrapped: broken before an option with a
 * shell continuation (" \\") */
static void example(FILE *f, const char *cmd, int width) {
    int col = fprintf(f, "  ");
    for (const char *p = cmd; *p;) {
        while (*p == ' ') p++;
        size_t len = strcspn(p, " ");
        if (!len) break;
        if (col > 2 && p[0] == '-') { /* an option and its values stay on one line */
            size_t group = len;
            for (const char *q = p + len; *q == ' ' && q[1] && q[1] != '-';) {
                size_t l = strcspn(q + 1, " ");
                group += 1 + l;
                q += 1 + l;
            }
            if (col + 1 + (int)group + 2 > width) {
                fputs(" \\\n    ", f);
                col = 4;
            } else col += fprintf(f, " ");
        } else if (col > 2) col += fprintf(f, " ");
        col += (int)fwrite(p, 1, len, f);
        p += len;
    }
    fputc('\n', f);
}

static void help_opt(FILE *f, const cli_opt *o, const void *args, int width) {
    char head[96], def[256], text[1024];
    snprintf(head, sizeof head, "%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
    const char *d = default_of(o, args, def, sizeof def);
    if (o->flags & OPT_REQUIRED) snprintf(text, sizeof text, "%s (required)", o->help);
    else if (d[0]) snprintf(text, sizeof text, "%s [default: %s]", o->help, d);
    else snprintf(text, sizeof text, "%s", o->help);
    int col = fprintf(f, "  %-24s ", head);
    wrap(f, text, col, 27, width);
}

void cli_help(FILE *f, const cli_cmd *c) {
    const int width = width_of(f);
    void *args = defaults(c);
    if (!args) return;
    const char *w[2 * CLI_MAX_OPTS];
    char buf[2 * CLI_MAX_OPTS][96], line[4096];
    size_t n = usage_words(c, 1, w, buf, sizeof w / sizeof w[0]), len = 0;
    line[0] = 0;
    for (size_t i = 0; i < n && len < sizeof line; i++)
        len += (size_t)snprintf(line + len, sizeof line - len, "%s%s", i ? " " : "", w[i]);
    int col = fprintf(f, "usage: chronolens %s ", c->name);
    wrap(f, line, col, col, width);
    fputc('\n', f);
    wrap(f, c->summary, 0, 0, width);
    fputs("\noptions:\n", f);
    for (const cli_opt *o = c->opts; o->name; o++) help_opt(f, o, args, width);
    for (const cli_opt *o = COMMON; o->name; o++) help_opt(f, o, args, width);
    fputc('\n', f);
    wrap(f, "An option's value may follow it or be joined by '=' (--samples=5).", 0, 0, width);
    fputs("\nexample:\n", f);
    example(f, c->example, width);
    free(args);
}

void cli_help_commands(FILE *f, const cli_cmd *const *cmds, int n) {
    const int width = width_of(f);
    for (int i = 0; i < n; i++) {
        int col = fprintf(f, "  chronolens %-16s ", cmds[i]->name);
        wrap(f, cmds[i]->summary, col, col, width);
    }
}

/* ------------------------------------------------------------------ docs/cli.md */

/* s into a Markdown table cell: '|' escaped */
static void cell(FILE *f, const char *s) {
    for (; *s; s++) {
        if (*s == '|') fputc('\\', f);
        fputc(*s, f);
    }
}

static void md_opt(FILE *f, const cli_opt *o, const void *args) {
    char def[256];
    fputs("| `", f);
    cell(f, o->name);
    if (o->arg) fputc(' ', f), cell(f, o->arg);
    fputs("` | ", f);
    cell(f, default_of(o, args, def, sizeof def));
    fputs(" | ", f);
    cell(f, o->help);
    fputs(" |\n", f);
}

void cli_help_markdown(FILE *f, const cli_cmd *const *cmds, int ncmds) {
    fputs("# Command-line reference\n\n"
          "<!-- Generated by `chronolens help --markdown` from the option tables of tools/cmd_*.c\n"
          "     (`make -C build docs_cli` rewrites it; tests/test_help.c checks it): edit the tables. -->\n\n"
          "`chronolens COMMAND [options]`. `chronolens help COMMAND` (or `chronolens COMMAND --help`)\n"
          "prints a command's options with their defaults and an example; an unknown option is refused\n"
          "with the nearest one named. An option's value may follow it or be joined by `=`\n"
          "(`--samples=5`). Bad input is one line on stderr naming the file or option, exit status 2.\n\n"
          "## Commands\n\n| Command | What it does |\n|---|---|\n", f);
    for (int i = 0; i < ncmds; i++) {
        fprintf(f, "| [`%s`](#chronolens-%s) | ", cmds[i]->name, cmds[i]->name);
        cell(f, cmds[i]->summary);
        fputs(" |\n", f);
    }
    fputs("\nEvery command also takes the common options:\n\n| Option | Default | Meaning |\n|---|---|---|\n", f);
    const cli_ui ui = CLI_UI_INIT;
    for (const cli_opt *o = COMMON; o->name; o++) md_opt(f, o, &ui);
    for (int i = 0; i < ncmds; i++) {
        const cli_cmd *c = cmds[i];
        void *args = defaults(c);
        if (!args) return;
        const char *w[2 * CLI_MAX_OPTS];
        char buf[2 * CLI_MAX_OPTS][96];
        size_t n = usage_words(c, 1, w, buf, sizeof w / sizeof w[0]);
        fprintf(f, "\n### `chronolens %s`\n\n%s\n\n```\nchronolens %s", c->name, c->summary, c->name);
        for (size_t k = 0; k < n; k++) {
            char word[96];
            snprintf(word, sizeof word, "%s", w[k]);
            unbreak(word);
            fprintf(f, " %s", word);
        }
        fputs("\n```\n\n| Option | Default | Meaning |\n|---|---|---|\n", f);
        for (const cli_opt *o = c->opts; o->name; o++) md_opt(f, o, args);
        fprintf(f, "\nExample: `%s`\n", c->example);
        free(args);
    }
}
