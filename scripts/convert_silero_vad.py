#!/usr/bin/env python3
"""Converts the Silero VAD v5 weights of the PyPI package `silero-vad` (its TorchScript file
`silero_vad.jit`) to the ggml format whisper.cpp's VAD reads (`whisper_vad_init_*`), without
torch: the TorchScript file is a zip whose `data.pkl` names each tensor and points at its raw
little-endian storage in `data/N`. Only the 16 kHz model (`_model`) is written; the 8 kHz one
is left out, as in whisper.cpp's own converter (models/convert-silero-vad-to-ggml.py).

    convert_silero_vad.py SILERO_VAD_JIT OUT.bin
"""
import pickle
import struct
import sys
import zipfile

import numpy as np

GGML_MAGIC = 0x67676D6C
# whisper.cpp's loader: the STFT basis and the convolution weights in f16, the rest in f32.
F16_TENSORS = {
    "_model.stft.forward_basis_buffer",
    "_model.encoder.0.reparam_conv.weight",
    "_model.encoder.1.reparam_conv.weight",
    "_model.encoder.2.reparam_conv.weight",
    "_model.encoder.3.reparam_conv.weight",
    "_model.decoder.decoder.2.weight",
}
ORDER = [
    "_model.stft.forward_basis_buffer",
    *[f"_model.encoder.{i}.reparam_conv.{p}" for i in range(4) for p in ("weight", "bias")],
    "_model.decoder.rnn.weight_ih",
    "_model.decoder.rnn.bias_ih",
    "_model.decoder.rnn.weight_hh",
    "_model.decoder.rnn.bias_hh",
    "_model.decoder.decoder.2.weight",
    "_model.decoder.decoder.2.bias",
]


class _Module:
    """Any TorchScript object of the pickle: keeps the state it is given."""

    def __init__(self, *args, **kwargs):
        self.state = None

    def __setstate__(self, state):
        self.state = state


class _Tensor:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, tuple(size), tuple(stride)


def _rebuild_tensor(storage, offset, size, stride, *rest):
    return _Tensor(storage, offset, size, stride)


class _Unpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor
        if (module, name) == ("collections", "OrderedDict"):
            import collections

            return collections.OrderedDict
        if module == "torch" and name.endswith("Storage"):
            return name
        return type(name, (_Module,), {})

    def persistent_load(self, pid):
        # ('storage', kind, key, location, numel)
        return pid


def tensors(jit_path):
    """The 16 kHz model's tensors by name, as float32 numpy arrays."""
    z = zipfile.ZipFile(jit_path)
    pkl = next(n for n in z.namelist() if n.endswith("/data.pkl"))
    prefix = pkl[: -len("data.pkl")]
    root = _Unpickler(z.open(pkl)).load()
    found = {}

    def walk(obj, path):
        if isinstance(obj, _Tensor):
            kind, key = obj.storage[1], obj.storage[2]
            if kind != "FloatStorage":
                raise SystemExit(f"{path}: expected a float tensor, found {kind}")
            raw = np.frombuffer(z.read(f"{prefix}data/{key}"), dtype="<f4")
            n = int(np.prod(obj.size)) if obj.size else 1
            strides = tuple(s * 4 for s in obj.stride)
            arr = np.lib.stride_tricks.as_strided(raw[obj.offset :], shape=obj.size, strides=strides)
            found[path] = np.ascontiguousarray(arr, dtype=np.float32).reshape(obj.size)
            assert found[path].size == n
            return
        state = obj.state if isinstance(obj, _Module) else obj
        if isinstance(state, dict):
            for k, v in state.items():
                walk(v, f"{path}.{k}" if path else str(k))

    walk(root, "")
    missing = [n for n in ORDER if n not in found]
    if missing:
        raise SystemExit(f"{jit_path}: not a Silero VAD v5 model (missing {', '.join(missing)})")
    return found


def write(found, out_path):
    enc = [found[f"_model.encoder.{i}.reparam_conv.weight"].shape for i in range(4)]
    with open(out_path, "wb") as f:
        w = lambda fmt, *v: f.write(struct.pack(fmt, *v))
        w("<I", GGML_MAGIC)
        kind = b"silero-16k"
        w("<i", len(kind))
        f.write(kind)
        w("<iii", 5, 1, 2)  # the version whisper.cpp publishes (ggml-silero-v5.1.2.bin)
        w("<ii", 512, 64)  # window and context, in samples at 16 kHz
        w("<i", len(enc))
        for out_ch, in_ch, kernel in enc:
            w("<iii", in_ch, out_ch, kernel)
        hidden = found["_model.decoder.rnn.weight_hh"].shape[1]
        w("<iiii", found["_model.decoder.rnn.weight_ih"].shape[1], hidden, hidden, 1)
        for name in ORDER:
            data = found[name]
            if name == "_model.decoder.decoder.2.weight":
                data = data.reshape(-1)  # [1, 128, 1] -> [128]
            f16 = name in F16_TENSORS
            data = data.astype(np.float16 if f16 else np.float32)
            encoded = name.encode()
            w("<iii", data.ndim, len(encoded), 1 if f16 else 0)
            for dim in reversed(data.shape):  # ggml order: the innermost dimension first
                w("<i", dim)
            f.write(encoded)
            f.write(data.astype("<f2" if f16 else "<f4").tobytes())


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    found = tensors(sys.argv[1])
    write(found, sys.argv[2])
    print(f"wrote {sys.argv[2]} ({len(ORDER)} tensors)")


if __name__ == "__main__":
    main()
