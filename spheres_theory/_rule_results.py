"""Result objects of :mod:`spheres_theory.rules` (private module).

:class:`AlphaReport` and :class:`RuleCertificate` are public through
``spheres_theory.rules`` and the package; they live here to keep ``rules``
short.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .quadforms import TailProbability

__all__: list[str] = []


@dataclass(frozen=True, slots=True, eq=False)
class AlphaReport:
    """The coefficients of a quadratic rule that cause errors, and by how much.

    Returned by :meth:`QuadraticRule.bad_alphas`.  For a rule with threshold
    c the band of harmless coefficients is ``[lower, upper] = [c/R², c]``:
    α_i > ``upper`` gives inner-sphere errors, α_i < ``lower`` outer-sphere
    errors (for c = +1 this is the paper's band [1/R², 1]; for c = −1 the band
    is empty and every α is bad).

    Attributes
    ----------
    lower, upper : float
        The band ``threshold / R**2`` and ``threshold``.
    above_indices : ndarray of int
        Indices i with α_i > ``upper`` (inner errors), worst first.
    above_values, above_margin : ndarray of float
        Those α_i and their excess α_i − ``upper`` (> 0).
    below_indices : ndarray of int
        Indices i with α_i < ``lower`` (outer errors), worst first.
    below_values, below_margin : ndarray of float
        Those α_i and their deficit ``lower`` − α_i (> 0).
    near_zero_indices : ndarray of int
        Indices with abs(α_i) < 0.01 (collapsed directions, a subset of the bad
        ones when the band is [1/R², 1]).
    outer_on_boundary : bool
        True iff every α equals ``lower``: then the whole outer sphere lies
        on the decision boundary, which counts as inner, so every outer point
        is an error although no α is out of band.
    """

    lower: float
    upper: float
    above_indices: NDArray[np.intp]
    above_values: NDArray[np.float64]
    above_margin: NDArray[np.float64]
    below_indices: NDArray[np.intp]
    below_values: NDArray[np.float64]
    below_margin: NDArray[np.float64]
    near_zero_indices: NDArray[np.intp]
    outer_on_boundary: bool = False

    @property
    def n_above(self) -> int:
        """Number of α above the band (inner-error causing)."""
        return int(self.above_indices.size)

    @property
    def n_below(self) -> int:
        """Number of α below the band (outer-error causing)."""
        return int(self.below_indices.size)

    @property
    def n_near_zero(self) -> int:
        """Number of α with abs(α) < 0.01."""
        return int(self.near_zero_indices.size)

    @property
    def n_bad(self) -> int:
        """Number of distinct indices outside the band."""
        return int(np.union1d(self.above_indices, self.below_indices).size)

    @property
    def perfect(self) -> bool:
        """True iff no α lies outside the band (and not all on its lower end)."""
        return self.n_bad == 0 and not self.outer_on_boundary

    def __repr__(self) -> str:
        return (
            f"AlphaReport(band=[{self.lower:.6g}, {self.upper:.6g}], "
            f"n_above={self.n_above}, n_below={self.n_below}, "
            f"n_near_zero={self.n_near_zero})"
        )


@dataclass(frozen=True, slots=True, eq=False)
class RuleCertificate:
    """Verdict on a quadratic rule: perfect on both spheres, or not, and why.

    Returned by :meth:`QuadraticRule.certify`.  ``perfect`` is decided from the
    coefficients alone (every α in ``[lower, upper]``), which is equivalent to
    both exact error rates being exactly 0; the error rates are recorded
    beside the verdict.

    Attributes
    ----------
    perfect : bool
        The verdict.
    kind : str
        The region of inner points (see :attr:`QuadraticRule.kind`).
    dim : int
        Dimension.
    outer_radius : float
        R.
    threshold : float
        +1 or −1.
    max_alpha, min_alpha : float
        Extreme coefficients.
    upper_margin : float
        ``upper − max_alpha`` (= 1 − max α for threshold +1); must be ≥ 0.
    lower_margin : float
        ``min_alpha − lower`` (= min α − 1/R² for threshold +1); must be ≥ 0.
    alphas : AlphaReport
        Which coefficients are out of band.
    inner_error, outer_error : TailProbability
        Exact error rates of the two spheres (flagged ``accurate=False``, and
        NaN when their bounds differ by more than 1 %, where they depend on
        rounding).
    alpha_error : float
        The rule's bound on the error of each α.
    rounding_sensitive : bool
        True iff some α lies within ``alpha_error`` of a band edge: then the
        verdict may differ for α within their error bound.
    inner_error_bounds, outer_error_bounds : tuple of TailProbability or None
        Certified (low, high) rates for α anywhere within ``alpha_error``;
        None where the rate does not depend on rounding.
    """

    perfect: bool
    kind: str
    dim: int
    outer_radius: float
    threshold: float
    max_alpha: float
    min_alpha: float
    upper_margin: float
    lower_margin: float
    alphas: AlphaReport
    inner_error: TailProbability
    outer_error: TailProbability
    alpha_error: float = 0.0
    rounding_sensitive: bool = False
    inner_error_bounds: tuple[TailProbability, TailProbability] | None = None
    outer_error_bounds: tuple[TailProbability, TailProbability] | None = None

    def __bool__(self) -> bool:
        return self.perfect

    def summary(self) -> str:
        """One paragraph stating the verdict and the numbers behind it.

        Returns
        -------
        str
            Human-readable summary.
        """
        verdict = "PERFECT" if self.perfect else "NOT PERFECT"
        lines = [
            f"{verdict}: {self.kind} rule, dim={self.dim}, R={self.outer_radius:g}",
            f"  band [{self.alphas.lower:.6g}, {self.alphas.upper:.6g}]; "
            f"alpha in [{self.min_alpha:.6g}, {self.max_alpha:.6g}]",
            f"  margins: upper {self.upper_margin:.3e}, lower {self.lower_margin:.3e}",
            f"  {self.alphas.n_above} alpha above the band (inner errors), "
            f"{self.alphas.n_below} below (outer errors)",
            f"  inner error {_fmt_prob(self.inner_error)}, "
            f"outer error {_fmt_prob(self.outer_error)}",
        ]
        if self.rounding_sensitive:
            lines.append(
                f"  ROUNDING: alpha within {self.alpha_error:.3g} of a band edge; "
                "the verdict depends on rounding"
            )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"RuleCertificate(perfect={self.perfect}, kind={self.kind!r}, "
            f"dim={self.dim}, max_alpha={self.max_alpha:.6g}, "
            f"min_alpha={self.min_alpha:.6g}, "
            f"inner_error={_fmt_prob(self.inner_error)}, "
            f"outer_error={_fmt_prob(self.outer_error)})"
        )


def _fmt_prob(p: TailProbability) -> str:
    log10 = float(p.log10_value)
    if np.isnan(log10):
        return "NaN (depends on rounding)"
    if log10 == -np.inf:
        return "0 (exact)"
    return f"10^{log10:.4f}"


# documented (and re-exported) as part of spheres_theory.rules
AlphaReport.__module__ = RuleCertificate.__module__ = "spheres_theory.rules"
