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
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import math
import os
import re
import unicodedata
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from ._options import NumberLocale, check_option
from .columns import TABLE_COLUMNS, Column
from .errors import DataValidationError, Problem

__all__ = [
    "EXCEL_ERRORS",
    "MISSING_MARKERS",
    "RawTable",
    "normalise_header",
    "parse_numbers",
    "read_table",
]

ReadErrors = Literal["raise", "collect"]

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
#: Cell texts read as a missing value (compared after stripping, case-insensitively).
MISSING_MARKERS = frozenset({"", "-", "–", "—", "na", "n/a", "n.a.", "null", "none", "nan", "..."})

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


def _read_xlsx_cells(path: Path, sheet: str | int | None) -> _Cells:
    # A damaged workbook can fail anywhere inside openpyxl, zipfile, zlib or the XML
    # parser, while loading or while reading cells: whatever it raises, the user gets the
    # file and the fix, not a library traceback.
    try:
        return _read_xlsx_cells_unguarded(path, sheet)
    except DataValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 - the reader's edge
        raise _fatal(
            path,
            f"not a readable .xlsx workbook ({type(exc).__name__})",
            "open it in a spreadsheet program and save it again as .xlsx "
            "(Excel Workbook), or export the sheet as CSV UTF-8",
            rule="unreadable_file",
        ) from None


def _read_xlsx_cells_unguarded(path: Path, sheet: str | int | None) -> _Cells:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    if path.stat().st_size == 0:
        raise _fatal(
            path,
            "the file is empty",
            "save the workbook again from the spreadsheet program",
            rule="empty_file",
        )
    try:
        wb = openpyxl.load_workbook(path, data_only=False)
    except (
        zipfile.BadZipFile,
        InvalidFileException,
        KeyError,
        OSError,
        ValueError,
        TypeError,
        EOFError,
    ) as exc:
        raise _fatal(
            path,
            f"not a readable .xlsx workbook ({type(exc).__name__})",
            "open it in a spreadsheet program and save it again as .xlsx "
            "(Excel Workbook), or export the sheet as CSV UTF-8",
            rule="unreadable_file",
        ) from None
    try:
        if sheet is None:
            ws = wb.worksheets[0]
        elif isinstance(sheet, int):
            ws = wb.worksheets[sheet]
        else:
            ws = wb[sheet]
    except (KeyError, IndexError):
        raise _fatal(
            path,
            f"sheet {sheet!r} not found; the workbook has {wb.sheetnames}",
            "set tables.<name>.sheet in study.yaml to one of these names",
            rule="missing_sheet",
        ) from None
    notes: list[str] = []
    if len(wb.worksheets) > 1 and sheet is None:
        notes.append(
            f"{path.name}: read the first sheet {ws.title!r} of {wb.sheetnames}; "
            "set 'sheet' in study.yaml to read another"
        )
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
    # Merged ranges: every cell of the range takes the top-left value (what the user sees).
    for rng in ws.merged_cells.ranges:
        top = rows[rng.min_row - 1][rng.min_col - 1] if rng.min_row - 1 < len(rows) else None
        for r in range(rng.min_row - 1, min(rng.max_row, len(rows))):
            for c in range(rng.min_col - 1, rng.max_col):
                while len(rows[r]) <= c:
                    rows[r].append(None)
                rows[r][c] = top
    if formula_cells:
        # Use the value Excel stored with each formula; a formula without one cannot be read.
        try:
            cached = openpyxl.load_workbook(path, data_only=True)
            cws = cached[ws.title]
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
            notes.append(
                f"{path.name}: {len(formula_cells) - len(kept)} formula cell(s) read "
                "through the value Excel saved with them"
            )
        formula_cells = kept
    return _Cells(
        rows=rows,
        row_numbers=list(range(1, len(rows) + 1)),
        notes=notes,
        formula_cells=formula_cells,
    )


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


# ---- number and date parsing -----------------------------------------------------------------

_ID_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?$")
_EN_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?$")
_EN_SHORT = re.compile(r"^[+-]?\.\d+$")
_CURRENCY = re.compile(r"^(?:rp\.?|idr)\s*", re.IGNORECASE)


def _clean_number_text(s: pd.Series) -> pd.Series:
    s = (
        s.str.replace("\u00a0", " ", regex=False)
        .str.replace("\u202f", " ", regex=False)
        .str.strip()
    )
    s = s.str.replace(_CURRENCY, "", regex=True).str.removesuffix("%").str.strip()
    return s.str.replace(" ", "", regex=False)


def parse_numbers(values: pd.Series, *, locale: NumberLocale) -> tuple[pd.Series, pd.Series]:
    """Parse text as numbers under ``locale``; return (float64 values, mask of failures).

    Missing markers (``""``, ``-``, ``NA``, ...) become NaN and are not failures.

    >>> v, bad = parse_numbers(pd.Series(["1.234.567", "1.234,5", "Rp 1.250.000,00", "12,5%",
    ...                                   "-", "1,5.0"]), locale="id")
    >>> v.tolist()[:4], bool(bad.iloc[5]), bool(bad.iloc[4])
    ([1234567.0, 1234.5, 1250000.0, 12.5], True, False)
    """
    check_option("locale", locale, NumberLocale, error=ValueError)
    text = values.astype("str").where(values.notna(), "")
    missing = text.str.strip().str.lower().isin(MISSING_MARKERS)
    cleaned = _clean_number_text(text)
    if locale == "id":
        ok = cleaned.str.fullmatch(_ID_NUMBER)
        standard = cleaned.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        ok = cleaned.str.fullmatch(_EN_NUMBER) | cleaned.str.fullmatch(_EN_SHORT)
        standard = cleaned.str.replace(",", "", regex=False)
    ok = ok.fillna(False).astype(bool) & ~missing
    out = pd.Series(np.nan, index=values.index, dtype="float64")
    if ok.any():
        out[ok] = pd.to_numeric(standard[ok], errors="coerce").astype("float64")
    failed = ~ok & ~missing
    return out, failed


_ID_MONTHS = {
    "januari": 1,
    "jan": 1,
    "februari": 2,
    "feb": 2,
    "pebruari": 2,
    "maret": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "mei": 5,
    "juni": 6,
    "jun": 6,
    "juli": 7,
    "jul": 7,
    "agustus": 8,
    "agu": 8,
    "agt": 8,
    "ags": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "okt": 10,
    "november": 11,
    "nov": 11,
    "nopember": 11,
    "desember": 12,
    "des": 12,
    "january": 1,
    "february": 2,
    "march": 3,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "october": 10,
    "oct": 10,
    "december": 12,
    "dec": 12,
    "aug": 8,
}
_EXCEL_EPOCH = _dt.datetime(1899, 12, 30)


def _parse_date_text(text: str, locale: NumberLocale) -> _dt.datetime | None:
    t = text.strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?", t)
    if m:
        y, mo, d = (int(x) for x in m.groups())
        return _safe_date(y, mo, d)
    m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", t)
    if m:
        d, mo, y = (int(x) for x in m.groups())
        return _safe_date(y, mo, d)
    m = re.fullmatch(r"(\d{1,2})[\s\-]+([A-Za-z]+)\.?[\s\-]+(\d{4})", t)
    if m and m.group(2).lower() in _ID_MONTHS:
        return _safe_date(int(m.group(3)), _ID_MONTHS[m.group(2).lower()], int(m.group(1)))
    m = re.fullmatch(r"\d{4,5}(?:[.,]\d+)?", t)
    if m:  # an Excel serial number that reached a CSV as text
        serial = float(t.replace(",", "."))
        return _from_serial(serial)
    return None


def _safe_date(y: int, mo: int, d: int) -> _dt.datetime | None:
    try:
        return _dt.datetime(y, mo, d)
    except ValueError:
        return None


def _from_serial(serial: float) -> _dt.datetime | None:
    # 1 = 1900-01-01 ... 73050 = 2099-12-31; Excel's fictitious 1900-02-29 is absorbed by the
    # 1899-12-30 epoch for every date after February 1900, the only ones that matter here.
    if not 367 <= serial <= 73050:
        return None
    return _EXCEL_EPOCH + _dt.timedelta(days=float(serial))


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
    from .config import TABLE_NAMES

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


def _map_present(series: pd.Series, func, dtype) -> pd.Series:
    """Apply ``func`` once per distinct non-missing value (columns repeat a lot)."""
    present = series.notna().to_numpy()
    out = pd.Series([None] * len(series), index=series.index, dtype=object)
    if present.any():
        values = series[present]
        lookup = {v: func(v) for v in pd.unique(values)}
        out[present] = [lookup[v] for v in values]
    return out.astype(dtype) if dtype is not None else out


def _all_text(series: pd.Series) -> bool:
    if pd.api.types.is_string_dtype(series.dtype) and series.dtype != object:
        return True
    return pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty")


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


def _excel_error_mask(series: pd.Series) -> pd.Series:
    mask = _map_present(
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

    return _map_present(series, one, "str")


def _numbers_from_cells(series: pd.Series, locale: NumberLocale) -> tuple[pd.Series, pd.Series]:
    """Numbers from mixed cells: numeric cells as they are, text cells by the locale."""
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series):
        values = pd.to_numeric(series, errors="coerce").astype("float64")
        return values, pd.Series(False, index=series.index)
    if _all_text(series):
        v, bad = parse_numbers(series.astype("str").where(series.notna(), ""), locale=locale)
        return v, bad
    is_num = _map_present(series, _is_number, None).fillna(False).astype(bool)
    values = pd.Series(np.nan, index=series.index, dtype="float64")
    if is_num.any():
        values[is_num] = series[is_num].astype("float64")
    text_mask = ~is_num & series.notna()
    failed = pd.Series(False, index=series.index)
    if text_mask.any():
        v, bad = parse_numbers(series[text_mask].map(str), locale=locale)
        values[text_mask] = v
        failed[text_mask] = bad
    is_bool = _map_present(series, lambda v: isinstance(v, (bool, np.bool_)), None)
    is_bool = is_bool.fillna(False).astype(bool)
    failed |= is_bool
    return values, failed


def _parse_column(series, spec: Column, col, label, locale, path, row_numbers):
    problems: list[Problem] = []
    errors = _excel_error_mask(series) if not pd.api.types.is_numeric_dtype(series.dtype) else None
    if errors is not None and errors.any():
        for k in np.flatnonzero(errors.to_numpy()):
            problems.append(
                Problem(
                    file=path.name,
                    row=int(row_numbers[k]),
                    column=label,
                    value=str(series.iloc[k]),
                    rule="excel_error",
                    message="the cell holds an Excel error instead of a value",
                    hint="fix the formula in the source workbook (e.g. a division by zero) or "
                    "leave the cell empty if the value is not known",
                )
            )
        series = series.where(~errors, None)
    if spec.kind == "str":
        if col == "nip":
            return _parse_nip(series, label, path, row_numbers, problems)
        return _to_text(series), problems
    if spec.kind == "date":
        return _parse_dates(series, label, locale, path, row_numbers, problems)
    values, failed = _numbers_from_cells(series, locale)
    for k in np.flatnonzero(failed.to_numpy()):
        problems.append(
            Problem(
                file=path.name,
                row=int(row_numbers[k]),
                column=label,
                value=str(series.iloc[k])[:60],
                rule=f"number_{locale}",
                message="not a number under the study's number locale",
                hint=_LOCALE_HINT[locale],
            )
        )
    if spec.kind == "int":
        frac = values.notna() & (values != np.floor(values.fillna(0)))
        for k in np.flatnonzero(frac.to_numpy()):
            problems.append(
                Problem(
                    file=path.name,
                    row=int(row_numbers[k]),
                    column=label,
                    value=str(series.iloc[k])[:60],
                    rule="whole_number",
                    message="expecting a whole number",
                    hint=("if this is a thousands separator, note that " + _LOCALE_HINT[locale])
                    if locale == "en"
                    else "write a whole number (no decimals)",
                )
            )
        values = values.where(~frac)
        too_big = values.abs() > 2**53
        values = values.where(~too_big)
        return values.round().astype("Int64"), problems
    return values.astype("float64"), problems


def _parse_nip(series, label, path, row_numbers, problems):
    # An 18-digit NIP stored as an Excel number keeps only 15 significant digits: the last
    # digits are already lost, so no pseudonym could ever match the person's other records.
    if _all_text(series):
        text = series.astype("str").str.replace(r"\s+", "", regex=True)
        sci = text.str.fullmatch(r"\d(?:[.,]\d+)?[eE]\+?\d+").fillna(False).astype(bool)
        for k in np.flatnonzero(sci.to_numpy()):
            problems.append(
                Problem(
                    file=path.name,
                    row=int(row_numbers[k]),
                    column=label,
                    value=None,
                    rule="nip_as_number",
                    message="the NIP is written in scientific notation, so its digits are lost",
                    hint="format the NIP column as Text and export it again",
                )
            )
        text = text.where(~sci & (text != ""), None)
        return text.astype("str"), problems
    texts = []
    for k, v in enumerate(series):
        if _is_number(v) and not (isinstance(v, float) and math.isnan(v)):
            problems.append(
                Problem(
                    file=path.name,
                    row=int(row_numbers[k]),
                    column=label,
                    value=None,
                    rule="nip_as_number",
                    message="the NIP is stored as a number, so its last digits are lost "
                    "(spreadsheets keep 15 digits)",
                    hint="format the NIP column as Text in the source system's export and export "
                    "again; do not retype NIPs",
                )
            )
            texts.append(None)
            continue
        s = None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v).strip()
        if s is not None:
            s = s.replace(" ", "").replace("\u00a0", "")
            if re.fullmatch(r"\d(?:[.,]\d+)?[eE]\+?\d+", s):
                problems.append(
                    Problem(
                        file=path.name,
                        row=int(row_numbers[k]),
                        column=label,
                        value=None,
                        rule="nip_as_number",
                        message="the NIP is written in scientific notation, so its digits are lost",
                        hint="format the NIP column as Text and export it again",
                    )
                )
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

    parsed = _map_present(series, one, None)
    bad = parsed.map(lambda d: d is failed).to_numpy(dtype=bool)
    for k in np.flatnonzero(bad):
        problems.append(
            Problem(
                file=path.name,
                row=int(row_numbers[k]),
                column=label,
                value=str(series.iloc[k])[:60],
                rule="date",
                message="not a date",
                hint="write dates as 2023-07-31 or 31/07/2023 (day first)",
            )
        )
    parsed[bad] = None
    return pd.to_datetime(parsed), problems
