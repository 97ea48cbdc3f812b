"""Every result type of the estimators, and the helpers they share, in one place to import.

The estimators import the shared pieces from :mod:`evaluation.estimate._base`; this module
only gathers the public names (it is imported by no estimator, so it can import them all).
"""

from __future__ import annotations

from ._base import TIDY_COLUMNS, ResultBase, compare, json_safe
from .chain import ChainResult
from .comparison import ExposureComparisonResult
from .correlation import CorrelationMatrixResult, CorrelationResult
from .diagnostics import DoseResponseResult, RobustnessResult
from .event_study import EventStudyResult
from .fixed_effects import PanelFEResult
from .power import MdeResult
from .scenario import ScenarioResult
from .staggered import StaggeredResult
from .subgroups import SubgroupResult

__all__ = [
    "TIDY_COLUMNS",
    "ChainResult",
    "CorrelationMatrixResult",
    "CorrelationResult",
    "DoseResponseResult",
    "EventStudyResult",
    "ExposureComparisonResult",
    "MdeResult",
    "PanelFEResult",
    "ResultBase",
    "RobustnessResult",
    "ScenarioResult",
    "StaggeredResult",
    "SubgroupResult",
    "compare",
    "json_safe",
]
