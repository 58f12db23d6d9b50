"""The report items of the reproduction, one module each."""

from . import (
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

__all__ = [
    "adversarial",
    "attack_gap",
    "bounds",
    "drift",
    "error_distance",
    "fixed_set",
    "headline",
    "online",
    "relu",
    "slices",
]
