"""The yearly batch: every year's estimation and briefs, in parallel, resumable, recorded."""

from __future__ import annotations

from .batch import (
    BatchResult,
    NotebookSet,
    batch_lock,
    default_notebooks,
    parse_years,
    plan_runs,
    render_index,
    run_batch,
    write_index,
)

__all__ = [
    "BatchResult",
    "NotebookSet",
    "batch_lock",
    "default_notebooks",
    "parse_years",
    "plan_runs",
    "render_index",
    "run_batch",
    "write_index",
]
