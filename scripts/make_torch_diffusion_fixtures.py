"""Writes the PyTorch fixture of Tests/MirageModelsTests/Fixtures for the DDPM's network (dev-only;
needs torch, safetensors):

- torch_residual_unet.safetensors: a class-conditional ResidualUNet of width 8 (scripts/peer/train_peer.py's,
  which ResidualUNet.swift mirrors) with every weight drawn, including those that start at zero, so that
  every path carries signal; images, timesteps and classes (the class count meaning "no class"), the
  output, a cotangent r, and the gradients of sum(output · r) with respect to the images and every parameter.

Usage: python3 scripts/make_torch_diffusion_fixtures.py
"""
import pathlib
import sys
import torch
from safetensors.torch import save_file

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent / "peer"))
from train_peer import ResidualUNet  # noqa: E402

torch.manual_seed(0)
OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests/MirageModelsTests/Fixtures"

net = ResidualUNet(classes=3, ch=8)
with torch.no_grad():
    for name, p in net.named_parameters():
        if name.endswith("norm1.weight") or name.endswith("norm2.weight") or "norm.weight" in name:
            p.uniform_(0.5, 1.5)
        elif torch.count_nonzero(p) == 0:
            p.normal_(0, 0.2)
x = torch.randn(3, 1, 8, 8, requires_grad=True)
t = torch.tensor([0, 17, 999])
y = torch.tensor([2, 0, 3])
out = net(x, t, y)
r = torch.randn_like(out)
(out * r).sum().backward()
tensors = {f"param.{k}": v.detach().clone() for k, v in net.named_parameters()}
tensors.update({f"grad.{k}": v.grad for k, v in net.named_parameters()})
tensors.update({"images": x.detach(), "timesteps": t.float(), "labels": y.float(), "output": out.detach(),
                "cotangent": r, "grad_images": x.grad})
save_file(tensors, str(OUT / "torch_residual_unet.safetensors"))
print(f"{sum(p.numel() for p in net.parameters())} parameters; ResidualUNet(ch=32): "
      f"{sum(p.numel() for p in ResidualUNet(0).parameters())}, conditional {sum(p.numel() for p in ResidualUNet(10).parameters())}")
