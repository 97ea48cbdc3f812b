"""CSV files: bytes to text (UTF-8, UTF-8 with BOM or Windows-1252) to rows of cells.

Private part of the reading edge (:mod:`evaluation.read`). The delimiter is the one
whose split of the first rows matches the most known headers; a file that is not text
(UTF-16, a zipped workbook, binary data) is refused with the fix. Only the head of the
file is read until a header row is recognised, so a large file of something else stops
early, with memory bounded by the head.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from pathlib import Path

from ._cells import _Cells, _fatal, _is_filled
from ._headers import HEADER_SCAN_ROWS, _header_score, _locate_header
from .words import note

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


def _read_csv_cells(
    path: Path,
    aliases: Mapping[str, str],
    check_header: Callable[[list[list[object]]], None] | None = None,
) -> _Cells:
    head, whole = _head(path)
    if whole and not head.strip(b"\xef\xbb\xbf \t\r\n"):
        raise _fatal(path, "empty_csv", rule="empty_file")
    head_text, _ = _decode(path, head)
    lines = head_text.splitlines()[:HEADER_SCAN_ROWS + 1]
    delimiter = _choose_delimiter("\n".join(lines), aliases)
    if check_header is not None:
        # a file without a recognisable header stops here: the rest is never read
        check_header(_split_records("\n".join(lines), delimiter))
    text, encoding_note = _decode(path, head if whole else path.read_bytes())
    records = _split_records(text, delimiter)
    return _Cells(
        rows=records,
        row_numbers=list(range(1, len(records) + 1)),
        notes=[encoding_note] if encoding_note else [],
    )
