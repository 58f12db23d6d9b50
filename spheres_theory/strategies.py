"""Hypothesis strategies for property-testing geometry on concentric spheres.

These are public: use them to property-test your own code that works with
spheres, caps, error rates and quadratic rules.

Examples
--------
>>> from hypothesis import given
>>> from spheres_theory import strategies as sst
>>> @given(sst.dims())
... def test_dim_is_valid(dim):
...     assert dim >= 2
>>> test_dim_is_valid()
"""

from __future__ import annotations

__all__: list[str] = []

# --- geometry strategies (dims, radii, points, cap heights, error rates) ----

# --- rule strategies (perfect, nearly perfect, two-level, random) -----------
