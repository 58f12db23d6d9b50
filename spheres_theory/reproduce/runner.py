"""Run the report items (in parallel processes if asked), cache, report."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .config import ReproduceConfig
from .store import load_result, save_result

#: Names of the report items, in order (also the result file names).
ITEMS: tuple[str, ...] = (
    "bounds",
    "fixed_set",
    "online",
    "adversarial",
    "drift",
    "relu",
    "error_distance",
    "attack_gap",
    "slices",
    "headline",
)

# Item → the results and nets it needs from earlier items.
_NEEDS_RESULTS: dict[str, tuple[str, ...]] = {
    "error_distance": ("fixed_set", "online", "adversarial", "relu"),
    "headline": ITEMS[:-1],
}
_NEEDS_NETS: dict[str, tuple[str, ...]] = {
    "attack_gap": ("fixed_set_final", "fixed_set_early"),
    "slices": ("relu_final",),
}
_PRODUCER = {
    "fixed_set_final": "fixed_set",
    "fixed_set_early": "fixed_set",
    "relu_final": "relu",
}


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
    nets : tuple of pathlib.Path
        The trained quad nets, each a ``.npz`` with ``W``, ``w``, ``b`` that
        ``spheres-theory verify`` reads.
    """

    config: ReproduceConfig
    results: dict[str, Any]
    seconds: dict[str, float]
    reused: tuple[str, ...]
    report: Path
    figures: tuple[Path, ...]
    nets: tuple[Path, ...]


def run_item(
    name: str,
    config: ReproduceConfig,
    results: Mapping[str, Any],
    nets: Mapping[str, Any],
    progress: bool = False,
    state_dir: Path | None = None,
) -> tuple[Any, dict[str, Any], float]:
    """Run one item: (result, trained nets to keep, seconds).

    Module-level so that worker processes (and dask) can run it.  ``results``
    and ``nets`` hold what the item needs from earlier items; training items
    save their state under ``state_dir`` every ``config.save_every`` steps.
    """
    from spheres_theory.sphere import ConcentricSpheres

    from .items import (
        adversarial,
        attack_gap,
        bounds,
        drift,
        error_distance,
        fixed_set,
        headline,
        online,
        relu,
        slices,
    )

    gen = np.random.default_rng([config.seed, ITEMS.index(name)])
    sp = ConcentricSpheres(config.dim, outer_radius=config.outer_radius)
    start = time.perf_counter()
    out: dict[str, Any] = {}
    c = config
    resume: dict[str, Any] = {}
    if state_dir is not None and c.save_every is not None:
        resume = {"state_file": state_dir / f"{name}.npz", "save_every": c.save_every}
    if name == "bounds":
        result: Any = bounds.bound_curves(c.bounds)
    elif name == "fixed_set":
        result, out = fixed_set.fixed_set_quadnet(
            sp, c.fixed_set, c.montecarlo, gen, progress=progress, **resume
        )
    elif name == "online":
        result, out = online.online_quadnet(
            sp, c.online, gen, progress=progress, **resume
        )
    elif name == "adversarial":
        result, out = adversarial.adversarial_quadnet(
            sp, c.adversarial, gen, progress=progress, **resume
        )
    elif name == "drift":
        result, out = drift.perfect_init_drift(
            sp, c.drift, gen, progress=progress, **resume
        )
    elif name == "relu":
        result, out = relu.relu_net(
            sp, c.relu, c.attacks, c.montecarlo, gen, progress=progress, **resume
        )
    elif name == "error_distance":
        runs = {k: results[k] for k in ("fixed_set", "online", "adversarial")}
        result = error_distance.error_vs_distance(
            sp, runs, results["relu"], c.montecarlo, c.bounds, gen
        )
    elif name == "attack_gap":
        result = attack_gap.attack_gap_experiment(
            sp, nets["fixed_set_final"], nets["fixed_set_early"], c.attacks, gen
        )
    elif name == "slices":
        result = slices.decision_slices(
            sp, nets["relu_final"], c.slices, c.attacks, gen
        )
    else:
        result = headline.headline_table(c.dim, c.outer_radius, c.bounds, results, gen)
    return result, out, time.perf_counter() - start


class _Run:
    """Bookkeeping of one :func:`run_reproduction` call."""

    def __init__(
        self,
        config: ReproduceConfig,
        out: Path,
        force: bool,
        log: Callable,
        workers: int = 1,
    ) -> None:
        self.config, self.out, self.log, self.workers = config, out, log, workers
        self.measured: dict[str, float] = {}
        self.fingerprint = config.fingerprint()
        self.results: dict[str, Any] = {}
        self.seconds: dict[str, float] = {}
        self.nets: dict[str, Any] = {}
        self.reused: list[str] = []
        self.start = time.perf_counter()
        self.estimate = estimate_seconds(config)
        if force and (out / "state").exists():  # a forced run starts afresh
            for old in (out / "state").glob("*.npz"):
                old.unlink()
        for sub in ("results", "models", "nets", "state"):
            (out / sub).mkdir(parents=True, exist_ok=True)
        for name in ITEMS:
            if not force and (saved := self._saved(name)) is not None:
                self.results[name] = saved
                self.reused.append(name)
                log(f"{name}: reused the saved result")

    def _saved(self, name: str) -> Any:
        base = self.out / "results" / name
        if not base.with_suffix(".json").exists():
            return None
        doc = json.loads(base.with_suffix(".json").read_text())
        if doc.get("extra", {}).get("fingerprint") != self.fingerprint:
            return None
        missing = [
            n
            for n, item in _PRODUCER.items()
            if item == name and not (self.out / "models" / f"{n}.npz").exists()
        ]
        if missing:
            return None
        self.seconds[name] = float(doc["extra"]["seconds"])
        return load_result(base)

    def net(self, name: str) -> Any:
        from spheres_theory.training import load_model

        if name not in self.nets:
            self.nets[name] = load_model(self.out / "models" / f"{name}.npz")
        return self.nets[name]

    def inputs(self, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
        results = {k: self.results[k] for k in _NEEDS_RESULTS.get(name, ())}
        nets = {k: self.net(k) for k in _NEEDS_NETS.get(name, ())}
        return results, nets

    def finish(self, name: str, result: Any, nets: Mapping[str, Any], secs: float):
        from spheres_theory.training import save_model

        for key, net in nets.items():
            save_model(net, self.out / "models" / f"{key}.npz")
            self.nets[key] = net
            if hasattr(net, "to_rule"):  # a quad net: W, w, b for `verify`
                np.savez(
                    self.out / "nets" / f"{key}.npz",
                    W=np.asarray(net.W),
                    w=np.asarray(net.w),
                    b=np.asarray(net.b),
                )
        self.results[name] = result
        self.seconds[name] = secs
        save_result(
            result,
            self.out / "results" / name,
            extra={"fingerprint": self.fingerprint, "seconds": secs},
        )
        self.measured[name] = secs
        done = [n for n in ITEMS if n in self.results]
        # Remaining time: the model's estimate, rescaled by how the finished
        # items compared with it on this machine, shared by the workers.
        big = [n for n in self.measured if self.estimate[n] >= 5.0]
        est = sum(self.estimate[n] for n in big)
        scale = sum(self.measured[n] for n in big) / est if est > 0 else 1.0
        left = (
            scale
            * sum(self.estimate[n] for n in ITEMS if n not in self.results)
            / self.workers
        )
        elapsed = time.perf_counter() - self.start
        self.log(
            f"[{len(done)}/{len(ITEMS)}] {name}: {secs:.1f} s "
            f"(elapsed {_clock(elapsed)}, about {_clock(left)} left)"
        )


def _clock(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "?"
    m, s = divmod(round(seconds), 60)
    return f"{m // 60}:{m % 60:02d}:{s:02d}" if m >= 60 else f"{m}:{s:02d}"


def estimate_seconds(config: ReproduceConfig) -> dict[str, float]:
    """Projected seconds per item on one core, from the configured sizes.

    A rough model (per-step and per-sample costs measured at d = 500 on a
    2-core machine, scaled by the layer sizes); printed before a run starts.
    """
    d = config.dim

    def quad(run: Any) -> float:
        return run.steps * 2.0e-3 * (run.hidden * d) / 5e5 + 5.0

    relu_width = sum(config.relu.hidden) * d / 2
    relu_step = 2.5e-3 * max(relu_width / 1.3e5, 0.05)
    mc = config.montecarlo
    relu_ckpt = 2 * mc.n_samples * 1e-6 * relu_width / 1.3e5 * 4.0
    attack = config.attacks.n_samples * config.attacks.steps * 2e-5
    return {
        "bounds": 1.0,
        "fixed_set": quad(config.fixed_set) + 2 * mc.n_samples * d * 1e-8,
        "online": quad(config.online),
        "adversarial": quad(config.adversarial) * 4.0,
        "drift": quad(config.drift.run),
        "relu": config.relu.steps * relu_step
        + config.relu.checkpoints * (attack + relu_ckpt / 10)
        + relu_ckpt,
        "error_distance": 3 * 20 * mc.distance_points * 2e-4,
        "attack_gap": 2 * attack,
        "slices": attack + config.slices.resolution**2 * 1e-5,
        "headline": 3.0,
    }


def _quiet(line: str) -> None:
    """Drop a log line."""


def _stages(todo: list[str]) -> list[list[str]]:
    """Items in dependency order: the trainings first, then what uses them."""
    first = [n for n in ("relu", "online", "adversarial", "fixed_set", "drift")]
    stages = [
        ["bounds", *first],
        ["error_distance", "attack_gap", "slices"],
        ["headline"],
    ]
    return [[n for n in stage if n in todo] for stage in stages]


def _init_worker() -> None:  # pragma: no cover - runs in worker processes
    """One BLAS thread per worker process (the worker is ours alone)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def run_reproduction(
    config: ReproduceConfig,
    out_dir: str | Path,
    *,
    progress: bool = False,
    force: bool = False,
    plot: Callable[[Mapping[str, Any], Path], Any] | None = None,
    log: Callable[[str], Any] | None = None,
    workers: int = 1,
    scheduler: Any = None,
) -> ReproductionResult:
    """Run every report item, save the results and write ``report.md``.

    Parameters
    ----------
    config : ReproduceConfig
        Sizes and seeds.
    out_dir : str or path-like
        Output folder (created): ``results/<item>.npz|.json``,
        ``models/<net>.npz`` (for reruns), ``nets/<net>.npz`` (every trained
        quad net as ``W``, ``w``, ``b``, readable by ``spheres-theory
        verify``), ``figures/*.png`` (by ``plot``), ``config.json``,
        ``report.md``.
    progress : bool, default False
        Show tqdm training bars (in-process runs only).
    force : bool, default False
        Recompute items whose saved result exists.  Without it a saved result
        is reused when it was computed with the same configuration
        (:meth:`ReproduceConfig.fingerprint`).
    plot : callable, optional
        ``plot(results, figures_dir)`` returning the written paths, e.g.
        :func:`spheres_theory.reproduce.figures.save_figures`.  Without it the
        report links the figures already in ``out_dir/figures``.
    log : callable, optional
        Receives one line per event (projected time, item done with the
        elapsed time and the work left); by default the lines are dropped.
    workers : int, default 1
        Worker processes for the independent items (1: everything in this
        process).  Each worker runs one BLAS thread.
    scheduler : str or dask.distributed.Client, optional
        Run the items on dask instead: ``"local"`` (a LocalCluster of
        single-threaded processes) or a scheduler address; needs the ``dask``
        extra.  Excludes ``workers > 1``.

    Returns
    -------
    ReproductionResult
        The results, timings and paths.

    Notes
    -----
    Item k draws its randomness from ``numpy.random.default_rng([seed, k])``,
    so every item gives the same numbers whether it runs alone, in this
    process or in a worker.  The trainings (items 2–6) are independent; items
    7–9 use their results and nets, item 10 all results.  The library's
    process-wide state (BLAS threads, warning filters) is left alone.

    References
    ----------
    .. [1] J. Gilmer et al., "Adversarial Spheres", arXiv:1801.02774, 2018.
    """
    from spheres_theory._validation import check_int

    workers = check_int(workers, "workers", minimum=1)
    if workers > 1 and scheduler is not None:
        msg = "`workers` > 1 and `scheduler` exclude each other; pass one."
        raise ValueError(msg)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    log = _quiet if log is None else log
    (out / "config.json").write_text(
        json.dumps(
            {"fingerprint": config.fingerprint(), "config": config.to_dict()},
            indent=1,
        )
        + "\n"
    )
    run = _Run(config, out, force, log, workers)
    todo = [n for n in ITEMS if n not in run.results]
    projected = sum(run.estimate[n] for n in todo) / max(workers, 1)
    log(f"projected time: about {_clock(projected)} ({len(todo)} items to run)")
    if scheduler is not None:
        from spheres_theory._parallel import dask_client

        with dask_client(scheduler) as client:
            _execute(run, todo, lambda f, *a: client.submit(f, *a, pure=False))
    elif workers > 1:
        with ProcessPoolExecutor(workers, initializer=_init_worker) as pool:
            _execute(run, todo, pool.submit)
    else:
        _execute(run, todo, None, progress=progress)
    return _report(run, plot)


def _execute(
    run: _Run, todo: list[str], submit: Any, *, progress: bool = False
) -> None:
    """Run ``todo`` stage by stage, in this process or through ``submit``."""
    for stage in _stages(todo):
        if submit is None:
            for name in stage:
                results, nets = run.inputs(name)
                state = run.out / "state"
                out = run_item(name, run.config, results, nets, progress, state)
                run.finish(name, *out)
            continue
        futures: dict[str, Future] = {}
        for name in stage:
            results, nets = run.inputs(name)
            futures[name] = submit(
                run_item, name, run.config, results, nets, False, run.out / "state"
            )
        for name in stage:
            run.finish(name, *futures[name].result())


def _report(
    run: _Run, plot: Callable[[Mapping[str, Any], Path], Any] | None
) -> ReproductionResult:
    from .report import write_report

    out = run.out
    if plot is not None:
        figures = tuple(Path(p) for p in plot(run.results, out / "figures"))
    else:  # keep figures of an earlier run in the report
        figures = tuple(sorted((out / "figures").glob("*.png")))
    nets = tuple(sorted((out / "nets").glob("*.npz")))
    report = out / "report.md"
    report.write_text(
        write_report(
            run.config, run.results, run.seconds, tuple(run.reused), figures, out
        ),
        encoding="utf-8",
    )
    run.log(f"report: {report}")
    return ReproductionResult(
        config=run.config,
        results=run.results,
        seconds=run.seconds,
        reused=tuple(run.reused),
        report=report,
        figures=figures,
        nets=nets,
    )
