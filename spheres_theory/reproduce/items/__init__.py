"""The report items of the reproduction, one module each."""

from . import (
    attack_gap,
    bounds,
    drift,
    error_distance,
    fixed_set,
    headline,
    online,
    slices,
)

__all__ = [
    "attack_gap",
    "bounds",
    "drift",
    "error_distance",
    "fixed_set",
    "headline",
    "online",
    "slices",
]
