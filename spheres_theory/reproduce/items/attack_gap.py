"""Item 6: PGD distance over the exact nearest-error distance of a quad net."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._common import RNG, log10_prob, spheres_of
from ..config import ReproduceConfig
from ..store import Result
from .fixed_set import run_fixed_set_quadnet


@dataclass(frozen=True, slots=True, eq=False)
class AttackGapResult(Result):
    """Item 6: PGD distance ÷ exact nearest-error distance for a quad net.

    Attributes
    ----------
    ratios : ndarray of shape (n,)
        Per-point ratio (≥ 1) over points where both distances are finite and
        the exact one is positive.
    exact_distances, pgd_distances : ndarray of shape (n,)
        The per-point distances behind ``ratios``.
    success_rate : float
        Fraction of PGD runs that found an error.
    n_points : int
        Attacked points.
    log10_error_inner : float
        log10 of the model's exact inner error rate.
    """

    ratios: NDArray[np.float64]
    exact_distances: NDArray[np.float64]
    pgd_distances: NDArray[np.float64]
    success_rate: float
    n_points: int
    log10_error_inner: float


def attack_gap_experiment(
    config: ReproduceConfig,
    rng: RNG = None,
    *,
    model: Any = None,
    progress: bool = False,
) -> AttackGapResult:
    """Item 6: how far PGD distances are from the exact nearest errors.

    Parameters
    ----------
    config : ReproduceConfig
        Uses ``pgd_points`` and the PGD settings (and item 2's settings when
        ``model`` is None).
    rng : None, int or numpy.random.Generator, optional
        Source of randomness.
    model : QuadNet, optional
        The quad net to attack; by default one is trained on a fixed set as in
        :func:`fixed_set_quadnet`.
    progress : bool, default False
        Show a tqdm bar while training.

    Returns
    -------
    AttackGapResult
        Per-point ratios PGD distance ÷ exact distance (≥ 1).

    Notes
    -----
    Runs :func:`spheres_theory.attacks.attack_gap`: the exact distances are
    the on-manifold nearest errors of the quad net's rule (SPEC §5); PGD with
    nearest-stop only bounds them from above.  Points already misclassified,
    without an error on their sphere, or where PGD failed are left out.

    References
    ----------
    .. [1] J. Gilmer et al., "Adversarial Spheres", arXiv:1801.02774, 2018, §6.

    Examples
    --------
    >>> r = attack_gap_experiment(ReproduceConfig.tiny(dim=10), rng=0)
    >>> bool(np.all(r.ratios >= 1 - 1e-9))
    True
    """
    from spheres_theory.attacks import attack_gap

    gen = np.random.default_rng(rng)
    sp = spheres_of(config)
    if model is None:
        _, model = run_fixed_set_quadnet(config, gen, progress)
    gap = attack_gap(
        model,
        sp,
        n_points=config.pgd_points,
        sphere="inner",
        on_manifold=True,
        rng=gen,
        step_size=config.pgd_step_size,
        steps=config.pgd_steps,
    )
    ratio = np.asarray(gap.ratio, dtype=np.float64)
    use = np.isfinite(ratio)
    return AttackGapResult(
        ratios=ratio[use],
        exact_distances=np.asarray(gap.exact_distance, dtype=np.float64)[use],
        pgd_distances=np.asarray(gap.pgd_distance, dtype=np.float64)[use],
        success_rate=float(gap.attack.success_rate),
        n_points=config.pgd_points,
        log10_error_inner=log10_prob(model.to_rule().error_rate(sp, sphere="inner")),
    )
