# ruff: noqa: I001, E402
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
from .caps import cap_height as cap_height
from .caps import cap_measure as cap_measure
from .caps import log_cap_measure as log_cap_measure
from .concentration import BoundCurve as BoundCurve
from .concentration import asymptotic_mean_distance as asymptotic_mean_distance
from .concentration import bound_curve as bound_curve
from .concentration import expansion_lower_bound as expansion_lower_bound
from .concentration import log_expansion_lower_bound as log_expansion_lower_bound
from .concentration import optimal_mean_distance as optimal_mean_distance

_GEOMETRY: list[str] = [
    "BoundCurve",
    "ConcentricSpheres",
    "asymptotic_mean_distance",
    "bound_curve",
    "cap_height",
    "cap_measure",
    "expansion_lower_bound",
    "log_cap_measure",
    "log_expansion_lower_bound",
    "optimal_mean_distance",
    "uniform_sphere",
]

# --- generalized chi-square tails: quadforms.py ------------------------------
from .gchi2 import gchi2 as gchi2
from .quadforms import TailProbability as TailProbability
from .quadforms import quadform_cdf as quadform_cdf
from .quadforms import quadform_sf as quadform_sf

_QUADFORMS: list[str] = ["TailProbability", "gchi2", "quadform_cdf", "quadform_sf"]

# --- quadratic rules: rules.py ----------------------------------------------
from .rules import AlphaReport as AlphaReport
from .rules import QuadraticRule as QuadraticRule
from .rules import RuleCertificate as RuleCertificate

_RULES: list[str] = ["AlphaReport", "QuadraticRule", "RuleCertificate"]

# --- nearest errors: nearest.py ---------------------------------------------
from .nearest import MeanDistanceResult as MeanDistanceResult
from .nearest import NearestCertificate as NearestCertificate
from .nearest import NearestError as NearestError
from .nearest import mean_distance_to_error as mean_distance_to_error
from .nearest import nearest_error as nearest_error

_NEAREST: list[str] = [
    "MeanDistanceResult",
    "NearestCertificate",
    "NearestError",
    "mean_distance_to_error",
    "nearest_error",
]

__version__ = "0.1.0"

__all__ = sorted(["__version__", "errors", *_GEOMETRY, *_QUADFORMS, *_RULES, *_NEAREST])
