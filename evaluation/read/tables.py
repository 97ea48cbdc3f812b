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
This module is the public face of the reading stage: :func:`read_table`,
:class:`RawTable`, :func:`normalise_header`, the CSV and Parquet readers, header
detection and the constants are here, and :func:`parse_numbers`, ``EXCEL_ERRORS`` and
``MISSING_MARKERS`` are re-exported from private modules: ``evaluation/_numbers.py``
(numbers and dates by locale), ``evaluation/_xlsx.py`` (workbook cells) and
``evaluation/_cells.py`` (the raw-cell record and a column's cells to typed values).
Import everything from here.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from .._options import NumberLocale, check_option
from ..columns import TABLE_COLUMNS
from ..errors import DataValidationError, Problem
from ._cells import EXCEL_ERRORS, _Cells, _count_markers, _fatal, _parse_column, _parse_unknown
from ._cells import _map_present as _map_present  # used by evaluation.validate
from ._numbers import MISSING_MARKERS, parse_numbers
from ._xlsx import _read_xlsx_cells

__all__ = [
    "EXCEL_ERRORS",
    "MISSING_MARKERS",
    "RawTable",
    "normalise_header",
    "parse_numbers",
    "read_table",
]

ReadErrors = Literal["raise", "collect"]

#: How many rows at the top of a sheet are searched for the header row.
HEADER_SCAN_ROWS = 20

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


# ---- headers ---------------------------------------------------------------------------------


def normalise_header(text: object) -> str:
    """Lower-case, accent-free, underscore-separated form of a column header.

    A trailing unit in parentheses or brackets is dropped (``Biaya (Rp)`` -> ``biaya``).

    >>> normalise_header(" Jumlah ASN ")
    'jumlah_asn'
    >>> normalise_header("Tahun-Anggaran")
    'tahun_anggaran'
    >>> normalise_header("Biaya (Rp)")
    'biaya'
    >>> normalise_header("Kódé.OPD")
    'kode_opd'
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    s = str(text).replace("\ufeff", "")
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).lower().strip()
    stripped = re.sub(r"\s*[(\[][^)\]]*[)\]]\s*$", "", s)
    if stripped:
        s = stripped
    s = re.sub(r"[\s\-./]+", "_", s)
    s = re.sub(r"[^0-9a-z_]", "", s)
    return re.sub(r"_+", "_", s).strip("_")


def _alias_map(table: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for canonical, spec in TABLE_COLUMNS[table].items():
        out.setdefault(normalise_header(canonical), canonical)
        for alias in spec.aliases:
            out.setdefault(normalise_header(alias), canonical)
    return out


def _header_score(cells: list[object], aliases: Mapping[str, str]) -> int:
    return len({aliases[h] for c in cells if (h := normalise_header(c)) in aliases})


# ---- getting cells ---------------------------------------------------------------------------


def _decode(path: Path, data: bytes) -> tuple[str, str | None]:
    """Decode CSV bytes; return (text, note about the encoding or None)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data[:4].count(b"\x00") >= 1:
        raise _fatal(
            path,
            "the file is UTF-16 text or binary data, not a CSV in UTF-8",
            "open it in a spreadsheet program and save it as 'CSV UTF-8 (comma delimited)', "
            "or save it as .xlsx",
            rule="encoding",
        )
    if data.startswith(b"PK\x03\x04"):
        raise _fatal(
            path,
            "the file is a zipped (Excel .xlsx) workbook with a .csv name",
            "rename it to .xlsx, or save it from the spreadsheet program as CSV UTF-8",
            rule="encoding",
        )
    try:
        text = data.decode("utf-8-sig")
        note = None
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise _fatal(
                path,
                f"the file is neither UTF-8 nor Windows-1252 text (undecodable byte at "
                f"position {exc.start})",
                "save it from the spreadsheet program as 'CSV UTF-8 (comma delimited)'",
                rule="encoding",
            ) from None
        note = (
            f"{path.name}: not valid UTF-8; read as Windows-1252 (the older Excel default). "
            "Check accented names; saving as 'CSV UTF-8' avoids this."
        )
    if "\x00" in text:
        raise _fatal(
            path,
            "the file contains NUL bytes: it is binary data, not CSV text",
            "export the table again as CSV UTF-8",
            rule="encoding",
        )
    bad = sum(1 for ch in text[:20000] if ord(ch) < 32 and ch not in "\t\r\n")
    if bad > 3:
        raise _fatal(
            path,
            "the file contains control characters: it is binary data, not CSV text",
            "export the table again as CSV UTF-8",
            rule="encoding",
        )
    return text, note


def _split_records(text: str, delimiter: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    return [list(r) for r in reader]


def _read_csv_cells(path: Path, aliases: Mapping[str, str]) -> _Cells:
    data = path.read_bytes()
    if not data.strip(b"\xef\xbb\xbf \t\r\n"):
        raise _fatal(
            path,
            "the file is empty",
            "export the table again; it should have a header row and one row per record",
            rule="empty_file",
        )
    text, note = _decode(path, data)
    notes = [note] if note else []
    head_lines = text.splitlines()[:HEADER_SCAN_ROWS]
    head_text = "\n".join(head_lines)
    # The delimiter whose split of the first rows matches the most known headers wins; with no
    # known header at all, the one that splits the first non-blank line into the most fields.
    best: tuple[int, int, str] | None = None
    for delim in (";", ",", "\t", "|"):
        rows = _split_records(head_text, delim)
        score = max((_header_score(r, aliases) for r in rows), default=0)
        first = next((r for r in rows if any(c.strip() for c in r)), [])
        key = (score, len(first), delim)
        if best is None or key[:2] > best[:2]:
            best = key
    delimiter = best[2] if best else ","
    records = _split_records(text, delimiter)
    return _Cells(rows=records, row_numbers=list(range(1, len(records) + 1)), notes=notes)

def _read_parquet(path: Path) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if path.stat().st_size == 0:
        raise _fatal(path, "the file is empty", "write the Parquet file again", rule="empty_file")
    try:
        data = pq.read_table(path)
        # Full validation checks every string is UTF-8; pyarrow otherwise decodes lazily and
        # a corrupted file would fail later, far from here.
        data.validate(full=True)
        return data.to_pandas()
    except (pa.ArrowException, OSError, ValueError, UnicodeDecodeError, EOFError) as exc:
        raise _fatal(
            path,
            f"not a readable Parquet file ({type(exc).__name__})",
            "write it again with pandas.DataFrame.to_parquet, or provide a CSV",
            rule="unreadable_file",
        ) from None


# ---- from cells to a frame of strings/values -------------------------------------------------


def _locate_header(rows: list[list[object]], aliases: Mapping[str, str]) -> int:
    """Index of the header row: the top row (of the first 20) matching the most aliases."""
    best_i, best_score = None, 0
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        score = _header_score(row, aliases)
        if score > best_score:
            best_i, best_score = i, score
    if best_i is not None:
        return best_i
    return next((i for i, r in enumerate(rows) if any(_is_filled(c) for c in r)), 0)


def _is_filled(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    return not (isinstance(value, str) and not value.strip())


def _cells_to_frame(path: Path, table: str, cells: _Cells, aliases: Mapping[str, str]):
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
    return header, data, np.asarray(numbers, dtype=np.int64), positions, notes, problems, h

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
    from ..config import TABLE_NAMES

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
        frame = _read_parquet(path)
        header = [str(c) for c in frame.columns]
        data_frame = frame.reset_index(drop=True)
        row_numbers = np.arange(2, len(frame) + 2, dtype=np.int64)
        notes, problems, formulas, positions, h = [], [], {}, list(range(len(frame))), -1
        if len(frame) == 0:
            raise _fatal(
                path,
                "the file has a header but no data rows",
                "write the table again with its rows",
                rule="no_rows",
            )
    else:
        cells = _read_csv_cells(path, aliases) if kind == "csv" else _read_xlsx_cells(path, sheet)
        header, data, row_numbers, positions, notes, problems, h = _cells_to_frame(
            path, table, cells, aliases
        )
        formulas = cells.formula_cells
        if not data:
            raise _fatal(
                path,
                f"the file has a header (row {cells.row_numbers[h]}) but no data rows",
                "add the data rows below the header, or remove the table "
                "from study.yaml if there is nothing to report",
                rule="no_rows",
            )
        data_frame = pd.DataFrame(data, columns=range(len(header)), dtype=object)
    header_row = None if kind == "parquet" else int(cells.row_numbers[h])
    return _finish(
        path,
        table,
        locale,
        header,
        data_frame,
        row_numbers,
        positions,
        notes,
        problems,
        formulas,
        aliases,
        errors,
        header_row,
    )


def _finish(
    path,
    table,
    locale,
    header,
    data_frame,
    row_numbers,
    positions,
    notes,
    problems,
    formulas,
    aliases,
    errors,
    header_row,
) -> RawTable:
    specs = TABLE_COLUMNS[table]
    names: list[str] = []
    source: dict[str, str] = {}
    dup_problems, unknown = [], []
    for j, raw in enumerate(header):
        label = "" if raw is None else str(raw).strip()
        norm = normalise_header(raw)
        canonical = aliases.get(norm)
        if canonical is None:
            canonical = norm or f"column_{j + 1}"
            unknown.append(label or canonical)
        if canonical in source:
            dup_problems.append(
                Problem(
                    file=path.name,
                    row=header_row,
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
        raise DataValidationError(f"{path.name}: duplicated columns", dup_problems)
    keep_idx = [j for j in range(len(header))]
    frame = data_frame.iloc[:, keep_idx].copy()
    frame.columns = names
    frame = frame.reset_index(drop=True)
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
    # Formula cells without a stored value and Excel error cells are unreadable, never numbers.
    pos_index = {p: k for k, p in enumerate(positions)}
    for (r, c), formula in formulas.items():
        k = pos_index.get(r)
        if k is None or c >= len(names):
            continue
        problems.append(
            Problem(
                file=path.name,
                row=int(row_numbers[k]),
                column=source.get(names[c], names[c]),
                value=formula[:60],
                rule="formula",
                message="the cell holds a formula with no saved value",
                hint="open the file in a spreadsheet program and save it (so the values are "
                "calculated), or copy the column and paste it as values",
            )
        )
    out: dict[str, pd.Series] = {}
    for col in names:
        spec = specs.get(col)
        series = frame[col]
        if spec is None:
            out[col] = _parse_unknown(series, table, locale)
            continue
        parsed, col_problems = _parse_column(
            series, spec, col, source[col], locale, path, row_numbers
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
        row_numbers=row_numbers,
        source_columns=source,
        notes=tuple(notes),
        problems=tuple(problems),
        header_row=header_row,
    )
