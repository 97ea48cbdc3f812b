"""Parquet files: read whole, checked for valid UTF-8, every failure a named error.

Private part of the reading edge (:mod:`evaluation.read`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ._cells import _fatal


def _read_parquet(
    path: Path, keep: Callable[[str], bool] | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """The table, with only the columns ``keep`` accepts when given (the others are never
    loaded); and the names of the columns left out."""
    if path.stat().st_size == 0:
        raise _fatal(path, "empty_parquet", rule="empty_file")
    try:
        # pandas' saved index is not a column of the table
        names = [n for n in pq.read_schema(path).names if not n.startswith("__index_level_")]
        columns = [n for n in names if keep(n)] if keep is not None else None
        data = pq.read_table(path, columns=columns)
        # Full validation checks every string is UTF-8; pyarrow otherwise decodes lazily and
        # a corrupted file would fail later, far from here.
        data.validate(full=True)
        dates = [f.name for f in data.schema if pa.types.is_date(f.type)]
        # dates straight to datetime64 (not a Python object per cell), converting each
        # column's buffers as it goes (the whole table is never held twice)
        frame = data.to_pandas(date_as_object=False, self_destruct=True, split_blocks=True)
        del data
        for name in dates:  # the unit the other readers give dates
            frame[name] = frame[name].astype("datetime64[us]")
    except (pa.ArrowException, OSError, ValueError, UnicodeDecodeError, EOFError) as exc:
        raise _fatal(
            path, "unreadable_parquet", rule="unreadable_file", error=type(exc).__name__
        ) from None
    dropped = [n for n in names if columns is not None and n not in columns]
    return frame, dropped
