"""Dev-only: trains the PyTorch peers of Mirage's models the same way Mirage does (same networks,
initialisation, losses, optimizers, batch 64, data in [-1, 1] reshuffled every epoch with the last
partial batch dropped, a step's batches taken in turn from that stream), for the quality
comparison of issue 5. Needs torch and numpy. --steps counts generator updates; every GAN writes
10,000 samples in [0,1] as N×1×28×28 float32 .npy (--out, default peer-MODEL.npy), generator in
eval mode, and prints its training time. The translation models (pix2pix, cyclegan) instead write
their translations of the whole test split into the folder --out (default peer-MODEL).

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
    python3 scripts/peer/train_peer.py glow     # 3000 steps, MultiScaleFlow 2 levels × --depth 8 (actnorm,
                                                # LU 1×1 conv, affine coupling --hidden 128), exact NLL of
                                                # dequantised pixels in bits/dim, Adam 1e-3 warmed up over 200
                                                # steps, clipping at 50; prints test bits/dim (--bpd-count N
                                                # images, default all), writes --count samples (--temperature);
                                                # both from a moving average of the weights (--ema-decay 0.999)
    python3 scripts/peer/train_peer.py realnvp  # 3000 steps, RealNVP --scales 2 (3 checkerboard couplings,
                                                # squeeze, 3 channel-wise couplings, half factored out; then 4
                                                # checkerboard couplings), residual coupling networks (--hidden
                                                # 32, --blocks 1), on logit(0.05 + 0.9·x̃); training and
                                                # outputs as glow
    python3 scripts/peer/train_peer.py stylegan --steps 3000   # StyleGAN.swift's defaults, batch 32 (--batch); 10,000
                                                # samples from the moving average at ψ = 1, cropped to 28×28;
                                                # --r1 γ, --path-length weight; --weights W.safetensors writes
                                                # the averaged networks for `mirage import stylegan W` (then
                                                # truncation, mixing and `mirage eval ppl` run on them)
    python3 scripts/peer/train_peer.py pixelcnn # 3000 steps, PixelCNN (7×7 mask-A conv to 2h, --layers 6 residual
                                                # blocks 1×1 → 3×3 mask-B → 1×1, --filters h = 32) or --gated
                                                # (vertical and horizontal stacks, tanh·sigmoid gates: a 7×7 layer,
                                                # then --layers 3×3 ones); --output bernoulli (pixels dynamically
                                                # binarised per batch) or categorical (256 levels, 8-bit grid); exact
                                                # NLL in nats, Adam 1e-3, gradients clipped to norm 100
        --conditional: a learned bias per class in every layer; test NLL the marginal −log Σ_c p(x | c)/10, samples
        --count/10 per class in class order. Prints the test NLL in nats and bits/dim (nats/(784·ln 2)) on --bpd-count N
        test images (default all), Bernoulli pixels binarised once by a draw seeded with --seed, 100 at a time, as mirage
        eval nll; --eval-every N also prints it along the way (not counted as training time). Writes --count (default 64)
        samples drawn pixel by pixel in raster order, 256 images at a time, each pixel's logits from only the rows it
        depends on (3 + --layers, gated 4 + --layers, above it), and prints the sampling images/s
    python3 scripts/peer/train_peer.py ddpm     # 5000 steps, --architecture resunet (ResidualUNet 32-64-64,
                                                # attention at 7×7) or timeunet (TimeUNet 32-64-128);
                                                # ε-prediction MSE, T = 1000,
                                                # --schedule linear|cosine, Adam 2e-4, gradients clipped to
                                                # norm 1, EMA 0.9999 warmed up as min(0.9999, (1+n)/(10+n));
        --conditional: class embedding on the time embedding, class → "no class" for 10% of the images,
        samples guided (--guidance 3: ε̃ = (1+w)·ε(x, c) − w·ε(x, ∅)), --count/10 per class in class
        order (rows 0 to count/10 − 1 class 0, ...); samples --count (10,000) with the EMA weights, 256
        at a time, by --sampler ddim (--sampling-steps 50, --eta 0) or ddpm (ancestral, all T steps),
        x̂₀ clipped to [-1, 1]; prints the training time and the sampling images/s; --ancestral-count N also
        draws N ancestral samples of the same model into --ancestral-out. Schedule scales and posterior
        coefficients come from ᾱ in float64, cast to float32, as NoiseSchedule.swift.
        --bpd-count N (default 0: skip) then prints the variational bound (mirage eval nll) on the first N test
        images, 100 at a time, EMA weights, unguided ("no class"), in nats and bits/dim: L_T + middle terms + L₀ with
        the discrete decoder, all 999 middle terms or --bpd-samples K (default 100) drawn per image, stratified
    python3 scripts/peer/train_peer.py pix2pix --out peer-pix2pix   # 2000 steps, --batch 64, Adam 2e-4 (0.5, 0.999)
        U-Net G (⌊log₂ min(H, W)⌋ levels, 4 at 28×28, --ngf 64, BatchNorm, dropout 0.5 on the levels just outside the
        innermost) from A to B, PatchGAN D (--ndf 64, 2 stride-2 layers below 64 pixels, else 3) on [A, B or G(A)];
        D: ½(BCE real + BCE fake) over every patch logit; G: BCE + 100·L1. --dataset mnist-edges (mnist-inverted,
        mnist-thick, mnist-colored): A the derived image, B the digit it came from, a pair kept together in the
        shuffle; --direction a-to-b or b-to-a. Writes OUT/a-to-b.npy (or b-to-a.npy), the whole test split translated
        in order, G in eval mode (no dropout, running statistics), float32 N×C×H×W in [0, 1]; prints the training time,
        s/step, and the test L1 and PSNR (mean over images of 10·log₁₀(1/MSE)) against the targets, in [0, 1] units
        --mirage-masks: the dropout masks Mirage's pix2pix of the same --seed draws (same stream, same order);
        --mirage-order: the batches in the order it visits them; with both, the two runs see the same random numbers
        and, started from its weights (--init-from CHECKPOINT), the runs differ only by floating-point rounding, which
        training amplifies (--log-every 50 against Mirage's metrics.jsonl: the L1 losses agree to 4 digits at step 50
        and stay within 3% (seed 0), the GAN losses part within a hundred steps)
    python3 scripts/peer/train_peer.py cyclegan --out peer-cyclegan # 2000 steps, --batch 64, --domain-a mnist
        --domain-b mnist-colored (any Mirage dataset names; mnist-colored means its coloured digits). G_AB, G_BA: U-Net
        (InstanceNorm, no dropout) below 64 pixels, else the ResNet generator (9 blocks from 256 pixels, else 6);
        D_A, D_B: PatchGAN with InstanceNorm. Least-squares GAN losses, cycle loss 10·L1 (the B → A → B one's weight:
        --cycle-weight-b), identity loss 0.5 of those weights ·L1 only when A and B have the same channels (mnist 1 ↔
        mnist-colored 3: skipped), D trained on a pool of 50 earlier fakes each (seeded). Adam 2e-4 (0.5, 0.999) over both G, one over both D, constant for half the steps and then
        linearly down to 0. The domains are shuffled apart (two seeded permutation streams), so no pairing leaks in.
        Writes OUT/a-to-b.npy, b-to-a.npy, a-to-b-to-a.npy, b-to-a-to-b.npy (whole test splits, in order, [0, 1]);
        prints the training time, s/step, and the test cycle L1 both ways
        pix2pix, cyclegan data: Mirage's own images, exported by `mirage data export` with the binary --mirage
        (default ROOT/.build/release/mirage, run from ROOT) into a temporary folder, or into --data-cache DIR and
        reused until the binary is newer; mnist-colored's colours are drawn with --seed, as `mirage train --seed`
        draws them. Pixels scaled to [-1, 1], reshuffled every epoch, the last partial batch dropped, no jitter/flip
    python3 scripts/peer/train_peer.py points --dataset grid25 --pack 4 --steps 10000 --out pac4.npy
        The 2-D mode-collapse GAN (GAN.swift on points, PointNetworks.swift; PacGAN's published recipe): G
        2-400-400-400-400-2 (linear without bias, BatchNorm, ReLU; a biased linear out), D three maxout layers of 200
        units with 5 pieces and a logit, both with PyTorch's default initialisation; 2-D noise, batch --batch (100),
        Adam --lr 1e-4 (β₁ 0.8, 0.999), non-saturating loss, D then G each step. --dataset ring8 (8 modes on the unit
        circle, σ 0.01) or grid25 (5×5 at spacing 2, σ 0.05), drawn afresh for every batch. --pack M: D sees M points
        side by side, all real or all generated (M batches of real points, M·batch generated). --eval-every N prints
        loss_d and mode coverage of 2,500 samples (as ModeCoverage: nearest mode within 3σ is high quality, a mode is
        captured with one such sample, KL of the high-quality histogram to uniform) every N steps, on a stream of its
        own; writes 2,500 samples (G in eval mode) as float32 N×2 to --out, for `mirage eval modes OUT --dataset D`.
        --recipe published: what PacGAN's own Theano code (synthetic_data_experiments/, on ALI's training loop) does
        differently, all at once: both networks' gradients taken at the same weights and applied together (ALI's
        simultaneous update), G run once per pack slot (batch-norm statistics over --batch points, not M·batch),
        every weight N(0, 0.02) with zero biases, batch norm with momentum 0.05 and ε 1e-4, and a fixed set of
        100,000 packed examples reshuffled every epoch instead of fresh draws
    common: --seed 0, --threads 2
"""
import argparse, copy, gzip, itertools, json, math, pathlib, re, subprocess, tempfile, time
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
        nn.init.normal_(m.weight, 0, 0.02)
        if m.bias is not None: nn.init.zeros_(m.bias)  # the translation networks' convolutions before a batch norm have none
    elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
        nn.init.normal_(m.weight, 1, 0.02); nn.init.zeros_(m.bias)


def stream(*tensors, batch=64, generator=None, order=None):
    """Mirage's BatchStream: endless batches of `batch` (64), reshuffled every epoch (by `generator`, default the
    global RNG, or as `order(epoch)` permutes the rows), the last partial one dropped; the tensors' rows stay together."""
    n = len(tensors[0])
    for epoch in itertools.count():
        perm = order(epoch) if order else torch.randperm(n, generator=generator)
        for i in range(n // batch):
            yield [t[perm[i * batch:(i + 1) * batch]] for t in tensors]


class MiragePCG32:
    """RandomGenerator.swift's PCG32 (XSH RR, Mirage's default stream), so the peer can draw exactly the random numbers
    Mirage draws. Vectorised by jumping ahead: the k-th state after s is A_k·s + C_k (mod 2^64)."""
    M, INC, MASK = 6364136223846793005, ((0x5851F42D4C957F2D << 1) | 1) & (2 ** 64 - 1), 2 ** 64 - 1
    def __init__(s, seed):
        s.jumps = {}
        s.state = s._step((s._step(0) + seed) & s.MASK)
    @classmethod
    def _step(cls, state): return (state * cls.M + cls.INC) & cls.MASK
    @staticmethod
    def _output(old):  # XSH RR of the state before the step; a Python int or a uint64 array alike
        x = (((old >> 18) ^ old) >> 27) & 0xFFFFFFFF; rot = old >> 59
        return ((x >> rot) | (x << ((32 - rot) & 31))) & 0xFFFFFFFF
    def _jumps(s, n):  # A_k, C_k for k < n, and A_n, C_n
        if n not in s.jumps:
            a, c, A, C = np.empty(n, np.uint64), np.empty(n, np.uint64), 1, 0
            for k in range(n): a[k], c[k], A, C = A, C, (A * s.M) & s.MASK, s._step(C)
            s.jumps[n] = (a, c, A, C)
        return s.jumps[n]
    @classmethod
    def derived(cls, seed, *parts):  # RandomGenerator.derived(seed:_:): SplitMix64 mixes the parts into the seed
        def mix(x):
            z = (x + 0x9E3779B97F4A7C15) & cls.MASK
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & cls.MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & cls.MASK
            return z ^ (z >> 31)
        h = mix(seed)
        for p in parts: h = mix(h ^ mix((p + 0x9E3779B97F4A7C15) & cls.MASK))
        return cls(h)
    def next_uint32(s):
        old, s.state = s.state, s._step(s.state)
        return s._output(old)
    def next_index(s, bound):  # nextIndex(below:), Lemire's multiply-and-reject
        product = s.next_uint32() * bound
        if product & 0xFFFFFFFF < bound:
            threshold = ((1 << 32) - bound) % bound
            while product & 0xFFFFFFFF < threshold: product = s.next_uint32() * bound
        return product >> 32
    def shuffle(s, values):  # Fisher–Yates, as RandomGenerator.shuffle
        for i in range(len(values) - 1, 0, -1):
            j = s.next_index(i + 1); values[i], values[j] = values[j], values[i]
        return values
    def uniform(s, n):
        """The next n of Mirage's `nextUniform()`: 24 random bits in [0, 1), float32."""
        a, c, A, C = s._jumps(n)
        old = a * np.uint64(s.state) + c  # uint64 arithmetic wraps, as the LCG's mod 2^64
        s.state = (A * s.state + C) & s.MASK
        return (s._output(old) >> 8).astype(np.float32) * np.float32(2 ** -24)


class MirageMaskDropout(nn.Module):
    """Dropout.swift with Mirage's masks: keeps an element where the next `nextUniform()` of `rng` is below 1 − p, in
    the tensor's row-major order, as Tensor.bernoulli draws them. Several modules may share one `rng`."""
    def __init__(s, p, rng): super().__init__(); s.p, s.rng = p, rng
    def forward(s, x):
        if not s.training: return x
        keep = torch.from_numpy(s.rng.uniform(x.numel()) < np.float32(1 - s.p)).reshape(x.shape).to(x.dtype)
        return x * (keep * (1 / (1 - s.p)))


def mirage_order(seed, count):
    """The order in which Mirage's DataLoader visits `count` samples, as a function of the epoch (for `stream`):
    epoch e shuffled by RandomGenerator.derived(seed, e)."""
    return lambda epoch: torch.tensor(MiragePCG32.derived(seed, epoch).shuffle(list(range(count))))


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


def mirage_images(args, name, split, domain="a"):
    """Mirage's own images of a dataset or derived domain, as `mirage data export` writes them (float32 N×C×H×W in
    [0, 1]): domain a of mnist-edges/-inverted/-thick/-colored is the derived image, b the digit it came from (same
    order); plain datasets have only a. mnist-colored's colours come from --seed, as `mirage train --seed` picks them.
    Exported by --mirage into a temporary folder, or into --data-cache and reused until the binary is newer."""
    mirage = pathlib.Path(args.mirage).resolve()
    if not mirage.is_file():
        raise SystemExit(f"train_peer.py: no mirage binary at {mirage}; build it (swift build -c release) or pass --mirage PATH")
    stem = f"{name}-{split}-{domain}" + (f"-seed{args.seed}" if name == "mnist-colored" else "")
    with tempfile.TemporaryDirectory() as tmp:
        folder = pathlib.Path(args.data_cache or tmp).resolve(); folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{stem}.npy"
        if not path.exists() or path.stat().st_mtime < mirage.stat().st_mtime:  # run from the repository, as `mirage train`
            subprocess.run([str(mirage), "data", "export", name, "--split", split, "--domain", domain, "--seed", str(args.seed),
                            "--out", str(path)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        return torch.from_numpy(np.load(path))


def translation_norm(kind):  # TranslationNorm.swift: the norm layer, and whether a convolution before it has a bias
    return (nn.BatchNorm2d if kind == "batch" else nn.InstanceNorm2d), kind == "instance"  # instance: affine=False, no running stats


def unet_levels(h, w):  # UNetGenerator.levelCount: ⌊log₂ min(H, W)⌋ (28 → 4, 256 → 8)
    n, side = 0, min(h, w)
    while side >= 2: side //= 2; n += 1
    return n


class UNetGenerator(nn.Module):
    """UNetGenerator.swift, the reference pix2pix UnetGenerator for any depth and odd sizes: level i (0 at the image) has
    ngf·min(2^i, 8) channels; encoder LeakyReLU(0.2) → 4×4/2 conv → norm (level 0: conv only; innermost: no norm),
    decoder ReLU → 4×4/2 transposed conv (output padding restoring a floored odd side) → norm → dropout 0.5 on levels
    max(1, L−4) … L−2 (level 0: tanh instead), each level i > 0 returning [its input, its decoder's output]."""
    def __init__(s, cin, cout, h, w, ngf=64, norm="batch", dropout=0.5):
        super().__init__()
        L = unet_levels(h, w); Norm, bias = translation_norm(norm)
        sizes = [(h, w)]
        for _ in range(L): sizes.append((sizes[-1][0] // 2, sizes[-1][1] // 2))
        widths = [ngf * min(2 ** i, 8) for i in range(L)]
        s.down, s.down_norm, s.up, s.up_norm, s.dropout = (nn.ModuleList() for _ in range(5))
        for i in range(L):
            outer, inner, innermost = cin if i == 0 else widths[i - 1], widths[i], i == L - 1
            s.down.append(nn.Conv2d(outer, inner, 4, 2, 1, bias=True if i == 0 or innermost else bias))
            s.down_norm.append(nn.Identity() if i == 0 or innermost else Norm(inner))
            pad = (sizes[i][0] - 2 * sizes[i + 1][0], sizes[i][1] - 2 * sizes[i + 1][1])
            s.up.append(nn.ConvTranspose2d(inner if innermost else 2 * inner, cout if i == 0 else outer, 4, 2, 1,
                                           output_padding=pad, bias=True if i == 0 else bias))
            s.up_norm.append(nn.Identity() if i == 0 else Norm(outer))
            s.dropout.append(nn.Dropout(dropout) if dropout > 0 and max(1, L - 4) <= i < L - 1 else nn.Identity())
    def forward(s, x): return s.level(0, x)
    def level(s, i, x):
        h = s.down_norm[i](s.down[i](x if i == 0 else F.leaky_relu(x, 0.2)))
        u = s.up[i](F.relu(h if i == len(s.down) - 1 else s.level(i + 1, h)))
        return torch.tanh(u) if i == 0 else torch.cat([x, s.dropout[i](s.up_norm[i](u))], 1)


class PatchGANDiscriminator(nn.Sequential):
    """PatchGANDiscriminator.swift, the reference NLayerDiscriminator: 4×4/2 conv ndf, LeakyReLU(0.2); n_layers − 1 more
    4×4/2 convs and one 4×4/1 conv to ndf·min(2^n, 8) (norm, LeakyReLU); a 4×4/1 conv to one logit per patch."""
    def __init__(s, cin, ndf=64, n_layers=2, norm="batch"):
        Norm, bias = translation_norm(norm); width = lambda n: ndf * min(2 ** n, 8)
        layers = [nn.Conv2d(cin, ndf, 4, 2, 1), nn.LeakyReLU(0.2)]
        for n in range(1, n_layers + 1):
            layers += [nn.Conv2d(width(n - 1), width(n), 4, 2 if n < n_layers else 1, 1, bias=bias), Norm(width(n)), nn.LeakyReLU(0.2)]
        super().__init__(*layers, nn.Conv2d(width(n_layers), 1, 4, 1, 1))


def patchgan_layers(h, w):  # PatchGANDiscriminator.defaultLayers: 3 from 64 pixels up, else 2
    return 3 if min(h, w) >= 64 else 2


class ResnetBlock(nn.Module):  # x + [pad 1, 3×3 conv, norm, ReLU, pad 1, 3×3 conv, norm](x), reflection padding
    def __init__(s, c, norm):
        super().__init__(); Norm, bias = translation_norm(norm)
        s.body = nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(c, c, 3, bias=bias), Norm(c), nn.ReLU(),
                               nn.ReflectionPad2d(1), nn.Conv2d(c, c, 3, bias=bias), Norm(c))
    def forward(s, x): return x + s.body(x)


class ResnetGenerator(nn.Sequential):
    """The reference ResnetGenerator (CycleGAN from 64 pixels up): 7×7 conv ngf, two 3×3/2 downsamplings, `blocks`
    residual blocks at 4·ngf, two 3×3/2 transposed upsamplings, 7×7 conv to cout and tanh; norm and ReLU after each
    but the last conv, reflection padding, no dropout."""
    def __init__(s, cin, cout, ngf=64, norm="instance", blocks=9):
        Norm, bias = translation_norm(norm)
        layers = [nn.ReflectionPad2d(3), nn.Conv2d(cin, ngf, 7, bias=bias), Norm(ngf), nn.ReLU()]
        for m in (1, 2): layers += [nn.Conv2d(ngf * m, ngf * m * 2, 3, 2, 1, bias=bias), Norm(ngf * m * 2), nn.ReLU()]
        layers += [ResnetBlock(4 * ngf, norm) for _ in range(blocks)]
        for m in (4, 2):
            layers += [nn.ConvTranspose2d(ngf * m, ngf * m // 2, 3, 2, 1, output_padding=1, bias=bias), Norm(ngf * m // 2), nn.ReLU()]
        super().__init__(*layers, nn.ReflectionPad2d(3), nn.Conv2d(ngf, cout, 7), nn.Tanh())


class Pix2Pix(nn.Module):  # Isola et al. 2017: U-Net G, PatchGAN D on [input, output], BatchNorm, Adam 2e-4 (0.5, 0.999)
    def __init__(s, cin, cout, h, w, ngf=64, ndf=64):
        super().__init__()
        s.G = UNetGenerator(cin, cout, h, w, ngf, "batch"); s.D = PatchGANDiscriminator(cin + cout, ndf, patchgan_layers(h, w), "batch")
        s.apply(dcgan_init); s.oG, s.oD = adam(s.G.parameters()), adam(s.D.parameters())
    @staticmethod
    def mirage_name(name):  # G.down.2.weight → generator.levels.2.down.weight; D.3.bias → discriminator.main.3.bias
        name = re.sub(r"^G\.(\w+)\.(\d+)\.", lambda m: f"generator.levels.{m.group(2)}.{m.group(1)}.", name)
        return re.sub(r"^D\.", "discriminator.main.", name)
    def load_mirage(s, tensors, source):
        """Every parameter from `tensors`, a Mirage pix2pix state dict (Pix2Pix.swift's names); running statistics stay."""
        params = {s.mirage_name(k): p for k, p in s.named_parameters()}
        missing = [k for k in params if k not in tensors]
        if missing: raise SystemExit(f"{source}: no weights for {', '.join(missing)}")
        with torch.no_grad():
            for k, p in params.items(): p.copy_(tensors[k])
    def draw_mirage_masks(s, seed):
        """Dropout with the masks Mirage's Pix2Pix(seed:) draws: one PCG32 seeded seed + 1, shared by the levels."""
        masks = MiragePCG32(seed + 1)
        s.G.dropout = nn.ModuleList(MirageMaskDropout(d.p, masks) if isinstance(d, nn.Dropout) else d for d in s.G.dropout)
    def step(s, a, b):
        """One update on a batch (a, b) in [-1, 1], both networks in train mode: D (real and fake pairs, BCE over every
        patch logit, halved), then G (GAN loss + 100·L1) against the updated D, whose parameters stay; returns the losses."""
        fake = s.G(a)
        loss_d = 0.5 * (bce(s.D(torch.cat([a, b], 1)), 1) + bce(s.D(torch.cat([a, fake.detach()], 1)), 0))
        s.oD.zero_grad(); loss_d.backward(); s.oD.step()
        s.D.requires_grad_(False)
        loss_gan = bce(s.D(torch.cat([a, fake], 1)), 1); loss_l1 = (fake - b).abs().mean()
        s.oG.zero_grad(); (loss_gan + 100 * loss_l1).backward(); s.oG.step()
        s.D.requires_grad_(True)
        return {"loss_d": loss_d.item(), "loss_gan": loss_gan.item(), "loss_l1": loss_l1.item()}


class ImagePool:
    """The reference ImagePool (Shrivastava et al.): D sees a mix of current and up to `size` earlier fakes. Each image in
    order: while the pool has room, stored and returned; then with probability 1/2 a random stored image is returned and
    replaced by it, else it is returned itself. Draws from its own seeded numpy generator."""
    def __init__(s, size=50, seed=0): s.size, s.images, s.rng = size, [], np.random.default_rng(seed)
    def query(s, images):
        out = []
        for image in images.detach():
            image = image[None]
            if len(s.images) < s.size: s.images.append(image); out.append(image)
            elif s.rng.random() < 0.5:
                j = int(s.rng.integers(s.size)); out.append(s.images[j]); s.images[j] = image
            else: out.append(image)
        return torch.cat(out)


class CycleGAN(nn.Module):
    """Zhu et al. 2017: G_AB, G_BA (U-Net below 64 pixels, without dropout as the reference's CycleGAN; ResNet, 9 blocks
    from 256 pixels else 6, otherwise), D_A, D_B (PatchGAN), all with InstanceNorm; one Adam 2e-4 (0.5, 0.999) over both
    G, one over both D; least-squares GAN losses, λ_cycle 10 (the B → A → B cycle's: cycle_b, default 10), identity
    0.5·λ of the domain each generator is fed (0 when A and B differ in channels)."""
    def __init__(s, ca, cb, h, w, ngf=64, ndf=64, seed=0, cycle_b=10.0):
        super().__init__()
        side = min(h, w)
        gen = (lambda cin, cout: UNetGenerator(cin, cout, h, w, ngf, "instance", dropout=0)) if side < 64 else \
            (lambda cin, cout: ResnetGenerator(cin, cout, ngf, "instance", 9 if side >= 256 else 6))
        s.G_AB, s.G_BA = gen(ca, cb), gen(cb, ca)
        n = patchgan_layers(h, w)
        s.D_A, s.D_B = PatchGANDiscriminator(ca, ndf, n, "instance"), PatchGANDiscriminator(cb, ndf, n, "instance")
        s.apply(dcgan_init)
        s.oG = adam(itertools.chain(s.G_AB.parameters(), s.G_BA.parameters()))
        s.oD = adam(itertools.chain(s.D_A.parameters(), s.D_B.parameters()))
        s.pool_a, s.pool_b = ImagePool(50, [seed, 1]), ImagePool(50, [seed, 2])
        s.identity = 0.5 if ca == cb else 0.0
        s.cycle_b = cycle_b
    def step(s, a, b, lr=2e-4):
        """One update on batches a (domain A) and b (domain B) in [-1, 1]: both G (the D frozen), then both D on real
        images and pooled fakes, each D's loss halved; returns the losses."""
        for group in s.oG.param_groups + s.oD.param_groups: group["lr"] = lr
        fake_b = s.G_AB(a); rec_a = s.G_BA(fake_b); fake_a = s.G_BA(b); rec_b = s.G_AB(fake_a)
        ls = lambda out, target: F.mse_loss(out, torch.full_like(out, target))
        s.D_A.requires_grad_(False); s.D_B.requires_grad_(False)
        loss_gan = ls(s.D_B(fake_b), 1) + ls(s.D_A(fake_a), 1)
        cycle_a, cycle_b = (rec_a - a).abs().mean(), (rec_b - b).abs().mean()
        loss_cycle = cycle_a + cycle_b
        loss_g = loss_gan + 10 * cycle_a + s.cycle_b * cycle_b
        if s.identity: loss_g = loss_g + s.identity * (10 * (s.G_BA(a) - a).abs().mean() + s.cycle_b * (s.G_AB(b) - b).abs().mean())
        s.oG.zero_grad(); loss_g.backward(); s.oG.step()
        s.D_A.requires_grad_(True); s.D_B.requires_grad_(True)
        pooled_b, pooled_a = s.pool_b.query(fake_b), s.pool_a.query(fake_a)
        loss_d_b = 0.5 * (ls(s.D_B(b), 1) + ls(s.D_B(pooled_b), 0))
        loss_d_a = 0.5 * (ls(s.D_A(a), 1) + ls(s.D_A(pooled_a), 0))
        s.oD.zero_grad(); (loss_d_a + loss_d_b).backward(); s.oD.step()
        return {"loss_g": loss_g.item(), "loss_cycle": loss_cycle.item(), "loss_d_a": loss_d_a.item(), "loss_d_b": loss_d_b.item()}


def translate(G, x):  # G in eval mode over x in [0, 1], 256 at a time, no gradients; the output in [-1, 1]
    with torch.no_grad():
        return torch.cat([G(x[c:c + 256] * 2 - 1) for c in range(0, len(x), 256)])


def pix2pix(args):  # Pix2Pix.swift
    torch.manual_seed(args.seed)
    pathlib.Path(args.out).mkdir(parents=True, exist_ok=True)
    src, dst = ("a", "b") if args.direction == "a-to-b" else ("b", "a")
    train_x, train_y = mirage_images(args, args.dataset, "train", src), mirage_images(args, args.dataset, "train", dst)
    test_x, test_y = mirage_images(args, args.dataset, "test", src), mirage_images(args, args.dataset, "test", dst)
    _, cin, h, w = train_x.shape
    model = Pix2Pix(cin, train_y.shape[1], h, w, args.ngf, args.ndf)
    if args.init_from:  # Mirage's weights (a checkpoint of `mirage train pix2pix --steps 1 --lr 1e-30`: its initial ones)
        from safetensors.torch import load_file
        model.load_mirage(load_file(args.init_from), args.init_from)
        print(f"initial weights from {args.init_from} (running statistics fresh)")
    if args.mirage_masks: model.draw_mirage_masks(args.seed)
    pairs = (train_x.mul_(2).sub_(1), train_y.mul_(2).sub_(1))  # a pair stays together
    batches = stream(*pairs, batch=args.batch, order=mirage_order(args.seed, len(pairs[0])) if args.mirage_order else None)
    t0 = time.time()
    for step in range(args.steps):
        x, y = next(batches); losses = model.step(x, y)
        if (step + 1) % args.log_every == 0:
            print(f"step {step + 1}: " + ", ".join(f"{k} {v:.6f}" for k, v in losses.items()) + f" ({time.time() - t0:.0f} s)", flush=True)
    t = time.time() - t0
    print(f"trained {args.steps} steps in {t:.0f} s ({t / max(1, args.steps):.3f} s/step)")
    model.G.eval()  # dropout off, batch norm's running statistics
    out = translate(model.G, test_x)
    save(pathlib.Path(args.out) / f"{args.direction}.npy", out)
    out = ((out + 1) / 2).clamp(0, 1).double(); target = test_y.double()
    mse = ((out - target) ** 2).flatten(1).mean(1)
    print(f"test ({len(out)} images): L1 {(out - target).abs().mean():.4f}, PSNR {(10 * torch.log10(1 / mse.clamp_min(1e-10))).mean():.2f} dB")


def cyclegan(args):  # CycleGAN.swift
    torch.manual_seed(args.seed); pathlib.Path(args.out).mkdir(parents=True, exist_ok=True)
    train_a, train_b = mirage_images(args, args.domain_a, "train"), mirage_images(args, args.domain_b, "train")
    test_a, test_b = mirage_images(args, args.domain_a, "test"), mirage_images(args, args.domain_b, "test")
    if train_a.shape[2:] != train_b.shape[2:]: raise SystemExit(f"cyclegan: the domains' images differ in size ({tuple(train_a.shape[2:])}, {tuple(train_b.shape[2:])})")
    _, ca, h, w = train_a.shape; cb = train_b.shape[1]
    model = CycleGAN(ca, cb, h, w, args.ngf, args.ndf, args.seed, args.cycle_weight_b)
    print(f"cyclegan {ca}×{h}×{w} ↔ {cb}×{h}×{w}: {type(model.G_AB).__name__} generators, B → A → B cycle weight {model.cycle_b:g}, "
          f"identity loss weight {model.identity:g}·λ"
          + ("" if model.identity else " (the domains differ in channels)"))
    # each domain shuffled by its own generator, so no pairing of the sources leaks in
    batches_a = stream(train_a.mul_(2).sub_(1), batch=args.batch, generator=torch.Generator().manual_seed(2 * args.seed + 1))
    batches_b = stream(train_b.mul_(2).sub_(1), batch=args.batch, generator=torch.Generator().manual_seed(2 * args.seed + 2))
    t0, total = time.time(), args.steps
    for step in range(total):  # constant for the first half, then linearly down to 0 (ConstantThenLinearDecay, total // 2 decay steps)
        (a,), (b,) = next(batches_a), next(batches_b)
        losses = model.step(a, b, lr=2e-4 * min(1.0, (total - step) / max(1, total // 2)))
        if (step + 1) % 250 == 0:
            print(f"step {step + 1}: " + ", ".join(f"{k} {v:.4f}" for k, v in losses.items()) + f" ({time.time() - t0:.0f} s)", flush=True)
    t = time.time() - t0
    print(f"trained {total} steps in {t:.0f} s ({t / max(1, total):.3f} s/step)")
    model.G_AB.eval(); model.G_BA.eval()
    out = pathlib.Path(args.out); ab, ba = translate(model.G_AB, test_a), translate(model.G_BA, test_b)
    aba, bab = translate(model.G_BA, (ab + 1) / 2), translate(model.G_AB, (ba + 1) / 2)
    for name, images in (("a-to-b", ab), ("b-to-a", ba), ("a-to-b-to-a", aba), ("b-to-a-to-b", bab)): save(out / f"{name}.npy", images)
    cycle = lambda rec, x: (((rec + 1) / 2).clamp(0, 1).double() - x.double()).abs().mean()
    print(f"test cycle L1: A → B → A {cycle(aba, test_a):.4f} ({len(test_a)} images), B → A → B {cycle(bab, test_b):.4f} ({len(test_b)} images)")


class TimeUNet(nn.Module):  # TimeUNet.swift: bench_peer.py's TimeUNet plus, for classes > 0, the class embedding
    def __init__(s, classes=0, ch=32):
        super().__init__(); s.ch = ch
        s.t1 = nn.Linear(ch, 4 * ch); s.t2 = nn.Linear(4 * ch, 4 * ch)
        s.inc = nn.Conv2d(1, ch, 3, 1, 1); s.d1 = nn.Conv2d(ch, 2 * ch, 4, 2, 1); s.d2 = nn.Conv2d(2 * ch, 4 * ch, 4, 2, 1)
        s.mid = nn.Conv2d(4 * ch, 4 * ch, 3, 1, 1)
        s.u2 = nn.ConvTranspose2d(4 * ch, 2 * ch, 4, 2, 1); s.u1 = nn.ConvTranspose2d(4 * ch, ch, 4, 2, 1)
        s.out = nn.Conv2d(2 * ch, 1, 3, 1, 1); s.tp = nn.Linear(4 * ch, 4 * ch)
        s.gn = nn.ModuleList(nn.GroupNorm(8, c) for c in (ch, 2 * ch, 4 * ch, 4 * ch, 2 * ch, ch))
        # one vector per class and a last one for "no class" (index = classes), N(0, 1) as Mirage's Embedding
        s.class_embedding = nn.Embedding(classes + 1, 4 * ch) if classes else None
        half = ch // 2  # exp(−i·ln(10⁴)/(ch/2)) in double, then float, as Swift; not in the state dict
        s.freqs = torch.tensor([math.exp(-i * math.log(10000.0) / half) for i in range(half)], dtype=torch.float32)
    def forward(s, x, t, y=None):  # t: timestep indices 0..<T; y: classes, `classes` meaning "no class"
        a = t.float()[:, None] * s.freqs[None]
        e = s.t2(F.silu(s.t1(torch.cat([a.sin(), a.cos()], 1))))
        if s.class_embedding is not None: e = e + s.class_embedding(y)
        h0 = F.silu(s.gn[0](s.inc(x))); h1 = F.silu(s.gn[1](s.d1(h0))); h2 = F.silu(s.gn[2](s.d2(h1)))
        m = F.silu(s.gn[3](s.mid(h2 + s.tp(e)[:, :, None, None])))
        u2 = F.silu(s.gn[4](s.u2(m))); u1 = F.silu(s.gn[5](s.u1(torch.cat([u2, h1], 1))))
        return s.out(torch.cat([u1, h0], 1))


class TimeResidualBlock(nn.Module):  # ResidualUNet.swift: x + conv2(SiLU(GN(conv1(SiLU(GN(x))) + W·e))), conv2 zeroed
    def __init__(s, cin, cout, e):
        super().__init__()
        s.norm1 = nn.GroupNorm(8, cin); s.conv1 = nn.Conv2d(cin, cout, 3, 1, 1); s.time = nn.Linear(e, cout)
        s.norm2 = nn.GroupNorm(8, cout); s.conv2 = nn.Conv2d(cout, cout, 3, 1, 1)
        nn.init.zeros_(s.conv2.weight); nn.init.zeros_(s.conv2.bias)
        s.skip = nn.Conv2d(cin, cout, 1) if cin != cout else None
    def forward(s, x, e):
        h = s.conv1(F.silu(s.norm1(x))) + s.time(e)[:, :, None, None]
        return (x if s.skip is None else s.skip(x)) + s.conv2(F.silu(s.norm2(h)))


class SelfAttention2d(nn.Module):  # Attention.swift: single head over H·W positions, residual, proj zeroed
    def __init__(s, c):
        super().__init__()
        s.norm = nn.GroupNorm(8, c); s.qkv = nn.Conv2d(c, 3 * c, 1); s.proj = nn.Conv2d(c, c, 1)
        nn.init.zeros_(s.proj.weight); nn.init.zeros_(s.proj.bias)
    def forward(s, x):
        n, c, h, w = x.shape
        q, k, v = s.qkv(s.norm(x)).view(n, 3 * c, h * w).split(c, 1)
        a = torch.softmax(q.transpose(1, 2) @ k / math.sqrt(c), -1)
        return x + s.proj((v @ a.transpose(1, 2)).view(n, c, h, w))


class ResidualUNet(nn.Module):  # ResidualUNet.swift: ch (28) → 2ch (14) → 2ch (7, attention) and back, time in every block
    def __init__(s, classes=0, ch=32):
        super().__init__(); s.ch = ch; e = 4 * ch
        s.t1 = nn.Linear(ch, e); s.t2 = nn.Linear(e, e)
        s.class_embedding = nn.Embedding(classes + 1, e) if classes else None
        s.inc = nn.Conv2d(1, ch, 3, 1, 1)
        s.enc1 = TimeResidualBlock(ch, ch, e); s.down1 = nn.Conv2d(ch, ch, 3, 2, 1)
        s.enc2 = TimeResidualBlock(ch, 2 * ch, e); s.down2 = nn.Conv2d(2 * ch, 2 * ch, 3, 2, 1)
        s.mid1 = TimeResidualBlock(2 * ch, 2 * ch, e); s.attention = SelfAttention2d(2 * ch)
        s.mid2 = TimeResidualBlock(2 * ch, 2 * ch, e)
        s.up2 = nn.ConvTranspose2d(2 * ch, 2 * ch, 4, 2, 1); s.dec2 = TimeResidualBlock(4 * ch, 2 * ch, e)
        s.up1 = nn.ConvTranspose2d(2 * ch, ch, 4, 2, 1); s.dec1 = TimeResidualBlock(2 * ch, ch, e)
        s.out_norm = nn.GroupNorm(8, ch); s.out = nn.Conv2d(ch, 1, 3, 1, 1)
        nn.init.zeros_(s.out.weight); nn.init.zeros_(s.out.bias)
        half = ch // 2
        s.freqs = torch.tensor([math.exp(-i * math.log(10000.0) / half) for i in range(half)], dtype=torch.float32)
    def forward(s, x, t, y=None):
        a = t.float()[:, None] * s.freqs[None]
        e = s.t2(F.silu(s.t1(torch.cat([a.sin(), a.cos()], 1))))
        if s.class_embedding is not None: e = e + s.class_embedding(y)
        e = F.silu(e)
        h1 = s.enc1(s.inc(x), e); h2 = s.enc2(s.down1(h1), e)
        m = s.mid2(s.attention(s.mid1(s.down2(h2), e)), e)
        u2 = s.dec2(torch.cat([s.up2(m), h2], 1), e)
        u1 = s.dec1(torch.cat([s.up1(u2), h1], 1), e)
        return s.out(F.silu(s.out_norm(u1)))


class ActNorm(nn.Module):  # ActNorm.swift: y = (x + bias)·exp(log_scale), set from the first batch
    def __init__(s, c):
        super().__init__()
        s.bias = nn.Parameter(torch.zeros(1, c, 1, 1)); s.log_scale = nn.Parameter(torch.zeros(1, c, 1, 1))
        s.register_buffer("initialized", torch.zeros(1))
    def forward(s, x):
        if s.initialized.item() == 0:
            with torch.no_grad():
                mean = x.mean((0, 2, 3), keepdim=True); std = ((x - mean) ** 2).mean((0, 2, 3), keepdim=True).sqrt()
                s.bias.copy_(-mean); s.log_scale.copy_(-(std + 1e-6).log()); s.initialized.fill_(1)
        return (x + s.bias) * s.log_scale.exp(), s.log_scale.sum() * x.shape[2] * x.shape[3] * torch.ones(len(x))
    def inverse(s, y): return y * (-s.log_scale).exp() - s.bias


class InvertibleConv1x1(nn.Module):  # InvertibleConv1x1.swift: W = P·(L + I)·(U + diag(sign·exp(log_scale)))
    def __init__(s, c):
        super().__init__()
        q = torch.linalg.qr(torch.randn(c, c, dtype=torch.float64))[0]
        p, l, u = torch.linalg.lu(q)
        d = torch.diagonal(u)
        s.register_buffer("permutation", p.float()); s.register_buffer("sign", torch.sign(d).float())
        s.lower = nn.Parameter(l.float()); s.upper = nn.Parameter(u.float()); s.log_scale = nn.Parameter(d.abs().log().float())
        s.register_buffer("lmask", torch.tril(torch.ones(c, c), -1), persistent=False)
        s.register_buffer("eye", torch.eye(c), persistent=False)
    def weight(s):
        return s.permutation @ (s.lower * s.lmask + s.eye) @ (s.upper * s.lmask.T + torch.diag(s.sign * s.log_scale.exp()))
    def forward(s, x):
        n, c, h, w = x.shape
        return (s.weight() @ x.reshape(n, c, h * w)).reshape(x.shape), s.log_scale.sum() * h * w * torch.ones(n)
    def inverse(s, y):
        n, c, h, w = y.shape
        return (torch.linalg.inv(s.weight().double()).float() @ y.reshape(n, c, h * w)).reshape(y.shape)


class ConvAffineCoupling(nn.Module):  # ConvAffineCoupling.swift: y_b = (x_b + t)·sigmoid(h + 2), last conv zeroed
    def __init__(s, c, hidden):
        super().__init__()
        s.net = nn.Sequential(nn.Conv2d(c // 2, hidden, 3, 1, 1), nn.ReLU(), nn.Conv2d(hidden, hidden, 1), nn.ReLU(),
                              nn.Conv2d(hidden, c, 3, 1, 1))
        nn.init.zeros_(s.net[4].weight); nn.init.zeros_(s.net[4].bias)
    def st(s, a):
        shift, raw = s.net(a).chunk(2, 1)
        return shift, F.logsigmoid(raw + 2)
    def forward(s, x):
        a, b = x.chunk(2, 1); shift, logs = s.st(a)
        return torch.cat([a, (b + shift) * logs.exp()], 1), logs.sum((1, 2, 3))
    def inverse(s, y):
        a, b = y.chunk(2, 1); shift, logs = s.st(a)
        return torch.cat([a, b * (-logs).exp() - shift], 1)


class FlowStep(nn.Module):
    def __init__(s, c, hidden):
        super().__init__(); s.actnorm = ActNorm(c); s.invconv = InvertibleConv1x1(c); s.coupling = ConvAffineCoupling(c, hidden)
    def forward(s, x):
        total = 0
        for layer in (s.actnorm, s.invconv, s.coupling):
            x, ld = layer(x); total = total + ld
        return x, total
    def inverse(s, y): return s.actnorm.inverse(s.invconv.inverse(s.coupling.inverse(y)))


class FlowLevel(nn.Module):
    def __init__(s, c, depth, hidden): super().__init__(); s.steps = nn.ModuleList(FlowStep(c, hidden) for _ in range(depth))


class ConditionalGaussianPrior(nn.Module):  # MultiScaleFlow.swift: mean, log std from a zeroed 3×3 conv of the kept half
    def __init__(s, cond, c):
        super().__init__(); s.conv = nn.Conv2d(cond, 2 * c, 3, 1, 1); nn.init.zeros_(s.conv.weight); nn.init.zeros_(s.conv.bias)
    def forward(s, h): return s.conv(h).chunk(2, 1)


def gaussian_log_density(z, mean, logstd):
    return (-0.5 * ((z - mean) * (-logstd).exp()) ** 2 - logstd - 0.5 * math.log(2 * math.pi)).flatten(1).sum(1)


def squeeze(x):
    n, c, h, w = x.shape
    return x.view(n, c, h // 2, 2, w // 2, 2).permute(0, 1, 3, 5, 2, 4).reshape(n, 4 * c, h // 2, w // 2)


def unsqueeze(y):
    n, c, h, w = y.shape
    return y.view(n, c // 4, 2, 2, h, w).permute(0, 1, 4, 2, 5, 3).reshape(n, c // 4, 2 * h, 2 * w)


class MultiScaleFlow(nn.Module):  # MultiScaleFlow.swift, for 1×28×28: 4×14×14 (2 channels out), then 8×7×7
    def __init__(s, levels=2, depth=8, hidden=128, shape=(1, 28, 28)):
        super().__init__()
        c = shape[0]; levs, priors = [], []
        for level in range(levels):
            c *= 4; levs.append(FlowLevel(c, depth, hidden))
            if level < levels - 1: priors.append(ConditionalGaussianPrior(c // 2, c - c // 2)); c //= 2
        s.levels = nn.ModuleList(levs); s.priors = nn.ModuleList(priors)
        side = (shape[1] >> levels, shape[2] >> levels)
        s.top_mean = nn.Parameter(torch.zeros(1, c, *side)); s.top_log_std = nn.Parameter(torch.zeros(1, c, *side))
    def forward(s, x):  # log p(x) per image, nats, density on x's scale
        h, total = x, 0
        for level, lev in enumerate(s.levels):
            h = squeeze(h)
            for step in lev.steps:
                h, ld = step(h); total = total + ld
            if level < len(s.priors):
                k = h.shape[1] // 2; h, z = h[:, :k], h[:, k:]
                total = total + gaussian_log_density(z, *s.priors[level](h))
        return total + gaussian_log_density(h, s.top_mean.expand_as(h), s.top_log_std.expand_as(h))
    def sample(s, n, temperature):
        shape = (n,) + tuple(s.top_mean.shape[1:])
        h = s.top_mean + s.top_log_std.exp() * torch.randn(shape) * temperature
        for level in range(len(s.levels) - 1, -1, -1):
            if level < len(s.priors):
                mean, logstd = s.priors[level](h)
                h = torch.cat([h, mean + logstd.exp() * torch.randn_like(mean) * temperature], 1)
            for step in reversed(s.levels[level].steps): h = step.inverse(h)
            h = unsqueeze(h)
        return h


class ResidualConvBlock(nn.Module):  # RealNVPCoupling.swift: x + conv2(relu(conv1(relu(x))))
    def __init__(s, c): super().__init__(); s.conv1 = nn.Conv2d(c, c, 3, 1, 1); s.conv2 = nn.Conv2d(c, c, 3, 1, 1)
    def forward(s, x): return x + s.conv2(F.relu(s.conv1(F.relu(x))))


class CouplingResNet(nn.Module):  # RealNVPCoupling.swift: 3×3 in, residual blocks, ReLU, zeroed 3×3 out
    def __init__(s, cin, cout, hidden, blocks):
        super().__init__()
        s.input = nn.Conv2d(cin, hidden, 3, 1, 1); s.blocks = nn.ModuleList(ResidualConvBlock(hidden) for _ in range(blocks))
        s.output = nn.Conv2d(hidden, cout, 3, 1, 1); nn.init.zeros_(s.output.weight); nn.init.zeros_(s.output.bias)
    def forward(s, x):
        h = s.input(x)
        for block in s.blocks: h = block(h)
        return s.output(F.relu(h))


class RealNVPCoupling(nn.Module):  # RealNVPCoupling.swift: log-scale = scale·tanh(h), checkerboard or channel mask
    def __init__(s, c, h, w, mask, parity, hidden, blocks):
        super().__init__(); s.mask, s.parity = mask, parity
        if mask == "checkerboard":  # 1 where (i + j + parity) is even: those pixels pass through
            board = ((torch.arange(h)[:, None] + torch.arange(w)[None, :] + parity) % 2 == 0).float().view(1, 1, h, w)
            s.register_buffer("board", board, persistent=False)
            s.net = CouplingResNet(c + 1, 2 * c, hidden, blocks); s.scale = nn.Parameter(torch.ones(1, c, 1, 1))
        else:  # parity 0 keeps the first half of the channels, 1 the second
            s.net = CouplingResNet(c // 2, c, hidden, blocks); s.scale = nn.Parameter(torch.ones(1, c // 2, 1, 1))
    def st(s, h):
        raw, shift = h.chunk(2, 1); return s.scale * torch.tanh(raw), shift
    def condition(s, x): return torch.cat([x * s.board, s.board.expand(len(x), 1, *s.board.shape[2:])], 1)
    def forward(s, x):
        if s.mask == "checkerboard":
            free = 1 - s.board; logs, shift = s.st(s.net(s.condition(x))); logs = logs * free
            return x * s.board + (x * logs.exp() + shift) * free, logs.sum((1, 2, 3))
        a = x.chunk(2, 1); logs, shift = s.st(s.net(a[s.parity])); moved = a[1 - s.parity] * logs.exp() + shift
        return (torch.cat([a[0], moved], 1) if s.parity == 0 else torch.cat([moved, a[1]], 1)), logs.sum((1, 2, 3))
    def inverse(s, y):
        if s.mask == "checkerboard":
            free = 1 - s.board; logs, shift = s.st(s.net(s.condition(y)))
            return y * s.board + (y - shift) * (-(logs * free)).exp() * free
        a = y.chunk(2, 1); logs, shift = s.st(s.net(a[s.parity])); moved = (a[1 - s.parity] - shift) * (-logs).exp()
        return torch.cat([a[0], moved], 1) if s.parity == 0 else torch.cat([moved, a[1]], 1)


class RealNVPLevel(nn.Module):  # MultiScaleFlow.swift's FlowLevel: before_squeeze, squeeze (or not), steps
    def __init__(s, before, squeezes, steps):
        super().__init__(); s.before_squeeze = nn.ModuleList(before); s.squeezes = squeezes; s.steps = nn.ModuleList(steps)


class RealNVPFlow(nn.Module):  # RealNVP.swift: MultiScaleFlow without learned priors (every latent standard normal)
    def __init__(s, scales=2, hidden=32, blocks=1, shape=(1, 28, 28)):
        super().__init__()
        c, h, w = shape; levels = []
        couplings = lambda n, mask: [RealNVPCoupling(c, h, w, mask, i % 2, hidden, blocks) for i in range(n)]
        for _ in range(scales):
            before = couplings(3, "checkerboard"); c, h, w = 4 * c, h // 2, w // 2
            levels.append(RealNVPLevel(before, True, couplings(3, "channels"))); c //= 2
        levels.append(RealNVPLevel(couplings(4, "checkerboard"), False, []))
        s.levels = nn.ModuleList(levels); s.top_shape = (c, h, w)
    def forward(s, x):  # log p(x) per image, nats, density on x's scale
        h, total = x, 0
        for index, level in enumerate(s.levels):
            for layer in level.before_squeeze: h, ld = layer(h); total = total + ld
            if level.squeezes: h = squeeze(h)
            for layer in level.steps: h, ld = layer(h); total = total + ld
            if index < len(s.levels) - 1:
                k = h.shape[1] // 2; h, z = h[:, :k], h[:, k:]
                total = total + gaussian_log_density(z, torch.zeros_like(z), torch.zeros_like(z))
        return total + gaussian_log_density(h, torch.zeros_like(h), torch.zeros_like(h))
    def sample(s, n, temperature):
        h = torch.randn((n,) + s.top_shape) * temperature
        for index in range(len(s.levels) - 1, -1, -1):
            level = s.levels[index]
            if index < len(s.levels) - 1: h = torch.cat([h, torch.randn_like(h) * temperature], 1)
            for layer in reversed(level.steps): h = layer.inverse(h)
            if level.squeezes: h = unsqueeze(h)
            for layer in reversed(level.before_squeeze): h = layer.inverse(h)
        return h


def dequantize(x):  # FlowModel.swift: (k + u)/256 for pixels k/255
    return ((x * 255).round() + torch.rand_like(x)) / 256


def logit_input(x, alpha=0.05):  # FlowModel.swift's .logit: logit(α + (1 − 2α)·x̃) and its log-determinant per image
    p = x * (1 - 2 * alpha) + alpha
    return p.log() - (1 - p).log(), (math.log(1 - 2 * alpha) - p.log() - (1 - p).log()).flatten(1).sum(1)


def flow(args):  # FlowModel.swift: exact NLL in bits/dim (8-bit offset), Adam 1e-3 warmed up over 200 steps, clipping at 50
    torch.manual_seed(args.seed)
    if args.model == "glow":
        net = MultiScaleFlow(depth=args.depth, hidden=args.hidden)
        log_p = lambda x: net(x - 0.5)
        to_images = lambda h: (h + 0.5).clamp(0, 1)
    else:
        net = RealNVPFlow(scales=args.scales, hidden=args.hidden, blocks=args.blocks)
        def log_p(x):
            h, logdet = logit_input(x); return net(h) + logdet
        to_images = lambda h: ((torch.sigmoid(h) - 0.05) / 0.9).clamp(0, 1)
    # The moving average (FlowModel.swift) that the test NLL and the samples use: parameters averaged with the
    # warmed-up decay min(d, (1+n)/(10+n)), buffers (actnorm's `initialized`) copied; --ema-decay 0: none.
    avg = copy.deepcopy(net).requires_grad_(False) if args.ema_decay > 0 else net
    def log_p_eval(x):
        if args.model == "glow": return avg(x - 0.5)
        h, logdet = logit_input(x); return avg(h) + logdet
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    batches, dims, t0 = stream(mnist("train")), 784, time.time()
    to_bpd = lambda logp: (-logp / dims + math.log(256)) / math.log(2)
    test = mnist("test")[:args.bpd_count or 10000]
    def test_bpd():  # mirage eval nll: the first N test images, one dequantisation each
        with torch.no_grad():
            return sum(float(to_bpd(log_p_eval(dequantize(test[c:c + 500]))).double().sum()) for c in range(0, len(test), 500)) / len(test)
    train_s = 0.0
    for n in range(1, args.steps + 1):
        (x,) = next(batches)
        loss = to_bpd(log_p(dequantize(x))).mean()
        opt.zero_grad(); loss.backward(); nn.utils.clip_grad_norm_(net.parameters(), 50.0)
        for group in opt.param_groups: group["lr"] = 1e-3 * min(1.0, n / 200)
        opt.step()
        if avg is not net:
            d = min(np.float32(args.ema_decay), np.float32(1 + n) / np.float32(10 + n))
            with torch.no_grad():
                for pa, p in zip(avg.parameters(), net.parameters()): pa.mul_(float(d)).add_(p, alpha=float(np.float32(1) - d))
                for ba, b in zip(avg.buffers(), net.buffers()): ba.copy_(b)
        if n % 250 == 0: print(f"step {n}: {loss.item():.4f} bits/dim ({time.time() - t0:.0f} s)", flush=True)
        if args.eval_every and n % args.eval_every == 0 and n < args.steps:  # the test time is not training time
            train_s += time.time() - t0
            print(f"step {n}, {train_s:.0f} s of training: test NLL {test_bpd():.4f} bits/dim ({len(test)} images)", flush=True)
            t0 = time.time()
    train_s += time.time() - t0
    print(f"trained {args.steps} steps in {train_s:.0f} s")
    print(f"test NLL: {test_bpd():.4f} bits/dim ({len(test)} images)")
    with torch.no_grad():
        x = to_images(avg.sample(args.count, args.temperature))
    np.save(args.out, x.numpy().astype(np.float32)); print(f"wrote {tuple(x.shape)} samples to {args.out}")


class MaskedConv2d(nn.Conv2d):
    """MaskedConv2d.swift: a k×k convolution (padding k//2) whose kernel sees only the pixels before the centre in raster
    order, type "a" without the centre, "b" with it; the mask is no part of the state_dict (weight, bias as Conv2d's)."""
    def __init__(s, cin, cout, k, kind):
        super().__init__(cin, cout, k, padding=k // 2)
        mask = torch.ones(k, k); c = k // 2
        mask[c, c + (kind == "b"):] = 0; mask[c + 1:] = 0
        s.register_buffer("mask", mask.expand(cout, cin, k, k).clone(), persistent=False)
    def forward(s, x): return s._conv_forward(x, s.weight * s.mask, s.bias)


def class_bias(embedding, y):  # AutoregressiveNetwork.swift's classBias: the class's learned bias [N, C, 1, 1], or none
    return None if embedding is None or y is None else embedding(y)[:, :, None, None]


def gate(x):  # tanh(first half of the channels) · σ(second half)
    a, b = x.chunk(2, 1); return torch.tanh(a) * torch.sigmoid(b)


class PixelResidualBlock(nn.Module):  # PixelCNNNetwork.ResidualBlock: x + 1×1(ReLU(3×3ᴮ(ReLU(1×1(ReLU(x)))) + class bias))
    def __init__(s, h, classes):
        super().__init__()
        s.reduce = nn.Conv2d(2 * h, h, 1); s.conv = MaskedConv2d(h, h, 3, "b"); s.expand = nn.Conv2d(h, 2 * h, 1)
        s.class_embedding = nn.Embedding(classes, h) if classes else None
    def forward(s, x, y=None):
        u = s.conv(F.relu(s.reduce(F.relu(x))))
        bias = class_bias(s.class_embedding, y)
        return x + s.expand(F.relu(u if bias is None else u + bias))


class PixelCNNNetwork(nn.Module):
    """PixelCNNNetwork.swift: 7×7 type-A masked conv 1 → 2h, `blocks` residual blocks, ReLU → 1×1 2h → 2h → ReLU → 1×1
    to the logits; the last row's logits depend on 3 + blocks rows above (rows_above)."""
    def __init__(s, h=32, blocks=6, outputs=1, classes=0):
        super().__init__()
        s.input = MaskedConv2d(1, 2 * h, 7, "a")
        s.blocks = nn.ModuleList(PixelResidualBlock(h, classes) for _ in range(blocks))
        s.hidden = nn.Conv2d(2 * h, 2 * h, 1); s.output = nn.Conv2d(2 * h, outputs, 1)
        s.rows_above = 3 + blocks
    def forward(s, x, y=None):
        h = s.input(x)
        for block in s.blocks: h = block(h, y)
        return s.output(F.relu(s.hidden(F.relu(h))))


class GatedLayer(nn.Module):
    """GatedPixelCNNNetwork.GatedLayer: vertical (k//2+1)×k conv on the input padded above by k//2 (and ±k//2 across);
    horizontal 1×(k//2+1) conv on the row padded left by k//2 (the first layer: by k//2+1, the last column dropped, so it
    stops before the pixel); the link 1×1 adds the vertical pre-activation one row down to the horizontal one, before the
    class biases; gated outputs, the horizontal one through the 1×1 residual, plus the input after the first layer."""
    def __init__(s, cin, h, k, first, classes):
        super().__init__()
        s.r, s.first = k // 2, first
        s.vertical = nn.Conv2d(cin, 2 * h, (k // 2 + 1, k), padding=(0, k // 2))
        s.horizontal = nn.Conv2d(cin, 2 * h, (1, k // 2 + 1))
        s.link = nn.Conv2d(2 * h, 2 * h, 1); s.residual = nn.Conv2d(h, h, 1)
        s.vertical_class = nn.Embedding(classes, 2 * h) if classes else None
        s.horizontal_class = nn.Embedding(classes, 2 * h) if classes else None
    def forward(s, v, x, y=None):
        r, width = s.r, x.shape[3]
        vpre = s.vertical(F.pad(v, (0, 0, r, 0)))
        shifted = F.pad(x, (r + 1, 0))[..., :width + r] if s.first else F.pad(x, (r, 0))
        hpre = s.horizontal(shifted) + s.link(F.pad(vpre, (0, 0, 1, 0))[:, :, :-1])
        vb, hb = class_bias(s.vertical_class, y), class_bias(s.horizontal_class, y)
        if vb is not None: vpre = vpre + vb
        if hb is not None: hpre = hpre + hb
        out = s.residual(gate(hpre))
        return gate(vpre), out if s.first else x + out


class GatedPixelCNNNetwork(nn.Module):
    """GatedPixelCNNNetwork.swift: a 7×7 gated layer from the image, `layers` 3×3 ones, ReLU → 1×1 h → h → ReLU → 1×1 to
    the logits from the horizontal stack; rows_above = 3 + every layer, the first included (4 + layers)."""
    def __init__(s, h=32, layers=6, outputs=1, classes=0):
        super().__init__()
        s.layers = nn.ModuleList([GatedLayer(1, h, 7, True, classes)] + [GatedLayer(h, h, 3, False, classes) for _ in range(layers)])
        s.hidden = nn.Conv2d(h, h, 1); s.output = nn.Conv2d(h, outputs, 1)
        s.rows_above = 3 + len(s.layers)
    def forward(s, x, y=None):
        v = h = x
        for layer in s.layers: v, h = layer(v, h, y)
        return s.output(F.relu(s.hidden(F.relu(h))))


class PixelCNNRows:
    """PixelCNNNetwork.Rows: logits one row at a time from the image's rows max(0, row − 3) … row (`recent`), keeping each
    block's masked-conv input of the row above, so a pixel costs one row of every layer; finish(recent) once a row is
    drawn (one more pass over it, as Mirage's)."""
    def __init__(s, net, y=None): s.net, s.y, s.above, s.current = net, y, [None] * len(net.blocks), [None] * len(net.blocks)
    def logits(s, recent):
        net = s.net; i = net.input
        h = F.conv2d(F.pad(recent, (0, 0, 4 - recent.shape[2], 0)), (i.weight * i.mask)[:, :, :4], i.bias, padding=(0, 3))
        for b, block in enumerate(net.blocks):
            reduced = F.relu(block.reduce(F.relu(h))); s.current[b] = reduced
            above = torch.zeros_like(reduced) if s.above[b] is None else s.above[b]
            c = block.conv
            u = F.conv2d(torch.cat([above, reduced], 2), (c.weight * c.mask)[:, :, :2], c.bias, padding=(0, 1))
            bias = class_bias(block.class_embedding, s.y)
            h = h + block.expand(F.relu(u if bias is None else u + bias))
        return net.output(F.relu(net.hidden(F.relu(h))))
    def finish(s, recent): s.logits(recent); s.above = list(s.current)


class GatedRows:
    """GatedPixelCNNNetwork.Rows: a row's horizontal stack from that row and each layer's vertical pre-activation of the
    row above; finish(recent) computes the drawn row's vertical stack once, from each layer's input of the row above."""
    def __init__(s, net, y=None):
        s.net, s.y = net, y; s.pre_above, s.v_above = [None] * len(net.layers), [None] * len(net.layers)
    def logits(s, recent):
        net, h = s.net, recent[:, :, -1:]
        for l, layer in enumerate(net.layers):
            r, width = layer.r, h.shape[3]
            shifted = F.pad(h, (r + 1, 0))[..., :width + r] if layer.first else F.pad(h, (r, 0))
            pre = layer.horizontal(shifted)
            pre = pre + (layer.link.bias[None, :, None, None] if s.pre_above[l] is None else layer.link(s.pre_above[l]))
            bias = class_bias(layer.horizontal_class, s.y)
            out = layer.residual(gate(pre if bias is None else pre + bias))
            h = out if layer.first else h + out
        return net.output(F.relu(net.hidden(F.relu(h))))
    def finish(s, recent):
        v = recent
        for l, layer in enumerate(s.net.layers):
            x = F.pad(v, (0, 0, layer.r + 1 - v.shape[2], 0)) if l == 0 else \
                torch.cat([torch.zeros_like(v) if s.v_above[l - 1] is None else s.v_above[l - 1], v], 2)
            pre = layer.vertical(x); s.pre_above[l] = pre
            bias = class_bias(layer.vertical_class, s.y)
            if l > 0: s.v_above[l - 1] = v
            v = gate(pre if bias is None else pre + bias)
        s.v_above[-1] = v


def pixelcnn_network(gated=False, filters=32, layers=6, output="bernoulli", classes=0):  # PixelCNN.Config's network
    net = GatedPixelCNNNetwork if gated else PixelCNNNetwork
    return net(filters, layers, 1 if output == "bernoulli" else 256, classes)


def pixelcnn_nll(net, x, y=None):
    """PixelCNN.negativeLogLikelihood: −log p(x) per image in nats, exact; x binary (one logit per pixel: BCE with logits
    summed) or on the 8-bit grid (256 logits: −log_softmax at level round(255·x), summed)."""
    logits = net(x, y)
    if logits.shape[1] == 1: return F.binary_cross_entropy_with_logits(logits, x, reduction="none").flatten(1).sum(1)
    return -logits.log_softmax(1).gather(1, (x * 255).round().long()).flatten(1).sum(1)


def pixelcnn_sample(net, n, y=None, size=(28, 28), chunk=256, cached=True):
    """PixelCNN.generate from blank images: pixel by pixel in raster order, `chunk` images at a time, no gradients, each
    pixel's logits by the row-at-a-time sampler (PixelCNNRows, GatedRows, as Mirage's RowSampler: one row of every layer
    a pixel, the rows above kept from earlier passes); cached=False: from the window of rows max(0, row − rows_above) …
    row instead (the same logits, about 10× the work). Bernoulli: 1 if u < σ(logit), categorical: a level k/255 drawn
    from the softmax. Draws from the global RNG."""
    (height, width), parts = size, []
    with torch.no_grad():
        for c in range(0, n, chunk):
            x = torch.zeros(min(chunk, n - c), 1, height, width); yc = None if y is None else y[c:c + chunk]
            rows = (GatedRows if isinstance(net, GatedPixelCNNNetwork) else PixelCNNRows)(net, yc) if cached else None
            for p in range(height * width):
                row, col = divmod(p, width)
                if rows: logits = rows.logits(x[:, :, max(0, row - 3):row + 1])[:, :, 0, col]  # [n, K]
                else: logits = net(x[:, :, max(0, row - net.rows_above):row + 1], yc)[:, :, -1, col]
                if logits.shape[1] == 1: x[:, 0, row, col] = (torch.rand(len(x)) < torch.sigmoid(logits[:, 0])).float()
                else: x[:, 0, row, col] = torch.multinomial(logits.softmax(1), 1)[:, 0].float() / 255
                if rows and col == width - 1 and row < height - 1: rows.finish(x[:, :, max(0, row - 3):row + 1])
            parts.append(x)
    return torch.cat(parts)


def pixelcnn(args):  # PixelCNN.swift: exact NLL in nats, Adam 1e-3, gradients clipped to norm 100
    torch.manual_seed(args.seed)
    K, categorical = (10 if args.conditional else 0), args.output == "categorical"
    net = pixelcnn_network(args.gated, args.filters, args.layers, args.output, K)
    opt = torch.optim.Adam(net.parameters(), 1e-3)  # betas (0.9, 0.999), eps 1e-8: Mirage's defaults
    snap = lambda x: (x * 255).round() / 255  # the 8-bit grid (binarised pixels: dynamically, per batch)
    batches = stream(mnist("train"), *([mnist("train", labels=True)] if K else []))
    n_test = args.bpd_count or 10000
    test, test_y = mnist("test")[:n_test], mnist("test", labels=True)[:n_test]
    g = torch.Generator().manual_seed(args.seed)  # mirage eval nll: the test bits drawn once, 100 images at a time
    test = torch.cat([snap(test[c:c + 100]) if categorical else torch.bernoulli(test[c:c + 100], generator=g)
                      for c in range(0, n_test, 100)])
    def test_nll():  # conditional: the marginal −log Σ_c (1/K)·p(x | c), one pass per class
        total = 0.0
        with torch.no_grad():
            for c in range(0, n_test, 100):
                x = test[c:c + 100]
                if K:
                    logp = torch.stack([-pixelcnn_nll(net, x, torch.full((len(x),), k)) for k in range(K)])
                    nll = -(torch.logsumexp(logp, 0) - math.log(K))
                else:
                    nll = pixelcnn_nll(net, x)
                total += float(nll.double().sum())
        nats = total / n_test
        return f"{nats:.2f} nats, {nats / 784 / math.log(2):.4f} bits/dim ({n_test} images)"
    t0, train_s = time.time(), 0.0
    for n in range(1, args.steps + 1):
        x, *y = next(batches)
        x = snap(x) if categorical else torch.bernoulli(x)
        loss = pixelcnn_nll(net, x, y[0] if K else None).mean()
        opt.zero_grad(); loss.backward(); nn.utils.clip_grad_norm_(net.parameters(), 100.0); opt.step()
        if n % 250 == 0: print(f"step {n}: {loss.item():.2f} nats ({time.time() - t0:.0f} s)", flush=True)
        if args.eval_every and n % args.eval_every == 0 and n < args.steps:  # the test time is not training time
            train_s += time.time() - t0
            print(f"step {n}, {train_s:.0f} s of training: test NLL {test_nll()}", flush=True)
            t0 = time.time()
    train_s += time.time() - t0
    print(f"trained {args.steps} steps in {train_s:.0f} s")
    print(f"test NLL{f' (marginal over {K} classes)' if K else ''}: {test_nll()}")
    labels = torch.arange(args.count) * 10 // args.count if K else None  # count/10 per class, class order
    t0 = time.time(); s = pixelcnn_sample(net, args.count, labels); sec = time.time() - t0
    print(f"sampled {args.count} images in {sec:.1f} s: {args.count / sec:.2f} images/s")
    np.save(args.out, s.numpy().astype(np.float32)); print(f"wrote {tuple(s.shape)} samples to {args.out}")


class NoiseSchedule:
    """NoiseSchedule.swift: β in float32 (index i = t − 1) and ᾱ accumulated and kept in float64; √ᾱ, √(1 − ᾱ),
    the posterior's mean coefficients and variance β̃ computed in float64 from them, then cast to float32."""
    def __init__(s, kind, T=1000):
        if kind == "linear":
            s.betas = np.array([1e-4 + (0.02 - 1e-4) * i / (T - 1) for i in range(T)], np.float32)
        else:  # cosine, s = 0.008, β capped at 0.999
            f = lambda t: math.cos((t / T + 0.008) / 1.008 * math.pi / 2) ** 2
            s.betas = np.array([min(1 - f(t) / f(t - 1), 0.999) for t in range(1, T + 1)], np.float32)
        s.T, s.abar = T, np.cumprod(1 - s.betas.astype(np.float64))  # sequential products, as Swift's running product
        table = lambda fn: torch.tensor([fn(i) for i in range(T)], dtype=torch.float32)
        # per-index float32 tables for the batched operations (noising, x̂₀, the bound)
        s.signal, s.noise = table(lambda i: s.scales(i)[0]), table(lambda i: s.scales(i)[1])
        s.coef_x0, s.coef_xt = table(lambda i: s.posterior_mean_coefficients(i)[0]), table(lambda i: s.posterior_mean_coefficients(i)[1])
        s.variance = table(s.posterior_variance)
    def exact_alpha_bar(s, i):  # ᾱ in float64, 1 before the first step
        return 1.0 if i < 0 else float(s.abar[i])
    def scales(s, i):  # (√ᾱ, √(1 − ᾱ)) as float32
        a = s.exact_alpha_bar(i); return np.float32(math.sqrt(a)), np.float32(math.sqrt(1 - a))
    def posterior_variance(s, i):  # β̃_t = β_t·(1 − ᾱ_{t−1})/(1 − ᾱ_t), float32
        return np.float32(float(s.betas[i]) * (1 - s.exact_alpha_bar(i - 1)) / (1 - s.exact_alpha_bar(i)))
    def posterior_mean_coefficients(s, i):  # (of x₀, of x_t), float32; exactly (1, 0) at i = 0
        prev, beta, comp = s.exact_alpha_bar(i - 1), float(s.betas[i]), 1 - s.exact_alpha_bar(i)
        return np.float32(math.sqrt(prev) * beta / comp), np.float32(math.sqrt(1 - beta) * (1 - prev) / comp)
    def noised(s, x0, t, noise):  # q(x_t | x₀): √ᾱ·x₀ + √(1 − ᾱ)·noise, each image at its own index
        return s.signal[t][:, None, None, None] * x0 + s.noise[t][:, None, None, None] * noise


def diffusion_sample(eps_fn, xT, sch, sampler, steps, eta):
    """DiffusionSampler.swift: x̂₀ from ε̂, clipped to [-1, 1], and the noise it implies; then DDPM's posterior
    step (variance β̃) or DDIM's step to the next of `steps` indices spread evenly over T−1 … 0, ends included.
    The scalar coefficients from float64 ᾱ, cast to float32, as Swift computes them."""
    f32, T, x = np.float32, sch.T, xT
    if sampler == "ddpm": path = list(range(T - 1, -1, -1))
    elif steps == 1: path = [T - 1]
    else: path = [int(math.floor((T - 1) * (steps - 1 - k) / (steps - 1) + 0.5)) for k in range(steps)]
    for k, i in enumerate(path):
        eps = eps_fn(x, torch.full((x.shape[0],), i))
        sa, s1 = (float(v) for v in sch.scales(i))
        x0 = ((x - eps * s1) / sa).clamp(-1, 1); implied = (x - x0 * sa) / s1
        if sampler == "ddpm":
            c0, ct = sch.posterior_mean_coefficients(i)
            x = x0 * float(c0) + x * float(ct)
            if i > 0: x = x + torch.randn_like(x) * float(np.sqrt(sch.posterior_variance(i)))  # float32 √
        else:
            ab, tg = sch.exact_alpha_bar(i), sch.exact_alpha_bar(path[k + 1] if k + 1 < len(path) else -1)
            sigma = float(f32(eta)) * math.sqrt((1 - tg) / (1 - ab)) * math.sqrt(max(0.0, 1 - ab / tg))
            x = x0 * float(f32(math.sqrt(tg))) + implied * float(f32(math.sqrt(max(0.0, 1 - tg - sigma * sigma))))
            if sigma > 0: x = x + torch.randn_like(x) * float(f32(sigma))
    return x


def decoder_nll(x, mean, std):
    """DDPMLikelihood.swift's discreteDecoderNLL: −log of N(mean, std²)'s mass on each pixel's bin of width 2/255 in
    [-1, 1] (the bins of −1 and 1 reaching to ±∞), in float64, summed per image; float32 [B]."""
    v = torch.round((x.double() + 1) * 127.5) / 127.5 - 1  # the bin centre, exact in float64
    m, r, h = mean.double(), float(std) * math.sqrt(2), 1 / 255
    upper = torch.where(v > 1 - 1e-3, torch.ones_like(v), 0.5 * torch.special.erfc(-(v + h - m) / r))
    lower = torch.where(v < -1 + 1e-3, torch.zeros_like(v), 0.5 * torch.special.erfc(-(v - h - m) / r))
    return (-torch.log((upper - lower).clamp_min(1e-12))).flatten(1).sum(1).float()


def ddpm_bound(eps_fn, x0, sch, samples, g):
    """DDPMLikelihood.swift: the variational bound L_T + Σ_{t=2}^{T} L_{t−1} + L₀ per image in nats, x₀ in [-1, 1]
    holding 8-bit values; the reverse mean from the clipped x̂₀, variance β̃ (β̃ at index 1 for the decoder); with
    fewer `samples` than the T − 1 middle terms, a stratified draw of that many per image, scaled by (T − 1)/samples."""
    f32, b, T = np.float32, x0.shape[0], sch.T
    col = lambda v: v[:, None, None, None]
    def reverse_mean(t):  # x_t ~ q(x_t | x₀) at each image's index, and p_θ's mean from the clipped x̂₀
        xt = sch.noised(x0, t, torch.randn(x0.shape, generator=g))
        pred = ((xt - eps_fn(xt, t) * col(sch.noise[t])) / col(sch.signal[t])).clamp(-1, 1)
        return pred * col(sch.coef_x0[t]) + xt * col(sch.coef_xt[t]), xt
    sig, noi = sch.scales(T - 1); v1 = f32(noi * noi)  # L_T = KL(N(√ᾱ_T·x₀, 1 − ᾱ_T) ‖ N(0, 1))
    d = x0 * float(sig)
    total = ((d * d + float(v1)) / 2 + float(f32(0.5 * math.log(float(f32(1) / v1)) - 0.5))).flatten(1).sum(1)
    mean, _ = reverse_mean(torch.zeros(b, dtype=torch.long))  # L₀ at index 0, σ = √β̃ at index 1 (float32 √)
    total = total + decoder_nll(x0, mean, np.sqrt(sch.posterior_variance(1)))
    terms = T - 1; exact = samples >= terms; draws = terms if exact else max(1, samples)
    middle = torch.zeros(b)
    for k in range(draws):  # L_{t−1} = ‖μ̃ − μ_θ‖²/(2β̃_t) at indices 1 … T−1, all of them or one per stratum
        if exact: t = torch.full((b,), k + 1, dtype=torch.long)
        else: t = 1 + ((k + torch.rand(b, dtype=torch.float64, generator=g)) * terms / draws).long().clamp_max(terms - 1)
        mean, xt = reverse_mean(t)
        true_mean = x0 * col(sch.coef_x0[t]) + xt * col(sch.coef_xt[t])
        middle = middle + ((true_mean - mean) ** 2 / (col(sch.variance[t]) * 2)).flatten(1).sum(1)
    return total + (middle if exact else middle * float(f32(terms) / f32(draws))), draws, terms


def ddpm(args):  # DDPM.swift
    torch.manual_seed(args.seed)
    K = 10 if args.conditional else 0
    sch = NoiseSchedule(args.schedule); T = sch.T
    batches = stream(mnist("train") * 2 - 1, *([mnist("train", labels=True)] if K else []))
    U = (ResidualUNet if args.architecture == "resunet" else TimeUNet)(K); E = copy.deepcopy(U).requires_grad_(False)  # the average starts at the initial weights
    opt = torch.optim.Adam(U.parameters(), 2e-4)  # betas (0.9, 0.999), eps 1e-8: Mirage's defaults
    t0 = time.time()
    for n in range(1, args.steps + 1):
        x, *y = next(batches)
        t = torch.randint(0, T, (64,)); eps = torch.randn_like(x)
        y = torch.where(torch.rand(64) < 0.1, K, y[0]) if K else None  # label dropout to "no class"
        loss = F.mse_loss(U(sch.noised(x, t, eps), t, y), eps)
        opt.zero_grad(); loss.backward(); nn.utils.clip_grad_norm_(U.parameters(), 1.0); opt.step()
        d = min(np.float32(0.9999), np.float32(1 + n) / np.float32(10 + n))  # the warmed-up decay, float32
        with torch.no_grad():  # parameters only: neither network has buffers
            for pe, p in zip(E.parameters(), U.parameters()): pe.mul_(float(d)).add_(p, alpha=float(np.float32(1) - d))
    print(f"trained {args.steps} steps in {time.time() - t0:.0f} s")
    E.eval(); w = args.guidance
    def eps_fn(x, t, y):
        if not K: return E(x, t)
        if w == 0: return E(x, t, y)
        both = E(torch.cat([x, x]), torch.cat([t, t]), torch.cat([y, torch.full_like(y, K)]))
        return both[:len(x)] * (1 + w) - both[len(x):] * w
    def draw(count, sampler, out):
        labels = torch.arange(count) * 10 // count if K else None  # count/10 per class, class order
        t0, parts = time.time(), []
        with torch.no_grad():
            for c in range(0, count, 256):  # 256 at a time, as DDPM.generate
                xT = torch.randn(min(256, count - c), 1, 28, 28); yc = labels[c:c + 256] if K else None
                parts.append(diffusion_sample(lambda x, t: eps_fn(x, t, yc), xT, sch, sampler, args.sampling_steps, args.eta))
        s = time.time() - t0
        print(f"sampled {count} images ({sampler}{'' if sampler == 'ddpm' else f'-{args.sampling_steps}, eta {args.eta}'}"
              f"{f', guidance {w}' if K else ''}) in {s:.1f} s: {count / s:.2f} images/s")
        save(out, torch.cat(parts))
    draw(args.count, args.sampler, args.out)
    if args.ancestral_count:  # also ancestral DDPM samples of the same model
        draw(args.ancestral_count, "ddpm", args.ancestral_out)
    if args.bpd_count:  # mirage eval nll: the first N test images, 100 at a time, EMA weights, unconditional
        test, g, bound, t0 = mnist("test")[:args.bpd_count] * 2 - 1, torch.Generator().manual_seed(args.seed), 0.0, time.time()
        none = lambda x, t: E(x, t, torch.full((len(x),), K)) if K else E(x, t)
        with torch.no_grad():
            for c in range(0, len(test), 100):
                nll, draws, terms = ddpm_bound(none, test[c:c + 100], sch, args.bpd_samples, g)
                bound += float(nll.double().sum())
        n = len(test); nats = bound / n
        print(f"test NLL bound: {nats:.2f} nats, {nats / 784 / math.log(2):.4f} bits/dim ({n} images, {draws} of {terms} "
              f"middle terms) in {time.time() - t0:.1f} s")



class Maxout(nn.Module):  # Maxout.swift: a linear map to pieces·units, the max over each unit's pieces
    def __init__(self, i, o, pieces):
        super().__init__(); self.linear = nn.Linear(i, pieces * o); self.o, self.pieces = o, pieces

    def forward(self, x):
        return self.linear(x).view(len(x), self.pieces, self.o).max(1)[0]


def mixture(name):  # GaussianMixture2D.swift: (modes, σ)
    if name == "ring8":
        a = torch.arange(8, dtype=torch.float64) * 2 * math.pi / 8
        return torch.stack([a.cos(), a.sin()], 1).float(), 0.01
    steps = torch.tensor([-2.0, -1, 0, 1, 2]) * 2
    return torch.cartesian_prod(steps, steps), 0.05


def mode_coverage(x, modes, sigma):  # ModeCoverage.evaluate: (captured, high-quality share, KL to uniform)
    d2, k = ((x[:, None, :] - modes[None]) ** 2).sum(-1).min(1)
    good = d2.sqrt() / sigma < 3
    h = torch.bincount(k[good], minlength=len(modes)).double()
    p = h[h > 0] / h.sum()
    kl = float((p * (p * len(modes)).log()).sum()) if good.any() else math.inf
    return int((h > 0).sum()), float(good.double().mean()), kl


def points(args):  # GAN.swift's step on 2-D points, with PacGAN's packing (Packing.swift)
    torch.manual_seed(args.seed)
    modes, sigma = mixture(args.dataset)
    m, n = args.pack, args.batch
    published = args.recipe == "published"
    bn = (lambda: nn.BatchNorm1d(400, momentum=0.05, eps=1e-4)) if published else (lambda: nn.BatchNorm1d(400))
    G = nn.Sequential(*[l for i in range(4) for l in (nn.Linear(2 if i == 0 else 400, 400, bias=False), bn(), nn.ReLU())],
                      nn.Linear(400, 2))
    D = nn.Sequential(Maxout(2 * m, 200, 5), Maxout(200, 200, 5), Maxout(200, 200, 5), nn.Linear(200, 1))
    if published:  # Blocks' IsotropicGaussian(0.02) weights, Constant(0) biases
        for layer in [l for net in (G, D) for l in net.modules() if isinstance(l, nn.Linear)]:
            nn.init.normal_(layer.weight, 0, 0.02)
            if layer.bias is not None: nn.init.zeros_(layer.bias)
    oG, oD = adam(G.parameters(), args.lr, (0.8, 0.999)), adam(D.parameters(), args.lr, (0.8, 0.999))
    pack = lambda x: torch.cat(x.chunk(m), 1)  # pack i: sample i of each of the m batches
    if published:  # 100,000 packed examples, reshuffled every epoch; each step takes the next n
        fixed, order, used = pack(modes[torch.randint(len(modes), (m * 100000,))] + sigma * torch.randn(m * 100000, 2)), None, 100000
        def real_packs():
            nonlocal order, used
            if used + n > len(fixed): order, used = torch.randperm(len(fixed)), 0
            used += n; return fixed[order[used - n:used]]
        fake_packs = lambda: torch.cat([G(torch.randn(n, 2)) for _ in range(m)], 1)  # one G pass per slot
    else:
        real_packs = lambda: pack(modes[torch.randint(len(modes), (m * n,))] + sigma * torch.randn(m * n, 2))
        fake_packs = lambda: pack(G(torch.randn(m * n, 2)))
    probe = torch.Generator().manual_seed(args.seed + 1)

    def sample(k, g=None):
        G.eval()
        with torch.no_grad(): x = G(torch.randn(k, 2, generator=g))
        G.train(); return x

    t0, trained, losses = time.time(), 0.0, []
    for step in range(1, args.steps + 1):
        x, fake = real_packs(), fake_packs()
        if published:  # ALI's algorithm: both gradients at the current weights, then both steps
            dReal, dFake = D(x), D(fake)
            lD, lG = bce(dReal, 1.0) + bce(dFake, 0.0), bce(dFake, 1.0)
            gD = torch.autograd.grad(lD, list(D.parameters()), retain_graph=True)
            gG = torch.autograd.grad(lG, list(G.parameters()))
            for p, g in itertools.chain(zip(D.parameters(), gD), zip(G.parameters(), gG)): p.grad = g
            oD.step(); oG.step()
        else:
            lD = bce(D(x), 1.0) + bce(D(fake.detach()), 0.0)
            oD.zero_grad(); lD.backward(); oD.step()
            lG = bce(D(fake), 1.0)
            oG.zero_grad(); lG.backward(); oG.step()
        losses.append(lD.item())
        if args.eval_every and step % args.eval_every == 0:
            trained += time.time() - t0
            c, q, kl = mode_coverage(sample(2500, probe), modes, sigma)
            print(f"step {step}: loss_d {sum(losses) / len(losses):.3f}, modes {c}/{len(modes)}, high quality {100 * q:.1f}%, "
                  f"KL {kl:.3f}", flush=True)
            losses, t0 = [], time.time()
    trained += time.time() - t0
    print(f"trained {args.steps} steps in {trained:.0f} s")
    x = sample(2500)
    c, q, kl = mode_coverage(x, modes, sigma)
    np.save(args.out, x.numpy().astype(np.float32))
    print(f"wrote {tuple(x.shape)} samples to {args.out}: modes {c}/{len(modes)}, high quality {100 * q:.1f}%, KL {kl:.3f}")

# StyleGAN2, as StyleGAN.swift (Karras et al. 2020, configuration E without progressive growing, scaled for a CPU):
# equalised learning rate everywhere, mapping z → w (8 layers, learning rate × 0.01, w̄ decay 0.995), a 4×4 constant,
# modulated and demodulated 3×3 convolutions (nearest upsampling first at each new resolution) with per-channel noise
# strengths, skip toRGB (modulated 1×1, no demodulation), a residual discriminator (3×3, 3×3 then 2×2 mean pool,
# pooled 1×1 skip, sum × √½) with the minibatch standard deviation (groups of up to 4), logistic loss, lazy R1 every
# 16 steps, lazy path length every 4 on half the batch, style mixing 90%, Adam (0, 0.99) corrected by k / (k + 1),
# a moving average of G with a half-life in images; MNIST padded with −1 to 32×32 and cropped back.
def act(x):
    return F.leaky_relu(x, 0.2) * math.sqrt(2)


class EqLinear(nn.Module):
    def __init__(self, i, o, bias_init=0.0, mult=1.0):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(o, i) / mult)
        self.bias = nn.Parameter(torch.full((o,), bias_init / mult))
        self.scale, self.mult = mult / math.sqrt(i), mult

    def forward(self, x):
        return F.linear(x, self.weight * self.scale, self.bias * self.mult)


class EqConv(nn.Module):
    def __init__(self, i, o, k, bias=True):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(o, i, k, k))
        self.bias = nn.Parameter(torch.zeros(o)) if bias else None
        self.scale = 1 / math.sqrt(i * k * k)

    def forward(self, x):
        k = self.weight.shape[2]
        return F.conv2d(x, self.weight * self.scale, self.bias, padding=k // 2)


class ModConv(nn.Module):
    def __init__(self, i, o, k, wdim, demod=True, up=False):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(o, i, k, k))
        self.affine = EqLinear(wdim, i, bias_init=1.0)
        self.demod, self.up, self.i, self.o = demod, up, i, o

    def forward(self, x, w):  # ModulatedConv2d.swift: grouped in eval, activations scaled in training (fused_modconv)
        n, k, s = x.shape[0], self.weight.shape[2], self.affine(w)
        scaled = self.weight / math.sqrt(self.i * k * k)
        if self.training:
            x = x * s[:, :, None, None]
            if self.up:
                x = F.interpolate(x, scale_factor=2, mode="nearest")
            y = F.conv2d(x, scaled, padding=k // 2)
            if self.demod:
                y = y * (s.pow(2) @ scaled.pow(2).sum([2, 3]).t() + 1e-8).rsqrt()[:, :, None, None]
            return y
        wt = scaled[None] * s[:, None, :, None, None]
        if self.demod:
            wt = wt / (wt.pow(2).sum([2, 3, 4], keepdim=True) + 1e-8).sqrt()
        if self.up:
            x = F.interpolate(x, scale_factor=2, mode="nearest")
        h, wd = x.shape[2], x.shape[3]
        y = F.conv2d(x.reshape(1, n * self.i, h, wd), wt.reshape(n * self.o, self.i, k, k), padding=k // 2, groups=n)
        return y.reshape(n, self.o, h, wd)


class SynthLayer(nn.Module):
    def __init__(self, i, o, wdim, up):
        super().__init__()
        self.conv = ModConv(i, o, 3, wdim, up=up)
        self.noise_strength = nn.Parameter(torch.zeros(1, o, 1, 1))
        self.bias = nn.Parameter(torch.zeros(1, o, 1, 1))

    def forward(self, x, w, noise=True):
        y = self.conv(x, w)
        if noise:
            y = y + self.noise_strength * torch.randn(y.shape[0], 1, y.shape[2], y.shape[3])
        return act(y + self.bias)


def style_channels(side, base):  # SynthesisNetwork.channels
    out, c, r = [], base, 4
    while r <= side:
        out.append(c)
        if r >= 8: c = max(16, c // 2)
        r *= 2
    return out


class Mapping(nn.Module):
    def __init__(self, d, n):
        super().__init__()
        self.layers = nn.ModuleList([EqLinear(d, d, mult=0.01) for _ in range(n)])
        self.register_buffer("w_average", torch.zeros(d))

    def forward(self, z):
        x = z / (z.pow(2).mean(1, keepdim=True) + 1e-8).sqrt()
        for layer in self.layers: x = act(layer(x))
        if self.training:
            with torch.no_grad(): self.w_average.copy_(x.mean(0) * 0.005 + self.w_average * 0.995)
        return x


class Synthesis(nn.Module):
    def __init__(self, side, c_img, base, wdim):
        super().__init__()
        ch = style_channels(side, base)
        self.constant = nn.Parameter(torch.randn(1, ch[0], 4, 4))
        layers, rgb = [SynthLayer(ch[0], ch[0], wdim, False)], [ModConv(ch[0], c_img, 1, wdim, demod=False)]
        for i in range(1, len(ch)):
            layers += [SynthLayer(ch[i - 1], ch[i], wdim, True), SynthLayer(ch[i], ch[i], wdim, False)]
            rgb.append(ModConv(ch[i], c_img, 1, wdim, demod=False))
        self.layers, self.to_rgb = nn.ModuleList(layers), nn.ModuleList(rgb)
        self.rgb_bias = nn.Parameter(torch.zeros(1, c_img, 1, 1))
        self.w_count = len(layers) + 1

    def forward(self, ws, noise=True):
        x = self.constant.expand(ws.shape[0], -1, -1, -1)
        x = self.layers[0](x, ws[:, 0], noise)
        img = self.to_rgb[0](x, ws[:, 1])
        for r in range(1, len(self.to_rgb)):
            x = self.layers[2 * r - 1](x, ws[:, 2 * r - 1], noise)
            x = self.layers[2 * r](x, ws[:, 2 * r], noise)
            img = F.interpolate(img, scale_factor=2, mode="nearest") + self.to_rgb[r](x, ws[:, 2 * r + 1])
        return img + self.rgb_bias


def minibatch_std(x):
    n, c, h, w = x.shape
    g = next(k for k in range(min(4, n), 0, -1) if n % k == 0)
    y = x.reshape(g, n // g, c, h, w)
    std = ((y - y.mean(0, keepdim=True)).pow(2).mean(0) + 1e-8).sqrt()
    f = std.mean([1, 2, 3]).reshape(1, n // g, 1, 1, 1).expand(g, n // g, 1, h, w).reshape(n, 1, h, w)
    return torch.cat([x, f], 1)


class ResBlock(nn.Module):
    def __init__(self, i, o):
        super().__init__()
        self.conv0, self.conv1, self.skip = EqConv(i, i, 3), EqConv(i, o, 3), EqConv(i, o, 1, bias=False)

    def forward(self, x):
        main = act(F.avg_pool2d(self.conv1(act(self.conv0(x))), 2))
        return (self.skip(F.avg_pool2d(x, 2)) + main) * math.sqrt(0.5)


class StyleDisc(nn.Module):
    def __init__(self, side, c_img, base):
        super().__init__()
        ch = list(reversed(style_channels(side, base)))
        self.from_rgb = EqConv(c_img, ch[0], 1)
        self.blocks = nn.ModuleList([ResBlock(ch[i], ch[i + 1]) for i in range(len(ch) - 1)])
        c = ch[-1]
        self.conv, self.fc, self.out = EqConv(c + 1, c, 3), EqLinear(c * 16, c), EqLinear(c, 1)

    def forward(self, x):
        h = act(self.from_rgb(x))
        for b in self.blocks: h = b(h)
        h = act(self.conv(minibatch_std(h)))
        return self.out(act(self.fc(h.flatten(1)))).reshape(-1)


class StyleGAN2(nn.Module):
    def __init__(self, c_img=1, side=32, latent=128, mapping_layers=8, base=128, r1=1.0, pl_weight=2.0, mixing=0.9,
                 lr=0.0025, half_life=10000):
        super().__init__()
        self.mapping, self.synthesis = Mapping(latent, mapping_layers), Synthesis(side, c_img, base, latent)
        self.D = StyleDisc(side, c_img, base)
        self.mapping_ema, self.synthesis_ema = copy.deepcopy(self.mapping).eval(), copy.deepcopy(self.synthesis).eval()
        self.latent, self.r1, self.pl_weight, self.mixing, self.half_life = latent, r1, pl_weight, mixing, half_life
        def opt(params, k):
            c = k / (k + 1)
            return torch.optim.Adam(params, lr * c, betas=(0.0, 0.99 ** c), eps=1e-8)
        self.oG = opt(list(self.mapping.parameters()) + list(self.synthesis.parameters()), 4)
        self.oD = opt(self.D.parameters(), 16)
        self.pl_mean = 0.0

    def styles(self, n):
        w = self.mapping(torch.randn(n, self.latent))
        ws = w[:, None].expand(n, self.synthesis.w_count, self.latent)
        if torch.rand(()) < self.mixing:
            cut = int(torch.randint(1, self.synthesis.w_count, ()))
            w2 = self.mapping(torch.randn(n, self.latent))
            ws = torch.cat([ws[:, :cut], w2[:, None].expand(n, self.synthesis.w_count - cut, self.latent)], 1)
        return ws

    def step(self, real, index):
        n = real.shape[0]
        with torch.no_grad(): fake = self.synthesis(self.styles(n))
        lD = F.softplus(self.D(fake)).mean() + F.softplus(-self.D(real)).mean()
        self.oD.zero_grad(); lD.backward(); self.oD.step()
        if index % 16 == 0 and self.r1 > 0:
            x = real.detach().requires_grad_(True)
            g, = torch.autograd.grad(self.D(x).sum(), x, create_graph=True)
            pen = g.pow(2).sum([1, 2, 3]).mean() * (self.r1 / 2 * 16)
            self.oD.zero_grad(); pen.backward(); self.oD.step()
        for p in self.D.parameters(): p.requires_grad_(False)
        lG = F.softplus(-self.D(self.synthesis(self.styles(n)))).mean()
        self.oG.zero_grad(); lG.backward(); self.oG.step()
        for p in self.D.parameters(): p.requires_grad_(True)
        if index % 4 == 0 and self.pl_weight > 0:
            m = max(1, n // 2)
            ws = self.styles(m)
            img = self.synthesis(ws)
            y = torch.randn_like(img) / math.sqrt(img.shape[2] * img.shape[3])
            g, = torch.autograd.grad((img * y).sum(), ws, create_graph=True)
            lengths = (g.pow(2).sum(2).mean(1) + 1e-8).sqrt()
            self.pl_mean += 0.01 * (float(lengths.mean().detach()) - self.pl_mean)
            pen = (lengths - self.pl_mean).pow(2).mean() * (self.pl_weight * 4)
            self.oG.zero_grad(); pen.backward(); self.oG.step()
        beta = 0.5 ** (n / self.half_life)
        with torch.no_grad():
            for ema, cur in ((self.mapping_ema, self.mapping), (self.synthesis_ema, self.synthesis)):
                for a, b in zip(ema.parameters(), cur.parameters()): a.lerp_(b, 1 - beta)
                for a, b in zip(ema.buffers(), cur.buffers()): a.copy_(b)
        return float(lD.detach())

    @torch.no_grad()
    def sample(self, n, psi=1.0):
        w = self.mapping_ema(torch.randn(n, self.latent))
        w = self.mapping_ema.w_average + psi * (w - self.mapping_ema.w_average)
        img = self.synthesis_ema(w[:, None].expand(n, self.synthesis.w_count, self.latent))
        return img[:, :, 2:30, 2:30]


def stylegan(args):  # StyleGAN.swift, batch 32 by default
    torch.manual_seed(args.seed)
    train = F.pad(mnist("train") * 2 - 1, (2, 2, 2, 2), value=-1)
    model = StyleGAN2(r1=args.r1, pl_weight=args.path_length)
    t0, step, b = time.time(), 0, args.batch
    while step < args.steps:
        perm = torch.randperm(len(train))
        for i in range(len(train) // b):
            if step == args.steps: break
            model.step(train[perm[i * b:(i + 1) * b]], step); step += 1
    print(f"trained {args.steps} steps in {time.time() - t0:.0f} s")
    save(args.out, torch.cat([model.sample(1000) for _ in range(10)]))
    if args.weights:  # Mirage's names; the averaged networks also as the trained ones, which import restarts the average from
        from safetensors.torch import save_file
        state = {}
        for net in ("mapping", "synthesis"):
            for k, v in getattr(model, net + "_ema").state_dict().items():
                state[f"{net}.{k}"], state[f"{net}_ema.{k}"] = v.detach().clone().contiguous(), v.detach().clone().contiguous()
        save_file(state, args.weights)
        print(f"averaged generator written to {args.weights}")


if __name__ == "__main__":
    runs = {"vae": vae, "dcgan": dcgan, "wgan": wgan, "wgan-gp": wgan, "cgan": cgan, "infogan": infogan, "lapgan": lapgan,
            "ddpm": ddpm, "glow": flow, "realnvp": flow, "pixelcnn": pixelcnn, "pix2pix": pix2pix, "cyclegan": cyclegan,
            "points": points, "stylegan": stylegan}
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", choices=list(runs))
    ap.add_argument("--steps", type=int, help="generator updates (GANs; default 3000; pix2pix, cyclegan 2000; points 10000), ddpm's updates (default 5000), "
                    "the other models' updates (default 3000)")
    ap.add_argument("--out", help="samples .npy (default peer-MODEL.npy); for cgan and infogan rows 1000k to "
                    "1000k+999 are class (categorical code) k, k = 0..9; conditional ddpm and pixelcnn likewise with count/10 per class; "
                    "pix2pix, cyclegan: the folder of the translated test images (default peer-MODEL)")
    ap.add_argument("--curve", help="wgan, wgan-gp: write the W-distance curve to this .json, samples beside it")
    ap.add_argument("--curve-every", type=int, default=250, help="steps between curve points (default 250)")
    ddpm_only = {"architecture": "resunet", "conditional": False, "schedule": "linear", "count": 10000, "sampler": "ddim", "sampling_steps": 50,
                 "eta": 0.0, "guidance": 3.0, "bpd_count": 0, "bpd_samples": 100,
                 "ancestral_count": 0, "ancestral_out": "peer-ddpm1000.npy"}
    ap.add_argument("--architecture", choices=["resunet", "timeunet"], help="ddpm: the network (default resunet)")
    ap.add_argument("--conditional", action="store_true", default=None, help="ddpm: class-conditional, guided samples; "
                    "pixelcnn: a learned bias per class in every layer")
    ap.add_argument("--schedule", choices=["linear", "cosine"], help="ddpm: noise schedule (default linear)")
    ap.add_argument("--count", type=int, help="ddpm: samples to write (default 10000; conditional: count/10 per class); "
                    "glow, realnvp likewise; pixelcnn: default 64")
    ap.add_argument("--sampler", choices=["ddim", "ddpm"], help="ddpm: ddim (default) or ancestral ddpm, all T steps")
    ap.add_argument("--sampling-steps", type=int, help="ddpm: DDIM steps (default 50)")
    ap.add_argument("--eta", type=float, help="ddpm: DDIM's η (default 0)")
    ap.add_argument("--guidance", type=float, help="ddpm: guidance weight w of a conditional model (default 3)")
    ap.add_argument("--ancestral-count", type=int, help="ddpm: also draw this many ancestral DDPM (all T steps) samples "
                    "of the same model (default 0)")
    ap.add_argument("--ancestral-out", help="ddpm: where --ancestral-count's samples go (default peer-ddpm1000.npy)")
    ap.add_argument("--bpd-count", type=int, help="ddpm: after sampling, the variational bound in bits/dim on the first N "
                    "test images (default 0: skip), as mirage eval nll")
    ap.add_argument("--bpd-samples", type=int, help="ddpm: middle terms drawn per image, stratified, for --bpd-count "
                    "(default 100; 999 or more: all T − 1)")
    flow_only = {"depth": ("glow",), "scales": ("realnvp",), "blocks": ("realnvp",), "hidden": ("glow", "realnvp"),
                 "temperature": ("glow", "realnvp"), "ema_decay": ("glow", "realnvp"), "eval_every": ("glow", "realnvp", "pixelcnn", "points")}
    ap.add_argument("--depth", type=int, help="glow: flow steps per level (default 8)")
    ap.add_argument("--scales", type=int, help="realnvp: squeezing scales (default 2)")
    ap.add_argument("--blocks", type=int, help="realnvp: residual blocks per coupling network (default 1)")
    ap.add_argument("--hidden", type=int, help="glow, realnvp: channels of the couplings' networks (default 128, 32)")
    ap.add_argument("--temperature", type=float, help="glow, realnvp: sampling temperature (default 1)")
    ap.add_argument("--ema-decay", type=float, help="glow, realnvp: decay of the weights' moving average that the test NLL and "
                    "the samples use (default 0.999; 0: the trained weights)")
    ap.add_argument("--eval-every", type=int, help="glow, realnvp, pixelcnn: also print the test NLL every N steps (default: only at the end); points: mode coverage")
    pixelcnn_only = {"gated": False, "output": "bernoulli", "filters": 32, "layers": 6}
    ap.add_argument("--gated", action="store_true", default=None, help="pixelcnn: Gated PixelCNN (vertical and horizontal "
                    "stacks, tanh·sigmoid gates, no blind spot) instead of the original")
    ap.add_argument("--output", choices=["bernoulli", "categorical"], help="pixelcnn: pixel distribution, bernoulli "
                    "(binarised images, default) or categorical (256 levels)")
    ap.add_argument("--filters", type=int, help="pixelcnn: channels h (the original's residual stream has 2h; default 32)")
    ap.add_argument("--layers", type=int, help="pixelcnn: layers after the first 7×7 one, residual blocks or gated layers (default 6)")
    translation_only = {"batch": ("pix2pix", "cyclegan", "points", "stylegan"), "ngf": ("pix2pix", "cyclegan"), "ndf": ("pix2pix", "cyclegan"),
                        "dataset": ("pix2pix", "points"), "direction": ("pix2pix",), "domain_a": ("cyclegan",), "domain_b": ("cyclegan",),
                        "cycle_weight_b": ("cyclegan",), "mirage": ("pix2pix", "cyclegan"), "data_cache": ("pix2pix", "cyclegan")}
    ap.add_argument("--batch", type=int, help="pix2pix, cyclegan: batch size (default 64); points: 100")
    ap.add_argument("--ngf", type=int, help="pix2pix, cyclegan: the generators' base width (default 64)")
    ap.add_argument("--ndf", type=int, help="pix2pix, cyclegan: the discriminators' base width (default 64)")
    ap.add_argument("--dataset", choices=["mnist-edges", "mnist-inverted", "mnist-thick", "mnist-colored", "ring8", "grid25"],
                    help="pix2pix: the paired dataset (default mnist-edges); points: the mixture (default grid25)")
    ap.add_argument("--pack", type=int, help="points: samples the discriminator judges at once (default 1)")
    ap.add_argument("--lr", type=float, help="points: learning rate of both Adam optimizers (default 1e-4)")
    ap.add_argument("--recipe", choices=["mirage", "published"], help="points: Mirage's recipe (default) or the published "
                    "code's (simultaneous updates, G per pack slot, N(0, 0.02), fixed 100,000 examples)")
    ap.add_argument("--direction", choices=["a-to-b", "b-to-a"], help="pix2pix: a-to-b (default: derived image → digit) or b-to-a")
    ap.add_argument("--mirage-order", action="store_true", help="pix2pix: visit the pairs in the order `mirage train pix2pix "
                    "--seed S` does (its DataLoader's shuffles), not torch's")
    ap.add_argument("--log-every", type=int, help="pix2pix: print the step's losses every N steps (default 250; "
                    "Mirage's metrics.jsonl has them every 50)")
    ap.add_argument("--init-from", help="pix2pix: start from the weights of this Mirage pix2pix checkpoint (its parameters; "
                    "running statistics start fresh)")
    ap.add_argument("--mirage-masks", action="store_true", help="pix2pix: draw the dropout masks as `mirage train pix2pix --seed S` "
                    "draws them (its PCG32 seeded S + 1), not from torch's generator")
    ap.add_argument("--domain-a", help="cyclegan: domain A, a Mirage dataset name (default mnist)")
    ap.add_argument("--domain-b", help="cyclegan: domain B, a Mirage dataset name (default mnist-colored: its coloured digits)")
    ap.add_argument("--cycle-weight-b", type=float, help="cyclegan: the weight of the B → A → B cycle loss (default 10, as A → B → A's)")
    ap.add_argument("--mirage", help="pix2pix, cyclegan: the mirage binary that exports the data (default ROOT/.build/release/mirage)")
    ap.add_argument("--data-cache", help="pix2pix, cyclegan: keep the exported .npy files here and reuse them until the binary "
                    "is newer (default: a temporary folder)")
    ap.add_argument("--r1", type=float, help="stylegan: γ of the lazy R1 penalty (default 1)")
    ap.add_argument("--path-length", type=float, help="stylegan: weight of the path-length penalty (default 2)")
    ap.add_argument("--weights", help="stylegan: also write the averaged generator here (.safetensors, Mirage's names)")
    ap.add_argument("--seed", type=int, default=0); ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args(); torch.set_num_threads(a.threads)
    translation = a.model in ("pix2pix", "cyclegan")
    a.out = a.out or (f"peer-{a.model}" if translation else f"peer-{a.model}.npy")
    a.steps = (5000 if a.model == "ddpm" else 2000 if translation else 10000 if a.model == "points" else 3000) if a.steps is None else a.steps
    if a.dataset is not None and (a.model == "points") != (a.dataset in ("ring8", "grid25")):
        ap.error("--dataset ring8 and grid25 are for points, the MNIST domains for pix2pix")
    for k in ("pack", "lr", "recipe"):
        if getattr(a, k) is not None and a.model != "points": ap.error(f"--{k} is for points")
    for k in ("r1", "path_length", "weights"):
        if getattr(a, k) is not None and a.model != "stylegan": ap.error(f"--{k.replace('_', '-')} is for stylegan")
    if a.model == "stylegan":
        a.batch, a.r1, a.path_length = a.batch or 32, 1.0 if a.r1 is None else a.r1, 2.0 if a.path_length is None else a.path_length
        if a.r1 < 0 or a.path_length < 0: ap.error("--r1 and --path-length must be at least 0")
    if a.model == "points":
        a.batch, a.dataset, a.pack, a.lr, a.recipe = a.batch or 100, a.dataset or "grid25", a.pack or 1, a.lr or 1e-4, a.recipe or "mirage"
    defaults = {"batch": 64, "ngf": 64, "ndf": 64, "dataset": "mnist-edges", "direction": "a-to-b", "domain_a": "mnist",
                "domain_b": "mnist-colored", "cycle_weight_b": 10.0, "mirage": str(ROOT / ".build/release/mirage"), "data_cache": None}
    for k, models in translation_only.items():
        if getattr(a, k) is not None and a.model not in models: ap.error(f"--{k.replace('_', '-')} is for {' and '.join(models)}")
        setattr(a, k, defaults[k] if getattr(a, k) is None else getattr(a, k))
    if translation and not (a.steps > 0 and a.batch > 0 and a.ngf > 0 and a.ndf > 0 and a.seed >= 0):
        ap.error(f"{a.model}: --steps, --batch, --ngf and --ndf must be positive, --seed at least 0")
    if a.sampler == "ddpm" and (a.sampling_steps is not None or a.eta is not None):
        ap.error("--sampling-steps and --eta are DDIM's; --sampler ddpm always takes all T steps")
    if a.curve and a.model not in ("wgan", "wgan-gp"): ap.error("--curve is for wgan and wgan-gp")
    for k in ("mirage_masks", "mirage_order", "init_from"):
        if getattr(a, k) and a.model != "pix2pix": ap.error(f"--{k.replace('_', '-')} is for pix2pix")
    if a.log_every is not None and a.model != "pix2pix": ap.error("--log-every is for pix2pix")
    a.log_every = 250 if a.log_every is None else a.log_every
    if a.log_every <= 0: ap.error("--log-every must be positive")
    shared = {"count", "bpd_count"}  # the flows' too: samples to write, test images for the NLL (default: all 10,000)
    also = {"glow": shared, "realnvp": shared, "pixelcnn": shared | {"conditional"}}
    for k, v in ddpm_only.items():
        if getattr(a, k) is not None and a.model != "ddpm" and k not in also.get(a.model, ()):
            ap.error(f"--{k.replace('_', '-')} is ddpm's" + (" and pixelcnn's" if k == "conditional" else ""))
        if k == "count" and a.model == "pixelcnn": v = 64
        setattr(a, k, v if getattr(a, k) is None else getattr(a, k))
    for k, v in pixelcnn_only.items():
        if getattr(a, k) is not None and a.model != "pixelcnn": ap.error(f"--{k} is pixelcnn's")
        setattr(a, k, v if getattr(a, k) is None else getattr(a, k))
    defaults = {"depth": 8, "scales": 2, "blocks": 1, "hidden": 128 if a.model == "glow" else 32, "temperature": 1.0, "ema_decay": 0.999, "eval_every": 0}
    for k, models in flow_only.items():
        if getattr(a, k) is not None and a.model not in models: ap.error(f"--{k.replace('_', '-')} is for {' and '.join(models)}")
        setattr(a, k, defaults[k] if getattr(a, k) is None else getattr(a, k))
    if a.model == "ddpm" and not (a.count > 0 and 1 <= a.sampling_steps <= 1000 and a.eta >= 0 and a.guidance >= 0
                                  and 0 <= a.bpd_count <= 10000 and a.bpd_samples > 0):
        ap.error("ddpm: --count, --sampling-steps (up to T = 1000) and --bpd-samples must be positive, --eta, --guidance "
                 "and --bpd-count (up to 10,000) at least 0")
    if a.model == "pixelcnn" and not (a.steps > 0 and a.count > 0 and 0 <= a.bpd_count <= 10000 and a.eval_every >= 0
                                      and 1 <= a.filters <= 1024 and 0 <= a.layers <= 64):
        ap.error("pixelcnn: --steps and --count must be positive, --bpd-count in 0...10000 (0: all), --eval-every at least 0, "
                 "--filters in 1...1024, --layers in 0...64")
    runs[a.model](a)
