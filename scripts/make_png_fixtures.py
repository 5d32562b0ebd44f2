"""PNG fixtures for Tests/MirageDataTests, written by PIL, and a check that PIL reads Mirage's PNGs.

Dev-only: the project never runs Python. Needs Pillow and NumPy, e.g.
    python3 -m venv /tmp/pilenv && /tmp/pilenv/bin/pip install pillow numpy

    python scripts/make_png_fixtures.py           # writes Tests/MirageDataTests/Fixtures/*.png + png_expected.json
    python scripts/make_png_fixtures.py --check   # runs .build/release/mirage, reads its PNGs with PIL

The fixtures cover the layouts Mirage's PNG reader must convert: 8-bit gray, RGB, RGBA, palette
and 16-bit gray. png_expected.json holds each file's pixels as PIL decodes them (row-major,
channels interleaved; 16-bit values unscaled).

--check needs `swift build -c release` first. It asks the mirage CLI for a grid of the first 16
MNIST test digits and compares it, pixel for pixel, with the same grid built here with NumPy from
the IDX file (torchvision's make_grid layout: 2-pixel padding of 0, 8 columns); then it asks for a
toy scatter plot (RGB) and checks PIL reads it as a white 512x512 RGB image with dark points.
"""
import gzip, json, pathlib, subprocess, sys, tempfile

import numpy as np
from PIL import Image

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests/MirageDataTests/Fixtures"


def write_fixtures():
    OUT.mkdir(parents=True, exist_ok=True)
    expected = {}

    def record(name, image, pixels, channels, bits=8):
        path = OUT / name
        image.save(path)
        back = Image.open(path)
        assert back.size == image.size, name
        arr = np.asarray(pixels)
        expected[name] = {"width": image.size[0], "height": image.size[1], "channels": channels, "bits": bits,
                          "pixels": [int(v) for v in arr.reshape(-1)]}

    gray = (np.arange(15, dtype=np.int32).reshape(3, 5) * 17 + 3).astype(np.uint8)   # 5 wide, 3 tall
    record("gray_5x3.png", Image.fromarray(gray, "L"), gray, 1)

    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, size=(3, 4, 3), dtype=np.uint8)
    record("rgb_4x3.png", Image.fromarray(rgb, "RGB"), rgb, 3)

    rgba = rng.integers(0, 256, size=(2, 3, 4), dtype=np.uint8)
    rgba[0, 0, 3], rgba[0, 1, 3], rgba[0, 2, 3] = 0, 255, 128
    rgba[1, :, 3] = 255
    record("rgba_3x2.png", Image.fromarray(rgba, "RGBA"), rgba, 4)

    palette_colors = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (250, 200, 10)]
    indices = np.array([[0, 1, 2, 3], [3, 2, 1, 0]], dtype=np.uint8)
    pal = Image.fromarray(indices, "P")
    pal.putpalette([c for rgb_ in palette_colors for c in rgb_])
    record("palette_4x2.png", pal, np.array([[palette_colors[i] for i in row] for row in indices], np.uint8), 3)

    g16 = np.array([[0, 257, 32768, 65535], [1000, 40000, 12850, 65280]], dtype=np.uint16)
    im16 = Image.fromarray(g16)
    assert im16.mode.startswith("I;16"), im16.mode
    record("gray16_4x2.png", im16, g16, 1, bits=16)
    with open(OUT / "gray16_4x2.png", "rb") as f:
        ihdr = f.read(33)
    assert ihdr[24] == 16 and ihdr[25] == 0, "expected a 16-bit gray PNG"

    lines = [f" {json.dumps(k)}: {json.dumps(v)}" for k, v in expected.items()]
    (OUT / "png_expected.json").write_text("{\n" + ",\n".join(lines) + "\n}\n")
    print(f"wrote {len(expected)} PNG fixtures and png_expected.json to {OUT}")


def mnist_grid(count=16, nrow=8, padding=2):
    with gzip.open(ROOT / "Data/mnist/t10k-images-idx3-ubyte.gz") as f:
        raw = np.frombuffer(f.read(), np.uint8)
    images = raw[16:].reshape(-1, 28, 28)[:count]
    cols = min(nrow, count)
    rows = (count + cols - 1) // cols
    grid = np.zeros((rows * (28 + padding) + padding, cols * (28 + padding) + padding), np.uint8)
    for i, img in enumerate(images):
        r, c = divmod(i, cols)
        y, x = padding + r * (28 + padding), padding + c * (28 + padding)
        grid[y:y + 28, x:x + 28] = img
    return grid


def check():
    mirage = ROOT / ".build/release/mirage"
    if not mirage.exists():
        sys.exit(f"{mirage} not found: run `swift build -c release` first")
    with tempfile.TemporaryDirectory() as tmp:
        grid_png = pathlib.Path(tmp) / "grid.png"
        subprocess.run([str(mirage), "data", "show", "mnist", "--split", "test", "--first", "--count", "16",
                        "--out", str(grid_png)], check=True, cwd=ROOT)
        image = Image.open(grid_png)
        assert image.mode == "L", f"grid mode {image.mode}, expected L"
        got, want = np.asarray(image), mnist_grid()
        assert got.shape == want.shape, f"grid shape {got.shape}, expected {want.shape}"
        assert np.array_equal(got, want), f"{int((got != want).sum())} grid pixels differ"
        print(f"ok: PIL reads Mirage's {got.shape[1]}x{got.shape[0]} MNIST grid, identical to NumPy's")

        scatter_png = pathlib.Path(tmp) / "ring8.png"
        subprocess.run([str(mirage), "data", "show", "ring8", "--count", "2000", "--out", str(scatter_png)],
                       check=True, cwd=ROOT)
        image = Image.open(scatter_png)
        arr = np.asarray(image)
        assert image.mode == "RGB" and image.size == (512, 512), (image.mode, image.size)
        white = (arr == 255).all(axis=2).mean()
        assert 0.5 < white < 0.999, f"scatter plot is {white:.3f} white"
        print(f"ok: PIL reads Mirage's RGB scatter plot ({white:.1%} white background)")


if __name__ == "__main__":
    check() if "--check" in sys.argv[1:] else write_fixtures()
