"""Cells of an input file and how a column's cells become typed values.

Private part of the reading edge (:mod:`evaluation.read`, which re-exports
``EXCEL_ERRORS``; import it from there):

- :class:`_Cells`, the raw cells every reader returns, and :func:`_fatal`, the error for
  a file that cannot be read at all;
- :class:`_Where`, where a column's cells come from, which turns flagged cells into
  problems (their values only as :func:`.words.shown_value` allows: never a cell of a table
  about persons that could identify someone, never an NIP).

How a column's cells become typed values is in :mod:`._parse`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._options import NumberLocale
from ..errors import DataValidationError, Problem
from .words import PROBLEMS_PER_KIND, Shape, more_problems, problem, shown_value

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

@dataclass
class _Cells:
    """Raw cells of a file: rows of Python values plus their spreadsheet row numbers."""

    rows: list[list[object]]
    row_numbers: list[int]
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    formula_cells: dict[tuple[int, int], str] = field(default_factory=dict)


def _fatal(path: Path, key: str, *, rule: str | None = None, **params: Any) -> DataValidationError:
    """The error for a file that cannot be read at all: catalogue entry ``key``."""
    return DataValidationError(
        f"{path.name}: cannot be read",
        [problem(key, file=path.name, rule=rule, **params)],
    )


#: "show the cell itself" (as far as :func:`shown_value` allows)
_CELL: Any = object()


@dataclass(frozen=True)
class _Where:
    """Where a column's cells come from, for the problems found in them."""

    path: Path
    label: str
    row_numbers: np.ndarray
    locale: NumberLocale
    #: the table is about persons: values are described, not shown
    personal: bool

    def problems(
        self, series: pd.Series, mask: Any, key: str, *, rule: str | None = None,
        value: Any = _CELL, raw: bool = False,
    ) -> list[Problem]:
        """One problem per flagged cell, located as the spreadsheet shows it; its value as
        :func:`shown_value` allows, the cell as it is when ``raw`` (only for values from a
        fixed list, such as Excel's error markers), or ``value`` for every cell."""
        flagged = np.flatnonzero(np.asarray(mask, dtype=bool))
        out = []
        for k in flagged[:PROBLEMS_PER_KIND]:
            cell = series.iloc[k]
            shown = value if value is not _CELL else (str(cell) if raw else self._value(cell))
            out.append(problem(key, file=self.path.name, row=int(self.row_numbers[k]),
                               column=self.label, value=shown, rule=rule))
        if len(flagged) > PROBLEMS_PER_KIND:
            rest = flagged[PROBLEMS_PER_KIND:]
            out.append(more_problems(self.path.name, self.label, rule or key, len(rest),
                                     int(self.row_numbers[rest[0]]),
                                     int(self.row_numbers[rest[-1]])))
        return out

    def _value(self, cell: object) -> object:
        shown = shown_value(cell, personal=self.personal)
        if isinstance(shown, str) and not isinstance(shown, Shape):
            return shown[:60]
        return shown


def _is_filled(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    return not (isinstance(value, str) and not value.strip())
