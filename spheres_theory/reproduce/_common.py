"""Helpers shared by the report items (training at chosen steps, losses)."""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from spheres_theory.sphere import ConcentricSpheres, uniform_sphere

from .config import QuadRunConfig, ReproduceConfig
from .store import Result

RNG = int | np.random.Generator | None


def spheres_of(config: ReproduceConfig) -> ConcentricSpheres:
    """Return the run's concentric spheres."""
    return ConcentricSpheres(config.dim, outer_radius=config.outer_radius)


def child_generators(gen: np.random.Generator, n: int) -> list[np.random.Generator]:
    """``n`` independent generators seeded from ``gen`` (one draw from it)."""
    seed = gen.integers(2**63)
    return [np.random.default_rng([seed, k]) for k in range(n)]


def log10_prob(tail: Any) -> float:
    """Return log10 of a tail probability result."""
    return float(tail.log10_value)


def softplus(z: Any) -> Any:
    """Return log(1 + e^z), computed stably."""
    return np.logaddexp(0.0, z)


def checkpoint_steps(steps: int, count: int) -> list[int]:
    """``count`` checkpoint steps from 0 to ``steps``, log-spaced after 0.

    Log spacing resolves the fast early fall of the error rates and the slow
    late approach to the band alike.
    """
    if steps <= count:
        return list(range(steps + 1))
    grid = np.unique(np.round(np.geomspace(1, steps, count - 1)).astype(np.int64))
    return sorted({0, *map(int, grid), steps})


def geometric_schedule(lr: float, lr_final: float | None, steps: int) -> Any:
    """``lr`` constant, or decaying geometrically to ``lr_final`` at ``steps``."""
    if lr_final is None or lr_final == lr:
        return lr
    ratio = math.log(lr_final / lr) / max(steps - 1, 1)

    def schedule(step: int) -> float:
        return lr * math.exp(ratio * (step - 1))

    return schedule


@dataclass(frozen=True, slots=True, eq=False)
class QuadRun:
    """A quad-net training run with the exact theory at its checkpoints.

    Attributes
    ----------
    steps : ndarray of shape (k,)
        Adam steps at the checkpoints.
    alphas : ndarray of shape (k, dim)
        Sorted α of the net's rule at each checkpoint.
    n_bad_alphas : ndarray of shape (k,)
        Number of α outside [1/R², 1].
    log10_error_inner, log10_error_outer : ndarray of shape (k,)
        log10 of the exact error rates (−inf when exactly 0).
    log10_clt_inner : ndarray of shape (k,)
        The paper's CLT estimate of the inner error rate (approximation).
    train_loss : ndarray of shape (k,)
        Mean training-batch loss over the steps before each checkpoint.
    extra : dict of str to ndarray
        Item-specific columns (e.g. the drift's losses).
    snapshots : dict of int to (W, w, b)
        The net's parameters at the checkpoints (not saved with the result).
    seconds : float
        Wall-clock training time, checkpoints included.
    """

    steps: NDArray[np.int64]
    alphas: NDArray[np.float64]
    n_bad_alphas: NDArray[np.int64]
    log10_error_inner: NDArray[np.float64]
    log10_error_outer: NDArray[np.float64]
    log10_clt_inner: NDArray[np.float64]
    train_loss: NDArray[np.float64]
    extra: dict[str, NDArray[np.float64]]
    snapshots: dict[int, tuple[NDArray[np.float32], float, float]]
    seconds: float


def rule_row(rule: Any, spheres: ConcentricSpheres) -> dict[str, Any]:
    """Exact theory of one rule: sorted α, bad-α count, error rates, CLT."""
    inner = rule.error_rate(spheres, sphere="inner")
    return {
        "alphas": np.sort(np.asarray(rule.alphas, dtype=np.float64)),
        "n_bad_alphas": rule.bad_alphas(spheres).n_bad,
        "log10_error_inner": log10_prob(inner),
        "log10_error_outer": log10_prob(rule.error_rate(spheres, sphere="outer")),
        "log10_clt_inner": log10_prob(
            rule.error_rate(spheres, sphere="inner", method="clt")
        ),
    }


def _save_rows(path: Path, rows: dict[int, dict[str, Any]], extra: dict) -> None:
    """Write checkpoint rows (and ``extra`` arrays) to ``path``, atomically."""
    arrays = {
        f"{step}:{k}": np.asarray(v)
        for step, row in rows.items()
        for k, v in row.items()
    }
    arrays.update({f"_:{k}": np.asarray(v) for k, v in extra.items()})
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez(tmp, **arrays)
    os.replace(tmp, path)


def _load_rows(path: Path) -> tuple[dict[int, dict[str, Any]], dict[str, Any]]:
    rows: dict[int, dict[str, Any]] = {}
    extra: dict[str, Any] = {}
    with np.load(path, allow_pickle=False) as data:
        for key in data.files:
            step, name = key.split(":", 1)
            value = data[key]
            value = value[()] if value.ndim == 0 else value
            if step == "_":
                extra[name] = value
            else:
                rows.setdefault(int(step), {})[name] = value
    return rows, extra


def train_resumable(
    model: Any,
    spheres: ConcentricSpheres,
    *,
    steps: int,
    wanted: list[int],
    record: Callable[[Any, int, float], dict[str, Any] | None],
    stop: Callable[[dict[str, Any]], bool] | None = None,
    state_file: Path | None = None,
    save_every: int | None = None,
    **train_kwargs: Any,
) -> tuple[Any, dict[int, dict[str, Any]], float]:
    """Train with checkpoints that survive a kill: (model, rows, seconds).

    ``record(model, step, loss)`` returns the row of a wanted checkpoint
    step.  With ``state_file`` the model, Adam's state and the rows are saved
    every ``save_every`` steps (each file replaced atomically) and a rerun
    continues from the last save, so a run killed at any moment ends with the
    numbers of an uninterrupted one.  ``train_kwargs`` go to
    :func:`spheres_theory.training.train` (``rng`` included: its stream is
    part of the saved state).
    """
    from spheres_theory.training import (
        load_training_state,
        save_training_state,
        train,
    )

    rows: dict[int, dict[str, Any]] = {}
    state = None
    seconds = 0.0
    rows_file = None if state_file is None else state_file.with_suffix(".rows.npz")
    stopped = False
    if state_file is not None and state_file.exists() and rows_file.exists():
        model, state = load_training_state(state_file)
        rows, saved = _load_rows(rows_file)
        # The rows are written before the state: rows past the saved state
        # (a kill between the two writes) are recomputed by the retraining.
        rows = {k: v for k, v in rows.items() if k <= state.step}
        seconds = float(saved.get("seconds", 0.0))
        stopped = int(saved.get("stopped_at", -1)) == state.step
    wanted_set = set(wanted)

    def callback(m: Any, ckpt: Any) -> bool:
        nonlocal stopped
        step = int(ckpt.step)
        if step not in wanted_set or step in rows:
            return False
        row = record(m, step, float(ckpt.loss))
        rows[step] = row
        stopped = stop is not None and bool(stop(row))
        return stopped

    done = 0 if state is None else int(state.step)
    chunk = steps if save_every is None or state_file is None else save_every
    while done < steps and not stopped:
        start = time.perf_counter()
        n = min(chunk, steps - done)
        hist = train(
            model,
            spheres,
            steps=n,
            state=state,
            checkpoint_steps=[s for s in wanted if done <= s <= done + n],
            callbacks=(callback,),
            exact_checkpoints=False,
            **train_kwargs,
        )
        state = hist.state
        done = int(state.step)
        seconds += time.perf_counter() - start
        if state_file is not None:
            mark = {"seconds": seconds, "stopped_at": done if stopped else -1}
            _save_rows(rows_file, rows, mark)
            save_training_state(state_file, model, state)
    if 0 in wanted_set and 0 not in rows:  # steps == 0
        rows[0] = record(model, 0, float("nan"))
    return model, rows, seconds


def run_quad(
    model: Any,
    spheres: ConcentricSpheres,
    run: QuadRunConfig,
    rng: np.random.Generator,
    *,
    extra: Callable[[Any], dict[str, float]] | None = None,
    data: tuple[NDArray[Any], NDArray[Any]] | None = None,
    stop_when_perfect: bool = False,
    batch_transform: Any = None,
    state_file: Path | None = None,
    save_every: int | None = None,
    progress: bool = False,
) -> tuple[Any, QuadRun]:
    """Train a quad net as ``run`` says and record the exact theory.

    At each of ``run.checkpoints`` log-spaced steps the net's rule gives its
    sorted α, bad-α count, exact error rates and CLT estimate; ``extra(model)``
    adds item-specific columns.  With ``stop_when_perfect`` training stops at
    the first checkpoint whose rule is certified perfect (every α in the band).
    Returns the trained net (a new object after a resume) and the run.
    """
    wanted = checkpoint_steps(run.steps, run.checkpoints)
    if run.check_every is not None:
        every = range(run.check_every, run.steps + 1, run.check_every)
        wanted = sorted({*wanted, *every})

    def record(m: Any, step: int, loss: float) -> dict[str, Any]:
        row = rule_row(m.to_rule(), spheres)
        row["train_loss"] = loss
        if extra is not None:
            row.update(extra(m))
        row["W"], row["w"], row["b"] = np.array(m.W), float(m.w), float(m.b)
        return row

    model, rows, seconds = train_resumable(
        model,
        spheres,
        steps=run.steps,
        wanted=wanted,
        record=record,
        stop=(lambda row: row["n_bad_alphas"] == 0) if stop_when_perfect else None,
        state_file=state_file,
        save_every=save_every,
        batch_size=run.batch_size,
        lr=geometric_schedule(run.lr, run.lr_final, run.steps),
        readout_lr=run.readout_lr,
        eps=run.eps,
        readout_eps=run.readout_eps,
        train_size=run.train_size if data is None else None,
        data=data,
        rng=rng,
        progress=progress,
        batch_transform=batch_transform,
    )
    steps = sorted(rows)

    def col(name: str, dtype: Any = np.float64) -> NDArray[Any]:
        return np.array([rows[s][name] for s in steps], dtype=dtype)

    base = {
        "alphas",
        "n_bad_alphas",
        "log10_error_inner",
        "log10_error_outer",
        "log10_clt_inner",
        "train_loss",
        "W",
        "w",
        "b",
    }
    snapshots = {
        s: (rows[s]["W"], float(rows[s]["w"]), float(rows[s]["b"])) for s in steps
    }
    return model, QuadRun(
        steps=np.array(steps, dtype=np.int64),
        alphas=col("alphas"),
        n_bad_alphas=col("n_bad_alphas", np.int64),
        log10_error_inner=col("log10_error_inner"),
        log10_error_outer=col("log10_error_outer"),
        log10_clt_inner=col("log10_clt_inner"),
        train_loss=col("train_loss"),
        extra={k: col(k) for k in rows[steps[0]] if k not in base},
        snapshots=snapshots,
        seconds=seconds,
    )


def quad_net_from(snapshot: tuple[NDArray[Any], float, float]) -> Any:
    """Rebuild a QuadNet (float32) from a (W, w, b) snapshot."""
    from spheres_theory.models import QuadNet

    W, w, b = snapshot
    net = QuadNet(W.shape[1], W.shape[0], rng=0, dtype=np.float32)
    net.W, net.w, net.b = W, w, b
    return net


def worst_case_loss(model: Any, spheres: ConcentricSpheres) -> float:
    """Exact max cross-entropy of a quad net over both spheres."""
    W = np.asarray(model.W, dtype=np.float64)
    w, b = float(model.w), float(model.b)
    s2 = np.linalg.svd(W, compute_uv=False) ** 2
    if W.shape[0] < W.shape[1]:
        s2 = np.append(s2, 0.0)
    lam = w * s2
    R2 = spheres.outer_radius**2
    inner_max_logit = b + lam.max()
    outer_min_logit = b + R2 * lam.min()
    return float(max(softplus(inner_max_logit), softplus(-outer_min_logit)))


def mean_loss(model: Any, x: NDArray[np.float64], y: NDArray[np.int64]) -> float:
    """Mean cross-entropy of ``model`` on labelled points."""
    z = np.asarray(model.logit(x), dtype=np.float64)
    return float(np.mean(softplus(np.where(y == 1, -z, z))))


def nearest_pair(n: int, dim: int, rng: np.random.Generator) -> float:
    """Smallest distance among ``n`` uniform points of the unit sphere."""
    x = uniform_sphere(n, dim, rng=rng)
    best = math.inf
    chunk = 1000
    for i in range(0, n, chunk):
        block = x[i : i + chunk]
        g = block @ x[i:].T  # row r is point i + r, column c is point i + c
        g[np.tril_indices(block.shape[0], m=g.shape[1])] = -np.inf  # c <= r
        # On the unit sphere ‖a − b‖² = 2 − 2 a·b; the largest dot is nearest.
        best = min(best, float(np.sqrt(max(2.0 - 2.0 * g.max(), 0.0))))
    return best


@dataclass(frozen=True, slots=True, eq=False)
class QuadRunResult(Result):
    """Fields shared by the items that train a quad net.

    Attributes
    ----------
    steps : ndarray of shape (k,)
        Adam steps at the checkpoints (log-spaced).
    alphas : ndarray of shape (k, dim)
        Sorted α of the net's rule at each checkpoint.
    n_bad_alphas : ndarray of shape (k,)
        Number of α outside [1/R², 1].
    log10_error_inner, log10_error_outer : ndarray of shape (k,)
        log10 of the exact error rates (−inf when exactly 0).
    log10_clt_inner : ndarray of shape (k,)
        log10 of the paper's CLT estimate of the inner error rate (an
        approximation, with the paper's typos corrected).
    train_loss : ndarray of shape (k,)
        Mean training-batch loss over the steps before each checkpoint.
    alpha_low, alpha_high : float
        The perfect band [1/R², 1].
    hidden, batch_size, train_size : int
        Architecture and data (``train_size`` 0: online).
    lr, readout_lr, lr_final : float
        Adam learning rates of W and of (w, b); ``lr_final`` is W's rate at
        the last step (equal to ``lr`` without decay).
    seconds : float
        Wall-clock training time.
    """

    steps: NDArray[np.int64]
    alphas: NDArray[np.float64]
    n_bad_alphas: NDArray[np.int64]
    log10_error_inner: NDArray[np.float64]
    log10_error_outer: NDArray[np.float64]
    log10_clt_inner: NDArray[np.float64]
    train_loss: NDArray[np.float64]
    alpha_low: float
    alpha_high: float
    hidden: int
    batch_size: int
    train_size: int
    lr: float
    readout_lr: float
    lr_final: float
    seconds: float


def run_fields(
    run: QuadRun, config: QuadRunConfig, spheres: ConcentricSpheres
) -> dict[str, Any]:
    """Return the :class:`QuadRunResult` fields of a finished run."""
    low, high = spheres.alpha_range
    return {
        "steps": run.steps,
        "alphas": run.alphas,
        "n_bad_alphas": run.n_bad_alphas,
        "log10_error_inner": run.log10_error_inner,
        "log10_error_outer": run.log10_error_outer,
        "log10_clt_inner": run.log10_clt_inner,
        "train_loss": run.train_loss,
        "alpha_low": float(low),
        "alpha_high": float(high),
        "hidden": config.hidden,
        "batch_size": config.batch_size,
        "train_size": config.train_size or 0,
        "lr": config.lr,
        "readout_lr": config.readout_lr or config.lr,
        "lr_final": config.lr_final or config.lr,
        "seconds": run.seconds,
    }


def perfect_fields(run: QuadRun) -> dict[str, Any]:
    """Return ``perfect`` (last rule certified) and ``steps_to_perfect`` (or -1)."""
    hits = np.flatnonzero(run.n_bad_alphas == 0)
    return {
        "perfect": bool(run.n_bad_alphas[-1] == 0),
        "steps_to_perfect": int(run.steps[hits[0]]) if hits.size else -1,
    }


def count_rule_errors(
    alphas: NDArray[np.float64],
    spheres: ConcentricSpheres,
    n_samples: int,
    rng: np.random.Generator,
    *,
    chunk: int = 50_000,
) -> tuple[int, int]:
    """Count sampled errors of the rule Σ α_i z_i² ≷ 1 on each sphere.

    Uniform points of a sphere are uniform in every orthonormal basis, so the
    points are drawn in the rule's eigenbasis: z = r g/‖g‖ with g standard
    normal, and a point of radius r is called "outer" iff r² Σ α g²/‖g‖² > 1.
    Returns (inner errors, outer errors) among ``n_samples`` points each.
    """
    errors = []
    for radius, outer in ((1.0, False), (spheres.outer_radius, True)):
        count = 0
        done = 0
        while done < n_samples:
            m = min(chunk, n_samples - done)
            g = rng.standard_normal((m, alphas.size))
            g *= g
            q = radius**2 * (g @ alphas) / g.sum(axis=1)
            count += int(np.count_nonzero((q > 1.0) != outer))
            done += m
        errors.append(count)
    return errors[0], errors[1]
