"""CSV files: bytes to text (UTF-8, UTF-8 with BOM or Windows-1252) to rows of cells.

Private part of the reading edge (:mod:`evaluation.read`). The delimiter is the one
whose split of the first rows matches the most known headers; a file that is not text
(UTF-16, a zipped workbook, binary data) is refused with the fix.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path

from ._cells import _Cells, _fatal, _is_filled
from ._headers import HEADER_SCAN_ROWS, _header_score


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


def _split_records(text: str, delimiter: str) -> list[list[object]]:
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
        first = next((r for r in rows if any(_is_filled(c) for c in r)), [])
        key = (score, len(first), delim)
        if best is None or key[:2] > best[:2]:
            best = key
    delimiter = best[2] if best else ","
    records = _split_records(text, delimiter)
    return _Cells(rows=records, row_numbers=list(range(1, len(records) + 1)), notes=notes)
