"""Dev-only PyTorch prototype: which VAE network scores a held-out MNIST digit best?

Asks, before any Swift is written, whether the network of L. Tonnaer's thesis (chapter 3, whose 2-d
VAE scores the held-out 3 at AUROC 0.94) would lift Mirage's convolutional VAE (0.909 on the 3
after 50 epochs). Trains a VAE with a 2-d code (--latent D: a D-d one) on the MNIST training digits
other than DIGIT (Bernoulli decoder on dynamically binarised pixels, batch 64, Adam 1e-3: `mirage
train vae --architecture conv --latent 2 --exclude-class DIGIT`'s recipe), then prints the AUROC of
the reconstruction error (MSE of the decoded posterior mean to the gray test image) for DIGIT
against the other test digits.

Networks (--network):
  conv        Mirage's conv VAE: 4×4 stride-2 convolutions 32, 64, ReLU → 400 hidden units → code;
              back through 400 → 64×7×7 → two 4×4 stride-2 transposed convolutions.
  conv64      the same with 64 hidden units.
  pooled      the thesis's description (its section 3.4.2): two blocks of 3×3 convolution (32, 64
              filters), batch norm, ReLU and 2×2 max-pooling → 64 hidden units → code; the decoder
              mirrors it with nearest-neighbour upsampling (the thesis does not describe its decoder;
              this is a guess).
  pooled400   the same with 400 hidden units.

    python3 scripts/peer/anomaly_vae_networks.py --network pooled --digit 3 --epochs 10
    python3 scripts/peer/anomaly_vae_networks.py --network conv --latent 4 --digit 3 --epochs 10

One thread, about 7 (conv) to 13 (pooled) minutes per 10 epochs.
"""
import argparse, gzip, pathlib, time
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F
from scipy.stats import rankdata

MNIST = pathlib.Path(__file__).resolve().parents[2] / "Data" / "mnist"


def load(kind):
    x = np.frombuffer(gzip.open(MNIST / f"{kind}-images-idx3-ubyte.gz").read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)
    y = np.frombuffer(gzip.open(MNIST / f"{kind}-labels-idx1-ubyte.gz").read(), np.uint8, offset=8)
    return torch.tensor(x, dtype=torch.float32) / 255, torch.tensor(y.astype(np.int64))


class Conv(nn.Module):
    def __init__(s, latent, h=400):
        super().__init__()
        s.c1 = nn.Conv2d(1, 32, 4, 2, 1); s.c2 = nn.Conv2d(32, 64, 4, 2, 1); s.e = nn.Linear(64 * 49, h)
        s.mu = nn.Linear(h, latent); s.lv = nn.Linear(h, latent); s.d1 = nn.Linear(latent, h); s.d2 = nn.Linear(h, 64 * 49)
        s.u1 = nn.ConvTranspose2d(64, 32, 4, 2, 1); s.u2 = nn.ConvTranspose2d(32, 1, 4, 2, 1)

    def enc(s, x):
        h = F.relu(s.e(F.relu(s.c2(F.relu(s.c1(x)))).flatten(1)))
        return s.mu(h), s.lv(h)

    def dec(s, z):
        g = F.relu(s.d2(F.relu(s.d1(z)))).view(-1, 64, 7, 7)
        return s.u2(F.relu(s.u1(g)))


class Pooled(nn.Module):
    def __init__(s, latent, h=64):
        super().__init__()
        s.b1 = nn.Sequential(nn.Conv2d(1, 32, 3, 1, 1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2))
        s.b2 = nn.Sequential(nn.Conv2d(32, 64, 3, 1, 1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2))
        s.e = nn.Linear(64 * 49, h); s.mu = nn.Linear(h, latent); s.lv = nn.Linear(h, latent)
        s.d1 = nn.Linear(latent, h); s.d2 = nn.Linear(h, 64 * 49)
        s.u1 = nn.Sequential(nn.Upsample(scale_factor=2), nn.Conv2d(64, 32, 3, 1, 1), nn.BatchNorm2d(32), nn.ReLU())
        s.u2 = nn.Sequential(nn.Upsample(scale_factor=2), nn.Conv2d(32, 1, 3, 1, 1))

    def enc(s, x):
        h = F.relu(s.e(s.b2(s.b1(x)).flatten(1)))
        return s.mu(h), s.lv(h)

    def dec(s, z):
        g = F.relu(s.d2(F.relu(s.d1(z)))).view(-1, 64, 7, 7)
        return s.u2(s.u1(g))


NETWORKS = {"conv": Conv, "conv64": lambda d: Conv(d, 64), "pooled": Pooled, "pooled400": lambda d: Pooled(d, 400)}


def auroc(is_anomaly, scores):  # Mann–Whitney, ties one half (as AnomalyDetectionMetrics)
    r = rankdata(scores); n1 = is_anomaly.sum(); n0 = len(scores) - n1
    return (r[is_anomaly].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--network", choices=list(NETWORKS), default="conv")
    ap.add_argument("--digit", type=int, default=3, help="the held-out digit (default 3)")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--latent", type=int, default=2, help="the code's size (default 2, the thesis's)")
    a = ap.parse_args()
    torch.manual_seed(a.seed); np.random.seed(a.seed); torch.set_num_threads(1)
    xtr, ytr = load("train"); xte, yte = load("t10k")
    xtr = xtr[ytr != a.digit]
    m = NETWORKS[a.network](a.latent)
    opt = torch.optim.Adam(m.parameters(), 1e-3)
    t0 = time.time()
    for ep in range(a.epochs):
        m.train(); perm = torch.randperm(len(xtr)); total = 0
        for i in range(0, len(xtr) - 63, 64):
            xb = torch.bernoulli(xtr[perm[i:i + 64]])
            mu, lv = m.enc(xb); z = mu + torch.randn_like(mu) * (0.5 * lv).exp()
            rec = F.binary_cross_entropy_with_logits(m.dec(z), xb, reduction="sum") / 64
            kl = -0.5 * (1 + lv - mu ** 2 - lv.exp()).sum() / 64
            loss = rec + kl; opt.zero_grad(); loss.backward(); opt.step(); total += loss.item()
        print(f"epoch {ep + 1} loss {total / (len(xtr) // 64):.2f} {time.time() - t0:.0f}s", flush=True)
    m.eval()
    with torch.no_grad():
        scores = []
        for i in range(0, len(xte), 500):
            mu, _ = m.enc(xte[i:i + 500])
            scores.append(((torch.sigmoid(m.dec(mu)) - xte[i:i + 500]) ** 2).mean((1, 2, 3)))
        scores = torch.cat(scores).numpy()
    print(a.network, f"{a.latent}-d", a.digit, a.epochs, a.seed, "recon AUROC %.4f" % auroc((yte == a.digit).numpy(), scores))


if __name__ == "__main__":
    main()
