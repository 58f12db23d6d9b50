"""Benchmark: exact Lévy bound curves (fast Gauss-Legendre route vs baselines).

Run:  python benchmarks/bench_bounds.py

Prints, in one run,
* the time of a 1,000-point exact ``bound_curve`` at d = 500 (target <= 50 ms),
* the time of the straightforward baseline (per-point ``scipy.integrate.quad``
  of the same integral, after the same cap heights) and the speed ratio,
* the largest relative error of both against the mpmath oracle route
  (``method="mpmath"``, 30 digits) on 20 error rates, plus extreme cases,
* "met"/"missed" for each target.  Both routes are warmed up before timing.
"""

from __future__ import annotations

import timeit

import numpy as np

import spheres_theory as st

DIM = 500


def main() -> None:
    rates = np.logspace(-20, np.log10(0.5), 1000)

    def fast() -> st.BoundCurve:
        return st.bound_curve(DIM, rates)

    fast()  # warm up
    t_fast = min(timeit.repeat(fast, number=5, repeat=5)) / 5

    def base() -> np.ndarray:
        return st.optimal_mean_distance(rates, DIM, method="quad")

    st.optimal_mean_distance(rates[:5], DIM, method="quad")  # warm up
    t_base = min(timeit.repeat(base, number=1, repeat=2))
    print(
        f"bound_curve d={DIM}, 1000 rates: {t_fast * 1e3:.1f} ms "
        f"(target <= 50 ms); per-point scipy quad: {t_base * 1e3:.0f} ms; "
        f"ratio {t_base / t_fast:.0f}x"
    )

    sub = np.logspace(-20, np.log10(0.5), 20)
    oracle = st.optimal_mean_distance(sub, DIM, method="mpmath", dps=30)
    err_fast = np.max(np.abs(st.optimal_mean_distance(sub, DIM) / oracle - 1))
    err_quad = np.max(
        np.abs(st.optimal_mean_distance(sub, DIM, method="quad") / oracle - 1)
    )
    print(
        f"max rel. error vs mpmath (20 rates 1e-20..0.5, d={DIM}): "
        f"fast {err_fast:.1e}, quad {err_quad:.1e}"
    )

    # extremes: deep tails, near-certain error sets, large and small dimensions
    cases = [
        (1e-300, 500),
        (1 - 1e-12, 500),
        (1e-300, 100_000),
        (0.5, 100_000),
        (1 - 1e-12, 2),
        (1e-100, 10),
    ]
    worst_fast = worst_quad = 0.0
    for mu, dim in cases:
        ref = st.optimal_mean_distance(mu, dim, method="mpmath", dps=30)
        worst_fast = max(worst_fast, abs(st.optimal_mean_distance(mu, dim) / ref - 1))
        q = st.optimal_mean_distance(mu, dim, method="quad")
        worst_quad = max(worst_quad, abs(q / ref - 1))
    print(
        "max rel. error vs mpmath on extremes (mu 1e-300 .. 1-1e-12, d 2 .. 1e5): "
        f"fast {worst_fast:.1e}, quad {worst_quad:.1e}"
    )

    heights = np.logspace(-300, np.log10(0.5), 1000)
    t_h = min(timeit.repeat(lambda: st.cap_height(heights, DIM), number=5, repeat=3))
    print(f"cap_height, 1000 rates 1e-300..0.5 at d={DIM}: {t_h / 5 * 1e3:.1f} ms")
    targets = {
        f"bound_curve, 1000 rates <= 50 ms (measured {t_fast * 1e3:.1f} ms)": (
            t_fast <= 0.05
        ),
        f">= 10x faster than per-point quad (measured {t_base / t_fast:.0f}x)": (
            t_base / t_fast >= 10
        ),
        f"rel. error vs mpmath <= 1e-12 (measured {max(err_fast, worst_fast):.1e})": (
            max(err_fast, worst_fast) <= 1e-12
        ),
    }
    for name, met in targets.items():
        print(f"  target {name}: {'met' if met else 'missed'}")


if __name__ == "__main__":
    main()
