/* fuzz_util.h — shared by the fuzz targets: hand the fuzz input to the real parsers
 * (which take paths) through an in-memory file, and, without libFuzzer, a main() that
 * replays corpus files and directories (so the corpora run under the sanitizer build
 * of `make test` with any compiler). */
#ifndef CL_FUZZ_UTIL_H
#define CL_FUZZ_UTIL_H

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant of the parser under test: checked in every build type (assert() is not,
 * under NDEBUG); a failure aborts, which libFuzzer reports as a crash. Written to fd 2
 * directly, so that it shows even where a target has silenced the stderr stream. */
#define CHECK(c)                                                                       \
    do {                                                                               \
        if (!(c)) {                                                                    \
            dprintf(2, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c);          \
            abort();                                                                   \
        }                                                                              \
    } while (0)

/* Writes data into one memfd kept for the whole run (no disk traffic per input) and
 * returns its /proc path, which the parsers open like any file. */
__attribute__((unused)) static const char *fuzz_file(const uint8_t *data, size_t size) {
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("chronolens-fuzz", 0);
        if (fd < 0) { perror("memfd_create"); abort(); }
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0) abort();
    size_t done = 0;
    while (done < size) {
        ssize_t w = pwrite(fd, data + done, size - done, (off_t)done);
        if (w <= 0) abort();
        done += (size_t)w;
    }
    return path;
}

/* A NUL-terminated copy of the input (for parsers of C strings). Caller frees. */
__attribute__((unused)) static char *fuzz_cstr(const uint8_t *data, size_t size) {
    char *s = malloc(size + 1);
    if (!s) abort();
    memcpy(s, data, size);
    s[size] = 0;
    return s;
}

/* The tiny T5 that the seed tiny-*.safetensors files match (make_seeds.py TINY). */
__attribute__((unused)) static const char FUZZ_TINY_CONFIG[] =
    "{\"vocab_size\": 8, \"d_model\": 4, \"d_kv\": 2, \"num_heads\": 2, \"d_ff\": 8,"
    " \"num_layers\": 1, \"num_decoder_layers\": 1, \"relative_attention_num_buckets\": 4,"
    " \"relative_attention_max_distance\": 8, \"feed_forward_proj\": \"relu\","
    " \"chronos_config\": {\"n_tokens\": 8, \"n_special_tokens\": 2, \"context_length\": 16}}\n";

/* A fresh model folder (in memory where possible: accepted inputs are written back and
 * fsync'ed) named cl-fuzz-TAG-XXXXXX, holding config.json = FUZZ_TINY_CONFIG. */
__attribute__((unused)) static void fuzz_tiny_model_dir(const char *tag, char *dir, size_t n) {
    struct stat st;
    snprintf(dir, n, "%s/cl-fuzz-%s-XXXXXX", stat("/dev/shm", &st) == 0 ? "/dev/shm" : "/tmp", tag);
    if (!mkdtemp(dir)) abort();
    char p[256];
    snprintf(p, sizeof p, "%s/config.json", dir);
    FILE *f = fopen(p, "w");
    if (!f) abort();
    fputs(FUZZ_TINY_CONFIG, f);
    fclose(f);
}

#ifndef FUZZING_ENGINE
static int replay_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) { fprintf(stderr, "%s: cannot open\n", path); return -1; }
    size_t cap = 4096, n = 0, r;
    uint8_t *buf = malloc(cap);
    while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    if (!buf) abort();
    /* an exact-size copy, so that ASan sees reads past the input's end */
    uint8_t *in = malloc(n ? n : 1);
    memcpy(in, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(in, n);
    free(in);
    return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b) {
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* Replays every file named, and every regular file in every directory named. */
int main(int argc, char **argv) {
    int runs = 0, bad = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) { fprintf(stderr, "%s: not found\n", argv[i]); bad++; continue; }
        if (!S_ISDIR(st.st_mode)) { bad += replay_file(argv[i]) != 0; runs++; continue; }
        struct dirent **ents;
        int n = scandir(argv[i], &ents, NULL, by_name);
        if (n < 0) { fprintf(stderr, "%s: cannot list\n", argv[i]); bad++; continue; }
        for (int k = 0; k < n; k++) {
            char p[4096];
            snprintf(p, sizeof p, "%s/%s", argv[i], ents[k]->d_name);
            if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) { bad += replay_file(p) != 0; runs++; }
            free(ents[k]);
        }
        free(ents);
    }
    fprintf(stderr, "%s: replayed %d inputs\n", argv[0], runs);
    if (runs == 0) { fprintf(stderr, "%s: no inputs (usage: %s FILE|DIR...)\n", argv[0], argv[0]); return 1; }
    return bad ? 1 : 0;
}
#endif
#endif
