"""Item 8: PGD distance over the exact nearest-error distance of quad nets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from spheres_theory.sphere import ConcentricSpheres

from ..config import AttackConfig
from ..store import Result


@dataclass(frozen=True, slots=True, eq=False)
class AttackGapResult(Result):
    """Item 8: PGD distance ÷ exact nearest-error distance, two quad nets.

    ``*_low`` fields belong to the low-error net (item 2's final net),
    ``*_early`` ones to an early checkpoint of the same run.

    Attributes
    ----------
    ratios_low, ratios_early : ndarray
        Per-point ratios (≥ 1) over points where both distances are finite
        and the exact one positive.
    exact_low, exact_early, pgd_low, pgd_early : ndarray
        The per-point distances behind the ratios.
    success_low, success_early : float
        Fraction of PGD runs that found an error.
    log10_error_low, log10_error_early : float
        log10 of each net's exact inner error rate.
    n_samples : int
        Attacked points per net.
    """

    ratios_low: NDArray[np.float64]
    exact_low: NDArray[np.float64]
    pgd_low: NDArray[np.float64]
    success_low: float
    log10_error_low: float
    ratios_early: NDArray[np.float64]
    exact_early: NDArray[np.float64]
    pgd_early: NDArray[np.float64]
    success_early: float
    log10_error_early: float
    n_samples: int


def _gap(
    model: Any, spheres: ConcentricSpheres, attacks: AttackConfig, gen: Any
) -> tuple[NDArray[np.float64], ...]:
    from spheres_theory.attacks import attack_gap

    gap = attack_gap(
        model,
        spheres,
        n_samples=attacks.n_samples,
        sphere="inner",
        on_manifold=True,
        rng=gen,
        step_size=attacks.step_size,
        steps=attacks.steps,
    )
    ratios = np.asarray(gap.ratios, dtype=np.float64)
    use = np.isfinite(ratios)
    log10 = model.to_rule().error_rate(spheres, sphere="inner").log10_value
    return (
        ratios[use],
        np.asarray(gap.exact_distance, dtype=np.float64)[use],
        np.asarray(gap.pgd_distance, dtype=np.float64)[use],
        float(gap.attack.success_rate),
        float(log10),
    )


def attack_gap_experiment(
    spheres: ConcentricSpheres,
    low_error_net: Any,
    early_net: Any,
    attacks: AttackConfig,
    rng: Any = None,
) -> AttackGapResult:
    """Item 8: how far PGD distances are from the exact nearest errors.

    Parameters
    ----------
    spheres : ConcentricSpheres
        The data distribution.
    low_error_net, early_net : QuadNet
        A low-error net (item 2's final net) and an early checkpoint.
    attacks : AttackConfig
        PGD settings and the number of attacked points.
    rng : None, int or numpy.random.Generator, optional
        Source of randomness.

    Returns
    -------
    AttackGapResult
        Per-point ratios PGD distance ÷ exact distance (≥ 1) for both nets.

    Notes
    -----
    Runs :func:`spheres_theory.attacks.attack_gap`: the exact distances are
    the on-sphere nearest errors of each net's rule; PGD with nearest-stop
    only bounds them from above.  Points already misclassified, without an
    error on their sphere, or where PGD failed are left out.

    References
    ----------
    .. [1] J. Gilmer et al., "Adversarial Spheres", arXiv:1801.02774, 2018, §6.
    """
    gen = np.random.default_rng(rng)
    low = _gap(low_error_net, spheres, attacks, gen)
    early = _gap(early_net, spheres, attacks, gen)
    return AttackGapResult(
        ratios_low=low[0],
        exact_low=low[1],
        pgd_low=low[2],
        success_low=low[3],
        log10_error_low=low[4],
        ratios_early=early[0],
        exact_early=early[1],
        pgd_early=early[2],
        success_early=early[3],
        log10_error_early=early[4],
        n_samples=attacks.n_samples,
    )
