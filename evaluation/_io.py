"""The writing edge: atomic writes and content hashes.

Every output is written to a temporary file in the same folder and then renamed over
the target, so a failed or interrupted run never leaves a half-written file and an
earlier good output survives until the new one is complete.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

TMP_PREFIX = ".tmp-"


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it over ``target`` on success.

    On any exception the temporary file is removed and ``target`` is untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX + target.name + ".", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as fh:
            os.fsync(fh.fileno())
        # mkstemp makes the file private (0600); give it the permissions a plain open()
        # would have, so outputs can be shared like any other file
        os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_bytes(target: str | os.PathLike, data: bytes) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def write_text(target: str | os.PathLike, text: str) -> Path:
    return write_bytes(target, text.encode("utf-8"))


def write_json(target: str | os.PathLike, obj: Any) -> Path:
    """Deterministic JSON: sorted keys, two-space indent, trailing newline."""
    text = json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
    return write_text(target, text + "\n")


def write_with(target: str | os.PathLike, writer: Callable[[Path], Any]) -> Path:
    """Call ``writer(tmp_path)`` and atomically move the result to ``target``."""
    with atomic_path(target) as tmp:
        writer(tmp)
    return Path(target)


def is_disk_full(exc: BaseException) -> bool:
    """Whether an error means the disk (or the user's quota) is full."""
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


def sha256_file(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def sha256_files(paths: list[str | os.PathLike]) -> str:
    """One hash over several files (names relative order-insensitive, contents included)."""
    h = hashlib.sha256()
    for p in sorted(Path(x) for x in paths):
        h.update(p.name.encode())
        h.update(sha256_file(p).encode())
    return h.hexdigest()


def clean_stale_temporaries(folder: str | os.PathLike) -> list[Path]:
    """Remove temporary files a killed run left behind; return what was removed."""
    removed: list[Path] = []
    folder = Path(folder)
    if not folder.exists():
        return removed
    for p in folder.rglob(TMP_PREFIX + "*"):
        with contextlib.suppress(OSError):
            p.unlink()
            removed.append(p)
    return removed


# ---- spreadsheets: every cell a value, never a live formula ---------------------------------

#: First characters that make a spreadsheet program read a cell as a formula (OWASP's
#: CSV-injection guidance): = + - @, tab and carriage return.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: Any) -> Any:
    """A value safe to put in a CSV cell: text that a spreadsheet program would run as a
    formula gets a leading single quote (OWASP's CSV-injection guidance); everything else
    is returned unchanged. Numbers stay numbers, so ``-1.5`` is not touched.

    XLSX cells carry a type, so :func:`safe_xlsx_cell` stores such text as text instead and
    keeps it exactly as it was.

    >>> print(spreadsheet_text('=HYPERLINK("http://x","klik")'))
    '=HYPERLINK("http://x","klik")
    >>> spreadsheet_text("Dinas Kesehatan"), spreadsheet_text(-1.5)
    ('Dinas Kesehatan', -1.5)
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_xlsx_cell(cell: Any, value: Any) -> Any:
    """Put ``value`` into an openpyxl ``cell`` so that it can never become a formula.

    Strings are always stored as text, unchanged (openpyxl otherwise turns any string
    starting with ``=`` into a formula); those a spreadsheet would run also get the
    cell's quote-prefix flag, which Excel and LibreOffice use to keep typed text as text.
    """
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True
    return cell
