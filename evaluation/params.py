"""Notebook parameters: a declared schema per notebook, checked before any kernel starts.

Each notebook in ``notebooks/`` takes primitive parameters in a cell tagged
``parameters``. This module declares, per notebook, the name, type, default, allowed
values or range and a description of each parameter, and checks a set of values
against it: unknown names, wrong types, a year outside the study's data, an unknown
language and an output path outside the output folder are refused with a
:class:`~evaluation.errors.ParameterError` that lists what is allowed.

Inside the notebook, :func:`setup_notebook` checks the values and returns the run's
:class:`~evaluation.settings.RunSettings`, so running a notebook by hand with
``papermill notebooks/03_brief.ipynb out.ipynb -p year 2023`` is held to the same rules,
with the same wording (from the message catalogue), and resolves the same paths as the
command line, which checks its values once before any kernel starts.

Why values are inert: papermill writes each value into the notebook as a literal
(strings through ``unicode_escape`` with quotes escaped), and names are limited to
the declared identifiers, so a value such as ``"__import__('os')"`` arrives as that
string, never as code. Path-like values are refused outright when they hold control
characters, so no value can start a new line in the injected cell.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from ._options import Language, allowed
from .config import read_study_config
from .errors import EvaluationError, ParameterError
from .i18n import Formatter
from .settings import (
    DEFAULT_OUTPUT_ROOT,
    OUTPUT_ROOT_ENV,
    STAGED_ENV,
    RunSettings,
    claim_output_folder,
    resolve_run,
    spelled,
)

Kind = Literal["plain", "study", "year", "language", "output", "choice", "seed"]
ParamType = type[str] | type[int] | type[float] | type[bool]

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Param:
    """One declared notebook parameter.

    ``kind`` says which extra check applies: ``study`` (a folder with ``study.yaml``),
    ``year`` (inside the study's years), ``language`` (``id``/``en``), ``output`` (a
    path confined to the output folder), ``seed``, ``choice`` (one of ``choices``) or
    ``plain`` (type and ``range`` only). Its description is in the message catalogue
    (``cli.params.describe.<name>``).
    """

    name: str
    type: ParamType
    default: Any
    kind: Kind = "plain"
    choices: tuple[Any, ...] | None = None
    range: tuple[float, float] | None = None

    def allowed_text(self, lang: Language = "id") -> str:
        f = Formatter(lang)
        if self.kind in ("year", "output", "study"):
            return f.msg(f"cli.params.allowed.{self.kind}")
        if self.kind == "language":
            return f.msg("cli.params.allowed.language", choices=list(allowed(Language)))
        if self.choices is not None:
            return f.msg("cli.params.allowed.choice", choices=list(self.choices))
        if self.range is not None:
            return f.msg("cli.params.allowed.range", low=_number(self.range[0]),
                         high=_number(self.range[1]))
        return f.msg("cli.params.allowed.plain", type=self.type.__name__)

    def description(self, lang: Language = "id") -> str:
        return Formatter(lang).msg(f"cli.params.describe.{self.name}")


_STUDY = Param("study", str, "data/demo", "study")
_YEAR = Param("year", int, 2024, "year")
_OUT = Param("out", str, DEFAULT_OUTPUT_ROOT, "output")
_SEED = Param("seed", int, 2026, "seed", range=(0, 2**32 - 1))
_LANG = Param("lang", str, "id", "language")

#: Declared parameters per notebook role; the notebooks' ``parameters`` cells match these
#: (a test checks it).
SCHEMAS: dict[str, tuple[Param, ...]] = {
    "01_explore": (
        _STUDY,
        _YEAR,
        Param("sector", str, ""),
        Param("units", str, ""),
        Param("first_year", int, 0, range=(0, 2100)),
        Param("measure", str, "ikm"),
        Param("exposure", str, "jp_per_asn"),
        Param("lag", int, 1, range=(0, 5)),
        _LANG,
    ),
    "02_estimate": (_STUDY, _YEAR, _OUT, _SEED),
    "03_brief": (_STUDY, _YEAR, _LANG, _OUT),
}


def schema_for(notebook: str | os.PathLike[str], *, lang: Language = "id") -> tuple[Param, ...]:
    """The declared parameters of a notebook, by name (``03_brief``) or path.

    Raises :class:`ParameterError` listing the known notebooks when there is none.
    """
    stem = Path(notebook).name.removesuffix(".ipynb")
    if stem in SCHEMAS:
        return SCHEMAS[stem]
    raise ParameterError(Formatter(lang).msg("cli.params.no_schema", notebook=repr(str(notebook)),
                                             known=sorted(SCHEMAS)))


def describe(notebook: str | os.PathLike[str], *, lang: Language = "id") -> str:
    """The schema as a text table, for ``evaluation params NOTEBOOK``."""
    rows = [tuple(Formatter(lang).cat["cli"]["params"]["columns"])]
    for p in schema_for(notebook, lang=lang):
        rows.append((p.name, p.type.__name__, repr(p.default), p.allowed_text(lang),
                     p.description(lang)))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = []
    for r in rows:
        lines.append("  ".join(r[i].ljust(widths[i]) for i in range(4)) + "  " + r[4])
    lines.insert(1, "  ".join("-" * w for w in widths) + "  " + "-" * 11)
    return "\n".join(lines)


def output_root(default: str | os.PathLike[str] = DEFAULT_OUTPUT_ROOT) -> Path:
    """The output folder ``out`` must stay inside: ``EVALUATION_OUTPUT_ROOT``, or ``reports``."""
    return Path(os.environ.get(OUTPUT_ROOT_ENV) or default)


def check_parameters(
    notebook: str | os.PathLike[str],
    values: Mapping[str, Any],
    *,
    out_root: str | os.PathLike[str] | None = None,
    base: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Check ``values`` against the notebook's schema; return them with defaults filled in.

    Parameters
    ----------
    notebook
        Notebook name (``"03_brief"``) or path.
    values
        Parameter values as papermill would receive them.
    out_root
        The output folder an ``output`` parameter must stay inside (default: the
        ``EVALUATION_OUTPUT_ROOT`` environment variable, else ``reports``).
    base
        Folder relative paths are resolved against (default: the working directory).

    Raises
    ------
    ParameterError
        Listing every problem and, for each, what is allowed.

    Examples
    --------
    >>> check_parameters("03_brief", {"year": 2020, "lang": "en"})["lang"]  # doctest: +SKIP
    'en'
    """
    return _checked(notebook, values, out_root=out_root, base=base)[0]


def _checked(
    notebook: str | os.PathLike[str],
    values: Mapping[str, Any],
    *,
    out_root: str | os.PathLike[str] | None,
    base: str | os.PathLike[str] | None,
) -> tuple[dict[str, Any], RunSettings | None]:
    base_path = Path(base) if base is not None else Path.cwd()
    lang = _message_lang(values, base_path)
    f = Formatter(lang)
    schema = {p.name: p for p in schema_for(notebook, lang=lang)}
    root = Path(out_root) if out_root is not None else output_root()
    problems: list[str] = []
    unknown = sorted(set(values) - set(schema))
    if unknown:
        problems.append(f.msg("cli.params.unknown", names=unknown, allowed=sorted(schema)))
    out = {p.name: p.default for p in schema.values()}
    failed: set[str] = set()
    for name, value in values.items():
        if name not in schema:
            continue
        p = schema[name]
        problem = _check_type(p, value, f) or _check_value(p, value, f, root=root, base=base_path)
        if problem:
            problems.append(problem)
            failed.add(name)
        else:
            out[name] = float(value) if p.type is float else value
    settings = None
    if "study" in schema and "study" not in failed:
        try:
            settings = resolve_run(
                out["study"], years=None if "year" in failed else out.get("year"),
                langs=[out["lang"]] if "lang" in values and "lang" not in failed else None,
                seed=None if "seed" in failed else out.get("seed"),
                out=root if "out" in failed else out.get("out", root), spelling="notebook",
                base=base_path, year_name="year", default_years="last", parameters=out)
        except ParameterError as exc:
            problems.extend(_problem_lines(str(exc)))
    if problems:
        label = Path(notebook).name.removesuffix(".ipynb")
        raise ParameterError(
            f.msg("cli.params.header", notebook=label, n=len(problems)) + ":\n  - "
            + "\n  - ".join(problems) + "\n  " + f.msg("cli.params.see", notebook=label))
    return out, settings


def _problem_lines(text: str) -> list[str]:
    """The problems of a ParameterError that lists several, one per item."""
    lines = text.split("\n  - ")
    return lines[1:] if len(lines) > 1 else lines


def _message_lang(values: Mapping[str, Any], base: Path) -> Language:
    """The language a notebook's parameter problems are told in: its ``lang``, else the
    study's language, else Indonesian."""
    lang = values.get("lang")
    if lang in allowed(Language):
        return cast(Language, lang)
    study = values.get("study", _STUDY.default)
    try:
        return read_study_config(_resolve(study, base)).language
    except (EvaluationError, OSError, TypeError, ValueError):
        return "id"


def _check_type(p: Param, value: Any, f: Formatter) -> str | None:
    if p.type is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif p.type is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    else:
        ok = isinstance(value, p.type)
    if not ok:
        return f.msg("cli.params.type", what=spelled(p.name, value, "notebook"),
                     expected=p.type.__name__, got=type(value).__name__)
    return None


def _check_value(p: Param, value: Any, f: Formatter, *, root: Path, base: Path) -> str | None:
    what = spelled(p.name, value, "notebook")
    if isinstance(value, str) and _CONTROL.search(value):
        return f.msg("cli.params.control", what=_short(what))
    if p.kind in ("study", "year", "language", "seed"):
        return None  # checked with the run's settings (one wording per mistake)
    if p.range is not None and not (p.range[0] <= value <= p.range[1]):
        return f.msg("cli.params.range", what=what, low=_number(p.range[0]),
                     high=_number(p.range[1]))
    if p.choices is not None and value not in p.choices:
        return f.msg("cli.params.choice", what=what, choices=list(p.choices))
    if p.kind == "output":
        return confine_output(value, root=root, base=base, raise_error=False, lang=f.lang)
    return None


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def _resolve(value: str, base: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


def confine_output(
    value: str | os.PathLike[str],
    *,
    root: str | os.PathLike[str],
    base: str | os.PathLike[str] | None = None,
    raise_error: bool = True,
    lang: Language = "id",
) -> str | None:
    """Check that an output path stays inside ``root`` (no ``..``, no symlink escape).

    Returns ``None`` when it does; otherwise raises :class:`ParameterError` (or returns
    the reason when ``raise_error`` is false).
    """
    base_path = Path(base) if base is not None else Path.cwd()
    text = os.fspath(value)
    what = _short(spelled("out", text, "notebook"))
    shown = repr(os.fspath(root))
    reason = None
    if not text:
        reason = Formatter(lang).msg("cli.params.output_empty", what=what, root=shown)
    elif ".." in Path(text).parts:
        reason = Formatter(lang).msg("cli.params.output_dotdot", what=what, root=shown)
    else:
        target = _resolve(text, base_path).resolve()
        allowed_root = _resolve(os.fspath(root), base_path).resolve()
        if not target.is_relative_to(allowed_root):
            reason = Formatter(lang).msg("cli.params.output_outside", what=what, root=shown)
    if reason and raise_error:
        raise ParameterError(reason)
    return reason


#: What ``setup_notebook`` returns (the name notebooks used before RunSettings).
NotebookSetup = RunSettings


def project_root() -> Path:
    """The folder relative parameter paths are read from.

    The working directory when it holds the study (papermill from the project root, the
    batch runner); otherwise the project root above it (JupyterLab opened in
    ``notebooks/``).
    """
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file() and (folder / "evaluation").is_dir():
            return folder
    return here


def setup_notebook(notebook: str, **values: Any) -> RunSettings:
    """Check a notebook's parameters from inside the notebook; return the run's settings.

    Relative paths are taken from the working directory when the study is found there,
    else from the project root, so the notebook works from the command line, from the
    batch runner and from JupyterLab opened in ``notebooks/``. A notebook that writes
    outputs claims ``<out>/<study name>/`` for its study (another study with the same
    name is refused, see :func:`~evaluation.settings.claim_output_folder`).

    Returns
    -------
    RunSettings
        ``.config``, ``.year``, ``.lang``, ``.seed``, ``.study_dir``, ``.year_dir``, and
        ``.values`` (the checked parameters, defaults filled in).
    """
    study = values.get("study", _STUDY.default)
    base = Path.cwd()
    if not isinstance(study, str) or not (_resolve(study, base) / "study.yaml").is_file():
        base = project_root()
    root = output_root()
    if not root.is_absolute():
        root = base / root
    checked, settings = _checked(notebook, values, out_root=root, base=base)
    if settings is None:  # a notebook without a study parameter
        raise ParameterError(Formatter("id").msg("cli.params.unknown", names=[],
                                                 allowed=sorted(checked)))
    if "out" in checked and not os.environ.get(STAGED_ENV):
        claim_output_folder(settings.study_out, settings.config, lang=settings.lang)
    return settings


__all__ = [
    "OUTPUT_ROOT_ENV",
    "SCHEMAS",
    "NotebookSetup",
    "Param",
    "RunSettings",
    "check_parameters",
    "confine_output",
    "describe",
    "output_root",
    "project_root",
    "schema_for",
    "setup_notebook",
]
