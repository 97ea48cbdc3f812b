"""Cells of an XLSX workbook: the sheet, merged ranges and formula cells.

Private part of the reading edge (:mod:`evaluation.read`): :func:`_read_xlsx_cells`
returns the cells of one sheet as :class:`evaluation._cells._Cells`, with each formula
cell read through the value Excel saved with it (or kept as a problem when there is
none), and raises a :class:`~evaluation.errors.DataValidationError` naming the file and
the fix when the workbook cannot be read. Finding the header row below title rows is
shared with CSV and stays in :mod:`evaluation.read`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl

from ..errors import DataValidationError
from ._cells import _Cells, _fatal
from ._headers import HEADER_SCAN_ROWS
from .words import note


def _read_xlsx_cells(
    path: Path,
    sheet: str | int | None,
    check_header: Callable[[list[list[object]]], None] | None = None,
) -> _Cells:
    # A damaged workbook can fail anywhere inside openpyxl, zipfile, zlib or the XML
    # parser, while loading or while reading cells: whatever it raises, the user gets the
    # file and the fix, not a library traceback.
    try:
        return _read_xlsx_cells_unguarded(path, sheet, check_header)
    except DataValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 - the reader's edge
        raise _fatal(
            path, "unreadable_xlsx", rule="unreadable_file", error=type(exc).__name__
        ) from None


def _read_xlsx_cells_unguarded(
    path: Path,
    sheet: str | int | None,
    check_header: Callable[[list[list[object]]], None] | None,
) -> _Cells:
    if path.stat().st_size == 0:
        raise _fatal(path, "empty_xlsx", rule="empty_file")
    # any failure to load (not a zip, damaged parts, ...) becomes a named error in
    # _read_xlsx_cells
    wb = openpyxl.load_workbook(path, data_only=False)
    ws, notes = _choose_sheet(wb, path, sheet)
    if check_header is not None:
        # a sheet without a recognisable header stops before its rows are read
        head = [list(r) for r in ws.iter_rows(max_row=HEADER_SCAN_ROWS + 1, values_only=True)]
        check_header(head)
    rows: list[list[object]] = []
    formula_cells: dict[tuple[int, int], str] = {}
    for r_idx, row in enumerate(ws.iter_rows(), start=0):
        values = []
        for c_idx, cell in enumerate(row):
            v = cell.value
            if cell.data_type == "f" or (isinstance(v, str) and v.startswith("=") and len(v) > 1):
                formula_cells[(r_idx, c_idx)] = str(v)
            elif cell.data_type == "e":
                v = str(v)
            values.append(v)
        rows.append(values)
    _spread_merged(ws, rows)
    if formula_cells:
        formula_cells = _use_saved_values(path, ws.title, rows, formula_cells, notes)
    return _Cells(
        rows=rows,
        row_numbers=list(range(1, len(rows) + 1)),
        notes=notes,
        formula_cells=formula_cells,
    )


def _choose_sheet(wb: Any, path: Path, sheet: str | int | None) -> tuple[Any, list[str]]:
    """The worksheet to read, and what the user should know about the choice.

    Without a ``sheet`` in study.yaml the first *visible* sheet is read: a hidden sheet is
    usually an old copy the sender kept, and reading it would give the wrong numbers
    without a word. A hidden sheet named in study.yaml is read, with a note.
    """
    names = list(wb.sheetnames)
    hidden = [ws.title for ws in wb.worksheets if ws.sheet_state != "visible"]
    try:
        if sheet is None:
            visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
            if not visible:
                raise _fatal(path, "no_visible_sheet", rule="missing_sheet", sheets=names)
            ws = visible[0]
        elif isinstance(sheet, int):
            ws = wb.worksheets[sheet]
        else:
            ws = wb[sheet]
    except (KeyError, IndexError):
        raise _fatal(path, "missing_sheet", sheet=sheet, sheets=names) from None
    notes: list[str] = []
    if sheet is None and hidden:
        notes.append(note("hidden_sheets", file=path.name, hidden=hidden, sheet=ws.title))
    elif sheet is None and len(names) > 1:
        notes.append(note("other_sheets", file=path.name, sheet=ws.title, sheets=names))
    elif ws.title in hidden:
        notes.append(note("hidden_sheet_named", file=path.name, sheet=ws.title))
    return ws, notes


def _spread_merged(ws: Any, rows: list[list[object]]) -> None:
    """Every cell of a merged range takes the top-left value (what the user sees)."""
    for rng in ws.merged_cells.ranges:
        top = rows[rng.min_row - 1][rng.min_col - 1] if rng.min_row - 1 < len(rows) else None
        for r in range(rng.min_row - 1, min(rng.max_row, len(rows))):
            for c in range(rng.min_col - 1, rng.max_col):
                while len(rows[r]) <= c:
                    rows[r].append(None)
                rows[r][c] = top


def _use_saved_values(
    path: Path,
    title: str,
    rows: list[list[object]],
    formula_cells: dict[tuple[int, int], str],
    notes: list[str],
) -> dict[tuple[int, int], str]:
    """Put the value Excel saved with each formula into ``rows``; return the formulas
    without one (they cannot be read)."""
    try:
        cached = openpyxl.load_workbook(path, data_only=True)
        cws = cached[title]
        cached_rows = [[c.value for c in row] for row in cws.iter_rows()]
    except Exception:  # noqa: BLE001 - any failure means: no cached values
        cached_rows = []
    kept = {}
    for (r, c), formula in formula_cells.items():
        value = cached_rows[r][c] if r < len(cached_rows) and c < len(cached_rows[r]) else None
        if value is None:
            kept[(r, c)] = formula
            rows[r][c] = None
        else:
            rows[r][c] = value
    if len(kept) < len(formula_cells):
        notes.append(note("formulas_saved", file=path.name, n=len(formula_cells) - len(kept)))
    return kept
