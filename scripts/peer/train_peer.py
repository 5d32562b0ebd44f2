"""Dev-only: trains the PyTorch peers of Mirage's models the same way Mirage does (same networks,
initialisation, losses, optimizers, batch 64, data in [-1, 1] reshuffled every epoch with the last
partial batch dropped, a step's batches taken in turn from that stream), for the quality
comparison of issue 5. Needs torch and numpy. --steps counts generator updates; every GAN writes
10,000 samples in [0,1] as N×1×28×28 float32 .npy (--out, default peer-MODEL.npy), generator in
eval mode, and prints its training time.

    python3 scripts/peer/train_peer.py vae      # 10 epochs, batch 128, Adam 1e-3, dynamic binarisation;
                                                # prints test ELBO and IWAE NLL (k=1000) in nats
    python3 scripts/peer/train_peer.py dcgan --out peer-dcgan.npy   # 3000 steps, Adam 2e-4 (0.5, 0.999)
    python3 scripts/peer/train_peer.py wgan     # 3000 steps, weight clipping c = 0.01, RMSprop 5e-5
                                                # (alpha 0.99, eps 1e-8), 5 critic updates a step, BN critic
    python3 scripts/peer/train_peer.py wgan-gp  # 3000 steps, penalty λ = 10, Adam 1e-4 (0, 0.9),
                                                # 5 critic updates a step, critic without BN
        wgan, wgan-gp: --curve w.json [--curve-every 250] writes [{"step", "w_distance", "samples"}]:
        every N steps the mean of E[D(real)] - E[D(fake)] over the critic updates of the last N steps
        (w_distance_logged: over each step's last one, what Mirage logs) and 1,000 samples in
        w-stepK.npy; curve samples use their own RNG, so training is the same with or without it
    python3 scripts/peer/train_peer.py cgan     # 3000 steps, Adam 2e-4 (0.5, 0.999), one-hot class on G's
                                                # noise, label maps on D's channels; samples 1,000 per class,
                                                # class order: rows 0-999 class 0, 1000-1999 class 1, ...
    python3 scripts/peer/train_peer.py infogan  # 3000 steps, 62 noise + 10-way categorical + 2 codes
                                                # U(-1, 1), Q head, three Adam 2e-4 (0.5, 0.999); samples
                                                # 1,000 per categorical code in order 0..9 as cgan
    python3 scripts/peer/train_peer.py lapgan   # 3000 steps, pyramid 7 → 14 → 28, a GAN per level,
                                                # Adam 2e-4 (0.5, 0.999) over all G, one over all D
    common: --seed 0, --threads 2
"""
import argparse, gzip, json, math, pathlib, time
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F

ROOT = pathlib.Path(__file__).resolve().parents[2]


def mnist(split, labels=False):
    prefix = "train" if split == "train" else "t10k"
    if labels:
        with gzip.open(ROOT / f"Data/mnist/{prefix}-labels-idx1-ubyte.gz") as f:
            return torch.from_numpy(np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64))
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


class DCDisc(nn.Module):  # torch_models.py's DCDisc; without BN the WGAN-GP critic, ch = 11 cgan's
    def __init__(s, ch=1, bn=True):
        super().__init__()
        s.c1 = nn.Conv2d(ch, 64, 4, 2, 1); s.c2 = nn.Conv2d(64, 128, 4, 2, 1)
        s.bn2 = nn.BatchNorm2d(128) if bn else nn.Identity(); s.fc = nn.Linear(128 * 7 * 7, 1)
    def body(s, x):
        return F.leaky_relu(s.bn2(s.c2(F.leaky_relu(s.c1(x), 0.2))), 0.2).flatten(1)
    def forward(s, x):
        return s.fc(s.body(x))


class InfoDisc(DCDisc):  # InfoGANDiscriminator: DCDisc plus the Q head 6272-128 (BN, LeakyReLU)-12
    def __init__(s):
        super().__init__(); s.q1 = nn.Linear(128 * 7 * 7, 128); s.qbn = nn.BatchNorm1d(128); s.q2 = nn.Linear(128, 12)
    def with_codes(s, x):
        h = s.body(x); return s.fc(h), s.q2(F.leaky_relu(s.qbn(s.q1(h)), 0.2))


class CoarseGen(nn.Module):  # LAPGAN's 7×7 level: fc → 64×7×7 (BN, ReLU) → 3×3 conv 64 (BN, ReLU) → 3×3 conv 1, tanh
    def __init__(s):
        super().__init__()
        s.fc = nn.Linear(100, 64 * 7 * 7); s.bn0 = nn.BatchNorm1d(64 * 7 * 7)
        s.conv1 = nn.Conv2d(64, 64, 3, 1, 1); s.bn1 = nn.BatchNorm2d(64); s.conv2 = nn.Conv2d(64, 1, 3, 1, 1)
    def forward(s, z):
        return torch.tanh(s.conv2(F.relu(s.bn1(s.conv1(F.relu(s.bn0(s.fc(z))).view(-1, 64, 7, 7))))))


class BandGen(nn.Module):  # a finer level: [upsampled coarser, noise plane] → 3×3 conv 32 ×2 (BN, ReLU) → 3×3 conv 1
    def __init__(s):
        super().__init__()
        s.conv1 = nn.Conv2d(2, 32, 3, 1, 1); s.bn1 = nn.BatchNorm2d(32)
        s.conv2 = nn.Conv2d(32, 32, 3, 1, 1); s.bn2 = nn.BatchNorm2d(32); s.conv3 = nn.Conv2d(32, 1, 3, 1, 1)
    def forward(s, up, plane):
        return s.conv3(F.relu(s.bn2(s.conv2(F.relu(s.bn1(s.conv1(torch.cat([up, plane], 1))))))))


class PyrDisc(nn.Module):  # a level's D: 4×4/2 conv w → 4×4/2 conv 2w (BN) → fc; finer levels see [image, upsampled coarser]
    def __init__(s, ch, size, w):
        super().__init__()
        out = ((size - 2) // 2 + 1 - 2) // 2 + 1
        s.c1 = nn.Conv2d(ch, w, 4, 2, 1); s.c2 = nn.Conv2d(w, 2 * w, 4, 2, 1); s.bn2 = nn.BatchNorm2d(2 * w)
        s.fc = nn.Linear(2 * w * out * out, 1)
    def forward(s, x, cond=None):
        x = x if cond is None else torch.cat([x, cond], 1)
        return s.fc(F.leaky_relu(s.bn2(s.c2(F.leaky_relu(s.c1(x), 0.2))), 0.2).flatten(1))


def expand(x):  # LaplacianPyramid.expand: each pixel repeated over 2×2 (reduce is the 2×2 mean)
    return F.interpolate(x, scale_factor=2, mode="nearest")


def dcgan_init(m):
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(m.weight, 0, 0.02); nn.init.zeros_(m.bias)
    elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
        nn.init.normal_(m.weight, 1, 0.02); nn.init.zeros_(m.bias)


def stream(*tensors):
    """Mirage's BatchStream: endless batches of 64, reshuffled every epoch, the last partial one dropped."""
    while True:
        perm = torch.randperm(len(tensors[0]))
        for i in range(len(tensors[0]) // 64):
            yield [t[perm[i * 64:(i + 1) * 64]] for t in tensors]


def adam(params, lr=2e-4, betas=(0.5, 0.999)):  # eps 1e-8, as Mirage's Adam
    return torch.optim.Adam(params, lr, betas=betas)


def bce(logits, target):
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, target))


def save(out, images):  # images in [-1, 1] → [0, 1], as Mirage's toUnitRange
    s = ((images + 1) / 2).clamp(0, 1)
    np.save(out, s.numpy().astype(np.float32))
    print(f"wrote {tuple(s.shape)} samples to {out}")


def dcgan(args):
    torch.manual_seed(args.seed)
    train = mnist("train") * 2 - 1
    G, D = DCGen(), DCDisc(); G.apply(dcgan_init); D.apply(dcgan_init)
    oG = torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999)); oD = torch.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.999))
    ones, zeros = torch.ones(64, 1), torch.zeros(64, 1)
    t0, step = time.time(), 0
    while step < args.steps:
        perm = torch.randperm(len(train))
        for i in range(len(train) // 64):
            if step == args.steps: break
            x = train[perm[i * 64:(i + 1) * 64]]; fake = G(torch.randn(64, 100))
            lD = F.binary_cross_entropy_with_logits(D(x), ones) + F.binary_cross_entropy_with_logits(D(fake.detach()), zeros)
            oD.zero_grad(); lD.backward(); oD.step()
            lG = F.binary_cross_entropy_with_logits(D(fake), ones)
            oG.zero_grad(); lG.backward(); oG.step(); step += 1
    print(f"trained {args.steps} steps in {time.time() - t0:.0f} s")
    G.eval()
    with torch.no_grad():
        s = torch.cat([(G(torch.randn(1000, 100)) + 1) / 2 for _ in range(10)]).clamp(0, 1)
    np.save(args.out, s.numpy().astype(np.float32))
    print(f"wrote {tuple(s.shape)} samples to {args.out}")


def wgan(args):  # WGAN.swift: `wgan` (weight clipping) and `wgan-gp`
    gp = args.model == "wgan-gp"
    torch.manual_seed(args.seed)
    batches = stream(mnist("train") * 2 - 1)
    G, D = DCGen(), DCDisc(bn=not gp); G.apply(dcgan_init); D.apply(dcgan_init)
    if gp:
        oG, oD = adam(G.parameters(), 1e-4, (0.0, 0.9)), adam(D.parameters(), 1e-4, (0.0, 0.9))
    else:  # torch's defaults alpha 0.99, eps 1e-8 are Mirage's RMSprop's
        oG, oD = torch.optim.RMSprop(G.parameters(), 5e-5), torch.optim.RMSprop(D.parameters(), 5e-5)
    curve, every_update, last_update, t_curve = [], [], [], 0.0
    stem = str(args.curve)[:-5] if str(args.curve).endswith(".json") else str(args.curve)
    t0 = time.time()
    for step in range(1, args.steps + 1):
        for _ in range(5):  # criticSteps critic updates, each on the stream's next batch
            x, = next(batches)
            with torch.no_grad():
                fake = G(torch.randn(64, 100))
            dr, df = D(x).mean(), D(fake).mean(); loss = df - dr
            if gp:  # λ·(‖∇D(x̂)‖₂ − 1)², the norm per sample over all pixels and channels
                eps = torch.rand(64, 1, 1, 1)
                mixed = (eps * x + (1 - eps) * fake).requires_grad_(True)
                g, = torch.autograd.grad(D(mixed).sum(), mixed, create_graph=True)
                loss = loss + 10 * ((g.flatten(1).norm(dim=1) - 1) ** 2).mean()
            oD.zero_grad(); loss.backward(); oD.step()
            if not gp:  # every critic parameter, batch-norm scales and shifts included
                with torch.no_grad():
                    for p in D.parameters(): p.clamp_(-0.01, 0.01)
            every_update.append(dr.item() - df.item())
        last_update.append(every_update[-1])
        D.requires_grad_(False)  # the critic is frozen for the generator's update
        lG = -D(G(torch.randn(64, 100))).mean()
        oG.zero_grad(); lG.backward(); oG.step()
        D.requires_grad_(True)
        if args.curve and (step % args.curve_every == 0 or step == args.steps):
            t1 = time.time(); path = f"{stem}-step{step}.npy"
            G.eval()
            with torch.no_grad():
                s = ((G(torch.randn(1000, 100, generator=torch.Generator().manual_seed(100003 * args.seed + step))) + 1) / 2).clamp(0, 1)
            G.train(); np.save(path, s.numpy().astype(np.float32))
            curve.append({"step": step, "w_distance": float(np.mean(every_update)),
                          "w_distance_logged": float(np.mean(last_update)), "samples": path})
            print(f"step {step}: w_distance {curve[-1]['w_distance']:.4f}", flush=True)
            every_update, last_update = [], []; t_curve += time.time() - t1
    print(f"trained {args.steps} steps in {time.time() - t0 - t_curve:.0f} s")
    if args.curve:
        pathlib.Path(args.curve).write_text(json.dumps(curve, indent=1) + "\n"); print(f"wrote the curve to {args.curve}")
    G.eval()
    with torch.no_grad():
        save(args.out, torch.cat([G(torch.randn(1000, 100)) for _ in range(10)]))


def onehot(y):
    return F.one_hot(y, 10).float()


def cgan(args):  # ConditionalGAN.swift
    torch.manual_seed(args.seed)
    batches = stream(mnist("train") * 2 - 1, mnist("train", labels=True))
    G, D = DCGen(110), DCDisc(11); G.apply(dcgan_init); D.apply(dcgan_init)
    oG, oD = adam(G.parameters()), adam(D.parameters())
    gen = lambda z, y: G(torch.cat([z, onehot(y)], 1))
    disc = lambda x, y: D(torch.cat([x, onehot(y)[:, :, None, None].expand(-1, -1, 28, 28)], 1))
    t0 = time.time()
    for step in range(args.steps):
        x, y = next(batches)
        yf = torch.randint(0, 10, (64,)); fake = gen(torch.randn(64, 100), yf)
        lD = bce(disc(x, y), 1) + bce(disc(fake.detach(), yf), 0)
        oD.zero_grad(); lD.backward(); oD.step()
        D.requires_grad_(False)
        lG = bce(disc(fake, yf), 1); oG.zero_grad(); lG.backward(); oG.step()
        D.requires_grad_(True)
    print(f"trained {args.steps} steps in {time.time() - t0:.0f} s")
    G.eval()
    with torch.no_grad():
        save(args.out, torch.cat([gen(torch.randn(1000, 100), torch.full((1000,), k)) for k in range(10)]))


def infogan(args):  # InfoGAN.swift
    torch.manual_seed(args.seed)
    batches = stream(mnist("train") * 2 - 1)
    G, D = DCGen(74), InfoDisc(); G.apply(dcgan_init); D.apply(dcgan_init)
    oG, oD, oI = adam(G.parameters()), adam(D.parameters()), adam(list(G.parameters()) + list(D.parameters()))
    def draw(n=64, c=None):  # 62 noise, a one-hot categorical code, 2 continuous codes U(-1, 1)
        c = torch.randint(0, 10, (n,)) if c is None else c; u = torch.rand(n, 2) * 2 - 1
        return torch.cat([torch.randn(n, 62), onehot(c), u], 1), c, u
    t0 = time.time()
    for step in range(args.steps):
        x, = next(batches)
        fake = G(draw()[0])
        lD = bce(D(x), 1) + bce(D(fake.detach()), 0)
        oD.zero_grad(); lD.backward(); oD.step()
        D.requires_grad_(False)
        lG = bce(D(fake), 1); oG.zero_grad(); lG.backward(); oG.step()
        D.requires_grad_(True)
        z, c, u = draw()  # the information step, fresh codes, over G and the whole D
        q = D.with_codes(G(z))[1]
        lI = F.cross_entropy(q[:, :10], c) + 0.1 * F.mse_loss(q[:, 10:], u)
        oI.zero_grad(); lI.backward(); oI.step(); oI.zero_grad()
    print(f"trained {args.steps} steps in {time.time() - t0:.0f} s")
    G.eval()
    with torch.no_grad():
        save(args.out, torch.cat([G(draw(1000, torch.full((1000,), k))[0]) for k in range(10)]))


def lapgan(args):  # LAPGAN.swift, 3 levels 7 → 14 → 28
    torch.manual_seed(args.seed)
    batches = stream(mnist("train") * 2 - 1)
    Gs = nn.ModuleList([CoarseGen(), BandGen(), BandGen()])
    Ds = nn.ModuleList([PyrDisc(1, 7, 64), PyrDisc(2, 14, 32), PyrDisc(2, 28, 32)])
    Gs.apply(dcgan_init); Ds.apply(dcgan_init)
    oG, oD = adam(Gs.parameters()), adam(Ds.parameters())
    t0 = time.time()
    for step in range(args.steps):
        x, = next(batches)
        real = [F.avg_pool2d(F.avg_pool2d(x, 2), 2), F.avg_pool2d(x, 2), x]
        fakes, conds = [Gs[0](torch.randn(64, 100))], [None]
        for k in (1, 2):  # each finer level built on the real coarser image, which also conditions its D
            up = expand(real[k - 1]); conds.append(up)
            fakes.append(up + Gs[k](up, torch.randn(64, 1, up.shape[2], up.shape[3])))
        lD = sum(bce(d(r, c), 1) + bce(d(f.detach(), c), 0) for d, r, f, c in zip(Ds, real, fakes, conds))
        oD.zero_grad(); lD.backward(); oD.step()
        Ds.requires_grad_(False)
        lG = sum(bce(d(f, c), 1) for d, f, c in zip(Ds, fakes, conds))
        oG.zero_grad(); lG.backward(); oG.step()
        Ds.requires_grad_(True)
    print(f"trained {args.steps} steps in {time.time() - t0:.0f} s")
    Gs.eval()
    with torch.no_grad():
        def sample(n):  # coarse to fine, each level adding its band to the upsampled coarser image
            img = Gs[0](torch.randn(n, 100))
            for k in (1, 2):
                up = expand(img); img = up + Gs[k](up, torch.randn(n, 1, up.shape[2], up.shape[3]))
            return img
        save(args.out, torch.cat([sample(1000) for _ in range(10)]))


if __name__ == "__main__":
    runs = {"vae": vae, "dcgan": dcgan, "wgan": wgan, "wgan-gp": wgan, "cgan": cgan, "infogan": infogan, "lapgan": lapgan}
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", choices=list(runs))
    ap.add_argument("--steps", type=int, default=3000, help="generator updates (GANs; default 3000)")
    ap.add_argument("--out", help="samples .npy (default peer-MODEL.npy); for cgan and infogan rows 1000k to "
                    "1000k+999 are class (categorical code) k, k = 0..9")
    ap.add_argument("--curve", help="wgan, wgan-gp: write the W-distance curve to this .json, samples beside it")
    ap.add_argument("--curve-every", type=int, default=250, help="steps between curve points (default 250)")
    ap.add_argument("--seed", type=int, default=0); ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args(); torch.set_num_threads(a.threads)
    a.out = a.out or f"peer-{a.model}.npy"
    if a.curve and a.model not in ("wgan", "wgan-gp"): ap.error("--curve is for wgan and wgan-gp")
    runs[a.model](a)
