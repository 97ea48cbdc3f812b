"""Estimation: fixed-effects panels with honest inference, correlations, staged programmes."""

from __future__ import annotations

from .fixed_effects import (
    CorrelationMatrixResult,
    CorrelationResult,
    PanelFEConfig,
    PanelFEResult,
    chain,
    compare,
    correlate,
    correlation_matrix,
    dose_response,
    event_study,
    example_panel,
    mde,
    panel_fe,
    robustness,
    staggered_did,
)

__all__ = [
    "CorrelationMatrixResult",
    "CorrelationResult",
    "PanelFEConfig",
    "PanelFEResult",
    "chain",
    "compare",
    "correlate",
    "correlation_matrix",
    "dose_response",
    "event_study",
    "example_panel",
    "mde",
    "panel_fe",
    "robustness",
    "staggered_did",
]
