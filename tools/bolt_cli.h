/* bolt_cli.h — the commands' Chronos-Bolt paths, so that each cmd_*.c only dispatches. */
#ifndef CL_BOLT_CLI_H
#define CL_BOLT_CLI_H

#include "chronolens.h"

/* `info` on a Bolt model: family, sizes, patch settings, quantiles. */
void bolt_info(const cl_model *m, const char *dir);
/* `forward` on a Bolt model: every tensor of the Bolt golden (loc, scale, attention_mask,
 * input_embeds, encoder_hidden, enc_attn.l, dec_attn.l, cross_attn.l, decoder_hidden,
 * quantile_preds) for context (B, L) into out_path. */
int bolt_forward(const cl_model *m, const float *ctx, int B, int L, const char *out_path, cl_error *err);
/* `embed` on a Bolt model: emb (B, T, d_model) and loc/scale (B, 2) of context (B, L) in
 * passes of `batch` series. emb (B*T*d) and ls (B*2) are the caller's. */
int bolt_embed(const cl_model *m, const float *ctx, int B, int L, int batch, float *emb, float *ls,
               const cl_progress *pr, cl_error *err);
#endif
