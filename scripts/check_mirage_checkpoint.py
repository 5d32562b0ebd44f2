"""Dev-only check that Python's safetensors reads what Mirage writes.

Loads Tests/MirageNNTests/Fixtures/mirage_linear.safetensors (written by Mirage's Checkpoint, and
kept byte-stable by CheckpointTests.writesWhatPythonReads) and prints its tensors and metadata.
Usage: python3 scripts/check_mirage_checkpoint.py   (needs numpy and safetensors)
"""
import pathlib
from safetensors import safe_open

path = pathlib.Path(__file__).resolve().parent.parent / "Tests/MirageNNTests/Fixtures/mirage_linear.safetensors"
with safe_open(str(path), framework="numpy") as f:
    assert f.metadata() == {"model": "linear"}, f.metadata()
    assert sorted(f.keys()) == ["bias", "weight"], f.keys()
    w, b = f.get_tensor("weight"), f.get_tensor("bias")
    assert w.shape == (2, 3) and b.shape == (2,) and str(w.dtype) == "float32"
    assert abs(w).max() <= 1 / 3 ** 0.5 and abs(b).max() <= 1 / 3 ** 0.5  # PyTorch's default init bound
    print("safetensors reads Mirage's checkpoint:", dict(weight=w.tolist(), bias=b.tolist()))
