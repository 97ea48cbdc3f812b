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
from ..i18n import Formatter
from ..privacy import pseudonymise, resolve_secret, scrub_nips
from ..read import RawTable, read_table
from ..read.words import localise_all, note, problem, shown_value
from .checks import (
    Skip,
    cpi_year_problems,
    duplicate_problems,
    duplicate_row_note,
    duplicate_row_problems,
    identical_rows,
    iku_shares,
    jp_per_person_problems,
    pns_problems,
    required_column_problems,
    schema_problems,
    training_summary_problems,
    unknown_unit_problems,
)
from .codes import normalise_codes
from .missing import apply_missing_policy
from .report import ValidationReport
from .schemas import KEYS

__all__ = [
    "has_personal_data",
    "problems_error",
    "pseudonymise_raw",
    "read_study_tables",
    "validate_study",
    "validate_tables",
]

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
            problems.append(problem("path", file="study.yaml", column=f"tables.{name}.file",
                                    value=spec.file, error=str(exc)))
            continue
        try:
            raw = read_table(path, table=name, locale=config.number_locale, sheet=spec.sheet,
                             errors="collect", lang="en")
        except DataValidationError as exc:
            problems.extend(exc.problems or [Problem(file=path.name, message=str(exc))])
            continue
        except (MemoryError, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - a malformed file must never end in a traceback
            problems.append(problem("unreadable_file", file=path.name,
                                    error=f"{type(exc).__name__}: {_short(exc)}"))
            continue
        tables[name] = raw
        problems.extend(raw.problems)
        notes.extend(raw.notes)
    return tables, problems, notes


def _short(exc: BaseException) -> str:
    return scrub_nips(str(exc)).replace("\n", " ")[:160]


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
    if name == "training_summary":
        problems += training_summary_problems(raw, df)
        notes.append(note("summary_instead", file=raw.file, table=name))
    if name == "cpi" and "year" in df.columns:
        outside = df["year"].notna() & ~df["year"].isin(list(config.years.span))
        if outside.any():
            notes.append(note("cpi_outside", file=raw.file, n=int(outside.sum())))
        problems += cpi_year_problems(raw, df, config)
    return problems, notes


def _identical_rows(
    name: str, raw: RawTable, df: pd.DataFrame, config: StudyConfig
) -> tuple[pd.DataFrame, list[Problem], list[str]]:
    """Rows identical in every column, under the study's ``duplicates`` policy.

    A repeated key of a table that has one is a problem of its own (``unique_key``), so
    there ``keep`` means: leave it to that rule.
    """
    duplicated, group = identical_rows(df)
    if not duplicated.any():
        return df, [], []
    policy = config.duplicates
    if policy == "drop":
        return (df.loc[~duplicated.to_numpy()],
                [], [duplicate_row_note(raw, df, duplicated, dropped=True)])
    if policy == "keep":
        if name in KEYS:
            return df, [], []
        return df, [], [duplicate_row_note(raw, df, duplicated, dropped=False)]
    if name in KEYS:
        return df, [], []  # the key rule lists them, with the row they repeat
    return df, duplicate_row_problems(name, raw, df, group), []


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
    if {"training", "training_summary"} <= set(config.tables):
        problems.append(problem("summary_and_records", file="study.yaml",
                                column="tables.training_summary", records="training",
                                summary="training_summary"))
    units = raw_tables.get("units")
    known = None
    if units is not None and "unit_id" in units.frame.columns:
        known = set(units.frame["unit_id"].dropna().astype("str"))
    for name, raw in raw_tables.items():
        missing_cols = required_column_problems(name, raw)
        problems.extend(missing_cols)
        skip = _unreadable_cells(raw)
        df = normalise_codes(name, raw.frame)
        df, dup_problems, dup_notes = _identical_rows(name, raw, df, config)
        problems.extend(dup_problems)
        notes.extend(dup_notes)
        if name == "performance":
            df, share_problems, share_notes = iku_shares(raw, df)
            problems.extend(share_problems)
            notes.extend(share_notes)
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
    """The last guard: no NIP, solid, grouped or as a float, reaches a problem's text (the
    checks never put one there, but a library's error text or a misaligned cell of a table
    not about persons might)."""
    value = shown_value(p.value, personal=False)
    message = scrub_nips(p.message)
    hint = scrub_nips(p.hint) if p.hint else p.hint
    if value == p.value and message == p.message and hint == p.hint:
        return p
    return dataclasses.replace(p, value=value, message=message, hint=hint)


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
        return secret.encode("utf-8"), note("secret_given")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntheticDataWarning)
            key, source = resolve_secret(config)
        if source.startswith("environment variable"):
            return key, note("secret_env", env=config.privacy.secret_env)
        if source == "privacy.secret_file":
            return key, note("secret_file")
        return key, note("secret_fixed")
    except PrivacyError:
        return secrets.token_bytes(32), note("throwaway_key", env=config.privacy.secret_env)
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
        key, key_note = _validation_key(config, secret)
        notes.append(key_note)
        raw_tables = pseudonymise_raw(raw_tables, key)
    _, check_problems, check_notes = validate_tables(config, raw_tables)
    problems = [_scrub(p) for p in problems] + check_problems
    notes += check_notes
    if config.synthetic:
        notes.insert(0, note("synthetic", study=config.name))
    return ValidationReport(
        study=config.name,
        study_dir=str(study_dir),
        ok=not problems,
        problems=tuple(problems),
        notes=tuple(notes),
        tables=tuple(raw_tables) + tuple(t for t in config.tables if t not in raw_tables),
        rows={name: len(raw) for name, raw in raw_tables.items()},
    )


def problems_error(
    config: StudyConfig, problems: list[Problem], study_dir: str | os.PathLike[str]
) -> DataValidationError:
    """The error :func:`evaluation.load_study` raises for data with problems, written in
    the study's language: the count per rule and column, then the first problems."""
    lang = config.language
    f = Formatter(lang)
    report = ValidationReport(study=config.name, study_dir=str(study_dir), ok=False,
                              problems=tuple(problems))
    summary = f.msg("validate.report.load_failed", study=config.name,
                    n=f.integer(report.n_problems), dir=str(study_dir))
    text = "\n".join([summary + ":", *report.problem_lines(lang, limit=200)])
    return DataValidationError(summary, localise_all(problems, lang), text=text)
