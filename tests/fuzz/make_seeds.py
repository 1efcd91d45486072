#!/usr/bin/python3
"""make_seeds.py — writes the hand-made seed inputs of tests/fuzz/corpus/<target>/.

Run from the repository root: /usr/bin/python3 tests/fuzz/make_seeds.py
Only small files: valid safetensors seeds are a tiny T5 (d_model 4) crafted here, never
the fixtures' model weights. Crash reproducers found by `make fuzz` are added to the
corpus directories by hand as regress-*.bin and are not touched by this script."""
import json, os, shutil, struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
FIX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")


def put(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ----------------------------------------------------------------- safetensors
DT = {"F32": ("<f", 4), "F16": ("<e", 2), "BF16": (None, 2), "F64": ("<d", 8), "I64": ("<q", 8),
      "I32": ("<i", 4), "I16": ("<h", 2), "I8": ("<b", 1), "U8": ("<B", 1), "BOOL": ("<B", 1)}


def pack(dtype, values):
    fmt, size = DT[dtype]
    if dtype == "BF16":
        return b"".join(struct.pack("<f", v)[2:] for v in values)
    if dtype == "BOOL":
        values = [int(bool(v)) for v in values]
    if dtype.startswith("I") or dtype == "U8":
        values = [int(v) for v in values]
    return b"".join(struct.pack(fmt, v) for v in values)


def safetensors(tensors, meta=None, raw_header=None, pad=True):
    """tensors: list of (name, dtype, shape, values)."""
    header, data = {}, b""
    for name, dtype, shape, values in tensors:
        blob = pack(dtype, values)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(blob)]}
        data += blob
    if meta is not None:
        header["__metadata__"] = meta
    h = raw_header if raw_header is not None else json.dumps(header, separators=(",", ":")).encode()
    if pad:
        h += b" " * ((8 - len(h) % 8) % 8)
    return struct.pack("<Q", len(h)) + h + data


def numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


# the tiny T5 of fuzz_safetensors.c's TINY_CONFIG
V, D, H, DKV, F, NB = 8, 4, 2, 2, 8, 4
HD = H * DKV


def tiny(dtype):
    t = []
    k = [0]

    def add(name, shape):
        n = numel(shape)
        t.append((name, dtype, shape, [((k[0] + i) % 7 - 3) / 4 for i in range(n)]))
        k[0] += n

    add("shared.weight", [V, D])
    for stack in ("encoder", "decoder"):
        add(f"{stack}.block.0.layer.0.SelfAttention.relative_attention_bias.weight", [NB, H])
        attns = ["0.SelfAttention"] + (["1.EncDecAttention"] if stack == "decoder" else [])
        for i, a in enumerate(attns):
            for p in "qkv":
                add(f"{stack}.block.0.layer.{a}.{p}.weight", [HD, D])
            add(f"{stack}.block.0.layer.{a}.o.weight", [D, HD])
            add(f"{stack}.block.0.layer.{i}.layer_norm.weight", [D])
        fl = len(attns)
        add(f"{stack}.block.0.layer.{fl}.DenseReluDense.wi.weight", [F, D])
        add(f"{stack}.block.0.layer.{fl}.DenseReluDense.wo.weight", [D, F])
        add(f"{stack}.block.0.layer.{fl}.layer_norm.weight", [D])
        add(f"{stack}.final_layer_norm.weight", [D])
    return t


def safetensors_seeds():
    for dt in ("F32", "BF16", "F16"):
        put("safetensors", f"tiny-{dt.lower()}.safetensors", safetensors(tiny(dt), {"format": "pt"}))
    put("safetensors", "empty-header.safetensors", struct.pack("<Q", 2) + b"{}")
    put("safetensors", "metadata-only.safetensors", safetensors([], {"format": "pt", "x": "y"}))
    for dt in DT:
        put("safetensors", f"one-{dt.lower()}.safetensors", safetensors([("t", dt, [2, 3], range(6))]))
    put("safetensors", "scalar.safetensors", safetensors([("s", "F32", [], [1.5])]))
    put("safetensors", "zero-size.safetensors",
        safetensors([("z", "F32", [0, 4], []), ("a", "F32", [1], [2.0])]))
    put("safetensors", "unpadded.safetensors", safetensors([("a", "I8", [3], [1, 2, 3])], pad=False))
    put("safetensors", "eight-dims.safetensors", safetensors([("a", "U8", [1] * 8, [7])]))
    bad = {
        "truncated": safetensors([("a", "F32", [4], range(4))])[:-3],
        "header-too-long": struct.pack("<Q", 1 << 40) + b"{}",
        "header-short": struct.pack("<Q", 1) + b"{",
        "not-json": struct.pack("<Q", 8) + b"{\"a\":[}]",
        "array-header": struct.pack("<Q", 8) + b"[1,2,3] ",
        "nine-dims": safetensors([], raw_header=b'{"a":{"dtype":"U8","shape":[1,1,1,1,1,1,1,1,1],"data_offsets":[0,1]}}') + b"\0",
        "huge-tensor": safetensors([], raw_header=b'{"a":{"dtype":"F32","shape":[1000000000,1000000000],"data_offsets":[0,4]}}') + b"\0" * 4,
        "shape-overflow": safetensors([], raw_header=b'{"a":{"dtype":"F64","shape":[9007199254740992,9007199254740992],"data_offsets":[0,0]}}'),
        "negative-shape": safetensors([], raw_header=b'{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}') + b"\0" * 4,
        "float-shape": safetensors([], raw_header=b'{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}') + b"\0" * 4,
        "offsets-outside": safetensors([], raw_header=b'{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}}') + b"\0",
        "offsets-reversed": safetensors([], raw_header=b'{"a":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}}') + b"\0" * 4,
        "overlap": safetensors([], raw_header=b'{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}}') + b"\0" * 6,
        "duplicate": safetensors([], raw_header=b'{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}') + b"\0" * 2,
        "bad-dtype": safetensors([], raw_header=b'{"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}') + b"\0",
        "missing-fields": safetensors([], raw_header=b'{"a":{"dtype":"U8"}}'),
        "entry-not-object": safetensors([], raw_header=b'{"a":3}'),
        "deep-nesting": safetensors([], raw_header=b'{"__metadata__":' + b"[" * 2000 + b"]" * 2000 + b"}"),
        "wrong-shape-for-model": safetensors([(n, d, [s[0] + 1] + s[1:], list(v) + [0.0] * numel(s[1:]))
                                              if n == "shared.weight" else (n, d, s, v)
                                              for n, d, s, v in tiny("F32")]),
        "missing-tensor": safetensors([x for x in tiny("F32") if x[0] != "encoder.final_layer_norm.weight"]),
        "int-dtype-model": safetensors(tiny("I32")),
    }
    for k, v in bad.items():
        put("safetensors", f"bad-{k}.safetensors", v)


# ----------------------------------------------------------------- config
def config_seeds():
    for fx in ("rand-small", "rand-gated-bf16", "bolt-rand", "bolt-edge"):
        shutil.copy(os.path.join(FIX, fx, "config.json"), os.path.join(ROOT, "config", f"{fx}.json"))
    base = json.load(open(os.path.join(FIX, "rand-small", "config.json")))

    def var(name, **changes):
        c = json.loads(json.dumps(base))
        for k, v in changes.items():
            if k.startswith("cc_"):
                if v is None:
                    c["chronos_config"].pop(k[3:], None)
                else:
                    c["chronos_config"][k[3:]] = v
            elif v is None:
                c.pop(k, None)
            else:
                c[k] = v
        put("config", name + ".json", json.dumps(c, indent=1))

    var("gated-gelu", feed_forward_proj="gated-gelu", dense_act_fn=None)
    var("gelu-new", feed_forward_proj="gelu_new", dense_act_fn="gelu_new")
    var("bad-activation", dense_act_fn="swish")
    var("huge-int", d_model=1e300)
    var("negative", num_heads=-4)
    var("fraction", d_ff=12.5)
    var("string-int", vocab_size="4096")
    var("null-field", num_decoder_layers=None, eps=None)
    var("huge-limits", cc_tokenizer_kwargs={"low_limit": -1e300, "high_limit": 1e300})
    var("inverted-limits", cc_tokenizer_kwargs={"low_limit": 5, "high_limit": -5})
    var("overflow-limits", cc_tokenizer_kwargs={"low_limit": -1e39, "high_limit": 1e39})
    var("eps-negative", layer_norm_epsilon=-1)
    var("eps-huge", layer_norm_epsilon=1e300)
    var("n-tokens-big", cc_n_tokens=1 << 30)
    var("n-tokens-small", cc_n_tokens=4)
    var("special-outside", decoder_start_token_id=99999)
    var("no-chronos", chronos_config=None)
    var("wrong-tokenizer", cc_tokenizer_class="Scaler")
    var("context-huge", cc_context_length=1 << 40)
    var("missing-required", d_kv=None)
    var("max-distance-exact", relative_attention_max_distance=16)  # bucket -63/NaN before issue 24
    var("max-distance-1", relative_attention_max_distance=1)
    var("temperature-zero", cc_temperature=0)
    var("top-p-zero", cc_top_p=0)
    var("top-p-big", cc_top_p=1.5)
    put("config", "empty.json", "")
    put("config", "empty-object.json", "{}")
    put("config", "array.json", "[1, 2]")
    put("config", "deep.json", "[" * 5000 + "]" * 5000)
    put("config", "truncated.json", json.dumps(base)[:200])
    put("config", "nul.json", b'{"vocab_size": 4\x0096}')


# ----------------------------------------------------------------- CSV
def csv_seeds():
    for fx in ("rand-small", "rand-gated-bf16"):
        shutil.copy(os.path.join(FIX, fx, "context.csv"), os.path.join(ROOT, "csv_context", f"{fx}.csv"))
        shutil.copy(os.path.join(FIX, fx, "decoder_input_ids.csv"), os.path.join(ROOT, "csv_ids", f"{fx}.csv"))
    ctx = {
        "header": "a,b,c\n1,2,3\n4,5,6\n",
        "no-header": "1,2\n3,4\n",
        "missing": "x,y\n,1\n,2\n3,NaN\nna,4\n",
        "all-missing": "x\nnan\n\n,\n",
        "bom-crlf": "\ufeffa,b\r\n1,2\r\n3,4\r\n",
        "quoted": '"a","b, c"\n"1",2\n',
        "spaces": " a , b \n 1 , 2 \n\t3\t,\t4\t\n",
        "blank-lines": "\n\na\n\n1\n\n2\n\n",
        "ragged": "a,b\n1,2\n3\n",
        "non-numeric": "a,b\n1,x\n",
        "header-only": "a,b,c\n",
        "exponents": "v\n1e38\n1e39\n-1e400\n1e-50\n0x1p3\ninf\n-inf\n",
        "long-series": "v\n" + "".join(f"{i % 17 - 8}.5\n" for i in range(200)),
        "wide": ",".join(str(i) for i in range(300)) + "\n" + ",".join("1" for i in range(300)) + "\n",
        "empty": "",
        "only-commas": ",,,\n,,,\n",
        "nul": b"a\n1\x002\n",
        "unterminated-quote": '"abc\n1\n',
        "mixed-header": "a,1\n2,3\n",
    }
    for k, v in ctx.items():
        put("csv_context", k + ".csv", v)
    ids = {
        "one": "0\n",
        "rows": "0,5,7\n0,3,2\n",
        "spaces": " 0 , 1 \n",
        "ragged": "0,1\n2\n",
        "negative": "-1\n",
        "too-big": "2147483648\n",
        "max": "2147483647\n",
        "float": "1.0\n",
        "empty-cell": "0,,1\n",
        "header": "a,b\n0,1\n",
        "hex": "0x10\n",
        "wide": ",".join("3" for _ in range(500)) + "\n",
        "crlf": "0,1\r\n1,0\r\n",
        "empty": "",
    }
    for k, v in ids.items():
        put("csv_ids", k + ".csv", v)


# ----------------------------------------------------------------- .npy
def npy(header, data=b"", version=1):
    h = header.encode()
    pre = 10 if version == 1 else 12
    h += b" " * ((64 - (pre + len(h) + 1) % 64) % 64) + b"\n"
    ln = struct.pack("<H", len(h)) if version == 1 else struct.pack("<I", len(h))
    return b"\x93NUMPY" + bytes([version, 0]) + ln + h + data


def npy_seeds():
    f = lambda n: struct.pack("<%df" % n, *[i * 0.5 for i in range(n)])
    put("npy", "2x3.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", f(6)))
    put("npy", "vector.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", f(4)))
    put("npy", "scalar.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", f(1)))
    put("npy", "empty.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 5), }"))
    put("npy", "v2.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", f(2), version=2))
    put("npy", "f8.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", b"\0" * 8))
    put("npy", "fortran.npy", npy("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", f(1)))
    put("npy", "short-data.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", f(2)))
    put("npy", "huge-shape.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", f(1)))
    put("npy", "nine-dims.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1), }", f(1)))
    put("npy", "negative.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", f(1)))
    put("npy", "no-shape.npy", npy("{'descr': '<f4', 'fortran_order': False}", f(1)))
    put("npy", "bad-magic.npy", b"\x93NUMPX\x01\x00\x00\x00")
    put("npy", "truncated.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", f(2))[:20])


# ----------------------------------------------------------------- the commands' own option parsers
def cli_option_seeds():
    # first byte: bit 0 picks cli_double_list (0) or --token-range (1), bits 1-4 capacity - 1
    lists = ["5,10,20,40", "0.5,1", "1e-3", "", ",", "1,", "1,,2", "nan", "inf", "1e999", "1e-400",
             "1 ,2", " 1", "0x1p3", ",".join(["1"] * 20)]
    ranges = ["1910:2187", "0:1", "5:5", "7:3", "-1:4", "1:", ":2", "1:2:3", "a:b", " 1:2", "1:2 ",
              "99999999999999999999:1", "0:99999999999999999999", "3"]
    for i, v in enumerate(lists):
        put("cli_options", f"list-{i:02d}", bytes([((i % 16) << 1) | 0]) + v.encode())
    for i, v in enumerate(ranges):
        put("cli_options", f"range-{i:02d}", bytes([((i % 16) << 1) | 1]) + v.encode())


# ----------------------------------------------------------------- sharded index
def index_seeds():
    names = [n for n, _, _, _ in tiny("F32")]
    one, two = "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"

    def idx(name, wm, extra=None):
        d = {"metadata": {"total_size": 1584}, "weight_map": wm}
        if extra:
            d.update(extra)
        put("model_index", name + ".json", json.dumps(d, indent=1))

    idx("all-first", {n: one for n in names})
    idx("alternating", {n: (one if i % 2 else two) for i, n in enumerate(names)})
    idx("missing-shard", {n: (one if i else "model-00003-of-00003.safetensors") for i, n in enumerate(names)})
    idx("slash", {n: (one if i else "../" + one) for i, n in enumerate(names)})
    idx("dotdot", {names[0]: ".."})
    idx("dot", {names[0]: "."})
    idx("empty-name", {names[0]: ""})
    idx("not-string", {names[0]: 1})
    idx("empty-map", {})
    idx("many-shards", {f"t{i}": f"shard-{i}.safetensors" for i in range(300)})
    put("model_index", "no-map.json", '{"metadata": {}}')
    put("model_index", "array.json", "[]")
    put("model_index", "empty.json", "")


# ----------------------------------------------------------------- options
def option_seeds():
    # first byte: bits 0-1 pick the bounds, bits 2-5 the list capacity - 1 (fuzz_options.c)
    vals = ["5,10,20", "0.1,0.5,0.9", " 0.25 , 0.75 ", "1910:2187", "-5:-2", "7:7", "1e-3", "-0",
            "1,", ",1", "1,,2", "nan", "inf", "1e999", "2:1", "1:", ":", "0x10", "+3,-4",
            "9223372036854775807:9223372036854775807", "-9223372036854775808:0",
            "99999999999999999999:1", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17"]
    for i, v in enumerate(vals):
        put("options", f"seed-{i:02d}", bytes([(i * 7) & 0x3f]) + v.encode())


if __name__ == "__main__":
    for t in ("safetensors", "config", "csv_context", "csv_ids", "options", "model_index", "cli_options", "npy"):
        os.makedirs(os.path.join(ROOT, t), exist_ok=True)
    safetensors_seeds()
    config_seeds()
    csv_seeds()
    option_seeds()
    index_seeds()
    cli_option_seeds()
    npy_seeds()
