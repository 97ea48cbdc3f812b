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

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from . import cache as _cache
from . import errors as _errors
from ._io import sha256_file
from ._options import Engine, check_option
from .columns import PERSONAL_COLUMNS
from .config import StudyConfig, read_study_config
from .errors import (
    PrivacyError,
    Problem,
    StudyConfigError,
    SyntheticDataWarning,
)
from .indicators import ikm_from_element_means
from .indicators.engine import (
    access_counts_parquet,
    aggregate_training_parquet,
    check_table,
    connect,
    duplicate_respondents,
    entitlement_shortfall_parquet,
    parquet_table,
    skm_tallies_parquet,
)
from .panel import PanelAggregates
from .privacy import resolve_secret
from .validate import problems_error

__all__ = ["AUTO_DUCKDB_RECORDS", "Study", "choose_engine", "load_study"]


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
        What the readers and the validator decided (rows dropped, encodings, ...), and
        which engine loaded the study and why (the last note, ``engine: ...``).
    engine : {"pandas", "duckdb"}
        The engine that loaded the study (``auto`` resolved; see :func:`choose_engine`).
    aggregates : PanelAggregates or None
        With the out-of-core engine: what the training and SKM records contribute to the
        panel, computed where they lie (those tables are then not in ``tables``).
    """

    config: StudyConfig
    tables: Mapping[str, pd.DataFrame]
    inputs: Mapping[str, str]
    data_sha256: str
    notes: tuple[str, ...] = ()
    pseudonym_source: str | None = field(default=None)
    engine: Literal["pandas", "duckdb"] = "pandas"
    cache: _StudyCache | None = field(default=None, repr=False, compare=False)
    aggregates: PanelAggregates | None = field(default=None, repr=False, compare=False)

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

        if self.aggregates is not None:
            return build_panel(self.config, self.tables, aggregates=self.aggregates)
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
        if self.aggregates is not None:
            rows += ", out of core: " + ", ".join(self.aggregates.attrs.get("out_of_core", []))
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
        # a folder of Parquet files (the out-of-core layout): every file in it
        for file in sorted(path.rglob("*.parquet")) if path.is_dir() else [path]:
            label = str(file.relative_to(root)) if file.is_relative_to(root) else file.name
            out[label] = sha256_file(file)
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
    engine: Engine | None = None,
    memory_limit: str | None = None,
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
    engine : {"auto", "pandas", "duckdb"}, optional
        Where the heavy work runs (default: ``engine.name`` of study.yaml, whose default
        is ``auto``: see :func:`choose_engine`). Given here or in study.yaml, ``pandas``
        and ``duckdb`` are used as they are. ``duckdb`` leaves the training and SKM records in their Parquet files
        (one file, or a folder of files such as one per year), checks them and computes
        what the panel needs from them out of core, within ``memory_limit``; those two
        tables are then not in ``Study.tables`` (README: scale).
    memory_limit : str, optional
        DuckDB's memory limit, e.g. ``"6GB"`` (default: ``engine.memory_limit`` of
        study.yaml, else the environment variable ``EVALUATION_DUCKDB_MEMORY_LIMIT``,
        else DuckDB's own default).

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
    check_option("engine", engine or config.engine.name, Engine, error=StudyConfigError)
    chosen, reason = choose_engine(config, engine)
    if chosen == "duckdb":
        return _load_out_of_core(config, study_dir, secret,
                                 memory_limit or config.engine.memory_limit, reason=reason)
    _refuse_folders(config)
    root = _cache_root(cache_dir)
    key = None
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
    return _finish(config, tables, inputs, [*notes, f"engine: pandas ({reason})"], source,
                   engine="pandas",
                   cache_at=(root, key) if root is not None and key else None)


def _finish(config: StudyConfig, tables: Mapping[str, pd.DataFrame], inputs: Mapping[str, str],
            notes: list[str], source: str | None, *, engine: Literal["pandas", "duckdb"],
            cache_at: tuple[Path, str] | None = None,
            aggregates: PanelAggregates | None = None) -> Study:
    for name, df in tables.items():
        leaked = [c for c in PERSONAL_COLUMNS if c in df.columns and c != "nip"]
        if leaked:  # pragma: no cover - pseudonymise_raw drops them
            raise AssertionError(f"personal column(s) {leaked} left in {name}")
    if config.synthetic:
        warnings.warn(
            f"study {config.name!r} is synthetic: results are not about the real {config.region}",
            SyntheticDataWarning,
            stacklevel=3,
        )
    frozen = MappingProxyType({k: tables[k] for k in sorted(tables)})
    study_cache = None
    if cache_at is not None:
        study_cache = _StudyCache(root=cache_at[0], key=cache_at[1], config=config,
                                  tables=frozen)
    return Study(
        config=config,
        tables=frozen,
        inputs=MappingProxyType(dict(inputs)),
        data_sha256=_combined_hash(inputs),
        notes=tuple(notes),
        pseudonym_source=source,
        engine=engine,
        cache=study_cache,
        aggregates=aggregates,
    )


# ---- the out-of-core engine ------------------------------------------------------------------

#: Tables the out-of-core engine leaves in their files.
_OUT_OF_CORE = ("training", "skm")


def _is_parquet(path: Path) -> bool:
    return path.is_dir() or path.suffix.lower() == ".parquet"


#: Above this many training and SKM records in Parquet (counted from the files' metadata,
#: no data read), ``engine: auto`` loads with DuckDB. Why one million (bench_load.py, 2
#: cores): the in-memory loader peaks at 0.43 GB on the demo (0.46 M records) and 1.67 GB
#: at ten times the demo (4.0 times the pandas floor), and its time grows faster than the
#: data (17.5-fold from 10x to 100x: 88 s, 13.7 GB), while DuckDB takes 2.1 times the floor
#: and 0.53 GB at 10x and grows 7.8-fold. One million is about where the in-memory loader
#: passes 1 GB (the issue's budget at 10x). Below it the two engines take about the same
#: time (demo: 1.5 s either way), so small studies keep what only the in-memory path has:
#: the records in ``Study.tables`` for notebooks, the full validation report, and the
#: demo's results exactly as every test knows them.
AUTO_DUCKDB_RECORDS = 1_000_000
#: Bytes per record of a CSV export (demo: 141 per training record, 47 per SKM answer), to
#: estimate the records of a text file from its size without reading it.
CSV_BYTES_PER_RECORD = 100


def choose_engine(config: StudyConfig, engine: Engine | None = None
                  ) -> tuple[Literal["pandas", "duckdb"], str]:
    """The engine that loads ``config`` and why: ``(name, reason)``.

    ``engine`` (given to :func:`load_study`) wins, then ``engine.name`` of study.yaml. With
    ``auto`` (the default): ``duckdb`` when a heavy table is a folder of Parquet files
    (only DuckDB reads those) or the heavy tables in Parquet hold more than
    :data:`AUTO_DUCKDB_RECORDS` records, else ``pandas``; heavy tables in CSV or XLSX that
    look that large by their size keep ``pandas`` (DuckDB here reads Parquet only) and the
    reason says to convert them.
    """
    if engine is not None and engine != "auto":
        return engine, "asked for by load_study(engine=...)"
    if engine is None and config.engine.name != "auto":
        return config.engine.name, "set in study.yaml (engine: name)"
    heavy = [n for n in _OUT_OF_CORE if n in config.tables]
    paths = {n: config.table_path(n) for n in heavy}
    folders = [n for n in heavy if paths[n].is_dir()]
    if folders:
        return "duckdb", f"auto: {', '.join(folders)} in a folder of Parquet files"
    records, text_records = 0, 0
    for name in heavy:
        path = paths[name]
        if not path.is_file():
            continue  # the reader says what is missing
        if _is_parquet(path):
            n = _parquet_rows(path)
            if n is None:
                return "pandas", f"auto: {path.name} is not readable as Parquet"
            records += n
        else:
            text_records += path.stat().st_size // CSV_BYTES_PER_RECORD
    limit = f"{AUTO_DUCKDB_RECORDS:,}"
    if records > AUTO_DUCKDB_RECORDS:
        return "duckdb", (f"auto: {records:,} training and SKM records in Parquet, more "
                          f"than {limit}")
    if records + text_records > AUTO_DUCKDB_RECORDS:
        return "pandas", (f"auto: about {records + text_records:,} training and SKM "
                          f"records, more than {limit}, but not all in Parquet: save them "
                          "as Parquet and the out-of-core engine loads them in less time "
                          "and memory (README: scale)")
    about = "about " if text_records else ""
    return "pandas", (f"auto: {about}{records + text_records:,} training and SKM records, "
                      f"at most {limit}")


def _parquet_rows(path: Path) -> int | None:
    try:
        return int(pq.ParquetFile(path).metadata.num_rows)
    except (OSError, ValueError):  # ArrowInvalid is a ValueError
        return None


def _refuse_folders(config: StudyConfig) -> None:
    folders = [n for n in config.tables if config.table_path(n).is_dir()]
    if folders:
        raise StudyConfigError(
            f"{config.root / 'study.yaml'}: table(s) {folders} are folders of Parquet files, "
            "which only the out-of-core engine reads: set engine: {name: auto} (the "
            "default) or {name: duckdb} in study.yaml, or call "
            "load_study(..., engine='duckdb')")


def _load_out_of_core(config: StudyConfig, study_dir: str | os.PathLike, secret: str | None,
                      memory_limit: str | None, *, reason: str) -> Study:
    """:func:`load_study` with the training and SKM records left in their Parquet files."""
    heavy = [n for n in _OUT_OF_CORE if n in config.tables and _is_parquet(config.table_path(n))]
    small = config.model_copy(update={"tables": {k: v for k, v in config.tables.items()
                                                 if k not in heavy}})
    tables, notes, source = _read_validated(small, study_dir, secret)
    units = sorted({str(u) for u in tables["units"]["unit_id"]})
    sources = {n: parquet_table(n, config.table_path(n), label=config.tables[n].file)
               for n in heavy}
    problems: list[Problem] = []
    usable = {}
    with connect(memory_limit) as con:
        for name, t in sources.items():
            found, table_notes, usable[name] = check_table(
                con, t, policy=config.missing.policy, units=units, duplicates=False)
            problems += found
            notes += table_notes
        tallies = None
        if "skm" in sources:  # the repeated-respondent check runs in the tallies' pass
            tallies = skm_tallies_parquet(con, sources["skm"], usable=usable["skm"])
            if tallies[4]:
                problems += duplicate_respondents(con, sources["skm"], usable["skm"])
        if problems:
            raise problems_error(config, problems, study_dir)
        training, access, short = None, None, None
        if "training" in sources:
            key, source = _secret_key(config, secret)
            training = aggregate_training_parquet(con, sources["training"], config=config,
                                                  key=key, usable=usable["training"])
            # what the brief's per-person sections need (the first frees a large table)
            short = entitlement_shortfall_parquet(con, config.jp.entitlement)
            access = access_counts_parquet(con, tables["staff"]) if "staff" in tables else None
            notes.append(f"NIPs grouped by a keyed hash inside the engine ({source}); "
                         "no NIP left it")
        ikm_result = None
        if tallies is not None:
            keys, sums, counts, n_resp, _ = tallies
            with np.errstate(invalid="ignore", divide="ignore"):
                nrr = np.where(counts > 0, sums / np.where(counts > 0, counts, 1), np.nan)
            ikm_result = ikm_from_element_means(
                keys, nrr, n_resp, counts=counts, weighting=config.ikm.weighting,
                population=_population(config, tables["units"]))
    aggregates = PanelAggregates(training=training, ikm=ikm_result, access=access,
                                 entitlement_short=short,
                                 attrs={"engine": "duckdb", "engine_reason": reason,
                                        "out_of_core": heavy})
    inputs = _input_hashes(config)
    return _finish(config, tables, inputs, [*notes, f"engine: duckdb ({reason})"], source,
                   engine="duckdb",
                   aggregates=aggregates)


def _secret_key(config: StudyConfig, secret: str | None) -> tuple[bytes, str]:
    if secret:
        return secret.encode("utf-8"), "secret given to load_study"
    return resolve_secret(config)


def _population(config: StudyConfig, units: pd.DataFrame) -> pd.Series | None:
    col = config.ikm.population_column
    if not col or col not in units.columns:
        return None
    return pd.Series(pd.to_numeric(units[col], errors="coerce").to_numpy(),
                     index=units["unit_id"].astype("str").to_numpy())


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
