"""The paper's reproduction: an application built on the library.

Each report item lives in :mod:`spheres_theory.reproduce.items`; the run
(caching, staging, dask) in :mod:`~spheres_theory.reproduce.runner` and the
Markdown report in :mod:`~spheres_theory.reproduce.report`.  Nothing in the
library imports this package.

References
----------
J. Gilmer, L. Metz, F. Faghri, S. S. Schoenholz, M. Raghu, M. Wattenberg,
I. Goodfellow, "Adversarial Spheres", arXiv:1801.02774, 2018.
"""

from .config import AttackConfig as AttackConfig
from .config import BoundsConfig as BoundsConfig
from .config import DriftConfig as DriftConfig
from .config import MonteCarloConfig as MonteCarloConfig
from .config import QuadRunConfig as QuadRunConfig
from .config import ReluRunConfig as ReluRunConfig
from .config import ReproduceConfig as ReproduceConfig
from .config import SliceConfig as SliceConfig
from .items.adversarial import AdversarialQuadNetResult as AdversarialQuadNetResult
from .items.adversarial import adversarial_quadnet as adversarial_quadnet
from .items.attack_gap import AttackGapResult as AttackGapResult
from .items.attack_gap import attack_gap_experiment as attack_gap_experiment
from .items.bounds import BoundCurvesResult as BoundCurvesResult
from .items.bounds import bound_curves as bound_curves
from .items.drift import DriftResult as DriftResult
from .items.drift import perfect_init_drift as perfect_init_drift
from .items.error_distance import ErrorDistanceResult as ErrorDistanceResult
from .items.error_distance import error_vs_distance as error_vs_distance
from .items.fixed_set import FixedSetQuadNetResult as FixedSetQuadNetResult
from .items.fixed_set import fixed_set_quadnet as fixed_set_quadnet
from .items.headline import HeadlineResult as HeadlineResult
from .items.headline import headline_table as headline_table
from .items.online import OnlineQuadNetResult as OnlineQuadNetResult
from .items.online import online_quadnet as online_quadnet
from .items.relu import ReluResult as ReluResult
from .items.relu import relu_net as relu_net
from .items.slices import DecisionSlicesResult as DecisionSlicesResult
from .items.slices import decision_slices as decision_slices
from .runner import ITEMS as ITEMS
from .runner import ReproductionResult as ReproductionResult
from .runner import run_reproduction as run_reproduction
from .store import load_result as load_result
from .store import save_result as save_result

__all__ = [
    "ITEMS",
    "AdversarialQuadNetResult",
    "AttackConfig",
    "AttackGapResult",
    "BoundCurvesResult",
    "BoundsConfig",
    "DecisionSlicesResult",
    "DriftConfig",
    "DriftResult",
    "ErrorDistanceResult",
    "FixedSetQuadNetResult",
    "HeadlineResult",
    "MonteCarloConfig",
    "OnlineQuadNetResult",
    "QuadRunConfig",
    "ReluResult",
    "ReluRunConfig",
    "ReproduceConfig",
    "ReproductionResult",
    "SliceConfig",
    "adversarial_quadnet",
    "attack_gap_experiment",
    "bound_curves",
    "decision_slices",
    "error_vs_distance",
    "fixed_set_quadnet",
    "headline_table",
    "load_result",
    "online_quadnet",
    "perfect_init_drift",
    "relu_net",
    "run_reproduction",
    "save_result",
]
