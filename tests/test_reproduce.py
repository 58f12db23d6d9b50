"""The reproduction as an application: layout, caching, report, CLI."""

from __future__ import annotations

import dataclasses
import json
import re

import numpy as np
import pytest
from conftest import TINY_DIM, run_tiny_reproduction

from spheres_theory.cli import main
from spheres_theory.reproduce import (
    ITEMS,
    BoundsConfig,
    QuadRunConfig,
    ReluRunConfig,
    ReproduceConfig,
    load_result,
    run_reproduction,
)
from spheres_theory.reproduce.recipes import QUICK

SECTIONS = [
    "## 1. The isoperimetric bound",
    "## 2. Quad net on a fixed training set",
    "## 3. Online and exact adversarial training",
    "## 4. Drift from a perfect initialisation",
    "## 5. ReLU net",
    "## 6. Error rate vs mean distance to the nearest error",
    "## 7. Attack gap",
    "## 8. Decision-region slices",
    "## 9. Headline numbers",
    "## Trained quad nets",
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
VERDICTS = {"reproduced", "qualitatively", "not at this scale", "exact correction"}


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    return run_tiny_reproduction(tmp_path_factory, "reproduce")


def _cells(row: str) -> list[str]:
    """Split a Markdown table row on unescaped pipes."""
    inner = row.strip()[1:-1]
    return [c.strip() for c in re.split(r"(?<!\\)\|", inner)]


def test_report_sections_figures_and_valid_tables(run_dir):
    text = (run_dir / "report.md").read_text(encoding="utf-8")
    positions = [text.index(s) for s in SECTIONS]
    assert positions == sorted(positions)
    for name in FIGURES:
        assert (run_dir / "figures" / f"{name}.png").stat().st_size > 1000
        assert f"(figures/{name}.png)" in text
    # Every table row has its header's column count (an unescaped | in a cell
    # would add one).
    lines = text.splitlines()
    tables = 0
    for i, line in enumerate(lines):
        if line.startswith("|---"):
            width = len(_cells(lines[i - 1]))
            assert line.count("---") == width
            j = i + 1
            while j < len(lines) and lines[j].startswith("|"):
                assert len(_cells(lines[j])) == width, lines[j]
                j += 1
            tables += 1
    assert tables >= 9
    # The report stands alone: it cites the paper and the project's docs only.
    assert "SPEC" not in text and "shared" not in text
    assert "arXiv:1801.02774" in text and "docs/theory.md" in text


def test_headline_rows_have_a_place_and_a_verdict(run_dir):
    head = load_result(run_dir / "results" / "headline")
    assert len(head.rows) >= 10
    for row in head.rows:
        assert set(row) == {"quantity", "where", "paper", "ours", "verdict", "reason"}
        assert row["verdict"] in VERDICTS, row
        assert row["where"]


def test_every_quad_net_is_saved_for_verify(run_dir, capsys):
    nets = sorted(p.stem for p in (run_dir / "nets").glob("*.npz"))
    assert nets == [
        "adversarial_final",
        "drift_final",
        "drift_start",
        "fixed_set_early",
        "fixed_set_final",
        "online_final",
    ]
    fixed = load_result(run_dir / "results" / "fixed_set")
    for name in nets:
        with np.load(run_dir / "nets" / f"{name}.npz") as f:
            assert sorted(f.files) == ["W", "b", "w"]
    capsys.readouterr()
    path = str(run_dir / "nets" / "fixed_set_final.npz")
    code = main(["verify", path, "--dim", str(TINY_DIM), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code in (0, 1)
    assert report["dim"] == TINY_DIM
    # The verifier's α are the item's final α (independent eigendecomposition).
    with np.load(run_dir / "nets" / "fixed_set_final.npz") as f:
        W, w, b = f["W"].astype(np.float64), float(f["w"]), float(f["b"])
    alphas = np.sort(np.linalg.eigvalsh(W.T @ W) * w / -b)
    np.testing.assert_allclose(fixed.alphas[-1], alphas, rtol=1e-9, atol=1e-12)


def test_rerun_reuses_every_item(run_dir):
    before = (run_dir / "report.md").read_text(encoding="utf-8")
    cfg = dataclasses.replace(ReproduceConfig.tiny(TINY_DIM))
    run = run_reproduction(cfg, run_dir)
    assert set(run.reused) == set(ITEMS)
    after = run.report.read_text(encoding="utf-8")
    strip = re.compile(r"\| [a-z_]+ \| [0-9.]+ \| [^|]* \|")
    assert strip.sub("", before) == strip.sub("", after)


def test_workers_give_the_same_numbers(run_dir, tmp_path):
    """Items draw from their own seeds: in-process = worker processes."""
    cfg = ReproduceConfig.tiny(TINY_DIM)
    run = run_reproduction(cfg, tmp_path, workers=1)
    for name in ("fixed_set", "online", "relu", "error_distance"):
        a = load_result(run_dir / "results" / name)
        b = run.results[name]
        for field in dataclasses.fields(a):
            x, y = getattr(a, field.name), getattr(b, field.name)
            if field.name == "seconds":
                continue
            if isinstance(x, np.ndarray):
                np.testing.assert_array_equal(x, y, err_msg=f"{name}.{field.name}")


def test_config_sections_validate_themselves():
    with pytest.raises(ValueError, match="`steps`"):
        QuadRunConfig(steps=0)
    with pytest.raises(ValueError, match="`lr`"):
        QuadRunConfig(lr=-1.0)
    with pytest.raises(ValueError, match="`dims`"):
        BoundsConfig(dims=())
    with pytest.raises(ValueError, match="`init`"):
        ReluRunConfig(init="xavier")
    with pytest.raises(ValueError, match="`fixed_set` must be a QuadRunConfig"):
        ReproduceConfig(fixed_set=BoundsConfig())
    with pytest.raises(ValueError, match="unknown configuration keys"):
        ReproduceConfig.from_dict({"dimension": 3})


def test_quick_is_the_paper_with_the_recipes():
    paper, quick = ReproduceConfig.paper(), ReproduceConfig.quick()
    changed = {
        f.name
        for f in dataclasses.fields(ReproduceConfig)
        if getattr(paper, f.name) != getattr(quick, f.name)
    }
    assert changed == {"name", *QUICK}
    assert quick.fixed_set.hidden == 1000 and quick.fixed_set.batch_size == 50
    assert ReproduceConfig.from_dict(quick.to_dict()) == quick
    other = dataclasses.replace(quick, seed=1)
    assert other.fingerprint() != quick.fingerprint()


def test_library_run_leaves_blas_threads_alone(tmp_path):
    """No process-wide state changes: BLAS threads are the CLI's business."""
    from threadpoolctl import threadpool_info

    before = [d["num_threads"] for d in threadpool_info()]
    run_reproduction(ReproduceConfig.tiny(8), tmp_path)
    assert [d["num_threads"] for d in threadpool_info()] == before


def test_bad_arguments_are_rejected(tmp_path):
    cfg = ReproduceConfig.tiny(8)
    with pytest.raises(ValueError, match="`workers`"):
        run_reproduction(cfg, tmp_path, workers=0)
    with pytest.raises(ValueError, match="exclude each other"):
        run_reproduction(cfg, tmp_path, workers=2, scheduler="local")
    assert main(["reproduce", "--tiny", "--workers", "0", "--out", str(tmp_path)]) == 2


def _resumable_config():
    tiny = ReproduceConfig.tiny(8)
    return dataclasses.replace(
        tiny,
        save_every=100,
        online=dataclasses.replace(tiny.online, steps=4000, checkpoints=8),
        relu=dataclasses.replace(tiny.relu, steps=4000, checkpoints=8),
    )


_CHILD = """
import json, sys
from spheres_theory.reproduce import ReproduceConfig, run_reproduction
cfg = ReproduceConfig.from_dict(json.loads(open(sys.argv[1]).read()))
run_reproduction(cfg, sys.argv[2])
"""


def test_killed_run_resumes_to_the_numbers_of_an_uninterrupted_one(tmp_path):
    """kill -9 in the middle of a training item, rerun: the same numbers."""
    import os
    import signal
    import subprocess
    import sys
    import time

    cfg = _resumable_config()
    (tmp_path / "cfg.json").write_text(json.dumps(cfg.to_dict()))
    killed = tmp_path / "killed"
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(tmp_path / "cfg.json"), str(killed)]
    )
    state = killed / "state" / "relu.npz"
    deadline = time.monotonic() + 300
    while not state.exists() and proc.poll() is None:
        assert time.monotonic() < deadline, "the child never saved a state"
        time.sleep(0.01)
    time.sleep(0.2)  # somewhere inside the ReLU run (the first training)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (killed / "results" / "relu.json").exists(), "killed too late"
    assert (killed / "state" / "relu.npz").exists()
    resumed = run_reproduction(cfg, killed)
    assert "bounds" in resumed.reused and "relu" not in resumed.reused
    whole = run_reproduction(cfg, tmp_path / "whole")
    for name in ("online", "relu", "fixed_set", "drift", "adversarial"):
        a, b = resumed.results[name], whole.results[name]
        for field in dataclasses.fields(a):
            if field.name == "seconds":
                continue
            x, y = getattr(a, field.name), getattr(b, field.name)
            if isinstance(x, np.ndarray):
                np.testing.assert_array_equal(x, y, err_msg=f"{name}.{field.name}")
            else:
                assert x == y or (x != x and y != y), (name, field.name)
