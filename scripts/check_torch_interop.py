"""Dev-only: Mirage's checkpoints drive PyTorch's modules and PyTorch's drive Mirage's, with the same images from the same latents.

For a DCGAN run and a VAE run: writes float32 latents, has Mirage generate from them
(`mirage sample RUN --latents z.npy`), loads the run's checkpoint into the peer's PyTorch
modules (scripts/peer/train_peer.py's DCGen and VAE) with load_state_dict(strict=True), runs them
on the same latents in eval mode, and checks that the images agree within 1e-5. Then the other
way: a freshly initialised PyTorch DCGen's state dict goes through `mirage import dcgan`, and
Mirage's samples of the imported run must match PyTorch's within 1e-5.

    swift build -c release
    .build/release/mirage train dcgan --steps 200 --out runs/dcgan
    .build/release/mirage train vae --steps 200 --out runs/vae
    /tmp/torchenv/bin/python scripts/check_torch_interop.py runs/dcgan runs/vae   # needs torch, numpy, safetensors

With a third run, a StyleGAN's: its averaged mapping and synthesis networks load strictly into train_peer.py's
Mapping and Synthesis, and the image of w̄ (what `mirage sample --truncation 1e-6 --noise zero` draws for any
latent) agrees within 1e-4 through the seven modulated convolutions and four toRGBs.

    .build/release/mirage train stylegan --steps 100 --out runs/stylegan
    /tmp/torchenv/bin/python scripts/check_torch_interop.py runs/dcgan runs/vae runs/stylegan
"""
import json, pathlib, subprocess, sys, tempfile

import numpy as np
import torch
from safetensors.numpy import load_file
from safetensors.torch import save_file

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts/peer"))
from train_peer import DCGen, VAE, Mapping, Synthesis, style_channels  # noqa: E402

MIRAGE = ROOT / ".build/release/mirage"
TOLERANCE = 1e-5


def state_dict(run, prefixes):
    """The checkpoint's tensors under `prefixes` (a map from Mirage's prefix to the module's), optimizer state left out."""
    tensors = load_file(str(pathlib.Path(run) / "checkpoints/last.safetensors"))
    out = {}
    for key, value in tensors.items():
        for mine, theirs in prefixes.items():
            if key.startswith(mine):
                out[theirs + key[len(mine):]] = torch.from_numpy(value.copy())
    return out


def mirage_images(run, z, scratch):
    latents, images = scratch / f"{pathlib.Path(run).name}-z.npy", scratch / f"{pathlib.Path(run).name}-x.npy"
    np.save(latents, z)
    subprocess.run([str(MIRAGE), "sample", str(run), "--latents", str(latents), "--out", str(images)], check=True,
                   stdout=subprocess.DEVNULL)
    return np.load(images)


def check(name, mine, theirs):
    diff = float(np.abs(mine - theirs).max())
    print(f"{name}: {mine.shape[0]} images, max |Mirage − PyTorch| = {diff:.2e}")
    if not diff <= TOLERANCE:
        sys.exit(f"{name}: outputs differ by {diff:.2e} > {TOLERANCE}")


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: check_torch_interop.py DCGAN_RUN VAE_RUN [STYLEGAN_RUN]")
    dcgan_run, vae_run = sys.argv[1:3]
    rng = np.random.RandomState(0)
    with tempfile.TemporaryDirectory() as tmp:
        scratch = pathlib.Path(tmp)

        generator = DCGen()
        generator.load_state_dict(state_dict(dcgan_run, {"generator.": ""}), strict=True)
        generator.eval()
        z = rng.randn(256, 100).astype(np.float32)
        with torch.no_grad():
            theirs = ((generator(torch.from_numpy(z)) + 1) / 2).numpy()   # Mirage maps tanh's [-1, 1] to [0, 1]
        check("dcgan", mirage_images(dcgan_run, z, scratch), theirs)

        vae = VAE()
        vae.load_state_dict(state_dict(vae_run, {"encoder.": "", "decoder.": ""}), strict=True)
        vae.eval()
        z = rng.randn(256, 20).astype(np.float32)
        with torch.no_grad():
            theirs = torch.sigmoid(vae.decode(torch.from_numpy(z))).reshape(-1, 1, 28, 28).numpy()
        check("vae", mirage_images(vae_run, z, scratch), theirs)

        # The other way: a PyTorch generator's state dict imported with `mirage import`.
        torch.manual_seed(1)
        generator = DCGen()
        generator.eval()
        weights, imported = scratch / "torch-generator.safetensors", scratch / "imported"
        save_file({"generator." + k: v.contiguous() for k, v in generator.state_dict().items()}, str(weights))
        subprocess.run([str(MIRAGE), "import", "dcgan", str(weights), "--out", str(imported)], check=True,
                       stdout=subprocess.DEVNULL)
        z = rng.randn(256, 100).astype(np.float32)
        with torch.no_grad():
            theirs = ((generator(torch.from_numpy(z)) + 1) / 2).numpy()
        check("dcgan imported from PyTorch", mirage_images(imported, z, scratch), theirs)

        if len(sys.argv) == 4:
            run = sys.argv[3]
            config = json.loads((pathlib.Path(run) / "config.json").read_text())["model"]
            side = 4
            while side < config["imageShape"][1]: side *= 2
            mapping, synthesis = Mapping(config["latent"], config["mappingLayers"]), \
                Synthesis(side, config["imageShape"][0], config["channels"], config["latent"])
            mapping.load_state_dict(state_dict(run, {"mapping_ema.": ""}), strict=True)
            synthesis.load_state_dict(state_dict(run, {"synthesis_ema.": ""}), strict=True)
            images = scratch / "stylegan.npy"
            subprocess.run([str(MIRAGE), "sample", str(run), "--count", "2", "--truncation", "1e-6", "--noise", "zero",
                            "--out", str(images)], check=True, stdout=subprocess.DEVNULL)
            pad = (side - config["imageShape"][1]) // 2
            with torch.no_grad():
                w = mapping.w_average[None, None].expand(2, synthesis.w_count, -1)
                x = synthesis(w, noise=False)[:, :, pad:side - pad, pad:side - pad]
                theirs = ((x + 1) / 2).clamp(0, 1).numpy()
            global TOLERANCE
            TOLERANCE = 1e-4
            check("stylegan (the image of w̄)", np.load(images), theirs)
    print("PyTorch loads Mirage's checkpoints strictly, Mirage imports PyTorch's, and both draw the same images from the same latents")


if __name__ == "__main__":
    main()
