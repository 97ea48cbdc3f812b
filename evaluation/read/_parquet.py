"""Parquet files: read whole, checked for valid UTF-8, every failure a named error.

Private part of the reading edge (:mod:`evaluation.read`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ._cells import _fatal


def _read_parquet(path: Path) -> pd.DataFrame:
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
