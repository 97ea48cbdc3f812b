"""Validation: every input table of a study checked, every problem reported at once.

Three steps, each a function:

* :func:`read_study_tables` reads every table the study declares (the disk edge) and
  collects the problems of files that cannot be read at all;
* :func:`validate_tables` (pure) checks types, ranges and coded values with the pandera
  schemas of :mod:`evaluation.schemas`, unique keys, references to the units table, JP
  per person-year, and applies the study's missing-value policy; it returns the clean
  tables;
* :func:`validate_study` runs both for a study folder and returns a
  :class:`ValidationReport` (``evaluation validate`` prints it).

Every problem names the file, the row a spreadsheet shows, the column as the user wrote
it, the value, the rule and a fix. NIPs are pseudonymised before any check, and no
message ever carries a NIP or a name.
"""

from __future__ import annotations

import dataclasses
import os
import re
import secrets
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from .._options import Language, check_option
from ..columns import PERSONAL_COLUMNS, TABLE_COLUMNS
from ..config import StudyConfig, read_study_config
from ..errors import (
    DataValidationError,
    EvaluationError,
    PrivacyError,
    Problem,
    StudyConfigError,
    SyntheticDataWarning,
)
from ..read.tables import RawTable, _map_present, read_table
from .schemas import KEYS, MAX_JP, rules_for, schema_for

__all__ = ["ValidationReport", "read_study_tables", "validate_study", "validate_tables"]

#: How many problems :meth:`ValidationReport.render` lists before summarising the rest.
RENDER_LIMIT = 300

_NIP_RUN = re.compile(r"\d{18}")


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of validating a study folder.

    Attributes
    ----------
    study : str
        The study's name (or the folder, when study.yaml could not be read).
    study_dir : str
    ok : bool
        True when there is no problem.
    problems : tuple[Problem, ...]
    notes : tuple[str, ...]
        Decisions and observations that are not problems.
    tables : tuple[str, ...]
        Tables checked.
    rows : Mapping[str, int]
        Data rows read per table.
    """

    study: str
    study_dir: str
    ok: bool
    problems: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()
    rows: Mapping[str, int] = field(default_factory=dict)

    def render(self, lang: Language = "id") -> str:
        """A readable report in Indonesian (``"id"``) or English (``"en"``)."""
        check_option("lang", lang, Language)
        t = _TEXT[lang]
        lines = [t["title"].format(study=self.study, dir=self.study_dir)]
        for name in self.tables:
            lines.append(f"  - {name}: {self.rows.get(name, 0):,} {t['rows']}")
        lines.append("")
        if self.ok:
            lines.append(t["ok"])
        else:
            lines.append(t["bad"].format(n=len(self.problems)))
            for i, p in enumerate(self.problems[:RENDER_LIMIT], start=1):
                lines.append(f"{i:>4}. {_render_problem(p, t)}")
            if len(self.problems) > RENDER_LIMIT:
                lines.append("      " + t["more"].format(n=len(self.problems) - RENDER_LIMIT))
        if self.notes:
            lines += ["", t["notes"]]
            lines += [f"  - {n}" for n in self.notes]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()

    def to_dict(self) -> dict:
        """Plain JSON-ready form (for ``evaluation validate --json``)."""
        return {
            "study": self.study,
            "study_dir": self.study_dir,
            "ok": self.ok,
            "n_problems": len(self.problems),
            "problems": [p.to_dict() for p in self.problems],
            "notes": list(self.notes),
            "tables": list(self.tables),
            "rows": dict(self.rows),
        }


_TEXT = {
    "id": {
        "title": "Validasi studi '{study}' ({dir})",
        "rows": "baris",
        "ok": "HASIL: tidak ada masalah. Data siap dipakai.",
        "bad": "HASIL: {n} masalah ditemukan. Perbaiki berkas lalu jalankan validasi lagi.",
        "more": "... dan {n} masalah lain (lihat --json untuk daftar lengkap)",
        "notes": "Catatan:",
        "row": "baris",
        "column": "kolom",
        "value": "nilai",
        "rule": "aturan",
        "fix": "Perbaikan",
    },
    "en": {
        "title": "Validation of study '{study}' ({dir})",
        "rows": "rows",
        "ok": "RESULT: no problems. The data are ready to use.",
        "bad": "RESULT: {n} problem(s) found. Fix the files and run the validation again.",
        "more": "... and {n} more problem(s) (see --json for the full list)",
        "notes": "Notes:",
        "row": "row",
        "column": "column",
        "value": "value",
        "rule": "rule",
        "fix": "Fix",
    },
}


def _render_problem(p: Problem, t: Mapping[str, str]) -> str:
    where = p.file
    if p.row is not None:
        where += f", {t['row']} {p.row}"
    if p.column is not None:
        where += f", {t['column']} '{p.column}'"
    text = f"{where}: {p.message}"
    extra = []
    if p.value is not None:
        extra.append(f"{t['value']}: {p.value!r}")
    if p.rule:
        extra.append(f"{t['rule']}: {p.rule}")
    if extra:
        text += f" ({'; '.join(extra)})"
    if p.hint:
        text += f"\n        {t['fix']}: {p.hint}"
    return text


# ---- reading every table ---------------------------------------------------------------------


def read_study_tables(config: StudyConfig) -> tuple[dict[str, RawTable], list[Problem], list[str]]:
    """Read every table ``config`` declares; collect what cannot be read.

    Returns the tables that could be read, the problems (unreadable files and cells) and
    the readers' notes. Never raises for a malformed file.
    """
    tables: dict[str, RawTable] = {}
    problems: list[Problem] = []
    notes: list[str] = []
    for name, spec in config.tables.items():
        try:
            path = config.table_path(name)
        except StudyConfigError as exc:
            problems.append(
                Problem(
                    file="study.yaml",
                    column=f"tables.{name}.file",
                    value=spec.file,
                    rule="path",
                    message=str(exc),
                    hint="keep input files inside the study folder",
                )
            )
            continue
        try:
            raw = read_table(
                path, table=name, locale=config.number_locale, sheet=spec.sheet, errors="collect"
            )
        except DataValidationError as exc:
            problems.extend(exc.problems or [Problem(file=path.name, message=str(exc))])
            continue
        except (MemoryError, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - a malformed file must never end in a traceback
            problems.append(
                Problem(
                    file=path.name,
                    rule="unreadable_file",
                    message=f"the file cannot be read ({type(exc).__name__}: {_short(exc)})",
                    hint="open it in a spreadsheet program and save it again as CSV UTF-8 or .xlsx",
                )
            )
            continue
        tables[name] = raw
        problems.extend(raw.problems)
        notes.extend(raw.notes)
    return tables, problems, notes


def _short(exc: BaseException) -> str:
    text = _NIP_RUN.sub("[NIP]", str(exc)).replace("\n", " ")
    return text[:160]


# ---- checking --------------------------------------------------------------------------------


def _normalise_code(value: object, synonyms: Mapping[str, str]) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return value
    key = re.sub(r"[\s\-_/]+", "_", str(value).strip().lower()).strip("_")
    return synonyms.get(key, key)


_COMPETENCY_SYNONYMS = {
    "sosial_kultural": "sosial_kultural",
    "sosialkultural": "sosial_kultural",
    "sosio_kultural": "sosial_kultural",
    "sosiokultural": "sosial_kultural",
    "technical": "teknis",
    "managerial": "manajerial",
    "socio_cultural": "sosial_kultural",
}
_PATH_SYNONYMS = {
    "non_klasikal": "nonklasikal",
    "nonklasikal": "nonklasikal",
    "non_classical": "nonklasikal",
    "classical": "klasikal",
    "klasikal": "klasikal",
}


def _normalise_codes(table: str, df: pd.DataFrame) -> pd.DataFrame:
    if table != "training":
        return df
    df = df.copy()
    for col, synonyms in (
        ("competency_type", _COMPETENCY_SYNONYMS),
        ("learning_path", _PATH_SYNONYMS),
        ("activity", {}),
    ):
        if col in df:
            df[col] = _map_present(df[col], lambda v, s=synonyms: _normalise_code(v, s), "str")
    return df


def _aliases_text(table: str, column: str) -> str:
    spec = TABLE_COLUMNS[table][column]
    names = list(dict.fromkeys((column, *spec.aliases)))
    return ", ".join(repr(n) for n in names)


def _schema_problems(
    table: str, raw: RawTable, df: pd.DataFrame, config: StudyConfig, skip: set[tuple[int, str]]
) -> list[Problem]:
    rules = [r for r in rules_for(table, config) if r.column in df.columns]
    if not rules:
        return []
    schema = schema_for(table, config, list(df.columns))
    try:
        schema.validate(df, lazy=True)
        return []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    by_check: dict[tuple[str, int], object] = {}
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


def _duplicate_problems(table: str, raw: RawTable, df: pd.DataFrame) -> list[Problem]:
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


def _unknown_unit_problems(
    table: str, raw: RawTable, df: pd.DataFrame, known: set[str] | None
) -> list[Problem]:
    if known is None or table == "units" or "unit_id" not in df.columns:
        return []
    ids = df["unit_id"]
    bad = ids.notna() & ~ids.astype("str").isin(known)
    if not bad.any():
        return []
    out = []
    for unit, positions in df.index[bad].groupby(ids[bad].astype("str")).items():
        rows = [raw.row_of(p) for p in positions]
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


def _jp_per_person_problems(raw: RawTable, df: pd.DataFrame) -> list[Problem]:
    if not {"nip", "year", "jp"} <= set(df.columns):
        return []
    sub = df[df["nip"].notna() & df["year"].notna() & df["jp"].notna()]
    totals = sub.groupby(["nip", "year"], sort=False)["jp"].agg(["sum", "size"])
    over = totals[totals["sum"] > MAX_JP]
    if over.empty:
        return []
    out = []
    first_pos = sub.reset_index().groupby(["nip", "year"], sort=False)["index"].min()
    for (nip, year), row in over.iterrows():
        pos = int(first_pos.loc[(nip, year)])
        out.append(
            Problem(
                file=raw.file,
                row=raw.row_of(pos),
                column=raw.column_label("jp"),
                value=round(float(row["sum"]), 2),
                rule="jp_per_person_year",
                message=f"one person's JP in {int(year)} add up to {row['sum']:,.0f} over "
                f"{int(row['size'])} events (more than {MAX_JP:,.0f}); first of them on "
                "this row",
                hint="check for repeated rows or minutes written as JP (1 JP = 45 minutes)",
            )
        )
    return out


def _pns_problems(raw: RawTable, df: pd.DataFrame) -> list[Problem]:
    if not {"pns_count", "asn_count"} <= set(df.columns):
        return []
    bad = df["pns_count"].notna() & df["asn_count"].notna() & (df["pns_count"] > df["asn_count"])
    return [
        Problem(
            file=raw.file,
            row=raw.row_of(p),
            column=raw.column_label("pns_count"),
            value=int(df.at[p, "pns_count"]),
            rule="pns_le_asn",
            message=f"more PNS than ASN ({int(df.at[p, 'asn_count'])})",
            hint="PNS are part of the ASN count; check both numbers",
        )
        for p in df.index[bad]
    ]


def _required_value_columns(table: str, df: pd.DataFrame) -> list[str]:
    cols = [
        c
        for c, spec in TABLE_COLUMNS[table].items()
        if spec.required and c in df.columns and c not in PERSONAL_COLUMNS[1:]
    ]
    if table == "skm":  # unanswered SKM elements are allowed
        cols = [c for c in cols if not re.fullmatch(r"u\d", c)]
    if table == "programme":  # blank cohort = never joined
        cols = [c for c in cols if c != "cohort_year"]
    return cols


def _apply_missing_policy(
    table: str, raw: RawTable, df: pd.DataFrame, config: StudyConfig, skip: set[tuple[int, str]]
) -> tuple[pd.DataFrame, list[Problem], list[str]]:
    policy = config.missing.policy
    cols = _required_value_columns(table, df)
    keys = {"unit_id", "year", "nip", "respondent_id"} & set(cols)
    missing = pd.DataFrame({c: df[c].isna() for c in cols}, index=df.index)
    if table == "training" and ("jp" in df.columns or "hours" in df.columns):
        jp = df["jp"].isna() if "jp" in df.columns else pd.Series(True, index=df.index)
        hours = df["hours"].isna() if "hours" in df.columns else pd.Series(True, index=df.index)
        missing["jp"] = jp & hours
    for pos, col in skip:  # an unreadable cell is already a problem
        if col in missing.columns and pos in missing.index:
            missing.at[pos, col] = False
    any_missing = missing.any(axis=1)
    if not any_missing.any():
        return df, [], []
    problems: list[Problem] = []
    notes: list[str] = []
    hint = (
        "fill in the value, or set missing.policy in study.yaml to 'drop' (skip such rows) "
        "or 'keep'"
    )
    if policy == "error":
        for col in missing.columns:
            for pos in df.index[missing[col]]:
                problems.append(
                    Problem(
                        file=raw.file,
                        row=raw.row_of(pos),
                        column=raw.column_label(col),
                        rule="missing_value",
                        message="a required value is missing",
                        hint=hint,
                    )
                )
        return df, problems, notes
    if policy == "keep":
        key_missing = missing[list(keys)].any(axis=1) if keys else pd.Series(False, df.index)
        for pos in df.index[key_missing]:
            col = next(c for c in keys if missing.at[pos, c])
            problems.append(
                Problem(
                    file=raw.file,
                    row=raw.row_of(pos),
                    column=raw.column_label(col),
                    rule="missing_key",
                    message="a key value is missing (policy 'keep' keeps "
                    "missing measures, not rows without a key)",
                    hint="fill in the key, or delete the row",
                )
            )
        n = int((any_missing & ~key_missing).sum())
        if n:
            notes.append(
                f"{raw.file}: {n} row(s) with missing required values kept (missing.policy: keep)"
            )
        return df, problems, notes
    rows = [raw.row_of(p) for p in df.index[any_missing]]
    shown = ", ".join(map(str, rows[:10])) + (
        f" and {len(rows) - 10} more" if len(rows) > 10 else ""
    )
    by_col = {
        raw.column_label(c): int(missing[c].sum()) for c in missing.columns if missing[c].any()
    }
    notes.append(
        f"{raw.file}: {len(rows)} row(s) dropped for missing required values "
        f"{by_col} (missing.policy: drop): rows {shown}"
    )
    return df.loc[~any_missing], problems, notes


def _required_column_problems(table: str, raw: RawTable) -> list[Problem]:
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


def _finalise_dtypes(df: pd.DataFrame) -> pd.DataFrame:
    out = df.reset_index(drop=True)
    for col in out.columns:
        if isinstance(out[col].dtype, pd.Int64Dtype) and not out[col].isna().any():
            out[col] = out[col].astype("int64")
    return out


def validate_tables(
    config: StudyConfig, raw_tables: Mapping[str, RawTable]
) -> tuple[dict[str, pd.DataFrame], list[Problem], list[str]]:
    """Check read tables against the study; return (clean tables, problems, notes).

    Pure: no disk. The clean tables have codes normalised (``"Sosial Kultural"`` ->
    ``"sosial_kultural"``), the missing-value policy applied, a fresh index, and whole
    number columns without gaps as ``int64``. Tables with problems are still returned.
    """
    problems: list[Problem] = []
    notes: list[str] = []
    clean: dict[str, pd.DataFrame] = {}
    units = raw_tables.get("units")
    known = None
    if units is not None and "unit_id" in units.frame.columns:
        known = set(units.frame["unit_id"].dropna().astype("str"))
    for name, raw in raw_tables.items():
        missing_cols = _required_column_problems(name, raw)
        problems.extend(missing_cols)
        label_to_col = {v: k for k, v in raw.source_columns.items()}
        skip = set()
        for p in raw.problems:
            pos = int(np.searchsorted(raw.row_numbers, p.row)) if p.row is not None else -1
            if 0 <= pos < len(raw.row_numbers) and raw.row_numbers[pos] == p.row:
                skip.add((pos, label_to_col.get(p.column, "")))
        df = _normalise_codes(name, raw.frame)
        problems.extend(_schema_problems(name, raw, df, config, skip))
        problems.extend(_duplicate_problems(name, raw, df))
        problems.extend(_unknown_unit_problems(name, raw, df, known))
        if name == "training":
            problems.extend(_jp_per_person_problems(raw, df))
        if name == "staff":
            problems.extend(_pns_problems(raw, df))
        if name == "cpi" and "year" in df.columns:
            outside = df["year"].notna() & ~df["year"].isin(list(config.years.span))
            if outside.any():
                notes.append(
                    f"{raw.file}: CPI for {int(outside.sum())} year(s) outside the "
                    "study years kept (they do not enter the panel)"
                )
            absent = sorted(set(config.years.span) - set(df["year"].dropna().astype(int)))
            if absent:
                problems.append(
                    Problem(
                        file=raw.file,
                        column=raw.column_label("year"),
                        rule="cpi_years",
                        value=", ".join(map(str, absent)),
                        message="the CPI is missing for study year(s)",
                        hint="add the CPI of every study year (BPS, Indeks Harga Konsumen)",
                    )
                )
        if not missing_cols:
            df, policy_problems, policy_notes = _apply_missing_policy(name, raw, df, config, skip)
            problems.extend(policy_problems)
            notes.extend(policy_notes)
        clean[name] = _finalise_dtypes(df)
    return clean, [_scrub(p) for p in problems], notes


def _scrub(p: Problem) -> Problem:
    """No NIP-like digit run may reach a message (the table is pseudonymised, but a stray
    cell of a misaligned row might still hold one)."""
    value = p.value
    if isinstance(value, str) and _NIP_RUN.search(value):
        value = _NIP_RUN.sub("[NIP]", value)
    message = _NIP_RUN.sub("[NIP]", p.message)
    if value is p.value and message == p.message:
        return p
    return dataclasses.replace(p, value=value, message=message)


def pseudonymise_raw(raw_tables: Mapping[str, RawTable], key: bytes) -> dict[str, RawTable]:
    """Replace NIPs by pseudonyms and drop names in every read table."""
    from ..privacy import pseudonymise

    out = {}
    for name, raw in raw_tables.items():
        if any(c in raw.frame.columns for c in PERSONAL_COLUMNS):
            raw = dataclasses.replace(raw, frame=pseudonymise(raw.frame, key=key))
        out[name] = raw
    return out


def has_personal_data(raw_tables: Mapping[str, RawTable]) -> bool:
    return any(c in raw.frame.columns for raw in raw_tables.values() for c in PERSONAL_COLUMNS)


def validate_study(study_dir: str | os.PathLike, *, secret: str | None = None) -> ValidationReport:
    """Validate a study folder: ``study.yaml`` and every table it declares.

    Never raises for bad data or a bad study file: everything found is in the report.
    NIPs are pseudonymised before checking; without a study secret a throwaway key is
    used (validation needs no stable pseudonyms) and a note says that loading the
    study will need the secret.

    Examples
    --------
    >>> report = validate_study("data/demo")  # doctest: +SKIP
    >>> report.ok, report.rows["units"]  # doctest: +SKIP
    (True, 52)
    """
    study_dir = Path(study_dir)
    try:
        config = read_study_config(study_dir)
    except StudyConfigError as exc:
        problems = exc.problems or [Problem(file="study.yaml", message=str(exc))]
        return ValidationReport(
            study=study_dir.name, study_dir=str(study_dir), ok=False, problems=tuple(problems)
        )
    raw_tables, problems, notes = read_study_tables(config)
    if has_personal_data(raw_tables):
        key, note = _validation_key(config, secret)
        notes.append(note)
        raw_tables = pseudonymise_raw(raw_tables, key)
    _, check_problems, check_notes = validate_tables(config, raw_tables)
    problems = [_scrub(p) for p in problems] + check_problems
    notes += check_notes
    if config.synthetic:
        notes.insert(0, f"study {config.name!r} is synthetic (data invented for demonstration)")
    return ValidationReport(
        study=config.name,
        study_dir=str(study_dir),
        ok=not problems,
        problems=tuple(problems),
        notes=tuple(notes),
        tables=tuple(raw_tables) + tuple(t for t in config.tables if t not in raw_tables),
        rows={name: len(raw) for name, raw in raw_tables.items()},
    )


def _validation_key(config: StudyConfig, secret: str | None) -> tuple[bytes, str]:
    from ..privacy import resolve_secret

    if secret:
        return secret.encode("utf-8"), "NIPs pseudonymised with the secret given"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntheticDataWarning)
            key, source = resolve_secret(config)
        return key, f"NIPs pseudonymised (key from {source})"
    except PrivacyError:
        return (
            secrets.token_bytes(32),
            f"no pseudonymisation secret is set ({config.privacy.secret_env}); validation "
            "used a throwaway key, but loading the study for analysis will need the secret",
        )
    except EvaluationError:
        raise
