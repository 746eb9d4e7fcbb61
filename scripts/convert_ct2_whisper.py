#!/usr/bin/env python3
"""Converts a CTranslate2 Whisper model to whisper.cpp's ggml format, and checks ggml files.

    convert_ct2_whisper.py convert --ct2 DIR --mel-filters NPZ --f16 OUT.bin --q8 OUT.bin
    convert_ct2_whisper.py check FILE.bin...

`convert` reads the CTranslate2 model directory (model.bin and vocabulary.txt or
vocabulary.json) and the mel filter bank of the openai-whisper package
(whisper/assets/mel_filters.npz), and writes two whisper.cpp models: one with f16 weights
(ftype 1) and one with q8_0 weights (ftype 2007 = GGML_QNT_VERSION 2 * 1000 + 7, the way
whisper.cpp's quantize tool marks them). Each file is written under a temporary name and
renamed when whole. `check` needs only the standard library: it walks the tensor headers
of a ggml file and exits non-zero when the file is not a whole whisper.cpp model.

The ggml layout (whisper.cpp src/whisper.cpp, whisper_model_load):
  int32 magic 0x67676d6c; 11 int32 hparams (n_vocab, n_audio_ctx, n_audio_state,
  n_audio_head, n_audio_layer, n_text_ctx, n_text_state, n_text_head, n_text_layer, n_mels,
  ftype); int32 n_mel, int32 n_fft, n_mel*n_fft f32 mel filters; int32 n_tokens, then per
  token int32 length and its bytes; then per tensor int32 n_dims, int32 name length, int32
  ggml type, n_dims int32 dimensions (innermost first), the name, the data.

The CTranslate2 layout (CTranslate2 python/ctranslate2/specs/model_spec.py, _serialize):
  uint32 binary version, string spec name, uint32 revision, uint32 variable count, then per
  variable: string name, uint8 rank, rank uint32 dims, uint8 dtype, uint32 byte size, data;
  then uint32 alias count and per alias two strings (alias, target). A string is a uint16
  length that counts a trailing NUL, the UTF-8 bytes, the NUL.
"""

import argparse
import json
import os
import struct
import sys

GGML_MAGIC = 0x67676D6C
GGML_QNT_VERSION = 2
GGML_QNT_VERSION_FACTOR = 1000
GGML_FTYPE_MOSTLY_F16 = 1
GGML_FTYPE_MOSTLY_Q8_0 = 7

# ggml type id -> (elements per block, bytes per block), from ggml's type traits.
GGML_TYPES = {
    0: ("f32", 1, 4),
    1: ("f16", 1, 2),
    2: ("q4_0", 32, 18),
    3: ("q4_1", 32, 20),
    6: ("q5_0", 32, 22),
    7: ("q5_1", 32, 24),
    8: ("q8_0", 32, 34),
}
GGML_TYPE_F32 = 0
GGML_TYPE_F16 = 1
GGML_TYPE_Q8_0 = 8
QK8_0 = 32

# CTranslate2 DataType enum order (include/ctranslate2/types.h).
CT2_DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")

# Tensors whisper.cpp keeps unquantised even in a quantised model (examples/quantize).
NEVER_QUANTISED = {
    "encoder.conv1.bias",
    "encoder.conv2.bias",
    "encoder.positional_embedding",
    "decoder.positional_embedding",
}


def fail(message):
    print(f"convert_ct2_whisper: {message}", file=sys.stderr)
    sys.exit(1)


# ---------------------------------------------------------------------------------------
# Reading CTranslate2


class Reader:
    """Little-endian reads from a bytes object with the file name and offset in errors."""

    def __init__(self, data, path):
        self.data = data
        self.pos = 0
        self.path = path

    def take(self, n, what):
        if self.pos + n > len(self.data):
            fail(f"{self.path}: truncated at byte {len(self.data)} while reading {what}")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def unpack(self, fmt, what):
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt), what))

    def string(self, what):
        (length,) = self.unpack("H", what)
        raw = self.take(length, what)
        if length == 0 or raw[-1] != 0:
            fail(f"{self.path}: {what} at byte {self.pos - length} is not NUL-terminated")
        return raw[:-1].decode("utf-8")


def read_ct2(path):
    """Returns (spec name, {name: numpy array}, {alias: target}) of a CTranslate2 model.bin."""
    import numpy as np

    with open(path, "rb") as f:
        r = Reader(f.read(), path)
    (version,) = r.unpack("I", "the binary version")
    if version < 5 or version > 6:
        fail(f"{path}: CTranslate2 binary version {version}, expected 5 or 6")
    spec = r.string("the spec name")
    r.unpack("I", "the spec revision")
    (count,) = r.unpack("I", "the variable count")
    variables = {}
    for _ in range(count):
        name = r.string("a variable name")
        (rank,) = r.unpack("B", f"the rank of {name}")
        dims = r.unpack("I" * rank, f"the dims of {name}")
        (dtype_id,) = r.unpack("B", f"the dtype of {name}")
        if dtype_id >= len(CT2_DTYPES):
            fail(f"{path}: variable {name} has unknown dtype id {dtype_id}")
        dtype = CT2_DTYPES[dtype_id]
        (nbytes,) = r.unpack("I", f"the size of {name}")
        raw = r.take(nbytes, f"the data of {name}")
        if dtype == "bfloat16":
            bits = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
            array = bits.view(np.float32)
        else:
            np_dtype = {"float32": "<f4", "int8": "i1", "int16": "<i2", "int32": "<i4", "float16": "<f2"}[dtype]
            array = np.frombuffer(raw, dtype=np_dtype)
        expected = int(np.prod(dims)) if rank else 1
        if array.size != expected:
            fail(f"{path}: variable {name} holds {array.size} values, its dims {dims} say {expected}")
        variables[name] = array.reshape(dims) if rank else array.reshape(())
    (n_aliases,) = r.unpack("I", "the alias count")
    aliases = {}
    for _ in range(n_aliases):
        alias = r.string("an alias name")
        aliases[alias] = r.string(f"the target of alias {alias}")
    if r.pos != len(r.data):
        fail(f"{path}: {len(r.data) - r.pos} unexpected bytes after the aliases at byte {r.pos}")
    return spec, variables, aliases


class Ct2Model:
    """Variables by name, following aliases, with int8/int16 weights dequantised to float32."""

    def __init__(self, path):
        self.path = path
        self.spec, self.vars, self.aliases = read_ct2(path)
        if self.spec != "WhisperSpec":
            fail(f"{path}: spec {self.spec!r}, expected 'WhisperSpec'")

    def raw(self, name):
        seen = 0
        while name in self.aliases and seen < 16:
            name, seen = self.aliases[name], seen + 1
        if name not in self.vars:
            fail(f"{self.path}: variable {name} is missing")
        return self.vars[name]

    def has(self, name):
        return name in self.vars or name in self.aliases

    def scalar(self, name):
        return int(self.raw(name))

    def float(self, name):
        """A weight as float32; quantised weights are divided by their `<name>_scale`."""
        import numpy as np

        value = self.raw(name)
        if value.dtype == np.int8 or value.dtype == np.int16:
            scale_name = name + "_scale"
            if not self.has(scale_name):
                fail(f"{self.path}: {name} is {value.dtype} but {scale_name} is missing")
            scale = self.raw(scale_name).astype(np.float32)
            value = value.astype(np.float32)
            if scale.ndim == 1:  # int8: one scale per output row (127 / row max)
                return value / scale[:, None]
            return value / scale  # int16: one scale for the whole matrix
        return value.astype(np.float32)


# ---------------------------------------------------------------------------------------
# Vocabulary


def bytes_to_unicode():
    """GPT-2's reversible map from bytes to printable characters (openai/gpt-2 encoder.py)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def read_vocabulary(ct2_dir):
    """The CTranslate2 vocabulary as a list of token strings in id order."""
    txt = os.path.join(ct2_dir, "vocabulary.txt")
    js = os.path.join(ct2_dir, "vocabulary.json")
    if os.path.isfile(js):
        with open(js, encoding="utf-8") as f:
            tokens = json.load(f)
        if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
            fail(f"{js}: expected a JSON array of strings")
        return tokens
    if os.path.isfile(txt):
        with open(txt, encoding="utf-8", newline="") as f:
            lines = f.read().split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return lines
    fail(f"{ct2_dir}: neither vocabulary.txt nor vocabulary.json is there")


def regular_tokens(ct2_dir):
    """The regular (BPE) tokens before <|endoftext|>, decoded to raw bytes, in rank order."""
    tokens = read_vocabulary(ct2_dir)
    if "<|endoftext|>" not in tokens:
        fail(f"{ct2_dir}: the vocabulary has no <|endoftext|> token")
    eot = tokens.index("<|endoftext|>")
    decoder = {c: b for b, c in bytes_to_unicode().items()}
    out = []
    for rank, token in enumerate(tokens[:eot]):
        try:
            out.append(bytes(decoder[c] for c in token))
        except KeyError as e:
            fail(f"{ct2_dir}: token {rank} {token!r} has character {e} outside GPT-2's byte alphabet")
    return tokens, out


# ---------------------------------------------------------------------------------------
# The tensor mapping


def ggml_tensors(m):
    """Yields (ggml name, float32 numpy array in PyTorch layout) for every whisper.cpp tensor."""
    import numpy as np

    n_audio_layer = count_layers(m, "encoder")
    n_text_layer = count_layers(m, "decoder")

    def split(name, parts):
        weight, bias = m.float(name + "/weight"), m.float(name + "/bias")
        if weight.shape[0] % parts or bias.shape[0] != weight.shape[0]:
            fail(f"{m.path}: {name} has shape {weight.shape}, not {parts} stacked matrices")
        n = weight.shape[0] // parts
        return [(weight[i * n : (i + 1) * n], bias[i * n : (i + 1) * n]) for i in range(parts)]

    def no_bias(name, bias):
        if np.max(np.abs(bias)) > 1e-6:
            fail(f"{m.path}: {name} has a key bias (max |b| = {np.max(np.abs(bias))}); whisper.cpp has none")

    def attention(prefix, ct2, cross):
        if cross:
            (q_w, q_b), = split(ct2 + "/linear_0", 1)
            (k_w, k_b), (v_w, v_b) = split(ct2 + "/linear_1", 2)
            out = ct2 + "/linear_2"
        else:
            (q_w, q_b), (k_w, k_b), (v_w, v_b) = split(ct2 + "/linear_0", 3)
            out = ct2 + "/linear_1"
        no_bias(ct2, k_b)
        yield prefix + ".query.weight", q_w
        yield prefix + ".query.bias", q_b
        yield prefix + ".key.weight", k_w
        yield prefix + ".value.weight", v_w
        yield prefix + ".value.bias", v_b
        yield prefix + ".out.weight", m.float(out + "/weight")
        yield prefix + ".out.bias", m.float(out + "/bias")

    def layer_norm(prefix, ct2):
        yield prefix + ".weight", m.float(ct2 + "/gamma")
        yield prefix + ".bias", m.float(ct2 + "/beta")

    def mlp(prefix, ct2):
        yield prefix + ".mlp.0.weight", m.float(ct2 + "/linear_0/weight")
        yield prefix + ".mlp.0.bias", m.float(ct2 + "/linear_0/bias")
        yield prefix + ".mlp.2.weight", m.float(ct2 + "/linear_1/weight")
        yield prefix + ".mlp.2.bias", m.float(ct2 + "/linear_1/bias")
        yield from layer_norm(prefix + ".mlp_ln", ct2 + "/layer_norm")

    yield "encoder.positional_embedding", m.float("encoder/position_encodings/encodings")
    for i in (1, 2):
        yield f"encoder.conv{i}.weight", m.float(f"encoder/conv{i}/weight")
        bias = m.float(f"encoder/conv{i}/bias")
        yield f"encoder.conv{i}.bias", bias.reshape(bias.shape[0], 1)
    for i in range(n_audio_layer):
        p, c = f"encoder.blocks.{i}", f"encoder/layer_{i}"
        yield from attention(p + ".attn", c + "/self_attention", cross=False)
        yield from layer_norm(p + ".attn_ln", c + "/self_attention/layer_norm")
        yield from mlp(p, c + "/ffn")
    yield from layer_norm("encoder.ln_post", "encoder/layer_norm")

    yield "decoder.positional_embedding", m.float("decoder/position_encodings/encodings")
    yield "decoder.token_embedding.weight", m.float("decoder/embeddings/weight")
    for i in range(n_text_layer):
        p, c = f"decoder.blocks.{i}", f"decoder/layer_{i}"
        yield from attention(p + ".attn", c + "/self_attention", cross=False)
        yield from layer_norm(p + ".attn_ln", c + "/self_attention/layer_norm")
        yield from attention(p + ".cross_attn", c + "/attention", cross=True)
        yield from layer_norm(p + ".cross_attn_ln", c + "/attention/layer_norm")
        yield from mlp(p, c + "/ffn")
    yield from layer_norm("decoder.ln", "decoder/layer_norm")


def count_layers(m, side):
    n = 0
    while any(k.startswith(f"{side}/layer_{n}/") for k in m.vars):
        n += 1
    if n == 0:
        fail(f"{m.path}: no {side}/layer_N variables")
    return n


def hparams(m, n_mels):
    enc_pe = m.raw("encoder/position_encodings/encodings")
    dec_pe = m.raw("decoder/position_encodings/encodings")
    emb = m.raw("decoder/embeddings/weight")
    conv1 = m.raw("encoder/conv1/weight")
    if conv1.shape[1] != n_mels:
        fail(f"{m.path}: encoder/conv1/weight takes {conv1.shape[1]} mel bins, the filters have {n_mels}")
    return [
        emb.shape[0],  # n_vocab
        enc_pe.shape[0],  # n_audio_ctx
        enc_pe.shape[1],  # n_audio_state
        m.scalar("encoder/num_heads"),  # n_audio_head
        count_layers(m, "encoder"),  # n_audio_layer
        dec_pe.shape[0],  # n_text_ctx
        dec_pe.shape[1],  # n_text_state
        m.scalar("decoder/num_heads"),  # n_text_head
        count_layers(m, "decoder"),  # n_text_layer
        n_mels,  # n_mels
    ]


# ---------------------------------------------------------------------------------------
# Writing ggml


def quantize_q8_0(x):
    """ggml's quantize_row_q8_0_ref: per block of 32, d = max|x| / 127 (stored f16), q = round(x / d)."""
    import numpy as np

    blocks = x.astype(np.float32).reshape(-1, QK8_0)
    amax = np.max(np.abs(blocks), axis=1)
    d = amax / 127.0
    inv = np.divide(1.0, d, out=np.zeros_like(d), where=d != 0)
    v = blocks * inv[:, None]
    q = (np.sign(v) * np.floor(np.abs(v) + 0.5)).astype(np.int8)  # roundf: half away from zero
    out = np.empty(blocks.shape[0], dtype=np.dtype([("d", "<f2"), ("qs", "i1", (QK8_0,))]))
    out["d"] = d.astype(np.float16)
    out["qs"] = q
    return out.tobytes()


def tensor_bytes(name, data, quantise):
    """The ggml type and bytes of one tensor, as whisper.cpp's converter and quantizer write them."""
    import numpy as np

    small = data.ndim < 2 or name in NEVER_QUANTISED
    if small:
        return GGML_TYPE_F32, data.astype("<f4").tobytes()
    if quantise and data.ndim == 2:
        if data.shape[1] % QK8_0:
            fail(f"{name}: row length {data.shape[1]} is not a multiple of {QK8_0}")
        return GGML_TYPE_Q8_0, quantize_q8_0(data)
    return GGML_TYPE_F16, data.astype("<f2").tobytes()


def write_ggml(path, hp, ftype, filters, tokens, tensors, quantise):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<I", GGML_MAGIC))
        f.write(struct.pack("<11i", *hp, ftype))
        f.write(struct.pack("<ii", *filters.shape))
        f.write(filters.astype("<f4").tobytes())
        f.write(struct.pack("<i", len(tokens)))
        for token in tokens:
            f.write(struct.pack("<i", len(token)))
            f.write(token)
        for name, data in tensors:
            ttype, raw = tensor_bytes(name, data, quantise)
            encoded = name.encode("utf-8")
            f.write(struct.pack("<iii", data.ndim, len(encoded), ttype))
            f.write(struct.pack(f"<{data.ndim}i", *reversed(data.shape)))
            f.write(encoded)
            f.write(raw)
    check_ggml(tmp)
    os.replace(tmp, path)


def convert(args):
    import numpy as np

    with np.load(args.mel_filters) as npz:
        key = f"mel_{args.n_mels}"
        if key not in npz.files:
            fail(f"{args.mel_filters}: no {key} array (it has {', '.join(npz.files)})")
        filters = npz[key].astype(np.float32)
    model = Ct2Model(os.path.join(args.ct2, "model.bin"))
    hp = hparams(model, filters.shape[0])
    vocabulary, tokens = regular_tokens(args.ct2)
    if len(vocabulary) != hp[0]:
        fail(f"{args.ct2}: the vocabulary has {len(vocabulary)} tokens, the embeddings {hp[0]} rows")
    if args.tiktoken:
        check_against_tiktoken(tokens, args.tiktoken)
    tensors = list(ggml_tensors(model))
    print(f"hparams {hp}, {len(tokens)} regular tokens, {len(tensors)} tensors", file=sys.stderr)
    for out, ftype, quantise in (
        (args.f16, GGML_FTYPE_MOSTLY_F16, False),
        (args.q8, GGML_QNT_VERSION * GGML_QNT_VERSION_FACTOR + GGML_FTYPE_MOSTLY_Q8_0, True),
    ):
        if out:
            write_ggml(out, hp, ftype, filters, tokens, tensors, quantise)
            print(f"wrote {out} ({os.path.getsize(out)} bytes, ftype {ftype})", file=sys.stderr)


def check_against_tiktoken(tokens, path):
    """The decoded vocabulary must equal openai-whisper's gpt2.tiktoken (base64 token, rank)."""
    import base64

    with open(path, "rb") as f:
        lines = [line.split() for line in f.read().splitlines() if line]
    expected = {int(rank): base64.b64decode(tok) for tok, rank in lines}
    if len(expected) != len(tokens) or any(expected.get(i) != t for i, t in enumerate(tokens)):
        bad = next((i for i, t in enumerate(tokens) if expected.get(i) != t), len(tokens))
        fail(f"{path}: the decoded vocabulary differs from it at rank {bad}")


# ---------------------------------------------------------------------------------------
# Checking ggml (standard library only)


def check_ggml(path):
    """Walks a whisper.cpp ggml file; returns (hparams, tensor count) or exits naming the problem."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        r = Reader(f.read(), path)
    (magic,) = r.unpack("I", "the magic")
    if magic != GGML_MAGIC:
        fail(f"{path}: not a ggml whisper model (magic {magic:#010x}, expected {GGML_MAGIC:#010x})")
    hp = r.unpack("11i", "the hyperparameters")
    if any(v <= 0 for v in hp[:10]) or hp[2] % hp[3] or hp[6] % hp[7]:
        fail(f"{path}: implausible hyperparameters {hp}")
    n_mel, n_fft = r.unpack("ii", "the mel filter shape")
    if n_mel != hp[9] or n_fft <= 0:
        fail(f"{path}: mel filters {n_mel}x{n_fft} do not match n_mels {hp[9]}")
    r.take(4 * n_mel * n_fft, "the mel filters")
    (n_tokens,) = r.unpack("i", "the token count")
    if n_tokens < 0 or n_tokens > hp[0]:
        fail(f"{path}: {n_tokens} tokens, more than n_vocab {hp[0]}")
    for i in range(n_tokens):
        (length,) = r.unpack("I", f"the length of token {i}")
        r.take(length, f"token {i}")
    tensors = 0
    while r.pos < size:
        n_dims, name_len, ttype = r.unpack("iii", "a tensor header")
        if not 1 <= n_dims <= 4 or not 0 < name_len < 256 or ttype not in GGML_TYPES:
            fail(f"{path}: bad tensor header at byte {r.pos - 12} (dims {n_dims}, name length {name_len}, type {ttype})")
        dims = r.unpack(f"{n_dims}i", "tensor dimensions")
        name = r.take(name_len, "a tensor name").decode("utf-8", "replace")
        _, block, block_bytes = GGML_TYPES[ttype]
        if dims[0] % block:
            fail(f"{path}: tensor {name} row of {dims[0]} is not a multiple of the block size {block}")
        count = 1
        for d in dims:
            count *= d
        r.take(count // block * block_bytes, f"the data of tensor {name}")
        tensors += 1
    expected = 11 + 15 * hp[4] + 24 * hp[8]  # what whisper.cpp's loader wants for these layer counts
    if tensors != expected:
        fail(f"{path}: {tensors} tensors (truncated at byte {size}?), a model with {hp[4]}+{hp[8]} layers has {expected}")
    return hp, tensors


def check(args):
    for path in args.files:
        if not os.path.isfile(path):
            fail(f"{path}: no such file")
        hp, tensors = check_ggml(path)
        print(f"{path}: ok (ftype {hp[10]}, {tensors} tensors)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("convert", help="convert a CTranslate2 Whisper model to ggml")
    c.add_argument("--ct2", required=True, help="the CTranslate2 model directory")
    c.add_argument("--mel-filters", required=True, help="openai-whisper's assets/mel_filters.npz")
    c.add_argument("--n-mels", type=int, default=80)
    c.add_argument("--tiktoken", help="openai-whisper's assets/gpt2.tiktoken, to cross-check the vocabulary")
    c.add_argument("--f16", help="where to write the f16 model")
    c.add_argument("--q8", help="where to write the q8_0 model")
    k = sub.add_parser("check", help="check that ggml files are whole whisper.cpp models")
    k.add_argument("files", nargs="+")
    args = parser.parse_args()
    if args.command == "convert":
        if not args.f16 and not args.q8:
            fail("convert: give --f16 and/or --q8")
        convert(args)
    else:
        check(args)


if __name__ == "__main__":
    main()
