/* decode_from.h — decoder passes that resume at the cross-attention of a layer, for
 * interventions there (ablating or patching a cross-attention head of layer l changes
 * nothing before that sublayer, so the layers below need not run again).
 *
 * Same math as cl_decode, without capture: cl_decode_save runs the whole decoder and keeps
 * the residual stream entering each layer's cross-attention sublayer; cl_decode_from_cross
 * restarts there, with the state's current gates. Both need a state on which cl_decode has
 * just run with the same Td (buffers sized, cross-attention keys/values cached) and the
 * encoder output unchanged since. */
#ifndef CL_DECODE_FROM_H
#define CL_DECODE_FROM_H

#include "chronolens.h"
#include "core/export.h"

/* As cl_decode(s, dec_ids, Td, last_only), and resid (layers, B*Td, d_model) receives the
 * residual stream at the input of every layer's cross-attention sublayer. */
CL_INTERNAL int cl_decode_save(cl_state *s, const int32_t *dec_ids, int Td, int last_only, float *resid, cl_error *err);

/* Resumes at the cross-attention sublayer of `layer` from resid[layer] (as written by
 * cl_decode_save on this encoder output and these decoder ids), runs the rest of the decoder
 * and the output head; logits as cl_decode. FLOPs are counted in cl_state_flops. */
CL_INTERNAL int cl_decode_from_cross(cl_state *s, int Td, int last_only, int layer, const float *resid, cl_error *err);

#endif
