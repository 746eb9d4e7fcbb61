#!/usr/bin/env python3
"""Converts Resemblyzer's voice encoder (`resemblyzer/pretrained.pt` of the PyPI package
Resemblyzer 0.1.4, Apache-2.0: a GE2E speaker encoder, three LSTM layers of 256 over 40 mel
bands and a 256-wide projection) to the flat file Rapport's diarization reads
(`src/diarize/voice.rs`), with the Python standard library only (no torch).

    convert_voice_encoder.py pretrained.pt OUT.bin

The .pt is torch's legacy serialisation: three small pickles (magic number, protocol, system
info), the pickled checkpoint whose tensors refer to storages by key, the pickled list of
storage keys, then each storage's element count (int64) and its float32 data in that order.

OUT.bin: b"RVE1", u32 tensor count, then per tensor: u32 name length, the name (UTF-8), u32
dimension count, u32 dimensions, and the float32 values (little-endian, row-major).
"""

import os
import pickle
import struct
import sys

# The tensors the encoder needs, in the order they are written.
NAMES = [f"lstm.{kind}_l{layer}" for layer in range(3) for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
NAMES += ["linear.weight", "linear.bias"]


class Storage:
    def __init__(self, key, kind):
        self.key, self.kind, self.data = key, kind, None


def load(path):
    storages = {}

    class Checkpoint(pickle.Unpickler):
        def find_class(self, module, name):
            if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
                return lambda storage, offset, size, stride, *rest: (storage, offset, tuple(size), tuple(stride))
            if module == "torch" and name.endswith("Storage"):
                return name
            if (module, name) == ("collections", "OrderedDict"):
                import collections

                return collections.OrderedDict
            raise pickle.UnpicklingError(f"unexpected global {module}.{name}")

        def persistent_load(self, pid):
            _, kind, key, _, _ = pid[:5]
            return storages.setdefault(key, Storage(key, kind))

    with open(path, "rb") as f:
        for _ in range(3):
            pickle.load(f)
        checkpoint = Checkpoint(f).load()
        keys = pickle.load(f)
        for key in keys:
            (count,) = struct.unpack("<q", f.read(8))
            storage = storages[key]
            if storage.kind != "FloatStorage":
                raise SystemExit(f"{path}: storage {key} is {storage.kind}, not float32")
            storage.data = f.read(4 * count)
            if len(storage.data) != 4 * count:
                raise SystemExit(f"{path}: storage {key} is cut short")
    state = checkpoint["model_state"]
    tensors = []
    for name in NAMES:
        if name not in state:
            raise SystemExit(f"{path}: no tensor {name}")
        storage, offset, size, stride = state[name]
        expected = tuple(int(__import__("math").prod(size[i + 1 :])) for i in range(len(size)))
        if stride != expected:
            raise SystemExit(f"{path}: {name} is not contiguous (strides {stride})")
        count = 1
        for d in size:
            count *= d
        raw = storage.data[4 * offset : 4 * (offset + count)]
        tensors.append((name, size, raw))
    return tensors


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    src, out = sys.argv[1], sys.argv[2]
    tensors = load(src)
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(b"RVE1")
        f.write(struct.pack("<I", len(tensors)))
        for name, size, raw in tensors:
            encoded = name.encode("utf-8")
            f.write(struct.pack("<I", len(encoded)))
            f.write(encoded)
            f.write(struct.pack("<I", len(size)))
            f.write(struct.pack(f"<{len(size)}I", *size))
            f.write(raw)
    os.replace(tmp, out)
    print(f"wrote {out} ({os.path.getsize(out)} bytes, {len(tensors)} tensors)", file=sys.stderr)


if __name__ == "__main__":
    main()
