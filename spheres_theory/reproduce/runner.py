"""Run the report items, cache their results and write the report."""

from __future__ import annotations

import dataclasses
import json
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from spheres_theory._parallel import dask_client

from .config import ReproduceConfig
from .items.attack_gap import attack_gap_experiment
from .items.bounds import bound_curves
from .items.drift import perfect_init_drift
from .items.error_distance import (
    assemble_error_distance,
    item5_generators,
    quad_columns,
    relu_checkpoints,
    run_error_vs_distance,
)
from .items.fixed_set import run_fixed_set_quadnet
from .items.headline import headline_table
from .items.online import online_quadnet
from .items.slices import decision_slices
from .report import write_report
from .store import load_result, save_result

#: Names of the report items, in order (also the result file names).
ITEMS: tuple[str, ...] = (
    "bounds",
    "fixed_set",
    "online",
    "drift",
    "error_distance",
    "attack_gap",
    "slices",
    "headline",
)


@dataclass(frozen=True, slots=True, eq=False)
class ReproductionResult:
    """What :func:`run_reproduction` did.

    Attributes
    ----------
    config : ReproduceConfig
        The configuration.
    results : dict of str to result object
        One result per item of :data:`ITEMS`.
    seconds : dict of str to float
        Wall-clock seconds per item (of the run that computed it).
    reused : tuple of str
        Items loaded from ``out_dir`` instead of recomputed.
    report : pathlib.Path
        The written ``report.md``.
    figures : tuple of pathlib.Path
        Figures written by the ``plot`` hook.
    """

    config: ReproduceConfig
    results: dict[str, Any]
    seconds: dict[str, float]
    reused: tuple[str, ...]
    report: Path
    figures: tuple[Path, ...]


def _quiet(line: str) -> None:
    """Drop a log line."""


def run_reproduction(
    config: ReproduceConfig,
    out_dir: str | Path,
    *,
    progress: bool = True,
    force: bool = False,
    plot: Callable[[Mapping[str, Any], Path], Any] | None = None,
    log: Callable[[str], Any] | None = None,
    scheduler: str | None = None,
) -> ReproductionResult:
    """Run every report item, save the results and write ``report.md``.

    Parameters
    ----------
    config : ReproduceConfig
        Sizes and seeds.
    out_dir : str or path-like
        Output folder (created): ``results/<item>.npz|.json``,
        ``models/*.npz``, ``figures/*.png`` (by ``plot``), ``config.json``,
        ``report.md``.
    progress : bool, default True
        Show tqdm training progress bars.
    force : bool, default False
        Recompute items whose saved result exists.  Without it a saved result
        is reused when it was computed with the same configuration
        (:meth:`ReproduceConfig.fingerprint`).
    plot : callable, optional
        ``plot(results, figures_dir)`` returning the written paths, e.g.
        :func:`spheres_theory.plotting.save_figures` (this module does not
        import matplotlib).  Without it the report links the figures already
        in ``out_dir/figures`` from an earlier run.
    log : callable, optional
        Receives one line per event (item started, reused, done); by default
        the lines are dropped.  The command line passes a stderr writer.
    scheduler : str, optional
        ``None`` (default) runs the items one after the other in this process.
        ``"local"`` starts a :class:`dask.distributed.LocalCluster` (one
        single-threaded worker process per core) and ``"tcp://host:port"``
        connects to a running dask scheduler; the independent items then run
        in parallel (items 1–5, then 6–7; item 8 here), without progress
        bars.  Needs the ``dask`` extra (``dask[distributed]``).

    Returns
    -------
    ReproductionResult
        The results, timings and paths.

    Notes
    -----
    Item k draws its randomness from ``numpy.random.default_rng([seed, k])``,
    so a rerun of one item gives the same numbers as in the full run.  Items
    6 and 7 attack the models trained in items 2 and 5 (saved under
    ``models/``).  The quad-net points of item 5 are item 3's checkpoints
    (:func:`error_vs_distance` with ``online=``): item 5 trains only the ReLU
    net, and when item 3 is recomputed while item 5 is reused, item 5's
    quad-net columns are replaced by the new item 3's (its ReLU part is kept).

    References
    ----------
    .. [1] J. Gilmer et al., "Adversarial Spheres", arXiv:1801.02774, 2018.

    Examples
    --------
    >>> import tempfile
    >>> cfg = dataclasses.replace(ReproduceConfig.tiny(dim=8), checkpoints=3)
    >>> with tempfile.TemporaryDirectory() as tmp:  # doctest: +SKIP
    ...     run = run_reproduction(cfg, tmp, progress=False)
    """
    return _run_reproduction(config, out_dir, progress, force, plot, log, scheduler)


def _run_reproduction(
    config: ReproduceConfig,
    out_dir: str | Path,
    progress: bool,
    force: bool,
    plot: Callable[[Mapping[str, Any], Path], Any] | None,
    log: Callable[[str], Any] | None,
    scheduler: str | None,
) -> ReproductionResult:
    from spheres_theory.training import load_model, save_model

    out = Path(out_dir)
    (out / "results").mkdir(parents=True, exist_ok=True)
    (out / "models").mkdir(parents=True, exist_ok=True)
    if log is None:
        log = _quiet
    fingerprint = config.fingerprint()
    (out / "config.json").write_text(
        json.dumps({"fingerprint": fingerprint, "config": config.to_dict()}, indent=1)
        + "\n"
    )
    results: dict[str, Any] = {}
    seconds: dict[str, float] = {}
    reused: list[str] = []
    models: dict[str, Any] = {}

    def saved(name: str) -> Any:
        base = out / "results" / name
        if force or not base.with_suffix(".json").exists():
            return None
        try:
            doc = json.loads(base.with_suffix(".json").read_text())
            if doc.get("extra", {}).get("fingerprint") != fingerprint:
                return None
            seconds[name] = float(doc["extra"].get("seconds", math.nan))
            return load_result(base)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def model(name: str) -> Any:
        if name not in models:
            path = out / "models" / f"{name}.npz"
            models[name] = load_model(path) if path.exists() else None
        return models[name]

    todo = []
    for index, name in enumerate(ITEMS):
        previous = saved(name)
        if previous is not None:
            results[name] = previous
            reused.append(name)
            log(f"[{index + 1}/{len(ITEMS)}] {name}: reused saved result")
        else:
            todo.append(name)

    def store(name: str, result: Any) -> None:
        results[name] = result
        save_result(
            result,
            out / "results" / name,
            extra={"fingerprint": fingerprint, "seconds": seconds[name]},
        )

    def finish(name: str, result: Any, net: Any, elapsed: float) -> None:
        if net is not None:
            key = "fixed_quadnet" if name == "fixed_set" else "relu"
            save_model(net, out / "models" / f"{key}.npz")
            models[key] = net
        seconds[name] = elapsed
        store(name, result)
        log(f"    {name}: {elapsed:.2f} s")
        if name == "online" and "error_distance" in reused:
            # Item 5 plots item 3's checkpoints: keep them in step.
            store(
                "error_distance",
                dataclasses.replace(results["error_distance"], **quad_columns(result)),
            )
            log("    error_distance: quad-net columns updated from item 3")

    if scheduler is None:
        for name in todo:
            log(f"[{ITEMS.index(name) + 1}/{len(ITEMS)}] {name}: running")
            needs = _NEEDS.get(name)
            finish(
                name,
                *_run_item(
                    name,
                    config,
                    progress,
                    model(needs) if needs else None,
                    results if name in ("error_distance", "headline") else None,
                ),
            )
    else:
        _run_distributed(scheduler, todo, config, results, model, finish, log)
    if plot is not None:
        figures = tuple(Path(p) for p in plot(results, out / "figures"))
    else:  # keep figures of an earlier run in the report
        figures = tuple(
            p for name in ITEMS if (p := out / "figures" / f"{name}.png").exists()
        )
    report = out / "report.md"
    report.write_text(
        write_report(config, results, seconds, tuple(reused), figures, out),
        encoding="utf-8",
    )
    log(f"report: {report}")
    return ReproductionResult(
        config=config,
        results=results,
        seconds=seconds,
        reused=tuple(reused),
        report=report,
        figures=figures,
    )


# Item → the saved model it attacks.
_NEEDS = {"attack_gap": "fixed_quadnet", "slices": "relu"}


def _run_item(
    name: str,
    config: ReproduceConfig,
    progress: bool,
    model: Any = None,
    results: Mapping[str, Any] | None = None,
) -> tuple[Any, Any, float]:
    """Run one item: (result, trained model to keep or None, seconds).

    Module-level and free of closures so that dask can ship it to workers.
    ``results`` holds item 3's result for item 5 and every result for item 8.
    """
    gen = np.random.default_rng([config.seed, ITEMS.index(name)])
    start = time.perf_counter()
    net = None
    if name == "bounds":
        result: Any = bound_curves(config, gen)
    elif name == "fixed_set":
        result, net = run_fixed_set_quadnet(config, gen, progress)
    elif name == "online":
        result = online_quadnet(config, gen, progress=progress)
    elif name == "drift":
        result = perfect_init_drift(config, gen, progress=progress)
    elif name == "error_distance":
        online = None if results is None else results.get("online")
        result, net = run_error_vs_distance(config, gen, progress, online)
    elif name == "attack_gap":
        result = attack_gap_experiment(config, gen, model=model, progress=progress)
    elif name == "slices":
        result = decision_slices(config, gen, model=model, progress=progress)
    else:
        result = headline_table(config, gen, results=results)
    return result, net, time.perf_counter() - start


def _run_relu_part(
    config: ReproduceConfig,
) -> tuple[dict[str, NDArray[Any]], Any, float]:
    """Item 5's ReLU part with item 5's stream: (columns, model, seconds)."""
    gen = np.random.default_rng([config.seed, ITEMS.index("error_distance")])
    start = time.perf_counter()
    _, relu_gen = item5_generators(gen)
    relu, net = relu_checkpoints(config, relu_gen, False)
    return relu, net, time.perf_counter() - start


def _run_distributed(
    scheduler: str,
    todo: list[str],
    config: ReproduceConfig,
    results: dict[str, Any],
    model: Callable[[str], Any],
    finish: Callable[[str, Any, Any, float], None],
    log: Callable[[str], Any],
) -> None:
    """Run the items of ``todo`` on a dask cluster, stage by stage."""
    stages = (
        ("bounds", "fixed_set", "online", "drift", "error_distance"),
        ("attack_gap", "slices"),
    )
    with dask_client(scheduler) as client:
        for stage in stages:
            names = [n for n in stage if n in todo]
            futures = {}
            for name in names:
                log(f"[{ITEMS.index(name) + 1}/{len(ITEMS)}] {name}: submitted")
                needs = _NEEDS.get(name)
                futures[name] = (
                    # Item 5 needs item 3's result: only its ReLU part runs
                    # in parallel with item 3; the two are joined below.
                    client.submit(_run_relu_part, config, pure=False)
                    if name == "error_distance"
                    else client.submit(
                        _run_item,
                        name,
                        config,
                        False,
                        model(needs) if needs else None,
                        pure=False,
                    )
                )
            for name in names:
                if name == "error_distance":
                    continue
                finish(name, *futures[name].result())
            if "error_distance" in names:
                relu, net, elapsed = futures["error_distance"].result()
                start = time.perf_counter()
                result = assemble_error_distance(config, results["online"], relu)
                elapsed += time.perf_counter() - start
                finish("error_distance", result, net, elapsed)
    if "headline" in todo:
        finish("headline", *_run_item("headline", config, False, None, results))
