"""Item 6: the ReLU net with batch norm: no sampled error, yet nearby errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from spheres_theory._stats import clopper_pearson, count_errors
from spheres_theory.sphere import ConcentricSpheres

from .._common import checkpoint_steps, train_resumable
from ..config import AttackConfig, MonteCarloConfig, ReluRunConfig
from ..store import Result


@dataclass(frozen=True, slots=True, eq=False)
class ReluResult(Result):
    """Item 6: a ReLU net (two hidden layers, batch norm) trained online.

    Attributes
    ----------
    steps : ndarray of shape (k,)
        Adam steps at the checkpoints.
    errors_inner, errors_outer : ndarray of shape (k,)
        Misclassified sampled points of each sphere.
    n_samples : ndarray of shape (k,)
        Sampled points per sphere at each checkpoint (the last checkpoint
        uses the full Monte Carlo size, earlier ones a tenth of it).
    ci_low, ci_high : ndarray of shape (k,)
        Two-sided Clopper–Pearson interval of the inner error rate μ.
    attack_success : ndarray of shape (k,)
        Fraction of random inner starting points from which PGD on the
        sphere found an error.
    attack_mean_distance : ndarray of shape (k,)
        Mean PGD distance over the starts, a failed attack counting as the
        sphere's diameter 2: an upper bound on d(E) (NaN if no attack
        succeeded).
    bound_at_ci_high : ndarray of shape (k,)
        Exact Lévy bound d*(μ; d) at ``ci_high``: with the stated confidence
        no classifier with that error rate has a larger d(E).
    hidden : tuple of int
        Hidden widths.
    lr : float
        Adam learning rate (decaying to ``lr / 100`` by the last step).
    attack_points, attack_steps : int
        PGD starting points and maximum steps per checkpoint.
    confidence : float
        Coverage of the intervals.
    seconds : float
        Wall-clock time, checkpoints included.
    init : str
        Initialisation of the hidden weights: ``"normal"`` (He) or
        ``"orthogonal"`` (results saved before the option were He-normal).
    """

    steps: NDArray[np.int64]
    errors_inner: NDArray[np.int64]
    errors_outer: NDArray[np.int64]
    n_samples: NDArray[np.int64]
    ci_low: NDArray[np.float64]
    ci_high: NDArray[np.float64]
    attack_success: NDArray[np.float64]
    attack_mean_distance: NDArray[np.float64]
    bound_at_ci_high: NDArray[np.float64]
    hidden: tuple[int, ...]
    lr: float
    attack_points: int
    attack_steps: int
    confidence: float
    seconds: float
    init: str = "normal"


def pgd_on_sphere(
    model: Any, x: NDArray[np.float64], attacks: AttackConfig, rng: Any
) -> Any:
    """PGD nearest-stop on the manifold from points ``x``."""
    from spheres_theory.attacks import pgd

    return pgd(
        model,
        x,
        on_manifold=True,
        step_size=attacks.step_size,
        steps=attacks.steps,
        stop="first",
        rng=rng,
    )


def relu_net(
    spheres: ConcentricSpheres,
    run: ReluRunConfig,
    attacks: AttackConfig,
    montecarlo: MonteCarloConfig,
    rng: Any = None,
    *,
    progress: bool = False,
    state_file: Any = None,
    save_every: int | None = None,
) -> tuple[ReluResult, dict[str, Any]]:
    """Item 6: train the ReLU net; sampled errors and attacks at checkpoints.

    Parameters
    ----------
    spheres : ConcentricSpheres
        The data distribution.
    run : ReluRunConfig
        Widths, initialisation, steps and learning rate (cosine decay to
        ``lr / 100``).
    attacks : AttackConfig
        PGD settings.
    montecarlo : MonteCarloConfig
        Sample sizes and interval coverage.
    rng : None, int or numpy.random.Generator, optional
        Source of randomness.
    progress : bool, default False
        Show a tqdm bar while training.
    state_file : pathlib.Path, optional
        Where to save the run every ``save_every`` steps and resume from.
    save_every : int, optional
        Steps between two saves of ``state_file``.

    Returns
    -------
    ReluResult
        Sampled μ with its interval, attack success and PGD distance per
        checkpoint.
    dict of str to ReLUNet
        ``"relu_final"``.

    Notes
    -----
    The paper's ReLU net makes no error in 10⁷ samples, yet the manifold
    attack finds errors from random inner points [1]_: a sampled μ of 0 says
    only that μ is below the interval's upper end, and d(E) is bounded by
    d*(μ) at that end.

    References
    ----------
    .. [1] J. Gilmer et al., "Adversarial Spheres", arXiv:1801.02774, 2018, §5.

    Examples
    --------
    >>> from spheres_theory.reproduce import ReproduceConfig
    >>> cfg = ReproduceConfig.tiny(dim=10)
    >>> r, _ = relu_net(ConcentricSpheres(10), cfg.relu, cfg.attacks,
    ...                 cfg.montecarlo, rng=0)
    >>> r.steps[0], r.steps[-1]
    (np.int64(0), np.int64(300))
    """
    from spheres_theory.concentration import optimal_mean_distance
    from spheres_theory.models import ReLUNet

    gen = np.random.default_rng(rng)
    net = ReLUNet(spheres.dim, run.hidden, rng=gen, dtype=np.float32, init=run.init)
    # Each checkpoint's samples and attacks come from a stream of their own,
    # so a resumed run measures exactly what an uninterrupted one does.
    eval_seed = int(gen.integers(2**63))

    def record(m: Any, step: int, loss: float) -> dict[str, Any]:
        ev = np.random.default_rng([eval_seed, step])
        n = montecarlo.n_samples if step == run.steps else montecarlo.n_samples // 10
        n = max(n, 1)
        k_in = count_errors(m.predict, spheres, n, "inner", ev)
        k_out = count_errors(m.predict, spheres, n, "outer", ev)
        low, high = clopper_pearson(k_in, n, montecarlo.confidence)
        x0, _ = spheres.sample(attacks.n_samples, sphere="inner", rng=ev)
        res = pgd_on_sphere(m, x0, attacks, ev)
        ok = np.asarray(res.success, dtype=bool)
        # A failed attack counts as the diameter 2, so the mean stays an
        # upper bound of d(E); with no success no error is known at all.
        dist = np.where(ok, res.distance, 2.0)
        mean = float(dist.mean()) if ok.any() else float("nan")
        bound = float(optimal_mean_distance(high, spheres.dim)) if high < 1 else 0.0
        return dict(
            zip(
                ("k_in", "k_out", "n", "low", "high", "ok", "mean", "bound"),
                (k_in, k_out, n, low, high, float(ok.mean()), mean, bound),
                strict=True,
            )
        )

    lr0 = run.lr

    def cosine(step: int) -> float:
        frac = (step - 1) / max(run.steps - 1, 1)
        return lr0 * (0.01 + 0.99 * 0.5 * (1 + np.cos(np.pi * frac)))

    net, rows, seconds = train_resumable(
        net,
        spheres,
        steps=run.steps,
        wanted=checkpoint_steps(run.steps, run.checkpoints),
        record=record,
        state_file=state_file,
        save_every=save_every,
        batch_size=run.batch_size,
        lr=cosine,
        rng=gen,
        progress=progress,
    )
    steps = sorted(rows)

    def col(k: int, dtype: Any) -> NDArray[Any]:
        name = ("k_in", "k_out", "n", "low", "high", "ok", "mean", "bound")[k]
        return np.array([rows[s][name] for s in steps], dtype=dtype)

    result = ReluResult(
        steps=np.array(steps, dtype=np.int64),
        errors_inner=col(0, np.int64),
        errors_outer=col(1, np.int64),
        n_samples=col(2, np.int64),
        ci_low=col(3, np.float64),
        ci_high=col(4, np.float64),
        attack_success=col(5, np.float64),
        attack_mean_distance=col(6, np.float64),
        bound_at_ci_high=col(7, np.float64),
        hidden=run.hidden,
        init=run.init,
        lr=run.lr,
        attack_points=attacks.n_samples,
        attack_steps=attacks.steps,
        confidence=montecarlo.confidence,
        seconds=seconds,
    )
    return result, {"relu_final": net}
