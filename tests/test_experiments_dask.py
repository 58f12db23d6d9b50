"""Sweeps on dask: the same numbers as in this process, on a LocalCluster."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from spheres_theory import ConcentricSpheres, QuadraticRule
from spheres_theory.concentration import (
    asymptotic_mean_distance,
    optimal_mean_distance,
)
from spheres_theory.models import ReLUNet
from spheres_theory.reproduce import load_result, save_result
from spheres_theory.sweeps import (
    BoundSweepResult,
    MonteCarloResult,
    bound_sweep,
    checkpoint_sweep,
    montecarlo_error_rate,
)

DIMS = (50, 500, 2000)
RATES = np.geomspace(1e-20, 0.5, 7)
SPHERES = ConcentricSpheres(12, outer_radius=1.3)


@pytest.fixture(scope="module")
def cluster():
    """Two single-threaded worker processes, shared by the tests of this module."""
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def client(cluster):
    from dask.distributed import Client

    with Client(cluster) as client:
        yield client


def _rule() -> QuadraticRule:
    # Two bad α (> 1): the inner sphere errs where those coordinates are large.
    return QuadraticRule(np.r_[np.full(10, 0.8), 2.0, 1.5])


# -- bound_sweep -----------------------------------------------------------------


@pytest.mark.parametrize("metric", ["chordal", "geodesic"])
def test_bound_sweep_matches_pointwise_values(metric):
    r = bound_sweep(DIMS, RATES, metric=metric)
    assert isinstance(r, BoundSweepResult) and r.metric == metric
    assert r.exact.shape == r.asymptotic.shape == (len(DIMS), RATES.size)
    assert_array_equal(r.dims, DIMS)
    assert_array_equal(r.error_rates, RATES)
    for i, dim in enumerate(DIMS):
        for j, mu in enumerate(RATES):
            ref = optimal_mean_distance(mu, dim, metric=metric)
            assert_allclose(r.exact[i, j], ref, rtol=1e-13)
            assert_allclose(
                r.asymptotic[i, j], asymptotic_mean_distance(mu, dim), rtol=1e-15
            )


def test_bound_sweep_reference_values():
    # SPEC §2 (4 digits, computed independently in mpmath).
    r = bound_sweep([100, 500, 2000], [1e-2])
    assert_allclose(r.exact[:, 0], [0.2328, 0.1042, 0.0521], atol=5e-5)


def test_bound_sweep_same_numbers_on_dask(client, cluster):
    here = bound_sweep(DIMS, RATES)
    for scheduler in (client, cluster.scheduler_address):
        there = bound_sweep(DIMS, RATES, scheduler=scheduler)
        # The same numbers up to the summation order of a multi-threaded BLAS
        # in this process (the workers run one thread): a few ulps at most.
        assert_allclose(there.exact, here.exact, rtol=1e-14, atol=0)
        assert_allclose(there.asymptotic, here.asymptotic, rtol=1e-14, atol=0)
        assert_array_equal(there.dims, here.dims)
    assert client.status == "running"  # a caller's Client is left open


# -- montecarlo_error_rate -----------------------------------------------------


def test_montecarlo_interval_covers_exact_rate():
    rule = _rule()
    r = montecarlo_error_rate(rule, SPHERES, n_samples=30_000, chunk_size=7_000, rng=1)
    assert isinstance(r, MonteCarloResult)
    assert r.n_samples == 30_000 and r.sphere == "inner" and r.chunk_size == 7_000
    assert r.chunk_errors.shape == (math.ceil(30_000 / 7_000),)
    assert r.errors == int(r.chunk_errors.sum())
    exact = rule.error_rate(SPHERES).value
    assert r.ci_low < exact < r.ci_high
    # Monte Carlo tolerance from the sample size: 5 binomial standard errors.
    assert abs(r.error_rate - exact) < 5 * math.sqrt(exact * (1 - exact) / r.n_samples)


def test_montecarlo_zero_errors_interval():
    rule = QuadraticRule(np.full(12, 0.8))  # inside the band: no error
    r = montecarlo_error_rate(rule, SPHERES, sphere="outer", n_samples=1000, rng=0)
    assert r.errors == 0 and r.ci_low == 0.0
    assert_allclose(r.ci_high, -math.expm1(math.log(0.025) / 1000), rtol=1e-12)


def test_montecarlo_chunks_are_seeded_from_the_seed_sequence():
    rule = _rule()
    a = montecarlo_error_rate(rule, SPHERES, n_samples=9_000, chunk_size=3_000, rng=4)
    seeds = np.random.SeedSequence(4).spawn(3)
    for count, seed in zip(a.chunk_errors, seeds, strict=True):
        x, _ = SPHERES.sample(3_000, sphere="inner", rng=np.random.default_rng(seed))
        assert count == np.count_nonzero(rule.predict(x) != 0)
    b = montecarlo_error_rate(
        rule, SPHERES, n_samples=9_000, chunk_size=3_000, rng=np.random.default_rng(4)
    )
    c = montecarlo_error_rate(
        rule, SPHERES, n_samples=9_000, chunk_size=3_000, rng=np.random.default_rng(4)
    )
    assert_array_equal(b.chunk_errors, c.chunk_errors)


@pytest.mark.parametrize("sphere", ["inner", "outer"])
def test_montecarlo_same_numbers_on_dask(client, sphere):
    net = ReLUNet(SPHERES.dim, (16,), rng=0)
    kwargs = {"sphere": sphere, "n_samples": 25_000, "chunk_size": 4_000}
    here = montecarlo_error_rate(net, SPHERES, rng=7, **kwargs)
    there = montecarlo_error_rate(net, SPHERES, rng=7, scheduler=client, **kwargs)
    assert_array_equal(there.chunk_errors, here.chunk_errors)
    assert (there.errors, there.n_samples) == (here.errors, here.n_samples)
    assert (there.ci_low, there.ci_high) == (here.ci_low, here.ci_high)
    assert 0 < here.errors < here.n_samples  # a random net errs on both spheres


def test_montecarlo_rule_on_dask_by_address(cluster):
    rule = _rule()
    kwargs = {"n_samples": 12_000, "chunk_size": 5_000, "rng": 3}
    here = montecarlo_error_rate(rule, SPHERES, **kwargs)
    there = montecarlo_error_rate(
        rule, SPHERES, scheduler=cluster.scheduler_address, **kwargs
    )
    assert_array_equal(there.chunk_errors, here.chunk_errors)


# -- without dask, storage, validation -------------------------------------------


def test_default_path_does_not_import_dask():
    code = (
        "import sys, numpy as np\n"
        "from spheres_theory import ConcentricSpheres, QuadraticRule\n"
        "from spheres_theory.sweeps import bound_sweep, montecarlo_error_rate\n"
        "bound_sweep([10, 20], [0.1])\n"
        "montecarlo_error_rate(QuadraticRule(np.full(5, 0.9)),"
        " ConcentricSpheres(5), n_samples=100, rng=0)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in"
        " ('dask', 'distributed')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_results_save_and_load(tmp_path):
    sweep = bound_sweep([30, 40], [1e-3, 0.2], metric="geodesic")
    mc = montecarlo_error_rate(_rule(), SPHERES, n_samples=500, chunk_size=200, rng=2)
    save_result(sweep, tmp_path / "sweep")
    save_result(mc, tmp_path / "mc")
    back, mc_back = load_result(tmp_path / "sweep"), load_result(tmp_path / "mc")
    assert_array_equal(back.exact, sweep.exact)
    assert back.metric == "geodesic"
    assert_array_equal(mc_back.chunk_errors, mc.chunk_errors)
    assert (mc_back.errors, mc_back.ci_high) == (mc.errors, mc.ci_high)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"dims": []}, "dims"),
        ({"dims": [1]}, "dims"),
        ({"dims": [10.5]}, "dims"),
        ({"error_rates": [0.0]}, "error_rates"),
        ({"error_rates": [[0.1]]}, "error_rates"),
        ({"metric": "manhattan"}, "metric"),
        ({"scheduler": "nowhere"}, "scheduler"),
    ],
)
def test_bound_sweep_validation(kwargs, name):
    args = {"dims": [10], "error_rates": [0.1], **kwargs}
    dims, rates = args.pop("dims"), args.pop("error_rates")
    with pytest.raises(ValueError, match=f"`{name}`"):
        bound_sweep(dims, rates, **args)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"model": object()}, "model"),
        ({"model": QuadraticRule(np.full(5, 0.9))}, "model"),
        ({"spheres": 12}, "spheres"),
        ({"sphere": "both"}, "sphere"),
        ({"n_samples": 0}, "n_samples"),
        ({"chunk_size": 0}, "chunk_size"),
        ({"rng": -1}, "rng"),
        ({"rng": "seed"}, "rng"),
        ({"scheduler": "nowhere"}, "scheduler"),
    ],
)
def test_montecarlo_validation(kwargs, name):
    args = {"model": _rule(), "spheres": SPHERES, "n_samples": 10, **kwargs}
    model, spheres = args.pop("model"), args.pop("spheres")
    with pytest.raises(ValueError, match=f"`{name}`"):
        montecarlo_error_rate(model, spheres, **args)


def _two_level_rules(dim: int) -> list[QuadraticRule]:
    """Checkpoints with k = 1 large alpha a and dim - 1 alphas 0.8 (< 1)."""
    return [QuadraticRule(np.r_[a, np.full(dim - 1, 0.8)]) for a in (1.2, 2.0, 5.0)]


def test_checkpoint_sweep_exact_rates_match_closed_form():
    # k = 1 two-level rule: inner error = P(Beta(1/2, (d-1)/2) > tau),
    # tau = (1 - b)/(a - b) (SPEC §4), evaluated here with scipy's betaincc;
    # no outer error since every alpha >= 0.8 > 1/R^2.
    from scipy.special import betaincc

    dim = 20
    sp = ConcentricSpheres(dim)
    res = checkpoint_sweep(_two_level_rules(dim), sp, n_samples=200, rng=3)
    ref = [
        math.log10(betaincc(0.5, (dim - 1) / 2, 0.2 / (a - 0.8)))
        for a in (1.2, 2.0, 5.0)
    ]
    assert_allclose(res.log10_error_inner, ref, rtol=1e-10)
    assert np.all(res.log10_error_outer == -np.inf)
    # Lévy: every d(E) under the bound at its exact mu (within the interval).
    assert np.all(res.ci_low <= res.bound)
    assert np.all(np.diff(res.mean_distance) < 0)  # more error, closer errors


def test_checkpoint_sweep_same_numbers_on_dask(client):
    sp = ConcentricSpheres(20)
    rules = _two_level_rules(20)
    here = checkpoint_sweep(rules, sp, n_samples=100, rng=7)
    there = checkpoint_sweep(rules, sp, n_samples=100, rng=7, scheduler=client)
    for field in ("log10_error_inner", "mean_distance", "ci_low", "bound"):
        # Same points (seeded per task); the arithmetic may differ by a few
        # ulps between a multi-threaded BLAS here and one thread there.
        assert_allclose(getattr(here, field), getattr(there, field), rtol=1e-12)


def test_checkpoint_sweep_validation():
    sp = ConcentricSpheres(20)
    with pytest.raises(ValueError, match="`rules`"):
        checkpoint_sweep([], sp, n_samples=10)
    with pytest.raises(ValueError, match="`n_samples`"):
        checkpoint_sweep(_two_level_rules(20), sp, n_samples=1)
