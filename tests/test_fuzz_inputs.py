"""Fuzz: every public function of the geometry, bound and nearest modules fed
hostile values for each numeric parameter.

The property: a ``ValueError`` whose message names the parameter (never a
numpy/scipy traceback, a silent truncation of a complex number or a
string read as a number).  ``SPHERES_FUZZ=long`` runs more examples.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spheres_theory import (
    ConcentricSpheres,
    QuadraticRule,
    cap_height,
    cap_measure,
    log_cap_measure,
    mean_distance_to_error,
    nearest_error,
    uniform_sphere,
)
from spheres_theory.concentration import (
    asymptotic_mean_distance,
    bound_curve,
    expansion_lower_bound,
    log_expansion_lower_bound,
    optimal_mean_distance,
)

LONG = os.environ.get("SPHERES_FUZZ") == "long"
FUZZ = settings(max_examples=600 if LONG else 60, deadline=None)

RULE = QuadraticRule([1.2, 0.9, 0.8])
SP = ConcentricSpheres(3)

# name -> (function of keyword arguments, good keyword arguments)
TARGETS = {
    "cap_measure": (cap_measure, {"t": 0.3, "dim": 10}),
    "log_cap_measure": (log_cap_measure, {"t": 0.3, "dim": 10}),
    "cap_height": (cap_height, {"error_rate": 1e-3, "dim": 10}),
    "optimal_mean_distance": (
        optimal_mean_distance,
        {"error_rate": 1e-3, "dim": 10, "radius": 1.0},
    ),
    "asymptotic_mean_distance": (
        asymptotic_mean_distance,
        {"error_rate": 1e-3, "dim": 10, "radius": 1.0},
    ),
    "expansion_lower_bound": (
        expansion_lower_bound,
        {"error_rate": 1e-3, "eps": 0.1, "dim": 10, "radius": 1.0},
    ),
    "log_expansion_lower_bound": (
        log_expansion_lower_bound,
        {"error_rate": 1e-3, "eps": 0.1, "dim": 10, "radius": 1.0},
    ),
    "bound_curve": (bound_curve, {"dim": 10, "error_rates": [1e-3], "radius": 1.0}),
    "uniform_sphere": (
        uniform_sphere,
        {"n_samples": 3, "dim": 4, "radius": 1.0, "rng": 0},
    ),
    "ConcentricSpheres": (ConcentricSpheres, {"dim": 4, "outer_radius": 1.3}),
    "sample": (SP.sample, {"n_samples": 3, "rng": 0}),
    "nearest_error": (nearest_error, {"rule": RULE, "x0": [0.6, 0.8, 0.0]}),
    "mean_distance_to_error": (
        mean_distance_to_error,
        {
            "rule": RULE,
            "spheres": SP,
            "n_samples": 10,
            "confidence": 0.9,
            "rng": 0,
            "batch_size": 4,
        },
    ),
}

BAD = [
    np.nan,
    np.inf,
    -np.inf,
    "0.5",
    "x",
    True,
    np.bool_(False),
    1 + 0j,
    0.5j,
    [[[0.1]]],
    [0.1, "a"],
    None,
    object(),
    -1,
    10**17,
]

CASES = [
    (name, param)
    for name, (_, good) in TARGETS.items()
    for param in good
    if param not in ("rule", "spheres")
]


def _is_refused(name, param, value):
    func, good = TARGETS[name]
    kwargs = dict(good)
    kwargs[param] = value
    try:
        out = func(**kwargs)
    except ValueError as exc:
        assert f"`{param}`" in str(exc) or "broadcast" in str(exc), str(exc)
        return True
    return out


def test_good_arguments_work():
    for func, good in TARGETS.values():
        func(**good)


def _valid(name, param, value):
    """Whether ``value`` is a legitimate value of ``param`` (then it may pass)."""
    if param == "error_rates" and value is None:
        return True  # the default grid
    if param == "rng":
        return value is None or (
            isinstance(value, int) and not isinstance(value, bool) and value >= 0
        )
    if isinstance(value, list) and value == [[[0.1]]]:
        # A nested array of a valid number: vectorised parameters broadcast.
        return param in ("t", "error_rate", "eps", "error_rates")
    if value == -1 and not isinstance(value, bool):
        return param == "t"
    if value == 10**17:
        # Closed forms and configurations take any dim; sizes and radii too.
        closed = name in ("asymptotic_mean_distance", "ConcentricSpheres")
        return param in ("radius", "outer_radius", "batch_size", "eps") or (
            param == "dim" and closed
        )
    return False


@FUZZ
@given(case=st.sampled_from(CASES), value=st.sampled_from(BAD))
def test_hostile_values_refused_naming_the_parameter(case, value):
    name, param = case
    if value == 10**17 and (param == "n_samples" or name == "uniform_sphere"):
        return  # a valid count or dim, only too large for memory
    out = _is_refused(name, param, value)
    if out is not True:
        assert _valid(name, param, value), f"{name}({param}={value!r}) -> {out!r}"


@pytest.mark.parametrize(
    ("call", "param"),
    [
        (lambda: cap_measure("0.5", 3), "t"),
        (lambda: cap_measure(0.5, True), "dim"),
        (lambda: cap_measure([0.1, 0.2], [3, 4, 5]), "t"),
        (lambda: cap_measure(1e-3, 10**16 + 1), "dim"),
        (lambda: bound_curve(500, []), "error_rates"),
        (lambda: uniform_sphere(3, 4, rng="x"), "rng"),
        (lambda: SP.sample(3, rng="x"), "rng"),
        (
            lambda: mean_distance_to_error(RULE, SP, n_samples=10, confidence="x"),
            "confidence",
        ),
        (lambda: nearest_error(RULE, 1j * np.ones(3), on_manifold=False), "x0"),
        (lambda: nearest_error(RULE, np.ones((3, 1))), "x0"),
        (lambda: nearest_error(RULE, [0.6, 0.8, 0.0], labels=True), "labels"),
    ],
)
def test_report_examples_refused(call, param):
    with pytest.raises(ValueError, match=f"`{param}`"):
        call()


def test_outer_radius_is_keyword_only():
    with pytest.raises(TypeError):
        ConcentricSpheres(4, 1.3)  # type: ignore[misc]
