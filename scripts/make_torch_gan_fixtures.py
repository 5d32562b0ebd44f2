"""Writes the PyTorch fixture of Tests/MirageModelsTests/Fixtures (dev-only; needs torch, safetensors):

- torch_gradient_penalty.safetensors: a small WGAN-GP critic (the DCGAN critic without batch norm,
  width 4: conv 1→4 4×4/2, conv 4→8 4×4/2, fc 392→1, LeakyReLU 0.2), real and fake batches, the
  interpolation weights ε, and the penalty E[(‖∇D(x̂)‖₂ − 1)²] with the norm per sample over all
  pixels and channels, its gradient with respect to every critic parameter (through
  torch.autograd.grad(create_graph=True)), and the same for the whole critic loss
  D(fake).mean() − D(real).mean() + 10·penalty.
- torch_pix2pix.safetensors: one training step of a small pix2pix (scripts/peer/train_peer.py's
  Pix2Pix on 1×16×16 pairs, generator width 4, discriminator width 4 with 2 layers; its own
  N(0, 0.02) initialisation) with dropout on, its masks drawn as Mirage's Pix2Pix(seed 0) draws
  them (MiragePCG32 seeded 1, level 2's mask before level 1's): the weights before the step under
  Mirage's names, the batch (A, B in [-1, 1]), the three losses, the gradient
  of every parameter (the discriminator's from its step, the generator's from its step against the
  updated discriminator) and every batch-norm running statistic after the step.

Usage: python3 scripts/make_torch_gan_fixtures.py
"""
import pathlib
import sys
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

torch.manual_seed(0)
OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests/MirageModelsTests/Fixtures"


class Critic(nn.Module):  # DCGANDiscriminator(width: 4, batchNorm: false)
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 4, 4, 2, 1)
        self.c2 = nn.Conv2d(4, 8, 4, 2, 1)
        self.fc = nn.Linear(8 * 7 * 7, 1)

    def forward(self, x):
        return self.fc(F.leaky_relu(self.c2(F.leaky_relu(self.c1(x), 0.2)), 0.2).flatten(1))


def penalty(critic, real, fake, eps):
    mixed = (eps * real + (1 - eps) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(mixed).sum(), mixed, create_graph=True)
    return ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()


critic = Critic()
with torch.no_grad():  # gradient norms near 1 (about 0.8), where the penalty is not flat
    for p in critic.parameters():
        p.mul_(2)
real = torch.rand(3, 1, 28, 28) * 2 - 1
fake = torch.rand(3, 1, 28, 28) * 2 - 1
eps = torch.rand(3, 1, 1, 1)
t = {f"param.{k}": v.detach().clone() for k, v in critic.named_parameters()}
t.update(real=real, fake=fake, epsilon=eps)

gp = penalty(critic, real, fake, eps)
# The final bias does not reach ∇ₓD, so its gradient is zero (allow_unused, then zeros).
grads = torch.autograd.grad(gp, list(critic.parameters()), allow_unused=True, materialize_grads=True)
t["penalty"] = gp.detach().reshape(1)
t.update({f"grad_penalty.{k}": g for (k, _), g in zip(critic.named_parameters(), grads)})

loss = critic(fake).mean() - critic(real).mean() + 10 * penalty(critic, real, fake, eps)
grads = torch.autograd.grad(loss, list(critic.parameters()))
t["loss"] = loss.detach().reshape(1)
t.update({f"grad_loss.{k}": g for (k, _), g in zip(critic.named_parameters(), grads)})

OUT.mkdir(parents=True, exist_ok=True)
save_file({k: v.contiguous() for k, v in t.items()}, str(OUT / "torch_gradient_penalty.safetensors"))
print(f"penalty {gp.item():.6f}, loss {loss.item():.6f}; wrote {OUT / 'torch_gradient_penalty.safetensors'}")


# pix2pix: one step of the peer's training loop, dropout on with Mirage's masks.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent / "peer"))
from train_peer import MirageMaskDropout, Pix2Pix  # noqa: E402

torch.manual_seed(1)
model = Pix2Pix(1, 1, 16, 16, ngf=4, ndf=4)
model.draw_mirage_masks(0)  # as Pix2Pix.Config.seed 0 draws them
assert sum(isinstance(d, MirageMaskDropout) for d in model.G.dropout) == 2
mirage_name = Pix2Pix.mirage_name


a, b = torch.rand(4, 1, 16, 16) * 2 - 1, torch.rand(4, 1, 16, 16) * 2 - 1
t = {f"param.{mirage_name(k)}": v.detach().clone() for k, v in model.state_dict().items()}
t.update(a=a, b=b)
losses = model.step(a, b)
t.update({name: torch.tensor([value]) for name, value in losses.items()})
t.update({f"grad.{mirage_name(k)}": p.grad.clone() for k, p in model.named_parameters()})
t.update({f"after.{mirage_name(k)}": v.clone() for k, v in model.state_dict().items() if "running" in k})
save_file({k: v.contiguous() for k, v in t.items()}, str(OUT / "torch_pix2pix.safetensors"))
print(f"pix2pix step: {losses}; wrote {OUT / 'torch_pix2pix.safetensors'}")
