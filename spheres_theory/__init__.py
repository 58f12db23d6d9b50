# ruff: noqa: I001
"""Exact, certified numerics for the Adversarial Spheres problem.

Two concentric spheres in R^d (radius 1, class "inner"; radius R, class "outer")
as in Gilmer et al., "Adversarial Spheres" (arXiv:1801.02774, 2018).  The core
re-exported here covers

* geometry: spherical caps and the exact finite-d Lévy isoperimetric bound;
* generalized chi-square tails with relative accuracy at any depth;
* quadratic (ellipsoidal) rules: coefficients, certificates, exact error rates;
* exact, certified nearest errors on and off the sphere.

Models, attacks, experiments and plotting stay submodules
(``spheres_theory.models`` …) so that ``import spheres_theory`` loads no
matplotlib.

Examples
--------
>>> import spheres_theory as st
>>> sp = st.ConcentricSpheres(dim=500, outer_radius=1.3)
>>> sp.dim, sp.outer_radius
(500, 1.3)
"""

from __future__ import annotations

from . import errors as errors

# Each section re-exports one layer; its names are listed in the section's own
# list so that layers can be added independently.

# --- geometry: sphere.py, caps.py, concentration.py -------------------------
from .sphere import ConcentricSpheres as ConcentricSpheres
from .sphere import uniform_sphere as uniform_sphere

_GEOMETRY: list[str] = ["ConcentricSpheres", "uniform_sphere"]

# --- generalized chi-square tails: quadforms.py ------------------------------
_QUADFORMS: list[str] = []

# --- quadratic rules: rules.py ----------------------------------------------
_RULES: list[str] = []

# --- nearest errors: nearest.py ---------------------------------------------
_NEAREST: list[str] = []

__version__ = "0.1.0"

__all__ = sorted(["__version__", "errors", *_GEOMETRY, *_QUADFORMS, *_RULES, *_NEAREST])
