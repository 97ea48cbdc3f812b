"""Validation: every input table of a study checked, every problem reported at once."""

from __future__ import annotations

from .checks import (
    ValidationReport,
    read_study_tables,
    validate_study,
    validate_tables,
)

__all__ = [
    "ValidationReport",
    "read_study_tables",
    "validate_study",
    "validate_tables",
]
