"""Checks of the validated tables: each function returns the problems of one rule.

The pandera schemas of :mod:`.schemas` check ranges and coded values column by column;
the rest need more than one column or more than one row (unique keys, references to the
units table, JP per person-year, PNS within ASN, the CPI of every study year, required
columns). Every problem names the file, the row a spreadsheet shows and the column as the
user wrote it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa

from ..columns import TABLE_COLUMNS
from ..config import StudyConfig
from ..errors import Problem
from ..read import RawTable
from .schemas import KEYS, MAX_JP, Rule, rules_for, schema_for

__all__ = [
    "cpi_year_problems",
    "duplicate_problems",
    "jp_per_person_problems",
    "pns_problems",
    "required_column_problems",
    "schema_problems",
    "unknown_unit_problems",
]

#: (row position, canonical column) of cells the reader could not read: checked no further
Skip = set[tuple[int, str]]


def _aliases_text(table: str, column: str) -> str:
    spec = TABLE_COLUMNS[table][column]
    names = list(dict.fromkeys((column, *spec.aliases)))
    return ", ".join(repr(n) for n in names)


def schema_problems(
    table: str, raw: RawTable, df: pd.DataFrame, config: StudyConfig, skip: Skip
) -> list[Problem]:
    """Values failing a column rule of the table's pandera schema (ranges, codes)."""
    rules = [r for r in rules_for(table, config) if r.column in df.columns]
    if not rules:
        return []
    schema = schema_for(table, config, list(df.columns))
    try:
        schema.validate(df, lazy=True)
        return []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    by_check: dict[tuple[str, int], Rule] = {}
    counters: dict[str, int] = {}
    for r in rules:
        n = counters.get(r.column, 0)
        by_check[(r.column, n)] = r
        counters[r.column] = n + 1
    out = []
    for case in cases.itertuples(index=False):
        column = str(case.column)
        index = case.index
        try:
            check_number = int(case.check_number)
        except (TypeError, ValueError):
            check_number = -1
        rule = by_check.get((column, check_number))
        if index is None or (isinstance(index, float) and np.isnan(index)):
            out.append(
                Problem(
                    file=raw.file,
                    column=raw.column_label(column),
                    message=f"the column fails the check {case.check}",
                    rule=str(case.check),
                    hint="check the column's values",
                )
            )
            continue
        pos = int(index)
        if (pos, column) in skip:
            continue
        value = case.failure_case
        if isinstance(value, (np.generic,)):
            value = value.item()
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        out.append(
            Problem(
                file=raw.file,
                row=raw.row_of(pos),
                column=raw.column_label(column),
                value=value,
                rule=rule.rule if rule else str(case.check),
                message=rule.message if rule else f"fails the check {case.check}",
                hint=rule.hint if rule else None,
            )
        )
    return out


def _key_text(row: pd.Series, keys: tuple[str, ...]) -> str:
    return ", ".join(f"{k}={row[k]!s}" for k in keys)


def duplicate_problems(table: str, raw: RawTable, df: pd.DataFrame) -> list[Problem]:
    keys = tuple(k for k in KEYS.get(table, ()) if k in df.columns)
    needed = [k for k in KEYS.get(table, ()) if k != "period"]
    if not keys or not set(needed) <= set(keys):
        return []  # a missing key column is reported on its own
    complete = df[needed].notna().all(axis=1)
    sub = df.loc[complete, list(keys)].astype("str").fillna("")
    dup = sub.duplicated(keep=False)
    if not dup.any():
        return []
    out = []
    label = "+".join(raw.column_label(k) for k in keys)
    first_row: dict[tuple, int] = {}
    for pos, values in zip(
        sub.index[dup], sub[dup].itertuples(index=False, name=None), strict=True
    ):
        if values not in first_row:
            first_row[values] = raw.row_of(pos)
            continue
        if table == "skm":  # respondent ids say nothing to a reader; the row does
            message = (
                f"duplicate respondent: same unit, year, period and respondent as row "
                f"{first_row[values]}"
            )
        else:
            message = (
                f"duplicate {_key_text(sub.loc[pos], keys)}: already on row {first_row[values]}"
            )
        out.append(
            Problem(
                file=raw.file,
                row=raw.row_of(pos),
                column=label,
                value=", ".join(values),
                rule="unique_key",
                message=message,
                hint=f"each {' + '.join(keys)} may appear once in the {table} table; delete the "
                "repeated row or correct its key",
            )
        )
    return out


def unknown_unit_problems(
    table: str, raw: RawTable, df: pd.DataFrame, known: set[str] | None
) -> list[Problem]:
    if known is None or table == "units" or "unit_id" not in df.columns:
        return []
    ids = df["unit_id"]
    bad = ids.notna() & ~ids.astype("str").isin(known)
    if not bad.any():
        return []
    out = []
    positions_of = pd.Series(df.index[bad], index=df.index[bad]).groupby(
        ids[bad].astype("str"), sort=True
    )
    for unit, positions in positions_of:
        rows = [raw.row_of(int(p)) for p in positions]
        more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
        out.append(
            Problem(
                file=raw.file,
                row=rows[0],
                column=raw.column_label("unit_id"),
                value=unit,
                rule="unit_in_units_table",
                message=f"unit {unit!r} is not in the units table (rows "
                f"{', '.join(map(str, rows[:5]))}{more})",
                hint="add the unit to the units table, or correct the code (a renamed unit keeps "
                "its code; a new unit gets its own row in the units table)",
            )
        )
    return out


def jp_per_person_problems(raw: RawTable, df: pd.DataFrame) -> list[Problem]:
    if not {"nip", "year", "jp"} <= set(df.columns):
        return []
    sub = df[df["nip"].notna() & df["year"].notna() & df["jp"].notna()]
    totals = sub.groupby(["nip", "year"], sort=False)["jp"].agg(["sum", "size"])
    over = totals[totals["sum"] > MAX_JP]
    if over.empty:
        return []
    out = []
    first_pos = sub.reset_index().groupby(["nip", "year"], sort=False)["index"].min()
    for (nip, year), total, size in zip(
        over.index, over["sum"].to_numpy(), over["size"].to_numpy(), strict=True
    ):
        pos = int(first_pos.loc[(nip, year)])
        out.append(
            Problem(
                file=raw.file,
                row=raw.row_of(pos),
                column=raw.column_label("jp"),
                value=round(float(total), 2),
                rule="jp_per_person_year",
                message=f"one person's JP in {int(year)} add up to {total:,.0f} over "
                f"{int(size)} events (more than {MAX_JP:,.0f}); first of them on "
                "this row",
                hint="check for repeated rows or minutes written as JP (1 JP = 45 minutes)",
            )
        )
    return out


def pns_problems(raw: RawTable, df: pd.DataFrame) -> list[Problem]:
    if not {"pns_count", "asn_count"} <= set(df.columns):
        return []
    pns, asn = df["pns_count"], df["asn_count"]
    bad = (pns.notna() & asn.notna() & (pns > asn)).to_numpy(dtype=bool)
    return [
        Problem(
            file=raw.file,
            row=raw.row_of(int(p)),
            column=raw.column_label("pns_count"),
            value=int(n_pns),
            rule="pns_le_asn",
            message=f"more PNS than ASN ({int(n_asn)})",
            hint="PNS are part of the ASN count; check both numbers",
        )
        for p, n_pns, n_asn in zip(
            np.flatnonzero(bad), pns.to_numpy()[bad], asn.to_numpy()[bad], strict=True
        )
    ]


def required_column_problems(table: str, raw: RawTable) -> list[Problem]:
    out = []
    for col, spec in TABLE_COLUMNS[table].items():
        if spec.required and col not in raw.frame.columns and col != "name":
            out.append(
                Problem(
                    file=raw.file,
                    row=raw.header_row,
                    column=col,
                    rule="required_column",
                    message=f"required column {col!r} is missing"
                    + (f" (header on row {raw.header_row})" if raw.header_row else ""),
                    hint=f"add a column with one of these headers: {_aliases_text(table, col)}",
                )
            )
    if table == "training" and not ({"jp", "hours"} & set(raw.frame.columns)):
        out.append(
            Problem(
                file=raw.file,
                row=raw.header_row,
                column="jp",
                rule="required_column",
                message="the training table needs a JP column or an hours column",
                hint=f"add a column with one of these headers: {_aliases_text(table, 'jp')}",
            )
        )
    return out




def cpi_year_problems(raw: RawTable, df: pd.DataFrame, config: StudyConfig) -> list[Problem]:
    """Study years without a CPI (a real price needs the CPI of its year)."""
    if "year" not in df.columns:
        return []
    absent = sorted(set(config.years.span) - set(df["year"].dropna().astype(int)))
    if not absent:
        return []
    return [
        Problem(
            file=raw.file,
            column=raw.column_label("year"),
            rule="cpi_years",
            value=", ".join(map(str, absent)),
            message="the CPI is missing for study year(s)",
            hint="add the CPI of every study year (BPS, Indeks Harga Konsumen)",
        )
    ]
