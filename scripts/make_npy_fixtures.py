""".npy fixtures for Tests/MirageDataTests, written by NumPy's own numpy.save.

Dev-only: the project never runs Python. Needs NumPy (see scripts/make_png_fixtures.py). Usage:
    python scripts/make_npy_fixtures.py

The Swift tests read each file, compare its values with the formula below, and check that
Mirage's writer reproduces NumPy's bytes exactly (header, padding and data).
  float32_2x3x4.npy  float32, shape (2, 3, 4), value i*0.25 - 1.5 at flat index i
  uint8_5.npy        uint8, shape (5,), values 0, 1, 127, 128, 255
  float32_scalar.npy float32, shape (), value 3.5
  float32_1000.npy   float32, shape (1000,), value sin(i) at flat index i (computed in float64, stored rounded)
  int64_2x3.npy      int64, shape (2, 3), values -2, 0, 1, 7, 2**40, -2**62 (labels as mirage data export writes them)
  float64_2.npy      float64, shape (2,): Mirage must reject it with a clear error
  fortran_2x2.npy    float32, shape (2, 2), Fortran order: Mirage must reject it
The .npy files are ignored by the repository's .gitignore; commit them with `git add -f`.
"""
import pathlib

import numpy as np

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests/MirageDataTests/Fixtures"
OUT.mkdir(parents=True, exist_ok=True)

np.save(OUT / "float32_2x3x4.npy", (np.arange(24, dtype=np.float32) * 0.25 - 1.5).reshape(2, 3, 4))
np.save(OUT / "uint8_5.npy", np.array([0, 1, 127, 128, 255], dtype=np.uint8))
np.save(OUT / "float32_scalar.npy", np.float32(3.5))
np.save(OUT / "float32_1000.npy", np.sin(np.arange(1000, dtype=np.float64)).astype(np.float32))
np.save(OUT / "int64_2x3.npy", np.array([[-2, 0, 1], [7, 2**40, -2**62]], dtype=np.int64))
np.save(OUT / "float64_2.npy", np.array([1.0, 2.0]))
np.save(OUT / "fortran_2x2.npy", np.asfortranarray(np.arange(4, dtype=np.float32).reshape(2, 2)))
print(f"wrote 7 .npy fixtures to {OUT}")
