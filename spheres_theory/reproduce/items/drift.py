"""Item 5: drift of a quad net from a perfect start (paper's Fig. 3 right)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from spheres_theory.sphere import ConcentricSpheres

from .._common import QuadRunResult, mean_loss, run_fields, run_quad, worst_case_loss
from ..config import DriftConfig


@dataclass(frozen=True, slots=True, eq=False)
class DriftResult(QuadRunResult):
    """Item 5: drift away from a perfect initialisation (paper's Fig. 3 right).

    The checkpoint fields are those of :class:`QuadRunResult`.

    Attributes
    ----------
    mean_loss : ndarray of shape (k,)
        Average cross-entropy on ``eval_points`` fixed fresh points per
        sphere (the same points at every checkpoint).
    worst_loss : ndarray of shape (k,)
        Exact worst-case cross-entropy over both spheres (from the extreme
        eigenvalues of w WᵀW: the logit ranges over
        [b + w r² λ_min, b + w r² λ_max] on the sphere of radius r).
    eval_points : int
        Points per sphere of the average loss.
    init_scale : float
        Factor on the readout (w, b) of the perfect start.
    """

    mean_loss: NDArray[np.float64]
    worst_loss: NDArray[np.float64]
    eval_points: int
    init_scale: float


def perfect_init_drift(
    spheres: ConcentricSpheres,
    drift: DriftConfig,
    rng: Any = None,
    *,
    progress: bool = False,
    state_file: Any = None,
    save_every: int | None = None,
) -> tuple[DriftResult, dict[str, Any]]:
    """Item 5: average vs worst-case loss when training a perfect quad net.

    Parameters
    ----------
    spheres : ConcentricSpheres
        The data distribution.
    drift : DriftConfig
        The run, the readout scale of the start and the evaluation points.
    rng : None, int or numpy.random.Generator, optional
        Source of randomness.
    progress : bool, default False
        Show a tqdm bar while training.
    state_file : pathlib.Path, optional
        Where to save the run every ``save_every`` steps (the net, Adam's
        state and the checkpoints) and resume from after a kill.
    save_every : int, optional
        Steps between two saves of ``state_file``.

    Returns
    -------
    DriftResult
        Per checkpoint: average loss (sampled), exact worst-case loss, bad-α
        count and exact error rates of both spheres.
    dict of str to QuadNet
        ``"drift_start"`` (certified perfect) and ``"drift_final"``.

    Notes
    -----
    The paper: the average loss keeps falling (≈ 3e-2 → 1.5e-2 over 40 000
    batches) while the bad-α count climbs from 0 to ≈ 260–275 and the
    worst-case loss rises from ≈ 0.1 to ≈ 7 [1]_.  The start is
    :meth:`spheres_theory.models.QuadNet.perfect` (every α in the middle half
    of the band) with its readout (w, b) multiplied by ``drift.init_scale``:
    α is unchanged and the average loss starts near the paper's 3e-2.

    References
    ----------
    .. [1] J. Gilmer et al., "Adversarial Spheres", arXiv:1801.02774, 2018,
       Fig. 3 right.

    Examples
    --------
    >>> from spheres_theory.reproduce import ReproduceConfig
    >>> cfg = ReproduceConfig.tiny(dim=10)
    >>> r, nets = perfect_init_drift(ConcentricSpheres(10), cfg.drift, rng=0)
    >>> int(r.n_bad_alphas[0]), sorted(nets)
    (0, ['drift_final', 'drift_start'])
    """
    from spheres_theory.models import QuadNet

    gen = np.random.default_rng(rng)
    run = drift.run
    # A perfect quad net needs hidden >= dim (a zero α misclassifies outer points).
    hidden = max(run.hidden, spheres.dim)
    net = QuadNet.perfect(
        spheres.dim, hidden, outer_radius=spheres.outer_radius, rng=gen
    )
    # Scaling w and b together keeps α = w s²/(−b) and sharpens the sigmoid.
    net.w = net.w * drift.init_scale
    net.b = net.b * drift.init_scale
    start = net.astype(np.float64)
    x_eval, y_eval = spheres.sample(2 * drift.eval_points, rng=gen)

    def extra(m: Any) -> dict[str, float]:
        return {
            "mean_loss": mean_loss(m, x_eval, y_eval),
            "worst_loss": worst_case_loss(m, spheres),
        }

    net, quad = run_quad(
        net,
        spheres,
        run,
        gen,
        extra=extra,
        progress=progress,
        state_file=state_file,
        save_every=save_every,
    )
    result = DriftResult(
        **run_fields(quad, run, spheres),
        mean_loss=quad.extra["mean_loss"],
        worst_loss=quad.extra["worst_loss"],
        eval_points=drift.eval_points,
        init_scale=drift.init_scale,
    )
    return result, {"drift_start": start, "drift_final": net}
