"""Evaluation toolkit for ASN competency investment in Kota Semarang.

The public API, for notebooks and for researchers' own panels::

    import evaluation
    study = evaluation.load_study("data/demo")
    panel = study.panel()
    res = evaluation.estimate.panel_fe(panel, "ikm", ["jp_per_asn"], "unit_id", "year")
    res.tidy()

Stages, one sub-package each: ``read`` -> ``validate`` -> ``indicators`` -> ``panel`` ->
``estimate`` -> ``brief`` (analysis, sentences, charts, rendering); ``batch`` runs the
notebooks. Modules that moved into a sub-package keep their old import path for one
release (:mod:`evaluation._moved`).
Heavy modules are imported on first use so that ``import evaluation`` stays fast.
"""

from __future__ import annotations

import importlib

from . import _moved
from .config import StudyConfig, read_study_config
from .errors import (
    DataValidationError,
    EstimationError,
    EvaluationError,
    EvaluationWarning,
    ParameterError,
    PrivacyError,
    RunError,
    StudyConfigError,
)

__version__ = "0.1.0"

_LAZY_ATTRS = {
    "load_study": ("evaluation.study", "load_study"),
    "Study": ("evaluation.study", "Study"),
}
_SUBMODULES = (
    "batch", "brief", "config", "demo", "estimate", "indicators", "panel", "params",
    "privacy", "read", "study", "validate",
)
_moved.install()

__all__ = [
    "DataValidationError",
    "EstimationError",
    "EvaluationError",
    "EvaluationWarning",
    "ParameterError",
    "PrivacyError",
    "RunError",
    "Study",
    "StudyConfig",
    "StudyConfigError",
    "__version__",
    "load_study",
    "read_study_config",
    *_SUBMODULES,
]


def __getattr__(name: str):
    if name in _LAZY_ATTRS:
        module, attr = _LAZY_ATTRS[name]
        return getattr(importlib.import_module(module), attr)
    if name in _SUBMODULES:
        return importlib.import_module(f"evaluation.{name}")
    raise AttributeError(f"module 'evaluation' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
