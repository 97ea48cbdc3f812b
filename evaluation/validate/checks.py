"""Checks of the read tables: each function returns the problems of one rule.

The pandera schemas of :mod:`.schemas` check ranges and coded values column by column;
the rest need more than one column or more than one row (unique keys, references to the
units table, JP per person-year, PNS within ASN, the CPI of every study year, required
columns, IKU written as shares). Every problem names the file, the row a spreadsheet shows
and the column as the user wrote it; a value from a table about persons only as
:func:`evaluation.read.words.shown_value` allows.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd
import pandera.pandas as pa

from ..columns import PERSONAL_TABLES, TABLE_COLUMNS
from ..config import StudyConfig
from ..errors import Problem
from ..read import RawTable
from ..read.words import PROBLEMS_PER_KIND, more_problems, note, problem, shown_value
from .schemas import JP_BY_PATH, JP_BY_TYPE, KEYS, MAX_JP, Rule, rules_for, schema_for

__all__ = [
    "IKU_SHARE_LIMIT",
    "cpi_year_problems",
    "duplicate_problems",
    "iku_shares",
    "jp_per_person_problems",
    "pns_problems",
    "required_column_problems",
    "schema_problems",
    "training_summary_problems",
    "unknown_unit_problems",
]

#: (row position, canonical column) of cells the reader could not read: checked no further
Skip = set[tuple[int, str]]

#: An IKU achievement at or below this (in percent of target) reads as a share: 0,985 for
#: 98.5%. An achievement of 3% of target or less is not a plausible figure for a whole year.
IKU_SHARE_LIMIT = 3.0


def _aliases(table: str, column: str) -> str:
    spec = TABLE_COLUMNS[table][column]
    names = list(dict.fromkeys((column, *spec.aliases)))
    return ", ".join(repr(n) for n in names)


def _rows_text(rows: list[int], limit: int = 10) -> str:
    """Spreadsheet rows as a short list (``5, 9, 12, ...``); row numbers never grouped."""
    shown = ", ".join(str(r) for r in rows[:limit])
    return shown + (", ..." if len(rows) > limit else "")


def _capped(file: str, column: str | None, rule: str, problems: list[Problem],
            rows: list[int]) -> list[Problem]:
    """The first problems of one kind, and one more standing for the rest."""
    if len(problems) <= PROBLEMS_PER_KIND:
        return problems
    rest = rows[PROBLEMS_PER_KIND:]
    return problems[:PROBLEMS_PER_KIND] + [
        more_problems(file, column, rule, len(rest), rest[0], rest[-1])
    ]


# ---- column rules (pandera) ------------------------------------------------------------------


def _rule_of_check(rules: list[Rule]) -> dict[tuple[str, int], Rule]:
    """pandera numbers the checks of each column from 0: (column, number) -> rule."""
    out: dict[tuple[str, int], Rule] = {}
    counters: dict[str, int] = defaultdict(int)
    for r in rules:
        out[(r.column, counters[r.column])] = r
        counters[r.column] += 1
    return out


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
    by_check = _rule_of_check(rules)
    personal = table in PERSONAL_TABLES
    grouped: dict[tuple[str, str], tuple[list[Problem], list[int]]] = defaultdict(
        lambda: ([], [])
    )
    out = []
    for case in cases.itertuples(index=False):
        column = str(case.column)
        try:
            check_number = int(case.check_number)
        except (TypeError, ValueError):
            check_number = -1
        rule = by_check.get((column, check_number))
        index = case.index
        if index is None or (isinstance(index, float) and np.isnan(index)):
            out.append(problem("schema_column", file=raw.file, column=raw.column_label(column),
                               rule=str(case.check), check=str(case.check)))
            continue
        pos = int(index)
        if (pos, column) in skip:
            continue
        value = case.failure_case
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        row = raw.row_of(pos)
        found = (
            problem(rule.key, file=raw.file, row=row, column=raw.column_label(column),
                    value=shown_value(value, personal=personal), rule=rule.rule,
                    **rule.params)
            if rule
            else problem("schema_value", file=raw.file, row=row,
                         column=raw.column_label(column),
                         value=shown_value(value, personal=personal),
                         rule=str(case.check), check=str(case.check))
        )
        kind = grouped[(column, found.rule or "")]
        kind[0].append(found)
        kind[1].append(row)
    for (column, rule_name), (problems, rows) in grouped.items():
        out += _capped(raw.file, raw.column_label(column), rule_name, problems, rows)
    return out


# ---- keys and duplicates ---------------------------------------------------------------------


def duplicate_problems(table: str, raw: RawTable, df: pd.DataFrame) -> list[Problem]:
    """Rows repeating the key of a table that has one (unit and year, ...)."""
    keys = tuple(k for k in KEYS.get(table, ()) if k in df.columns)
    needed = [k for k in KEYS.get(table, ()) if k != "period"]
    if not keys or not set(needed) <= set(keys):
        return []  # a missing key column is reported on its own
    complete = df[needed].notna().all(axis=1)
    sub = df.loc[complete, list(keys)].astype("str").fillna("")
    dup = sub.duplicated(keep=False)
    if not dup.any():
        return []
    out, rows = [], []
    label = "+".join(raw.column_label(k) for k in keys)
    personal = table in PERSONAL_TABLES
    first_row: dict[tuple[object, ...], int] = {}
    common = {"keys": " + ".join(keys), "table": table}
    for pos, values in zip(
        sub.index[dup], sub[dup].itertuples(index=False, name=None), strict=True
    ):
        if values not in first_row:
            first_row[values] = raw.row_of(pos)
            continue
        row = raw.row_of(pos)
        first = str(first_row[values])
        if table == "skm":  # respondent ids say nothing to a reader; the row does
            found = problem("unique_respondent", file=raw.file, row=row, column=label,
                            value=None if personal else ", ".join(values), rule="unique_key",
                            first_row=first, **common)
        else:
            key_values = ", ".join(f"{k}={v}" for k, v in zip(keys, values, strict=True))
            found = problem("unique_key", file=raw.file, row=row, column=label,
                            value=", ".join(values), key_values=key_values, first_row=first,
                            **common)
        out.append(found)
        rows.append(row)
    return _capped(raw.file, label, "unique_key", out, rows)


#: columns that tell rows apart best, tried first when looking for identical rows
_PROBE = ("nip", "respondent_id", "date", "programme", "cost_rp", "jp")


def identical_rows(df: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Rows identical in every column to an earlier row (``duplicated``), and for each row
    a group number shared by identical rows (``-1`` for a row without a copy)."""
    none = pd.Series(False, index=df.index), pd.Series(-1, index=df.index)
    # identical rows agree on a few telling columns first: only those rows are compared whole
    probe = [c for c in _PROBE if c in df.columns][:3] or list(df.columns)[:3]
    candidates = pd.util.hash_pandas_object(df[probe], index=False).duplicated(keep=False)
    if not candidates.any():
        return none
    sub = df[candidates.to_numpy()]
    repeated = pd.util.hash_pandas_object(sub, index=False).duplicated(keep=False)
    if not repeated.any():
        return none
    # a hash collision must not make two different rows "identical": compare the rows
    sub = sub[repeated.to_numpy()]
    later = sub.duplicated(keep="first")
    group = pd.Series(-1, index=df.index)
    group[sub.index] = sub.groupby(list(sub.columns), dropna=False, sort=False).ngroup()
    duplicated = pd.Series(False, index=df.index)
    duplicated[sub.index] = later
    return duplicated, group


def duplicate_row_problems(
    table: str, raw: RawTable, df: pd.DataFrame, group: pd.Series
) -> list[Problem]:
    """One problem per set of identical rows: how many copies, on which rows."""
    out, rows = [], []
    members = group[group >= 0]
    for _, positions in members.groupby(members, sort=False):
        spreadsheet_rows = [raw.row_of(int(p)) for p in positions.index]
        out.append(problem("duplicate_rows", file=raw.file, row=spreadsheet_rows[0],
                           copies=len(spreadsheet_rows), rows=_rows_text(spreadsheet_rows)))
        rows.append(spreadsheet_rows[0])
    return _capped(raw.file, None, "duplicate_rows", out, rows)


def duplicate_row_note(raw: RawTable, df: pd.DataFrame, duplicated: pd.Series,
                       *, dropped: bool) -> str:
    rows = [raw.row_of(int(p)) for p in df.index[duplicated.to_numpy()]]
    key = "duplicates_dropped" if dropped else "duplicates_kept"
    return note(key, file=raw.file, n=len(rows), rows=_rows_text(rows))


# ---- references and sums ---------------------------------------------------------------------


def unknown_unit_problems(
    table: str, raw: RawTable, df: pd.DataFrame, known: set[str] | None
) -> list[Problem]:
    """Units that the units table does not list, one problem per unknown code."""
    if known is None or table == "units" or "unit_id" not in df.columns:
        return []
    ids = df["unit_id"]
    bad = ids.notna() & ~ids.astype("str").isin(known)
    if not bad.any():
        return []
    out, first_rows = [], []
    personal = table in PERSONAL_TABLES
    positions_of = pd.Series(df.index[bad], index=df.index[bad]).groupby(
        ids[bad].astype("str"), sort=True
    )
    for unit, positions in positions_of:
        rows = [raw.row_of(int(p)) for p in positions]
        shown = shown_value(unit, personal=personal)
        out.append(problem("unit_in_units_table", file=raw.file, row=rows[0],
                           column=raw.column_label("unit_id"), value=shown,
                           unit=repr(shown) if not personal else shown, n=len(rows),
                           rows=_rows_text(rows, 5)))
        first_rows.append(rows[0])
    return _capped(raw.file, raw.column_label("unit_id"), "unit_in_units_table", out, first_rows)


def jp_per_person_problems(raw: RawTable, df: pd.DataFrame) -> list[Problem]:
    """Persons whose JP in one year add up to more than anyone can take."""
    if not {"nip", "year", "jp"} <= set(df.columns):
        return []
    sub = df[df["nip"].notna() & df["year"].notna() & df["jp"].notna()]
    totals = sub.groupby(["nip", "year"], sort=False)["jp"].agg(["sum", "size"])
    over = totals[totals["sum"] > MAX_JP]
    if over.empty:
        return []
    out, rows = [], []
    first_pos = sub.reset_index().groupby(["nip", "year"], sort=False)["index"].min()
    for (nip, year), total, size in zip(
        over.index, over["sum"].to_numpy(), over["size"].to_numpy(), strict=True
    ):
        row = raw.row_of(int(first_pos.loc[(nip, year)]))
        # a sum over a person's events, not a cell: it identifies no one
        out.append(problem("jp_per_person_year", file=raw.file, row=row,
                           column=raw.column_label("jp"), value=round(float(total), 2),
                           year=str(int(year)), total=round(float(total)), events=int(size),
                           limit=MAX_JP))
        rows.append(row)
    return _capped(raw.file, raw.column_label("jp"), "jp_per_person_year", out, rows)


def pns_problems(raw: RawTable, df: pd.DataFrame) -> list[Problem]:
    """More PNS than ASN in a unit-year."""
    if not {"pns_count", "asn_count"} <= set(df.columns):
        return []
    pns, asn = df["pns_count"], df["asn_count"]
    bad = (pns.notna() & asn.notna() & (pns > asn)).to_numpy(dtype=bool)
    out = [
        problem("pns_le_asn", file=raw.file, row=raw.row_of(int(p)),
                column=raw.column_label("pns_count"), value=int(n_pns), asn=int(n_asn))
        for p, n_pns, n_asn in zip(
            np.flatnonzero(bad), pns.to_numpy()[bad], asn.to_numpy()[bad], strict=True
        )
    ]
    return _capped(raw.file, raw.column_label("pns_count"), "pns_le_asn", out,
                   [p.row or 0 for p in out])


def training_summary_problems(raw: RawTable, df: pd.DataFrame) -> list[Problem]:
    """A unit-year summary whose parts do not fit its totals: more ASN reaching 20 JP than
    ASN, or the JP by type (or by path) adding up to more than the JP total."""
    out: list[Problem] = []
    if {"n_reached_20jp", "asn_count"} <= set(df.columns):
        reached, asn = df["n_reached_20jp"], df["asn_count"]
        bad = (reached.notna() & asn.notna() & (reached > asn)).to_numpy(dtype=bool)
        out += [
            problem("n_reached_le_asn", file=raw.file, row=raw.row_of(int(p)),
                    column=raw.column_label("n_reached_20jp"), value=int(n), asn=int(a))
            for p, n, a in zip(np.flatnonzero(bad), reached.to_numpy()[bad],
                               asn.to_numpy()[bad], strict=True)
        ]
    if "jp_total" not in df.columns:
        return out
    for parts, what in ((JP_BY_TYPE, "type"), (JP_BY_PATH, "path")):
        present = [c for c in parts if c in df.columns]
        if not present:
            continue
        total = df["jp_total"]
        summed = df[present].sum(axis=1, min_count=1)
        # half a JP of rounding per part is allowed
        over = (summed.notna() & total.notna() & (summed > total + 0.5 * len(present)))
        for p in np.flatnonzero(over.to_numpy(dtype=bool)):
            out.append(problem(
                "jp_parts_exceed_total", file=raw.file, row=raw.row_of(int(p)),
                column=raw.column_label("jp_total"), value=float(total.iloc[p]),
                parts=", ".join(raw.column_label(c) for c in present),
                sum=float(summed.iloc[p]), total=float(total.iloc[p]), kind=what))
    return out


def cpi_year_problems(raw: RawTable, df: pd.DataFrame, config: StudyConfig) -> list[Problem]:
    """Study years without a CPI (a real price needs the CPI of its year)."""
    if "year" not in df.columns:
        return []
    absent = sorted(set(config.years.span) - set(df["year"].dropna().astype(int)))
    if not absent:
        return []
    return [problem("cpi_years", file=raw.file, column=raw.column_label("year"),
                    value=", ".join(map(str, absent)))]


# ---- IKU written as shares -------------------------------------------------------------------


def iku_shares(raw: RawTable, df: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem], list[str]]:
    """IKU achievement written as a share (0,985 for 98.5%).

    When every achievement in the file is at most :data:`IKU_SHARE_LIMIT`, the column is a
    column of shares: it is multiplied by 100, with a note. When only some are, those are
    problems (a share among percentages is a typing slip the toolkit cannot undo safely).
    Zero is zero either way.
    """
    col = "iku_achievement"
    if col not in df.columns:
        return df, [], []
    values = df[col]
    present = values.notna() & (values != 0)
    if not present.any():
        return df, [], []
    small = present & (values.abs() <= IKU_SHARE_LIMIT)
    if (small | ~present).all():
        out = df.copy()
        out[col] = values * 100.0
        return out, [], [note("iku_scaled", file=raw.file, limit=IKU_SHARE_LIMIT)]
    if not small.any():
        return df, [], []
    found = [
        problem("iku_share", file=raw.file, row=raw.row_of(int(p)),
                column=raw.column_label(col), value=float(v), limit=IKU_SHARE_LIMIT)
        for p, v in zip(np.flatnonzero(small.to_numpy()), values[small].to_numpy(), strict=True)
    ]
    return df, _capped(raw.file, raw.column_label(col), "iku_share", found,
                       [p.row or 0 for p in found]), []


# ---- columns ---------------------------------------------------------------------------------


def required_column_problems(table: str, raw: RawTable) -> list[Problem]:
    """Required columns the file does not have (with the headers that would do)."""
    out = []
    at = {"header_row": str(raw.header_row)} if raw.header_row else {}
    key = "required_column_at" if raw.header_row else "required_column"
    for col, spec in TABLE_COLUMNS[table].items():
        if spec.required and col not in raw.frame.columns and col != "name":
            out.append(problem(key, file=raw.file, row=raw.header_row, column=col,
                               rule="required_column", name=col,
                               aliases=_aliases(table, col), **at))
    if table == "training" and not ({"jp", "hours"} & set(raw.frame.columns)):
        out.append(problem("required_jp", file=raw.file, row=raw.header_row, column="jp",
                           rule="required_column", aliases=_aliases(table, "jp")))
    return out
