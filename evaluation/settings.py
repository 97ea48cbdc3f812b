"""One resolved run: what a run needs, checked once at the edge and then passed inward.

The command line (``evaluation brief``, ``batch``, ``check-reproducible``) and a notebook's
parameters cell (through :func:`evaluation.params.setup_notebook`) build a
:class:`RunSettings` with :func:`resolve_run`; the code after them takes its values as
given and checks none of them again. Each mistake has one exception type
(:class:`~evaluation.errors.ParameterError`) and one wording, from the message catalogue
(``cli.settings``), naming the value the way the user gave it: ``--year 2030`` on the
command line, ``year=2030`` in a notebook. Every problem found is reported at once.

>>> s = resolve_run("data/demo", years="2023-2024", langs=["id", "en"])  # doctest: +SKIP
>>> s.years, s.langs, s.first_year  # doctest: +SKIP
((2023, 2024), ('id', 'en'), 2015)
"""

from __future__ import annotations

import json
import math
import numbers
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, TypeVar

from ._io import write_json
from ._options import Language, allowed
from .config import StudyConfig, read_study_config, study_file
from .errors import ParameterError
from .i18n import Formatter

T = TypeVar("T")

#: How a value was given, so a message names it the way the user wrote it.
Spelling = Literal["cli", "notebook"]
Mode = Literal["incremental", "resume", "force"]

#: The environment variable that sets the output folder (the default of ``--out``, and the
#: folder a notebook's ``out`` must stay inside).
OUTPUT_ROOT_ENV = "EVALUATION_OUTPUT_ROOT"
DEFAULT_OUTPUT_ROOT = "reports"
#: The file in ``<out>/<study name>/`` that records which study folder the outputs belong to.
SOURCE_NAME = "study-source.json"
#: Set by the batch for its runs: they write into a staging folder the batch promotes, and
#: the batch, not the notebook, records which study the output folder belongs to.
STAGED_ENV = "EVALUATION_STAGED_RUN"
SEED_MAX = 2**32 - 1


@dataclass(frozen=True)
class RunOptions:
    """How the runs are carried out (not what they compute)."""

    jobs: int = 1
    retries: int = 0
    timeout: float | None = None
    mode: Mode = "incremental"
    scheduler: str | None = None
    progress: bool = False
    #: Folder with 02_estimate.ipynb and 03_brief.ipynb (``None``: the project's notebooks/).
    notebooks: Path | None = None
    #: Fork runs from a warm process (see evaluation.batch.warm) rather than start each cold.
    warm_start: bool = True


@dataclass(frozen=True)
class RunSettings:
    """A run's settings, resolved and checked: build it with :func:`resolve_run`.

    Attributes
    ----------
    config
        The study's validated ``study.yaml``.
    study
        The study folder as the user gave it (recorded in the run's parameters).
    years
        The brief years, ascending.
    langs
        The brief languages, in the order given.
    seed
        Seed of every random step.
    out_root
        The output folder (absolute); outputs go to ``<out_root>/<study name>/<year>/``.
    first_year
        First year of the estimation window (which ends at the brief's year).
    options
        How the runs are carried out (jobs, retries, timeout, ...).
    parameters
        A notebook's parameters as checked (with defaults filled in), when built by
        :func:`~evaluation.params.setup_notebook`.
    """

    config: StudyConfig
    study: str
    years: tuple[int, ...]
    langs: tuple[Language, ...]
    seed: int
    out_root: Path
    first_year: int
    options: RunOptions = RunOptions()
    parameters: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def study_dir(self) -> Path:
        return self.config.root

    @property
    def study_name(self) -> str:
        return self.config.name

    @property
    def year(self) -> int:
        """The brief year of a one-year run."""
        if len(self.years) != 1:
            raise ValueError(f"a run of several years {list(self.years)} has no single year; "
                             "use for_year(year)")
        return self.years[0]

    @property
    def lang(self) -> Language:
        """The first (or only) brief language; also the language the console speaks."""
        return self.langs[0]

    @property
    def study_out(self) -> Path:
        """``<out_root>/<study name>``: the study's output folder."""
        return self.out_root / self.config.name

    @property
    def year_dir(self) -> Path:
        """``<out_root>/<study name>/<year>`` of a one-year run."""
        return self.study_out / str(self.year)

    # the names a notebook used before RunSettings (``setup.values``, ``setup.out_dir``)
    @property
    def values(self) -> Mapping[str, Any]:
        return self.parameters

    @property
    def out_dir(self) -> Path:
        return self.out_root

    def for_year(self, year: int) -> RunSettings:
        """The same settings for one of its years."""
        if year not in self.years:
            raise ValueError(f"{year} is not one of this run's years {list(self.years)}")
        return replace(self, years=(year,))


# ---- one check per mistake, one wording each ------------------------------------------------


def say(lang: Language | None, key: str, **values: Any) -> str:
    """The ``cli.<key>`` message of the catalogue in ``lang`` (default Indonesian)."""
    return Formatter(lang or "id").msg(f"cli.{key}", **values)


def spelled(name: str, value: Any, spelling: Spelling) -> str:
    """A value named the way the user gave it: ``--year 2030`` or ``year=2030``."""
    if spelling == "cli":
        return f"--{name.replace('_', '-')} {value if value != '' else repr(value)}"
    return f"{name}={value!r}"


def study_config(study: str | os.PathLike[str], *, spelling: Spelling = "notebook",
                 lang: Language | None = None, base: str | os.PathLike[str] | None = None,
                 name: str = "study") -> StudyConfig:
    """The study's configuration; a folder without ``study.yaml`` is a usage mistake.

    An invalid ``study.yaml`` raises :class:`~evaluation.errors.StudyConfigError` (a data
    problem: the file says what is wrong where).
    """
    folder = _resolve(study, base)
    if not study_file(folder).is_file():
        raise ParameterError(say(lang, "settings.study_missing",
                                 what=spelled(name, os.fspath(study), spelling), folder=folder))
    return read_study_config(folder)


def check_year(config: StudyConfig, year: Any, *, spelling: Spelling = "notebook",
               lang: Language | None = None, name: str = "year",
               shown: Any = None) -> int:
    """``year`` if it is one of the study's years, else :class:`ParameterError`."""
    if isinstance(year, bool) or not isinstance(year, int) or year not in config.years.span:
        raise ParameterError(say(
            lang, "settings.year_outside",
            what=spelled(name, year if shown is None else shown, spelling),
            first=config.years.first, last=config.years.last,
            file=config.root / "study.yaml"))
    return year


def parse_years(value: str | int | Sequence[int] | None, config: StudyConfig, *,
                spelling: Spelling = "notebook", lang: Language | None = None,
                name: str = "years") -> tuple[int, ...]:
    """Years from ``"2016-2024"``, ``"2020,2022"``, ``"2024"``, an int or a list of ints.

    ``None`` means every study year. Each year must lie inside the study's years; a range
    written backwards (``2024-2016``) is refused with the fix rather than read as empty.
    """
    if value is None:
        return tuple(config.years.span)
    lang = lang or config.language
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = int(value)
    shown: Any = value if isinstance(value, (str, int)) else ",".join(str(v) for v in value)
    what = spelled(name, shown, spelling)
    hint = {"first": config.years.first, "last": config.years.last}
    years: list[int] = []
    if isinstance(value, str):
        for part in (p.strip() for p in value.split(",")):
            if not part:
                continue
            bounds = part.split("-", 1)
            if not all(b.strip().isdigit() for b in bounds):
                raise ParameterError(say(lang, "settings.years_syntax", what=what, **hint))
            a, b = (int(x) for x in bounds) if len(bounds) == 2 else (int(part), int(part))
            if b < a:
                raise ParameterError(say(lang, "settings.years_reversed", what=what,
                                         fixed=value.replace(part, f"{b}-{a}")))
            years.extend(range(a, b + 1))
    else:
        for v in [value] if isinstance(value, int) else list(value):
            if isinstance(v, bool) or not isinstance(v, numbers.Integral):
                raise ParameterError(say(lang, "settings.years_syntax", what=what, **hint))
            years.append(int(v))
    if not years:
        raise ParameterError(say(lang, "settings.years_empty", what=what, **hint))
    outside = sorted(y for y in set(years) if y not in config.years.span)
    if outside:
        check_year(config, outside[0], spelling=spelling, lang=lang, name=name, shown=shown)
    return tuple(sorted(set(years)))


def check_langs(langs: str | Sequence[str] | None, config: StudyConfig, *,
                spelling: Spelling = "notebook", name: str = "lang",
                lang: Language | None = None) -> tuple[Language, ...]:
    """Brief languages (``"id,en"``, a list, or ``None`` for the study's language)."""
    if langs is None or langs == "" or langs == []:
        return (config.language,)
    items = [x.strip() for x in langs.split(",")] if isinstance(langs, str) else list(langs)
    out: list[Language] = []
    for item in items:
        if item not in allowed(Language):
            raise ParameterError(say(lang or config.language, "settings.lang_unknown",
                                     what=spelled(name, item, spelling),
                                     allowed=list(allowed(Language))))
        out.append(item)  # type: ignore[arg-type]
    return tuple(dict.fromkeys(out))


def check_seed(seed: Any, *, spelling: Spelling = "notebook", lang: Language | None = None,
               name: str = "seed") -> int:
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= SEED_MAX:
        raise ParameterError(say(lang, "settings.seed", what=spelled(name, seed, spelling),
                                 max=SEED_MAX))
    return seed


def check_options(*, jobs: Any = None, retries: Any = 0, timeout: Any = None,
                  force: bool = False, resume: bool = False, scheduler: str | None = None,
                  progress: bool = False, notebooks: str | os.PathLike[str] | None = None,
                  warm_start: bool = True, lang: Language | None = None,
                  spelling: Spelling = "cli") -> RunOptions:
    """How runs are carried out; ``jobs=None`` means one per core.

    ``--jobs 0``, a negative ``--retries`` and a ``--timeout`` that is not a finite number
    of seconds above 0 (``nan``, ``inf``, ``0``) are refused.
    """
    problems = []
    if jobs is None:
        jobs = os.cpu_count() or 1
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        problems.append(say(lang, "settings.jobs", what=spelled("jobs", jobs, spelling)))
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        problems.append(say(lang, "settings.retries", what=spelled("retries", retries, spelling)))
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float))
                                or not math.isfinite(timeout) or timeout <= 0):
        problems.append(say(lang, "settings.timeout", what=spelled("timeout", timeout, spelling)))
    if force and resume:
        problems.append(say(lang, "settings.force_resume"))
    _raise_all(problems, lang)
    mode: Mode = "force" if force else "resume" if resume else "incremental"
    return RunOptions(jobs=jobs, retries=retries,
                      timeout=float(timeout) if timeout is not None else None, mode=mode,
                      scheduler=scheduler or None, progress=progress,
                      notebooks=Path(notebooks) if notebooks else None, warm_start=warm_start)


def output_root(out: str | os.PathLike[str] | None = None) -> Path:
    """The output folder: ``out`` if given, else ``EVALUATION_OUTPUT_ROOT``, else ``reports``."""
    return Path(out if out else os.environ.get(OUTPUT_ROOT_ENV) or DEFAULT_OUTPUT_ROOT)


def resolve_run(
    study: str | os.PathLike[str],
    *,
    years: str | int | Sequence[int] | None = None,
    langs: str | Sequence[str] | None = None,
    seed: int | None = None,
    out: str | os.PathLike[str] | None = None,
    first_year: int | None = None,
    options: RunOptions | None = None,
    parameters: Mapping[str, Any] | None = None,
    spelling: Spelling = "notebook",
    base: str | os.PathLike[str] | None = None,
    year_name: str = "years",
    default_years: Literal["every", "last"] = "every",
    message_lang: Language | None = None,
) -> RunSettings:
    """Check a run's values once and resolve them into :class:`RunSettings`.

    Parameters
    ----------
    study
        Study folder (relative paths are taken from ``base``, default the working folder).
    years
        Brief year(s): ``"2016-2024"``, ``"2020,2022"``, one int, a list, or ``None`` for
        every study year.
    langs
        Brief language(s), ``"id,en"`` or a list (default: the study's language).
    seed
        Seed of every random step (default: the study's ``seed``).
    out
        Output folder (default: ``EVALUATION_OUTPUT_ROOT``, else ``reports``).
    first_year
        First year of the estimation window (default: the study's first year).
    spelling
        ``"cli"`` names values as options (``--year 2030``), ``"notebook"`` as parameters.
    year_name
        The name the years were given under (``year`` for ``evaluation brief``).
    default_years
        Without ``years``: every study year (a batch) or only the last (one brief).
    message_lang
        The language problems are told in (default: the first of ``langs``, else the
        study's).

    Raises
    ------
    ParameterError
        Every problem found, each with what is allowed.
    StudyConfigError
        ``study.yaml`` itself is invalid.
    """
    explicit = [x.strip() for x in langs.split(",")] if isinstance(langs, str) else list(langs or [])
    said: Language | None = explicit[0] if explicit and explicit[0] in allowed(Language) else None  # type: ignore[assignment]
    said = message_lang or said
    config = study_config(study, spelling=spelling, lang=said, base=base)
    lang = said or config.language
    problems: list[str] = []

    def attempt(check: Callable[[], T], default: T) -> T:
        try:
            return check()
        except ParameterError as exc:
            problems.append(str(exc))
            return default

    no_years: tuple[int, ...] = ()
    if years is None and default_years == "last":
        years = config.years.last
    chosen = attempt(lambda: parse_years(years, config, spelling=spelling, lang=lang,
                                         name=year_name), no_years)
    study_lang: tuple[Language, ...] = (config.language,)
    languages = attempt(lambda: check_langs(langs, config, spelling=spelling, lang=lang),
                        study_lang)
    seed_value = config.seed if seed is None else attempt(
        lambda: check_seed(seed, spelling=spelling, lang=lang), 0)
    first = config.years.first if first_year is None else first_year
    last = min(chosen) if chosen else config.years.last
    if isinstance(first, bool) or not isinstance(first, int) or not (
            config.years.first <= first <= last):
        problems.append(say(lang, "settings.window",
                            what=spelled("first_year", first_year, spelling),
                            first=config.years.first, year=last))
    _raise_all(problems, lang)
    root = _resolve(output_root(out), base).resolve()
    return RunSettings(config=config, study=os.fspath(study), years=chosen, langs=languages,
                       seed=seed_value, out_root=root, first_year=first,
                       options=options or RunOptions(),
                       parameters=MappingProxyType(dict(parameters or {})))


def _raise_all(problems: list[str], lang: Language | None) -> None:
    if len(problems) == 1:
        raise ParameterError(problems[0])
    if problems:
        raise ParameterError(say(lang, "several", n=len(problems)) + ":\n  - "
                             + "\n  - ".join(problems))


def _resolve(value: str | os.PathLike[str], base: str | os.PathLike[str] | None) -> Path:
    path = Path(value).expanduser()
    if path.is_absolute() or base is None:
        return path
    return Path(base) / path


# ---- one output folder, one study ------------------------------------------------------------


def claim_output_folder(folder: str | os.PathLike[str], config: StudyConfig, *,
                        lang: Language | None = None) -> Path:
    """Record in ``folder`` which study folder its outputs belong to; refuse another's.

    ``<out>/<study name>/`` of one study must not receive the outputs of another study
    that kept the same ``name``: the first run records the study folder (resolved) and a
    fingerprint of its ``study.yaml`` in ``study-source.json``; a run from another folder
    is refused with the fix. A changed ``study.yaml`` in the same folder is the same study
    (its new fingerprint is recorded).
    """
    folder = Path(folder)
    marker = folder / SOURCE_NAME
    record = {"name": config.name, "study_dir": str(config.root),
              "study_yaml_sha256": config.file_sha256}
    lang = lang or config.language
    if marker.is_file():
        try:
            old = json.loads(marker.read_text(encoding="utf-8"))
            other = old["study_dir"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ParameterError(say(lang, "settings.marker_unreadable", marker=marker,
                                     folder=folder, reason=type(exc).__name__)) from None
        if other != record["study_dir"]:
            raise ParameterError(say(lang, "settings.other_study", folder=folder,
                                     name=config.name, other=other, marker=marker,
                                     file=config.root / "study.yaml"))
        if old == record:
            return marker
    write_json(marker, record)
    return marker


__all__ = [
    "DEFAULT_OUTPUT_ROOT",
    "OUTPUT_ROOT_ENV",
    "SOURCE_NAME",
    "STAGED_ENV",
    "RunOptions",
    "RunSettings",
    "check_langs",
    "check_options",
    "check_seed",
    "check_year",
    "claim_output_folder",
    "output_root",
    "parse_years",
    "resolve_run",
    "say",
    "spelled",
    "study_config",
]
