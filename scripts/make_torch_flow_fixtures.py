"""Writes the PyTorch fixture of Tests/MirageModelsTests/Fixtures for the flows (dev-only; needs torch,
safetensors):

- torch_glow.safetensors: a small Glow (scripts/peer/train_peer.py's MultiScaleFlow: 2 levels of depth 2,
  couplings of width 8, on 1×8×8 images) with every parameter drawn (actnorm marked initialised, the
  zero-started layers given weights), dequantised images in [-½, ½], log p(x) per image in nats, and the
  gradients of Σ log p(x) with respect to every parameter.
- torch_realnvp.safetensors: a small RealNVP (train_peer.py's RealNVPFlow: 2 scales, residual coupling
  networks of width 8 with one block, on 1×8×8 images) with every parameter drawn, dequantised images in
  (0, 1), log p(x̃) per image in nats through the logit transform (its log-determinant included), and
  the gradients of Σ log p(x̃) with respect to every parameter.

Usage: python3 scripts/make_torch_flow_fixtures.py
"""
import pathlib
import sys
import torch
from safetensors.torch import save_file

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent / "peer"))
from train_peer import MultiScaleFlow, RealNVPFlow, logit_input  # noqa: E402

torch.manual_seed(0)
OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests/MirageModelsTests/Fixtures"

flow = MultiScaleFlow(levels=2, depth=2, hidden=8, shape=(1, 8, 8))
with torch.no_grad():
    for name, p in flow.named_parameters():
        p.add_(torch.randn_like(p) * 0.1)
    for name, b in flow.named_buffers():
        if name.endswith("initialized"): b.fill_(1)
x = torch.rand(3, 1, 8, 8) - 0.5
logp = flow(x)
logp.sum().backward()
tensors = {f"param.{k}": v.detach().clone() for k, v in flow.state_dict().items()}
tensors.update({f"grad.{k}": v.grad for k, v in flow.named_parameters()})
tensors.update({"images": x, "log_likelihood": logp.detach()})
save_file(tensors, str(OUT / "torch_glow.safetensors"))
print(f"{len(tensors)} tensors; log p = {logp.tolist()}")

torch.manual_seed(1)
flow = RealNVPFlow(scales=2, hidden=8, blocks=1, shape=(1, 8, 8))
with torch.no_grad():
    for name, p in flow.named_parameters():
        p.add_(torch.randn_like(p) * 0.1)
x = torch.rand(3, 1, 8, 8) * 0.98 + 0.01
h, logdet = logit_input(x)
logp = flow(h) + logdet
logp.sum().backward()
tensors = {f"param.{k}": v.detach().clone() for k, v in flow.state_dict().items()}
tensors.update({f"grad.{k}": v.grad for k, v in flow.named_parameters()})
tensors.update({"images": x, "log_likelihood": logp.detach()})
save_file(tensors, str(OUT / "torch_realnvp.safetensors"))
print(f"{len(tensors)} tensors; log p = {logp.tolist()}")
