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
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from .._options import NumberLocale, check_option
from ..columns import TABLE_COLUMNS
from ..config import TABLE_NAMES
from ..errors import DataValidationError, Problem
from ._cells import (
    EXCEL_ERRORS,
    _Cells,
    _count_markers,
    _fatal,
    _is_filled,
    _parse_column,
    _parse_unknown,
    map_distinct,
)
from ._csv import _read_csv_cells
from ._headers import _alias_map, _locate_header, normalise_header
from ._numbers import MISSING_MARKERS, parse_numbers
from ._parquet import _read_parquet
from ._xlsx import _read_xlsx_cells

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


@dataclass(frozen=True)
class _Grid:
    """A file's cells laid out under its header row, before any value is parsed."""

    path: Path
    table: str
    header: list[object]
    #: object cells, one positional column per header cell
    cells: pd.DataFrame
    #: spreadsheet row number of each data row
    row_numbers: np.ndarray
    #: index of each data row among the rows the reader returned (to place formula cells)
    positions: list[int]
    header_row: int | None
    notes: list[str]
    problems: list[Problem]
    formulas: Mapping[tuple[int, int], str] = field(default_factory=dict)


def _cells_to_grid(path: Path, table: str, cells: _Cells, aliases: Mapping[str, str]) -> _Grid:
    rows = cells.rows
    if not any(any(_is_filled(c) for c in r) for r in rows):
        raise _fatal(
            path,
            "the file has no data: every cell is blank",
            "export the table again with its header row and data rows",
            rule="empty_file",
        )
    h = _locate_header(rows, aliases)
    header = list(rows[h])
    while header and not _is_filled(header[-1]):
        header.pop()
    notes = list(cells.notes)
    problems = list(cells.problems)
    if h > 0:
        notes.append(
            f"{path.name}: header found on row {cells.row_numbers[h]}; "
            f"{h} title row(s) above it skipped"
        )
    width = len(header)
    data, numbers, positions = [], [], []
    for i in range(h + 1, len(rows)):
        row = list(rows[i])
        if not any(_is_filled(c) for c in row):
            continue  # blank rows are common between blocks; they carry nothing
        extra = [c for c in row[width:] if _is_filled(c)]
        if extra:
            problems.append(
                Problem(
                    file=path.name,
                    row=cells.row_numbers[i],
                    column=None,
                    value=str(extra[0])[:60],
                    rule="extra_cells",
                    message=f"this row has values beyond the {width} header columns",
                    hint="give the column a header, or delete the stray values",
                )
            )
        row = (row + [None] * width)[:width]
        data.append(row)
        numbers.append(cells.row_numbers[i])
        positions.append(i)
    header_row = int(cells.row_numbers[h])
    if not data:
        raise _fatal(
            path,
            f"the file has a header (row {header_row}) but no data rows",
            "add the data rows below the header, or remove the table "
            "from study.yaml if there is nothing to report",
            rule="no_rows",
        )
    return _Grid(
        path=path,
        table=table,
        header=header,
        cells=pd.DataFrame(data, columns=range(width), dtype=object),
        row_numbers=np.asarray(numbers, dtype=np.int64),
        positions=positions,
        header_row=header_row,
        notes=notes,
        problems=problems,
        formulas=dict(cells.formula_cells),
    )


def _parquet_grid(path: Path, table: str) -> _Grid:
    frame = _read_parquet(path)
    if len(frame) == 0:
        raise _fatal(
            path,
            "the file has a header but no data rows",
            "write the table again with its rows",
            rule="no_rows",
        )
    return _Grid(
        path=path,
        table=table,
        header=[str(c) for c in frame.columns],
        cells=frame.reset_index(drop=True),
        row_numbers=np.arange(2, len(frame) + 2, dtype=np.int64),
        positions=list(range(len(frame))),
        header_row=None,
        notes=[],
        problems=[],
    )


# ---- the public reader -----------------------------------------------------------------------


def _kind_of(path: Path) -> str:
    kind = _SUFFIX_KIND.get(path.suffix.lower())
    if kind is None:
        raise _fatal(
            path,
            f"unsupported file type {path.suffix!r}",
            "use .csv, .xlsx or .parquet",
            rule="file_type",
        )
    return kind


def read_table(
    path: str | os.PathLike,
    *,
    table: str,
    locale: NumberLocale = "id",
    sheet: str | int | None = None,
    errors: ReadErrors = "raise",
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
        XLSX sheet name or 0-based position (default: the first sheet).
    errors : {"raise", "collect"}
        ``"raise"``: raise :class:`DataValidationError` listing every unreadable cell.
        ``"collect"``: return them in ``RawTable.problems`` (the validator does this to
        report all problems of a study at once). A file that cannot be read at all
        (missing, empty, undecodable, duplicated columns) always raises.

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
    path = Path(path)
    if not path.is_file():
        raise _fatal(
            path,
            "file not found" if not path.exists() else "not a file",
            f"put the {table} table at this path, or correct tables.{table}.file in study.yaml",
            rule="missing_file",
        )
    kind = _kind_of(path)
    aliases = _alias_map(table)
    if kind == "parquet":
        grid = _parquet_grid(path, table)
    else:
        cells = _read_csv_cells(path, aliases) if kind == "csv" else _read_xlsx_cells(path, sheet)
        grid = _cells_to_grid(path, table, cells, aliases)
    return _finish(grid, aliases, locale=locale, errors=errors)


def _name_columns(
    grid: _Grid, aliases: Mapping[str, str]
) -> tuple[list[str], dict[str, str], list[str]]:
    """Canonical name of each header cell, canonical -> header as written, unknown headers.

    Two headers meaning the same column cannot be told apart: that stops the reading.
    """
    names: list[str] = []
    source: dict[str, str] = {}
    dup_problems, unknown = [], []
    for j, raw in enumerate(grid.header):
        label = "" if raw is None else str(raw).strip()
        norm = normalise_header(raw)
        canonical = aliases.get(norm)
        if canonical is None:
            canonical = norm or f"column_{j + 1}"
            unknown.append(label or canonical)
        if canonical in source:
            dup_problems.append(
                Problem(
                    file=grid.path.name,
                    row=grid.header_row,
                    column=label or canonical,
                    value=None,
                    rule="duplicate_column",
                    message=f"columns {source[canonical]!r} and {label!r} both mean {canonical!r}",
                    hint="keep one of the two columns (or rename the other to something unknown "
                    "to the toolkit)",
                )
            )
            continue
        source[canonical] = label or canonical
        names.append(canonical)
    if dup_problems:
        raise DataValidationError(f"{grid.path.name}: duplicated columns", dup_problems)
    return names, source, unknown


def _formula_problems(grid: _Grid, names: list[str], source: Mapping[str, str]) -> list[Problem]:
    """Formula cells without a stored value are unreadable, never numbers."""
    pos_index = {p: k for k, p in enumerate(grid.positions)}
    out = []
    for (r, c), formula in grid.formulas.items():
        k = pos_index.get(r)
        if k is None or c >= len(names):
            continue
        out.append(
            Problem(
                file=grid.path.name,
                row=int(grid.row_numbers[k]),
                column=source.get(names[c], names[c]),
                value=formula[:60],
                rule="formula",
                message="the cell holds a formula with no saved value",
                hint="open the file in a spreadsheet program and save it (so the values are "
                "calculated), or copy the column and paste it as values",
            )
        )
    return out


def _finish(
    grid: _Grid, aliases: Mapping[str, str], *, locale: NumberLocale, errors: ReadErrors
) -> RawTable:
    """Name the columns, parse every column by its kind, collect what cannot be read."""
    path, table = grid.path, grid.table
    names, source, unknown = _name_columns(grid, aliases)
    frame = grid.cells.copy()
    frame.columns = names
    frame = frame.reset_index(drop=True)
    notes = list(grid.notes)
    if unknown:
        if table == "regional":
            notes.append(
                f"{path.name}: outcome column(s) {unknown} read as numbers where every "
                "value is a number"
            )
        else:
            notes.append(
                f"{path.name}: column(s) {unknown} are not used by the toolkit and were "
                "kept as they are"
            )
    problems = list(grid.problems) + _formula_problems(grid, names, source)
    specs = TABLE_COLUMNS[table]
    out: dict[str, pd.Series] = {}
    for col in names:
        spec = specs.get(col)
        series = frame[col]
        if spec is None:
            out[col] = _parse_unknown(series, table, locale)
            continue
        parsed, col_problems = _parse_column(
            series, spec, col, source[col], locale, path, grid.row_numbers
        )
        out[col] = parsed
        problems.extend(col_problems)
    result = pd.DataFrame(out, index=pd.RangeIndex(len(frame)))
    missing_markers = _count_markers(frame)
    if missing_markers:
        notes.append(
            f"{path.name}: {missing_markers} cell(s) written as '-', 'NA' or similar "
            "read as missing values (not zero)"
        )
    problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    if errors == "raise" and problems:
        raise DataValidationError(f"{path.name}: {len(problems)} value(s) cannot be read", problems)
    return RawTable(
        table=table,
        path=path,
        frame=result,
        row_numbers=grid.row_numbers,
        source_columns=source,
        notes=tuple(notes),
        problems=tuple(problems),
        header_row=grid.header_row,
    )
