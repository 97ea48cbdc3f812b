"""The study's missing-value policy (``missing.policy`` in study.yaml).

``drop`` (default): rows missing a required value are dropped, and a note lists them;
``keep``: such rows are kept, except those without a key (unit, year, NIP, respondent);
``error``: every missing required value is a problem.
"""

from __future__ import annotations

import re

import pandas as pd

from ..columns import PERSONAL_COLUMNS, TABLE_COLUMNS
from ..config import StudyConfig
from ..errors import Problem
from ..read import RawTable

__all__ = ["apply_missing_policy", "required_value_columns"]

#: Columns whose missing value leaves a row without identity (never kept by ``keep``).
_KEY_COLUMNS = {"unit_id", "year", "nip", "respondent_id"}


def required_value_columns(table: str, df: pd.DataFrame) -> list[str]:
    """The required columns of ``table`` present in ``df`` whose cells must be filled."""
    cols = [
        c
        for c, spec in TABLE_COLUMNS[table].items()
        if spec.required and c in df.columns and c not in PERSONAL_COLUMNS[1:]
    ]
    if table == "skm":  # unanswered SKM elements are allowed
        cols = [c for c in cols if not re.fullmatch(r"u\d", c)]
    if table == "programme":  # blank cohort = never joined
        cols = [c for c in cols if c != "cohort_year"]
    return cols


def _missing_cells(
    table: str, df: pd.DataFrame, cols: list[str], skip: set[tuple[int, str]]
) -> pd.DataFrame:
    """One boolean column per required column: the value is missing (and was not unreadable)."""
    missing = pd.DataFrame({c: df[c].isna() for c in cols}, index=df.index)
    if table == "training" and ("jp" in df.columns or "hours" in df.columns):
        jp = df["jp"].isna() if "jp" in df.columns else pd.Series(True, index=df.index)
        hours = df["hours"].isna() if "hours" in df.columns else pd.Series(True, index=df.index)
        missing["jp"] = jp & hours
    for pos, col in skip:  # an unreadable cell is already a problem
        if col in missing.columns and pos in missing.index:
            missing.at[pos, col] = False
    return missing


def apply_missing_policy(
    table: str, raw: RawTable, df: pd.DataFrame, config: StudyConfig, skip: set[tuple[int, str]]
) -> tuple[pd.DataFrame, list[Problem], list[str]]:
    """Apply the study's policy to rows missing a required value: (table, problems, notes)."""
    cols = required_value_columns(table, df)
    missing = _missing_cells(table, df, cols, skip)
    if not missing.any(axis=1).any():
        return df, [], []
    policy = config.missing.policy
    if policy == "error":
        return df, _missing_errors(raw, df, missing), []
    if policy == "keep":
        keys = [c for c in cols if c in _KEY_COLUMNS]
        problems, notes = _keep(raw, df, missing, keys)
        return df, problems, notes
    return _drop(raw, df, missing)


def _missing_errors(raw: RawTable, df: pd.DataFrame, missing: pd.DataFrame) -> list[Problem]:
    hint = (
        "fill in the value, or set missing.policy in study.yaml to 'drop' (skip such rows) "
        "or 'keep'"
    )
    return [
        Problem(
            file=raw.file,
            row=raw.row_of(pos),
            column=raw.column_label(col),
            rule="missing_value",
            message="a required value is missing",
            hint=hint,
        )
        for col in missing.columns
        for pos in df.index[missing[col]]
    ]


def _keep(
    raw: RawTable, df: pd.DataFrame, missing: pd.DataFrame, keys: list[str]
) -> tuple[list[Problem], list[str]]:
    key_missing = missing[keys].any(axis=1) if keys else pd.Series(False, df.index)
    problems = []
    for pos in df.index[key_missing]:
        col = next(c for c in keys if missing.at[pos, c])
        problems.append(
            Problem(
                file=raw.file,
                row=raw.row_of(pos),
                column=raw.column_label(col),
                rule="missing_key",
                message="a key value is missing (policy 'keep' keeps "
                "missing measures, not rows without a key)",
                hint="fill in the key, or delete the row",
            )
        )
    n = int((missing.any(axis=1) & ~key_missing).sum())
    notes = []
    if n:
        notes.append(
            f"{raw.file}: {n} row(s) with missing required values kept (missing.policy: keep)"
        )
    return problems, notes


def _drop(
    raw: RawTable, df: pd.DataFrame, missing: pd.DataFrame
) -> tuple[pd.DataFrame, list[Problem], list[str]]:
    any_missing = missing.any(axis=1)
    rows = [raw.row_of(p) for p in df.index[any_missing]]
    shown = ", ".join(map(str, rows[:10])) + (
        f" and {len(rows) - 10} more" if len(rows) > 10 else ""
    )
    by_col = {
        raw.column_label(c): int(missing[c].sum()) for c in missing.columns if missing[c].any()
    }
    note = (
        f"{raw.file}: {len(rows)} row(s) dropped for missing required values "
        f"{by_col} (missing.policy: drop): rows {shown}"
    )
    return df.loc[~any_missing], [], [note]
