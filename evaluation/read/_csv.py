"""CSV files: bytes to text (UTF-8, UTF-8 with BOM or Windows-1252) to rows of cells.

Private part of the reading edge (:mod:`evaluation.read`). The delimiter is the one
whose split of the first rows matches the most known headers; a file that is not text
(UTF-16, a zipped workbook, binary data) is refused with the fix. Only the head of the
file is read until a header row is recognised, so a large file of something else stops
early, with memory bounded by the head.

The rows are read by Arrow's CSV reader (every cell as text, in parallel, no Python object
per cell) when the file is UTF-8 and every row has the same number of cells; otherwise
(Windows-1252, a row longer or shorter than the others) by Python's ``csv`` module, which
takes any layout. Both number the rows the same way (records, as a spreadsheet shows
them).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from ._cells import _Cells, _fatal, _is_filled
from ._headers import HEADER_SCAN_ROWS, _header_score, _locate_header
from .words import PROBLEMS_PER_KIND, note

#: Bytes read to find the header row (the first 20 rows of any real table fit in this).
HEAD_BYTES = 1 << 20


def _decode(path: Path, data: bytes) -> tuple[str, str | None]:
    """Decode CSV bytes; return (text, note about the encoding or None)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data[:4].count(b"\x00") >= 1:
        raise _fatal(path, "encoding_utf16", rule="encoding")
    if data.startswith(b"PK\x03\x04"):
        raise _fatal(path, "encoding_zip", rule="encoding")
    try:
        text = data.decode("utf-8-sig")
        encoding_note = None
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise _fatal(path, "encoding_unknown", rule="encoding", position=exc.start) from None
        encoding_note = note("cp1252", file=path.name)
    if "\x00" in text:
        raise _fatal(path, "encoding_nul", rule="encoding")
    bad = sum(1 for ch in text[:20000] if ord(ch) < 32 and ch not in "\t\r\n")
    if bad > 3:
        raise _fatal(path, "encoding_control", rule="encoding")
    return text, encoding_note


def _split_records(text: str, delimiter: str) -> list[list[object]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    return [list(r) for r in reader]


def _choose_delimiter(head_text: str, aliases: Mapping[str, str]) -> str:
    """The delimiter whose split of the first rows matches the most known headers; with no
    known header at all, the one that splits the first non-blank line into the most fields."""
    best: tuple[int, int, str] | None = None
    for delim in (";", ",", "\t", "|"):
        rows = _split_records(head_text, delim)
        header = _locate_header(rows, aliases)
        score = _header_score(header.cells, aliases) if header else 0
        first = next((r for r in rows if any(_is_filled(c) for c in r)), [])
        key = (score, len(first), delim)
        if best is None or key[:2] > best[:2]:
            best = key
    return best[2] if best else ","


def _head(path: Path) -> tuple[bytes, bool]:
    """The first bytes of the file, cut after the last complete line; whether that is all."""
    with path.open("rb") as fh:
        data = fh.read(HEAD_BYTES + 1)
    if len(data) <= HEAD_BYTES:
        return data, True
    cut = data.rfind(b"\n", 0, HEAD_BYTES)
    return (data[: cut + 1] if cut > 0 else data[:HEAD_BYTES]), False


@dataclass(frozen=True)
class _CsvHead:
    """What the first rows of a CSV file say: its delimiter and its first records."""

    head: bytes
    #: the head is the whole file
    whole: bool
    delimiter: str
    records: list[list[object]]


def _read_csv_head(
    path: Path,
    aliases: Mapping[str, str],
    check_header: Callable[[list[list[object]]], None] | None = None,
) -> _CsvHead:
    head, whole = _head(path)
    if whole and not head.strip(b"\xef\xbb\xbf \t\r\n"):
        raise _fatal(path, "empty_csv", rule="empty_file")
    head_text, _ = _decode(path, head)
    lines = head_text.splitlines()[:HEADER_SCAN_ROWS + 1]
    delimiter = _choose_delimiter("\n".join(lines), aliases)
    records = _split_records("\n".join(lines), delimiter)
    if check_header is not None:
        # a file without a recognisable header stops here: the rest is never read
        check_header(records)
    return _CsvHead(head, whole, delimiter, records)


def _read_csv_cells(path: Path, head: _CsvHead) -> _Cells:
    """Every record of the file as Python cells (the careful path: any layout)."""
    text, encoding_note = _decode(path, head.head if head.whole else path.read_bytes())
    records = _split_records(text, head.delimiter)
    return _Cells(
        rows=records,
        row_numbers=list(range(1, len(records) + 1)),
        notes=[encoding_note] if encoding_note else [],
    )


# ---- the fast path: Arrow's CSV reader -------------------------------------------------------


@dataclass(frozen=True)
class _ArrowRows:
    """The data rows of a CSV file read by Arrow: text columns under the header, the
    record number of each row, and the rows with values beyond the header."""

    cells: pd.DataFrame
    row_numbers: np.ndarray
    #: record numbers of the rows with values beyond the header
    extra_rows: np.ndarray
    #: the first stray value of each of the first of those rows
    extra_values: list[str]


def _read_csv_arrow(path: Path, head: _CsvHead, first_data: int, width: int) -> _ArrowRows | None:
    """The rows below the header (``first_data`` records in), every cell as text, read by
    Arrow in parallel; ``None`` when the file needs the careful path: not UTF-8, a NUL
    byte, or a row whose number of cells differs from the others."""
    n_fields = max([width, *(len(r) for r in head.records[first_data:])])
    names = [f"c{j}" for j in range(n_fields)]
    invalid: list[int] = []

    def on_invalid(row: Any) -> str:
        invalid.append(1)
        return "skip"

    # Arrow decodes the text of a row it cannot take (to hand it to ``on_invalid``) strictly:
    # a byte that is not UTF-8 there raised inside the callback, where Arrow swallows it.
    # Such a file goes to the careful path whole, which reads it as Windows-1252 with a note.
    if not _utf8_without_nul(path, head):
        return None
    try:
        table = pa_csv.read_csv(
            path,
            read_options=pa_csv.ReadOptions(skip_rows=first_data, column_names=names,
                                            encoding="utf8"),
            parse_options=pa_csv.ParseOptions(delimiter=head.delimiter,
                                              newlines_in_values=True,
                                              ignore_empty_lines=False,
                                              invalid_row_handler=on_invalid),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):  # neither expected once UTF-8 is checked
        return None
    if invalid:
        return None
    filled = [pc.not_equal(pc.utf8_trim_whitespace(table[name]), "") for name in names]
    any_filled = filled[0]
    for f in filled[1:]:
        any_filled = pc.or_(any_filled, f)
    keep = np.asarray(any_filled.to_numpy(zero_copy_only=False), dtype=bool)
    numbers = np.flatnonzero(keep).astype(np.int64) + first_data + 1
    extra_rows = np.zeros(0, dtype=np.int64)
    extra_values: list[str] = []
    if n_fields > width:
        stray = np.zeros(len(keep), dtype=bool)
        for f in filled[width:]:
            stray |= np.asarray(f.to_numpy(zero_copy_only=False), dtype=bool)
        flagged = np.flatnonzero(stray)
        extra_rows = flagged.astype(np.int64) + first_data + 1
        for k in flagged[:PROBLEMS_PER_KIND]:  # the values of those listed one by one
            extra_values.append(next(
                str(table[name][k]) for j, name in enumerate(names[width:])
                if bool(filled[width + j][k].as_py())))
    rows = table.filter(pa.array(keep))
    cells = pd.DataFrame({j: pd.array(rows[names[j]], dtype="str") for j in range(width)})
    return _ArrowRows(cells, numbers, extra_rows, extra_values)


def _utf8_without_nul(path: Path, head: _CsvHead) -> bool:
    """Whether the whole file is UTF-8 without a NUL byte, read in blocks (memory bounded)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        if head.whole:
            decoder.decode(head.head, final=True)
            return b"\x00" not in head.head
        with path.open("rb") as fh:
            while block := fh.read(1 << 24):
                if b"\x00" in block:
                    return False
                decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True
