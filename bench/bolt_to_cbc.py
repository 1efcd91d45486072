"""Writes a Chronos-Bolt Hugging Face folder (config.json + F32 model.safetensors, e.g. from
`chronolens init --size bolt-small`) as the binary checkpoint chronos-bolt.c reads: magic
'b0lt', version 1, its config struct (12 x 4 bytes + 9 float quantiles), then the weights in
its fixed order (layers of each kind stacked). Only the standard library: the tensors are
copied as bytes.
usage: python3 bench/bolt_to_cbc.py MODEL_DIR OUT.bin"""
import json
import os
import struct
import sys


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        head = json.loads(f.read(n))
        data = f.read()
    out = {}
    for k, v in head.items():
        if k == "__metadata__":
            continue
        if v["dtype"] != "F32":
            sys.exit(f"{path}: tensor {k} is {v['dtype']} (this converter copies F32 only)")
        a, b = v["data_offsets"]
        out[k] = data[a:b]
    return out


def main(mdir, out):
    cfg = json.load(open(os.path.join(mdir, "config.json")))
    cc = cfg["chronos_config"]
    w = read_safetensors(os.path.join(mdir, "model.safetensors"))
    if len(cc["quantiles"]) != 9 or not cc.get("use_reg_token") or cc.get("input_patch_stride", 16) != cc["input_patch_size"]:
        sys.exit("chronos-bolt.c needs 9 quantiles, a [REG] token and stride = patch size")
    ne, nd = cfg["num_layers"], cfg.get("num_decoder_layers", cfg["num_layers"])
    order = ["shared.weight"]
    order += [f"input_patch_embedding.{l}.{p}" for l in ("hidden_layer", "output_layer", "residual_layer")
              for p in ("weight", "bias")]
    enc = "encoder.block.{}.layer."
    order.append("encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight")
    for n in ("q", "k", "v", "o"):
        order += [enc.format(i) + f"0.SelfAttention.{n}.weight" for i in range(ne)]
    order += [enc.format(i) + "0.layer_norm.weight" for i in range(ne)]
    order += [enc.format(i) + "1.DenseReluDense.wi.weight" for i in range(ne)]
    order += [enc.format(i) + "1.DenseReluDense.wo.weight" for i in range(ne)]
    order += [enc.format(i) + "1.layer_norm.weight" for i in range(ne)]
    order.append("encoder.final_layer_norm.weight")
    dec = "decoder.block.{}.layer."
    order.append("decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight")
    for n in ("q", "k", "v", "o"):
        order += [dec.format(i) + f"0.SelfAttention.{n}.weight" for i in range(nd)]
    order += [dec.format(i) + "0.layer_norm.weight" for i in range(nd)]
    for n in ("q", "k", "v", "o"):
        order += [dec.format(i) + f"1.EncDecAttention.{n}.weight" for i in range(nd)]
    order += [dec.format(i) + "1.layer_norm.weight" for i in range(nd)]
    order += [dec.format(i) + "2.DenseReluDense.wi.weight" for i in range(nd)]
    order += [dec.format(i) + "2.DenseReluDense.wo.weight" for i in range(nd)]
    order += [dec.format(i) + "2.layer_norm.weight" for i in range(nd)]
    order.append("decoder.final_layer_norm.weight")
    order += [f"output_patch_embedding.{l}.{p}" for l in ("hidden_layer", "output_layer", "residual_layer")
              for p in ("weight", "bias")]
    with open(out, "wb") as f:
        f.write(struct.pack("<II", 0x62306C74, 1))
        f.write(struct.pack("<8I", cfg["d_model"], cfg["d_ff"], cfg["d_kv"], cfg["num_heads"], ne, nd,
                            cfg.get("relative_attention_num_buckets", 32), cfg.get("relative_attention_max_distance", 128)))
        f.write(struct.pack("<f", cfg.get("layer_norm_epsilon", 1e-6)))
        f.write(struct.pack("<3I", cc["context_length"], cc["prediction_length"], cc["input_patch_size"]))
        f.write(struct.pack("<9f", *cc["quantiles"]))
        for k in order:
            f.write(w[k])
    print(f"{out}: {len(order)} tensors")


if __name__ == "__main__":
    main(*sys.argv[1:3])
