"""Sizes, steps and seeds of a reproduction run."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from spheres_theory._validation import (
    check_int,
    check_outer_radius,
    check_positive,
)

# Item 3's small-dimension demonstration: (Adam learning rate, steps) per
# stage.  At d = 100, h = 200, batch 50 it brings every α into [1/R², 1]
# (bad α 30 → 3 → 0 → 0 after the stages, seeds 0 and 1; ≈ 3 s).
_DEMO_SCHEDULE: tuple[tuple[float, int], ...] = (
    (1e-2, 4000),
    (3e-3, 3000),
    (1e-3, 3000),
    (3e-4, 3000),
)


def _check_schedule(schedule: Any) -> tuple[tuple[float, int], ...]:
    """Validate a learning-rate schedule: a non-empty tuple of (lr, steps)."""
    try:
        stages = tuple((lr, steps) for lr, steps in schedule)
    except (TypeError, ValueError):
        msg = (
            "`online_demo_schedule` must be a sequence of (learning rate, steps) "
            f"pairs; got {schedule!r}."
        )
        raise ValueError(msg) from None
    if not stages:
        msg = "`online_demo_schedule` must have at least one stage; got ()."
        raise ValueError(msg)
    return tuple(
        (
            float(check_positive(lr, "online_demo_schedule learning rate")),
            check_int(steps, "online_demo_schedule steps", minimum=1),
        )
        for lr, steps in stages
    )


def _listed(value: Any) -> Any:
    """Turn tuples (nested too) into lists, for JSON."""
    if isinstance(value, tuple | list):
        return [_listed(v) for v in value]
    return value


def _tupled(value: Any) -> Any:
    """Turn lists (nested too) into tuples: the inverse of :func:`_listed`."""
    if isinstance(value, list | tuple):
        return tuple(_tupled(v) for v in value)
    return value


@dataclass(frozen=True, slots=True)
class ReproduceConfig:
    """Sizes, steps and seeds of one reproduction run (frozen).

    Build it with :meth:`quick` (the default of ``spheres-theory reproduce``:
    about 2–3 minutes of CPU time at d = 500), :meth:`full` (the paper's scale)
    or :meth:`tiny` (seconds; for tests), then adjust single fields with
    :func:`dataclasses.replace`.

    Parameters
    ----------
    name : str
        Label printed in the report (``"quick"``, ``"full"``, ``"tiny"``...).
    dim : int
        Ambient dimension d of the spheres (paper: 500).
    outer_radius : float
        Radius R of the outer sphere (paper: 1.3).
    seed : int
        Master seed; item k draws from ``numpy.random.default_rng([seed, k])``
        so that items are independent and can be rerun one at a time.
    bound_dims : tuple of int
        Dimensions of the bound curves of item 1 (paper: 100, 500, 2000).
    bound_points : int
        Number of error rates on each bound curve (log-spaced, 1e-20 … 0.5).
    quad_hidden : int
        Hidden width of the quad nets (paper: 1000).
    batch_size : int
        Mini-batch size of every training run (paper: 50).
    lr : float
        Adam learning rate of the quad nets (paper: 1e-4).
    fixed_train_size : int
        Size of the fixed training set of item 2 (paper's Fig. 3: 100 000).
    fixed_steps : int
        Adam steps on that fixed set.
    online_steps : int
        Online Adam steps of item 3 (paper: ≈ 10⁶).
    online_demo_dim : int
        Dimension of item 3's small-dimension demonstration: a second online
        quad net of hidden width 2 · ``online_demo_dim`` (not in the paper).
    online_demo_schedule : tuple of (float, int)
        Its step-decay schedule: (Adam learning rate, steps) per stage, run
        one after the other at batch ``batch_size``.
    drift_steps : int
        Adam steps from the perfect initialisation in item 4 (paper: 40 000
        batches).
    drift_train_size : int or None
        Fixed training-set size of item 4; ``None`` trains online.
    drift_eval_points : int
        Points per sphere on which item 4 estimates the average loss.
    drift_lr : float
        Adam learning rate of item 4 (paper: 1e-4; larger rates throw the
        perfect start out of the band within a few hundred steps).
    drift_init_scale : float
        Factor applied to the readout (w, b) of the perfect initialisation of
        item 4; it leaves every α unchanged and sets the starting average
        loss (15 gives ≈ 3e-2 at d = 500, the paper's starting value).
    checkpoints : int
        Checkpoints recorded per training run.
    distance_points : int
        Points on the inner sphere over which each exact d(E) of the online
        quad net is averaged (items 3 and 5).
    relu_hidden : tuple of int
        Hidden widths of the ReLU net (paper: 1000, 1000).
    relu_steps : int
        Online Adam steps of the ReLU net (paper: 10⁶).
    relu_lr : float
        Adam learning rate of the ReLU net (paper: 1e-4).
    mc_samples : int
        Monte Carlo points per sphere for sampled error rates (paper: 10⁷).
    pgd_points : int
        Starting points of every PGD estimate.
    pgd_steps : int
        Maximum PGD steps.
    pgd_step_size : float
        PGD step length (Euclidean, before projection to the sphere).
    slice_count : int
        Number of random and of adversarial slices of item 7.
    slice_resolution : int
        Grid points per axis of each slice.
    slice_extent : float
        Half-width of each slice (in units of the inner radius).
    pair_points : int
        Random inner points whose nearest pair is reported (paper: 10⁴).

    Examples
    --------
    >>> cfg = ReproduceConfig.quick()
    >>> cfg.name, cfg.dim, cfg.quad_hidden
    ('quick', 500, 1000)
    >>> dataclasses.replace(cfg, seed=3).seed
    3
    """

    name: str = "quick"
    dim: int = 500
    outer_radius: float = 1.3
    seed: int = 0
    bound_dims: tuple[int, ...] = (100, 500, 2000)
    bound_points: int = 120
    quad_hidden: int = 1000
    batch_size: int = 50
    lr: float = 1e-4
    fixed_train_size: int = 100_000
    fixed_steps: int = 4000
    online_steps: int = 4000
    online_demo_dim: int = 100
    online_demo_schedule: tuple[tuple[float, int], ...] = _DEMO_SCHEDULE
    drift_steps: int = 4000
    drift_train_size: int | None = None
    drift_eval_points: int = 10_000
    drift_init_scale: float = 15.0
    drift_lr: float = 1e-4
    checkpoints: int = 20
    distance_points: int = 500
    relu_hidden: tuple[int, ...] = (1000, 1000)
    relu_steps: int = 2000
    relu_lr: float = 1e-4
    mc_samples: int = 100_000
    pgd_points: int = 100
    pgd_steps: int = 200
    pgd_step_size: float = 0.005
    slice_count: int = 2
    slice_resolution: int = 121
    slice_extent: float = 1.6
    pair_points: int = 10_000

    def __post_init__(self) -> None:
        _ints = (
            ("dim", 2),
            ("seed", 0),
            ("bound_points", 2),
            ("quad_hidden", 1),
            ("batch_size", 1),
            ("fixed_train_size", 1),
            ("fixed_steps", 1),
            ("online_steps", 1),
            ("online_demo_dim", 2),
            ("drift_steps", 1),
            ("drift_eval_points", 1),
            ("checkpoints", 2),
            ("distance_points", 2),
            ("relu_steps", 1),
            ("mc_samples", 1),
            ("pgd_points", 2),
            ("pgd_steps", 1),
            ("slice_count", 1),
            ("slice_resolution", 3),
            ("pair_points", 2),
        )
        for name, minimum in _ints:
            object.__setattr__(
                self, name, check_int(getattr(self, name), name, minimum=minimum)
            )
        if self.drift_train_size is not None:
            object.__setattr__(
                self,
                "drift_train_size",
                check_int(self.drift_train_size, "drift_train_size", minimum=1),
            )
        object.__setattr__(self, "outer_radius", check_outer_radius(self.outer_radius))
        for name in (
            "lr",
            "relu_lr",
            "pgd_step_size",
            "slice_extent",
            "drift_init_scale",
        ):
            value = float(check_positive(getattr(self, name), name))
            object.__setattr__(self, name, value)
        for name in ("bound_dims", "relu_hidden"):
            values = tuple(
                check_int(v, name, minimum=2 if name == "bound_dims" else 1)
                for v in getattr(self, name)
            )
            if not values:
                msg = f"`{name}` must be a non-empty tuple of integers; got ()."
                raise ValueError(msg)
            object.__setattr__(self, name, values)
        if not isinstance(self.name, str):
            msg = f"`name` must be a string; got {self.name!r}."
            raise ValueError(msg)
        object.__setattr__(
            self, "online_demo_schedule", _check_schedule(self.online_demo_schedule)
        )

    @classmethod
    def quick(cls, dim: int = 500, *, seed: int = 0) -> ReproduceConfig:
        """Return the ``--quick`` configuration (minutes on 2 cores at d = 500).

        Parameters
        ----------
        dim : int, default 500
            Ambient dimension.
        seed : int, default 0
            Master seed.

        Returns
        -------
        ReproduceConfig
            The paper's quad-net architecture (h = 1000, batch 50) but 8 000
            Adam steps per run at lr 1e-3 (paper: up to 10⁶ at 1e-4; the drift
            of item 4 keeps 1e-4, 4 000 steps), a fixed set of 20 000 points
            (paper: 100 000) so that over-fitting shows within those steps,
            a ReLU net of widths (256, 256) (paper: (1000, 1000)) and 10⁵
            Monte Carlo points per sphere (paper: 10⁷).
            Online training does not reach the band [1/R², 1] at this budget
            (the paper needed ≈ 5·10⁵ steps); the report says how far it got.
            Item 3's small-dimension demonstration (d = 100, h = 200, 13 000
            steps of a step-decay schedule, a few seconds) does reach it.

        Notes
        -----
        Measured with :func:`run_reproduction` (one BLAS thread) on a shared
        2-core machine: 2 min 13 s wall, 2 min 10 s of CPU time; the quad-net
        trainings of items 2–4 take about 30 s each and item 5 (ReLU training,
        10⁵-point Monte Carlo error counts and PGD at 11 checkpoints) about
        40 s.  At 8 000 steps no learning rate tried (constant 1e-4, 3e-4,
        1e-3; cosine or exponential decay from 1e-3) brings the online α
        toward the band: the bad-α count stays at or above its random-start
        value (≈ 400 of 500).

        Examples
        --------
        >>> ReproduceConfig.quick().relu_hidden
        (256, 256)
        """
        return cls(
            name="quick",
            dim=dim,
            seed=seed,
            bound_points=120,
            quad_hidden=1000,
            lr=1e-3,
            fixed_train_size=20_000,
            fixed_steps=8_000,
            online_steps=8_000,
            online_demo_dim=100,
            online_demo_schedule=_DEMO_SCHEDULE,
            drift_steps=4_000,
            drift_lr=1e-4,
            drift_eval_points=5_000,
            checkpoints=12,
            distance_points=300,
            relu_hidden=(256, 256),
            relu_steps=8_000,
            relu_lr=1e-3,
            mc_samples=100_000,
            pgd_points=100,
            pgd_steps=300,
            pgd_step_size=0.005,
            slice_count=2,
            slice_resolution=121,
            pair_points=10_000,
        )

    @classmethod
    def full(cls, dim: int = 500, *, seed: int = 0) -> ReproduceConfig:
        """Return the paper-scale configuration (hours to days on a CPU).

        Parameters
        ----------
        dim : int, default 500
            Ambient dimension.
        seed : int, default 0
            Master seed.

        Returns
        -------
        ReproduceConfig
            h = 1000 quad nets, 100 000-point fixed set, 10⁶ online steps at
            lr 1e-4 and batch 50, a (1000, 1000) ReLU+BN net trained for 10⁶
            steps, 10⁷ Monte Carlo points per sphere.

        Notes
        -----
        Expected time on 2 CPU cores (float64 numpy, ≈ 2 ms per quad-net step
        and ≈ 10 ms per ReLU step at d = 500): about 2 h for the quad nets,
        3 h for the ReLU training and about 10 h for the ReLU Monte Carlo
        checkpoints (40 × 10⁷ points); use ``checkpoints`` and ``mc_samples``
        to trade resolution for time.  Never run in CI.

        Examples
        --------
        >>> ReproduceConfig.full().relu_steps
        1000000
        """
        return cls(
            name="full",
            dim=dim,
            seed=seed,
            bound_points=200,
            quad_hidden=1000,
            lr=1e-4,
            fixed_train_size=100_000,
            fixed_steps=1_000_000,
            online_steps=1_000_000,
            online_demo_dim=100,
            online_demo_schedule=_DEMO_SCHEDULE,
            drift_steps=40_000,
            drift_lr=1e-4,
            drift_eval_points=100_000,
            checkpoints=40,
            distance_points=5_000,
            relu_hidden=(1000, 1000),
            relu_steps=1_000_000,
            relu_lr=1e-4,
            mc_samples=10_000_000,
            pgd_points=1_000,
            pgd_steps=1_000,
            pgd_step_size=0.002,
            slice_count=3,
            slice_resolution=201,
            pair_points=10_000,
        )

    @classmethod
    def tiny(cls, dim: int = 20, *, seed: int = 0) -> ReproduceConfig:
        """Return a seconds-long configuration for tests (not a reproduction).

        Parameters
        ----------
        dim : int, default 20
            Ambient dimension.
        seed : int, default 0
            Master seed.

        Returns
        -------
        ReproduceConfig
            Small widths, a few hundred steps, a few hundred samples.

        Examples
        --------
        >>> ReproduceConfig.tiny().dim
        20
        """
        return cls(
            name="tiny",
            dim=dim,
            seed=seed,
            bound_dims=(dim, 5 * dim),
            bound_points=30,
            quad_hidden=2 * dim,
            lr=1e-2,
            fixed_train_size=60,
            fixed_steps=300,
            online_steps=300,
            online_demo_dim=8,
            online_demo_schedule=((1e-2, 1500), (3e-3, 1000), (1e-3, 1000)),
            drift_steps=200,
            drift_lr=1e-3,
            drift_eval_points=500,
            checkpoints=5,
            distance_points=40,
            relu_hidden=(32, 32),
            relu_steps=300,
            relu_lr=1e-2,
            mc_samples=2_000,
            pgd_points=10,
            pgd_steps=100,
            pgd_step_size=0.02,
            slice_count=1,
            slice_resolution=21,
            pair_points=200,
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the configuration as a JSON-serialisable dict.

        Returns
        -------
        dict
            Field name → value (tuples become lists).

        Examples
        --------
        >>> ReproduceConfig.tiny().to_dict()["dim"]
        20
        """
        return {
            f.name: _listed(getattr(self, f.name)) for f in dataclasses.fields(self)
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReproduceConfig:
        """Rebuild a configuration from :meth:`to_dict` output.

        Parameters
        ----------
        data : mapping
            Field name → value; unknown keys raise ``ValueError``.

        Returns
        -------
        ReproduceConfig
            The configuration.

        Raises
        ------
        ValueError
            If ``data`` has keys that are not fields.

        Examples
        --------
        >>> cfg = ReproduceConfig.tiny()
        >>> ReproduceConfig.from_dict(cfg.to_dict()) == cfg
        True
        """
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - names
        if unknown:
            msg = f"`data` has unknown configuration keys {sorted(unknown)!r}."
            raise ValueError(msg)
        return cls(**{k: _tupled(v) for k, v in data.items()})

    def fingerprint(self) -> str:
        """Return a short hash identifying this configuration.

        Returns
        -------
        str
            12 hexadecimal digits of the SHA-256 of the sorted JSON form.

        Examples
        --------
        >>> len(ReproduceConfig.tiny().fingerprint())
        12
        """
        text = json.dumps(self.to_dict(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]
