"""Sizes, steps and seeds of a reproduction run: small nested frozen configs.

:class:`ReproduceConfig` holds one section per concern (bound curves, each
quad-net training run, the ReLU net, attacks, Monte Carlo, slices); each
section validates its own fields.  The field defaults are the paper's scale
(:meth:`ReproduceConfig.paper`); :meth:`ReproduceConfig.quick` and
:meth:`ReproduceConfig.tiny` are :func:`dataclasses.replace` differences from
it.  Items receive the sections they use, not the whole configuration.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from spheres_theory._validation import (
    check_int,
    check_outer_radius,
    check_positive,
)

__all__ = [
    "AttackConfig",
    "BoundsConfig",
    "DriftConfig",
    "MonteCarloConfig",
    "QuadRunConfig",
    "ReluRunConfig",
    "ReproduceConfig",
    "SliceConfig",
]


def _ints(obj: Any, **minimum: int) -> None:
    for name, low in minimum.items():
        object.__setattr__(obj, name, check_int(getattr(obj, name), name, minimum=low))


def _positives(obj: Any, *names: str) -> None:
    for name in names:
        value = getattr(obj, name)
        if value is not None:
            object.__setattr__(obj, name, float(check_positive(value, name)))


def _int_tuple(obj: Any, name: str, low: int) -> None:
    values = getattr(obj, name)
    if isinstance(values, int):
        values = (values,)
    out = tuple(check_int(v, name, minimum=low) for v in values)
    if not out:
        msg = f"`{name}` must be a non-empty tuple of integers; got ()."
        raise ValueError(msg)
    object.__setattr__(obj, name, out)


@dataclass(frozen=True, slots=True)
class BoundsConfig:
    """Item 1: the exact Lévy bound curves and the nearest-pair check.

    Parameters
    ----------
    dims : tuple of int
        Dimensions of the curves (paper: 100, 500, 2000).
    n_points : int
        Error rates per curve (log-spaced, 1e-20 … 0.5).
    pair_points : int
        Random inner points whose closest pair is reported (paper: 10⁴).
    """

    dims: tuple[int, ...] = (100, 500, 2000)
    n_points: int = 120
    pair_points: int = 10_000

    def __post_init__(self) -> None:
        _int_tuple(self, "dims", 2)
        _ints(self, n_points=2, pair_points=2)


@dataclass(frozen=True, slots=True)
class QuadRunConfig:
    """One training run of a quad net (Adam on sigmoid cross-entropy).

    Parameters
    ----------
    steps : int
        Adam steps.
    lr : float
        Adam learning rate of the hidden layer W (paper: 1e-4).
    readout_lr : float or None
        Adam learning rate of the readout scalars (w, b); None uses ``lr``.
    lr_final : float or None
        If given, ``lr`` decays geometrically to this value at the last step
        (the readout rate keeps its value).
    train_size : int or None
        Fixed training-set size; None trains online (a fresh batch per step).
    hidden : int
        Hidden width h (paper: 1000).
    batch_size : int
        Points per step (paper: 50).
    checkpoints : int
        Log-spaced checkpoints recorded along the run.
    check_every : int or None
        Further checkpoints every this many steps (a run that stops at its
        first perfect rule is checked at least this often).
    eps : float
        Adam's ε for W (PyTorch's default 1e-8).
    readout_eps : float or None
        Adam's ε for the readout (w, b); None uses ``eps``.
    """

    steps: int = 1_000_000
    lr: float = 1e-4
    readout_lr: float | None = None
    lr_final: float | None = None
    train_size: int | None = None
    hidden: int = 1000
    batch_size: int = 50
    checkpoints: int = 20
    check_every: int | None = None
    eps: float = 1e-8
    readout_eps: float | None = None

    def __post_init__(self) -> None:
        _ints(self, steps=1, hidden=1, batch_size=1, checkpoints=2)
        if self.check_every is not None:
            _ints(self, check_every=1)
        _positives(self, "lr", "readout_lr", "lr_final", "eps", "readout_eps")
        if self.train_size is not None:
            _ints(self, train_size=1)


@dataclass(frozen=True, slots=True)
class DriftConfig:
    """Item 4: training continued from a perfect quad net (Fig. 3 right).

    Parameters
    ----------
    run : QuadRunConfig
        The training run (online if ``run.train_size`` is None).
    init_scale : float
        Factor on the readout (w, b) of the perfect start: it leaves every α
        unchanged and sets the starting average loss.
    eval_points : int
        Points per sphere on which the average loss is estimated.
    """

    run: QuadRunConfig = field(default_factory=lambda: QuadRunConfig(steps=40_000))
    init_scale: float = 15.0
    eval_points: int = 10_000

    def __post_init__(self) -> None:
        _positives(self, "init_scale")
        _ints(self, eval_points=1)


@dataclass(frozen=True, slots=True)
class ReluRunConfig:
    """The ReLU net with batch norm (items 5, 6 and 7).

    Parameters
    ----------
    hidden : tuple of int
        Hidden widths (paper: 1000, 1000).
    steps : int
        Online Adam steps (paper: 10⁶).
    lr : float
        Adam learning rate (paper: 1e-4).
    batch_size : int
        Points per step (paper: 50).
    checkpoints : int
        Checkpoints at which the sampled error rate and the attack distance
        are measured.
    init : {"normal", "orthogonal"}
        Hidden weights He-normal (the paper gives no initialisation) or with
        orthonormal rows (:class:`~spheres_theory.models.ReLUNet`).
    """

    hidden: tuple[int, ...] = (1000, 1000)
    steps: int = 1_000_000
    lr: float = 1e-4
    batch_size: int = 50
    checkpoints: int = 20
    init: str = "normal"

    def __post_init__(self) -> None:
        _int_tuple(self, "hidden", 1)
        _ints(self, steps=1, batch_size=1, checkpoints=2)
        _positives(self, "lr")
        if self.init not in ("normal", "orthogonal"):
            msg = f"`init` must be 'normal' or 'orthogonal'; got {self.init!r}."
            raise ValueError(msg)


@dataclass(frozen=True, slots=True)
class AttackConfig:
    """Projected gradient attacks (PGD) on and off the sphere.

    Parameters
    ----------
    n_samples : int
        Random starting points of every attack estimate.
    steps : int
        Maximum PGD steps.
    step_size : float
        PGD step length (Euclidean, before the projection to the sphere).
    """

    n_samples: int = 1000
    steps: int = 1000
    step_size: float = 0.005

    def __post_init__(self) -> None:
        _ints(self, n_samples=2, steps=1)
        _positives(self, "step_size")


@dataclass(frozen=True, slots=True)
class MonteCarloConfig:
    """Sampled error rates and sampled mean distances.

    Parameters
    ----------
    n_samples : int
        Points per sphere for a sampled error rate (paper: 10⁷).
    distance_points : int
        Inner points over which an exact mean distance d(E) is averaged.
    confidence : float
        Coverage of every reported interval (Clopper–Pearson for rates,
        Student t for mean distances).
    """

    n_samples: int = 10_000_000
    distance_points: int = 2000
    confidence: float = 0.95

    def __post_init__(self) -> None:
        _ints(self, n_samples=1, distance_points=2)
        if not 0 < float(self.confidence) < 1:
            msg = f"`confidence` must be in (0, 1); got {self.confidence!r}."
            raise ValueError(msg)
        object.__setattr__(self, "confidence", float(self.confidence))


@dataclass(frozen=True, slots=True)
class SliceConfig:
    """Item 7: 2-D slices of the ReLU net's decision region (Fig. 1).

    Parameters
    ----------
    resolution : int
        Grid points per axis.
    extent : float
        Half-width of each slice (in units of the inner radius).
    """

    resolution: int = 201
    extent: float = 1.6

    def __post_init__(self) -> None:
        _ints(self, resolution=3)
        _positives(self, "extent")


_SECTIONS: dict[str, type] = {
    "bounds": BoundsConfig,
    "fixed_set": QuadRunConfig,
    "online": QuadRunConfig,
    "adversarial": QuadRunConfig,
    "drift": DriftConfig,
    "relu": ReluRunConfig,
    "attacks": AttackConfig,
    "montecarlo": MonteCarloConfig,
    "slices": SliceConfig,
}


@dataclass(frozen=True, slots=True)
class ReproduceConfig:
    """Sizes, steps and seeds of one reproduction run (frozen, nested).

    The defaults are the paper's scale (:meth:`paper`); :meth:`quick` (the
    default of ``spheres-theory reproduce``) and :meth:`tiny` (seconds; for
    tests) change a few fields of it.  Adjust further with
    :func:`dataclasses.replace` on the sections.

    Parameters
    ----------
    name : str
        Label printed in the report (``"paper"``, ``"quick"``, ``"tiny"``...).
    dim : int
        Ambient dimension d of the spheres (paper: 500).
    outer_radius : float
        Radius R of the outer sphere (paper: 1.3).
    seed : int
        Master seed; item k draws from ``numpy.random.default_rng([seed, k])``
        so that items are independent and can be rerun one at a time.
    bounds : BoundsConfig
        Item 1.
    fixed_set : QuadRunConfig
        Item 2: the quad net trained on a fixed set (paper: 10⁵ points).
    online : QuadRunConfig
        Item 3: the quad net trained online.
    adversarial : QuadRunConfig
        Item 4: the quad net trained on exact nearest errors.
    drift : DriftConfig
        Item 5: training continued from a perfect net.
    relu : ReluRunConfig
        The ReLU net of items 6–8.
    attacks : AttackConfig
        PGD settings.
    montecarlo : MonteCarloConfig
        Sample sizes and interval coverage.
    slices : SliceConfig
        Fig. 1.
    save_every : int or None
        Steps between two saves of each training run's state (net, Adam's
        moments, data stream, checkpoints) under ``out_dir/state``; a killed
        run restarted into the same folder continues from the last save and
        ends with the numbers of an uninterrupted run.  None: no saves.

    Examples
    --------
    >>> cfg = ReproduceConfig.quick()
    >>> cfg.name, cfg.dim, cfg.fixed_set.hidden
    ('quick', 500, 1000)
    >>> dataclasses.replace(cfg, seed=3).seed
    3
    """

    name: str = "paper"
    dim: int = 500
    outer_radius: float = 1.3
    seed: int = 0
    bounds: BoundsConfig = field(default_factory=BoundsConfig)
    fixed_set: QuadRunConfig = field(
        default_factory=lambda: QuadRunConfig(train_size=100_000)
    )
    online: QuadRunConfig = field(default_factory=QuadRunConfig)
    adversarial: QuadRunConfig = field(
        default_factory=lambda: QuadRunConfig(steps=100_000)
    )
    drift: DriftConfig = field(default_factory=DriftConfig)
    relu: ReluRunConfig = field(default_factory=ReluRunConfig)
    attacks: AttackConfig = field(default_factory=AttackConfig)
    montecarlo: MonteCarloConfig = field(default_factory=MonteCarloConfig)
    slices: SliceConfig = field(default_factory=SliceConfig)
    save_every: int | None = 20_000

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            msg = f"`name` must be a string; got {self.name!r}."
            raise ValueError(msg)
        _ints(self, dim=2, seed=0)
        if self.save_every is not None:
            _ints(self, save_every=1)
        object.__setattr__(self, "outer_radius", check_outer_radius(self.outer_radius))
        for name, kind in _SECTIONS.items():
            if not isinstance(getattr(self, name), kind):
                msg = (
                    f"`{name}` must be a {kind.__name__}; "
                    f"got {type(getattr(self, name)).__name__}."
                )
                raise ValueError(msg)

    @classmethod
    def paper(cls, dim: int = 500, *, seed: int = 0) -> ReproduceConfig:
        """Return the paper's scale (many hours on 2 cores).

        Parameters
        ----------
        dim : int, default 500
            Ambient dimension.
        seed : int, default 0
            Master seed.

        Returns
        -------
        ReproduceConfig
            Adam 1e-4, batch 50, h = 1000, a fixed set of 10⁵ points, 10⁶
            steps, a ReLU net 2 × 1000 with batch norm, 10⁷ Monte Carlo
            points per sphere (Gilmer et al. 2018, §4–§5).

        Examples
        --------
        >>> ReproduceConfig.paper().online.steps
        1000000
        """
        return cls(name="paper", dim=dim, seed=seed)

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
            The paper's architectures and batch size with the training
            procedures of :mod:`spheres_theory.reproduce.recipes` (separate
            learning rates for W and the readout), fewer steps, a smaller
            ReLU net (1000, 128) and 10⁶ Monte Carlo points per sphere.

        Examples
        --------
        >>> ReproduceConfig.quick().relu.hidden
        (1000, 128)
        """
        base = cls.paper(dim, seed=seed)
        from .recipes import QUICK

        return dataclasses.replace(base, name="quick", **QUICK)

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
            Small widths, a few hundred steps, a few thousand samples.

        Examples
        --------
        >>> ReproduceConfig.tiny().dim
        20
        """
        base = cls.paper(dim, seed=seed)
        run = QuadRunConfig(
            steps=300, lr=1e-2, readout_lr=3e-2, hidden=2 * dim, checkpoints=5
        )
        return dataclasses.replace(
            base,
            name="tiny",
            save_every=None,
            bounds=BoundsConfig(dims=(dim, 5 * dim), n_points=30, pair_points=200),
            fixed_set=dataclasses.replace(run, train_size=60),
            online=run,
            adversarial=dataclasses.replace(run, steps=200),
            drift=DriftConfig(
                run=dataclasses.replace(run, steps=200, lr=1e-3, readout_lr=None),
                eval_points=500,
            ),
            relu=ReluRunConfig(hidden=(32, 32), steps=300, lr=1e-2, checkpoints=5),
            attacks=AttackConfig(n_samples=10, steps=100, step_size=0.02),
            montecarlo=MonteCarloConfig(n_samples=2_000, distance_points=40),
            slices=SliceConfig(resolution=21),
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the configuration as a JSON-serialisable nested dict.

        Returns
        -------
        dict
            Field name → value; sections are dicts, tuples become lists.

        Examples
        --------
        >>> ReproduceConfig.tiny().to_dict()["relu"]["hidden"]
        [32, 32]
        """
        return json.loads(json.dumps(dataclasses.asdict(self)))

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
        return _build(cls, data)

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


def _build(cls: type, data: Mapping[str, Any]) -> Any:
    """Build dataclass ``cls`` from nested dicts (lists become tuples)."""
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = set(data) - set(fields)
    if unknown:
        msg = f"`data` has unknown configuration keys {sorted(unknown)!r}."
        raise ValueError(msg)
    kwargs: dict[str, Any] = {}
    for name, value in data.items():
        kind = _SECTIONS.get(name) if cls is ReproduceConfig else None
        if cls is DriftConfig and name == "run":
            kind = QuadRunConfig
        if kind is not None and isinstance(value, Mapping):
            kwargs[name] = _build(kind, value)
        elif isinstance(value, list):
            kwargs[name] = tuple(value)
        else:
            kwargs[name] = value
    return cls(**kwargs)
