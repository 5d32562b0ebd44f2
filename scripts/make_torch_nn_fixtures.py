"""Writes the PyTorch fixtures of Tests/MirageNNTests/Fixtures (dev-only; needs torch, safetensors):

- torch_layers.safetensors: per layer case, its parameters, an input, the output, a cotangent and the
  gradients of sum(output * cotangent) with respect to the input and each parameter; for batch norm
  in training mode also the running statistics after the step.
- torch_losses.safetensors: loss values and input gradients.
- torch_optimizers.safetensors: parameter trajectories of each optimizer under fixed gradients.
- torch_dcgen.safetensors: a DCGAN generator's state_dict saved with safetensors.torch.save_file,
  exactly as a PyTorch user would; torch_dcgen_io.safetensors: an input and the eval-mode output.

Usage: python3 scripts/make_torch_nn_fixtures.py
"""
import pathlib
import sys
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent / "peer"))
from train_peer import SelfAttention2d  # the peer's block, which Mirage's SelfAttention2d mirrors

torch.manual_seed(0)
OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests/MirageNNTests/Fixtures"
tensors = {}


def layer_case(name, module, x, train=True):
    module.train(train)
    for k, v in module.named_parameters():
        tensors[f"{name}.param.{k}"] = v.detach().clone()
    for k, v in module.named_buffers():
        tensors[f"{name}.buffer_before.{k}"] = v.detach().clone().float()
    xi = x.clone().requires_grad_(x.is_floating_point())
    y = module(xi)
    r = torch.randn_like(y)
    (y * r).sum().backward()
    tensors[f"{name}.input"] = x.float()
    tensors[f"{name}.output"] = y.detach()
    tensors[f"{name}.cotangent"] = r
    if xi.grad is not None:
        tensors[f"{name}.grad_input"] = xi.grad
    for k, v in module.named_parameters():
        tensors[f"{name}.grad.{k}"] = v.grad
    for k, v in module.named_buffers():
        tensors[f"{name}.buffer_after.{k}"] = v.detach().clone().float()


layer_case("linear", nn.Linear(5, 3), torch.randn(4, 5))
layer_case("linearNoBias", nn.Linear(5, 3, bias=False), torch.randn(2, 4, 5))
layer_case("conv2d", nn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2), torch.randn(2, 4, 7, 7))
layer_case("convTranspose2d", nn.ConvTranspose2d(3, 2, 4, stride=2, padding=1), torch.randn(2, 3, 5, 5))
bn1 = nn.BatchNorm1d(3); bn1.running_mean.uniform_(-1, 1); bn1.running_var.uniform_(0.5, 2)
layer_case("batchNorm1dTrain", bn1, torch.randn(6, 3) * 2 + 1)
bn1e = nn.BatchNorm1d(3); bn1e.running_mean.uniform_(-1, 1); bn1e.running_var.uniform_(0.5, 2)
with torch.no_grad(): bn1e.weight.uniform_(0.5, 1.5); bn1e.bias.uniform_(-0.5, 0.5)
layer_case("batchNorm1dEval", bn1e, torch.randn(6, 3), train=False)
bn2 = nn.BatchNorm2d(3, momentum=0.2)
with torch.no_grad(): bn2.weight.uniform_(0.5, 1.5); bn2.bias.uniform_(-0.5, 0.5)
layer_case("batchNorm2dTrain", bn2, torch.randn(2, 3, 4, 4))
bn2e = nn.BatchNorm2d(3); bn2e.running_mean.uniform_(-1, 1); bn2e.running_var.uniform_(0.5, 2)
layer_case("batchNorm2dEval", bn2e, torch.randn(2, 3, 4, 4), train=False)
gn = nn.GroupNorm(2, 4)
with torch.no_grad(): gn.weight.uniform_(0.5, 1.5); gn.bias.uniform_(-0.5, 0.5)
layer_case("groupNorm", gn, torch.randn(2, 4, 3, 3))
ln = nn.LayerNorm([3, 4])
with torch.no_grad(): ln.weight.uniform_(0.5, 1.5); ln.bias.uniform_(-0.5, 0.5)
layer_case("layerNorm", ln, torch.randn(2, 3, 4))
layer_case("instanceNorm2d", nn.InstanceNorm2d(3), torch.randn(2, 3, 4, 5))
layer_case("embedding", nn.Embedding(7, 3), torch.tensor([[1, 4], [6, 1]]))
layer_case("upsample", nn.Upsample(scale_factor=2, mode="nearest"), torch.randn(1, 2, 3, 3))
with torch.random.fork_rng():  # its own stream, so the cases after it keep their values
    torch.manual_seed(1)
    attention = SelfAttention2d(8)
    with torch.no_grad():  # the output projection starts at zero; give it weights, and GroupNorm an affine map
        attention.proj.weight.normal_(0, 0.3); attention.proj.bias.uniform_(-0.5, 0.5)
        attention.norm.weight.uniform_(0.5, 1.5); attention.norm.bias.uniform_(-0.5, 0.5)
    layer_case("selfAttention2d", attention, torch.randn(2, 8, 3, 4))
save_file(tensors, str(OUT / "torch_layers.safetensors"))

# Losses.
tensors = {}
def loss_case(name, fn, x, target):
    xi = x.clone().requires_grad_(True)
    y = fn(xi, target)
    y.backward()
    tensors.update({f"{name}.input": x, f"{name}.target": target.float(), f"{name}.value": y.detach().reshape(1),
                    f"{name}.grad": xi.grad})
loss_case("bce", F.binary_cross_entropy_with_logits, torch.randn(5, 3) * 3, torch.randint(0, 2, (5, 3)).float())
loss_case("crossEntropy", F.cross_entropy, torch.randn(6, 4) * 2, torch.tensor([0, 3, 1, 1, 2, 0]))
loss_case("mse", F.mse_loss, torch.randn(4, 5), torch.randn(4, 5))
loss_case("l1", F.l1_loss, torch.randn(4, 5), torch.randn(4, 5))
save_file(tensors, str(OUT / "torch_losses.safetensors"))

# Optimizers: 6 steps each from the same start under the same gradients.
tensors = {}
p0 = torch.randn(3, 4)
grads = [torch.randn(3, 4) for _ in range(6)]
tensors["start"] = p0
for i, g in enumerate(grads):
    tensors[f"grad.{i}"] = g
optimizers = {
    "sgd": lambda p: torch.optim.SGD([p], lr=0.1),
    "sgdMomentum": lambda p: torch.optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01),
    "sgdNesterov": lambda p: torch.optim.SGD([p], lr=0.1, momentum=0.9, nesterov=True),
    "adam": lambda p: torch.optim.Adam([p], lr=0.01, betas=(0.5, 0.999)),
    "adamWeightDecay": lambda p: torch.optim.Adam([p], lr=0.01, weight_decay=0.1),
    "adamW": lambda p: torch.optim.AdamW([p], lr=0.01, weight_decay=0.1),
    "rmsprop": lambda p: torch.optim.RMSprop([p], lr=0.01),
    "rmspropCenteredMomentum": lambda p: torch.optim.RMSprop([p], lr=0.01, momentum=0.5, centered=True, weight_decay=0.01),
}
for name, make in optimizers.items():
    p = p0.clone().requires_grad_(True)
    opt = make(p)
    for g in grads:
        p.grad = g.clone()
        opt.step()
    tensors[f"{name}.final"] = p.detach().clone()
save_file(tensors, str(OUT / "torch_optimizers.safetensors"))


# Interop: a DCGAN generator's state dict, saved as a PyTorch user would.
class DCGen(nn.Module):
    """The benchmark DCGAN generator's architecture at a quarter of the width, to keep the fixture small."""
    def __init__(s, nz=16):
        super().__init__()
        s.fc = nn.Linear(nz, 32 * 7 * 7); s.bn0 = nn.BatchNorm1d(32 * 7 * 7)
        s.up1 = nn.ConvTranspose2d(32, 16, 4, 2, 1); s.bn1 = nn.BatchNorm2d(16)
        s.up2 = nn.ConvTranspose2d(16, 1, 4, 2, 1)
    def forward(s, z):
        h = F.relu(s.bn0(s.fc(z))).view(-1, 32, 7, 7)
        h = F.relu(s.bn1(s.up1(h)))
        return torch.tanh(s.up2(h))


g = DCGen()
g.train()
for _ in range(3):  # give the running statistics non-trivial values
    g(torch.randn(16, 16))
g.eval()
z = torch.randn(4, 16)
with torch.no_grad():
    out = g(z)
save_file(g.state_dict(), str(OUT / "torch_dcgen.safetensors"))
save_file({"z": z, "output": out}, str(OUT / "torch_dcgen_io.safetensors"))
print("wrote fixtures to", OUT)
