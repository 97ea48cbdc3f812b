"""The reading edge: one input table from CSV, XLSX or Parquet into canonical columns.

A reader does four things and nothing else:

1. get the cells as text (or as the numbers/dates a spreadsheet or Parquet file stores),
   remembering the row number a spreadsheet program shows for each data row;
2. find the header row (title rows above it are skipped) and map the headers to the
   canonical names of :mod:`evaluation.columns`;
3. parse numbers by the study's declared ``number_locale`` (never by guessing) and dates;
4. report every cell it cannot parse as a :class:`~evaluation.errors.Problem`.

Numbers by locale
-----------------
``"id"`` (Indonesian): ``.`` groups thousands and ``,`` is the decimal mark:
``1.234.567`` -> 1234567, ``1.234,5`` -> 1234.5, ``Rp 1.250.000,00`` -> 1250000.
``"en"``: ``,`` groups thousands and ``.`` is the decimal mark: ``1,234,567.5``.
A trailing percent sign is stripped and the value stays in percent units
(``12,5%`` -> 12.5, not 0.125), because every percentage the toolkit uses
(IKU achievement, shares) is stored in percent.
Cells holding ``-``, ``NA``, ``N/A``, ``null`` or nothing are missing values, never zero.

Dates
-----
ISO ``2023-07-31``, day-first ``31/07/2023`` (also with ``.`` or ``-``), ``31 Juli 2023``,
spreadsheet date cells and Excel serial numbers (``45138``). Day-first whatever the number
locale: month-first dates are not used in Indonesian administration, and a date like
``05/07/2023`` must not be read two ways.

Rows
----
``RawTable.row_numbers`` holds, for each data row, the row number a spreadsheet shows:
in a CSV with its header on the first line the first data row is 2; in an XLSX with two
title rows above the header it is 4. Parquet files have no rows to show; their records
are numbered as if the file were saved as a CSV (first record = 2).

Where things live
-----------------
This module is the public face of the reading stage: :func:`read_table` and
:class:`RawTable` are here; the rest lives in private modules of ``evaluation/read/``:
``_csv.py``, ``_xlsx.py`` and ``_parquet.py`` (a file's cells), ``_headers.py`` (the
header row and :func:`normalise_header`), ``_numbers.py`` (numbers and dates by locale,
:func:`parse_numbers`) and ``_cells.py`` (the raw-cell record and a column's cells to
typed values). Import everything from :mod:`evaluation.read`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from .._options import Language, NumberLocale, check_option
from ..columns import PERSONAL_TABLES, TABLE_COLUMNS, Column
from ..config import TABLE_NAMES
from ..errors import DataValidationError, Problem
from ..privacy import holds_nip, names_a_person, scrub_nips
from ._cells import EXCEL_ERRORS, _fatal, _Where
from ._csv import _read_csv_cells, _read_csv_head
from ._grid import (
    NEVER_READ,
    _cells_to_grid,
    _csv_fast_grid,
    _Grid,
    _parquet_grid,
    _require_header,
)
from ._headers import (
    HeaderUnit,
    _alias_map,
    header_unit,
    normalise_header,
)
from ._numbers import MISSING_MARKERS, parse_numbers
from ._parse import (
    _accounting_zeros,
    _Distinct,
    _is_text_like,
    _missing_markers,
    _parse_column,
    _parse_unknown,
    map_distinct,
)
from ._xlsx import _read_xlsx_cells
from .words import (
    Shape,
    in_language,
    note,
    problem,
    shown_value,
)

__all__ = [
    "EXCEL_ERRORS",
    "MISSING_MARKERS",
    "RawTable",
    "map_distinct",
    "normalise_header",
    "parse_numbers",
    "read_table",
]

ReadErrors = Literal["raise", "collect"]


_SUFFIX_KIND = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
}


@dataclass(frozen=True)
class RawTable:
    """One input table as read from disk, before validation.

    Attributes
    ----------
    table : str
        Which study table this is (a key of :data:`evaluation.config.TABLE_NAMES`).
    path : Path
        The file it came from.
    frame : pandas.DataFrame
        Canonical column names (unknown columns keep their normalised header); numbers
        parsed by the declared locale (``Int64`` for whole-number columns, ``float64``
        otherwise), dates as ``datetime64``, text as ``str``. Cells that could not be
        parsed are missing here and listed in ``problems``.
    row_numbers : numpy.ndarray
        For each row of ``frame``, the row number a spreadsheet program shows.
    source_columns : Mapping[str, str]
        Canonical column -> the header as written in the file (for messages).
    notes : tuple[str, ...]
        What the reader decided and the user may want to know (encoding fallback,
        unknown columns, title rows skipped, missing-value markers seen).
    problems : tuple[Problem, ...]
        Cells that could not be read (unparsable numbers, Excel error cells, formulas
        without a stored value, NIPs stored as numbers).
    header_row : int or None
        Spreadsheet row of the header (``None`` for Parquet).
    """

    table: str
    path: Path
    frame: pd.DataFrame
    row_numbers: np.ndarray
    source_columns: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    #: Spreadsheet row of the header (``None`` for Parquet).
    header_row: int | None = None

    @property
    def file(self) -> str:
        """The file name used in messages."""
        return self.path.name

    def __len__(self) -> int:
        return len(self.frame)

    def column_label(self, column: str) -> str:
        """How ``column`` is written in the user's file (falls back to the canonical name)."""
        return self.source_columns.get(column, column)

    def row_of(self, position: int) -> int:
        """Spreadsheet row number of the ``position``-th data row."""
        return int(self.row_numbers[position])


# ---- from cells to a frame of strings/values -------------------------------------------------


# ---- the public reader -----------------------------------------------------------------------


def _kind_of(path: Path) -> str:
    kind = _SUFFIX_KIND.get(path.suffix.lower())
    if kind is None:
        raise _fatal(path, "file_type", suffix=path.suffix)
    return kind


def read_table(
    path: str | os.PathLike[str],
    *,
    table: str,
    locale: NumberLocale = "id",
    sheet: str | int | None = None,
    errors: ReadErrors = "raise",
    lang: Language = "en",
) -> RawTable:
    """Read one input table into canonical columns.

    Parameters
    ----------
    path : path-like
        A ``.csv`` (comma, semicolon, tab; UTF-8, UTF-8 with BOM or Windows-1252),
        ``.xlsx`` or ``.parquet`` file.
    table : str
        Which study table this is; decides the known columns and their kinds.
    locale : {"id", "en"}
        The study's ``number_locale``: how numbers written as text are read.
    sheet : str or int, optional
        XLSX sheet name or 0-based position (default: the first visible sheet).
    errors : {"raise", "collect"}
        ``"raise"``: raise :class:`DataValidationError` listing every unreadable cell.
        ``"collect"``: return them in ``RawTable.problems`` (the validator does this to
        report all problems of a study at once). A file that cannot be read at all
        (missing, empty, undecodable, no header recognised, duplicated columns) always
        raises.
    lang : {"id", "en"}
        Language of the error's text (the problems keep both: see
        :func:`evaluation.read.words.localise`).

    Returns
    -------
    RawTable

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "staff.csv"
    >>> _ = p.write_text("Kode OPD;Tahun;Jumlah ASN\\nD01;2023;1.234\\n", encoding="utf-8")
    >>> t = read_table(p, table="staff", locale="id")
    >>> t.frame["asn_count"].tolist(), t.row_numbers.tolist()
    ([1234], [2])
    """
    check_option("table", table, list(TABLE_NAMES), error=ValueError)
    check_option("locale", locale, NumberLocale, error=ValueError)
    check_option("errors", errors, ReadErrors, error=ValueError)
    check_option("lang", lang, Language, error=ValueError)
    try:
        return _read(Path(path), table, locale, sheet, errors)
    except DataValidationError as exc:
        raise in_language(exc, lang) from None


def _read(
    path: Path, table: str, locale: NumberLocale, sheet: str | int | None, errors: ReadErrors
) -> RawTable:
    if not path.is_file():
        key = "missing_file" if not path.exists() else "not_a_file"
        raise _fatal(path, key, rule="missing_file", table=table)
    kind = _kind_of(path)
    aliases = _alias_map(table)
    if kind == "parquet":
        grid = _parquet_grid(path, table, aliases)
    else:
        def check(head: list[list[object]]) -> None:
            _require_header(path, table, head, aliases)

        if kind == "csv":
            head = _read_csv_head(path, aliases, check)
            grid = _csv_fast_grid(path, table, head, aliases) or _cells_to_grid(
                path, table, _read_csv_cells(path, head), aliases)
        else:
            grid = _cells_to_grid(path, table, _read_xlsx_cells(path, sheet, check), aliases)
    return _finish(grid, aliases, locale=locale, errors=errors)


@dataclass(frozen=True)
class _Columns:
    """The header mapped to columns: canonical names (in file order), canonical -> header
    as written, headers the toolkit does not know, and units written in the headers."""

    names: list[str]
    source: dict[str, str]
    unknown: list[str]
    units: dict[str, HeaderUnit]
    #: canonical names given to the unknown headers
    unknown_names: set[str]


def _name_columns(grid: _Grid, aliases: Mapping[str, str]) -> _Columns:
    """Canonical name of each header cell. Two headers meaning the same known column
    cannot be told apart: that stops the reading. Two unknown headers that normalise alike
    are told apart by a number (``keterangan``, ``keterangan_2``)."""
    names: list[str] = []
    source: dict[str, str] = {}
    units: dict[str, HeaderUnit] = {}
    dup_problems, unknown, unknown_names = [], [], set()
    for j, raw in enumerate(grid.header):
        label = "" if raw is None else str(raw).strip()
        norm = normalise_header(raw)
        canonical = aliases.get(norm)
        if canonical is None:
            base = norm or f"column_{j + 1}"
            canonical, n = base, 1
            while canonical in source:
                n += 1
                canonical = f"{base}_{n}"
            unknown.append(label or canonical)
            unknown_names.add(canonical)
        elif canonical in source:
            dup_problems.append(problem(
                "duplicate_column", file=grid.path.name, row=grid.header_row,
                column=label or canonical, first=source[canonical], second=label,
                canonical=canonical))
            continue
        source[canonical] = label or canonical
        names.append(canonical)
        unit = header_unit(label)
        if unit is not None:
            units[canonical] = unit
    if dup_problems:
        raise DataValidationError(f"{grid.path.name}: duplicated columns", dup_problems)
    return _Columns(names, source, unknown, units, unknown_names)


def _formula_problems(grid: _Grid, names: list[str], source: Mapping[str, str]) -> list[Problem]:
    """Formula cells without a stored value are unreadable, never numbers."""
    if not grid.formulas:
        return []
    pos_index = {p: k for k, p in enumerate(grid.positions)}
    personal = grid.table in PERSONAL_TABLES
    out = []
    for (r, c), formula in grid.formulas.items():
        k = pos_index.get(r)
        if k is None or c >= len(names) or names[c] not in source:
            continue
        value = shown_value(formula, personal=personal)
        if isinstance(value, str) and not isinstance(value, Shape):
            value = value[:60]
        out.append(problem(
            "formula", file=grid.path.name, row=int(grid.row_numbers[k]),
            column=source[names[c]], value=value))
    return out


def _label(text: str) -> str:
    """A header as it may appear in a note: never an NIP, never long."""
    return scrub_nips(text)[:40]


def _column_notes(grid: _Grid, columns: _Columns, *, dropped: bool,
                  about_persons: Sequence[str] = ()) -> list[str]:
    name = grid.path.name
    out: list[str] = []
    if about_persons:
        out.append(note("person_columns_dropped", file=name,
                        columns=[_label(columns.source[c]) for c in about_persons]))
    left_out = {columns.source[c] for c in about_persons}
    unknown = [_label(u) for u in [*columns.unknown, *grid.dropped] if u not in left_out]
    if not unknown:
        return out
    if dropped:
        return [*out, note("unknown_dropped", file=name, columns=unknown)]
    if grid.table == "regional":
        return [*out, note("regional_outcomes", file=name, columns=unknown)]
    return [*out, note("unknown_kept", file=name, columns=unknown)]


def _about_persons(frame: pd.DataFrame, columns: _Columns) -> list[str]:
    """The unknown columns of a table not about persons that still hold personal data: a
    header naming a person or a person's number (``Nama Kepala``, ``NIP Kepala``, ``NIK``),
    or an NIP in any cell (``Keterangan: kepala Budi, NIP ...``). They are dropped like the
    unknown columns of a table about persons: a cache or a workbook must never hold them."""
    return [c for c in columns.names if c in columns.unknown_names
            and (names_a_person(c) or holds_nip(frame[c]))]


def _apply_header_unit(
    values: pd.Series, spec: Column, col: str, columns: _Columns, grid: _Grid
) -> tuple[pd.Series, list[str], list[Problem]]:
    """A unit in the header applied (``ribu`` x 1,000; minutes to hours) with a note, or
    refused when it does not fit the column (``JP (menit)``)."""
    unit = columns.units.get(col)
    label = columns.source[col]
    if unit is None or unit.kind == spec.unit or (unit.kind == "percent" and not spec.unit):
        if unit is not None and unit.factor != 1 and unit.kind == spec.unit:
            note_ = note("header_scaled", file=grid.path.name, column=label,
                         factor=int(unit.factor), unit=unit.text)
            return values * unit.factor, [note_], []
        return values, [], []
    if unit.kind == "minutes" and spec.unit == "hours":
        return values / 60.0, [note("header_minutes", file=grid.path.name, column=label)], []
    expected = _UNIT_NAMES.get(spec.unit, spec.description)
    refused = problem("header_unit", file=grid.path.name, row=grid.header_row, column=label,
                      unit=unit.text, expected=expected)
    return values.where(pd.Series(False, index=values.index)), [], [refused]


#: how a column's unit is named when a header's unit does not fit it
_UNIT_NAMES = {"rupiah": "rupiah", "jp": "JP", "hours": "jam / hours", "percent": "%"}


def _zero_notes(values: pd.Series, distinct: _Distinct | None, path: Path,
                label: str) -> list[str]:
    """The note for a number column's cells written ``Rp -`` (Excel's accounting zero), read
    as 0: a silent zero would change a sum, a silent gap the number of rows."""
    if distinct is None or not pd.api.types.is_numeric_dtype(values.dtype):
        return []
    zeros = _accounting_zeros(distinct)
    return [note("accounting_zero", file=path.name, column=label, n=zeros)] if zeros else []


def _finish(
    grid: _Grid, aliases: Mapping[str, str], *, locale: NumberLocale, errors: ReadErrors
) -> RawTable:
    """Name the columns, parse every column by its kind, collect what cannot be read.

    In a table about persons (:data:`~evaluation.columns.PERSONAL_TABLES`) the columns the
    toolkit does not know are dropped here, before any value of them is parsed, cached or
    shown; in the other tables those that name a person or hold an NIP are; the notes name
    them.
    """
    path, table = grid.path, grid.table
    columns = _name_columns(grid, aliases)
    personal = table in PERSONAL_TABLES
    frame = grid.cells
    frame.columns = pd.Index(columns.names)
    about_persons = [] if personal else _about_persons(frame, columns)
    notes = list(grid.notes) + _column_notes(grid, columns, dropped=personal,
                                             about_persons=about_persons)
    keep = [
        c
        for c in columns.names
        if c not in NEVER_READ and not (personal and c in columns.unknown_names)
        and c not in about_persons
    ]
    kept_source = {c: columns.source[c] for c in keep}
    problems = list(grid.problems) + _formula_problems(grid, columns.names, kept_source)
    specs = TABLE_COLUMNS[table]
    out: dict[str, pd.Series] = {}
    missing_markers = 0
    for col in keep:
        spec = specs.get(col)
        series = frame[col]
        # each distinct cell of a column is looked at once, by every rule
        distinct = _Distinct.of(series) if _is_text_like(series) else None
        if distinct is not None:
            missing_markers += _missing_markers(distinct)
        if spec is None:
            out[col] = _parse_unknown(series, table, locale, distinct)
        else:
            where = _Where(path, columns.source[col], grid.row_numbers, locale, personal)
            parsed, col_problems = _parse_column(series, spec, col, where, distinct)
            if spec.kind in ("int", "float"):
                parsed, unit_notes, unit_problems = _apply_header_unit(
                    parsed, spec, col, columns, grid)
                notes += unit_notes
                col_problems += unit_problems
            out[col] = parsed
            problems.extend(col_problems)
        notes += _zero_notes(out[col], distinct, path, columns.source[col])
    result = pd.DataFrame(out, index=pd.RangeIndex(len(frame)))
    if missing_markers:
        notes.append(note("missing_markers", file=path.name, n=missing_markers))
    problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    if errors == "raise" and problems:
        raise DataValidationError(f"{path.name}: {len(problems)} value(s) cannot be read", problems)
    return RawTable(
        table=table,
        path=path,
        frame=result,
        row_numbers=grid.row_numbers,
        source_columns=kept_source,
        notes=tuple(notes),
        problems=tuple(problems),
        header_row=grid.header_row,
    )
