"""Columns of the brief's workbook: a header with its unit, a number format, a value."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .view import is_finite

PERCENT = "0%"
INTEGER = "#,##0"
ONE_DECIMAL = "0.0"
P_VALUE = "0.000"
SCIENTIFIC = "0.00E+00"
TEXT = "@"
#: A column whose number format differs by row (the row's ``fmt``).
ROW_FORMAT = "row"


@dataclass(frozen=True)
class Column:
    """A column of a sheet: header (with its unit), number format, value from a row."""

    header: str
    fmt: str | None
    value: Callable[[Mapping[str, Any]], Any]
    width: int = 14


def decimals(n: int) -> str:
    return "0" if n <= 0 else "0." + "0" * n


def number(x: Any) -> Any:
    """``x`` when it is a finite number, else ``None`` (an empty cell)."""
    return x if is_finite(x) else None


__all__ = ["INTEGER", "ONE_DECIMAL", "PERCENT", "P_VALUE", "ROW_FORMAT", "SCIENTIFIC", "TEXT",
           "Column", "decimals", "number"]
