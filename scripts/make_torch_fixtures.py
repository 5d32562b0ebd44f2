"""Writes Tests/MirageTensorTests/Fixtures/torch_ops.json: PyTorch's outputs and gradients for
small random inputs, which the Swift golden tests compare against.

Dev-only (needs torch); the project never runs Python. Usage:
    python3 scripts/make_torch_fixtures.py
"""
import json, pathlib
import torch
import torch.nn.functional as F

torch.manual_seed(0)
OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests/MirageTensorTests/Fixtures/torch_ops.json"


def t(*shape, positive=False):
    x = torch.randn(*shape)
    return x.abs() + 0.5 if positive else x


cases = []


def case(name, fn, *inputs, order=1):
    """Records fn(inputs), and the gradient of sum(fn(inputs) * r) for a random r.
    order=2 records instead the gradient of sum(grad * v) (a Hessian-vector product)."""
    xs = [x.clone().requires_grad_(True) for x in inputs]
    y = fn(*xs)
    r = torch.randn_like(y)
    grads = torch.autograd.grad((y * r).sum(), xs, create_graph=(order == 2), allow_unused=True)
    grads = [torch.zeros_like(x) if g is None else g for g, x in zip(grads, xs)]
    entry = {"name": name, "inputs": [enc(x) for x in inputs], "output": enc(y), "cotangent": enc(r)}
    if order == 2:
        vs = [torch.randn_like(x) for x in xs]
        h = sum((g * v).sum() for g, v in zip(grads, vs))
        grads = torch.autograd.grad(h, xs)
        entry["directions"] = [enc(v) for v in vs]
    entry["grads"] = [enc(g) for g in grads]
    entry["order"] = order
    cases.append(entry)


def enc(x):
    x = x.detach()
    return {"shape": list(x.shape), "data": [float(v) for v in x.reshape(-1).tolist()]}


case("add", lambda a, b: a + b, t(2, 3), t(3))
case("subtract", lambda a, b: a - b, t(2, 3, 1), t(4))
case("multiply", lambda a, b: a * b, t(2, 3), t(2, 1))
case("divide", lambda a, b: a / b, t(2, 3), t(3, positive=True))
case("exp", torch.exp, t(3, 4))
case("log", torch.log, t(3, 4, positive=True))
case("sqrt", torch.sqrt, t(3, 4, positive=True))
case("pow3", lambda a: a.pow(3), t(3, 4))
case("abs", torch.abs, t(3, 4))
case("tanh", torch.tanh, t(3, 4))
case("sigmoid", torch.sigmoid, t(3, 4))
case("relu", F.relu, t(3, 4))
case("leakyRelu", lambda a: F.leaky_relu(a, 0.2), t(3, 4))
case("silu", F.silu, t(3, 4))
case("softplus", F.softplus, t(3, 4) * 4)
case("sin", torch.sin, t(3, 4))
case("cos", torch.cos, t(3, 4))
case("clamp", lambda a: a.clamp(-0.5, 0.5), t(3, 4))
case("where", lambda a, b: torch.where(a > 0, a, b), t(3, 4), t(4))
case("sumAxes", lambda a: a.sum(dim=(0, 2), keepdim=True), t(2, 3, 4))
case("mean", lambda a: a.mean(dim=1), t(2, 3, 4))
case("amax", lambda a: a.amax(dim=2), t(2, 3, 4))
case("amin", lambda a: a.amin(dim=0), t(2, 3, 4))
case("logSumExp", lambda a: torch.logsumexp(a, dim=1), t(3, 5) * 3)
case("softmax", lambda a: F.softmax(a, dim=-1), t(3, 5) * 3)
case("logSoftmax", lambda a: F.log_softmax(a, dim=0), t(3, 5) * 3)
case("variance", lambda a: a.var(dim=1), t(3, 5))
case("matmul", torch.matmul, t(2, 1, 3, 4), t(5, 4, 2))
case("permute", lambda a: a.permute(2, 0, 1) * 1, t(2, 3, 4))
case("slicePad", lambda a: F.pad(a[:, 1:3, :], (1, 2, 0, 1)), t(2, 3, 4))
case("concat", lambda a, b: torch.cat([a, b, a], dim=1), t(2, 3), t(2, 1))
case("indexSelect", lambda a: a.index_select(0, torch.tensor([2, 0, 2])), t(3, 4))
case("gather", lambda a: a.gather(1, torch.tensor([[0, 3], [1, 1], [2, 0]])), t(3, 4))
case("conv2d", lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1), t(2, 3, 7, 7), t(4, 3, 3, 3), t(4))
case("conv2dGroups", lambda x, w: F.conv2d(x, w, stride=(1, 2), padding=(2, 1), groups=2), t(1, 4, 6, 5), t(6, 2, 3, 2))
case("convTranspose2d", lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1), t(2, 3, 4, 4), t(3, 2, 4, 4), t(2))
case("convTranspose2dGroups", lambda x, w: F.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1, groups=2), t(1, 4, 3, 3), t(4, 3, 3, 3))
case("maxPool2d", lambda x: F.max_pool2d(x, 3, stride=2, padding=1), t(2, 2, 5, 5))
case("avgPool2d", lambda x: F.avg_pool2d(x, 2), t(2, 2, 6, 6))
case("upsampleNearest2d", lambda x: F.interpolate(x, scale_factor=2, mode="nearest"), t(1, 2, 3, 3))
# Second order: Hessian-vector products, the path of gradient penalties.
case("tanhMatmul2", lambda a, b: torch.tanh(a @ b), t(3, 4), t(4, 2), order=2)
case("conv2d2", lambda x, w: torch.sigmoid(F.conv2d(x, w, stride=2, padding=1)), t(1, 2, 5, 5), t(3, 2, 3, 3), order=2)
case("convTranspose2d2", lambda x, w: torch.tanh(F.conv_transpose2d(x, w, stride=2, padding=1)), t(1, 2, 3, 3), t(2, 2, 4, 4), order=2)
case("softmax2", lambda a: F.softmax(a, dim=1), t(2, 5), order=2)
case("logSumExp2", lambda a: torch.logsumexp(a, dim=0), t(4, 3), order=2)


def penalty(x, w1, b1, w2):
    """WGAN-GP's penalty for a small conv critic, as a function of the critic's parameters."""
    xi = x.detach().requires_grad_(True)
    h = F.leaky_relu(F.conv2d(xi, w1, b1, stride=2, padding=1), 0.2)
    d = h.flatten(1) @ w2.t()
    g, = torch.autograd.grad(d.sum(), xi, create_graph=True)
    return ((g.flatten(1).norm(dim=1) - 1) ** 2).mean()


case("gradientPenalty", lambda x, w1, b1, w2: penalty(x, w1, b1, w2), t(3, 1, 6, 6), t(4, 1, 4, 4), t(4), t(1, 36))

OUT.write_text(json.dumps({"torch": torch.__version__, "cases": cases}))
print(f"wrote {len(cases)} cases to {OUT}")
