"""Reading: CSV, XLSX and Parquet tables (and BPS web-table exports) into raw tables."""

from __future__ import annotations

from .tables import (
    EXCEL_ERRORS,
    MISSING_MARKERS,
    RawTable,
    map_distinct,
    normalise_header,
    parse_numbers,
    read_table,
)

__all__ = [
    "EXCEL_ERRORS",
    "MISSING_MARKERS",
    "RawTable",
    "map_distinct",
    "normalise_header",
    "parse_numbers",
    "read_table",
]
