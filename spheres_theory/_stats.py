"""Monte Carlo counting and Clopper–Pearson intervals, written once.

Private helpers shared by the Monte Carlo routes of the library (sweeps,
models, rules) and the reproduction; they assume validated input.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

__all__ = ["clopper_pearson", "count_errors"]


def count_errors(
    predict: Any,
    spheres: Any,
    n_samples: int,
    sphere: str,
    rng: np.random.Generator,
    *,
    chunk: int = 20_000,
) -> int:
    """Count the points of ``sphere`` that ``predict`` labels wrongly.

    Parameters
    ----------
    predict : callable
        Maps points of shape (m, dim) to labels (0 = inner, 1 = outer).
    spheres : ConcentricSpheres
        Anything with ``sample(m, sphere=..., rng=...) -> (x, y)``.
    n_samples : int
        Points drawn, in chunks of ``chunk`` (bounded memory).
    sphere : {"inner", "outer"}
        The sphere sampled; its true label is 0 (inner) or 1 (outer).
    rng : numpy.random.Generator
        Source of the points (drawn in order, chunk by chunk).

    Returns
    -------
    int
        The count of misclassified points.
    """
    errors = 0
    done = 0
    label = 0 if sphere == "inner" else 1
    while done < n_samples:
        m = min(chunk, n_samples - done)
        x, _ = spheres.sample(m, sphere=sphere, rng=rng)
        errors += int(np.count_nonzero(np.asarray(predict(x)) != label))
        done += m
    return errors


def clopper_pearson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper–Pearson) two-sided interval for a binomial proportion.

    Parameters
    ----------
    k, n : int
        Successes and trials, ``0 <= k <= n``, ``n >= 1``.
    confidence : float, default 0.95
        Coverage of the interval.

    Returns
    -------
    (float, float)
        ``(ci_low, ci_high)``; ``ci_low = 0`` when ``k = 0`` and
        ``ci_high = 1`` when ``k = n``.

    Examples
    --------
    >>> low, high = clopper_pearson(0, 10**6)
    >>> round(high * 10**6, 4)  # the "rule of three" ≈ 3.689 / n at 95 %
    3.6889
    """
    a = 1.0 - confidence
    low = 0.0 if k == 0 else float(stats.beta.ppf(a / 2, k, n - k + 1))
    high = 1.0 if k == n else float(stats.beta.isf(a / 2, k + 1, n - k))
    return low, high
