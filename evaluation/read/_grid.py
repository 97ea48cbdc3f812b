"""A file's cells laid out under its header row (the grid), before any value is parsed:
the header found, title rows and stray cells noted. Private to :mod:`evaluation.read`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..columns import PERSONAL_COLUMNS, PERSONAL_TABLES
from ..errors import Problem
from ._cells import _Cells, _fatal, _is_filled
from ._csv import _CsvHead, _read_csv_arrow
from ._headers import (
    HEADER_SCAN_ROWS,
    _Header,
    _header_score,
    _locate_header,
    expected_names,
    normalise_header,
)
from ._parquet import _read_parquet
from .words import PROBLEMS_PER_KIND, Shape, more_problems, note, problem, shown_value

#: Columns recognised but never read: a person's name is of no use to any analysis, so it
#: is not even parsed (the NIP is read, to be pseudonymised).
NEVER_READ = tuple(c for c in PERSONAL_COLUMNS if c != "nip")


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
    #: headers of columns never loaded (a Parquet table about persons: unknown columns)
    dropped: list[str] = field(default_factory=list)


def _cells_to_grid(path: Path, table: str, cells: _Cells, aliases: Mapping[str, str]) -> _Grid:
    rows = cells.rows
    if not any(any(_is_filled(c) for c in r) for r in rows):
        raise _fatal(path, "all_blank", rule="empty_file")
    found = _require_header(path, table, rows, aliases)
    h, span = found.index, found.span
    header = list(found.cells)
    while header and not _is_filled(header[-1]):
        header.pop()
    notes = list(cells.notes)
    problems = list(cells.problems)
    width = len(header)
    data, numbers, positions, extra_rows = [], [], [], []
    for i in range(h + span, len(rows)):
        row = rows[i]
        if not any(_is_filled(c) for c in row):
            continue  # blank rows are common between blocks; they carry nothing
        if len(row) > width and any(_is_filled(c) for c in row[width:]):
            extra_rows.append(i)
        row = (list(row) + [None] * width)[:width] if len(row) != width else list(row)
        data.append(row)
        numbers.append(cells.row_numbers[i])
        positions.append(i)
    numbers_extra = [int(cells.row_numbers[i]) for i in extra_rows]
    values_extra = [next(c for c in cells.rows[i][width:] if _is_filled(c))
                    for i in extra_rows[:PROBLEMS_PER_KIND]]
    problems += _extra_cell_problems(path, table, numbers_extra, values_extra, width)
    header_row = int(cells.row_numbers[h])
    notes += _header_notes(path, found, header, [int(n) for n in cells.row_numbers[h:h + 2]])
    if not data:
        raise _fatal(path, "no_rows", header_row=str(header_row))
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


def _require_header(
    path: Path, table: str, rows: list[list[object]], aliases: Mapping[str, str]
) -> _Header:
    """The header row(s); a file without one stops here, before its rows are looked at."""
    found = _locate_header(rows, aliases)
    if found is None:
        raise _fatal(path, "no_header", table=table, rows=HEADER_SCAN_ROWS,
                     expected=expected_names(table))
    return found


def _extra_cell_problems(
    path: Path, table: str, rows: list[int], values: list[object], width: int
) -> list[Problem]:
    """Rows with values beyond the header: the first listed with their first stray value,
    the rest counted."""
    personal = table in PERSONAL_TABLES
    out = []
    for row, stray in zip(rows[:PROBLEMS_PER_KIND], values, strict=False):
        value = shown_value(stray, personal=personal)
        if isinstance(value, str) and not isinstance(value, Shape):
            value = value[:60]
        out.append(problem("extra_cells", file=path.name, row=row, value=value, width=width))
    if len(rows) > PROBLEMS_PER_KIND:
        rest = rows[PROBLEMS_PER_KIND:]
        out.append(more_problems(path.name, None, "extra_cells", len(rest), rest[0], rest[-1]))
    return out


def _header_notes(path: Path, found: _Header, header: list[object],
                  numbers: list[int]) -> list[str]:
    """Title rows skipped above the header, and a header spanning two rows."""
    notes: list[str] = []
    if found.index > 0:
        notes.append(note("header_row", file=path.name, row=str(numbers[0]),
                          skipped=found.index))
    if found.span == 2:
        labels = [str(c) for c in header if _is_filled(c)]
        notes.append(note("two_row_header", file=path.name, first=str(numbers[0]),
                          second=str(numbers[1]), columns=labels))
    return notes


def _csv_fast_grid(
    path: Path, table: str, head: _CsvHead, aliases: Mapping[str, str]
) -> _Grid | None:
    """The grid of a CSV file read by Arrow, or ``None`` when it needs the careful path."""
    found = _require_header(path, table, head.records, aliases)
    header = list(found.cells)
    while header and not _is_filled(header[-1]):
        header.pop()
    fast = _read_csv_arrow(path, head, found.index + found.span, len(header))
    if fast is None:
        return None
    # records are numbered from 1, as a spreadsheet numbers the rows of a CSV
    header_row = found.index + 1
    if not len(fast.row_numbers):
        raise _fatal(path, "no_rows", header_row=str(header_row))
    return _Grid(
        path=path,
        table=table,
        header=header,
        cells=fast.cells,
        row_numbers=fast.row_numbers,
        positions=[],
        header_row=header_row,
        notes=_header_notes(path, found, header, [header_row, header_row + 1]),
        problems=_extra_cell_problems(path, table, [int(n) for n in fast.extra_rows],
                                      list(fast.extra_values), len(header)),
    )


def _parquet_grid(path: Path, table: str, aliases: Mapping[str, str]) -> _Grid:
    # A table about persons: only the columns the toolkit knows are ever loaded, and of
    # those not the names.
    def known(name: str) -> bool:
        canonical = aliases.get(normalise_header(name))
        return canonical is not None and canonical not in NEVER_READ

    frame, left_out = _read_parquet(path, known if table in PERSONAL_TABLES else None)
    dropped = [n for n in left_out if normalise_header(n) not in aliases]
    if _header_score([*frame.columns, *left_out], aliases) == 0:
        raise _fatal(path, "no_header", table=table, rows=1, expected=expected_names(table))
    if len(frame) == 0:
        raise _fatal(path, "no_rows_parquet", rule="no_rows")
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
        dropped=dropped,
    )
