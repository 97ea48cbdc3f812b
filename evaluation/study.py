"""A study, loaded: its configuration and its validated, pseudonymised tables.

:func:`load_study` is the one way analysis code gets data: it reads ``study.yaml``,
reads every declared table, replaces NIPs by keyed pseudonyms and drops names before
anything else sees the tables, validates them, and records a hash of every input so
that results can say exactly which data they come from.

With a cache folder (``cache_dir=`` or ``EVALUATION_CACHE_DIR``) the validated tables,
and the panel :meth:`Study.panel` builds, are kept as Parquet under a key made of the
inputs' hashes (see :mod:`evaluation.cache`); a later load of the same inputs with the
same code, libraries and secret returns the same Study without reading them again.
"""

from __future__ import annotations

import builtins
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import pandas as pd

from . import cache as _cache
from . import errors as _errors
from ._io import sha256_file
from .columns import PERSONAL_COLUMNS
from .config import StudyConfig, read_study_config
from .errors import PrivacyError, StudyConfigError, SyntheticDataWarning

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
    cache: _StudyCache | None = field(default=None, repr=False, compare=False)

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def synthetic(self) -> bool:
        return self.config.synthetic

    def panel(self) -> pd.DataFrame:
        """The unit-year panel built from the tables (see :mod:`evaluation.panel`).

        A study loaded with a cache folder reads the panel from the cache when it was
        built before from the same tables, and stores it otherwise.
        """
        from .panel import build_panel

        c = self.cache
        # only for the exact tables and config the cache key was made from (a Study
        # copied with dataclasses.replace(tables=...) builds its own panel)
        if c is None or c.tables is not self.tables or c.config is not self.config:
            return build_panel(self.config, self.tables)
        key = _cache.cache_key("panel", {"tables_key": c.key})
        hit = _cache.fetch(c.root, "panel", key)
        if hit is not None:
            _replay_warnings(hit.meta.get("warnings", ()))
            return hit.frames["panel"]
        recorded: list[warnings.WarningMessage] = []
        try:
            with warnings.catch_warnings(record=True) as recorded:
                panel = build_panel(self.config, self.tables)
        finally:
            _reemit(recorded)
        _cache.store(c.root, "panel", key, {"panel": panel},
                     {"warnings": _replayable(recorded)})
        return panel

    def __repr__(self) -> str:
        rows = ", ".join(f"{k}={len(v):,}" for k, v in self.tables.items())
        flag = " SYNTHETIC" if self.synthetic else ""
        return f"<Study {self.name!r}{flag} {self.config.years.first}-{self.config.years.last}: {rows}>"


@dataclass(frozen=True)
class _StudyCache:
    """Where a loaded study's cache lives, and for which tables its key was made."""

    root: Path
    key: str
    config: StudyConfig = field(repr=False)
    tables: Mapping[str, pd.DataFrame] = field(repr=False)


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


def load_study(
    study_dir: str | os.PathLike,
    *,
    secret: str | None = None,
    cache_dir: str | os.PathLike | Literal[False] | None = None,
) -> Study:
    """Load a study folder: read, pseudonymise, validate.

    Parameters
    ----------
    study_dir : path-like
        Folder with ``study.yaml`` and the tables it declares.
    secret : str, optional
        Pseudonymisation secret; by default read as :func:`evaluation.privacy.resolve_secret`
        says (environment variable, file outside the repository, or the fixed key of a
        synthetic study).
    cache_dir : path-like or False, optional
        Folder for the cache of validated tables and panels (see :mod:`evaluation.cache`);
        by default the environment variable ``EVALUATION_CACHE_DIR`` (which the batch
        sets to ``<out>/<study>/.cache``), and no cache when that is unset. ``False``
        turns the cache off. A study loaded from the cache is the same as one loaded
        from the files; deleting the folder is always safe.

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
    config = read_study_config(study_dir)
    root = _cache_root(cache_dir)
    study_cache = None
    if root is None:
        tables, notes, source = _read_validated(config, study_dir, secret)
        inputs = _input_hashes(config)
    else:
        before = _try_input_hashes(config)
        key = _tables_key(config, before, secret) if before is not None else None
        hit = _cache.fetch(root, "tables", key) if key else None
        if hit is not None:
            _replay_warnings(hit.meta.get("warnings", ()))
            tables = dict(hit.frames)
            notes, source = list(hit.meta["notes"]), hit.meta["pseudonym_source"]
            inputs = dict(before or {})
        else:
            recorded: list[warnings.WarningMessage] = []
            try:
                with warnings.catch_warnings(record=True) as recorded:
                    tables, notes, source = _read_validated(config, study_dir, secret)
            finally:
                _reemit(recorded)
            inputs = _input_hashes(config)
            # an input rewritten while it was being read: these tables are not the key's
            if key and inputs == before:
                meta = {"notes": notes, "pseudonym_source": source,
                        "warnings": _replayable(recorded)}
                _cache.store(root, "tables", key, dict(sorted(tables.items())), meta)
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
    frozen = MappingProxyType({k: tables[k] for k in sorted(tables)})
    if root is not None and key:
        study_cache = _StudyCache(root=root, key=key, config=config, tables=frozen)
    return Study(
        config=config,
        tables=frozen,
        inputs=MappingProxyType(inputs),
        data_sha256=_combined_hash(inputs),
        notes=tuple(notes),
        pseudonym_source=source,
        cache=study_cache,
    )


def _read_validated(
    config: StudyConfig, study_dir: str | os.PathLike, secret: str | None
) -> tuple[dict[str, pd.DataFrame], list[str], str | None]:
    """Read, pseudonymise and validate every table: ``(tables, notes, secret source)``."""
    from .privacy import resolve_secret
    from .validate import (
        has_personal_data,
        problems_error,
        pseudonymise_raw,
        read_study_tables,
        validate_tables,
    )

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
        raise problems_error(config, problems, study_dir)
    return dict(tables), notes + list(check_notes), source


# ---- the cache edge ---------------------------------------------------------------------------


def _cache_root(cache_dir: str | os.PathLike | Literal[False] | None) -> Path | None:
    if cache_dir is False:
        return None
    if cache_dir is None:
        return _cache.cache_dir_from_env()
    return Path(cache_dir)


def _try_input_hashes(config: StudyConfig) -> dict[str, str] | None:
    """The inputs' hashes, or ``None`` when a file is missing (the loader then says what)."""
    try:
        return _input_hashes(config)
    except (OSError, StudyConfigError):
        return None


def _tables_key(config: StudyConfig, inputs: Mapping[str, str], secret: str | None) -> str:
    from . import provenance
    from .privacy import resolve_secret

    if secret:
        key, source = secret.encode("utf-8"), "secret given to load_study"
    else:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the real load warns, not the key
                key, source = resolve_secret(config)
        except PrivacyError:
            key, source = None, None
    return _cache.cache_key("tables", {
        "inputs": dict(inputs),
        "toolkit_sha256": provenance.toolkit_sha256(),
        "packages": _cache.package_versions(),
        "secret": _cache.secret_digest(key, salt=_combined_hash(inputs)),
        "secret_source": source,
    })


def _reemit(recorded: list[warnings.WarningMessage]) -> None:
    for w in recorded:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)


def _replayable(recorded: list[warnings.WarningMessage]) -> list[dict[str, str]]:
    """The toolkit's own warnings (they never carry a NIP or a name), to replay on a hit."""
    from .privacy import NIP_PATTERN

    out = []
    for w in recorded:
        if getattr(_errors, w.category.__name__, None) is not w.category:
            continue
        text = str(w.message)
        if NIP_PATTERN.search(text):
            continue
        out.append({"category": w.category.__name__, "message": text})
    return out


def _replay_warnings(items: Any) -> None:
    for item in items:
        category = getattr(_errors, item["category"], None) or getattr(
            builtins, item["category"], UserWarning)
        warnings.warn(item["message"], category, stacklevel=3)
