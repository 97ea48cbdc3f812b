"""A column's cells to typed values, whole columns at a time.

Private part of the reading edge (:mod:`evaluation.read`). Columns repeat a lot (unit
codes, years, JP, costs, dates, programme titles): a column is seen as its distinct cells
(:class:`_Distinct`, one ``pandas.factorize``) and every rule (Excel error markers, NIP
shapes, numbers by locale, dates) runs once per distinct cell, as whole-column string
operations where it can, then is spread back to the rows by their codes. Each cell that
cannot be read is reported as a :class:`~evaluation.errors.Problem`, its value only as
:func:`.words.shown_value` allows.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._options import NumberLocale
from ..columns import Column
from ..errors import Problem
from ..privacy import contains_nip, nip_shaped
from ._cells import EXCEL_ERRORS, _Where
from ._numbers import (
    ACCOUNTING_ZERO,
    MISSING_MARKERS,
    _from_serial,
    _parse_date_text,
    parse_numbers,
    replace_text,
)

#: Whole-number columns hold counts and years: anything above this cannot be one, and a
#: float cannot hold it exactly.
_LARGEST_WHOLE = 2**53
_SCIENTIFIC = r"\d(?:[.,]\d+)?[eE]\+?\d+"


#: what ``pandas.api.types.infer_dtype`` says of an object column that holds no yes/no cell
_NO_BOOLS = frozenset({"string", "empty", "integer", "floating", "mixed-integer-float",
                       "decimal", "date", "datetime", "datetime64", "time", "bytes"})


@dataclass(frozen=True)
class _Distinct:
    """A column as its distinct non-missing cells (``values``) and, for each row, the
    position of its cell among them (``codes``; ``-1`` for a missing cell)."""

    codes: np.ndarray
    values: pd.Series

    @classmethod
    def of(cls, series: pd.Series) -> _Distinct:
        if series.dtype != object:
            typed_codes, typed = pd.factorize(series, use_na_sentinel=True)
            return cls(np.asarray(typed_codes, dtype=np.int64),
                       pd.Series(typed, dtype=series.dtype))
        # Python's 1 == 1.0 == True would merge a yes/no cell with the number 1
        cells = series.to_numpy(dtype=object)
        if pd.api.types.infer_dtype(cells, skipna=True) in _NO_BOOLS:
            plain_codes, plain = pd.factorize(cells, use_na_sentinel=True)
            return cls(np.asarray(plain_codes, dtype=np.int64), pd.Series(plain, dtype=object))
        is_bool = np.fromiter((isinstance(v, (bool, np.bool_)) for v in cells), bool, len(cells))
        others = cells.copy()
        others[is_bool] = None
        other_codes, uniques = pd.factorize(others, use_na_sentinel=True)
        codes = np.asarray(other_codes, dtype=np.int64)
        values = list(uniques)
        if is_bool.any():
            bool_codes, bool_uniques = pd.factorize(cells[is_bool].astype(bool))
            codes[is_bool] = bool_codes + len(values)
            values += [bool(b) for b in bool_uniques]
        return cls(codes, pd.Series(values, dtype=object))

    def __len__(self) -> int:
        return len(self.values)

    def rows(self, per_value: Any, fill: Any = False) -> np.ndarray:
        """A per-value array spread to the rows (``fill`` for missing cells)."""
        per_value = np.asarray(per_value)
        extended = np.append(per_value, np.array([fill], dtype=per_value.dtype))
        return extended[self.codes]

    def without(self, drop: np.ndarray) -> _Distinct:
        """The same column with the rows holding the values flagged in ``drop`` missing."""
        if not drop.any():
            return self
        codes = np.where(self.rows(drop), -1, self.codes)
        return _Distinct(codes, self.values)

    def is_text(self) -> np.ndarray:
        if pd.api.types.is_string_dtype(self.values.dtype) and self.values.dtype != object:
            return np.ones(len(self.values), dtype=bool)
        return np.fromiter((isinstance(v, str) for v in self.values), bool, len(self.values))

    def text(self) -> pd.Series:
        """The text values (other values as empty text), as a string Series."""
        if self.values.dtype != object:
            return self.values.astype("str")
        return pd.Series([v if isinstance(v, str) else "" for v in self.values], dtype="str")

    def spread_text(self, per_value: list[str | None], index: pd.Index) -> pd.Series:
        """Text per distinct value spread to the rows, as a string column (missing cells and
        ``None`` values missing), without a Python object per row."""
        indices = pa.array(self.codes, mask=self.codes < 0)
        taken = pa.array(per_value, type=pa.string()).take(indices)
        return pd.Series(pd.array(taken, dtype="str"), index=index)

    def counts(self) -> np.ndarray:
        present = self.codes[self.codes >= 0]
        return np.bincount(present, minlength=len(self.values))


def map_distinct(
    series: pd.Series, func: Callable[[Any], Any], dtype: str | None
) -> pd.Series:
    """Apply ``func`` once per distinct non-missing value (columns repeat a lot).

    Missing values stay missing; the result has ``dtype`` (or ``object`` when ``None``).
    Public because the reading and validation stages both use it.

    >>> map_distinct(pd.Series(["a", None, "a"]), str.upper, None).tolist()
    ['A', None, 'A']
    """
    d = _Distinct.of(series)
    mapped = [func(v) for v in d.values]
    if dtype == "str" and series.dtype == "str" and mapped == list(d.values):
        return series  # every value maps to itself
    if dtype == "str" and all(m is None or isinstance(m, str) for m in mapped):
        return d.spread_text(mapped, series.index)
    per_value = np.empty(len(d), dtype=object)
    per_value[:] = mapped
    out = pd.Series(d.rows(per_value, fill=None), index=series.index, dtype=object)
    return out.astype(dtype) if dtype is not None else out  # type: ignore[call-overload]


def _all_text(series: pd.Series) -> bool:
    if pd.api.types.is_string_dtype(series.dtype) and series.dtype != object:
        return True
    return pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty")


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


def _excel_errors(d: _Distinct) -> np.ndarray:
    """Per distinct value: Excel's error marker (``#DIV/0!``)."""
    marker = d.text().str.strip().str.upper().isin(EXCEL_ERRORS).to_numpy(dtype=bool)
    return marker & d.is_text()


def _missing_markers(d: _Distinct) -> int:
    """How many cells hold a written missing marker (``-``, ``NA``)."""
    if not len(d):
        return 0
    written = d.text().str.strip().str.lower().isin(MISSING_MARKERS - {""}).to_numpy(dtype=bool)
    markers = written & d.is_text()
    return int(d.counts()[markers].sum())


def _accounting_zeros(d: _Distinct) -> int:
    """How many cells hold Excel's accounting zero as text (``Rp -``), read as 0."""
    if not len(d):
        return 0
    zeros = d.text().str.fullmatch(ACCOUNTING_ZERO).fillna(False).to_numpy(dtype=bool)
    return int(d.counts()[zeros & d.is_text()].sum())


def _is_text_like(series: pd.Series) -> bool:
    """Cells that may hold text (and so markers, errors, NIPs): not a typed number column."""
    return series.dtype == object or pd.api.types.is_string_dtype(series.dtype)


def _parse_unknown(
    series: pd.Series, table: str, locale: NumberLocale, d: _Distinct | None = None
) -> pd.Series:
    if series.dtype != object:
        return series
    d = d if d is not None else _Distinct.of(series)
    if table == "regional":
        values, failed = _numbers_from_cells(series, d, locale)
        if not failed.any() and values.notna().any():
            return values
    return _to_text(series, d)


def _text_of(v: object) -> str | None:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (_dt.datetime, _dt.date)):
        return v.isoformat()
    s = str(v).strip()
    return None if s == "" else s


def _to_text(series: pd.Series, d: _Distinct) -> pd.Series:
    if _all_text(series):
        distinct = d.text()
        if series.dtype == "str" and not (distinct == "").any() and (
            distinct.str.strip() == distinct
        ).all():
            return series  # already clean text: nothing to strip, no empty cell
        text = pc.utf8_trim_whitespace(pa.array(series.astype("str")))
        text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
        return pd.Series(pd.array(text, dtype="str"), index=series.index)
    return d.spread_text([_text_of(v) for v in d.values], series.index)


def _numbers_from_cells(
    series: pd.Series, d: _Distinct, locale: NumberLocale
) -> tuple[pd.Series, pd.Series]:
    """Numbers from mixed cells: numeric cells as they are, text cells by the locale, each
    distinct text parsed once."""
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series):
        values = pd.to_numeric(series, errors="coerce").astype("float64")
        return values, pd.Series(False, index=series.index)
    n = len(d)
    value_u = np.full(n, np.nan)
    failed_u = np.zeros(n, dtype=bool)
    is_text = d.is_text()
    if is_text.all():
        parsed, bad = parse_numbers(d.text(), locale=locale)
        value_u = parsed.to_numpy(dtype="float64", copy=True)
        failed_u = bad.to_numpy(dtype=bool, copy=True)
    elif n:
        kinds = d.values.to_numpy(dtype=object)
        is_num = np.fromiter((_is_number(v) for v in kinds), bool, n)
        is_bool = np.fromiter((isinstance(v, (bool, np.bool_)) for v in kinds), bool, n)
        value_u[is_num] = [float(v) for v in kinds[is_num]]
        other = ~is_num & ~is_bool
        if other.any():
            parsed, bad = parse_numbers(pd.Series([str(v) for v in kinds[other]], dtype=object),
                                        locale=locale)
            value_u[other] = parsed.to_numpy(dtype="float64")
            failed_u[other] = bad.to_numpy(dtype=bool)
        failed_u |= is_bool
    values = pd.Series(d.rows(value_u, fill=np.nan), index=series.index, dtype="float64")
    failed = pd.Series(d.rows(failed_u), index=series.index, dtype=bool)
    return values, failed


def _parse_column(
    series: pd.Series, spec: Column, col: str, where: _Where, d: _Distinct | None = None
) -> tuple[pd.Series, list[Problem]]:
    """One column's cells to values of the column's kind; the cells that cannot be read.
    ``d`` is the column's distinct view when the caller has it already."""
    problems: list[Problem] = []
    numeric = not _is_text_like(series)
    if d is None:
        d = _Distinct.of(series) if not numeric else _Distinct(np.zeros(0, np.int64), pd.Series())
    if not numeric:
        errors_u = _excel_errors(d)
        if errors_u.any():
            errors = d.rows(errors_u)
            # Excel's own error markers (#DIV/0!) come from a fixed list: showing one is safe
            problems += where.problems(series, errors, "excel_error", raw=True)
            series, d = series.where(~errors, None), d.without(errors_u)
    if col == "nip":
        return _parse_nip(series, d, where, problems)
    if spec.kind != "date" and not numeric:
        # an NIP typed (or shifted) into another column: reported, never read as a value
        nips_u = d.is_text() & nip_shaped(d.text()).to_numpy(dtype=bool)
        if nips_u.any():
            nips = d.rows(nips_u)
            problems += where.problems(series, nips, "nip_in_column")
            series, d = series.where(~nips, None), d.without(nips_u)
    if spec.kind == "str" and not numeric:
        # an NIP inside a text (a name and an NIP typed into a title or a unit's name): the
        # same problem, the text described and never kept, whatever the table
        inside_u = d.is_text() & contains_nip(d.text()).to_numpy(dtype=bool)
        if inside_u.any():
            inside = d.rows(inside_u)
            problems += dataclasses.replace(where, personal=True).problems(
                series, inside, "nip_in_text", rule="nip_in_column")
            series, d = series.where(~inside, None), d.without(inside_u)
    if spec.kind == "str":
        return _to_text(series, d), problems
    if spec.kind == "date":
        return _parse_dates(series, d, where, problems)
    values, failed = _numbers_from_cells(series, d, where.locale)
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
    series: pd.Series, d: _Distinct, where: _Where, problems: list[Problem]
) -> tuple[pd.Series, list[Problem]]:
    # An 18-digit NIP stored as an Excel number keeps only 15 significant digits: the last
    # digits are already lost, so no pseudonym could ever match the person's other records.
    # The problem never shows the cell (not even its shape: the message says what it is).
    if _all_text(series):
        # each distinct NIP cleaned once (an NIP recurs in every event of its person)
        text_u = replace_text(d.text(), r"\s+", "")
        sci_u = text_u.str.fullmatch(_SCIENTIFIC).fillna(False).to_numpy(dtype=bool)
        problems += where.problems(series, d.rows(sci_u), "nip_scientific",
                                   rule="nip_as_number", value=None)
        kept = [None if bad or not t else t for t, bad in zip(text_u, sci_u, strict=True)]
        return d.spread_text(kept, series.index), problems
    kinds = d.values.to_numpy(dtype=object)
    is_num_u = np.fromiter((_is_number(v) for v in kinds), bool, len(d))
    is_num = d.rows(is_num_u)
    problems += where.problems(series, is_num, "nip_number", rule="nip_as_number", value=None)
    text = _to_text(series.where(~is_num, None), d.without(is_num_u))
    cleaned = replace_text(text, "[ \u00a0]", "")
    sci = cleaned.str.fullmatch(_SCIENTIFIC).fillna(False).astype(bool)
    problems += where.problems(series, sci, "nip_scientific", rule="nip_as_number", value=None)
    return cleaned.where(~sci & (cleaned != ""), None).astype("str"), problems


def _parse_dates(
    series: pd.Series, d: _Distinct, where: _Where, problems: list[Problem]
) -> tuple[pd.Series, list[Problem]]:
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return series, problems
    locale = where.locale
    parsed_u: list[_dt.datetime | None] = []
    bad_u = np.zeros(len(d), dtype=bool)
    for i, v in enumerate(d.values):
        parsed = _one_date(v, locale)
        bad_u[i] = parsed is _FAILED
        parsed_u.append(None if parsed is _FAILED else parsed)  # type: ignore[arg-type]
    bad = d.rows(bad_u)
    problems += where.problems(series, bad, "date")
    stamps = pd.to_datetime(pd.Series(parsed_u, dtype=object)).to_numpy()
    if not len(stamps):
        stamps = np.array([], dtype="datetime64[ns]")
    values = d.rows(stamps, fill=np.datetime64("NaT"))
    return pd.Series(values, index=series.index), problems


_FAILED: Any = object()


def _one_date(v: object, locale: NumberLocale) -> object:
    """One cell as a datetime; ``None`` for a written missing marker; ``_FAILED``."""
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if isinstance(v, _dt.datetime):
        return v
    if isinstance(v, _dt.date):
        return _dt.datetime(v.year, v.month, v.day)
    if _is_number(v):
        d = _from_serial(float(v))  # type: ignore[arg-type]
        return _FAILED if d is None else d
    s = str(v).strip()
    if s.lower() in MISSING_MARKERS:
        return None
    d = _parse_date_text(s, locale)
    return _FAILED if d is None else d
