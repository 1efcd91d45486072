/* decode_from.c — the decoder resumed at a layer's cross-attention (see decode_from.h).
 * The layer loop is cl_decode's own (cl_decoder_run in stack.c), so an uninterrupted pass
 * gives its numbers exactly. */
#include "model/decode_from.h"
#include "model/state.h"

int cl_decode_save(cl_state *s, const int32_t *dec_ids, int Td, int last_only, float *resid, cl_error *err) {
    const cl_config *c = &s->m->cfg;
    for (size_t i = 0; i < (size_t)s->B * Td; i++)
        if (dec_ids[i] < 0 || dec_ids[i] >= c->vocab_size)
            return cl_error_set(err, CL_EINVAL, "decoder input: token id %d outside the vocabulary [0, %d)", dec_ids[i],
                                c->vocab_size);
    return cl_decoder_run(s, dec_ids, Td, last_only, 0, NULL, resid, 0, err);
}

int cl_decode_from_cross(cl_state *s, int Td, int last_only, int layer, const float *resid, cl_error *err) {
    return cl_decoder_run(s, NULL, Td, last_only, layer, resid, NULL, 0, err);
}
