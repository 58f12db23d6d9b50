"""Item 4 (not in the paper): training on exact nearest errors."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from spheres_theory.sphere import ConcentricSpheres

from .._common import QuadRunResult, perfect_fields, run_fields, run_quad
from ..config import QuadRunConfig

# Steps between two refreshes of the rule whose exact nearest errors are the
# training batches (one eigendecomposition of WᵀW per refresh): 1, the
# current rule at every step.
REFRESH = 1


@dataclass(frozen=True, slots=True, eq=False)
class AdversarialQuadNetResult(QuadRunResult):
    """Item 4: a quad net trained on the exact nearest errors of its rule.

    The checkpoint fields are those of :class:`QuadRunResult`.

    Attributes
    ----------
    perfect : bool
        Whether the final rule is certified perfect (every α in the band).
    steps_to_perfect : int
        The first checkpoint step with a perfect rule (training stops there),
        or −1.
    refresh : int
        Steps between two refreshes of the attacked rule.
    """

    perfect: bool
    steps_to_perfect: int
    refresh: int


def adversarial_quadnet(
    spheres: ConcentricSpheres,
    run: QuadRunConfig,
    rng: Any = None,
    *,
    progress: bool = False,
    state_file: Any = None,
    save_every: int | None = None,
) -> tuple[AdversarialQuadNetResult, dict[str, Any]]:
    """Item 4: exact adversarial training of a quad net (not in the paper).

    Parameters
    ----------
    spheres : ConcentricSpheres
        The data distribution.
    run : QuadRunConfig
        The training run (steps, learning rates, checkpoints).
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
    AdversarialQuadNetResult
        Bad-α count and exact error rates at every checkpoint.
    dict of str to QuadNet
        ``"adversarial_final"``.

    Notes
    -----
    Online batches of both spheres are replaced, point by point, by the
    rule's *exact* nearest errors on their sphere
    (:func:`spheres_theory.nearest.nearest_error`, secular equation: no
    attack, no approximation), which keep their true label (the radius).  The
    attacked rule is recomputed from the net every ``REFRESH`` steps.  Points
    the rule already misclassifies are used as they are.  It is one Adam run
    (:func:`spheres_theory.training.train` with a ``batch_transform``).

    Examples
    --------
    >>> from spheres_theory.reproduce import ReproduceConfig
    >>> cfg = ReproduceConfig.tiny(dim=10)
    >>> r, _ = adversarial_quadnet(ConcentricSpheres(10), cfg.adversarial, rng=0)
    >>> bool(r.n_bad_alphas[-1] <= r.n_bad_alphas[0])
    True
    """
    from spheres_theory.models import QuadNet

    gen = np.random.default_rng(rng)
    net = QuadNet(spheres.dim, run.hidden, rng=gen, dtype=np.float32)
    online = dataclasses.replace(run, train_size=None)
    net, quad = run_quad(
        net,
        spheres,
        online,
        gen,
        stop_when_perfect=True,
        batch_transform=NearestErrorBatches(REFRESH),
        progress=progress,
        state_file=state_file,
        save_every=save_every,
    )
    result = AdversarialQuadNetResult(
        **run_fields(quad, online, spheres),
        **perfect_fields(quad),
        refresh=REFRESH,
    )
    return result, {"adversarial_final": net}


class NearestErrorBatches:
    """Batch transform: each point replaced by its rule's exact nearest error.

    The rule is recomputed from the net every ``refresh`` calls (one
    eigendecomposition of WᵀW); in between the same rule is attacked.  Points
    the rule already misclassifies stay as they are; every point keeps its
    true label (the nearest error on a sphere lies on that sphere).
    """

    def __init__(self, refresh: int) -> None:
        self.refresh = refresh
        self.calls = 0
        self.rule: Any = None

    def __call__(self, model: Any, x: Any, y: Any) -> tuple[Any, Any]:
        """Return the batch with each point moved to its nearest error."""
        from spheres_theory.nearest import nearest_error

        if self.calls % self.refresh == 0:
            self.rule = model.to_rule()
        self.calls += 1
        found = nearest_error(
            self.rule, np.asarray(x, dtype=np.float64), labels=np.asarray(y).astype(int)
        )
        hit = np.isfinite(found.distance)
        out = np.array(x, dtype=np.float64)
        out[hit] = np.asarray(found.point)[hit]
        return out, y
