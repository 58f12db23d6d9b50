"""Exceptions and warnings raised by :mod:`spheres_theory`."""

from __future__ import annotations

__all__ = ["AccuracyWarning", "InaccurateResultError", "SolverError"]


class SolverError(RuntimeError):
    """A numerical solver (cvxpy/Clarabel, a root finder) did not reach its optimum.

    Raised instead of returning the number of a solve whose status is not
    ``OPTIMAL`` or whose certificate fails.
    """


class InaccurateResultError(ArithmeticError):
    """A routine could not reach its documented accuracy for the given input."""


class AccuracyWarning(UserWarning):
    """A result is returned, but its error estimate exceeds the documented target."""
