"""A study, loaded: its configuration and its validated, pseudonymised tables.

:func:`load_study` is the one way analysis code gets data: it reads ``study.yaml``,
reads every declared table, replaces NIPs by keyed pseudonyms and drops names before
anything else sees the tables, validates them, and records a hash of every input so
that results can say exactly which data they come from.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import pandas as pd

from ._io import sha256_file
from .columns import PERSONAL_COLUMNS
from .config import StudyConfig, read_study_config
from .errors import DataValidationError, SyntheticDataWarning

__all__ = ["Study", "load_study"]


@dataclass(frozen=True)
class Study:
    """A loaded study.

    Attributes
    ----------
    config : StudyConfig
    tables : Mapping[str, pandas.DataFrame]
        Validated tables with canonical columns; ``nip`` holds pseudonyms and ``name`` is
        gone. Treat them as read-only.
    inputs : Mapping[str, str]
        Input file name (relative to the study folder) -> sha256 of its bytes.
    data_sha256 : str
        One hash over all inputs (names and contents), for provenance.
    notes : tuple[str, ...]
        What the readers and the validator decided (rows dropped, encodings, ...).
    """

    config: StudyConfig
    tables: Mapping[str, pd.DataFrame]
    inputs: Mapping[str, str]
    data_sha256: str
    notes: tuple[str, ...] = ()
    pseudonym_source: str | None = field(default=None)

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def synthetic(self) -> bool:
        return self.config.synthetic

    def panel(self) -> pd.DataFrame:
        """The unit-year panel built from the tables (see :mod:`evaluation.panel`)."""
        from .panel import build_panel

        return build_panel(self.config, self.tables)

    def __repr__(self) -> str:
        rows = ", ".join(f"{k}={len(v):,}" for k, v in self.tables.items())
        flag = " SYNTHETIC" if self.synthetic else ""
        return f"<Study {self.name!r}{flag} {self.config.years.first}-{self.config.years.last}: {rows}>"


def _input_hashes(config: StudyConfig) -> dict[str, str]:
    out = {}
    root = config.root.resolve()
    for name in config.tables:
        path = config.table_path(name)
        label = str(path.relative_to(root)) if path.is_relative_to(root) else path.name
        out[label] = sha256_file(path)
    out["study.yaml"] = sha256_file(root / "study.yaml")
    return dict(sorted(out.items()))


def _combined_hash(inputs: Mapping[str, str]) -> str:
    import hashlib

    h = hashlib.sha256()
    for name, digest in sorted(inputs.items()):
        h.update(name.encode("utf-8") + b"\0" + digest.encode("ascii") + b"\n")
    return h.hexdigest()


def load_study(study_dir: str | os.PathLike, *, secret: str | None = None) -> Study:
    """Load a study folder: read, pseudonymise, validate.

    Parameters
    ----------
    study_dir : path-like
        Folder with ``study.yaml`` and the tables it declares.
    secret : str, optional
        Pseudonymisation secret; by default read as :func:`evaluation.privacy.resolve_secret`
        says (environment variable, file outside the repository, or the fixed key of a
        synthetic study).

    Raises
    ------
    StudyConfigError
        ``study.yaml`` is missing or invalid.
    DataValidationError
        Any table has problems; all of them are listed.
    PrivacyError
        The data contain NIPs and no secret is set (the message says how to set it).

    Examples
    --------
    >>> study = load_study("data/demo")  # doctest: +SKIP
    >>> sorted(study.tables)  # doctest: +SKIP
    ['cpi', 'performance', 'programme', 'skm', 'staff', 'training', 'units']
    """
    from .privacy import resolve_secret
    from .validate import (
        has_personal_data,
        pseudonymise_raw,
        read_study_tables,
        validate_tables,
    )

    config = read_study_config(study_dir)
    raw_tables, problems, notes = read_study_tables(config)
    source = None
    if has_personal_data(raw_tables):
        # Pseudonymise first: nothing below this line sees a NIP or a name.
        if secret:
            key, source = secret.encode("utf-8"), "secret given to load_study"
        else:
            key, source = resolve_secret(config)
        raw_tables = pseudonymise_raw(raw_tables, key)
        notes.append(f"NIPs replaced by keyed pseudonyms ({source}); names dropped")
    tables, check_problems, check_notes = validate_tables(config, raw_tables)
    problems = problems + check_problems
    if problems:
        raise DataValidationError(
            f"study {config.name!r}: {len(problems)} problem(s) in the input data; run "
            f"'evaluation validate --study {study_dir}' for the full report",
            problems,
        )
    for name, df in tables.items():
        leaked = [c for c in PERSONAL_COLUMNS if c in df.columns and c != "nip"]
        if leaked:  # pragma: no cover - pseudonymise_raw drops them
            raise AssertionError(f"personal column(s) {leaked} left in {name}")
    if config.synthetic:
        warnings.warn(
            f"study {config.name!r} is synthetic: results are not about the real {config.region}",
            SyntheticDataWarning,
            stacklevel=2,
        )
    inputs = _input_hashes(config)
    frozen = MappingProxyType({k: tables[k] for k in sorted(tables)})
    return Study(
        config=config,
        tables=frozen,
        inputs=MappingProxyType(inputs),
        data_sha256=_combined_hash(inputs),
        notes=tuple(notes + check_notes),
        pseudonym_source=source,
    )
