"""Build ``spheres_theory/data/example_quadnet.npz``, the model behind
``spheres-theory verify --example``.

A constructed quad net at the paper's size d = 500, h = 500 whose coefficients
α look like the paper's net trained on a fixed data set (Gilmer et al. 2018,
§4): 394 of 500 α outside the perfect band [1/R², 1] = [0.5917, 1], 51 of
them collapsed to about 0, yet an inner error rate of about 1e-11.  Weights are built as
W = U diag(s) Vᵀ with random orthogonal U, V and s² = α·(−b)/w, stored as
float32 (about 1 MB); the α recovered from the stored W differ from the
design by ~1e-7 relative.

Run from the repository root:  python benchmarks/make_example.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

SEED = 20180124
DIM = 500
OUT = Path(__file__).resolve().parents[1] / "spheres_theory" / "data"


def _orthogonal(dim: int, rng: np.random.Generator) -> np.ndarray:
    q, r = np.linalg.qr(rng.standard_normal((dim, dim)))
    return q * np.sign(np.diag(r))


def example_alphas(rng: np.random.Generator) -> np.ndarray:
    """The designed coefficients (shuffled): 394 of 500 out of band, 51 near 0."""
    lower = 1 / 1.3**2
    parts = [
        rng.uniform(0.6, 1.0, 106),  # in the band
        rng.uniform(1.001, 1.46, 200),  # above 1: inner errors
        rng.uniform(lower - 0.03, lower - 0.001, 143),  # below 1/R^2: outer errors
        rng.uniform(0.0005, 0.009, 51),  # collapsed to about 0
    ]
    return rng.permutation(np.concatenate(parts))


def make_example(seed: int = SEED) -> dict[str, np.ndarray]:
    """Arrays ``W`` (float32, (500, 500)), ``w`` and ``b`` (float64 scalars)."""
    rng = np.random.default_rng(seed)
    alphas = example_alphas(rng)
    w, b = 0.25, -1.0
    s = np.sqrt(alphas * (-b) / w)
    W = (_orthogonal(DIM, rng) * s) @ _orthogonal(DIM, rng).T
    return {"W": W.astype(np.float32), "w": np.float64(w), "b": np.float64(b)}


def main() -> None:
    OUT.mkdir(exist_ok=True)
    path = OUT / "example_quadnet.npz"
    np.savez_compressed(path, **make_example())
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
