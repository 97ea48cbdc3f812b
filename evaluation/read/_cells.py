"""Cells of an input file and how a column's cells become typed values.

Private part of the reading edge (:mod:`evaluation.read`, which re-exports
``EXCEL_ERRORS``; import it from there):

- :class:`_Cells`, the raw cells every reader returns, and :func:`_fatal`, the error for
  a file that cannot be read at all;
- :func:`_parse_column` and its helpers: numbers and dates by the declared locale (through
  :mod:`evaluation._numbers`), NIPs, text and Excel error cells, each cell that cannot be
  read reported as a :class:`~evaluation.errors.Problem`.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._options import NumberLocale
from ..columns import Column
from ..errors import DataValidationError, Problem
from ._numbers import MISSING_MARKERS, _from_serial, _parse_date_text, parse_numbers

#: Values Excel writes into a cell whose formula failed.
EXCEL_ERRORS = frozenset(
    {
        "#DIV/0!",
        "#N/A",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "#SPILL!",
        "#CALC!",
        "#GETTING_DATA",
        "#FIELD!",
        "#BLOCKED!",
        "#UNKNOWN!",
        "#CONNECT!",
        "#BUSY!",
    }
)

_LOCALE_HINT = {
    "id": (
        "the study declares number_locale: id, where ',' is the decimal mark and '.' groups "
        "thousands (1.234,5 means one thousand two hundred thirty-four and a half). Write the "
        "value that way, or set number_locale: en in study.yaml if the whole file uses "
        "1,234.5"
    ),
    "en": (
        "the study declares number_locale: en, where '.' is the decimal mark and ',' groups "
        "thousands (1,234.5). Write the value that way, or set number_locale: id in "
        "study.yaml if the whole file uses 1.234,5"
    ),
}


@dataclass
class _Cells:
    """Raw cells of a file: rows of Python values plus their spreadsheet row numbers."""

    rows: list[list[object]]
    row_numbers: list[int]
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    formula_cells: dict[tuple[int, int], str] = field(default_factory=dict)


def _fatal(
    path: Path, message: str, hint: str, *, rule: str = "unreadable_file"
) -> DataValidationError:
    return DataValidationError(
        f"{path.name}: cannot be read",
        [Problem(file=path.name, message=message, rule=rule, hint=hint)],
    )


def _is_filled(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    return not (isinstance(value, str) and not value.strip())


# ---- a column's cells to typed values -------------------------------------------------


def _count_markers(frame: pd.DataFrame) -> int:
    total = 0
    markers = MISSING_MARKERS - {""}
    for col in frame.columns:
        s = frame[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            counts = s.value_counts(dropna=True)
            total += int(
                sum(
                    n
                    for v, n in counts.items()
                    if isinstance(v, str) and v.strip().lower() in markers
                )
            )
    return total


def map_distinct(
    series: pd.Series, func: Callable[[Any], Any], dtype: str | None
) -> pd.Series:
    """Apply ``func`` once per distinct non-missing value (columns repeat a lot).

    Missing values stay missing; the result has ``dtype`` (or ``object`` when ``None``).
    Public because the reading and validation stages both use it.

    >>> map_distinct(pd.Series(["a", None, "a"]), str.upper, None).tolist()
    ['A', None, 'A']
    """
    present = series.notna().to_numpy()
    out = pd.Series([None] * len(series), index=series.index, dtype=object)
    if present.any():
        values = series[present]
        lookup = {v: func(v) for v in pd.unique(values)}
        out[present] = [lookup[v] for v in values]
    return out.astype(dtype) if dtype is not None else out  # type: ignore[call-overload]


def _all_text(series: pd.Series) -> bool:
    if pd.api.types.is_string_dtype(series.dtype) and series.dtype != object:
        return True
    return pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty")


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


def _excel_error_mask(series: pd.Series) -> pd.Series:
    mask = map_distinct(
        series, lambda v: isinstance(v, str) and v.strip().upper() in EXCEL_ERRORS, None
    )
    return mask.fillna(False).astype(bool)


def _parse_unknown(series: pd.Series, table: str, locale: NumberLocale) -> pd.Series:
    if series.dtype != object:
        return series
    if table == "regional":
        values, failed = _numbers_from_cells(series, locale)
        if not failed.any() and values.notna().any():
            return values
    return _to_text(series)


def _to_text(series: pd.Series) -> pd.Series:
    if _all_text(series):
        text = series.astype("str").str.strip()
        return text.where(text != "", None).astype("str")

    def one(v):
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        if isinstance(v, (_dt.datetime, _dt.date)):
            return v.isoformat()
        s = str(v).strip()
        return None if s == "" else s

    return map_distinct(series, one, "str")


def _numbers_from_cells(series: pd.Series, locale: NumberLocale) -> tuple[pd.Series, pd.Series]:
    """Numbers from mixed cells: numeric cells as they are, text cells by the locale."""
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series):
        values = pd.to_numeric(series, errors="coerce").astype("float64")
        return values, pd.Series(False, index=series.index)
    if _all_text(series):
        v, bad = parse_numbers(series.astype("str").where(series.notna(), ""), locale=locale)
        return v, bad
    is_num = map_distinct(series, _is_number, None).fillna(False).astype(bool)
    values = pd.Series(np.nan, index=series.index, dtype="float64")
    if is_num.any():
        values[is_num] = series[is_num].astype("float64")
    text_mask = ~is_num & series.notna()
    failed = pd.Series(False, index=series.index)
    if text_mask.any():
        v, bad = parse_numbers(series[text_mask].map(str), locale=locale)
        values[text_mask] = v
        failed[text_mask] = bad
    is_bool = map_distinct(series, lambda v: isinstance(v, (bool, np.bool_)), None)
    is_bool = is_bool.fillna(False).astype(bool)
    failed |= is_bool
    return values, failed


def _cell_problems(series: pd.Series, mask, path, row_numbers, label: str, *, rule: str,
                   message: str, hint: str, width: int | None = 60) -> list[Problem]:
    """One Problem per flagged cell, located as the spreadsheet shows it, with its value."""
    flagged = np.flatnonzero(np.asarray(mask, dtype=bool))
    return [
        Problem(file=path.name, row=int(row_numbers[k]), column=label,
                value=str(series.iloc[k])[:width], rule=rule, message=message, hint=hint)
        for k in flagged
    ]


def _parse_column(series, spec: Column, col, label, locale, path, row_numbers):
    problems: list[Problem] = []
    errors = _excel_error_mask(series) if not pd.api.types.is_numeric_dtype(series.dtype) else None
    if errors is not None and errors.any():
        problems += _cell_problems(
            series, errors, path, row_numbers, label, rule="excel_error", width=None,
            message="the cell holds an Excel error instead of a value",
            hint="fix the formula in the source workbook (e.g. a division by zero) or "
            "leave the cell empty if the value is not known")
        series = series.where(~errors, None)
    if spec.kind == "str":
        if col == "nip":
            return _parse_nip(series, label, path, row_numbers, problems)
        return _to_text(series), problems
    if spec.kind == "date":
        return _parse_dates(series, label, locale, path, row_numbers, problems)
    values, failed = _numbers_from_cells(series, locale)
    problems += _cell_problems(
        series, failed, path, row_numbers, label, rule=f"number_{locale}",
        message="not a number under the study's number locale", hint=_LOCALE_HINT[locale])
    if spec.kind == "int":
        frac = values.notna() & (values != np.floor(values.fillna(0)))
        problems += _cell_problems(
            series, frac, path, row_numbers, label, rule="whole_number",
            message="expecting a whole number",
            hint=("if this is a thousands separator, note that " + _LOCALE_HINT[locale])
            if locale == "en" else "write a whole number (no decimals)")
        values = values.where(~frac)
        too_big = values.abs() > 2**53
        values = values.where(~too_big)
        return values.round().astype("Int64"), problems
    return values.astype("float64"), problems


def _nip_number_problem(path, row: int, label: str, *, scientific: bool) -> Problem:
    """An NIP that a spreadsheet turned into a number: its digits are gone (never shown)."""
    if scientific:
        message = "the NIP is written in scientific notation, so its digits are lost"
        hint = "format the NIP column as Text and export it again"
    else:
        message = ("the NIP is stored as a number, so its last digits are lost "
                   "(spreadsheets keep 15 digits)")
        hint = ("format the NIP column as Text in the source system's export and export "
                "again; do not retype NIPs")
    return Problem(file=path.name, row=row, column=label, value=None, rule="nip_as_number",
                   message=message, hint=hint)


def _parse_nip(series, label, path, row_numbers, problems):
    # An 18-digit NIP stored as an Excel number keeps only 15 significant digits: the last
    # digits are already lost, so no pseudonym could ever match the person's other records.
    if _all_text(series):
        text = series.astype("str").str.replace(r"\s+", "", regex=True)
        sci = text.str.fullmatch(r"\d(?:[.,]\d+)?[eE]\+?\d+").fillna(False).astype(bool)
        for k in np.flatnonzero(sci.to_numpy()):
            problems.append(_nip_number_problem(path, int(row_numbers[k]), label,
                                                scientific=True))
        text = text.where(~sci & (text != ""), None)
        return text.astype("str"), problems
    texts = []
    for k, v in enumerate(series):
        if _is_number(v) and not (isinstance(v, float) and math.isnan(v)):
            problems.append(_nip_number_problem(path, int(row_numbers[k]), label,
                                                scientific=False))
            texts.append(None)
            continue
        s = None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v).strip()
        if s is not None:
            s = s.replace(" ", "").replace("\u00a0", "")
            if re.fullmatch(r"\d(?:[.,]\d+)?[eE]\+?\d+", s):
                problems.append(_nip_number_problem(path, int(row_numbers[k]), label,
                                                    scientific=True))
                s = None
        texts.append(s or None)
    return pd.Series(texts, index=series.index, dtype="str"), problems


def _parse_dates(series, label, locale, path, row_numbers, problems):
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return series, problems
    failed = object()

    def one(v):
        if isinstance(v, pd.Timestamp):
            return v.to_pydatetime()
        if isinstance(v, _dt.datetime):
            return v
        if isinstance(v, _dt.date):
            return _dt.datetime(v.year, v.month, v.day)
        if _is_number(v):
            d = _from_serial(float(v))
            return failed if d is None else d
        s = str(v).strip()
        if s.lower() in MISSING_MARKERS:
            return None
        d = _parse_date_text(s, locale)
        return failed if d is None else d

    parsed = map_distinct(series, one, None)
    bad = parsed.map(lambda d: d is failed).to_numpy(dtype=bool)
    problems += _cell_problems(series, bad, path, row_numbers, label, rule="date",
                               message="not a date",
                               hint="write dates as 2023-07-31 or 31/07/2023 (day first)")
    parsed[bad] = None
    return pd.to_datetime(parsed), problems
