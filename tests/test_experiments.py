"""End-to-end reproduction at tiny scale: report, figures, saved results."""

from __future__ import annotations

import dataclasses
import json
import math
import re
import shutil

import numpy as np
import pytest
from conftest import TINY_DIM, load_reference, run_tiny_reproduction
from numpy.testing import assert_allclose
from scipy.spatial.distance import pdist

from spheres_theory import ConcentricSpheres, QuadraticRule, uniform_sphere
from spheres_theory.cli import main
from spheres_theory.reproduce import (
    ITEMS,
    AttackGapResult,
    ReproduceConfig,
    error_vs_distance,
    headline_table,
    load_result,
    online_quadnet,
    run_reproduction,
    save_result,
)

DIM = TINY_DIM
SECTIONS = [
    "## 1. The isoperimetric bound",
    "## 2. Quad net on a fixed training set",
    "## 3. Quad net trained online",
    "## 4. Drift from a perfect initialisation",
    "## 5. Error rate vs distance to the nearest error",
    "## 6. Attack gap",
    "## 7. Decision-region slices",
    "## 8. Headline numbers",
]
FIGURES = [
    "bounds",
    "fixed_set",
    "online",
    "drift",
    "error_distance",
    "attack_gap",
    "slices",
]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """One tiny reproduction through the command line (d = 12)."""
    return run_tiny_reproduction(tmp_path_factory, "reproduce")


@pytest.fixture(scope="module")
def report(run_dir):
    return (run_dir / "report.md").read_text(encoding="utf-8")


def _result(run_dir, name):
    return load_result(run_dir / "results" / name)


# -- configuration -------------------------------------------------------------


def test_config_constructors():
    quick, full, tiny = (
        ReproduceConfig.quick(),
        ReproduceConfig.full(),
        ReproduceConfig.tiny(),
    )
    assert (quick.dim, full.dim, tiny.dim) == (500, 500, 20)
    assert full.relu_hidden == (1000, 1000) and full.quad_hidden == 1000
    assert full.batch_size == 50 and full.lr == 1e-4
    assert quick.fingerprint() != dataclasses.replace(quick, seed=1).fingerprint()
    assert ReproduceConfig.from_dict(quick.to_dict()) == quick


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("dim", 1),
        ("outer_radius", 1.0),
        ("lr", -1.0),
        ("relu_hidden", ()),
        ("checkpoints", 1),
    ],
)
def test_config_validation(field, value):
    with pytest.raises(ValueError, match=f"`{field}`"):
        dataclasses.replace(ReproduceConfig.tiny(), **{field: value})


@pytest.mark.parametrize(
    "schedule", [(), ((1e-2,),), ((0.0, 10),), ((1e-2, 0),), "fast"]
)
def test_config_validates_the_demo_schedule(schedule):
    with pytest.raises(ValueError, match="online_demo_schedule"):
        dataclasses.replace(ReproduceConfig.tiny(), online_demo_schedule=schedule)


def test_config_demo_fields_roundtrip_through_json():
    quick, tiny = ReproduceConfig.quick(), ReproduceConfig.tiny()
    assert quick.online_demo_dim == ReproduceConfig.full().online_demo_dim == 100
    assert quick.online_demo_schedule == (
        (1e-2, 4000),
        (3e-3, 3000),
        (1e-3, 3000),
        (3e-4, 3000),
    )
    back = ReproduceConfig.from_dict(json.loads(json.dumps(tiny.to_dict())))
    assert back == tiny and back.fingerprint() == tiny.fingerprint()
    assert back.online_demo_schedule == tiny.online_demo_schedule
    shorter = dataclasses.replace(tiny, online_demo_schedule=((1e-2, 10),))
    assert shorter.fingerprint() != tiny.fingerprint()


def test_online_demo_converges_at_dim_100():
    # Item 3's demonstration at the quick and full settings (d = 100, h = 200,
    # step-decay schedule; ≈ 3 s): every α ends inside the band, and the
    # recorded counts and error rates are those of the recorded α.
    cfg = dataclasses.replace(
        ReproduceConfig.tiny(dim=8),
        online_demo_dim=ReproduceConfig.quick().online_demo_dim,
        online_demo_schedule=ReproduceConfig.quick().online_demo_schedule,
    )
    r = online_quadnet(cfg, rng=0)
    sp = ConcentricSpheres(100, cfg.outer_radius)
    assert (r.demo_dim, r.demo_hidden) == (100, 200)
    assert r.demo_steps.tolist() == [0, 4000, 7000, 10000, 13000]
    assert np.isnan(r.demo_lr[0])
    assert r.demo_lr[1:].tolist() == [1e-2, 3e-3, 1e-3, 3e-4]
    assert r.demo_n_bad[-1] == 0
    assert r.demo_n_bad[0] > 0  # a random start is not in the band
    for alphas, n_bad in zip(r.demo_alphas, r.demo_n_bad, strict=True):
        assert QuadraticRule(alphas).bad_alphas(sp).n_bad == n_bad
    assert r.demo_log10_error_inner[-1] == r.demo_log10_error_outer[-1] == -np.inf


def test_online_result_saved_before_the_demo_still_loads(tmp_path):
    r = online_quadnet(ReproduceConfig.tiny(dim=8), rng=0)
    save_result(r, tmp_path / "online")
    doc = json.loads((tmp_path / "online.json").read_text())
    for key in ("demo_dim", "demo_hidden"):
        del doc["fields"][key]
    (tmp_path / "online.json").write_text(json.dumps(doc))
    with np.load(tmp_path / "online.npz") as data:
        kept = {k: data[k] for k in data.files if not k.startswith("demo_")}
    np.savez(tmp_path / "online.npz", **kept)
    old = load_result(tmp_path / "online")
    assert old.demo_dim == 0 and old.demo_alphas.size == 0
    assert_allclose(old.alphas, r.alphas)


def test_config_from_dict_rejects_unknown_keys():
    with pytest.raises(ValueError, match="unknown"):
        ReproduceConfig.from_dict({"dim": 5, "depth": 3})


def test_save_load_roundtrip_keeps_nonfinite(tmp_path):
    r = AttackGapResult(
        np.array([1.0, 2.5]),
        np.array([0.1, np.inf]),
        np.array([0.1, 0.2]),
        0.5,
        4,
        -np.inf,
    )
    save_result(r, tmp_path / "gap")
    back = load_result(tmp_path / "gap")
    assert isinstance(back, AttackGapResult)
    assert back.log10_error_inner == -np.inf and back.n_points == 4
    assert_allclose(back.exact_distances, r.exact_distances)


def test_load_result_rejects_foreign_json(tmp_path):
    (tmp_path / "x.json").write_text(json.dumps({"type": "dict", "fields": {}}))
    with pytest.raises(ValueError, match="experiment result"):
        load_result(tmp_path / "x")


def test_nearest_pair_matches_brute_force():
    cfg = dataclasses.replace(ReproduceConfig.tiny(dim=30), pair_points=2500)
    head = headline_table(cfg, rng=7)
    # Independent route: all pairwise distances of the same points (the first
    # draw of the generator) with scipy.
    x = uniform_sphere(2500, 30, rng=np.random.default_rng(7))
    assert_allclose(head.nearest_pair, pdist(x).min(), rtol=1e-10)


# -- the tiny end-to-end run ---------------------------------------------------------


def test_report_has_every_section_and_figure(run_dir, report):
    for section in SECTIONS:
        assert section in report
    for name in FIGURES:
        path = run_dir / "figures" / f"{name}.png"
        assert path.stat().st_size > 1000
        assert f"(figures/{name}.png)" in report
    for name in ITEMS:
        assert (run_dir / "results" / f"{name}.json").exists()
        assert (run_dir / "results" / f"{name}.npz").exists()


def test_report_bound_table_matches_reference(report):
    # Rows "| d | μ | d* exact | asymptotic | reference |" of section 1 against the
    # 30-digit mpmath values (independent route, tests/data).
    ref = {
        (int(c["d"]), float(c["mu"])): float(c["value"])
        for c in load_reference("optimal_mean_distance.json")["cases"]
        if c["metric"] == "chordal"
    }
    rows = re.findall(
        r"^\| (\d+) \| (\S+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|$", report, re.M
    )
    assert len(rows) == 9
    for d, mu, exact, asym, _ in rows:
        assert_allclose(float(exact), ref[int(d), float(mu)], atol=1.5e-6)
        # Φ⁻¹(1 − μ)/√d by the closed form (scipy.stats is independent of the code)
        from scipy.stats import norm

        assert_allclose(float(asym), norm.isf(float(mu)) / math.sqrt(int(d)), atol=1e-6)


def test_fixed_set_numbers_recompute(run_dir, report):
    f = _result(run_dir, "fixed_set")
    sp = ConcentricSpheres(DIM)
    assert f.alphas.shape == (DIM,)
    # Counts by hand against the band [1/R², 1].
    if f.threshold == 1:
        assert f.n_above == int(np.sum(f.alphas > 1))
        assert f.n_below == int(np.sum(f.alphas < 1 / 1.3**2))
    rule = QuadraticRule(f.alphas, threshold=f.threshold)
    inner = rule.error_rate(sp, sphere="inner").log10_value
    outer = rule.error_rate(sp, sphere="outer").log10_value
    printed = re.search(r"\| log10 inner error, exact \| (\S+) \|", report).group(1)
    assert_allclose(float(printed), inner, atol=1e-4)
    assert_allclose(f.log10_error_outer, outer, rtol=1e-12)
    # The exact rate agrees with the Monte Carlo count (5 sigma binomial bound).
    n = f.mc_samples
    for log10_mu, k in ((inner, f.mc_errors_inner), (outer, f.mc_errors_outer)):
        mu = 10.0**log10_mu
        assert abs(k - n * mu) <= 5 * math.sqrt(n * mu * (1 - mu)) + 1


def test_online_and_drift_shapes(run_dir):
    o = _result(run_dir, "online")
    assert o.alphas.shape == (o.steps.size, DIM)
    assert o.steps[0] == 0 and np.all(np.diff(o.steps) > 0)
    d = _result(run_dir, "drift")
    assert d.n_bad[0] == 0  # a perfect start has every α in the band
    assert d.log10_error_inner[0] == -np.inf and d.log10_error_outer[0] == -np.inf
    assert np.all(d.worst_loss >= d.mean_loss * (1 - 1e-12))


def test_fig4_quad_points_respect_the_levy_bound(run_dir):
    e = _result(run_dir, "error_distance")
    ok = np.isfinite(e.quad_bound) & np.isfinite(e.quad_mean_distance)
    # Lévy: d(E) <= d*(μ) for every error set; the sampled mean's lower CI end
    # must not exceed the bound.
    assert np.all(e.quad_ci_low[ok] <= e.quad_bound[ok] * (1 + 1e-9))
    assert np.all(
        (e.relu_error_low <= e.relu_error_rate)
        & (e.relu_error_rate <= e.relu_error_high)
    )


QUAD_COLUMNS = {  # item 5 field -> item 3 field
    "quad_steps": "steps",
    "quad_log10_error": "log10_error_inner",
    "quad_mean_distance": "mean_distance",
    "quad_ci_low": "distance_ci_low",
    "quad_ci_high": "distance_ci_high",
    "quad_bound": "distance_bound",
}
RELU_COLUMNS = ("relu_steps", "relu_errors", "relu_samples", "relu_mean_distance")


def _assert_quad_columns_are(e, o):
    for mine, theirs in QUAD_COLUMNS.items():
        assert_allclose(getattr(e, mine), getattr(o, theirs), rtol=0, atol=0)


def test_fig4_quad_points_are_item3_checkpoints(run_dir):
    e, o = _result(run_dir, "error_distance"), _result(run_dir, "online")
    _assert_quad_columns_are(e, o)
    assert o.distance_points == ReproduceConfig.tiny(DIM).distance_points
    # A checkpoint's d(E) is finite exactly when its rule has an inner error.
    assert np.array_equal(np.isfinite(o.mean_distance), o.log10_error_inner > -np.inf)


def test_error_vs_distance_reuses_a_given_online_run():
    cfg = ReproduceConfig.tiny(dim=8)
    online = online_quadnet(cfg, rng=3)
    given = error_vs_distance(cfg, rng=5, online=online)
    _assert_quad_columns_are(given, online)
    alone = error_vs_distance(cfg, rng=5)  # trains its own online quad net
    assert alone.quad_steps.size == online.steps.size
    # The ReLU part has a stream of its own: the same with or without `online`.
    for name in RELU_COLUMNS:
        assert_allclose(getattr(alone, name), getattr(given, name), rtol=0, atol=0)


def test_item5_uses_saved_item3_and_follows_a_recomputed_one(run_dir, tmp_path):
    out = tmp_path / "run"
    shutil.copytree(run_dir, out)
    cfg = ReproduceConfig.tiny(DIM)
    # A doctored item 3 (same fingerprint): a recomputed item 5 must plot it,
    # i.e. take its checkpoints instead of training another quad net.
    base = out / "results" / "online"
    extra = json.loads(base.with_suffix(".json").read_text())["extra"]
    o = load_result(base)
    doctored = dataclasses.replace(o, mean_distance=0.5 * o.mean_distance)
    save_result(doctored, base, extra=extra)
    for suffix in (".json", ".npz"):
        (out / "results" / f"error_distance{suffix}").unlink()
    run = run_reproduction(cfg, out, progress=False)
    assert "error_distance" not in run.reused and "online" in run.reused
    first = _result(out, "error_distance")
    _assert_quad_columns_are(first, doctored)
    # Item 3 recomputed, item 5 reused: item 5's quad columns follow item 3,
    # its ReLU part is kept.
    for suffix in (".json", ".npz"):
        (out / "results" / f"online{suffix}").unlink()
    run = run_reproduction(cfg, out, progress=False)
    assert "error_distance" in run.reused and "online" not in run.reused
    second = _result(out, "error_distance")
    _assert_quad_columns_are(second, _result(out, "online"))
    _assert_quad_columns_are(second, _result(run_dir, "online"))
    for name in RELU_COLUMNS:
        assert_allclose(getattr(second, name), getattr(first, name), rtol=0, atol=0)


def test_attack_gap_ratios_at_least_one(run_dir):
    g = _result(run_dir, "attack_gap")
    assert np.all(g.ratios >= 1 - 1e-6)
    assert_allclose(g.ratios, g.pgd_distances / g.exact_distances)


def test_slices_and_headline(run_dir, report):
    s = _result(run_dir, "slices")
    assert set(np.unique(s.labels)) <= {0, 1}
    assert s.labels.shape[1:] == (s.grid.size, s.grid.size)
    h = _result(run_dir, "headline")
    quantities = [r["quantity"] for r in h.rows]
    assert "fixed set: α outside [1/R², 1]" in quantities
    assert "perfect init: worst-case loss" in quantities
    assert "SPEC §9" in report
    for row in h.rows:  # every row is rendered in section 8
        assert f"| {row['quantity']} | {row['paper']} | {row['ours']} |" in report


def test_rerun_reuses_saved_results(run_dir, report):
    run = run_reproduction(ReproduceConfig.tiny(DIM), run_dir, progress=False)
    assert run.reused == ITEMS
    again = (run_dir / "report.md").read_text(encoding="utf-8")
    strip = lambda text: re.sub(r"\*[\d.]+ s( \(reused\))?\*", "", text)  # noqa: E731
    assert strip(again) == strip(report)


@pytest.mark.parametrize(
    "argv",
    [
        ["reproduce", "--dim", "1", "--tiny"],
        ["reproduce", "--quick", "--full"],
        ["reproduce", "--seed", "-3", "--tiny"],
        ["reproduce", "--tiny", "--dim", "8", "--scheduler", "nowhere"],
        ["reproduce", "--tiny", "--blas-threads", "-1"],
    ],
)
def test_cli_bad_arguments(argv, capsys, tmp_path):
    try:
        code = main([*argv, "--out", str(tmp_path)])
    except SystemExit as exc:  # argparse errors
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err and "\n" not in err


def test_dask_scheduler_gives_the_same_numbers(run_dir, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
    ):
        run = run_reproduction(
            ReproduceConfig.tiny(DIM),
            tmp_path,
            progress=False,
            scheduler=cluster.scheduler_address,
        )
    assert run.reused == ()
    for name in ("fixed_set", "error_distance", "attack_gap"):
        a, b = _result(run_dir, name), load_result(tmp_path / "results" / name)
        for field in dataclasses.fields(a):
            x, y = getattr(a, field.name), getattr(b, field.name)
            if isinstance(x, np.ndarray):
                assert_allclose(x, y, rtol=1e-12)
            else:
                assert x == y or (x != x and y != y), field.name


def test_library_run_leaves_blas_threads_alone(tmp_path):
    """No process-wide state changes: BLAS threads are the CLI's business."""
    from threadpoolctl import threadpool_info

    before = [d["num_threads"] for d in threadpool_info()]
    cfg = dataclasses.replace(ReproduceConfig.tiny(DIM), checkpoints=3)
    run_reproduction(cfg, tmp_path, progress=False)
    assert [d["num_threads"] for d in threadpool_info()] == before


def test_unknown_scheduler_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="`scheduler`"):
        run_reproduction(
            ReproduceConfig.tiny(DIM), tmp_path, progress=False, scheduler="nowhere"
        )


def test_headline_two_level_rows_match_beta_closed_form(run_dir):
    from scipy.special import betaincc

    h = _result(run_dir, "headline")
    rows = {r["quantity"]: r["ours"] for r in h.rows}
    for k, a, b in ((10, 1.5, 0.9), (1, 1.2, 0.95)):
        ours = rows[
            f"inner error of a two-level rule ({k} × α = {a}, rest {b}; d = 500)"
        ]
        log10_exact = float(re.search(r"exact \S+ \(log10 (\S+)\)", ours).group(1))
        # SPEC §4: P(Beta(k/2, (d-k)/2) > τ), τ = (1 - b)/(a - b).
        ref = betaincc(k / 2, (500 - k) / 2, (1 - b) / (a - b))
        assert_allclose(log10_exact, math.log10(ref), atol=0.006)
