"""Reference values for Tests/MirageEvalTests, computed with NumPy and SciPy.

Dev-only: the project never runs Python. Needs NumPy and SciPy, e.g.
    python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install numpy scipy
    /tmp/torchenv/bin/python scripts/make_eval_fixtures.py

Writes Tests/MirageEvalTests/Fixtures/:
  linalg.json       symmetric matrices with their numpy.linalg.eigh eigenvalues; SPD matrices
                    with scipy.linalg.sqrtm, and a rank-deficient PSD one with its square root
                    through numpy.linalg.eigh (sqrtm loses digits on singular matrices)
  frechet.json      Gaussian pairs (mean, covariance) with the Frechet distance computed the way
                    pytorch-fid does (scipy.linalg.sqrtm of sigma1 @ sigma2) and, for every pair,
                    through numpy.linalg.eigh of sqrt(S1) S2 sqrt(S1)
  divergences.json  discrete KL (scipy.stats.entropy), Jensen-Shannon (the square of
                    scipy.spatial.distance.jensenshannon, which returns the JS distance),
                    1-D Wasserstein (scipy.stats.wasserstein_distance), Gaussian KL (closed form
                    in NumPy), unbiased RBF MMD^2 (a plain NumPy double loop)

Every random draw comes from numpy.random.default_rng with a fixed seed, so reruns write the same
files.
"""
import json
import warnings
import pathlib

import numpy as np
import scipy
import scipy.linalg
import scipy.spatial.distance
import scipy.stats

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests/MirageEvalTests/Fixtures"


def mat(a):
    return [[float(v) for v in row] for row in np.asarray(a)]


def vec(a):
    return [float(v) for v in np.asarray(a).reshape(-1)]


def random_spd(rng, n, condition=1e3):
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    eigenvalues = np.geomspace(1.0, condition, n) / condition * 5.0
    return (q * eigenvalues) @ q.T


def covariance_of_samples(rng, n, samples, shift=0.0, scale=1.0):
    mixing = rng.standard_normal((n, n)) / np.sqrt(n)
    x = rng.standard_normal((samples, n)) @ mixing * scale + shift
    return x.mean(axis=0), np.cov(x, rowvar=False)


def frechet_pytorch_fid(mu1, sigma1, mu2, sigma2, eps=1e-6):
    """pytorch_fid.fid_score.calculate_frechet_distance, verbatim in substance."""
    diff = mu1 - mu2
    with warnings.catch_warnings():  # pytorch-fid passes disp=False, which SciPy 1.16 deprecates
        warnings.simplefilter("ignore", DeprecationWarning)
        covmean, _ = scipy.linalg.sqrtm(sigma1.dot(sigma2), disp=False)
    if not np.isfinite(covmean).all():
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = scipy.linalg.sqrtm((sigma1 + offset).dot(sigma2 + offset))
    if np.iscomplexobj(covmean):
        covmean = covmean.real
    return float(diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean))


def frechet_eigh(mu1, sigma1, mu2, sigma2):
    w, v = np.linalg.eigh(sigma1)
    root1 = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    m = root1 @ sigma2 @ root1
    lam = np.clip(np.linalg.eigvalsh((m + m.T) / 2), 0, None)
    diff = mu1 - mu2
    return float(diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * np.sqrt(lam).sum())


def linalg_fixtures(rng):
    symmetric = []
    for n in (1, 2, 5, 16, 64):
        a = rng.standard_normal((n, n))
        a = (a + a.T) / 2
        symmetric.append({"name": f"symmetric_{n}", "matrix": mat(a), "eigenvalues": vec(np.linalg.eigh(a)[0])})
    # Repeated eigenvalues: Q diag(1, 1, 1, 2, 2, 3) Q^T.
    q, _ = np.linalg.qr(rng.standard_normal((6, 6)))
    a = (q * np.array([1.0, 1.0, 1.0, 2.0, 2.0, 3.0])) @ q.T
    a = (a + a.T) / 2
    symmetric.append({"name": "repeated_6", "matrix": mat(a), "eigenvalues": vec(np.linalg.eigh(a)[0])})

    roots = []
    for n in (3, 16, 64):
        a = random_spd(rng, n)
        roots.append({"name": f"spd_{n}", "matrix": mat(a), "sqrtm": mat(scipy.linalg.sqrtm(a).real)})
    # Rank 3 in 8 dimensions: sqrtm is still defined; tiny negative eigenvalues from rounding are clamped.
    b = rng.standard_normal((8, 3))
    a = b @ b.T
    w, v = np.linalg.eigh(a)
    exact = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    roots.append({"name": "psd_rank3_8", "matrix": mat(a), "sqrtm": mat(exact)})
    return {"scipy": scipy.__version__, "numpy": np.__version__, "symmetric": symmetric, "roots": roots}


def frechet_fixtures(rng):
    cases = []
    for name, n, samples, shift, scale in [("full_rank_8", 8, 500, 0.3, 1.0), ("full_rank_32", 32, 2000, -0.5, 1.3),
                                           ("full_rank_64", 64, 4000, 0.1, 0.9),
                                           ("same_distribution_16", 16, 3000, 0.0, 1.0)]:
        mu1, s1 = covariance_of_samples(rng, n, samples)
        mu2, s2 = covariance_of_samples(rng, n, samples, shift=shift, scale=scale)
        cases.append({"name": name, "mu1": vec(mu1), "sigma1": mat(s1), "mu2": vec(mu2), "sigma2": mat(s2),
                      "pytorch_fid": frechet_pytorch_fid(mu1, s1, mu2, s2), "eigh": frechet_eigh(mu1, s1, mu2, s2)})
    # Fewer samples than dimensions: both covariances are singular.
    mu1, s1 = covariance_of_samples(rng, 24, 10)
    mu2, s2 = covariance_of_samples(rng, 24, 12, shift=0.2)
    cases.append({"name": "singular_24", "mu1": vec(mu1), "sigma1": mat(s1), "mu2": vec(mu2), "sigma2": mat(s2),
                  "pytorch_fid": frechet_pytorch_fid(mu1, s1, mu2, s2), "eigh": frechet_eigh(mu1, s1, mu2, s2)})
    return {"cases": cases}


def js_divergence(p, q):
    return float(scipy.spatial.distance.jensenshannon(p, q) ** 2)


def rbf_mmd2_unbiased(x, y, bandwidth):
    def k(a, b):
        return np.exp(-((a - b) ** 2).sum() / (2 * bandwidth ** 2))
    m, n = len(x), len(y)
    kxx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    kyy = sum(k(y[i], y[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    kxy = sum(k(x[i], y[j]) for i in range(m) for j in range(n)) / (m * n)
    return float(kxx + kyy - 2 * kxy)


def median_pairwise_distance(z):
    d = [np.sqrt(((z[i] - z[j]) ** 2).sum()) for i in range(len(z)) for j in range(i + 1, len(z))]
    return float(np.median(d))


def divergence_fixtures(rng):
    discrete = []
    pairs = [("dirichlet_10", rng.dirichlet(np.ones(10)), rng.dirichlet(np.ones(10))),
             ("zero_in_p", np.array([0.5, 0.5, 0.0]), np.array([0.2, 0.3, 0.5])),
             ("zero_in_q", np.array([0.2, 0.3, 0.5]), np.array([0.5, 0.5, 0.0])),
             ("disjoint", np.array([0.5, 0.5, 0.0, 0.0]), np.array([0.0, 0.0, 0.3, 0.7])),
             ("unnormalised", np.array([1.0, 2.0, 3.0]), np.array([3.0, 3.0, 1.0])),
             ("equal", np.array([0.1, 0.2, 0.7]), np.array([0.1, 0.2, 0.7]))]
    for name, p, q in pairs:
        kl = float(scipy.stats.entropy(p, q))
        discrete.append({"name": name, "p": vec(p), "q": vec(q), "kl": kl if np.isfinite(kl) else "inf",
                         "js": js_divergence(p, q)})

    wasserstein = []
    for name, m, n in [("equal_sizes", 200, 200), ("unequal_sizes", 137, 311), ("tiny", 1, 3)]:
        u = rng.standard_normal(m)
        v = rng.standard_normal(n) * 1.7 + 0.4
        wasserstein.append({"name": name, "u": vec(u), "v": vec(v), "distance": float(scipy.stats.wasserstein_distance(u, v))})
    ties = np.array([0.0, 0.0, 1.0, 1.0, 1.0, 3.0])
    wasserstein.append({"name": "ties", "u": vec(ties), "v": vec(np.array([1.0, 2.0])),
                        "distance": float(scipy.stats.wasserstein_distance(ties, [1.0, 2.0]))})

    gaussian_kl = []
    for n in (1, 3, 7):
        mu1, mu2 = rng.standard_normal(n), rng.standard_normal(n)
        s1, s2 = random_spd(rng, n, 10.0), random_spd(rng, n, 10.0)
        s2inv = np.linalg.inv(s2)
        d = mu2 - mu1
        kl = 0.5 * (np.trace(s2inv @ s1) + d @ s2inv @ d - n + np.linalg.slogdet(s2)[1] - np.linalg.slogdet(s1)[1])
        gaussian_kl.append({"name": f"full_{n}", "mu1": vec(mu1), "sigma1": mat(s1), "mu2": vec(mu2), "sigma2": mat(s2),
                            "kl": float(kl)})

    mmd = []
    for name, m, n, shift in [("same", 40, 50, 0.0), ("shifted", 40, 30, 1.0)]:
        x = rng.standard_normal((m, 3))
        y = rng.standard_normal((n, 3)) + shift
        for bandwidth in (0.5, 2.0):
            mmd.append({"name": f"{name}_bw{bandwidth}", "x": mat(x), "y": mat(y), "bandwidth": bandwidth,
                        "mmd2": rbf_mmd2_unbiased(x, y, bandwidth)})
        mmd.append({"name": f"{name}_median", "x": mat(x), "y": mat(y),
                    "median_bandwidth": median_pairwise_distance(np.concatenate([x, y])),
                    "mmd2": rbf_mmd2_unbiased(x, y, median_pairwise_distance(np.concatenate([x, y])))})
    return {"discrete": discrete, "wasserstein1d": wasserstein, "gaussian_kl": gaussian_kl, "mmd": mmd}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20240606)
    for name, data in [("linalg.json", linalg_fixtures(rng)), ("frechet.json", frechet_fixtures(rng)),
                       ("divergences.json", divergence_fixtures(rng))]:
        path = OUT / name
        path.write_text(json.dumps(data, separators=(",", ":")) + "\n")
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
