"""The library's plots (the reproduction's figures are tested with it)."""

import numpy as np
from numpy.testing import assert_allclose

from spheres_theory import bound_curve
from spheres_theory.plotting import plot_bound_curve


def test_bound_curve_plot():
    import matplotlib.pyplot as plt

    c = bound_curve(500, np.logspace(-20, np.log10(0.5), 30))
    ax = plot_bound_curve(c)
    assert ax.get_xscale() == "log"
    labels = [line.get_label() for line in ax.get_lines()]
    assert any("exact" in lab for lab in labels)
    assert any("asymptotic" in lab for lab in labels)
    assert_allclose(ax.get_lines()[0].get_ydata(), c.exact)
    plt.close(ax.figure)
    fig, ax2 = plt.subplots()
    assert (
        plot_bound_curve(bound_curve(500, log_error_rates=[-2000.0, -10.0]), ax2) is ax2
    )
    assert ax2.get_xscale() == "linear"
    plt.close(fig)
