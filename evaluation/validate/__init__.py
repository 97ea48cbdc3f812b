"""Validation: every input table of a study checked, every problem reported at once.

:func:`validate_study` checks a study folder and returns a :class:`ValidationReport`;
:func:`read_study_tables`, :func:`pseudonymise_raw` and :func:`validate_tables` are its
steps, which :func:`evaluation.load_study` runs too.
"""

from __future__ import annotations

from .report import ValidationReport
from .run import (
    has_personal_data,
    problems_error,
    pseudonymise_raw,
    read_study_tables,
    validate_study,
    validate_tables,
)

__all__ = [
    "ValidationReport",
    "has_personal_data",
    "problems_error",
    "pseudonymise_raw",
    "read_study_tables",
    "validate_study",
    "validate_tables",
]
