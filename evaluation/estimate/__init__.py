"""Estimation: fixed-effects panels with honest inference, correlations, staged programmes.

This module only re-exports; each estimator lives in its own module.
"""

from __future__ import annotations

from ._base import compare
from ._fe_config import PanelFEConfig
from .chain import chain
from .comparison import ExposureComparisonResult, compare_exposures
from .correlation import CorrelationMatrixResult, CorrelationResult, correlate, correlation_matrix
from .diagnostics import dose_response, robustness
from .fixed_effects import PanelFEResult, example_panel, panel_fe
from .power import mde
from .scenario import ScenarioResult, scenario
from .staggered import event_study, staggered_did
from .subgroups import SubgroupResult, by_subgroup

__all__ = [
    "CorrelationMatrixResult",
    "CorrelationResult",
    "ExposureComparisonResult",
    "PanelFEConfig",
    "PanelFEResult",
    "ScenarioResult",
    "SubgroupResult",
    "by_subgroup",
    "chain",
    "compare",
    "compare_exposures",
    "correlate",
    "correlation_matrix",
    "dose_response",
    "event_study",
    "example_panel",
    "mde",
    "panel_fe",
    "robustness",
    "scenario",
    "staggered_did",
]
