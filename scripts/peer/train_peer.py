"""Dev-only: trains the PyTorch peer of Mirage's VAE and DCGAN the same way Mirage does, for the
quality comparison of issue 5. Needs torch and numpy.

    python3 scripts/peer/train_peer.py vae    # 10 epochs, batch 128, Adam 1e-3, dynamic binarisation;
                                              # prints test ELBO and IWAE NLL (k=1000) in nats
    python3 scripts/peer/train_peer.py dcgan --out peer-dcgan.npy   # 3000 steps, batch 64, Adam 2e-4 (0.5, 0.999);
                                              # writes 10,000 samples in [0,1] as N×1×28×28 float32 .npy
"""
import argparse, gzip, math, pathlib, time
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F

ROOT = pathlib.Path(__file__).resolve().parents[2]


def mnist(split):
    prefix = "train" if split == "train" else "t10k"
    with gzip.open(ROOT / f"Data/mnist/{prefix}-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)
    return torch.from_numpy(x.astype(np.float32) / 255)


class VAE(nn.Module):  # torch_models.py's VAE
    def __init__(s):
        super().__init__()
        s.e = nn.Linear(784, 400); s.mu = nn.Linear(400, 20); s.lv = nn.Linear(400, 20)
        s.d1 = nn.Linear(20, 400); s.d2 = nn.Linear(400, 784)
    def encode(s, x):
        h = F.relu(s.e(x)); return s.mu(h), s.lv(h)
    def decode(s, z):
        return s.d2(F.relu(s.d1(z)))


def vae(args):
    torch.manual_seed(args.seed)
    train, test = mnist("train").view(-1, 784), mnist("test").view(-1, 784)
    m = VAE(); opt = torch.optim.Adam(m.parameters(), 1e-3)
    t0 = time.time()
    for epoch in range(10):
        perm = torch.randperm(len(train))
        for i in range(len(train) // 128):
            x = torch.bernoulli(train[perm[i * 128:(i + 1) * 128]])
            mu, lv = m.encode(x)
            z = mu + torch.randn_like(mu) * torch.exp(0.5 * lv)
            rec = -F.binary_cross_entropy_with_logits(m.decode(z), x, reduction="none").sum(1)
            kl = -0.5 * (1 + lv - mu ** 2 - lv.exp()).sum(1)
            loss = (kl - rec).mean(); opt.zero_grad(); loss.backward(); opt.step()
    print(f"trained in {time.time() - t0:.0f} s")
    g = torch.Generator().manual_seed(0)
    xb = torch.bernoulli(test, generator=g)
    with torch.no_grad():
        elbos, nlls = [], []
        for i in range(0, len(xb), 100):
            x = xb[i:i + 100]; mu, lv = m.encode(x); std = torch.exp(0.5 * lv)
            lw = []
            for _ in range(10):  # 10 chunks of 100 draws: k = 1000
                eps = torch.randn(100, *mu.shape); z = mu + std * eps
                logpx = -F.binary_cross_entropy_with_logits(m.decode(z), x.expand(100, -1, -1), reduction="none").sum(2)
                logpz = -0.5 * (z ** 2).sum(2) - 10 * math.log(2 * math.pi)
                logqz = (-0.5 * eps ** 2 - 0.5 * lv).sum(2) - 10 * math.log(2 * math.pi)
                lw.append(logpx + logpz - logqz)
            lw = torch.cat(lw)
            elbos.append(lw[0]); nlls.append(-(torch.logsumexp(lw, 0) - math.log(lw.shape[0])))
        print(f"test ELBO {torch.cat(elbos).mean():.2f} nats, IWAE NLL (k=1000) {torch.cat(nlls).mean():.2f} nats")


class DCGen(nn.Module):  # torch_models.py's DCGen
    def __init__(s, nz=100):
        super().__init__()
        s.fc = nn.Linear(nz, 128 * 7 * 7); s.bn0 = nn.BatchNorm1d(128 * 7 * 7)
        s.up1 = nn.ConvTranspose2d(128, 64, 4, 2, 1); s.bn1 = nn.BatchNorm2d(64)
        s.up2 = nn.ConvTranspose2d(64, 1, 4, 2, 1)
    def forward(s, z):
        h = F.relu(s.bn0(s.fc(z))).view(-1, 128, 7, 7)
        return torch.tanh(s.up2(F.relu(s.bn1(s.up1(h)))))


class DCDisc(nn.Module):  # torch_models.py's DCDisc
    def __init__(s):
        super().__init__()
        s.c1 = nn.Conv2d(1, 64, 4, 2, 1); s.c2 = nn.Conv2d(64, 128, 4, 2, 1); s.bn2 = nn.BatchNorm2d(128)
        s.fc = nn.Linear(128 * 7 * 7, 1)
    def forward(s, x):
        return s.fc(F.leaky_relu(s.bn2(s.c2(F.leaky_relu(s.c1(x), 0.2))), 0.2).flatten(1))


def dcgan_init(m):
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(m.weight, 0, 0.02); nn.init.zeros_(m.bias)
    elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
        nn.init.normal_(m.weight, 1, 0.02); nn.init.zeros_(m.bias)


def dcgan(args):
    torch.manual_seed(args.seed)
    train = mnist("train") * 2 - 1
    G, D = DCGen(), DCDisc(); G.apply(dcgan_init); D.apply(dcgan_init)
    oG = torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999)); oD = torch.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.999))
    ones, zeros = torch.ones(64, 1), torch.zeros(64, 1)
    t0, step = time.time(), 0
    while step < 3000:
        perm = torch.randperm(len(train))
        for i in range(len(train) // 64):
            if step == 3000: break
            x = train[perm[i * 64:(i + 1) * 64]]; fake = G(torch.randn(64, 100))
            lD = F.binary_cross_entropy_with_logits(D(x), ones) + F.binary_cross_entropy_with_logits(D(fake.detach()), zeros)
            oD.zero_grad(); lD.backward(); oD.step()
            lG = F.binary_cross_entropy_with_logits(D(fake), ones)
            oG.zero_grad(); lG.backward(); oG.step(); step += 1
    print(f"trained 3000 steps in {time.time() - t0:.0f} s")
    G.eval()
    with torch.no_grad():
        s = torch.cat([(G(torch.randn(1000, 100)) + 1) / 2 for _ in range(10)]).clamp(0, 1)
    np.save(args.out, s.numpy().astype(np.float32))
    print(f"wrote {tuple(s.shape)} samples to {args.out}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(); ap.add_argument("model", choices=["vae", "dcgan"])
    ap.add_argument("--out", default="peer-dcgan.npy"); ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args(); torch.set_num_threads(a.threads)
    vae(a) if a.model == "vae" else dcgan(a)
