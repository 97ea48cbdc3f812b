"""Every result type of the estimators, and the helpers they share, in one place to import.

The estimators import the shared pieces from :mod:`evaluation.estimate._base`; this module
only gathers the public names (it is imported by no estimator, so it can import them all).
"""

from __future__ import annotations

from ._base import TIDY_COLUMNS, ResultBase, compare, json_safe
from .chain import ChainResult
from .correlation import CorrelationMatrixResult, CorrelationResult
from .diagnostics import DoseResponseResult, RobustnessResult
from .event_study import EventStudyResult
from .fixed_effects import PanelFEResult
from .power import MdeResult
from .staggered import StaggeredResult

__all__ = [
    "TIDY_COLUMNS",
    "ChainResult",
    "CorrelationMatrixResult",
    "CorrelationResult",
    "DoseResponseResult",
    "EventStudyResult",
    "MdeResult",
    "PanelFEResult",
    "ResultBase",
    "RobustnessResult",
    "StaggeredResult",
    "compare",
    "json_safe",
]
