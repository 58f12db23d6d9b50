"""Benchmark: exact nearest errors at d = 500 on the sphere, three routes.

Fast path: ``nearest_error(rule, X)`` (secular equation, vectorised over a
batch of 10,000 inner points).  Baselines, on 20 of the same points: the
convex y = x² reformulation solved by cvxpy + Clarabel (``method="cvxpy"``,
the certified cross-check) and a generic local solver,
``scipy.optimize.minimize(method="SLSQP")`` with the constraints
Σ α z² ≥ 1 and ‖z‖² = ‖x0‖² started at x0 (not an oracle: it may stop at a
non-optimal point or fail; its dense O(d³) QP steps cost ~0.1-0.2 s each at
d = 500, so each of the 20 points gets at most 60 iterations).
Also times ``mean_distance_to_error`` with 10^5 points.

Targets: <= 100 µs per point batched, 10,000 points <= 1 s, >= 200x faster
than cvxpy per point, d(E) with 10^5 points <= 10 s.

Run:  python benchmarks/bench_nearest.py [--points N] [--baseline K] [--slsqp K]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from scipy import optimize

from spheres_theory import (
    ConcentricSpheres,
    QuadraticRule,
    mean_distance_to_error,
    nearest_error,
)

DIM = 500


def make_rule(rng: np.random.Generator) -> QuadraticRule:
    """A trained-looking rule: 480 α in [0.6, 1], 20 bad α in (1, 1.1]."""
    alphas = np.concatenate([rng.uniform(0.6, 1.0, 480), rng.uniform(1.0, 1.1, 20)])
    basis, _ = np.linalg.qr(rng.standard_normal((DIM, DIM)))
    return QuadraticRule(alphas, basis)


def slsqp_distance(
    rule: QuadraticRule, x0: np.ndarray, maxiter: int
) -> tuple[float, bool]:
    z0 = rule.to_eigen(x0)
    a = np.asarray(rule.alphas)
    r2 = float(z0 @ z0)
    cons = [
        {
            "type": "ineq",
            "fun": lambda z: a @ (z * z) - 1.0,
            "jac": lambda z: 2 * a * z,
        },
        {"type": "eq", "fun": lambda z: z @ z - r2, "jac": lambda z: 2 * z},
    ]
    res = optimize.minimize(
        lambda z: float((z - z0) @ (z - z0)),
        z0,
        jac=lambda z: 2 * (z - z0),
        constraints=cons,
        method="SLSQP",
        options={"maxiter": maxiter, "ftol": 1e-12},
    )
    ok = bool(res.success) and abs(a @ (res.x**2) - 1) < 1e-8
    return float(np.linalg.norm(res.x - z0)), ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--baseline", type=int, default=20)
    parser.add_argument("--slsqp", type=int, default=20)
    parser.add_argument("--slsqp-maxiter", type=int, default=60)
    parser.add_argument("--mean-points", type=int, default=100_000)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    rule = make_rule(rng)
    sp = ConcentricSpheres(DIM)
    x, _ = sp.sample(args.points, sphere="inner", rng=rng)

    nearest_error(rule, x[:100])  # warm-up
    best = np.inf
    for _ in range(3):
        t0 = time.perf_counter()
        fast = nearest_error(rule, x)
        best = min(best, time.perf_counter() - t0)
    per_fast = best / args.points
    cert = fast.certificate
    print(
        f"secular, batch of {args.points}: {best:.3f} s total, "
        f"{per_fast * 1e6:.1f} µs/point; max constraint residual "
        f"{np.nanmax(cert.constraint_residual):.1e}, max KKT residual "
        f"{np.nanmax(cert.kkt_residual):.1e}, mean distance "
        f"{np.mean(fast.distance):.6f}"
    )

    k = args.baseline
    t0 = time.perf_counter()
    cvx = nearest_error(rule, x[:k], method="cvxpy")
    per_cvx = (time.perf_counter() - t0) / k
    dis_cvx = np.max(np.abs(cvx.distance - fast.distance[:k]) / fast.distance[:k])
    print(
        f"cvxpy/Clarabel, {k} points: {per_cvx * 1e3:.1f} ms/point "
        f"({per_cvx / per_fast:.0f}x slower); largest relative distance "
        f"disagreement {dis_cvx:.1e}; max duality gap "
        f"{np.nanmax(np.abs(cvx.certificate.duality_gap)):.1e}"
    )

    k = args.slsqp
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sl = [slsqp_distance(rule, xi, args.slsqp_maxiter) for xi in x[:k]]
    per_sl = (time.perf_counter() - t0) / k
    d_sl = np.array([d for d, _ in sl])
    ok = np.array([o for _, o in sl])
    gap = d_sl - fast.distance[:k]
    print(
        f"SLSQP (maxiter {args.slsqp_maxiter}), {k} points: {per_sl * 1e3:.0f} "
        f"ms/point ({per_sl / per_fast:.0f}x slower); {int(ok.sum())}/{k} "
        f"reported success and feasible; largest distance disagreement "
        f"{np.max(np.abs(gap)):.1e} (SLSQP - exact, min {np.min(gap):.1e})"
    )

    n = args.mean_points
    t0 = time.perf_counter()
    res = mean_distance_to_error(rule, sp, n_samples=n, rng=1)
    t_mean = time.perf_counter() - t0
    lo, hi = res.ci_low, res.ci_high
    print(
        f"mean_distance_to_error, {n} points: {t_mean:.2f} s; d(E) = "
        f"{res.mean:.5f} [{lo:.5f}, {hi:.5f}], mu = 10^"
        f"{float(res.error_rate.log10_value):.3f}, d*(mu) = {res.bound:.5f}, "
        f"ratio {res.bound_ratio:.4f}"
    )
    targets = {
        "<= 100 us/point batched": per_fast <= 1e-4,
        f"{args.points} points <= 1 s": best <= 1.0,
        ">= 200x faster than cvxpy": per_cvx / per_fast >= 200,
        "d(E) with 1e5 points <= 10 s": t_mean <= 10.0,
    }
    for name, met in targets.items():
        print(f"  target {name}: {'met' if met else 'MISSED'}")


if __name__ == "__main__":
    main()
