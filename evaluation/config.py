"""``study.yaml``: the typed, validated, frozen description of a study folder.

A study is a folder: ``study.yaml`` plus the input tables it names. This module only
reads and checks the YAML; reading the tables is :mod:`evaluation.read`, checking
them :mod:`evaluation.validate`.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ._options import (
    DuplicatePolicy,
    Engine,
    IkmWeighting,
    Language,
    MissingPolicy,
    NumberLocale,
    Role,
    UnitLevel,
)
from .errors import Problem, StudyConfigError

STUDY_FILE = "study.yaml"

#: Input tables a study may declare, and whether a study needs them.
TABLE_NAMES: dict[str, bool] = {
    "units": True,  # unit_id, unit_name, unit_type, sector, population_served, ...
    "staff": False,  # unit_id, year, asn_count
    "training": False,  # one row per training event per ASN
    "skm": False,  # respondent-level SKM answers U1..U9
    "training_summary": False,  # JP, ASN reaching 20 JP and cost per unit-year (no persons)
    "skm_summary": False,  # SKM element means (NRR per unsur) and respondents per unit-year
    "ikm": False,  # already-computed IKM per unit-year (when no respondent data)
    "performance": False,  # unit_id, year, iku_achievement (and complaints)
    "cpi": False,  # year, cpi
    "programme": False,  # unit_id, cohort_year of a staged programme
    "regional": False,  # region-level outcomes (e.g. from BPS exports)
    "ip_asn": False,  # IP ASN dimension scores per unit-year
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TableSpec(_Frozen):
    """Where one input table lives. ``file`` is relative to the study folder."""

    file: str
    sheet: str | int | None = None
    #: Only when true may ``file`` point outside the study folder.
    external: bool = False


class YearRange(_Frozen):
    first: int = Field(ge=1990, le=2100)
    last: int = Field(ge=1990, le=2100)

    @model_validator(mode="after")
    def _ordered(self) -> YearRange:
        if self.last < self.first:
            raise ValueError(f"last ({self.last}) must not be before first ({self.first})")
        return self

    @property
    def span(self) -> range:
        return range(self.first, self.last + 1)


class Measures(_Frozen):
    """Which panel columns play which role in the analysis."""

    investment: tuple[str, ...] = ("jp_per_asn", "share_20jp", "spend_per_asn_real")
    quality: tuple[str, ...] = ("ikm",)
    outcome: tuple[str, ...] = ("iku_achievement",)
    control: tuple[str, ...] = ()

    def role_of(self, measure: str) -> Role | None:
        for role in ("investment", "quality", "outcome", "control"):
            if measure in getattr(self, role):
                return role  # type: ignore[return-value,unused-ignore]
        return None


class Headline(_Frozen):
    """The one association the brief leads with."""

    exposure: str = "jp_per_asn"
    outcome: str = "ikm"
    lag: int = Field(default=1, ge=0, le=5)


class IkmSettings(_Frozen):
    weighting: IkmWeighting = "exact"
    #: Column of the units table with the population a unit serves (Krejcie–Morgan).
    population_column: str | None = "population_served"
    bootstrap_reps: int = Field(default=999, ge=0, le=100_000)


class JpSettings(_Frozen):
    entitlement: float = Field(default=20.0, gt=0, le=1000)
    minutes_per_jp: float = Field(default=45.0, gt=0)
    #: JP credited per recorded JP for each nonklasikal activity; agencies set their own.
    nonklasikal_credit: dict[str, float] = Field(default_factory=dict)
    nonklasikal_credit_by_unit: dict[str, dict[str, float]] = Field(default_factory=dict)


#: Topic group names become panel columns (``jp_per_asn_topic_<name>``).
TopicName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
TopicKeyword = Annotated[str, Field(min_length=1, max_length=200)]


class ProgrammeSettings(_Frozen):
    name: str = "Program pengembangan manajerial"
    name_en: str | None = None


class EngineSettings(_Frozen):
    """Where the heavy group-bys of loading run (README: scale)."""

    #: ``pandas``: every table in memory; ``duckdb``: training and SKM records stay in
    #: their Parquet files (one file or a folder of files) and are streamed; ``auto``
    #: (default): ``duckdb`` when those records are many (see ``evaluation.study``), else
    #: ``pandas``.
    name: Engine = "auto"
    #: DuckDB's memory limit, e.g. ``"6GB"`` (beyond it, it spills to a temporary folder).
    memory_limit: Annotated[str, Field(pattern=r"^\d+(\.\d+)?\s*[KMGT]i?B$")] | None = None


class MissingSettings(_Frozen):
    policy: MissingPolicy = "drop"


class PrivacySettings(_Frozen):
    #: A fixed pseudonym key: allowed only in a study marked ``synthetic: true``.
    pseudonym_key: str | None = None
    secret_env: str = "EVALUATION_SECRET"
    secret_file: str | None = None


class StudyConfig(_Frozen):
    """The validated contents of ``study.yaml`` plus the folder it came from."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$")]
    title: str
    title_en: str | None = None
    region: str = "Kota Semarang"
    #: The office that issues the brief, printed on its first page (e.g. "BKPP Kota Semarang").
    issuer: str | None = None
    synthetic: bool = False
    unit_level: UnitLevel = "opd"
    years: YearRange
    language: Language = "id"
    number_locale: NumberLocale = "id"
    min_cell_size: int = Field(default=5, ge=1, le=1000)
    price_base_year: int | None = None
    tables: dict[str, TableSpec]
    measures: Measures = Measures()
    headline: Headline = Headline()
    lags: tuple[int, ...] = (0, 1, 2)
    leads: tuple[int, ...] = (1,)
    fixed_effects: tuple[str, ...] = ("unit", "year")
    cluster: str = "unit"
    ikm: IkmSettings = IkmSettings()
    jp: JpSettings = JpSettings()
    programme: ProgrammeSettings = ProgrammeSettings()
    #: Topic groups: name -> programme-title keywords (a training record belongs to a
    #: topic when its title contains one of them at the start of a word, case ignored).
    topics: dict[TopicName, tuple[TopicKeyword, ...]] = Field(default_factory=dict)
    missing: MissingSettings = MissingSettings()
    #: Rows identical in every column (a table exported twice): ``error`` (default) lists
    #: them as problems, ``drop`` keeps one of each with a note, ``keep`` keeps them all
    #: with a note (tables without a key only: a repeated key is always a problem).
    duplicates: DuplicatePolicy = "error"
    engine: EngineSettings = EngineSettings()
    privacy: PrivacySettings = PrivacySettings()
    seed: int = Field(default=2026, ge=0)
    root: Path = Field(default=Path("."), exclude=True)
    #: SHA-256 of the study.yaml bytes this was read from (which study an output belongs to)
    file_sha256: str = Field(default="", exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _empty_sections_mean_defaults(cls, data: Any) -> Any:
        # `privacy:` with only comments under it reads as null: take the defaults
        if isinstance(data, dict):
            sections = ("measures", "headline", "ikm", "jp", "programme", "topics", "missing",
                        "engine", "privacy")
            data = {k: ({} if k in sections and v is None else v) for k, v in data.items()}
        return data

    @field_validator("tables", mode="before")
    @classmethod
    def _tables(cls, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise ValueError("must be a mapping of table name to file")
        out = {}
        for key, spec in value.items():
            if key not in TABLE_NAMES:
                raise ValueError(
                    f"unknown table {key!r}; expecting one of {sorted(TABLE_NAMES)}"
                )
            out[key] = {"file": spec} if isinstance(spec, str) else spec
        missing = [k for k, needed in TABLE_NAMES.items() if needed and k not in out]
        if missing:
            raise ValueError(f"missing required table(s) {missing}")
        return out

    @field_validator("topics")
    @classmethod
    def _topics(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        empty = [name for name, words in value.items() if not any(w.strip() for w in words)]
        if empty:
            raise ValueError(f"topic(s) {empty} list no keyword; give at least one "
                             "programme-title keyword per topic")
        return value

    @field_validator("lags", "leads")
    @classmethod
    def _small_non_negative(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        bad = [v for v in value if v < 0 or v > 5]
        if bad:
            raise ValueError(f"values must be between 0 and 5; got {bad}")
        return tuple(sorted(set(value)))

    @field_validator("fixed_effects")
    @classmethod
    def _fe(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        allowed = ("unit", "year")
        bad = [v for v in value if v not in allowed]
        if bad:
            raise ValueError(f"expecting any of {list(allowed)}; got {bad}")
        return value

    @field_validator("cluster")
    @classmethod
    def _cluster(cls, value: str) -> str:
        allowed = ("unit", "sector")
        if value not in allowed:
            raise ValueError(f"expecting one of {list(allowed)}; got {value!r}")
        return value

    @model_validator(mode="after")
    def _cross_checks(self) -> StudyConfig:
        if self.privacy.pseudonym_key is not None and not self.synthetic:
            raise ValueError(
                "privacy.pseudonym_key may only be set in a study marked 'synthetic: true'; "
                f"for real data put the secret in the environment variable "
                f"{self.privacy.secret_env} or in privacy.secret_file outside the repository"
            )
        base = self.price_base_year
        if base is not None and base not in self.years.span:
            raise ValueError(
                f"price_base_year {base} lies outside the study years "
                f"{self.years.first}-{self.years.last}"
            )
        return self

    # ---- derived ---------------------------------------------------------------------------

    @property
    def base_year(self) -> int:
        """Price base year for constant-price spending (default: the last study year)."""
        return self.price_base_year if self.price_base_year is not None else self.years.last

    def table_path(self, name: str) -> Path:
        """Absolute path of an input table, confined to the study folder.

        Raises :class:`StudyConfigError` when the table is not declared, or when its
        path leaves the study folder without ``external: true``.
        """
        if name not in self.tables:
            raise StudyConfigError(
                f"{self.root / STUDY_FILE}: table {name!r} is not declared under 'tables'; "
                f"declared: {sorted(self.tables)}"
            )
        spec = self.tables[name]
        path = Path(os.path.expanduser(spec.file))
        if not path.is_absolute():
            path = self.root / path
        resolved = path.resolve()
        root = self.root.resolve()
        if not spec.external and not resolved.is_relative_to(root):
            raise StudyConfigError(
                f"{self.root / STUDY_FILE}: tables.{name}.file = {spec.file!r} points outside "
                f"the study folder {root}. Move the file into the folder, or set "
                f"'external: true' for this table if reading it from there is intended."
            )
        return resolved


def _problem_from_pydantic(file: str, err: dict[str, Any]) -> Problem:
    loc = ".".join(str(p) for p in err.get("loc", ()) if p != "__root__") or None
    msg = err.get("msg", "invalid value")
    msg = msg.removeprefix("Value error, ")
    value = err.get("input")
    if isinstance(value, (dict, list)):
        value = None
    hint = None
    ctx = err.get("ctx") or {}
    if "expected" in ctx:
        hint = f"use one of {ctx['expected']}"
    elif err.get("type") == "extra_forbidden":
        msg = "unknown key"
        hint = "remove it or check its spelling against the README's study.yaml reference"
    elif err.get("type") == "missing":
        msg = "required key is missing"
        hint = "add it (see the README's study.yaml reference)"
    return Problem(file=file, column=loc, message=msg, value=value, rule=err.get("type"), hint=hint)


#: Parsed study files of this process, by resolved path and SHA-256 of the bytes: a run asks
#: for its study's configuration from many places, and the file is parsed and validated
#: once (a changed file has another hash and is parsed again).
_PARSED: dict[tuple[str, str], StudyConfig] = {}
_PARSED_MAX = 64


def study_file(study_dir: str | os.PathLike[str]) -> Path:
    """The ``study.yaml`` of a study folder (or the file itself when given one)."""
    root = Path(study_dir)
    if root.is_file() and root.name.endswith((".yaml", ".yml")):
        return root
    return root / STUDY_FILE


def read_study_config(study_dir: str | os.PathLike[str]) -> StudyConfig:
    """Read and validate ``<study_dir>/study.yaml`` (parsed once per process and content).

    Raises
    ------
    StudyConfigError
        With every problem in the file, each naming the key and the allowed values.

    Examples
    --------
    >>> cfg = read_study_config("data/demo")  # doctest: +SKIP
    >>> cfg.years.first, cfg.language  # doctest: +SKIP
    (2015, 'id')
    """
    path = study_file(study_dir)
    if not path.is_file():
        raise StudyConfigError(
            f"{path}: study file not found. A study is a folder with a {STUDY_FILE} "
            f"(see data/demo/{STUDY_FILE} for an example)."
        )
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    key = (str(path.resolve()), digest)
    hit = _PARSED.get(key)
    if hit is not None:
        return hit
    config = _parse(path, data, digest)
    if len(_PARSED) >= _PARSED_MAX:
        _PARSED.clear()
    _PARSED[key] = config
    return config


def _parse(path: Path, data: bytes, digest: str) -> StudyConfig:
    try:
        raw = yaml.safe_load(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise StudyConfigError(f"{path}: not UTF-8 text ({exc.reason}); save it as UTF-8.") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", baris {mark.line + 1}, kolom {mark.column + 1}" if mark else ""
        raise StudyConfigError(
            f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)}). "
            "Check indentation and quoting."
        ) from None
    if not isinstance(raw, dict):
        raise StudyConfigError(f"{path}: expecting a mapping of keys to values at the top level.")
    try:
        return StudyConfig.model_validate(
            {**raw, "root": path.parent.resolve(), "file_sha256": digest})
    except ValidationError as exc:
        problems = [_problem_from_pydantic(str(path), dict(e)) for e in exc.errors()]
        raise StudyConfigError(f"{path}: {len(problems)} masalah di berkas studi", problems) from None
