"""Shared test configuration."""

from __future__ import annotations

import json
import os
from pathlib import Path

import matplotlib
import mpmath
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

DATA = Path(__file__).parent / "data"

settings.register_profile(
    "default",
    deadline=None,
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "ci",
    deadline=None,
    max_examples=40,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci" if os.environ.get("CI") else "default")


def load_reference(name: str) -> dict:
    """Load one reference JSON file copied into ``tests/data``."""
    return json.loads((DATA / name).read_text())


# --- independent mpmath references shared by the cap and bound tests ----------


def mp_log_cap_upper(t, dim):
    """log sigma(C_t) for t >= 0 (an mpf), at the working precision.

    mpmath.betainc near t = 0, else the Gauss series
    I_x(a, b) = x^a (1-x)^b 2F1(a+b, 1; a+1; x) / (a B(a, b)), x = 1 - t^2,
    summed directly (mpmath.betainc gives up for dim = 1e5 and tiny values).
    """
    a = mpmath.mpf(dim - 1) / 2
    b = mpmath.mpf(1) / 2
    x = (1 - t) * (1 + t)
    if t < mpmath.mpf("0.2"):
        return mpmath.log(mpmath.betainc(a, b, 0, x, regularized=True) / 2)
    # 2F1(a+b, 1; a+1; x) summed directly: positive terms, ratio < x
    term = total = mpmath.mpf(1)
    n = 0
    while term > total * mpmath.mpf(10) ** (-mpmath.mp.dps - 5):
        term *= (a + b + n) / (a + 1 + n) * x
        total += term
        n += 1
    return (
        a * mpmath.log(x)
        + b * mpmath.log(t * t)
        - mpmath.log(a)
        - mpmath.log(mpmath.beta(a, b))
        + mpmath.log(total)
        - mpmath.log(2)
    )


def mp_log_cap(t, dim):
    """log sigma(C_t) for any t (an mpf) in [-1, 1]."""
    if t >= 0:
        return mp_log_cap_upper(t, dim)
    # log(1 - sigma(C_|t|)) with the complement to full relative accuracy
    return mpmath.log1p(-mpmath.exp(mp_log_cap_upper(-t, dim)))


TINY_DIM = 12


def run_tiny_reproduction(tmp_path_factory, name: str) -> Path:
    """Run one tiny reproduction (d = 12) through the command line into a new folder."""
    from spheres_theory.cli import main

    out = tmp_path_factory.mktemp(name)
    argv = ["reproduce", "--tiny", "--dim", str(TINY_DIM), "--out", str(out)]
    assert main([*argv, "--no-progress"]) == 0
    return out
