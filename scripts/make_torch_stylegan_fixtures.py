"""Writes the PyTorch fixture of StyleGAN's two regularisers to Tests/MirageModelsTests/Fixtures (dev-only; needs
torch, numpy, safetensors), with scripts/peer/train_peer.py's StyleGAN2 networks at a small size (1×16×16 images,
base 16 channels, w of 8, 2 mapping layers):

- torch_stylegan.safetensors: the weights under Mirage's names (discriminator., mapping., synthesis.); a real batch
  `x`; R1 = E‖∇ₓD(x)‖² and its gradient with respect to every discriminator parameter (second order, through
  torch.autograd.grad(create_graph=True)); latents `z`, image-space noise `y`, and the path-length penalty
  E[(‖Jᵀy‖ − 0.5)²] (J the Jacobian of the images in the styles ws, every row the mapping's w, no noise inputs,
  the mapping in evaluation mode) with its gradient with respect to every mapping and synthesis parameter.

Usage: /tmp/torchenv/bin/python scripts/make_torch_stylegan_fixtures.py
"""
import math
import pathlib
import sys

import torch
from safetensors.torch import save_file

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts/peer"))
from train_peer import Mapping, StyleDisc, Synthesis  # noqa: E402

torch.manual_seed(0)
D, mapping, synthesis = StyleDisc(16, 1, 16), Mapping(8, 2).eval(), Synthesis(16, 1, 16, 8)
with torch.no_grad():  # a trained-looking mapping average and noise strengths, so that nothing is exactly zero
    mapping.w_average.normal_()
    for layer in synthesis.layers:
        layer.noise_strength.normal_()
t = {f"discriminator.{k}": v.detach().clone() for k, v in D.state_dict().items()}
t.update({f"mapping.{k}": v.detach().clone() for k, v in mapping.state_dict().items()})
t.update({f"synthesis.{k}": v.detach().clone() for k, v in synthesis.state_dict().items()})

x = torch.rand(4, 1, 16, 16) * 2 - 1
xr = x.clone().requires_grad_(True)
(g,) = torch.autograd.grad(D(xr).sum(), xr, create_graph=True)
r1 = g.pow(2).sum([1, 2, 3]).mean()
grads = torch.autograd.grad(r1, list(D.parameters()), allow_unused=True, materialize_grads=True)  # the last bias: zero
t["x"], t["r1"] = x, r1.detach().reshape(1)
for (name, _), grad in zip(D.named_parameters(), grads):
    t[f"grad_r1.discriminator.{name}"] = grad

z = torch.randn(4, 8)
ws = mapping(z)[:, None].expand(4, synthesis.w_count, 8)
images = synthesis(ws, noise=False)
y = torch.randn_like(images) / math.sqrt(16 * 16)
(g,) = torch.autograd.grad((images * y).sum(), ws, create_graph=True)
lengths = (g.pow(2).sum(2).mean(1) + 1e-8).sqrt()
penalty = (lengths - 0.5).pow(2).mean()
parameters = list(mapping.named_parameters()) + list(synthesis.named_parameters())
grads = torch.autograd.grad(penalty, [p for _, p in parameters], allow_unused=True, materialize_grads=True)
t["z"], t["y"], t["path_length_penalty"] = z, y, penalty.detach().reshape(1)
for name, p in mapping.named_parameters():
    t[f"grad_pl.mapping.{name}"] = grads[[q is p for _, q in parameters].index(True)]
for name, p in synthesis.named_parameters():
    t[f"grad_pl.synthesis.{name}"] = grads[[q is p for _, q in parameters].index(True)]

out = ROOT / "Tests/MirageModelsTests/Fixtures/torch_stylegan.safetensors"
save_file({k: v.contiguous() for k, v in t.items()}, str(out))
print(f"wrote {len(t)} tensors to {out}: R1 {r1.item():.6f}, path-length penalty {penalty.item():.6f}")
