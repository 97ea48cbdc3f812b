"""Validating a study: read every table, pseudonymise, check, report.

Three steps, each a function:

* :func:`read_study_tables` reads every table the study declares (the disk edge) and
  collects the problems of files that cannot be read at all;
* :func:`validate_tables` (pure) checks types, ranges and coded values with the pandera
  schemas of :mod:`.schemas`, unique keys, references to the units table, JP per
  person-year, and applies the study's missing-value policy; it returns the clean tables;
* :func:`validate_study` runs both for a study folder and returns a
  :class:`~.report.ValidationReport` (``evaluation validate`` prints it).

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
from pathlib import Path

import numpy as np
import pandas as pd

from ..columns import PERSONAL_COLUMNS
from ..config import StudyConfig, read_study_config
from ..errors import (
    DataValidationError,
    EvaluationError,
    PrivacyError,
    Problem,
    StudyConfigError,
    SyntheticDataWarning,
)
from ..privacy import pseudonymise, resolve_secret
from ..read import RawTable, read_table
from .checks import (
    Skip,
    cpi_year_problems,
    duplicate_problems,
    jp_per_person_problems,
    pns_problems,
    required_column_problems,
    schema_problems,
    unknown_unit_problems,
)
from .codes import normalise_codes
from .missing import apply_missing_policy
from .report import ValidationReport

__all__ = [
    "has_personal_data",
    "pseudonymise_raw",
    "read_study_tables",
    "validate_study",
    "validate_tables",
]

_NIP_RUN = re.compile(r"\d{18}")


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


def _unreadable_cells(raw: RawTable) -> Skip:
    """(position, column) of every cell the reader reported: the checks leave them alone."""
    label_to_col = {v: k for k, v in raw.source_columns.items()}
    skip = set()
    for p in raw.problems:
        pos = int(np.searchsorted(raw.row_numbers, p.row)) if p.row is not None else -1
        if 0 <= pos < len(raw.row_numbers) and raw.row_numbers[pos] == p.row:
            skip.add((pos, label_to_col.get(p.column or "", "")))
    return skip


def _table_problems(
    name: str,
    raw: RawTable,
    df: pd.DataFrame,
    config: StudyConfig,
    known: set[str] | None,
    skip: Skip,
) -> tuple[list[Problem], list[str]]:
    """Every rule of one table that looks at values: (problems, notes)."""
    problems = schema_problems(name, raw, df, config, skip)
    problems += duplicate_problems(name, raw, df)
    problems += unknown_unit_problems(name, raw, df, known)
    notes: list[str] = []
    if name == "training":
        problems += jp_per_person_problems(raw, df)
    if name == "staff":
        problems += pns_problems(raw, df)
    if name == "cpi" and "year" in df.columns:
        outside = df["year"].notna() & ~df["year"].isin(list(config.years.span))
        if outside.any():
            notes.append(
                f"{raw.file}: CPI for {int(outside.sum())} year(s) outside the "
                "study years kept (they do not enter the panel)"
            )
        problems += cpi_year_problems(raw, df, config)
    return problems, notes


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
        missing_cols = required_column_problems(name, raw)
        problems.extend(missing_cols)
        skip = _unreadable_cells(raw)
        df = normalise_codes(name, raw.frame)
        table_problems, table_notes = _table_problems(name, raw, df, config, known, skip)
        problems.extend(table_problems)
        notes.extend(table_notes)
        if not missing_cols:
            df, policy_problems, policy_notes = apply_missing_policy(name, raw, df, config, skip)
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


# ---- personal data ---------------------------------------------------------------------------


def pseudonymise_raw(raw_tables: Mapping[str, RawTable], key: bytes) -> dict[str, RawTable]:
    """Replace NIPs by pseudonyms and drop names in every read table."""
    out = {}
    for name, raw in raw_tables.items():
        if any(c in raw.frame.columns for c in PERSONAL_COLUMNS):
            raw = dataclasses.replace(raw, frame=pseudonymise(raw.frame, key=key))
        out[name] = raw
    return out


def has_personal_data(raw_tables: Mapping[str, RawTable]) -> bool:
    """Whether any read table carries a personal column (NIP or name)."""
    return any(c in raw.frame.columns for raw in raw_tables.values() for c in PERSONAL_COLUMNS)


def _validation_key(config: StudyConfig, secret: str | None) -> tuple[bytes, str]:
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


# ---- a study folder --------------------------------------------------------------------------


def validate_study(study_dir: str | os.PathLike[str], *, secret: str | None = None) -> ValidationReport:
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
