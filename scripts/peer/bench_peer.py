"""PyTorch peer of `mirage bench`: times one training step of a benchmark model.

The architectures, losses, optimizers and batch size (64) are those of the reference
shared/reference/torch_models.py (see shared/BENCHMARKS.md); this file rebuilds them so that
the repository carries its own peer. `mirage bench --peer PYTHON` runs it once per model, in a
fresh process, and reads the one JSON line it prints:

    {"model": ..., "ms_per_step": <median>, "mean_ms_per_step": ..., "steps": ..., "peak_rss_mb": ...}

Beyond the reference's models, the peers of Mirage's newer GAN kinds, each one training step as
`mirage train` defines it on the same networks, initialisation, losses and optimizers: wgan
(weight clipping 0.01, RMSprop 5e-5, one critic update and one generator update, like wgan_gp),
cgan, infogan (D, G and information updates) and lapgan (every level's D and G once). And
ddpm_ddim50_sample, the peer of Mirage's diffusion sampling: one "step" draws 64 images by DDIM
(50 steps, η = 0, x̂₀ clipped to [-1, 1]) through ddpm_unet's TimeUNet (width 32, random weights),
without gradients; like dcgan_sample_1024 it is timed steps/5 times (at least 3). ddpm is `mirage train
ddpm`'s step on its default ResidualUNet (train_peer.py's): ε-prediction MSE, Adam 2e-4, gradients clipped
to norm 1, the EMA update. glow is `mirage train glow`'s step (train_peer.py's MultiScaleFlow).
pixelcnn is `mirage train pixelcnn`'s step on its default network (train_peer.py's PixelCNNNetwork: 7×7
mask A, 6 residual blocks with 3×3 mask B, h = 32, Bernoulli pixels): the batch binarised as x > 0, the
exact NLL, Adam 1e-3, gradients clipped to norm 100. pixelcnn_sample_64 draws 64 binary images with that
network (random weights) pixel by pixel, one row of every layer a pixel with the rows above kept from
earlier passes (train_peer.py's pixelcnn_sample, as Mirage's RowSampler), without gradients; timed steps/5 times (at least 3), as the other samplers.
stylegan and stylegan_regularised are `mirage train stylegan`'s step 1 and step 0 (the latter with lazy R1
and path-length regularisation) on train_peer.py's StyleGAN2, the batch padded to 32×32.

The image-to-image translation models, one full training step each with train_peer.py's networks
and steps (random inputs in [-1, 1], seeded): pix2pix (U-Net G and PatchGAN D with BatchNorm, D then
G with GAN + 100·L1; batch 64, 1×28×28 → 1×28×28, ngf = ndf = 64, 4 U-Net levels, 2 PatchGAN layers),
pix2pix_256 (batch 1, 3×256×256 → 3×256×256, 8 U-Net levels, 3 PatchGAN layers), cyclegan (G_AB, G_BA,
D_A, D_B with InstanceNorm, least squares, cycle 10·L1, image pools of 50; batch 64, A 1×28×28,
B 3×28×28, U-Net generators, 2 PatchGAN layers, no identity loss as the channels differ) and
cyclegan_256 (batch 1, 3×256×256 both ways, ResNet generators with 9 blocks, 3 PatchGAN layers,
identity loss 5·L1).

Run by hand:  python scripts/peer/bench_peer.py dcgan --steps 30 --threads 2
Needs only torch. Not part of Mirage itself, which never depends on Python.
"""
import argparse
import json
import math
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

B = 64


class MLPGenerator(nn.Sequential):
    def __init__(self):
        super().__init__(nn.Linear(100, 256), nn.LeakyReLU(0.2), nn.Linear(256, 512), nn.LeakyReLU(0.2),
                         nn.Linear(512, 1024), nn.LeakyReLU(0.2), nn.Linear(1024, 784), nn.Tanh())


class MLPDiscriminator(nn.Sequential):
    def __init__(self):
        super().__init__(nn.Linear(784, 512), nn.LeakyReLU(0.2), nn.Linear(512, 256), nn.LeakyReLU(0.2),
                         nn.Linear(256, 1))


class DCGANGenerator(nn.Module):
    def __init__(self, noise=100):
        super().__init__()
        self.fc = nn.Linear(noise, 128 * 7 * 7)
        self.bn0 = nn.BatchNorm1d(128 * 7 * 7)
        self.up1 = nn.ConvTranspose2d(128, 64, 4, 2, 1)
        self.bn1 = nn.BatchNorm2d(64)
        self.up2 = nn.ConvTranspose2d(64, 1, 4, 2, 1)

    def forward(self, z):
        h = F.relu(self.bn0(self.fc(z))).view(-1, 128, 7, 7)
        return torch.tanh(self.up2(F.relu(self.bn1(self.up1(h)))))


class DCGANDiscriminator(nn.Module):
    def __init__(self, batch_norm=True, channels=1):
        super().__init__()
        self.c1 = nn.Conv2d(channels, 64, 4, 2, 1)
        self.c2 = nn.Conv2d(64, 128, 4, 2, 1)
        self.bn2 = nn.BatchNorm2d(128) if batch_norm else nn.Identity()
        self.fc = nn.Linear(128 * 7 * 7, 1)

    def body(self, x):
        h = F.leaky_relu(self.c1(x), 0.2)
        return F.leaky_relu(self.bn2(self.c2(h)), 0.2).flatten(1)

    def forward(self, x):
        return self.fc(self.body(x))


class InfoGANDiscriminator(DCGANDiscriminator):
    """The DCGAN discriminator plus InfoGAN's Q head: 6272-128 (BN, LeakyReLU 0.2)-12 code predictions."""
    def __init__(self):
        super().__init__()
        self.q1 = nn.Linear(128 * 7 * 7, 128)
        self.qbn = nn.BatchNorm1d(128)
        self.q2 = nn.Linear(128, 12)

    def with_codes(self, x):
        h = self.body(x)
        return self.fc(h), self.q2(F.leaky_relu(self.qbn(self.q1(h)), 0.2))


class CoarseGenerator(nn.Module):
    """LAPGAN's 7×7 level: fc → 64×7×7 (BN, ReLU) → 3×3 conv 64 (BN, ReLU) → 3×3 conv 1, tanh."""
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(100, 64 * 7 * 7)
        self.bn0 = nn.BatchNorm1d(64 * 7 * 7)
        self.conv1 = nn.Conv2d(64, 64, 3, 1, 1)
        self.bn1 = nn.BatchNorm2d(64)
        self.conv2 = nn.Conv2d(64, 1, 3, 1, 1)

    def forward(self, z):
        h = F.relu(self.bn0(self.fc(z))).view(-1, 64, 7, 7)
        return torch.tanh(self.conv2(F.relu(self.bn1(self.conv1(h)))))


class BandGenerator(nn.Module):
    """A finer LAPGAN level: [upsampled coarser image, noise plane] → 3×3 conv 32 twice (BN, ReLU) → 3×3 conv 1."""
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(2, 32, 3, 1, 1)
        self.bn1 = nn.BatchNorm2d(32)
        self.conv2 = nn.Conv2d(32, 32, 3, 1, 1)
        self.bn2 = nn.BatchNorm2d(32)
        self.conv3 = nn.Conv2d(32, 1, 3, 1, 1)

    def forward(self, up, plane):
        h = F.relu(self.bn1(self.conv1(torch.cat([up, plane], 1))))
        return self.conv3(F.relu(self.bn2(self.conv2(h))))


class PyramidDiscriminator(nn.Module):
    """A LAPGAN level's D: 4×4/2 conv w → 4×4/2 conv 2w (BN) → fc; a finer level's input is [image, upsampled coarser]."""
    def __init__(self, channels, size, width):
        super().__init__()
        out = ((size - 2) // 2 + 1 - 2) // 2 + 1
        self.c1 = nn.Conv2d(channels, width, 4, 2, 1)
        self.c2 = nn.Conv2d(width, 2 * width, 4, 2, 1)
        self.bn2 = nn.BatchNorm2d(2 * width)
        self.fc = nn.Linear(2 * width * out * out, 1)

    def forward(self, x, condition=None):
        x = x if condition is None else torch.cat([x, condition], 1)
        return self.fc(F.leaky_relu(self.bn2(self.c2(F.leaky_relu(self.c1(x), 0.2))), 0.2).flatten(1))


def dcgan_init(m):
    """Mirage's dcganInitialize: conv and linear weights N(0, 0.02), batch-norm scales N(1, 0.02), biases 0."""
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(m.weight, 0, 0.02)
        nn.init.zeros_(m.bias)
    elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
        nn.init.normal_(m.weight, 1, 0.02)
        nn.init.zeros_(m.bias)


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.e = nn.Linear(784, 400)
        self.mu = nn.Linear(400, 20)
        self.lv = nn.Linear(400, 20)
        self.d1 = nn.Linear(20, 400)
        self.d2 = nn.Linear(400, 784)

    def forward(self, x):
        h = F.relu(self.e(x))
        mu, lv = self.mu(h), self.lv(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * lv)
        return self.d2(F.relu(self.d1(z))), mu, lv


class TimeUNet(nn.Module):
    def __init__(self, ch=32):
        super().__init__()
        self.ch = ch
        self.t1 = nn.Linear(ch, ch * 4)
        self.t2 = nn.Linear(ch * 4, ch * 4)
        self.inc = nn.Conv2d(1, ch, 3, 1, 1)
        self.d1 = nn.Conv2d(ch, ch * 2, 4, 2, 1)
        self.d2 = nn.Conv2d(ch * 2, ch * 4, 4, 2, 1)
        self.mid = nn.Conv2d(ch * 4, ch * 4, 3, 1, 1)
        self.u2 = nn.ConvTranspose2d(ch * 4, ch * 2, 4, 2, 1)
        self.u1 = nn.ConvTranspose2d(ch * 4, ch, 4, 2, 1)
        self.out = nn.Conv2d(ch * 2, 1, 3, 1, 1)
        self.tp = nn.Linear(ch * 4, ch * 4)
        self.gn = nn.ModuleList(nn.GroupNorm(8, c) for c in (ch, ch * 2, ch * 4, ch * 4, ch * 2, ch))

    def embed(self, t):
        half = self.ch // 2
        freqs = torch.exp(-torch.arange(half, dtype=torch.float32) * (math.log(10000.0) / half))
        angles = t.float()[:, None] * freqs[None]
        return torch.cat([angles.sin(), angles.cos()], 1)

    def forward(self, x, t):
        e = self.t2(F.silu(self.t1(self.embed(t))))
        h0 = F.silu(self.gn[0](self.inc(x)))
        h1 = F.silu(self.gn[1](self.d1(h0)))
        h2 = F.silu(self.gn[2](self.d2(h1)))
        m = F.silu(self.gn[3](self.mid(h2 + self.tp(e)[:, :, None, None])))
        u2 = F.silu(self.gn[4](self.u2(m)))
        u1 = F.silu(self.gn[5](self.u1(torch.cat([u2, h1], 1))))
        return self.out(torch.cat([u1, h0], 1))


class AffineCoupling(nn.Module):
    def __init__(self, d=784, h=512, parity=0):
        super().__init__()
        mask = torch.zeros(d)
        mask[parity::2] = 1
        self.register_buffer("m", mask)
        self.net = nn.Sequential(nn.Linear(d, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU(), nn.Linear(h, 2 * d))

    def forward(self, x):
        s, t = self.net(x * self.m).chunk(2, 1)
        s = torch.tanh(s) * (1 - self.m)
        t = t * (1 - self.m)
        return x * torch.exp(s) + t, s.sum(1)


def make_step(name, x):
    """Builds the model(s) of `name` and returns a function running one step."""
    xf = x.view(B, 784)
    if name in ("mlp_gan", "dcgan"):
        G, D = (MLPGenerator(), MLPDiscriminator()) if name == "mlp_gan" else (DCGANGenerator(), DCGANDiscriminator())
        real = xf if name == "mlp_gan" else x
        oG = torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999))
        oD = torch.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.999))
        ones, zeros = torch.ones(B, 1), torch.zeros(B, 1)

        def step():
            fake = G(torch.randn(B, 100))
            lD = F.binary_cross_entropy_with_logits(D(real), ones) + \
                F.binary_cross_entropy_with_logits(D(fake.detach()), zeros)
            oD.zero_grad(); lD.backward(); oD.step()
            lG = F.binary_cross_entropy_with_logits(D(fake), ones)
            oG.zero_grad(); lG.backward(); oG.step()
        return step
    if name == "wgan_gp":
        G, D = DCGANGenerator(), DCGANDiscriminator(batch_norm=False)
        oG = torch.optim.Adam(G.parameters(), 1e-4, betas=(0.0, 0.9))
        oD = torch.optim.Adam(D.parameters(), 1e-4, betas=(0.0, 0.9))

        def step():
            fake = G(torch.randn(B, 100)).detach()
            eps = torch.rand(B, 1, 1, 1)
            mixed = (eps * x + (1 - eps) * fake).requires_grad_(True)
            g, = torch.autograd.grad(D(mixed).sum(), mixed, create_graph=True)
            penalty = ((g.flatten(1).norm(dim=1) - 1) ** 2).mean()
            lD = D(fake).mean() - D(x).mean() + 10 * penalty
            oD.zero_grad(); lD.backward(); oD.step()
            lG = -D(G(torch.randn(B, 100))).mean()
            oG.zero_grad(); lG.backward(); oG.step()
        return step
    if name == "wgan":
        # Mirage's WGAN with weight clipping as wgan_gp is timed: one critic update, one generator
        # update. As WGAN.swift: fakes drawn without a graph, the critic frozen for G's update.
        G, D = DCGANGenerator(), DCGANDiscriminator()
        G.apply(dcgan_init)
        D.apply(dcgan_init)
        oG = torch.optim.RMSprop(G.parameters(), 5e-5)  # alpha 0.99, eps 1e-8: Mirage's defaults
        oD = torch.optim.RMSprop(D.parameters(), 5e-5)

        def step():
            with torch.no_grad():
                fake = G(torch.randn(B, 100))
            lD = D(fake).mean() - D(x).mean()
            oD.zero_grad(); lD.backward(); oD.step()
            with torch.no_grad():
                for p in D.parameters():
                    p.clamp_(-0.01, 0.01)
            D.requires_grad_(False)
            lG = -D(G(torch.randn(B, 100))).mean()
            oG.zero_grad(); lG.backward(); oG.step()
            D.requires_grad_(True)
        return step
    if name == "cgan":
        G, D = DCGANGenerator(noise=110), DCGANDiscriminator(channels=11)
        G.apply(dcgan_init)
        D.apply(dcgan_init)
        oG = torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999))
        oD = torch.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.999))
        ones, zeros = torch.ones(B, 1), torch.zeros(B, 1)
        labels = torch.randint(0, 10, (B,))

        def disc(images, y):  # one constant label map per class stacked on the image's channels
            return D(torch.cat([images, F.one_hot(y, 10).float()[:, :, None, None].expand(-1, -1, 28, 28)], 1))

        def step():
            yf = torch.randint(0, 10, (B,))
            fake = G(torch.cat([torch.randn(B, 100), F.one_hot(yf, 10).float()], 1))
            lD = F.binary_cross_entropy_with_logits(disc(x, labels), ones) + \
                F.binary_cross_entropy_with_logits(disc(fake.detach(), yf), zeros)
            oD.zero_grad(); lD.backward(); oD.step()
            D.requires_grad_(False)
            lG = F.binary_cross_entropy_with_logits(disc(fake, yf), ones)
            oG.zero_grad(); lG.backward(); oG.step()
            D.requires_grad_(True)
        return step
    if name == "infogan":
        G, D = DCGANGenerator(noise=74), InfoGANDiscriminator()
        G.apply(dcgan_init)
        D.apply(dcgan_init)
        oG = torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999))
        oD = torch.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.999))
        oI = torch.optim.Adam(list(G.parameters()) + list(D.parameters()), 2e-4, betas=(0.5, 0.999))
        ones, zeros = torch.ones(B, 1), torch.zeros(B, 1)

        def draw():  # 62 noise, a 10-way categorical code (one-hot), 2 continuous codes U(-1, 1)
            c, u = torch.randint(0, 10, (B,)), torch.rand(B, 2) * 2 - 1
            return torch.cat([torch.randn(B, 62), F.one_hot(c, 10).float(), u], 1), c, u

        def step():
            fake = G(draw()[0])
            lD = F.binary_cross_entropy_with_logits(D(x), ones) + \
                F.binary_cross_entropy_with_logits(D(fake.detach()), zeros)
            oD.zero_grad(); lD.backward(); oD.step()
            D.requires_grad_(False)
            lG = F.binary_cross_entropy_with_logits(D(fake), ones)
            oG.zero_grad(); lG.backward(); oG.step()
            D.requires_grad_(True)
            z, c, u = draw()
            q = D.with_codes(G(z))[1]
            lI = F.cross_entropy(q[:, :10], c) + 0.1 * F.mse_loss(q[:, 10:], u)
            oI.zero_grad(); lI.backward(); oI.step(); oI.zero_grad()
        return step
    if name == "lapgan":
        Gs = nn.ModuleList([CoarseGenerator(), BandGenerator(), BandGenerator()])
        Ds = nn.ModuleList([PyramidDiscriminator(1, 7, 64), PyramidDiscriminator(2, 14, 32), PyramidDiscriminator(2, 28, 32)])
        Gs.apply(dcgan_init)
        Ds.apply(dcgan_init)
        oG = torch.optim.Adam(Gs.parameters(), 2e-4, betas=(0.5, 0.999))
        oD = torch.optim.Adam(Ds.parameters(), 2e-4, betas=(0.5, 0.999))
        ones, zeros = torch.ones(B, 1), torch.zeros(B, 1)

        def step():
            half = F.avg_pool2d(x, 2)
            real = [F.avg_pool2d(half, 2), half, x]  # the pyramid: 7×7, 14×14, 28×28
            fakes, conds = [Gs[0](torch.randn(B, 100))], [None]
            for k in (1, 2):  # each finer level on the real coarser image, upsampled
                up = F.interpolate(real[k - 1], scale_factor=2, mode="nearest")
                fakes.append(up + Gs[k](up, torch.randn(B, 1, up.shape[2], up.shape[3])))
                conds.append(up)
            lD = sum(F.binary_cross_entropy_with_logits(d(r, c), ones) + F.binary_cross_entropy_with_logits(d(f.detach(), c), zeros)
                     for d, r, f, c in zip(Ds, real, fakes, conds))
            oD.zero_grad(); lD.backward(); oD.step()
            Ds.requires_grad_(False)
            lG = sum(F.binary_cross_entropy_with_logits(d(f, c), ones) for d, f, c in zip(Ds, fakes, conds))
            oG.zero_grad(); lG.backward(); oG.step()
            Ds.requires_grad_(True)
        return step
    if name == "vae":
        V = VAE()
        opt = torch.optim.Adam(V.parameters(), 1e-3)
        xb = (xf > 0).float()

        def step():
            logits, mu, lv = V(xb)
            rec = F.binary_cross_entropy_with_logits(logits, xb, reduction="sum")
            kl = -0.5 * torch.sum(1 + lv - mu.pow(2) - lv.exp())
            loss = (rec + kl) / B
            opt.zero_grad(); loss.backward(); opt.step()
        return step
    if name in ("ddpm_unet", "ddpm"):
        alpha_bar = torch.cumprod(1 - torch.linspace(1e-4, 0.02, 1000), 0)

        def noise_prediction_loss(U):  # the simple ε-MSE at uniformly drawn timesteps
            t = torch.randint(0, 1000, (B,))
            noise = torch.randn_like(x)
            ab = alpha_bar[t][:, None, None, None]
            return F.mse_loss(U(ab.sqrt() * x + (1 - ab).sqrt() * noise, t), noise)
    if name == "ddpm_unet":
        U = TimeUNet()
        opt = torch.optim.Adam(U.parameters(), 2e-4)

        def step():
            loss = noise_prediction_loss(U)
            opt.zero_grad(); loss.backward(); opt.step()
        return step
    if name == "ddpm":  # DDPM.trainStep with the default ResidualUNet, as train_peer.py's ddpm loop
        import copy
        import sys
        import pathlib
        sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
        from train_peer import ResidualUNet
        U = ResidualUNet(); E = copy.deepcopy(U).requires_grad_(False)
        opt = torch.optim.Adam(U.parameters(), 2e-4)

        def step():
            loss = noise_prediction_loss(U)
            opt.zero_grad(); loss.backward(); nn.utils.clip_grad_norm_(U.parameters(), 1.0); opt.step()
            with torch.no_grad():
                for pe, p in zip(E.parameters(), U.parameters()): pe.mul_(0.9999).add_(p, alpha=1e-4)
        return step
    if name == "glow":  # Glow.trainStep, as train_peer.py's glow loop (dequantisation, warm-up, clipping at 50)
        import sys
        import pathlib
        sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
        from train_peer import MultiScaleFlow, dequantize
        flow = MultiScaleFlow()
        opt = torch.optim.Adam(flow.parameters(), 1e-3)
        images, count = (x + 1) / 2, [0]

        def step():
            count[0] += 1
            loss = ((-flow(dequantize(images)) / 784 + math.log(256)) / math.log(2)).mean()
            opt.zero_grad(); loss.backward(); nn.utils.clip_grad_norm_(flow.parameters(), 50.0)
            for group in opt.param_groups: group["lr"] = 1e-3 * min(1.0, count[0] / 200)
            opt.step()
        return step
    if name in ("pixelcnn", "pixelcnn_sample_64"):  # PixelCNN.trainStep and PixelCNN.sample, as train_peer.py's pixelcnn
        import sys
        import pathlib
        sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
        from train_peer import pixelcnn_network, pixelcnn_nll, pixelcnn_sample
        net = pixelcnn_network()  # plain, h = 32, 6 blocks, Bernoulli
        if name == "pixelcnn_sample_64":
            net.eval()

            def step():
                pixelcnn_sample(net, B)
            return step
        opt = torch.optim.Adam(net.parameters(), 1e-3)
        xb = (x > 0).float()

        def step():
            loss = pixelcnn_nll(net, xb).mean()
            opt.zero_grad(); loss.backward(); nn.utils.clip_grad_norm_(net.parameters(), 100.0); opt.step()
        return step
    if name == "realnvp":
        flow = nn.ModuleList(AffineCoupling(parity=i % 2) for i in range(6))
        opt = torch.optim.Adam(flow.parameters(), 1e-3)
        data = (xf + 1) / 2
        log_2pi = math.log(2 * math.pi)

        def step():
            h, logdet = data, torch.zeros(B)
            for c in flow:
                h, ld = c(h)
                logdet = logdet + ld
            nll = (0.5 * h.pow(2).sum(1) + 0.5 * 784 * log_2pi - logdet).mean()
            opt.zero_grad(); nll.backward(); opt.step()
        return step
    if name in ("pix2pix", "pix2pix_256", "cyclegan", "cyclegan_256"):
        # Pix2Pix.trainStep and CycleGAN.trainStep, as train_peer.py's pix2pix and cyclegan loops
        import sys
        import pathlib
        sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
        from train_peer import Pix2Pix, CycleGAN
        side, n = (256, 1) if name.endswith("_256") else (28, B)
        ca, cb = (3, 3) if side == 256 else (1, 1) if name == "pix2pix" else (1, 3)
        a = x if side == 28 else torch.rand(n, ca, side, side) * 2 - 1
        b = torch.rand(n, cb, side, side) * 2 - 1
        model = Pix2Pix(ca, cb, side, side) if name.startswith("pix2pix") else CycleGAN(ca, cb, side, side)

        def step():
            model.step(a, b)
        return step
    if name == "ddpm_ddim50_sample":
        # ModelBenchmark.ddpmDDIM50Sample: DiffusionSampler.ddim(steps: 50, eta: 0) on NoiseSchedule.linear(),
        # ᾱ accumulated in double; indices spread evenly over 999 … 0, both ends included.
        U = TimeUNet().eval()
        betas = torch.linspace(1e-4, 0.02, 1000, dtype=torch.float64).float().double()
        alpha_bar = torch.cumprod(1 - betas, 0).float().tolist()
        path = [int(math.floor(999 * (49 - k) / 49 + 0.5)) for k in range(50)]

        def step():
            with torch.no_grad():
                xt = torch.randn(B, 1, 28, 28)
                for k, i in enumerate(path):
                    eps = U(xt, torch.full((B,), i))
                    ab, target = alpha_bar[i], alpha_bar[path[k + 1]] if k + 1 < len(path) else 1.0
                    x0 = ((xt - eps * math.sqrt(1 - ab)) / math.sqrt(ab)).clamp(-1, 1)
                    implied = (xt - x0 * math.sqrt(ab)) / math.sqrt(1 - ab)
                    xt = x0 * math.sqrt(target) + implied * math.sqrt(1 - target)  # η = 0: σ = 0, no noise
        return step
    if name in ("stylegan", "stylegan_regularised"):
        # StyleGAN.trainStep at step 1 (D and G logistic losses) or step 0 (also lazy R1 and the path length),
        # train_peer.py's StyleGAN2 with the defaults of `mirage train stylegan`; the batch padded to 32×32.
        import sys
        import pathlib
        sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
        from train_peer import StyleGAN2
        model = StyleGAN2()
        real = F.pad(x, (2, 2, 2, 2), value=-1)
        index = 1 if name == "stylegan" else 0

        def step():
            model.step(real, index)
        return step
    if name == "dcgan_sample_1024":
        G = DCGANGenerator().eval()

        def step():
            with torch.no_grad():
                G(torch.randn(1024, 100))
        return step
    raise SystemExit(f"bench_peer.py: unknown model {name!r}")


def timed_steps(name, steps):
    """The reference's repetition counts: 3x for the MLP GAN, 5x for the VAE, steps/5 for sampling and for the
    256-pixel translation steps (seconds each), as ModelBenchmark.timedSteps."""
    return {"mlp_gan": steps * 3, "vae": steps * 5, "dcgan_sample_1024": max(3, steps // 5),
            "ddpm_ddim50_sample": max(3, steps // 5), "pixelcnn_sample_64": max(3, steps // 5), "pix2pix_256": max(3, steps // 5),
            "cyclegan_256": max(3, steps // 5), "stylegan_regularised": max(3, steps // 5)}.get(name, steps)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model")
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=3)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    x = torch.rand(B, 1, 28, 28) * 2 - 1
    step = make_step(a.model, x)
    for _ in range(a.warmup):
        step()
    n = timed_steps(a.model, a.steps)
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1e3)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The median, as `mirage bench` reports: robust to a step descheduled on a shared machine.
    print(json.dumps({"model": a.model, "ms_per_step": statistics.median(times),
                      "mean_ms_per_step": statistics.fmean(times), "steps": n, "peak_rss_mb": peak_mb,
                      "torch": torch.__version__, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
