"""`evaluation ikm FILE`: IKM per unit-year from an SKM answers file (PermenPANRB 14/2017)."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd

from .. import _io
from ..errors import ParameterError

HELP = ("compute the IKM (PermenPANRB 14/2017) per unit and year from an SKM answers file "
        "(CSV, XLSX or Parquet) and write the table")

#: --by names -> canonical columns of the skm table
_BY_NAMES = {"unit": "unit_id", "unit_id": "unit_id", "opd": "unit_id", "unit_kerja": "unit_id",
             "year": "year", "tahun": "year", "period": "period", "periode": "period",
             "semester": "period"}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE",
                   help="SKM answers: one row per questionnaire with unit, year, respondent "
                        "and U1..U9 (1-4, empty when skipped)")
    p.add_argument("--by", default="unit,year", metavar="unit,year",
                   help="grouping, comma-separated from unit, year, period (default: unit,year)")
    p.add_argument("--weighting", choices=["exact", "regulation"], default="exact",
                   help="element weight: exact 1/9 (default) or the 0,11 printed in the "
                        "regulation, to reproduce official reports")
    p.add_argument("--out", default=None, metavar="PATH.csv|PATH.xlsx",
                   help="write the table here (CSV: the per-element table goes beside it as "
                        "<name>_unsur.csv; XLSX: a second sheet 'unsur')")
    p.add_argument("--locale", choices=["id", "en"], default="id",
                   help="how numbers written as text are read: id = 1.234,5 (default), "
                        "en = 1,234.5")
    p.add_argument("--population", type=float, default=None, metavar="N",
                   help="population each unit serves, for the Krejcie-Morgan minimum sample "
                        "(default: unknown, so the ceiling of 384 respondents applies)")
    p.add_argument("--reps", type=int, default=0, metavar="R",
                   help="bootstrap replications for a 95%% interval (default 0: none)")
    p.add_argument("--seed", type=int, default=2026, help="bootstrap seed (default 2026)")
    p.add_argument("--lang", choices=["id", "en"], default="id",
                   help="language of the messages about the file (default: id)")


def _parse_by(text: str) -> tuple[str, ...]:
    names = [t.strip().lower() for t in text.split(",") if t.strip()]
    unknown = [n for n in names if n not in _BY_NAMES]
    if not names or unknown:
        raise ParameterError(
            f"--by: expecting a comma-separated list of {sorted(set(_BY_NAMES))}. Got {text!r}.")
    return tuple(dict.fromkeys(_BY_NAMES[n] for n in names))


def _csv_text(frame: pd.DataFrame) -> str:
    """CSV whose text cells a spreadsheet program cannot run as formulas (a unit code
    ``=1+1`` is written ``'=1+1``; numbers are untouched)."""
    safe = frame.copy()
    for col in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[col]):
            safe[col] = safe[col].map(_io.spreadsheet_text)
    return safe.to_csv(index=False)


def _cell_value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _write_sheet(ws: Any, frame: pd.DataFrame) -> None:
    """The frame into a worksheet, every cell a value (never a formula)."""
    for j, name in enumerate(frame.columns, start=1):
        _io.safe_xlsx_cell(ws.cell(row=1, column=j), str(name))
    for i, row in enumerate(frame.itertuples(index=False), start=2):
        for j, value in enumerate(row, start=1):
            _io.safe_xlsx_cell(ws.cell(row=i, column=j), _cell_value(value))


def _write(result: Any, out: Path) -> list[Path]:
    suffix = out.suffix.lower()
    if suffix == ".csv":
        elements_path = out.with_name(out.stem + "_unsur.csv")
        _io.write_text(out, _csv_text(result.table))
        _io.write_text(elements_path, _csv_text(result.elements))
        return [out, elements_path]

    def write_xlsx(tmp: Path) -> None:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "ikm"
        _write_sheet(ws, result.table)
        _write_sheet(wb.create_sheet("unsur"), result.elements)
        wb.save(tmp)

    _io.write_with(out, write_xlsx)
    return [out]


def run(args: argparse.Namespace) -> int:
    from ..indicators import ikm
    from ..read import read_table

    by = _parse_by(args.by)
    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() not in (".csv", ".xlsx"):
        raise ParameterError(f"--out: expecting a .csv or .xlsx path. Got {args.out!r}.")
    if args.reps < 0:
        raise ParameterError(f"--reps: expecting a whole number >= 0. Got {args.reps}.")
    raw = read_table(args.file, table="skm", locale=args.locale, lang=args.lang)
    result = ikm(raw.frame, by=by, weighting=args.weighting, reps=args.reps, seed=args.seed,
                 population=args.population, file=raw.file, row_numbers=raw.row_numbers,
                 labels=raw.source_columns)
    print(result.summary())
    if out is not None:
        for path in _write(result, out):
            print(f"written: {path}")
    return 0
