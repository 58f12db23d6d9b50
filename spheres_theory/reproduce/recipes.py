"""Training procedures of the ``--quick`` scale, with the evidence behind them.

The paper trains every quad net with one Adam learning rate, 1e-4, for up to
10⁶ steps.  At the quick scale (a few minutes on 2 cores) that does not get
anywhere: from the random start the α spread over the Marchenko–Pastur range
(≈ 0.09 … 2.8 for h = 2d), and a single rate either moves the readout (w, b)
too slowly (1e-4: the logit scale, hence the loss's sensitivity to the spread
of α, grows slowly) or turns W's updates into noise that widens the spread
(1e-3).  Training W at ~1e-4–3e-4 and the readout at 1e-2 separates the two:
the logit scale grows quickly, the loss falls to ~1e-6 and below, and the
gradient on W comes from the few points nearest the boundary, which lie along
the out-of-band eigendirections of the rule.

These numbers were measured on a 2-core machine (d = 500, h = 1000, batch 50,
float32); ``docs/reproduce.md`` records the sweeps behind them.
"""

from __future__ import annotations

from typing import Any

from .config import (
    AttackConfig,
    DriftConfig,
    MonteCarloConfig,
    QuadRunConfig,
    ReluRunConfig,
    SliceConfig,
)

__all__ = ["QUICK"]

#: Section overrides of :meth:`ReproduceConfig.quick` (d = 500, h = 1000, batch 50).
QUICK: dict[str, Any] = {
    # The paper's fixed set of 10⁵ points, W at 1e-4 and the readout at 1e-2,
    # three epochs: training sets the scale of α (and a large logit scale)
    # while most α keep their random-start spread.  With 2·10⁴ points the net
    # over-fits within 1 000 steps (the outer error rises to ~1e-5).
    "fixed_set": QuadRunConfig(
        steps=6_000, lr=1e-4, readout_lr=1e-2, train_size=100_000, checkpoints=20
    ),
    # Online: W at 3e-4 (the fastest rate that does not add noise), readout
    # at 1e-2; Adam's ε = 3e-10 for W, 1e-8 for the readout.  Until ~34 000
    # steps ε does not matter; then the loss is ~1e-8 and the gradients of W
    # reach ε's scale: with ε = 1e-8 Adam degenerates into tiny SGD and
    # freezes at ~70 bad α; with ε ≤ 1e-11 rare near-boundary points give
    # huge normalised kicks and the spectrum explodes.  ε = 3e-10 reached a
    # perfect rule at 44 000 steps for seeds 0, 1 and 2 (1e-10: 48 000); a
    # narrow, tuned window.
    "online": QuadRunConfig(
        steps=60_000,
        lr=3e-4,
        readout_lr=1e-2,
        eps=3e-10,
        readout_eps=1e-8,
        checkpoints=30,
        check_every=2_000,
    ),
    # Exact adversarial training: every batch point replaced by the current
    # rule's exact nearest error (~300–800 steps to a perfect rule at d = 500).
    "adversarial": QuadRunConfig(
        steps=2_000, lr=3e-4, readout_lr=1e-2, checkpoints=20, check_every=50
    ),
    # From a perfect start: W at 1.5e-4, readout at 3e-4.  (1e-4 on both:
    # 0 → ≈ 207 bad α in 4 000 steps; 2e-4 on W: 332 bad α but the average
    # loss rises again, W's noise outrunning the readout.)
    "drift": DriftConfig(
        run=QuadRunConfig(steps=4_000, lr=1.5e-4, readout_lr=3e-4, checkpoints=12),
        eval_points=5_000,
    ),
    # ReLU net: orthogonal hidden weights and the paper's Adam rate 1e-4,
    # cosine decay to 1e-6.  The logit's spread over a sphere, not the
    # training length, decides the sampled errors; it comes from the first
    # layer's anisotropy (W1ᵀW1's Marchenko–Pastur spread for He-normal rows,
    # like the quad net's α) and from the noise a high rate adds to W1.
    # Training barely whitens W1: its eigenvalues' relative sd is 0.67 after
    # 15 000 steps at 1e-4 from He-normal (0.71 for a Gaussian matrix), 0.08
    # from orthonormal rows.
    # Separation (mean outer − mean inner logit) / (sd inner + sd outer),
    # 2·10⁵ points per sphere, seed 0, 15 000 steps of batch 50:
    #   He-normal, 1e-3 (the former recipe)      4.5   (0 + 15 errors)
    #   ... balanced batches / outer loss × 3 / BN momentum 0.01 /
    #       batch 200 after half / lr decay to 0     4.3–4.7
    #   He-normal, 3e-4 / 1e-4 / 3e-5            5.4 / 5.8 / 5.5  (0 + 0)
    #   orthogonal, 1e-3 / 3e-4 / 1e-4           4.7 / 9.5 / 13.6
    #   orthogonal, 1e-4 constant (no decay)     11.6 at 5 000 steps, then
    #                                            drifts down to 6.3
    # In 10⁶ points per sphere the orthogonal net at 1e-4 made 0 + 0 errors
    # for seeds 0 and 1 (margins 15.9 / 11.7 and 14.7 / 12.4 standard
    # deviations; first layer alone orthogonal: separation 13.5), and PGD on
    # the sphere found an error from all 100 starts (mean distance 0.39,
    # 0.34); He-normal at 1e-4 made 0 + 1, the former recipe 1 + 87.  Same
    # cost as before (~180 s with its checkpoints on one core).
    "relu": ReluRunConfig(
        hidden=(1000, 128), steps=15_000, lr=1e-4, checkpoints=10, init="orthogonal"
    ),
    "attacks": AttackConfig(n_samples=100, steps=400, step_size=0.005),
    "montecarlo": MonteCarloConfig(n_samples=1_000_000, distance_points=300),
    "slices": SliceConfig(resolution=121),
    # Minutes-long runs: no intermediate saves (a rerun recomputes an item).
    "save_every": None,
}
