"""Cells of an input file and how a column's cells become typed values.

Private part of the reading edge (:mod:`evaluation.read`, which re-exports
``EXCEL_ERRORS``; import it from there):

- :class:`_Cells`, the raw cells every reader returns, and :func:`_fatal`, the error for
  a file that cannot be read at all;
- :func:`_parse_column` and its helpers: numbers and dates by the declared locale (through
  :mod:`._numbers`), NIPs, text and Excel error cells, each cell that cannot be read
  reported as a :class:`~evaluation.errors.Problem` (its value only as
  :func:`.words.shown_value` allows: never a cell of a table about persons that could
  identify someone, never an NIP).
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._options import NumberLocale
from ..columns import Column
from ..errors import DataValidationError, Problem
from ..privacy import is_nip_shaped
from ._numbers import MISSING_MARKERS, _from_serial, _parse_date_text, parse_numbers
from .words import PROBLEMS_PER_KIND, Shape, more_problems, problem, shown_value

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

@dataclass
class _Cells:
    """Raw cells of a file: rows of Python values plus their spreadsheet row numbers."""

    rows: list[list[object]]
    row_numbers: list[int]
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    formula_cells: dict[tuple[int, int], str] = field(default_factory=dict)


def _fatal(path: Path, key: str, *, rule: str | None = None, **params: Any) -> DataValidationError:
    """The error for a file that cannot be read at all: catalogue entry ``key``."""
    return DataValidationError(
        f"{path.name}: cannot be read",
        [problem(key, file=path.name, rule=rule, **params)],
    )


#: "show the cell itself" (as far as :func:`shown_value` allows)
_CELL: Any = object()


@dataclass(frozen=True)
class _Where:
    """Where a column's cells come from, for the problems found in them."""

    path: Path
    label: str
    row_numbers: np.ndarray
    locale: NumberLocale
    #: the table is about persons: values are described, not shown
    personal: bool

    def problems(
        self, series: pd.Series, mask: Any, key: str, *, rule: str | None = None,
        value: Any = _CELL, raw: bool = False,
    ) -> list[Problem]:
        """One problem per flagged cell, located as the spreadsheet shows it; its value as
        :func:`shown_value` allows, the cell as it is when ``raw`` (only for values from a
        fixed list, such as Excel's error markers), or ``value`` for every cell."""
        flagged = np.flatnonzero(np.asarray(mask, dtype=bool))
        out = []
        for k in flagged[:PROBLEMS_PER_KIND]:
            cell = series.iloc[k]
            shown = value if value is not _CELL else (str(cell) if raw else self._value(cell))
            out.append(problem(key, file=self.path.name, row=int(self.row_numbers[k]),
                               column=self.label, value=shown, rule=rule))
        if len(flagged) > PROBLEMS_PER_KIND:
            rest = flagged[PROBLEMS_PER_KIND:]
            out.append(more_problems(self.path.name, self.label, rule or key, len(rest),
                                     int(self.row_numbers[rest[0]]),
                                     int(self.row_numbers[rest[-1]])))
        return out

    def _value(self, cell: object) -> object:
        shown = shown_value(cell, personal=self.personal)
        if isinstance(shown, str) and not isinstance(shown, Shape):
            return shown[:60]
        return shown


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


#: Whole-number columns hold counts and years: anything above this cannot be one, and a
#: float cannot hold it exactly.
_LARGEST_WHOLE = 2**53


def _nip_shaped_text(series: pd.Series) -> pd.Series:
    """Text cells that look like an NIP (solid, grouped, behind ``NIP.`` or an apostrophe)."""
    shaped = map_distinct(series, lambda v: isinstance(v, str) and is_nip_shaped(v), None)
    return shaped.fillna(False).astype(bool)


def _parse_column(
    series: pd.Series, spec: Column, col: str, where: _Where
) -> tuple[pd.Series, list[Problem]]:
    """One column's cells to values of the column's kind; the cells that cannot be read."""
    problems: list[Problem] = []
    errors = _excel_error_mask(series) if not pd.api.types.is_numeric_dtype(series.dtype) else None
    if errors is not None and errors.any():
        # Excel's own error markers (#DIV/0!) come from a fixed list: showing one is safe
        problems += where.problems(series, errors, "excel_error", raw=True)
        series = series.where(~errors, None)
    if col == "nip":
        return _parse_nip(series, where, problems)
    if spec.kind != "date" and not pd.api.types.is_numeric_dtype(series.dtype):
        # an NIP typed (or shifted) into another column: reported, never read as a value
        nips = _nip_shaped_text(series)
        if nips.any():
            problems += where.problems(series, nips, "nip_in_column")
            series = series.where(~nips, None)
    if spec.kind == "str":
        return _to_text(series), problems
    if spec.kind == "date":
        return _parse_dates(series, where, problems)
    values, failed = _numbers_from_cells(series, where.locale)
    problems += where.problems(series, failed, f"number_{where.locale}")
    nip_numbers = ((values.abs() >= 1e17) & (values.abs() < 1e18)).to_numpy()
    if nip_numbers.any():  # an NIP stored as a number in a number column
        problems += where.problems(series, nip_numbers, "nip_in_column")
        values = values.where(~nip_numbers)
    if spec.kind == "int":
        frac = values.notna() & (values != np.floor(values.fillna(0)))
        problems += where.problems(series, frac, f"whole_number_{where.locale}",
                                   rule="whole_number")
        values = values.where(~frac)
        too_big = values.abs() > _LARGEST_WHOLE
        problems += where.problems(series, too_big, "too_large")
        values = values.where(~too_big)
        return values.round().astype("Int64"), problems
    return values.astype("float64"), problems


def _parse_nip(
    series: pd.Series, where: _Where, problems: list[Problem]
) -> tuple[pd.Series, list[Problem]]:
    # An 18-digit NIP stored as an Excel number keeps only 15 significant digits: the last
    # digits are already lost, so no pseudonym could ever match the person's other records.
    # The problem never shows the cell (not even its shape: the message says what it is).
    if _all_text(series):
        text = series.astype("str").str.replace(r"\s+", "", regex=True)
        sci = text.str.fullmatch(r"\d(?:[.,]\d+)?[eE]\+?\d+").fillna(False).astype(bool)
        problems += where.problems(series, sci, "nip_scientific", rule="nip_as_number",
                                   value=None)
        text = text.where(~sci & (text != ""), None)
        return text.astype("str"), problems
    is_num = map_distinct(series, _is_number, None).fillna(False).astype(bool)
    problems += where.problems(series, is_num, "nip_number", rule="nip_as_number", value=None)
    text = _to_text(series.where(~is_num, None))
    cleaned = text.str.replace(r"[ \u00a0]", "", regex=True)
    sci = cleaned.str.fullmatch(r"\d(?:[.,]\d+)?[eE]\+?\d+").fillna(False).astype(bool)
    problems += where.problems(series, sci, "nip_scientific", rule="nip_as_number", value=None)
    return cleaned.where(~sci & (cleaned != ""), None).astype("str"), problems


def _parse_dates(
    series: pd.Series, where: _Where, problems: list[Problem]
) -> tuple[pd.Series, list[Problem]]:
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return series, problems
    failed = object()
    locale = where.locale

    def one(v: object) -> object:
        if isinstance(v, pd.Timestamp):
            return v.to_pydatetime()
        if isinstance(v, _dt.datetime):
            return v
        if isinstance(v, _dt.date):
            return _dt.datetime(v.year, v.month, v.day)
        if _is_number(v):
            d = _from_serial(float(v))  # type: ignore[arg-type]
            return failed if d is None else d
        s = str(v).strip()
        if s.lower() in MISSING_MARKERS:
            return None
        d = _parse_date_text(s, locale)
        return failed if d is None else d

    parsed = map_distinct(series, one, None)
    bad = parsed.map(lambda d: d is failed).to_numpy(dtype=bool)
    problems += where.problems(series, bad, "date")
    parsed[bad] = None
    return pd.to_datetime(parsed), problems
