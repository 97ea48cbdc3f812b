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
from ..read.words import PROBLEMS_PER_KIND, more_problems, note, problem

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
    if table in ("skm", "skm_summary"):  # unanswered (or unreported) SKM elements
        cols = [c for c in cols if not re.fullmatch(r"(?:nrr_)?u\d", c)]
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
    out = []
    for col in missing.columns:
        label = raw.column_label(col)
        positions = df.index[missing[col]]
        out += [problem("missing_value", file=raw.file, row=raw.row_of(int(pos)), column=label)
                for pos in positions[:PROBLEMS_PER_KIND]]
        if len(positions) > PROBLEMS_PER_KIND:
            rest = positions[PROBLEMS_PER_KIND:]
            out.append(more_problems(raw.file, label, "missing_value", len(rest),
                                     raw.row_of(int(rest[0])), raw.row_of(int(rest[-1]))))
    return out


def _keep(
    raw: RawTable, df: pd.DataFrame, missing: pd.DataFrame, keys: list[str]
) -> tuple[list[Problem], list[str]]:
    key_missing = missing[keys].any(axis=1) if keys else pd.Series(False, df.index)
    problems = []
    for pos in df.index[key_missing]:
        col = next(c for c in keys if missing.at[pos, c])
        problems.append(problem("missing_key", file=raw.file, row=raw.row_of(pos),
                                column=raw.column_label(col)))
    n = int((missing.any(axis=1) & ~key_missing).sum())
    notes: list[str] = []
    if n:
        notes.append(note("missing_kept", file=raw.file, n=n))
    return problems, notes


def _drop(
    raw: RawTable, df: pd.DataFrame, missing: pd.DataFrame
) -> tuple[pd.DataFrame, list[Problem], list[str]]:
    any_missing = missing.any(axis=1)
    positions = df.index[any_missing]
    rows = ", ".join(str(raw.row_of(int(p))) for p in positions[:10])
    if len(positions) > 10:
        rows += ", ..."
    by_column = [
        f"{raw.column_label(c)}: {int(missing[c].sum())}"
        for c in missing.columns
        if missing[c].any()
    ]
    dropped = note("missing_dropped", file=raw.file, n=len(positions), by_column=by_column,
                   rows=rows)
    return df.loc[~any_missing], [], [dropped]
