"""Estimated measure of {x ∈ S_r : score(x) > 0}: Monte Carlo, then importance sampling.

Private.  Where no exact method exists (a quadric rule with a linear term), the
error rate is *estimated*:

1. plain Monte Carlo on the sphere; if it sees at least ``_ENOUGH`` hits its
   Clopper–Pearson interval is returned (method ``"montecarlo"``);
2. otherwise importance sampling from an equal-weight mixture of von
   Mises–Fisher distributions centred at given modes (the maximisers of the
   score, from the trust-region solver).  The concentration κ is fitted by the
   cross-entropy method (multilevel: each level keeps the top 10 % of the
   scores until the level reaches 0).  The estimate is the mean of the
   likelihood ratios uniform / mixture over the hits, with a normal-theory
   confidence interval from their sample variance (method
   ``"importance sampling"``).  This reaches rates far below 1e-12 when the
   error set lies near the modes (caps, double caps); when it does not, the
   interval may be too narrow: the result is labelled an estimate.

The vMF density on S^(d−1) relative to the uniform one is
exp(κ mᵀu) (κ/2)^ν / (Γ(ν+1) I_ν(κ)), ν = d/2 − 1; log I_ν(κ) is evaluated in
mpmath (30 digits) because it under- and overflows float64 at d = 500.
Samples come from Wood's (1994) rejection algorithm.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import mpmath
import numpy as np
from numpy.typing import NDArray
from scipy import special

from ._stats import clopper_pearson

__all__: list[str] = []

_ENOUGH = 100  # hits for plain Monte Carlo to be used
_RHO = 0.1  # elite fraction of the cross-entropy method
_LEVELS = 25  # at most this many cross-entropy levels


@dataclass(frozen=True, slots=True)
class Estimate:
    """An estimated probability with a confidence interval."""

    value: float
    log10_value: float
    ci_low: float
    ci_high: float
    method: str
    n_samples: int
    n_hits: int
    confidence: float


def _log_norm(kappa: float, dim: int) -> float:
    """Log of the vMF density relative to uniform, without the exp(κ mᵀu)."""
    if kappa == 0:
        return 0.0
    nu = dim / 2 - 1
    with mpmath.workdps(30):
        log_i = mpmath.log(mpmath.besseli(nu, kappa))
        out = nu * mpmath.log(kappa / 2) - mpmath.loggamma(nu + 1) - log_i
        return float(out)


def _vmf_e1(n: int, kappa: float, dim: int, rng: np.random.Generator) -> NDArray:
    """Wood's algorithm: n samples of vMF(e_1, κ) on S^(dim−1)."""
    if kappa == 0:
        g = rng.standard_normal((n, dim))
        return g / np.linalg.norm(g, axis=1, keepdims=True)
    m = dim - 1
    b = m / (2 * kappa + math.sqrt(4 * kappa * kappa + m * m))  # stable form
    x0 = (1 - b) / (1 + b)
    c = kappa * x0 + m * math.log(1 - x0 * x0)
    w = np.empty(n)
    filled = 0
    while filled < n:
        k = 2 * (n - filled) + 16
        z = rng.beta(m / 2, m / 2, size=k)
        ww = (1 - (1 + b) * z) / (1 - (1 - b) * z)
        u = rng.uniform(size=k)
        ok = kappa * ww + m * np.log1p(-x0 * ww) - c >= np.log(u)
        take = ww[ok][: n - filled]
        w[filled : filled + take.size] = take
        filled += take.size
    v = rng.standard_normal((n, m))
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    out = np.empty((n, dim))
    out[:, 0] = w
    out[:, 1:] = np.sqrt(np.clip(1 - w * w, 0, None))[:, None] * v
    return out


def _rotate_to(u: NDArray, mode: NDArray) -> NDArray:
    """Householder map of e_1 onto ``mode`` applied to the rows of ``u``."""
    h = -mode.copy()
    h[0] += 1.0
    nh = float(np.linalg.norm(h))
    if nh < 1e-300:
        return u
    h /= nh
    return u - 2.0 * np.outer(u @ h, h)


def _sample_mixture(n, kappa, modes, rng) -> NDArray:
    dim = modes.shape[1]
    comp = rng.integers(modes.shape[0], size=n)
    out = np.empty((n, dim))
    for k in range(modes.shape[0]):
        idx = np.flatnonzero(comp == k)
        if idx.size:
            out[idx] = _rotate_to(_vmf_e1(idx.size, kappa, dim, rng), modes[k])
    return out


def _log_lr(u: NDArray, kappa: float, modes: NDArray) -> NDArray:
    """log(uniform density / mixture density) at unit vectors ``u``."""
    if kappa == 0:
        return np.zeros(u.shape[0])
    dot = kappa * (u @ modes.T)
    mix = special.logsumexp(dot, axis=1) - math.log(modes.shape[0])
    return -(mix + _log_norm(kappa, modes.shape[1]))


def _fit_kappa(mean_cos: float, dim: int) -> float:
    """VMF concentration whose mean cosine is ``mean_cos`` (Banerjee et al.)."""
    r = min(max(mean_cos, 0.0), 1 - 1e-12)
    return r * (dim - r * r) / (1 - r * r)


def _chunks(n: int, dim: int) -> list[int]:
    """Split n samples into blocks of at most ~2e6 numbers (bounded memory)."""
    size = max(1, 2_000_000 // dim)
    return [min(size, n - k) for k in range(0, n, size)]


def _plain(score, dim, radius, n, confidence, rng) -> Estimate:
    hits = 0
    for m in _chunks(n, dim):
        g = rng.standard_normal((m, dim))
        x = radius * g / np.linalg.norm(g, axis=1, keepdims=True)
        hits += int(np.count_nonzero(score(x) > 0))
    lo, hi = clopper_pearson(hits, n, confidence)
    value = hits / n
    log10 = math.log10(value) if hits else -math.inf
    return Estimate(value, log10, lo, hi, "montecarlo", n, hits, confidence)


def estimate_rate(
    score: Callable[[NDArray], NDArray],
    dim: int,
    radius: float,
    modes: NDArray,
    *,
    n_samples: int,
    confidence: float,
    rng: np.random.Generator,
) -> Estimate:
    """Estimate the uniform measure of {‖x‖ = radius : score(x) > 0}.

    Parameters
    ----------
    score : callable
        Vectorised over rows of an (n, dim) array.
    dim : int
        Dimension.
    radius : float
        Sphere radius.
    modes : ndarray, shape (k, dim)
        Unit vectors near which the event is most likely (proposal centres).
    n_samples : int
        Samples of the plain stage and of the final importance stage.
    confidence : float
        Level of the interval.
    rng : Generator
        Random source.

    Returns
    -------
    Estimate
    """
    plain = _plain(score, dim, radius, n_samples, confidence, rng)
    if plain.n_hits >= _ENOUGH:
        return plain
    n_ce = min(max(2000, n_samples // 20), 50_000)
    kappa = 0.0
    best, stalled = -math.inf, 0
    for _ in range(_LEVELS):
        u = _sample_mixture(n_ce, kappa, modes, rng)
        s = score(radius * u)
        level = min(0.0, float(np.quantile(s, 1 - _RHO)))
        elite = s >= level
        log_w = _log_lr(u[elite], kappa, modes)
        w = np.exp(log_w - log_w.max())
        cos = np.max(u[elite] @ modes.T, axis=1)
        kappa = max(kappa, _fit_kappa(float(np.sum(w * cos) / np.sum(w)), dim))
        if level >= 0:
            break
        # the levels no longer climb (the proposal is as tight as the
        # modes allow): stop, the final stage says what it sees
        stalled = stalled + 1 if level <= best else 0
        best = max(best, level)
        if stalled >= 3:
            break
    parts = []
    for m in _chunks(n_samples, dim):
        u = _sample_mixture(m, kappa, modes, rng)
        hit = score(radius * u) > 0
        parts.append(_log_lr(u[hit], kappa, modes))
    log_lr = np.concatenate(parts)
    n_hits = int(log_lr.size)
    if n_hits == 0:
        return Estimate(
            0.0,
            -math.inf,
            0.0,
            math.nan,
            "importance sampling",
            n_samples,
            0,
            confidence,
        )
    top = float(log_lr.max())
    scaled = np.exp(log_lr - top)  # the misses contribute zeros
    mean = float(scaled.sum()) / n_samples
    var = (float(np.sum((scaled - mean) ** 2)) + (n_samples - n_hits) * mean**2) / (
        n_samples - 1
    )
    se = math.sqrt(var / n_samples)
    zq = float(special.ndtri(0.5 + confidence / 2))
    log10 = (math.log(mean) + top) / math.log(10)
    scale = math.exp(top) if top < 700 else math.inf
    lo = max(mean - zq * se, 0.0) * scale if math.isfinite(scale) else math.nan
    hi = (mean + zq * se) * scale if math.isfinite(scale) else math.nan
    return Estimate(
        float(10.0**log10),
        log10,
        lo,
        hi,
        "importance sampling",
        n_samples,
        n_hits,
        confidence,
    )
